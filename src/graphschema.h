/*
 * What Microsoft Graph's published v1.0 schema says about the four kinds
 * entra2port reads (user, group, application, servicePrincipal): their
 * declared properties with EDM type and nullability, their navigation
 * properties, the properties a user list returns without $select, and the
 * page-size limits the schema does not carry.  Data and lookups only: no
 * I/O and no messages; callers decide what a finding means.
 */
#ifndef E2P_GRAPHSCHEMA_H
#define E2P_GRAPHSCHEMA_H

#include <stddef.h>

#define GS_COLLECTION 0x1 /* [T]: a JSON array of T */
#define GS_NOT_NULL   0x2 /* Nullable="false" in the metadata */

/*
 * A declared property.  type is the EDM type ("Edm.String") or the
 * complex or enum type name ("signInActivity"), of the elements for a
 * collection.  GS_NOT_NULL describes the type, not what a list returns:
 * it never makes a property safe to require.
 */
struct graphschema_prop {
	const char *name;
	const char *type;
	unsigned flags;
};

/* What a top-level name read from a Graph object is, for a kind. */
enum graphschema_name {
	GS_PROPERTY = 0, /* declared, or documented as returned anyway */
	GS_NAVIGATION,   /* a relationship: $expand or /{id}/NAME */
	GS_ANNOTATION,   /* "@odata.type", "_x": never a property */
	GS_EXTENSION,    /* extension_<appId>_<name>: a tenant's own */
	GS_UNDECLARED,   /* the kind is covered and lacks the name */
	GS_UNCOVERED     /* the kind is not one of the four */
};

/* The entity type of a collection path ("/users" gives "user"), or NULL
 * for a path this module does not cover. */
const char *graphschema_type_of(const char *kind);

/*
 * The declared property name of the collection path kind, inherited ones
 * (id, deletedDateTime) included; NULL when the kind is not covered or
 * does not declare name.  Points into static data.
 */
const struct graphschema_prop *graphschema_prop(const char *kind,
    const char *name);

/* Classify a top-level name read from an item of kind (see the enum). */
enum graphschema_name graphschema_classify(const char *kind, const char *name);

/*
 * Of the comma-separated names fields (those a mapping reads), the ones a
 * $select may name for kind: properties, directory extensions, and any
 * name of a kind not covered; comma-separated, owned by the caller.
 */
char *graphschema_select(const char *kind, const char *fields);

/*
 * The names of fields that kind does not declare, as "'dispalyName' (did
 * you mean displayName?), 'foo'"; NULL when there is none.  The caller
 * frees the result.
 */
char *graphschema_undeclared(const char *kind, const char *fields);

/* The properties Graph returns for a user without $select, as a
 * NULL-terminated list (static). */
const char *const *graphschema_user_defaults(void);
/* Is name one of them? */
int graphschema_user_default(const char *name);

/*
 * Up to three declared property names of kind closest to the misspelt
 * name (edit distance, case ignored), as "displayName" or "mail,
 * mailNickname"; NULL when the kind is not covered or nothing is close.
 * The caller frees the result.
 */
char *graphschema_nearest(const char *kind, const char *name);

/*
 * The Port property type ("string", "number", "boolean", "array",
 * "object") of a declared property, or NULL when it has no JSON value in
 * a list (Edm.Stream).  The format is "date-time" for Edm.DateTimeOffset
 * and NULL otherwise: Graph declares no address or URL formats, and an
 * Edm.String holding an address may be non-ASCII.
 */
const char *graphschema_port_type(const struct graphschema_prop *);
const char *graphschema_port_format(const struct graphschema_prop *);

/*
 * The largest $top Graph accepts on kind with the given $select and
 * $filter values (either may be NULL): 500 for /users when signInActivity
 * is selected or filtered on, otherwise 999.
 */
long graphschema_max_top(const char *kind, const char *select,
    const char *filter);

struct mapping_resource;

/*
 * The $select to add to a directory collection's listing when the
 * resource has none: what its programs read that a $select may name, or
 * NULL (not a directory collection, a $select given, or the fields read
 * cannot be told).  The caller frees the result.
 */
char *graphschema_derive_select(const struct mapping_resource *);
/*
 * The $top to send instead of the one in names[]/values[] (n of them):
 * lowered to what Graph serves with their $select and $filter, or NULL to
 * keep it.  The caller frees the result.
 */
char *graphschema_clamp_top(const char *kind, char *const *names,
    char *const *values, size_t n);

#endif
