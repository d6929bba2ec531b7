/*
 * The delete phase.  The decision comes first and is made on proofs only:
 * a resource that was not read completely, an item that mapped to no
 * identifier, an owned-entity read that failed, an entity whose owner Port
 * did not say, or a stale share over the threshold each stop it, and the
 * first one met is what the report says.  Then the stale entities are
 * deleted per blueprint, at most 100 per call (port.c).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "msg.h"
#include "port.h"
#include "prune.h"
#include "report.h"
#include "state.h"
#include "strset.h"
#include "xmalloc.h"

/* One run of the phase. */
struct prune {
	const struct prune_input *in;
	struct report *rep;
	struct strset stale;    /* "bp\x1fid" */
	unsigned long owned;    /* owned when the run started */
	unsigned long unproven; /* listed without $datasource */
	unsigned long foreign;  /* listed, but another writer's */
	struct buf key;
};

/* The stale ids of one blueprint, and the run they belong to. */
struct bpgroup {
	struct prune *pr;
	char *bp;
	char **ids;
	size_t n, cap;
};

struct groups {
	struct bpgroup *g;
	size_t n;
	struct prune *pr;
};

int
prune_within(unsigned long stale, unsigned long owned_before, double threshold)
{
	if (threshold <= 0)
		return stale == 0;
	if (stale == 0)
		return 1;
	/* owned_before is 0 only if the owned entities are unknown. */
	if (owned_before == 0 || stale > owned_before)
		return 0;
	return (double)stale / (double)owned_before <= threshold + 1e-12;
}

/*
 * The first proof of a complete read that is missing, as a new sentence,
 * or NULL when every resource proved complete.
 */
static char *
missing_proof(const struct prune_input *in)
{
	size_t i;

	for (i = 0; i < in->nproofs; i++) {
		const struct prune_proof *p = &in->proofs[i];

		if (!p->complete)
			return xasprintf("a resource failed, so what Entra "
					 "holds is not proven: '%s': %s",
			    p->kind,
			    p->why_not != NULL ? p->why_not :
						 "not read to "
						 "the end");
	}
	for (i = 0; i < in->nproofs; i++) {
		const struct prune_proof *p = &in->proofs[i];

		/* An item that mapped to no identifier may be an entity
		 * Port has: deleting it would lose data to a mapping
		 * problem. */
		if (p->dropped > 0)
			return xasprintf("%lu items of '%s' mapped to a null "
					 "or empty identifier or blueprint",
			    p->dropped, p->kind);
	}
	return NULL;
}

/* An entity this integration owned when the run started. */
static void
owned(void *arg, const char *bp, const char *id)
{
	struct prune *pr = arg;
	const struct prune_input *in = pr->in;

	pr->owned++;
	buf_reset(&pr->key);
	buf_puts(&pr->key, bp);
	buf_putc(&pr->key, '\x1f');
	buf_puts(&pr->key, id);
	if (strset_get(in->seen, pr->key.data, pr->key.len, NULL))
		return;
	/* createMissingRelatedEntities: a kept entity points at it. */
	if (in->targets != NULL &&
	    strset_get(in->targets, id, strlen(id), NULL))
		report_protect(pr->rep);
	else
		strset_put(&pr->stale, pr->key.data, pr->key.len, 0);
}

/* Fill pr with the owned entities and the stale ones among them. */
static void
collect(struct prune *pr)
{
	const struct prune_input *in = pr->in;
	struct state_counts n = state_counts(in->state);

	pr->unproven = n.unproven;
	pr->foreign = n.foreign;
	state_each(in->state, owned, pr);
}

static void
group_add(void *arg, const char *key, size_t len, uint64_t v)
{
	struct groups *c = arg;
	const char *sep = memchr(key, '\x1f', len);
	size_t bl = (size_t)(sep - key), i;
	struct bpgroup *g = NULL;

	(void)v;
	for (i = 0; i < c->n && g == NULL; i++)
		if (strlen(c->g[i].bp) == bl &&
		    memcmp(c->g[i].bp, key, bl) == 0)
			g = &c->g[i];
	if (g == NULL) {
		c->g = xreallocarray(c->g, c->n + 1, sizeof(*c->g));
		g = &c->g[c->n++];
		memset(g, 0, sizeof(*g));
		g->pr = c->pr;
		g->bp = xstrndup(key, bl);
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->ids = xreallocarray(g->ids, g->cap, sizeof(char *));
	}
	g->ids[g->n++] = xstrdup(sep + 1);
}

static void
deleted(void *arg, size_t n, int rc)
{
	struct bpgroup *g = arg;
	struct prune *pr = g->pr;

	if (pr->in->deleted != NULL)
		pr->in->deleted(pr->in->arg, g->bp, n);
	if (rc == -1)
		report_deletion_note(pr->rep, 1, "some deletions failed");
}

/* Delete the stale entities, per blueprint.  Returns 0 or -1. */
static int
delete_stale(struct prune *pr, struct port *p, struct http *h)
{
	struct groups c = { NULL, 0, pr };
	size_t i, j;
	int rc = 0;

	strset_each(&pr->stale, group_add, &c);
	for (i = 0; i < c.n; i++) {
		struct bpgroup *g = &c.g[i];

		if (pr->in->dry_run) {
			for (j = 0; j < g->n; j++)
				msg_warn("dry run: would delete %s '%s'", g->bp,
				    g->ids[j]);
			deleted(g, g->n, 0);
			continue;
		}
		msg_info("deleting %zu stale entities of '%s'", g->n, g->bp);
		port_delete(p, g->bp, (const char *const *)g->ids, g->n,
		    deleted, g);
	}
	if (!pr->in->dry_run && http_run(h) == -1)
		rc = -1;
	for (i = 0; i < c.n; i++) {
		for (j = 0; j < c.g[i].n; j++)
			free(c.g[i].ids[j]);
		free(c.g[i].ids);
		free(c.g[i].bp);
	}
	free(c.g);
	return rc;
}

/* The decision on the collected entities; 1 if deletion may go on. */
static int
decide(struct prune *pr)
{
	struct report *rep = pr->rep;
	double t = pr->in->threshold;
	unsigned long stale = strset_count(&pr->stale);

	if (pr->unproven > 0) {
		report_deletion_note(rep, 1,
		    "skipped: Port returned %lu "
		    "entities without their $datasource, so which of them "
		    "this integration owns cannot be verified",
		    pr->unproven);
		return 0;
	}
	if (pr->foreign > 0)
		msg_info("%lu entities Port listed belong to another writer: "
			 "never deleted",
		    pr->foreign);
	if (stale == 0)
		return 0;
	if (t <= 0) {
		report_deletion_note(rep, 0,
		    "skipped: entityDeletionThreshold "
		    "is 0 (never delete); %lu stale entities kept",
		    stale);
		return 0;
	}
	if (!prune_within(stale, pr->owned, t)) {
		report_threshold_exceeded(rep,
		    "skipped: %lu of %lu owned "
		    "entities (%.1f%%) are stale, more than the threshold of "
		    "%.1f%%; review them with --dry-run, then run once with "
		    "--deletion-threshold 1 to delete them",
		    stale, pr->owned,
		    pr->owned > 0 ? 100.0 * (double)stale / (double)pr->owned :
				    100.0,
		    100.0 * t);
		msg_error("%s", report_deletion_why(rep));
		return 0;
	}
	return 1;
}

int
prune_run(const struct prune_input *in, struct port *p, struct http *h,
    struct report *rep)
{
	struct prune pr;
	char *why;
	int rc = 0;

	if ((why = missing_proof(in)) != NULL) {
		report_deletion_note(rep, 1, "skipped: %s", why);
		free(why);
		return 0;
	}
	if (in->no_delete) {
		report_deletion_note(rep, 0, "off (--no-delete)");
		return 0;
	}
	if (p == NULL) {
		report_deletion_note(rep, 0,
		    "not computed: no Port "
		    "credentials for the dry run");
		return 0;
	}
	if (in->state == NULL) {
		/* Not a failure when nothing could be written either (auth
		 * said why) or when a dry run only counts. */
		report_deletion_note(rep, !port_auth_failed(p) && !in->dry_run,
		    "skipped: the entities this integration owns could not "
		    "be listed");
		return 0;
	}
	memset(&pr, 0, sizeof(pr));
	pr.in = in;
	pr.rep = rep;
	strset_init(&pr.stale);
	buf_init(&pr.key);
	collect(&pr);
	report_deletion(rep, pr.owned, strset_count(&pr.stale));
	if (decide(&pr))
		rc = delete_stale(&pr, p, h);
	strset_release(&pr.stale);
	buf_release(&pr.key);
	return rc;
}
