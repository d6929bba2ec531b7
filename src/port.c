/*
 * The Port client.  Entities are buffered per blueprint into bulk upsert
 * bodies that are sent when they hold 20 entities or would pass 1 MiB;
 * 200 and 207 replies are matched to entities by index, and a 413 sends
 * the batch again one entity at a time.  Listing and deletion follow
 * Port's datasource ownership, the User-Agent of the writes.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "msg.h"
#include "port.h"
#include "xmalloc.h"

/*
 * UNDOCUMENTED ROUTES: what this client sends that Port's published
 * OpenAPI (port-labs/port-docs static/apispec.yaml, the subset in
 * tests/contracts/port-openapi-subset.yaml) does not list, each with
 * where it is known from.  Every other request goes to a route of the
 * spec with a body its schema accepts; tests/contracts/check_port.py
 * reads this table and fails on any route missing from both.
 *
 *   POST /v1/blueprints/entities/datasource-entities
 *	the owned-entity listing; Ocean's client, port_ocean/clients/port/
 *	mixins/entities.py (_search_entities_by_datasource_paginated);
 *	reference/port-api.md "Listing the integration's entities"
 *   POST /v1/integration
 *	registering the integration when GET /v1/integration/{id} is 404;
 *	port_ocean/clients/port/mixins/integrations.py; port-api.md
 *	section 6 "Create the integration"
 *   PATCH /v1/integration/{identifier}/resync-state
 *	the last-sync status shown in Port; port_ocean/core/handlers/
 *	resync_state_updater/updater.py; port-api.md "Report resync state"
 *   POST /v1/integration/{identifier}/kinds/{kind}/examples
 *	--send-examples; port_ocean/clients/port/mixins/integrations.py;
 *	port-api.md "Raw-data examples"
 *
 * END of the table.
 */

#define BULK_MAX     20
#define BODY_MAX     ((size_t)1 << 20)
#define BODY_MARGIN  ((size_t)16 << 10)
#define LIST_LIMIT   5000
#define SEARCH_LIMIT 1000
#define DELETE_MAX   100

struct batch {
	struct port *p;
	char *bp;
	struct buf body;
	char **ids;
	void **tags;
	size_t *off, *len; /* each entity's JSON inside body */
	size_t n;
	size_t left; /* single upserts still out (413) */
};

struct port {
	struct http *h;
	struct http_auth *auth;
	struct port_config cfg;
	char *base;
	char *ua;
	char *ua_header;
	char *query; /* upsert query string */
	port_result_fn result;
	void *arg;
	struct batch **open; /* one per blueprint */
	size_t nopen;
	size_t pending;  /* upserted, not yet answered */
	size_t gathered; /* of those, still in part-filled batches */
	unsigned long requests;
	int auth_failed;
	const char *rid; /* reply's X-Trace-Id, during results */
};

void
port_header(const char *name, const char *value, struct http_window *w,
    char **request_id)
{
	char *end;
	double v;

	if (strcmp(name, "x-trace-id") == 0) {
		free(*request_id);
		*request_id = xstrdup(value);
		return;
	}
	if (strncmp(name, "x-ratelimit-", 12) != 0)
		return;
	v = strtod(value, &end);
	if (end == value || *end != '\0' || !(v >= 0) || v > 1e12)
		return;
	if (strcmp(name + 12, "remaining") == 0)
		w->remaining = v;
	else if (strcmp(name + 12, "limit") == 0)
		w->limit = v;
	else if (strcmp(name + 12, "period") == 0)
		w->period = v;
	else if (strcmp(name + 12, "reset") == 0)
		w->reset = v > 10000 ?
		    (v - http_now() > 0 ? v - http_now() : 0) :
		    v;
}

struct port *
port_new(struct http *h, struct http_auth *auth, const struct port_config *c,
    port_result_fn result, void *arg)
{
	struct port *p = xcalloc(1, sizeof(*p));

	p->h = h;
	p->auth = auth;
	p->cfg = *c;
	p->base = xstrdup(c->base_url);
	p->ua = xasprintf("port-ocean/%s/%s/%s/exporter", c->type, c->version,
	    c->identifier);
	p->ua_header = xasprintf("User-Agent: %s", p->ua);
	p->query = xasprintf("upsert=true&merge=%s&"
			     "create_missing_related_entities=%s",
	    c->merge ? "true" : "false", c->create_missing ? "true" : "false");
	p->result = result;
	p->arg = arg;
	return p;
}

static void
batch_free(struct batch *b)
{
	free_strv(b->ids, b->n);
	free(b->tags);
	free(b->off);
	free(b->len);
	free(b->bp);
	buf_release(&b->body);
	free(b);
}

void
port_free(struct port *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nopen; i++)
		batch_free(p->open[i]);
	free(p->open);
	free(p->base);
	free(p->ua);
	free(p->ua_header);
	free(p->query);
	free(p);
}

unsigned long
port_requests(const struct port *p)
{
	return p->requests;
}

int
port_auth_failed(const struct port *p)
{
	return p->auth_failed;
}

const char *
port_request_id(const struct port *p)
{
	return p->rid;
}

size_t
port_pending(const struct port *p)
{
	return p->pending - p->gathered;
}

/*
 * Submit a request to Port with the ownership User-Agent.  kept: body is
 * the caller's, as it is until done is called (a batch's), not copied.
 */
static void
submit_kept(struct port *p, const char *method, const char *url,
    const char *body, size_t len, int kept, enum http_retry retry,
    http_done_fn done, void *arg)
{
	struct http_req_opts o;
	const char *hdrs[3];

	hdrs[0] = p->ua_header;
	hdrs[1] = body != NULL ? "Content-Type: application/json" : NULL;
	hdrs[2] = NULL;
	memset(&o, 0, sizeof(o));
	o.method = method;
	o.url = url;
	o.headers = hdrs;
	o.body = body;
	o.body_len = len;
	o.body_kept = kept;
	o.auth = p->auth;
	o.retry = retry;
	p->requests++;
	http_submit(p->h, &o, done, arg);
}

/* The same with the body copied. */
static void
submit(struct port *p, const char *method, const char *url, const char *body,
    size_t len, enum http_retry retry, http_done_fn done, void *arg)
{
	submit_kept(p, method, url, body, len, 0, retry, done, arg);
}

static char *
bp_url(struct port *p, const char *bp, const char *suffix)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s/v1/blueprints/", p->base);
	buf_urlenc(&b, bp);
	buf_puts(&b, suffix);
	return buf_detach(&b);
}

/*
 * The error code and message of a Port error reply, or of the transport
 * failure; *code and *msg point into *json or r, or are static.
 */
static void
reply_error(struct http_resp *r, cJSON **json, const char **code,
    const char **msg)
{
	const cJSON *e, *m;
	static char status[32];

	*json = NULL;
	if (r->status == 0) {
		*code = r->auth_failed ? "auth_failed" :
		    r->interrupted     ? "interrupted" :
					 "unreachable";
		*msg = r->error != NULL ? r->error : "no answer";
		return;
	}
	*json = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	e = cJSON_GetObjectItemCaseSensitive(*json, "error");
	m = cJSON_GetObjectItemCaseSensitive(*json, "message");
	snprintf(status, sizeof(status), "http_%ld", r->status);
	*code = cJSON_IsString(e) ? e->valuestring : status;
	*msg = cJSON_IsString(m) ? m->valuestring :
	    r->body.len == 0     ? "empty reply" :
				   "unexpected reply";
}

static void
entity_result(struct batch *b, size_t i, int ok, const char *code,
    const char *msg)
{
	struct port *p = b->p;

	p->pending--;
	p->result(p->arg, b->tags[i], b->bp, b->ids[i], ok, code, msg);
}

struct single {
	struct batch *b;
	size_t i;
};

static void
single_done(void *arg, struct http_resp *r)
{
	struct single *s = arg;
	struct batch *b = s->b;
	cJSON *j;
	const char *code, *msg;

	b->p->rid = r->request_id;
	if (r->status == 200 || r->status == 201) {
		entity_result(b, s->i, 1, NULL, NULL);
	} else {
		reply_error(r, &j, &code, &msg);
		if (r->auth_failed)
			b->p->auth_failed = 1;
		entity_result(b, s->i, 0, code, msg);
		cJSON_Delete(j);
	}
	b->p->rid = NULL;
	free(s);
	if (--b->left == 0)
		batch_free(b);
}

/* 413: the batch is too big for Port; send its entities one by one. */
static void
send_singles(struct batch *b)
{
	char *url = bp_url(b->p, b->bp, "/entities?");
	char *full = xasprintf("%s%s", url, b->p->query);
	size_t i;

	b->left = b->n;
	for (i = 0; i < b->n; i++) {
		struct single *s = xcalloc(1, sizeof(*s));

		s->b = b;
		s->i = i;
		submit_kept(b->p, "POST", full, b->body.data + b->off[i],
		    b->len[i], 1, HTTP_RETRY_ALL, single_done, s);
	}
	free(url);
	free(full);
}

/* A reply's "index": a whole number below n, compared before the cast
 * (Port's reply is not ours: 1e300 must not overflow). */
static int
valid_index(const cJSON *ix, size_t n, size_t *k)
{
	if (!cJSON_IsNumber(ix) || !(ix->valuedouble >= 0) ||
	    ix->valuedouble >= (double)n ||
	    ix->valuedouble != (double)(size_t)ix->valuedouble)
		return 0;
	*k = (size_t)ix->valuedouble;
	return 1;
}

static void
bulk_done(void *arg, struct http_resp *r)
{
	struct batch *b = arg;
	cJSON *j = NULL;
	const cJSON *it;
	const char *code, *msg;
	char *seen;
	size_t i;

	if (r->status == 413) {
		msg_info("'%s': bulk request too large for Port (413); sending "
			 "its %zu entities one by one",
		    b->bp, b->n);
		send_singles(b);
		return;
	}
	b->p->rid = r->request_id;
	if (r->status != 200 && r->status != 207) {
		reply_error(r, &j, &code, &msg);
		if (r->auth_failed)
			b->p->auth_failed = 1;
		for (i = 0; i < b->n; i++)
			entity_result(b, i, 0, code, msg);
		b->p->rid = NULL;
		cJSON_Delete(j);
		batch_free(b);
		return;
	}
	seen = xcalloc(b->n + 1, 1);
	j = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "errors")) {
		const cJSON *ix = cJSON_GetObjectItemCaseSensitive(it, "index");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(it, "error");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it,
		    "message");
		size_t k;

		if (!valid_index(ix, b->n, &k) || seen[k])
			continue;
		seen[k] = 1;
		entity_result(b, k, 0,
		    cJSON_IsString(e) ? e->valuestring : "error",
		    cJSON_IsString(m) ? m->valuestring : "rejected");
	}
	cJSON_ArrayForEach(it,
	    cJSON_GetObjectItemCaseSensitive(j, "entities")) {
		const cJSON *ix = cJSON_GetObjectItemCaseSensitive(it, "index");
		size_t k;

		if (!valid_index(ix, b->n, &k) || seen[k])
			continue;
		seen[k] = 1;
		entity_result(b, k, 1, NULL, NULL);
	}
	/* An entity the reply does not mention was not confirmed. */
	for (i = 0; i < b->n; i++)
		if (!seen[i])
			entity_result(b, i, 0, "no_result",
			    "Port's reply did not mention this entity");
	b->p->rid = NULL;
	free(seen);
	cJSON_Delete(j);
	batch_free(b);
}

static void
send_batch(struct port *p, struct batch *b)
{
	char *url = bp_url(p, b->bp, "/entities/bulk?");
	char *full = xasprintf("%s%s", url, p->query);

	buf_puts(&b->body, "]}");
	/* Bulk upserts are idempotent: retried whole. */
	/* The batch outlives its request: bulk_done or its singles free it. */
	submit_kept(p, "POST", full, b->body.data, b->body.len, 1,
	    HTTP_RETRY_ALL, bulk_done, b);
	free(url);
	free(full);
}

static struct batch *
open_batch(struct port *p, const char *bp)
{
	struct batch *b;
	size_t i;

	for (i = 0; i < p->nopen; i++)
		if (strcmp(p->open[i]->bp, bp) == 0)
			return p->open[i];
	b = xcalloc(1, sizeof(*b));
	b->p = p;
	b->bp = xstrdup(bp);
	buf_init(&b->body);
	buf_puts(&b->body, "{\"entities\":[");
	b->ids = xcalloc(BULK_MAX, sizeof(char *));
	b->tags = xcalloc(BULK_MAX, sizeof(void *));
	b->off = xcalloc(BULK_MAX, sizeof(size_t));
	b->len = xcalloc(BULK_MAX, sizeof(size_t));
	p->open = xreallocarray(p->open, p->nopen + 1, sizeof(*p->open));
	p->open[p->nopen++] = b;
	return b;
}

static void
close_batch(struct port *p, struct batch *b)
{
	size_t i;

	for (i = 0; i < p->nopen; i++)
		if (p->open[i] == b) {
			p->open[i] = p->open[--p->nopen];
			break;
		}
	p->gathered -= b->n;
	send_batch(p, b);
}

void
port_upsert(struct port *p, void *tag, const char *bp, const char *id,
    const char *json, size_t len)
{
	struct batch *b = open_batch(p, bp);

	if (b->n > 0 && b->body.len + len + 3 > BODY_MAX - BODY_MARGIN) {
		close_batch(p, b);
		b = open_batch(p, bp);
	}
	if (b->n > 0)
		buf_putc(&b->body, ',');
	b->off[b->n] = b->body.len;
	b->len[b->n] = len;
	buf_append(&b->body, json, len);
	b->ids[b->n] = xstrdup(id);
	b->tags[b->n] = tag;
	b->n++;
	p->pending++;
	p->gathered++;
	if (b->n == BULK_MAX)
		close_batch(p, b);
}

void
port_flush(struct port *p)
{
	while (p->nopen > 0)
		close_batch(p, p->open[0]);
}

/* --init: create missing blueprints in three stages. */

struct init {
	struct port *p;
	cJSON *bps; /* the array */
	int *missing;
	int n;
	int outstanding;
	int stage; /* 0 get, 1 bare, 2 relations, 3 full */
	int failed;
	void (*done)(void *, int);
	void *arg;
};

struct init_req {
	struct init *in;
	int k;
};

static void init_stage(struct init *);

static const char *
bp_id(const cJSON *bp)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(bp, "identifier");

	return cJSON_IsString(id) ? id->valuestring : "?";
}

static void
init_reply(void *arg, struct http_resp *r)
{
	struct init_req *ir = arg;
	struct init *in = ir->in;
	const cJSON *bp = cJSON_GetArrayItem(in->bps, ir->k);
	cJSON *j;
	const char *code, *msg;

	if (in->stage == 0) {
		if (r->status == 404)
			in->missing[ir->k] = 1;
		else if (r->status != 200)
			goto bad;
	} else if (in->stage == 1 && r->status == 409) {
		/* Created meanwhile by someone else: theirs, leave it. */
		in->missing[ir->k] = 0;
	} else if (r->status != 200 && r->status != 201) {
		goto bad;
	}
	goto out;
bad:
	reply_error(r, &j, &code, &msg);
	if (r->auth_failed)
		in->p->auth_failed = 1;
	else
		msg_error("cannot %s blueprint '%s': HTTP %ld: %s: %s",
		    in->stage == 0     ? "read" :
			in->stage == 1 ? "create" :
					 "update",
		    bp_id(bp), r->status, code, msg);
	cJSON_Delete(j);
	in->failed = 1;
out:
	free(ir);
	if (--in->outstanding == 0) {
		in->stage++;
		init_stage(in);
	}
}

/* The blueprint as sent at a stage: bare, with relations, or full. */
static char *
staged(const cJSON *bp, int stage)
{
	static const char *const extra[] = { "calculationProperties",
		"mirrorProperties", "aggregationProperties", NULL };
	cJSON *c = cJSON_Duplicate(bp, 1);
	char *s;
	int i;

	if (stage == 1) {
		cJSON_DeleteItemFromObjectCaseSensitive(c, "relations");
		cJSON_DeleteItemFromObjectCaseSensitive(c, "teamInheritance");
		cJSON_DeleteItemFromObjectCaseSensitive(c, "ownership");
	}
	if (stage <= 2)
		for (i = 0; extra[i] != NULL; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(c, extra[i]);
	s = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return s;
}

static int
nonempty(const cJSON *bp, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(bp, key);

	return v != NULL && !cJSON_IsNull(v) &&
	    !(cJSON_IsObject(v) && v->child == NULL);
}

/* Stage 2 adds relations (and team inheritance, ownership); stage 3 the
 * calculated, mirror and aggregation properties: skip what is empty. */
static int
stage_needed(const cJSON *bp, int stage)
{
	if (stage == 2)
		return nonempty(bp, "relations") ||
		    nonempty(bp, "teamInheritance") ||
		    nonempty(bp, "ownership");
	return nonempty(bp, "calculationProperties") ||
	    nonempty(bp, "mirrorProperties") ||
	    nonempty(bp, "aggregationProperties");
}

static void
init_stage(struct init *in)
{
	int k;

	if (in->failed || in->stage > 3) {
		void (*done)(void *, int) = in->done;
		void *arg = in->arg;
		int rc = in->failed ? -1 : 0;

		cJSON_Delete(in->bps);
		free(in->missing);
		free(in);
		done(arg, rc);
		return;
	}
	in->outstanding = 1; /* hold the stage open while submitting */
	for (k = 0; k < in->n; k++) {
		const cJSON *bp = cJSON_GetArrayItem(in->bps, k);
		struct init_req *ir;
		char *url, *body = NULL;

		if (in->stage > 0 && !in->missing[k])
			continue;
		if (in->stage > 1 && !stage_needed(bp, in->stage))
			continue;
		ir = xcalloc(1, sizeof(*ir));
		ir->in = in;
		ir->k = k;
		in->outstanding++;
		if (in->stage == 0) {
			url = bp_url(in->p, bp_id(bp), "");
			submit(in->p, "GET", url, NULL, 0, HTTP_RETRY_ALL,
			    init_reply, ir);
		} else if (in->stage == 1) {
			msg_info("creating blueprint '%s'", bp_id(bp));
			url = xasprintf("%s/v1/blueprints", in->p->base);
			body = staged(bp, 1);
			submit(in->p, "POST", url, body, strlen(body),
			    HTTP_RETRY_NONE, init_reply, ir);
		} else {
			url = bp_url(in->p, bp_id(bp), "");
			body = staged(bp, in->stage);
			submit(in->p, "PATCH", url, body, strlen(body),
			    HTTP_RETRY_NONE, init_reply, ir);
		}
		free(url);
		free(body);
	}
	if (--in->outstanding == 0) {
		in->stage++;
		init_stage(in);
	}
}

void
port_init_blueprints(struct port *p, const char *json,
    void (*done)(void *, int), void *arg)
{
	struct init *in = xcalloc(1, sizeof(*in));

	in->p = p;
	in->bps = cJSON_Parse(json);
	in->n = cJSON_GetArraySize(in->bps);
	in->missing = xcalloc((size_t)in->n + 1, sizeof(int));
	in->done = done;
	in->arg = arg;
	init_stage(in);
}

/* Listing what the integration owns. */

struct listing {
	struct port *p;
	char *before;
	char **bps;
	size_t nbps;
	size_t cur; /* blueprint, in the fallback */
	int fallback;
	char **include; /* state read: fields wanted */
	size_t ninclude;
	port_state_fn each_state;
	port_owned_fn each;
	void (*done)(void *, int);
	void *arg;
};

static void list_page(struct listing *, const char *from);

static void
listing_end(struct listing *l, int rc)
{
	free_strv(l->bps, l->nbps);
	free_strv(l->include, l->ninclude);
	free(l->before);
	l->done(l->arg, rc);
	free(l);
}

static void
list_reply(void *arg, struct http_resp *r)
{
	struct listing *l = arg;
	cJSON *j = NULL;
	const cJSON *it, *next;
	const char *code, *msg;

	if (r->status == 404 && !l->fallback) {
		/* The datasource route is not public (UNCONFIRMED): fall
		 * back to the documented per-blueprint search. */
		msg_info("Port has no datasource listing; searching each "
			 "blueprint instead");
		l->fallback = 1;
		l->cur = 0;
		list_page(l, NULL);
		return;
	}
	if (r->status == 404 && l->each_state != NULL) {
		/* The blueprint does not exist: the caller knows what to say
		 * (once for all of them). */
		listing_end(l, -2);
		return;
	}
	if (r->status != 200) {
		reply_error(r, &j, &code, &msg);
		if (r->auth_failed)
			l->p->auth_failed = 1; /* auth reported it */
		else
			msg_error("cannot list the entities this integration "
				  "owns: %s%s%s",
			    r->status ? code : "", r->status ? ": " : "", msg);
		cJSON_Delete(j);
		listing_end(l, -1);
		return;
	}
	j = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	it = cJSON_GetObjectItemCaseSensitive(j, "entities");
	if (!cJSON_IsArray(it)) {
		msg_error("cannot read the entities this integration owns: "
			  "the reply has no entities array");
		cJSON_Delete(j);
		listing_end(l, -1);
		return;
	}
	cJSON_ArrayForEach(it, it) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it,
		    "identifier");
		const cJSON *bp = cJSON_GetObjectItemCaseSensitive(it,
		    "blueprint");
		const char *bps = cJSON_IsString(bp) ? bp->valuestring :
		    l->fallback                      ? l->bps[l->cur] :
						       NULL;

		const cJSON *ds = cJSON_GetObjectItemCaseSensitive(it,
		    "$datasource");

		/* Search identifiers (objects) are never deleted. */
		if (!cJSON_IsString(id) || bps == NULL)
			continue;
		if (l->each_state != NULL)
			l->each_state(l->arg, bps, id->valuestring, it);
		else
			l->each(l->arg, bps, id->valuestring,
			    cJSON_IsString(ds) ? ds->valuestring : NULL);
	}
	next = cJSON_GetObjectItemCaseSensitive(j, "next");
	if (cJSON_IsString(next) && next->valuestring[0] != '\0') {
		char *n = xstrdup(next->valuestring);

		cJSON_Delete(j);
		list_page(l, n);
		free(n);
		return;
	}
	cJSON_Delete(j);
	if (l->fallback && ++l->cur < l->nbps) {
		list_page(l, NULL);
		return;
	}
	listing_end(l, 0);
}

static void
list_page(struct listing *l, const char *from)
{
	struct port *p = l->p;
	cJSON *body = cJSON_CreateObject(), *q, *rules, *rule;
	char *url, *text;
	char *prefix = xasprintf("port-ocean/%s/", p->cfg.type);
	char *suffix = xasprintf("/%s/exporter", p->cfg.identifier);
	cJSON *inc;
	size_t i;

	if (l->fallback && l->cur >= l->nbps) {
		cJSON_Delete(body);
		free(prefix);
		free(suffix);
		listing_end(l, 0);
		return;
	}
	if (!l->fallback) {
		url = xasprintf("%s/v1/blueprints/entities/datasource-entities",
		    p->base);
		cJSON_AddStringToObject(body, "datasource_prefix", prefix);
		cJSON_AddStringToObject(body, "datasource_suffix", suffix);
		cJSON_AddNumberToObject(body, "limit", LIST_LIMIT);
		if (l->before != NULL)
			cJSON_AddStringToObject(body, "before", l->before);
	} else {
		url = bp_url(p, l->bps[l->cur], "/entities/search");
		q = cJSON_AddObjectToObject(body, "query");
		cJSON_AddStringToObject(q, "combinator", "and");
		rules = cJSON_AddArrayToObject(q, "rules");
		rule = cJSON_CreateObject();
		cJSON_AddStringToObject(rule, "property", "$datasource");
		cJSON_AddStringToObject(rule, "operator", "contains");
		cJSON_AddStringToObject(rule, "value", prefix);
		cJSON_AddItemToArray(rules, rule);
		rule = cJSON_CreateObject();
		cJSON_AddStringToObject(rule, "property", "$datasource");
		cJSON_AddStringToObject(rule, "operator", "contains");
		cJSON_AddStringToObject(rule, "value", suffix);
		cJSON_AddItemToArray(rules, rule);
		inc = cJSON_AddArrayToObject(body, "include");
		cJSON_AddItemToArray(inc, cJSON_CreateString("identifier"));
		/* The owner, for the caller to check: whether Port honours
		 * $datasource rules on this route is UNCONFIRMED. */
		if (l->each != NULL)
			cJSON_AddItemToArray(inc,
			    cJSON_CreateString("$datasource"));
		for (i = 0; i < l->ninclude; i++)
			cJSON_AddItemToArray(inc,
			    cJSON_CreateString(l->include[i]));
		cJSON_AddNumberToObject(body, "limit", SEARCH_LIMIT);
	}
	if (from != NULL)
		cJSON_AddStringToObject(body, "from", from);
	text = cJSON_PrintUnformatted(body);
	submit(p, "POST", url, text, strlen(text), HTTP_RETRY_ALL, list_reply,
	    l);
	cJSON_free(text);
	cJSON_Delete(body);
	free(url);
	free(prefix);
	free(suffix);
}

void
port_list_owned(struct port *p, const char *before, const char *const *bps,
    size_t nbps, port_owned_fn each, void (*done)(void *, int), void *arg)
{
	struct listing *l = xcalloc(1, sizeof(*l));
	size_t i;

	l->p = p;
	l->before = before != NULL ? xstrdup(before) : NULL;
	l->bps = xcalloc(nbps + 1, sizeof(char *));
	for (i = 0; i < nbps; i++)
		l->bps[i] = xstrdup(bps[i]);
	l->nbps = nbps;
	l->each = each;
	l->done = done;
	l->arg = arg;
	list_page(l, NULL);
}

void
port_read_state(struct port *p, const char *bp, const char *const *include,
    size_t ninclude, port_state_fn each, void (*done)(void *, int), void *arg)
{
	struct listing *l = xcalloc(1, sizeof(*l));
	size_t i;

	l->p = p;
	l->before = xstrdup("");
	l->bps = xcalloc(2, sizeof(char *));
	l->bps[0] = xstrdup(bp);
	l->nbps = 1;
	l->fallback = 1; /* the documented per-blueprint search */
	l->include = xcalloc(ninclude + 1, sizeof(char *));
	for (i = 0; i < ninclude; i++)
		l->include[i] = xstrdup(include[i]);
	l->ninclude = ninclude;
	l->each_state = each;
	l->done = done;
	l->arg = arg;
	list_page(l, NULL);
}

/* The integration's record in Port (best effort). */

static char *
int_url(struct port *p, const char *suffix)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s/v1/integration/", p->base);
	buf_urlenc(&b, p->cfg.identifier);
	buf_puts(&b, suffix);
	return buf_detach(&b);
}

struct best {
	struct port *p;
	char *what;
};

static void
best_done(void *arg, struct http_resp *r)
{
	struct best *b = arg;
	cJSON *j;
	const char *code, *msg;

	if (r->status < 200 || r->status > 299) {
		reply_error(r, &j, &code, &msg);
		if (!r->reported)
			msg_warn("cannot %s (ignored): %s%s%s", b->what,
			    r->status ? code : "", r->status ? ": " : "", msg);
		cJSON_Delete(j);
	}
	free(b->what);
	free(b);
}

static void
best_effort(struct port *p, const char *method, const char *url,
    const char *body, const char *what)
{
	struct best *b = xcalloc(1, sizeof(*b));

	b->p = p;
	b->what = xstrdup(what);
	/* Ocean never retries these: they are reports, not data. */
	submit(p, method, url, body, body != NULL ? strlen(body) : 0,
	    strcmp(method, "GET") == 0 ? HTTP_RETRY_ALL : HTTP_RETRY_NONE,
	    best_done, b);
}

struct ensure {
	struct port *p;
	cJSON *config; /* the mapping to store, or NULL */
};

/*
 * Store e->config as the integration's config when Port holds another
 * one (PATCH /v1/integration/{id}/config, body {"config":{...}} as
 * port-openapi-subset.yaml gives it), so that Port's mapping editor and
 * --mapping-from-port see the mapping the tool uses.  Best effort.
 */
static void
store_config(struct ensure *e, const cJSON *have)
{
	cJSON *body;
	char *url, *text;

	if (e->config == NULL ||
	    (have != NULL && cJSON_Compare(have, e->config, 1)))
		return;
	body = cJSON_CreateObject();
	cJSON_AddItemReferenceToObject(body, "config", e->config);
	text = cJSON_PrintUnformatted(body);
	url = int_url(e->p, "/config");
	msg_info("storing the mapping as integration '%s''s config in Port",
	    e->p->cfg.identifier);
	best_effort(e->p, "PATCH", url, text, "store the mapping in Port");
	free(url);
	cJSON_free(text);
	cJSON_Delete(body);
}

static void
ensure_reply(void *arg, struct http_resp *r)
{
	struct ensure *e = arg;
	struct port *p = e->p;
	cJSON *body, *j;
	char *url, *text;

	if (r->status == 200) {
		j = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
		store_config(e,
		    cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(j, "integration"),
			"config"));
		cJSON_Delete(j);
		goto out;
	}
	if (r->status != 404) {
		if (!r->reported)
			msg_warn("cannot read integration '%s' (ignored): "
				 "HTTP %ld",
			    p->cfg.identifier, r->status);
		goto out;
	}
	/* POST /v1/integration is not in the public reference
	 * (UNCONFIRMED); registering is best effort. */
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "installationId", p->cfg.identifier);
	cJSON_AddStringToObject(body, "installationAppType", p->cfg.type);
	cJSON_AddStringToObject(body, "version", p->cfg.version);
	cJSON_AddObjectToObject(body, "changelogDestination");
	if (e->config != NULL)
		cJSON_AddItemReferenceToObject(body, "config", e->config);
	else
		cJSON_AddObjectToObject(body, "config");
	cJSON_AddBoolToObject(body, "actionsProcessingEnabled", 0);
	cJSON_AddBoolToObject(body, "incrementalSyncEnabled", 0);
	cJSON_AddStringToObject(body, "createPortResourcesOrigin", "Empty");
	text = cJSON_PrintUnformatted(body);
	url = xasprintf("%s/v1/integration", p->base);
	msg_info("registering integration '%s' in Port", p->cfg.identifier);
	best_effort(p, "POST", url, text, "register the integration");
	free(url);
	cJSON_free(text);
	cJSON_Delete(body);
out:
	cJSON_Delete(e->config);
	free(e);
}

void
port_integration_ensure(struct port *p, const char *config)
{
	struct ensure *e = xcalloc(1, sizeof(*e));
	char *url = int_url(p, "");

	e->p = p;
	e->config = config != NULL ? cJSON_Parse(config) : NULL;
	submit(p, "GET", url, NULL, 0, HTTP_RETRY_ALL, ensure_reply, e);
	free(url);
}

void
port_resync_state(struct port *p, const char *status, const char *start,
    const char *end)
{
	cJSON *body = cJSON_CreateObject();
	char *url = int_url(p, "/resync-state"), *text;

	cJSON_AddStringToObject(body, "status", status);
	if (start != NULL)
		cJSON_AddStringToObject(body, "lastResyncStart", start);
	if (end != NULL)
		cJSON_AddStringToObject(body, "lastResyncEnd", end);
	else
		cJSON_AddNullToObject(body, "lastResyncEnd");
	cJSON_AddNullToObject(body, "nextResync");
	/* sic: Port's key is misspelled. */
	cJSON_AddNullToObject(body, "intervalInMinuets");
	text = cJSON_PrintUnformatted(body);
	best_effort(p, "PATCH", url, text, "report the resync state");
	cJSON_free(text);
	cJSON_Delete(body);
	free(url);
}

/* Mask, in place, the values under secret-looking keys of v. */
static void
mask(cJSON *v)
{
	cJSON *c;

	cJSON_ArrayForEach(c, v) {
		if (msg_secret_name(c->string) &&
		    (cJSON_IsString(c) || cJSON_IsNumber(c))) {
			cJSON_ReplaceItemViaPointer(v, c,
			    cJSON_CreateString("********"));
			continue;
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			mask(c);
	}
}

void
port_send_examples(struct port *p, const char *kind, char *const *items,
    size_t n)
{
	struct buf suffix, body;
	cJSON *arr = cJSON_CreateArray();
	char *url, *text;
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON *j = cJSON_Parse(items[i]);

		if (j != NULL) {
			mask(j);
			cJSON_AddItemToArray(arr, j);
		}
	}
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);

	buf_init(&suffix);
	buf_init(&body);
	buf_puts(&suffix, "/kinds/");
	buf_urlenc(&suffix, kind);
	buf_puts(&suffix, "/examples");
	url = int_url(p, suffix.data);
	buf_printf(&body, "{\"examples\":%s}", text);
	cJSON_free(text);
	best_effort(p, "POST", url, body.data, "send raw examples");
	free(url);
	buf_release(&suffix);
	buf_release(&body);
}

struct cfgreq {
	struct port *p;
	void (*done)(void *, const char *);
	void *arg;
};

static void
config_reply(void *arg, struct http_resp *r)
{
	struct cfgreq *c = arg;
	cJSON *j = NULL;
	const cJSON *cfg, *res;
	const char *code, *msg;
	char *text = NULL;

	if (r->status != 200) {
		reply_error(r, &j, &code, &msg);
		if (!r->auth_failed)
			msg_error("cannot read the mapping of integration "
				  "'%s' from Port: %s%s%s",
			    c->p->cfg.identifier, r->status ? code : "",
			    r->status ? ": " : "", msg);
		goto out;
	}
	j = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	cfg =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j,
						 "integration"),
		"config");
	res = cJSON_GetObjectItemCaseSensitive(cfg, "resources");
	/* An empty config once made Ocean delete everything: refuse it. */
	if (!cJSON_IsObject(cfg) || !cJSON_IsArray(res) ||
	    cJSON_GetArraySize(res) == 0) {
		msg_error(
		    "integration '%s' in Port has no mapping (empty "
		    "config); save one in Port's data sources page or use "
		    "--mapping",
		    c->p->cfg.identifier);
		goto out;
	}
	text = cJSON_Print(cfg);
out:
	c->done(c->arg, text);
	cJSON_free(text);
	cJSON_Delete(j);
	free(c);
}

void
port_get_config(struct port *p, void (*done)(void *, const char *), void *arg)
{
	struct cfgreq *c = xcalloc(1, sizeof(*c));
	char *url = int_url(p, "");

	c->p = p;
	c->done = done;
	c->arg = arg;
	submit(p, "GET", url, NULL, 0, HTTP_RETRY_ALL, config_reply, c);
	free(url);
}

/* Deletion. */

struct del {
	struct port *p;
	char *bp;
	size_t outstanding;
	size_t deleted;
	int failed;
	void (*done)(void *, size_t, int);
	void *arg;
};

struct del_req {
	struct del *d;
	size_t n;
};

static void
del_reply(void *arg, struct http_resp *r)
{
	struct del_req *dr = arg;
	struct del *d = dr->d;
	cJSON *j = NULL;
	const cJSON *de;
	const char *code, *msg;

	if (r->status == 200) {
		j = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
		de = cJSON_GetObjectItemCaseSensitive(j, "deletedEntities");
		d->deleted += cJSON_IsArray(de) ?
		    (size_t)cJSON_GetArraySize(de) :
		    dr->n;
	} else if (r->status == 404) {
		/* Already gone. */
		d->deleted += dr->n;
	} else {
		reply_error(r, &j, &code, &msg);
		if (r->auth_failed)
			d->p->auth_failed = 1; /* auth reported it */
		else
			msg_error("cannot delete %zu entities of '%s': %s%s%s",
			    dr->n, d->bp, r->status ? code : "",
			    r->status ? ": " : "", msg);
		d->failed = 1;
	}
	cJSON_Delete(j);
	free(dr);
	if (--d->outstanding == 0) {
		d->done(d->arg, d->deleted, d->failed ? -1 : 0);
		free(d->bp);
		free(d);
	}
}

void
port_delete(struct port *p, const char *bp, const char *const *ids, size_t n,
    void (*done)(void *, size_t, int), void *arg)
{
	struct del *d = xcalloc(1, sizeof(*d));
	char *url = bp_url(p, bp, "/bulk/entities/delete?delete_dependents=");
	char *full = xasprintf("%s%s", url,
	    p->cfg.delete_dependents ? "true" : "false");
	size_t i, k;

	d->p = p;
	d->bp = xstrdup(bp);
	d->done = done;
	d->arg = arg;
	d->outstanding = 1;
	for (i = 0; i < n; i += DELETE_MAX) {
		struct del_req *dr = xcalloc(1, sizeof(*dr));
		struct buf b;

		dr->d = d;
		dr->n = n - i < DELETE_MAX ? n - i : DELETE_MAX;
		buf_init(&b);
		buf_puts(&b, "{\"entities\":[");
		for (k = 0; k < dr->n; k++) {
			if (k > 0)
				buf_putc(&b, ',');
			buf_json_str(&b, ids[i + k], strlen(ids[i + k]));
		}
		buf_puts(&b, "]}");
		d->outstanding++;
		submit(p, "POST", full, b.data, b.len, HTTP_RETRY_ALL,
		    del_reply, dr);
		buf_release(&b);
	}
	free(url);
	free(full);
	if (--d->outstanding == 0) {
		done(arg, d->deleted, d->failed ? -1 : 0);
		free(d->bp);
		free(d);
	}
}
