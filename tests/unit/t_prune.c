/*
 * Unit tests for the delete decision: the threshold's boundary
 * (prune_within), ownership read from $datasource (state_ours), and the
 * proofs prune_run checks before it needs Port (the note and the exit
 * status each missing one leaves).
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "port.h"
#include "prune.h"
#include "report.h"
#include "state.h"
#include "strset.h"
#include "tap.h"

static void
test_within(void)
{
	/* The manual: at most the threshold deletes. */
	ok(prune_within(1, 10, 0.1),
	    "1 of 10 at 0.1: on the boundary, allowed");
	ok(!prune_within(2, 10, 0.1), "2 of 10 at 0.1: over");
	ok(prune_within(9, 10, 0.9), "9 of 10 at the default 0.9: allowed");
	ok(!prune_within(10, 10, 0.9), "everything owned at 0.9: refused");
	ok(prune_within(10, 10, 1.0), "everything owned at 1.0: allowed");
	ok(prune_within(45, 100, 0.45), "45 of 100 at 0.45: allowed");
	ok(!prune_within(46, 100, 0.45), "46 of 100 at 0.45: over");
	ok(prune_within(1, 3, 1.0 / 3), "1 of 3 at 1/3: allowed");
	ok(prune_within(0, 0, 0.9), "nothing stale, nothing owned: allowed");
	ok(prune_within(0, 10, 0), "nothing stale at 0: allowed");
	ok(!prune_within(1, 10, 0), "threshold 0 never deletes");
	ok(!prune_within(1, 0, 0.9), "stale with nothing owned: refused");
	ok(!prune_within(5, 4, 1.0), "more stale than owned: refused");
	ok(!prune_within(1, 2, 0.49), "1 of 2 at 0.49: over");
}

static void
test_ours(void)
{
	const char *id = "entra-id-integration";

	ok(state_ours("port-ocean/custom/0.1.0/entra-id-integration/exporter",
	       "custom", id),
	    "our own datasource");
	ok(state_ours("port-ocean/custom/0.38.1/entra-id-integration/exporter",
	       "custom", id),
	    "another version of us (Ocean's)");
	ok(!state_ours("port-ocean/custom/0.1.0/entra-id-integration/gitops",
	       "custom", id),
	    "another feature");
	ok(!state_ours("port-ocean/custom/0.1.0/other-integration/exporter",
	       "custom", id),
	    "another integration");
	ok(!state_ours(
	       "port-ocean/custom/9.9/evil/entra-id-integration/exporter",
	       "custom", id),
	    "suffix look-alike");
	ok(!state_ours("port-ocean/custom//entra-id-integration/exporter",
	       "custom", id),
	    "empty version");
	ok(!state_ours("port-ocean/customx/1/entra-id-integration/exporter",
	       "custom", id),
	    "type prefix look-alike");
	ok(!state_ours("port-ocean/gitlab/1/entra-id-integration/exporter",
	       "custom", id),
	    "another type");
	ok(!state_ours("port-ocean/customxx/entra-id-integration/exporter",
	       "custom", id),
	    "a type that starts like ours, no version");
	ok(!state_ours("xport-ocean/custom/1/entra-id-integration/exporter",
	       "custom", id),
	    "prefix look-alike");
	ok(!state_ours("port-ocean/custom/1/entra-id-integration/exporterx",
	       "custom", id),
	    "suffix longer");
	ok(!state_ours("port-ocean/custom/1/xentra-id-integration/exporter",
	       "custom", id),
	    "identifier with a prefix");
	ok(!state_ours("port-ocean/custom/1/entra-id-integration", "custom",
	       id),
	    "no feature");
	ok(!state_ours("", "custom", id), "empty (made by hand)");
	ok(!state_ours(NULL, "custom", id), "absent");
}

/*
 * prune_run on proofs pf[0..n) with p (no request is made: every case
 * stops before the state is read); the report is the caller's.
 */
static struct report *
decide(const struct prune_proof *pf, size_t n, int no_delete, int dry_run,
    struct port *p)
{
	struct report *rep = report_new(n, dry_run);
	struct prune_input in;
	struct strset seen;

	strset_init(&seen);
	memset(&in, 0, sizeof(in));
	in.proofs = pf;
	in.nproofs = n;
	in.seen = &seen;
	in.threshold = 0.9;
	in.no_delete = no_delete;
	in.dry_run = dry_run;
	ok(prune_run(&in, p, NULL, rep) == 0, "prune_run returns 0");
	strset_release(&seen);
	return rep;
}

enum match {
	EXACT,
	CONTAINS,
	PREFIX
};

/*
 * decide() over pf, and check the deletion note (matched as m says)
 * and the exit status, each named by what.
 */
static void
expect(struct prune_proof *pf, int no_delete, int dry_run, struct port *p,
    enum match m, const char *why, int status, const char *what)
{
	struct report *rep = decide(pf, 2, no_delete, dry_run, p);
	const char *got = report_deletion_why(rep);

	if (m == EXACT)
		is_str(got, why, "%s: the note", what);
	else
		ok(got != NULL &&
			(m == CONTAINS ? strstr(got, why) != NULL :
					 strncmp(got, why, strlen(why)) == 0),
		    "%s: the note (%s)", what, got ? got : "none");
	is_int(report_exit_status(rep), status, "%s: exit %d", what, status);
	report_free(rep);
}

static void
test_proofs(void)
{
	struct port_config c = { "https://port.test", "custom", "e2p", "0.1.0",
		1, 0, 0 };
	struct port *p = port_new(NULL, NULL, &c, NULL, NULL);
	struct prune_proof pf[2] = { { "/users", 1, NULL, 0 },
		{ "/groups", 1, NULL, 0 } };

	/* No reason given: the default says what was not proven, and an
	 * unproven read skips deletion as a failure. */
	pf[1].complete = 0;
	expect(pf, 0, 0, p, EXACT,
	    "skipped: a resource failed, so what Entra holds is not proven: "
	    "'/groups': not read to the end",
	    EXIT_PARTIAL, "an unfinished resource, without a reason");

	/* The proofs come before --no-delete: the run still failed. */
	pf[1].why_not = "cannot read '/groups': HTTP 500";
	expect(pf, 1, 0, p, CONTAINS, "HTTP 500", EXIT_PARTIAL,
	    "a missing proof with --no-delete");

	pf[1].complete = 1;
	pf[0].dropped = 3;
	expect(pf, 0, 1, NULL, EXACT,
	    "skipped: 3 items of '/users' mapped to a null or empty "
	    "identifier or blueprint",
	    EXIT_PARTIAL,
	    "items without identifier, in a dry run, "
	    "before the credentials");

	pf[0].dropped = 0;
	expect(pf, 1, 0, p, EXACT, "off (--no-delete)", EXIT_OK,
	    "complete proofs with --no-delete");
	expect(pf, 0, 1, NULL, PREFIX, "not computed", EXIT_OK,
	    "a dry run without Port credentials");

	/* The owned entities could not be listed (state NULL): a run
	 * fails; a dry run, which only counts, does not. */
	expect(pf, 0, 0, p, EXACT,
	    "skipped: the entities this integration owns could not be "
	    "listed",
	    EXIT_PARTIAL, "the owned entities unlisted in a run");
	expect(pf, 0, 1, p, EXACT,
	    "skipped: the entities this integration owns could not be "
	    "listed",
	    EXIT_OK, "the owned entities unlisted in a dry run");
	port_free(p);
}

int
main(void)
{
	msg_setup(0, MSG_TEXT);
	test_within();
	test_ours();
	test_proofs();
	return done_testing();
}
