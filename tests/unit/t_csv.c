/* Unit tests for csv: whole-name membership and removal. */
#include <stdlib.h>

#include "csv.h"
#include "tap.h"

int
main(void)
{
	char *s;
	int f;

	ok(csv_has("id,mail,displayName", "mail"), "a middle name");
	ok(csv_has("id,mail", "id"), "the first");
	ok(csv_has("id,mail", "mail"), "the last");
	ok(!csv_has("id,mailNickname", "mail"), "a prefix is not the name");
	ok(!csv_has("id,otherMail", "Mail"), "a suffix is not the name");
	ok(!csv_has("", "id"), "empty list");
	ok(!csv_has(NULL, "id"), "no list");
	ok(!csv_has("id", ""), "empty name");
	ok(!csv_has("id,,mail", ""), "an empty name is never there");
	ok(csv_has("id, displayName ,mail", "displayName"),
	    "spaces around a name are not part of it");
	ok(csv_has("id,DisplayName", "displayName") &&
		csv_has("SIGNINACTIVITY", "signInActivity"),
	    "case is ignored, as Graph ignores it in $select");
	ok(!csv_has("id, displayNames", "displayName"),
	    "trimmed, a longer name is still another name");
	s = csv_without("id,signInActivity,mail", "signInActivity", &f);
	is_str(s, "id,mail", "removed from the middle");
	ok(f, "found");
	free(s);
	s = csv_without("signInActivity", "signInActivity", &f);
	is_str(s, "", "the only name");
	free(s);
	s = csv_without("id,mailNickname", "mail", &f);
	is_str(s, "id,mailNickname", "a prefix stays");
	ok(!f, "not found");
	free(s);
	s = csv_without("id,mail", "mailNickname", &f);
	is_str(s, "id,mail", "a name that is a prefix of it stays");
	ok(!f, "not found either");
	free(s);
	s = csv_without("id , SignInActivity,mail ", "signInActivity", &f);
	is_str(s, "id,mail", "removed whatever its case; spaces dropped");
	ok(f, "found so");
	free(s);
	s = csv_without("a,b,a", "a", NULL);
	is_str(s, "b", "every occurrence");
	free(s);
	return done_testing();
}
