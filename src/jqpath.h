/*
 * The jq programs simple enough to be run without libjq: a path of plain
 * keys (.a or .a.b.c), a string literal without escapes ("user"), or
 * alternatives of those (.a // .b // "none").  This module only
 * recognises them; transform.c evaluates them on libjq's values, and
 * hands every other program (and every item where the two could differ)
 * to libjq.
 */
#ifndef E2P_JQPATH_H
#define E2P_JQPATH_H

#include <stddef.h>

struct jqpath_term {
	char **keys; /* a path: its keys, in order (nkeys >= 1) */
	size_t nkeys;
	char *string; /* or a string literal (keys NULL) */
};

struct jqpath {
	struct jqpath_term *alt; /* alt[0] // alt[1] // ... */
	size_t nalt;
};

/*
 * The simple program that text is, owned by the caller (jqpath_free), or
 * NULL when text is anything else (then libjq runs it).
 */
struct jqpath *jqpath_parse(const char *text);
void jqpath_free(struct jqpath *);
/* Whether text is the literal true (a selector that keeps every item). */
int jqpath_is_true(const char *text);

#endif
