/*
 * The resync engine: every resource read at once from Graph, mapped as
 * its pages arrive, written to Port in bulk with backpressure, then the
 * delete phase under the safety rules of DESIGN.md.  It reports into a
 * struct report and exits nowhere.
 */
#ifndef E2P_SYNC_H
#define E2P_SYNC_H

struct options;
struct mapping;
struct report;
struct transform;

/*
 * Run the mode of o (--dry-run or a full resync) with mapping m and its
 * compiled programs ts (check_mapping's; each taken, ts[i] left NULL),
 * filling r.  Returns 0 when the run finished (the report says how well),
 * -1 when it could not start (a message was printed; exit 2).
 */
int sync_run(const struct options *, const struct mapping *,
    struct transform **ts, struct report *);

#endif
