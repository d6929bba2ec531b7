/*
 * String set with values.  Keys live back to back in an arena as
 * "len(4 bytes) value(8 bytes) bytes NUL"; the table holds offsets and
 * hashes, so a million identifiers cost about their own length plus 30
 * bytes each.
 */
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "xmalloc.h"

void
strset_init(struct strset *s)
{
	memset(s, 0, sizeof(*s));
}

void
strset_release(struct strset *s)
{
	free(s->slots);
	free(s->hashes);
	free(s->arena);
	memset(s, 0, sizeof(*s));
}

uint64_t
strset_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

static uint32_t
hash(const char *k, size_t n)
{
	uint64_t h = strset_hash(STRSET_HASH_INIT, k, n);

	return (uint32_t)(h ^ (h >> 32));
}

static const char *
key_at(const struct strset *s, uint32_t off, uint32_t *len)
{
	memcpy(len, s->arena + off, 4);
	return s->arena + off + 12;
}

static size_t
find(const struct strset *s, const char *k, size_t n, uint32_t h, int *found)
{
	size_t i = h & (s->nslots - 1);

	for (;;) {
		uint32_t len;

		if (s->slots[i] == 0) {
			*found = 0;
			return i;
		}
		if (s->hashes[i] == h) {
			const char *kk = key_at(s, s->slots[i] - 1, &len);

			if (len == n && memcmp(kk, k, n) == 0) {
				*found = 1;
				return i;
			}
		}
		i = (i + 1) & (s->nslots - 1);
	}
}

static void
grow(struct strset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 1024, i;
	uint32_t *slots = xcalloc(n, sizeof(uint32_t));
	uint32_t *hashes = xcalloc(n, sizeof(uint32_t));

	for (i = 0; i < s->nslots; i++) {
		size_t j;

		if (s->slots[i] == 0)
			continue;
		j = s->hashes[i] & (n - 1);
		while (slots[j] != 0)
			j = (j + 1) & (n - 1);
		slots[j] = s->slots[i];
		hashes[j] = s->hashes[i];
	}
	free(s->slots);
	free(s->hashes);
	s->slots = slots;
	s->hashes = hashes;
	s->nslots = n;
}

int
strset_put(struct strset *s, const char *k, size_t n, uint64_t value)
{
	uint32_t h = hash(k, n), len = (uint32_t)n, off;
	size_t i;
	int found;

	if (s->count * 4 >= s->nslots * 3)
		grow(s);
	i = find(s, k, n, h, &found);
	if (found) {
		memcpy(s->arena + s->slots[i] - 1 + 4, &value, 8);
		return 0;
	}
	while (s->alen + n + 13 > s->acap) {
		s->acap = s->acap ? s->acap * 2 : 65536;
		s->arena = xrealloc(s->arena, s->acap);
	}
	off = (uint32_t)s->alen;
	memcpy(s->arena + off, &len, 4);
	memcpy(s->arena + off + 4, &value, 8);
	memcpy(s->arena + off + 12, k, n);
	s->arena[off + 12 + n] = '\0';
	s->alen += n + 13;
	s->slots[i] = off + 1;
	s->hashes[i] = h;
	s->count++;
	return 1;
}

int
strset_get(const struct strset *s, const char *k, size_t n, uint64_t *value)
{
	size_t i;
	int found;

	if (s->nslots == 0)
		return 0;
	i = find(s, k, n, hash(k, n), &found);
	if (found && value != NULL)
		memcpy(value, s->arena + s->slots[i] - 1 + 4, 8);
	return found;
}

size_t
strset_count(const struct strset *s)
{
	return s->count;
}

void
strset_each(const struct strset *s,
    void (*fn)(void *, const char *, size_t, uint64_t), void *arg)
{
	size_t off = 0;

	while (off < s->alen) {
		uint32_t len;
		uint64_t v;

		memcpy(&len, s->arena + off, 4);
		memcpy(&v, s->arena + off + 4, 8);
		fn(arg, s->arena + off + 12, len, v);
		off += len + 13;
	}
}
