// SPDX-License-Identifier: GPL-2.0
/*
 * t_ns - namespaces: MF_IOC_NS_CREATE, _DESTROY and _LIST.  Names and
 * secIds are checked, a wrong secId is EACCES, a namespace with objects
 * is destroyed only with MF_NS_FORCE (objects nothing references go at
 * once, the others when their last reference goes), nobody needs a
 * privilege, and every ioctl follows the extensible-struct rules.
 */
#define _GNU_SOURCE
#include "mftest.h"
#include "mfpool.h"
#include "mfobj.h"

static int fd;

static int nobody_create(int fd_, void *arg)
{
	(void)arg;
	return mfo_ns_create(fd_, mfo_pool, "t_ns.nobody", "nob", 0, 0) ?
	       errno : 0;
}

static int nobody_destroy(int fd_, void *arg)
{
	(void)arg;
	return mfo_ns_destroy(fd_, mfo_pool, "t_ns.nobody", "nob", 0, NULL) ?
	       errno : 0;
}

static void test_create(void)
{
	struct mf_ns_create c;
	char long_name[80];

	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_ns.a", "s3cret", 0, 7),
	       "create a namespace");
	MFT_ERRNO(mfo_ns_create(fd, mfo_pool, "t_ns.a", "other", 0, 0), EEXIST,
		  "a taken name is EEXIST");
	MFT_ERRNO(mfo_ns_create(fd, mfo_pool, "", "s", 0, 0), EINVAL,
		  "an empty name is EINVAL");
	MFT_ERRNO(mfo_ns_create(fd, mfo_pool, "a/b", "s", 0, 0), EINVAL,
		  "a name with '/' is EINVAL");
	MFT_ERRNO(mfo_ns_create(fd, mfo_pool, "a b", "s", 0, 0), EINVAL,
		  "a name with a space is EINVAL");
	memset(long_name, 'n', sizeof(long_name));
	long_name[MF_NS_NAME_LEN] = '\0';
	MFT_ERRNO(mfo_ns_create(fd, mfo_pool, long_name, "s", 0, 0), EINVAL,
		  "a name of MF_NS_NAME_LEN characters (unterminated) is EINVAL");
	long_name[MF_NS_NAME_LEN - 1] = '\0';
	MFT_OK(mfo_ns_create(fd, mfo_pool, long_name, "s", 0, 0),
	       "a name of MF_NS_NAME_LEN - 1 characters is fine");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, long_name, "s", 0, NULL),
	       "and it can be destroyed");
	MFT_ERRNO(mfo_ns_create(fd, mfo_pool, "t_ns.b", "", 0, 0), EINVAL,
		  "an empty secId is EINVAL");
	memset(long_name, 's', sizeof(long_name));
	long_name[MF_SECID_LEN] = '\0';
	MFT_ERRNO(mfo_ns_create(fd, mfo_pool, "t_ns.b", long_name, 0, 0),
		  EINVAL, "an unterminated secId is EINVAL");
	MFT_ERRNO(mfo_ns_create(fd, "nosuchpool", "t_ns.b", "s", 0, 0), ENOENT,
		  "an unknown pool is ENOENT");
	MFT_ERRNO(mfo_ns_create(fd, "bad pool", "t_ns.b", "s", 0, 0), EINVAL,
		  "a malformed pool name is EINVAL");

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	mfo_str(c.pool, sizeof(c.pool), mfo_pool);
	mfo_str(c.name, sizeof(c.name), "t_ns.b");
	mfo_str(c.secid, sizeof(c.secid), "s");
	c.name[10] = 'x';	/* garbage after the terminating NUL */
	MFT_ERRNO(ioctl(fd, MF_IOC_NS_CREATE, &c), EINVAL,
		  "bytes after the name's NUL are EINVAL");
	mfo_str(c.name, sizeof(c.name), "t_ns.b");
	c.secid[20] = 'x';
	MFT_ERRNO(ioctl(fd, MF_IOC_NS_CREATE, &c), EINVAL,
		  "bytes after the secId's NUL are EINVAL");
	mfo_str(c.secid, sizeof(c.secid), "s");
	mfp_abi_checks(fd, MF_IOC_NS_CREATE, "NS_CREATE", &c, sizeof(c), 0,
		       offsetof(struct mf_ns_create, reserved), 4, 0);
	MFT_ERRNO(mfo_ns_destroy(fd, mfo_pool, "t_ns.b", "s", 0, NULL), ENOENT,
		  "no check created t_ns.b");

	MFT_CHECK(mfo_as_nobody(fd, nobody_create, NULL) == 0,
		  "nobody may create a namespace");
	MFT_CHECK(mfo_as_nobody(fd, nobody_destroy, NULL) == 0,
		  "nobody may destroy it with its secId");
}

static void test_list(void)
{
	struct mf_ns_info info, infos[4];
	struct mf_ns_list l;
	unsigned char big[sizeof(struct mf_ns_info) + 32];
	int found;

	MFT_CHECK(!mfo_ns_info(fd, "t_ns.a", &info), "NS_LIST lists t_ns.a");
	MFT_CHECK(info.attr == 7 && info.ttl == 0 && info.nr_objects == 0 &&
		  info.bytes == 0 && info.flags == 0,
		  "with its attr, ttl, no objects and no bytes");
	MFT_CHECK(!strncmp(info.pool, mfo_pool, sizeof(info.pool)),
		  "and its pool");
	MFT_CHECK(info.ctime > 1600000000ULL, "and a creation time");

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.entry_size = sizeof(infos[0]);
	MFT_OK(ioctl(fd, MF_IOC_NS_LIST, &l),
	       "NS_LIST of every pool with no room");
	MFT_CHECK(l.count >= 1, "counts the namespaces");
	l.namespaces = (uintptr_t)infos;
	l.count = 4;
	MFT_OK(ioctl(fd, MF_IOC_NS_LIST, &l), "NS_LIST of every pool");
	found = 0;
	for (uint32_t i = 0; i < l.count && i < 4; i++)
		found |= !strcmp(infos[i].name, "t_ns.a");
	MFT_CHECK(found || l.count > 4, "every pool's list has t_ns.a");

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	mfo_str(l.pool, sizeof(l.pool), mfo_pool);
	l.namespaces = (uintptr_t)big;
	l.count = 1;
	l.entry_size = sizeof(big);
	memset(big, 0xa5, sizeof(big));
	MFT_OK(ioctl(fd, MF_IOC_NS_LIST, &l), "a larger entry_size is accepted");
	MFT_CHECK(big[sizeof(struct mf_ns_info)] == 0 &&
		  big[sizeof(big) - 1] == 0,
		  "and the entry's tail is zeroed");
	l.entry_size = sizeof(struct mf_ns_info) - 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_NS_LIST, &l), EINVAL,
		  "a smaller entry_size is EINVAL");
	l.entry_size = sizeof(struct mf_ns_info);
	l.namespaces = 8;
	MFT_ERRNO(ioctl(fd, MF_IOC_NS_LIST, &l), EFAULT,
		  "a wild array pointer is EFAULT");
	l.namespaces = (uintptr_t)infos;
	mfo_str(l.pool, sizeof(l.pool), "nosuchpool");
	MFT_ERRNO(ioctl(fd, MF_IOC_NS_LIST, &l), ENOENT,
		  "NS_LIST of an unknown pool is ENOENT");
	mfo_str(l.pool, sizeof(l.pool), mfo_pool);
	mfp_abi_checks(fd, MF_IOC_NS_LIST, "NS_LIST", &l, sizeof(l), 0,
		       offsetof(struct mf_ns_list, reserved), 8, 0);
}

static void test_destroy(void)
{
	struct mf_ns_destroy d, out;
	struct mf_obj_stat st;
	struct mf_ns_info info;
	unsigned long long free0;
	uint64_t mo1, mo2;
	char buf[64];

	MFT_ERRNO(mfo_ns_destroy(fd, mfo_pool, "t_ns.a", "wrong", 0, NULL),
		  EACCES, "destroy with a wrong secId is EACCES");
	MFT_ERRNO(mfo_ns_destroy(fd, mfo_pool, "t_ns.none", "s", 0, NULL),
		  ENOENT, "destroy of an unknown namespace is ENOENT");
	MFT_ERRNO(mfo_ns_destroy(fd, "nosuchpool", "t_ns.a", "s3cret", 0, NULL),
		  ENOENT, "destroy in an unknown pool is ENOENT");

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	mfo_str(d.pool, sizeof(d.pool), mfo_pool);
	mfo_str(d.name, sizeof(d.name), "t_ns.none");
	mfo_str(d.secid, sizeof(d.secid), "s");
	mfp_abi_checks(fd, MF_IOC_NS_DESTROY, "NS_DESTROY", &d, sizeof(d),
		       MF_NS_FORCE, offsetof(struct mf_ns_destroy, reserved), 8,
		       0);
	d.freed = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_NS_DESTROY, &d), EINVAL,
		  "NS_DESTROY: a non-zero output field is EINVAL");

	free0 = mfp_sysfs_u64(mfo_pool, "free");
	MFT_OK(mfo_alloc(fd, "t_ns.a", "s3cret", "o1", 5000, &mo1, NULL),
	       "an object in t_ns.a");
	MFT_OK(mfo_alloc(fd, "t_ns.a", "s3cret", "o2", 3 << 20, &mo2, NULL),
	       "and another");
	MFT_CHECK(!mfo_ns_info(fd, "t_ns.a", &info) && info.nr_objects == 2 &&
		  info.bytes == 5000 + (3 << 20),
		  "NS_LIST counts them and their bytes");
	MFT_ERRNO(mfo_ns_destroy(fd, mfo_pool, "t_ns.a", "s3cret", 0, NULL),
		  EBUSY, "destroy without MF_NS_FORCE while it has objects is EBUSY");
	MFT_OK(mfo_put(fd, mo2), "drop the handle on o2");
	MFT_OK(mfo_write(fd, mo1, 0, 5, "hello"), "write o1");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_ns.a", "s3cret", MF_NS_FORCE,
			      &out), "destroy with MF_NS_FORCE");
	MFT_CHECK(out.freed == 1 && out.deferred == 1,
		  "one object freed at once, one deferred");
	MFT_CHECK(mfo_ns_info(fd, "t_ns.a", &info) == -1, "the namespace is gone");
	MFT_ERRNO(mfo_get(fd, "t_ns.a", "s3cret", "o1", NULL, NULL), ENOENT,
		  "its objects cannot be got");
	MFT_OK(mfo_stat_obj(fd, mo1, &st), "the deferred object's handle works");
	MFT_CHECK(st.obj_flags & MF_OBJ_STAT_FREED, "it is marked freed");
	memset(buf, 0, sizeof(buf));
	MFT_CHECK(!mfo_read(fd, mo1, 0, 5, buf) && !memcmp(buf, "hello", 5),
		  "and still reads what was written");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") < free0,
		  "its memory is not back yet");
	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_ns.a", "new", 0, 0),
	       "the name can be taken again at once");
	MFT_ERRNO(mfo_ns_destroy(fd, mfo_pool, "t_ns.a", "s3cret", 0, NULL),
		  EACCES, "the old secId does not open the new namespace");
	MFT_ERRNO(mfo_get(fd, "t_ns.a", "new", "o1", NULL, NULL), ENOENT,
		  "the new namespace has none of the old objects");
	MFT_OK(mfo_put(fd, mo1), "drop the last handle on the deferred object");
	MFT_CHECK(mfp_sysfs_u64(mfo_pool, "free") == free0,
		  "every byte is back in the pool");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_ns.a", "new", 0, NULL),
	       "destroy the new t_ns.a");
	MFT_OK(mfo_ns_create(fd, mfo_pool, "t_ns.c", "c", 0, 0),
	       "an empty namespace");
	MFT_OK(mfo_ns_destroy(fd, mfo_pool, "t_ns.c", "c", MF_NS_FORCE, &out),
	       "MF_NS_FORCE on an empty namespace");
	MFT_CHECK(out.freed == 0 && out.deferred == 0, "frees nothing");
}

int main(int argc, char **argv)
{
	struct mfo_snap snap;

	mft_init(argv[0]);
	(void)argc;
	fd = mfp_open();
	mfo_setup_pool(fd);
	mfo_snapshot(&snap);

	test_create();
	test_list();
	test_destroy();

	mfo_check_snapshot(&snap, "after t_ns");
	mfo_teardown_pool(fd);
	close(fd);
	return mft_done();
}
