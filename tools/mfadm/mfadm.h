/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfadm.h - what mfadm's subcommands share.
 *
 * Every command is one row of the explicit table in main.c (as ndctl's
 * cxl/cxl.c lists cxl-cli's): its name, its function and its help.  The
 * function and the usage text live in the command's cmd_*.c file and are
 * declared below.  A group (e.g. `mfadm pool`) is a row without a
 * function, followed by the rows of its subcommands (`mfadm pool add`).
 *
 * run() gets argv[0] = its own name and returns the process exit status:
 * MFADM_OK, MFADM_FAIL (the operation failed; one line on stderr) or
 * MFADM_USAGE (bad command line).  main.c answers `mfadm CMD [SUB] -h`,
 * `--help` and `mfadm help CMD [SUB]` from the tables, without calling
 * run().
 */
#ifndef MFADM_H
#define MFADM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { MFADM_OK = 0, MFADM_FAIL = 1, MFADM_USAGE = 2 };

struct mfadm_cmd {
	const char *name;	/* the command, or the group */
	const char *sub;	/* the subcommand of group @name, or NULL */
	int (*run)(int argc, char **argv);	/* NULL for a group */
	const char *usage;	/* `mfadm help <name>`, ends with '\n' */
	const char *summary;	/* one line for `mfadm help` */
};

/* The commands (main.c's table): functions and usage texts. */
int cmd_devices(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_ns_create(int argc, char **argv);
int cmd_ns_destroy(int argc, char **argv);
int cmd_ns_list(int argc, char **argv);
int cmd_obj_list(int argc, char **argv);
int cmd_obj_show(int argc, char **argv);
int cmd_obj_free(int argc, char **argv);
int cmd_pool_add(int argc, char **argv);
int cmd_pool_remove(int argc, char **argv);
int cmd_pool_list(int argc, char **argv);
int cmd_pool_check(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_version(int argc, char **argv);
extern const char mfadm_usage_devices[], mfadm_usage_monitor[],
	mfadm_usage_ns[], mfadm_usage_ns_create[], mfadm_usage_ns_destroy[],
	mfadm_usage_ns_list[], mfadm_usage_obj[], mfadm_usage_obj_list[],
	mfadm_usage_obj_show[], mfadm_usage_obj_free[], mfadm_usage_pool[],
	mfadm_usage_pool_add[], mfadm_usage_pool_remove[],
	mfadm_usage_pool_list[], mfadm_usage_pool_check[], mfadm_usage_stats[],
	mfadm_usage_version[];

/* ---- global options, set before a command runs ------------------------- */

extern const char *mfadm_config;	/* -c FILE, or NULL */
extern bool mfadm_quiet;		/* -q: no progress lines */

/* Print "mfadm: <fmt>\n" to stderr: an error, one line. */
void mfadm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A progress line on stderr ("<fmt>\n"), unless -q. */
void mfadm_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * BM_Init() with the global options; on failure print why and return
 * MFADM_FAIL.  A successful call needs one BM_Exit().
 */
int mfadm_open(void);

/*
 * Open the memfabric device for ioctls: check it with mfadm_open() (which
 * reports a missing module, no permission, an incompatible ABI), then
 * open the device the config names.  On success *fd is the open device
 * (O_RDWR, close-on-exec) and *ver (if not NULL) what MF_IOC_VERSION
 * says.  On failure print why and return MFADM_FAIL.
 */
struct mf_version;
int mfadm_dev_open(int *fd, struct mf_version *ver);

/*
 * Open the memfabric device quietly, for optional information: the fd,
 * or -1 if it is missing, not accessible, or has no pools.
 */
int mfadm_dev_try_open(void);

/* Finish stdout; MFADM_FAIL with a message when it could not be written. */
int mfadm_flush(void);

/*
 * Parse a command's options with getopt_long() (GNU order: options and
 * operands may mix).  @shortopts must start with ':'.  Returns the option
 * character, -1 at the end, or '?' after printing a usage error (unknown
 * option, missing value) prefixed with @who.
 */
struct option;
int mfadm_getopt(const char *who, int argc, char **argv,
		 const char *shortopts, const struct option *longopts);

/* ---- sizes and names (util.c) -------------------------------------------- */

/*
 * Parse a size: digits with an optional K, M, G, T or P suffix (powers of
 * 1024; "KiB", "KB", "k" are the same).  Return 0 and set *out, or -1 for
 * anything else, zero, or overflow.
 */
int mfadm_parse_size(const char *s, uint64_t *out);

/* Parse a decimal number 0..@max; 0 on success, -1 otherwise. */
int mfadm_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* Format @bytes like ndctl -u: "512.00 MiB", "4.00 KiB", "512 B". */
const char *mfadm_human(uint64_t bytes, char *buf, size_t len);

/* A pool name: 1 to 31 characters of [A-Za-z0-9_.-]. */
bool mfadm_pool_name_ok(const char *name);

/* Text of an MF_POOL_BACKEND_* value: "fsdax", "node", "ram" or "?". */
const char *mfadm_backend_name(uint32_t backend);

/* Format a 16-byte UUID as 36 characters; @buf holds 37. */
void mfadm_uuid_str(const uint8_t uuid[16], char buf[37]);

/*
 * Read a small sysfs file into @buf (without the trailing newline).
 * Return 0, or -errno.
 */
int mfadm_read_file(const char *path, char *buf, size_t len);

/* Does this process have CAP_SYS_ADMIN (in its effective set)? */
bool mfadm_have_sys_admin(void);

/* ---- JSON output (json.c) -------------------------------------------------- */

/*
 * A streaming JSON writer to stdout.  Values inside an object need a
 * json_key() first; commas and indentation are automatic.  Strings are
 * escaped; bytes that are not valid UTF-8 become U+FFFD.
 */
void json_pretty(bool on);	/* indent (default) or one line */
void json_human(bool on);	/* json_size() as "512.00 MiB" */
bool json_is_human(void);
void json_obj_begin(void);
void json_obj_end(void);
void json_arr_begin(void);
void json_arr_end(void);
void json_key(const char *key);
void json_str(const char *s);
void json_u64(uint64_t v);
void json_i64(int64_t v);
void json_bool(bool v);
void json_null(void);
void json_size(uint64_t bytes);	/* a number, or a string under -u */
void json_end(void);		/* after the top-level value: newline */

/* Shorthands: key and value. */
void json_kstr(const char *key, const char *s);
void json_ku64(const char *key, uint64_t v);
void json_ki64(const char *key, int64_t v);
void json_kbool(const char *key, bool v);
void json_ksize(const char *key, uint64_t bytes);

/* MF_FEAT_* bits as a JSON array of names ("pools", ..., "bitN"). */
void json_features(uint64_t mask);

/* ---- pools (pool_util.c) ----------------------------------------------------- */

struct mf_pool_info;

/*
 * MF_IOC_POOL_LIST on @fd: *infos gets a malloc()ed array of *count
 * entries.  Return 0, or -errno.
 */
int mfadm_pool_list(int fd, struct mf_pool_info **infos, uint32_t *count);

/* One pool as a JSON object (the entry of `mfadm pool list`). */
void mfadm_pool_json(const struct mf_pool_info *info);

/* ---- generic netlink (nl.c) ------------------------------------------------- */

struct nl_sock;
struct nlattr;

/* A connection to memfabric's generic netlink family. */
struct mfadm_nl {
	struct nl_sock *sk;
	int family;	/* its id */
	int events;	/* the "events" group's id, if asked for */
};

/*
 * Connect and resolve the family (and, with @events, its "events" group).
 * On failure print why (e.g. no module) and return MFADM_FAIL.
 */
int mfadm_nl_open(struct mfadm_nl *nl, bool events);
void mfadm_nl_close(struct mfadm_nl *nl);

/*
 * Called with each message of a reply: its command and its attributes by
 * MF_NL_ATTR_* (NULL where absent).  Non-zero stops the request, which
 * then returns that value.
 */
typedef int (*mfadm_nl_fn)(uint8_t cmd, struct nlattr **attrs, void *arg);

/*
 * Send request @cmd (a dump with @dump) with the optional POOL, NS and ID
 * attributes, and call @fn on each reply message.  Return 0, what @fn
 * returned, or the -errno the kernel answered.
 */
int mfadm_nl_request(struct mfadm_nl *nl, uint8_t cmd, bool dump,
		     const char *pool, const char *ns, const char *id,
		     mfadm_nl_fn fn, void *arg);

/* Attribute values: "" / 0 when absent or malformed. */
const char *mfadm_nl_str(struct nlattr **attrs, int type);
uint64_t mfadm_nl_u64(struct nlattr **attrs, int type);	/* u32 or u64 */
bool mfadm_nl_has(struct nlattr **attrs, int type);

/* "private-rw", "shared-ro" or "?". */
const char *mfadm_obj_type_name(uint32_t type);

/* A namespace name or object id: 1 to 63 of [A-Za-z0-9_.:-]. */
bool mfadm_obj_name_ok(const char *name);

/* Whether pool @name is attached: 1, 0, or -1 if that cannot be told. */
int mfadm_pool_attached(const char *name);

/* An object entry of a dump as JSON (`mfadm obj list` / `obj show`). */
void mfadm_obj_json(struct nlattr **attrs);

#endif /* MFADM_H */
