/*
 * The checks that need no network: every jq program compiles, $top is in
 * 1..999 (and within what Graph serves with the $select), kinds are Graph
 * paths, and the fields a mapping reads are ones Graph returns (named
 * when not).  --check runs them alone; every mode runs them first.
 */
#ifndef E2P_CHECK_H
#define E2P_CHECK_H

struct mapping;
struct transform;

/*
 * Returns 0, or -1 after printing file:line:col errors.  The programs of
 * resource i, compiled once, are left in ts[i] (an array of m->nres,
 * each owned by the caller; NULL where they do not compile).
 */
int check_mapping(const struct mapping *m, struct transform **ts);

#endif
