// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm monitor - print memfabric's events (the generic netlink group
 * "events") as they happen, one JSON object per line, until SIGINT or
 * SIGTERM.
 */
#include "mfadm.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/memfabric.h>

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
	}
	return NULL;
}

/* Print one event; stdout is flushed after each line. */
static int print_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *a[MF_NL_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct timespec ts;
	const char *name;
	char unknown[16];
	int *err = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, MF_NL_ATTR_MAX, NULL))
		return NL_SKIP;
	name = event_name(gh->cmd);
	if (!name) {
		snprintf(unknown, sizeof(unknown), "event-%u", gh->cmd);
		name = unknown;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	json_obj_begin();
	json_kstr("event", name);
	json_ku64("time", (uint64_t)ts.tv_sec);
	if (mfadm_nl_has(a, MF_NL_ATTR_POOL))
		json_kstr("pool", mfadm_nl_str(a, MF_NL_ATTR_POOL));
	if (mfadm_nl_has(a, MF_NL_ATTR_NS))
		json_kstr("ns", mfadm_nl_str(a, MF_NL_ATTR_NS));
	if (mfadm_nl_has(a, MF_NL_ATTR_ID))
		json_kstr("id", mfadm_nl_str(a, MF_NL_ATTR_ID));
	if (mfadm_nl_has(a, MF_NL_ATTR_SIZE))
		json_ksize("size", mfadm_nl_u64(a, MF_NL_ATTR_SIZE));
	if (mfadm_nl_has(a, MF_NL_ATTR_TYPE))
		json_kstr("type",
			  mfadm_obj_type_name(mfadm_nl_u64(a, MF_NL_ATTR_TYPE)));
	if (mfadm_nl_has(a, MF_NL_ATTR_OWNER))
		json_ku64("owner", mfadm_nl_u64(a, MF_NL_ATTR_OWNER));
	if (mfadm_nl_has(a, MF_NL_ATTR_TTL))
		json_ku64("ttl", mfadm_nl_u64(a, MF_NL_ATTR_TTL));
	if (mfadm_nl_has(a, MF_NL_ATTR_ATTR))
		json_ku64("attr", mfadm_nl_u64(a, MF_NL_ATTR_ATTR));
	if (mfadm_nl_has(a, MF_NL_ATTR_CAPACITY))
		json_ksize("capacity", mfadm_nl_u64(a, MF_NL_ATTR_CAPACITY));
	if (mfadm_nl_has(a, MF_NL_ATTR_USED))
		json_ksize("used", mfadm_nl_u64(a, MF_NL_ATTR_USED));
	if (mfadm_nl_has(a, MF_NL_ATTR_FREE))
		json_ksize("free", mfadm_nl_u64(a, MF_NL_ATTR_FREE));
	json_obj_end();
	json_end();
	if (fflush(stdout) || ferror(stdout))
		*err = errno ? errno : EIO;
	return NL_OK;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "human", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct mfadm_nl nl;
	struct pollfd p;
	int c, rc, err = 0;

	while ((c = mfadm_getopt("monitor", argc, argv, ":u", opts)) != -1) {
		if (c != 'u')
			return MFADM_USAGE;
		json_human(true);
	}
	if (optind < argc) {
		mfadm_err("monitor: unexpected argument '%s'", argv[optind]);
		return MFADM_USAGE;
	}
	if (!mfadm_have_sys_admin()) {
		mfadm_err("monitor: need CAP_SYS_ADMIN (run as root)");
		return MFADM_FAIL;
	}
	rc = mfadm_nl_open(&nl, true);
	if (rc)
		return rc;
	rc = nl_socket_add_membership(nl.sk, nl.events);
	if (rc) {
		mfadm_err("monitor: cannot join the events group: %s",
			  nl_geterror(rc));
		mfadm_nl_close(&nl);
		return MFADM_FAIL;
	}
	nl_socket_disable_seq_check(nl.sk);
	nl_socket_modify_cb(nl.sk, NL_CB_VALID, NL_CB_CUSTOM, print_event, &err);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	json_pretty(false);
	mfadm_step("monitoring memfabric events (SIGINT or SIGTERM stops)");
	p.fd = nl_socket_get_fd(nl.sk);
	p.events = POLLIN;
	while (!stop && !err) {
		int n = poll(&p, 1, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		rc = nl_recvmsgs_default(nl.sk);
		/* Events lost when the socket overflowed: say so, go on. */
		if (rc == -NLE_NOMEM || rc == -NLE_MSG_OVERFLOW)
			mfadm_err("monitor: events were lost (too many at once)");
		else if (rc < 0 && rc != -NLE_INTR && rc != -NLE_AGAIN)
			mfadm_err("monitor: %s", nl_geterror(rc));
	}
	mfadm_nl_close(&nl);
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
