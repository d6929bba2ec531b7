/*
 * The mapping file: Ocean's port-app-config YAML, read with libyaml into
 * plain C structures.  This module knows the file's shape and positions; it
 * does not compile or run jq (transform does) and does no I/O but reading
 * the file.  Errors are printed once, as "file:line:col: message".
 */
#ifndef E2P_MAPPING_H
#define E2P_MAPPING_H

#include <stddef.h>

/* A named jq program (or a plain string for query_params/headers), with the
 * position of its value in the file, for messages.  line/col are 1-based;
 * 0 when the field comes from the built-in mapping. */
struct mapping_field {
	char *name;  /* "identifier", or a property / relation name */
	char *value; /* jq text as written (YAML-unquoted), or a string */
	int line;
	int col;
};

enum mapping_members {
	MEMBERS_NONE = 0,
	MEMBERS_DIRECT,    /* /groups/{id}/members */
	MEMBERS_TRANSITIVE /* /groups/{id}/transitiveMembers */
};

struct mapping_resource {
	char *kind;    /* Graph path, e.g. "/users" */
	char *file;    /* the file it came from, for messages */
	int line, col; /* position of the resource's "kind" key */

	struct mapping_field query;     /* selector.query; "true" if absent */
	struct mapping_field data_path; /* selector.data_path; "." if absent */
	struct mapping_field *query_params; /* selector.query_params */
	size_t nquery_params;
	struct mapping_field *headers; /* selector.headers */
	size_t nheaders;
	/*
	 * Membership to read from /groups/{id}/members, set when
	 * query_params holds "$expand" of members / transitiveMembers (that
	 * $expand is then removed from query_params, since $expand stops at
	 * 20) or when selector.membership is "members" / "transitiveMembers"
	 * (or "none").
	 */
	enum mapping_members members;
	int membership_set; /* selector.membership was written */

	/* port.entity.mappings; a field whose value is NULL is unmapped. */
	struct mapping_field identifier;
	struct mapping_field title;
	struct mapping_field blueprint;
	struct mapping_field icon;
	struct mapping_field team;
	struct mapping_field *properties;
	size_t nproperties;
	struct mapping_field *relations;
	size_t nrelations;
};

/* The top-level settings, as indexes of struct mapping's set_line. */
enum mapping_setting {
	MAPPING_DELETE_DEPENDENTS = 0,
	MAPPING_CREATE_MISSING,
	MAPPING_MERGE,
	MAPPING_THRESHOLD,
	MAPPING_NSETTINGS
};

struct mapping {
	char *path;                /* file name(s) for messages, or
	                              "<built-in>" */
	int delete_dependents;     /* deleteDependentEntities, default 1 */
	int create_missing;        /* createMissingRelatedEntities, default 1 */
	int merge;                 /* enableMergeEntity, default 1 */
	double deletion_threshold; /* entityDeletionThreshold, default 0.9 */
	int threshold_set;         /* 1 if the file set it */
	/* Where each setting was written (1-based; 0: not written). */
	int set_line[MAPPING_NSETTINGS];
	int set_col[MAPPING_NSETTINGS];
	struct mapping_resource *res;
	size_t nres;
};

/*
 * Load and validate a mapping file.  Returns a new mapping owned by the
 * caller (mapping_free), or NULL after printing "file:line:col: message".
 * Unknown keys are errors, each named (with the known key it is probably
 * a typo of) before the load fails; top-level keys starting with "x-"
 * are left alone, as places for YAML anchors.
 */
struct mapping *mapping_load(const char *path);
/* The same from a buffer; name is used in messages. */
struct mapping *mapping_load_buffer(const char *name, const char *text,
    size_t len);
/*
 * Load n files (--mapping given n times) as one mapping: their resources
 * concatenated in order, their top-level settings combined.  A setting
 * written with different values in two files is an error naming both
 * places.  Every file is read, so every error is reported; then NULL.
 */
struct mapping *mapping_load_files(const char *const *paths, size_t n);
/* The built-in mapping for the four kinds (never NULL). */
struct mapping *mapping_builtin(void);
/* The built-in mapping's YAML text (static storage). */
const char *mapping_builtin_text(void);
void mapping_free(struct mapping *);
/*
 * m as the JSON of Port's integration config (port-app-config): the
 * top-level settings and every resource as the tool reads it, jq programs
 * as strings, so that --mapping-from-port reads back the same mapping.
 * Headers whose name suggests a secret are left out.  A new string owned
 * by the caller.
 */
char *mapping_to_json(const struct mapping *m);
/* Find a query parameter by name (case-sensitive); NULL if absent. */
const struct mapping_field *mapping_param(const struct mapping_resource *,
    const char *name);

#endif
