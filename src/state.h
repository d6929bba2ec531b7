/*
 * What this integration holds in Port when the run starts, read once
 * before anything is written: for every blueprint a resource of the
 * mapping names literally, the entities whose $datasource names this
 * integration, with the fields the mapping writes.  One read serves
 * change detection (a digest per entity) and ownership (checked here, from
 * each entity's $datasource, never taken from Port's search rules).  This
 * module does not write to Port nor decide what is deleted (prune does).
 */
#ifndef E2P_STATE_H
#define E2P_STATE_H

#include <stddef.h>
#include <stdint.h>

struct mapping;
struct mapping_resource;
struct port;
struct report;
struct state;

/*
 * The state of mapping m's blueprints for integration (type, identifier).
 * With digests, and when every resource names its blueprint literally,
 * each blueprint is searched with the fields the mapping writes; otherwise
 * the integration's entities are listed (every blueprint at once, or per
 * blueprint, those named literally and blueprints[] (NULL-terminated), where
 * Port lacks that route), owners only.
 */
struct state *state_new(const struct mapping *m, const char *type,
    const char *identifier, int digests, const char *const *blueprints);
void state_free(struct state *);

/* Queue the reads on p; they run in the caller's http_run. */
void state_read(struct state *, struct port *p);
/*
 * After the reads ran: 0, or -1 if one failed (Port's client printed why;
 * then nothing of the state is used).
 */
int state_result(const struct state *);

/*
 * The digest Port holds for the entity keyed key ("blueprint\x1fid") that
 * resource r writes to blueprint bp: 1 and *have; 0 when Port holds no
 * such entity of this integration; -1 when there is nothing to compare
 * with (bp not read with digests, or two resources write it).
 */
int state_digest(const struct state *, const struct mapping_resource *r,
    const char *bp, const char *key, size_t keylen, uint64_t *have);

/* 1 if the read gave digests to compare with (a dry run says so). */
int state_compares(const struct state *);
/*
 * The i-th blueprint (from 0) the mapping writes that Port does not have
 * (its search answered 404), or NULL past the last; none is read as empty.
 */
const char *state_missing(const struct state *, size_t i);
/*
 * Say, once, which blueprints the mapping writes are missing in Port and
 * what creates them; unless dry_run, abort the report's run (there is
 * nothing to write to).  Returns how many are missing.
 */
size_t state_report_missing(const struct state *, int dry_run,
    struct report *rep);
/* What Port's listing of the mapping's blueprints held. */
struct state_counts {
	/* Owned entities: what this integration held when the run started. */
	unsigned long owned;
	/* Entities that belong to another writer (not counted as owned). */
	unsigned long foreign;
	/* Entities returned without their $datasource: while there is one,
	 * ownership is not proven and nothing may be deleted. */
	unsigned long unproven;
};
struct state_counts state_counts(const struct state *);
/* Visit every owned entity. */
void state_each(const struct state *,
    void (*fn)(void *, const char *blueprint, const char *identifier),
    void *arg);

/*
 * 1 if datasource is the User-Agent this integration writes with:
 * "port-ocean/<type>/<version>/<identifier>/exporter", the version one
 * non-empty segment.  Prefix and suffix alone would also match another
 * integration whose identifier ends in "/<identifier>".
 */
int state_ours(const char *datasource, const char *type,
    const char *identifier);

#endif
