/*
 * Unit tests for report.c: the exit status from the counters, in its
 * order (aborted or every resource failed, then a failed resource, then
 * the deletion threshold, then rejected entities or a failed delete), the
 * summary's lines (rejections shown up to 10, then a count; the result
 * line of each status), the first 100 failures kept of many, and failure
 * messages redacted.
 */
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

static void
new_report(struct report *r, size_t n)
{
	size_t i;

	report_init(r, n);
	for (i = 0; i < n; i++) {
		char k[16];

		snprintf(k, sizeof(k), "/kind%zu", i);
		r->res[i].kind = strdup(k);
	}
}

static void
test_status(void)
{
	struct report r;

	new_report(&r, 2);
	is_int(report_exit_status(&r), EXIT_OK, "nothing wrong: 0");
	r.delete_failed = 1;
	is_int(report_exit_status(&r), EXIT_PARTIAL, "a failed delete: 1");
	r.delete_failed = 0;
	report_failure(&r, "/kind0", "bp", "id", "code", "message");
	is_int(report_exit_status(&r), EXIT_PARTIAL, "one rejection: 1");
	r.threshold_exceeded = 1;
	is_int(report_exit_status(&r), EXIT_THRESHOLD,
	    "threshold before rejections: 4");
	report_kind_failed(&r, 0, "first reason");
	report_kind_failed(&r, 0, "second reason");
	is_int(report_exit_status(&r), EXIT_PARTIAL,
	    "one of two resources failed, before the threshold: 1");
	is_str(r.res[0].reason, "first reason", "the first reason is kept");
	is_int(report_kinds_failed(&r), 1, "one kind failed");
	report_kind_failed(&r, 1, "also");
	is_int(report_exit_status(&r), EXIT_ABORTED,
	    "every resource failed: 3");
	report_release(&r);

	new_report(&r, 2);
	report_abort(&r, "token refused");
	report_abort(&r, "later");
	is_int(report_exit_status(&r), EXIT_ABORTED, "aborted: 3");
	is_str(r.abort_reason, "token refused", "the first abort reason");
	report_release(&r);

	new_report(&r, 0);
	is_int(report_exit_status(&r), EXIT_OK, "no resources: 0");
	report_release(&r);
}

static void
test_print(void)
{
	struct report r;
	char *s, id[16];
	int i;

	new_report(&r, 1);
	r.res[0].fetched = 5;
	r.res[0].upserted = 3;
	r.res[0].unchanged = 2;
	r.seconds = 1.5;
	s = summary(&r);
	ok(strstr(s,
	       "result: ok: 5 items read, 5 entities synced, 0 "
	       "deleted, in 1.50 s; 3 written, 2 unchanged\n") != NULL,
	    "the ok result line");
	free(s);

	for (i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "id%d", i);
		report_failure(&r, "/kind0", "bp", id, "invalid", "bad value");
	}
	r.res[0].failed = 12;
	s = summary(&r);
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
	report_release(&r);
	/* A service's text cannot forge a line or drive the terminal. */
	new_report(&r, 1);
	report_failure(&r, "/kind0", "bp", "x\x1b]0;t\a", "code\n",
	    "bad\nresult: ok: forged\x1b[2J");
	r.res[0].failed = 1;
	report_kind_failed(&r, 0, "denied\x1b[31m\nresult: ok");
	s = summary(&r);
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
	report_release(&r);

	new_report(&r, 1);
	for (i = 0; i < 10; i++)
		report_failure(&r, "/kind0", "bp", "x", "c", "m");
	s = summary(&r);
	ok(strstr(s, "more rejected") == NULL, "ten rejections: no 'more'");
	free(s);
	report_release(&r);

	new_report(&r, 1);
	for (i = 0; i < 250; i++)
		report_failure(&r, "/kind0", "bp", "x", "c", "m");
	is_int(r.nfail, 100, "the first 100 failures kept");
	is_int(r.total_failed, 250, "all 250 counted");
	report_release(&r);

	new_report(&r, 1);
	r.threshold_exceeded = 1;
	r.stale = 7;
	r.owned = 10;
	s = summary(&r);
	ok(strstr(s,
	       "result: deletion skipped (exit 4): 7 of 10 owned "
	       "entities are stale") != NULL,
	    "the threshold result line");
	free(s);
	report_release(&r);

	new_report(&r, 1);
	report_kind_failed(&r, 0, "HTTP 403");
	s = summary(&r);
	ok(strstr(s, "resource '/kind0' failed: HTTP 403\n") != NULL,
	    "a failed resource and why");
	ok(strstr(s, "result: aborted (exit 3)") != NULL,
	    "its only resource failed: aborted");
	free(s);
	report_release(&r);
}

static void
test_redact(void)
{
	struct report r;

	msg_secret("s3cr3t-value-Xy9");
	new_report(&r, 1);
	report_failure(&r, "/kind0", "bp", "x", "c",
	    "echoed s3cr3t-value-Xy9 back");
	report_kind_failed(&r, 0, "reason s3cr3t-value-Xy9");
	report_abort(&r, "abort s3cr3t-value-Xy9");
	is_str(r.fail[0].message, "echoed [REDACTED] back",
	    "a failure message is redacted");
	is_str(r.res[0].reason, "reason [REDACTED]", "a reason is redacted");
	is_str(r.abort_reason, "abort [REDACTED]",
	    "an abort reason is redacted");
	report_release(&r);
}

int
main(void)
{
	test_status();
	test_print();
	test_redact();
	return done_testing();
}
