/*
 * Canonical hashing of entities.  The walk hashes a tag per JSON type and
 * the bytes of keys and scalars (FNV-1a, 64 bits); objects are visited
 * in key order with null members skipped.  Port's copy and the mapped
 * entity thus hash alike whatever order or explicit nulls each has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "mapping.h"
#include "strset.h"
#include "xmalloc.h"

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	return strset_hash(h, p, n);
}

static uint64_t
mixs(uint64_t h, const char *s)
{
	return mix(h, s, strlen(s) + 1);
}

static int
by_key(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
		    *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

static uint64_t value(uint64_t, const cJSON *);

/* An object's non-null members in key order; only names when given. */
static uint64_t
object(uint64_t h, const cJSON *o, const struct mapping_field *names,
    size_t nnames, int filter)
{
	const cJSON *c, *stack[64];
	const cJSON **v = stack;
	size_t n = 0, cap = 64, i;

	h = mix(h, "{", 1);
	cJSON_ArrayForEach(c, o) {
		if (c->string == NULL || cJSON_IsNull(c))
			continue;
		if (filter) {
			for (i = 0; i < nnames; i++)
				if (strcmp(names[i].name, c->string) == 0)
					break;
			if (i == nnames)
				continue;
		}
		if (n == cap) {
			const cJSON **nv = xreallocarray(NULL, cap * 2,
			    sizeof(*nv));

			memcpy(nv, v, n * sizeof(*nv));
			if (v != stack)
				free(v);
			v = nv;
			cap *= 2;
		}
		v[n++] = c;
	}
	qsort(v, n, sizeof(*v), by_key);
	for (i = 0; i < n; i++) {
		h = mixs(h, v[i]->string);
		h = value(h, v[i]);
	}
	if (v != stack)
		free(v);
	return mix(h, "}", 1);
}

static uint64_t
value(uint64_t h, const cJSON *v)
{
	const cJSON *c;
	char num[32];

	if (cJSON_IsString(v))
		return mixs(mix(h, "s", 1), v->valuestring);
	if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		return mixs(mix(h, "n", 1), num);
	}
	if (cJSON_IsTrue(v))
		return mix(h, "t", 1);
	if (cJSON_IsFalse(v))
		return mix(h, "f", 1);
	if (cJSON_IsArray(v)) {
		h = mix(h, "[", 1);
		cJSON_ArrayForEach(c, v)
			h = value(h, c);
		return mix(h, "]", 1);
	}
	if (cJSON_IsObject(v))
		return object(h, v, NULL, 0, 0);
	return mix(h, "z", 1);
}

static uint64_t
field(uint64_t h, const cJSON *e, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, name);

	h = mixs(h, name);
	if (v == NULL || cJSON_IsNull(v))
		return mix(h, "z", 1);
	return value(h, v);
}

uint64_t
digest_entity(const cJSON *e, const struct mapping_resource *r)
{
	uint64_t h = STRSET_HASH_INIT;

	if (r->title.value != NULL)
		h = field(h, e, "title");
	if (r->team.value != NULL)
		h = field(h, e, "team");
	h = object(mixs(h, "properties"),
	    cJSON_GetObjectItemCaseSensitive(e, "properties"), r->properties,
	    r->nproperties, 1);
	h = object(mixs(h, "relations"),
	    cJSON_GetObjectItemCaseSensitive(e, "relations"), r->relations,
	    r->nrelations, 1);
	return h;
}
