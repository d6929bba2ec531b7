/*
 * Unit tests for mapping.c (and the built-in blueprints): the guide's
 * mapping files load verbatim, the built-in mapping is complete, every
 * scalar style works, and each bad file fails with exactly one error that
 * names the right file:line:col.  Runs from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "blueprints.h"
#include "mapping.h"
#include "tap.h"

#define FIX "tests/fixtures/mapping/"

static FILE *errf;  /* stderr, redirected to a temporary file */
static long errpos; /* what has been read of it so far */

/* Start capturing stderr into a temporary file. */
static void
capture_start(void)
{
	char tmpl[] = "/tmp/t_mapping.XXXXXX";
	int fd;

	fflush(stderr);
	if ((fd = mkstemp(tmpl)) == -1 || dup2(fd, 2) == -1) {
		perror("capture");
		exit(1);
	}
	close(fd);
	unlink(tmpl);
	if ((errf = fdopen(dup(2), "r")) == NULL) {
		perror("fdopen");
		exit(1);
	}
}

/* What was written to stderr since the last call; the caller frees it. */
static char *
captured(void)
{
	size_t n = 0, cap = 256;
	char *s = malloc(cap);
	int ch;

	fflush(stderr);
	fseek(errf, errpos, SEEK_SET);
	while ((ch = fgetc(errf)) != EOF) {
		if (n + 2 > cap)
			s = realloc(s, cap *= 2);
		s[n++] = (char)ch;
	}
	s[n] = '\0';
	errpos += (long)n;
	return s;
}

static int
count(const char *s, const char *sub)
{
	int n = 0;

	while ((s = strstr(s, sub)) != NULL) {
		n++;
		s += strlen(sub);
	}
	return n;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	*len = fread(s, 1, (size_t)n, f);
	s[*len] = '\0';
	fclose(f);
	return s;
}

static const struct mapping_field *
find(const struct mapping_field *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static const char *
val(const struct mapping_field *f)
{
	return f != NULL ? f->value : NULL;
}

/* Checks shared by every resource of the guide. */
static void
guide_common(const struct mapping_resource *r, const char *bp)
{
	is_str(r->query.value, "true", "%s query", r->kind);
	is_str(r->query.name, "selector.query", "%s query name", r->kind);
	is_str(r->data_path.value, ".value", "%s data_path", r->kind);
	is_str(r->data_path.name, "selector.data_path", "%s dp name", r->kind);
	is_str(val(mapping_param(r, "$top")), "999", "%s $top", r->kind);
	ok(mapping_param(r, "$expand") == NULL, "%s no $expand", r->kind);
	is_str(r->identifier.value, ".id", "%s identifier", r->kind);
	is_str(r->identifier.name, "identifier", "%s identifier name", r->kind);
	is_str(r->blueprint.value, bp, "%s blueprint", r->kind);
	is_str(r->blueprint.name, "blueprint", "%s blueprint name", r->kind);
	ok(r->icon.value == NULL && r->team.value == NULL, "%s no icon/team",
	    r->kind);
}

static void
check_users(const struct mapping_resource *r, int line0)
{
	is_str(r->kind, "/users", "users kind");
	guide_common(r, "\"entra-id-user\"");
	is_str(r->title.value, ".displayName // .userPrincipalName",
	    "users title");
	is_int(r->nproperties, 11, "users: 11 properties");
	is_str(val(find(r->properties, r->nproperties, "lastSignInDateTime")),
	    ".signInActivity.lastSignInDateTime", "users lastSignInDateTime");
	is_int(r->nrelations, 0, "users: no relations");
	is_int(r->members, MEMBERS_NONE, "users: no membership");
	if (line0 > 0) {
		is_int(r->line, line0 + 1, "users kind line");
		is_int(r->col, 11, "users kind col");
		is_int(r->identifier.line, line0 + 10, "users identifier line");
		is_int(r->identifier.col, 23, "users identifier col");
	}
}

static void
check_groups(const struct mapping_resource *r)
{
	is_str(r->kind, "/groups", "groups kind");
	guide_common(r, "\"entra-id-group\"");
	is_int(r->members, MEMBERS_DIRECT, "groups: $expand -> members");
	is_int(r->nquery_params, 1, "groups: $expand removed, $top kept");
	is_int(r->nproperties, 6, "groups: 6 properties");
	is_int(r->nrelations, 1, "groups: 1 relation");
	is_str(val(find(r->relations, r->nrelations, "members")),
	    "[.members[]?.id]", "groups members relation verbatim");
}

static void
check_apps(const struct mapping_resource *r)
{
	is_str(r->kind, "/applications", "applications kind");
	guide_common(r, "\"entra-id-application\"");
	is_str(r->title.value, ".displayName", "applications title");
	is_int(r->nproperties, 5, "applications: 5 properties");
	is_str(val(find(r->properties, r->nproperties, "signInAudience")),
	    ".signInAudience", "applications signInAudience");
}

static void
check_sps(const struct mapping_resource *r)
{
	is_str(r->kind, "/servicePrincipals", "servicePrincipals kind");
	guide_common(r, "\"entra-id-service-principal\"");
	is_int(r->nproperties, 6, "servicePrincipals: 6 properties");
	is_str(val(find(r->properties, r->nproperties,
		   "appRoleAssignmentRequired")),
	    ".appRoleAssignmentRequired",
	    "servicePrincipals appRoleAssignmentRequired");
}

static void
check_defaults(const struct mapping *m, const char *what)
{
	ok(m->delete_dependents == 1 && m->create_missing == 1 && m->merge == 1,
	    "%s: flags default to true", what);
	ok(m->deletion_threshold == 0.9, "%s: threshold 0.9", what);
}

static void
test_guide(void)
{
	struct mapping *m;
	char *e;

	m = mapping_load("examples/guide-users.yaml");
	ok(m != NULL, "guide-users.yaml loads");
	if (m != NULL) {
		is_int(m->nres, 1, "guide-users: one resource");
		is_str(m->path, "examples/guide-users.yaml", "path kept");
		check_defaults(m, "guide-users");
		ok(m->threshold_set == 0, "guide-users: threshold not set");
		check_users(&m->res[0], 1);
	}
	mapping_free(m);

	m = mapping_load("examples/guide-groups.yaml");
	ok(m != NULL, "guide-groups.yaml loads");
	if (m != NULL)
		check_groups(&m->res[0]);
	mapping_free(m);

	m = mapping_load("examples/guide-applications.yaml");
	ok(m != NULL, "guide-applications.yaml loads");
	if (m != NULL)
		check_apps(&m->res[0]);
	mapping_free(m);

	m = mapping_load("examples/guide-service-principals.yaml");
	ok(m != NULL, "guide-service-principals.yaml loads");
	if (m != NULL)
		check_sps(&m->res[0]);
	mapping_free(m);

	m = mapping_load("examples/guide-mapping.yaml");
	ok(m != NULL, "guide-mapping.yaml loads");
	if (m != NULL && m->nres == 4) {
		check_defaults(m, "guide-mapping");
		check_users(&m->res[0], 1);
		check_groups(&m->res[1]);
		check_apps(&m->res[2]);
		check_sps(&m->res[3]);
	} else
		ok(0, "guide-mapping: four resources");
	mapping_free(m);
	e = captured();
	is_str(e, "", "the guide's files load without a message");
	free(e);
}

static void
test_builtin(void)
{
	static const char *const selects[] = {
		"id,displayName,userPrincipalName,givenName,surname,mail,"
		"jobTitle,department,officeLocation,accountEnabled,"
		"createdDateTime,signInActivity",
		"id,displayName,description,groupTypes,mailEnabled,"
		"securityEnabled,createdDateTime",
		"id,displayName,appId,publisherDomain,signInAudience,"
		"createdDateTime",
		"id,displayName,appId,appOwnerOrganizationId,accountEnabled,"
		"appRoleAssignmentRequired,createdDateTime",
	};
	const struct mapping_resource *r;
	struct mapping *m, *guide;
	size_t i, j, len;
	char *text, *e;

	m = mapping_builtin();
	ok(m != NULL, "built-in mapping loads");
	is_str(m->path, "<built-in>", "built-in path");
	check_defaults(m, "built-in");
	guide = mapping_load("examples/guide-mapping.yaml");
	is_int(m->nres, 4, "built-in: four kinds");
	for (i = 0; i < m->nres && i < 4 && guide != NULL; i++) {
		r = &m->res[i];
		is_str(r->kind, guide->res[i].kind, "built-in kind %zu", i);
		/* Graph serves at most 500 users a page with signInActivity
		 * selected (graph-schema.md), 999 items otherwise. */
		is_str(val(mapping_param(r, "$top")),
		    strcmp(r->kind, "/users") == 0 ? "500" : "999", "%s $top",
		    r->kind);
		is_str(val(mapping_param(r, "$select")), selects[i],
		    "%s $select", r->kind);
		ok(mapping_param(r, "$expand") == NULL, "%s: no $expand",
		    r->kind);
		is_str(r->identifier.value, guide->res[i].identifier.value,
		    "%s identifier as the guide", r->kind);
		is_str(r->title.value, guide->res[i].title.value,
		    "%s title as the guide", r->kind);
		is_str(r->blueprint.value, guide->res[i].blueprint.value,
		    "%s blueprint as the guide", r->kind);
		is_int(r->nproperties, guide->res[i].nproperties,
		    "%s: as many properties as the guide", r->kind);
		for (j = 0; j < r->nproperties && j < guide->res[i].nproperties;
		     j++)
			ok(strcmp(r->properties[j].name,
			       guide->res[i].properties[j].name) == 0 &&
				strcmp(r->properties[j].value,
				    guide->res[i].properties[j].value) == 0,
			    "%s property %s as the guide", r->kind,
			    r->properties[j].name);
		ok(r->identifier.line == 0 && r->identifier.col == 0 &&
			(r->nproperties == 0 || r->properties[0].line == 0),
		    "%s: built-in fields have no position", r->kind);
		is_int(r->members, i == 1 ? MEMBERS_DIRECT : MEMBERS_NONE,
		    "%s membership", r->kind);
	}
	if (m->nres == 4)
		is_str(val(find(m->res[1].relations, m->res[1].nrelations,
			   "members")),
		    "[.members[]? | select(.\"@odata.type\" == "
		    "\"#microsoft.graph.user\") | .id]",
		    "built-in members relation keeps users only");
	mapping_free(guide);
	mapping_free(m);

	text = slurp("examples/builtin-mapping.yaml", &len);
	is_str(text, mapping_builtin_text(),
	    "examples/builtin-mapping.yaml is the built-in text");
	free(text);
	e = captured();
	is_str(e, "", "built-in mapping loads without a message");
	free(e);
}

static void
test_styles(void)
{
	const struct mapping_resource *r;
	struct mapping *m;
	char *e;

	m = mapping_load(FIX "good-styles.yaml");
	ok(m != NULL, "good-styles.yaml loads");
	e = captured();
	ok(count(e, "warning: " FIX "good-styles.yaml:45:19: ") == 1,
	    "membership on a non-groups kind warns");
	free(e);
	if (m == NULL || m->nres != 2)
		return;
	is_int(m->delete_dependents, 0, "'no' is false");
	is_int(m->create_missing, 1, "quoted \"true\" is true");
	is_int(m->merge, 0, "'OFF' is false");
	ok(m->deletion_threshold == 0.5 && m->threshold_set,
	    "threshold 0.5 set");
	r = &m->res[0];
	is_str(r->kind, "/groups", "double-quoted kind");
	is_str(r->query.value, "true", "anchored single-quoted query");
	is_int(r->query.line, 9, "query line");
	is_int(r->query.col, 14, "query col (at its anchor)");
	is_str(r->data_path.value, ".value", "plain data_path");
	is_str(val(mapping_param(r, "$top")), "999", "number kept as text");
	is_str(val(mapping_param(r, "$count")), "true", "bool kept as text");
	is_str(val(mapping_param(r, "$expand")), "owners",
	    "other $expand items are kept");
	is_int(r->members, MEMBERS_DIRECT, "members($select=id) -> direct");
	is_int(r->nheaders, 1, "one header");
	is_str(r->nheaders ? r->headers[0].value : NULL, "eventual",
	    "header value");
	is_str(r->identifier.value, ".id", "double-quoted identifier");
	is_str(r->title.value, ".displayName // \"it's\"",
	    "single-quoted with doubled quote");
	is_str(r->icon.value, "\"Micro\" + \"soft\"\n", "folded >");
	is_str(r->team.value, "[.a,\n .b]\n", "literal |");
	is_str(val(find(r->properties, r->nproperties, "plain")), ".a.b",
	    "plain property");
	is_str(val(find(r->properties, r->nproperties, "single")),
	    ".x | tostring", "single-quoted property");
	is_str(val(find(r->properties, r->nproperties, "double")),
	    "\"quoted\" + .y", "double-quoted escapes");
	is_str(val(find(r->properties, r->nproperties, "literal")),
	    "if .z then 1\nelse 2 end", "literal |- strips the newline");
	is_str(val(find(r->properties, r->nproperties, "folded")),
	    ".one // .two", "folded >-");
	ok(find(r->properties, r->nproperties, "folded") != NULL &&
		find(r->properties, r->nproperties, "folded")->line == 37,
	    "property position is its value's line");
	r = &m->res[1];
	is_str(r->query.value, "true", "alias to a scalar resolves");
	is_str(r->data_path.value, ".", "data_path defaults to '.'");
	is_int(r->members, MEMBERS_TRANSITIVE, "membership: transitiveMembers");
	ok(r->title.value == NULL, "empty title is unmapped");
	mapping_free(m);

	m = mapping_load(FIX "good-membership-none.yaml");
	ok(m != NULL, "membership: none loads");
	if (m != NULL) {
		is_int(m->res[0].members, MEMBERS_NONE, "membership: none");
		is_str(val(mapping_param(&m->res[0], "$expand")), "members",
		    "membership: none keeps $expand");
		is_str(m->res[0].query.value, "true", "query");
	}
	mapping_free(m);
	e = captured();
	free(e);
}

static void
test_unknown(void)
{
	struct mapping *m;
	char *e;

	m = mapping_load(FIX "bad-unknown.yaml");
	ok(m == NULL, "unknown keys: the file is refused");
	mapping_free(m);
	e = captured();
	ok(strstr(e,
	       "error: " FIX "bad-unknown.yaml:6:7: unknown key "
	       "'colour' in selector of resource '/users' (known keys: query, "
	       "data_path, query_params, headers, membership, method)") != NULL,
	    "unknown selector key: its position and the known keys");
	ok(strstr(e,
	       "error: " FIX "bad-unknown.yaml:7:7: unknown key "
	       "'data_paht' in selector of resource '/users' (did you mean "
	       "'data_path'?)") != NULL,
	    "a typo gets a did-you-mean");
	ok(strstr(e, FIX "bad-unknown.yaml:13:11: unknown key 'extra'") != NULL,
	    "unknown mappings key (nested value skipped)");
	ok(strstr(e,
	       FIX
	       "bad-unknown.yaml:15:11: unknown key 'query' in "
	       "port.entity.mappings of resource '/users' ('query' belongs in "
	       "selector)") != NULL,
	    "a key in the wrong place says where");
	ok(strstr(e,
	       FIX "bad-unknown.yaml:16:11: unknown key 'Title' in "
		   "port.entity.mappings of resource '/users' (did you mean "
		   "'title'?)") != NULL,
	    "case is a typo too");
	ok(strstr(e,
	       FIX "bad-unknown.yaml:17:1: unknown key "
		   "'sometopkey' in the mapping") != NULL,
	    "unknown top key");
	ok(strstr(e, "x-anchors") == NULL, "x-* top-level keys are allowed");
	is_int(count(e, "error:"), 6, "every unknown key is an error");
	if (strstr(e, "did you mean") == NULL)
		printf("# stderr: %s", e);
	free(e);
}

static const struct {
	const char *file;
	const char *pos;  /* "line:col" */
	const char *text; /* part of the message */
} bad[] = {
	{ "bad-syntax.yaml", "4:5", "did not find expected ',' or '}'" },
	{ "bad-tab.yaml", "3:1", "tab" },
	{ "bad-resources-not-list.yaml", "2:3", "'resources' must be a list" },
	{ "bad-resources-empty.yaml", "2:12", "no resources" },
	{ "bad-no-resources.yaml", "1:1", "no resources" },
	{ "bad-top-list.yaml", "1:1", "must be a YAML mapping" },
	{ "bad-kind-missing.yaml", "8:5", "resource 2: missing kind" },
	{ "bad-kind-list.yaml", "2:11", "kind must be a non-empty string" },
	{ "bad-resource-scalar.yaml", "2:5", "resource 1 must be a mapping" },
	{ "bad-identifier-missing.yaml", "5:9",
	    "resource '/users': missing "
	    "port.entity.mappings.identifier" },
	{ "bad-blueprint-missing.yaml", "5:9",
	    "resource '/users': missing "
	    "port.entity.mappings.blueprint" },
	{ "bad-threshold-high.yaml", "1:26", "from 0 to 1, not '1.5'" },
	{ "bad-threshold-text.yaml", "1:26", "from 0 to 1, not 'abc'" },
	{ "bad-bool-maybe.yaml", "2:20", "true or false, not 'maybe'" },
	{ "bad-method-post.yaml", "5:15", "only GET is supported" },
	{ "bad-search-identifier.yaml", "7:13",
	    "search queries are not supported" },
	{ "bad-search-relation.yaml", "9:20",
	    "search queries are not supported" },
	{ "bad-items-to-parse.yaml", "4:7", "itemsToParse is not supported" },
	{ "bad-path-parameters.yaml", "4:7",
	    "path_parameters is not supported" },
	{ "bad-duplicate-key.yaml", "10:13", "duplicate key 'mail'" },
	{ "bad-key-not-string.yaml", "3:7", "must be a string" },
	{ "bad-empty.yaml", "1:1", "empty mapping file" },
	{ "bad-comment-only.yaml", "1:1", "empty mapping file" },
	{ "bad-binary.yaml", "2:13", "invalid leading UTF-8 octet" },
	{ "bad-nul.yaml", "2:17", "control characters are not allowed" },
	{ "bad-two-documents.yaml", "4:1", "more than one YAML document" },
	{ "bad-alias-undefined.yaml", "4:14", "undefined alias" },
	{ "bad-alias-mapping.yaml", "10:11",
	    "search queries are not supported" },
	{ "bad-query-params-not-map.yaml", "5:21",
	    "query_params of resource '/users' must be a mapping" },
	{ "bad-query-param-list.yaml", "5:18", "'$select' in query_params" },
	{ "bad-properties-list.yaml", "9:13",
	    "properties of resource '/users' must be a mapping" },
	{ "bad-property-null.yaml", "9:13", "'mail' has no jq expression" },
	{ "bad-membership.yaml", "4:19", "membership must be" },
	{ "bad-header-newline.yaml", "5:9", "line breaks" },
	/* Columns count characters (as libyaml's marks do), not bytes:
	 * UTF-8 text of 2, 3 and 4 bytes before the fault. */
	{ "bad-binary-utf8.yaml", "2:16", "invalid leading UTF-8 octet" },
	{ "bad-duplicate-key-utf8.yaml", "8:64", "duplicate key 'mail'" },
	{ "bad-membership-utf8.yaml", "2:60", "membership must be" },
	{ "bad-syntax-utf8.yaml", "3:37", "did not find expected ',' or ']'" },
	/* A byte order mark is not a column; CR and CR LF break lines. */
	{ "bad-binary-bom.yaml", "1:12", "invalid leading UTF-8 octet" },
	{ "bad-binary-cr.yaml", "2:18", "invalid leading UTF-8 octet" },
	{ "bad-binary-crlf.yaml", "2:14", "invalid leading UTF-8 octet" },
};

static void
test_bad(void)
{
	static const char flow[] =
	    "resources:\n  - kind: /a\n"
	    "    port: {entity: {mappings: {identifier: .id, blueprint: "
	    "'\"b\"'}}}\n";
	struct mapping *m;
	char want[512], *e, *big;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = mapping_load(bad[i].file[0] == '/' ?
			bad[i].file :
			(snprintf(want, sizeof(want), FIX "%s", bad[i].file),
			    want));
		ok(m == NULL, "%s: refused", bad[i].file);
		mapping_free(m);
		e = captured();
		snprintf(want, sizeof(want),
		    "error: " FIX "%s:%s: ", bad[i].file, bad[i].pos);
		ok(strstr(e, want) != NULL, "%s: error at %s", bad[i].file,
		    bad[i].pos);
		ok(strstr(e, bad[i].text) != NULL, "%s: says \"%s\"",
		    bad[i].file, bad[i].text);
		is_int(count(e, "error:"), 1, "%s: one error", bad[i].file);
		if (strstr(e, want) == NULL || strstr(e, bad[i].text) == NULL)
			printf("# stderr: %s", e);
		free(e);
	}

	m = mapping_load(FIX "does-not-exist.yaml");
	ok(m == NULL, "missing file refused");
	e = captured();
	ok(strstr(e,
	       "error: cannot read '" FIX "does-not-exist.yaml': "
	       "No such file or directory") != NULL,
	    "missing file message");
	free(e);

	m = mapping_load(FIX);
	ok(m == NULL, "a directory is refused");
	e = captured();
	ok(strstr(e, "cannot read '" FIX "'") != NULL, "directory message");
	free(e);

	big = calloc(1, 16 * 1024 * 1024 + 2);
	memset(big, '#', 16 * 1024 * 1024 + 1);
	m = mapping_load_buffer("big.yaml", big, 16 * 1024 * 1024 + 1);
	ok(m == NULL, "a buffer over 16 MiB is refused");
	e = captured();
	ok(strstr(e, "big.yaml") != NULL &&
		strstr(e, "mapping file too large") != NULL,
	    "too large message");
	free(e);
	free(big);

	m = mapping_load_buffer("x.yaml", flow, strlen(flow));
	ok(m != NULL, "load_buffer with a flow mapping");
	if (m != NULL)
		is_int(m->res[0].identifier.col, 44, "flow value column");
	mapping_free(m);
	free(captured());
}

/* A one-resource mapping with extra top-level text and properties. */
static struct mapping *
load_with(const char *top, const char *props)
{
	char y[1024];

	snprintf(y, sizeof(y),
	    "%sresources:\n  - kind: /users\n"
	    "    port:\n      entity:\n        mappings:\n"
	    "          identifier: .id\n          blueprint: '\"b\"'\n"
	    "          properties:%s\n",
	    top, props);
	return mapping_load_buffer("n.yaml", y, strlen(y));
}

/* YAML's nulls (absent), and the deletion threshold's bounds. */
static void
test_nulls_and_bounds(void)
{
	static const char *const nulls[] = { "", " ~", " null", " Null",
		" NULL" };
	static const struct {
		const char *text;
		double want; /* -1: refused */
	} th[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "1.0", 1 },
		{ "0.999", 0.999 },
		{ "1.0001", -1 },
		{ "-0.1", -1 },
		{ "2", -1 },
	};
	struct mapping *m;
	char props[64], top[64], *e;
	size_t i;

	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		m = load_with("", nulls[i]);
		ok(m != NULL && m->res[0].nproperties == 0,
		    "properties:%s is absent", nulls[i]);
		mapping_free(m);
		free(captured());
		snprintf(props, sizeof(props), "\n            mail:%s",
		    nulls[i]);
		m = load_with("", props);
		e = captured();
		ok(m == NULL &&
			strstr(e, "'mail' has no jq expression") != NULL,
		    "mail:%s has no jq expression", nulls[i]);
		mapping_free(m);
		free(e);
	}
	m = load_with("", " '~'");
	e = captured();
	ok(m == NULL && strstr(e, "must be a mapping") != NULL,
	    "a quoted '~' is a string, not a null");
	mapping_free(m);
	free(e);

	for (i = 0; i < sizeof(th) / sizeof(th[0]); i++) {
		snprintf(top, sizeof(top), "entityDeletionThreshold: %s\n",
		    th[i].text);
		m = load_with(top, " {mail: .mail}");
		e = captured();
		if (th[i].want < 0)
			ok(m == NULL &&
				strstr(e,
				    "must be a number from 0 to "
				    "1") != NULL,
			    "threshold %s refused", th[i].text);
		else
			ok(m != NULL && m->threshold_set &&
				m->deletion_threshold == th[i].want,
			    "threshold %s accepted", th[i].text);
		mapping_free(m);
		free(e);
	}
}

static void
test_blueprints(void)
{
	cJSON *a, *it;
	size_t i = 0;

	a = cJSON_Parse(blueprints_builtin_json());
	ok(cJSON_IsArray(a), "built-in blueprints are a JSON array");
	is_int(cJSON_GetArraySize(a), 4, "four blueprints");
	cJSON_ArrayForEach(it, a) {
		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(it,
			   "identifier")),
		    blueprints_builtin_ids[i], "blueprint %zu identifier", i);
		i++;
	}
	ok(blueprints_builtin_ids[4] == NULL, "ids are NULL-terminated");
	it = cJSON_GetArrayItem(a, 3);
	it = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(it,
							 "relations"),
				     "members"),
	    "target");
	is_str(cJSON_GetStringValue(it), "entra-id-user",
	    "group members relation targets users");
	ok(blueprints_builtin_json() == blueprints_builtin_json(),
	    "static storage");
	cJSON_Delete(a);
}

/* mapping_to_json reads back as the same mapping (--mapping-from-port). */
static void
test_to_json(void)
{
	struct mapping *a, *b;
	char *json, *again;
	size_t i;

	a = mapping_load("examples/guide-mapping.yaml");
	ok(a != NULL, "guide loads");
	if (a == NULL)
		return;
	json = mapping_to_json(a);
	b = mapping_load_buffer("<json>", json, strlen(json));
	ok(b != NULL, "its JSON loads as a mapping");
	if (b != NULL) {
		is_int(b->nres, a->nres, "same resources");
		for (i = 0; i < a->nres && i < b->nres; i++) {
			is_str(b->res[i].kind, a->res[i].kind, "kind %zu", i);
			is_int(b->res[i].members, a->res[i].members,
			    "membership %zu", i);
			is_int(b->res[i].nproperties, a->res[i].nproperties,
			    "properties %zu", i);
			is_str(b->res[i].identifier.value,
			    a->res[i].identifier.value, "identifier %zu", i);
		}
		again = mapping_to_json(b);
		is_str(again, json, "the JSON is stable");
		free(again);
	}
	mapping_free(b);
	mapping_free(a);
	free(json);
	free(captured());
}

int
main(void)
{
	capture_start();
	test_guide();
	test_builtin();
	test_styles();
	test_unknown();
	test_bad();
	test_nulls_and_bounds();
	test_blueprints();
	test_to_json();
	fclose(errf);
	return done_testing();
}
