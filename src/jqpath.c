/*
 * Recognising the simple jq programs of jqpath.h.  The grammar is kept
 * narrow on purpose: keys are jq's plain field names ([A-Za-z_] then
 * [A-Za-z0-9_]), literals hold printable ASCII without '"' or '\', and
 * white space may stand around terms and "//".  Anything else (pipes,
 * brackets, optional '?', comments, variables) is left to libjq.
 */
#include <stdlib.h>
#include <string.h>

#include "jqpath.h"
#include "xmalloc.h"

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static int
key_start(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
key_char(int c)
{
	return key_start(c) || (c >= '0' && c <= '9');
}

static void
term_release(struct jqpath_term *t)
{
	free_strv(t->keys, t->nkeys);
	free(t->string);
}

/* Read one term at s into t; returns the end, or NULL if s is not one. */
static const char *
term(const char *s, struct jqpath_term *t)
{
	const char *e;

	memset(t, 0, sizeof(*t));
	if (*s == '"') {
		for (e = s + 1; *e != '"'; e++)
			if (*e < 0x20 || *e > 0x7e || *e == '\\')
				return NULL;
		t->string = xstrndup(s + 1, (size_t)(e - s - 1));
		return e + 1;
	}
	while (*s == '.' && key_start((unsigned char)s[1])) {
		for (e = s + 1; key_char((unsigned char)*e); e++)
			;
		t->keys = xreallocarray(t->keys, t->nkeys + 1,
		    sizeof(*t->keys));
		t->keys[t->nkeys++] = xstrndup(s + 1, (size_t)(e - s - 1));
		s = e;
	}
	if (t->nkeys == 0)
		return NULL;
	return s;
}

struct jqpath *
jqpath_parse(const char *text)
{
	struct jqpath *p = xcalloc(1, sizeof(*p));
	const char *s = skip_space(text);

	for (;;) {
		struct jqpath_term t;

		if ((s = term(s, &t)) == NULL) {
			term_release(&t);
			break;
		}
		p->alt = xreallocarray(p->alt, p->nalt + 1, sizeof(*p->alt));
		p->alt[p->nalt++] = t;
		s = skip_space(s);
		if (*s == '\0')
			return p;
		if (s[0] != '/' || s[1] != '/')
			break;
		s = skip_space(s + 2);
	}
	jqpath_free(p);
	return NULL;
}

void
jqpath_free(struct jqpath *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nalt; i++)
		term_release(&p->alt[i]);
	free(p->alt);
	free(p);
}

int
jqpath_is_true(const char *text)
{
	const char *s = skip_space(text);

	if (strncmp(s, "true", 4) != 0)
		return 0;
	return *skip_space(s + 4) == '\0';
}
