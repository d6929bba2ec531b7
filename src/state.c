/*
 * The integration's entities in Port at the start of the run: one search
 * per blueprint the mapping names literally (the documented route, 1,000
 * per page), asking for the fields the mapping writes and the owner; or,
 * when a blueprint is an expression or no digest is wanted, the listing of
 * every entity this integration owns.  An entity counts only if its
 * $datasource is exactly this integration's; one without the field leaves
 * ownership unproven.  No write happens here.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "blueprints.h"
#include "buf.h"
#include "digest.h"
#include "mapping.h"
#include "msg.h"
#include "port.h"
#include "report.h"
#include "state.h"
#include "strset.h"
#include "xmalloc.h"

/* A blueprint read; r is the one resource writing it (NULL: several). */
struct bpread {
	char *bp;
	const struct mapping_resource *r;
	int ok;
	int missing; /* not in Port */
};

struct state {
	char *type, *identifier;
	struct strset owned; /* blueprint \x1f id → digest */
	struct bpread *bps;
	size_t nbps;
	int search;      /* per-blueprint searches, with digests */
	char **list_bps; /* else the listing, and its fallback */
	size_t nlist_bps;
	int rc;
	unsigned long foreign;
	unsigned long unproven; /* entities without $datasource */
};

/* A read in flight: the state and which blueprint (freed by done). */
struct req {
	struct state *st;
	size_t i;
};

/* The blueprint name if the jq program is a string literal, else NULL. */
static char *
literal(const char *jq)
{
	size_t n;
	char q;

	if (jq == NULL)
		return NULL;
	while (*jq == ' ' || *jq == '\t' || *jq == '\n')
		jq++;
	n = strlen(jq);
	while (n > 0 && strchr(" \t\n", jq[n - 1]) != NULL)
		n--;
	if (n < 3 || (jq[0] != '"' && jq[0] != '\'') || jq[n - 1] != jq[0])
		return NULL;
	q = jq[0];
	if (memchr(jq + 1, q, n - 2) != NULL || memchr(jq + 1, '\\', n - 2))
		return NULL;
	return xstrndup(jq + 1, n - 2);
}

int
state_ours(const char *ds, const char *type, const char *identifier)
{
	size_t tl = strlen(type), il = strlen(identifier), n;
	const char *v, *end;

	if (ds == NULL || strncmp(ds, "port-ocean/", 11) != 0 ||
	    strncmp(ds + 11, type, tl) != 0 || ds[11 + tl] != '/')
		return 0;
	v = ds + 12 + tl;
	if ((end = strchr(v, '/')) == NULL || end == v)
		return 0;
	n = strlen(end);
	return n == il + 10 && strncmp(end + 1, identifier, il) == 0 &&
	    strcmp(end + 1 + il, "/exporter") == 0;
}

struct state *
state_new(const struct mapping *m, const char *type, const char *identifier,
    int digests, const char *const *blueprints)
{
	struct state *st = xcalloc(1, sizeof(*st));
	size_t i, j;

	st->type = xstrdup(type);
	st->identifier = xstrdup(identifier);
	strset_init(&st->owned);
	st->search = digests;
	for (i = 0; i < m->nres; i++) {
		const struct mapping_resource *r = &m->res[i];
		char *bp = literal(r->blueprint.value);

		if (bp == NULL) {
			st->search = 0;
			continue;
		}
		for (j = 0; j < st->nbps; j++)
			if (strcmp(st->bps[j].bp, bp) == 0)
				break;
		if (j < st->nbps) {
			/* Two resources write it: own, but compare nothing. */
			st->bps[j].r = NULL;
			free(bp);
			continue;
		}
		st->bps = xreallocarray(st->bps, st->nbps + 1,
		    sizeof(*st->bps));
		memset(&st->bps[st->nbps], 0, sizeof(st->bps[st->nbps]));
		st->bps[st->nbps].bp = bp;
		st->bps[st->nbps].r = r;
		st->nbps++;
	}
	if (st->nbps == 0)
		st->search = 0;
	if (!st->search) {
		size_t nblueprints = 0;

		while (blueprints != NULL && blueprints[nblueprints] != NULL)
			nblueprints++;
		st->list_bps = xcalloc(nblueprints + st->nbps + 1,
		    sizeof(char *));
		for (i = 0; i < st->nbps; i++)
			st->list_bps[st->nlist_bps++] = xstrdup(st->bps[i].bp);
		for (i = 0; i < nblueprints; i++) {
			for (j = 0; j < st->nlist_bps; j++)
				if (strcmp(st->list_bps[j], blueprints[i]) == 0)
					break;
			if (j == st->nlist_bps)
				st->list_bps[st->nlist_bps++] =
				    xstrdup(blueprints[i]);
		}
	}
	return st;
}

void
state_free(struct state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nbps; i++)
		free(st->bps[i].bp);
	free(st->bps);
	free_strv(st->list_bps, st->nlist_bps);
	strset_release(&st->owned);
	free(st->type);
	free(st->identifier);
	free(st);
}

/*
 * An entity Port returned, with its owner ds (NULL when Port left it
 * out): kept only when ours, with the digest of e as resource r maps it
 * (0 without r or e).
 */
static void
keep(struct state *st, const char *bp, const char *id, const char *ds,
    const struct mapping_resource *r, const cJSON *e)
{
	struct buf key;

	if (ds == NULL) {
		st->unproven++;
		return;
	}
	if (!state_ours(ds, st->type, st->identifier)) {
		st->foreign++;
		return;
	}
	buf_init(&key);
	buf_puts(&key, bp);
	buf_putc(&key, '\x1f');
	buf_puts(&key, id);
	strset_put(&st->owned, key.data, key.len,
	    r != NULL && e != NULL ? digest_entity(e, r) : 0);
	buf_release(&key);
}

static void
got(void *arg, const char *bp, const char *id, const struct cJSON *e)
{
	struct req *q = arg;
	const cJSON *ds = cJSON_GetObjectItemCaseSensitive(e, "$datasource");

	keep(q->st, bp, id, cJSON_IsString(ds) ? ds->valuestring : NULL,
	    q->st->bps[q->i].r, e);
}

static void
listed(void *arg, const char *bp, const char *id, const char *ds)
{
	keep(arg, bp, id, ds, NULL, NULL);
}

static void
list_done(void *arg, int rc)
{
	((struct state *)arg)->rc = rc;
}

static void
read_done(void *arg, int rc)
{
	struct req *q = arg;

	/* A blueprint Port does not have holds nothing (-2). */
	q->st->bps[q->i].ok = rc == 0 || rc == -2;
	q->st->bps[q->i].missing = rc == -2;
	if (rc == -1)
		q->st->rc = -1;
	free(q);
}

void
state_read(struct state *st, struct port *p)
{
	size_t i, j, n;

	if (!st->search) {
		port_list_owned(p, NULL, (const char *const *)st->list_bps,
		    st->nlist_bps, listed, list_done, st);
		return;
	}
	for (i = 0; i < st->nbps; i++) {
		const struct mapping_resource *r = st->bps[i].r;
		struct req *q = xcalloc(1, sizeof(*q));
		char **inc;

		n = 0;
		inc = xcalloc((r != NULL ? r->nproperties + r->nrelations : 0) +
			4,
		    sizeof(char *));
		inc[n++] = xstrdup("$datasource");
		if (r != NULL && r->title.value != NULL)
			inc[n++] = xstrdup("title");
		if (r != NULL && r->team.value != NULL)
			inc[n++] = xstrdup("team");
		for (j = 0; r != NULL && j < r->nproperties; j++)
			inc[n++] = xasprintf("properties.%s",
			    r->properties[j].name);
		for (j = 0; r != NULL && j < r->nrelations; j++)
			inc[n++] = xasprintf("relations.%s",
			    r->relations[j].name);
		q->st = st;
		q->i = i;
		port_read_state(p, st->bps[i].bp, (const char *const *)inc, n,
		    got, read_done, q);
		free_strv(inc, n);
	}
}

int
state_result(const struct state *st)
{
	return st->rc;
}

int
state_digest(const struct state *st, const struct mapping_resource *r,
    const char *bp, const char *key, size_t keylen, uint64_t *have)
{
	size_t i;

	if (st == NULL || st->rc == -1 || !st->search)
		return -1;
	for (i = 0; i < st->nbps; i++)
		if (st->bps[i].ok && st->bps[i].r == r && r != NULL &&
		    strcmp(st->bps[i].bp, bp) == 0)
			return strset_get(&st->owned, key, keylen, have);
	return -1;
}

int
state_compares(const struct state *st)
{
	size_t i;

	if (st == NULL || st->rc == -1 || !st->search)
		return 0;
	for (i = 0; i < st->nbps; i++)
		if (st->bps[i].ok && st->bps[i].r != NULL)
			return 1;
	return 0;
}

const char *
state_missing(const struct state *st, size_t i)
{
	size_t j;

	for (j = 0; st != NULL && j < st->nbps; j++)
		if (st->bps[j].missing && i-- == 0)
			return st->bps[j].bp;
	return NULL;
}

struct state_counts
state_counts(const struct state *st)
{
	struct state_counts n;

	n.owned = (unsigned long)strset_count(&st->owned);
	n.foreign = st->foreign;
	n.unproven = st->unproven;
	return n;
}

struct each_ctx {
	void (*fn)(void *, const char *, const char *);
	void *arg;
};

static void
each_key(void *arg, const char *key, size_t len, uint64_t v)
{
	struct each_ctx *c = arg;
	const char *sep = memchr(key, '\x1f', len);
	char *bp = xstrndup(key, (size_t)(sep - key));

	(void)v;
	c->fn(c->arg, bp, sep + 1);
	free(bp);
}

void
state_each(const struct state *st,
    void (*fn)(void *, const char *, const char *), void *arg)
{
	struct each_ctx c = { fn, arg };

	strset_each(&st->owned, each_key, &c);
}

size_t
state_report_missing(const struct state *st, int dry_run, struct report *rep)
{
	struct buf names;
	const char *bp;
	size_t i, j, n = 0;
	int builtin = 1;

	buf_init(&names);
	for (i = 0; (bp = state_missing(st, i)) != NULL; i++) {
		buf_printf(&names, "%s'%s'", n++ > 0 ? ", " : "", bp);
		for (j = 0; blueprints_builtin_ids[j] != NULL; j++)
			if (strcmp(blueprints_builtin_ids[j], bp) == 0)
				break;
		builtin &= blueprints_builtin_ids[j] != NULL;
	}
	if (n > 0) {
		char *why = xasprintf("%s %s %s not exist in Port: %s",
		    n > 1 ? "the blueprints" : "the blueprint", buf_str(&names),
		    n > 1 ? "do" : "does",
		    builtin ?
			"run with --init to "
			"create the blueprints" :
			n > 1 ?
			"create them in Port "
			"(--init creates only the built-in mapping's blueprints)" :
			"create it in Port (--init creates only the built-in "
			"mapping's blueprints)");
		struct msg_fields f = { "blueprints_missing", NULL, NULL, NULL,
			"not_found", NULL };

		if (dry_run) {
			msg_event(MSG_WARN, &f,
			    "%s; the dry run counts their "
			    "entities as new",
			    why);
		} else {
			msg_event(MSG_ERROR, &f, "%s", why);
			report_abort(rep, why);
		}
		free(why);
	}
	buf_release(&names);
	return n;
}
