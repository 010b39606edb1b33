/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfbraw_user.h - the user side of mfbraw.ko, the benchmarks' raw
 * baseline (bench/mf/mfbench.c, bench/multihost/mhbench.c): map physical
 * device memory through /dev/mfbraw, find an object's 4 KiB pages on the
 * device by the tag each page starts with (words: magic, tag, page index),
 * and map them raw in the object's order at a 2 MiB aligned address, so
 * the raw mapping reads the very frames the object's own mapping reads.
 * Needs root and mfbraw.ko loaded.  Errors: NULL or a negative errno.
 */
#ifndef MFBRAW_USER_H
#define MFBRAW_USER_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MFBRAW_PAGE	4096UL
#define MFBRAW_CHUNK	(2UL << 20)

static int mfbraw_fd = -1;

/* Map [@phys, @phys + @len) at @at (NULL: anywhere); NULL with errno set. */
static inline void *mfbraw_map(void *at, uint64_t phys, size_t len, int prot)
{
	void *p;

	if (mfbraw_fd < 0) {
		mfbraw_fd = open("/dev/mfbraw", O_RDWR);
		if (mfbraw_fd < 0)
			return NULL;
	}
	p = mmap(at, len, prot, MAP_SHARED | (at ? MAP_FIXED_NOREPLACE : 0),
		 mfbraw_fd, (off_t)phys);
	if (p == MAP_FAILED)
		return NULL;
	if (at && p != at) {
		munmap(p, len);
		errno = EEXIST;
		return NULL;
	}
	return p;
}

/* Start every 4 KiB page of @p (@len bytes) with @magic, @tag, its index. */
static inline void mfbraw_tag(void *p, size_t len, uint64_t magic,
			      uint64_t tag)
{
	size_t pg;

	for (pg = 0; pg < len / MFBRAW_PAGE; pg++) {
		uint64_t *w = (uint64_t *)((char *)p + pg * MFBRAW_PAGE);

		w[0] = magic;
		w[1] = tag;
		w[2] = pg;
	}
}

/*
 * Find the @npages pages tagged @magic/@tag in [@phys, @phys + @len),
 * up to 2 MiB at a time, on 2 MiB boundaries (a chunk that mfbraw.ko
 * refuses, e.g. one holding a namespace's memmap, is skipped): @where[i] is page i's physical address.
 * Return: 0, -ENOENT if a page is missing, or another negative errno.
 */
static inline int mfbraw_find_pages(uint64_t phys, size_t len, uint64_t magic,
				    uint64_t tag, size_t npages,
				    uint64_t *where)
{
	uint64_t off, next, end = phys + len;
	size_t found = 0, pg;

	memset(where, 0, npages * sizeof(*where));
	for (off = phys; off < end; off = next) {
		const uint64_t *m;

		next = (off & ~(MFBRAW_CHUNK - 1)) + MFBRAW_CHUNK;
		if (next > end)
			next = end;
		m = mfbraw_map(NULL, off, next - off, PROT_READ);
		if (!m) {
			if (mfbraw_fd < 0)
				return -errno;
			continue;
		}
		for (pg = 0; pg < (next - off) / MFBRAW_PAGE; pg++) {
			const uint64_t *w = m + pg * (MFBRAW_PAGE / 8);

			if (w[0] == magic && w[1] == tag && w[2] < npages &&
			    !where[w[2]]) {
				where[w[2]] = off + pg * MFBRAW_PAGE;
				found++;
			}
		}
		munmap((void *)m, next - off);
	}
	return found == npages ? 0 : -ENOENT;
}

/*
 * Map the pages @where[0..@npages) raw at @base, in order, each run of
 * contiguous frames one mapping.  *@runs: how many.  Return: 0 or -errno.
 */
static inline int mfbraw_map_object(char *base, const uint64_t *where,
				    size_t npages, int prot, int *runs)
{
	size_t s = 0, e;

	*runs = 0;
	while (s < npages) {
		for (e = s + 1; e < npages && where[e] == where[s] +
		     (e - s) * MFBRAW_PAGE; e++)
			;
		if (!mfbraw_map(base + s * MFBRAW_PAGE, where[s],
				(e - s) * MFBRAW_PAGE, prot))
			return -errno;
		(*runs)++;
		s = e;
	}
	return 0;
}

#endif /* MFBRAW_USER_H */
