/*
 * The run's report: counters per resource, the first failures, why a
 * phase was skipped, the summary (a table for people, JSON for machines)
 * and the exit status.  It does no I/O except printing the summary.
 */
#ifndef E2P_REPORT_H
#define E2P_REPORT_H

#include <stdio.h>

#include "exits.h"

struct report_res {
	char *kind;
	char *blueprint;         /* first blueprint its entities had */
	unsigned long fetched;   /* items read from Graph */
	unsigned long selected;  /* items the selector kept */
	unsigned long emitted;   /* entities mapped */
	unsigned long dropped;   /* null/empty identifier or blueprint */
	unsigned long unchanged; /* not written: equal in Port */
	unsigned long upserted;
	unsigned long would_create; /* dry run: not in Port yet */
	unsigned long would_update; /* dry run: different in Port */
	unsigned long failed;       /* entities Port rejected */
	unsigned long deleted;
	unsigned long field_nulls; /* field errors or empty results */
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
	unsigned long graph_requests;
	unsigned long member_requests;
	unsigned long port_requests;
	unsigned long throttled;
	double seconds;
	char *started; /* ISO time */
};

void report_init(struct report *, size_t nres);
void report_release(struct report *);
/* Record an entity Port rejected (copied); keeps the first 100. */
void report_failure(struct report *, const char *kind, const char *bp,
    const char *id, const char *code, const char *message);
/* Mark a resource failed, with its reason (first reason wins). */
void report_kind_failed(struct report *, size_t i, const char *reason);
void report_abort(struct report *, const char *reason);
/* How many resources failed. */
size_t report_kinds_failed(const struct report *);
int report_exit_status(const struct report *);
/* The table, the first failures and the result line. */
void report_print(const struct report *, FILE *);
/*
 * The summary as one JSON log line (--log-format json): time, level,
 * message (the result line), "event":"summary", and the summary object
 * that --summary-json writes.
 */
void report_print_json(const struct report *, FILE *);
/* The same as JSON in path.  Returns -1 after printing why. */
int report_write_json(const struct report *, const char *path);

#endif
