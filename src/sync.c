/*
 * The resync engine.  Every resource starts at once; each Graph page is
 * parsed and its next page requested before the page is mapped, unless
 * Port lags (then the next page waits: backpressure).  Groups get their
 * whole membership before mapping.  Entities go to Port (or, in a dry run,
 * to the output as NDJSON); the run keeps only the set of (blueprint,
 * identifier) it produced, which the delete phase subtracts from what the
 * integration owns in Port.  Nothing is deleted unless every resource was
 * read completely.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "auth.h"
#include "blueprints.h"
#include "buf.h"
#include "client.h"
#include "csv.h"
#include "digest.h"
#include "graph.h"
#include "graphschema.h"
#include "http.h"
#include "jqscan.h"
#include "mapping.h"
#include "msg.h"
#include "options.h"
#include "port.h"
#include "progress.h"
#include "prune.h"
#include "report.h"
#include "state.h"
#include "strset.h"
#include "sync.h"
#include "transform.h"
#include "xmalloc.h"


struct sync;

struct kstate {
	struct sync		*s;
	size_t			 idx;
	const struct mapping_resource *r;
	struct transform	*t;
	struct graph_list	*list;
	char			**names, **values;	/* query parameters */
	size_t			 nparams;
	char			**headers;
	char			*stash;		/* next link held back */
	int			 stashed;
	int			 listing_done;
	int			 pages_out;	/* waiting for members */
	int			 finished;
	int			 restarted;
	int			 derived_select;
	char			*unproven;	/* why the read proves nothing */
	unsigned long		 vanished;	/* groups confirmed gone */
	int			 examples_sent;
	uint64_t		 bit;
	double			 t0;
};

struct mpage {
	struct kstate	*k;
	struct tpage	*tp;
	char		**ids;
	size_t		 n;
};

struct bpkind {
	char	*bp;
	size_t	 kind;
};

struct sync {
	const struct options	*o;
	const struct mapping	*m;
	struct report		*rep;
	struct client		 cl;		/* owns h, g, p, pauth */
	struct progress		*progress;	/* NULL: none drawn */
	struct http		*h;
	struct auth		*pauth;
	struct graph		*g;
	struct port		*p;
	struct kstate		*k;
	size_t			 nk;
	struct strset		 seen;
	struct strset		 targets;	/* relation targets of entities */
	struct bpkind		*bpk;
	size_t			 nbpk;
	FILE			*out;
	size_t			 high, low;
	size_t			 kinds_left;
	int			 init_rc;
	int			 list_rc;
	struct buf		 key;		/* scratch: blueprint \x1f id */
	/* What the integration held in Port when the run started. */
	struct state		*state;
};

static void	start_listing(struct kstate *);
static void	resume(struct sync *);
static void	kind_check_done(struct kstate *);

/* Which resource an entity's blueprint is reported under. */
static size_t
bp_kind(struct sync *s, const char *bp, size_t kind)
{
	size_t i;

	for (i = 0; i < s->nbpk; i++)
		if (strcmp(s->bpk[i].bp, bp) == 0)
			return s->bpk[i].kind;
	if (kind == (size_t)-1)
		return kind;
	s->bpk = xreallocarray(s->bpk, s->nbpk + 1, sizeof(*s->bpk));
	s->bpk[s->nbpk].bp = xstrdup(bp);
	s->bpk[s->nbpk].kind = kind;
	s->nbpk++;
	if (s->rep->res[kind].blueprint == NULL)
		s->rep->res[kind].blueprint = xstrdup(bp);
	return kind;
}

static void
key_of(struct buf *b, const char *bp, const char *id)
{
	buf_reset(b);
	buf_puts(b, bp);
	buf_putc(b, '\x1f');
	buf_puts(b, id);
}

/* Remember the relation targets of entity e (createMissingRelated...). */
static void
note_targets(struct sync *s, const cJSON *e)
{
	const cJSON *v, *x;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(e,
	    "relations")) {
		if (cJSON_IsString(v))
			strset_put(&s->targets, v->valuestring,
			    strlen(v->valuestring), 0);
		else if (cJSON_IsArray(v))
			cJSON_ArrayForEach(x, v)
				if (cJSON_IsString(x))
					strset_put(&s->targets, x->valuestring,
					    strlen(x->valuestring), 0);
	}
}

/*
 * One entity out of the mapping.  The only per-entity work beyond the
 * seen set is one cJSON parse, and only when something needs it: the
 * relation targets (createMissingRelatedEntities) or the comparison with
 * what Port holds.
 */
static int
emit(void *arg, const char *bp, const char *id, const char *json, size_t len)
{
	struct kstate *k = arg;
	struct sync *s = k->s;
	struct buf *key = &s->key;
	const char *rel;
	uint64_t v = 0, have = 0;
	int targets, compare;
	cJSON *e = NULL;

	key_of(key, bp, id);
	if (strset_get(&s->seen, key->data, key->len, &v) && k->restarted &&
	    (v & k->bit)) {
		/* Read again after an expired page token: already sent. */
		return 0;
	}
	strset_put(&s->seen, key->data, key->len, v | k->bit);
	bp_kind(s, bp, k->idx);
	s->rep->res[k->idx].emitted++;
	rel = strstr(json, "\"relations\":{");
	targets = s->m->create_missing && rel != NULL && rel[13] != '}';
	/* A dry run compares too, to say what the run would write. */
	compare = s->p != NULL ? state_digest(s->state, k->r, bp, key->data,
	    key->len, &have) : -1;
	if (targets || compare == 1)
		e = cJSON_ParseWithLength(json, len);
	if (targets)
		note_targets(s, e);
	if (s->out != NULL) {
		fwrite(json, 1, len, s->out);
		putc('\n', s->out);
		if (compare == 0)
			s->rep->res[k->idx].would_create++;
		else if (compare == 1 && e != NULL &&
		    digest_entity(e, k->r) == have)
			s->rep->res[k->idx].unchanged++;
		else if (compare == 1)
			s->rep->res[k->idx].would_update++;
	} else if (s->p != NULL) {
		if (compare == 1 && e != NULL && digest_entity(e, k->r) == have)
			s->rep->res[k->idx].unchanged++;
		else
			port_upsert(s->p, k, bp, id, json, len);
	}
	cJSON_Delete(e);
	return 0;
}

/*
 * The message fmt/... of a Graph failure e while reading path (members:
 * its groups' members), a new string; a 403 gets the hint of the
 * application permission that path needs.
 */
static char * __attribute__((format(printf, 4, 5)))
failure_text(const struct graph_error *e, const char *path, int members,
    const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (e->status == 403)
		buf_printf(&b, " (hint: grant the app the Microsoft Graph "
		    "application permission %s, with admin consent)",
		    graph_permission(path, members));
	return buf_detach(&b);
}

static void
kind_fail(struct kstate *k, const char *why)
{
	report_kind_failed(k->s->rep, k->idx, why);
}

static void
map_page(struct kstate *k, struct tpage *tp)
{
	char *err = NULL;

	if (!k->s->rep->res[k->idx].kind_failed &&
	    transform_run(k->t, tp, emit, k, &err) == -1) {
		struct msg_fields f = { "resource_failed", k->r->kind, NULL,
		    NULL, "mapping", NULL };

		msg_event(MSG_ERROR, &f, "%s", err);
		kind_fail(k, err);
	}
	free(err);
	tpage_free(tp);
}

static void
members_got(void *arg, size_t i, const struct members *ml,
    const struct graph_error *e)
{
	struct mpage *mp = arg;
	struct kstate *k = mp->k;
	char *t;

	if (e == NULL) {
		char *err = NULL;

		/* Mapped now: its members need not wait for the page. */
		if (!k->s->rep->res[k->idx].kind_failed &&
		    transform_run_members(k->t, mp->tp, i, ml, emit, k,
		    &err) == -1) {
			struct msg_fields f = { "resource_failed", k->r->kind,
			    NULL, mp->ids[i], "mapping", NULL };

			msg_event(MSG_ERROR, &f, "%s", err);
			kind_fail(k, err);
		}
		tpage_drop(mp->tp, i);
		free(err);
		return;
	}
	/* Never write a group with a partial membership: with merge it
	 * would replace the complete one in Port. */
	tpage_drop(mp->tp, i);
	t = graph_error_text(e);
	if (e->vanished) {
		/* Confirmed by GET /groups/{id}: it is gone from Entra. */
		msg_warn("group '%s' was deleted while its members were read; "
		    "skipped", mp->ids[i]);
		k->vanished++;
	} else {
		char *why = failure_text(e, k->r->kind, 1, "cannot read the "
		    "members of group '%s': %s", mp->ids[i], t);

		struct msg_fields f = { "resource_failed", k->r->kind, NULL,
		    mp->ids[i], e->code, e->request_id };

		/* A token failure was reported by auth: only record it. */
		if (!e->reported)
			msg_event(MSG_ERROR, &f, "%s", why);
		kind_fail(k, why);
		if (e->auth_failed)
			report_abort(k->s->rep, why);
		free(why);
	}
	free(t);
}

static void
members_done(void *arg)
{
	struct mpage *mp = arg;
	struct kstate *k = mp->k;
	size_t i;

	map_page(k, mp->tp);
	for (i = 0; i < mp->n; i++)
		free(mp->ids[i]);
	free(mp->ids);
	free(mp);
	k->pages_out--;
	resume(k->s);
	kind_check_done(k);
}

/* Ask for the next page, unless Port lags. */
static void
advance(struct kstate *k, const char *next)
{
	struct sync *s = k->s;

	/* Pages waiting for their members hold those members in memory:
	 * at most two per resource, or Port lagging, hold the reads. */
	if (next != NULL && (k->pages_out >= 2 || (s->p != NULL &&
	    port_pending(s->p) >= s->high))) {
		msg_debug("'%s': next page held (%d pages wait for members, "
		    "%zu entities wait for Port)", k->r->kind, k->pages_out,
		    s->p != NULL ? port_pending(s->p) : 0);
		k->stash = xstrdup(next);
		k->stashed = 1;
		return;
	}
	graph_list_next(k->list, next);
}

/* Port caught up, or members arrived: let waiting resources read on. */
static void
resume(struct sync *s)
{
	size_t i;

	for (i = 0; i < s->nk; i++) {
		struct kstate *k = &s->k[i];
		char *next;

		if (!k->stashed || k->pages_out >= 2 || (s->p != NULL &&
		    port_pending(s->p) >= s->low))
			continue;
		next = k->stash;
		k->stash = NULL;
		k->stashed = 0;
		graph_list_next(k->list, next);
		free(next);
	}
}

static void
mask(cJSON *v)
{
	cJSON *c;

	cJSON_ArrayForEach(c, v) {
		if (msg_secret_name(c->string) && (cJSON_IsString(c) ||
		    cJSON_IsNumber(c))) {
			cJSON_ReplaceItemViaPointer(v, c,
			    cJSON_CreateString("********"));
			continue;
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			mask(c);
	}
}

/* --send-examples: the first 5 raw items of a kind, masked. */
static void
send_examples(struct kstate *k, const struct tpage *tp)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i, n = tpage_count(tp);
	char *text;

	for (i = 0; i < n && k->examples_sent < 5; i++) {
		char *item = tpage_item_json(tp, i);
		cJSON *j = cJSON_Parse(item);

		free(item);
		if (j == NULL)
			continue;
		mask(j);
		cJSON_AddItemToArray(arr, j);
		k->examples_sent++;
	}
	if (cJSON_GetArraySize(arr) > 0) {
		text = cJSON_PrintUnformatted(arr);
		port_send_examples(k->s->p, k->r->kind, text);
		cJSON_free(text);
	}
	cJSON_Delete(arr);
}

static void
on_page(void *arg, struct graph_list *l, const char *body, size_t len)
{
	struct kstate *k = arg;
	struct tpage *tp;
	char *err = NULL, *next = NULL;
	size_t n, i;

	if ((tp = transform_page(k->t, body, len, &err)) == NULL) {
		if (graph_list_refetch(l) == 0) {
			msg_warn("'%s': unreadable page (%s); fetching it again",
			    k->r->kind, err);
			free(err);
			return;
		}
		{
			char *why = xasprintf("unreadable page: %s", err);

			graph_list_fail(l, why);
			free(why);
		}
		free(err);
		return;
	}
	if (!tpage_is_collection(tp) && k->unproven == NULL)
		k->unproven = xasprintf("its data_path '%s' gave an object, not "
		    "an array: the read proves nothing about a collection",
		    k->r->data_path.value != NULL ? k->r->data_path.value :
		    ".");
	n = tpage_count(tp);
	k->s->rep->res[k->idx].fetched += n;
	if (k->s->o->send_examples && k->s->o->mode == MODE_SYNC &&
	    k->examples_sent < 5 && n > 0)
		send_examples(k, tp);
	if (tpage_next_link(tp) != NULL)
		next = xstrdup(tpage_next_link(tp));
	if (k->r->members != MEMBERS_NONE && n > 0) {
		struct mpage *mp = xcalloc(1, sizeof(*mp));

		mp->k = k;
		mp->tp = tp;
		mp->ids = xcalloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++) {
			const char *id = tpage_item_id(tp, i);

			/* Its members cannot be read, and the group is
			 * not written: the read is not complete. */
			if (id == NULL) {
				kind_fail(k, "an item has no \"id\", so its "
				    "members cannot be read");
				tpage_drop(tp, i);
				id = "";
			}
			mp->ids[mp->n++] = xstrdup(id);
		}
		k->pages_out++;
		advance(k, next);
		graph_members(k->s->g, (const char *const *)mp->ids, mp->n,
		    k->r->members == MEMBERS_TRANSITIVE, members_got,
		    members_done, mp);
	} else if (next != NULL) {
		/* The next page is on its way while this one is mapped. */
		advance(k, next);
		map_page(k, tp);
	} else {
		/* Last page: map it before the resource counts as read. */
		map_page(k, tp);
		advance(k, NULL);
	}
	free(next);
}

static void
on_restart(void *arg, struct graph_list *l)
{
	struct kstate *k = arg;

	k->restarted = 1;
}

static void
on_done(void *arg, struct graph_list *l)
{
	struct kstate *k = arg;

	k->list = NULL;
	k->listing_done = 1;
	kind_check_done(k);
}

static void
on_fail(void *arg, struct graph_list *l, const struct graph_error *e,
    const char *text)
{
	struct kstate *k = arg;
	char *why;

	k->list = NULL;

	why = failure_text(e, k->r->kind, 0, "cannot read '%s': %s",
	    k->r->kind, text);
	if (!e->reported) {
		struct msg_fields f = { "resource_failed", k->r->kind, NULL,
		    NULL, e->code, e->request_id };

		msg_event(MSG_ERROR, &f, "%s", why);
	}
	kind_fail(k, why);
	if (e->auth_failed)
		report_abort(k->s->rep, why);
	free(why);
	k->listing_done = 1;
	kind_check_done(k);
}

static void
kind_check_done(struct kstate *k)
{
	struct sync *s = k->s;

	if (k->finished || !k->listing_done || k->pages_out > 0)
		return;
	k->finished = 1;
	/* A few groups deleted during the run are normal; many at once look
	 * like a fault answering 404 for groups that are there. */
	if (k->vanished > 1 + s->rep->res[k->idx].fetched / 50) {
		char *why = xasprintf("%lu of %lu groups answered as deleted "
		    "while their members were read: too many to trust",
		    k->vanished, s->rep->res[k->idx].fetched);

		msg_error("'%s': %s", k->r->kind, why);
		kind_fail(k, why);
		free(why);
	}
	s->rep->res[k->idx].seconds = http_mono() - k->t0;
	msg_info("'%s': read %lu items", k->r->kind,
	    s->rep->res[k->idx].fetched);
	if (--s->kinds_left == 0 && s->p != NULL)
		port_flush(s->p);
}

static void
start_listing(struct kstate *k)
{
	static const struct graph_list_cb cbt = { on_page, on_restart, on_done,
	    on_fail, NULL, NULL };
	struct graph_list_cb cb = cbt;

	cb.arg = k;
	k->list = graph_list_start(k->s->g, k->r->kind,
	    (const char *const *)k->names, (const char *const *)k->values,
	    k->nparams, (const char *const *)k->headers, k->derived_select ?
	    GRAPH_LIST_DERIVED_SELECT : 0, &cb);
}

static void
kind_setup(struct sync *s, size_t i)
{
	struct kstate *k = &s->k[i];
	const struct mapping_resource *r = &s->m->res[i];
	char *sel = graphschema_derive_select(r), *top;
	size_t j, nh = 0;

	k->s = s;
	k->idx = i;
	k->r = r;
	k->bit = i < 64 ? (uint64_t)1 << i : 0;
	k->names = xcalloc(r->nquery_params + 2, sizeof(char *));
	k->values = xcalloc(r->nquery_params + 2, sizeof(char *));
	for (j = 0; j < r->nquery_params; j++) {
		k->names[k->nparams] = xstrdup(r->query_params[j].name);
		k->values[k->nparams++] = xstrdup(r->query_params[j].value);
	}
	if (sel != NULL) {
		msg_info("'%s': no $select in the mapping; asking Graph for "
		    "the fields it reads: %s", r->kind, sel);
		k->names[k->nparams] = xstrdup("$select");
		k->values[k->nparams++] = sel;
		k->derived_select = 1;
	}
	if ((top = graphschema_clamp_top(r->kind, k->names, k->values,
	    k->nparams)) !=
	    NULL) {
		for (j = 0; j < k->nparams; j++)
			if (strcmp(k->names[j], "$top") == 0) {
				free(k->values[j]);
				k->values[j] = xstrdup(top);
			}
		free(top);
	}
	k->headers = xcalloc(r->nheaders + 2, sizeof(char *));
	for (j = 0; j < r->nheaders; j++)
		k->headers[nh++] = xasprintf("%s: %s", r->headers[j].name,
		    r->headers[j].value);
	k->headers[nh] = NULL;
	s->rep->res[i].kind = xstrdup(r->kind);
}

static void
kind_release(struct kstate *k)
{
	size_t j;

	for (j = 0; j < k->nparams; j++) {
		free(k->names[j]);
		free(k->values[j]);
	}
	free(k->names);
	free(k->values);
	for (j = 0; k->headers != NULL && k->headers[j] != NULL; j++)
		free(k->headers[j]);
	free(k->headers);
	free(k->stash);
	free(k->unproven);
	transform_free(k->t);
}

static void
on_result(void *arg, void *tag, const char *bp, const char *id, int ok,
    const char *code, const char *message)
{
	struct sync *s = arg;
	struct kstate *k = tag;
	struct report_res *res = &s->rep->res[k->idx];

	if (ok) {
		res->upserted++;
	} else {
		struct msg_fields f = { "entity_rejected", k->r->kind, bp, id,
		    code, port_request_id(s->p) };

		res->failed++;
		report_failure(s->rep, k->r->kind, bp, id, code, message);
		/* Log collectors count them: JSON lines name as many as the
		 * summary keeps. */
		if (s->rep->total_failed <= (s->o->log_format == LOG_JSON ?
		    100 : 5))
			msg_event(MSG_WARN, &f, "Port rejected %s '%s': %s: %s",
			    bp, id, code, message);
	}
	resume(s);
}

static void
tick(void *arg)
{
	struct sync *s = arg;

	progress_update(s->progress, http_waiting(s->h));
}

static void
init_done(void *arg, int rc)
{
	((struct sync *)arg)->init_rc = rc;
}

/*
 * Say, once, which blueprints the mapping writes are missing in Port and
 * what creates them; a run stops (a dry run counts their entities as
 * new).  Returns how many are missing.
 */
static size_t
missing_blueprints(struct sync *s)
{
	struct buf names;
	const char *bp;
	size_t i, j, n = 0;
	int builtin = 1;

	buf_init(&names);
	for (i = 0; (bp = state_missing(s->state, i)) != NULL; i++) {
		buf_printf(&names, "%s'%s'", n++ > 0 ? ", " : "", bp);
		for (j = 0; blueprints_builtin_ids[j] != NULL; j++)
			if (strcmp(blueprints_builtin_ids[j], bp) == 0)
				break;
		builtin &= blueprints_builtin_ids[j] != NULL;
	}
	if (n > 0) {
		char *why = xasprintf("%s %s %s not exist in Port: %s", n > 1 ?
		    "the blueprints" : "the blueprint", buf_str(&names),
		    n > 1 ? "do" : "does", builtin ? "run with --init to "
		    "create the blueprints" : n > 1 ? "create them in Port "
		    "(--init creates only the built-in mapping's blueprints)" :
		    "create it in Port (--init creates only the built-in "
		    "mapping's blueprints)");
		struct msg_fields f = { "blueprints_missing", NULL, NULL,
		    NULL, "not_found", NULL };

		if (s->o->mode == MODE_DRY_RUN) {
			msg_event(MSG_WARN, &f, "%s; the dry run counts their "
			    "entities as new", why);
		} else {
			msg_event(MSG_ERROR, &f, "%s", why);
			report_abort(s->rep, why);
		}
		free(why);
	}
	buf_release(&names);
	return n;
}

/*
 * Read what the integration holds in Port before writing: change
 * detection (in a dry run too, to say what would be written) and the
 * owned entities for the delete phase.  Returns -1 if the run was
 * interrupted.
 */
static int
read_state(struct sync *s)
{
	const struct options *o = s->o;
	int digests = !o->full_write;

	s->state = state_new(s->m, o->integration_type, o->identifier,
	    digests, blueprints_builtin_ids);
	state_read(s->state, s->p);
	if (http_run(s->h) == -1)
		return -1;
	if (state_result(s->state) == -1) {
		/* No token: auth said why, and nothing will be written. */
		if (!port_auth_failed(s->p))
			msg_warn("cannot read the entities this integration "
			    "owns in Port: %s", s->rep->dry_run ? "entities "
			    "are counted as mapped only, and none as deleted" :
			    "every entity will be written, and none deleted");
		state_free(s->state);
		s->state = NULL;
		return 0;
	}
	missing_blueprints(s);
	s->rep->compared = s->rep->dry_run && state_compares(s->state);
	msg_info("read %lu entities this integration owns in Port",
	    state_owned(s->state));
	return 0;
}

/* Deletions of blueprint bp, counted under the resource that wrote it. */
static void
count_deleted(void *arg, const char *bp, size_t n)
{
	struct sync *s = arg;
	size_t k = bp_kind(s, bp, (size_t)-1);

	if (k == (size_t)-1)
		s->rep->deleted_other += n;
	else
		s->rep->res[k].deleted += n;
}

/*
 * The delete phase: the proofs each resource gave, and what the
 * integration owned, handed to prune, which decides.
 */
static void
delete_phase(struct sync *s)
{
	const struct options *o = s->o;
	struct prune_proof *pf = xcalloc(s->nk + 1, sizeof(*pf));
	struct prune_input in;
	size_t i;

	for (i = 0; i < s->nk; i++) {
		const struct report_res *res = &s->rep->res[i];

		pf[i].kind = s->k[i].r->kind;
		pf[i].complete = !res->kind_failed && s->k[i].unproven == NULL;
		pf[i].why_not = res->kind_failed ? res->reason :
		    s->k[i].unproven;
		pf[i].dropped = transform_stats(s->k[i].t)->dropped;
	}
	memset(&in, 0, sizeof(in));
	in.proofs = pf;
	in.nproofs = s->nk;
	in.seen = &s->seen;
	in.targets = s->m->create_missing ? &s->targets : NULL;
	in.state = s->state;
	in.threshold = o->threshold_set ? o->deletion_threshold :
	    s->m->deletion_threshold;
	in.no_delete = o->no_delete;
	in.dry_run = o->mode == MODE_DRY_RUN;
	in.deleted = count_deleted;
	in.arg = s;
	if (prune_run(&in, s->p, s->h, s->rep) == -1)
		report_abort(s->rep, "interrupted");
	else if (s->p != NULL && port_auth_failed(s->p))
		report_abort(s->rep, auth_http(s->pauth)->message != NULL ?
		    auth_http(s->pauth)->message :
		    "no Port token could be obtained");
	free(pf);
}

static void
iso_now(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char tmp[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%.19s.%03dZ", tmp, (int)(ts.tv_nsec / 1000000));
}

int
sync_run(const struct options *o, const struct mapping *m,
    struct report *rep)
{
	struct sync s;
	char started[40];
	double t0 = http_mono();
	size_t i;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.m = m;
	s.rep = rep;
	s.nk = m->nres;
	s.k = xcalloc(s.nk + 1, sizeof(*s.k));
	strset_init(&s.seen);
	strset_init(&s.targets);
	buf_init(&s.key);
	rep->dry_run = o->mode == MODE_DRY_RUN;
	for (i = 0; i < s.nk; i++) {
		kind_setup(&s, i);
		if ((s.k[i].t = transform_new(&m->res[i], m->res[i].file)) ==
		    NULL)
			goto out;
	}
	if (client_open(&s.cl, o, m, 1, on_result, &s) == -1)
		goto out;
	s.h = s.cl.h;
	s.g = s.cl.g;
	s.p = s.cl.p;
	s.pauth = s.cl.pauth;
	if (o->mode == MODE_DRY_RUN) {
		if (o->output_path != NULL) {
			if ((s.out = fopen(o->output_path, "w")) == NULL) {
				msg_error("cannot write '%s': %s",
				    o->output_path, strerror(errno));
				goto out;
			}
		} else {
			s.out = stdout;
		}
	}
	rc = 0;
	if (o->progress == 1 || (o->progress == -1 && isatty(STDERR_FILENO) &&
	    o->log_format == LOG_TEXT && o->verbosity > 0)) {
		s.progress = progress_start(rep);
		http_set_tick(s.h, 0.25, tick, &s);
	}
	/* Port writes hold back Graph reads past this many entities (about
	 * 2.5 MB of JSON at the default concurrency): a short lag of Port
	 * under its rate limit should not stall the /users page chain. */
	s.high = 4000 + 80 * (size_t)o->port_concurrency;
	s.low = s.high / 2;

	if (o->init && o->mode == MODE_SYNC) {
		port_init_blueprints(s.p, blueprints_builtin_json(), init_done,
		    &s);
		if (http_run(s.h) == -1) {
			report_abort(rep, "interrupted");
			goto finish;
		}
		if (s.init_rc == -1) {
			report_abort(rep, port_auth_failed(s.p) &&
			    auth_http(s.pauth)->message != NULL ?
			    auth_http(s.pauth)->message :
			    "cannot create the blueprints (--init)");
			goto finish;
		}
	}
	iso_now(started, sizeof(started));
	rep->started = xstrdup(started);
	if (o->mode == MODE_SYNC) {
		/* Registered first: the state belongs to the integration.
		 * The mapping used becomes its config, unless it came from
		 * there. */
		char *cfg = o->mapping_from_port ? NULL : mapping_to_json(m);

		port_integration_ensure(s.p, cfg);
		free(cfg);
		if (http_run(s.h) == -1) {
			report_abort(rep, "interrupted");
			goto finish;
		}
		port_resync_state(s.p, "running", started, NULL);
	}
	if (s.p != NULL && read_state(&s) == -1) {
		report_abort(rep, "interrupted");
		goto finish;
	}
	if (rep->aborted)	/* blueprints missing: nothing to write to */
		goto finish;
	if (s.p != NULL && port_auth_failed(s.p)) {
		report_abort(rep, auth_http(s.pauth)->message != NULL ?
		    auth_http(s.pauth)->message : "no Port token could be "
		    "obtained");
		goto finish;
	}
	s.kinds_left = s.nk;
	for (i = 0; i < s.nk; i++) {
		s.k[i].t0 = http_mono();
		start_listing(&s.k[i]);
	}
	if (http_run(s.h) == -1) {
		report_abort(rep, "interrupted");
		goto finish;
	}
	if (s.p != NULL && port_auth_failed(s.p))
		report_abort(rep, "Port refused the credentials");
	if (rep->aborted)
		goto finish;
	if (rep->nres > 0 && report_kinds_failed(rep) == rep->nres) {
		report_abort(rep, "nothing could be read from Microsoft Graph");
		goto finish;
	}
	delete_phase(&s);
finish:
	for (i = 0; i < s.nk; i++) {
		const struct transform_stats *st = transform_stats(s.k[i].t);
		size_t f;

		if (s.k[i].t == NULL)
			continue;
		rep->res[i].selected = st->selected;
		rep->res[i].dropped = st->dropped;
		for (f = 0; f < st->nfields; f++)
			rep->res[i].field_nulls += st->fields[f].errors +
			    st->fields[f].empty;
		struct msg_fields mf = { "entities_dropped", s.k[i].r->kind,
		    NULL, NULL, "null_identifier", NULL };

		if (st->dropped > 0)
			msg_event(MSG_WARN, &mf, "'%s': %lu entities dropped: "
			    "null or empty identifier or blueprint",
			    s.k[i].r->kind, st->dropped);
		mf.event = "field_errors";
		mf.code = "field_error";
		for (f = 0; f < st->nfields; f++)
			if (st->fields[f].errors > 0)
				msg_event(MSG_WARN, &mf, "'%s': field '%s' "
				    "failed for %lu items and was set to null: "
				    "%s", s.k[i].r->kind, st->fields[f].name,
				    st->fields[f].errors,
				    st->fields[f].first_error ?
				    st->fields[f].first_error : "");
	}
	if (o->mode == MODE_SYNC && s.p != NULL && !port_auth_failed(s.p)) {
		char end[40];
		int st = report_exit_status(rep);

		/* Stopped by a signal: one short last word to Port, as
		 * Ocean marks a resync cut short "aborted". */
		if (http_interrupted())
			http_resume(s.h, 5);

		iso_now(end, sizeof(end));
		port_resync_state(s.p, st == EXIT_OK ? "completed" :
		    st == EXIT_ABORTED ? "aborted" : "failed",
		    rep->started, end);
		http_run(s.h);
	}
	rep->graph_requests = graph_requests(s.g);
	rep->member_requests = graph_member_requests(s.g);
	rep->port_requests = s.p != NULL ? port_requests(s.p) : 0;
	rep->throttled = http_throttled(s.h);
out:
	progress_end(s.progress);
	rep->seconds = http_mono() - t0;
	if (s.out != NULL && s.out != stdout && fclose(s.out) != 0) {
		msg_error("cannot write '%s': %s", o->output_path,
		    strerror(errno));
		rc = -1;
	}
	for (i = 0; i < s.nk; i++)
		kind_release(&s.k[i]);
	free(s.k);
	for (i = 0; i < s.nbpk; i++)
		free(s.bpk[i].bp);
	free(s.bpk);
	strset_release(&s.seen);
	strset_release(&s.targets);
	state_free(s.state);
	buf_release(&s.key);
	client_close(&s.cl);
	return rc;
}
