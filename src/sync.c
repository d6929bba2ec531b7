/*
 * The resync engine: the phases of a run in order (blueprints, the
 * integration's record, what Port holds, every resource read at once,
 * the delete phase, the last word to Port), and the pipeline between
 * Graph and Port: each entity a resource maps is compared with what Port
 * holds and queued for a bulk upsert (or printed, in a dry run), and the
 * reads wait while Port lags (backpressure).  The run keeps only the set
 * of (blueprint, identifier) it produced.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "auth.h"
#include "blueprints.h"
#include "buf.h"
#include "client.h"
#include "digest.h"
#include "graph.h"
#include "http.h"
#include "mapping.h"
#include "msg.h"
#include "options.h"
#include "port.h"
#include "progress.h"
#include "prune.h"
#include "report.h"
#include "resource.h"
#include "state.h"
#include "strset.h"
#include "sync.h"
#include "targets.h"
#include "transform.h"
#include "xmalloc.h"

/* The resource an entity's blueprint is counted under. */
struct bpkind {
	char *bp;
	size_t kind;
};

struct sync {
	const struct options *o;
	const struct mapping *m;
	struct transform *
	    *ts; /* compiled programs, until resources take them */
	struct report *rep;
	struct client cl;          /* owns h, g, p, pauth */
	struct progress *progress; /* NULL: none drawn */
	struct http *h;
	struct auth *pauth;
	struct graph *g;
	struct port *p;
	struct resource **k;
	size_t nk;
	struct strset seen;
	struct strset targets; /* relation targets of entities */
	struct bpkind *bpk;
	size_t nbpk;
	FILE *out;
	size_t high, low;
	size_t kinds_left;
	int init_rc;
	struct buf key; /* scratch: blueprint \x1f id */
	/* What the integration held in Port when the run started. */
	struct state *state;
	char started[40];
};

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
	report_blueprint(s->rep, kind, bp);
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

static void resume_all(struct sync *);

/*
 * One entity out of the mapping.  The per-entity work beyond the seen set
 * is a scan for the relation targets (createMissingRelatedEntities) and
 * one cJSON parse where Port holds the entity, to compare.
 */
static int
emit(void *arg, struct resource *res, const char *bp, const char *id,
    const char *json, size_t len)
{
	struct sync *s = arg;
	struct buf *key = &s->key;
	size_t c = resource_index(res);
	const struct mapping_resource *r = resource_mapping(res);
	uint64_t bit = resource_bit(res);
	uint64_t v = 0, have = 0;
	int compare;
	cJSON *e = NULL;

	key_of(key, bp, id);
	if (strset_get(&s->seen, key->data, key->len, &v) &&
	    resource_restarted(res) && (v & bit)) {
		/* Read again after an expired page token: already sent. */
		return 0;
	}
	strset_put(&s->seen, key->data, key->len, v | bit);
	bp_kind(s, bp, resource_index(res));
	report_add(s->rep, c, REPORT_MAPPED, 1);
	if (s->m->create_missing)
		(void)targets_add(&s->targets, json, len);
	/* A dry run compares too, to say what the run would write. */
	compare = s->p != NULL ?
	    state_digest(s->state, r, bp, key->data, key->len, &have) :
	    -1;
	if (compare == 1)
		e = cJSON_ParseWithLength(json, len);
	if (s->out != NULL) {
		fwrite(json, 1, len, s->out);
		putc('\n', s->out);
		if (compare == 0)
			report_add(s->rep, c, REPORT_WOULD_CREATE, 1);
		else if (compare == 1 && e != NULL &&
		    digest_entity(e, r) == have)
			report_add(s->rep, c, REPORT_UNCHANGED, 1);
		else if (compare == 1)
			report_add(s->rep, c, REPORT_WOULD_UPDATE, 1);
	} else if (s->p != NULL) {
		if (compare == 1 && e != NULL && digest_entity(e, r) == have)
			report_add(s->rep, c, REPORT_UNCHANGED, 1);
		else
			port_upsert(s->p, res, bp, id, json, len);
	}
	cJSON_Delete(e);
	return 0;
}

/* Port caught up, or members arrived: let waiting resources read on. */
static void
resume_all(struct sync *s)
{
	size_t i;

	for (i = 0; i < s->nk; i++)
		if (s->k[i] != NULL)
			resource_resume(s->k[i]);
}

/*
 * Whether Port lags: its backlog (port_pending: sent, not yet answered)
 * past high water to hold the reads, above low water to resume them.
 * Every entity counted there has an answer coming, which resumes them.
 */
static int
lagging(void *arg, int resuming)
{
	struct sync *s = arg;

	return s->p != NULL &&
	    port_pending(s->p) >= (resuming ? s->low : s->high);
}

/* --send-examples: the first 5 raw items of each resource, masked. */
static void
examples(void *arg, struct resource *res, const struct tpage *tp)
{
	struct sync *s = arg;
	char *items[5];
	size_t i, n = 0;

	if (!s->o->send_examples || s->o->mode != MODE_SYNC ||
	    tpage_count(tp) == 0 ||
	    report_count(s->rep, resource_index(res), REPORT_FETCHED) >
		tpage_count(tp))
		return;
	for (i = 0; i < tpage_count(tp) && n < 5; i++)
		if ((items[n] = tpage_item_json(tp, i)) != NULL)
			n++;
	if (n > 0)
		port_send_examples(s->p, resource_mapping(res)->kind, items, n);
	for (i = 0; i < n; i++)
		free(items[i]);
}

/* A resource was read to its end: once all are, send what is queued. */
static void
resource_done(void *arg, struct resource *res)
{
	struct sync *s = arg;

	(void)res;
	if (--s->kinds_left == 0 && s->p != NULL)
		port_flush(s->p);
}

static void
on_result(void *arg, void *tag, const char *bp, const char *id, int ok,
    const char *code, const char *message)
{
	struct sync *s = arg;
	const struct mapping_resource *r = resource_mapping(tag);
	size_t i = resource_index(tag);

	if (ok) {
		report_add(s->rep, i, REPORT_UPSERTED, 1);
	} else {
		struct msg_fields f = { "entity_rejected", r->kind, bp, id,
			code, port_request_id(s->p) };

		report_add(s->rep, i, REPORT_FAILED, 1);
		report_failure(s->rep, r->kind, bp, id, code, message);
		/* Log collectors count them: JSON lines name as many as the
		 * summary keeps. */
		if (report_failures(s->rep) <=
		    (s->o->log_format == LOG_JSON ? 100 : 5))
			msg_event(MSG_WARN, &f, "Port rejected %s '%s': %s: %s",
			    bp, id, code, message);
	}
	resume_all(s);
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

	s->state = state_new(s->m, o->integration_type, o->identifier, digests,
	    blueprints_builtin_ids);
	state_read(s->state, s->p);
	if (http_run(s->h) == -1)
		return -1;
	if (state_result(s->state) == -1) {
		/* No token: auth said why, and nothing will be written. */
		if (!port_auth_failed(s->p))
			msg_warn("cannot read the entities this integration "
				 "owns in Port: %s",
			    report_dry_run(s->rep) ?
				"entities "
				"are counted as mapped only, and none as deleted" :
				"every entity will be written, and none deleted");
		state_free(s->state);
		s->state = NULL;
		return 0;
	}
	state_report_missing(s->state, report_dry_run(s->rep), s->rep);
	if (report_dry_run(s->rep) && state_compares(s->state))
		report_compared(s->rep);
	msg_info("read %lu entities this integration owns in Port",
	    state_counts(s->state).owned);
	return 0;
}

/* The Port token failed: the run stops with auth's reason. */
static void
port_refused(struct sync *s)
{
	report_abort(s->rep,
	    auth_http(s->pauth)->message != NULL ?
		auth_http(s->pauth)->message :
		"no Port token could be obtained");
}

/* Deletions of blueprint bp, counted under the resource that wrote it. */
static void
count_deleted(void *arg, const char *bp, size_t n)
{
	struct sync *s = arg;
	size_t k = bp_kind(s, bp, (size_t)-1);

	if (k == (size_t)-1)
		report_deleted_other(s->rep, n);
	else
		report_add(s->rep, k, REPORT_DELETED, n);
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
		int failed = report_failed(s->rep, i);

		pf[i].kind = resource_mapping(s->k[i])->kind;
		pf[i].complete = !failed && resource_unproven(s->k[i]) == NULL;
		pf[i].why_not = failed ? report_reason(s->rep, i) :
					 resource_unproven(s->k[i]);
		pf[i].dropped = resource_stats(s->k[i])->dropped;
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
		port_refused(s);
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
 * Set up s for a run of o and m: the resources (their programs
 * compiled), the clients, the dry run's output, the progress line, the
 * backpressure marks.  Returns 0, or -1 after printing why the run cannot
 * start.
 */
static int
setup(struct sync *s)
{
	const struct options *o = s->o;
	struct resource_env env;
	size_t i;

	memset(&env, 0, sizeof(env));
	env.rep = s->rep;
	env.emit = emit;
	env.lagging = lagging;
	env.page = examples;
	env.done = resource_done;
	env.arg = s;
	if (client_open(&s->cl, o, s->m, 1, on_result, s) == -1)
		return -1;
	s->h = s->cl.h;
	s->g = env.g = s->cl.g;
	s->p = s->cl.p;
	s->pauth = s->cl.pauth;
	for (i = 0; i < s->nk; i++) {
		s->k[i] = resource_new(&s->m->res[i], i, s->ts[i], &env);
		s->ts[i] = NULL;
	}
	if (o->mode == MODE_DRY_RUN) {
		s->out = stdout;
		if (o->output_path != NULL &&
		    (s->out = fopen(o->output_path, "w")) == NULL) {
			msg_error("cannot write '%s': %s", o->output_path,
			    strerror(errno));
			return -1;
		}
	}
	if (o->progress == 1 ||
	    (o->progress == -1 && isatty(STDERR_FILENO) &&
		o->log_format == LOG_TEXT && o->verbosity > 0)) {
		s->progress = progress_start(s->rep);
		http_set_tick(s->h, 0.25, tick, s);
	}
	/* Port writes hold back Graph reads past this many entities (about
	 * 2.5 MB of JSON at the default concurrency): a short lag of Port
	 * under its rate limit should not stall the /users page chain. */
	s->high = 4000 + 80 * (size_t)s->o->port_concurrency;
	s->low = s->high / 2;
	return 0;
}

/*
 * Before any read: the blueprints (--init), the integration's record with
 * the mapping as its config, its resync state "running", and what Port
 * holds.  Returns 0, or -1 when the run stops (the report says why).
 */
static int
prepare(struct sync *s)
{
	const struct options *o = s->o;

	if (o->init && o->mode == MODE_SYNC) {
		port_init_blueprints(s->p, blueprints_builtin_json(), init_done,
		    s);
		if (http_run(s->h) == -1)
			goto interrupted;
		if (s->init_rc == -1) {
			if (port_auth_failed(s->p))
				port_refused(s);
			else
				report_abort(s->rep,
				    "cannot create the "
				    "blueprints (--init)");
			return -1;
		}
	}
	iso_now(s->started, sizeof(s->started));
	report_started(s->rep, s->started);
	if (o->mode == MODE_SYNC) {
		/* Registered first: the state belongs to the integration.
		 * The mapping used becomes its config, unless it came from
		 * there. */
		char *cfg = o->mapping_from_port ? NULL : mapping_to_json(s->m);

		port_integration_ensure(s->p, cfg);
		free(cfg);
		if (http_run(s->h) == -1)
			goto interrupted;
		port_resync_state(s->p, "running", s->started, NULL);
	}
	if (s->p != NULL && read_state(s) == -1)
		goto interrupted;
	if (report_aborted(s->rep)) /* blueprints missing: nothing to write to
	                             */
		return -1;
	if (s->p != NULL && port_auth_failed(s->p)) {
		port_refused(s);
		return -1;
	}
	return 0;
interrupted:
	report_abort(s->rep, "interrupted");
	return -1;
}

/*
 * Read every resource at once, mapping and writing as pages arrive.
 * Returns 0 when the delete phase may be decided on, -1 when the run
 * stopped (the report says why).
 */
static int
read_all(struct sync *s)
{
	size_t i;

	s->kinds_left = s->nk;
	for (i = 0; i < s->nk; i++)
		resource_start(s->k[i]);
	if (http_run(s->h) == -1) {
		report_abort(s->rep, "interrupted");
		return -1;
	}
	/* The proof of a complete read is positive: a resource that never
	 * said it reached its end (a stall) proves nothing. */
	for (i = 0; i < s->nk; i++)
		if (!resource_finished(s->k[i])) {
			msg_error("'%s': the read stopped before its end",
			    resource_mapping(s->k[i])->kind);
			report_kind_failed(s->rep, i,
			    "the read stopped before its end");
		}
	if (s->p != NULL && port_auth_failed(s->p))
		report_abort(s->rep, "Port refused the credentials");
	if (report_aborted(s->rep))
		return -1;
	if (s->nk > 0 && report_kinds_failed(s->rep) == s->nk) {
		report_abort(s->rep,
		    "nothing could be read from Microsoft "
		    "Graph");
		return -1;
	}
	return 0;
}

/* The mapping's counters into the report, and what they warn of. */
static void
mapping_stats(struct sync *s)
{
	size_t i, f;

	for (i = 0; i < s->nk; i++) {
		const struct transform_stats *st;
		const char *kind = s->m->res[i].kind;
		struct msg_fields mf = { "entities_dropped", kind, NULL, NULL,
			"null_identifier", NULL };

		if (s->k[i] == NULL)
			continue;
		st = resource_stats(s->k[i]);
		report_add(s->rep, i, REPORT_SELECTED, st->selected);
		report_add(s->rep, i, REPORT_DROPPED, st->dropped);
		for (f = 0; f < st->nfields; f++)
			report_add(s->rep, i, REPORT_FIELD_NULLS,
			    st->fields[f].errors + st->fields[f].empty);
		if (st->dropped > 0)
			msg_event(MSG_WARN, &mf,
			    "'%s': %lu entities dropped: "
			    "null or empty identifier or blueprint",
			    kind, st->dropped);
		mf.event = "field_errors";
		mf.code = "field_error";
		for (f = 0; f < st->nfields; f++)
			if (st->fields[f].errors > 0)
				msg_event(MSG_WARN, &mf,
				    "'%s': field '%s' "
				    "failed for %lu items and was set to null: "
				    "%s",
				    kind, st->fields[f].name,
				    st->fields[f].errors,
				    st->fields[f].first_error ?
					st->fields[f].first_error :
					"");
	}
}

/* The resync state's last word to Port, and the request counts. */
static void
finish(struct sync *s)
{
	const struct report *rep = s->rep;
	struct report_requests req;

	if (s->o->mode == MODE_SYNC && s->p != NULL &&
	    !port_auth_failed(s->p)) {
		char end[40];
		int st = report_exit_status(rep);

		/* Stopped by a signal: one short last word to Port, as
		 * Ocean marks a resync cut short "aborted". */
		if (http_interrupted())
			http_resume(s->h, 5);
		iso_now(end, sizeof(end));
		port_resync_state(s->p,
		    st == EXIT_OK          ? "completed" :
			st == EXIT_ABORTED ? "aborted" :
					     "failed",
		    report_start_time(rep), end);
		http_run(s->h);
	}
	req.graph = graph_requests(s->g, &req.member_batches);
	req.port = s->p != NULL ? port_requests(s->p) : 0;
	req.throttled = http_throttled(s->h);
	report_requests(s->rep, &req);
}

/* Free what s holds; closing the dry run's output can fail (-1). */
static int
release(struct sync *s)
{
	size_t i;
	int rc = 0;

	progress_end(s->progress);
	if (s->out != NULL && s->out != stdout && fclose(s->out) != 0) {
		msg_error("cannot write '%s': %s", s->o->output_path,
		    strerror(errno));
		rc = -1;
	}
	for (i = 0; i < s->nk; i++)
		resource_free(s->k[i]);
	free(s->k);
	for (i = 0; i < s->nbpk; i++)
		free(s->bpk[i].bp);
	free(s->bpk);
	strset_release(&s->seen);
	strset_release(&s->targets);
	state_free(s->state);
	buf_release(&s->key);
	client_close(&s->cl);
	return rc;
}

int
sync_run(const struct options *o, const struct mapping *m,
    struct transform **ts, struct report *rep)
{
	struct sync s;
	double t0 = http_mono();
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.m = m;
	s.rep = rep;
	s.ts = ts;
	s.nk = m->nres;
	s.k = xcalloc(s.nk + 1, sizeof(*s.k));
	strset_init(&s.seen);
	strset_init(&s.targets);
	buf_init(&s.key);
	if (setup(&s) == -1) {
		rc = -1;
	} else {
		if (prepare(&s) == 0 && read_all(&s) == 0)
			delete_phase(&s);
		mapping_stats(&s);
		finish(&s);
	}
	if (release(&s) == -1)
		rc = -1;
	report_elapsed(rep, http_mono() - t0);
	return rc;
}
