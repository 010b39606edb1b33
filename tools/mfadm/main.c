// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm - administer memfabric.  git-style: mfadm [OPTIONS] COMMAND [ARGS].
 * See mfadm(8).
 *
 * The commands register themselves with MFADM_COMMAND() (mfadm.h); this
 * file collects them, answers help, and dispatches, also into command
 * groups such as `mfadm pool add`.
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

/* Provided by the linker for the section MFADM_COMMAND() fills. */
extern const struct mfadm_cmd *const __start_mfadm_cmds[];
extern const struct mfadm_cmd *const __stop_mfadm_cmds[];

/* The registered commands, sorted by name. */
static const struct mfadm_cmd *commands[64];
static size_t ncommands;

static int by_name(const void *a, const void *b)
{
	const struct mfadm_cmd *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void collect_commands(void)
{
	for (const struct mfadm_cmd *const *c = __start_mfadm_cmds;
	     c < __stop_mfadm_cmds && ncommands < 64; c++)
		commands[ncommands++] = *c;
	qsort(commands, ncommands, sizeof(commands[0]), by_name);
}

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

int mfadm_open(void)
{
	const char *cfg = mfadm_config;
	int rc = BM_Init((char *)cfg, 0);

	if (rc == 0)
		return MFADM_OK;
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
	for (size_t i = 0; i < ncommands; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(f, "  %-10s %s\n", "help", "show this help, or a command's");
}

/* A command's usage; a group's ends with the list of its subcommands. */
static void cmd_usage(const struct mfadm_cmd *cmd, FILE *f)
{
	fputs(cmd->usage, f);
	if (!cmd->subcmds)
		return;
	fprintf(f, "\nCommands:\n");
	for (const struct mfadm_cmd *const *s = cmd->subcmds; *s; s++)
		fprintf(f, "  %-10s %s\n", (*s)->name, (*s)->summary);
}

static const struct mfadm_cmd *find_in(const struct mfadm_cmd *const *list,
				       size_t n, const char *name)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (!strcmp(list[i]->name, name))
			return list[i];
	return NULL;
}

static const struct mfadm_cmd *find_sub(const struct mfadm_cmd *group,
					const char *name)
{
	return find_in(group->subcmds, SIZE_MAX, name);
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
	cmd = find_in(commands, ncommands, argv[1]);
	if (!cmd)
		return unknown_command(NULL, argv[1]);
	if (argc > 2) {
		const struct mfadm_cmd *sub;

		if (!cmd->subcmds || argc > 3) {
			mfadm_err("help: too many arguments");
			return MFADM_USAGE;
		}
		sub = find_sub(cmd, argv[2]);
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
	if (!cmd->subcmds) {
		optind = 0;	/* a fresh getopt_long() scan */
		return cmd->run(argc, argv);
	}
	if (argc < 2) {
		cmd_usage(cmd, stderr);
		return MFADM_USAGE;
	}
	sub = find_sub(cmd, argv[1]);
	if (!sub)
		return unknown_command(cmd->name, argv[1]);
	return dispatch(sub, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const struct mfadm_cmd *cmd;
	int i;

	collect_commands();
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

	cmd = find_in(commands, ncommands, argv[i]);
	if (!cmd)
		return unknown_command(NULL, argv[i]);
	return dispatch(cmd, argc - i, argv + i);
}
