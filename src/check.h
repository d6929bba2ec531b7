/*
 * The checks that need no network: every jq program compiles, $top is in
 * 1..999 (and within what Graph serves with the $select), kinds are Graph
 * paths, and the fields a mapping reads are ones Graph returns (named
 * when not).  --check runs them alone; every mode runs them first.
 */
#ifndef E2P_CHECK_H
#define E2P_CHECK_H

struct mapping;
struct options;

/* Returns 0, or -1 after printing file:line:col errors. */
int check_mapping(const struct options *, const struct mapping *);

#endif
