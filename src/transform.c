/*
 * The transform layer: runs a resource's jq mapping over Graph items with
 * libjq 1.6 and Ocean's semantics (first output per field, errors and empty
 * results become null and are counted, the selector must be a boolean).
 * Each resource gets one combined program for the common case and a
 * per-field wrapped program for the rare item that needs it; all jv values
 * live and die here.  It does no I/O and knows nothing of Graph or Port.
 */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>
#include <jv.h>

#include "buf.h"
#include "csv.h"
#include "jqpath.h"
#include "jqscan.h"
#include "jvtext.h"
#include "mapping.h"
#include "members.h"
#include "msg.h"
#include "transform.h"
#include "xmalloc.h"

/*
 * jq 1.7 / 1.8 builtins that mappings written for Ocean may use, defined
 * with 1.7's semantics for libjq 1.6.  One line with no newline, so that
 * $__loc__ and jq's messages count lines as in the field's own text.
 * ltrimstr/rtrimstr are redefined because 1.6's leak memory on non-string
 * input (same results), and stderr goes through debug so that libjq never
 * writes to our stderr.
 */
static const char jq_defs[] =
    "def pick(pathexps): . as $__e2p_top | reduce path(pathexps) as $__e2p_p"
    " (null; setpath($__e2p_p; $__e2p_top | getpath($__e2p_p)));"
    "def __e2p_ws: . == 32 or (. >= 9 and . <= 13) or . == 133 or"
    " . == 160 or . == 5760 or (. >= 8192 and . <= 8202) or . == 8232 or"
    " . == 8233 or . == 8239 or . == 8287 or . == 12288;"
    "def ltrim: if type != \"string\" then"
    " error(\"trim input must be a string\") else explode |"
    " (first(range(length) as $__e2p_i | select(.[$__e2p_i] | __e2p_ws |"
    " not) | $__e2p_i) // length) as $__e2p_n | .[$__e2p_n:] | implode end;"
    "def rtrim: if type != \"string\" then"
    " error(\"trim input must be a string\") else explode |"
    " (first(range(length - 1; -1; -1) as $__e2p_i | select(.[$__e2p_i] |"
    " __e2p_ws | not) | $__e2p_i + 1) // 0) as $__e2p_n | .[:$__e2p_n] |"
    " implode end;"
    "def trim: if type != \"string\" then"
    " error(\"trim input must be a string\") else ltrim | rtrim end;"
    "def abs: if type == \"number\" then (if . < 0 then - . else . end)"
    " else error(\"\\(type) (\\(tojson)) has no absolute value\") end;"
    "def toarray: if type == \"array\" then . else [.] end;"
    "def debug(msg): (msg | debug | empty), .;"
    "def stderr: debug;"
    "def scan($re; $flags): match($re; \"g\" + $flags) |"
    " if (.captures | length > 0) then [.captures | .[] | .string]"
    " else .string end;"
    "def add(f): reduce f as $__e2p_x (null; . + $__e2p_x);"
    "def have_decnum: false;"
    "def have_literal_numbers: true;"
    "def ltrimstr($__e2p_v): if type == \"string\" and ($__e2p_v | type)"
    " == \"string\" and startswith($__e2p_v) then .[($__e2p_v | length):]"
    " else . end;"
    "def rtrimstr($__e2p_v): if type == \"string\" and ($__e2p_v | type)"
    " == \"string\" and ($__e2p_v | length) > 0 and endswith($__e2p_v)"
    " then .[:length - ($__e2p_v | length)] else . end;"
    "def trimstr($__e2p_v): ltrimstr($__e2p_v) | rtrimstr($__e2p_v);";

static const char else_hint[] =
    " (jq 1.6 needs an else branch: write 'if c then x else . end')";

/*
 * A simple program (jqpath.h) as direct_value walks it, made once so that
 * no jv string is made per item: its alternatives, each a literal string
 * (keys NULL) or a path of keys.  nalt 0: not simple, libjq runs it.
 */
struct dterm {
	jv lit;
	jv *keys;
	size_t nkeys;
};

struct dprog {
	struct dterm *alt;
	size_t nalt;
};

enum fkind {
	F_TOP,
	F_PROP,
	F_REL
};

struct tfield {
	enum fkind kind;
	const char *key; /* key in its object */
	char *text;      /* preprocessed jq text, owned by transform */
	const struct mapping_field *src;
	int shape;           /* a member-id shape (see shape_of) */
	char *shape_type;    /* its "@odata.type" filter, or NULL: all */
	jv jkey;             /* key as a jv, made once for every item */
	struct dprog direct; /* see direct_prog */
};

struct jqprog {
	jq_state *jq;
	struct buf err; /* first message from libjq */
	int err_line;   /* where it points in the program: 1-based line, */
	int err_col;    /* 0-based column; err_line 0 when it says not */
};

struct transform {
	char *kind;
	char *file;
	struct tfield *f;
	size_t nf;
	char **names; /* stats field names */
	char *sel_text;
	char *dp_text;
	char *dp_raw;
	struct jqprog fast, slow, sel, dp;
	int slow_ready, sel_ready;
	/* Programs with the member-id fields left null, when the resource
	 * can take them from a member list (shapes > 0). */
	struct jqprog mfast, mslow;
	int mslow_ready;
	int shapes;
	int force_general;      /* tests: never the shapes */
	int direct;             /* every field direct, the selector true */
	int fast_ready;         /* fast compiled (on first use when direct) */
	struct dprog dp_direct; /* the data_path as direct_value walks it */
	int dp_ready;           /* dp compiled (on first use when dp_direct) */
	int direct_text;        /* and no two fields of a kind share a key */
	struct buf text;        /* an entity's text, its storage kept between */
	jv *vals;               /* the direct path's field values, t->nf */
	int id_at, bp_at;       /* fields "identifier" and "blueprint", or -1 */
	struct transform_stats st;
};

struct tpage {
	jv *items;
	size_t n;
	char *next;
	char **ids;
	int collection; /* data_path gave an array */
};

/*
 * The binding of $ENV and env put before every program: the mapping sees
 * {} unless transform_env() allowed more (Ocean blanks them unless
 * OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS is true).  Owned here.
 */
static char *env_prelude;

void
transform_env(int allow, const char *const *hidden)
{
	extern char **environ;
	char **e;
	jv o, text;
	size_t i;

	free(env_prelude);
	env_prelude = NULL;
	if (!allow)
		return;
	o = jv_object();
	for (e = environ; *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		size_t n;
		int skip = 0;

		if (eq == NULL)
			continue;
		n = (size_t)(eq - *e);
		for (i = 0; hidden != NULL && hidden[i] != NULL; i++)
			if (strlen(hidden[i]) == n &&
			    strncmp(hidden[i], *e, n) == 0)
				skip = 1;
		if (!skip)
			o = jv_object_set(o, jv_string_sized(*e, (int)n),
			    jv_string(eq + 1));
	}
	text = jv_dump_string(o, 0);
	env_prelude = xasprintf("%s as $ENV | def env: $ENV; ",
	    jv_string_value(text));
	jv_free(text);
}

/* The binding of $ENV and env that starts every program. */
static const char *
env_binding(void)
{
	return env_prelude != NULL ? env_prelude :
				     "{} as $ENV | def env: $ENV; ";
}

/*
 * The definitions every program starts with: $ENV, env, jq 1.7's, all
 * on the first line.
 */
static void
put_prelude(struct buf *b)
{
	buf_puts(b, env_binding());
	buf_puts(b, jq_defs);
}

/* libjq error callback: keep the first message in the program's buffer. */
static void
err_cb(void *data, jv msg)
{
	struct jqprog *p = data;

	if (jv_get_kind(msg) == JV_KIND_STRING) {
		const char *s = jv_string_value(msg);

		if (p->err.len == 0 && strstr(s, "compile error") == NULL)
			buf_puts(&p->err, s);
	}
	jv_free(msg);
}

/* libjq debug callback: debug/0 output goes to our log, never stderr. */
static void
debug_cb(void *data, jv msg)
{
	(void)data;
	if (msg_enabled(MSG_DEBUG)) {
		jv s = jv_dump_string(msg, 0);

		msg_debug("jq debug: %s", jv_string_value(s));
		jv_free(s);
	} else
		jv_free(msg);
}

/*
 * Find where libjq's message s points in the program text: 1.6 ends it
 * with "at <top-level>, line N:\n" and that line followed by as many
 * spaces as the column (the caret it meant to print is missing).  Sets
 * p->err_line and p->err_col, or leaves err_line 0.
 */
static void
locate(struct jqprog *p, const char *s, const char *text)
{
	const char *at = strstr(s, " at <top-level>, line "), *ln;
	char *end;
	long line, i;
	size_t n;

	p->err_line = 0;
	if (at == NULL)
		return;
	line = strtol(at + 22, &end, 10);
	if (line < 1 || strncmp(end, ":\n", 2) != 0)
		return;
	for (ln = text, i = 1; i < line && ln != NULL; i++)
		if ((ln = strchr(ln, '\n')) != NULL)
			ln++;
	if (ln == NULL)
		return;
	n = strcspn(ln, "\n");
	end += 2;
	if (strncmp(end, ln, n) != 0)
		return;
	end += n;
	if (*end == '\n')
		end++;
	p->err_line = (int)line;
	p->err_col = (int)strspn(end, " ");
}

/*
 * Compile text into p (initialised here).  Returns 0, or -1 with libjq's
 * message, cleaned of "jq: error: ", its position in the generated
 * program and its hint about shell quoting (there is no shell here), left
 * in p->err, and the position in p->err_line and p->err_col.
 */
static int
prog_compile(struct jqprog *p, const char *text)
{
	char *s, *at;

	buf_init(&p->err);
	p->err_line = 0;
	if ((p->jq = jq_init()) == NULL)
		xmalloc_oom();
	jq_set_error_cb(p->jq, err_cb, p);
	jq_set_debug_cb(p->jq, debug_cb, NULL);
	if (jq_compile(p->jq, text))
		return 0;
	s = buf_detach(&p->err);
	locate(p, s, text);
	if (strncmp(s, "jq: error: ", 11) == 0)
		memmove(s, s + 11, strlen(s + 11) + 1);
	if ((at = strstr(s, " at <top-level>")) != NULL)
		*at = '\0';
	if ((at = strchr(s, '\n')) != NULL)
		*at = '\0';
	if ((at = strstr(s, " (Unix shell quoting issues?)")) != NULL)
		memmove(at, at + 29, strlen(at + 29) + 1);
	if (*s == '\0')
		buf_puts(&p->err, "cannot compile");
	else
		buf_puts(&p->err, s);
	free(s);
	return -1;
}

/* Free p's jq state and message; p may never have been compiled. */
static void
prog_release(struct jqprog *p)
{
	if (p->jq != NULL)
		jq_teardown(&p->jq);
	buf_release(&p->err);
}

/* A jv error message as a new C string (consumes msg). */
static char *
msg_text(jv msg)
{
	char *r;

	if (jv_get_kind(msg) == JV_KIND_STRING) {
		r = xstrdup(jv_string_value(msg));
		jv_free(msg);
	} else {
		jv s = jv_dump_string(msg, 0);

		r = xstrdup(jv_string_value(s));
		jv_free(s);
	}
	return r;
}

/*
 * Run p on input (consumed) and take its first output.  Returns 1 with
 * *out set (owned by the caller), 0 when there is no output, or -1 with
 * *err set to a new message.
 */
static int
prog_first(struct jqprog *p, jv input, jv *out, char **err)
{
	jv r;

	jq_start(p->jq, input, 0);
	r = jq_next(p->jq);
	if (jv_is_valid(r)) {
		*out = r;
		return 1;
	}
	if (jv_invalid_has_msg(jv_copy(r))) {
		*err = msg_text(jv_invalid_get_msg(r));
		return -1;
	}
	jv_free(r);
	return 0;
}

/* ---- building the programs ---- */

/* Simple program p (freed here) as direct_value walks it. */
static struct dprog
direct_prog(struct jqpath *p)
{
	struct dprog d = { NULL, 0 };
	size_t a, k;

	if (p == NULL)
		return d;
	d.alt = xcalloc(p->nalt, sizeof(*d.alt));
	d.nalt = p->nalt;
	for (a = 0; a < p->nalt; a++) {
		const struct jqpath_term *term = &p->alt[a];
		struct dterm *dt = &d.alt[a];

		if (term->string != NULL) {
			dt->lit = jv_string(term->string);
			continue;
		}
		dt->lit = jv_null();
		dt->keys = xcalloc(term->nkeys, sizeof(jv));
		dt->nkeys = term->nkeys;
		for (k = 0; k < term->nkeys; k++)
			dt->keys[k] = jv_string(term->keys[k]);
	}
	jqpath_free(p);
	return d;
}

static void
dprog_free(struct dprog *d)
{
	size_t a, k;

	for (a = 0; a < d->nalt; a++) {
		jv_free(d->alt[a].lit);
		for (k = 0; k < d->alt[a].nkeys; k++)
			jv_free(d->alt[a].keys[k]);
		free(d->alt[a].keys);
	}
	free(d->alt);
	d->alt = NULL;
	d->nalt = 0;
}

/*
 * Register a mapped field of t: its key, its source (kept, owned by the
 * caller of transform_new) and its counters' name (copied).
 */
static void
add_field(struct transform *t, enum fkind k, const char *key,
    const struct mapping_field *src, const char *stat_name)
{
	struct tfield *f;

	t->f = xreallocarray(t->f, t->nf + 1, sizeof(*t->f));
	t->names = xreallocarray(t->names, t->nf + 1, sizeof(*t->names));
	f = &t->f[t->nf];
	f->kind = k;
	f->key = key;
	f->text = jqscan_requote(src->value);
	f->src = src;
	f->shape = 0;
	f->shape_type = NULL;
	f->jkey = jv_string(key);
	f->direct = direct_prog(jqpath_parse(f->text));
	t->names[t->nf] = xstrdup(stat_name);
	t->nf++;
}

/* Register the n mapped fields of one object of the entity (what). */
static void
add_fields(struct transform *t, enum fkind k, const char *what,
    const struct mapping_field *fv, size_t n)
{
	char *stat;
	size_t i;

	for (i = 0; i < n; i++) {
		if (fv[i].value == NULL)
			continue;
		stat = xasprintf("%s.%s", what, fv[i].name);
		add_field(t, k, fv[i].name, &fv[i], stat);
		free(stat);
	}
}

/*
 * Append one field's value expression, wrapped for the slow path or not.
 * A newline ends a text that may hold a comment, which would otherwise
 * swallow the closing parenthesis; other texts stay on one line.
 */
static void
put_value(struct buf *b, const char *text, int wrap)
{
	const char *nl = strchr(text, '#') != NULL ? "\n" : "";

	if (wrap)
		buf_printf(b,
		    "(try ([limit(1; (%s%s))] | if length == 0 then "
		    "{\"__e2p_empty\": 1} else .[0] end) catch "
		    "{\"__e2p_err\": .})",
		    text, nl);
	else
		buf_printf(b, "(%s%s)", text, nl);
}

/*
 * The object that builds the entity: {identifier, ..., relations}.  With
 * spec, the fields that take member ids from a member list are null here
 * (the ids are written in by emit).
 */
static void
put_entity(struct buf *b, const struct transform *t, int wrap, int spec)
{
	size_t i;
	int first = 1;
	enum fkind k;

	buf_putc(b, '{');
	for (i = 0; i < t->nf; i++) {
		if (t->f[i].kind != F_TOP)
			continue;
		buf_printf(b, "%s\"%s\": ", first ? "" : ", ", t->f[i].key);
		put_value(b, t->f[i].text, wrap);
		first = 0;
	}
	for (k = F_PROP; k <= F_REL; k++) {
		int n = 0;

		buf_printf(b, "%s\"%s\": {", first ? "" : ", ",
		    k == F_PROP ? "properties" : "relations");
		first = 0;
		for (i = 0; i < t->nf; i++) {
			if (t->f[i].kind != k)
				continue;
			if (n++ > 0)
				buf_puts(b, ", ");
			buf_json_str(b, t->f[i].key, strlen(t->f[i].key));
			buf_puts(b, ": ");
			put_value(b,
			    spec && t->f[i].shape ? "null" : t->f[i].text,
			    wrap);
		}
		buf_putc(b, '}');
	}
	buf_putc(b, '}');
}

/*
 * libjq's message jqmsg in plainer words (a new string): the end of the
 * field's text is "the end of the expression", whatever token libjq saw
 * there (its own $end, or the parenthesis the field is wrapped in); c is
 * the character at the error, or NUL.
 */
static char *
plain_message(const char *jqmsg, int at_end, char c)
{
	const char *u = strstr(jqmsg, "unexpected "), *e;
	struct buf b;

	buf_init(&b);
	if (u == NULL) {
		buf_puts(&b, jqmsg);
		return buf_detach(&b);
	}
	buf_append(&b, jqmsg, (size_t)(u - jqmsg));
	e = u + 11 + strcspn(u + 11, ",");
	if (at_end)
		buf_puts(&b, "unexpected end of the expression");
	else if (c != '\0' &&
	    (strncmp(u + 11, "INVALID_CHARACTER", 17) == 0 ||
		strncmp(u + 11, "$end", 4) == 0))
		buf_printf(&b, "unexpected '%c'", c);
	else
		buf_append(&b, u, (size_t)(e - u));
	/* "expecting QQSTRING_TEXT or ..." names grammar symbols. */
	if (strstr(e, "QQSTRING") != NULL)
		buf_puts(&b, " (a string is not closed)");
	else if (*e == ',' && strchr(e, '_') == NULL && strchr(e, '$') == NULL)
		buf_puts(&b, e);
	return buf_detach(&b);
}

/* The start of line number line (0-based) of text, or NULL. */
static const char *
nth_line(const char *text, long line)
{
	for (; line > 0 && text != NULL; line--)
		if ((text = strchr(text, '\n')) != NULL)
			text++;
	return text;
}

/*
 * Where libjq's error in p points in the field's text (compile_one's
 * program: the definitions, "(", the text): *line and *col, 0-based.
 * Returns 1 when it points past the text (the expression ended too
 * early), 0 inside it, -1 when libjq gave no position.
 */
static int
error_place(const struct jqprog *p, const char *text, long *line, long *col)
{
	const char *ln;
	long nlines = 1;
	const char *s;

	for (s = text; *s != '\0'; s++)
		nlines += *s == '\n';
	if (*text != '\0' && text[strlen(text) - 1] == '\n')
		nlines--;
	if (p->err_line <= 0)
		return -1;
	*line = p->err_line - 1;
	*col = p->err_col -
	    (*line == 0 ? (long)(strlen(env_binding()) + strlen(jq_defs)) + 1 :
			  0);
	if (*line >= nlines || *col < 0 || (ln = nth_line(text, *line)) == NULL)
		return 1;
	if (*col >= (long)strcspn(ln, "\n") && *line == nlines - 1)
		return 1;
	return 0;
}

/*
 * Print a compile error for field name at src's position (text is the
 * program as compiled, p its failed compilation): the field, libjq's
 * message, and the expression with a caret where libjq stopped.
 */
static void
report(const struct transform *t, const struct mapping_field *src,
    const char *name, const char *text, const struct jqprog *p)
{
	const char *hint = jqscan_if_without_else(text) ? else_hint : "";
	const char *shown = src != NULL && src->value != NULL ? src->value :
								text;
	const char *ln, *jqmsg = p->err.data != NULL ? p->err.data : "";
	struct buf where, caret;
	char *m, c = '\0';
	long line = 0, col = 0, len, stray;
	int place = error_place(p, text, &line, &col);

	buf_init(&where);
	buf_init(&caret);
	if (src != NULL && src->line > 0)
		buf_printf(&where, "%s:%d:%d: ", t->file, src->line, src->col);
	else
		buf_printf(&where, "%s: ", t->file);
	if (place == 1 && strstr(jqmsg, "expecting $end") != NULL &&
	    (stray = jqscan_stray_close(shown)) >= 0) {
		/* The text closed the parenthesis it is wrapped in. */
		for (line = 0, ln = shown; strchr(ln, '\n') != NULL &&
		     strchr(ln, '\n') < shown + stray;
		     line++)
			ln = strchr(ln, '\n') + 1;
		col = (long)(shown + stray - ln);
		place = 0;
	}
	if (place == 0 && strstr(jqmsg, "unexpected $end") != NULL)
		place = 1;
	if (place >= 0) {
		if (place == 1) {
			/* The last line that has text. */
			for (line = 0, ln = shown; strchr(ln, '\n') != NULL &&
			     ln[strcspn(ln, "\n") + 1] != '\0';
			     line++)
				ln = strchr(ln, '\n') + 1;
			col = (long)strcspn(ln, "\n");
		} else if ((ln = nth_line(shown, line)) == NULL)
			ln = shown;
		len = (long)strcspn(ln, "\n");
		if (col > len)
			col = len;
		if (place == 0 && col < len)
			c = ln[col];
		buf_printf(&caret, "\n    %.*s\n    %*s^", (int)len, ln,
		    (int)col, "");
	}
	m = plain_message(jqmsg, place == 1, c);
	msg_error("%sresource '%s': field '%s': jq: %s%s%s", buf_str(&where),
	    t->kind, name, m, hint, buf_str(&caret));
	free(m);
	buf_release(&where);
	buf_release(&caret);
}

/*
 * Compile a program made of the definitions and one value expression.
 * Returns 0 or -1 (after printing the error for the named field).
 */
static int
compile_one(struct transform *t, struct jqprog *p, const char *text,
    const struct mapping_field *src, const char *name, int report_it)
{
	struct buf b;
	int r;

	buf_init(&b);
	put_prelude(&b);
	put_value(&b, text, 0);
	r = prog_compile(p, buf_str(&b));
	buf_release(&b);
	if (r == -1 && report_it)
		report(t, src, name, text, p);
	return r;
}

/*
 * Compile the selector alone and the wrapped entity program of t on first
 * use (most runs never need them).  Returns 0 or -1, message in the
 * programs' err buffers.
 */
static int
compile_slow(struct transform *t, int spec)
{
	struct jqprog *p = spec ? &t->mslow : &t->slow;
	int *ready = spec ? &t->mslow_ready : &t->slow_ready;
	struct buf b;
	int r;

	if (*ready)
		return 0;
	if (!t->sel_ready) {
		if (t->sel.jq != NULL ||
		    compile_one(t, &t->sel, t->sel_text, NULL, "selector.query",
			0) == -1)
			return -1;
		t->sel_ready = 1;
	}
	buf_init(&b);
	put_prelude(&b);
	put_entity(&b, t, 1, spec);
	r = prog_compile(p, buf_str(&b));
	buf_release(&b);
	if (r == 0)
		*ready = 1;
	return r;
}

/*
 * The member-id shapes: a field whose text is one of these, over a
 * .members array of {"@odata.type","id"} objects, gives the ids of the
 * members in order, all of them or those of one type:
 *   [.members[]?.id]   [.members[] | .id]
 *   [.members[]? | select(."@odata.type" == "#microsoft.graph.user") | .id]
 * (blanks aside, "?" after "[]" or ".id" optional).  Such a field never
 * errors and yields one array, so the ids can be written from a member
 * list without building a jq value per member.  Returns 1 with *type set
 * (a new string, or NULL for all members), or 0.
 */
static int
shape_of(const char *text, char **type)
{
	static const char head[] = "[.members[]";
	static const char sel[] = "select(.\"@odata.type\"==\"";
	struct buf b;
	const char *p, *q, *lit;
	int ok = 0, instr = 0;

	*type = NULL;
	/* The text without blanks outside strings; a comment: no shape. */
	buf_init(&b);
	for (p = text; *p != '\0'; p++) {
		if (instr) {
			if (*p == '\\' && p[1] != '\0')
				buf_putc(&b, *p++);
			else if (*p == '"')
				instr = 0;
		} else if (*p == '"') {
			instr = 1;
		} else if (*p == '#') {
			goto out;
		} else if (*p == ' ' || *p == '\t' || *p == '\n' ||
		    *p == '\r') {
			continue;
		}
		buf_putc(&b, *p);
	}
	p = buf_str(&b);
	if (strncmp(p, head, sizeof(head) - 1) != 0)
		goto out;
	p += sizeof(head) - 1;
	if (*p == '?')
		p++;
	if (*p == '|' && strncmp(p + 1, sel, sizeof(sel) - 1) == 0) {
		lit = p + 1 + sizeof(sel) - 1;
		/* A plain literal: its text is the string's bytes. */
		for (q = lit; *q != '\0' && *q != '"' && *q != '\\'; q++)
			continue;
		if (*q != '"' || q == lit || strncmp(q, "\")|", 3) != 0)
			goto out;
		*type = xstrndup(lit, (size_t)(q - lit));
		p = q + 2;
	}
	if (*p == '|')
		p++;
	if (strcmp(p, ".id]") == 0 || strcmp(p, ".id?]") == 0)
		ok = 1;
out:
	if (!ok) {
		free(*type);
		*type = NULL;
	}
	buf_release(&b);
	return ok;
}

/*
 * Compile into p the one program that selects and maps an item: the
 * selector's verdict, then the entity (shapes: member-id fields left
 * null, for the members fast path).  Returns 0, or -1 with p's error.
 */
static int
compile_fast(struct transform *t, struct jqprog *p, int shapes)
{
	struct buf b;
	int rc;

	buf_init(&b);
	put_prelude(&b);
	put_value(&b, t->sel_text, 0);
	buf_puts(&b,
	    " as $__e2p_s | if ($__e2p_s | type) != \"boolean\" "
	    "then {\"__e2p_sel\": $__e2p_s} elif $__e2p_s then ");
	put_entity(&b, t, 0, shapes);
	buf_puts(&b, " else false end");
	rc = prog_compile(p, buf_str(&b));
	buf_release(&b);
	return rc;
}

/*
 * Mark the fields of t that have a member-id shape, when nothing else in
 * the resource reads .members (or may: a program whose fields cannot be
 * listed) and no two fields share a key; then compile the program that
 * leaves them null.  Returns 0 (t->shapes set, maybe 0) or -1 if that
 * program does not compile (it compiles whenever the plain one does).
 */
static int
shapes_settle(struct transform *t, const struct mapping_resource *r)
{
	struct mapping_resource copy = *r;
	struct mapping_field *props, *rels;
	char *read, *type;
	size_t i, j;
	int n = 0;

	for (i = 0; i < t->nf; i++) {
		if (t->f[i].kind == F_TOP || !shape_of(t->f[i].text, &type))
			continue;
		t->f[i].shape = 1;
		t->f[i].shape_type = type;
		n++;
	}
	for (i = 0; i < t->nf && n > 0; i++)
		for (j = i + 1; j < t->nf; j++)
			if (t->f[i].kind == t->f[j].kind &&
			    strcmp(t->f[i].key, t->f[j].key) == 0)
				n = 0;
	if (n == 0)
		goto none;
	/* What the other fields and the selector read. */
	props = xcalloc(r->nproperties + 1, sizeof(*props));
	rels = xcalloc(r->nrelations + 1, sizeof(*rels));
	if (r->nproperties > 0)
		memcpy(props, r->properties, r->nproperties * sizeof(*props));
	if (r->nrelations > 0)
		memcpy(rels, r->relations, r->nrelations * sizeof(*rels));
	for (i = 0; i < t->nf; i++) {
		const struct mapping_field *f = t->f[i].src;

		if (!t->f[i].shape)
			continue;
		if (t->f[i].kind == F_PROP)
			props[f - r->properties].value = NULL;
		else
			rels[f - r->relations].value = NULL;
	}
	copy.properties = props;
	copy.relations = rels;
	read = jqscan_fields_read(&copy);
	free(props);
	free(rels);
	if (read == NULL || csv_has(read, "members")) {
		free(read);
		goto none;
	}
	free(read);
	t->shapes = n;
	return compile_fast(t, &t->mfast, 1);
none:
	for (i = 0; i < t->nf; i++) {
		t->f[i].shape = 0;
		free(t->f[i].shape_type);
		t->f[i].shape_type = NULL;
	}
	t->shapes = 0;
	return 0;
}

struct transform *
transform_new(const struct mapping_resource *r, const char *file)
{
	static const struct mapping_field dflt_sel = { NULL, NULL, 0, 0 };
	struct transform *t;
	size_t i, j;
	int ok;

	t = xcalloc(1, sizeof(*t));
	t->kind = xstrdup(r->kind ? r->kind : "");
	t->file = xstrdup(file ? file : "<mapping>");
	t->sel_text = jqscan_requote(r->query.value ? r->query.value : "true");
	t->dp_raw = xstrdup(r->data_path.value ? r->data_path.value : ".");
	t->dp_text = jqscan_requote(t->dp_raw);

#define TOP(fld, key)             \
	if (r->fld.value != NULL) \
	add_field(t, F_TOP, key, &r->fld, key)
	TOP(identifier, "identifier");
	TOP(title, "title");
	TOP(blueprint, "blueprint");
	TOP(icon, "icon");
	TOP(team, "team");
#undef TOP
	add_fields(t, F_PROP, "properties", r->properties, r->nproperties);
	add_fields(t, F_REL, "relations", r->relations, r->nrelations);
	t->direct = jqpath_is_true(t->sel_text);
	t->direct_text = 1;
	t->vals = xcalloc(t->nf + 1, sizeof(jv));
	t->id_at = t->bp_at = -1;
	for (i = 0; i < t->nf; i++) {
		if (t->f[i].direct.nalt == 0)
			t->direct = 0;
		if (t->f[i].kind == F_TOP &&
		    strcmp(t->f[i].key, "identifier") == 0)
			t->id_at = (int)i;
		if (t->f[i].kind == F_TOP &&
		    strcmp(t->f[i].key, "blueprint") == 0)
			t->bp_at = (int)i;
		for (j = i + 1; j < t->nf; j++)
			if (t->f[i].kind == t->f[j].kind &&
			    strcmp(t->f[i].key, t->f[j].key) == 0)
				t->direct_text = 0;
	}
	t->st.nfields = t->nf;
	t->st.fields = xcalloc(t->nf ? t->nf : 1, sizeof(*t->st.fields));
	for (i = 0; i < t->nf; i++)
		t->st.fields[i].name = t->names[i];

	/* A program simple enough to run without libjq always compiles:
	 * it is compiled when first needed, if ever (each compile costs
	 * libjq's builtins, tens of milliseconds before the first read). */
	t->dp_direct = direct_prog(jqpath_parse(t->dp_text));
	ok = 1;
	if (t->dp_direct.nalt == 0) {
		ok = compile_one(t, &t->dp, t->dp_text,
			 r->data_path.value ? &r->data_path : &dflt_sel,
			 "selector.data_path", 1) == 0;
		t->dp_ready = ok;
	}
	if (!t->direct && compile_fast(t, &t->fast, 0) == 0)
		t->fast_ready = 1;
	else if (!t->direct) {
		struct jqprog p;
		int found = 0;

		if (compile_one(t, &p, t->sel_text, &r->query, "selector.query",
			1) == -1)
			found = 1;
		prog_release(&p);
		for (i = 0; i < t->nf; i++) {
			if (compile_one(t, &p, t->f[i].text, t->f[i].src,
				t->names[i], 1) == -1)
				found = 1;
			prog_release(&p);
		}
		if (!found)
			msg_error("%s: resource '%s': jq: %s", t->file, t->kind,
			    buf_str(&t->fast.err));
		ok = 0;
	}
	if (ok && r->members != MEMBERS_NONE && shapes_settle(t, r) == -1) {
		msg_error("%s: resource '%s': jq: %s", t->file, t->kind,
		    buf_str(&t->mfast.err));
		ok = 0;
	}
	if (!ok) {
		transform_free(t);
		return NULL;
	}
	return t;
}

void
transform_free(struct transform *t)
{
	size_t i;

	if (t == NULL)
		return;
	prog_release(&t->fast);
	prog_release(&t->slow);
	prog_release(&t->sel);
	prog_release(&t->dp);
	dprog_free(&t->dp_direct);
	buf_release(&t->text);
	free(t->vals);
	prog_release(&t->mfast);
	prog_release(&t->mslow);
	for (i = 0; i < t->nf; i++) {
		free(t->f[i].text);
		free(t->f[i].shape_type);
		jv_free(t->f[i].jkey);
		dprog_free(&t->f[i].direct);
		free(t->names[i]);
		free(t->st.fields[i].first_error);
	}
	free(t->f);
	free(t->names);
	free(t->st.fields);
	free(t->sel_text);
	free(t->dp_text);
	free(t->dp_raw);
	free(t->kind);
	free(t->file);
	free(t);
}

const struct transform_stats *
transform_stats(const struct transform *t)
{
	return &t->st;
}

/* ---- pages ---- */

static void put_dump(struct buf *, jv);
static int direct_value(const struct dprog *, jv, jv *);

/*
 * Compile the data_path on first use (transform_new skipped it as simple
 * enough to run without libjq).  Returns 0, or -1 with *err set.
 */
static int
dp_ready(struct transform *t, char **err)
{
	if (!t->dp_ready) {
		if (compile_one(t, &t->dp, t->dp_text, NULL, NULL, 0) == -1) {
			*err = xstrdup(buf_str(&t->dp.err));
			return -1;
		}
		t->dp_ready = 1;
	}
	return 0;
}

/* "a" or "an" before a jq type name. */
static const char *
article(jv_kind k)
{
	return k == JV_KIND_OBJECT || k == JV_KIND_ARRAY ? "an" : "a";
}

/*
 * Make a page from a parsed document (consumed): its items are the first
 * output of dp (when dp is not NULL), else the document itself.
 */
static struct tpage *
page_from(struct transform *t, jv doc, int use_dp, char **err)
{
	struct tpage *pg;
	jv items = jv_null(), link;
	char *e = NULL;
	int r = 1;

	pg = xcalloc(1, sizeof(*pg));
	if (jv_get_kind(doc) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(doc), jv_string("@odata.nextLink"))) {
		link = jv_object_get(jv_copy(doc),
		    jv_string("@odata.nextLink"));
		if (jv_get_kind(link) == JV_KIND_STRING) {
			pg->next = xstrdup(jv_string_value(link));
		} else if (use_dp) {
			/* Not the end of the chain, nor a way on. */
			*err = xasprintf("its @odata.nextLink is %s %s, not a "
					 "string",
			    article(jv_get_kind(link)),
			    jv_kind_name(jv_get_kind(link)));
			jv_free(link);
			jv_free(doc);
			goto fail;
		}
		jv_free(link);
	}
	if (!use_dp) {
		items = jv_array_append(jv_array(), doc);
	} else {
		if (t->dp_direct.nalt > 0 &&
		    direct_value(&t->dp_direct, doc, &items) == 0) {
			jv_free(doc);
		} else if (dp_ready(t, &e) == -1) {
			jv_free(doc);
			r = -1;
		} else {
			r = prog_first(&t->dp, doc, &items, &e);
			/* Let go of the page held by the jq state. */
			jq_start(t->dp.jq, jv_null(), 0);
		}
		if (r == -1) {
			*err = xasprintf("data_path '%s': jq: %s", t->dp_raw,
			    e);
			free(e);
			goto fail;
		}
		if (r == 0)
			items = jv_null();
	}
	switch (jv_get_kind(items)) {
	case JV_KIND_NULL:
		/* {"value": null} or no "value": an empty collection would
		 * look the same, and deleting on it would empty Port. */
		*err = xasprintf("data_path '%s' gave %s, not an array",
		    t->dp_raw, r == 0 ? "nothing" : "null");
		jv_free(items);
		goto fail;
	case JV_KIND_OBJECT:
		items = jv_array_append(jv_array(), items);
		break;
	case JV_KIND_ARRAY:
		pg->collection = 1;
		break;
	default:
		*err = xasprintf("data_path '%s' is %s %s, not an array",
		    t->dp_raw, article(jv_get_kind(items)),
		    jv_kind_name(jv_get_kind(items)));
		jv_free(items);
		goto fail;
	}
	pg->n = (size_t)jv_array_length(jv_copy(items));
	pg->items = xcalloc(pg->n ? pg->n : 1, sizeof(jv));
	pg->ids = xcalloc(pg->n ? pg->n : 1, sizeof(char *));
	{
		size_t i = 0;

		jv_array_foreach(items, k, v) {
			pg->items[i++] = v;
			(void)k;
		}
	}
	jv_free(items);
	return pg;
fail:
	tpage_free(pg);
	return NULL;
}

/*
 * Read the JSON text json of len bytes into *doc (the caller's): by jvtext,
 * or by libjq where jvtext leaves it.  Returns 0, or -1 with *err set.
 */
static int
parse_json(const char *json, size_t len, jv *doc, char **err)
{
	char *m;

	if (jvtext_parse(json, len, doc) == 0)
		return 0;
	*doc = jv_parse_sized(json, (int)len);
	if (jv_is_valid(*doc))
		return 0;
	m = msg_text(jv_invalid_get_msg(*doc));
	*err = xasprintf("not JSON: %s", m);
	free(m);
	return -1;
}

struct tpage *
transform_page(struct transform *t, const char *json, size_t len, char **err)
{
	jv doc;

	*err = NULL;
	if (parse_json(json, len, &doc, err) == -1)
		return NULL;
	return page_from(t, doc, 1, err);
}

size_t
tpage_count(const struct tpage *pg)
{
	return pg->n;
}

int
tpage_is_collection(const struct tpage *pg)
{
	return pg->collection;
}

const char *
tpage_next_link(const struct tpage *pg)
{
	return pg->next;
}

const char *
tpage_item_id(const struct tpage *pg, size_t i)
{
	jv id;

	if (i >= pg->n || jv_get_kind(pg->items[i]) != JV_KIND_OBJECT)
		return NULL;
	if (pg->ids[i] != NULL)
		return pg->ids[i];
	id = jv_object_get(jv_copy(pg->items[i]), jv_string("id"));
	if (jv_get_kind(id) == JV_KIND_STRING)
		pg->ids[i] = xstrdup(jv_string_value(id));
	jv_free(id);
	return pg->ids[i];
}

char *
tpage_item_json(const struct tpage *pg, size_t i)
{
	struct buf b;
	char *r;

	if (i >= pg->n || !jv_is_valid(pg->items[i]))
		return NULL;
	buf_init(&b);
	put_dump(&b, jv_copy(pg->items[i]));
	r = buf_detach(&b);
	return r;
}

void
tpage_free(struct tpage *pg)
{
	size_t i;

	if (pg == NULL)
		return;
	for (i = 0; i < pg->n; i++) {
		jv_free(pg->items[i]);
		free(pg->ids[i]);
	}
	free(pg->items);
	free(pg->ids);
	free(pg->next);
	free(pg);
}

/* ---- running ---- */

/*
 * Append the compact JSON text of v (consumed) to b, as jv_dump_string
 * writes it (libjq itself writes what nests too deep for jvtext).
 */
static void
put_dump(struct buf *b, jv v)
{
	jv s;

	if (jvtext_put(b, v) == 0) {
		jv_free(v);
		return;
	}
	s = jv_dump_string(v, 0);
	buf_append(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
}

/*
 * Append the JSON array of the ids of ml's members (those of the given
 * type, or all), as jv_dump_string would write the array of strings.
 */
static void
put_ids(struct buf *b, const struct members *ml, const char *type)
{
	struct members_iter it = MEMBERS_ITER_INIT;
	const char *mt, *id;
	size_t n, k;
	int first = 1;

	buf_putc(b, '[');
	while (members_next(ml, &it, &mt, &id, &n)) {
		if (type != NULL && (mt == NULL || strcmp(mt, type) != 0))
			continue;
		if (!first)
			buf_putc(b, ',');
		first = 0;
		/* Printable ASCII but '"' and '\\' is written as it is;
		 * anything else goes through libjq, which mends bad UTF-8. */
		for (k = 0; k < n; k++) {
			unsigned char c = (unsigned char)id[k];

			if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
				break;
		}
		if (k == n) {
			buf_putc(b, '"');
			buf_append(b, id, n);
			buf_putc(b, '"');
		} else {
			put_dump(b, jv_string_sized(id, (int)n));
		}
	}
	buf_putc(b, ']');
}

/*
 * Append the JSON text of object o (not consumed) as jv_dump_string would
 * write it, with the member-id fields of kind k (in o, or in its
 * "properties" and "relations" objects when k is F_TOP) written from ml.
 */
static void
put_spliced(struct buf *b, const struct transform *t, jv o, enum fkind k,
    const struct members *ml)
{
	const char *key;
	size_t i;
	int it, first = 1;

	if (jv_object_length(jv_copy(o)) == 0) {
		buf_puts(b, "{}");
		return;
	}
	buf_putc(b, '{');
	for (it = jv_object_iter(o); jv_object_iter_valid(o, it);
	     it = jv_object_iter_next(o, it)) {
		jv kv = jv_object_iter_key(o, it);
		jv v = jv_object_iter_value(o, it);

		if (!first)
			buf_putc(b, ',');
		first = 0;
		key = jv_string_value(kv);
		put_dump(b, jv_copy(kv));
		buf_putc(b, ':');
		if (k == F_TOP && jv_get_kind(v) == JV_KIND_OBJECT &&
		    (strcmp(key, "properties") == 0 ||
			strcmp(key, "relations") == 0)) {
			put_spliced(b, t, v, key[0] == 'p' ? F_PROP : F_REL,
			    ml);
			jv_free(v);
			jv_free(kv);
			continue;
		}
		for (i = 0; k != F_TOP && i < t->nf; i++)
			if (t->f[i].shape && t->f[i].kind == k &&
			    strcmp(t->f[i].key, key) == 0)
				break;
		if (k != F_TOP && i < t->nf) {
			put_ids(b, ml, t->f[i].shape_type);
			jv_free(v);
		} else {
			put_dump(b, v);
		}
		jv_free(kv);
	}
	buf_putc(b, '}');
}

/*
 * The entity text buffer is kept for the next entity up to this size; a
 * larger one (a big group's) is given back once sent.
 */
#define TEXT_KEEP (256 * 1024)

/* Hand the entity text in t->text to fn.  Returns 0, or -1 with *err. */
static int
send_text(struct transform *t, const char *bp, const char *id,
    transform_emit_fn fn, void *arg, char **err)
{
	int r = 0;

	if (fn != NULL &&
	    fn(arg, bp, id, buf_str(&t->text), t->text.len) == -1) {
		*err = xasprintf("resource '%s': output stopped", t->kind);
		r = -1;
	}
	if (t->text.cap > TEXT_KEEP)
		buf_release(&t->text);
	return r;
}

/*
 * Whether v (not consumed) can name an entity or a blueprint: a non-empty
 * string.  A NUL inside would cut the name short in C: such an entity
 * cannot be named, so it is dropped like an empty one.
 */
static int
nameable(jv v)
{
	return jv_get_kind(v) == JV_KIND_STRING &&
	    jv_string_length_bytes(jv_copy(v)) > 0 &&
	    strlen(jv_string_value(v)) ==
	    (size_t)jv_string_length_bytes(jv_copy(v));
}

/*
 * Emit entity e (consumed) unless its identifier or blueprint is unusable.
 * With ml, e came from the program that left the member-id fields null,
 * and they are written from ml.
 */
static int
emit(struct transform *t, jv e, const struct members *ml, transform_emit_fn fn,
    void *arg, char **err)
{
	jv id, bp;
	int r = 0;

	id = jv_object_get(jv_copy(e), jv_string("identifier"));
	bp = jv_object_get(jv_copy(e), jv_string("blueprint"));
	if (!nameable(id) || !nameable(bp)) {
		t->st.dropped++;
		jv_free(e);
		goto out;
	}
	t->st.entities++;
	buf_reset(&t->text);
	if (ml != NULL) {
		put_spliced(&t->text, t, e, F_TOP, ml);
		jv_free(e);
	} else {
		put_dump(&t->text, e);
	}
	r = send_text(t, jv_string_value(bp), jv_string_value(id), fn, arg,
	    err);
out:
	jv_free(id);
	jv_free(bp);
	return r;
}

/* 1 if v is a one-key object {key: ...}; consumes nothing. */
static int
is_marker(jv v, const char *key)
{
	int r;
	jv x;

	if (jv_get_kind(v) != JV_KIND_OBJECT ||
	    jv_object_length(jv_copy(v)) != 1)
		return 0;
	x = jv_object_get(jv_copy(v), jv_string(key));
	r = jv_is_valid(x);
	jv_free(x);
	return r;
}

/* The message for a non-boolean selector value v (consumed); new string. */
static char *
sel_type_error(const struct transform *t, jv v)
{
	jv_kind k = jv_get_kind(v);
	char *m;

	m = xasprintf("resource '%s': selector returned %s %s, not a boolean",
	    t->kind, article(k), jv_kind_name(k));
	jv_free(v);
	return m;
}

/* An entity being assembled: its top keys, properties and relations. */
struct parts {
	jv ent, props, rels;
};

static void
parts_init(struct parts *p)
{
	p->ent = jv_object();
	p->props = jv_object();
	p->rels = jv_object();
}

/* Set field f to v (consumed) in its object. */
static void
parts_set(struct parts *p, const struct tfield *f, jv v)
{
	jv *o = f->kind == F_TOP ? &p->ent :
	    f->kind == F_PROP    ? &p->props :
				   &p->rels;

	*o = jv_object_set(*o, jv_copy(f->jkey), v);
}

/* The entity, keys in the fast program's order (the parts consumed). */
static jv
parts_entity(struct parts *p)
{
	p->ent = jv_object_set(p->ent, jv_string("properties"), p->props);
	return jv_object_set(p->ent, jv_string("relations"), p->rels);
}

/*
 * The slow path for one item: the selector alone, then every field wrapped
 * so errors and empty results come back as markers.  Returns 0 or -1.
 */
static int
run_slow(struct transform *t, jv item, const struct members *ml,
    transform_emit_fn fn, void *arg, char **err)
{
	struct jqprog *slow = ml != NULL ? &t->mslow : &t->slow;
	jv sel = jv_null(), res, v;
	struct parts parts;
	char *e = NULL;
	size_t i;
	int r;

	t->st.slow_path++;
	if (compile_slow(t, ml != NULL) == -1) {
		*err = xasprintf("resource '%s': jq: %s", t->kind,
		    t->sel.err.len > 0 ? buf_str(&t->sel.err) :
					 buf_str(&slow->err));
		jv_free(item);
		return -1;
	}
	r = prog_first(&t->sel, jv_copy(item), &sel, &e);
	if (r == -1) {
		*err = xasprintf("resource '%s': selector.query: jq: %s",
		    t->kind, e);
		free(e);
		jv_free(item);
		return -1;
	}
	if (jv_get_kind(sel) != JV_KIND_TRUE &&
	    jv_get_kind(sel) != JV_KIND_FALSE) {
		*err = sel_type_error(t, sel);
		jv_free(item);
		return -1;
	}
	if (jv_get_kind(sel) == JV_KIND_FALSE) {
		jv_free(item);
		return 0;
	}
	t->st.selected++;
	r = prog_first(slow, item, &res, &e);
	if (r != 1 || jv_get_kind(res) != JV_KIND_OBJECT) {
		*err = xasprintf("resource '%s': cannot map item: %s", t->kind,
		    e ? e : "no entity");
		free(e);
		if (r == 1)
			jv_free(res);
		return -1;
	}
	parts_init(&parts);
	for (i = 0; i < t->nf; i++) {
		struct tfield *f = &t->f[i];
		struct transform_field_stat *fs = &t->st.fields[i];

		if (f->kind == F_TOP)
			v = jv_object_get(jv_copy(res), jv_copy(f->jkey));
		else {
			v = jv_object_get(jv_copy(res),
			    jv_string(f->kind == F_PROP ? "properties" :
							  "relations"));
			v = jv_object_get(v, jv_copy(f->jkey));
		}
		if (is_marker(v, "__e2p_empty")) {
			fs->empty++;
			jv_free(v);
			v = jv_null();
		} else if (is_marker(v, "__e2p_err")) {
			fs->errors++;
			if (fs->first_error == NULL)
				fs->first_error = msg_text(jv_object_get(v,
				    jv_string("__e2p_err")));
			else
				jv_free(v);
			v = jv_null();
		}
		if (!jv_is_valid(v)) {
			jv_free(v);
			v = jv_null();
		}
		parts_set(&parts, f, v);
	}
	jv_free(res);
	return emit(t, parts_entity(&parts), ml, fn, arg, err);
}

/*
 * The value of simple program p (direct_prog's; not consumed) on item
 * (not consumed), as libjq would give it: a key of an object (null when
 * absent), of null (null), the first alternative that is neither null
 * nor false, else the last.  Returns 0, or -1 where libjq would fail (a
 * key of a string, a number, an array or a boolean): the item then goes
 * to libjq, which says how.
 */
static int
direct_value(const struct dprog *p, jv item, jv *out)
{
	const struct dterm *term;
	size_t a, k;
	jv v;

	*out = jv_null();
	for (a = 0; a < p->nalt; a++) {
		term = &p->alt[a];
		v = jv_copy(term->keys == NULL ? term->lit : item);
		for (k = 0; term->keys != NULL && k < term->nkeys &&
		     jv_get_kind(v) != JV_KIND_NULL;
		     k++) {
			if (jv_get_kind(v) != JV_KIND_OBJECT) {
				jv_free(v);
				return -1;
			}
			v = jv_object_get(v, jv_copy(term->keys[k]));
			if (!jv_is_valid(v)) {
				jv_free(v);
				v = jv_null();
			}
		}
		if (a + 1 == p->nalt ||
		    (jv_get_kind(v) != JV_KIND_NULL &&
			jv_get_kind(v) != JV_KIND_FALSE)) {
			*out = v;
			return 0;
		}
		jv_free(v);
	}
	return -1; /* not reached: a program has a term */
}

/*
 * The direct path's entity, written as text straight from the field
 * values vals[0..nf) (consumed), with the keys where parts_entity puts
 * them: the top-level fields, then "properties" and "relations" objects
 * of the others, each in field order (no key twice: t->direct_text).
 * Returns as emit does, or -2 (nothing emitted, vals kept) when a value
 * nests too deep for jvtext: then the entity is built as a value.
 */
static int
emit_direct(struct transform *t, jv *vals, size_t nf, transform_emit_fn fn,
    void *arg, char **err)
{
	static const char *const obj[] = { NULL, "properties", "relations" };
	struct buf *text = &t->text;
	size_t i, m, top = 0;
	int k, r = 0;

	if (t->id_at < 0 || t->bp_at < 0 || !nameable(vals[t->id_at]) ||
	    !nameable(vals[t->bp_at])) {
		t->st.dropped++;
		goto out;
	}
	buf_reset(text);
	buf_putc(text, '{');
	for (k = F_TOP; k <= F_REL; k++) {
		if (k != F_TOP) {
			buf_puts(text, top++ > 0 ? ",\"" : "\"");
			buf_puts(text, obj[k]);
			buf_puts(text, "\":{");
		}
		for (i = 0, m = 0; i < nf; i++) {
			if ((int)t->f[i].kind != k)
				continue;
			if (m++ > 0)
				buf_putc(text, ',');
			jvtext_put(text, t->f[i].jkey);
			buf_putc(text, ':');
			if (jvtext_put(text, vals[i]) == -1)
				return -2;
		}
		if (k == F_TOP)
			top = m;
		else
			buf_putc(text, '}');
	}
	buf_putc(text, '}');
	t->st.entities++;
	r = send_text(t, jv_string_value(vals[t->bp_at]),
	    jv_string_value(vals[t->id_at]), fn, arg, err);
out:
	for (i = 0; i < nf; i++)
		jv_free(vals[i]);
	return r;
}

/*
 * The direct path for item (not consumed): its entity emitted, written as
 * text where it can be.  Returns as emit does, or -2 when an item's value
 * is not what a simple path can read (libjq then runs).
 */
static int
run_direct_emit(struct transform *t, jv item, transform_emit_fn fn, void *arg,
    char **err)
{
	struct parts parts;
	size_t i, nf = t->nf;
	jv *vals = t->vals;
	int r;

	for (i = 0; i < nf; i++)
		if (direct_value(&t->f[i].direct, item, &vals[i]) == -1) {
			while (i-- > 0)
				jv_free(vals[i]);
			return -2;
		}
	t->st.direct++;
	t->st.selected++;
	if (t->direct_text &&
	    (r = emit_direct(t, vals, nf, fn, arg, err)) != -2)
		return r;
	parts_init(&parts);
	for (i = 0; i < nf; i++)
		parts_set(&parts, &t->f[i], vals[i]);
	return emit(t, parts_entity(&parts), NULL, fn, arg, err);
}

/*
 * Map one item (consumed): fast path, or slow path when needed.  With ml,
 * the item is a group whose member-id fields come from ml (t->shapes).
 */
static int
run_item(struct transform *t, jv item, const struct members *ml,
    transform_emit_fn fn, void *arg, char **err)
{
	jq_state *jq;
	jv r, r2;

	t->st.items++;
	/* Plain paths on an object: libjq's answer, without its cost. */
	if (t->direct && ml == NULL && jv_get_kind(item) == JV_KIND_OBJECT) {
		int rd = run_direct_emit(t, item, fn, arg, err);

		if (rd != -2) {
			jv_free(item);
			return rd;
		}
	}
	if (ml == NULL && !t->fast_ready) {
		/* Not reached from a direct mapping's compile failing: its
		 * programs always compile.  Still, say so if it does. */
		if (compile_fast(t, &t->fast, 0) == -1) {
			*err = xasprintf("resource '%s': jq: %s", t->kind,
			    buf_str(&t->fast.err));
			jv_free(item);
			return -1;
		}
		t->fast_ready = 1;
	}
	jq = ml != NULL ? t->mfast.jq : t->fast.jq;
	jq_start(jq, jv_copy(item), 0);
	r = jq_next(jq);
	if (!jv_is_valid(r)) {
		jv_free(r);
		return run_slow(t, item, ml, fn, arg, err);
	}
	r2 = jq_next(jq);
	if (jv_is_valid(r2) || jv_invalid_has_msg(jv_copy(r2)) ||
	    jq_halted(jq)) {
		jv_free(r2);
		jv_free(r);
		return run_slow(t, item, ml, fn, arg, err);
	}
	jv_free(r2);
	jv_free(item);
	if (jv_get_kind(r) == JV_KIND_FALSE) {
		jv_free(r);
		return 0;
	}
	if (is_marker(r, "__e2p_sel")) {
		*err = sel_type_error(t,
		    jv_object_get(r, jv_string("__e2p_sel")));
		return -1;
	}
	t->st.selected++;
	return emit(t, r, ml, fn, arg, err);
}

int
transform_run(struct transform *t, struct tpage *pg, transform_emit_fn fn,
    void *arg, char **err)
{
	size_t i;

	*err = NULL;
	for (i = 0; i < pg->n; i++) {
		if (!jv_is_valid(pg->items[i]))
			continue; /* dropped by tpage_drop() */
		if (run_item(t, jv_copy(pg->items[i]), NULL, fn, arg, err) ==
		    -1)
			return -1;
	}
	return 0;
}

/*
 * ml as a jq array of {"@odata.type","id"} objects ("@odata.type" null for
 * a member without one), in ml's order: what $expand would have given.
 */
static jv
members_array(const struct members *ml)
{
	struct members_iter it = MEMBERS_ITER_INIT;
	jv a = jv_array_sized((int)members_count(ml));
	jv ktype = jv_string("@odata.type"), kid = jv_string("id");
	jv tjv = jv_null();
	const char *type, *id, *last = NULL;
	size_t n;

	while (members_next(ml, &it, &type, &id, &n)) {
		jv o = jv_object();

		/* Types are few and owned by ml: one jv per run of them. */
		if (type != last) {
			jv_free(tjv);
			tjv = type != NULL ? jv_string(type) : jv_null();
			last = type;
		}
		o = jv_object_set(o, jv_copy(ktype), jv_copy(tjv));
		o = jv_object_set(o, jv_copy(kid), jv_string_sized(id, (int)n));
		a = jv_array_append(a, o);
	}
	jv_free(tjv);
	jv_free(ktype);
	jv_free(kid);
	return a;
}

int
transform_use_direct(struct transform *t, int on)
{
	if (!on)
		t->direct = 0;
	return t->direct;
}

int
transform_use_shapes(struct transform *t, int on)
{
	t->force_general = !on;
	return on ? t->shapes : 0;
}

/*
 * Map item i of page pg with ml as its ".members", then drop it (a group
 * is mapped as soon as its members are in, so their memory does not wait
 * for the whole page).  When t->shapes says the member-id fields can be
 * written from ml, no jq value is made per member; otherwise the item gets
 * the whole array and jq does all.  Same return as transform_run.
 */
int
transform_run_members(struct transform *t, struct tpage *pg, size_t i,
    const struct members *ml, transform_emit_fn fn, void *arg, char **err)
{
	jv item;
	int r;

	*err = NULL;
	if (i >= pg->n || !jv_is_valid(pg->items[i]))
		return 0;
	item = pg->items[i];
	pg->items[i] = jv_invalid();
	if (jv_get_kind(item) != JV_KIND_OBJECT) {
		jv_free(item);
		*err = xasprintf("resource '%s': an item that is not an object "
				 "cannot have members",
		    t->kind);
		return -1;
	}
	if (t->shapes > 0 && !t->force_general)
		r = run_item(t, item, ml, fn, arg, err);
	else
		r = run_item(t,
		    jv_object_set(item, jv_string("members"),
			members_array(ml)),
		    NULL, fn, arg, err);
	return r;
}

void
tpage_drop(struct tpage *pg, size_t i)
{
	if (i >= pg->n)
		return;
	jv_free(pg->items[i]);
	pg->items[i] = jv_invalid();
}

int
transform_item(struct transform *t, const char *json, size_t len,
    transform_emit_fn fn, void *arg, char **err)
{
	struct tpage *pg;
	jv doc;
	int r;

	*err = NULL;
	if (parse_json(json, len, &doc, err) == -1)
		return -1;
	if ((pg = page_from(t, doc, 0, err)) == NULL)
		return -1;
	r = transform_run(t, pg, fn, arg, err);
	tpage_free(pg);
	return r;
}
