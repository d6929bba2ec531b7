/*
 * Unit tests for graphschema: every property and navigation property of
 * the published contract (tests/contracts/graph-schema.md, a copy of
 * reference/graph-schema.md) is in the tables with its type and
 * nullability, and the lookups the engine relies on (classification,
 * nearest names, Port types, the $top limits) answer as documented.
 * Run from the top of the source tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphschema.h"
#include "tap.h"

#define CONTRACT "tests/contracts/graph-schema.md"

/* The collection path of an entity type of the contract, or NULL. */
static const char *
path_of(const char *type)
{
	static const char *const map[][2] = { { "user", "/users" },
		{ "group", "/groups" }, { "application", "/applications" },
		{ "servicePrincipal", "/servicePrincipals" } };
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], type) == 0)
			return map[i][1];
	return NULL;
}

/* Check one "| name | type | not null |" row of section type. */
static int
check_row(const char *type, char *line)
{
	char name[128], t[128], flag[64];
	const struct graphschema_prop *p;
	const char *paths[4] = { "/users", "/groups", "/applications",
		"/servicePrincipals" };
	size_t i, np = 0;
	unsigned want = 0;
	int bad = 0;

	flag[0] = '\0';
	if (sscanf(line, "| %127s | %127s | %63[^|]|", name, t, flag) < 2 ||
	    strcmp(name, "property") == 0 || name[0] == '-')
		return 0;
	if (strncmp(flag, "not null", 8) == 0)
		want |= GS_NOT_NULL;
	if (t[0] == '[') {
		want |= GS_COLLECTION;
		memmove(t, t + 1, strlen(t));
		t[strcspn(t, "]")] = '\0';
	}
	/* entity and directoryObject are inherited by all four. */
	if (path_of(type) != NULL)
		paths[np++] = path_of(type);
	else
		np = 4;
	for (i = 0; i < np; i++) {
		p = graphschema_prop(paths[i], name);
		if (p == NULL || strcmp(p->type, t) != 0 ||
		    (p->flags & (GS_COLLECTION | GS_NOT_NULL)) != want) {
			printf("# %s.%s (%s): %s\n", type, name, paths[i],
			    p == NULL ? "missing" : "type or flags differ");
			bad++;
		} else if (graphschema_classify(paths[i], name) !=
		    GS_PROPERTY) {
			printf("# %s.%s not classified as a property\n", type,
			    name);
			bad++;
		}
	}
	return bad;
}

/* Check the "Navigation ...: a → T, b → [T]" line of section type. */
static int
check_nav(const char *type, const char *line, size_t *n)
{
	const char *p = strchr(line, ':'), *arrow;
	int bad = 0;

	while (p != NULL && (arrow = strstr(p, " \xe2\x86\x92 ")) != NULL) {
		const char *s = arrow;
		char name[128];

		while (s > line && s[-1] != ' ')
			s--;
		snprintf(name, sizeof(name), "%.*s", (int)(arrow - s), s);
		if (graphschema_classify(path_of(type), name) !=
		    GS_NAVIGATION) {
			printf("# %s: navigation '%s' missing\n", type, name);
			bad++;
		}
		(*n)++;
		p = arrow + 5;
	}
	return bad;
}

static void
test_contract(void)
{
	FILE *f = fopen(CONTRACT, "r");
	char line[8192], type[128] = "";
	size_t rows = 0, navs = 0;
	int bad = 0;

	ok(f != NULL, "%s is readable", CONTRACT);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "## ", 3) == 0) {
			if (sscanf(line + 3, "%127s", type) != 1 ||
			    strcmp(type, "Complex") == 0)
				type[0] = '\0';
			continue;
		}
		if (type[0] == '\0')
			continue;
		if (line[0] == '|') {
			int b = check_row(type, line);

			bad += b;
			rows += strstr(line, "| property |") == NULL &&
			    strncmp(line, "|---", 4) != 0;
		} else if (strncmp(line, "Navigation", 10) == 0) {
			bad += check_nav(type, line, &navs);
		}
	}
	fclose(f);
	ok(rows >= 200, "the contract lists %zu properties", rows);
	ok(navs >= 100, "the contract lists %zu navigation properties", navs);
	is_int(bad, 0,
	    "every property and relationship of the contract is "
	    "in the tables, with its type and nullability");
}

static void
test_classify(void)
{
	is_int(graphschema_classify("/users", "displayName"), GS_PROPERTY,
	    "users.displayName is a property");
	is_int(graphschema_classify("/users", "dispalyName"), GS_UNDECLARED,
	    "users.dispalyName is undeclared");
	is_int(graphschema_classify("/users/", "id"), GS_PROPERTY,
	    "a trailing slash names the same kind");
	is_int(graphschema_classify("/groups", "members"), GS_NAVIGATION,
	    "groups.members is a relationship");
	is_int(graphschema_classify("/groups", "transitiveMembers"),
	    GS_NAVIGATION, "groups.transitiveMembers is a relationship");
	is_int(graphschema_classify("/users", "manager"), GS_NAVIGATION,
	    "users.manager is a relationship");
	is_int(graphschema_classify("/users", "@odata.type"), GS_ANNOTATION,
	    "@odata.type is an annotation");
	is_int(graphschema_classify("/devices", "displayName"), GS_UNCOVERED,
	    "/devices is not covered");
	is_int(graphschema_classify("/devices", "memberOf"), GS_NAVIGATION,
	    "memberOf is a relationship on any kind");
	/* Returned by the service though the metadata lacks them. */
	is_int(graphschema_classify("/servicePrincipals", "createdDateTime"),
	    GS_PROPERTY, "servicePrincipals.createdDateTime is returned");
	is_int(graphschema_classify("/groups", "creationOptions"), GS_PROPERTY,
	    "groups.creationOptions is returned");
	is_int(graphschema_classify("/applications", "creationOptions"),
	    GS_UNDECLARED, "applications.creationOptions is not");
	is_str(graphschema_type_of("/servicePrincipals"), "servicePrincipal",
	    "type of /servicePrincipals");
	is_str(graphschema_type_of("/groups/x/members"), NULL,
	    "a member list is not covered");
}

static void
test_lists(void)
{
	char *s;

	s = graphschema_select("/users",
	    "accountEnabled,dispalyName,id,"
	    "manager,extension_0123456789abcdef0123456789ABCDEF_costCenter,"
	    "signInActivity");
	is_str(s,
	    "accountEnabled,id,"
	    "extension_0123456789abcdef0123456789ABCDEF_costCenter,"
	    "signInActivity",
	    "a $select keeps properties and extensions");
	free(s);
	s = graphschema_select("/devices", "displayName,memberOf");
	is_str(s, "displayName", "an uncovered kind keeps all but relations");
	free(s);
	s = graphschema_select("/users", "manager");
	is_str(s, "", "nothing left");
	free(s);
	s = graphschema_undeclared("/users",
	    "id,dispalyName,zzzzzzzz,mail,"
	    "extension_0123_x");
	is_str(s,
	    "'dispalyName' (did you mean displayName?), 'zzzzzzzz', "
	    "'extension_0123_x'",
	    "undeclared names, with the nearest");
	free(s);
	s = graphschema_undeclared("/groups", "id,mail,members,@odata.type");
	is_str(s, NULL, "nothing undeclared");
	free(s);
	s = graphschema_undeclared("/devices", "whatever");
	is_str(s, NULL, "an uncovered kind declares nothing to check");
	free(s);
}

static void
nearest_is(const char *kind, const char *name, const char *want)
{
	char *got = graphschema_nearest(kind, name);

	is_str(got, want, "nearest to %s%s", kind, name);
	free(got);
}

static void
test_nearest(void)
{
	nearest_is("/users", "dispalyName", "displayName");
	nearest_is("/users", "displayname", "displayName");
	nearest_is("/users", "mial", "mail");
	nearest_is("/users", "acountEnabled", "accountEnabled");
	nearest_is("/users", "createdDatetime", "createdDateTime");
	nearest_is("/groups", "membershiprules", "membershipRule");
	nearest_is("/users", "zzzzzzzz", NULL);
	nearest_is("/devices", "dispalyName", NULL);
}

static void
test_types(void)
{
	const struct graphschema_prop *p;

	p = graphschema_prop("/users", "createdDateTime");
	is_str(p ? graphschema_port_type(p) : NULL, "string",
	    "createdDateTime is a string");
	is_str(p ? graphschema_port_format(p) : NULL, "date-time",
	    "createdDateTime is a date-time");
	p = graphschema_prop("/users", "mail");
	is_str(p ? graphschema_port_format(p) : NULL, NULL,
	    "mail has no format (addresses may be non-ASCII)");
	p = graphschema_prop("/users", "accountEnabled");
	is_str(p ? graphschema_port_type(p) : NULL, "boolean",
	    "accountEnabled is a boolean");
	p = graphschema_prop("/users", "businessPhones");
	is_str(p ? graphschema_port_type(p) : NULL, "array",
	    "businessPhones is an array");
	p = graphschema_prop("/users", "signInActivity");
	is_str(p ? graphschema_port_type(p) : NULL, "object",
	    "signInActivity is an object");
	p = graphschema_prop("/users", "deviceEnrollmentLimit");
	is_str(p ? graphschema_port_type(p) : NULL, "number",
	    "deviceEnrollmentLimit is a number");
	p = graphschema_prop("/groups", "accessType");
	is_str(p ? graphschema_port_type(p) : NULL, "string",
	    "an enum travels as a string");
	p = graphschema_prop("/applications", "logo");
	is_str(p ? graphschema_port_type(p) : "x", NULL,
	    "a stream has no Port type");
	p = graphschema_prop("/servicePrincipals", "createdDateTime");
	is_str(p ? graphschema_port_format(p) : NULL, "date-time",
	    "servicePrincipals.createdDateTime is a date-time");
	p = graphschema_prop("/groups", "deletedDateTime");
	ok(p != NULL && (p->flags & GS_NOT_NULL) == 0,
	    "deletedDateTime is inherited and nullable");
	p = graphschema_prop("/applications", "id");
	ok(p != NULL && (p->flags & GS_NOT_NULL) != 0,
	    "id is inherited and not null");
}

static void
test_top(void)
{
	is_int(graphschema_max_top("/users", "id,displayName", NULL), 999,
	    "users without signInActivity: 999");
	is_int(graphschema_max_top("/users", "id,signInActivity", NULL), 500,
	    "users selecting signInActivity: 500");
	is_int(graphschema_max_top("/users", "id, signinactivity ", NULL), 500,
	    "case and spaces do not hide it");
	is_int(graphschema_max_top("/users", NULL,
		   "signInActivity/lastSignInDateTime le 2024-01-01T00:00:00Z"),
	    500, "users filtered on signInActivity: 500");
	is_int(graphschema_max_top("/users", "id,signInActivityX", NULL), 999,
	    "another name that starts the same: 999");
	is_int(graphschema_max_top("/groups", "signInActivity", NULL), 999,
	    "groups: 999");
	is_int(graphschema_max_top("/groups/x/members", NULL, NULL), 999,
	    "member lists: 999");
}

static void
test_defaults(void)
{
	const char *const *d = graphschema_user_defaults();
	size_t n = 0;

	while (d[n] != NULL)
		n++;
	is_int(n, 11, "eleven default user properties");
	ok(graphschema_user_default("userPrincipalName"),
	    "userPrincipalName is a default");
	ok(!graphschema_user_default("accountEnabled"),
	    "accountEnabled is not");
}

int
main(void)
{
	test_contract();
	test_classify();
	test_lists();
	test_nearest();
	test_types();
	test_top();
	test_defaults();
	return done_testing();
}
