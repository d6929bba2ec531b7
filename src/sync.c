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
#include "digest.h"
#include "graph.h"
#include "graphschema.h"
#include "http.h"
#include "mapping.h"
#include "msg.h"
#include "options.h"
#include "port.h"
#include "prune.h"
#include "report.h"
#include "state.h"
#include "strset.h"
#include "sync.h"
#include "transform.h"
#include "xmalloc.h"

#define MAX_SELECT_RETRIES	8

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
	int			 retries;	/* $select corrections */
	int			 derived_select;
	char			*signin_reason;	/* 403 that dropped it */
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
	struct http		*h;
	struct auth		*gauth;
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

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

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
	compare = s->out == NULL && s->p != NULL &&
	    state_digest(s->state, k->r, bp, key->data, key->len, &have);
	if (targets || compare)
		e = cJSON_ParseWithLength(json, len);
	if (targets)
		note_targets(s, e);
	if (s->out != NULL) {
		fwrite(json, 1, len, s->out);
		putc('\n', s->out);
	} else if (s->p != NULL) {
		if (compare && e != NULL && digest_entity(e, k->r) == have)
			s->rep->res[k->idx].unchanged++;
		else
			port_upsert(s->p, k, bp, id, json, len);
	}
	cJSON_Delete(e);
	return 0;
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
		msg_error("%s", err);
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
			msg_error("%s", err);
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
		char *why = xasprintf("cannot read the members of group '%s': "
		    "%s", mp->ids[i], t);

		/* A token failure was reported by auth: only record it. */
		if (!e->auth_failed && !e->interrupted)
			msg_error("%s", why);
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

/* Values of keys that look secret are masked in raw examples. */
static int
secret_key(const char *k)
{
	static const char *const words[] = { "secret", "password", "token",
	    "credential", "assertion", NULL };
	size_t i;

	if (k == NULL)
		return 0;
	if (strcmp(k, "key") == 0)
		return 1;
	for (i = 0; words[i] != NULL; i++)
		if (strcasestr(k, words[i]) != NULL)
			return 1;
	return 0;
}

static void
mask(cJSON *v)
{
	cJSON *c;

	cJSON_ArrayForEach(c, v) {
		if (secret_key(c->string) && (cJSON_IsString(c) ||
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
	if (k->signin_reason != NULL) {
		msg_warn("'%s': Graph refused signInActivity (%s); read without "
		    "it, so last sign-in times are empty (it needs an Entra "
		    "ID P1/P2 licence and AuditLog.Read.All)", k->r->kind,
		    k->signin_reason);
		free(k->signin_reason);
		k->signin_reason = NULL;
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

/* Remove a field from the $select parameter; 0 if it was there. */
static int
select_drop(struct kstate *k, const char *field)
{
	size_t i;
	int found = 0;

	for (i = 0; i < k->nparams; i++) {
		struct buf b;
		char *v, *tok, *save = NULL;

		if (strcmp(k->names[i], "$select") != 0)
			continue;
		buf_init(&b);
		v = xstrdup(k->values[i]);
		for (tok = strtok_r(v, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, field) == 0) {
				found = 1;
				continue;
			}
			if (b.len > 0)
				buf_putc(&b, ',');
			buf_puts(&b, tok);
		}
		free(v);
		free(k->values[i]);
		k->values[i] = buf_detach(&b);
	}
	return found ? 0 : -1;
}

static int
selects(const struct kstate *k, const char *field)
{
	size_t i, n = strlen(field);

	for (i = 0; i < k->nparams; i++) {
		const char *p = k->values[i];

		if (strcmp(k->names[i], "$select") != 0)
			continue;
		while ((p = strstr(p, field)) != NULL) {
			if ((p == k->values[i] || p[-1] == ',') &&
			    (p[n] == ',' || p[n] == '\0'))
				return 1;
			p += n;
		}
	}
	return 0;
}

static void
on_fail(void *arg, struct graph_list *l, const struct graph_error *e,
    const char *text)
{
	struct kstate *k = arg;
	char *why;
	const char *q;

	k->list = NULL;
	/* signInActivity needs a P1/P2 licence and AuditLog.Read.All: read
	 * the users without it rather than fail (the property is null). */
	if (e->status == 403 && selects(k, "signInActivity") &&
	    k->retries < MAX_SELECT_RETRIES) {
		/* Warned about once the listing without it works: if it
		 * fails too, the 403 was about something else. */
		msg_info("'%s': HTTP 403 with signInActivity selected; trying "
		    "without it", k->r->kind);
		free(k->signin_reason);
		k->signin_reason = xstrdup(text);
		select_drop(k, "signInActivity");
		k->retries++;
		k->restarted = 1;
		start_listing(k);
		return;
	}
	/* A $select we derived from the mapping named a property Graph
	 * does not have: drop it (the mapping gets null, as it would). */
	if (e->status == 400 && k->derived_select && e->message != NULL &&
	    (q = strstr(e->message, "property named '")) != NULL &&
	    k->retries < MAX_SELECT_RETRIES) {
		char *f = xstrndup(q + 16, strcspn(q + 16, "'"));

		if (select_drop(k, f) == 0) {
			msg_warn("'%s': Graph has no property '%s'; it is left "
			    "out of the $select", k->r->kind, f);
			free(f);
			k->retries++;
			k->restarted = 1;
			start_listing(k);
			return;
		}
		free(f);
	}
	why = xasprintf("cannot read '%s': %s", k->r->kind, text);
	if (!e->auth_failed && !e->interrupted)
		msg_error("%s", why);
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
	s->rep->res[k->idx].seconds = mono() - k->t0;
	msg_info("'%s': read %lu items", k->r->kind,
	    s->rep->res[k->idx].fetched);
	if (--s->kinds_left == 0 && s->p != NULL)
		port_flush(s->p);
}

static void
start_listing(struct kstate *k)
{
	static const struct graph_list_cb cbt = { on_page, on_restart, on_done,
	    on_fail, NULL };
	struct graph_list_cb cb = cbt;

	cb.arg = k;
	k->list = graph_list_start(k->s->g, k->r->kind,
	    (const char *const *)k->names, (const char *const *)k->values,
	    k->nparams, (const char *const *)k->headers, &cb);
}

/* Graph paths whose objects take $select (directory collections). */
static int
is_directory_kind(const char *kind)
{
	static const char *const known[] = { "/users", "/groups",
	    "/applications", "/servicePrincipals", "/devices", "/contacts",
	    NULL };
	size_t i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(kind, known[i]) == 0)
			return 1;
	return 0;
}

/*
 * The $select to add when the resource has none, or NULL: what the
 * mapping reads that Graph's schema lets a $select name.
 */
static char *
derive_select(const struct mapping_resource *r)
{
	char *fields, *sel;

	if (!is_directory_kind(r->kind) || mapping_param(r, "$select") != NULL)
		return NULL;
	if ((fields = transform_fields_read(r)) == NULL)
		return NULL;
	sel = graphschema_select(r->kind, fields);
	free(fields);
	return sel;
}

/*
 * The $top to ask for: the mapping's, lowered to what Graph serves with
 * the $select and $filter in params (sync_check has warned); NULL to
 * keep it.  The caller frees the result.
 */
static char *
clamp_top(const char *kind, char *const *names, char *const *values,
    size_t n)
{
	const char *top = NULL, *sel = NULL, *flt = NULL;
	size_t i;
	long max;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "$top") == 0)
			top = values[i];
		else if (strcmp(names[i], "$select") == 0)
			sel = values[i];
		else if (strcmp(names[i], "$filter") == 0)
			flt = values[i];
	}
	max = graphschema_max_top(kind, sel, flt);
	if (top == NULL || strtol(top, NULL, 10) <= max)
		return NULL;
	return xasprintf("%ld", max);
}

static void
kind_setup(struct sync *s, size_t i)
{
	struct kstate *k = &s->k[i];
	const struct mapping_resource *r = &s->m->res[i];
	char *sel = derive_select(r), *top;
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
	if ((top = clamp_top(r->kind, k->names, k->values, k->nparams)) !=
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
	free(k->signin_reason);
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
		res->failed++;
		report_failure(s->rep, k->r->kind, bp, id, code, message);
		if (s->rep->total_failed <= 5)
			msg_warn("Port rejected %s '%s': %s: %s", bp, id, code,
			    message);
	}
	resume(s);
}

static void
tick(void *arg)
{
	struct sync *s = arg;

	report_progress_update(s->rep, http_waiting(s->h));
}

static void
init_done(void *arg, int rc)
{
	((struct sync *)arg)->init_rc = rc;
}

/*
 * Read what the integration holds in Port before writing (change
 * detection, and the owned entities for the delete phase).  Returns -1 if
 * the run was interrupted.
 */
static int
read_state(struct sync *s)
{
	const struct options *o = s->o;
	int digests = o->mode == MODE_SYNC && !o->full_write;

	/* Neither compared nor deleted: nothing to read. */
	if (!digests && o->no_delete)
		return 0;
	s->state = state_new(s->m, o->integration_type, o->identifier,
	    digests, blueprints_builtin_ids);
	state_read(s->state, s->p);
	if (http_run(s->h) == -1)
		return -1;
	if (state_result(s->state) == -1) {
		if (!port_auth_failed(s->p))
			msg_warn("cannot read the entities this integration "
			    "owns in Port: %s", digests ? "every entity will be "
			    "written, and none deleted" : "none will be deleted");
		state_free(s->state);
		s->state = NULL;
		return 0;
	}
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

/*
 * The HTTP engine as the options set it up: retry caps, timeouts, and the
 * Graph and Port hosts' concurrency.  Owned by the caller (http_free).
 */
struct http *
sync_http_new(const struct options *o)
{
	struct http_config hc;
	struct http *h;

	memset(&hc, 0, sizeof(hc));
	hc.max_retries = o->max_retries;
	hc.max_retry_wait = o->max_retry_wait;
	hc.connect_timeout = o->connect_timeout;
	hc.timeout = o->timeout;
	hc.insecure = o->insecure;
	h = http_new(&hc);
	http_host_cap(h, o->graph_url, (int)o->graph_concurrency);
	http_host_cap(h, o->port_url, (int)o->port_concurrency);
	return h;
}

/*
 * The Port client of the options, with its token provider in *auth (both
 * owned by the caller); m gives the write flags (NULL: none are written).
 */
static struct port *
port_of(const struct options *o, const struct mapping *m, struct http *h,
    struct auth **auth, port_result_fn result, void *arg)
{
	struct port_config pc;
	/* Ocean's token request carries the User-Agent without "/exporter". */
	char *ua = xasprintf("port-ocean/%s/%s/%s", o->integration_type,
	    E2P_VERSION, o->identifier);

	*auth = auth_port_new(o->port_url, o->port_client_id,
	    o->port_client_secret, ua);
	free(ua);
	memset(&pc, 0, sizeof(pc));
	pc.base_url = o->port_url;
	pc.type = o->integration_type;
	pc.identifier = o->identifier;
	pc.version = E2P_VERSION;
	if (m != NULL) {
		pc.merge = m->merge;
		pc.create_missing = m->create_missing;
		pc.delete_dependents = m->delete_dependents;
	}
	return port_new(h, auth_http(*auth), &pc, result, arg);
}

int
sync_run(const struct options *o, const struct mapping *m,
    struct report *rep)
{
	struct sync s;
	char started[40];
	double t0 = mono();
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
		if ((s.k[i].t = transform_new(&m->res[i], m->path)) == NULL)
			goto out;
	}
	if ((s.gauth = auth_graph_new(o)) == NULL)
		goto out;
	msg_info("Microsoft Graph credential: %s", auth_describe(s.gauth));
	s.h = sync_http_new(o);
	s.g = graph_new(s.h, auth_http(s.gauth), o->graph_url);
	if (o->port_client_id != NULL && o->port_client_secret != NULL)
		s.p = port_of(o, m, s.h, &s.pauth, on_result, &s);
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
		report_progress_start(rep, 1);
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
		/* Registered first: the state belongs to the integration. */
		port_integration_ensure(s.p);
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
	if (s.p != NULL && port_auth_failed(s.p)) {
		report_abort(rep, auth_http(s.pauth)->message != NULL ?
		    auth_http(s.pauth)->message : "no Port token could be "
		    "obtained");
		goto finish;
	}
	s.kinds_left = s.nk;
	for (i = 0; i < s.nk; i++) {
		s.k[i].t0 = mono();
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
		if (st->dropped > 0)
			msg_warn("'%s': %lu entities dropped: null or empty "
			    "identifier or blueprint", s.k[i].r->kind,
			    st->dropped);
		for (f = 0; f < st->nfields; f++)
			if (st->fields[f].errors > 0)
				msg_warn("'%s': field '%s' failed for %lu items "
				    "and was set to null: %s", s.k[i].r->kind,
				    st->fields[f].name, st->fields[f].errors,
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
	report_progress_end(rep);
	rep->seconds = mono() - t0;
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
	port_free(s.p);
	graph_free(s.g);
	http_free(s.h);
	auth_free(s.gauth);
	auth_free(s.pauth);
	return rc;
}

/* "a, b and c": the properties Graph returns for a user by default. */
static char *
user_defaults_text(void)
{
	const char *const *d = graphschema_user_defaults();
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; d[i] != NULL; i++)
		buf_printf(&b, "%s%s", i == 0 ? "" : d[i + 1] == NULL ?
		    " and " : ", ", d[i]);
	return buf_detach(&b);
}

/*
 * Warn about fields the kind's schema does not declare (the four kinds
 * are open types: a warning, not an error), and about mapped user fields
 * a given $select leaves out.
 */
static void
check_fields(const struct mapping *m, const struct mapping_resource *r)
{
	const struct mapping_field *sel = mapping_param(r, "$select");
	char *fields, *tok, *save = NULL, *odd;
	struct buf missing;

	fields = transform_fields_read(r);
	if (fields == NULL) {
		if (sel == NULL && strcmp(r->kind, "/users") == 0) {
			char *d = user_defaults_text();

			msg_warn("%s:%d:%d: resource '/users' has no $select "
			    "and its mapping reads items as a whole, so no "
			    "$select can be derived: Graph will return only "
			    "%s", m->path, r->line, r->col, d);
			free(d);
		}
		return;
	}
	if ((odd = graphschema_undeclared(r->kind, fields)) != NULL)
		msg_warn("%s:%d:%d: resource '%s': the mapping reads "
		    "properties Graph's schema does not declare for %s: %s%s",
		    m->path, r->line, r->col, r->kind,
		    graphschema_type_of(r->kind), odd, sel == NULL ?
		    "; they are left out of the $select (name them in one if "
		    "Graph returns them)" : "");
	free(odd);
	buf_init(&missing);
	for (tok = strtok_r(fields, ",", &save); tok != NULL &&
	    strcmp(r->kind, "/users") == 0; tok = strtok_r(NULL, ",", &save)) {
		const char *p;
		size_t n = strlen(tok);
		int found = 0;

		if (graphschema_classify(r->kind, tok) != GS_PROPERTY &&
		    graphschema_classify(r->kind, tok) != GS_EXTENSION)
			continue;
		if (sel == NULL) {
			found = 1;	/* derived at run time */
		} else {
			for (p = sel->value; (p = strstr(p, tok)) != NULL;
			    p += n)
				if ((p == sel->value || p[-1] == ',') &&
				    (p[n] == ',' || p[n] == '\0'))
					found = 1;
			if (!found && graphschema_user_default(tok) &&
			    sel->value[0] == '\0')
				found = 1;
		}
		if (!found)
			buf_printf(&missing, "%s%s", missing.len ? ", " : "",
			    tok);
	}
	if (missing.len > 0 && sel != NULL)
		msg_warn("%s:%d:%d: resource '/users': the mapping reads %s, "
		    "which the $select leaves out: Graph will not return them",
		    m->path, sel->line, sel->col, missing.data);
	buf_release(&missing);
	free(fields);
}

/*
 * Warn when the resource's $top (valid, 1..999) is above the page size
 * Graph serves with its $select (given or derived) and $filter: the
 * request will ask for that size instead (kind_setup).
 */
static void
check_top(const struct mapping *m, const struct mapping_resource *r,
    const struct mapping_field *top, long v)
{
	const struct mapping_field *sel = mapping_param(r, "$select");
	const struct mapping_field *flt = mapping_param(r, "$filter");
	char *derived = sel == NULL ? derive_select(r) : NULL;
	long max = graphschema_max_top(r->kind, sel != NULL ? sel->value :
	    derived, flt != NULL ? flt->value : NULL);

	if (v > max)
		msg_warn("%s:%d:%d: resource '%s': $top '%s' is above %ld, the "
		    "largest page Graph serves when signInActivity is "
		    "selected or filtered on; asking for %ld", m->path,
		    top->line, top->col, r->kind, top->value, max, max);
	free(derived);
}

int
sync_check(const struct options *o, const struct mapping *m)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < m->nres; i++) {
		const struct mapping_resource *r = &m->res[i];
		const struct mapping_field *top = mapping_param(r, "$top");
		struct transform *t;

		if ((t = transform_new(r, m->path)) == NULL)
			rc = -1;
		transform_free(t);
		if (top != NULL) {
			char *end;
			long v = strtol(top->value, &end, 10);

			if (end == top->value || *end != '\0' || v < 1 ||
			    v > 999) {
				msg_error("%s:%d:%d: resource '%s': $top '%s' "
				    "must be a number between 1 and 999 "
				    "(Graph refuses other page sizes)",
				    m->path, top->line, top->col, r->kind,
				    top->value);
				rc = -1;
			} else {
				check_top(m, r, top, v);
			}
		}
		if (r->kind[0] != '/') {
			msg_error("%s:%d:%d: resource kind '%s' must be a Graph "
			    "path starting with '/'", m->path, r->line,
			    r->col, r->kind);
			rc = -1;
		}
		check_fields(m, r);
	}
	(void)o;
	return rc;
}

static void
got_config(void *arg, const char *text)
{
	char **out = arg;

	*out = text != NULL ? xstrdup(text) : NULL;
}

char *
sync_port_mapping(const struct options *o)
{
	struct http *h = sync_http_new(o);
	struct auth *a;
	struct port *p = port_of(o, NULL, h, &a, NULL, NULL);
	char *text = NULL;

	port_get_config(p, got_config, &text);
	http_run(h);
	port_free(p);
	http_free(h);
	auth_free(a);
	return text;
}
