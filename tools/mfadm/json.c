// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - mfadm's JSON writer: streams one value to stdout, with commas,
 * indentation and string escapes done here so that every command's output
 * is valid JSON.
 */
#include "mfadm.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/memfabric.h>

#define JSON_MAX_DEPTH 32

static struct {
	bool pretty;
	bool human;
	int depth;
	unsigned count[JSON_MAX_DEPTH];	/* values so far at each level */
	bool after_key;			/* a key was written, value next */
} J = { .pretty = true };

void json_pretty(bool on)
{
	J.pretty = on;
}

void json_human(bool on)
{
	J.human = on;
}

bool json_is_human(void)
{
	return J.human;
}

static void newline_indent(void)
{
	if (!J.pretty)
		return;
	putchar('\n');
	for (int i = 0; i < J.depth; i++)
		fputs("  ", stdout);
}

/* Before a value (or a key): the separator and indentation. */
static void before_value(void)
{
	if (J.after_key) {
		J.after_key = false;
		return;
	}
	if (J.depth > 0) {
		if (J.count[J.depth - 1]++)
			putchar(',');
		newline_indent();
	}
}

static void open_level(char c)
{
	before_value();
	putchar(c);
	if (J.depth < JSON_MAX_DEPTH)
		J.count[J.depth] = 0;
	J.depth++;
}

static void close_level(char c)
{
	bool empty = J.depth <= JSON_MAX_DEPTH && !J.count[J.depth - 1];

	J.depth--;
	if (!empty)
		newline_indent();
	putchar(c);
}

void json_obj_begin(void)
{
	open_level('{');
}

void json_obj_end(void)
{
	close_level('}');
}

void json_arr_begin(void)
{
	open_level('[');
}

void json_arr_end(void)
{
	close_level(']');
}

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void put_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putchar('"');
	while (*s) {
		size_t n;

		switch (*s) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				printf("\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", stdout);
				break;
			}
			fwrite(s, 1, n, stdout);
			s += n;
			continue;
		}
		s++;
	}
	putchar('"');
}

void json_key(const char *key)
{
	before_value();
	put_string(key);
	putchar(':');
	if (J.pretty)
		putchar(' ');
	J.after_key = true;
}

void json_str(const char *s)
{
	before_value();
	put_string(s ? s : "");
}

void json_u64(uint64_t v)
{
	before_value();
	printf("%" PRIu64, v);
}

void json_i64(int64_t v)
{
	before_value();
	printf("%" PRId64, v);
}

void json_bool(bool v)
{
	before_value();
	fputs(v ? "true" : "false", stdout);
}

void json_null(void)
{
	before_value();
	fputs("null", stdout);
}

void json_size(uint64_t bytes)
{
	char buf[32];

	if (J.human)
		json_str(mfadm_human(bytes, buf, sizeof(buf)));
	else
		json_u64(bytes);
}

void json_end(void)
{
	putchar('\n');
}

void json_kstr(const char *key, const char *s)
{
	json_key(key);
	json_str(s);
}

void json_ku64(const char *key, uint64_t v)
{
	json_key(key);
	json_u64(v);
}

void json_ki64(const char *key, int64_t v)
{
	json_key(key);
	json_i64(v);
}

void json_kbool(const char *key, bool v)
{
	json_key(key);
	json_bool(v);
}

void json_ksize(const char *key, uint64_t bytes)
{
	json_key(key);
	json_size(bytes);
}

static const struct {
	uint64_t bit;
	const char *name;
} feature_names[] = {
	{ MF_FEAT_EXT_IOCTL, "ext-ioctl" },
	{ MF_FEAT_SYSFS, "sysfs" },
	{ MF_FEAT_POOLS, "pools" },
	{ MF_FEAT_OBJECTS, "objects" },
	{ MF_FEAT_MMAP, "mmap" },
	{ MF_FEAT_NETLINK, "netlink" },
	{ MF_FEAT_MMAP_LONGTERM, "mmap-longterm" },
};

void json_features(uint64_t mask)
{
	char name[16];

	json_arr_begin();
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]);
	     i++) {
		if (mask & feature_names[i].bit) {
			json_str(feature_names[i].name);
			mask &= ~feature_names[i].bit;
		}
	}
	/* Bits newer than this mfadm: named by number. */
	for (int bit = 0; bit < 64; bit++) {
		if (mask & (1ULL << bit)) {
			snprintf(name, sizeof(name), "bit%d", bit);
			json_str(name);
		}
	}
	json_arr_end();
}
