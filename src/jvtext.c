/*
 * Writing libjq values as libjq 1.6's jv_dump_string(v, 0) does: no white
 * space, object members in libjq's iteration order, strings with '"' and
 * '\' escaped, the control characters (and DEL) as \b \t \n \f \r or
 * \u00xx in lower-case hex, and every other character as its UTF-8 bytes.
 */
#include <string.h>

#include "jvtext.h"

/* What byte c becomes inside a JSON string: 0 as it is, else an escape. */
static const char *
escape_of(unsigned char c, char tmp[8])
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\t':
		return "\\t";
	case '\n':
		return "\\n";
	case '\f':
		return "\\f";
	case '\r':
		return "\\r";
	default:
		break;
	}
	if (c >= 0x20 && c != 0x7f)
		return NULL;
	memcpy(tmp, "\\u00", 4);
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
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
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
put(struct buf *b, jv v, int depth)
{
	jv s, kv, x;
	int i, n, it, first = 1;

	if (depth > JVTEXT_MAX_DEPTH)
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
			if (put(b, x, depth + 1) == -1) {
				jv_free(x);
				return -1;
			}
			jv_free(x);
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
			if (put(b, x, depth + 1) == -1) {
				jv_free(x);
				return -1;
			}
			jv_free(x);
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
