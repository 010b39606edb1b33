# SPDX-License-Identifier: GPL-2.0
#
# The extent allocator's files, for the userspace builds that compile it
# (tests/Makefile, bench/Makefile, bench/alloc/Makefile).  The module
# lists its objects in kmod/Kbuild.
#
#   MF_EXTENT_SRC	the allocator's .c files
#   MF_EXTENT_DEPS	those and the headers they include

MF_EXTENT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
MF_EXTENT_SRC := $(addprefix $(MF_EXTENT_DIR)/,mf_extent_media.c \
		 mf_extent_freelist.c mf_extent_check.c mf_extent.c)
MF_EXTENT_DEPS := $(MF_EXTENT_SRC) $(addprefix $(MF_EXTENT_DIR)/,mf_extent.h \
		  mf_extent_priv.h mf_extent_shim.h)
