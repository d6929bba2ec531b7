/*
 * Unit tests for transform: the jq-style triples in transform.test (run
 * from the repository root, or with the file as argv[1]), then C tests of
 * pages, compile errors, counters, members and the fields-read scan.
 * "t_transform bench [N]" times the fast path against the slow path.
 * Mapping resources are built by hand here, so mapping.c is not needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "buf.h"
#include "jqscan.h"
#include "mapping.h"
#include "members.h"
#include "msg.h"
#include "tap.h"
#include "transform.h"
#include "xmalloc.h"

#define SEP " ;; "

/*
 * Build a resource from a spec: "key=jq ;; key=jq ...", keys identifier,
 * title, blueprint, icon, team, selector, data_path, properties.NAME,
 * relations.NAME; "@L:C" right after a key sets the field's position.
 * The caller frees it with res_free().
 */
static struct mapping_resource *
res_new(const char *spec)
{
	struct mapping_resource *r = xcalloc(1, sizeof(*r));
	char *s = xstrdup(spec), *p = s, *e, *eq;
	struct mapping_field *f;

	r->kind = xstrdup("/test");
	for (;;) {
		int line = 0, col = 0;

		e = strstr(p, SEP);
		if (e != NULL)
			*e = '\0';
		eq = strchr(p, '=');
		if (eq == NULL)
			abort();
		*eq = '\0';
		if (strchr(p, '@') != NULL) {
			sscanf(strchr(p, '@'), "@%d:%d", &line, &col);
			*strchr(p, '@') = '\0';
		}
		if (strcmp(p, "identifier") == 0)
			f = &r->identifier;
		else if (strcmp(p, "title") == 0)
			f = &r->title;
		else if (strcmp(p, "blueprint") == 0)
			f = &r->blueprint;
		else if (strcmp(p, "icon") == 0)
			f = &r->icon;
		else if (strcmp(p, "team") == 0)
			f = &r->team;
		else if (strcmp(p, "selector") == 0)
			f = &r->query;
		else if (strcmp(p, "data_path") == 0)
			f = &r->data_path;
		else if (strncmp(p, "properties.", 11) == 0) {
			r->properties = xreallocarray(r->properties,
			    r->nproperties + 1, sizeof(*r->properties));
			f = &r->properties[r->nproperties++];
			memset(f, 0, sizeof(*f));
			p += 11;
		} else if (strncmp(p, "relations.", 10) == 0) {
			r->relations = xreallocarray(r->relations,
			    r->nrelations + 1, sizeof(*r->relations));
			f = &r->relations[r->nrelations++];
			memset(f, 0, sizeof(*f));
			p += 10;
		} else
			abort();
		f->name = xstrdup(p);
		f->value = xstrdup(eq + 1);
		f->line = line;
		f->col = col;
		if (e == NULL)
			break;
		p = e + strlen(SEP);
	}
	free(s);
	return r;
}

static void
field_free(struct mapping_field *f)
{
	free(f->name);
	free(f->value);
}

static void
res_free(struct mapping_resource *r)
{
	size_t i;

	field_free(&r->query);
	field_free(&r->data_path);
	field_free(&r->identifier);
	field_free(&r->title);
	field_free(&r->blueprint);
	field_free(&r->icon);
	field_free(&r->team);
	for (i = 0; i < r->nproperties; i++)
		field_free(&r->properties[i]);
	for (i = 0; i < r->nrelations; i++)
		field_free(&r->relations[i]);
	free(r->properties);
	free(r->relations);
	free(r->kind);
	free(r);
}

/* Collects emitted entities, one per line. */
struct out {
	struct buf b;
	int n;
	int stop_after;
};

static int
collect(void *arg, const char *bp, const char *id, const char *json, size_t len)
{
	struct out *o = arg;

	if (o->b.len > 0)
		buf_putc(&o->b, '\n');
	buf_append(&o->b, json, len);
	o->n++;
	if (strstr(json, bp) == NULL || strstr(json, id) == NULL)
		buf_puts(&o->b, " (bad bp/id)");
	if (o->stop_after && o->n >= o->stop_after)
		return -1;
	return 0;
}

/* Capture stderr (msg_error output) into a file while f runs. */
static char *
capture_stderr_begin(int *saved)
{
	char *path = xstrdup("/tmp/t_transform.XXXXXX");
	int fd = mkstemp(path);

	fflush(stderr);
	*saved = dup(2);
	dup2(fd, 2);
	close(fd);
	return path;
}

static char *
capture_stderr_end(int saved, char *path)
{
	FILE *fp;
	char *text = xcalloc(1, 65536);
	size_t n;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fp = fopen(path, "r");
	n = fp ? fread(text, 1, 65535, fp) : 0;
	text[n] = '\0';
	if (fp)
		fclose(fp);
	unlink(path);
	free(path);
	return text;
}

static char *
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/*
 * The same item mapped by libjq alone (transform_use_direct off) gives
 * the same status, entities and counters as run_triple's run: the direct
 * path is only a faster libjq.
 */
static void
same_without_direct(int lineno, const struct mapping_resource *r,
    const char *input, int rc, const struct out *o)
{
	struct transform *t = transform_new(r, "test.yaml");
	const struct transform_stats *st;
	struct out o2;
	char *err = NULL;
	int rc2;

	memset(&o2, 0, sizeof(o2));
	buf_init(&o2.b);
	transform_use_direct(t, 0);
	rc2 = transform_item(t, input, strlen(input), collect, &o2, &err);
	st = transform_stats(t);
	ok(rc2 == rc && o2.n == o->n &&
		strcmp(buf_str(&o2.b), buf_str(&o->b)) == 0 && st->direct == 0,
	    "line %d: libjq alone maps it the same", lineno);
	if (rc2 != rc || strcmp(buf_str(&o2.b), buf_str(&o->b)) != 0)
		printf("#   libjq: rc %d %s\n#   direct: rc %d %s\n", rc2,
		    buf_str(&o2.b), rc, buf_str(&o->b));
	free(err);
	buf_release(&o2.b);
	transform_free(t);
}

/* Run one triple; extra lines are "STAT name errors empty [substr]". */
static void
run_triple(int lineno, const char *spec, const char *input, const char *want,
    char **extra, int nextra)
{
	struct mapping_resource *r = res_new(spec);
	struct transform *t;
	struct out o;
	char *err = NULL, *cap, *got;
	int saved, rc, i;

	memset(&o, 0, sizeof(o));
	buf_init(&o.b);
	cap = capture_stderr_begin(&saved);
	t = transform_new(r, "test.yaml");
	got = capture_stderr_end(saved, cap);
	if (strncmp(want, "COMPILE ", 8) == 0) {
		ok(t == NULL && strstr(got, want + 8) != NULL,
		    "line %d: compile error '%s'", lineno, want + 8);
		if (t != NULL || strstr(got, want + 8) == NULL)
			printf("#   got: %s\n", got);
		goto out;
	}
	if (t == NULL) {
		ok(0, "line %d: compiles (%s)", lineno, chomp(got));
		goto out;
	}
	rc = transform_item(t, input, strlen(input), collect, &o, &err);
	same_without_direct(lineno, r, input, rc, &o);
	if (strncmp(want, "ERROR ", 6) == 0) {
		ok(rc == -1 && err != NULL && strstr(err, want + 6) != NULL,
		    "line %d: error '%s'", lineno, want + 6);
		if (rc != -1 || err == NULL || strstr(err, want + 6) == NULL)
			printf("#   got: rc %d err %s out %s\n", rc,
			    err ? err : "(none)", buf_str(&o.b));
	} else if (strcmp(want, "DROPPED") == 0) {
		ok(rc == 0 && o.n == 0 && transform_stats(t)->dropped == 1,
		    "line %d: dropped", lineno);
		if (o.n != 0)
			printf("#   got: %s\n", buf_str(&o.b));
	} else if (strcmp(want, "FILTERED") == 0) {
		ok(rc == 0 && o.n == 0 && transform_stats(t)->selected == 0 &&
			transform_stats(t)->dropped == 0,
		    "line %d: filtered", lineno);
		if (o.n != 0)
			printf("#   got: %s\n", buf_str(&o.b));
	} else {
		if (rc != 0)
			printf("#   error: %s\n", err ? err : "(none)");
		is_str(buf_str(&o.b), want, "line %d: %s", lineno, spec);
	}
	for (i = 0; i < nextra; i++) {
		char name[256], sub[512] = "";
		unsigned long ne, nm;
		const struct transform_stats *st = transform_stats(t);
		size_t k;
		int found = 0;

		if (strncmp(extra[i], "DIRECT ", 7) == 0) {
			is_int(st->direct, atol(extra[i] + 7),
			    "line %d: direct path count", lineno);
			continue;
		}
		if (strncmp(extra[i], "SLOW ", 5) == 0) {
			is_int(st->slow_path, atol(extra[i] + 5),
			    "line %d: slow path count", lineno);
			continue;
		}
		if (sscanf(extra[i], "STAT %255s %lu %lu %511[^\n]", name, &ne,
			&nm, sub) < 3)
			abort();
		for (k = 0; k < st->nfields; k++) {
			if (strcmp(st->fields[k].name, name) != 0)
				continue;
			found = 1;
			ok(st->fields[k].errors == ne &&
				st->fields[k].empty == nm &&
				(sub[0] == '\0' ||
				    (st->fields[k].first_error &&
					strstr(st->fields[k].first_error,
					    sub))),
			    "line %d: stats of %s", lineno, name);
			if (st->fields[k].errors != ne ||
			    st->fields[k].empty != nm)
				printf("#   got errors %lu empty %lu (%s)\n",
				    st->fields[k].errors, st->fields[k].empty,
				    st->fields[k].first_error ?
					st->fields[k].first_error :
					"");
		}
		ok(found, "line %d: stat field %s exists", lineno, name);
	}
out:
	free(got);
	free(err);
	buf_release(&o.b);
	transform_free(t);
	res_free(r);
}

/* Read the triples file: blocks separated by blank lines, '#' comments. */
static void
run_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *blk[16];
	size_t cap = 0;
	int nb = 0, lineno = 0, start = 0, i, ntrip = 0;

	if (fp == NULL) {
		ok(0, "cannot open %s", path);
		return;
	}
	for (;;) {
		ssize_t n = getline(&line, &cap, fp);

		if (n != -1)
			lineno++;
		if (n != -1 && line[0] == '#')
			continue;
		if (n == -1 || line[0] == '\n') {
			if (nb >= 3) {
				run_triple(start, blk[0], blk[1], blk[2],
				    blk + 3, nb - 3);
				ntrip++;
			} else if (nb > 0)
				ok(0, "line %d: incomplete block", start);
			for (i = 0; i < nb; i++)
				free(blk[i]);
			nb = 0;
			if (n == -1)
				break;
			continue;
		}
		if (nb == 0)
			start = lineno;
		if (nb < 16)
			blk[nb++] = xstrdup(chomp(line));
	}
	free(line);
	fclose(fp);
	ok(ntrip >= 40, "%d triples in %s", ntrip, path);
}

static const char users_spec[] =
    "selector=true ;; data_path=.value ;; identifier=.id ;; "
    "title=.displayName // .userPrincipalName ;; "
    "blueprint=\"entra-id-user\" ;; "
    "properties.userPrincipalName=.userPrincipalName ;; "
    "properties.displayName=.displayName ;; "
    "properties.givenName=.givenName ;; properties.surname=.surname ;; "
    "properties.mail=.mail ;; properties.jobTitle=.jobTitle ;; "
    "properties.department=.department ;; "
    "properties.officeLocation=.officeLocation ;; "
    "properties.accountEnabled=.accountEnabled ;; "
    "properties.createdDateTime=.createdDateTime ;; "
    "properties.lastSignInDateTime=.signInActivity.lastSignInDateTime";

static const char groups_spec[] =
    "selector=true ;; data_path=.value ;; identifier=.id ;; "
    "title=.displayName ;; blueprint=\"entra-id-group\" ;; "
    "properties.displayName=.displayName ;; "
    "properties.description=.description ;; "
    "properties.groupTypes=.groupTypes ;; "
    "properties.mailEnabled=.mailEnabled ;; "
    "properties.securityEnabled=.securityEnabled ;; "
    "properties.createdDateTime=.createdDateTime ;; "
    "relations.members=[.members[]?.id]";

static const char apps_spec[] =
    "selector=true ;; data_path=.value ;; identifier=.id ;; "
    "title=.displayName ;; blueprint=\"entra-id-application\" ;; "
    "properties.displayName=.displayName ;; properties.appId=.appId ;; "
    "properties.publisherDomain=.publisherDomain ;; "
    "properties.signInAudience=.signInAudience ;; "
    "properties.createdDateTime=.createdDateTime";

static const char sps_spec[] =
    "selector=true ;; data_path=.value ;; identifier=.id ;; "
    "title=.displayName ;; blueprint=\"entra-id-service-principal\" ;; "
    "properties.displayName=.displayName ;; properties.appId=.appId ;; "
    "properties.appOwnerOrganizationId=.appOwnerOrganizationId ;; "
    "properties.accountEnabled=.accountEnabled ;; "
    "properties.appRoleAssignmentRequired=.appRoleAssignmentRequired ;; "
    "properties.createdDateTime=.createdDateTime";

static const char user38[] =
    "{\"id\":\"87d349ed-44d7-43e1-9a83-5f2406dee5bd\",\"accountEnabled\":true,"
    "\"displayName\":\"Adele Vance\",\"givenName\":\"Adele\",\"surname\":"
    "\"Vance\",\"userPrincipalName\":\"AdeleV@contoso.onmicrosoft.com\","
    "\"mail\":\"AdeleV@contoso.onmicrosoft.com\",\"mailNickname\":\"AdeleV\","
    "\"otherMails\":[],\"proxyAddresses\":[\"SMTP:AdeleV@contoso.onmicrosof"
    "t.com\",\"smtp:adele.vance@contoso.com\"],\"userType\":\"Member\","
    "\"createdDateTime\":\"2021-03-04T10:12:41Z\",\"creationType\":null,"
    "\"department\":\"Retail\",\"jobTitle\":\"Retail Manager\","
    "\"companyName\":\"Contoso\",\"employeeId\":\"10042\",\"employeeType\":"
    "\"Employee\",\"officeLocation\":\"18/2111\",\"city\":\"Bellevue\","
    "\"state\":\"WA\",\"country\":\"United States\",\"usageLocation\":\"US\","
    "\"preferredLanguage\":\"en-US\",\"businessPhones\":[\"+1 425 555 0109\"],"
    "\"mobilePhone\":null,\"externalUserState\":null,"
    "\"externalUserStateChangeDateTime\":null,\"onPremisesSyncEnabled\":true,"
    "\"onPremisesImmutableId\":\"q0D7LTxdQEGXzFzgnR4yYQ==\","
    "\"onPremisesSamAccountName\":\"AdeleV\",\"onPremisesDomainName\":"
    "\"corp.contoso.com\",\"onPremisesDistinguishedName\":\"CN=Adele Vance,"
    "OU=Users,DC=corp,DC=contoso,DC=com\",\"onPremisesLastSyncDateTime\":"
    "\"2025-05-14T07:31:02Z\",\"onPremisesSecurityIdentifier\":\"S-1-5-21-"
    "1180699209-877415012-3182924384-1004\",\"identities\":[{\"signInType\":"
    "\"userPrincipalName\",\"issuer\":\"contoso.onmicrosoft.com\","
    "\"issuerAssignedId\":\"AdeleV@contoso.onmicrosoft.com\"}],"
    "\"assignedLicenses\":[{\"disabledPlans\":[],\"skuId\":\"c7df2760-2c81-"
    "4ef7-b578-5b5392b571df\"}],\"signInActivity\":{\"lastSignInDateTime\":"
    "\"2025-05-13T16:41:33Z\",\"lastSignInRequestId\":\"d4d31c40-4c36-4775-"
    "ad59-7d1e6a171f00\",\"lastNonInteractiveSignInDateTime\":\"2025-05-14T0"
    "6:02:11Z\",\"lastNonInteractiveSignInRequestId\":\"868efa6a-b2e9-40e9-"
    "9b1c-0aaea5b50200\",\"lastSuccessfulSignInDateTime\":\"2025-05-14T06:02:"
    "11Z\",\"lastSuccessfulSignInRequestId\":\"868efa6a-b2e9-40e9-9b1c-0aaea5"
    "b50200\"}}";

static struct transform *
mk(const char *spec, struct mapping_resource **rp)
{
	*rp = res_new(spec);
	return transform_new(*rp, "m.yaml");
}

static void
test_pages(void)
{
	struct mapping_resource *r;
	struct transform *t = mk(users_spec, &r);
	struct tpage *pg;
	struct out o;
	char *err = NULL, *js;
	const char *page =
	    "{\"@odata.context\":\"x\",\"@odata.nextLink\":"
	    "\"https://graph.microsoft.com/v1.0/users?$skiptoken=abc\","
	    "\"value\":[{\"id\":\"u1\",\"displayName\":\"One\"},"
	    "{\"id\":\"u2\",\"userPrincipalName\":\"two@x\"},{\"id\":null}]}";
	const char *nulllink = "{\"value\":[],\"@odata.nextLink\":null}";

	ok(t != NULL, "users mapping compiles");
	memset(&o, 0, sizeof(o));
	buf_init(&o.b);
	pg = transform_page(t, page, strlen(page), &err);
	ok(pg != NULL, "page parses");
	is_int(tpage_count(pg), 3, "three items");
	is_str(tpage_next_link(pg),
	    "https://graph.microsoft.com/v1.0/users?$skiptoken=abc",
	    "nextLink read from the page");
	is_str(tpage_item_id(pg, 1), "u2", "item id");
	ok(tpage_item_id(pg, 2) == NULL, "null id is NULL");
	ok(tpage_item_id(pg, 9) == NULL, "out of range id is NULL");
	js = tpage_item_json(pg, 0);
	is_str(js, "{\"id\":\"u1\",\"displayName\":\"One\"}", "item json");
	free(js);
	is_int(transform_run(t, pg, collect, &o, &err), 0, "run the page");
	is_int(o.n, 2, "two entities emitted");
	ok(strstr(buf_str(&o.b), "\"title\":\"two@x\"") != NULL,
	    "title falls back to userPrincipalName");
	is_int(transform_stats(t)->items, 3, "stats: items");
	is_int(transform_stats(t)->selected, 3, "stats: selected");
	is_int(transform_stats(t)->entities, 2, "stats: entities");
	is_int(transform_stats(t)->dropped, 1, "stats: dropped");
	is_int(transform_stats(t)->slow_path, 0, "stats: no slow path");
	tpage_free(pg);

	pg = transform_page(t, "{\"value\":[]}", 12, &err);
	ok(pg != NULL && tpage_count(pg) == 0 && tpage_next_link(pg) == NULL,
	    "empty page, no nextLink");
	tpage_free(pg);

	pg = transform_page(t, "{\"value\":null}", 14, &err);
	ok(pg == NULL && err != NULL, "null data_path: not a page");
	is_str(err, "data_path '.value' gave null, not an array",
	    "null data_path: message");
	free(err);
	err = NULL;

	pg = transform_page(t, "{\"values\":[]}", 13, &err);
	ok(pg == NULL && err != NULL, "no value: not a page");
	free(err);
	err = NULL;

	pg = transform_page(t, nulllink, strlen(nulllink), &err);
	ok(pg == NULL && err != NULL &&
		strstr(err, "@odata.nextLink is a null, not a string"),
	    "a null nextLink: not a page (%s)", err ? err : "");
	free(err);
	err = NULL;

	pg = transform_page(t, "{\"value\":[]}", 12, &err);
	ok(pg != NULL && tpage_is_collection(pg), "array: a collection page");
	tpage_free(pg);

	/* '.value' runs without libjq, until a page is not an object:
	 * then libjq (compiled now) says why, as it always did. */
	pg = transform_page(t, "[{\"value\":[]}]", 14, &err);
	ok(pg == NULL && err != NULL &&
		strstr(err,
		    "data_path '.value': jq: Cannot index array "
		    "with string \"value\"") != NULL,
	    "an array page: libjq's message (%s)", err ? err : "");
	free(err);
	err = NULL;
	pg = transform_page(t, "{\"a\":1,\"value\":[{\"id\":\"x\"}]}", 28,
	    &err);
	ok(pg != NULL && tpage_count(pg) == 1 && tpage_is_collection(pg),
	    "and the next object page is read as before");
	tpage_free(pg);

	pg = transform_page(t, "{\"value\":\"x\"}", 13, &err);
	ok(pg == NULL && err != NULL, "string data_path fails");
	is_str(err, "data_path '.value' is a string, not an array",
	    "data_path error message");
	free(err);
	err = NULL;

	pg = transform_page(t, "{\"value\":[1,", 12, &err);
	ok(pg == NULL && err != NULL && strncmp(err, "not JSON: ", 10) == 0,
	    "invalid JSON: %s", err ? err : "");
	free(err);
	err = NULL;

	pg = transform_page(t, "{\"value\":{\"id\":\"solo\"}}", 23, &err);
	ok(pg != NULL && tpage_count(pg) == 1, "object data_path: one item");
	ok(pg != NULL && !tpage_is_collection(pg),
	    "object data_path: proves no collection");
	is_str(tpage_item_id(pg, 0), "solo", "object item id");
	tpage_free(pg);

	/* emit returning -1 stops the run */
	pg = transform_page(t, page, strlen(page), &err);
	buf_reset(&o.b);
	o.n = 0;
	o.stop_after = 1;
	ok(transform_run(t, pg, collect, &o, &err) == -1 && err != NULL,
	    "emit -1 stops the run");
	is_int(o.n, 1, "one entity before the stop");
	free(err);
	err = NULL;
	tpage_free(pg);
	buf_release(&o.b);
	transform_free(t);
	res_free(r);

	/* data_path "." on an object gives the page itself, as Ocean */
	t = mk("identifier=.id ;; blueprint=\"b\"", &r);
	pg = transform_page(t, "{\"id\":\"p\"}", 10, &err);
	ok(pg != NULL && tpage_count(pg) == 1, "default data_path: one item");
	tpage_free(pg);
	pg = transform_page(t, "[{\"id\":\"a\"},{\"id\":\"b\"}]", 23, &err);
	ok(pg != NULL && tpage_count(pg) == 2, "default data_path: array");
	tpage_free(pg);
	pg = transform_page(t, "42", 2, &err);
	ok(pg == NULL && err && strstr(err, "is a number, not an array"),
	    "number page fails");
	free(err);
	transform_free(t);
	res_free(r);

	t = mk("data_path=.value | error(\"boom\") ;; identifier=.id ;; "
	       "blueprint=\"b\"",
	    &r);
	err = NULL;
	pg = transform_page(t, "{\"value\":[]}", 12, &err);
	ok(pg == NULL && err && strstr(err, "boom"), "data_path error: %s",
	    err ? err : "");
	free(err);
	transform_free(t);
	res_free(r);
}

static void
test_members(void)
{
	struct mapping_resource *r;
	struct transform *t;
	struct tpage *pg;
	struct out o;
	struct members *ml = members_new(), *none = members_new();
	char *err = NULL, *first = NULL;
	const char *page =
	    "{\"value\":[{\"id\":\"g1\",\"displayName\":\"G\","
	    "\"groupTypes\":[],\"mailEnabled\":false,\"securityEnabled\":true,"
	    "\"createdDateTime\":\"2024-01-01T00:00:00Z\"},{\"id\":\"g2\"},7]}";
	const char *want =
	    "{\"identifier\":\"g1\",\"title\":\"G\",\"blueprint\":"
	    "\"entra-id-group\",\"properties\":{\"displayName\":\"G\","
	    "\"description\":null,\"groupTypes\":[],\"mailEnabled\":false,"
	    "\"securityEnabled\":true,\"createdDateTime\":"
	    "\"2024-01-01T00:00:00Z\"},\"relations\":{\"members\":[\"u1\","
	    "\"u2\"]}}\n"
	    "{\"identifier\":\"g2\",\"title\":null,\"blueprint\":"
	    "\"entra-id-group\",\"properties\":{\"displayName\":null,"
	    "\"description\":null,\"groupTypes\":null,\"mailEnabled\":null,"
	    "\"securityEnabled\":null,\"createdDateTime\":null},"
	    "\"relations\":{\"members\":[]}}";
	int shapes;

	members_add(ml, "#microsoft.graph.user", "u1", 2);
	members_add(ml, "#microsoft.graph.user", "u2", 2);
	r = res_new(groups_spec);
	r->members = MEMBERS_DIRECT;
	if ((t = transform_new(r, "m.yaml")) == NULL)
		abort();
	/* The same entities with the ids written from the list and with jq
	 * over the whole .members array. */
	for (shapes = 1; shapes >= 0; shapes--) {
		memset(&o, 0, sizeof(o));
		buf_init(&o.b);
		is_int(transform_use_shapes(t, shapes), shapes,
		    "member-id fields written from the list: %d", shapes);
		pg = transform_page(t, page, strlen(page), &err);
		ok(pg != NULL, "groups page");
		is_int(transform_run_members(t, pg, 0, ml, collect, &o, &err),
		    0, "group with members");
		is_int(transform_run_members(t, pg, 1, none, collect, &o, &err),
		    0, "group without members");
		ok(tpage_item_json(pg, 0) == NULL &&
			tpage_item_id(pg, 1) == NULL,
		    "mapped groups are dropped from the page");
		is_int(transform_run_members(t, pg, 5, ml, collect, &o, &err),
		    0, "item out of range: nothing");
		is_int(transform_run_members(t, pg, 2, ml, collect, &o, &err),
		    -1, "an item that is not an object cannot have members");
		ok(err != NULL && strstr(err, "not an object"), "says so: %s",
		    err ? err : "");
		free(err);
		err = NULL;
		is_str(buf_str(&o.b), want, "groups with members (%d)", shapes);
		if (first == NULL)
			first = xstrdup(buf_str(&o.b));
		else
			is_str(buf_str(&o.b), first, "both ways, same bytes");
		/* a page without members: transform_run maps what is left */
		o.n = 0;
		is_int(transform_run(t, pg, collect, &o, &err), 0,
		    "run after the groups");
		is_int(o.n, 0, "mapped and dropped items are not mapped again");
		tpage_free(pg);
		buf_release(&o.b);
	}
	free(first);
	transform_free(t);
	res_free(r);
	members_free(ml);
	members_free(none);
}

/* Expect transform_new to fail with a message without unwanted. */
static void
compile_err_without(const char *spec, const char *unwanted, const char *name)
{
	struct mapping_resource *r = res_new(spec);
	struct transform *t;
	char *cap, *got;
	int saved;

	cap = capture_stderr_begin(&saved);
	t = transform_new(r, "m.yaml");
	got = capture_stderr_end(saved, cap);
	ok(t == NULL && *got != '\0' && strstr(got, unwanted) == NULL, "%s",
	    name);
	transform_free(t);
	free(got);
	res_free(r);
}

/* Expect transform_new to fail with a message containing want. */
static void
compile_err(const char *spec, const char *want, const char *name)
{
	struct mapping_resource *r = res_new(spec);
	struct transform *t;
	char *cap, *got;
	int saved;

	cap = capture_stderr_begin(&saved);
	t = transform_new(r, "m.yaml");
	got = capture_stderr_end(saved, cap);
	ok(t == NULL && strstr(got, want) != NULL, "%s", name);
	if (t != NULL || strstr(got, want) == NULL)
		printf("#   got: %s\n#   want: %s\n", got, want);
	transform_free(t);
	free(got);
	res_free(r);
}

static void
test_compile_errors(void)
{
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.mail@7:15=.mail | nosuchfn",
	    "m.yaml:7:15: resource '/test': field 'properties.mail': jq: "
	    "nosuchfn/0 is not defined",
	    "compile error names the property");
	compile_err("identifier@3:20=.id ) ;; blueprint=\"b\"",
	    "m.yaml:3:20: resource '/test': field 'identifier': jq: syntax "
	    "error",
	    "syntax error names identifier");
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "relations.members=[.members[]?.id",
	    "m.yaml: resource '/test': field 'relations.members': jq: ",
	    "no position: 'file: resource'");
	compile_err("selector@2:12=.a == ;; identifier=.id ;; blueprint=\"b\"",
	    "m.yaml:2:12: resource '/test': field 'selector.query': jq:",
	    "selector compile error");
	compile_err("data_path@4:16=.value[ ;; identifier=.id ;; "
		    "blueprint=\"b\"",
	    "m.yaml:4:16: resource '/test': field 'selector.data_path': jq:",
	    "data_path compile error");
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.x@9:3=if .a then 1 end",
	    "field 'properties.x': jq: syntax error, unexpected end "
	    "(jq 1.6 needs an else branch: write 'if c then x else . end')",
	    "if without else hint");
	/* Issue 14, point 4: the field, the expression and a caret where
	 * libjq stopped; no hint about shell quoting (there is no shell). */
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.appId@16:20=.appId |",
	    "m.yaml:16:20: resource '/test': field 'properties.appId': "
	    "jq: syntax error, unexpected end of the expression\n"
	    "    .appId |\n"
	    "            ^",
	    "an expression that ends too early: caret after it");
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.x=.a +* .b",
	    "field 'properties.x': jq: syntax error, unexpected '*'\n"
	    "    .a +* .b\n"
	    "        ^",
	    "caret under the unexpected token");
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.x=(.a))|.b",
	    "jq: syntax error, unexpected ')'\n"
	    "    (.a))|.b\n"
	    "        ^",
	    "a parenthesis that closes nothing");
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.x=.foo | bogus(1)",
	    "jq: bogus/1 is not defined\n"
	    "    .foo | bogus(1)\n"
	    "           ^",
	    "an undefined function: caret under it");
	compile_err_without("identifier=.id ;; blueprint=\"b\" ;; "
			    "properties.x=.a |",
	    "shell", "no shell quoting hint");
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.x=if .a then 1 elif .b then 2 end",
	    "(jq 1.6 needs an else branch", "elif without else hint");
	compile_err("identifier=.id ;; blueprint=\"b\" ;; "
		    "properties.x=.a | ",
	    "field 'properties.x'", "trailing pipe");
}

static void
check_fields(const char *spec, const char *want, const char *name)
{
	struct mapping_resource *r = res_new(spec);
	char *got = jqscan_fields_read(r);

	is_str(got, want, "fields read: %s", name);
	free(got);
	res_free(r);
}

static void
test_fields_read(void)
{
	check_fields(users_spec,
	    "accountEnabled,createdDateTime,department,"
	    "displayName,givenName,id,jobTitle,mail,officeLocation,"
	    "signInActivity,surname,userPrincipalName",
	    "guide users");
	check_fields(groups_spec,
	    "createdDateTime,description,displayName,"
	    "groupTypes,id,mailEnabled,members,securityEnabled",
	    "guide groups");
	check_fields(apps_spec,
	    "appId,createdDateTime,displayName,id,"
	    "publisherDomain,signInAudience",
	    "guide applications");
	check_fields(sps_spec,
	    "accountEnabled,appId,appOwnerOrganizationId,"
	    "appRoleAssignmentRequired,createdDateTime,displayName,id",
	    "guide service principals");
	check_fields(
	    "identifier=.id ;; blueprint='b' ;; selector=.userType == "
	    "'Member' ;; properties.a=.\"quoted name\" ;; properties.b=.x? ;; "
	    "properties.c=.arr[] ;; properties.d=.o.p.q",
	    "arr,id,o,quoted name,"
	    "userType,x",
	    "quoted, optional, iterator, nested");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; properties.a=. as "
		     "$x | $x.foo",
	    NULL, "bare dot as value");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; properties.a=.a as "
		     "$x | $x.foo | .bar",
	    "a,id", "variable and pipe");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; properties.a=tojson",
	    NULL, "tojson of the item");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; properties.a=keys",
	    NULL, "keys");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=to_entries",
	    NULL, "to_entries");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=with_entries(.)",
	    NULL, "with_entries");
	check_fields(
	    "identifier=.id ;; blueprint=\"b\" ;; properties.a=[paths]", NULL,
	    "paths");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; properties.a=[..]",
	    NULL, "recurse ..");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=getpath([\"a\"])",
	    NULL, "getpath");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=$__loc__",
	    NULL, "$__loc__");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; properties.a=input",
	    NULL, "input");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=.[\"x\"]",
	    NULL, "dynamic index");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=.m | map(.x) | .[0]",
	    "id,m", "pipe after field");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=if .a then .b elif .c then 1 else .d end",
	    "a,b,c,d,id", "if branches");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=\"\\(.first) \\(.last)\" | ascii_downcase",
	    "first,id,last", "string interpolation");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a={name, mail: .m}",
	    "id,m,name", "object shorthand");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=select(.x)",
	    NULL, "select on the item");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=reduce .xs[] as $v (0; . + $v)",
	    "id,xs", "reduce update on the accumulator");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=.a, .b | .c",
	    "a,b,id", "comma then pipe");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=(.a // \"x\") | ascii_downcase, env.HOME",
	    "a,id", "env suffix not a field");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=.x |= 1",
	    NULL, "update assignment");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=def f: .q; f",
	    "id,q", "def body");
	check_fields("identifier=.id ;; blueprint=\"b\" ;; "
		     "properties.a=.a # comment .zz",
	    "a,id", "comment skipped");
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Count entities only, to keep the callback out of the timing. */
static int
count_only(void *arg, const char *bp, const char *id, const char *json,
    size_t len)
{
	(*(unsigned long *)arg)++;
	return 0;
}

/*
 * Benchmark: N copies of the 38-property user through the users mapping.
 * The slow path is forced with an extra property that yields two values.
 */
static int
bench(int n)
{
	struct mapping_resource *r, *r2;
	struct transform *t, *t2;
	struct buf page;
	struct tpage *pg;
	char *err = NULL, *spec2;
	unsigned long cnt = 0;
	double t0, t1, t2p;
	int i;

	buf_init(&page);
	buf_puts(&page, "{\"value\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&page, ',');
		buf_puts(&page, user38);
	}
	buf_puts(&page, "]}");
	t0 = now_us();
	t = mk(users_spec, &r);
	t1 = now_us();
	printf("compile: %.0f us\n", t1 - t0);
	t0 = now_us();
	pg = transform_page(t, page.data, page.len, &err);
	t1 = now_us();
	printf("parse: %.2f us/item (%zu bytes/item)\n", (t1 - t0) / n,
	    strlen(user38));
	t0 = now_us();
	transform_run(t, pg, count_only, &cnt, &err);
	t1 = now_us();
	printf("fast path: %.2f us/item (%lu entities, %lu slow)\n",
	    (t1 - t0) / n, cnt, transform_stats(t)->slow_path);

	spec2 = xasprintf("%s ;; properties.two=(1, 2)", users_spec);
	t2 = mk(spec2, &r2);
	/* the wrapped programs are compiled on first use: not timed */
	transform_item(t2, user38, strlen(user38), count_only, &cnt, &err);
	cnt = 0;
	cnt = 0;
	t0 = now_us();
	transform_run(t2, pg, count_only, &cnt, &err);
	t2p = now_us();
	printf("slow path: %.2f us/item (%lu entities, %lu slow)\n",
	    (t2p - t0) / n, cnt, transform_stats(t2)->slow_path - 1);
	tpage_free(pg);
	transform_free(t);
	transform_free(t2);
	res_free(r);
	res_free(r2);
	free(spec2);
	free(err);
	buf_release(&page);
	return 0;
}

/* One entity of spec over item, as JSON text (a new string). */
static char *
map_one(const char *spec, const char *item)
{
	struct mapping_resource *r;
	struct transform *t = mk(spec, &r);
	struct out o;
	char *err = NULL, *res;

	memset(&o, 0, sizeof(o));
	buf_init(&o.b);
	if (t == NULL ||
	    transform_item(t, item, strlen(item), collect, &o, &err) == -1)
		buf_puts(&o.b, "(failed)");
	res = xstrdup(buf_str(&o.b));
	buf_release(&o.b);
	free(err);
	transform_free(t);
	res_free(r);
	return res;
}

/* The mapping sees the environment only when allowed, never secrets. */
static void
test_env(void)
{
	static const char *const hidden[] = { "E2P_T_SECRET", NULL };
	const char *spec = "identifier=.id ;; blueprint=\"u\" ;; "
			   "properties.v=env.E2P_T_VISIBLE ;; "
			   "properties.s=$ENV.E2P_T_SECRET ;; "
			   "properties.n=(env | length)";
	char *js;

	setenv("E2P_T_VISIBLE", "seen", 1);
	setenv("E2P_T_SECRET", "s3cr3t-value", 1);
	js = map_one(spec, "{\"id\":\"1\"}");
	is_str(js,
	    "{\"identifier\":\"1\",\"blueprint\":\"u\",\"properties\":"
	    "{\"v\":null,\"s\":null,\"n\":0},\"relations\":{}}",
	    "by default env and $ENV are {}");
	free(js);

	transform_env(1, hidden);
	js = map_one(spec, "{\"id\":\"1\"}");
	ok(strstr(js, "\"v\":\"seen\"") != NULL,
	    "allowed: env shows other variables (%s)", js);
	ok(strstr(js, "s3cr3t") == NULL && strstr(js, "\"s\":null") != NULL,
	    "allowed: a secret variable stays hidden");
	free(js);
	js = map_one("identifier=.id ;; blueprint=\"u\" ;; "
		     "properties.k=($ENV | has(\"E2P_T_SECRET\"))",
	    "{\"id\":\"1\"}");
	ok(strstr(js, "\"k\":false") != NULL, "allowed: no secret key");
	free(js);

	transform_env(0, NULL);
	js = map_one(spec, "{\"id\":\"1\"}");
	ok(strstr(js, "\"v\":null") != NULL, "turned off again: {}");
	free(js);
	unsetenv("E2P_T_VISIBLE");
	unsetenv("E2P_T_SECRET");
}

int
main(int argc, char **argv)
{
	const char *file = "tests/unit/transform.test";

	msg_setup(1, MSG_TEXT);
	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return bench(argc > 2 ? atoi(argv[2]) : 10000);
	if (argc > 1)
		file = argv[1];
	else if (access(file, R_OK) != 0 && getenv("E2P_TOP") != NULL) {
		static char path[4096];

		snprintf(path, sizeof(path), "%s/%s", getenv("E2P_TOP"), file);
		file = path;
	}
	run_file(file);
	test_pages();
	test_members();
	test_compile_errors();
	test_fields_read();
	test_env();
	return done_testing();
}
