/*
 * Compact member lists.  Each member is one record in a chain of blocks:
 * a varint type code (0: no type, k: the k-th distinct type string of the
 * list) and a varint id code (0: a lowercase GUID packed in the 16 bytes
 * that follow, n: n - 1 bytes of id text follow).  Blocks grow from 256
 * bytes to 64 KiB, so a small list stays small and a big one wastes
 * little; nothing is ever copied to grow.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "members.h"
#include "xmalloc.h"

#define BLOCK_MIN 256
#define BLOCK_MAX 65536
#define GUID_LEN  36

struct block {
	struct block *next;
	size_t len, cap;
	unsigned char data[];
};

struct members {
	struct block *head, *tail;
	size_t count;
	size_t bytes; /* blocks and type strings */
	char **types;
	size_t ntypes;
	size_t last; /* type code of the last member */
};

struct members *
members_new(void)
{
	struct members *m = xcalloc(1, sizeof(*m));

	m->bytes = sizeof(*m);
	return m;
}

static void
blocks_free(struct members *m)
{
	struct block *b, *n;

	for (b = m->head; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	m->head = m->tail = NULL;
}

void
members_free(struct members *m)
{
	if (m == NULL)
		return;
	blocks_free(m);
	free_strv(m->types, m->ntypes);
	free(m);
}

void
members_reset(struct members *m)
{
	blocks_free(m);
	free_strv(m->types, m->ntypes);
	m->types = NULL;
	m->ntypes = 0;
	m->count = 0;
	m->last = 0;
	m->bytes = sizeof(*m);
}

size_t
members_count(const struct members *m)
{
	return m->count;
}

size_t
members_bytes(const struct members *m)
{
	return m->bytes;
}

/* The code of type in m's table (added if new); 0 for no type. */
static size_t
type_code(struct members *m, const char *type)
{
	size_t i;

	if (type == NULL)
		return 0;
	if (m->last > 0 && strcmp(m->types[m->last - 1], type) == 0)
		return m->last;
	for (i = 0; i < m->ntypes; i++)
		if (strcmp(m->types[i], type) == 0)
			return i + 1;
	m->types = xreallocarray(m->types, m->ntypes + 1, sizeof(char *));
	m->types[m->ntypes++] = xstrdup(type);
	m->bytes += sizeof(char *) + strlen(type) + 1;
	return m->ntypes;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Pack id into 16 bytes at out if it is a GUID written as Graph writes
 * them (8-4-4-4-12 lowercase hex), so that unpacking gives the same
 * bytes back.  Returns 1 if packed, else 0.
 */
static int
guid_pack(const char *id, size_t len, unsigned char *out)
{
	size_t i, k = 0;
	int hi = -1, v;

	if (len != GUID_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (id[i] != '-')
				return 0;
			continue;
		}
		if ((v = hexval((unsigned char)id[i])) == -1)
			return 0;
		if (hi == -1) {
			hi = v;
		} else {
			out[k++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return 1;
}

static void
guid_unpack(const unsigned char *in, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, k = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[in[i] >> 4];
		out[k++] = hex[in[i] & 15];
	}
	out[k] = '\0';
}

static size_t
varint_put(unsigned char *p, size_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static size_t
varint_get(const unsigned char *p, size_t *v)
{
	size_t n = 0, shift = 0;

	*v = 0;
	do {
		*v |= (size_t)(p[n] & 0x7f) << shift;
		shift += 7;
	} while (p[n++] & 0x80);
	return n;
}

/* Room for need bytes at the tail of m's chain. */
static unsigned char *
reserve(struct members *m, size_t need)
{
	struct block *b = m->tail;
	size_t cap;

	if (b != NULL && b->cap - b->len >= need)
		return b->data + b->len;
	cap = b == NULL        ? BLOCK_MIN :
	    b->cap < BLOCK_MAX ? b->cap * 2 :
				 BLOCK_MAX;
	if (cap < need)
		cap = need;
	b = xmalloc(sizeof(*b) + cap);
	b->next = NULL;
	b->len = 0;
	b->cap = cap;
	if (m->tail != NULL)
		m->tail->next = b;
	else
		m->head = b;
	m->tail = b;
	m->bytes += sizeof(*b) + cap;
	return b->data;
}

void
members_add(struct members *m, const char *type, const char *id, size_t idlen)
{
	unsigned char guid[16], hdr[2 * sizeof(size_t) + 4], *p;
	size_t tc = type_code(m, type), h;
	int packed = guid_pack(id, idlen, guid);

	m->last = tc;
	h = varint_put(hdr, tc);
	h += varint_put(hdr + h, packed ? 0 : idlen + 1);
	p = reserve(m, h + (packed ? 16 : idlen));
	memcpy(p, hdr, h);
	if (packed)
		memcpy(p + h, guid, 16);
	else if (idlen > 0)
		memcpy(p + h, id, idlen);
	m->tail->len += h + (packed ? 16 : idlen);
	m->count++;
}

int
members_next(const struct members *m, struct members_iter *it,
    const char **type, const char **id, size_t *idlen)
{
	const struct block *b = it->block;
	const unsigned char *p;
	size_t tc, ic;

	if (b == NULL && (b = m->head) == NULL)
		return 0;

	while (it->off >= b->len) {
		if (b->next == NULL) {
			it->block = b;
			return 0;
		}
		b = b->next;
		it->off = 0;
	}
	p = b->data + it->off;
	p += varint_get(p, &tc);
	p += varint_get(p, &ic);
	assert(tc <= m->ntypes);
	*type = tc == 0 ? NULL : m->types[tc - 1];
	if (ic == 0) {
		guid_unpack(p, it->id);
		*id = it->id;
		*idlen = GUID_LEN;
		p += 16;
	} else {
		*id = (const char *)p;
		*idlen = ic - 1;
		p += ic - 1;
	}
	it->block = b;
	it->off = (size_t)(p - b->data);
	return 1;
}
