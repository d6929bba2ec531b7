/*
 * Unit tests for strset.c: new and existing keys, values kept and
 * updated, keys that are prefixes of each other (with the same hash too)
 * or hold NUL bytes,
 * growth well past the first table (every key still found after each
 * rehash), and insertion order in strset_each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "tap.h"

#define MANY 5000

struct visit {
	size_t n;
	int in_order;
	int values_ok;
};

static void
visit(void *arg, const char *k, size_t n, uint64_t v)
{
	struct visit *vi = arg;
	char want[32];

	snprintf(want, sizeof(want), "key-%zu", vi->n);
	if (n != strlen(want) || strcmp(k, want) != 0)
		vi->in_order = 0;
	if (v != vi->n * 7)
		vi->values_ok = 0;
	vi->n++;
}

/* The 32 bits of a hash the table keeps (strset.c's fold). */
static uint32_t
fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

int
main(void)
{
	struct strset s;
	struct visit vi = { 0, 1, 1 };
	uint64_t v = 0;
	char k[32];
	size_t i;
	int all;

	strset_init(&s);
	ok(!strset_get(&s, "a", 1, &v), "empty set: nothing found");
	is_int(strset_put(&s, "ab", 2, 11), 1, "new key: 1");
	is_int(strset_put(&s, "abc", 3, 12), 1,
	    "a longer key sharing a "
	    "prefix is new");
	is_int(strset_put(&s, "a", 1, 13), 1, "a shorter prefix is new");
	is_int(strset_put(&s, "ab", 2, 21), 0, "existing key: 0");
	is_int(strset_count(&s), 3, "three keys");
	ok(strset_get(&s, "ab", 2, &v) && v == 21, "value updated");
	ok(strset_get(&s, "abc", 3, &v) && v == 12, "prefix's value kept");
	ok(strset_get(&s, "a", 1, &v) && v == 13, "shorter key's value");
	ok(!strset_get(&s, "abcd", 4, NULL), "absent longer key");
	ok(!strset_get(&s, "b", 1, NULL), "absent key");
	is_int(strset_put(&s, "x\0y", 3, 5), 1, "a key with a NUL inside");
	ok(strset_get(&s, "x\0y", 3, &v) && v == 5 &&
		!strset_get(&s, "x", 1, NULL),
	    "found whole, not by its prefix");
	strset_release(&s);

	/* "m0" and "m0\x9c\x2f\xe7\x7b" have the same 32-bit hash (the
	 * 64-bit FNV-1a folded, as the table keeps it; checked first, so a
	 * change of hash cannot leave this case testing nothing): the
	 * longer key must not be taken for the shorter one it starts with. */
	ok(fold(strset_hash(STRSET_HASH_INIT, "m0", 2)) ==
		fold(strset_hash(STRSET_HASH_INIT, "m0\x9c\x2f\xe7\x7b", 6)),
	    "the two keys' hashes collide");
	strset_init(&s);
	is_int(strset_put(&s, "m0\x9c\x2f\xe7\x7b", 6, 1), 1,
	    "a key whose hash equals its prefix's");
	ok(!strset_get(&s, "m0", 2, NULL), "its prefix is not found");
	is_int(strset_put(&s, "m0", 2, 2), 1, "the prefix is a new key");
	ok(strset_get(&s, "m0\x9c\x2f\xe7\x7b", 6, &v) && v == 1 &&
		strset_get(&s, "m0", 2, &v) && v == 2,
	    "both found, each with its value");
	is_int(strset_count(&s), 2, "two keys");
	strset_release(&s);

	strset_init(&s);
	for (i = 0; i < MANY; i++) {
		snprintf(k, sizeof(k), "key-%zu", i);
		if (strset_put(&s, k, strlen(k), i * 7) != 1)
			break;
	}
	is_int(i, MANY, "5,000 new keys, through several rehashes");
	is_int(strset_count(&s), MANY, "count 5,000");
	all = 1;
	for (i = 0; i < MANY; i++) {
		snprintf(k, sizeof(k), "key-%zu", i);
		if (!strset_get(&s, k, strlen(k), &v) || v != i * 7)
			all = 0;
	}
	ok(all, "every key found with its value after growth");
	ok(!strset_get(&s, "key-5000", 8, NULL), "key-5000 absent");
	strset_each(&s, visit, &vi);
	ok(vi.n == MANY && vi.in_order && vi.values_ok,
	    "each visits every key once, in insertion order, with its value");
	strset_release(&s);
	is_int(strset_count(&s), 0, "released: empty");
	return done_testing();
}
