// SPDX-License-Identifier: GPL-2.0
/*
 * pool_util.c - the attached pools, as MF_IOC_POOL_LIST reports them, and
 * their JSON form, shared by `mfadm pool` and `mfadm stats`.
 */
#include "mfadm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/memfabric.h>

int mfadm_pool_list(int fd, struct mf_pool_info **infos, uint32_t *count)
{
	uint32_t want = 16;

	for (int tries = 0; tries < 8; tries++) {
		struct mf_pool_info *buf = calloc(want, sizeof(*buf));
		struct mf_pool_list l = {
			.size = sizeof(l),
			.pools = (uintptr_t)buf,
			.count = want,
			.entry_size = sizeof(*buf),
		};

		if (!buf)
			return -ENOMEM;
		if (ioctl(fd, MF_IOC_POOL_LIST, &l)) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (l.count <= want) {
			*infos = buf;
			*count = l.count;
			return 0;
		}
		/* More pools than room: again, with room for them all. */
		free(buf);
		want = l.count + 8;
	}
	return -EAGAIN;
}

void mfadm_pool_json(const struct mf_pool_info *p)
{
	char name[MF_POOL_NAME_LEN + 1], dev[MF_POOL_PATH_LEN + 1], uuid[37];
	char frag[16];

	/* The kernel NUL-terminates them; do not trust it blindly. */
	memcpy(name, p->name, MF_POOL_NAME_LEN);
	name[MF_POOL_NAME_LEN] = '\0';
	memcpy(dev, p->device, MF_POOL_PATH_LEN);
	dev[MF_POOL_PATH_LEN] = '\0';
	mfadm_uuid_str(p->uuid, uuid);

	json_obj_begin();
	json_kstr("name", name);
	json_kstr("backend", mfadm_backend_name(p->backend));
	json_kstr("device", dev);
	json_key("node");
	if (p->backend == MF_POOL_BACKEND_NODE)
		json_u64(p->node);
	else
		json_null();
	json_kbool("persistent", p->flags & MF_POOL_INFO_PERSISTENT);
	json_kstr("uuid", uuid);
	json_ksize("unit", p->unit);
	json_ksize("bytes", p->bytes);
	json_ksize("capacity", p->capacity);
	json_ksize("used", p->used);
	json_ksize("free", p->free);
	json_ksize("largest_free", p->largest_free);
	json_ku64("extents", p->nr_extents);
	json_ku64("free_extents", p->nr_free_extents);
	json_key("fragmentation");
	if (json_is_human()) {
		snprintf(frag, sizeof(frag), "%u.%u%%", p->frag_permille / 10,
			 p->frag_permille % 10);
		json_str(frag);
	} else {
		json_u64(p->frag_permille);
	}
	json_ksize("meta_bytes", p->meta_bytes);
	json_ku64("users", p->users);
	json_obj_end();
}
