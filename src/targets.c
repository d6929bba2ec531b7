/*
 * Relation targets, read from an entity's JSON text by a scan that builds
 * nothing: the entity of an All Company group names every user, and a
 * tree of it (cJSON: two allocations a member) was the largest thing a
 * full sync held.  The scan reads strict JSON as cJSON reads it; what it
 * does not read exactly (a target or key written with an escape, a \u
 * escape anywhere, blanks other than JSON's, nesting past MAX_DEPTH, text
 * that is not strict JSON) goes to cJSON, so the targets are the same
 * either way (t_targets holds the two to each other).
 */
#include <string.h>

#include <cJSON.h>

#include "jvtext.h"
#include "strset.h"
#include "targets.h"

/* Deeper text goes to cJSON (its own limit, CJSON_NESTING_LIMIT, is 1000). */
#define MAX_DEPTH 200

struct scan {
	const char *p, *end;
	struct strset *set; /* NULL: only check that the text is read */
};

static void
ws(struct scan *s)
{
	s->p = jvtext_blanks_end(s->p, s->end);
}

/* The byte at s->p is c: step past it and the blanks after.  0 or -1. */
static int
eat(struct scan *s, char c)
{
	if (s->p == s->end || *s->p != c)
		return -1;
	s->p++;
	ws(s);
	return 0;
}

/*
 * A string at s->p: its text between the quotes into *text and *n, *esc
 * set if it holds an escape.  Returns 0 or -1, also for a \u escape (a
 * lone surrogate fails cJSON's whole parse; jq writes \u only for control
 * characters, which are rare).
 */
static int
str(struct scan *s, const char **text, size_t *n, int *esc)
{
	if (s->p == s->end || *s->p != '"')
		return -1;
	*text = ++s->p;
	*esc = 0;
	for (; s->p < s->end && *s->p != '"'; s->p++) {
		if ((unsigned char)*s->p < 0x20)
			return -1;
		if (*s->p == '\\') {
			*esc = 1;
			if (++s->p == s->end || *s->p == '\0' ||
			    strchr("\"\\/bfnrt", *s->p) == NULL)
				return -1;
		}
	}
	if (s->p == s->end)
		return -1;
	*n = (size_t)(s->p - *text);
	s->p++;
	ws(s);
	return 0;
}

/* A string at s->p, added to the set.  -1 for one with an escape. */
static int
target(struct scan *s)
{
	const char *t;
	size_t n;
	int esc;

	if (str(s, &t, &n, &esc) == -1 || esc)
		return -1;
	if (s->set != NULL)
		strset_put(s->set, t, n, 0);
	return 0;
}

static int value(struct scan *s, int depth, int role);

/* What a value is to the scan. */
enum {
	SKIP,
	RELATIONS,
	MEMBER,
	ITEM
};

/*
 * The members (an object's values; an array's items) of the container at
 * s->p, each read as role, the keys skipped.  Returns 0 or -1.
 */
static int
members(struct scan *s, int depth, int role)
{
	char close = *s->p == '{' ? '}' : ']';
	const char *k;
	size_t n;
	int esc;

	if (depth >= MAX_DEPTH)
		return -1;
	s->p++;
	ws(s);
	if (eat(s, close) == 0)
		return 0;
	for (;;) {
		if (close == '}' &&
		    (str(s, &k, &n, &esc) == -1 || eat(s, ':') == -1))
			return -1;
		if (value(s, depth + 1, role) == -1)
			return -1;
		if (eat(s, close) == 0)
			return 0;
		if (eat(s, ',') == -1)
			return -1;
	}
}

/*
 * A number by JSON's grammar, or true, false or null, at s->p (what
 * follows is the caller's: only ',', '}' or ']' may).  Returns 0 or -1.
 */
static int
scalar(struct scan *s)
{
	static const char *const words[] = { "true", "false", "null" };
	const char *t;
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(words[i]);
		if ((size_t)(s->end - s->p) >= n &&
		    memcmp(s->p, words[i], n) == 0) {
			s->p += n;
			break;
		}
	}
	if (i == 3) {
		if ((t = jvtext_number_end(s->p, s->end)) == NULL)
			return -1;
		s->p = t;
	}
	ws(s);
	return 0;
}

/*
 * One value at s->p.  role: RELATIONS, the relations object (its members
 * are MEMBERs); MEMBER, a string is a target, an array's items are ITEMs;
 * ITEM, a string is a target.  Returns 0 or -1.
 */
static int
value(struct scan *s, int depth, int role)
{
	const char *t;
	size_t n;
	int esc;

	if (s->p == s->end)
		return -1;
	switch (*s->p) {
	case '"':
		if (role == MEMBER || role == ITEM)
			return target(s);
		return str(s, &t, &n, &esc);
	case '{':
		return members(s, depth, role == RELATIONS ? MEMBER : SKIP);
	case '[':
		return members(s, depth,
		    role == RELATIONS  ? MEMBER :
			role == MEMBER ? ITEM :
					 SKIP);
	default:
		return scalar(s);
	}
}

/* The entity object at s->p: its first "relations" member is read. */
static int
entity(struct scan *s)
{
	const char *k;
	size_t n;
	int esc, seen = 0, rel;

	ws(s);
	if (eat(s, '{') == -1)
		return -1;
	if (eat(s, '}') == 0)
		return 0;
	for (;;) {
		if (str(s, &k, &n, &esc) == -1 || esc || eat(s, ':') == -1)
			return -1;
		rel = !seen && n == 9 && memcmp(k, "relations", 9) == 0;
		seen |= rel;
		if (value(s, 1, rel ? RELATIONS : SKIP) == -1)
			return -1;
		if (eat(s, '}') == 0)
			return s->p == s->end ? 0 : -1;
		if (eat(s, ',') == -1)
			return -1;
	}
}

/* The same targets through a cJSON tree. */
static void
add_tree(struct strset *set, const char *json, size_t len)
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

/*
 * Whether json may name a target: it holds "relations" not followed by
 * ":{}".  Every entity the mapping writes has a relations object, most of
 * them empty; a key "relations" is always written so (never escaped), so
 * a text without such a place has no targets and is not scanned.
 */
static int
may_name(const char *json, size_t len)
{
	const char *p = json, *end = json + len, *q;

	while ((q = memmem(p, (size_t)(end - p), "\"relations\"", 11)) !=
	    NULL) {
		p = q + 11;
		if ((size_t)(end - p) < 3 || memcmp(p, ":{}", 3) != 0)
			return 1;
	}
	return 0;
}

int
targets_add(struct strset *set, const char *json, size_t len)
{
	struct scan s;

	if (!may_name(json, len))
		return 0;
	/* A first pass adds nothing: cJSON may refuse what follows a target. */
	s.p = json;
	s.end = json + len;
	s.set = NULL;
	if (entity(&s) == -1) {
		add_tree(set, json, len);
		return 1;
	}
	s.p = json;
	s.set = set;
	(void)entity(&s);
	return 0;
}
