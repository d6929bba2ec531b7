/*
 * libjq values as compact JSON text, written straight into a buf: the
 * bytes are those jv_dump_string(v, 0) of the libjq we build against
 * (1.6) writes, which the tests check value by value, but without its
 * character-at-a-time string appends (two thirds of the cost of mapping
 * an item, measured).  Numbers are still written by libjq, so their
 * digits are its own.
 */
#ifndef E2P_JVTEXT_H
#define E2P_JVTEXT_H

#include <jq.h>
#include <stddef.h>

#include "buf.h"

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

/* Append the n bytes at s (UTF-8, as jv strings are) as a JSON string. */
void jvtext_put_string(struct buf *b, const char *s, size_t n);

#endif
