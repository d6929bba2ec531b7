/*
 * Unit tests for jqscan: tables of jq program text and what the scanner
 * makes of it, without libjq: the fields of Graph objects a program reads
 * (or that it cannot tell), Ocean's single-quote rule, the "if" without
 * "else", and the first bracket that closes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "jqscan.h"
#include "mapping.h"
#include "tap.h"

struct fcase {
	const char *program; /* the identifier's expression */
	const char *want;    /* fields read, or NULL: cannot tell */
};

static const struct fcase fcases[] = {
	{ ".id", "id" },
	{ ".displayName // .userPrincipalName",
	    "displayName,id,userPrincipalName" },
	{ ".signInActivity.lastSignInDateTime", "id,signInActivity" },
	{ ".\"quoted name\"", "id,quoted name" },
	{ ".x? // \"none\"", "id,x" },
	{ "[.arr[] | .y]", "arr,id" },
	{ ".a.b.c", "a,id" },
	{ "[.members[]? | select(.\"@odata.type\" == "
	  "\"#microsoft.graph.user\") | .id]",
	    "id,members" },
	{ ".userType == 'Member'", "id,userType" },
	{ "if .accountEnabled then \"on\" else \"off\" end",
	    "accountEnabled,id" },
	{ ".a as $x | $x.foo | .bar", "a,id" },
	{ "(.mail // \"\") | ascii_downcase", "id,mail" },
	{ "\"\\(.givenName) \\(.surname)\"", "givenName,id,surname" },
	{ "{a: .b, c: .d}", "b,d,id" },
	{ ".", NULL },
	{ ". as $x | $x.foo", NULL },
	{ "tojson", NULL },
	{ "keys", NULL },
	{ "to_entries", NULL },
	{ "with_entries(.)", NULL },
	{ "[paths]", NULL },
	{ "[..]", NULL },
	{ "getpath([\"a\"])", NULL },
	{ "$__loc__", NULL },
	{ "input", NULL },
	{ ".[\"x\"]", NULL },
};

/* The fields read by a resource whose identifier is program. */
static char *
fields_of(const char *program)
{
	struct mapping_resource r;
	char kind[] = "/users", id[] = "identifier", bp[] = "blueprint";
	char bpv[] = "\"b\"", *text = strdup(program), *res;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.identifier.name = id;
	r.identifier.value = text;
	r.blueprint.name = bp;
	r.blueprint.value = bpv;
	res = jqscan_fields_read(&r);
	free(text);
	return res;
}

static void
test_fields(void)
{
	size_t i;

	for (i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++) {
		char *got = fields_of(fcases[i].program);

		is_str(got, fcases[i].want, "fields of %s", fcases[i].program);
		free(got);
	}
}

struct tcase {
	const char *in;
	const char *want;
};

static void
test_requote(void)
{
	static const struct tcase c[] = {
		{ "'abc'", "\"abc\"" },
		{ ".a == 'x'", ".a == \"x\"" },
		{ "'it\\'s'", "\"it's\"" },
		{ "'say \"hi\"'", "\"say \\\"hi\\\"\"" },
		{ "\"keep 'this'\"", "\"keep 'this'\"" },
		{ "# it's a comment\n.a", "# it's a comment\n.a" },
		{ "'unterminated", "'unterminated" },
		{ "\"\\('x')\"", "\"\\(\"x\")\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *got = jqscan_requote(c[i].in);

		is_str(got, c[i].want, "requote %s", c[i].in);
		free(got);
	}
}

static void
test_if_else(void)
{
	ok(jqscan_if_without_else("if .a then 1 end"), "if without else");
	ok(!jqscan_if_without_else("if .a then 1 else 2 end"), "if with else");
	ok(jqscan_if_without_else("if .a then 1 else if .b then 2 end end"),
	    "a nested if without else");
	ok(jqscan_if_without_else("if .a then 1"), "unterminated if");
	ok(!jqscan_if_without_else(".end_date"), "a field named end");
	ok(!jqscan_if_without_else("\"if x then y end\""), "in a string");
	ok(!jqscan_if_without_else(".a // .b"), "no if at all");
}

static void
test_stray(void)
{
	ok(jqscan_stray_close(".a)") == 2, "a stray ')' at 2");
	ok(jqscan_stray_close("(.a)") == -1, "balanced");
	ok(jqscan_stray_close("\")\" | .a]") == 8, "after a string with ')'");
	ok(jqscan_stray_close("# )\n.a") == -1, "in a comment");
	ok(jqscan_stray_close("[.a]}") == 4, "a stray '}'");
}

int
main(void)
{
	test_fields();
	test_requote();
	test_if_else();
	test_stray();
	return done_testing();
}
