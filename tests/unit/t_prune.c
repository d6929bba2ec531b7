/*
 * Unit tests for the delete decision: the threshold's boundary
 * (prune_within) and ownership read from $datasource (state_ours).
 */
#include <stdlib.h>

#include "prune.h"
#include "state.h"
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

int
main(void)
{
	test_within();
	test_ours();
	return done_testing();
}
