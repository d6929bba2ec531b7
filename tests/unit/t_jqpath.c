/*
 * Unit tests for jqpath.c: which jq programs are simple enough to run
 * without libjq (plain key paths, plain string literals, alternatives of
 * them), what they are read as, and that everything else is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jqpath.h"
#include "tap.h"

/* p as text again: terms joined by " // ", keys by ".", literals quoted. */
static void
show(const struct jqpath *p, char *out, size_t len)
{
	size_t a, k, n = 0;

	out[0] = '\0';
	for (a = 0; a < p->nalt; a++) {
		const struct jqpath_term *t = &p->alt[a];

		if (a > 0)
			n += (size_t)snprintf(out + n, len - n, " // ");
		if (t->string != NULL)
			n += (size_t)snprintf(out + n, len - n, "\"%s\"",
			    t->string);
		for (k = 0; t->string == NULL && k < t->nkeys; k++)
			n += (size_t)snprintf(out + n, len - n, ".%s",
			    t->keys[k]);
	}
}

static void
accepts(const char *text, const char *want)
{
	struct jqpath *p = jqpath_parse(text);
	char got[256];

	if (p == NULL) {
		ok(0, "simple: %s", text);
		return;
	}
	show(p, got, sizeof(got));
	is_str(got, want, "simple: %s", text);
	jqpath_free(p);
}

static void
refuses(const char *text)
{
	struct jqpath *p = jqpath_parse(text);

	ok(p == NULL, "left to libjq: %s", text);
	jqpath_free(p);
}

int
main(void)
{
	accepts(".id", ".id");
	accepts("  .signInActivity.lastSignInDateTime\n",
	    ".signInActivity.lastSignInDateTime");
	accepts(".displayName // .userPrincipalName",
	    ".displayName // .userPrincipalName");
	accepts(".a//.b//\"none\"", ".a // .b // \"none\"");
	accepts("\"entra-id-user\"", "\"entra-id-user\"");
	accepts("\"\"", "\"\"");
	accepts("._x1.if", "._x1.if");
	refuses("");
	refuses(".");
	refuses(". ");
	refuses(".a.");
	refuses(".1a");
	refuses(".a .b");
	refuses(".a[0]");
	refuses(".a?");
	refuses(".a | .b");
	refuses("..a");
	refuses(".\"@odata.type\"");
	refuses(".a // ");
	refuses("// .a");
	refuses(".a / .b");
	refuses(".a # a comment");
	refuses("$ENV.X");
	refuses("env.X");
	refuses("true");
	refuses("null");
	refuses("[.a]");
	refuses("\"a\\\"b\"");
	refuses("\"\\(.id)\"");
	refuses("\"tab\there\"");
	refuses("\"caf\xc3\xa9\"");
	refuses("\"open");
	refuses(".a // .b.");
	ok(jqpath_is_true("true") && jqpath_is_true("  true\n"),
	    "true is the keep-all selector");
	ok(!jqpath_is_true("true | .") && !jqpath_is_true("truex") &&
		!jqpath_is_true(".ok") && !jqpath_is_true(""),
	    "nothing else is");
	jqpath_free(NULL);
	return done_testing();
}
