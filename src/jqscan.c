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
 * Split jq text s into tokens (appended to ts).  String literals become one
 * T_STR at their closing quote, their interpolations "(" ... ")" with
 * from_str set.  Returns 0, or -1 on text it cannot follow.
 */
static int
lex(const char *s, struct tokens *ts)
{
	static const char *ops[] = {"?//", "//=", "|=", "+=", "-=", "*=", "/=",
				    "%=",  "==",  "!=", "<=", ">=", "//", NULL};
	int stack[64], sp = 0, depth = 0, instr = 0;
	size_t i = 0, j, n = strlen(s);

	while (i < n || instr) {
		if (instr) {
			if (i >= n)
				return -1;
			if (s[i] == '\\') {
				if (i + 1 < n && s[i + 1] == '(') {
					if (sp == 64)
						return -1;
					stack[sp++] = depth++;
					tok_push(ts, T_PUNCT, "(", NULL, 1);
					instr = 0;
					i += 2;
					continue;
				}
				i += 2;
				continue;
			}
			if (s[i] == '"') {
				tok_push(ts, T_STR, NULL, NULL, 0);
				instr = 0;
			}
			i++;
			continue;
		}
		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#') {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		if (s[i] == '"') {
			instr = 1;
			i++;
			continue;
		}
		if (s[i] == '.') {
			if (i + 1 < n && s[i + 1] == '.') {
				tok_push(ts, T_DOTDOT, NULL, NULL, 0);
				i += 2;
			} else if (i + 1 < n &&
				   (isalpha((unsigned char)s[i + 1]) ||
				    s[i + 1] == '_')) {
				for (j = i + 1; j < n && identc(s[j]); j++)
					;
				tok_push(ts, T_FIELD, NULL,
					 xstrndup(s + i + 1, j - i - 1), 0);
				i = j;
			} else if (i + 1 < n && s[i + 1] == '"') {
				for (j = i + 2; j < n && s[j] != '"'; j++) {
					if (s[j] == '\\')
						return -1;
				}
				if (j >= n)
					return -1;
				tok_push(ts, T_FIELD, NULL,
					 xstrndup(s + i + 2, j - i - 2), 0);
				i = j + 1;
			} else if (i + 1 < n &&
				   isdigit((unsigned char)s[i + 1])) {
				for (j = i + 1;
				     j < n && isalnum((unsigned char)s[j]); j++)
					;
				tok_push(ts, T_NUM, NULL, NULL, 0);
				i = j;
			} else {
				tok_push(ts, T_DOT, NULL, NULL, 0);
				i++;
			}
			continue;
		}
		if (isdigit((unsigned char)s[i])) {
			for (j = i;
			     j < n &&
			     (isalnum((unsigned char)s[j]) || s[j] == '.' ||
			      ((s[j] == '+' || s[j] == '-') &&
			       (s[j - 1] == 'e' || s[j - 1] == 'E')));
			     j++)
				;
			tok_push(ts, T_NUM, NULL, NULL, 0);
			i = j;
			continue;
		}
		if (s[i] == '$' || s[i] == '@' ||
		    isalpha((unsigned char)s[i]) || s[i] == '_') {
			enum tok t = s[i] == '$'   ? T_VAR
				     : s[i] == '@' ? T_FORMAT
						   : T_IDENT;
			size_t b = t == T_IDENT ? i : i + 1;

			for (j = b; j < n && (identc(s[j]) ||
					      (s[j] == ':' && j + 1 < n &&
					       s[j + 1] == ':'));
			     j++) {
				if (s[j] == ':')
					j++;
			}
			tok_push(ts, t, NULL, xstrndup(s + b, j - b), 0);
			i = j;
			continue;
		}
		for (j = 0; ops[j] != NULL; j++) {
			if (strncmp(s + i, ops[j], strlen(ops[j])) == 0)
				break;
		}
		if (ops[j] != NULL) {
			tok_push(ts, T_PUNCT, ops[j], NULL, 0);
			i += strlen(ops[j]);
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')') {
			if (sp > 0 && stack[sp - 1] == depth - 1) {
				sp--;
				depth--;
				tok_push(ts, T_PUNCT, ")", NULL, 1);
				instr = 1;
				i++;
				continue;
			}
			depth--;
		}
		{
			char p[2] = {s[i], '\0'};

			tok_push(ts,
				 strchr("()[]{}|,:;?=<>+-*/%", s[i]) ? T_PUNCT
								     : T_BAD,
				 p, NULL, 0);
		}
		i++;
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
	struct tokens ts = {0};
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

enum lvtype { LV_PAREN, LV_BRACK, LV_BRACE, LV_IF, LV_DEF, LV_REDUCE };

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
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
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

/*
 * Add the item fields jq text reads to out.  Returns 0, or -1 when the
 * text uses the whole item (or something we cannot follow).
 */
static int
scan_fields(const char *text, struct names *out, struct names *defs)
{
	static const char never[] =
	    "input inputs getpath paths leaf_paths import include "
	    "$__loc__ input_filename";
	static const char safe_at_root[] =
	    "empty error null true false not env now range limit first "
	    "last nth until isempty type builtins input_line_number "
	    "infinite nan have_decnum have_literal_numbers pick halt";
	static const char assign[] = "= |= += -= *= /= %= //=";
	struct tokens ts = {0};
	struct level lv[128];
	int sp = 0, rc = -1;
	size_t i;

	if (lex(text, &ts) == -1)
		goto out;
	memset(&lv[0], 0, sizeof(lv[0]));
	lv[0].type = LV_PAREN;
	lv[0].init = lv[0].flag = 1;
	for (i = 0; i < ts.n; i++) {
		struct token *k = &ts.v[i];
		struct token *prev = i > 0 ? &ts.v[i - 1] : NULL;
		struct token *next = i + 1 < ts.n ? &ts.v[i + 1] : NULL;
		struct level *L = &lv[sp];
		int root = L->flag;

		if (L->type == LV_DEF && L->hdr) {
			if (k->t == T_IDENT || k->t == T_VAR)
				names_add(defs, k->name);
			else if (k->t == T_PUNCT && strcmp(k->p, ":") == 0)
				L->hdr = 0;
			continue;
		}
		switch (k->t) {
		case T_BAD:
		case T_DOTDOT:
			goto out;
		case T_DOT:
			if (root)
				goto out;
			break;
		case T_FIELD:
			if (!suffix_maker(prev) && root && k->name[0] != '@')
				names_add(out, k->name);
			break;
		case T_VAR:
			if (strcmp(k->name, "__loc__") == 0)
				goto out;
			break;
		case T_FORMAT:
			if (root && (next == NULL ||
				     (next->t != T_STR && !next->from_str)))
				goto out;
			break;
		case T_STR:
			if (L->type == LV_BRACE && L->keypos && root &&
			    next != NULL && next->t == T_PUNCT &&
			    (strcmp(next->p, ",") == 0 ||
			     strcmp(next->p, "}") == 0))
				goto out; /* {"quoted"} shorthand */
			break;
		case T_NUM:
			break;
		case T_IDENT: {
			const char *nm = k->name;
			int brace_key = L->type == LV_BRACE && L->keypos &&
					next != NULL && next->t == T_PUNCT;

			if (brace_key && (strcmp(next->p, ",") == 0 ||
					  strcmp(next->p, "}") == 0)) {
				if (root)
					names_add(out, nm);
				break;
			}
			if (brace_key && strcmp(next->p, ":") == 0)
				break;
			if (strcmp(nm, "if") == 0) {
				if (sp + 1 >= 128)
					goto out;
				lv[++sp] = (struct level){LV_IF, root, root, 0,
							  0,	 0,    0};
			} else if (strcmp(nm, "then") == 0 ||
				   strcmp(nm, "elif") == 0 ||
				   strcmp(nm, "else") == 0) {
				if (L->type == LV_IF)
					L->flag = L->init;
			} else if (strcmp(nm, "end") == 0) {
				if (L->type != LV_IF)
					goto out;
				sp--;
			} else if (strcmp(nm, "as") == 0 ||
				   strcmp(nm, "label") == 0) {
				L->pending_as = 1;
				if (next != NULL && next->t == T_PUNCT)
					goto out; /* destructuring */
			} else if (strcmp(nm, "def") == 0) {
				if (sp + 1 >= 128)
					goto out;
				lv[++sp] =
				    (struct level){LV_DEF, 1, 1, 0, 0, 0, 1};
			} else if (strcmp(nm, "reduce") == 0 ||
				   strcmp(nm, "foreach") == 0) {
				L->pending_reduce = 1;
			} else if (in_list(nm, "try catch and or")) {
				;
			} else if (in_list(nm, never))
				goto out;
			else if (names_has(defs, nm))
				;
			else if (root && !in_list(nm, safe_at_root) &&
				 !(strcmp(nm, "add") == 0 && next != NULL &&
				   next->t == T_PUNCT &&
				   strcmp(next->p, "(") == 0))
				goto out;
			break;
		}
		case T_PUNCT:
			if (in_list(k->p, assign)) {
				if (root)
					goto out;
				break;
			}
			if (strcmp(k->p, "?//") == 0)
				goto out;
			if (strcmp(k->p, "(") == 0 || strcmp(k->p, "[") == 0 ||
			    strcmp(k->p, "{") == 0) {
				enum lvtype ty = LV_BRACE;

				if (k->p[0] == '(')
					ty = LV_PAREN;
				else if (k->p[0] == '[')
					ty = LV_BRACK;

				if (ty == LV_PAREN && L->pending_reduce &&
				    L->pending_as) {
					ty = LV_REDUCE;
					L->pending_reduce = L->pending_as = 0;
				}
				if (sp + 1 >= 128)
					goto out;
				lv[++sp] = (struct level){
				    ty, root, root, 0, 0, ty == LV_BRACE, 0};
				break;
			}
			if (strcmp(k->p, ")") == 0 || strcmp(k->p, "]") == 0 ||
			    strcmp(k->p, "}") == 0) {
				enum lvtype want = LV_BRACE;

				if (k->p[0] == ')')
					want = LV_PAREN;
				else if (k->p[0] == ']')
					want = LV_BRACK;

				if (sp == 0 || (L->type != want &&
						!(want == LV_PAREN &&
						  L->type == LV_REDUCE)))
					goto out;
				sp--;
				break;
			}
			if (strcmp(k->p, "|") == 0) {
				if (L->pending_as)
					L->pending_as = 0;
				else
					L->flag = 0;
			} else if (strcmp(k->p, ",") == 0) {
				if (L->type == LV_BRACE) {
					L->flag = L->init;
					L->keypos = 1;
				}
			} else if (strcmp(k->p, ":") == 0) {
				if (L->type == LV_BRACE) {
					L->flag = L->init;
					L->keypos = 0;
				}
			} else if (strcmp(k->p, ";") == 0) {
				if (L->type == LV_DEF)
					sp--;
				else if (L->type == LV_REDUCE)
					L->flag = 0;
				else
					L->flag = L->init;
			}
			break;
		case T_EOF:
			break;
		}
		if (lv[sp].type == LV_BRACE && k->t != T_PUNCT)
			lv[sp].keypos = 0;
	}
	rc = sp == 0 ? 0 : -1;
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
	const struct mapping_field *tops[] = {&r->query, &r->identifier,
					      &r->title, &r->blueprint,
					      &r->icon,	 &r->team};
	struct names out = {0}, defs = {0};
	struct buf b;
	char *txt, *res = NULL;
	size_t i, nt = sizeof(tops) / sizeof(tops[0]);
	int fail = 0;

	names_add(&out, "id");
	for (i = 0; i < nt + r->nproperties + r->nrelations && !fail; i++) {
		const struct mapping_field *f =
		    i < nt ? tops[i]
		    : i < nt + r->nproperties
			? &r->properties[i - nt]
			: &r->relations[i - nt - r->nproperties];

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
			    "transitiveMembers", r->members == MEMBERS_DIRECT ?
			    "members" : "transitiveMembers");
		free(fields);
	}
}
