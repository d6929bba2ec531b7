/*
 * Unit tests for buf.c: appends and formatting, the cap (exactly max
 * bytes fit, one more fails and leaves the buffer as it was), JSON string
 * escaping of every control byte, percent-encoding of all but RFC 3986's
 * unreserved characters, reset and detach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

static void
test_append(void)
{
	struct buf b;
	char *s;
	int i;

	buf_init(&b);
	is_str(buf_str(&b), "", "an empty buffer reads as \"\"");
	ok(buf_puts(&b, "abc") == 0 && buf_putc(&b, 'd') == 0 &&
		buf_printf(&b, "-%d-%s", 42, "x") == 0,
	    "appends succeed");
	is_str(buf_str(&b), "abcd-42-x", "puts, putc and printf append");
	is_int(b.len, 9, "length counts the bytes");
	for (i = 0; i < 1000; i++)
		buf_putc(&b, 'z');
	is_int(b.len, 1009, "grows past its first allocation");
	ok(b.data[b.len] == '\0', "always NUL-terminated");
	buf_reset(&b);
	ok(b.len == 0 && strcmp(buf_str(&b), "") == 0, "reset empties it");
	buf_append(&b, "a\0b", 3);
	is_int(b.len, 3, "binary append keeps a NUL inside");
	s = buf_detach(&b);
	ok(memcmp(s, "a\0b", 4) == 0 && b.data == NULL && b.len == 0,
	    "detach hands over the bytes and empties the buffer");
	free(s);
	s = buf_detach(&b);
	is_str(s, "", "detach of an empty buffer is \"\"");
	free(s);
}

static void
test_cap(void)
{
	struct buf b;

	buf_init(&b);
	b.max = 8;
	ok(buf_puts(&b, "12345678") == 0, "max bytes fit exactly");
	ok(buf_putc(&b, '9') == -1, "one more byte fails");
	is_str(buf_str(&b), "12345678", "a failed append leaves it as it was");
	is_int(buf_printf(&b, "%s", "x"), -1, "printf past the cap fails");
	buf_release(&b);
	buf_init(&b);
	b.max = 8;
	ok(buf_puts(&b, "1234") == 0 && buf_puts(&b, "56789") == -1 &&
		b.len == 4,
	    "an append that would pass the cap fails whole");
	buf_release(&b);
}

/* buf_json_str of n bytes of s, as a new string. */
static char *
json(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	buf_json_str(&b, s, n);
	return buf_detach(&b);
}

static void
test_json(void)
{
	char in[40], want[256], *got;
	int c;

	got = json("plain", 5);
	is_str(got, "\"plain\"", "plain text quoted");
	free(got);
	got = json("q\"b\\n\nr\rt\t", 10);
	is_str(got, "\"q\\\"b\\\\n\\nr\\rt\\t\"",
	    "quote, backslash, newline, CR and tab escaped");
	free(got);
	/* Every control byte, 0x01 to 0x1f, and 0x7f and UTF-8 untouched. */
	for (c = 1; c < 0x20; c++)
		in[c - 1] = (char)c;
	got = json(in, 0x1f);
	want[0] = '\0';
	strcat(want, "\"");
	for (c = 1; c < 0x20; c++) {
		char e[8];

		if (c == '\n')
			strcpy(e, "\\n");
		else if (c == '\r')
			strcpy(e, "\\r");
		else if (c == '\t')
			strcpy(e, "\\t");
		else
			snprintf(e, sizeof(e), "\\u%04x", c);
		strcat(want, e);
	}
	strcat(want, "\"");
	is_str(got, want, "every control byte escaped, in lowercase hex");
	free(got);
	got = json("a\0b", 3);
	is_str(got, "\"a\\u0000b\"", "a NUL inside is \\u0000");
	free(got);
	got = json("\x7f\xc3\xa9", 3);
	is_str(got, "\"\x7f\xc3\xa9\"", "DEL and UTF-8 pass through");
	free(got);
}

static void
test_urlenc(void)
{
	struct buf b;

	buf_init(&b);
	buf_urlenc(&b, "AZaz09-._~");
	is_str(buf_str(&b), "AZaz09-._~", "unreserved characters kept");
	buf_reset(&b);
	buf_urlenc(&b, " !\"#$%&'()*+,/:;=?@[]{}|\\^`<>");
	is_str(buf_str(&b),
	    "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A"
	    "%3B%3D%3F%40%5B%5D%7B%7D%7C%5C%5E%60%3C%3E",
	    "everything else encoded, uppercase hex");
	buf_reset(&b);
	buf_urlenc(&b, "\xc3\xa9\x01\x7f");
	is_str(buf_str(&b), "%C3%A9%01%7F", "UTF-8 and control bytes encoded");
	buf_release(&b);
}

/* Text from a service, made safe for a terminal or a log line. */
static void
test_printable(void)
{
	struct buf b;
	const char *in = "a\x1b[2Jb\nc\td\x7f\xc3\xa9\xc2\x9b"
			 "1m\xc2\xa0";

	buf_init(&b);
	buf_put_printable(&b, in, strlen(in));
	is_str(buf_str(&b),
	    "a\\x1b[2Jb\\x0ac\\x09d\\x7f\xc3\xa9\\u009b1m\xc2\xa0",
	    "C0, DEL and C1 controls escaped; other UTF-8 kept");
	buf_reset(&b);
	buf_put_printable(&b, "plain", 5);
	is_str(buf_str(&b), "plain", "plain text unchanged");
	buf_reset(&b);
	buf_put_printable(&b, "x\xc2", 2);
	is_str(buf_str(&b), "x\xc2", "a lone lead byte at the end is kept");
	buf_reset(&b);
	buf_put_printable(&b, "\0z", 2);
	is_str(buf_str(&b), "\\x00z", "NUL escaped");
	buf_reset(&b);
	in = "bad\nresult: ok\n    ^ here\n\tx\x1b\n";
	buf_put_lines(&b, in, strlen(in));
	is_str(buf_str(&b),
	    "bad\n    result: ok\n    ^ here\n    \\x09x\\x1b\n",
	    "lines: a line at the left edge indented, indented ones kept");
	buf_release(&b);
}

int
main(void)
{
	test_append();
	test_cap();
	test_json();
	test_urlenc();
	test_printable();
	return done_testing();
}
