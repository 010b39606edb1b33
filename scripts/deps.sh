#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, with apt, every Debian package memfabric needs to build, test and
# run its guests.  Says what it installs; installs nothing that is there
# already, so running it twice is harmless.

set -eu

PACKAGES=(
	# build
	build-essential g++ make pkg-config bc flex bison libelf-dev libssl-dev
	# kernels and headers for the guests: 6.1 (linux-image-amd64) and 6.12
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	# kernel source, for checkpatch.pl and reading
	linux-source-6.1 xz-utils
	# the guest runner
	qemu-system-x86 busybox-static cpio kmod iproute2 procps util-linux
	# device discovery: ndctl (and the cxl tool), daxctl and their libraries
	ndctl daxctl libndctl-dev libdaxctl-dev libcxl-dev uuid-dev
	# generic netlink
	libnl-3-dev libnl-genl-3-dev
	# mfadm's JSON (json-c, as ndctl)
	libjson-c-dev
	# RDMA (remote fabric)
	rdma-core libibverbs-dev librdmacm-dev ibverbs-utils perftest
	# cluster membership of mfserverd (etcd v3.4, HTTP/JSON gateway);
	# curl queries it in tests/guest/t_remote.sh
	etcd-server curl
	# the etcd client of net/ (libmemfabric, mfserverd): HTTP and TLS by
	# libcurl, JSON by nlohmann-json; openssl makes the tests' certificates
	libcurl4-openssl-dev nlohmann-json3-dev openssl
	# tests and static checks; systemd-analyze verifies mfserverd.service
	# (tests/host/t_mfserverd_unit.sh)
	libcunit1-dev sparse python3 systemd
	# make bench: the plots
	python3-matplotlib
	# outside fuzzers and stressors (make stress, Documentation/hardening.md)
	trinity stress-ng
	# out-of-tree module packaging (make dkms-install, dkms.conf)
	dkms
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages are installed"
	exit 0
fi

echo "deps: installing ${#missing[@]} packages: ${missing[*]}"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
