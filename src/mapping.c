/*
 * The mapping file: Ocean's port-app-config YAML, loaded with libyaml's
 * document API and checked against the shape the tool understands, with
 * every error reported once as "file:line:col: message".  It also holds the
 * built-in mapping for the four Entra ID kinds.  It neither compiles nor
 * runs jq: field values are kept as text, with their positions.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>
#include <yaml.h>

#include "buf.h"
#include "mapping.h"
#include "msg.h"
#include "xmalloc.h"

#define MAPPING_MAX (16 * 1024 * 1024)

struct ctx {
	const char *path; /* name for messages */
	const char *text; /* the whole input, for reader errors */
	size_t len;
	yaml_document_t *doc;
	int *unknown;      /* unknown keys reported so far */
	struct buf *named; /* the text named() gives */
};

/* The keys each part of a resource knows, for unknown keys. */
static const char *const top_keys[] = { "resources", "deleteDependentEntities",
	"createMissingRelatedEntities", "enableMergeEntity",
	"entityDeletionThreshold", NULL };
static const char *const resource_keys[] = { "kind", "selector", "port", NULL };
static const char *const selector_keys[] = { "query", "data_path",
	"query_params", "headers", "membership", "method", NULL };
static const char *const port_keys[] = { "entity", NULL };
static const char *const entity_keys[] = { "mappings", NULL };
static const char *const mappings_keys[] = { "identifier", "title", "blueprint",
	"icon", "team", "properties", "relations", NULL };

static const struct {
	const char *const *keys;
	const char *name;
} sections[] = {
	{ top_keys, "the top level" },
	{ resource_keys, "a resource" },
	{ selector_keys, "selector" },
	{ port_keys, "port" },
	{ entity_keys, "port.entity" },
	{ mappings_keys, "port.entity.mappings" },
};

#define FOREACH_PAIR(c, map, p, k, v)                                     \
	for ((p) = (map)->data.mapping.pairs.start;                       \
	     (p) < (map)->data.mapping.pairs.top &&                       \
	     ((k) = node((c), (p)->key), (v) = node((c), (p)->value), 1); \
	     (p)++)

/* clang-format off */
static const char builtin_text[] =
"# entra2port's built-in mapping: the four kinds of Port's Entra ID guide,\n"
"# with the guide's blueprints and properties, made complete.  $select names\n"
"# every Graph property a mapping reads (without it Graph returns a default\n"
"# subset), and group membership is read in full from /groups/{id}/members\n"
"# instead of $expand, which stops at 20 members.\n"
"deleteDependentEntities: true\n"
"createMissingRelatedEntities: true\n"
"enableMergeEntity: true\n"
"entityDeletionThreshold: 0.9\n"
"resources:\n"
"  - kind: /users\n"
"    selector:\n"
"      query: 'true'\n"
"      data_path: '.value'\n"
"      query_params:\n"
"        # 500: Graph's largest page when signInActivity is selected.\n"
"        $top: \"500\"\n"
"        $select: \"id,displayName,userPrincipalName,givenName,surname,mail,"
"jobTitle,department,officeLocation,accountEnabled,createdDateTime,"
"signInActivity\"\n"
"    port:\n"
"      entity:\n"
"        mappings:\n"
"          identifier: .id\n"
"          title: .displayName // .userPrincipalName\n"
"          blueprint: '\"entra-id-user\"'\n"
"          properties:\n"
"            userPrincipalName: .userPrincipalName\n"
"            displayName: .displayName\n"
"            givenName: .givenName\n"
"            surname: .surname\n"
"            mail: .mail\n"
"            jobTitle: .jobTitle\n"
"            department: .department\n"
"            officeLocation: .officeLocation\n"
"            accountEnabled: .accountEnabled\n"
"            createdDateTime: .createdDateTime\n"
"            lastSignInDateTime: .signInActivity.lastSignInDateTime\n"
"  - kind: /groups\n"
"    selector:\n"
"      query: 'true'\n"
"      data_path: '.value'\n"
"      query_params:\n"
"        $top: \"999\"\n"
"        $select: \"id,displayName,description,groupTypes,mailEnabled,"
"securityEnabled,createdDateTime\"\n"
"      membership: members\n"
"    port:\n"
"      entity:\n"
"        mappings:\n"
"          identifier: .id\n"
"          title: .displayName\n"
"          blueprint: '\"entra-id-group\"'\n"
"          properties:\n"
"            displayName: .displayName\n"
"            description: .description\n"
"            groupTypes: .groupTypes\n"
"            mailEnabled: .mailEnabled\n"
"            securityEnabled: .securityEnabled\n"
"            createdDateTime: .createdDateTime\n"
"          relations:\n"
"            # Only users: nested groups and service principals are members\n"
"            # too, and must not become placeholder user entities.\n"
"            members: '[.members[]? | select(.\"@odata.type\" == "
"\"#microsoft.graph.user\") | .id]'\n"
"  - kind: /applications\n"
"    selector:\n"
"      query: 'true'\n"
"      data_path: '.value'\n"
"      query_params:\n"
"        $top: \"999\"\n"
"        $select: \"id,displayName,appId,publisherDomain,signInAudience,"
"createdDateTime\"\n"
"    port:\n"
"      entity:\n"
"        mappings:\n"
"          identifier: .id\n"
"          title: .displayName\n"
"          blueprint: '\"entra-id-application\"'\n"
"          properties:\n"
"            displayName: .displayName\n"
"            appId: .appId\n"
"            publisherDomain: .publisherDomain\n"
"            signInAudience: .signInAudience\n"
"            createdDateTime: .createdDateTime\n"
"  - kind: /servicePrincipals\n"
"    selector:\n"
"      query: 'true'\n"
"      data_path: '.value'\n"
"      query_params:\n"
"        $top: \"999\"\n"
"        $select: \"id,displayName,appId,appOwnerOrganizationId,"
"accountEnabled,appRoleAssignmentRequired,createdDateTime\"\n"
"    port:\n"
"      entity:\n"
"        mappings:\n"
"          identifier: .id\n"
"          title: .displayName\n"
"          blueprint: '\"entra-id-service-principal\"'\n"
"          properties:\n"
"            displayName: .displayName\n"
"            appId: .appId\n"
"            appOwnerOrganizationId: .appOwnerOrganizationId\n"
"            accountEnabled: .accountEnabled\n"
"            appRoleAssignmentRequired: .appRoleAssignmentRequired\n"
"            createdDateTime: .createdDateTime\n";
/* clang-format on */

/*
 * Report an error at a 0-based libyaml mark of c's file.  fmt/...: the
 * message, without position.
 */
static void __attribute__((format(printf, 3, 0)))
vperr(const struct ctx *c, yaml_mark_t m, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);

	msg_error("%s:%d:%d: %s", c->path, (int)m.line + 1, (int)m.column + 1,
	    s);
	free(s);
}

/* The same with printf arguments. */
static void __attribute__((format(printf, 3, 4)))
perr_mark(const struct ctx *c, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(c, m, fmt, ap);
	va_end(ap);
}

/* Report an error at the start of node n.  fmt/...: the message. */
static void __attribute__((format(printf, 3, 4)))
perr(const struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(c, n->start_mark, fmt, ap);
	va_end(ap);
}

/* Node number i of c's document (never NULL for indexes libyaml made). */
static yaml_node_t *
node(const struct ctx *c, int i)
{
	return yaml_document_get_node(c->doc, i);
}

/* The text of a scalar node, or NULL if n is not a scalar. */
static const char *
sval(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* 1 if n is YAML's null: an empty or "~"/"null" plain scalar. */
static int
is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = sval(n);
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/*
 * Where to report a problem with the value v of key k: v itself, unless v
 * is an alias (its node then sits at the anchor, before k), then k.
 */
static const yaml_node_t *
vpos(const yaml_node_t *k, const yaml_node_t *v)
{
	return v->start_mark.index < k->start_mark.index ? k : v;
}

/*
 * The edit distance of a and b, ignoring case (optimal string alignment:
 * insertions, deletions, substitutions and swaps of two neighbours).
 * Keys are short; longer strings count as far apart.
 */
static size_t
distance(const char *a, const char *b)
{
	size_t d[33][33], i, j, n = strlen(a), m = strlen(b), c;

	if (n > 32 || m > 32)
		return (size_t)-1;
	for (i = 0; i <= n; i++)
		d[i][0] = i;
	for (j = 0; j <= m; j++)
		d[0][j] = j;
	for (i = 1; i <= n; i++)
		for (j = 1; j <= m; j++) {
			c = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			d[i][j] = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < d[i][j])
				d[i][j] = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < d[i][j])
				d[i][j] = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) ==
				tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
				tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[n][m];
}

/* The known key nearest to key, if near enough to be a typo, or NULL. */
static const char *
nearest(const char *key, const char *const *known)
{
	const char *best = NULL;
	size_t i, d, bestd = (size_t)-1;

	for (i = 0; known[i] != NULL; i++) {
		d = distance(key, known[i]);
		if (d < bestd && d <= 1 + strlen(known[i]) / 6 &&
		    d < strlen(key)) {
			best = known[i];
			bestd = d;
		}
	}
	return best;
}

/*
 * The name of a part of the file for a message: part, or "part of label".
 * The text is c's scratch, good until the next call.
 */
static const char *
named(const struct ctx *c, const char *part, const char *label)
{
	buf_reset(c->named);
	if (label == NULL)
		buf_puts(c->named, part);
	else
		buf_printf(c->named, "%s of %s", part, label);
	return buf_str(c->named);
}

/*
 * Report that key k of the part named by part and label is unknown: an
 * error (the load fails once the whole file was read, so that every unknown
 * key is named), with the known key it is probably a typo of, or the part
 * of the file it belongs in.
 */
static void
unknown_key(const struct ctx *c, const yaml_node_t *k, const char *part,
    const char *label, const char *const *known)
{
	const char *key = sval(k), *near = nearest(key, known), *other = NULL;
	const char *where = named(c, part, label);
	struct buf list;
	size_t i, j;

	(*c->unknown)++;
	for (i = 0; near == NULL && other == NULL &&
	     i < sizeof(sections) / sizeof(sections[0]);
	     i++)
		for (j = 0;
		     sections[i].keys != known && sections[i].keys[j] != NULL;
		     j++)
			if (strcmp(sections[i].keys[j], key) == 0)
				other = sections[i].name;
	buf_init(&list);
	for (i = 0; near == NULL && other == NULL && known[i] != NULL; i++)
		buf_printf(&list, "%s%s", i > 0 ? ", " : "", known[i]);
	if (near != NULL)
		perr(c, k, "unknown key '%s' in %s (did you mean '%s'?)", key,
		    where, near);
	else if (other != NULL)
		perr(c, k, "unknown key '%s' in %s ('%s' belongs in %s)", key,
		    where, key, other);
	else
		perr(c, k, "unknown key '%s' in %s (known keys: %s)", key,
		    where, buf_str(&list));
	buf_release(&list);
}

/*
 * Check that n is a mapping whose keys are unique scalars.  part and label
 * name n in messages (see named()).  Returns 1 for such a mapping, 0 for a
 * null (absent) value, -1 after an error.
 */
static int
check_map(const struct ctx *c, const yaml_node_t *n, const char *part,
    const char *label)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t *k, *v, *k2;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE) {
		perr(c, n, "%s must be a mapping", named(c, part, label));
		return -1;
	}
	FOREACH_PAIR(c, n, p, k, v) {
		(void)v;
		if (k->type != YAML_SCALAR_NODE) {
			perr(c, k, "a key in %s must be a string",
			    named(c, part, label));
			return -1;
		}
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			k2 = node(c, q->key);
			if (strcmp(sval(k2), sval(k)) == 0) {
				perr(c, k,
				    "duplicate key '%s' in %s "
				    "(first at line %d)",
				    sval(k), named(c, part, label),
				    (int)k2->start_mark.line + 1);
				return -1;
			}
		}
	}
	return 1;
}

/* Set f to name and text, at n's position; f's old strings are freed. */
static void
field_set(struct mapping_field *f, const char *name, const char *text,
    const yaml_node_t *n)
{
	free(f->name);
	free(f->value);
	f->name = xstrdup(name);
	f->value = xstrdup(text);
	f->line = (int)n->start_mark.line + 1;
	f->col = (int)n->start_mark.column + 1;
}

/* Append a zeroed field to the array *v of *n fields; returns it. */
static struct mapping_field *
field_add(struct mapping_field **v, size_t *n)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	return &(*v)[(*n)++];
}

/* Free f's strings and clear them; f itself belongs to the caller. */
static void
field_release(struct mapping_field *f)
{
	free(f->name);
	free(f->value);
	f->name = f->value = NULL;
}

/*
 * Read the jq expression at v into f, named name.  label names the resource
 * in messages.  A null value leaves f as it was.  Returns 0, or -1 after an
 * error.
 */
static int
get_jq(const struct ctx *c, struct mapping_field *f, const char *name,
    const yaml_node_t *k, const yaml_node_t *v, const char *label)
{
	if (v->type == YAML_MAPPING_NODE || v->type == YAML_SEQUENCE_NODE) {
		perr(c, vpos(k, v), "%s: '%s'%s", label, name,
		    v->type == YAML_MAPPING_NODE ?
			": search queries are not supported; use a jq "
			"expression" :
			" must be a jq expression, not a list");
		return -1;
	}
	if (is_null(v))
		return 0;
	field_set(f, name, sval(v), v);
	return 0;
}

/* What the values of a mapping read by get_map() are. */
enum map_values {
	MAP_JQ,      /* jq expressions (properties, relations) */
	MAP_STRINGS, /* plain strings (query_params) */
	MAP_HEADERS  /* strings without line breaks, names without ':' */
};

/*
 * Read a mapping of name -> value at n, the part of resource label, into
 * the array *fv of *fn fields.  Plain strings keep numbers and booleans as
 * written.  Returns 0 or -1.
 */
static int
get_map(const struct ctx *c, const yaml_node_t *n, struct mapping_field **fv,
    size_t *fn, const char *part, const char *label, enum map_values kind)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	int rc;

	if ((rc = check_map(c, n, part, label)) <= 0)
		return rc;
	FOREACH_PAIR(c, n, p, k, v) {
		if (kind == MAP_JQ) {
			if (is_null(v)) {
				perr(c, k, "%s: '%s' has no jq expression",
				    label, sval(k));
				return -1;
			}
			if (get_jq(c, field_add(fv, fn), sval(k), k, v,
				label) == -1)
				return -1;
			continue;
		}
		if (v->type != YAML_SCALAR_NODE || is_null(v)) {
			perr(c, is_null(v) ? k : vpos(k, v),
			    "'%s' in %s must be a string", sval(k),
			    named(c, part, label));
			return -1;
		}
		/* A line break would end the HTTP header. */
		if (kind == MAP_HEADERS &&
		    (strpbrk(sval(k), "\r\n:") != NULL ||
			strpbrk(sval(v), "\r\n") != NULL)) {
			perr(c, k,
			    "header '%s' in %s: line breaks and ':' "
			    "are not allowed",
			    sval(k), named(c, part, label));
			return -1;
		}
		field_set(field_add(fv, fn), sval(k), sval(v), v);
	}
	return 0;
}

/* Read a YAML boolean at v for key k into *out.  Returns 0 or -1. */
static int
get_bool(const struct ctx *c, const yaml_node_t *k, const yaml_node_t *v,
    int *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	const char *s = sval(v);
	size_t i;

	for (i = 0; s != NULL && i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	if (s == NULL)
		perr(c, vpos(k, v), "'%s' must be true or false", sval(k));
	else
		perr(c, vpos(k, v), "'%s' must be true or false, not '%s'",
		    sval(k), s);
	return -1;
}

/* Read entityDeletionThreshold (0..1) at v into *out.  Returns 0 or -1. */
static int
get_threshold(const struct ctx *c, const yaml_node_t *k, const yaml_node_t *v,
    double *out)
{
	const char *s = sval(v);
	char *end;
	double d;

	if (s != NULL && *s != '\0') {
		errno = 0;
		d = strtod(s, &end);
		if (errno == 0 && *end == '\0' && isfinite(d) && d >= 0 &&
		    d <= 1) {
			*out = d;
			return 0;
		}
	}
	perr(c, vpos(k, v), "'%s' must be a number from 0 to 1%s%s%s", sval(k),
	    s != NULL ? ", not '" : "", s != NULL ? s : "",
	    s != NULL ? "'" : "");
	return -1;
}

/*
 * Take the members / transitiveMembers items out of an $expand value
 * (comma-separated at the top level, items may carry "(...)" options),
 * rewriting value in place.  Returns which membership was asked for.
 */
static enum mapping_members
expand_take(char *value)
{
	enum mapping_members found = MEMBERS_NONE;
	struct buf out;
	char *s = value, *item, *e;
	size_t n;
	int depth;

	buf_init(&out);
	while (*s != '\0') {
		item = s;
		for (depth = 0; *s != '\0' && (*s != ',' || depth > 0); s++) {
			if (*s == '(')
				depth++;
			else if (*s == ')' && depth > 0)
				depth--;
		}
		e = s;
		if (*s == ',')
			s++;
		while (item < e && *item == ' ')
			item++;
		while (e > item && e[-1] == ' ')
			e--;
		n = strcspn(item, "(, ");
		if (n > (size_t)(e - item))
			n = (size_t)(e - item);
		if (n == 7 && strncasecmp(item, "members", 7) == 0)
			found = MEMBERS_DIRECT;
		else if (n == 17 &&
		    strncasecmp(item, "transitiveMembers", 17) == 0)
			found = MEMBERS_TRANSITIVE;
		else if (e > item) {
			if (out.len > 0)
				buf_putc(&out, ',');
			buf_append(&out, item, (size_t)(e - item));
		}
	}
	if (found != MEMBERS_NONE)
		memcpy(value, buf_str(&out), out.len + 1);
	buf_release(&out);
	return found;
}

/*
 * Settle r->members from selector.membership (explicit: -1 if absent) and
 * a members $expand in the query parameters, which is removed because the
 * members are read in full instead.  at: where membership was asked for.
 */
static void
settle_members(const struct ctx *c, struct mapping_resource *r, int explicit,
    const yaml_node_t *at, const char *label)
{
	enum mapping_members fromexp = MEMBERS_NONE;
	struct mapping_field *f;
	size_t i;
	int line = 0, col = 0;

	/* "none" keeps the $expand: the user asked for Graph's own. */
	for (i = 0; explicit != MEMBERS_NONE && i < r->nquery_params; i++) {
		f = &r->query_params[i];
		if (strcasecmp(f->name, "$expand") != 0)
			continue;
		fromexp = expand_take(f->value);
		if (fromexp == MEMBERS_NONE)
			continue;
		line = f->line;
		col = f->col;
		if (f->value[0] == '\0') {
			field_release(f);
			memmove(f, f + 1,
			    (r->nquery_params - i - 1) * sizeof(*f));
			r->nquery_params--;
		}
		break;
	}
	r->members = explicit >= 0 ? (enum mapping_members) explicit : fromexp;
	r->membership_set = explicit >= 0;
	if (at != NULL) {
		line = (int)at->start_mark.line + 1;
		col = (int)at->start_mark.column + 1;
	}
	if (r->members != MEMBERS_NONE && strncmp(r->kind, "/groups", 7) != 0)
		msg_warn("%s:%d:%d: %s: membership is read from "
			 "/groups/{id}/members, but the kind is not /groups",
		    c->path, line, col, label);
}

/* Read resource r's selector at n.  Returns 0 or -1. */
static int
parse_selector(const struct ctx *c, struct mapping_resource *r,
    const yaml_node_t *n, const char *label)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v, *at = NULL;
	const char *s, *key;
	int rc, explicit = -1;

	if ((rc = check_map(c, n, "selector", label)) <= 0)
		return rc; /* null: nothing to settle, r is as calloc left it */
	FOREACH_PAIR(c, n, p, k, v) {
		key = sval(k);
		if (strcmp(key, "query") == 0) {
			if (get_jq(c, &r->query, "selector.query", k, v,
				label) == -1)
				return -1;
		} else if (strcmp(key, "data_path") == 0) {
			if (get_jq(c, &r->data_path, "selector.data_path", k, v,
				label) == -1)
				return -1;
		} else if (strcmp(key, "query_params") == 0) {
			if (get_map(c, v, &r->query_params, &r->nquery_params,
				"query_params", label, MAP_STRINGS) == -1)
				return -1;
		} else if (strcmp(key, "headers") == 0) {
			if (get_map(c, v, &r->headers, &r->nheaders, "headers",
				label, MAP_HEADERS) == -1)
				return -1;
		} else if (strcmp(key, "membership") == 0) {
			s = sval(v);
			if (s != NULL && strcmp(s, "members") == 0)
				explicit = MEMBERS_DIRECT;
			else if (s != NULL &&
			    strcmp(s, "transitiveMembers") == 0)
				explicit = MEMBERS_TRANSITIVE;
			else if (s != NULL && strcmp(s, "none") == 0)
				explicit = MEMBERS_NONE;
			else {
				perr(c, v,
				    "%s: membership must be 'members', "
				    "'transitiveMembers' or 'none'",
				    label);
				return -1;
			}
			at = v;
		} else if (strcmp(key, "method") == 0) {
			s = sval(v);
			if (s == NULL || strcasecmp(s, "GET") != 0) {
				perr(c, v,
				    "%s: selector.method: only GET is "
				    "supported",
				    label);
				return -1;
			}
		} else if (strcmp(key, "path_parameters") == 0 ||
		    strcmp(key, "body") == 0) {
			perr(c, k, "%s: selector.%s is not supported", label,
			    key);
			return -1;
		} else if (strcmp(key, "exportEnvVariables") == 0) {
			msg_info(
			    "%s:%d:%d: %s: selector.exportEnvVariables has "
			    "no effect here (Ocean's lakehouse only)",
			    c->path, (int)k->start_mark.line + 1,
			    (int)k->start_mark.column + 1, label);
		} else
			unknown_key(c, k, "selector", label, selector_keys);
	}
	settle_members(c, r, explicit, at, label);
	return 0;
}

/* Read port.entity.mappings at n into r.  Returns 0 or -1. */
static int
parse_mappings(const struct ctx *c, struct mapping_resource *r,
    const yaml_node_t *n, const char *label)
{
	static const char *const names[] = { "identifier", "title", "blueprint",
		"icon", "team" };
	struct mapping_field *fields[] = { &r->identifier, &r->title,
		&r->blueprint, &r->icon, &r->team };
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *key;
	size_t i;
	int rc;

	if ((rc = check_map(c, n, "port.entity.mappings", label)) <= 0)
		return rc;
	FOREACH_PAIR(c, n, p, k, v) {
		key = sval(k);
		for (i = 0; i < 5; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (i < 5) {
			if (get_jq(c, fields[i], names[i], k, v, label) == -1)
				return -1;
		} else if (strcmp(key, "properties") == 0) {
			if (get_map(c, v, &r->properties, &r->nproperties,
				"port.entity.mappings.properties", label,
				MAP_JQ) == -1)
				return -1;
		} else if (strcmp(key, "relations") == 0) {
			if (get_map(c, v, &r->relations, &r->nrelations,
				"port.entity.mappings.relations", label,
				MAP_JQ) == -1)
				return -1;
		} else
			unknown_key(c, k, "port.entity.mappings", label,
			    mappings_keys);
	}
	return 0;
}

/*
 * Read resource r's port section at n.  *where is set to the innermost key
 * found on the way to the mappings, for "missing" messages.  Returns 0/-1.
 */
static int
parse_port(const struct ctx *c, struct mapping_resource *r,
    const yaml_node_t *n, const char *label, const yaml_node_t **where)
{
	yaml_node_pair_t *p, *p2;
	yaml_node_t *k, *v, *k2, *v2;
	const char *key;
	int rc;

	if ((rc = check_map(c, n, "port", label)) <= 0)
		return rc;
	FOREACH_PAIR(c, n, p, k, v) {
		key = sval(k);
		if (strcmp(key, "entity") == 0) {
			*where = k;
			if ((rc = check_map(c, v, "port.entity", label)) <= 0) {
				if (rc == 0)
					continue;
				return -1;
			}
			FOREACH_PAIR(c, v, p2, k2, v2) {
				if (strcmp(sval(k2), "mappings") != 0) {
					unknown_key(c, k2, "port.entity", label,
					    entity_keys);
					continue;
				}
				*where = k2;
				if (parse_mappings(c, r, v2, label) == -1)
					return -1;
			}
		} else if (strncmp(key, "itemsToParse", 12) == 0) {
			perr(c, k, "%s: port.%s is not supported", label, key);
			return -1;
		} else
			unknown_key(c, k, "port", label, port_keys);
	}
	return 0;
}

/* Read resource number idx (0-based) at n into r.  Returns 0 or -1. */
static int
parse_resource(const struct ctx *c, struct mapping_resource *r,
    const yaml_node_t *n, size_t idx)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v, *kindnode = NULL;
	const yaml_node_t *where = n;
	char *label;
	const char *key;
	int rc = -1;

	label = xasprintf("resource %zu", idx + 1);
	if (is_null(n)) {
		perr(c, n, "%s is empty", label);
		goto out;
	}
	if (check_map(c, n, label, NULL) == -1)
		goto out;
	FOREACH_PAIR(c, n, p, k, v)
		if (strcmp(sval(k), "kind") == 0)
			kindnode = v;
	if (kindnode == NULL) {
		perr(c, n, "%s: missing kind", label);
		goto out;
	}
	if (sval(kindnode) == NULL || is_null(kindnode) ||
	    *sval(kindnode) == '\0') {
		perr(c, kindnode, "%s: kind must be a non-empty string", label);
		goto out;
	}
	r->kind = xstrdup(sval(kindnode));
	r->file = xstrdup(c->path);
	r->line = (int)kindnode->start_mark.line + 1;
	r->col = (int)kindnode->start_mark.column + 1;
	free(label);
	label = xasprintf("resource '%s'", r->kind);
	r->query.name = xstrdup("selector.query");
	r->query.value = xstrdup("true");
	r->data_path.name = xstrdup("selector.data_path");
	r->data_path.value = xstrdup(".");
	FOREACH_PAIR(c, n, p, k, v) {
		key = sval(k);
		if (strcmp(key, "kind") == 0)
			continue;
		if (strcmp(key, "selector") == 0) {
			if (parse_selector(c, r, v, label) == -1)
				goto out;
		} else if (strcmp(key, "port") == 0) {
			where = k;
			if (parse_port(c, r, v, label, &where) == -1)
				goto out;
		} else
			unknown_key(c, k, label, NULL, resource_keys);
	}
	if (r->identifier.value == NULL) {
		perr(c, where, "%s: missing port.entity.mappings.identifier",
		    label);
		goto out;
	}
	if (r->blueprint.value == NULL) {
		perr(c, where, "%s: missing port.entity.mappings.blueprint",
		    label);
		goto out;
	}
	rc = 0;
out:
	free(label);
	return rc;
}

/* Read the resources list at n into m.  Returns 0 or -1. */
static int
parse_resources(const struct ctx *c, struct mapping *m, const yaml_node_t *n)
{
	yaml_node_item_t *it;
	size_t i, len;

	if (is_null(n) ||
	    (n->type == YAML_SEQUENCE_NODE &&
		n->data.sequence.items.top == n->data.sequence.items.start)) {
		perr(c, n, "no resources: the 'resources' list is empty");
		return -1;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		perr(c, n, "'resources' must be a list");
		return -1;
	}
	len = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	m->res = xcalloc(len, sizeof(*m->res));
	for (i = 0, it = n->data.sequence.items.start; i < len; i++, it++) {
		m->nres++;
		if (parse_resource(c, &m->res[i], node(c, *it), i) == -1)
			return -1;
	}
	return 0;
}

/* The top-level settings' keys, by enum mapping_setting. */
static const char *const setting_keys[MAPPING_NSETTINGS] = {
	"deleteDependentEntities", "createMissingRelatedEntities",
	"enableMergeEntity", "entityDeletionThreshold"
};

/* The index of top-level setting key, or MAPPING_NSETTINGS. */
static size_t
setting_index(const char *key)
{
	size_t i;

	for (i = 0; i < MAPPING_NSETTINGS; i++)
		if (strcmp(key, setting_keys[i]) == 0)
			break;
	return i;
}

/* Read the top-level mapping at root into m.  Returns 0 or -1. */
static int
parse_top(const struct ctx *c, struct mapping *m, const yaml_node_t *root)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *key;
	size_t i;

	if (root->type != YAML_MAPPING_NODE) {
		perr(c, root,
		    "the mapping must be a YAML mapping with a "
		    "'resources' list");
		return -1;
	}
	if (check_map(c, root, "the mapping", NULL) == -1)
		return -1;
	FOREACH_PAIR(c, root, p, k, v) {
		key = sval(k);
		if (strcmp(key, "resources") == 0) {
			if (parse_resources(c, m, v) == -1)
				return -1;
		} else if ((i = setting_index(key)) < MAPPING_NSETTINGS) {
			if (i == MAPPING_THRESHOLD) {
				if (get_threshold(c, k, v,
					&m->deletion_threshold) == -1)
					return -1;
				m->threshold_set = 1;
			} else if (get_bool(c, k, v,
				       i == MAPPING_DELETE_DEPENDENTS ?
					   &m->delete_dependents :
					   i == MAPPING_CREATE_MISSING ?
					   &m->create_missing :
					   &m->merge) == -1)
				return -1;
			m->set_line[i] = (int)k->start_mark.line + 1;
			m->set_col[i] = (int)k->start_mark.column + 1;
		} else if (strncmp(key, "x-", 2) != 0) {
			/* x-*: a place for YAML anchors, as in Compose files.
			 */
			unknown_key(c, k, "the mapping", NULL, top_keys);
		}
	}
	if (m->res == NULL) {
		perr(c, root,
		    "no resources: the mapping has no "
		    "'resources' list");
		return -1;
	}
	return 0;
}

/*
 * The mark of byte offset off of c's text, counted as libyaml counts its
 * own marks, so that every error's column means the same: characters
 * (UTF-8 sequences) from 0, a leading byte order mark not counted, and
 * lines broken by LF, CR, CR LF, NEL, LS and PS.
 */
static yaml_mark_t
byte_mark(const struct ctx *c, size_t off)
{
	const unsigned char *t = (const unsigned char *)c->text;
	yaml_mark_t m;
	size_t i = 0;

	memset(&m, 0, sizeof(m));
	if (off > c->len)
		off = c->len;
	if (off >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < off; i++) {
		if ((t[i] == '\r' && (i + 1 == c->len || t[i + 1] != '\n')) ||
		    t[i] == '\n' ||
		    (t[i] == 0xc2 && i + 1 < c->len && t[i + 1] == 0x85) ||
		    (t[i] == 0xe2 && i + 2 < c->len && t[i + 1] == 0x80 &&
			(t[i + 2] == 0xa8 || t[i + 2] == 0xa9))) {
			m.line++;
			m.column = 0;
		} else if ((t[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

/* Report the libyaml error held by parser p. */
static void
yaml_fail(const struct ctx *c, const yaml_parser_t *p)
{
	yaml_mark_t m;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		msg_error("%s: out of memory while reading YAML", c->path);
		return;
	case YAML_READER_ERROR:
		m = byte_mark(c, p->problem_offset);
		if (p->problem_value != -1)
			perr_mark(c, m, "%s (byte 0x%02X)", p->problem,
			    (unsigned)p->problem_value & 0xff);
		else
			perr_mark(c, m, "%s", p->problem);
		return;
	default:
		if (p->context != NULL)
			perr_mark(c, p->problem_mark,
			    "%s %s at line %d, "
			    "column %d",
			    p->problem != NULL ? p->problem : "syntax error",
			    p->context, (int)p->context_mark.line + 1,
			    (int)p->context_mark.column + 1);
		else
			perr_mark(c, p->problem_mark, "%s",
			    p->problem != NULL ? p->problem : "syntax error");
		return;
	}
}

/*
 * Parse len bytes of text (not necessarily NUL-terminated) named name.
 * Returns a new mapping owned by the caller, or NULL after one error.
 */
struct mapping *
mapping_load_buffer(const char *name, const char *text, size_t len)
{
	struct mapping *m = NULL;
	yaml_parser_t parser;
	yaml_document_t doc, doc2;
	yaml_node_t *root, *root2;
	struct ctx c;
	yaml_mark_t zero;
	struct buf named;
	int ok = 0, unknown = 0;

	memset(&c, 0, sizeof(c));
	memset(&zero, 0, sizeof(zero));
	buf_init(&named);
	c.unknown = &unknown;
	c.named = &named;
	c.path = name;
	c.text = text;
	c.len = len;
	if (len > MAPPING_MAX) {
		perr_mark(&c, zero, "mapping file too large (over 16 MiB)");
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		msg_error("%s: out of memory while reading YAML", name);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_fail(&c, &parser);
		yaml_parser_delete(&parser);
		return NULL;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || is_null(root)) {
		perr_mark(&c, root != NULL ? root->start_mark : zero,
		    "empty mapping file");
		goto out;
	}
	/* A second document would be silently ignored by a careless
	 * reader; Ocean's config is one document. */
	if (!yaml_parser_load(&parser, &doc2)) {
		yaml_fail(&c, &parser);
		goto out;
	}
	root2 = yaml_document_get_root_node(&doc2);
	if (root2 != NULL) {
		perr_mark(&c, doc2.start_mark,
		    "more than one YAML document; "
		    "the mapping must be a single document");
		yaml_document_delete(&doc2);
		goto out;
	}
	yaml_document_delete(&doc2);

	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(name);
	m->delete_dependents = 1;
	m->create_missing = 1;
	m->merge = 1;
	m->deletion_threshold = 0.9;
	if (parse_top(&c, m, root) == -1 || unknown > 0)
		goto out;
	ok = 1;
out:
	buf_release(&named);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!ok) {
		mapping_free(m);
		return NULL;
	}
	return m;
}

/*
 * Read the file at path whole (up to 16 MiB) and parse it.  Returns a new
 * mapping owned by the caller, or NULL after one error.
 */
struct mapping *
mapping_load(const char *path)
{
	struct mapping *m;
	struct buf b;
	int rc;

	buf_init(&b);
	if ((rc = buf_read_file(&b, path, MAPPING_MAX)) == -1) {
		msg_error("cannot read '%s': %s", path, strerror(errno));
		buf_release(&b);
		return NULL;
	}
	if (rc == 1) {
		msg_error("%s:1:1: mapping file too large (over 16 MiB)", path);
		buf_release(&b);
		return NULL;
	}
	m = mapping_load_buffer(path, buf_str(&b), b.len);
	buf_release(&b);
	return m;
}

/* Setting i of m as text, for messages. */
static void
setting_text(const struct mapping *m, size_t i, char *out, size_t n)
{
	if (i == MAPPING_THRESHOLD)
		snprintf(out, n, "%g", m->deletion_threshold);
	else
		snprintf(out, n, "%s",
		    (i == MAPPING_DELETE_DEPENDENTS     ? m->delete_dependents :
			    i == MAPPING_CREATE_MISSING ? m->create_missing :
							  m->merge) ?
			"true" :
			"false");
}

/*
 * Combine the top-level settings of v[0..n) into into: a setting takes
 * the value of the first file that writes it; a later file that writes
 * another value is an error naming both places.  Returns 0 or -1.
 */
static int
merge_settings(struct mapping *into, struct mapping *const *v, size_t n)
{
	char a[32], b[32];
	size_t i, j, first;
	int rc = 0;

	for (i = 0; i < MAPPING_NSETTINGS; i++) {
		for (first = 0; first < n && v[first]->set_line[i] == 0;
		     first++)
			;
		if (first == n)
			continue;
		setting_text(v[first], i, a, sizeof(a));
		for (j = first + 1; j < n; j++) {
			if (v[j]->set_line[i] == 0)
				continue;
			setting_text(v[j], i, b, sizeof(b));
			if (strcmp(a, b) == 0)
				continue;
			msg_error("%s:%d:%d: %s is %s here but %s in %s:%d:%d; "
				  "set it in one file only",
			    v[j]->path, v[j]->set_line[i], v[j]->set_col[i],
			    setting_keys[i], b, a, v[first]->path,
			    v[first]->set_line[i], v[first]->set_col[i]);
			rc = -1;
		}
		into->set_line[i] = v[first]->set_line[i];
		into->set_col[i] = v[first]->set_col[i];
		if (i == MAPPING_THRESHOLD) {
			into->deletion_threshold = v[first]->deletion_threshold;
			into->threshold_set = 1;
		} else if (i == MAPPING_DELETE_DEPENDENTS)
			into->delete_dependents = v[first]->delete_dependents;
		else if (i == MAPPING_CREATE_MISSING)
			into->create_missing = v[first]->create_missing;
		else
			into->merge = v[first]->merge;
	}
	return rc;
}

/*
 * Load paths[0..n) as one mapping (see mapping.h).  Returns a new mapping
 * owned by the caller, or NULL after every error was printed.
 */
struct mapping *
mapping_load_files(const char *const *paths, size_t n)
{
	struct mapping **v, *m = NULL;
	struct buf names;
	size_t i, nres = 0;
	int bad = 0;

	if (n == 1)
		return mapping_load(paths[0]);
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++) {
		if ((v[i] = mapping_load(paths[i])) == NULL)
			bad = 1;
		else
			nres += v[i]->nres;
	}
	if (bad)
		goto out;
	m = xcalloc(1, sizeof(*m));
	m->delete_dependents = m->create_missing = m->merge = 1;
	m->deletion_threshold = 0.9;
	if (merge_settings(m, v, n) == -1) {
		mapping_free(m);
		m = NULL;
		goto out;
	}
	buf_init(&names);
	m->res = xcalloc(nres, sizeof(*m->res));
	for (i = 0; i < n; i++) {
		/* The resources move: v[i] keeps none. */
		memcpy(m->res + m->nres, v[i]->res,
		    v[i]->nres * sizeof(*m->res));
		m->nres += v[i]->nres;
		v[i]->nres = 0;
		buf_printf(&names, "%s%s", i > 0 ? ", " : "", v[i]->path);
	}
	m->path = buf_detach(&names);
out:
	for (i = 0; i < n; i++)
		mapping_free(v[i]);
	free(v);
	return m;
}

/* The built-in mapping's YAML (static storage, never NULL). */
const char *
mapping_builtin_text(void)
{
	return builtin_text;
}

/* Forget a field's position: built-in fields have none (see mapping.h). */
static void
unplace(struct mapping_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		f[i].line = f[i].col = 0;
}

/*
 * The built-in mapping, parsed; owned by the caller.  It cannot fail: the
 * text is fixed and tested.
 */
struct mapping *
mapping_builtin(void)
{
	struct mapping_resource *r;
	struct mapping *m;
	size_t i;

	m = mapping_load_buffer("<built-in>", builtin_text,
	    sizeof(builtin_text) - 1);
	assert(m != NULL);
	for (i = 0; i < m->nres; i++) {
		r = &m->res[i];
		r->line = r->col = 0;
		unplace(&r->query, 1);
		unplace(&r->data_path, 1);
		unplace(r->query_params, r->nquery_params);
		unplace(r->headers, r->nheaders);
		unplace(&r->identifier, 1);
		unplace(&r->title, 1);
		unplace(&r->blueprint, 1);
		unplace(&r->icon, 1);
		unplace(&r->team, 1);
		unplace(r->properties, r->nproperties);
		unplace(r->relations, r->nrelations);
	}
	return m;
}

/* Free an array of n fields and their strings. */
static void
fields_free(struct mapping_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		field_release(&f[i]);
	free(f);
}

/* Free m and everything it holds; NULL is a no-op. */
void
mapping_free(struct mapping *m)
{
	struct mapping_resource *r;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nres; i++) {
		r = &m->res[i];
		free(r->kind);
		free(r->file);
		field_release(&r->query);
		field_release(&r->data_path);
		fields_free(r->query_params, r->nquery_params);
		fields_free(r->headers, r->nheaders);
		field_release(&r->identifier);
		field_release(&r->title);
		field_release(&r->blueprint);
		field_release(&r->icon);
		field_release(&r->team);
		fields_free(r->properties, r->nproperties);
		fields_free(r->relations, r->nrelations);
	}
	free(m->res);
	free(m->path);
	free(m);
}

/*
 * Query parameter name of resource r (case-sensitive), owned by r; NULL if
 * absent.
 */
const struct mapping_field *
mapping_param(const struct mapping_resource *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nquery_params; i++)
		if (strcmp(r->query_params[i].name, name) == 0)
			return &r->query_params[i];
	return NULL;
}

/* Add the fields f[0..n) to obj as name: value strings. */
static void
json_fields(cJSON *obj, const struct mapping_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].value != NULL)
			cJSON_AddStringToObject(obj, f[i].name, f[i].value);
}

/* 1 if an HTTP header named name may carry a secret. */
static int
secret_header(const char *name)
{
	static const char *const words[] = { "authorization", "cookie", "key",
		"token", "secret", "password", NULL };
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasestr(name, words[i]) != NULL)
			return 1;
	return 0;
}

/* Resource r as an Ocean resource object (owned by the caller). */
static cJSON *
resource_json(const struct mapping_resource *r)
{
	static const char *const how[] = { "none", "members",
		"transitiveMembers" };
	cJSON *res = cJSON_CreateObject(), *sel, *o, *m;
	size_t i;

	cJSON_AddStringToObject(res, "kind", r->kind);
	sel = cJSON_AddObjectToObject(res, "selector");
	cJSON_AddStringToObject(sel, "query", r->query.value);
	cJSON_AddStringToObject(sel, "data_path", r->data_path.value);
	if (r->nquery_params > 0)
		json_fields(cJSON_AddObjectToObject(sel, "query_params"),
		    r->query_params, r->nquery_params);
	if (r->nheaders > 0) {
		o = cJSON_AddObjectToObject(sel, "headers");
		for (i = 0; i < r->nheaders; i++) {
			if (secret_header(r->headers[i].name))
				msg_warn("resource '%s': header '%s' is not "
					 "stored in Port: it may hold a secret",
				    r->kind, r->headers[i].name);
			else
				json_fields(o, &r->headers[i], 1);
		}
	}
	/* The $expand of members was taken out: say what replaced it. */
	if (r->members != MEMBERS_NONE || r->membership_set)
		cJSON_AddStringToObject(sel, "membership", how[r->members]);
	m = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(res, "port"),
		"entity"),
	    "mappings");
	json_fields(m, &r->identifier, 1);
	json_fields(m, &r->title, 1);
	json_fields(m, &r->blueprint, 1);
	json_fields(m, &r->icon, 1);
	json_fields(m, &r->team, 1);
	if (r->nproperties > 0)
		json_fields(cJSON_AddObjectToObject(m, "properties"),
		    r->properties, r->nproperties);
	if (r->nrelations > 0)
		json_fields(cJSON_AddObjectToObject(m, "relations"),
		    r->relations, r->nrelations);
	return res;
}

char *
mapping_to_json(const struct mapping *m)
{
	cJSON *j = cJSON_CreateObject(), *arr;
	char *text, *copy;
	size_t i;

	cJSON_AddBoolToObject(j, "deleteDependentEntities",
	    m->delete_dependents);
	cJSON_AddBoolToObject(j, "createMissingRelatedEntities",
	    m->create_missing);
	cJSON_AddBoolToObject(j, "enableMergeEntity", m->merge);
	cJSON_AddNumberToObject(j, "entityDeletionThreshold",
	    m->deletion_threshold);
	arr = cJSON_AddArrayToObject(j, "resources");
	for (i = 0; i < m->nres; i++)
		cJSON_AddItemToArray(arr, resource_json(&m->res[i]));
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}
