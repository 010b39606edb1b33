# SPDX-License-Identifier: GPL-2.0
#
# memfabric: top-level build.  See README.md.
#
#   make deps      install the Debian packages it needs (apt; idempotent)
#   make           memfabric.ko for every installed kernel with headers (or
#                  KDIR=...), libmemfabric, the tools and the tests
#   make check     host unit tests, static checks, guest tests on 6.1 and 6.12
#   make demo      boot a guest and show memfabric working
#   make bench-alloc  the allocator benchmark (userspace; bench/results/alloc.md)
#   make install   library, headers, pkg-config, tools, man pages, udev rule

PREFIX ?= /usr/local
DESTDIR ?=
KERNELS ?= 6.1 6.12
export PREFIX DESTDIR

.PHONY: all deps kmod lib tools tests check check-host check-guest demo \
	install uninstall clean kcheck checkpatch bench-alloc

all: kmod lib tools tests

deps:
	@scripts/deps.sh

kmod:
	$(MAKE) -C kmod $(if $(KDIR),KDIR=$(KDIR)) $(if $(DEBUG),DEBUG=$(DEBUG))

lib:
	$(MAKE) -C lib

tools: lib
	$(MAKE) -C tools

tests: lib tools
	$(MAKE) -C tests

kcheck checkpatch:
	$(MAKE) -C kmod $@

check: all
	@tests/run-check --kernels "$(KERNELS)"

check-host: lib tools tests
	@tests/run-check --skip guest

check-guest: all
	@tests/run-check --kernels "$(KERNELS)" --skip host,static

bench-alloc:
	$(MAKE) -C bench/alloc run

demo: all
	tools/mfvm run --kernel $(firstword $(KERNELS)) -- examples/demo.sh

install: lib tools
	$(MAKE) -C lib install
	$(MAKE) -C tools install
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 0644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 udev/60-memfabric.rules \
		$(DESTDIR)/etc/udev/rules.d/60-memfabric.rules

uninstall:
	$(MAKE) -C lib uninstall
	$(MAKE) -C tools uninstall
	rm -f $(DESTDIR)/etc/udev/rules.d/60-memfabric.rules

clean:
	$(MAKE) -C kmod clean
	$(MAKE) -C lib clean
	$(MAKE) -C tools clean
	$(MAKE) -C tests clean
	rm -rf build
