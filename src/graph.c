/*
 * Graph collections and membership.  A collection is read one page at a
 * time: the caller parses each page and hands back its nextLink, which is
 * followed verbatim; a link seen twice fails the enumeration instead of
 * looping, and an expired skiptoken restarts it from the first page, as
 * does a 400 naming the largest page size Graph will serve ($top lowered).
 * Membership is read with $batch, 20 member-list requests at a time, each
 * group's pages followed inside later batches.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "csv.h"
#include "graph.h"
#include "http.h"
#include "members.h"
#include "msg.h"
#include "strset.h"
#include "xmalloc.h"

#define MAX_RESTARTS       3
#define MAX_TOP_RETRIES    3
#define MAX_SELECT_RETRIES 8
#define BATCH_MAX          20
#define MEMBER_BATCHES     4 /* $batch requests in flight per graph_members */
#define JOB_TRIES          8

struct graph {
	struct http *h;
	struct http_auth *auth;
	char *base; /* "https://graph.microsoft.com/v1.0" */
	unsigned long requests;
	unsigned long member_requests;
};

struct graph_list {
	struct graph *g;
	char *path;
	char **names, **values;
	size_t nparams;
	char **headers; /* NULL-terminated */
	char *first_url;
	char *cur_url;
	struct graph_list_cb cb;
	uint64_t *seen; /* hashes of nextLinks followed */
	size_t nseen;
	int refetched;
	int restarts;
	int top_retries;
	int flags; /* GRAPH_LIST_* */
	int select_retries;
	char *signin_refused; /* the 403 that dropped it */
};

struct graph *
graph_new(struct http *h, struct http_auth *auth, const char *base_url)
{
	struct graph *g = xcalloc(1, sizeof(*g));

	g->h = h;
	g->auth = auth;
	g->base = xstrdup(base_url);
	return g;
}

void
graph_free(struct graph *g)
{
	if (g == NULL)
		return;
	free(g->base);
	free(g);
}

void
graph_header(const char *name, const char *value, struct http_window *w,
    char **request_id)
{
	(void)w;
	if (strcmp(name, "request-id") == 0) {
		free(*request_id);
		*request_id = xstrdup(value);
	}
}

unsigned long
graph_requests(const struct graph *g, unsigned long *member_batches)
{
	*member_batches = g->member_requests;
	return g->requests;
}

char *
graph_error_text(const struct graph_error *e)
{
	struct buf b;

	buf_init(&b);
	if (e->status == 0)
		buf_puts(&b, e->message != NULL ? e->message : "no answer");
	else
		buf_printf(&b, "HTTP %ld", e->status);
	if (e->status != 0 && e->code != NULL)
		buf_printf(&b, ": %s", e->code);
	if (e->status != 0 && e->message != NULL)
		buf_printf(&b, ": %s", e->message);
	if (e->request_id != NULL)
		buf_printf(&b, " (request-id %s)", e->request_id);
	return buf_detach(&b);
}

/*
 * The code, message and request-id of Graph's error envelope body
 * ({"error":{"code","message","innerError":{"request-id"}}}) into e,
 * pointing into body; what is absent is left as it was.
 */
static void
error_fields(struct graph_error *e, const cJSON *body)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	const cJSON *rid = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(err, "innerError"), "request-id");

	if (cJSON_IsString(code))
		e->code = code->valuestring;
	if (cJSON_IsString(msg))
		e->message = msg->valuestring;
	if (cJSON_IsString(rid))
		e->request_id = rid->valuestring;
}

/*
 * Fill e from an error reply; strings point into *json (the caller frees
 * it with cJSON_Delete) or into r.
 */
static void
parse_error(struct graph_error *e, struct http_resp *r, cJSON **json)
{

	memset(e, 0, sizeof(*e));
	e->status = r->status;
	e->auth_failed = r->auth_failed;
	e->interrupted = r->interrupted;
	e->reported = r->reported;
	e->request_id = r->request_id;
	*json = NULL;
	if (r->status == 0) {
		e->message = r->error;
		return;
	}
	*json = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	error_fields(e, *json);
	if (e->code == NULL && e->message == NULL)
		e->message = r->body.len == 0 ? "empty reply" :
		    (r->content_type != NULL &&
			strstr(r->content_type, "html") != NULL) ?
						"HTML error page" :
						"not a Graph error";
}

/* An absolute URL's origin: scheme, host (pointers into the URL), port. */
struct origin {
	const char *scheme, *host;
	size_t slen, hlen;
	long port;
};

/*
 * Split url's origin into *o.  Returns -1 if url is not absolute, holds
 * user information, or names a port that is not a number.
 */
static int
origin_of(const char *url, struct origin *o)
{
	const char *p = strstr(url, "://"), *a, *end, *colon = NULL, *q;
	char *e;

	if (p == NULL || p == url ||
	    strspn(url,
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") != (size_t)(p - url))
		return -1;
	o->scheme = url;
	o->slen = (size_t)(p - url);
	a = p + 3;
	end = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(end - a)) != NULL)
		return -1;
	if (*a == '[') {
		if ((q = memchr(a, ']', (size_t)(end - a))) == NULL)
			return -1;
		if (q + 1 < end)
			colon = q + 1;
		q++;
	} else {
		colon = memchr(a, ':', (size_t)(end - a));
		q = colon != NULL ? colon : end;
	}
	o->host = a;
	o->hlen = (size_t)(q - a);
	if (o->hlen == 0 || (colon != NULL && *colon != ':'))
		return -1;
	if (colon == NULL || colon + 1 == end) {
		if (o->slen == 5 && strncasecmp(url, "https", 5) == 0)
			o->port = 443;
		else if (o->slen == 4 && strncasecmp(url, "http", 4) == 0)
			o->port = 80;
		else
			o->port = -1;
		return 0;
	}
	if (end - colon > 6 ||
	    strspn(colon + 1, "0123456789") != (size_t)(end - colon - 1))
		return -1;
	o->port = strtol(colon + 1, &e, 10);
	return 0;
}

int
graph_same_origin(const char *base, const char *link)
{
	struct origin a, b;

	if (base == NULL || link == NULL || origin_of(base, &a) == -1 ||
	    origin_of(link, &b) == -1)
		return 0;
	return a.slen == b.slen &&
	    strncasecmp(a.scheme, b.scheme, a.slen) == 0 && a.hlen == b.hlen &&
	    strncasecmp(a.host, b.host, a.hlen) == 0 && a.port == b.port;
}

/*
 * Note link among the *n nextLinks of one chain (hashes in *seen, grown
 * here, freed by the chain's owner).  Returns -1 if it was followed
 * already: the chain loops, and following it again would read the same
 * pages for ever.
 */
static int
seen_note(uint64_t **seen, size_t *n, const char *link)
{
	uint64_t hv = strset_hash(STRSET_HASH_INIT, link, strlen(link));
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*seen)[i] == hv)
			return -1;
	*seen = xreallocarray(*seen, *n + 1, sizeof(**seen));
	(*seen)[(*n)++] = hv;
	return 0;
}

static void
list_free(struct graph_list *l)
{
	free_strv(l->names, l->nparams);
	free_strv(l->values, l->nparams);
	free_strv(l->headers, STRV_NULL_ENDED);
	free(l->path);
	free(l->first_url);
	free(l->cur_url);
	free(l->seen);
	free(l->signin_refused);
	free(l);
}

static void fetch(struct graph_list *, const char *url);

static void
list_failed(struct graph_list *l, const struct graph_error *e, const char *text)
{
	l->cb.fail(l->cb.arg, l, e, text);
	list_free(l);
}

static char *build_url(struct graph_list *);
static void restart(struct graph_list *, int delivered);

/*
 * The page size a 400 names when Graph refuses a $top instead of capping
 * it ("Cannot query data for more than 120 users at a time", seen with
 * signInActivity in 2023: graph-schema.md), or 0.  The error code that
 * came with it is not on record (UNCONFIRMED): only the message is read.
 */
static long
refused_top(const struct graph_error *e)
{
	static const char lead[] = "Cannot query data for more than ";
	const char *p;
	char *end;
	long n;

	if (e->status != 400 || e->message == NULL ||
	    (p = strstr(e->message, lead)) == NULL)
		return 0;
	n = strtol(p + sizeof(lead) - 1, &end, 10);
	return end != p + sizeof(lead) - 1 && n > 0 && n < 1000 ? n : 0;
}

/*
 * Lower the listing's $top to n and read it again from the first page;
 * -1 when it asked for no more than n already (the 400 was about
 * something else) or after MAX_TOP_RETRIES.
 */
static int
retry_top(struct graph_list *l, long n)
{
	size_t i;
	int delivered = strcmp(l->cur_url, l->first_url) != 0;

	if (l->top_retries >= MAX_TOP_RETRIES)
		return -1;
	for (i = 0; i < l->nparams; i++)
		if (strcmp(l->names[i], "$top") == 0)
			break;
	if (i < l->nparams && strtol(l->values[i], NULL, 10) <= n)
		return -1;
	if (i == l->nparams) {
		l->names = xreallocarray(l->names, l->nparams + 2,
		    sizeof(char *));
		l->values = xreallocarray(l->values, l->nparams + 2,
		    sizeof(char *));
		l->names[l->nparams] = xstrdup("$top");
		l->values[l->nparams++] = NULL;
	}
	free(l->values[i]);
	l->values[i] = xasprintf("%ld", n);
	l->top_retries++;
	msg_warn("'%s': Graph serves at most %ld items a page here; reading "
		 "it with $top=%ld",
	    l->path, n, n);
	restart(l, delivered);
	return 0;
}

/*
 * Read the listing again from its first page, rebuilt from the query
 * parameters; delivered says pages were already handed over (the caller
 * is told, to drop what it would see twice).
 */
static void
restart(struct graph_list *l, int delivered)
{
	free(l->first_url);
	l->first_url = build_url(l);
	l->nseen = 0;
	if (delivered && l->cb.restart != NULL)
		l->cb.restart(l->cb.arg, l);
	fetch(l, l->first_url);
}

/* Drop field from the $select; 1 if it was there. */
static int
select_drop(struct graph_list *l, const char *field)
{
	size_t i;
	int found = 0, f;

	for (i = 0; i < l->nparams; i++) {
		char *v;

		if (strcmp(l->names[i], "$select") != 0 || l->values[i] == NULL)
			continue;
		v = csv_without(l->values[i], field, &f);
		free(l->values[i]);
		l->values[i] = v;
		found |= f;
	}
	return found;
}

/* The $select of the listing, or NULL. */
static const char *
select_of(const struct graph_list *l)
{
	size_t i;

	for (i = 0; i < l->nparams; i++)
		if (strcmp(l->names[i], "$select") == 0)
			return l->values[i];
	return NULL;
}

/*
 * Graph's refusals of a $select that the listing works around by reading
 * again without a property: signInActivity answered 403 (it needs an
 * Entra ID P1/P2 licence and AuditLog.Read.All; the users are read
 * without it, and warned about once that works, since a 403 that stays
 * was about something else), and, for a $select derived from the
 * mapping, a property Graph says it does not have (400 "Could not find a
 * property named 'x'": the mapping gets null for it, as it would).
 * Returns 1 when the listing restarted, else 0.
 */
static int
select_refused(struct graph_list *l, const struct graph_error *e,
    const char *text)
{
	int delivered = strcmp(l->cur_url, l->first_url) != 0;
	const char *q;
	char *f;

	if (l->select_retries >= MAX_SELECT_RETRIES)
		return 0;
	if (e->status == 403 && csv_has(select_of(l), "signInActivity")) {
		msg_info("'%s': HTTP 403 with signInActivity selected; trying "
			 "without it",
		    l->path);
		free(l->signin_refused);
		l->signin_refused = xstrdup(text);
		select_drop(l, "signInActivity");
		if (l->cb.dropped != NULL)
			l->cb.dropped(l->cb.arg, "signInActivity", text);
		l->select_retries++;
		restart(l, delivered);
		return 1;
	}
	if (e->status != 400 || !(l->flags & GRAPH_LIST_DERIVED_SELECT) ||
	    e->message == NULL ||
	    (q = strstr(e->message, "property named '")) == NULL)
		return 0;
	q += strlen("property named '");
	f = xstrndup(q, strcspn(q, "'"));
	if (!select_drop(l, f)) {
		free(f);
		return 0;
	}
	msg_warn("'%s': Graph has no property '%s'; it is left out of the "
		 "$select",
	    l->path, f);
	if (l->cb.dropped != NULL)
		l->cb.dropped(l->cb.arg, f, text);
	free(f);
	l->select_retries++;
	restart(l, delivered);
	return 1;
}

static void
page_done(void *arg, struct http_resp *r)
{
	struct graph_list *l = arg;
	struct graph_error e;
	cJSON *j;
	char *text;
	long n;

	if (r->status == 200) {
		if (l->signin_refused != NULL) {
			msg_warn(
			    "'%s': Graph refused signInActivity (%s); read "
			    "without it, so last sign-in times are empty (it "
			    "needs an Entra ID P1/P2 licence and "
			    "AuditLog.Read.All)",
			    l->path, l->signin_refused);
			free(l->signin_refused);
			l->signin_refused = NULL;
		}
		l->cb.page(l->cb.arg, l, buf_str(&r->body), r->body.len);
		return;
	}
	parse_error(&e, r, &j);
	text = graph_error_text(&e);
	if (((n = refused_top(&e)) > 0 && retry_top(l, n) == 0) ||
	    select_refused(l, &e, text)) {
		free(text);
		cJSON_Delete(j);
		return;
	}
	if (e.code != NULL &&
	    strcmp(e.code, "Directory_ExpiredPageToken") == 0 &&
	    l->restarts < MAX_RESTARTS) {
		l->restarts++;
		msg_warn("'%s': the page token expired; reading the whole "
			 "collection again",
		    l->path);
		cJSON_Delete(j);
		free(text);
		restart(l, 1);
		return;
	}
	list_failed(l, &e, text);
	free(text);
	cJSON_Delete(j);
}

static void
fetch(struct graph_list *l, const char *url)
{
	struct http_req_opts o;

	if (url != l->cur_url) {
		free(l->cur_url);
		l->cur_url = xstrdup(url);
	}
	l->refetched = 0;
	memset(&o, 0, sizeof(o));
	o.url = l->cur_url;
	o.headers = (const char *const *)l->headers;
	o.auth = l->g->auth;
	o.retry = HTTP_RETRY_ALL;
	/* Pages form a chain (each names the next): never let them wait
	 * behind member batches, which can run in any order. */
	o.urgent = 1;
	l->g->requests++;
	http_submit(l->g->h, &o, page_done, l);
	/* The caller maps the page it has just read after asking for the
	 * next one: send the request first, so that the chain's wait for
	 * Graph and that work overlap. */
	http_flush(l->g->h);
}

static char *
build_url(struct graph_list *l)
{
	struct buf b;
	size_t i;
	int first = 1;

	buf_init(&b);
	buf_printf(&b, "%s%s", l->g->base, l->path);
	for (i = 0; i < l->nparams; i++) {
		if (l->values[i] == NULL)
			continue;
		buf_putc(&b, first ? (strchr(l->path, '?') ? '&' : '?') : '&');
		first = 0;
		buf_puts(&b, l->names[i]);
		buf_putc(&b, '=');
		buf_urlenc(&b, l->values[i]);
	}
	return buf_detach(&b);
}

struct graph_list *
graph_list_start(struct graph *g, const char *path, const char *const *names,
    const char *const *values, size_t nparams, const char *const *headers,
    int flags, const struct graph_list_cb *cb)
{
	struct graph_list *l = xcalloc(1, sizeof(*l));
	size_t i, nh = 0;

	l->g = g;
	l->cb = *cb;
	l->flags = flags;
	l->path = xstrdup(path);
	l->nparams = nparams;
	l->names = xcalloc(nparams + 1, sizeof(char *));
	l->values = xcalloc(nparams + 1, sizeof(char *));
	for (i = 0; i < nparams; i++) {
		l->names[i] = xstrdup(names[i]);
		l->values[i] = xstrdup(values[i]);
	}
	while (headers != NULL && headers[nh] != NULL)
		nh++;
	l->headers = xcalloc(nh + 1, sizeof(char *));
	for (i = 0; i < nh; i++)
		l->headers[i] = xstrdup(headers[i]);
	l->first_url = build_url(l);
	fetch(l, l->first_url);
	return l;
}

void
graph_list_next(struct graph_list *l, const char *next)
{
	if (next == NULL) {
		l->cb.done(l->cb.arg, l);
		list_free(l);
		return;
	}
	if (!graph_same_origin(l->g->base, next)) {
		struct graph_error e = { 0 };
		struct origin o;
		char *t;

		if (origin_of(next, &o) == 0)
			t = xasprintf("a nextLink leads away from Graph (to "
				      "%.*s://%.*s); not followed",
			    (int)o.slen, o.scheme, (int)o.hlen, o.host);
		else
			t = xstrdup("a nextLink is not an absolute URL on "
				    "Graph's origin; not followed");
		list_failed(l, &e, t);
		free(t);
		return;
	}
	if (seen_note(&l->seen, &l->nseen, next) == -1) {
		struct graph_error e = { 0 };
		char *t = xasprintf("'%s': the same nextLink came back twice; "
				    "stopping instead of looping",
		    l->path);

		list_failed(l, &e, t);
		free(t);
		return;
	}
	fetch(l, next);
}

int
graph_list_refetch(struct graph_list *l)
{
	if (l->refetched)
		return -1;
	fetch(l, l->cur_url);
	l->refetched = 1;
	return 0;
}

void
graph_list_fail(struct graph_list *l, const char *text)
{
	struct graph_error e = { 0 };

	list_failed(l, &e, text);
}

/* Membership through $batch. */

struct mjob {
	size_t index;
	char *gid;   /* the group's id */
	char *first; /* the group's first member page */
	char *url;   /* relative, for the batch */
	int restarts;
	struct members *list; /* the members read so far */
	uint64_t *seen;       /* hashes of the nextLinks followed */
	size_t nseen;
	int tries;
	double waited; /* seconds of retry waits so far */
	int done;
};

struct mrun {
	struct graph *g;
	struct mjob *jobs;
	size_t njobs;
	size_t *ready; /* indices into jobs, FIFO ring */
	size_t rhead, rlen;
	size_t remaining;
	int inflight;
	graph_members_fn got;
	void (*done)(void *);
	void *arg;
};

struct mbatch {
	struct mrun *m;
	size_t jobs[BATCH_MAX];
	size_t n;
};

static void mdispatch(struct mrun *);

static void
ready_push(struct mrun *m, size_t j)
{
	m->ready[(m->rhead + m->rlen) % m->njobs] = j;
	m->rlen++;
}

static void
mjob_finish(struct mrun *m, struct mjob *j, const struct graph_error *e)
{
	j->done = 1;
	m->got(m->arg, j->index, e == NULL ? j->list : NULL, e);
	members_free(j->list);
	j->list = NULL;
	free(j->seen);
	j->seen = NULL;
	free(j->url);
	free(j->first);
	free(j->gid);
	j->url = j->first = j->gid = NULL;
	m->remaining--;
}

static void
mrun_end(struct mrun *m)
{
	void (*done)(void *) = m->done;
	void *arg = m->arg;

	free(m->jobs);
	free(m->ready);
	free(m);
	done(arg);
}

/*
 * Make a nextLink (on Graph's origin: member_page_check saw to it)
 * relative to the version root, as $batch wants.
 */
static char *
relative(struct graph *g, const char *link)
{
	size_t bl = strlen(g->base);
	const char *p;

	if (strncmp(link, g->base, bl) == 0 && link[bl] == '/')
		return xstrdup(link + bl);
	if ((p = strstr(link, "://")) != NULL &&
	    (p = strchr(p + 3, '/')) != NULL &&
	    (p = strchr(p + 1, '/')) != NULL)
		return xstrdup(p);
	return xstrdup(link);
}

/*
 * Whether body is the proof of one page of a member list: a "value"
 * array of objects that all have an id, and no nextLink or one on
 * Graph's origin.  Returns NULL if it is, else what is wrong.
 */
static const char *
member_page_check(const struct graph *g, const cJSON *body)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(body, "value");
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(body,
	    "@odata.nextLink");
	const cJSON *item, *id;

	if (!cJSON_IsArray(value))
		return "a member page without a \"value\" array";
	cJSON_ArrayForEach(item, value) {
		id = cJSON_GetObjectItemCaseSensitive(item, "id");
		if (!cJSON_IsString(id) || id->valuestring[0] == '\0')
			return "a member without an id";
	}
	if (next != NULL && !cJSON_IsString(next))
		return "a member page whose nextLink is not a string";
	if (next != NULL && !graph_same_origin(g->base, next->valuestring))
		return "a member page whose nextLink leads away from Graph";
	return NULL;
}

/*
 * Append the members of a checked page to j's list: the id, and the
 * "@odata.type" when it is a string (else the member has none).
 */
static void
member_append(struct mjob *j, const cJSON *body)
{
	const cJSON *item;

	cJSON_ArrayForEach(item,
	    cJSON_GetObjectItemCaseSensitive(body, "value")) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(item,
		    "@odata.type");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");

		members_add(j->list, cJSON_IsString(t) ? t->valuestring : NULL,
		    id->valuestring, strlen(id->valuestring));
	}
}

/* Read j's members again from the first page, dropping what was read. */
static void
mjob_restart(struct mrun *m, struct mjob *j)
{
	free(j->url);
	j->url = xstrdup(j->first);
	members_reset(j->list);
	j->nseen = 0;
	ready_push(m, (size_t)(j - m->jobs));
}

/* After a job finished or was queued outside a batch reply: go on. */
static void
mrun_next(struct mrun *m)
{
	if (m->remaining == 0 && m->inflight == 0)
		mrun_end(m);
	else
		mdispatch(m);
}

struct confirm {
	struct mrun *m;
	size_t job;
};

/*
 * The answer to GET /groups/{id} after the group's member list answered
 * 404: a second 404 proves the group gone; a group that is there has its
 * members read again (a few times); anything else fails the group.
 */
static void
confirm_done(void *arg, struct http_resp *r)
{
	struct confirm *c = arg;
	struct mrun *m = c->m;
	struct mjob *j = &m->jobs[c->job];
	struct graph_error e;
	cJSON *ej = NULL;

	free(c);
	if (r->status == 200 && j->restarts++ < MAX_RESTARTS) {
		mjob_restart(m, j);
	} else {
		parse_error(&e, r, &ej);
		if (r->status == 200) {
			e.status = 404;
			e.code = "Request_ResourceNotFound";
			e.message =
			    "the member list answered 404, but the group "
			    "is there";
		} else if (r->status == 404 && e.code != NULL &&
		    strcmp(e.code, "Request_ResourceNotFound") == 0) {
			e.vanished = 1;
		}
		mjob_finish(m, j, &e);
		cJSON_Delete(ej);
	}
	mrun_next(m);
}

/* Ask whether the group of job j is still there (its list said 404). */
static void
confirm(struct mrun *m, struct mjob *j)
{
	struct confirm *c = xcalloc(1, sizeof(*c));
	struct http_req_opts o;
	struct buf u;

	c->m = m;
	c->job = (size_t)(j - m->jobs);
	buf_init(&u);
	buf_printf(&u, "%s/groups/", m->g->base);
	buf_urlenc(&u, j->gid);
	buf_puts(&u, "?$select=id");
	memset(&o, 0, sizeof(o));
	o.url = buf_str(&u);
	o.auth = m->g->auth;
	o.retry = HTTP_RETRY_ALL;
	m->g->requests++;
	http_submit(m->g->h, &o, confirm_done, c);
	buf_release(&u);
}

static const char *
sub_header(const cJSON *headers, const char *name)
{
	const cJSON *h;

	cJSON_ArrayForEach(h, headers)
		if (h->string != NULL && strcasecmp(h->string, name) == 0 &&
		    cJSON_IsString(h))
			return h->valuestring;
	return NULL;
}

/*
 * One sub-response of a $batch reply for job j.  *backoff grows to the
 * longest Retry-After seen; *expired is set when a sub-request met an
 * expired token (the batch's own status was 200, so the engine's 401
 * refresh never saw it).
 */
static void
sub_response(struct mrun *m, struct mjob *j, const cJSON *resp, double *backoff,
    int *expired)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(resp, "status");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(resp, "body");
	const cJSON *next;
	const char *bad = NULL;
	long status = cJSON_IsNumber(st) && st->valuedouble >= 100 &&
		st->valuedouble < 600 ?
	    (long)st->valuedouble :
	    0;
	struct graph_error e = { 0 };

	if (status == 200 && (bad = member_page_check(m->g, body)) == NULL) {
		next = cJSON_GetObjectItemCaseSensitive(body,
		    "@odata.nextLink");
		/* A chain that loops would add the same members for ever. */
		if (next != NULL &&
		    seen_note(&j->seen, &j->nseen, next->valuestring) == -1) {
			e.status = status;
			e.message = "a member page nextLink came back "
				    "twice; stopping instead of looping";
			mjob_finish(m, j, &e);
			return;
		}
		member_append(j, body);
		if (next != NULL) {
			free(j->url);
			j->url = relative(m->g, next->valuestring);
			j->tries = 0;
			j->waited = 0;
			ready_push(m, (size_t)(j - m->jobs));
		} else {
			mjob_finish(m, j, NULL);
		}
		return;
	}
	if (status == 401 && ++j->tries < JOB_TRIES) {
		*expired = 1;
		ready_push(m, (size_t)(j - m->jobs));
		return;
	}
	/* A 200 that proves nothing is asked for again, as a 5xx is, under
	 * the engine's retry policy. */
	if (status == 429 || status >= 500 || status == 0 || bad != NULL) {
		double ra = http_retry_wait(m->g->h, ++j->tries,
		    sub_header(cJSON_GetObjectItemCaseSensitive(resp,
				   "headers"),
			"Retry-After"),
		    j->waited);

		if (ra >= 0) {
			if (bad != NULL)
				msg_debug(
				    "$batch: group '%s': %s; asking again",
				    j->gid, bad);
			j->waited += ra;
			if (ra > *backoff)
				*backoff = ra;
			ready_push(m, (size_t)(j - m->jobs));
			return;
		}
	}
	e.status = status;
	e.message = bad != NULL ? bad : "member list failed";
	if (bad == NULL)
		error_fields(&e, body);
	/* An expired page token: read this group's members again from the
	 * first page, dropping what was gathered. */
	if (e.code != NULL &&
	    strcmp(e.code, "Directory_ExpiredPageToken") == 0 &&
	    j->restarts++ < MAX_RESTARTS) {
		mjob_restart(m, j);
		return;
	}
	/* Gone, or a routing fault?  Only Graph's own answer for the group
	 * tells: ask it. */
	if (status == 404 && e.code != NULL &&
	    strcmp(e.code, "Request_ResourceNotFound") == 0) {
		confirm(m, j);
		return;
	}
	mjob_finish(m, j, &e);
}

static void
batch_done(void *arg, struct http_resp *r)
{
	struct mbatch *b = arg;
	struct mrun *m = b->m;
	cJSON *json = NULL;
	const cJSON *resp;
	double backoff = 0;
	size_t i;
	int expired = 0;
	int *answered = xcalloc(b->n, sizeof(int));

	m->inflight--;
	if (r->status == 200)
		json = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	cJSON_ArrayForEach(resp,
	    cJSON_GetObjectItemCaseSensitive(json, "responses")) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(resp, "id");
		char *end;
		unsigned long k;

		/* The ids are the job numbers the batch was sent with. */
		if (!cJSON_IsString(id) || *id->valuestring < '0' ||
		    *id->valuestring > '9')
			continue;
		k = strtoul(id->valuestring, &end, 10);
		for (i = 0; i < b->n && *end == '\0'; i++)
			if (b->jobs[i] == k && !answered[i]) {
				answered[i] = 1;
				sub_response(m, &m->jobs[k], resp, &backoff,
				    &expired);
				break;
			}
	}
	/* Sub-requests without an answer (whole batch failed, or a reply
	 * that lost some) fail with the batch's status. */
	for (i = 0; i < b->n; i++) {
		struct graph_error e;
		cJSON *ej;
		char *t;

		if (answered[i])
			continue;
		parse_error(&e, r, &ej);
		if (r->status == 200) {
			e.status = 0;
			e.message = "no answer for this request in the $batch "
				    "reply";
		}
		if (!e.reported && r->status == 200 &&
		    ++m->jobs[b->jobs[i]].tries < JOB_TRIES) {
			ready_push(m, b->jobs[i]);
			cJSON_Delete(ej);
			continue;
		}
		t = graph_error_text(&e);
		msg_debug("$batch: %s", t);
		free(t);
		mjob_finish(m, &m->jobs[b->jobs[i]], &e);
		cJSON_Delete(ej);
	}
	free(answered);
	cJSON_Delete(json);
	free(b);
	if (expired && r->auth_used != NULL)
		m->g->auth->ops->invalidate(m->g->auth, r->auth_used);
	if (backoff > 0)
		http_host_backoff(m->g->h, m->g->base, backoff);
	mrun_next(m);
}

static void
mdispatch(struct mrun *m)
{
	while (m->rlen > 0 && m->inflight < MEMBER_BATCHES) {
		struct mbatch *b = xcalloc(1, sizeof(*b));
		struct http_req_opts o;
		struct buf body;
		char *url;
		static const char *const hdrs[] = {
			"Content-Type: application/json",
			"x-ms-throttle-priority: Low", NULL
		};

		b->m = m;
		buf_init(&body);
		buf_puts(&body, "{\"requests\":[");
		while (m->rlen > 0 && b->n < BATCH_MAX) {
			size_t k = m->ready[m->rhead];

			m->rhead = (m->rhead + 1) % m->njobs;
			m->rlen--;
			b->jobs[b->n++] = k;
			buf_printf(&body,
			    "%s{\"id\":\"%zu\",\"method\":\"GET\","
			    "\"url\":",
			    b->n > 1 ? "," : "", k);
			buf_json_str(&body, m->jobs[k].url,
			    strlen(m->jobs[k].url));
			buf_puts(&body,
			    ",\"headers\":{\"ConsistencyLevel\":"
			    "\"eventual\"}}");
		}
		buf_puts(&body, "]}");
		memset(&o, 0, sizeof(o));
		url = xasprintf("%s/$batch", m->g->base);
		o.method = "POST";
		o.url = url;
		o.headers = hdrs;
		o.body = body.data;
		o.body_len = body.len;
		o.auth = m->g->auth;
		/* A $batch is only reads: safe to send again whole. */
		o.retry = HTTP_RETRY_ALL;
		m->inflight++;
		m->g->requests++;
		m->g->member_requests++;
		http_submit(m->g->h, &o, batch_done, b);
		free(url);
		buf_release(&body);
	}
}

void
graph_members(struct graph *g, const char *const *ids, size_t n, int transitive,
    graph_members_fn got, void (*done)(void *), void *arg)
{
	struct mrun *m = xcalloc(1, sizeof(*m));
	size_t i;

	m->g = g;
	m->got = got;
	m->done = done;
	m->arg = arg;
	m->njobs = n;
	m->remaining = n;
	m->jobs = xcalloc(n + 1, sizeof(*m->jobs));
	m->ready = xcalloc(n + 1, sizeof(size_t));
	for (i = 0; i < n; i++) {
		struct buf u;

		buf_init(&u);
		buf_puts(&u, "/groups/");
		buf_urlenc(&u, ids[i]);
		buf_printf(&u, "/%s?$select=id&$top=999&$count=true",
		    transitive ? "transitiveMembers" : "members");
		m->jobs[i].index = i;
		m->jobs[i].gid = xstrdup(ids[i]);
		m->jobs[i].url = buf_detach(&u);
		m->jobs[i].first = xstrdup(m->jobs[i].url);
		m->jobs[i].list = members_new();
		ready_push(m, i);
	}
	if (n == 0) {
		mrun_end(m);
		return;
	}
	mdispatch(m);
}

const char *
graph_permission(const char *path, int members)
{
	static const struct {
		const char *path;
		const char *perm;
	} perms[] = {
		{ "/users", "User.Read.All" },
		{ "/groups", "Group.Read.All (or GroupMember.Read.All)" },
		{ "/applications", "Application.Read.All" },
		{ "/servicePrincipals", "Application.Read.All" },
		{ "/devices", "Device.Read.All" },
		{ "/contacts", "OrgContact.Read.All" },
	};
	size_t i, n;

	if (members)
		return "GroupMember.Read.All (or Group.Read.All)";
	for (i = 0; i < sizeof(perms) / sizeof(perms[0]); i++) {
		n = strlen(perms[i].path);
		if (strncmp(path, perms[i].path, n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' || path[n] == '?'))
			return perms[i].perm;
	}
	return "Directory.Read.All";
}
