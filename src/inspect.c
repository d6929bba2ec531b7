/*
 * The mapping builder.  It reads up to --sample items of one Graph
 * collection (for /users a second time with a $select of every property
 * Graph hides by default), records for each JSON path the types, null and
 * absent counts, an example and the string formats every value satisfies,
 * prints that as a table, and with --generate writes a blueprint and a
 * mapping.  Types and formats come from Graph's schema where it declares
 * the property, from the sample otherwise; nothing is required, since a
 * sample cannot prove every object has a value.  Pages are small control
 * data here, so they are parsed with cJSON.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "auth.h"
#include "buf.h"
#include "client.h"
#include "csv.h"
#include "graph.h"
#include "graphschema.h"
#include "http.h"
#include "inspect.h"
#include "msg.h"
#include "options.h"
#include "xmalloc.h"

#define MAX_DEPTH   3
#define EXAMPLE_MAX 40 /* characters */

enum {
	T_NULL = 1,
	T_STRING = 2,
	T_NUMBER = 4,
	T_BOOL = 8,
	T_ARRAY = 16,
	T_OBJECT = 32
};

/* User properties Graph returns only on $select (§2.1), listed in a
 * collection. */
static const char *const user_select_only[] = { "accountEnabled", "department",
	"createdDateTime", "userType", "mailNickname", "otherMails",
	"proxyAddresses", "companyName", "employeeId", "employeeType", "city",
	"state", "country", "usageLocation", "creationType",
	"externalUserState", "externalUserStateChangeDateTime", "identities",
	"assignedLicenses", "lastPasswordChangeDateTime",
	"onPremisesSyncEnabled", "onPremisesImmutableId",
	"onPremisesSamAccountName", "onPremisesDomainName",
	"onPremisesDistinguishedName", "onPremisesLastSyncDateTime",
	"onPremisesSecurityIdentifier", "onPremisesExtensionAttributes",
	"signInActivity", NULL };

struct field {
	char *path;
	char *prefix;        /* container: "" top level, "a.", "a[]." */
	const char *name;    /* last component, inside path */
	unsigned types;      /* T_* of the values */
	unsigned item_types; /* T_* of array elements */
	long present;        /* key present, null included */
	long nulls;
	long strings;   /* non-null string values */
	long fmt_ok[4]; /* strings satisfying each format */
	char *example;
	int example_empty; /* the example is "" (a better one may come) */
	int needs_select;
	int needs_licence;
	int chosen;
};

struct container {
	char *prefix;
	long count;
};

struct stats {
	struct field *f;
	size_t nf;
	size_t hint;
	struct container *c;
	size_t nc;
	long items;
};

struct reader {
	const char *path;
	long want;
	cJSON *items; /* array, owned */
	long n;
	int done;
	int failed;
	long status;
	int auth_failed;
	int interrupted;
	char *gmessage;    /* Graph's error.message */
	char *text;        /* the whole error text */
	char *licence_why; /* signInActivity refused: why */
};

struct ctx {
	const struct options *o;
	struct client cl; /* owns h and g */
	struct http *h;
	struct graph *g;
	char **names, **values; /* user query parameters */
	size_t nparams;
	int has_top, has_select;
	char *licence_why;
};

char *
inspect_identifier(const char *path)
{
	const char *seg = NULL, *p, *e;
	struct buf b;
	size_t n, i;
	char *w;

	/* The last segment that names a collection, not an id or $ref. */
	p = path;
	while (*p != '\0' && *p != '?') {
		while (*p == '/')
			p++;
		if (*p == '\0' || *p == '?')
			break;
		e = p + strcspn(p, "/?");
		if (*p != '$' && *p != '{' &&
		    (e - p < 32 || memchr(p, '-', (size_t)(e - p)) == NULL) &&
		    isalpha((unsigned char)*p))
			seg = p;
		p = e;
	}
	if (seg == NULL)
		return xstrdup("entra-id-object");
	n = strcspn(seg, "/?");
	w = xstrndup(seg, n);
	if (n > 3 && strcmp(w + n - 3, "ies") == 0)
		strcpy(w + n - 3, "y");
	else if (n > 1 && w[n - 1] == 's' && w[n - 2] != 's')
		w[n - 1] = '\0';
	buf_init(&b);
	buf_puts(&b, "entra-id-");
	for (i = 0; w[i] != '\0'; i++) {
		unsigned char c = (unsigned char)w[i];

		if (isupper(c)) {
			if (i > 0 && b.data[b.len - 1] != '-')
				buf_putc(&b, '-');
			buf_putc(&b, tolower(c));
		} else if (isalnum(c)) {
			buf_putc(&b, c);
		} else if (b.data[b.len - 1] != '-') {
			buf_putc(&b, '-');
		}
	}
	while (b.len > 0 && b.data[b.len - 1] == '-')
		b.data[--b.len] = '\0';
	free(w);
	return buf_detach(&b);
}

char *
inspect_title(const char *identifier)
{
	const char *p = identifier;
	struct buf b;
	int start = 1;

	if (strncmp(p, "entra-id-", 9) == 0)
		p += 9;
	buf_init(&b);
	buf_puts(&b, "Entra ID ");
	for (; *p != '\0'; p++) {
		if (*p == '-') {
			buf_putc(&b, ' ');
			start = 1;
			continue;
		}
		buf_putc(&b, start ? toupper((unsigned char)*p) : *p);
		start = 0;
	}
	return buf_detach(&b);
}

/* "accountEnabled" → "Account Enabled"; the caller frees the result. */
static char *
humanize(const char *name)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i == 0)
			buf_putc(&b, toupper(c));
		else if (isupper(c) && !isupper((unsigned char)name[i - 1]))
			buf_printf(&b, " %c", c);
		else if (c == '_' || c == '-')
			buf_putc(&b, ' ');
		else
			buf_putc(&b, c);
	}
	if (b.len == 0)
		buf_puts(&b, "Field");
	return buf_detach(&b);
}

static int
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* RFC 3339 date-time with a zone, as Port's ajv-formats checks it. */
static int
is_date_time(const char *s)
{
	int mo, d, h, mi, sec;

	if (strlen(s) < 20 || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return 0;
	mo = atoi(s + 5);
	d = atoi(s + 8);
	h = atoi(s + 11);
	mi = atoi(s + 14);
	sec = atoi(s + 17);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59)
		return 0;
	s += 19;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return 1;
	return (*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' &&
	    digits(s + 4, 2) && s[6] == '\0' && atoi(s + 1) < 24 &&
	    atoi(s + 4) < 60;
}

/* ajv-formats' "full" email: dot-atoms @ hostname with two labels or more. */
static int
is_email(const char *s)
{
	static const char atext[] = "!#$%&'*+/=?^_`{|}~-";
	const char *at = strchr(s, '@'), *p;
	int labels = 0;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return 0;
	for (p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (p == s || p[-1] == '.' || p + 1 == at)
				return 0;
		} else if (!isalnum(c) && strchr(atext, c) == NULL) {
			return 0;
		}
	}
	p = at + 1;
	for (;;) {
		size_t n = 0;

		while (isalnum((unsigned char)p[n]) || p[n] == '-')
			n++;
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			return 0;
		labels++;
		p += n;
		if (*p == '\0')
			break;
		if (*p != '.')
			return 0;
		p++;
	}
	return labels >= 2;
}

/* http:// or https:// with a host and no white space. */
static int
is_url(const char *s)
{
	const char *p;

	if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return 0;
	if (*p == '\0' || strchr("/?#", *p) != NULL)
		return 0;
	for (; *p != '\0'; p++)
		if (isspace((unsigned char)*p))
			return 0;
	return 1;
}

int
inspect_format_ok(const char *s, enum inspect_format f)
{
	switch (f) {
	case FMT_DATE_TIME:
		return is_date_time(s);
	case FMT_EMAIL:
		return is_email(s);
	case FMT_URL:
		return is_url(s);
	default:
		return 0;
	}
}

/* Append s to b, at most EXAMPLE_MAX characters, then "…" if cut. */
static void
put_short(struct buf *b, const char *s)
{
	size_t chars = 0;
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if ((*p & 0xC0) != 0x80) {
			if (chars == EXAMPLE_MAX) {
				buf_puts(b, "\xe2\x80\xa6");
				return;
			}
			chars++;
		}
		buf_putc(b, *p < 0x20 ? ' ' : *p);
	}
}

/* The T_* bit of a JSON value. */
static unsigned
type_of(const cJSON *v)
{
	if (cJSON_IsString(v))
		return T_STRING;
	if (cJSON_IsNumber(v))
		return T_NUMBER;
	if (cJSON_IsBool(v))
		return T_BOOL;
	if (cJSON_IsArray(v))
		return T_ARRAY;
	if (cJSON_IsObject(v))
		return T_OBJECT;
	return T_NULL;
}

/* The example text for a non-null value; the caller frees it. */
static char *
example_of(const char *name, const cJSON *v)
{
	struct buf b;
	char *s;

	buf_init(&b);
	if (cJSON_IsObject(v)) {
		buf_printf(&b, "{%d keys}", cJSON_GetArraySize(v));
	} else if (cJSON_IsArray(v)) {
		const cJSON *x;
		int scalars = 1;

		cJSON_ArrayForEach(x, v)
			if (cJSON_IsObject(x) || cJSON_IsArray(x))
				scalars = 0;
		if (msg_secret_name(name) || !scalars ||
		    cJSON_GetArraySize(v) == 0) {
			buf_printf(&b, "[%d items]", cJSON_GetArraySize(v));
		} else if ((s = cJSON_PrintUnformatted(v)) != NULL) {
			put_short(&b, s);
			free(s);
		}
	} else if (msg_secret_name(name)) {
		buf_puts(&b, "(masked)");
	} else if (cJSON_IsString(v)) {
		buf_putc(&b, '"');
		put_short(&b, v->valuestring);
		buf_putc(&b, '"');
	} else if (cJSON_IsBool(v)) {
		buf_puts(&b, cJSON_IsTrue(v) ? "true" : "false");
	} else if ((s = cJSON_PrintUnformatted(v)) != NULL) {
		put_short(&b, s);
		free(s);
	}
	return buf_detach(&b);
}

/* "", [] and {}: shown only until a better example comes. */
static int
empty(const cJSON *v)
{
	if (cJSON_IsString(v))
		return v->valuestring[0] == '\0';
	return (cJSON_IsArray(v) || cJSON_IsObject(v)) && v->child == NULL;
}

/* Count one more object under prefix (the denominator of a row). */
static void
container_count(struct stats *st, const char *prefix)
{
	size_t i;

	for (i = 0; i < st->nc; i++)
		if (strcmp(st->c[i].prefix, prefix) == 0) {
			st->c[i].count++;
			return;
		}
	st->c = xreallocarray(st->c, st->nc + 1, sizeof(*st->c));
	st->c[st->nc].prefix = xstrdup(prefix);
	st->c[st->nc++].count = 1;
}

/* How many objects were seen under prefix; 0 if none. */
static long
container_get(const struct stats *st, const char *prefix)
{
	size_t i;

	for (i = 0; i < st->nc; i++)
		if (strcmp(st->c[i].prefix, prefix) == 0)
			return st->c[i].count;
	return 0;
}

/* The field for path, created on first sight (items share a key order,
 * so the search starts after the last field found). */
static struct field *
field_get(struct stats *st, const char *path, const char *prefix)
{
	size_t i, j;
	struct field *f;

	for (j = 0; j < st->nf; j++) {
		i = (st->hint + j) % st->nf;
		if (strcmp(st->f[i].path, path) == 0) {
			st->hint = i + 1;
			return &st->f[i];
		}
	}
	st->f = xreallocarray(st->f, st->nf + 1, sizeof(*st->f));
	f = &st->f[st->nf];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->prefix = xstrdup(prefix);
	f->name = f->path + strlen(prefix);
	st->hint = ++st->nf;
	return f;
}

/*
 * Record every key of obj (an object found under prefix, at depth 1 for
 * an item) in st, descending into objects and arrays of objects up to
 * MAX_DEPTH.  Never fails.
 */
static void
walk(struct stats *st, const cJSON *obj, const char *prefix, int depth)
{
	const cJSON *c, *x;
	struct buf path;
	int k;

	container_count(st, prefix);
	buf_init(&path);
	cJSON_ArrayForEach(c, obj) {
		struct field *f;
		size_t fi;
		unsigned t;

		if (c->string == NULL)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s%s", prefix, c->string);
		f = field_get(st, path.data, prefix);
		/* walk() may grow st->f: keep the index, not the pointer. */
		fi = (size_t)(f - st->f);
		f->present++;
		t = type_of(c);
		if (t == T_NULL) {
			f->nulls++;
			continue;
		}
		f->types |= t;
		if (f->example == NULL || (f->example_empty && !empty(c))) {
			free(f->example);
			f->example = example_of(f->name, c);
			f->example_empty = empty(c);
		}
		if (t == T_STRING) {
			f->strings++;
			for (k = FMT_DATE_TIME; k <= FMT_URL; k++)
				if (inspect_format_ok(c->valuestring, k))
					f->fmt_ok[k]++;
		} else if (t == T_OBJECT && depth < MAX_DEPTH) {
			buf_putc(&path, '.');
			walk(st, c, path.data, depth + 1);
		} else if (t == T_ARRAY) {
			char *sub = xasprintf("%s[].", path.data);

			cJSON_ArrayForEach(x, c) {
				st->f[fi].item_types |= type_of(x);
				if (cJSON_IsObject(x) && depth < MAX_DEPTH)
					walk(st, x, sub, depth + 1);
			}
			free(sub);
		}
	}
	buf_release(&path);
}

/* Free what st holds (st itself belongs to the caller). */
static void
stats_release(struct stats *st)
{
	size_t i;

	for (i = 0; i < st->nf; i++) {
		free(st->f[i].path);
		free(st->f[i].prefix);
		free(st->f[i].example);
	}
	free(st->f);
	for (i = 0; i < st->nc; i++)
		free(st->c[i].prefix);
	free(st->c);
}

/* Append the names of the T_* bits in t to b ("string|null"). */
static void
types_text(struct buf *b, unsigned t, unsigned items)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { T_STRING, "string" }, { T_NUMBER, "number" },
		{ T_BOOL, "boolean" }, { T_ARRAY, "array" },
		{ T_OBJECT, "object" }, { T_NULL, "null" } };
	size_t i;
	int first = 1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(t & names[i].bit))
			continue;
		buf_printf(b, "%s%s", first ? "" : "|", names[i].name);
		first = 0;
		if (names[i].bit == T_ARRAY &&
		    (items & ~(unsigned)T_OBJECT) != 0) {
			buf_putc(b, '(');
			types_text(b, items, 0);
			buf_putc(b, ')');
		}
	}
	if (first)
		buf_puts(b, "-");
}

/* Is exactly one T_* bit set? */
static int
single_type(unsigned t)
{
	return t != 0 && (t & (t - 1)) == 0;
}

/*
 * The format every non-null value of f satisfies, or FMT_NONE; never
 * email: Entra holds addresses Port's email check refuses (non-ASCII
 * local parts and domains), so a sample of ASCII ones proves nothing.
 */
static enum inspect_format
field_format(const struct field *f)
{
	long nonnull = f->present - f->nulls;
	int k;

	if (f->types != T_STRING || f->strings != nonnull || nonnull == 0)
		return FMT_NONE;
	for (k = FMT_DATE_TIME; k <= FMT_URL; k++)
		if (k != FMT_EMAIL && f->fmt_ok[k] == f->strings)
			return k;
	return FMT_NONE;
}

/* The blueprint's name of each format, by enum inspect_format. */
static const char *const format_names[FMT_URL + 1] = { NULL, "date-time",
	"email", "url" };

/* Set b to the notes of a row: "(needs $select) (mapped)" or "-". */
static void
notes_text(struct buf *b, const struct field *f)
{
	buf_reset(b);
	if (f->needs_select)
		buf_puts(b, "(needs $select) ");
	if (f->needs_licence)
		buf_puts(b, "(needs licence) ");
	if (f->present > 0 && f->present == f->nulls)
		buf_puts(b, "(always null) ");
	else if (f->present > 0 && !single_type(f->types))
		buf_puts(b, "(mixed types) ");
	if (f->chosen)
		buf_puts(b, "(mapped) ");
	if (b->len > 0)
		b->data[--b->len] = '\0';
	if (b->len == 0)
		buf_puts(b, "-");
}

/* Print the table of fields to stdout. */
static void
print_table(const struct stats *st, const char *path, int select_ext)
{
	struct buf t, n;
	size_t i, wp = 4, wt = 4, wn = 4;
	char num[3][32];

	buf_init(&t);
	buf_init(&n);
	for (i = 0; i < st->nf; i++) {
		const struct field *f = &st->f[i];

		buf_reset(&t);
		types_text(&t, f->types | (f->nulls ? T_NULL : 0),
		    f->item_types);
		notes_text(&n, f);
		if (strlen(f->path) > wp)
			wp = strlen(f->path);
		if (t.len > wt)
			wt = t.len;
		if (n.len > wn)
			wn = n.len;
	}
	printf("'%s': %ld items sampled%s\n", path, st->items,
	    select_ext ?
		" (with a $select of the properties Graph returns only on "
		"request)" :
		"");
	printf("null and absent count the objects a field can appear in: the "
	       "items, or the elements of an array for a[].b\n\n");
	printf("%-*s  %-*s  %7s  %7s  %7s  %-*s  %s\n", (int)wp, "PATH",
	    (int)wt, "TYPE", "OF", "NULL", "ABSENT", (int)wn, "NOTE",
	    "EXAMPLE");
	for (i = 0; i < st->nf; i++) {
		const struct field *f = &st->f[i];
		long of = container_get(st, f->prefix);

		buf_reset(&t);
		types_text(&t, f->types | (f->nulls ? T_NULL : 0),
		    f->item_types);
		notes_text(&n, f);
		if (f->present == 0 && of == 0) {
			strcpy(num[0], "-");
			strcpy(num[1], "-");
			strcpy(num[2], "-");
		} else {
			snprintf(num[0], sizeof(num[0]), "%ld", of);
			snprintf(num[1], sizeof(num[1]), "%ld", f->nulls);
			snprintf(num[2], sizeof(num[2]), "%ld",
			    of - f->present);
		}
		printf("%-*s  %-*s  %7s  %7s  %7s  %-*s  %s\n", (int)wp,
		    f->path, (int)wt, t.data, num[0], num[1], num[2], (int)wn,
		    n.data, f->example != NULL ? f->example : "-");
	}
	buf_release(&t);
	buf_release(&n);
}

/* Graph reading. */

static void
on_page(void *arg, struct graph_list *l, const char *body, size_t len)
{
	struct reader *r = arg;
	cJSON *j = cJSON_ParseWithLength(body, len), *v, *it;
	const cJSON *next;

	v = cJSON_GetObjectItemCaseSensitive(j, "value");
	if (!cJSON_IsArray(v)) {
		char *t = xasprintf("'%s' is not a collection: the answer has "
				    "no \"value\" array",
		    r->path);

		cJSON_Delete(j);
		graph_list_fail(l, t);
		free(t);
		return;
	}
	while (r->n < r->want && (it = v->child) != NULL) {
		cJSON_DetachItemViaPointer(v, it);
		cJSON_AddItemToArray(r->items, it);
		r->n++;
	}
	next = cJSON_GetObjectItemCaseSensitive(j, "@odata.nextLink");
	graph_list_next(l,
	    r->n < r->want && cJSON_IsString(next) ? next->valuestring : NULL);
	cJSON_Delete(j);
}

/* The enumeration restarts (expired page token): start over. */
static void
on_restart(void *arg, struct graph_list *l)
{
	struct reader *r = arg;

	(void)l;
	cJSON_Delete(r->items);
	r->items = cJSON_CreateArray();
	r->n = 0;
}

/* Every page wanted was read. */
static void
on_done(void *arg, struct graph_list *l)
{
	(void)l;
	((struct reader *)arg)->done = 1;
}

/* Keep the failure for read_sample's caller (nothing printed). */
static void
on_fail(void *arg, struct graph_list *l, const struct graph_error *e,
    const char *text)
{
	struct reader *r = arg;

	(void)l;
	r->failed = 1;
	r->status = e->status;
	r->auth_failed = e->auth_failed;
	r->interrupted = e->interrupted;
	free(r->gmessage);
	r->gmessage = e->message != NULL ? xstrdup(e->message) : NULL;
	free(r->text);
	r->text = xstrdup(text);
}

/* Graph left field out of the $select (graph.c warned). */
static void
on_dropped(void *arg, const char *field, const char *why)
{
	struct reader *r = arg;

	if (strcmp(field, "signInActivity") == 0) {
		free(r->licence_why);
		r->licence_why = xstrdup(why);
	}
}

/* Free what r holds and zero it; a zeroed reader is a no-op. */
static void
reader_release(struct reader *r)
{
	cJSON_Delete(r->items);
	free(r->gmessage);
	free(r->text);
	free(r->licence_why);
	memset(r, 0, sizeof(*r));
}

/* The value of the user's query parameter name, or NULL. */
static const char *
user_param(const struct ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nparams; i++)
		if (strcmp(c->names[i], name) == 0)
			return c->values[i];
	return NULL;
}

/*
 * Read up to o->sample items of the path into r (released by the caller
 * with reader_release), with the user's parameters, $top, and select as
 * $select when not NULL.  Returns 0, or -1 with r->failed and r->text set
 * (nothing printed: the caller decides whether it is fatal).
 */
static int
read_sample(struct ctx *c, struct reader *r, const char *select)
{
	static const struct graph_list_cb cbt = { on_page, on_restart, on_done,
		on_fail, NULL, on_dropped };
	struct graph_list_cb cb = cbt;
	const char **names, **values;
	char top[24];
	size_t i, n = 0;

	memset(r, 0, sizeof(*r));
	r->path = c->o->inspect_path;
	r->want = c->o->sample;
	r->items = cJSON_CreateArray();
	names = xcalloc(c->nparams + 3, sizeof(char *));
	values = xcalloc(c->nparams + 3, sizeof(char *));
	for (i = 0; i < c->nparams; i++) {
		if (select != NULL && strcmp(c->names[i], "$select") == 0)
			continue;
		names[n] = c->names[i];
		values[n++] = c->values[i];
	}
	if (!c->has_top) {
		long max = graphschema_max_top(r->path,
		    select != NULL ? select : user_param(c, "$select"),
		    user_param(c, "$filter"));

		snprintf(top, sizeof(top), "%ld",
		    r->want < max ? r->want : max);
		names[n] = "$top";
		values[n++] = top;
	}
	if (select != NULL) {
		names[n] = "$select";
		values[n++] = select;
	}
	cb.arg = r;
	/* A $select of ours: Graph's refusals of it are worked around. */
	graph_list_start(c->g, c->o->inspect_path, names, values, n, NULL,
	    select != NULL ? GRAPH_LIST_DERIVED_SELECT : 0, &cb);
	free(names);
	free(values);
	if (http_run(c->h) == -1 && !r->failed) {
		r->failed = 1;
		r->interrupted = 1;
		r->text = xstrdup("interrupted");
	}
	return r->failed ? -1 : 0;
}

/*
 * The second /users read: every property; graph.c corrects the $select
 * when Graph refuses signInActivity (licence) or names a property it
 * lacks, and on_dropped keeps the licence's reason for the table.
 * Returns 0 with r filled, or -1 (warned about; r released).
 */
static int
read_users_selected(struct ctx *c, struct reader *r)
{
	struct buf b;
	char *sel;
	size_t i;
	int rc;

	buf_init(&b);
	for (i = 0; graphschema_user_defaults()[i] != NULL; i++)
		buf_printf(&b, "%s%s", b.len ? "," : "",
		    graphschema_user_defaults()[i]);
	for (i = 0; user_select_only[i] != NULL; i++)
		buf_printf(&b, ",%s", user_select_only[i]);
	sel = buf_detach(&b);
	rc = read_sample(c, r, sel);
	if (r->licence_why != NULL)
		c->licence_why = xstrdup(r->licence_why);
	if (rc == -1) {
		msg_warn("cannot read '/users' with a $select of every "
			 "property: %s; the table shows the default properties "
			 "only",
		    r->text != NULL ? r->text : "no answer");
		reader_release(r);
	}
	free(sel);
	return rc;
}

/* Output files. */

static int
is_ident(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* A YAML double-quoted scalar. */
static void
yaml_dq(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\x%02x", (unsigned char)*s);
		else
			putc(*s, fp);
	}
	putc('"', fp);
}

/* jq path of a top-level key: .name or .["name"]. */
static void
jq_path(struct buf *b, const char *name)
{
	if (is_ident(name)) {
		buf_printf(b, ".%s", name);
	} else {
		buf_puts(b, ".[");
		buf_json_str(b, name, strlen(name));
		buf_putc(b, ']');
	}
}

/* Close fp, written to path; returns 0, or -1 after an error message. */
static int
close_file(FILE *fp, const char *path)
{
	if (ferror(fp) | fclose(fp)) {
		msg_error("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The Port type and format (NULL: none) of field f of the collection
 * path: Graph's schema where it declares the property, else what every
 * value of the sample was.
 */
static void
port_type(const char *path, const struct field *f, const char **type,
    const char **format)
{
	const struct graphschema_prop *p = graphschema_prop(path, f->name);

	if (p != NULL && graphschema_port_type(p) != NULL) {
		*type = graphschema_port_type(p);
		*format = graphschema_port_format(p);
		return;
	}
	*type = f->types == T_STRING ? "string" :
	    f->types == T_NUMBER     ? "number" :
	    f->types == T_BOOL       ? "boolean" :
	    f->types == T_ARRAY      ? "array" :
				       "object";
	*format = format_names[field_format(f)];
}

/*
 * Write the blueprint of the chosen fields of st (items of path) to file
 * as JSON, with identifier id.  No property is required: a sample cannot
 * show that every object of the collection has a value (Graph returns
 * null createdDateTime for old accounts).  Returns 0, or -1 after an
 * error message.
 */
static int
write_blueprint(const char *file, const char *path, const char *id,
    const struct stats *st)
{
	cJSON *bp = cJSON_CreateObject(), *schema, *props;
	char *title = inspect_title(id), *text;
	size_t i;
	FILE *fp;
	int rc;

	cJSON_AddStringToObject(bp, "identifier", id);
	cJSON_AddStringToObject(bp, "title", title);
	cJSON_AddStringToObject(bp, "icon", "Microsoft");
	schema = cJSON_AddObjectToObject(bp, "schema");
	props = cJSON_AddObjectToObject(schema, "properties");
	cJSON_AddObjectToObject(bp, "relations");
	free(title);
	for (i = 0; i < st->nf; i++) {
		const struct field *f = &st->f[i];
		cJSON *p;
		const char *type, *fmt;
		char *t;

		if (!f->chosen)
			continue;
		p = cJSON_AddObjectToObject(props, f->name);
		t = humanize(f->name);
		cJSON_AddStringToObject(p, "title", t);
		free(t);
		port_type(path, f, &type, &fmt);
		cJSON_AddStringToObject(p, "type", type);
		if (fmt != NULL)
			cJSON_AddStringToObject(p, "format", fmt);
	}
	text = cJSON_Print(bp);
	cJSON_Delete(bp);
	if ((fp = fopen(file, "w")) == NULL) {
		msg_error("cannot write '%s': %s", file, strerror(errno));
		free(text);
		return -1;
	}
	fprintf(fp, "%s\n", text);
	free(text);
	rc = close_file(fp, file);
	return rc;
}

/* Is a top-level field usable as a title: seen as a string? */
static int
title_field(const struct stats *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nf; i++)
		if (st->f[i].prefix[0] == '\0' &&
		    strcmp(st->f[i].name, name) == 0)
			return st->f[i].types == T_STRING;
	return 0;
}

/*
 * Write the mapping resource for the chosen fields of st to file: $top,
 * a $select of id, every chosen field and the title fields, and the user's
 * other query parameters.  Returns 0, or -1 after an error message.
 */
static int
write_mapping(struct ctx *c, const char *file, const char *id,
    const struct stats *st)
{
	static const char *const titles[] = { "displayName",
		"userPrincipalName", "appId", NULL };
	const struct options *o = c->o;
	struct buf sel, title, jp;
	size_t i, nchosen = 0;
	FILE *fp;

	buf_init(&sel);
	buf_init(&title);
	buf_init(&jp);
	buf_puts(&sel, "id");
	for (i = 0; i < st->nf; i++)
		if (st->f[i].chosen) {
			buf_printf(&sel, ",%s", st->f[i].name);
			nchosen++;
		}
	for (i = 0; titles[i] != NULL; i++) {
		if (!title_field(st, titles[i]))
			continue;
		buf_printf(&title, ".%s // ", titles[i]);
		if (!csv_has(sel.data, titles[i]))
			buf_printf(&sel, ",%s", titles[i]);
	}
	buf_puts(&title, ".id");
	if ((fp = fopen(file, "w")) == NULL) {
		msg_error("cannot write '%s': %s", file, strerror(errno));
		goto fail;
	}
	fprintf(fp,
	    "# Generated by entra2port --inspect %s from a sample of "
	    "%ld items.\n# Blueprint: %s.blueprint.json\n",
	    o->inspect_path, st->items, id);
	fprintf(fp, "resources:\n  - kind: ");
	yaml_dq(fp, o->inspect_path);
	fprintf(fp,
	    "\n    selector:\n      query: 'true'\n"
	    "      data_path: '.value'\n      query_params:\n"
	    "        $top: \"%ld\"\n        $select: ",
	    graphschema_max_top(o->inspect_path, sel.data,
		user_param(c, "$filter")));
	yaml_dq(fp, sel.data);
	putc('\n', fp);
	for (i = 0; i < c->nparams; i++) {
		const char *n = c->names[i];

		if (strcmp(n, "$top") == 0 || strcmp(n, "$select") == 0 ||
		    strcmp(n, "$skiptoken") == 0)
			continue;
		fprintf(fp, "        ");
		yaml_dq(fp, n);
		fprintf(fp, ": ");
		yaml_dq(fp, c->values[i]);
		putc('\n', fp);
	}
	fprintf(fp,
	    "    port:\n      entity:\n        mappings:\n"
	    "          identifier: .id\n          title: %s\n"
	    "          blueprint: '\"%s\"'\n          properties:%s\n",
	    title.data, id, nchosen == 0 ? " {}" : "");
	for (i = 0; i < st->nf; i++) {
		const struct field *f = &st->f[i];

		if (!f->chosen)
			continue;
		buf_reset(&jp);
		jq_path(&jp, f->name);
		fprintf(fp, "            ");
		yaml_dq(fp, f->name);
		fprintf(fp, ": ");
		yaml_dq(fp, jp.data);
		putc('\n', fp);
	}
	buf_release(&sel);
	buf_release(&title);
	buf_release(&jp);
	return close_file(fp, file);
fail:
	buf_release(&sel);
	buf_release(&title);
	buf_release(&jp);
	return -1;
}

/* Decide which top-level fields become blueprint properties. */
static void
choose(const struct options *o, struct stats *st)
{
	const struct graphschema_prop *gp;
	const char *p;
	size_t i;

	for (i = 0; i < st->nf; i++) {
		struct field *f = &st->f[i];

		if (f->prefix[0] != '\0' || strcmp(f->name, "id") == 0 ||
		    f->name[0] == '@' || f->present == f->nulls)
			continue;
		/* Graph's schema gives a declared property its type; the
		 * sample must agree with itself for any other. */
		if ((gp = graphschema_prop(o->inspect_path, f->name)) != NULL ?
			graphschema_port_type(gp) == NULL :
			!single_type(f->types))
			continue;
		if (o->fields != NULL && !csv_has(o->fields, f->name))
			continue;
		f->chosen = 1;
	}
	/* Say why a field asked for with --fields is not mapped. */
	for (p = o->fields; p != NULL && *p != '\0';) {
		size_t m = strcspn(p, ",");
		char *name = xstrndup(p, m);
		const char *why = "was not seen in the sample";

		for (i = 0; i < st->nf; i++) {
			const struct field *f = &st->f[i];

			if (f->prefix[0] != '\0' || strcmp(f->name, name) != 0)
				continue;
			why = f->chosen ? NULL :
			    strcmp(name, "id") == 0 ?
					  "is always the identifier" :
			    f->present == f->nulls ? "is always null" :
						     "has mixed types";
		}
		if (why != NULL && name[0] != '\0')
			msg_warn("--fields: '%s' %s; it is not mapped", name,
			    why);
		free(name);
		p += m;
		if (*p == ',')
			p++;
	}
}

/* Check the --generate directory; create it if its parent exists. */
static int
prepare_dir(const char *dir)
{
	struct stat sb;
	char *parent, *slash;
	int rc = -1;

	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			msg_error("--generate: '%s' is not a directory", dir);
			return -1;
		}
		if (access(dir, W_OK) != 0) {
			msg_error("--generate: cannot write in '%s': %s", dir,
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	parent = xstrdup(dir);
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' &&
	    slash != parent)
		*slash = '\0';
	slash = strrchr(parent, '/');
	if (slash == NULL)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		msg_error("--generate: cannot create '%s': its parent "
			  "directory '%s' does not exist",
		    dir, parent);
		goto out;
	}
	if (mkdir(dir, 0777) != 0) {
		msg_error("--generate: cannot create '%s': %s", dir,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(parent);
	return rc;
}

/* Write DIR/<id>.blueprint.json and DIR/<id>.mapping.yaml; 0 or -1. */
static int
generate(struct ctx *c, struct stats *st)
{
	char *id = inspect_identifier(c->o->inspect_path);
	char *bp = xasprintf("%s/%s.blueprint.json", c->o->generate_dir, id);
	char *mp = xasprintf("%s/%s.mapping.yaml", c->o->generate_dir, id);
	int rc = -1;

	if (write_blueprint(bp, c->o->inspect_path, id, st) == 0 &&
	    write_mapping(c, mp, id, st) == 0) {
		fprintf(stderr, "wrote %s and %s\n", bp, mp);
		rc = 0;
	}
	free(id);
	free(bp);
	free(mp);
	return rc;
}

/* Mark the user properties that need $select; add rows for unseen ones. */
static void
mark_users(struct ctx *c, struct stats *st, const struct reader *dflt)
{
	size_t i, j;

	for (i = 0; user_select_only[i] != NULL; i++) {
		const char *n = user_select_only[i];
		struct field *f = NULL;

		for (j = 0; j < st->nf; j++)
			if (st->f[j].prefix[0] == '\0' &&
			    strcmp(st->f[j].name, n) == 0)
				f = &st->f[j];
		if (f == NULL)
			f = field_get(st, n, "");
		f->needs_select = 1;
		if (strcmp(n, "signInActivity") == 0 && c->licence_why != NULL)
			f->needs_licence = 1;
	}
	/* Anything else the default read lacked needs $select as well. */
	for (j = 0; dflt != NULL && j < st->nf; j++) {
		struct field *f = &st->f[j];
		const cJSON *it;
		int seen = 0;

		if (f->prefix[0] != '\0' || f->needs_select ||
		    graphschema_user_default(f->name))
			continue;
		cJSON_ArrayForEach(it, dflt->items)
			if (cJSON_HasObjectItem(it, f->name))
				seen = 1;
		if (!seen && dflt->n > 0)
			f->needs_select = 1;
	}
}

int
inspect_check(const struct options *o)
{
	if (o->inspect_path[0] != '/') {
		msg_error("--inspect: '%s' must be a Graph path starting with "
			  "'/', such as /users",
		    o->inspect_path);
		return -1;
	}
	if (o->generate_dir != NULL && prepare_dir(o->generate_dir) == -1)
		return -1;
	return 0;
}

/*
 * Parse the query parameters and set up the credential, the HTTP engine
 * and Graph in c (released by inspect_run).  Returns 0, or -1 after an
 * error message.
 */
static int
setup(struct ctx *c)
{
	const struct options *o = c->o;
	int i;

	c->names = xcalloc((size_t)o->nquery_params + 1, sizeof(char *));
	c->values = xcalloc((size_t)o->nquery_params + 1, sizeof(char *));
	for (i = 0; i < o->nquery_params; i++) {
		/* options.c has checked the NAME=VALUE form. */
		const char *q = o->query_params[i], *eq = strchr(q, '=');

		c->names[c->nparams] = xstrndup(q, (size_t)(eq - q));
		c->values[c->nparams] = xstrdup(eq + 1);
		if (strcmp(c->names[c->nparams], "$top") == 0)
			c->has_top = 1;
		if (strcmp(c->names[c->nparams], "$select") == 0)
			c->has_select = 1;
		c->nparams++;
	}
	if (client_open(&c->cl, o, NULL, 1, NULL, NULL) == -1)
		return -1;
	c->h = c->cl.h;
	c->g = c->cl.g;
	return 0;
}

int
inspect_run(const struct options *o)
{
	struct ctx c;
	struct reader dflt, ext;
	struct reader *use = &dflt;
	struct stats st;
	const cJSON *it;
	int rc = -1, users, have_ext = 0;

	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	memset(&dflt, 0, sizeof(dflt));
	memset(&ext, 0, sizeof(ext));
	c.o = o;
	if (setup(&c) == -1)
		goto out;
	users = strcmp(o->inspect_path, "/users") == 0 ||
	    strcmp(o->inspect_path, "/users/") == 0;
	if (read_sample(&c, &dflt, NULL) == -1) {
		msg_error("cannot read '%s': %s", o->inspect_path, dflt.text);
		goto out;
	}
	if (users && !c.has_select && read_users_selected(&c, &ext) == 0) {
		use = &ext;
		have_ext = 1;
	}
	st.items = use->n;
	cJSON_ArrayForEach(it, use->items)
		if (cJSON_IsObject(it))
			walk(&st, it, "", 1);
	if (users)
		mark_users(&c, &st, have_ext ? &dflt : NULL);
	choose(o, &st);
	print_table(&st, o->inspect_path, have_ext);
	if (use->n == 0)
		msg_warn("'%s': the sample is empty", o->inspect_path);
	rc = o->generate_dir != NULL && generate(&c, &st) == -1 ? -1 : 0;
out:
	reader_release(&dflt);
	reader_release(&ext);
	stats_release(&st);
	free_strv(c.names, c.nparams);
	free_strv(c.values, c.nparams);
	free(c.licence_why);
	client_close(&c.cl);
	return rc;
}
