/*
 * libjq values to and from JSON text, without libjq's character-at-a-time
 * writer and parser (together two thirds of the CPU of mapping a page of
 * users, measured with perf).  Writing gives the bytes jv_dump_string(v, 0)
 * of the libjq we build against (1.6) gives; reading gives the value
 * jv_parse_sized gives, built with the same calls in the same order, so
 * objects iterate alike.  Each side handles only what it can match
 * exactly and hands the rest to libjq: numbers are written by libjq, and
 * any text that is not strict JSON is parsed by libjq, for its value or
 * its message.  The tests compare the two sides value by value.
 */
#ifndef E2P_JVTEXT_H
#define E2P_JVTEXT_H

#include <jq.h>
#include <stddef.h>

#include "buf.h"

/*
 * The end of the number by JSON's grammar that starts at p (the text ends
 * at end), or NULL when none does.
 */
const char *jvtext_number_end(const char *p, const char *end);
/* Past JSON's blanks (space, tab, CR, LF) from p, up to end. */
const char *jvtext_blanks_end(const char *p, const char *end);

/*
 * Nesting deeper than this is left to libjq, whose writer cuts a value
 * short at 256 levels.
 */
#define JVTEXT_MAX_DEPTH 200

/*
 * Append the JSON text of v (not consumed) to b.  Returns 0, or -1 with b
 * as it was when v nests deeper than JVTEXT_MAX_DEPTH or holds an invalid
 * value: the caller then asks jv_dump_string.
 */
int jvtext_put(struct buf *b, jv v);

/*
 * The value of the JSON text s of n bytes into *out (the caller's).
 * Returns 0, or -1 (nothing made) when s is not strict JSON, nests deeper
 * than JVTEXT_MAX_DEPTH, or holds what libjq might read otherwise (a
 * number out of range, a lone surrogate): then jv_parse_sized decides.
 */
int jvtext_parse(const char *s, size_t n, jv *out);

/* Append the n bytes at s (UTF-8, as jv strings are) as a JSON string. */
void jvtext_put_string(struct buf *b, const char *s, size_t n);

#endif
