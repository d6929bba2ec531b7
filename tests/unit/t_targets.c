/*
 * Unit tests for targets: the relation targets an entity's JSON text names
 * are the ones a cJSON tree of it names (the rule the scan replaced), for
 * texts written by hand, thousands of random entities written compact and
 * indented, and those texts cut and changed; and the scan, not cJSON,
 * reads the texts jq writes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "strset.h"
#include "tap.h"
#include "targets.h"

/* The oracle: the targets by a cJSON tree of the text. */
static void
oracle(struct strset *set, const char *json, size_t len)
{
	cJSON *e = cJSON_ParseWithLength(json, len);
	const cJSON *v, *x;

	cJSON_ArrayForEach(v,
	    cJSON_GetObjectItemCaseSensitive(e, "relations")) {
		if (cJSON_IsString(v))
			strset_put(set, v->valuestring, strlen(v->valuestring),
			    0);
		else if (cJSON_IsArray(v))
			cJSON_ArrayForEach(x, v)
				if (cJSON_IsString(x))
					strset_put(set, x->valuestring,
					    strlen(x->valuestring), 0);
	}
	cJSON_Delete(e);
}

struct cmp {
	const struct strset *other;
	int missing;
};

static void
in_other(void *arg, const char *key, size_t len, uint64_t v)
{
	struct cmp *c = arg;

	(void)v;
	if (!strset_get(c->other, key, len, NULL))
		c->missing++;
}

/* How many targets the oracle found in the text same() was last given. */
static size_t oracle_count;

/*
 * Whether targets_add and the oracle give the same set for json; *by is
 * set to what targets_add returned.
 */
static int
same(const char *json, size_t len, int *by)
{
	struct strset a, b;
	struct cmp c;
	int r;

	strset_init(&a);
	strset_init(&b);
	*by = targets_add(&a, json, len);
	oracle(&b, json, len);
	c.other = &b;
	c.missing = 0;
	strset_each(&a, in_other, &c);
	r = c.missing == 0 && strset_count(&a) == strset_count(&b);
	oracle_count = strset_count(&b);
	strset_release(&a);
	strset_release(&b);
	return r;
}

/* Whether targets_add gives json the n targets want, and no other. */
static int
has(const char *json, const char *const *want, size_t n)
{
	struct strset a;
	size_t i;
	int r;

	strset_init(&a);
	(void)targets_add(&a, json, strlen(json));
	r = strset_count(&a) == n;
	for (i = 0; r && i < n; i++)
		r = strset_get(&a, want[i], strlen(want[i]), NULL);
	strset_release(&a);
	return r;
}

static uint64_t rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A random string: plain ids mostly, some with what JSON escapes. */
static char *
rstring(void)
{
	static const char *const parts[] = { "user", "-", "0f3a", "é", "\"",
		"\\", "/", "\n", "\t", "\x01", "\x7f", "𝄞", " ", "relations",
		"{", "}", "[", "]", ",", ":" };
	char *s = calloc(1, 64);
	size_t i, n = rnd(5);

	for (i = 0; i < n; i++)
		strcat(s, parts[rnd(rnd(4) == 0 ? 20 : 4)]);
	return s;
}

static cJSON *rvalue(int depth);

static cJSON *
rcontainer(int depth, int object)
{
	cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray();
	int i, n = depth > 3 ? 0 : (int)rnd(4);
	char *k;

	for (i = 0; i < n; i++) {
		if (!object) {
			cJSON_AddItemToArray(c, rvalue(depth + 1));
			continue;
		}
		k = rstring();
		cJSON_AddItemToObject(c, k, rvalue(depth + 1));
		free(k);
	}
	return c;
}

static cJSON *
rvalue(int depth)
{
	char *s;
	cJSON *v;

	switch (rnd(8)) {
	case 0:
		return cJSON_CreateNull();
	case 1:
		return cJSON_CreateBool(rnd(2));
	case 2:
		return cJSON_CreateNumber((double)rnd(100000) / 8 - 1000);
	case 3:
		return rcontainer(depth, 0);
	case 4:
		return rcontainer(depth, 1);
	default:
		s = rstring();
		v = cJSON_CreateString(s);
		free(s);
		return v;
	}
}

/* A relations member: a target, a list of them, or something else. */
static cJSON *
rrelation(void)
{
	cJSON *a;
	int i, n;
	char *s;

	switch (rnd(5)) {
	case 0:
		return rvalue(2);
	case 1:
	case 2:
		a = cJSON_CreateArray();
		n = (int)rnd(5);
		for (i = 0; i < n; i++) {
			if (rnd(5) == 0) {
				cJSON_AddItemToArray(a, rvalue(3));
				continue;
			}
			s = rstring();
			cJSON_AddItemToArray(a, cJSON_CreateString(s));
			free(s);
		}
		return a;
	default:
		s = rstring();
		a = cJSON_CreateString(s);
		free(s);
		return a;
	}
}

/* A random entity; relations (some more than once) at random places. */
static cJSON *
rentity(void)
{
	cJSON *e = cJSON_CreateObject(), *rel;
	int i, n, nrel = rnd(6) == 0 ? 2 : rnd(8) == 0 ? 0 : 1;
	char *k;

	cJSON_AddStringToObject(e, "identifier", "u1");
	if (rnd(2))
		cJSON_AddItemToObject(e, "properties", rcontainer(1, 1));
	for (; nrel > 0; nrel--) {
		rel = rnd(8) == 0 ? rvalue(1) : cJSON_CreateObject();
		n = (int)rnd(5);
		for (i = 0; cJSON_IsObject(rel) && i < n; i++) {
			k = rstring();
			cJSON_AddItemToObject(rel, k, rrelation());
			free(k);
		}
		cJSON_AddItemToObject(e, "relations", rel);
		if (rnd(2))
			cJSON_AddItemToObject(e, "properties",
			    rcontainer(1, 1));
	}
	cJSON_AddStringToObject(e, "blueprint", "entra-id-user");
	return e;
}

/* Hand-written texts: each, the targets it names. */
static void
by_hand(void)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const a[] = { "a" };
	static const char *const g[] = { "g1", "g2", "u9" };
	static const char *const q[] = { "x\"y" };
	static const char *const e[] = { "" };
	int by;

	ok(has("{\"identifier\":\"g\",\"relations\":{\"members\":[\"a\","
	       "\"b\"]}}",
	       ab, 2),
	    "a list of targets");
	ok(has("{\"relations\":{\"m\":[\"g1\",\"g2\"],\"owner\":\"u9\","
	       "\"n\":null,\"k\":1.5e3,\"o\":{\"x\":\"no\"},\"l\":[[\"no\"],"
	       "{\"y\":\"no\"},7,true,null]}}",
	       g, 3),
	    "strings and lists of strings only, nested ones not");
	ok(has("{\"relations\":{\"a\":\"a\"},\"relations\":{\"b\":\"b\"}}", a,
	       1),
	    "only the first relations object");
	ok(has("{\"properties\":{\"d\":\"\\\"relations\\\":{\\\"x\\\":"
	       "\\\"no\\\"}\"},\"relations\":{\"m\":[\"a\",\"b\"]}}",
	       ab, 2),
	    "relations written inside a property's text are text");
	ok(has("{\"properties\":{\"relations\":{\"m\":\"no\"}},"
	       "\"relations\":{}}",
	       NULL, 0),
	    "a relations key below the top is not the entity's");
	ok(has("{\"relations\":[\"a\",[\"b\"],{\"c\":\"no\"}]}", ab, 2),
	    "relations as a list: as cJSON walks it");
	ok(has("{\"relations\":\"no\"}", NULL, 0), "relations as a string");
	ok(has("{\"relations\":{\"m\":\"x\\\"y\"}}", q, 1),
	    "an escaped target is unescaped (by cJSON)");
	ok(has("{\"relations\":{\"m\":\"\"}}", e, 1), "an empty target");
	ok(has(" {\n \"relations\" : { \"m\" : [ \"a\" , \"b\" ] } }\n", ab, 2),
	    "blanks anywhere");
	ok(has("{\"relations\":{\"m\":\"a\"}} trailing", a, 1),
	    "text after the entity: cJSON's reading (it stops at the end)");
	ok(has("{\"relations\":{\"m\":\"a\"},\"p\":\"\\udc00\"}", NULL, 0),
	    "a lone surrogate after a target: no targets, as cJSON");
	ok(has("{\"relations\":{\"m\":\"a\"},\"p\":01}", a, 1),
	    "a number JSON refuses but cJSON takes (01): cJSON's reading");
	ok(has("{\"relations\":{\"m\":\"a\"},\"p\":tru}", NULL, 0),
	    "a word cJSON refuses after a target: no targets, as cJSON");
	ok(has("{\"relations\":{\"m\":\"a\"},\"p\":nullx}", NULL, 0) &&
		has("{\"relations\":{\"m\":\"a\"},\"p\":1x}", NULL, 0),
	    "a word or number run into other text: no targets, as cJSON");
	ok(has("{\"relations\":{\"m\":\"a\"", NULL, 0), "cut: nothing");
	ok(has("[\"relations\"]", NULL, 0), "not an object");
	ok(has("", NULL, 0), "empty text");
	ok(has("{}", NULL, 0), "no relations");
	ok(has("{\"relations\":{\"m\":[\"a\",\"b\",\"a\"]},\"x\":[-0.5e-3,"
	       "0,true,false,null,{},[]]}",
	       ab, 2),
	    "every kind of value skipped");

	ok(same("", 0, &by) && by == 0,
	    "empty text: no \"relations\" to read, nothing");
	ok(same("{\"relations\":", 13, &by) && by == 1,
	    "cut after \"relations\": cJSON's (nothing)");
	ok(has("{\"properties\":{\"relations\":{}},\"relations\":{\"m\":\"a\"}}",
	       a, 1),
	    "an empty \"relations\" before the entity's does not hide it");
	ok(has("{\"relations\" : {\"m\":\"a\"}}", a, 1),
	    "\"relations\" with blanks before its object: read");
	ok(same("{\"relations\":{\"m\":\"a\\u0041\"}}", 29, &by) && by == 1,
	    "a \\u escape goes to cJSON");
}

int
main(void)
{
	const char *jq =
	    "{\"identifier\":\"g\",\"title\":\"G \\\"1\\\"\\n\\\\\","
	    "\"blueprint\":\"entra-id-group\",\"properties\":{\"n\":3,"
	    "\"l\":[1,2.5,-1e-3],\"o\":{\"k\":null},\"t\":true},"
	    "\"relations\":{\"members\":[\"a\",\"b\"],\"owner\":null}}";
	int i, j, by, bad = 0, scanned = 0, fell = 0, badcut = 0;
	size_t len, k;
	char *text, *t2;
	cJSON *e;
	struct strset s;

	by_hand();
	ok(same(jq, strlen(jq), &by), "a text as jq writes it");
	is_int(by, 0, "... read by the scan, not by cJSON");

	/* Random entities, compact (as jq writes) and indented. */
	for (i = 0; i < 4000; i++) {
		e = rentity();
		text = i % 2 ? cJSON_Print(e) : cJSON_PrintUnformatted(e);
		cJSON_Delete(e);
		len = strlen(text);
		if (!same(text, len, &by)) {
			if (bad++ == 0)
				printf("# differs: %s\n", text);
		}
		if (by == 0 && oracle_count > 0)
			scanned++;
		/* Cut and changed: either reader, the same targets. */
		for (j = 0; j < 4; j++) {
			t2 = malloc(len + 1);
			memcpy(t2, text, len + 1);
			k = rnd((unsigned)len + 1);
			if (j % 2 == 0)
				t2[k] = '\0';
			else if (k < len)
				t2[k] = "\"\\{}[],: 0-eu\x01"[rnd(15)];
			if (!same(t2, strlen(t2), &by)) {
				if (badcut++ == 0)
					printf("# differs: %s\n", t2);
			}
			fell += by;
			free(t2);
		}
		free(text);
	}
	is_int(bad, 0, "4000 random entities: the targets cJSON finds");
	is_int(badcut, 0, "16000 of them cut or changed: the same");
	ok(scanned > 1000,
	    "the scan itself read %d of the 4000, each naming targets",
	    scanned);
	ok(fell > 1000, "cJSON read %d of the changed texts", fell);

	/* An All Company group: 100,000 targets, read by the scan. */
	strset_init(&s);
	len = 0;
	text = malloc(100000 * 48 + 64);
	len += (size_t)sprintf(text, "{\"relations\":{\"members\":[");
	for (i = 0; i < 100000; i++)
		len += (size_t)sprintf(text + len,
		    "%s\"%08d-0000-0000-0000-"
		    "000000000000\"",
		    i ? "," : "", i);
	len += (size_t)sprintf(text + len, "]}}");
	is_int(targets_add(&s, text, len), 0, "a group of 100000: scanned");
	is_int(strset_count(&s), 100000, "... every member a target");
	ok(strset_get(&s, "00099999-0000-0000-0000-000000000000", 36, NULL),
	    "... the last one too");
	strset_release(&s);
	free(text);
	return done_testing();
}
