/*
 * One resource of the mapping, read from Graph and mapped: its pages in
 * order (the next one asked for before the current one is mapped), the
 * whole membership of each group before it is mapped, and the proofs of a
 * complete read.  Entities go to the engine's sink; the engine holds the
 * reads while Port lags and lets them go on.  It writes nothing to Port.
 */
#ifndef E2P_RESOURCE_H
#define E2P_RESOURCE_H

#include <stddef.h>
#include <stdint.h>

struct graph;
struct mapping_resource;
struct report;
struct resource;
struct tpage;
struct transform;
struct transform_stats;

/* What a resource needs of the engine that runs it. */
struct resource_env {
	struct graph *g;
	struct report *rep; /* counters of resource idx */
	/* An entity of res (strings valid during the call); 0, or -1 to
	 * stop mapping (the resource fails). */
	int (*emit)(void *arg, struct resource *res, const char *bp,
	    const char *id, const char *json, size_t len);
	/* 1 while Port lags: above high water when holding, not yet under
	 * low water when resuming. */
	int (*lagging)(void *arg, int resuming);
	/* A page arrived, before it is mapped (raw examples). */
	void (*page)(void *arg, struct resource *res, const struct tpage *tp);
	/* The resource was read to its end, or failed. */
	void (*done)(void *arg, struct resource *res);
	void *arg;
};

/*
 * Resource idx of the mapping, r (kept by the caller), set up with its
 * $select derived and its $top clamped, mapping with t, its compiled
 * programs (taken: freed with the resource).
 */
struct resource *resource_new(const struct mapping_resource *r, size_t idx,
    struct transform *t, const struct resource_env *env);
void resource_free(struct resource *);
/* Start reading (the requests run in the engine's http_run). */
void resource_start(struct resource *);
/* Read on if a page was held and neither members nor Port hold it now. */
void resource_resume(struct resource *);

size_t resource_index(const struct resource *);
const struct mapping_resource *resource_mapping(const struct resource *);
/* A bit of its own among the engine's resources (0 past the 64th). */
uint64_t resource_bit(const struct resource *);
/* 1 once the listing started again from its first page. */
int resource_restarted(const struct resource *);
/* Whether the resource was read to its end (its done callback ran). */
int resource_finished(const struct resource *);
/* Why the read proves nothing about a collection, or NULL. */
const char *resource_unproven(const struct resource *);
const struct transform_stats *resource_stats(const struct resource *);

#endif
