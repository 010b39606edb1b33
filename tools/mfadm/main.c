// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm - administer memfabric.  git-style: mfadm [OPTIONS] COMMAND [ARGS].
 * See mfadm(8).
 *
 * Every command is one row of the table commands[] below, as in ndctl's
 * cxl/cxl.c; this file answers help from it and dispatches, also into
 * command groups such as `mfadm pool add`.
 */
#include "mfadm.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memfabric/bm.h>

const char *mfadm_config;
bool mfadm_quiet;

/*
 * The commands, in the order `mfadm help` lists them: a group's row (with
 * no function) comes first, then its subcommands' rows.
 */
static const struct mfadm_cmd commands[] = {
	{ "devices", NULL, cmd_devices, mfadm_usage_devices,
	  "list the devices that could back a pool (JSON)" },
	{ "monitor", NULL, cmd_monitor, mfadm_usage_monitor,
	  "print events as they happen (JSON lines)" },
	{ "ns", NULL, NULL, mfadm_usage_ns,
	  "create, destroy and list namespaces" },
	{ "ns", "create", cmd_ns_create, mfadm_usage_ns_create,
	  "create a namespace (JSON of it)" },
	{ "ns", "destroy", cmd_ns_destroy, mfadm_usage_ns_destroy,
	  "destroy a namespace (JSON of what was freed)" },
	{ "ns", "list", cmd_ns_list, mfadm_usage_ns_list,
	  "list namespaces (JSON)" },
	{ "host", NULL, NULL, mfadm_usage_host,
	  "the hosts of a multi-host pool" },
	{ "host", "list", cmd_host_list, mfadm_usage_host_list,
	  "list a multi-host pool's hosts (JSON)" },
	{ "obj", NULL, NULL, mfadm_usage_obj,
	  "list, show and free objects" },
	{ "obj", "list", cmd_obj_list, mfadm_usage_obj_list,
	  "list objects (JSON, from the netlink dump)" },
	{ "obj", "show", cmd_obj_show, mfadm_usage_obj_show,
	  "show one object (JSON)" },
	{ "obj", "free", cmd_obj_free, mfadm_usage_obj_free,
	  "free an object" },
	{ "pool", NULL, NULL, mfadm_usage_pool,
	  "attach, detach, list and check pools" },
	{ "pool", "add", cmd_pool_add, mfadm_usage_pool_add,
	  "attach a pool (JSON of the new pool)" },
	{ "pool", "remove", cmd_pool_remove, mfadm_usage_pool_remove,
	  "detach a pool" },
	{ "pool", "list", cmd_pool_list, mfadm_usage_pool_list,
	  "list the attached pools (JSON)" },
	{ "pool", "check", cmd_pool_check, mfadm_usage_pool_check,
	  "check a pool's metadata (JSON; exit 1 if unsound)" },
	{ "stats", NULL, cmd_stats, mfadm_usage_stats,
	  "module-wide statistics (JSON)" },
	{ "version", NULL, cmd_version, mfadm_usage_version,
	  "print module, ABI, feature and library versions (JSON)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void mfadm_err(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mfadm: %s\n", msg);
}

void mfadm_step(const char *fmt, ...)
{
	va_list ap;

	if (mfadm_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mfadm_open_err(int rc)
{
	const char *cfg = mfadm_config;

	if (rc == -ENODEV)
		mfadm_err("memfabric module not loaded (no %s)",
			  cfg ? "memfabric device" : BM_DEFAULT_DEVICE);
	else if (rc == -EACCES)
		mfadm_err("permission denied opening %s",
			  cfg ? "the memfabric device or the config file"
			      : BM_DEFAULT_DEVICE);
	else if (rc == -ENOTTY)
		mfadm_err("not a memfabric device, or the module is too old");
	else if (rc == -ENOENT && cfg) /* a missing device is -ENODEV */
		mfadm_err("config file %s: %s", cfg, strerror(ENOENT));
	else if (rc == -EINVAL && cfg) /* libmemfabric logged the line */
		mfadm_err("invalid config file %s", cfg);
	else
		mfadm_err("cannot initialise memfabric: %s", BM_StrError(rc));
}

int mfadm_open(void)
{
	int rc = BM_Init((char *)mfadm_config, 0);

	if (rc == 0)
		return MFADM_OK;
	mfadm_open_err(rc);
	return MFADM_FAIL;
}

int mfadm_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return MFADM_OK;
	mfadm_err("cannot write output: %s", strerror(errno));
	return MFADM_FAIL;
}

int mfadm_getopt(const char *who, int argc, char **argv,
		 const char *shortopts, const struct option *longopts)
{
	int prev = optind, c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':') {
		/* optind has moved past the bad word, or stayed on it. */
		const char *word = optind > prev ? argv[optind - 1] :
				   optind < argc ? argv[optind] : "?";
		char shortname[3] = { '-', (char)optopt, '\0' };

		if (optopt && strncmp(word, "--", 2))
			word = shortname;
		if (c == ':')
			mfadm_err("%s: option '%s' needs a value", who, word);
		else
			mfadm_err("%s: unknown option '%s' (see 'mfadm help %s')",
				  who, word, who);
		return '?';
	}
	return c;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mfadm [-c FILE] [-q] COMMAND [ARGS]\n"
		"       mfadm --version | --help | help [COMMAND [SUBCOMMAND]]\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE  libmemfabric config file, see BM_Init(3)\n"
		"  -q, --quiet        no progress lines on stderr\n"
		"  -h, --help         show this help\n"
		"      --version      show mfadm's version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!commands[i].sub)
			fprintf(f, "  %-10s %s\n", commands[i].name,
				commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "show this help, or a command's");
}

/* A group is a row without a function: its subcommands follow it. */
static bool is_group(const struct mfadm_cmd *cmd)
{
	return !cmd->run;
}

/* A command's usage; a group's ends with the list of its subcommands. */
static void cmd_usage(const struct mfadm_cmd *cmd, FILE *f)
{
	fputs(cmd->usage, f);
	if (!is_group(cmd))
		return;
	fprintf(f, "\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].sub && !strcmp(commands[i].name, cmd->name))
			fprintf(f, "  %-10s %s\n", commands[i].sub,
				commands[i].summary);
}

/* The row of command @name (@sub NULL) or of subcommand @sub of group @name. */
static const struct mfadm_cmd *find(const char *name, const char *sub)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct mfadm_cmd *c = &commands[i];

		if (!strcmp(c->name, name) &&
		    (sub ? c->sub && !strcmp(c->sub, sub) : !c->sub))
			return c;
	}
	return NULL;
}

static int unknown_command(const char *group, const char *name)
{
	if (group)
		mfadm_err("unknown %s command '%s' (see 'mfadm help %s')",
			  group, name, group);
	else
		mfadm_err("unknown command '%s' (see 'mfadm help')", name);
	return MFADM_USAGE;
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static int help(int argc, char **argv)
{
	const struct mfadm_cmd *cmd;

	if (argc < 2) {
		usage(stdout);
		return mfadm_flush();
	}
	if (!strcmp(argv[1], "help")) {
		if (argc > 2) {
			mfadm_err("help: too many arguments");
			return MFADM_USAGE;
		}
		printf("usage: mfadm help [COMMAND [SUBCOMMAND]]\n");
		return mfadm_flush();
	}
	cmd = find(argv[1], NULL);
	if (!cmd)
		return unknown_command(NULL, argv[1]);
	if (argc > 2) {
		const struct mfadm_cmd *sub;

		if (!is_group(cmd) || argc > 3) {
			mfadm_err("help: too many arguments");
			return MFADM_USAGE;
		}
		sub = find(cmd->name, argv[2]);
		if (!sub)
			return unknown_command(cmd->name, argv[2]);
		cmd = sub;
	}
	cmd_usage(cmd, stdout);
	return mfadm_flush();
}

/* Run @cmd with argv[0] = its name, descending into groups. */
static int dispatch(const struct mfadm_cmd *cmd, int argc, char **argv)
{
	const struct mfadm_cmd *sub;

	if (argc > 1 && is_help(argv[1])) {
		cmd_usage(cmd, stdout);
		return mfadm_flush();
	}
	if (!is_group(cmd)) {
		optind = 0;	/* a fresh getopt_long() scan */
		return cmd->run(argc, argv);
	}
	if (argc < 2) {
		cmd_usage(cmd, stderr);
		return MFADM_USAGE;
	}
	sub = find(cmd->name, argv[1]);
	if (!sub)
		return unknown_command(cmd->name, argv[1]);
	return dispatch(sub, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const struct mfadm_cmd *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i];

		if (is_help(arg)) {
			usage(stdout);
			return mfadm_flush();
		} else if (!strcmp(arg, "--version")) {
			printf("mfadm %s\n", BM_LIB_VERSION);
			return mfadm_flush();
		} else if (!strcmp(arg, "-c") || !strcmp(arg, "--config")) {
			if (++i == argc) {
				mfadm_err("option '%s' needs a FILE", arg);
				return MFADM_USAGE;
			}
			mfadm_config = argv[i];
		} else if (!strncmp(arg, "--config=", 9)) {
			mfadm_config = arg + 9;
		} else if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
			mfadm_quiet = true;
		} else if (!strcmp(arg, "--")) {
			i++;
			break;
		} else {
			mfadm_err("unknown option '%s' (see 'mfadm --help')",
				  arg);
			return MFADM_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return MFADM_USAGE;
	}
	if (!strcmp(argv[i], "help"))
		return help(argc - i, argv + i);

	cmd = find(argv[i], NULL);
	if (!cmd)
		return unknown_command(NULL, argv[i]);
	return dispatch(cmd, argc - i, argv + i);
}
