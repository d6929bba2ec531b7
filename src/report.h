/*
 * The run's report: counters per resource, the first failures, why a
 * phase was skipped, the summary (a table for people, JSON for machines)
 * and the exit status.  It does no I/O except printing the summary.
 */
#ifndef E2P_REPORT_H
#define E2P_REPORT_H

#include <stdio.h>

#include "exits.h"

/* What is counted of each resource (report_add, report_count). */
enum report_count {
	REPORT_FETCHED,      /* items read from Graph */
	REPORT_SELECTED,     /* items the selector kept */
	REPORT_MAPPED,       /* entities mapped */
	REPORT_DROPPED,      /* null/empty identifier or blueprint */
	REPORT_UNCHANGED,    /* not written: equal in Port */
	REPORT_UPSERTED,     /* written */
	REPORT_WOULD_CREATE, /* dry run: not in Port yet */
	REPORT_WOULD_UPDATE, /* dry run: different in Port */
	REPORT_FAILED,       /* entities Port rejected */
	REPORT_DELETED,
	REPORT_FIELD_NULLS, /* field errors or empty results */
	REPORT_NCOUNTS
};

/* The requests a run made, counted by the clients (report_requests). */
struct report_requests {
	unsigned long graph;
	unsigned long member_batches;
	unsigned long port;
	unsigned long throttled;
};

struct report;

/*
 * A report of nres resources, all counters 0, owned by the caller (free
 * it with report_free).  dry_run says which table the summary prints.
 */
struct report *report_new(size_t nres, int dry_run);
void report_free(struct report *);

/* The kind of resource i (copied; the first name wins). */
void report_name(struct report *, size_t i, const char *kind);
const char *report_kind(const struct report *, size_t i); /* or "" */
/* The first blueprint the entities of resource i had (copied). */
void report_blueprint(struct report *, size_t i, const char *bp);
/* Add n to counter c of resource i. */
void report_add(struct report *, size_t i, enum report_count c,
    unsigned long n);
unsigned long report_count(const struct report *, size_t i,
    enum report_count c);
/* How long resource i took to read and map. */
void report_seconds(struct report *, size_t i, double secs);
/* Deletions of blueprints that no resource wrote. */
void report_deleted_other(struct report *, unsigned long n);

/* Record an entity Port rejected (copied); keeps the first 100. */
void report_failure(struct report *, const char *kind, const char *bp,
    const char *id, const char *code, const char *message);
/* How many entities Port rejected, kept or not. */
unsigned long report_failures(const struct report *);
/* Mark a resource failed, with its reason (first reason wins). */
void report_kind_failed(struct report *, size_t i, const char *reason);
/* Whether resource i failed, and why (NULL when it did not). */
int report_failed(const struct report *, size_t i);
const char *report_reason(const struct report *, size_t i);
/* Stop the run: nothing more is written or deleted (first reason wins). */
void report_abort(struct report *, const char *reason);
int report_aborted(const struct report *);
/* How many resources failed. */
size_t report_kinds_failed(const struct report *);
size_t report_nres(const struct report *);
int report_dry_run(const struct report *);

/* The dry run compared the mapped entities with what Port holds. */
void report_compared(struct report *);
/* When the run started (an ISO time, copied) and how long it took. */
void report_started(struct report *, const char *iso);
const char *report_start_time(const struct report *);
void report_elapsed(struct report *, double secs);
void report_requests(struct report *, const struct report_requests *);

/*
 * The delete phase.  report_deletion counts what the integration owned
 * when the run started and how many of those are stale; report_protect
 * counts one stale entity kept because a kept entity points at it.
 */
void report_deletion(struct report *, unsigned long owned, unsigned long stale);
void report_protect(struct report *);
/*
 * Deletion was skipped or cut short: why, as a printf format (the first
 * note wins).  failed says whether that makes the run partial (exit 1);
 * report_threshold_exceeded is the same for the threshold (exit 4).
 */
void report_deletion_note(struct report *, int failed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void report_threshold_exceeded(struct report *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *report_deletion_why(const struct report *);

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
