# SPDX-License-Identifier: GPL-2.0
#
# memfabric: top-level build.  See README.md.
#
#   make deps      install the Debian packages it needs (apt; idempotent)
#   make           memfabric.ko for every installed kernel with headers (or
#                  KDIR=...), libmemfabric, the tools and the tests
#   make check     host unit tests, static checks, guest tests on 6.1 and 6.12
#   make demo      boot a guest and show memfabric working
#   make crash     the pool crash loop: 20 kill -9 of the guest mid-storm
#   make stress    the hardening runs (Documentation/hardening.md): trinity,
#                  stress-ng, t_fuzz, t_conc on the DEBUG=1 module, and 50
#                  object crash cycles; ~1.5 h (STRESS_SECONDS=600 per tool)
#                  and the debug phase: the guest suite, t_fuzz and t_conc
#                  on the debug kernel (lockdep, KASAN, KFENCE, DEBUG_VM)
#   make debug-kernel  build that kernel once (scripts/build-debug-kernel.sh,
#                  build/kernel-6.1-debug/) and memfabric.ko against it
#   make DEBUG=1   the module with internal consistency checks
#   make bench-alloc  the allocator benchmark (userspace; bench/results/alloc.md)
#   make bench     the benchmark suite in a guest (bench/results/latest.md)
#   make install   library, headers, pkg-config, tools, man pages, udev rule,
#                  bash completion, /etc/memfabric.conf
#   make dkms-install  the module's sources for DKMS (/usr/src/memfabric-VER)
#   make remote-check  only the remote fabric test (tests/guest/t_remote.sh,
#                  also part of make check's guest suites) on both kernels
#   make bench-remote  remote latency/bandwidth vs perftest in a guest
#                  (bench/remote/run; Documentation/performance.md)
#   make remote-pair  the remote fabric between two guests over a wire
#                  (tests/remote2/run-pair, KERNEL ?= 6.1)

PREFIX ?= /usr/local
DESTDIR ?=
KERNELS ?= 6.1 6.12
BASHCOMPDIR ?= /usr/share/bash-completion/completions
# The module's version (MF_MODULE_VERSION), which DKMS calls it by.
DKMS_VERSION := $(shell sed -n 's/^\#define MF_MODULE_VERSION[[:space:]]*"\(.*\)"/\1/p' kmod/mf_internal.h)
DKMS_SRC = $(DESTDIR)/usr/src/memfabric-$(DKMS_VERSION)
export PREFIX DESTDIR

.PHONY: all deps kmod lib tools tests check check-host check-guest demo \
	install uninstall clean kcheck checkpatch bench-alloc bench crash dkms-install \
	dkms-uninstall

all: kmod lib tools server tests

deps:
	@scripts/deps.sh

kmod:
	$(MAKE) -C kmod $(if $(KDIR),KDIR=$(KDIR)) $(if $(DEBUG),DEBUG=$(DEBUG))

lib:
	$(MAKE) -C lib

tools: lib
	$(MAKE) -C tools

# Issue 9: mfserverd and the remote benchmark client.
server: lib
	$(MAKE) -C server
	$(MAKE) -C bench/remote

.PHONY: server remote-check bench-remote
remote-check: all
	@rc=0; for k in $(KERNELS); do \
		tools/mfvm run --kernel $$k --timeout 900 -- tests/run-suite \
			tests/guest/t_remote.sh || rc=1; \
	done; exit $$rc

# REMOTE_BENCH_ARGS: more bench/remote/run options (--rounds N, ...).
REMOTE_BENCH_KERNEL ?= 6.12
REMOTE_BENCH_ARGS ?=
bench-remote: all
	tools/mfvm run --kernel $(REMOTE_BENCH_KERNEL) --timeout 2400 -- \
		bench/remote/run --out build/bench/remote-$(REMOTE_BENCH_KERNEL).md \
		$(REMOTE_BENCH_ARGS)

KERNEL ?= 6.1
.PHONY: remote-pair
remote-pair: all
	tests/remote2/run-pair --kernel $(KERNEL)

tests: lib tools
	$(MAKE) -C tests

kcheck checkpatch:
	$(MAKE) -C kmod $@

check: all
	@tests/run-check --kernels "$(KERNELS)"

check-host: lib tools tests
	@tests/run-check --skip guest,cluster

check-guest: all
	@tests/run-check --kernels "$(KERNELS)" --skip host,static

# Issue 17: every cross-host test (tests/cluster/run), in clusters of 2 or
# 3 guests on one fabric device, per kernel; make check runs only those
# marked "# cluster-check: yes".
.PHONY: check-cluster
check-cluster: all
	@rc=0; for k in $(KERNELS); do \
		tests/cluster/run --kernel $$k || rc=1; \
	done; exit $$rc

crash: all
	tests/host/t_pool_crash.sh $(or $(CYCLES),20)

# Issue 8: the long hardening runs (tests/stress/run-stress).
.PHONY: stress
stress: all
	tests/stress/run-stress $(STRESS_PHASES)

# Issue 15: the debug kernel of make stress's debug phase, built once per
# machine (build/kernel-6.1-debug/, modules in /lib/modules/<release>);
# boot it with tools/mfvm run --kernel 6.1-debug.
.PHONY: debug-kernel
debug-kernel:
	scripts/build-debug-kernel.sh

bench-alloc:
	$(MAKE) -C bench/alloc run

# The benchmark suite (issue 7): bench/run-bench in a guest per kernel,
# then the tables (a column per kernel) and plots.  BENCH_KERNELS (6.1
# 6.12; BENCH_KERNEL=K runs K alone), BENCH_BACKING, BENCH_ARGS (--quick,
# --only LIST) choose what runs; see Documentation/performance.md.
BENCH_KERNEL ?=
BENCH_KERNELS ?= $(if $(BENCH_KERNEL),$(BENCH_KERNEL),6.1 6.12)
BENCH_BACKING ?= nvdimm
BENCH_ARGS ?=
# A prefix for each guest run, e.g. BENCH_WRAP="flock /path/guest.lock".
BENCH_WRAP ?=
BENCH_PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
bench: all
	$(MAKE) -C bench
	@# The fabric image lives in /dev/shm: no host disk writeback under it.
	@rc=0; raws=""; mkdir -p bench/results build/bench; \
	for k in $(BENCH_KERNELS); do \
		raw=build/bench/raw-$$k-$(BENCH_BACKING).jsonl; rm -f $$raw; \
		st=$$(mktemp -d /dev/shm/mfbench.XXXXXX); \
		echo "bench: Linux $$k ($(BENCH_BACKING))"; \
		$(BENCH_WRAP) tools/mfvm run --kernel $$k --backing $(BENCH_BACKING) \
			--mem 3G --ram 4G --no-pool --timeout 2400 --state $$st -- \
			bench/run-bench $(BENCH_ARGS) --out $$raw || rc=$$?; \
		rm -rf $$st; \
		if [ -s $$raw ]; then cp $$raw bench/results/ && \
			raws="$$raws bench/results/$$(basename $$raw)"; fi; \
	done; \
	[ -n "$$raws" ] && $(BENCH_PYTHON) bench/render.py --out-dir bench/results \
		--command "make bench$(if $(BENCH_KERNEL), BENCH_KERNEL=$(BENCH_KERNEL))$(if $(filter-out nvdimm,$(BENCH_BACKING)), BENCH_BACKING=$(BENCH_BACKING))$(if $(BENCH_ARGS), BENCH_ARGS='$(BENCH_ARGS)')" \
		$$raws >/dev/null && \
	echo "bench: bench/results/latest.md: $$(grep '^| \*\*total' bench/results/latest.md)"; \
	[ $$rc = 0 ] || echo "bench: a guest run failed (status $$rc)"; exit $$rc

demo: all
	tools/mfvm run --kernel $(firstword $(KERNELS)) -- examples/demo.sh

install: lib tools server
	$(MAKE) -C lib install
	$(MAKE) -C tools install
	$(MAKE) -C server install
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 0644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 udev/60-memfabric.rules \
		$(DESTDIR)/etc/udev/rules.d/60-memfabric.rules
	install -D -m 0644 tools/completion/mfadm.bash \
		$(DESTDIR)$(BASHCOMPDIR)/mfadm
	@# An administrator's /etc/memfabric.conf is never overwritten.
	@if [ -e $(DESTDIR)/etc/memfabric.conf ]; then \
		echo "keeping $(DESTDIR)/etc/memfabric.conf"; \
	else \
		echo "install -D -m 0644 etc/memfabric.conf $(DESTDIR)/etc/memfabric.conf"; \
		install -D -m 0644 etc/memfabric.conf $(DESTDIR)/etc/memfabric.conf; \
	fi

uninstall:
	$(MAKE) -C lib uninstall
	$(MAKE) -C tools uninstall
	$(MAKE) -C server uninstall
	rm -f $(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man1/%,$(wildcard man/*.1)) \
		$(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man3/%,$(wildcard man/*.3)) \
		$(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man7/%,$(wildcard man/*.7)) \
		$(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man8/%,$(wildcard man/*.8))
	rm -f $(DESTDIR)/etc/udev/rules.d/60-memfabric.rules
	rm -f $(DESTDIR)$(BASHCOMPDIR)/mfadm
	@# Removed only if unchanged.
	@if cmp -s etc/memfabric.conf $(DESTDIR)/etc/memfabric.conf; then \
		echo "rm -f $(DESTDIR)/etc/memfabric.conf"; \
		rm -f $(DESTDIR)/etc/memfabric.conf; \
	elif [ -e $(DESTDIR)/etc/memfabric.conf ]; then \
		echo "keeping the modified $(DESTDIR)/etc/memfabric.conf"; \
	fi

# DKMS: the module's sources, self-contained, in /usr/src/memfabric-<version>
# (see dkms.conf), registered with `dkms add` unless DESTDIR is set.
dkms-install:
	test -n "$(DKMS_VERSION)"
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi/linux
	install -m 0644 kmod/Kbuild kmod/*.c kmod/*.h $(DKMS_SRC)/kmod/
	install -m 0644 include/uapi/linux/memfabric.h $(DKMS_SRC)/include/uapi/linux/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(DKMS_VERSION)"/' dkms.conf \
		>$(DKMS_SRC)/dkms.conf
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null; then \
		dkms status -m memfabric -v $(DKMS_VERSION) | grep -q . || \
			{ echo "dkms add -m memfabric -v $(DKMS_VERSION)"; \
			  dkms add -m memfabric -v $(DKMS_VERSION); }; \
		echo "next: dkms install -m memfabric -v $(DKMS_VERSION) [-k RELEASE]"; \
	fi

dkms-uninstall:
	test -n "$(DKMS_VERSION)"
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
			dkms status -m memfabric -v $(DKMS_VERSION) | grep -q .; then \
		echo "dkms remove -m memfabric -v $(DKMS_VERSION) --all"; \
		dkms remove -m memfabric -v $(DKMS_VERSION) --all; \
	fi
	rm -rf $(DKMS_SRC)

clean:
	$(MAKE) -C kmod clean
	$(MAKE) -C lib clean
	$(MAKE) -C tools clean
	$(MAKE) -C tests clean
	$(MAKE) -C server clean
	$(MAKE) -C bench/remote clean
	rm -rf build
