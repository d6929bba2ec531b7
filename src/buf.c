/*
 * Growable, optionally capped byte buffers.  The only allocation failure is
 * out of memory (fatal, in xmalloc); a cap overrun is reported as -1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = b->max = 0;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_wipe_release(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_release(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int
grow(struct buf *b, size_t more)
{
	size_t need, cap;

	if (more > (size_t)-1 / 2 - b->len)
		return -1;
	need = b->len + more + 1;
	if (b->max != 0 && need > b->max + 1)
		return -1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_append(b, &ch, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || grow(b, (size_t)n) == -1)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int
buf_put_printable(struct buf *b, const char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int r;

		if (c >= 0x20 && c != 0x7f &&
		    !(c == 0xc2 && i + 1 < n &&
			(unsigned char)s[i + 1] >= 0x80 &&
			(unsigned char)s[i + 1] <= 0x9f))
			continue;
		if (buf_append(b, s + start, i - start) == -1)
			return -1;
		/* U+0080..U+009F are C1 controls (CSI among them). */
		if (c == 0xc2)
			r = buf_printf(b, "\\u%04x", (unsigned char)s[++i]);
		else
			r = buf_printf(b, "\\x%02x", c);
		if (r == -1)
			return -1;
		start = i + 1;
	}
	return buf_append(b, s + start, n - start);
}

int
buf_put_lines(struct buf *b, const char *s, size_t n)
{
	const char *nl;

	while ((nl = memchr(s, '\n', n)) != NULL) {
		size_t k = (size_t)(nl - s);

		if (buf_put_printable(b, s, k) == -1 || buf_putc(b, '\n') == -1)
			return -1;
		s = nl + 1;
		n -= k + 1;
		if (n > 0 && *s != ' ' && buf_puts(b, "    ") == -1)
			return -1;
	}
	return buf_put_printable(b, s, n);
}

int
buf_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	if (buf_putc(b, '"') == -1)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		const char *e = NULL;

		switch (c) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		default:
			if (c < 0x20) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				esc[6] = '\0';
				e = esc;
			}
		}
		if (e == NULL)
			continue;
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_puts(b, e) == -1)
			return -1;
		start = i + 1;
	}
	if (buf_append(b, s + start, n - start) == -1)
		return -1;
	return buf_putc(b, '"');
}

int
buf_urlenc(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (buf_putc(b, c) == -1)
				return -1;
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			if (buf_append(b, e, 3) == -1)
				return -1;
		}
	}
	return 0;
}

int
buf_read_file(struct buf *b, const char *path, size_t max)
{
	char chunk[16384];
	FILE *fp;
	size_t n;
	int rc = 0, e;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (buf_append(b, chunk, n) == -1) {
			errno = ENOMEM;
			rc = -1;
			break;
		}
		if (b->len > max) {
			rc = 1;
			break;
		}
	}
	explicit_bzero(chunk, sizeof(chunk));
	e = errno;
	if (rc == 0 && ferror(fp))
		rc = -1;
	fclose(fp);
	errno = e;
	return rc;
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *
buf_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}
