// SPDX-License-Identifier: GPL-2.0
/*
 * t_version - MF_IOC_VERSION and the extensible-struct rules every
 * memfabric ioctl follows (include/uapi/linux/memfabric.h): size checks,
 * zero tails, flags, reserved fields, bad pointers, unknown commands.
 *
 * Runs as root in a guest with memfabric.ko loaded.  MF_IOC_VERSION works
 * on a descriptor of any open mode: it changes nothing, so O_RDONLY is
 * enough (the node's 0660 mode decides who may open it at all).
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/memfabric.h>

#include "mftest.h"

#define DEV "/dev/" MEMFABRIC_DEVICE_NAME

/* Every MF_FEAT_* bit this header knows. */
#define KNOWN_FEATURES (MF_FEAT_EXT_IOCTL | MF_FEAT_SYSFS | MF_FEAT_POOLS | \
			MF_FEAT_OBJECTS | MF_FEAT_MMAP | MF_FEAT_NETLINK | \
			MF_FEAT_MMAP_LONGTERM | MF_FEAT_SERIAL | MF_FEAT_FILE_BIND | \
			MF_FEAT_MULTIHOST)

static long page_size;

/* A struct mf_version ready to send: size set, everything else zero. */
static struct mf_version version_arg(void)
{
	struct mf_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return v;
}

/* Read one line of a sysfs file into buf, without its newline. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Map @n pages, the ones from @first_none on PROT_NONE. */
static char *map_pages(int n, int first_none)
{
	char *p = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	if (first_none < n &&
	    mprotect(p + first_none * page_size, (n - first_none) * page_size,
		     PROT_NONE)) {
		perror("mprotect");
		exit(2);
	}
	return p;
}

static void check_node(void)
{
	struct stat st;

	if (stat(DEV, &st)) {
		mft_report(0, DEV " exists", "stat: %s", strerror(errno));
		return;
	}
	MFT_CHECK(S_ISCHR(st.st_mode), DEV " is a character device");
	mft_report((st.st_mode & 07777) == 0660, DEV " has mode 0660",
		   "mode %04o", st.st_mode & 07777);
}

static void check_fields(int fd)
{
	struct mf_version v = version_arg();
	char sysfs[64], *end;
	size_t n;

	/* Output fields start as garbage: the kernel must set all of them. */
	v.abi_major = v.abi_minor = 0xa5a5a5a5;
	v.features = ~0ULL;
	memset(v.module_version, 0xa5, sizeof(v.module_version));

	MFT_OK(ioctl(fd, MF_IOC_VERSION, &v), "MF_IOC_VERSION succeeds");
	MFT_CHECK(v.size == sizeof(v), "size is left as given");
	MFT_CHECK(v.flags == 0, "flags are left as given");
	MFT_CHECK(v.reserved == 0, "reserved is left as given");
	mft_report(v.abi_major == MF_ABI_MAJOR, "abi_major is MF_ABI_MAJOR",
		   "abi_major %u, want %u", v.abi_major, MF_ABI_MAJOR);
	mft_report(v.abi_minor == MF_ABI_MINOR, "abi_minor is MF_ABI_MINOR",
		   "abi_minor %u, want %u", v.abi_minor, MF_ABI_MINOR);
	mft_report((v.features & KNOWN_FEATURES) == KNOWN_FEATURES,
		   "features has MF_FEAT_EXT_IOCTL and MF_FEAT_SYSFS",
		   "features %#llx", (unsigned long long)v.features);
	mft_report(!(v.features & ~KNOWN_FEATURES),
		   "features has no bit this header does not know",
		   "features %#llx", (unsigned long long)v.features);

	n = strnlen(v.module_version, sizeof(v.module_version));
	MFT_CHECK(n > 0 && n < sizeof(v.module_version),
		  "module_version is a non-empty NUL-terminated string");
	if (n < sizeof(v.module_version)) {
		size_t i;

		for (i = n; i < sizeof(v.module_version); i++)
			if (v.module_version[i])
				break;
		MFT_CHECK(i == sizeof(v.module_version),
			  "module_version is zero-padded");
	}

	if (read_line("/sys/module/memfabric/version", sysfs, sizeof(sysfs)))
		sysfs[0] = '\0';
	mft_report(!strncmp(sysfs, v.module_version, sizeof(v.module_version)),
		   "module_version matches /sys/module/memfabric/version",
		   "ioctl '%.32s', sysfs '%s'", v.module_version, sysfs);
	if (read_line("/sys/kernel/memfabric/version", sysfs, sizeof(sysfs)))
		sysfs[0] = '\0';
	mft_report(!strncmp(sysfs, v.module_version, sizeof(v.module_version)),
		   "module_version matches /sys/kernel/memfabric/version",
		   "ioctl '%.32s', sysfs '%s'", v.module_version, sysfs);
	if (read_line("/sys/kernel/memfabric/features", sysfs, sizeof(sysfs)))
		sysfs[0] = '\0';
	mft_report(strtoull(sysfs, &end, 16) == v.features && *end == '\0' &&
		   end != sysfs,
		   "features matches /sys/kernel/memfabric/features",
		   "ioctl %#llx, sysfs '%s'", (unsigned long long)v.features,
		   sysfs);
}

static void check_sizes(int fd)
{
	struct {
		struct mf_version v;
		uint64_t tail;
		uint64_t canary;
	} big;
	struct mf_version v;
	char *page;

	v = version_arg();
	v.size = sizeof(v) - 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), EINVAL, "size - 1 is EINVAL");
	v.size = 0;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), EINVAL, "size 0 is EINVAL");
	v.size = 8;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), EINVAL,
		  "size of the header alone is EINVAL");

	/* A newer caller: 8 more bytes, which must be zero. */
	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big.v) + sizeof(big.tail);
	big.canary = 0xa5a5a5a5a5a5a5a5ULL;
	MFT_OK(ioctl(fd, MF_IOC_VERSION, &big),
	       "size + 8 with a zero tail succeeds");
	MFT_CHECK(big.v.abi_major == MF_ABI_MAJOR,
		  "size + 8: the known fields are filled in");
	MFT_CHECK(big.v.size == sizeof(big.v) + sizeof(big.tail),
		  "size + 8: size is left as given");
	MFT_CHECK(big.tail == 0, "size + 8: the tail stays zero");
	MFT_CHECK(big.canary == 0xa5a5a5a5a5a5a5a5ULL,
		  "size + 8: nothing beyond size is written");

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big.v) + sizeof(big.tail);
	big.tail = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &big), E2BIG,
		  "size + 8 with a non-zero first tail byte is E2BIG");
	big.tail = 1ULL << 63;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &big), E2BIG,
		  "size + 8 with a non-zero last tail byte is E2BIG");
	MFT_CHECK(big.v.abi_major == 0, "E2BIG writes nothing back");

	/* size = one whole page, all zero beyond the struct. */
	page = map_pages(1, 1);
	v = version_arg();
	v.size = page_size;
	memcpy(page, &v, sizeof(v));
	MFT_OK(ioctl(fd, MF_IOC_VERSION, page), "size of a page succeeds");
	memcpy(&v, page, sizeof(v));
	MFT_CHECK(v.abi_major == MF_ABI_MAJOR && v.size == page_size,
		  "size of a page: the fields are filled in");
	munmap(page, page_size);

	v = version_arg();
	v.size = page_size + 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), E2BIG,
		  "size of a page + 1 is E2BIG");
	v.size = UINT32_MAX;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), E2BIG, "size 4G - 1 is E2BIG");
}

static void check_flags_reserved(int fd)
{
	struct mf_version v;
	char what[64];
	int bit;

	for (bit = 0; bit < 32; bit++) {
		v = version_arg();
		v.flags = 1U << bit;
		snprintf(what, sizeof(what), "flags bit %d is EINVAL", bit);
		MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), EINVAL, what);
	}
	v = version_arg();
	v.reserved = 1;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), EINVAL,
		  "reserved = 1 is EINVAL");
	v.reserved = 1ULL << 63;
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, &v), EINVAL,
		  "reserved = 1 << 63 is EINVAL");
	MFT_CHECK(v.abi_major == 0, "EINVAL writes nothing back");
}

static void check_pointers(int fd)
{
	struct mf_version v = version_arg();
	char *p;

	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, NULL), EFAULT, "NULL is EFAULT");
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, (void *)1), EFAULT,
		  "(void *)1 is EFAULT");

	p = map_pages(1, 0);
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, p), EFAULT,
		  "a PROT_NONE page is EFAULT");
	munmap(p, page_size);

	/* The struct itself runs into a PROT_NONE page. */
	p = map_pages(2, 1);
	memcpy(p + page_size - 16, &v, 16);
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, p + page_size - 16), EFAULT,
		  "a struct running into a PROT_NONE page is EFAULT");

	/* The struct fits, but size claims 8 more bytes, which do not. */
	v.size = sizeof(v) + 8;
	memcpy(p + page_size - sizeof(v), &v, sizeof(v));
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, p + page_size - sizeof(v)), EFAULT,
		  "a size running into a PROT_NONE page is EFAULT");
	munmap(p, 2 * page_size);

	/* Readable but not writable: the copy back fails. */
	p = map_pages(1, 1);
	v = version_arg();
	memcpy(p, &v, sizeof(v));
	if (mprotect(p, page_size, PROT_READ)) {
		perror("mprotect");
		exit(2);
	}
	MFT_ERRNO(ioctl(fd, MF_IOC_VERSION, p), EFAULT,
		  "a read-only struct is EFAULT");
	munmap(p, page_size);
}

static void check_commands(int fd)
{
	static const struct {
		unsigned long cmd;
		const char *what;
	} bad[] = {
		{ _IOWR(MF_IOC_MAGIC, 0x01, struct mf_version),
		  "an unknown nr is ENOTTY" },
		{ _IOWR(MF_IOC_MAGIC, 0xff, struct mf_version),
		  "nr 0xff is ENOTTY" },
		{ _IOWR('X', 0x00, struct mf_version),
		  "a wrong magic is ENOTTY" },
		{ _IOR(MF_IOC_MAGIC, 0x00, struct mf_version),
		  "_IOR with the VERSION nr is ENOTTY" },
		{ _IOW(MF_IOC_MAGIC, 0x00, struct mf_version),
		  "_IOW with the VERSION nr is ENOTTY" },
		{ _IO(MF_IOC_MAGIC, 0x00),
		  "_IO with the VERSION nr is ENOTTY" },
		{ _IOWR(MF_IOC_MAGIC, 0x00, uint64_t),
		  "_IOWR with the VERSION nr and another size is ENOTTY" },
	};
	struct mf_version v = version_arg();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		MFT_ERRNO(ioctl(fd, bad[i].cmd, &v), ENOTTY, bad[i].what);
	MFT_CHECK(v.abi_major == 0, "ENOTTY writes nothing back");
}

static void check_open_modes(void)
{
	static const struct {
		int flags;
		const char *what;
	} modes[] = {
		{ O_RDONLY, "MF_IOC_VERSION works on an O_RDONLY descriptor" },
		{ O_WRONLY, "MF_IOC_VERSION works on an O_WRONLY descriptor" },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct mf_version v = version_arg();
		int fd = open(DEV, modes[i].flags | O_CLOEXEC);

		if (fd < 0) {
			mft_report(0, modes[i].what, "open: %s",
				   strerror(errno));
			continue;
		}
		MFT_OK(ioctl(fd, MF_IOC_VERSION, &v), modes[i].what);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	int fd;

	(void)argc;
	mft_init(argv[0]);
	page_size = sysconf(_SC_PAGESIZE);

	check_node();
	fd = open(DEV, O_RDWR | O_CLOEXEC);
	MFT_CHECK(fd >= 0, "open " DEV " O_RDWR");
	if (fd < 0)
		return mft_done();

	check_fields(fd);
	check_sizes(fd);
	check_flags_reserved(fd);
	check_pointers(fd);
	check_commands(fd);
	close(fd);
	check_open_modes();
	return mft_done();
}
