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
#include "digest.h"
#include "graph.h"
#include "http.h"
#include "mapping.h"
#include "msg.h"
#include "options.h"
#include "port.h"
#include "report.h"
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

/* A blueprint whose current state in Port was read (change detection). */
struct bpstate {
	char				*bp;
	const struct mapping_resource	*r;
	int				 ok;
	int				 missing;	/* not in Port */
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
	/* Change detection: digests of what Port holds, per blueprint. */
	struct strset		 state;
	struct bpstate		*bps;
	size_t			 nbps;
	int			 state_all;	/* every resource's blueprint read */
	int			 state_rc;
	/* Delete phase. */
	struct strset		 stale;		/* key: blueprint \x1f id */
	unsigned long		 owned;		/* listed: updated before the run */
	unsigned long		 owned_seen;	/* of those, produced this run */
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
 * The digest Port holds for the entity keyed key, if change detection
 * covers its blueprint for resource r: 1 and *have; 0 when it is covered
 * and Port does not hold the entity; -1 when it is not covered.
 */
static int
port_digest(const struct sync *s, const struct mapping_resource *r,
    const char *bp, const struct buf *key, uint64_t *have)
{
	size_t i;

	for (i = 0; i < s->nbps; i++)
		if (s->bps[i].ok && s->bps[i].r == r &&
		    strcmp(s->bps[i].bp, bp) == 0)
			return strset_get(&s->state, key->data, key->len, have);
	return -1;
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
	compare = s->p != NULL ? port_digest(s, k->r, bp, key, &have) : -1;
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
members_got(void *arg, size_t i, const char *json, size_t len,
    const struct graph_error *e)
{
	struct mpage *mp = arg;
	struct kstate *k = mp->k;
	char *t;

	if (e == NULL) {
		char *err = NULL;

		if (tpage_set_members(mp->tp, i, json, len) == -1) {
			kind_fail(k, "a member list was not a JSON array");
			tpage_drop(mp->tp, i);
		} else if (!k->s->rep->res[k->idx].kind_failed &&
		    transform_run_item(k->t, mp->tp, i, emit, k, &err) == -1) {
			struct msg_fields f = { "resource_failed", k->r->kind,
			    NULL, mp->ids[i], "mapping", NULL };

			msg_event(MSG_ERROR, &f, "%s", err);
			kind_fail(k, err);
		}
		/* Mapped now: its members need not wait for the page. */
		tpage_drop(mp->tp, i);
		free(err);
		return;
	}
	/* Never write a group with a partial membership: with merge it
	 * would replace the complete one in Port. */
	tpage_drop(mp->tp, i);
	t = graph_error_text(e);
	if (e->status == 404) {
		msg_warn("group '%s' vanished while its members were read; "
		    "skipped", mp->ids[i]);
	} else {
		char *why = failure_text(e, k->r->kind, 1, "cannot read the "
		    "members of group '%s': %s", mp->ids[i], t);

		struct msg_fields f = { "resource_failed", k->r->kind, NULL,
		    mp->ids[i], e->code, e->request_id };

		/* A token failure was reported by auth: only record it. */
		if (!e->auth_failed && !e->interrupted)
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

			if (id == NULL) {
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
	why = failure_text(e, k->r->kind, 0, "cannot read '%s': %s",
	    k->r->kind, text);
	if (!e->auth_failed && !e->interrupted) {
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

/* Relationships, not properties: never put them in a $select. */
static int
is_navigation(const char *f)
{
	static const char *const nav[] = { "members", "transitiveMembers",
	    "owners", "memberOf", "transitiveMemberOf", "manager",
	    "directReports", "extensions", NULL };
	size_t i;

	for (i = 0; nav[i] != NULL; i++)
		if (strcmp(f, nav[i]) == 0)
			return 1;
	return f[0] == '@' || f[0] == '_';
}

/* The $select to add when the resource has none, or NULL. */
static char *
derive_select(const struct mapping_resource *r)
{
	char *fields, *tok, *save = NULL;
	struct buf b;

	if (!is_directory_kind(r->kind) || mapping_param(r, "$select") != NULL)
		return NULL;
	if ((fields = transform_fields_read(r)) == NULL)
		return NULL;
	buf_init(&b);
	for (tok = strtok_r(fields, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (is_navigation(tok))
			continue;
		if (b.len > 0)
			buf_putc(&b, ',');
		buf_puts(&b, tok);
	}
	free(fields);
	return buf_detach(&b);
}

static void
kind_setup(struct sync *s, size_t i)
{
	struct kstate *k = &s->k[i];
	const struct mapping_resource *r = &s->m->res[i];
	char *sel = derive_select(r);
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

	report_progress_update(s->rep, http_waiting(s->h));
}

static void
init_done(void *arg, int rc)
{
	((struct sync *)arg)->init_rc = rc;
}

/* Change detection: read what Port holds before writing. */

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

struct state_req {
	struct sync	*s;
	size_t		 i;
};

static void
state_each(void *arg, const char *bp, const char *id, const struct cJSON *e)
{
	struct state_req *q = arg;
	struct sync *s = q->s;
	struct buf key;

	buf_init(&key);
	key_of(&key, bp, id);
	strset_put(&s->state, key.data, key.len,
	    digest_entity((const cJSON *)e, s->bps[q->i].r));
	buf_release(&key);
}

static void
state_done(void *arg, int rc)
{
	struct state_req *q = arg;

	q->s->bps[q->i].ok = rc == 0;
	q->s->bps[q->i].missing = rc == -2;
	if (rc == -1)
		q->s->state_rc = -1;
	free(q);
}

/*
 * Say, once, which blueprints the mapping writes are missing in Port and
 * what creates them.  Returns how many are missing.
 */
static size_t
missing_blueprints(struct sync *s)
{
	struct buf names;
	size_t i, j, n = 0;
	int builtin = 1;

	buf_init(&names);
	for (i = 0; i < s->nbps; i++) {
		if (!s->bps[i].missing)
			continue;
		buf_printf(&names, "%s'%s'", n++ > 0 ? ", " : "",
		    s->bps[i].bp);
		for (j = 0; blueprints_builtin_ids[j] != NULL; j++)
			if (strcmp(blueprints_builtin_ids[j], s->bps[i].bp) == 0)
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
 * Read, per blueprint that one resource writes with a literal name, the
 * entities this integration owns with the fields the mapping writes.
 * Returns -1 if the run was interrupted.
 */
static int
read_state(struct sync *s)
{
	size_t i, j;

	strset_init(&s->state);
	s->state_all = 1;
	for (i = 0; i < s->m->nres; i++) {
		const struct mapping_resource *r = &s->m->res[i];
		char *bp = literal(r->blueprint.value);

		if (bp == NULL) {
			s->state_all = 0;
			continue;
		}
		for (j = 0; j < s->nbps; j++)
			if (strcmp(s->bps[j].bp, bp) == 0)
				break;
		if (j < s->nbps) {
			/* Two resources write it: compare nothing there. */
			s->bps[j].r = NULL;
			free(bp);
			continue;
		}
		s->bps = xreallocarray(s->bps, s->nbps + 1, sizeof(*s->bps));
		s->bps[s->nbps].bp = bp;
		s->bps[s->nbps].r = r;
		s->bps[s->nbps].ok = 0;
		s->bps[s->nbps].missing = 0;
		s->nbps++;
	}
	for (i = 0; i < s->nbps; i++) {
		const struct mapping_resource *r = s->bps[i].r;
		struct state_req *q;
		char **inc;
		size_t n = 0;

		if (r == NULL) {
			s->state_all = 0;
			continue;
		}
		inc = xcalloc(r->nproperties + r->nrelations + 3,
		    sizeof(char *));
		if (r->title.value != NULL)
			inc[n++] = xstrdup("title");
		if (r->team.value != NULL)
			inc[n++] = xstrdup("team");
		for (j = 0; j < r->nproperties; j++)
			inc[n++] = xasprintf("properties.%s",
			    r->properties[j].name);
		for (j = 0; j < r->nrelations; j++)
			inc[n++] = xasprintf("relations.%s",
			    r->relations[j].name);
		q = xcalloc(1, sizeof(*q));
		q->s = s;
		q->i = i;
		port_read_state(s->p, s->bps[i].bp, (const char *const *)inc,
		    n, state_each, state_done, q);
		for (j = 0; j < n; j++)
			free(inc[j]);
		free(inc);
	}
	if (http_run(s->h) == -1)
		return -1;
	if (missing_blueprints(s) > 0 && s->o->mode == MODE_DRY_RUN)
		for (i = 0; i < s->nbps; i++)
			s->bps[i].ok |= s->bps[i].missing;	/* none held */
	if (s->state_rc == -1) {
		/* No token: auth said why, and nothing will be written. */
		if (!port_auth_failed(s->p))
			msg_warn("cannot read the current entities from Port: "
			    "every entity will be %s", s->rep->dry_run ?
			    "counted as mapped only" : "written");
		for (i = 0; i < s->nbps; i++)
			s->bps[i].ok = 0;
		s->state_all = 0;
	}
	for (i = 0; i < s->nbps; i++)
		s->rep->compared |= s->rep->dry_run && s->bps[i].ok;
	msg_info("read %zu entities this integration owns in Port",
	    strset_count(&s->state));
	return 0;
}

/* Delete phase. */

static void
owned_each(void *arg, const char *bp, const char *id)
{
	struct sync *s = arg;
	struct buf key;

	s->owned++;
	buf_init(&key);
	key_of(&key, bp, id);
	if (strset_get(&s->seen, key.data, key.len, NULL)) {
		s->owned_seen++;
	} else {
		if (s->m->create_missing && strset_get(&s->targets, id,
		    strlen(id), NULL))
			s->rep->protected_targets++;
		else
			strset_put(&s->stale, key.data, key.len, 0);
	}
	buf_release(&key);
}

static void
state_owned(void *arg, const char *key, size_t len, uint64_t v)
{
	struct sync *s = arg;
	const char *sep = memchr(key, '\x1f', len);
	char *bp = xstrndup(key, (size_t)(sep - key));

	owned_each(s, bp, sep + 1);
	free(bp);
}

static void
list_done(void *arg, int rc)
{
	((struct sync *)arg)->list_rc = rc;
}

struct delgroup {
	struct sync	*s;
	char		*bp;
	char		**ids;
	size_t		 n, cap;
};

struct delctx {
	struct delgroup	*g;
	size_t		 n;
	struct sync	*s;
};

static void
collect_stale(void *arg, const char *key, size_t len, uint64_t v)
{
	struct delctx *c = arg;
	const char *sep = memchr(key, '\x1f', len);
	size_t bl = (size_t)(sep - key), i;
	struct delgroup *g = NULL;

	for (i = 0; i < c->n; i++)
		if (strlen(c->g[i].bp) == bl && memcmp(c->g[i].bp, key,
		    bl) == 0)
			g = &c->g[i];
	if (g == NULL) {
		c->g = xreallocarray(c->g, c->n + 1, sizeof(*c->g));
		g = &c->g[c->n++];
		memset(g, 0, sizeof(*g));
		g->s = c->s;
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
	struct delgroup *g = arg;
	struct sync *s = g->s;
	size_t k = bp_kind(s, g->bp, (size_t)-1);

	if (k == (size_t)-1)
		s->rep->deleted_other += n;
	else
		s->rep->res[k].deleted += n;
	if (rc == -1) {
		s->rep->delete_failed = 1;
		if (s->rep->delete_note == NULL)
			s->rep->delete_note = xstrdup("some deletions failed");
	}
}

static void
set_note(struct report *r, char *note)
{
	free(r->delete_note);
	r->delete_note = note;
}

static void
delete_phase(struct sync *s)
{
	const struct options *o = s->o;
	double threshold = o->threshold_set ? o->deletion_threshold :
	    s->m->deletion_threshold;
	struct delctx c = { NULL, 0, s };
	const char **bps;
	size_t i, n = 0;

	if (o->no_delete) {
		set_note(s->rep, xstrdup("off (--no-delete)"));
		return;
	}
	if (s->p == NULL) {
		set_note(s->rep, xstrdup("not computed: no Port credentials "
		    "for the dry run"));
		return;
	}
	/* The fallback listing searches the blueprints this run wrote and
	 * those the mapping names literally. */
	bps = xcalloc(s->nbpk + 8, sizeof(*bps));
	for (i = 0; i < s->nbpk; i++)
		bps[n++] = s->bpk[i].bp;
	for (i = 0; blueprints_builtin_ids[i] != NULL; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (strcmp(bps[j], blueprints_builtin_ids[i]) == 0)
				break;
		if (j == n)
			bps[n++] = blueprints_builtin_ids[i];
	}
	strset_init(&s->stale);
	s->list_rc = 0;
	if (s->state_all && s->nbps > 0) {
		/* The state read before writing is the listing: no request. */
		strset_each(&s->state, state_owned, s);
	} else {
		port_list_owned(s->p, s->rep->started, bps, n, owned_each,
		    list_done, s);
		if (http_run(s->h) == -1) {
			free(bps);
			report_abort(s->rep, "interrupted");
			goto out;
		}
	}
	free(bps);
	if (s->list_rc == -1) {
		set_note(s->rep, xstrdup("skipped: the entities this "
		    "integration owns could not be listed"));
		if (port_auth_failed(s->p))
			report_abort(s->rep, auth_http(s->pauth)->message != NULL ?
			    auth_http(s->pauth)->message :
			    "no Port token could be obtained");
		else if (o->mode != MODE_DRY_RUN)
			s->rep->delete_failed = 1;
		goto out;
	}
	/*
	 * The listing holds only entities not written during this run; the
	 * ones written now are owned too.  The share that would be deleted
	 * is taken over all of them: stale / (listed + written now).
	 */
	s->rep->owned = s->owned + (strset_count(&s->seen) - s->owned_seen);
	s->rep->stale = strset_count(&s->stale);
	if (s->rep->stale == 0)
		goto out;
	if (threshold <= 0) {
		set_note(s->rep, xasprintf("skipped: entityDeletionThreshold "
		    "is 0 (never delete); %lu stale entities kept",
		    s->rep->stale));
		goto out;
	}
	if ((double)s->rep->stale / (double)s->rep->owned > threshold +
	    1e-12) {
		s->rep->threshold_exceeded = 1;
		set_note(s->rep, xasprintf("skipped: %lu of %lu owned entities "
		    "(%.1f%%) are stale, more than the threshold of %.1f%%",
		    s->rep->stale, s->rep->owned,
		    100.0 * (double)s->rep->stale / (double)s->rep->owned,
		    100.0 * threshold));
		msg_error("%s", s->rep->delete_note);
		goto out;
	}
	strset_each(&s->stale, collect_stale, &c);
	for (i = 0; i < c.n; i++) {
		struct delgroup *g = &c.g[i];
		size_t j;

		if (o->mode == MODE_DRY_RUN) {
			for (j = 0; j < g->n; j++)
				msg_warn("dry run: would delete %s '%s'", g->bp,
				    g->ids[j]);
			deleted(g, g->n, 0);
			continue;
		}
		msg_info("deleting %zu stale entities of '%s'", g->n, g->bp);
		port_delete(s->p, g->bp, (const char *const *)g->ids, g->n,
		    deleted, g);
	}
	if (http_run(s->h) == -1)
		report_abort(s->rep, "interrupted");
	for (i = 0; i < c.n; i++) {
		size_t j;

		for (j = 0; j < c.g[i].n; j++)
			free(c.g[i].ids[j]);
		free(c.g[i].ids);
		free(c.g[i].bp);
	}
	free(c.g);
out:
	strset_release(&s->stale);
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
	hc.ca_file = o->ca_file;
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
		if ((s.k[i].t = transform_new(&m->res[i], m->res[i].file)) ==
		    NULL)
			goto out;
	}
	if ((s.gauth = auth_graph_new(o)) == NULL)
		goto out;
	msg_info("Microsoft Graph credential: %s (%s)",
	    auth_describe(s.gauth), o->graph_cred_src);
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
	/* Port writes hold back Graph reads past this many entities. */
	s.high = 2000 + 40 * (size_t)o->port_concurrency;
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
	if (o->mode != MODE_INSPECT && !o->full_write && s.p != NULL &&
	    read_state(&s) == -1) {
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
	if (report_kinds_failed(rep) > 0) {
		set_note(rep, xstrdup("skipped: a resource failed, so the "
		    "state read is incomplete"));
		goto finish;
	}
	for (i = 0; i < s.nk; i++) {
		const struct transform_stats *st = transform_stats(s.k[i].t);

		/* An item that mapped to no identifier may be an entity
		 * Port has: deleting it would lose data to a mapping
		 * problem. */
		if (st->dropped > 0) {
			set_note(rep, xasprintf("skipped: %lu items of '%s' "
			    "mapped to a null or empty identifier or "
			    "blueprint", st->dropped, s.k[i].r->kind));
			rep->delete_failed = 1;
			goto finish;
		}
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
	strset_release(&s.state);
	buf_release(&s.key);
	for (i = 0; i < s.nbps; i++)
		free(s.bps[i].bp);
	free(s.bps);
	port_free(s.p);
	graph_free(s.g);
	http_free(s.h);
	auth_free(s.gauth);
	auth_free(s.pauth);
	return rc;
}

/* The 11 properties Graph returns for a user without $select. */
static const char *const user_defaults[] = { "businessPhones",
    "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname", "userPrincipalName",
    NULL };

static int
user_default(const char *f)
{
	size_t i;

	for (i = 0; user_defaults[i] != NULL; i++)
		if (strcmp(user_defaults[i], f) == 0)
			return 1;
	return 0;
}

/* Warn about mapped user fields a given $select leaves out. */
static void
check_fields(const struct mapping *m, const struct mapping_resource *r)
{
	const struct mapping_field *sel = mapping_param(r, "$select");
	char *fields, *tok, *save = NULL;
	struct buf missing;

	if (strcmp(r->kind, "/users") != 0)
		return;
	fields = transform_fields_read(r);
	if (fields == NULL) {
		if (sel == NULL)
			msg_warn("%s:%d:%d: resource '/users' has no $select "
			    "and its mapping reads items as a whole, so no "
			    "$select can be derived: Graph will return only "
			    "businessPhones, displayName, givenName, id, "
			    "jobTitle, mail, mobilePhone, officeLocation, "
			    "preferredLanguage, surname and userPrincipalName",
			    r->file, r->line, r->col);
		return;
	}
	buf_init(&missing);
	for (tok = strtok_r(fields, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		const char *p;
		size_t n = strlen(tok);
		int found = 0;

		if (is_navigation(tok))
			continue;
		if (sel == NULL) {
			found = 1;	/* derived at run time */
		} else {
			for (p = sel->value; (p = strstr(p, tok)) != NULL;
			    p += n)
				if ((p == sel->value || p[-1] == ',') &&
				    (p[n] == ',' || p[n] == '\0'))
					found = 1;
			if (!found && user_default(tok) &&
			    strstr(sel->value, ",") == NULL &&
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
		    r->file, sel->line, sel->col, missing.data);
	buf_release(&missing);
	free(fields);
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

		if ((t = transform_new(r, r->file)) == NULL)
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
				    r->file, top->line, top->col, r->kind,
				    top->value);
				rc = -1;
			}
		}
		if (r->kind[0] != '/') {
			msg_error("%s:%d:%d: resource kind '%s' must be a Graph "
			    "path starting with '/'", r->file, r->line,
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
