/*
 * Counters and verdict of a run.  The exit status is computed here, from
 * the counters, in one place: aborted (3) before a failed kind (1), before
 * the deletion threshold (4), before rejected entities (1).
 */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "report.h"
#include "xmalloc.h"

#define MAX_FAILURES  100
#define SHOW_FAILURES 10

struct report_res {
	char *kind;
	char *blueprint; /* first blueprint its entities had */
	unsigned long n[REPORT_NCOUNTS];
	double seconds;
	int kind_failed;
	char *reason; /* why the kind failed */
};

struct report_failure {
	char *kind;
	char *blueprint;
	char *identifier;
	char *code;
	char *message;
};

struct report {
	struct report_res *res;
	size_t nres;
	struct report_failure *fail;
	size_t nfail; /* kept (first N) */
	unsigned long total_failed;
	int dry_run;
	int compared; /* dry run: with what Port holds */
	int aborted;
	char *abort_reason;
	int threshold_exceeded;
	int delete_failed;   /* listing or a delete failed */
	char *delete_note;   /* why deletion was skipped */
	unsigned long owned; /* owned when the run started */
	unsigned long stale;
	unsigned long protected_targets;
	unsigned long deleted_other; /* blueprints of no resource */
	struct report_requests req;
	double seconds;
	char *started; /* ISO time */
};

struct report *
report_new(size_t nres, int dry_run)
{
	struct report *r = xcalloc(1, sizeof(*r));

	r->res = xcalloc(nres + 1, sizeof(*r->res));
	r->nres = nres;
	r->dry_run = dry_run != 0;
	return r;
}

/*
 * s with control characters escaped (buf_put_printable), for the summary:
 * identifiers and messages come from the services.  The result lives in
 * one of a few rotating buffers, until that many more calls.
 */
static struct buf escaped[6];
static size_t nescaped;

static const char *
esc(const char *s)
{
	struct buf *b = &escaped[nescaped++ % 6];

	buf_reset(b);
	if (s == NULL)
		s = "";
	buf_put_printable(b, s, strlen(s));
	return buf_str(b);
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nres; i++) {
		free(r->res[i].kind);
		free(r->res[i].blueprint);
		free(r->res[i].reason);
	}
	free(r->res);
	for (i = 0; i < sizeof(escaped) / sizeof(escaped[0]); i++)
		buf_release(&escaped[i]);
	for (i = 0; i < r->nfail; i++) {
		free(r->fail[i].kind);
		free(r->fail[i].blueprint);
		free(r->fail[i].identifier);
		free(r->fail[i].code);
		free(r->fail[i].message);
	}
	free(r->fail);
	free(r->abort_reason);
	free(r->delete_note);
	free(r->started);
	free(r);
}

static char *
dup0(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

void
report_failure(struct report *r, const char *kind, const char *bp,
    const char *id, const char *code, const char *message)
{
	struct report_failure *f;

	r->total_failed++;
	if (r->nfail >= MAX_FAILURES)
		return;
	r->fail = xreallocarray(r->fail, r->nfail + 1, sizeof(*r->fail));
	f = &r->fail[r->nfail++];
	f->kind = dup0(kind);
	f->blueprint = dup0(bp);
	f->identifier = dup0(id);
	f->code = dup0(code);
	f->message = msg_redact(dup0(message));
}

void
report_kind_failed(struct report *r, size_t i, const char *reason)
{
	r->res[i].kind_failed = 1;
	if (r->res[i].reason == NULL)
		r->res[i].reason = msg_redact(xstrdup(reason));
}

void
report_abort(struct report *r, const char *reason)
{
	r->aborted = 1;
	if (r->abort_reason == NULL)
		r->abort_reason = msg_redact(xstrdup(reason));
}

int
report_aborted(const struct report *r)
{
	return r->aborted;
}

void
report_name(struct report *r, size_t i, const char *kind)
{
	if (r->res[i].kind == NULL)
		r->res[i].kind = xstrdup(kind);
}

const char *
report_kind(const struct report *r, size_t i)
{
	return r->res[i].kind != NULL ? r->res[i].kind : "";
}

void
report_blueprint(struct report *r, size_t i, const char *bp)
{
	if (r->res[i].blueprint == NULL)
		r->res[i].blueprint = xstrdup(bp);
}

void
report_add(struct report *r, size_t i, enum report_count c, unsigned long n)
{
	r->res[i].n[c] += n;
}

unsigned long
report_count(const struct report *r, size_t i, enum report_count c)
{
	return r->res[i].n[c];
}

void
report_seconds(struct report *r, size_t i, double secs)
{
	r->res[i].seconds = secs;
}

void
report_deleted_other(struct report *r, unsigned long n)
{
	r->deleted_other += n;
}

unsigned long
report_failures(const struct report *r)
{
	return r->total_failed;
}

int
report_failed(const struct report *r, size_t i)
{
	return r->res[i].kind_failed;
}

const char *
report_reason(const struct report *r, size_t i)
{
	return r->res[i].reason;
}

size_t
report_nres(const struct report *r)
{
	return r->nres;
}

int
report_dry_run(const struct report *r)
{
	return r->dry_run;
}

void
report_compared(struct report *r)
{
	r->compared = 1;
}

void
report_started(struct report *r, const char *iso)
{
	free(r->started);
	r->started = xstrdup(iso);
}

const char *
report_start_time(const struct report *r)
{
	return r->started;
}

void
report_elapsed(struct report *r, double secs)
{
	r->seconds = secs;
}

void
report_requests(struct report *r, const struct report_requests *req)
{
	r->req = *req;
}

void
report_deletion(struct report *r, unsigned long owned, unsigned long stale)
{
	r->owned = owned;
	r->stale = stale;
}

void
report_protect(struct report *r)
{
	r->protected_targets++;
}

static void note(struct report *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
note(struct report *r, const char *fmt, va_list ap)
{
	if (r->delete_note == NULL)
		r->delete_note = msg_redact(xvasprintf(fmt, ap));
}

void
report_deletion_note(struct report *r, int failed, const char *fmt, ...)
{
	va_list ap;

	if (failed)
		r->delete_failed = 1;
	va_start(ap, fmt);
	note(r, fmt, ap);
	va_end(ap);
}

void
report_threshold_exceeded(struct report *r, const char *fmt, ...)
{
	va_list ap;

	r->threshold_exceeded = 1;
	va_start(ap, fmt);
	note(r, fmt, ap);
	va_end(ap);
}

const char *
report_deletion_why(const struct report *r)
{
	return r->delete_note;
}

size_t
report_kinds_failed(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nres; i++)
		n += r->res[i].kind_failed != 0;
	return n;
}

int
report_exit_status(const struct report *r)
{
	size_t nfailed = report_kinds_failed(r);

	if (r->aborted || (r->nres > 0 && nfailed == r->nres))
		return EXIT_ABORTED;
	if (nfailed > 0)
		return EXIT_PARTIAL;
	if (r->threshold_exceeded)
		return EXIT_THRESHOLD;
	if (r->total_failed > 0 || r->delete_failed)
		return EXIT_PARTIAL;
	return EXIT_OK;
}

/* The smallest threshold, to the hundredth, that lets the stale go. */
static double
threshold_needed(const struct report *r)
{
	double t;

	if (r->owned == 0)
		return 1;
	t = ceil((double)r->stale / (double)r->owned * 100 - 1e-9) / 100;
	return t > 1 ? 1 : t;
}

/* The header and one row per resource of the table. */
static void
print_table(const struct report *r, FILE *fp)
{
	size_t i;

	if (!r->dry_run)
		fprintf(fp, "%-24s %9s %9s %9s %9s %9s %9s %8s\n", "resource",
		    "fetched", "selected", "written", "unchanged", "failed",
		    "deleted", "seconds");
	else if (r->compared)
		fprintf(fp, "%-24s %9s %9s %9s %9s %9s %9s %9s %8s\n",
		    "resource", "fetched", "selected", "mapped", "create",
		    "update", "unchanged", "to-delete", "seconds");
	else
		fprintf(fp, "%-24s %9s %9s %9s %9s %8s\n", "resource",
		    "fetched", "selected", "mapped", "to-delete", "seconds");
	for (i = 0; i < r->nres; i++) {
		const struct report_res *s = &r->res[i];

		fprintf(fp, "%-24s %9lu %9lu", s->kind, s->n[REPORT_FETCHED],
		    s->n[REPORT_SELECTED]);
		if (!r->dry_run)
			fprintf(fp, " %9lu %9lu %9lu", s->n[REPORT_UPSERTED],
			    s->n[REPORT_UNCHANGED], s->n[REPORT_FAILED]);
		else if (r->compared)
			fprintf(fp, " %9lu %9lu %9lu %9lu", s->n[REPORT_MAPPED],
			    s->n[REPORT_WOULD_CREATE],
			    s->n[REPORT_WOULD_UPDATE], s->n[REPORT_UNCHANGED]);
		else
			fprintf(fp, " %9lu", s->n[REPORT_MAPPED]);
		fprintf(fp, " %9lu %8.2f%s\n", s->n[REPORT_DELETED], s->seconds,
		    s->kind_failed ? "  FAILED" : "");
	}
	if (r->deleted_other > 0)
		fprintf(fp, "%-24s %9s %9s %9s %*lu\n", "(other blueprints)",
		    "", "", "",
		    !r->dry_run     ? 29 :
			r->compared ? 39 :
				      9,
		    r->deleted_other);
}

/*
 * The summary for people: the table, the failures, why deletion was
 * skipped, and one result line (then, for exit 4, what to do next).
 */
static void print_result(const struct report *, FILE *);

void
report_print(const struct report *r, FILE *fp)
{
	size_t i;

	print_table(r, fp);
	for (i = 0; i < r->nres; i++)
		if (r->res[i].kind_failed)
			fprintf(fp, "resource '%s' failed: %s\n",
			    esc(r->res[i].kind),
			    r->res[i].reason != NULL ? esc(r->res[i].reason) :
						       "?");
	for (i = 0; i < r->nfail && i < SHOW_FAILURES; i++)
		fprintf(fp, "rejected: %s '%s': %s: %s\n",
		    esc(r->fail[i].blueprint), esc(r->fail[i].identifier),
		    esc(r->fail[i].code), esc(r->fail[i].message));
	if (r->total_failed > SHOW_FAILURES)
		fprintf(fp, "... and %lu more rejected entities\n",
		    r->total_failed - SHOW_FAILURES);
	if (r->delete_note != NULL)
		fprintf(fp, "deletion: %s\n", esc(r->delete_note));
	print_result(r, fp);
}

/* The result line (and, for exit 4, the next steps). */
static void
print_result(const struct report *r, FILE *fp)
{
	size_t i;
	unsigned long up = 0, del = r->deleted_other, fail = 0, fetched = 0;
	unsigned long written = 0, same = 0, create = 0, update = 0;
	int st = report_exit_status(r);

	for (i = 0; i < r->nres; i++) {
		const struct report_res *s = &r->res[i];

		up += r->dry_run ?
		    s->n[REPORT_MAPPED] :
		    s->n[REPORT_UPSERTED] + s->n[REPORT_UNCHANGED];
		written += s->n[REPORT_UPSERTED];
		same += s->n[REPORT_UNCHANGED];
		create += s->n[REPORT_WOULD_CREATE];
		update += s->n[REPORT_WOULD_UPDATE];
		del += s->n[REPORT_DELETED];
		fail += s->n[REPORT_FAILED];
		fetched += s->n[REPORT_FETCHED];
	}
	switch (st) {
	case EXIT_OK:
		fprintf(fp,
		    "result: ok: %lu items read, %lu entities %s, %lu "
		    "%s, in %.2f s",
		    fetched, up, r->dry_run ? "mapped" : "synced", del,
		    r->dry_run ? "would be deleted" : "deleted", r->seconds);
		if (!r->dry_run)
			fprintf(fp, "; %lu written, %lu unchanged", written,
			    same);
		else if (r->compared)
			fprintf(fp,
			    "; compared with Port: %lu would be "
			    "created, %lu updated, %lu left unchanged",
			    create, update, same);
		fputc('\n', fp);
		break;
	case EXIT_PARTIAL:
		fprintf(fp,
		    "result: partial (exit 1): %lu entities %s, %lu "
		    "rejected%s\n",
		    up, r->dry_run ? "mapped" : "synced", fail,
		    report_kinds_failed(r) > 0 ? "; a resource failed, nothing "
						 "was deleted" :
			r->delete_failed       ? "; deletion skipped or "
						 "incomplete (see deletion:)" :
						 "");
		break;
	case EXIT_ABORTED:
		fprintf(fp,
		    "result: aborted (exit 3): %s; nothing was "
		    "deleted\n",
		    r->abort_reason != NULL ? esc(r->abort_reason) :
					      "nothing could be read");
		break;
	case EXIT_THRESHOLD:
		fprintf(fp,
		    "result: deletion skipped (exit 4): %lu of %lu "
		    "owned entities are stale, over the threshold; %lu "
		    "entities synced\n",
		    r->stale, r->owned, up);
		/* What to do next: look, then decide once. */
		fprintf(fp,
		    "review: the same command with --dry-run "
		    "--deletion-threshold %.2f names each entity that would be "
		    "deleted\n"
		    "proceed: if they are meant to go, run once with "
		    "--deletion-threshold %.2f (or raise entityDeletionThreshold "
		    "in the mapping)\n",
		    threshold_needed(r), threshold_needed(r));
		break;
	}
}

/* Each count's key in a resource of the JSON summary, by enum report_count. */
static const char *const count_keys[REPORT_NCOUNTS] = { "fetched", "selected",
	"mapped", "dropped", "unchanged", "upserted", "wouldCreate",
	"wouldUpdate", "failed", "deleted", "fieldNulls" };

/* The summary as a cJSON object owned by the caller. */
static cJSON *
summary_object(const struct report *r)
{
	cJSON *j = cJSON_CreateObject(), *arr, *o;
	size_t i, c;

	cJSON_AddNumberToObject(j, "exitStatus", report_exit_status(r));
	cJSON_AddBoolToObject(j, "dryRun", r->dry_run);
	cJSON_AddStringToObject(j, "started", r->started ? r->started : "");
	cJSON_AddNumberToObject(j, "seconds", r->seconds);
	cJSON_AddBoolToObject(j, "aborted", r->aborted);
	if (r->abort_reason != NULL)
		cJSON_AddStringToObject(j, "abortReason", r->abort_reason);
	arr = cJSON_AddArrayToObject(j, "resources");
	for (i = 0; i < r->nres; i++) {
		const struct report_res *s = &r->res[i];

		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", s->kind);
		if (s->blueprint != NULL)
			cJSON_AddStringToObject(o, "blueprint", s->blueprint);
		for (c = 0; c < REPORT_NCOUNTS; c++)
			if (r->compared ||
			    (c != REPORT_WOULD_CREATE &&
				c != REPORT_WOULD_UPDATE))
				cJSON_AddNumberToObject(o, count_keys[c],
				    (double)s->n[c]);
		cJSON_AddNumberToObject(o, "seconds", s->seconds);
		cJSON_AddBoolToObject(o, "ok", !s->kind_failed);
		if (s->reason != NULL)
			cJSON_AddStringToObject(o, "error", s->reason);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(j, "failures");
	for (i = 0; i < r->nfail; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", r->fail[i].kind);
		cJSON_AddStringToObject(o, "blueprint", r->fail[i].blueprint);
		cJSON_AddStringToObject(o, "identifier", r->fail[i].identifier);
		cJSON_AddStringToObject(o, "code", r->fail[i].code);
		cJSON_AddStringToObject(o, "message", r->fail[i].message);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddNumberToObject(j, "failedTotal", (double)r->total_failed);
	o = cJSON_AddObjectToObject(j, "deletion");
	/* "owned" is the older name of ownedBefore: the same number. */
	cJSON_AddNumberToObject(o, "owned", (double)r->owned);
	cJSON_AddNumberToObject(o, "ownedBefore", (double)r->owned);
	cJSON_AddNumberToObject(o, "stale", (double)r->stale);
	cJSON_AddNumberToObject(o, "protectedTargets",
	    (double)r->protected_targets);
	cJSON_AddBoolToObject(o, "thresholdExceeded", r->threshold_exceeded);
	if (r->threshold_exceeded)
		cJSON_AddNumberToObject(o, "thresholdNeeded",
		    threshold_needed(r));
	if (r->delete_note != NULL)
		cJSON_AddStringToObject(o, "skipped", r->delete_note);
	o = cJSON_AddObjectToObject(j, "requests");
	cJSON_AddNumberToObject(o, "graph", (double)r->req.graph);
	cJSON_AddNumberToObject(o, "graphMemberBatches",
	    (double)r->req.member_batches);
	cJSON_AddNumberToObject(o, "port", (double)r->req.port);
	cJSON_AddNumberToObject(o, "throttled", (double)r->req.throttled);
	return j;
}

void
report_print_json(const struct report *r, FILE *fp)
{
	static const char *const levels[] = { "info", "warning", "error",
		"error", "warning" };
	cJSON *line = cJSON_CreateObject();
	char ts[40], *result = NULL, *text;
	size_t len = 0;
	FILE *m;
	int st = report_exit_status(r);

	/* The message is the text summary's result line. */
	if ((m = open_memstream(&result, &len)) != NULL) {
		print_result(r, m);
		fclose(m);
	}
	if (result != NULL && strchr(result, '\n') != NULL)
		*strchr(result, '\n') = '\0';
	msg_timestamp(ts, sizeof(ts));
	cJSON_AddStringToObject(line, "time", ts);
	cJSON_AddStringToObject(line, "level",
	    st >= 0 && st <= 4 ? levels[st] : "error");
	cJSON_AddStringToObject(line, "message",
	    result != NULL ? result : "result");
	cJSON_AddStringToObject(line, "event", "summary");
	cJSON_AddItemToObject(line, "summary", summary_object(r));
	text = cJSON_PrintUnformatted(line);
	fprintf(fp, "%s\n", text);
	fflush(fp);
	cJSON_free(text);
	cJSON_Delete(line);
	free(result);
}

int
report_write_json(const struct report *r, const char *path)
{
	cJSON *j = summary_object(r);
	char *text;
	FILE *fp;
	int rc = 0;

	text = cJSON_Print(j);
	cJSON_Delete(j);
	if ((fp = fopen(path, "w")) == NULL) {
		msg_error("cannot write '%s': %s", path, strerror(errno));
		free(text);
		return -1;
	}
	fputs(text, fp);
	fputc('\n', fp);
	if (fclose(fp) != 0) {
		msg_error("cannot write '%s': %s", path, strerror(errno));
		rc = -1;
	}
	free(text);
	return rc;
}
