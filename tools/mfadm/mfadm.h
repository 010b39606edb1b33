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
int cmd_host_list(int argc, char **argv);
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
	mfadm_usage_host[], mfadm_usage_host_list[],
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

/* Print why BM_Init() or mf_admin_new() failed with @rc (one line). */
void mfadm_open_err(int rc);

/*
 * A libmemfabric admin context (<memfabric/admin.h>) on the device the
 * config file names: the commands reach the module only through it.  On
 * failure (a missing module, no permission, an incompatible ABI, or a
 * module without the MF_FEAT_* bits @need, which has no @what) print why
 * and return MFADM_FAIL.  mf_admin_free() it.
 */
struct mf_admin;
int mfadm_ctx_open(struct mf_admin **ctx, uint64_t need, const char *what);

/*
 * A context quietly, for optional information: NULL if the device is
 * missing, not accessible, or has no pools.
 */
struct mf_admin *mfadm_ctx_try(void);

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

/* ---- JSON output with json-c (output.c) ------------------------------- */

struct json_object;

/*
 * The commands build their output with json-c and print it with
 * mfadm_json_print(): pretty (two spaces, "key": value, as ndctl prints)
 * or on one line.  Keys keep the order they were added in.
 */
void mfadm_json_human(bool on);	/* mfadm_json_size() as "512.00 MiB" */
bool mfadm_json_is_human(void);

/* A string (bytes that are not valid UTF-8 become U+FFFD). */
struct json_object *mfadm_json_str(const char *s);
struct json_object *mfadm_json_u64(uint64_t v);
/* A number of bytes: a number, or a string under -u. */
struct json_object *mfadm_json_size(uint64_t bytes);
/* MF_FEAT_* bits as an array of names ("pools", ..., "bitN"). */
struct json_object *mfadm_json_features(uint64_t mask);

/* Add @val (which may be NULL: null) to object @obj under @key. */
void mfadm_json_add(struct json_object *obj, const char *key,
		    struct json_object *val);

/*
 * Print @val and a newline on stdout, pretty or on one line, and drop
 * the reference on it.
 */
void mfadm_json_print(struct json_object *val, bool pretty);

/*
 * A pretty array printed one element at a time, for listings too long to
 * hold: "[" comes with the first element, so that nothing is printed
 * before it; mfadm_json_list_end() prints "]" (or "[]") and a newline.
 */
struct mfadm_json_list {
	size_t n;
};
void mfadm_json_list_add(struct mfadm_json_list *l, struct json_object *val);
void mfadm_json_list_end(struct mfadm_json_list *l);

/* ---- pools, namespaces, objects ------------------------------------------- */

struct mf_admin_pool_info;
struct mf_admin_obj_info;

/* One pool as a JSON object (the entry of `mfadm pool list`). */
struct json_object *mfadm_pool_json(const struct mf_admin_pool_info *info);

/* An object as JSON (`mfadm obj list` / `obj show`). */
struct json_object *mfadm_obj_json(const struct mf_admin_obj_info *obj);

/* "private-rw", "shared-ro" or "?". */
const char *mfadm_obj_type_name(uint32_t type);

/* A namespace name or object id: 1 to 63 of [A-Za-z0-9_.:-]. */
bool mfadm_obj_name_ok(const char *name);

/* Whether pool @name is attached: 1, 0, or -1 if that cannot be told. */
int mfadm_pool_attached(const char *name);

/*
 * Print why a call of the generic netlink family failed with @rc: no
 * family (module), no events group, or "@who: <errno text>".
 */
void mfadm_nl_err(const char *who, int rc);

#endif /* MFADM_H */
