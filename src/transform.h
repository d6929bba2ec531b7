/*
 * The transform layer: libjq with Ocean's semantics.  One compiled program
 * per resource (selector and entity together) runs once per item on the
 * fast path; the rare item whose fields error, yield nothing or yield more
 * than one value is run again through a per-field wrapped program.  Every
 * jv lives and dies in transform.c; callers see bytes and strings only.
 */
#ifndef E2P_TRANSFORM_H
#define E2P_TRANSFORM_H

#include <stddef.h>

struct mapping;
struct mapping_resource;
struct buf;
struct members;

struct transform; /* compiled programs of one resource */
struct tpage;     /* one parsed Graph page: its items and nextLink */

/* Per-field counters: the field's value became null because it errored or
 * produced no output (Ocean logs both as "misconfigured"). */
struct transform_field_stat {
	const char *name; /* "identifier", "properties.mail", ... */
	unsigned long errors;
	unsigned long empty;
	char *first_error; /* first jq error text, owned here */
};

struct transform_stats {
	unsigned long items;     /* items seen */
	unsigned long selected;  /* selector true */
	unsigned long entities;  /* entities emitted */
	unsigned long dropped;   /* null/empty identifier or blueprint */
	unsigned long slow_path; /* items that needed the wrapped path */
	unsigned long direct;    /* items mapped without libjq (jqpath.h) */
	struct transform_field_stat *fields;
	size_t nfields;
};

/*
 * Called once per entity.  blueprint and identifier are the entity's; json
 * is its compact JSON text ({"identifier","title","blueprint",...,
 * "properties":{},"relations":{}}, only the mapped keys), len its length.
 * All three are valid only during the call.  Return 0, or -1 to stop.
 */
typedef int (*transform_emit_fn)(void *arg, const char *blueprint,
    const char *identifier, const char *json, size_t len);

/*
 * Compile every program of resource r (file is the mapping's path, for
 * messages).  Returns NULL after printing
 * "file:line:col: resource '/users': field 'properties.x': jq: ...".
 * jq 1.7 builtins missing from 1.6 are defined for the programs, and
 * single-quoted string literals are turned into double-quoted ones.
 */
struct transform *transform_new(const struct mapping_resource *r,
    const char *file);
void transform_free(struct transform *);
/* Counters so far (owned by the transform). */
const struct transform_stats *transform_stats(const struct transform *);

/*
 * Parse one Graph page (JSON text) and apply the resource's data_path.
 * Returns a page owned by the caller (tpage_free), or NULL with *err set to
 * a new message string ("not JSON: ...", "data_path '.value' is a string,
 * not an array").  A data_path that yields an object gives one item, as
 * Ocean does, but such a page proves nothing about a collection (see
 * tpage_is_collection).  A page whose data_path yields null or nothing, or
 * whose "@odata.nextLink" is there but not a string, is not a page: NULL.
 */
struct tpage *transform_page(struct transform *, const char *json, size_t len,
    char **err);
size_t tpage_count(const struct tpage *);
/* 1 if the page's data_path gave an array (a page of a collection). */
int tpage_is_collection(const struct tpage *);

/*
 * What the programs see of the environment (env and $ENV), for every
 * transform compiled afterwards: {} unless allow is set, and then every
 * variable but those named in hidden[] (NULL-terminated).  Process-wide,
 * like the message level; transform_env(0, NULL) also frees the copy.
 */
void transform_env(int allow, const char *const *hidden);
/* The page's "@odata.nextLink", or NULL; owned by the page. */
const char *tpage_next_link(const struct tpage *);
/* Item i's "id" as a string, or NULL; owned by the page. */
const char *tpage_item_id(const struct tpage *, size_t i);
/* Item i as compact JSON; the caller owns the string. */
char *tpage_item_json(const struct tpage *, size_t i);
/* Leave item i out of the mapping (its members could not be read). */
void tpage_drop(struct tpage *, size_t i);
void tpage_free(struct tpage *);

/*
 * Map every item of the page, calling emit for each entity.  Returns 0, or
 * -1 with *err set (a new string) when the resource fails as a whole: the
 * selector yielded a non-boolean ("selector returned a string, not a
 * boolean"), or emit returned -1.  Per-field errors are counted, not fatal.
 */
int transform_run(struct transform *, struct tpage *, transform_emit_fn,
    void *arg, char **err);

/*
 * Map item i of the page (a group) with ml as its ".members" (an array of
 * {"@odata.type","id"} objects in ml's order, as $expand gives them), then
 * drop it from the page.  ml stays the caller's.  A field that only lists
 * member ids ("[.members[]?.id]", or those of one "@odata.type") is written
 * from ml directly when nothing else in the resource reads .members: the
 * same bytes, without a jq value per member.  Same return as
 * transform_run; an item that is not an object is an error.
 */
int transform_run_members(struct transform *, struct tpage *, size_t i,
    const struct members *ml, transform_emit_fn, void *arg, char **err);
/*
 * Whether transform_run_members may write member-id fields itself (on, the
 * default) or must leave everything to jq (tests and the bench compare
 * the two).  Returns how many fields it writes itself from now on.
 */
int transform_use_shapes(struct transform *, int on);
/*
 * Whether items are mapped without libjq when every field is a plain path
 * or literal (jqpath.h) and the selector is true (on, the default), or
 * always by libjq (off: tests compare the two).  Returns whether they are.
 */
int transform_use_direct(struct transform *, int on);

/*
 * Map one JSON text (a whole document, no data_path) and emit its entities:
 * for tests and the fuzzer.  Same return as transform_run.
 */
int transform_item(struct transform *, const char *json, size_t len,
    transform_emit_fn, void *arg, char **err);

#endif
