/*
 * A jq program's text, read without libjq: a small lexer, Ocean's
 * single-quote rule, the "if" without "else" that jq 1.6 cannot parse, a
 * bracket that closes nothing, and the top-level fields of Graph objects a
 * resource's programs read (for $select and membership).  It never runs a
 * program; transform.c does, with libjq.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "jqscan.h"
#include "mapping.h"
#include "msg.h"
#include "xmalloc.h"

enum tok {
	T_EOF,
	T_IDENT,
	T_FIELD,
	T_DOT,
	T_DOTDOT,
	T_VAR,
	T_STR,
	T_NUM,
	T_FORMAT,
	T_PUNCT,
	T_BAD
};

struct token {
	enum tok t;
	char p[4];    /* punctuation */
	int from_str; /* "(" or ")" of a string interpolation */
	char *name;   /* IDENT, FIELD, VAR, FORMAT */
};

struct tokens {
	struct token *v;
	size_t n, cap;
};

/* Append a token to ts; name (may be NULL) is handed over to ts. */
static void
tok_push(struct tokens *ts, enum tok t, const char *p, char *name, int fs)
{
	struct token *k;

	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 32;
		ts->v = xreallocarray(ts->v, ts->cap, sizeof(*ts->v));
	}
	k = &ts->v[ts->n++];
	memset(k, 0, sizeof(*k));
	k->t = t;
	if (p != NULL)
		snprintf(k->p, sizeof(k->p), "%s", p);
	k->name = name;
	k->from_str = fs;
}

/* Free ts's tokens and their names. */
static void
tokens_free(struct tokens *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		free(ts->v[i].name);
	free(ts->v);
}

/* 1 if c may continue a jq identifier. */
static int
identc(int c)
{
	return isalnum(c) || c == '_';
}

/*
 * The token at s[i] that starts with a dot (.field, ."field", .., .5, .):
 * appended to ts.  Returns the index after it, or (size_t)-1 on text it
 * cannot follow.
 */
static size_t
lex_dot(const char *s, size_t i, size_t n, struct tokens *ts)
{
	size_t j;

	if (i + 1 < n && s[i + 1] == '.') {
		tok_push(ts, T_DOTDOT, NULL, NULL, 0);
		return i + 2;
	}
	if (i + 1 < n &&
	    (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_')) {
		for (j = i + 1; j < n && identc(s[j]); j++)
			;
		tok_push(ts, T_FIELD, NULL, xstrndup(s + i + 1, j - i - 1), 0);
		return j;
	}
	if (i + 1 < n && s[i + 1] == '"') {
		for (j = i + 2; j < n && s[j] != '"'; j++)
			if (s[j] == '\\')
				return (size_t)-1;
		if (j >= n)
			return (size_t)-1;
		tok_push(ts, T_FIELD, NULL, xstrndup(s + i + 2, j - i - 2), 0);
		return j + 1;
	}
	if (i + 1 < n && isdigit((unsigned char)s[i + 1])) {
		for (j = i + 1; j < n && isalnum((unsigned char)s[j]); j++)
			;
		tok_push(ts, T_NUM, NULL, NULL, 0);
		return j;
	}
	tok_push(ts, T_DOT, NULL, NULL, 0);
	return i + 1;
}

/*
 * The number, or the identifier, $variable or @format, at s[i]: appended
 * to ts; returns the index after it, or i when s[i] starts neither.
 */
static size_t
lex_word(const char *s, size_t i, size_t n, struct tokens *ts)
{
	enum tok t;
	size_t b, j;

	if (isdigit((unsigned char)s[i])) {
		for (j = i; j < n &&
		     (isalnum((unsigned char)s[j]) || s[j] == '.' ||
			 ((s[j] == '+' || s[j] == '-') &&
			     (s[j - 1] == 'e' || s[j - 1] == 'E')));
		     j++)
			;
		tok_push(ts, T_NUM, NULL, NULL, 0);
		return j;
	}
	if (s[i] != '$' && s[i] != '@' && !isalpha((unsigned char)s[i]) &&
	    s[i] != '_')
		return i;
	t = s[i] == '$' ? T_VAR : s[i] == '@' ? T_FORMAT : T_IDENT;
	b = t == T_IDENT ? i : i + 1;
	for (j = b; j < n &&
	     (identc(s[j]) || (s[j] == ':' && j + 1 < n && s[j + 1] == ':'));
	     j++)
		if (s[j] == ':')
			j++;
	tok_push(ts, t, NULL, xstrndup(s + b, j - b), 0);
	return j;
}

/* Where the lexer is: inside a string, and the interpolations open. */
struct lexstate {
	int stack[64]; /* depth at each open interpolation */
	int sp, depth, instr;
};

/*
 * Inside a string literal: the character at s[i], or an interpolation
 * "\(" that opens.  Returns the index after it, or (size_t)-1.
 */
static size_t
lex_in_string(const char *s, size_t i, size_t n, struct lexstate *ls,
    struct tokens *ts)
{
	if (i >= n)
		return (size_t)-1;
	if (s[i] == '\\' && i + 1 < n && s[i + 1] == '(') {
		if (ls->sp == 64)
			return (size_t)-1;
		ls->stack[ls->sp++] = ls->depth++;
		tok_push(ts, T_PUNCT, "(", NULL, 1);
		ls->instr = 0;
		return i + 2;
	}
	if (s[i] == '\\')
		return i + 2;
	if (s[i] == '"') {
		tok_push(ts, T_STR, NULL, NULL, 0);
		ls->instr = 0;
	}
	return i + 1;
}

/*
 * Punctuation at s[i]: an operator, or one character; a ")" that closes
 * an interpolation goes back into its string.  Returns the index after.
 */
static size_t
lex_punct(const char *s, size_t i, struct lexstate *ls, struct tokens *ts)
{
	static const char *ops[] = { "?//", "//=", "|=", "+=", "-=", "*=", "/=",
		"%=", "==", "!=", "<=", ">=", "//", NULL };
	char p[2] = { s[i], '\0' };
	size_t j;

	for (j = 0; ops[j] != NULL; j++)
		if (strncmp(s + i, ops[j], strlen(ops[j])) == 0) {
			tok_push(ts, T_PUNCT, ops[j], NULL, 0);
			return i + strlen(ops[j]);
		}
	if (s[i] == '(') {
		ls->depth++;
	} else if (s[i] == ')') {
		if (ls->sp > 0 && ls->stack[ls->sp - 1] == ls->depth - 1) {
			ls->sp--;
			ls->depth--;
			tok_push(ts, T_PUNCT, ")", NULL, 1);
			ls->instr = 1;
			return i + 1;
		}
		ls->depth--;
	}
	tok_push(ts, strchr("()[]{}|,:;?=<>+-*/%", s[i]) ? T_PUNCT : T_BAD, p,
	    NULL, 0);
	return i + 1;
}

/*
 * Split jq text s into tokens (appended to ts).  String literals become one
 * T_STR at their closing quote, their interpolations "(" ... ")" with
 * from_str set.  Returns 0, or -1 on text it cannot follow.
 */
static int
lex(const char *s, struct tokens *ts)
{
	struct lexstate ls;
	size_t i = 0, j, n = strlen(s);

	memset(&ls, 0, sizeof(ls));
	while (i < n || ls.instr) {
		if (ls.instr)
			j = lex_in_string(s, i, n, &ls, ts);
		else if (isspace((unsigned char)s[i]))
			j = i + 1;
		else if (s[i] == '#')
			j = i + strcspn(s + i, "\n");
		else if (s[i] == '"') {
			ls.instr = 1;
			j = i + 1;
		} else if (s[i] == '.')
			j = lex_dot(s, i, n, ts);
		else if ((j = lex_word(s, i, n, ts)) == i)
			j = lex_punct(s, i, &ls, ts);
		if (j == (size_t)-1)
			return -1;
		i = j;
	}
	return 0;
}

/*
 * Ocean's single-quote rule: string literals delimited by single quotes
 * become double-quoted.  Returns a new string owned by the caller.
 */
char *
jqscan_requote(const char *s)
{
	struct buf b;
	int stack[64], sp = 0, depth = 0, instr = 0;

	buf_init(&b);
	buf_puts(&b, "");
	while (*s != '\0') {
		if (instr) {
			if (*s == '\\' && s[1] == '(' && sp < 64) {
				stack[sp++] = depth++;
				instr = 0;
				buf_append(&b, s, 2);
				s += 2;
				continue;
			}
			if (*s == '\\' && s[1] != '\0') {
				buf_append(&b, s, 2);
				s += 2;
				continue;
			}
			if (*s == '"')
				instr = 0;
			buf_putc(&b, *s++);
			continue;
		}
		switch (*s) {
		case '#':
			while (*s != '\0' && *s != '\n')
				buf_putc(&b, *s++);
			continue;
		case '"':
			instr = 1;
			break;
		case '(':
			depth++;
			break;
		case ')':
			if (sp > 0 && stack[sp - 1] == depth - 1) {
				sp--;
				instr = 1;
			}
			depth--;
			break;
		case '\'': {
			const char *e = s + 1;

			while (*e != '\0' && *e != '\'')
				e += (*e == '\\' && e[1] != '\0') ? 2 : 1;
			if (*e != '\'')
				break; /* unterminated: leave it to jq */
			buf_putc(&b, '"');
			for (s++; s < e; s++) {
				if (*s == '\\' && s[1] == '\'') {
					buf_putc(&b, '\'');
					s++;
				} else if (*s == '\\') {
					buf_append(&b, s, 2);
					s++;
				} else if (*s == '"')
					buf_puts(&b, "\\\"");
				else
					buf_putc(&b, *s);
			}
			buf_putc(&b, '"');
			s = e + 1;
			continue;
		}
		}
		buf_putc(&b, *s++);
	}
	return buf_detach(&b);
}

/* 1 if the jq text has an "if" whose "end" comes without an "else". */
int
jqscan_if_without_else(const char *text)
{
	struct tokens ts = { 0 };
	char st[256];
	int sp = 0, found = 0;
	size_t i;

	lex(text, &ts);
	for (i = 0; i < ts.n && !found; i++) {
		const char *nm = ts.v[i].name;

		if (ts.v[i].t != T_IDENT)
			continue;
		if (strcmp(nm, "if") == 0 && sp < 256)
			st[sp++] = 0;
		else if (strcmp(nm, "else") == 0 && sp > 0)
			st[sp - 1] = 1;
		else if (strcmp(nm, "end") == 0 && sp > 0)
			found = st[--sp] == 0;
	}
	if (sp > 0 && !found) {
		/* An unterminated "if ... then x" fails the same way. */
		found = st[sp - 1] == 0;
	}
	tokens_free(&ts);
	return found;
}

/*
 * The offset in text of the first bracket that closes nothing, or -1.
 * Strings and comments are skipped; the scan is rough, for messages.
 */
long
jqscan_stray_close(const char *text)
{
	long depth = 0;
	const char *s;

	for (s = text; *s != '\0'; s++) {
		if (*s == '"' || *s == '\'') {
			char q = *s;

			for (s++; *s != '\0' && *s != q; s++)
				if (*s == '\\' && s[1] != '\0')
					s++;
			if (*s == '\0')
				break;
		} else if (*s == '#') {
			s += strcspn(s, "\n");
			if (*s == '\0')
				break;
		} else if (strchr("([{", *s) != NULL) {
			depth++;
		} else if (strchr(")]}", *s) != NULL) {
			if (depth == 0)
				return (long)(s - text);
			depth--;
		}
	}
	return -1;
}

/* The fields a program reads. */

enum lvtype {
	LV_PAREN,
	LV_BRACK,
	LV_BRACE,
	LV_IF,
	LV_DEF,
	LV_REDUCE
};

struct level {
	enum lvtype type;
	int init, flag; /* input is the item itself */
	int pending_as; /* "as $x" or "label $x" seen */
	int pending_reduce;
	int keypos; /* object: a key may come next */
	int hdr;    /* def: before the ':' */
};

struct names {
	char **v;
	size_t n;
};

/* Append a copy of s to nm. */
static void
names_add(struct names *nm, const char *s)
{
	nm->v = xreallocarray(nm->v, nm->n + 1, sizeof(*nm->v));
	nm->v[nm->n++] = xstrdup(s);
}

/* 1 if nm holds s. */
static int
names_has(const struct names *nm, const char *s)
{
	size_t i;

	for (i = 0; i < nm->n; i++) {
		if (strcmp(nm->v[i], s) == 0)
			return 1;
	}
	return 0;
}

/* Free nm's strings and array. */
static void
names_free(struct names *nm)
{
	free_strv(nm->v, nm->n);
}

/* 1 if word s is one of the space-separated words of list. */
static int
in_list(const char *s, const char *list)
{
	size_t n = strlen(s);
	const char *p;

	for (p = strstr(list, s); p != NULL; p = strstr(p + 1, s)) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* 1 if a field access right after token k applies to k's value. */
static int
suffix_maker(const struct token *k)
{
	static const char kw[] =
	    "if then elif else as def reduce foreach try catch label and "
	    "or import include";

	if (k == NULL)
		return 0;
	switch (k->t) {
	case T_FIELD:
	case T_VAR:
	case T_STR:
	case T_NUM:
		return 1;
	case T_IDENT:
		return !in_list(k->name, kw);
	case T_PUNCT:
		return strcmp(k->p, "]") == 0 || strcmp(k->p, ")") == 0 ||
		    strcmp(k->p, "}") == 0 || strcmp(k->p, "?") == 0;
	default:
		return 0;
	}
}

/* The scanner's nesting of one program, and what it has found. */
struct scan {
	struct level lv[128];
	int sp;
	struct names *out, *defs;
};

/* Open a level of type ty under the current one; -1 if too deep. */
static int
scan_push(struct scan *sc, enum lvtype ty, int root, int def)
{
	if (sc->sp + 1 >= 128)
		return -1;
	sc->lv[++sc->sp] = (struct level){ ty, root, root, 0, 0, ty == LV_BRACE,
		def };
	return 0;
}

/*
 * An identifier (keyword, builtin, definition or object key).  Returns
 * 0, or -1 when the program may read fields no scan can name.
 */
static int
scan_ident(struct scan *sc, const struct token *k, const struct token *next,
    int root)
{
	static const char never[] =
	    "input inputs getpath paths leaf_paths import include "
	    "$__loc__ input_filename";
	static const char safe_at_root[] =
	    "empty error null true false not env now range limit first "
	    "last nth until isempty type builtins input_line_number "
	    "infinite nan have_decnum have_literal_numbers pick halt";
	struct level *L = &sc->lv[sc->sp];
	const char *nm = k->name;
	int brace_key = L->type == LV_BRACE && L->keypos && next != NULL &&
	    next->t == T_PUNCT;

	if (brace_key &&
	    (strcmp(next->p, ",") == 0 || strcmp(next->p, "}") == 0)) {
		if (root)
			names_add(sc->out, nm);
		return 0;
	}
	if (brace_key && strcmp(next->p, ":") == 0)
		return 0;
	if (strcmp(nm, "if") == 0)
		return scan_push(sc, LV_IF, root, 0);
	if (strcmp(nm, "then") == 0 || strcmp(nm, "elif") == 0 ||
	    strcmp(nm, "else") == 0) {
		if (L->type == LV_IF)
			L->flag = L->init;
		return 0;
	}
	if (strcmp(nm, "end") == 0) {
		if (L->type != LV_IF)
			return -1;
		sc->sp--;
		return 0;
	}
	if (strcmp(nm, "as") == 0 || strcmp(nm, "label") == 0) {
		L->pending_as = 1;
		/* destructuring */
		return next != NULL && next->t == T_PUNCT ? -1 : 0;
	}
	if (strcmp(nm, "def") == 0)
		return scan_push(sc, LV_DEF, 1, 1);
	if (strcmp(nm, "reduce") == 0 || strcmp(nm, "foreach") == 0) {
		L->pending_reduce = 1;
		return 0;
	}
	if (in_list(nm, "try catch and or"))
		return 0;
	if (in_list(nm, never))
		return -1;
	if (names_has(sc->defs, nm))
		return 0;
	if (root && !in_list(nm, safe_at_root) &&
	    !(strcmp(nm, "add") == 0 && next != NULL && next->t == T_PUNCT &&
		strcmp(next->p, "(") == 0))
		return -1;
	return 0;
}

/* A bracket that opens a level, or one that closes it; 0 or -1. */
static int
scan_bracket(struct scan *sc, const struct token *k, int root)
{
	struct level *L = &sc->lv[sc->sp];
	enum lvtype ty;

	ty = k->p[0] == '(' || k->p[0] == ')' ? LV_PAREN :
	    k->p[0] == '[' || k->p[0] == ']'  ? LV_BRACK :
						LV_BRACE;
	if (strchr("([{", k->p[0]) != NULL) {
		if (ty == LV_PAREN && L->pending_reduce && L->pending_as) {
			ty = LV_REDUCE;
			L->pending_reduce = L->pending_as = 0;
		}
		return scan_push(sc, ty, root, 0);
	}
	if (sc->sp == 0 ||
	    (L->type != ty && !(ty == LV_PAREN && L->type == LV_REDUCE)))
		return -1;
	sc->sp--;
	return 0;
}

/* Punctuation; 0, or -1 when the program may read anything. */
static int
scan_punct(struct scan *sc, const struct token *k, int root)
{
	static const char assign[] = "= |= += -= *= /= %= //=";
	struct level *L = &sc->lv[sc->sp];

	if (in_list(k->p, assign))
		return root ? -1 : 0;
	if (strcmp(k->p, "?//") == 0)
		return -1;
	if (k->p[1] == '\0' && strchr("()[]{}", k->p[0]) != NULL)
		return scan_bracket(sc, k, root);
	if (strcmp(k->p, "|") == 0) {
		if (L->pending_as)
			L->pending_as = 0;
		else
			L->flag = 0;
	} else if (strcmp(k->p, ",") == 0 || strcmp(k->p, ":") == 0) {
		if (L->type == LV_BRACE) {
			L->flag = L->init;
			L->keypos = k->p[0] == ',';
		}
	} else if (strcmp(k->p, ";") == 0) {
		if (L->type == LV_DEF)
			sc->sp--;
		else if (L->type == LV_REDUCE)
			L->flag = 0;
		else
			L->flag = L->init;
	}
	return 0;
}

/* One token of the program; 0, or -1 when no scan can name the fields. */
static int
scan_token(struct scan *sc, const struct token *k, const struct token *prev,
    const struct token *next)
{
	struct level *L = &sc->lv[sc->sp];
	int root = L->flag;

	switch (k->t) {
	case T_BAD:
	case T_DOTDOT:
		return -1;
	case T_DOT:
		return root ? -1 : 0;
	case T_FIELD:
		if (!suffix_maker(prev) && root && k->name[0] != '@')
			names_add(sc->out, k->name);
		return 0;
	case T_VAR:
		return strcmp(k->name, "__loc__") == 0 ? -1 : 0;
	case T_FORMAT:
		return root &&
			(next == NULL ||
			    (next->t != T_STR && !next->from_str)) ?
		    -1 :
		    0;
	case T_STR:
		/* {"quoted"} shorthand */
		return L->type == LV_BRACE && L->keypos && root &&
			next != NULL && next->t == T_PUNCT &&
			(strcmp(next->p, ",") == 0 ||
			    strcmp(next->p, "}") == 0) ?
		    -1 :
		    0;
	case T_IDENT:
		return scan_ident(sc, k, next, root);
	case T_PUNCT:
		return scan_punct(sc, k, root);
	default:
		return 0;
	}
}

/*
 * Add the item fields jq text reads to out.  Returns 0, or -1 when the
 * text uses the whole item (or something we cannot follow).
 */
static int
scan_fields(const char *text, struct names *out, struct names *defs)
{
	struct tokens ts = { 0 };
	struct scan sc;
	int rc = -1;
	size_t i;

	if (lex(text, &ts) == -1)
		goto out;
	memset(&sc, 0, sizeof(sc));
	sc.out = out;
	sc.defs = defs;
	sc.lv[0].type = LV_PAREN;
	sc.lv[0].init = sc.lv[0].flag = 1;
	for (i = 0; i < ts.n; i++) {
		struct token *k = &ts.v[i];

		if (sc.lv[sc.sp].type == LV_DEF && sc.lv[sc.sp].hdr) {
			if (k->t == T_IDENT || k->t == T_VAR)
				names_add(defs, k->name);
			else if (k->t == T_PUNCT && strcmp(k->p, ":") == 0)
				sc.lv[sc.sp].hdr = 0;
			continue;
		}
		if (scan_token(&sc, k, i > 0 ? &ts.v[i - 1] : NULL,
			i + 1 < ts.n ? &ts.v[i + 1] : NULL) == -1)
			goto out;
		if (sc.lv[sc.sp].type == LV_BRACE && k->t != T_PUNCT)
			sc.lv[sc.sp].keypos = 0;
	}
	rc = sc.sp == 0 ? 0 : -1;
out:
	tokens_free(&ts);
	return rc;
}

/* qsort comparison of two C strings. */
static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
jqscan_fields_read(const struct mapping_resource *r)
{
	const struct mapping_field *tops[] = { &r->query, &r->identifier,
		&r->title, &r->blueprint, &r->icon, &r->team };
	struct names out = { 0 }, defs = { 0 };
	struct buf b;
	char *txt, *res = NULL;
	size_t i, nt = sizeof(tops) / sizeof(tops[0]);
	int fail = 0;

	names_add(&out, "id");
	for (i = 0; i < nt + r->nproperties + r->nrelations && !fail; i++) {
		const struct mapping_field *f = i < nt ?
		    tops[i] :
		    i < nt + r->nproperties ?
		    &r->properties[i - nt] :
		    &r->relations[i - nt - r->nproperties];

		if (f->value == NULL)
			continue;
		txt = jqscan_requote(f->value);
		fail = scan_fields(txt, &out, &defs) == -1;
		free(txt);
	}
	if (!fail) {
		qsort(out.v, out.n, sizeof(*out.v), cmpstr);
		buf_init(&b);
		buf_puts(&b, "");
		for (i = 0; i < out.n; i++) {
			if (i > 0 && strcmp(out.v[i], out.v[i - 1]) == 0)
				continue;
			if (b.len > 0)
				buf_putc(&b, ',');
			buf_puts(&b, out.v[i]);
		}
		res = buf_detach(&b);
	}
	names_free(&out);
	names_free(&defs);
	return res;
}

void
jqscan_settle_members(struct mapping *m)
{
	struct mapping_resource *r;
	char *fields;
	size_t i;

	for (i = 0; i < m->nres; i++) {
		r = &m->res[i];
		if (r->members != MEMBERS_NONE || r->membership_set ||
		    strcmp(r->kind, "/groups") != 0)
			continue;
		if ((fields = jqscan_fields_read(r)) == NULL)
			continue;
		/* Without this, .members would be null: Graph returns the
		 * relationship only when asked for it. */
		if (csv_has(fields, "members"))
			r->members = MEMBERS_DIRECT;
		else if (csv_has(fields, "transitiveMembers"))
			r->members = MEMBERS_TRANSITIVE;
		if (r->members != MEMBERS_NONE)
			msg_info("%s:%d:%d: resource '%s' reads .%s: reading "
				 "the whole membership from /groups/{id}/%s",
			    r->file, r->line, r->col, r->kind,
			    r->members == MEMBERS_DIRECT ? "members" :
							   "transitiveMembers",
			    r->members == MEMBERS_DIRECT ? "members" :
							   "transitiveMembers");
		free(fields);
	}
}
