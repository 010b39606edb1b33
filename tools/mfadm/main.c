// SPDX-License-Identifier: GPL-2.0
/*
 * mfadm - administer memfabric.  git-style: mfadm [OPTIONS] COMMAND [ARGS].
 * See mfadm(8).
 */
#include "mfadm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <memfabric/bm.h>

const char *mfadm_config;

static const struct mfadm_cmd *const commands[] = {
	&mfadm_cmd_version,
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mfadm [-c FILE] COMMAND [ARGS]\n"
		"       mfadm --version | --help | help [COMMAND]\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE  libmemfabric config file, see BM_Init(3)\n"
		"  -h, --help         show this help\n"
		"      --version      show mfadm's version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(f, "  %-10s %s\n", "help", "show this help, or a command's");
}

static const struct mfadm_cmd *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	mfadm_err("unknown command '%s' (see 'mfadm help')", name);
	return MFADM_USAGE;
}

static int help(int argc, char **argv)
{
	const struct mfadm_cmd *cmd;

	if (argc < 2) {
		usage(stdout);
		return mfadm_flush();
	}
	if (argc > 2) {
		mfadm_err("help: too many arguments");
		return MFADM_USAGE;
	}
	if (!strcmp(argv[1], "help")) {
		printf("usage: mfadm help [COMMAND]\n");
		return mfadm_flush();
	}
	cmd = find(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	fputs(cmd->usage, stdout);
	return mfadm_flush();
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
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

	cmd = find(argv[i]);
	if (!cmd)
		return unknown_command(argv[i]);
	if (i + 1 < argc && is_help(argv[i + 1])) {
		fputs(cmd->usage, stdout);
		return mfadm_flush();
	}
	return cmd->run(argc - i, argv + i);
}
