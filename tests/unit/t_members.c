/*
 * Unit tests for members (the packed member lists) and for the member-id
 * shapes of transform: every resource of every example mapping (the YAML
 * files of examples/ and examples/mappings/, run from the repository
 * root) maps the same groups of varied membership twice, with the shapes
 * and with jq over the whole .members array, and the entities must be the
 * same bytes.  Mapping files and programs are the real ones.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mapping.h"
#include "members.h"
#include "msg.h"
#include "tap.h"
#include "transform.h"
#include "xmalloc.h"

static const char user_t[] = "#microsoft.graph.user";
static const char group_t[] = "#microsoft.graph.group";
static const char sp_t[] = "#microsoft.graph.servicePrincipal";
static const char device_t[] = "#microsoft.graph.device";
static const char contact_t[] = "#microsoft.graph.orgContact";

/* A GUID made from n, as Graph writes them (lowercase). */
static void
guid(char *out, unsigned long n, int upper)
{
	snprintf(out, 37,
	    upper ? "%08lX-%04lX-4%03lX-A%03lX-%012lX" :
		    "%08lx-%04lx-4%03lx-a%03lx-%012lx",
	    n * 2654435761UL & 0xffffffff, n & 0xffff, (n >> 4) & 0xfff,
	    (n >> 8) & 0xfff, n * 40503UL);
}

static void
test_list(void)
{
	struct members *m = members_new();
	struct members_iter it = MEMBERS_ITER_INIT;
	const char *type, *id;
	char g[40], up[40];
	size_t n, i, count;
	int same = 1;
	static const char *const odd[] = { "not-a-guid", "x\"y\\z",
		"caf\xc3\xa9", "bad\xff\xfe", "tab\there", "", NULL };

	ok(!members_next(m, &it, &type, &id, &n), "an empty list has none");
	is_int(members_count(m), 0, "count 0");
	guid(g, 1, 0);
	guid(up, 1, 1);
	members_add(m, user_t, g, strlen(g));
	members_add(m, NULL, up, strlen(up));
	for (i = 0; odd[i] != NULL; i++)
		members_add(m, i % 2 ? sp_t : group_t, odd[i], strlen(odd[i]));
	is_int(members_count(m), 8, "count 8");
	memset(&it, 0, sizeof(it));
	ok(members_next(m, &it, &type, &id, &n) && n == 36 &&
		memcmp(id, g, 36) == 0 && strcmp(type, user_t) == 0,
	    "a lowercase GUID comes back as it went in");
	ok(members_next(m, &it, &type, &id, &n) && n == 36 &&
		memcmp(id, up, 36) == 0 && type == NULL,
	    "an uppercase GUID too, and no type stays none");
	for (i = 0; odd[i] != NULL; i++) {
		int got = members_next(m, &it, &type, &id, &n);

		ok(got && n == strlen(odd[i]) && memcmp(id, odd[i], n) == 0 &&
			strcmp(type, i % 2 ? sp_t : group_t) == 0,
		    "odd id %zu comes back byte for byte", i);
	}
	ok(!members_next(m, &it, &type, &id, &n), "then the end");
	ok(!members_next(m, &it, &type, &id, &n), "and the end stays");
	members_reset(m);
	is_int(members_count(m), 0, "reset: count 0");
	memset(&it, 0, sizeof(it));
	ok(!members_next(m, &it, &type, &id, &n), "reset: none");

	/* 100k GUID members: about 18 bytes each, all back in order. */
	for (i = 0; i < 100000; i++) {
		guid(g, i, 0);
		members_add(m, i % 50 ? user_t : group_t, g, 36);
	}
	ok(members_bytes(m) <= 100000 * 20,
	    "100k GUIDs held in %zu bytes "
	    "(%.1f a member)",
	    members_bytes(m), members_bytes(m) / 1e5);
	memset(&it, 0, sizeof(it));
	for (count = 0; members_next(m, &it, &type, &id, &n); count++) {
		guid(g, count, 0);
		if (n != 36 || memcmp(id, g, 36) != 0 ||
		    strcmp(type, count % 50 ? user_t : group_t) != 0)
			same = 0;
	}
	ok(same && count == 100000, "100k members back in order");
	members_free(m);
	members_free(NULL);
}

/* Collects emitted entities, one per line. */
static int
collect(void *arg, const char *bp, const char *id, const char *json, size_t len)
{
	struct buf *b = arg;

	buf_printf(b, "%s\x1f%s\x1f", bp, id);
	buf_append(b, json, len);
	buf_putc(b, '\n');
	return 0;
}

/* The member lists of the test groups: users, nested groups, service
 * principals, devices, contacts, no type, duplicates, odd ids, none. */
#define NGROUPS 9

static struct members *
group_members(int g)
{
	struct members *m = members_new();
	char id[40];
	unsigned long i;

	switch (g) {
	case 0: /* none */
		break;
	case 1: /* users only */
		for (i = 0; i < 5; i++) {
			guid(id, i, 0);
			members_add(m, user_t, id, 36);
		}
		break;
	case 2: /* every kind, mixed */
		for (i = 0; i < 40; i++) {
			const char *t[] = { user_t, group_t, sp_t, device_t,
				contact_t, user_t, user_t };

			guid(id, 100 + i, 0);
			members_add(m, t[i % 7], id, 36);
		}
		break;
	case 3: /* duplicates */
		guid(id, 7, 0);
		members_add(m, user_t, id, 36);
		members_add(m, user_t, id, 36);
		members_add(m, group_t, id, 36);
		members_add(m, user_t, id, 36);
		break;
	case 4: /* no users at all */
		guid(id, 8, 0);
		members_add(m, group_t, id, 36);
		guid(id, 9, 0);
		members_add(m, sp_t, id, 36);
		members_add(m, device_t, "dev-1", 5);
		break;
	case 5: /* no type, uppercase and odd ids */
		guid(id, 10, 1);
		members_add(m, NULL, id, 36);
		members_add(m, user_t, id, 36);
		members_add(m, user_t, "x\"y\\z", 5);
		members_add(m, user_t, "q\"uote", 6);
		members_add(m, user_t, "back\\slash", 10);
		members_add(m, user_t, "del\x7f", 4);
		members_add(m, user_t, "sp ace~", 7);
		members_add(m, user_t, "caf\xc3\xa9 \xe2\x82\xac", 9);
		members_add(m, user_t, "bad\xff", 4);
		members_add(m, user_t, "ctl\x01\x1f\x7f\n", 8);
		members_add(m, "#microsoft.graph.user ", "near-miss", 9);
		members_add(m, "", "empty-type", 10);
		break;
	case 6: /* a big one */
		for (i = 0; i < 5000; i++) {
			guid(id, 1000 + i, 0);
			members_add(m, i % 100 == 0 ? group_t : user_t, id, 36);
		}
		break;
	case 7: /* one service principal */
		guid(id, 11, 0);
		members_add(m, sp_t, id, 36);
		break;
	default: /* one user */
		guid(id, 12, 0);
		members_add(m, user_t, id, 36);
		break;
	}
	return m;
}

/* A page of NGROUPS groups, as Graph serves them with every property. */
static char *
groups_page(void)
{
	struct buf b;
	int g;

	buf_init(&b);
	buf_puts(&b, "{\"@odata.context\":\"x\",\"value\":[");
	for (g = 0; g < NGROUPS; g++) {
		char id[40];

		guid(id, 50000 + (unsigned long)g, 0);
		buf_printf(&b,
		    "%s{\"id\":\"%s\",\"displayName\":\"Group %d\","
		    "\"description\":%s,\"groupTypes\":%s,\"mailEnabled\":%s,"
		    "\"securityEnabled\":true,\"mail\":%s,\"mailNickname\":"
		    "\"g%d\",\"createdDateTime\":\"2024-0%d-01T00:00:00Z\","
		    "\"visibility\":null,\"members\":[{\"id\":\"expanded\"}]}",
		    g ? "," : "", id, g, g % 2 ? "null" : "\"d\"",
		    g % 3 ? "[]" : "[\"Unified\"]", g % 3 ? "false" : "true",
		    g % 3 ? "null" : "\"g@contoso.com\"", g, 1 + g % 9);
	}
	buf_puts(&b, "]}");
	return buf_detach(&b);
}

/*
 * Map the test groups with resource r both ways; returns 1 if the bytes
 * are the same (and says how many fields the shapes wrote).
 */
static int
same_both_ways(const struct mapping_resource *r, const char *file, int *shapes,
    size_t *entities)
{
	struct buf out[2];
	struct transform *t;
	char *page = groups_page(), *err = NULL;
	int way, g, same;

	if ((t = transform_new(r, file)) == NULL)
		return 0;
	for (way = 0; way < 2; way++) {
		struct tpage *pg;

		buf_init(&out[way]);
		if (way == 0)
			*shapes = transform_use_shapes(t, 1);
		else
			transform_use_shapes(t, 0);
		pg = transform_page(t, page, strlen(page), &err);
		if (pg == NULL) {
			buf_printf(&out[way], "page: %s", err);
			free(err);
			err = NULL;
			continue;
		}
		for (g = 0; g < NGROUPS; g++) {
			struct members *m = group_members(g);

			if (transform_run_members(t, pg, (size_t)g, m, collect,
				&out[way], &err) == -1) {
				buf_printf(&out[way], "error: %s\n", err);
				free(err);
				err = NULL;
			}
			members_free(m);
		}
		tpage_free(pg);
	}
	same = out[0].len == out[1].len &&
	    (out[0].len == 0 ||
		memcmp(out[0].data, out[1].data, out[0].len) == 0);
	if (!same)
		printf("# with shapes:\n%s# jq alone:\n%s", buf_str(&out[0]),
		    buf_str(&out[1]));
	*entities = 0;
	for (g = 0; g < (int)out[0].len; g++)
		*entities += out[0].data[g] == '\n';
	buf_release(&out[0]);
	buf_release(&out[1]);
	transform_free(t);
	free(page);
	return same;
}

/* Every example mapping's every resource (a groups resource with its
 * membership as the file says; the others as if they had one). */
static void
test_examples(void)
{
	static const char *const pats[] = { "examples/*.yaml",
		"examples/mappings/*.yaml" };
	glob_t gl;
	size_t p, f, i, files = 0, ents;
	int shapes, shaped = 0;

	for (p = 0; p < 2; p++) {
		if (glob(pats[p], 0, NULL, &gl) != 0)
			continue;
		for (f = 0; f < gl.gl_pathc; f++) {
			struct mapping *m = mapping_load(gl.gl_pathv[f]);

			ok(m != NULL, "%s loads", gl.gl_pathv[f]);
			if (m == NULL)
				continue;
			files++;
			for (i = 0; i < m->nres; i++) {
				struct mapping_resource *r = &m->res[i];
				enum mapping_members was = r->members;

				if (r->members == MEMBERS_NONE)
					r->members = MEMBERS_DIRECT;
				ok(same_both_ways(r, m->path, &shapes, &ents),
				    "%s %s: %zu entities, the same bytes with "
				    "%d member-id field(s) written from the list",
				    gl.gl_pathv[f], r->kind, ents, shapes);
				if (was != MEMBERS_NONE && shapes > 0)
					shaped++;
				r->members = was;
			}
			mapping_free(m);
		}
		globfree(&gl);
	}
	ok(files >= 8, "%zu example mappings read", files);
	ok(shaped >= 4,
	    "%d groups resources of the examples use the shapes "
	    "(built-in, guide x2, transitive)",
	    shaped);
	{
		struct mapping *m = mapping_builtin();

		for (i = 0; i < m->nres; i++)
			if (m->res[i].members != MEMBERS_NONE)
				ok(same_both_ways(&m->res[i], m->path, &shapes,
				       &ents) &&
					shapes == 1 && ents == NGROUPS,
				    "built-in %s: shapes %d, %zu entities",
				    m->res[i].kind, shapes, ents);
		mapping_free(m);
	}
}

/* Mappings made for the edges of the shapes. */
static void
test_edges(void)
{
	static const struct {
		const char *yaml;
		int shapes;
	} cases[] = {
		/* every accepted spelling, each type, a property */
		{ "      relations:\n"
		  "        a: '[.members[] | .id]'\n"
		  "        b: '[ .members[]? | select(.\"@odata.type\" == "
		  "\"#microsoft.graph.group\") | .id ]'\n"
		  "        c: \"[.members[]?|select(.\\\"@odata.type\\\"==\\\""
		  "#microsoft.graph.servicePrincipal\\\")|.id?]\"\n"
		  "        d: '[.members[]? | select(.\"@odata.type\" == "
		  "\"#microsoft.graph.device\") | .id]'\n"
		  "      properties:\n"
		  "        ids: '[.members[].id]'\n"
		  "        title2: .displayName\n",
		    5 },
		/* another field reads .members: jq does all */
		{ "      properties:\n"
		  "        count: '.members | length'\n"
		  "      relations:\n"
		  "        members: '[.members[]?.id]'\n",
		    0 },
		/* the selector reads .members */
		{ "      relations:\n"
		  "        members: '[.members[]?.id]'\n",
		    -1 },
		/* a field reads the whole item */
		{ "      properties:\n"
		  "        raw: 'tojson'\n"
		  "      relations:\n"
		  "        members: '[.members[]?.id]'\n",
		    0 },
		/* near misses are left to jq */
		{ "      relations:\n"
		  "        a: '[.members[]?.id] | unique'\n"
		  "        b: '[.members[]? | select(.\"@odata.type\" != "
		  "\"#microsoft.graph.user\") | .id]'\n"
		  "        c: '[.members[]?.id] # all'\n"
		  "        d: '[.members[]? | .displayName]'\n"
		  "        e: '.members | map(.id)'\n",
		    0 },
	};
	size_t c, ents;
	int shapes;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct buf y;
		struct mapping *m;

		buf_init(&y);
		buf_printf(&y,
		    "resources:\n  - kind: /groups\n    selector:\n"
		    "      query: '%s'\n      data_path: .value\n"
		    "      membership: members\n"
		    "    port:\n      entity:\n        mappings:\n"
		    "          identifier: .id\n          blueprint: '\"g\"'\n",
		    cases[c].shapes == -1 ? "(.members | length) >= 0" :
					    "true");
		/* indent the case's fields under mappings */
		{
			const char *p = cases[c].yaml;

			while (*p != '\0') {
				const char *nl = strchr(p, '\n');

				buf_puts(&y, "    ");
				buf_append(&y, p, (size_t)(nl - p + 1));
				p = nl + 1;
			}
		}
		m = mapping_load_buffer("edge.yaml", buf_str(&y), y.len);
		ok(m != NULL && m->nres == 1, "edge mapping %zu loads", c);
		if (m != NULL) {
			ok(same_both_ways(&m->res[0], m->path, &shapes,
			       &ents) &&
				shapes ==
				    (cases[c].shapes > 0 ? cases[c].shapes :
							   0) &&
				ents == NGROUPS,
			    "edge mapping %zu: same bytes,"
			    " %d field(s) from the list, %zu entities",
			    c, shapes, ents);
			mapping_free(m);
		}
		buf_release(&y);
	}
}

int
main(void)
{
	msg_setup(0, MSG_TEXT);
	test_list();
	test_examples();
	test_edges();
	return done_testing();
}
