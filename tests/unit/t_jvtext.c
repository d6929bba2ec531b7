/*
 * Unit tests for jvtext.c: for every value tried, jvtext_put writes the
 * bytes jv_dump_string(v, 0) writes — every ASCII character and the
 * control characters in strings and keys, multi-byte and astral
 * characters, numbers, empty and nested containers, objects that lost
 * keys, and seeded random values — and gives way (b unchanged) past its
 * depth.
 */
#include <jq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jvtext.h"
#include "tap.h"

static int mismatches;

/* Whether jvtext_put(v) equals jv_dump_string(v, 0); v consumed. */
static int
same(jv v, const char *what)
{
	struct buf b;
	jv s = jv_dump_string(jv_copy(v), 0);
	int r;

	buf_init(&b);
	buf_puts(&b, "<");
	r = jvtext_put(&b, v) == 0 &&
	    b.len == 1 + (size_t)jv_string_length_bytes(jv_copy(s)) &&
	    memcmp(b.data + 1, jv_string_value(s), b.len - 1) == 0;
	if (!r && mismatches++ < 5)
		printf("# %s:\n#   jvtext: %s\n#   libjq:  %s\n", what,
		    buf_str(&b) + 1, jv_string_value(s));
	buf_release(&b);
	jv_free(s);
	jv_free(v);
	return r;
}

static jv
parse(const char *json)
{
	return jv_parse(json);
}

/* A random string of up to 12 characters, from a mix of classes. */
static jv
rnd_string(unsigned *seed)
{
	static const char *const pieces[] = { "a", "Z", " ", "\"", "\\", "/",
		"\x01", "\x1f", "\x7f", "\n", "\t", "\r", "\b", "\f",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc2\x80",
		"\xef\xbf\xbf", "~", "0", "\x00" };
	char text[64];
	size_t n = 0, k, len = (size_t)(rand_r(seed) % 13);

	for (k = 0; k < len; k++) {
		const char *p = pieces[rand_r(seed) %
		    (int)(sizeof(pieces) / sizeof(pieces[0]))];
		size_t pl = *p == '\0' ? 1 : strlen(p);

		memcpy(text + n, p, pl);
		n += pl;
	}
	return jv_string_sized(text, (int)n);
}

static jv
rnd_value(unsigned *seed, int depth)
{
	static const double nums[] = { 0, -0.0, 1, -1, 0.1, 1e100, 3e-5,
		123456789012345678.0, 2.5, 1e-300, 4294967296.0, 1.0 / 3 };
	int k = rand_r(seed) % (depth > 4 ? 5 : 7), i, n;
	jv v;

	switch (k) {
	case 0:
		return jv_null();
	case 1:
		return rand_r(seed) % 2 ? jv_true() : jv_false();
	case 2:
		return jv_number(nums[rand_r(seed) %
		    (int)(sizeof(nums) / sizeof(nums[0]))]);
	case 3:
	case 4:
		return rnd_string(seed);
	case 5:
		v = jv_array();
		n = rand_r(seed) % 5;
		for (i = 0; i < n; i++)
			v = jv_array_append(v, rnd_value(seed, depth + 1));
		return v;
	default:
		v = jv_object();
		n = rand_r(seed) % 7;
		for (i = 0; i < n; i++)
			v = jv_object_set(v, rnd_string(seed),
			    rnd_value(seed, depth + 1));
		if (n > 2 && rand_r(seed) % 2)
			v = jv_object_delete(v, rnd_string(seed));
		return v;
	}
}

static jv
nested(int levels)
{
	jv v = jv_number(1);
	int i;

	for (i = 0; i < levels; i++)
		v = i % 2 ? jv_array_append(jv_array(), v) :
			    jv_object_set(jv_object(), jv_string("a"), v);
	return v;
}

/*
 * Whether jvtext_parse reads text as libjq does: when it reads it, libjq
 * reads the same value (equal, and written alike, so in the same order).
 * *read says whether jvtext read it.  libjq is asked only then: its 1.6
 * parser leaks the values it was building when it meets an error.
 */
static int
parse_agrees(const char *text, size_t n, int *read)
{
	jv mine, theirs;
	int r = 1;

	*read = jvtext_parse(text, n, &mine) == 0;
	if (*read) {
		theirs = jv_parse_sized(text, (int)n);
		jv a = jv_dump_string(jv_copy(mine), 0);
		jv b = jv_is_valid(theirs) ?
		    jv_dump_string(jv_copy(theirs), 0) :
		    jv_string("<invalid>");

		r = jv_is_valid(theirs) &&
		    jv_equal(jv_copy(mine), jv_copy(theirs)) &&
		    strcmp(jv_string_value(a), jv_string_value(b)) == 0;
		if (!r && mismatches++ < 10)
			printf("# read otherwise: %.*s\n#   jvtext: %s\n#   "
			       "libjq:  %s\n",
			    (int)n, text, jv_string_value(a),
			    jv_string_value(b));
		jv_free(a);
		jv_free(b);
		jv_free(mine);
		jv_free(theirs);
	}
	return r;
}

/* Append a random JSON text of a value to b: blanks, escapes, numbers. */
static void
rnd_text(struct buf *b, unsigned *seed, int depth)
{
	static const char *const ws[] = { "", "", " ", "\n", "\t ", "\r\n" };
	static const char *const nums[] = { "0", "-0", "1", "-12", "3.25",
		"1e5", "1E+2", "2e-3", "-0.0", "123456789012345678901234",
		"0.1", "1.7976931348623157e308", "2.5e-300" };
	static const char *const chars[] = { "a", "Z", " ", "\\\"", "\\\\",
		"\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9",
		"\\u20AC", "\\ud83d\\ude00", "\\u0000", "\\u007f", "\xc3\xa9",
		"\xf0\x9f\x98\x80", "\xff", "~", "/" };
	int k = rand_r(seed) % (depth > 4 ? 4 : 6), i, n;

	buf_puts(b, ws[rand_r(seed) % 6]);
	switch (k) {
	case 0:
		buf_puts(b,
		    rand_r(seed) % 3 == 0 ? "null" :
			rand_r(seed) % 2  ? "true" :
					    "false");
		break;
	case 1:
		buf_puts(b,
		    nums[rand_r(seed) % (int)(sizeof(nums) / sizeof(nums[0]))]);
		break;
	case 2:
	case 3:
		buf_putc(b, '"');
		n = rand_r(seed) % 8;
		for (i = 0; i < n; i++)
			buf_puts(b,
			    chars[rand_r(seed) %
				(int)(sizeof(chars) / sizeof(chars[0]))]);
		buf_putc(b, '"');
		break;
	case 4:
		buf_putc(b, '[');
		n = rand_r(seed) % 4;
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(b, ',');
			rnd_text(b, seed, depth + 1);
		}
		buf_puts(b, ws[rand_r(seed) % 6]);
		buf_putc(b, ']');
		break;
	default:
		buf_putc(b, '{');
		n = rand_r(seed) % 5;
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(b, ',');
			buf_puts(b, ws[rand_r(seed) % 6]);
			/* Few names, so some repeat. */
			buf_printf(b, "\"k%d\"", rand_r(seed) % 4);
			buf_puts(b, ws[rand_r(seed) % 6]);
			buf_putc(b, ':');
			rnd_text(b, seed, depth + 1);
		}
		buf_puts(b, ws[rand_r(seed) % 6]);
		buf_putc(b, '}');
		break;
	}
	buf_puts(b, ws[rand_r(seed) % 6]);
}

static void
test_parse(void)
{
	static const char *const good[] = { "{}", "[]", "\"\"", "0", "-0",
		" {\"a\" : [1, 2.5e3, -0.25, true, false, null] } ",
		"\"\\u0000 \\ud83d\\ude00 \\u00E9 \\/ \\b\\f\\n\\r\\t\"",
		"{\"a\":1,\"b\":2,\"a\":3}", "[\"\xff\xfe\"]",
		"123456789012345678901234567890", "1E400000000000000000000",
		"5e-324" };
	static const char *const bad[] = { "", " ", "[", "]", "{", "{\"a\"}",
		"{\"a\":}", "{a:1}", "[1,]", "[,1]", "{\"a\":1,}", "01", "1.",
		".5", "+1", "-", "1e", "0x10", "NaN", "nan", "Infinity", "tru",
		"nul", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\tb\"", "1 2", "[1] x",
		"\xef\xbb\xbf[]", "1e999", "-1e999", "[\"a\"\"b\"]",
		"{\"a\" 1}", "[1 2]", "\"\x01\"" };
	struct buf b;
	unsigned seed = 29;
	size_t i, k;
	int read, all = 1, accepted = 1, nread = 0;
	jv v;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		all &= parse_agrees(good[i], strlen(good[i]), &read);
		/* Out of range (and subnormal): libjq's to read. */
		accepted &= read || strncmp(good[i], "1E4", 3) == 0 ||
		    strcmp(good[i], "5e-324") == 0;
	}
	ok(all && accepted,
	    "strict JSON is read, as libjq reads it (escapes, surrogate "
	    "pairs, NUL, repeated keys, bad UTF-8, long numbers)");
	all = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		all &= parse_agrees(bad[i], strlen(bad[i]), &read);
		nread += read;
	}
	ok(all && nread == 0,
	    "what is not strict JSON, or out of range, is left to libjq");
	buf_init(&b);
	buf_puts(&b, "[");
	for (i = 0; i < JVTEXT_MAX_DEPTH + 1; i++)
		buf_puts(&b, "[");
	for (i = 0; i < JVTEXT_MAX_DEPTH + 2; i++)
		buf_puts(&b, "]");
	read = jvtext_parse(b.data, b.len, &v) == -1;
	ok(read && jvtext_parse(b.data + 1, b.len - 2, &v) == 0,
	    "%d levels are read, one more is left to libjq", JVTEXT_MAX_DEPTH);
	if (read)
		jv_free(v);
	buf_release(&b);

	all = 1;
	accepted = 1;
	nread = 0;
	for (i = 0; i < 2000; i++) {
		buf_init(&b);
		rnd_text(&b, &seed, 0);
		all &= parse_agrees(b.data, b.len, &read);
		accepted &= read;
		/* The same text with one byte changed, or cut short. */
		for (k = 0; k < 8 && b.len > 0; k++) {
			static const char subst[] = "\"\\[]{},:0e-.u \x01\xc3";
			size_t at = (size_t)rand_r(&seed) % b.len;

			if (k == 7) {
				all &= parse_agrees(b.data, at, &read);
				continue;
			}
			b.data[at] =
			    subst[rand_r(&seed) % (int)(sizeof(subst) - 1)];
			all &= parse_agrees(b.data, b.len, &read);
			nread += read;
		}
		buf_release(&b);
	}
	ok(all && accepted && nread > 300,
	    "2000 seeded random texts read as libjq reads them, and 14000 "
	    "changed or cut (%d of those read)",
	    nread);
}

int
main(void)
{
	char text[8], what[64];
	unsigned seed = 13;
	struct buf b;
	int c, all = 1;
	jv o;

	/* Every ASCII character alone, in a value and in a key. */
	for (c = 0; c < 128; c++) {
		text[0] = (char)c;
		snprintf(what, sizeof(what), "character %d", c);
		all &= same(jv_string_sized(text, 1), what);
		all &= same(jv_object_set(jv_object(), jv_string_sized(text, 1),
				jv_string_sized(text, 1)),
		    what);
	}
	ok(all, "each of the 128 ASCII characters, as a value and as a key");
	ok(same(jv_string(
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd"),
	       "multi-byte"),
	    "multi-byte and astral characters are their UTF-8 bytes");
	ok(same(jv_string_sized("a\xff\xfe"
				"b\xc3",
		    5),
	       "bad UTF-8"),
	    "bytes that are not UTF-8 are written as libjq mended them");
	ok(same(jv_string(""), "empty string") && same(jv_array(), "[]") &&
		same(jv_object(), "{}") && same(jv_null(), "null") &&
		same(jv_true(), "true") && same(jv_false(), "false"),
	    "empty containers, null and the booleans");
	ok(same(parse("[0,-0,1.5,1e100,-3e-5,12345678901234567890,0.1,"
		      "100000000000000000000,1.7976931348623157e308]"),
	       "numbers"),
	    "numbers are libjq's own digits");
	ok(same(parse("{\"b\":1,\"a\":[1,{\"c\":null,\"\":\"\"}],\"b\":2}"),
	       "object order"),
	    "object members in libjq's order, a repeated key once");
	o = jv_object();
	for (c = 0; c < 200; c++) {
		snprintf(what, sizeof(what), "k%d", (c * 37) % 211);
		o = jv_object_set(o, jv_string(what), jv_number(c));
	}
	for (c = 0; c < 200; c += 3) {
		snprintf(what, sizeof(what), "k%d", (c * 37) % 211);
		o = jv_object_delete(o, jv_string(what));
	}
	ok(same(o, "200 keys, some deleted"),
	    "an object grown past its first table, with keys deleted");
	ok(same(nested(JVTEXT_MAX_DEPTH), "deep"),
	    "%d levels of nesting are written", JVTEXT_MAX_DEPTH);

	buf_init(&b);
	buf_puts(&b, "kept");
	o = nested(JVTEXT_MAX_DEPTH + 1);
	ok(jvtext_put(&b, o) == -1 && strcmp(buf_str(&b), "kept") == 0,
	    "one level more gives way, the buffer as it was");
	jv_free(o);
	o = nested(300);
	ok(jvtext_put(&b, o) == -1 && b.len == 4,
	    "so does a value libjq cuts short (300 levels)");
	jv_free(o);
	buf_release(&b);

	all = 1;
	for (c = 0; c < 3000; c++) {
		snprintf(what, sizeof(what), "random value %d", c);
		all &= same(rnd_value(&seed, 0), what);
	}
	ok(all, "3000 seeded random values");

	buf_init(&b);
	jvtext_put_string(&b, "a\"b\\c\n\x01\x7f\xc3\xa9", 10);
	is_str(buf_str(&b), "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\"",
	    "jvtext_put_string escapes as libjq does");
	buf_release(&b);
	test_parse();
	return done_testing();
}
