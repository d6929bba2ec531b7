/*
 * Writing libjq values as libjq 1.6's jv_dump_string(v, 0) does: no white
 * space, object members in libjq's iteration order, strings with '"' and
 * '\' escaped, the control characters (and DEL) as \b \t \n \f \r or
 * \u00xx in lower-case hex, and every other character as its UTF-8 bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jvtext.h"
#include "xmalloc.h"

/*
 * The bytes a string holds as they are: KEPT_OUT in the text libjq
 * writes, KEPT_IN in the text read (DEL is escaped only on the way out).
 */
#define KEPT_OUT 1
#define KEPT_IN  2
/* clang-format off */
static const unsigned char kept[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	3, 3, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};
/* clang-format on */

/*
 * JSON's one-letter escapes: after '\\', each letter of esc_letter stands
 * for the byte at the same place in esc_byte.  libjq writes all but '/'.
 */
static const char esc_letter[] = "\"\\/bfnrt";
static const char esc_byte[] = "\"\\/\b\f\n\r\t";

/*
 * What byte c, not kept as it is (KEPT_OUT), becomes inside a JSON
 * string: a one-letter escape or \u00xx, written into tmp.
 */
static const char *
escape_of(unsigned char c, char tmp[8])
{
	static const char hex[] = "0123456789abcdef";
	const char *e = c != '\0' && c != '/' ? strchr(esc_byte, c) : NULL;

	tmp[0] = '\\';
	if (e != NULL) {
		tmp[1] = esc_letter[e - esc_byte];
		tmp[2] = '\0';
		return tmp;
	}
	memcpy(tmp + 1, "u00", 3);
	tmp[4] = hex[c >> 4];
	tmp[5] = hex[c & 0xf];
	tmp[6] = '\0';
	return tmp;
}

void
jvtext_put_string(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *e;
	char tmp[8];

	buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Bytes of multi-byte characters are >= 0x80: kept. */
		if (kept[c] & KEPT_OUT)
			continue;
		e = escape_of(c, tmp);
		buf_append(b, s + run, i - run);
		buf_puts(b, e);
		run = i + 1;
	}
	buf_append(b, s + run, n - run);
	buf_putc(b, '"');
}

static void
put_jstring(struct buf *b, jv s)
{
	jvtext_put_string(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));
}

static int
put(struct buf *b, jv v, int level)
{
	jv s, kv, x;
	int i, n, it, rc, first = 1;

	if (level > JVTEXT_MAX_DEPTH)
		return -1;
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		buf_append(b, "null", 4);
		return 0;
	case JV_KIND_TRUE:
		buf_append(b, "true", 4);
		return 0;
	case JV_KIND_FALSE:
		buf_append(b, "false", 5);
		return 0;
	case JV_KIND_NUMBER:
		s = jv_dump_string(jv_copy(v), 0);
		buf_append(b, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s)));
		jv_free(s);
		return 0;
	case JV_KIND_STRING:
		put_jstring(b, v);
		return 0;
	case JV_KIND_ARRAY:
		buf_putc(b, '[');
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(b, ',');
			x = jv_array_get(jv_copy(v), i);
			rc = put(b, x, level + 1);
			jv_free(x);
			if (rc == -1)
				return -1;
		}
		buf_putc(b, ']');
		return 0;
	case JV_KIND_OBJECT:
		buf_putc(b, '{');
		for (it = jv_object_iter(v); jv_object_iter_valid(v, it);
		     it = jv_object_iter_next(v, it)) {
			if (!first)
				buf_putc(b, ',');
			first = 0;
			kv = jv_object_iter_key(v, it);
			put_jstring(b, kv);
			jv_free(kv);
			buf_putc(b, ':');
			x = jv_object_iter_value(v, it);
			rc = put(b, x, level + 1);
			jv_free(x);
			if (rc == -1)
				return -1;
		}
		buf_putc(b, '}');
		return 0;
	default:
		return -1;
	}
}

int
jvtext_put(struct buf *b, jv v)
{
	size_t len = b->len;

	if (put(b, v, 0) == 0)
		return 0;
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
	return -1;
}

/* ---- reading ---- */

struct rd {
	const char *p, *end;
	char *tmp; /* unescaped string text */
	size_t tmpcap;
};

const char *
jvtext_blanks_end(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static void
skip_ws(struct rd *r)
{
	r->p = jvtext_blanks_end(r->p, r->end);
}

static int
hex4(const char *s, unsigned *u)
{
	int i;

	*u = 0;
	for (i = 0; i < 4; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		*u = *u << 4 | (unsigned)d;
	}
	return 0;
}

/* Append code point u as UTF-8 to o at *len (room checked). */
static void
put_utf8(char *o, size_t *len, unsigned u)
{
	if (u < 0x80) {
		o[(*len)++] = (char)u;
	} else if (u < 0x800) {
		o[(*len)++] = (char)(0xc0 | u >> 6);
		o[(*len)++] = (char)(0x80 | (u & 0x3f));
	} else if (u < 0x10000) {
		o[(*len)++] = (char)(0xe0 | u >> 12);
		o[(*len)++] = (char)(0x80 | (u >> 6 & 0x3f));
		o[(*len)++] = (char)(0x80 | (u & 0x3f));
	} else {
		o[(*len)++] = (char)(0xf0 | u >> 18);
		o[(*len)++] = (char)(0x80 | (u >> 12 & 0x3f));
		o[(*len)++] = (char)(0x80 | (u >> 6 & 0x3f));
		o[(*len)++] = (char)(0x80 | (u & 0x3f));
	}
}

/* The string whose opening quote r->p is past, into *out. */
static int
rd_string(struct rd *r, jv *out)
{
	const char *s = r->p, *q, *e;
	size_t len = 0;
	unsigned u, lo;

	for (q = s; q < r->end && (kept[(unsigned char)*q] & KEPT_IN); q++)
		;
	if (q < r->end && *q == '"') {
		*out = jv_string_sized(s, (int)(q - s));
		r->p = q + 1;
		return 0;
	}
	if (q == r->end)
		return -1;
	/*
	 * Escapes: the scratch is sized to the string as written, to its
	 * closing quote (a backslash's next byte is never one); unescaped
	 * text is never longer than the escaped.
	 */
	for (e = q; e < r->end && *e != '"'; e++)
		if (*e == '\\' && ++e == r->end)
			break;
	if (r->tmp == NULL || (size_t)(e - s) > r->tmpcap) {
		free(r->tmp);
		r->tmpcap = (size_t)(e - s) + 1;
		r->tmp = xmalloc(r->tmpcap);
	}
	for (q = s; q < r->end && *q != '"'; q++) {
		if ((unsigned char)*q < 0x20)
			return -1;
		if (*q != '\\') {
			r->tmp[len++] = *q;
			continue;
		}
		if (++q == r->end)
			return -1;
		if (*q != '\0' && (e = strchr(esc_letter, *q)) != NULL) {
			r->tmp[len++] = esc_byte[e - esc_letter];
			continue;
		}
		if (*q != 'u' || r->end - q < 5 || hex4(q + 1, &u) == -1)
			return -1;
		q += 4;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			/* Only a whole pair is read here. */
			if (r->end - q < 7 || q[1] != '\\' || q[2] != 'u' ||
			    hex4(q + 3, &lo) == -1 || lo < 0xdc00 ||
			    lo > 0xdfff)
				return -1;
			q += 6;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		put_utf8(r->tmp, &len, u);
	}
	if (q == r->end)
		return -1;
	*out = jv_string_sized(r->tmp, (int)len);
	r->p = q + 1;
	return 0;
}

/* Past the digits at p, or NULL if there is none. */
static const char *
digits(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

const char *
jvtext_number_end(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if ((p = digits(p, end)) == NULL)
		return NULL;
	if (p < end && *p == '.') {
		if ((p = digits(p + 1, end)) == NULL)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = digits(p, end);
	}
	return p;
}

/* A number by JSON's grammar; its value as strtod reads it. */
static int
rd_number(struct rd *r, jv *out)
{
	const char *s = r->p, *t = jvtext_number_end(r->p, r->end);
	char text[64], *e;
	double d;

	if (t == NULL)
		return -1;
	r->p = t;
	if ((size_t)(r->p - s) >= sizeof(text))
		return -1;
	memcpy(text, s, (size_t)(r->p - s));
	text[r->p - s] = '\0';
	errno = 0;
	d = strtod(text, &e);
	/* Out of range: libjq's own strtod decides what it is. */
	if (*e != '\0' || errno == ERANGE)
		return -1;
	*out = jv_number(d);
	return 0;
}

static int
word(struct rd *r, const char *w, size_t n, jv v, jv *out)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return -1;
	r->p += n;
	*out = v;
	return 0;
}

static int rd_value(struct rd *, int, jv *);

/* Past white space and an opening bracket's closing one: 1, or 0. */
static int
rd_empty(struct rd *r, char close)
{
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 1;
	}
	return 0;
}

/* After a member: 0 past a comma, 1 past the closing bracket, or -1. */
static int
rd_next(struct rd *r, char close)
{
	skip_ws(r);
	if (r->p < r->end && (*r->p == ',' || *r->p == close))
		return *r->p++ == close;
	return -1;
}

/* A container read up to rc (rd_next's): into *out if it closed. */
static int
rd_close(int rc, jv v, jv *out)
{
	if (rc != 1) {
		jv_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

static int
rd_array(struct rd *r, int depth, jv *out)
{
	jv a = jv_array(), x;
	int rc = 1;

	if (!rd_empty(r, ']'))
		do {
			if (rd_value(r, depth + 1, &x) == -1) {
				rc = -1;
				break;
			}
			a = jv_array_append(a, x);
		} while ((rc = rd_next(r, ']')) == 0);
	return rd_close(rc, a, out);
}

static int
rd_object(struct rd *r, int depth, jv *out)
{
	jv o = jv_object(), k, x;
	int rc = 1;

	if (!rd_empty(r, '}'))
		do {
			skip_ws(r);
			rc = -1;
			if (r->p == r->end || *r->p++ != '"' ||
			    rd_string(r, &k) == -1)
				break;
			skip_ws(r);
			if (r->p == r->end || *r->p++ != ':' ||
			    rd_value(r, depth + 1, &x) == -1) {
				jv_free(k);
				break;
			}
			o = jv_object_set(o, k, x);
		} while ((rc = rd_next(r, '}')) == 0);
	return rd_close(rc, o, out);
}

static int
rd_value(struct rd *r, int depth, jv *out)
{
	if (depth > JVTEXT_MAX_DEPTH)
		return -1;
	skip_ws(r);
	if (r->p == r->end)
		return -1;
	switch (*r->p) {
	case '{':
		r->p++;
		return rd_object(r, depth, out);
	case '[':
		r->p++;
		return rd_array(r, depth, out);
	case '"':
		r->p++;
		return rd_string(r, out);
	case 't':
		return word(r, "true", 4, jv_true(), out);
	case 'f':
		return word(r, "false", 5, jv_false(), out);
	case 'n':
		return word(r, "null", 4, jv_null(), out);
	default:
		return rd_number(r, out);
	}
}

int
jvtext_parse(const char *s, size_t n, jv *out)
{
	struct rd r = { s, s + n, NULL, 0 };
	jv v;
	int rc;

	rc = rd_value(&r, 0, &v);
	free(r.tmp);
	if (rc == -1)
		return -1;
	skip_ws(&r);
	if (r.p != r.end) {
		jv_free(v);
		return -1;
	}
	*out = v;
	return 0;
}
