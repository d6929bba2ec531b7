/*
 * Port writes and reads: blueprint creation (--init), bulk upserts grouped
 * per blueprint (at most 20 entities and under 1 MiB, results matched by
 * index, 413 falling back to single upserts), the listing of the entities
 * this integration owns, and bulk deletes.  Every request carries the
 * ownership User-Agent.  This module knows nothing of Graph.
 */
#ifndef E2P_PORT_H
#define E2P_PORT_H

#include <stddef.h>

struct cJSON;
struct http;
struct http_auth;
struct http_window;
struct port;

struct port_config {
	const char *base_url;   /* "https://api.getport.io" */
	const char *type;       /* integration type: "custom" */
	const char *identifier; /* integration identifier */
	const char *version;
	int merge;
	int create_missing;
	int delete_dependents;
};

/* The result of one entity's upsert; strings valid during the call. */
typedef void (*port_result_fn)(void *arg, void *tag, const char *blueprint,
    const char *identifier, int ok, const char *code, const char *message);

/*
 * Port's headers, for the HTTP engine (http_host_headers): its rate
 * window (x-ratelimit-remaining, -reset, -limit, -period; a reset over
 * 10,000 is an epoch time: the docs disagree, UNCONFIRMED), and
 * x-trace-id, which names the request in messages.
 */
void port_header(const char *name, const char *value, struct http_window *w,
    char **request_id);

struct port *port_new(struct http *, struct http_auth *,
    const struct port_config *, port_result_fn, void *arg);
void port_free(struct port *);
unsigned long port_requests(const struct port *);
int port_auth_failed(const struct port *);
/* The X-Trace-Id of the reply being reported, during a result callback
 * (NULL otherwise, or when Port sent none). */
const char *port_request_id(const struct port *);

/*
 * Queue an entity (JSON text, copied) for the blueprint's next bulk
 * request; tag is handed back with its result.
 */
void port_upsert(struct port *, void *tag, const char *blueprint,
    const char *identifier, const char *json, size_t len);
/* Send every partly filled batch. */
void port_flush(struct port *);
/*
 * Port's backlog: entities sent (or queued to send) and not yet answered.
 * Those still gathering in part-filled batches are not counted: they
 * leave only when their batch fills or port_flush sends it, so no answer
 * of Port's could ever bring them down.
 */
size_t port_pending(const struct port *);

/*
 * Create the blueprints of the JSON array text that are missing (bare,
 * then with relations, then in full), never touching one that exists.
 * done(arg, 0) on success, done(arg, -1) after printing why.
 */
void port_init_blueprints(struct port *, const char *json,
    void (*done)(void *, int), void *arg);

/*
 * List the entities Port says this integration owns (with before, an ISO
 * time, only those last updated before it): the datasource listing, or per
 * blueprint
 * (blueprints[]) when that route is missing.  each() per entity, with the
 * entity's "$datasource" (NULL when Port left it out: the caller checks
 * ownership, this module only asks); then done(arg, 0), or done(arg, -1)
 * after printing why.
 */
typedef void (*port_owned_fn)(void *arg, const char *blueprint,
    const char *identifier, const char *datasource);
void port_list_owned(struct port *, const char *before,
    const char *const *blueprints, size_t nblueprints, port_owned_fn each,
    void (*done)(void *, int), void *arg);

/*
 * Read the entities of blueprint this integration owns, with only the
 * fields in include[] ("title", "properties.mail", ...), through the
 * per-blueprint search in pages of 1,000: each() per entity (valid during
 * the call), then done(arg, 0), done(arg, -1) after printing why, or
 * done(arg, -2) when the blueprint does not exist (nothing printed).
 */
typedef void (*port_state_fn)(void *arg, const char *blueprint,
    const char *identifier, const struct cJSON *entity);
void port_read_state(struct port *, const char *blueprint,
    const char *const *include, size_t ninclude, port_state_fn each,
    void (*done)(void *, int), void *arg);

/*
 * The integration's own record in Port (best effort: failures are
 * warnings).  port_integration_ensure registers it when missing, and
 * stores config (JSON text of the mapping, or NULL to leave it) as its
 * config when Port holds another one;
 * port_resync_state reports "running", then "completed", "failed" or
 * "aborted" (start and end are ISO times, end NULL while running);
 * port_send_examples posts raw items (n JSON texts) for a kind, values
 * under secret-looking keys masked (msg_secret_name).
 */
void port_integration_ensure(struct port *, const char *config);
void port_resync_state(struct port *, const char *status, const char *start,
    const char *end);
void port_send_examples(struct port *, const char *kind, char *const *items,
    size_t n);
/*
 * Fetch the integration's mapping (its "config") as JSON text: done(arg,
 * text) with text NULL after printing why (missing integration or empty
 * config); text is valid during the call.
 */
void port_get_config(struct port *, void (*done)(void *, const char *),
    void *arg);

/*
 * Delete ids[0..n) of one blueprint, at most 100 per call.  done(arg,
 * deleted, rc) with rc -1 if any call failed (printed).  404 counts as
 * already deleted.
 */
void port_delete(struct port *, const char *blueprint, const char *const *ids,
    size_t n, void (*done)(void *, size_t, int), void *arg);

#endif
