/*
 * Unit tests for report.c: the exit status from the counters, in its
 * order (aborted or every resource failed, then a failed resource, then
 * the deletion threshold, then rejected entities or a failed delete), the
 * summary's lines (rejections shown up to 10, then a count; the result
 * line of each status), the first 100 failures kept of many, and failure
 * messages redacted, and the operations that fill a report (first name,
 * blueprint, reason and note win; counters add up).
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "report.h"
#include "tap.h"

/* The summary of r as a new string. */
static char *
summary(const struct report *r)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	report_print(r, fp);
	fclose(fp);
	return s;
}

/* The summary object of the JSON log line, owned by the caller. */
static cJSON *
summary_json(const struct report *r)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);
	cJSON *line, *sum;

	report_print_json(r, fp);
	fclose(fp);
	line = cJSON_Parse(s);
	free(s);
	sum = cJSON_DetachItemFromObject(line, "summary");
	cJSON_Delete(line);
	return sum;
}

static double
num(const cJSON *o, const char *path)
{
	char name[64], *dot;
	const cJSON *j = o;

	while (j != NULL && *path != '\0') {
		snprintf(name, sizeof(name), "%s", path);
		if ((dot = strchr(name, '.')) != NULL)
			*dot = '\0';
		j = cJSON_GetObjectItemCaseSensitive(j, name);
		path += strlen(name) + (path[strlen(name)] == '.');
	}
	return cJSON_IsNumber(j) ? j->valuedouble : -1;
}

static const char *
str(const cJSON *o, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static struct report *
new_report(size_t n, int dry_run)
{
	struct report *r = report_new(n, dry_run);
	size_t i;

	for (i = 0; i < n; i++) {
		char k[16];

		snprintf(k, sizeof(k), "/kind%zu", i);
		report_name(r, i, k);
	}
	return r;
}

static void
test_status(void)
{
	struct report *r;
	char *s;

	r = new_report(2, 0);
	is_int(report_exit_status(r), EXIT_OK, "nothing wrong: 0");
	report_deletion_note(r, 0, "off (--no-delete)");
	is_int(report_exit_status(r), EXIT_OK, "deletion off: still 0");
	report_free(r);

	r = new_report(2, 0);
	report_deletion_note(r, 1, "skipped: a resource proves nothing");
	is_int(report_exit_status(r), EXIT_PARTIAL, "a failed delete: 1");
	s = summary(r);
	ok(strstr(s, "deletion: skipped: a resource proves nothing\n") !=
		    NULL &&
		strstr(s,
		    "rejected; deletion skipped or incomplete (see "
		    "deletion:)\n") != NULL,
	    "the result line points at the deletion line");
	free(s);
	report_free(r);

	/* The note is the first one, the failure is not lost with a later
	 * note: the exit status still says it. */
	r = new_report(2, 0);
	report_deletion_note(r, 0, "off (--no-delete)");
	report_deletion_note(r, 1, "some deletions failed");
	is_str(report_deletion_why(r), "off (--no-delete)",
	    "a later failure keeps the first note");
	is_int(report_exit_status(r), EXIT_PARTIAL,
	    "a failure after a note that was no failure: 1");
	report_threshold_exceeded(r, "over");
	is_int(report_exit_status(r), EXIT_THRESHOLD,
	    "the threshold after a note: 4, though its note is lost");
	report_free(r);

	r = new_report(2, 0);
	report_failure(r, "/kind0", "bp", "id", "code", "message");
	is_int(report_exit_status(r), EXIT_PARTIAL, "one rejection: 1");
	report_threshold_exceeded(r, "over %d%%", 50);
	is_int(report_exit_status(r), EXIT_THRESHOLD,
	    "threshold before rejections: 4");
	is_str(report_deletion_why(r), "over 50%", "the note, formatted");
	report_deletion_note(r, 1, "later");
	is_str(report_deletion_why(r), "over 50%", "the first note wins");
	report_kind_failed(r, 0, "first reason");
	report_kind_failed(r, 0, "second reason");
	is_int(report_exit_status(r), EXIT_PARTIAL,
	    "one of two resources failed, before the threshold: 1");
	is_str(report_reason(r, 0), "first reason", "the first reason is kept");
	ok(report_reason(r, 1) == NULL && !report_failed(r, 1) &&
		report_failed(r, 0),
	    "only the failed one has a reason");
	is_int(report_kinds_failed(r), 1, "one kind failed");
	report_kind_failed(r, 1, "also");
	is_int(report_exit_status(r), EXIT_ABORTED, "every resource failed: 3");
	report_free(r);

	r = new_report(2, 0);
	ok(!report_aborted(r), "not aborted");
	report_abort(r, "token refused");
	report_abort(r, "later");
	ok(report_aborted(r), "aborted");
	is_int(report_exit_status(r), EXIT_ABORTED, "aborted: 3");
	report_free(r);

	r = new_report(0, 0);
	is_int(report_exit_status(r), EXIT_OK, "no resources: 0");
	report_free(r);
	report_free(NULL); /* a no-op */
}

static void
test_fill(void)
{
	struct report *r = new_report(2, 1);
	struct report_requests req = { 7, 3, 11, 2 };
	const cJSON *res;
	cJSON *j;

	report_name(r, 0, "/other");
	is_str(report_kind(r, 0), "/kind0", "the first name wins");
	is_int(report_nres(r), 2, "two resources");
	ok(report_dry_run(r), "a dry run");
	report_blueprint(r, 1, "entraGroup");
	report_blueprint(r, 1, "other");
	report_add(r, 1, REPORT_FETCHED, 40);
	report_add(r, 1, REPORT_FETCHED, 2);
	report_add(r, 1, REPORT_MAPPED, 41);
	report_add(r, 1, REPORT_WOULD_CREATE, 5);
	report_add(r, 1, REPORT_WOULD_UPDATE, 6);
	report_add(r, 1, REPORT_UNCHANGED, 30);
	report_add(r, 1, REPORT_FIELD_NULLS, 4);
	report_add(r, 1, REPORT_DELETED, 3);
	report_add(r, 1, REPORT_DROPPED, 1);
	report_add(r, 1, REPORT_SELECTED, 42);
	is_int(report_count(r, 1, REPORT_FETCHED), 42, "counters add up");
	is_int(report_count(r, 0, REPORT_FETCHED), 0, "per resource");
	report_compared(r);
	report_started(r, "2026-01-01T00:00:00Z");
	is_str(report_start_time(r), "2026-01-01T00:00:00Z", "the start");
	report_elapsed(r, 2.5);
	report_requests(r, &req);
	report_deletion(r, 10, 3);
	report_protect(r);
	report_protect(r);
	report_deleted_other(r, 4);
	j = summary_json(r);
	res = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j,
				     "resources"),
	    1);
	is_str(str(res, "kind"), "/kind1", "JSON: kind");
	is_str(str(res, "blueprint"), "entraGroup",
	    "JSON: the first blueprint");
	ok(num(res, "fetched") == 42 && num(res, "mapped") == 41 &&
		num(res, "selected") == 42 && num(res, "dropped") == 1 &&
		num(res, "unchanged") == 30 && num(res, "wouldCreate") == 5 &&
		num(res, "wouldUpdate") == 6 && num(res, "deleted") == 3 &&
		num(res, "fieldNulls") == 4,
	    "JSON: each counter in its field");
	ok(num(j, "requests.graph") == 7 &&
		num(j, "requests.graphMemberBatches") == 3 &&
		num(j, "requests.port") == 11 &&
		num(j, "requests.throttled") == 2,
	    "JSON: the requests");
	ok(num(j, "deletion.ownedBefore") == 10 &&
		num(j, "deletion.stale") == 3 &&
		num(j, "deletion.protectedTargets") == 2,
	    "JSON: the deletion counts");
	ok(num(j, "seconds") == 2.5, "JSON: the run's seconds");
	is_str(str(j, "started"), "2026-01-01T00:00:00Z", "JSON: started");
	cJSON_Delete(j);
	report_free(r);
}

static void
test_print(void)
{
	struct report *r;
	char *s, id[16];
	cJSON *j;
	int i;

	r = new_report(1, 0);
	report_add(r, 0, REPORT_FETCHED, 5);
	report_add(r, 0, REPORT_UPSERTED, 3);
	report_add(r, 0, REPORT_UNCHANGED, 2);
	report_elapsed(r, 1.5);
	s = summary(r);
	ok(strstr(s,
	       "result: ok: 5 items read, 5 entities synced, 0 "
	       "deleted, in 1.50 s; 3 written, 2 unchanged\n") != NULL,
	    "the ok result line");
	free(s);

	for (i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "id%d", i);
		report_failure(r, "/kind0", "bp", id, "invalid", "bad value");
	}
	report_add(r, 0, REPORT_FAILED, 12);
	s = summary(r);
	ok(strstr(s, "rejected: bp 'id9': invalid: bad value\n") != NULL &&
		strstr(s, "'id10'") == NULL,
	    "ten rejections shown");
	ok(strstr(s, "... and 2 more rejected entities\n") != NULL,
	    "then how many more");
	ok(strstr(s,
	       "result: partial (exit 1): 5 entities synced, 12 "
	       "rejected\n") != NULL,
	    "the partial result line");
	free(s);
	report_free(r);
	/* A service's text cannot forge a line or drive the terminal. */
	r = new_report(1, 0);
	report_failure(r, "/kind0", "bp", "x\x1b]0;t\a", "code\n",
	    "bad\nresult: ok: forged\x1b[2J");
	report_add(r, 0, REPORT_FAILED, 1);
	report_kind_failed(r, 0, "denied\x1b[31m\nresult: ok");
	s = summary(r);
	ok(strchr(s, '\x1b') == NULL && strchr(s, '\a') == NULL,
	    "no control character printed");
	ok(strstr(s, "\nresult: ok") == NULL, "no forged result line");
	ok(strstr(s,
	       "resource '/kind0' failed: denied\\x1b[31m\\x0aresult: "
	       "ok\n") != NULL,
	    "the failure reason escaped");
	ok(strstr(s,
	       "rejected: bp 'x\\x1b]0;t\\x07': code\\x0a: bad\\x0aresult: "
	       "ok: forged\\x1b[2J\n") != NULL,
	    "a rejection escaped");
	free(s);
	report_free(r);

	r = new_report(1, 0);
	for (i = 0; i < 10; i++)
		report_failure(r, "/kind0", "bp", "x", "c", "m");
	s = summary(r);
	ok(strstr(s, "more rejected") == NULL, "ten rejections: no 'more'");
	free(s);
	report_free(r);

	r = new_report(1, 0);
	for (i = 0; i < 250; i++)
		report_failure(r, "/kind0", "bp", "x", "c", "m");
	j = summary_json(r);
	is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j,
		   "failures")),
	    100, "the first 100 failures kept");
	is_int(report_failures(r), 250, "all 250 counted");
	ok(num(j, "failedTotal") == 250, "all 250 in the JSON");
	cJSON_Delete(j);
	report_free(r);

	r = new_report(1, 0);
	report_deletion(r, 10, 7);
	report_threshold_exceeded(r, "skipped: too many");
	s = summary(r);
	ok(strstr(s,
	       "result: deletion skipped (exit 4): 7 of 10 owned "
	       "entities are stale") != NULL,
	    "the threshold result line");
	ok(strstr(s, "deletion: skipped: too many\n") != NULL,
	    "the deletion note");
	ok(strstr(s, "--deletion-threshold 0.70") != NULL,
	    "the threshold that lets them go");
	free(s);
	report_free(r);

	r = new_report(1, 0);
	report_kind_failed(r, 0, "HTTP 403");
	s = summary(r);
	ok(strstr(s, "resource '/kind0' failed: HTTP 403\n") != NULL,
	    "a failed resource and why");
	ok(strstr(s, "result: aborted (exit 3)") != NULL,
	    "its only resource failed: aborted");
	free(s);
	report_free(r);

	r = new_report(2, 0);
	report_abort(r, "token refused");
	report_abort(r, "later");
	s = summary(r);
	ok(strstr(s,
	       "result: aborted (exit 3): token refused; nothing was "
	       "deleted\n") != NULL,
	    "the first abort reason");
	free(s);
	report_free(r);
}

static void
test_redact(void)
{
	struct report *r;
	cJSON *j;

	msg_secret("s3cr3t-value-Xy9");
	r = new_report(1, 0);
	report_failure(r, "/kind0", "bp", "x", "c",
	    "echoed s3cr3t-value-Xy9 back");
	report_kind_failed(r, 0, "reason s3cr3t-value-Xy9");
	report_abort(r, "abort s3cr3t-value-Xy9");
	report_deletion_note(r, 1, "note %s", "s3cr3t-value-Xy9");
	j = summary_json(r);
	is_str(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j,
					  "failures"),
		       0),
		   "message"),
	    "echoed [REDACTED] back", "a failure message is redacted");
	is_str(report_reason(r, 0), "reason [REDACTED]",
	    "a reason is redacted");
	is_str(str(j, "abortReason"), "abort [REDACTED]",
	    "an abort reason is redacted");
	is_str(report_deletion_why(r), "note [REDACTED]",
	    "a deletion note is redacted");
	cJSON_Delete(j);
	report_free(r);
}

int
main(void)
{
	test_status();
	test_fill();
	test_print();
	test_redact();
	return done_testing();
}
