// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm monitor - print memfabric's events (the generic netlink group
 * "events") as they happen, one JSON object per line, until SIGINT or
 * SIGTERM.  The events come through libmemfabric (mf_admin_monitor(3)).
 */
#include "mfadm.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/memfabric.h>
#include <memfabric/admin.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case MF_NL_CMD_OBJ_CREATED:
		return "obj-created";
	case MF_NL_CMD_OBJ_PUBLISHED:
		return "obj-published";
	case MF_NL_CMD_OBJ_FREED:
		return "obj-freed";
	case MF_NL_CMD_OBJ_RECLAIMED:
		return "obj-reclaimed";
	case MF_NL_CMD_NS_CREATED:
		return "ns-created";
	case MF_NL_CMD_NS_DESTROYED:
		return "ns-destroyed";
	case MF_NL_CMD_POOL_LOW:
		return "pool-low";
	case MF_NL_CMD_POOL_OK:
		return "pool-ok";
	case MF_NL_CMD_HOST_JOINED:
		return "host-joined";
	case MF_NL_CMD_HOST_LOST:
		return "host-lost";
	}
	return NULL;
}

/* Print one event; stdout is flushed after each line. */
static int print_event(const struct mf_admin_event *ev, void *arg)
{
	struct json_object *o = json_object_new_object();
	const char *name = event_name(ev->cmd);
	struct timespec ts;
	char unknown[16];
	int *err = arg;

	if (!name) {
		snprintf(unknown, sizeof(unknown), "event-%u", ev->cmd);
		name = unknown;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	mfadm_json_add(o, "event", mfadm_json_str(name));
	mfadm_json_add(o, "time", mfadm_json_u64((uint64_t)ts.tv_sec));
	if (ev->present & MF_ADMIN_EV_POOL)
		mfadm_json_add(o, "pool", mfadm_json_str(ev->pool));
	if (ev->present & MF_ADMIN_EV_NS)
		mfadm_json_add(o, "ns", mfadm_json_str(ev->ns));
	if (ev->present & MF_ADMIN_EV_ID)
		mfadm_json_add(o, "id", mfadm_json_str(ev->id));
	if (ev->present & MF_ADMIN_EV_SIZE)
		mfadm_json_add(o, "size", mfadm_json_size(ev->size));
	if (ev->present & MF_ADMIN_EV_TYPE)
		mfadm_json_add(o, "type",
			       mfadm_json_str(mfadm_obj_type_name(ev->type)));
	if (ev->present & MF_ADMIN_EV_OWNER)
		mfadm_json_add(o, "owner", mfadm_json_u64(ev->owner));
	if (ev->present & MF_ADMIN_EV_TTL)
		mfadm_json_add(o, "ttl", mfadm_json_u64(ev->ttl));
	if (ev->present & MF_ADMIN_EV_ATTR)
		mfadm_json_add(o, "attr", mfadm_json_u64(ev->attr));
	if (ev->present & MF_ADMIN_EV_CAPACITY)
		mfadm_json_add(o, "capacity", mfadm_json_size(ev->capacity));
	if (ev->present & MF_ADMIN_EV_USED)
		mfadm_json_add(o, "used", mfadm_json_size(ev->used));
	if (ev->present & MF_ADMIN_EV_FREE)
		mfadm_json_add(o, "free", mfadm_json_size(ev->free));
	if (ev->present & MF_ADMIN_EV_HOST)
		mfadm_json_add(o, "host", mfadm_json_u64(ev->host));
	if (ev->present & MF_ADMIN_EV_EPOCH)
		mfadm_json_add(o, "epoch", mfadm_json_u64(ev->epoch));
	mfadm_json_print(o, false);
	if (fflush(stdout) || ferror(stdout))
		*err = errno ? errno : EIO;
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct mf_admin_monitor *mon;
	struct pollfd p;
	int c, rc, err = 0;

	while ((c = mfadm_getopt("monitor", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		mfadm_json_human(true);
	}
	if (optind < argc) {
		mfadm_err("monitor: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	if (!mfadm_have_sys_admin()) {
		mfadm_err("monitor: need CAP_SYS_ADMIN (run as root)");
		return MFADM_FAIL;
	}
	rc = mf_admin_monitor_open(&mon);
	if (rc == -ENODEV || rc == -EOPNOTSUPP || rc == -ENOMEM) {
		mfadm_nl_err("monitor", rc);
		return MFADM_FAIL;
	}
	if (rc) {
		mfadm_err("monitor: cannot join the events group: %s",
			  strerror(-rc));
		return MFADM_FAIL;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	mfadm_step("monitoring memfabric events (SIGINT or SIGTERM stops)");
	p.fd = mf_admin_monitor_fd(mon);
	p.events = POLLIN;
	while (!stop && !err) {
		int n = poll(&p, 1, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		rc = mf_admin_monitor_read(mon, print_event, &err);
		/* Events lost when the socket overflowed: say so, go on. */
		if (rc == -ENOBUFS)
			mfadm_err("monitor: events were lost (too many at once)");
		else if (rc < 0 && rc != -EINTR)
			mfadm_err("monitor: %s", strerror(-rc));
	}
	mf_admin_monitor_close(mon);
	if (err) {
		mfadm_err("monitor: %s", strerror(err));
		return MFADM_FAIL;
	}
	return mfadm_flush();
}

const char mfadm_usage_monitor[] =
	"usage: mfadm monitor [-u]\n"
	"\n"
	"Print memfabric's events, one JSON object per line, flushed,\n"
	"until SIGINT or SIGTERM (then exit 0).  \"event\" is one of\n"
	"obj-created, obj-published, obj-freed, obj-reclaimed,\n"
	"ns-created, ns-destroyed, pool-low (free space fell below 10%\n"
	"of the capacity) and pool-ok (back to 15% or more); \"time\"\n"
	"is when mfadm read it (seconds since the epoch), and the\n"
	"event's fields follow: pool, ns, id, size, type, owner, ttl,\n"
	"attr, capacity, used, free.  Needs CAP_SYS_ADMIN.\n"
	"-u, --human: sizes as \"4.00 KiB\".\n";
