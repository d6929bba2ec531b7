/*
 * A compact set of strings with a 64-bit value per key: open
 * addressing over 32-bit hashes, keys packed in one arena.  Used for the
 * run's (blueprint, identifier) sets, which are the only per-entity state
 * kept for the whole run.
 */
#ifndef E2P_STRSET_H
#define E2P_STRSET_H

#include <stddef.h>
#include <stdint.h>

struct strset {
	uint32_t *slots; /* arena offset + 1; 0 = empty */
	uint32_t *hashes;
	size_t nslots;
	size_t count;
	char *arena;
	size_t alen, acap;
};

void strset_init(struct strset *);
void strset_release(struct strset *);
/* Add key (n bytes) or update its value; returns 1 if it was new. */
int strset_put(struct strset *, const char *key, size_t n, uint64_t value);
/* 1 if present, with its value in *value (if not NULL). */
int strset_get(const struct strset *, const char *key, size_t n,
    uint64_t *value);
size_t strset_count(const struct strset *);
/* Visit every key (NUL-terminated, length n) in insertion order. */
void strset_each(const struct strset *,
    void (*fn)(void *, const char *, size_t, uint64_t), void *);

/*
 * FNV-1a, 64 bits: fold n bytes at p into h (start from STRSET_HASH_INIT).
 * The one hash of the program: the sets' slots, entity digests, nextLinks
 * seen.
 */
#define STRSET_HASH_INIT 1469598103934665603ULL
uint64_t strset_hash(uint64_t h, const void *p, size_t n);

#endif
