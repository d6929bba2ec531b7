/*
 * Reading one resource.  Pages come one at a time through graph.c; each
 * is parsed by transform.c, its next page asked for before it is mapped
 * (unless two pages already wait for members, or Port lags: then the link
 * is held until resource_resume).  For groups the whole membership of a
 * page is read through $batch, and each group is mapped as soon as its
 * members are in.  What cannot be proven complete fails the resource.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "graph.h"
#include "graphschema.h"
#include "http.h"
#include "mapping.h"
#include "members.h"
#include "msg.h"
#include "report.h"
#include "resource.h"
#include "transform.h"
#include "xmalloc.h"

struct resource {
	struct resource_env env;
	size_t idx;
	const struct mapping_resource *r;
	struct transform *t;
	struct graph_list *list;
	char **names, **values; /* query params */
	size_t nparams;
	char **headers; /* NULL-terminated */
	char *stash;    /* next link held */
	int stashed;
	int listing_done;
	int pages_out; /* wait for members */
	int finished;
	int restarted;
	int derived_select;
	char *unproven;         /* proves nothing */
	unsigned long vanished; /* groups gone */
	uint64_t bit;
	double t0;
};

/*
 * A page of groups waiting for their members (freed by members_done): the
 * ids of the groups whose members are read, and at[i], the index in tp of
 * group ids[i].
 */
struct mpage {
	struct resource *k;
	struct tpage *tp;
	char **ids;
	size_t *at;
	size_t n;
};

static void check_done(struct resource *);

static int
emit(void *arg, const char *bp, const char *id, const char *json, size_t len)
{
	struct resource *k = arg;

	return k->env.emit(k->env.arg, k, bp, id, json, len);
}

/*
 * The message fmt/... of a Graph failure e while reading path (members:
 * its groups' members), a new string; a 403 gets the hint of the
 * application permission that path needs.
 */
static char *__attribute__((format(printf, 4, 5)))
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
		buf_printf(&b,
		    " (hint: grant the app the Microsoft Graph "
		    "application permission %s, with admin consent)",
		    graph_permission(path, members));
	return buf_detach(&b);
}

static void
fail(struct resource *k, const char *why)
{
	report_kind_failed(k->env.rep, k->idx, why);
}

/* Report a mapping failure of the resource (err: why, id: the item). */
static void
mapping_failed(struct resource *k, const char *id, const char *err)
{
	struct msg_fields f = { "resource_failed", k->r->kind, NULL, id,
		"mapping", NULL };

	msg_event(MSG_ERROR, &f, "%s", err);
	fail(k, err);
}

/* Map a page and free it (nothing more once the resource failed). */
static void
map_page(struct resource *k, struct tpage *tp)
{
	char *err = NULL;

	if (!report_failed(k->env.rep, k->idx) &&
	    transform_run(k->t, tp, emit, k, &err) == -1)
		mapping_failed(k, NULL, err);
	free(err);
	tpage_free(tp);
}

/* The members of group i of a page arrived, or could not be read. */
static void
members_got(void *arg, size_t i, const struct members *ml,
    const struct graph_error *e)
{
	struct mpage *mp = arg;
	struct resource *k = mp->k;
	char *t, *why, *err = NULL;

	if (e == NULL) {
		/* Mapped now: its members need not wait for the page. */
		if (!report_failed(k->env.rep, k->idx) &&
		    transform_run_members(k->t, mp->tp, mp->at[i], ml, emit, k,
			&err) == -1)
			mapping_failed(k, mp->ids[i], err);
		tpage_drop(mp->tp, mp->at[i]);
		free(err);
		return;
	}
	/* Never write a group with a partial membership: with merge it
	 * would replace the complete one in Port. */
	tpage_drop(mp->tp, mp->at[i]);
	t = graph_error_text(e);
	if (e->vanished) {
		/* Confirmed by GET /groups/{id}: it is gone from Entra. */
		msg_warn("group '%s' was deleted while its members were read; "
			 "skipped",
		    mp->ids[i]);
		k->vanished++;
		free(t);
		return;
	}
	why = failure_text(e, k->r->kind, 1,
	    "cannot read the members of "
	    "group '%s': %s",
	    mp->ids[i], t);
	if (!e->reported) {
		struct msg_fields f = { "resource_failed", k->r->kind, NULL,
			mp->ids[i], e->code, e->request_id };

		msg_event(MSG_ERROR, &f, "%s", why);
	}
	fail(k, why);
	if (e->auth_failed)
		report_abort(k->env.rep, why);
	free(why);
	free(t);
}

static void
members_done(void *arg)
{
	struct mpage *mp = arg;
	struct resource *k = mp->k;

	/* Each group was mapped with its members or dropped: nothing of
	 * the page is mapped without them. */
	tpage_free(mp->tp);
	free_strv(mp->ids, mp->n);
	free(mp->at);
	free(mp);
	k->pages_out--;
	resource_resume(k);
	check_done(k);
}

/* Ask for the next page, unless members or Port hold the reads. */
static void
advance(struct resource *k, const char *next)
{
	/* Pages waiting for their members hold those members in memory:
	 * at most two per resource. */
	if (next != NULL &&
	    (k->pages_out >= 2 || k->env.lagging(k->env.arg, 0))) {
		msg_debug("'%s': next page held (%d pages wait for members, "
			  "or Port lags)",
		    k->r->kind, k->pages_out);
		k->stash = xstrdup(next);
		k->stashed = 1;
		return;
	}
	graph_list_next(k->list, next);
}

void
resource_resume(struct resource *k)
{
	char *next;

	if (!k->stashed || k->pages_out >= 2 || k->env.lagging(k->env.arg, 1))
		return;
	next = k->stash;
	k->stash = NULL;
	k->stashed = 0;
	graph_list_next(k->list, next);
	free(next);
}

/* A page of groups: read their members, then map them. */
static void
read_members(struct resource *k, struct tpage *tp, const char *next)
{
	struct mpage *mp = xcalloc(1, sizeof(*mp));
	size_t i, n = tpage_count(tp);

	mp->k = k;
	mp->tp = tp;
	mp->ids = xcalloc(n + 1, sizeof(char *));
	mp->at = xcalloc(n + 1, sizeof(size_t));
	for (i = 0; i < n; i++) {
		const char *id = tpage_item_id(tp, i);

		/* Its members cannot be read, and the group is not
		 * written: the read is not complete. */
		if (id == NULL) {
			fail(k,
			    "an item has no \"id\", so its members "
			    "cannot be read");
			tpage_drop(tp, i);
			continue;
		}
		mp->at[mp->n] = i;
		mp->ids[mp->n++] = xstrdup(id);
	}
	k->pages_out++;
	advance(k, next);
	graph_members(k->env.g, (const char *const *)mp->ids, mp->n,
	    k->r->members == MEMBERS_TRANSITIVE, members_got, members_done, mp);
}

static void
on_page(void *arg, struct graph_list *l, const char *body, size_t len)
{
	struct resource *k = arg;
	struct tpage *tp;
	char *err = NULL, *next = NULL, *why;

	if ((tp = transform_page(k->t, body, len, &err)) == NULL) {
		if (graph_list_refetch(l) == 0) {
			msg_warn(
			    "'%s': unreadable page (%s); fetching it again",
			    k->r->kind, err);
		} else {
			why = xasprintf("unreadable page: %s", err);
			graph_list_fail(l, why);
			free(why);
		}
		free(err);
		return;
	}
	if (!tpage_is_collection(tp) && k->unproven == NULL)
		k->unproven = xasprintf(
		    "its data_path '%s' gave an object, not "
		    "an array: the read proves nothing about a collection",
		    k->r->data_path.value != NULL ? k->r->data_path.value :
						    ".");
	report_add(k->env.rep, k->idx, REPORT_FETCHED, tpage_count(tp));
	if (k->env.page != NULL)
		k->env.page(k->env.arg, k, tp);
	if (tpage_next_link(tp) != NULL)
		next = xstrdup(tpage_next_link(tp));
	if (k->r->members != MEMBERS_NONE && tpage_count(tp) > 0) {
		read_members(k, tp, next);
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
	struct resource *k = arg;

	(void)l;
	k->restarted = 1;
}

static void
on_done(void *arg, struct graph_list *l)
{
	struct resource *k = arg;

	(void)l;
	k->list = NULL;
	k->listing_done = 1;
	check_done(k);
}

static void
on_fail(void *arg, struct graph_list *l, const struct graph_error *e,
    const char *text)
{
	struct resource *k = arg;
	char *why;

	(void)l;
	k->list = NULL;
	why = failure_text(e, k->r->kind, 0, "cannot read '%s': %s", k->r->kind,
	    text);
	if (!e->reported) {
		struct msg_fields f = { "resource_failed", k->r->kind, NULL,
			NULL, e->code, e->request_id };

		msg_event(MSG_ERROR, &f, "%s", why);
	}
	fail(k, why);
	if (e->auth_failed)
		report_abort(k->env.rep, why);
	free(why);
	k->listing_done = 1;
	check_done(k);
}

/* Once the listing ended and no page waits for members: done. */
static void
check_done(struct resource *k)
{
	unsigned long fetched = report_count(k->env.rep, k->idx,
	    REPORT_FETCHED);

	if (k->finished || !k->listing_done || k->pages_out > 0)
		return;
	k->finished = 1;
	/* A few groups deleted during the run are normal; many at once look
	 * like a fault answering 404 for groups that are there. */
	if (k->vanished > 1 + fetched / 50) {
		char *why = xasprintf(
		    "%lu of %lu groups answered as deleted "
		    "while their members were read: too many to trust",
		    k->vanished, fetched);

		msg_error("'%s': %s", k->r->kind, why);
		fail(k, why);
		free(why);
	}
	report_seconds(k->env.rep, k->idx, http_mono() - k->t0);
	msg_info("'%s': read %lu items", k->r->kind, fetched);
	k->env.done(k->env.arg, k);
}

void
resource_start(struct resource *k)
{
	static const struct graph_list_cb cbt = { on_page, on_restart, on_done,
		on_fail, NULL, NULL };
	struct graph_list_cb cb = cbt;

	cb.arg = k;
	k->t0 = http_mono();
	k->list = graph_list_start(k->env.g, k->r->kind,
	    (const char *const *)k->names, (const char *const *)k->values,
	    k->nparams, (const char *const *)k->headers,
	    k->derived_select ? GRAPH_LIST_DERIVED_SELECT : 0, &cb);
}

/* The query parameters and headers of the listing. */
static void
query_setup(struct resource *k)
{
	const struct mapping_resource *r = k->r;
	char *sel = graphschema_derive_select(r), *top;
	size_t j, nh = 0;

	k->names = xcalloc(r->nquery_params + 2, sizeof(char *));
	k->values = xcalloc(r->nquery_params + 2, sizeof(char *));
	for (j = 0; j < r->nquery_params; j++) {
		k->names[k->nparams] = xstrdup(r->query_params[j].name);
		k->values[k->nparams++] = xstrdup(r->query_params[j].value);
	}
	if (sel != NULL) {
		msg_info("'%s': no $select in the mapping; asking Graph for "
			 "the fields it reads: %s",
		    r->kind, sel);
		k->names[k->nparams] = xstrdup("$select");
		k->values[k->nparams++] = sel;
		k->derived_select = 1;
	}
	if ((top = graphschema_clamp_top(r->kind, k->names, k->values,
		 k->nparams)) != NULL) {
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
}

struct resource *
resource_new(const struct mapping_resource *r, size_t idx, struct transform *t,
    const struct resource_env *env)
{
	struct resource *k = xcalloc(1, sizeof(*k));

	k->env = *env;
	k->idx = idx;
	k->r = r;
	k->bit = idx < 64 ? (uint64_t)1 << idx : 0;
	report_name(k->env.rep, idx, r->kind);
	query_setup(k);
	k->t = t;
	return k;
}

void
resource_free(struct resource *k)
{
	if (k == NULL)
		return;
	free_strv(k->names, k->nparams);
	free_strv(k->values, k->nparams);
	free_strv(k->headers, STRV_NULL_ENDED);
	free(k->stash);
	free(k->unproven);
	transform_free(k->t);
	free(k);
}

size_t
resource_index(const struct resource *k)
{
	return k->idx;
}

const struct mapping_resource *
resource_mapping(const struct resource *k)
{
	return k->r;
}

uint64_t
resource_bit(const struct resource *k)
{
	return k->bit;
}

int
resource_restarted(const struct resource *k)
{
	return k->restarted;
}

int
resource_finished(const struct resource *k)
{
	return k->finished;
}

const char *
resource_unproven(const struct resource *k)
{
	return k->unproven;
}

const struct transform_stats *
resource_stats(const struct resource *k)
{
	return transform_stats(k->t);
}
