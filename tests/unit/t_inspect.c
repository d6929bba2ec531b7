/*
 * Unit tests for the mapping builder's pure parts: blueprint identifiers
 * and titles from Graph paths, and the string formats (Port's date-time,
 * email and url checks) a sample must prove before a property gets one.
 */
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "tap.h"

static void
id_is(const char *path, const char *want)
{
	char *got = inspect_identifier(path);

	is_str(got, want, "%s", path);
	free(got);
}

static void
title_is(const char *id, const char *want)
{
	char *got = inspect_title(id);

	is_str(got, want, "%s", id);
	free(got);
}

int
main(void)
{
	id_is("/users", "entra-id-user");
	id_is("/groups", "entra-id-group");
	id_is("/applications", "entra-id-application");
	id_is("/servicePrincipals", "entra-id-service-principal");
	id_is("/devices", "entra-id-device");
	id_is("/groups/7d96660a-02e1-4112-9515-1762d0cb66b7/owners",
	    "entra-id-owner");
	id_is("/groups/{id}/members", "entra-id-member");
	id_is("/identity/conditionalAccess/policies", "entra-id-policy");
	id_is("/users/", "entra-id-user");
	id_is("/", "entra-id-object");
	title_is("entra-id-user", "Entra ID User");
	title_is("entra-id-service-principal", "Entra ID Service Principal");

	ok(inspect_format_ok("2024-01-01T00:00:00Z", FMT_DATE_TIME), "date");
	ok(inspect_format_ok("0001-01-01T00:00:00Z", FMT_DATE_TIME),
	    "Graph's no-value date");
	ok(inspect_format_ok("2024-01-01T00:00:00.123+02:00", FMT_DATE_TIME),
	    "date with fraction and offset");
	ok(!inspect_format_ok("2024-01-01", FMT_DATE_TIME), "date only");
	ok(!inspect_format_ok("2024-13-01T00:00:00Z", FMT_DATE_TIME),
	    "month 13");
	ok(!inspect_format_ok("2024-01-01T00:00:00", FMT_DATE_TIME), "no zone");
	ok(!inspect_format_ok("", FMT_DATE_TIME), "empty date");

	ok(inspect_format_ok("AdeleV@contoso.onmicrosoft.com", FMT_EMAIL),
	    "email");
	ok(inspect_format_ok("megan.bowen_fabrikam.com#EXT#@contoso.com",
	       FMT_EMAIL),
	    "guest UPN validates as Port checks it");
	ok(!inspect_format_ok("not an email", FMT_EMAIL), "spaces");
	ok(!inspect_format_ok("a@b", FMT_EMAIL), "one label");
	ok(!inspect_format_ok("a@@b.com", FMT_EMAIL), "two @");
	ok(!inspect_format_ok("a b@c.com", FMT_EMAIL), "space in local part");
	ok(!inspect_format_ok(".a@c.com", FMT_EMAIL), "leading dot");
	ok(!inspect_format_ok("a@-c.com", FMT_EMAIL), "label starts with -");
	ok(!inspect_format_ok("", FMT_EMAIL), "empty email");

	ok(inspect_format_ok("https://contoso.com/x?y=1", FMT_URL), "url");
	ok(inspect_format_ok("http://localhost", FMT_URL), "http url");
	ok(!inspect_format_ok("api://0a7b3c6e", FMT_URL), "api:// is no url");
	ok(!inspect_format_ok("https:// x", FMT_URL), "no host");
	ok(!inspect_format_ok("https://a b", FMT_URL), "space");
	ok(!inspect_format_ok("https:///path", FMT_URL), "a path, no host");
	ok(!inspect_format_ok("http://?q=1", FMT_URL), "a query, no host");
	ok(!inspect_format_ok("https://#top", FMT_URL), "a fragment, no host");
	ok(!inspect_format_ok("https://", FMT_URL), "nothing after https://");
	return done_testing();
}
