/*
 * The delete phase: what may be deleted, and why not.  Deletion rests on
 * positive evidence, passed in by name: every resource read completely,
 * every item mapped to an identifier, the entities this integration owned
 * when the run started (each one's $datasource checked), and the share of
 * those that are stale within the threshold.  When a proof is missing,
 * nothing is deleted and the report says which proof it was.
 */
#ifndef E2P_PRUNE_H
#define E2P_PRUNE_H

#include <stddef.h>

struct http;
struct port;
struct report;
struct state;
struct strset;

/* What one resource proved. */
struct prune_proof {
	const char *kind;
	/*
	 * Every page answered 200 with an array at data_path, the chain
	 * ended on a page without a nextLink, and (groups) every member list
	 * ended the same way.  If not, why_not says what went wrong.
	 */
	int complete;
	const char *why_not;
	unsigned long dropped; /* mapped to no identifier/blueprint */
};

struct prune_input {
	const struct prune_proof *proofs;
	size_t nproofs;
	const struct strset *seen;    /* "bp\x1fid" produced */
	const struct strset *targets; /* ids to keep, or NULL */
	/* The owned entities read when the run started; NULL if that read
	 * failed. */
	const struct state *state;
	double threshold; /* entityDeletionThreshold */
	int no_delete;    /* --no-delete */
	int dry_run;      /* say what would go */
	/* n entities of blueprint bp deleted (or would be, in a dry run) */
	void (*deleted)(void *arg, const char *bp, size_t n);
	void *arg;
};

/*
 * 1 if a run may delete stale of the owned_before entities this
 * integration owned when it started: the share is at most threshold (and
 * threshold is above 0).
 */
int prune_within(unsigned long stale, unsigned long owned_before,
    double threshold);

/*
 * Decide, then delete through p (NULL: no Port credentials, nothing
 * computed), filling the report's deletion part: owned, stale, the note
 * saying why deletion was skipped, threshold_exceeded, delete_failed.
 * Returns 0, or -1 if the run was interrupted.  A state read that failed
 * because Port refused the credentials is left for the caller to report
 * (port_auth_failed).
 */
int prune_run(const struct prune_input *, struct port *p, struct http *,
    struct report *);

#endif
