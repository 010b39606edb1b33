// SPDX-License-Identifier: GPL-2.0
/*
 * t_pool_attach - MF_IOC_POOL_ATTACH, _DETACH and _LIST and the pools'
 * sysfs directories, on all three backends: ram, node (the --dax-node
 * node when mfvm made one, $MFVM_DAX_NODE, and node 0) and fsdax
 * ($MFVM_PMEM, which holds pool0 when mfvm attached it: it is detached,
 * reattached and left as found).  Duplicate names, bad names, devices,
 * sizes, units and nodes; foreign and corrupt superblocks and
 * MF_POOL_FORMAT; the extensible-struct rules of each ioctl.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sys/mman.h>

#include "mftest.h"
#include "mfpool.h"

static int fd;
static const char *pmem;

static const char *const sysfs_files[] = {
	"backend", "device", "capacity", "used", "free", "largest_free",
	"extents", "fragmentation", "unit", "persistent", "uuid", "users",
};

static void uuid_str(const uint8_t *u, char *buf)
{
	sprintf(buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
		u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		u[15]);
}

/* The sysfs directory and the LIST entry of a just attached pool. */
static void check_shown(const struct mf_pool_attach *a, const char *backend,
			const char *device, int persistent)
{
	struct mf_pool_info info;
	char what[160], buf[160], uuid[40];
	size_t i;

	for (i = 0; i < sizeof(sysfs_files) / sizeof(sysfs_files[0]); i++) {
		snprintf(what, sizeof(what), "%s: sysfs %s is readable",
			 a->name, sysfs_files[i]);
		MFT_CHECK(!mfp_sysfs(a->name, sysfs_files[i], buf, sizeof(buf)),
			  what);
	}
	mfp_sysfs(a->name, "backend", buf, sizeof(buf));
	snprintf(what, sizeof(what), "%s: sysfs backend is %s", a->name, backend);
	mft_report(!strcmp(buf, backend), what, "'%s'", buf);
	mfp_sysfs(a->name, "device", buf, sizeof(buf));
	snprintf(what, sizeof(what), "%s: sysfs device is %s", a->name, device);
	mft_report(!strcmp(buf, device), what, "'%s'", buf);
	snprintf(what, sizeof(what), "%s: sysfs capacity is the attach capacity",
		 a->name);
	MFT_CHECK(mfp_sysfs_u64(a->name, "capacity") == a->capacity, what);
	snprintf(what, sizeof(what), "%s: sysfs unit is 1 << unit_shift", a->name);
	MFT_CHECK(mfp_sysfs_u64(a->name, "unit") == 1ULL << a->unit_shift, what);
	snprintf(what, sizeof(what), "%s: sysfs persistent is %d", a->name,
		 persistent);
	MFT_CHECK(mfp_sysfs_u64(a->name, "persistent") == (unsigned)persistent,
		  what);
	mfp_sysfs(a->name, "uuid", buf, sizeof(buf));
	uuid_str(a->uuid, uuid);
	snprintf(what, sizeof(what), "%s: sysfs uuid is the attach uuid", a->name);
	mft_report(!strcmp(buf, uuid), what, "sysfs %s, ioctl %s", buf, uuid);

	snprintf(what, sizeof(what), "%s: MF_IOC_POOL_LIST lists it", a->name);
	if (mfp_info(fd, a->name, &info)) {
		mft_report(0, what, "not listed");
		return;
	}
	mft_report(1, what, "%s", "");
	snprintf(what, sizeof(what), "%s: LIST entry has the attach's fields",
		 a->name);
	mft_report(info.backend == a->backend && info.capacity == a->capacity &&
		   info.unit_shift == a->unit_shift && info.bytes == a->bytes &&
		   info.unit == 1ULL << a->unit_shift &&
		   !memcmp(info.uuid, a->uuid, 16) && !strcmp(info.device, device) &&
		   !!(info.flags & MF_POOL_INFO_PERSISTENT) == persistent &&
		   info.node == (a->backend == MF_POOL_BACKEND_NODE ? a->node : 0),
		   what, "backend %u cap %llu unit_shift %u bytes %llu dev %s",
		   info.backend, (unsigned long long)info.capacity,
		   info.unit_shift, (unsigned long long)info.bytes, info.device);
	snprintf(what, sizeof(what), "%s: LIST stats of an empty pool", a->name);
	mft_report(info.used == 0 && info.free == info.capacity &&
		   info.largest_free == info.capacity && info.nr_extents == 0 &&
		   info.frag_permille == 0 && info.users == 0 &&
		   info.meta_bytes > 0, what, "used %llu free %llu largest %llu",
		   (unsigned long long)info.used, (unsigned long long)info.free,
		   (unsigned long long)info.largest_free);
	snprintf(what, sizeof(what), "%s: sysfs free/used/extents match LIST",
		 a->name);
	MFT_CHECK(mfp_sysfs_u64(a->name, "free") == info.free &&
		  mfp_sysfs_u64(a->name, "used") == 0 &&
		  mfp_sysfs_u64(a->name, "extents") == 0 &&
		  mfp_sysfs_u64(a->name, "largest_free") == info.largest_free &&
		  mfp_sysfs_u64(a->name, "fragmentation") == 0, what);
}

static void check_gone(const char *name)
{
	char what[128], path[128];
	struct stat st;

	snprintf(path, sizeof(path), MFP_SYSFS "/%s", name);
	snprintf(what, sizeof(what), "%s: sysfs directory is gone after detach",
		 name);
	MFT_CHECK(stat(path, &st) && errno == ENOENT, what);
	snprintf(what, sizeof(what), "%s: LIST no longer lists it", name);
	MFT_CHECK(!mfp_exists(fd, name), what);
}

static void test_ram(void)
{
	struct mf_pool_attach a = mfp_attach_arg("t_ram", MF_POOL_BACKEND_RAM,
						 NULL, 0, 64 << 20), b;

	MFT_OK(ioctl(fd, MF_IOC_POOL_ATTACH, &a), "ram: attach 64M");
	MFT_CHECK(a.result & MF_POOL_RESULT_FORMATTED, "ram: result is FORMATTED");
	MFT_CHECK(a.capacity == 64 << 20, "ram: capacity is the size");
	MFT_CHECK(a.unit_shift == MF_POOL_UNIT_SHIFT_DEFAULT,
		  "ram: unit_shift 0 gives the default");
	check_shown(&a, "ram", "ram", 0);

	b = mfp_attach_arg("t_ram", MF_POOL_BACKEND_RAM, NULL, 0, 2 << 20);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &b), EEXIST,
		  "ram: a second pool of the same name is EEXIST");
	MFT_CHECK(mfp_sysfs_u64("t_ram", "capacity") == 64 << 20,
		  "ram: EEXIST leaves the first pool as it was");

	MFT_OK(mfp_detach(fd, "t_ram"), "ram: detach");
	check_gone("t_ram");
	MFT_ERRNO(mfp_detach(fd, "t_ram"), ENOENT, "ram: detach again is ENOENT");

	a = mfp_attach_arg("t_ram64k", MF_POOL_BACKEND_RAM, NULL, 0, 32 << 20);
	a.unit_shift = 16;
	MFT_OK(ioctl(fd, MF_IOC_POOL_ATTACH, &a), "ram: attach with a 64K unit");
	MFT_CHECK(mfp_sysfs_u64("t_ram64k", "unit") == 65536,
		  "ram: sysfs unit is 65536");
	MFT_OK(mfp_detach(fd, "t_ram64k"), "ram: detach the 64K-unit pool");

	/* Names: the longest, and the characters allowed. */
	a = mfp_attach_arg("A-z_0.9-abcdefghijklmnopqrstuvw", MF_POOL_BACKEND_RAM,
			   NULL, 0, 2 << 20);
	MFT_OK(ioctl(fd, MF_IOC_POOL_ATTACH, &a),
	       "a 31-character name of [A-Za-z0-9_.-] is accepted");
	MFT_OK(mfp_detach(fd, a.name), "and detached");
}

static void test_node(int node, const char *what)
{
	struct mf_pool_attach a = mfp_attach_arg("t_node", MF_POOL_BACKEND_NODE,
						 NULL, node, 32 << 20);
	char line[128], dev[32];

	snprintf(line, sizeof(line), "node %d (%s): attach 32M", node, what);
	MFT_OK(ioctl(fd, MF_IOC_POOL_ATTACH, &a), line);
	snprintf(dev, sizeof(dev), "node%d", node);
	check_shown(&a, "node", dev, 0);
	snprintf(line, sizeof(line), "node %d: detach", node);
	MFT_OK(mfp_detach(fd, "t_node"), line);
	check_gone("t_node");
}

/* O_DIRECT access to the first 4 KiB of the pmem device. */
static int pmem_rw(void *buf, int write)
{
	int dfd = open(pmem, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	ssize_t n;

	if (dfd < 0)
		return -1;
	n = write ? pwrite(dfd, buf, 4096, 0) : pread(dfd, buf, 4096, 0);
	if (write)
		fsync(dfd);
	close(dfd);
	return n == 4096 ? 0 : -1;
}

static void test_fsdax(void)
{
	struct mf_pool_attach a, b;
	struct mf_pool_info info;
	char *saved, *page;
	int had_pool0;
	uint8_t uuid[16];

	if (!pmem) {
		mft_report(0, "fsdax: $MFVM_PMEM names the pmem device", "unset");
		return;
	}
	had_pool0 = mfp_exists(fd, "pool0");
	if (had_pool0) {
		MFT_OK(mfp_info(fd, "pool0", &info), "fsdax: pool0 is listed");
		MFT_CHECK(!strcmp(info.device, pmem) &&
			  info.backend == MF_POOL_BACKEND_FSDAX,
			  "fsdax: pool0 is on $MFVM_PMEM");
		b = mfp_attach_arg("t_other", MF_POOL_BACKEND_FSDAX, pmem, 0, 0);
		MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &b), EBUSY,
			  "fsdax: a second pool on a held device is EBUSY");
		MFT_OK(mfp_detach(fd, "pool0"), "fsdax: detach pool0");
	} else {
		MFT_OK(mfp_attach_fsdax(fd, "pool0", pmem, 0, &a),
		       "fsdax: attach pool0 (mfvm --no-pool)");
		MFT_OK(mfp_detach(fd, "pool0"), "fsdax: detach pool0");
	}

	/* Reattach: the pool is loaded, not formatted. */
	MFT_OK(mfp_attach_fsdax(fd, "pool0", pmem, 0, &a), "fsdax: reattach pool0");
	MFT_CHECK(!(a.result & MF_POOL_RESULT_FORMATTED),
		  "fsdax: reattach loads the pool (not FORMATTED)");
	if (had_pool0)
		MFT_CHECK(!memcmp(a.uuid, info.uuid, 16) &&
			  a.capacity == info.capacity,
			  "fsdax: same uuid and capacity as before");
	check_shown(&a, "fsdax", pmem, 1);
	memcpy(uuid, a.uuid, 16);
	MFT_OK(mfp_detach(fd, "pool0"), "fsdax: detach");
	check_gone("pool0");

	b = mfp_attach_arg("t_other", MF_POOL_BACKEND_FSDAX, pmem, 0, 0);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &b), EINVAL,
		  "fsdax: the pool under another name is EINVAL");
	b = mfp_attach_arg("pool0", MF_POOL_BACKEND_FSDAX, pmem, 0, 0);
	b.unit_shift = 16;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &b), EINVAL,
		  "fsdax: the pool with another unit is EINVAL");
	b = mfp_attach_arg("pool0", MF_POOL_BACKEND_FSDAX, pmem, 0, 64 << 20);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &b), EINVAL,
		  "fsdax: the pool with another size is EINVAL");
	b = mfp_attach_arg("pool0", MF_POOL_BACKEND_FSDAX, pmem, 0, 1ULL << 50);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &b), ENOSPC,
		  "fsdax: a size beyond the device is ENOSPC");
	b = mfp_attach_arg("pool0", MF_POOL_BACKEND_FSDAX, pmem, 0, 2 << 20);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &b), ENOSPC,
		  "fsdax: 2M, too small for superblock, metadata and data, is ENOSPC");

	/* Foreign data and a corrupt superblock are refused, not formatted. */
	saved = aligned_alloc(4096, 4096);
	page = aligned_alloc(4096, 4096);
	if (pmem_rw(saved, 0)) {
		mft_report(0, "fsdax: read the superblock with O_DIRECT", "%s",
			   strerror(errno));
		return;
	}
	memset(page, 0, 4096);
	memcpy(page, "XFSB", 4);
	MFT_OK(pmem_rw(page, 1), "fsdax: write foreign data over the superblock");
	MFT_ERRNO(mfp_attach_fsdax(fd, "pool0", pmem, 0, NULL), EMEDIUMTYPE,
		  "fsdax: a device with foreign data is EMEDIUMTYPE");
	memcpy(page, saved, 4096);
	page[100] ^= 0x40;	/* in the name: magic intact, checksum wrong */
	MFT_OK(pmem_rw(page, 1), "fsdax: corrupt a byte of the superblock");
	MFT_ERRNO(mfp_attach_fsdax(fd, "pool0", pmem, 0, NULL), EUCLEAN,
		  "fsdax: a corrupt superblock is EUCLEAN");
	MFT_OK(pmem_rw(saved, 1), "fsdax: restore the superblock");
	MFT_OK(mfp_attach_fsdax(fd, "pool0", pmem, 0, &a),
	       "fsdax: the restored pool attaches");
	MFT_CHECK(!(a.result & MF_POOL_RESULT_FORMATTED) &&
		  !memcmp(a.uuid, uuid, 16),
		  "fsdax: it is the same pool, loaded");
	MFT_OK(mfp_detach(fd, "pool0"), "fsdax: detach the restored pool");

	/* MF_POOL_FORMAT formats even over foreign data. */
	memset(page, 0, 4096);
	memcpy(page, "XFSB", 4);
	MFT_OK(pmem_rw(page, 1), "fsdax: foreign data again");
	MFT_OK(mfp_attach_fsdax(fd, "t_fmt", pmem, MF_POOL_FORMAT, &a),
	       "fsdax: MF_POOL_FORMAT formats a device with foreign data");
	MFT_CHECK((a.result & MF_POOL_RESULT_FORMATTED) &&
		  memcmp(a.uuid, uuid, 16),
		  "fsdax: FORMATTED, with a new uuid");
	MFT_OK(mfp_detach(fd, "t_fmt"), "fsdax: detach t_fmt");
	MFT_OK(mfp_attach_fsdax(fd, "t_fmt", pmem, 0, &b),
	       "fsdax: the formatted pool attaches without the flag");
	MFT_CHECK(!(b.result & MF_POOL_RESULT_FORMATTED) &&
		  !memcmp(a.uuid, b.uuid, 16), "fsdax: and is loaded");
	MFT_OK(mfp_detach(fd, "t_fmt"), "fsdax: detach t_fmt again");

	/* Put pool0 back: its superblock over t_fmt's (empty) metadata. */
	MFT_OK(pmem_rw(saved, 1), "fsdax: restore pool0's superblock");
	MFT_OK(mfp_attach_fsdax(fd, "pool0", pmem, 0, &a),
	       "fsdax: pool0 attaches again");
	MFT_CHECK(!memcmp(a.uuid, uuid, 16), "fsdax: with its uuid");
	if (!had_pool0)
		MFT_OK(mfp_detach(fd, "pool0"), "fsdax: leave no pool0 (--no-pool)");
	free(saved);
	free(page);
}

static void test_bad_input(void)
{
	static const struct {
		const char *name;
		const char *what;
	} bad_names[] = {
		{ "", "an empty name is EINVAL" },
		{ "a b", "a name with a space is EINVAL" },
		{ "a/b", "a name with a slash is EINVAL" },
		{ "na\xc3\xafve", "a name with non-ASCII bytes is EINVAL" },
	};
	struct mf_pool_attach a;
	size_t i;

	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		a = mfp_attach_arg(bad_names[i].name, MF_POOL_BACKEND_RAM, NULL,
				   0, 2 << 20);
		MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
			  bad_names[i].what);
	}
	a = mfp_attach_arg("x", MF_POOL_BACKEND_RAM, NULL, 0, 2 << 20);
	memset(a.name, 'n', sizeof(a.name));
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "a 32-character name (no NUL) is EINVAL");
	a = mfp_attach_arg("x", MF_POOL_BACKEND_RAM, NULL, 0, 2 << 20);
	a.name[5] = 'y';
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "bytes after the name's NUL are EINVAL");

	a = mfp_attach_arg("x", 0, NULL, 0, 2 << 20);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL, "backend 0 is EINVAL");
	a.backend = 4;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL, "backend 4 is EINVAL");

	a = mfp_attach_arg("x", MF_POOL_BACKEND_RAM, NULL, 0, 0);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "ram: size 0 is EINVAL");
	a.bytes = 3 << 20;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "ram: a size that is not a multiple of 2M is EINVAL");
	a.bytes = 1ULL << 50;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), ENOMEM,
		  "ram: 1 PiB is ENOMEM");
	a.bytes = 2 << 20;
	a.unit_shift = 11;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "unit_shift 11 is EINVAL");
	a.unit_shift = 22;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "unit_shift 22 is EINVAL");
	a.unit_shift = 0;
	a.node = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "ram: a non-zero node is EINVAL");
	a.node = 0;
	strcpy(a.path, "/dev/pmem0");
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "ram: a device path is EINVAL");
	a = mfp_attach_arg("x", MF_POOL_BACKEND_RAM, NULL, 0, 2 << 20);
	a.capacity = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "a non-zero output field (capacity) is EINVAL");

	a = mfp_attach_arg("x", MF_POOL_BACKEND_NODE, NULL, 99999, 2 << 20);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "node: node 99999 is EINVAL");
	a.node = 0;
	a.bytes = 0;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "node: size 0 is EINVAL");

	a = mfp_attach_arg("x", MF_POOL_BACKEND_FSDAX, NULL, 0, 0);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "fsdax: no device path is EINVAL");
	a = mfp_attach_arg("x", MF_POOL_BACKEND_FSDAX, "/dev/no-such-device",
			   0, 0);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), ENOENT,
		  "fsdax: a missing device is ENOENT");
	a = mfp_attach_arg("x", MF_POOL_BACKEND_FSDAX, "/dev/null", 0, 0);
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), ENOTBLK,
		  "fsdax: a character device is ENOTBLK");
	a = mfp_attach_arg("x", MF_POOL_BACKEND_FSDAX, "/dev/pmem0", 0, 0);
	memset(a.path, 'p', sizeof(a.path));
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EINVAL,
		  "fsdax: a path without a NUL is EINVAL");
	if (!system("modprobe brd rd_nr=1 rd_size=8192 2>/dev/null") &&
	    !access("/dev/ram0", F_OK)) {
		a = mfp_attach_arg("x", MF_POOL_BACKEND_FSDAX, "/dev/ram0", 0, 0);
		MFT_ERRNO(ioctl(fd, MF_IOC_POOL_ATTACH, &a), EOPNOTSUPP,
			  "fsdax: a block device without DAX is EOPNOTSUPP");
		if (system("rmmod brd"))
			printf("note: rmmod brd failed\n");
	}
	MFT_CHECK(!mfp_exists(fd, "x"), "no failed attach left a pool behind");
}

static void test_abi(void)
{
	struct mf_pool_attach a = mfp_attach_arg("t_abi", MF_POOL_BACKEND_RAM,
						 NULL, 0, 2 << 20);
	struct mf_pool_detach d = { .size = sizeof(d) };
	struct mf_pool_info infos[2];
	struct mf_pool_list l = { .size = sizeof(l) };
	struct mf_pool_check c = { .size = sizeof(c) };
	struct {
		struct mf_pool_info info;
		uint64_t extra;
	} big[64];
	uint32_t total;
	char *p;

	mfp_abi_checks(fd, MF_IOC_POOL_ATTACH, "POOL_ATTACH", &a, sizeof(a),
		       MF_POOL_FORMAT, offsetof(struct mf_pool_attach, reserved),
		       8, 1);
	MFT_CHECK(!mfp_exists(fd, "t_abi"), "POOL_ATTACH: the checks attached nothing");

	MFT_OK(ioctl(fd, MF_IOC_POOL_ATTACH, &a), "t_abi: attach");
	strcpy(d.name, "t_abi");
	mfp_abi_checks(fd, MF_IOC_POOL_DETACH, "POOL_DETACH", &d, sizeof(d), 0,
		       offsetof(struct mf_pool_detach, reserved), 8, 1);
	MFT_CHECK(mfp_exists(fd, "t_abi"), "POOL_DETACH: the checks detached nothing");
	d.name[0] = '\0';
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_DETACH, &d), EINVAL,
		  "POOL_DETACH: an empty name is EINVAL");

	strcpy(c.name, "t_abi");
	mfp_abi_checks(fd, MF_IOC_POOL_CHECK, "POOL_CHECK", &c, sizeof(c), 0,
		       offsetof(struct mf_pool_check, reserved), 8, 0);
	MFT_OK(ioctl(fd, MF_IOC_POOL_CHECK, &c), "POOL_CHECK works");
	MFT_CHECK(c.errors == 0 && c.what[0] == '\0', "POOL_CHECK: no findings");
	MFT_CHECK(mfp_unprivileged_errno(fd, MF_IOC_POOL_CHECK, &c) == 0,
		  "POOL_CHECK needs no privilege");
	c.errors = 0;
	strcpy(c.name, "t_none");
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_CHECK, &c), ENOENT,
		  "POOL_CHECK of no such pool is ENOENT");

	l.pools = (uintptr_t)infos;
	l.count = 2;
	l.entry_size = sizeof(infos[0]);
	mfp_abi_checks(fd, MF_IOC_POOL_LIST, "POOL_LIST", &l, sizeof(l), 0,
		       offsetof(struct mf_pool_list, reserved), 8, 0);
	MFT_CHECK(mfp_unprivileged_errno(fd, MF_IOC_POOL_LIST, &l) == 0,
		  "POOL_LIST needs no privilege");
	l.count = 0;
	MFT_OK(ioctl(fd, MF_IOC_POOL_LIST, &l), "POOL_LIST with count 0");
	total = l.count;
	MFT_CHECK(total >= 1, "POOL_LIST with count 0 tells how many pools");
	l.count = 64;
	l.pools = 16;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_LIST, &l), EFAULT,
		  "POOL_LIST: a wild array pointer is EFAULT");
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	l.pools = (uintptr_t)p;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_LIST, &l), EFAULT,
		  "POOL_LIST: a read-only array is EFAULT");
	munmap(p, 4096);
	l.pools = (uintptr_t)infos;
	l.entry_size = sizeof(infos[0]) - 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_LIST, &l), EINVAL,
		  "POOL_LIST: entry_size below the first version is EINVAL");
	l.entry_size = 8192;
	MFT_ERRNO(ioctl(fd, MF_IOC_POOL_LIST, &l), EINVAL,
		  "POOL_LIST: entry_size 8192 is EINVAL");
	memset(big, 0xa5, sizeof(big));
	l.pools = (uintptr_t)big;
	l.count = 64;
	l.entry_size = sizeof(big[0]);
	MFT_OK(ioctl(fd, MF_IOC_POOL_LIST, &l), "POOL_LIST with larger entries");
	MFT_CHECK(l.count == total && big[0].extra == 0 &&
		  big[0].info.name[0] != (char)0xa5,
		  "POOL_LIST: larger entries are filled and their tails zeroed");
	MFT_CHECK(l.count < 64 && *(uint64_t *)&big[l.count] == 0xa5a5a5a5a5a5a5a5ULL,
		  "POOL_LIST: nothing is written past the pools");

	MFT_OK(mfp_detach(fd, "t_abi"), "t_abi: detach");
}

int main(int argc, char **argv)
{
	struct mf_version v = { .size = sizeof(v) };
	const char *dax_node = getenv("MFVM_DAX_NODE");

	mft_init(argv[0]);
	(void)argc;
	fd = mfp_open();
	pmem = getenv("MFVM_PMEM");

	MFT_OK(ioctl(fd, MF_IOC_VERSION, &v), "MF_IOC_VERSION");
	MFT_CHECK(v.features & MF_FEAT_POOLS, "MF_FEAT_POOLS is set");
	MFT_CHECK(v.abi_major == 1 && v.abi_minor >= 1, "ABI is 1.1 or later");
	MFT_CHECK(!access(MFP_SYSFS, F_OK), MFP_SYSFS " exists");

	test_ram();
	test_node(0, "RAM");
	if (dax_node)
		test_node(atoi(dax_node), "the --dax-node node");
	else
		printf("note: no $MFVM_DAX_NODE (mfvm --dax-node): the CXL node is not tried\n");
	test_fsdax();
	test_bad_input();
	test_abi();
	close(fd);
	return mft_done();
}
