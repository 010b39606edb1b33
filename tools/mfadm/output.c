// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - mfadm's JSON output, built and printed with json-c, as
 * ndctl and cxl-cli print theirs.
 */
#include "mfadm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <linux/memfabric.h>

/* "key": value, two spaces of indentation; '/' is not escaped. */
#define PRETTY (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		JSON_C_TO_STRING_NOSLASHESCAPE)
#define ONE_LINE (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static bool human;

void mfadm_json_human(bool on)
{
	human = on;
}

bool mfadm_json_is_human(void)
{
	return human;
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

/*
 * json-c copies a string's bytes as they are: JSON must be UTF-8, so a
 * byte that does not begin a valid sequence becomes U+FFFD first.
 */
struct json_object *mfadm_json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	struct json_object *j;
	size_t len = strlen((const char *)s), o = 0;
	char *clean;

	for (size_t i = 0, n; i < len; i += n)
		if (!(n = utf8_len(s + i)))
			break;
		else if (i + n == len)
			return json_object_new_string((const char *)s);
	if (!len)
		return json_object_new_string("");
	clean = malloc(3 * len + 1);
	if (!clean)
		return NULL;
	for (size_t i = 0, n; i < len; i += n) {
		n = utf8_len(s + i);
		if (n) {
			memcpy(clean + o, s + i, n);
			o += n;
		} else {
			memcpy(clean + o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		}
	}
	clean[o] = '\0';
	j = json_object_new_string(clean);
	free(clean);
	return j;
}

struct json_object *mfadm_json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

struct json_object *mfadm_json_size(uint64_t bytes)
{
	char buf[32];

	if (human)
		return json_object_new_string(mfadm_human(bytes, buf, sizeof(buf)));
	return json_object_new_uint64(bytes);
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
	{ MF_FEAT_SERIAL, "serial" },
	{ MF_FEAT_FILE_BIND, "file-bind" },
	{ MF_FEAT_MULTIHOST, "multihost" },
};

struct json_object *mfadm_json_features(uint64_t mask)
{
	struct json_object *a = json_object_new_array();
	char name[16];

	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]);
	     i++) {
		if (mask & feature_names[i].bit) {
			json_object_array_add(a,
				json_object_new_string(feature_names[i].name));
			mask &= ~feature_names[i].bit;
		}
	}
	/* Bits newer than this mfadm: named by number. */
	for (int bit = 0; bit < 64; bit++) {
		if (mask & (1ULL << bit)) {
			snprintf(name, sizeof(name), "bit%d", bit);
			json_object_array_add(a, json_object_new_string(name));
		}
	}
	return a;
}

void mfadm_json_add(struct json_object *obj, const char *key,
		    struct json_object *val)
{
	json_object_object_add(obj, key, val);
}

/*
 * Print json-c's pretty text @s with @newline for each newline (to indent
 * it further).  json-c prints an empty array or object as "[", a newline,
 * the indentation and "]"; mfadm has always printed "[]" and "{}".  A
 * newline is never inside a JSON string (json-c escapes it), so such a
 * sequence is always an empty container: close it up.
 */
static void put_pretty(const char *s, const char *newline)
{
	for (const char *p = s; *p; p++) {
		if ((*p == '[' || *p == '{') && p[1] == '\n') {
			const char *q = p + 2;

			while (*q == ' ')
				q++;
			if (*q == (*p == '[' ? ']' : '}')) {
				putchar(*p);
				putchar(*q);
				p = q;
				continue;
			}
		}
		if (*p == '\n')
			fputs(newline, stdout);
		else
			putchar(*p);
	}
}

void mfadm_json_print(struct json_object *val, bool pretty)
{
	const char *s = json_object_to_json_string_ext(val, pretty ? PRETTY :
								     ONE_LINE);

	if (pretty)
		put_pretty(s, "\n");
	else
		fputs(s, stdout);
	putchar('\n');
	json_object_put(val);
}

void mfadm_json_list_add(struct mfadm_json_list *l, struct json_object *val)
{
	/* Each element one level in: two more spaces after each newline. */
	fputs(l->n++ ? ",\n  " : "[\n  ", stdout);
	put_pretty(json_object_to_json_string_ext(val, PRETTY), "\n  ");
	json_object_put(val);
}

void mfadm_json_list_end(struct mfadm_json_list *l)
{
	fputs(l->n ? "\n]\n" : "[]\n", stdout);
}
