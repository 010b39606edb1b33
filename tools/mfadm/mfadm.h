/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfadm.h - what mfadm's subcommands share.
 *
 * A subcommand is a struct mfadm_cmd in the table of main.c.  Its run()
 * gets argv[0] = its own name and returns the process exit status:
 * MFADM_OK, MFADM_FAIL (the operation failed; one line on stderr) or
 * MFADM_USAGE (bad command line).  main.c answers `mfadm CMD -h|--help`
 * and `mfadm help CMD` from the table, without calling run().
 */
#ifndef MFADM_H
#define MFADM_H

enum { MFADM_OK = 0, MFADM_FAIL = 1, MFADM_USAGE = 2 };

struct mfadm_cmd {
	const char *name;
	const char *summary;	/* one line for `mfadm help` */
	const char *usage;	/* `mfadm help <name>`, ends with '\n' */
	int (*run)(int argc, char **argv);
};

/* Global options, set before a subcommand runs. */
extern const char *mfadm_config;	/* -c FILE, or NULL */

/* Print "mfadm: <fmt>\n" to stderr. */
void mfadm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * BM_Init() with the global options; on failure print why and return
 * MFADM_FAIL.  A successful call needs one BM_Exit().
 */
int mfadm_open(void);

/* Finish stdout; MFADM_FAIL with a message when it could not be written. */
int mfadm_flush(void);

/* The subcommands, one per cmd_*.c file. */
extern const struct mfadm_cmd mfadm_cmd_version;

#endif /* MFADM_H */
