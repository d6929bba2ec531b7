/*
 * Microsoft Graph reads: collections followed page by page through
 * @odata.nextLink (verbatim), and group membership through $batch.  This
 * module does not parse pages (transform does, then tells it the next
 * link); it parses only error bodies and $batch replies, with cJSON.
 */
#ifndef E2P_GRAPH_H
#define E2P_GRAPH_H

#include <stddef.h>

struct http;
struct http_auth;
struct http_window;
struct graph;
struct graph_list;
struct members;

/* A Graph failure, as reported: status, error.code, message, request-id. */
struct graph_error {
	long status;      /* 0: transport */
	const char *code; /* "Authorization_RequestDenied" */
	const char *message;
	const char *request_id;
	int auth_failed; /* no token could be obtained */
	int interrupted;
	int reported; /* already said (auth) or nothing to say
	                 (interrupted): pass it up silently */
	int vanished; /* a group confirmed gone: its member
	                 list and GET /groups/{id} both
	                 answered 404 Request_ResourceNotFound */
};

struct graph_list_cb {
	/*
	 * A page arrived (body valid during the call).  The callee must
	 * later call graph_list_next() (with the page's nextLink or NULL),
	 * graph_list_refetch(), or graph_list_fail().
	 */
	void (*page)(void *arg, struct graph_list *, const char *body,
	    size_t len);
	/* The enumeration restarts from the first page (an expired
	 * skiptoken, or a page size Graph refused after pages came). */
	void (*restart)(void *arg, struct graph_list *);
	/* Every page was read (after graph_list_next(NULL)). */
	void (*done)(void *arg, struct graph_list *);
	/* The enumeration failed for good; e is valid during the call. */
	void (*fail)(void *arg, struct graph_list *,
	    const struct graph_error *e, const char *text);
	void *arg;
	/* Optional: field left out of the $select because Graph refused it
	 * (why: its error), before the listing is read again. */
	void (*dropped)(void *arg, const char *field, const char *why);
};

struct graph *graph_new(struct http *, struct http_auth *,
    const char *base_url);
void graph_free(struct graph *);
/*
 * Requests sent to Graph (pages, batches), for the summary; *member_batches
 * is set to how many of them were $batch requests for members.
 */
unsigned long graph_requests(const struct graph *,
    unsigned long *member_batches);

/*
 * Start reading path (e.g. "/users") with the query parameters names[i] =
 * values[i] and the extra request headers ("Name: value").  The list is
 * owned by the graph and freed after done or fail has been called.
 *
 * Some refusals are worked around by reading again from the first page
 * (cb->restart is called if pages were already handed over): a 400 that
 * names the largest page size ($top lowered), an expired page token,
 * signInActivity refused with 403 (read without it, warned once the
 * listing works), and, with GRAPH_LIST_DERIVED_SELECT in flags, a
 * property of the $select Graph does not have (left out, warned).
 */
#define GRAPH_LIST_DERIVED_SELECT 1 /* $select derived, not written */
struct graph_list *graph_list_start(struct graph *, const char *path,
    const char *const *names, const char *const *values, size_t nparams,
    const char *const *headers, int flags, const struct graph_list_cb *cb);
/*
 * Request the next page (a nextLink, followed verbatim) or finish.  A link
 * that leaves Graph's origin (scheme, host, port of the base URL) fails the
 * enumeration without a request: the token never goes elsewhere.
 */
void graph_list_next(struct graph_list *, const char *next_link);
/* Fetch the page just received again (bad body); -1 if already done. */
int graph_list_refetch(struct graph_list *);
/* End the enumeration with a failure the caller found (e.g. mapping). */
void graph_list_fail(struct graph_list *, const char *text);

/*
 * Read the whole membership of groups: for each group, every page of
 * /groups/{id}/members (or transitiveMembers) with $select=id and
 * $top=999, bundled in $batch requests of up to 20.  Service principals
 * are included (ConsistencyLevel: eventual and $count=true on every
 * page).  got is called once per group with its members (owned by the
 * graph, valid during the call: each member's "@odata.type" and id), or
 * with err set and no members; then done once.  While a group's list is
 * read only its ids and types are held, in a compact list (members.h).
 *
 * A list counts as read only on proof: every page answered 200 with a
 * "value" array whose members all have an id, and the last page had no
 * nextLink (the others one on Graph's origin, never one followed before:
 * a chain that loops fails the group).  A page that is not such a proof
 * is asked for again, then fails the group.  A member list that
 * answers 404 Request_ResourceNotFound is confirmed with GET
 * /groups/{id}; only a second 404 sets err->vanished.  A $batch refused as
 * a whole fails its groups with the batch's status, never as vanished.
 */
typedef void (*graph_members_fn)(void *arg, size_t index,
    const struct members *, const struct graph_error *);
void graph_members(struct graph *, const char *const *ids, size_t n,
    int transitive, graph_members_fn got, void (*done)(void *arg), void *arg);

/* 1 if link has the scheme, host and port of base (a Graph URL). */
int graph_same_origin(const char *base, const char *link);

/*
 * Graph's headers, for the HTTP engine (http_host_headers): request-id
 * names the request in messages.
 */
void graph_header(const char *name, const char *value, struct http_window *w,
    char **request_id);

/* Describe a Graph error reply: "HTTP 403: code: message (request-id x)". */
char *graph_error_text(const struct graph_error *);

/*
 * The Microsoft Graph application permission that reading path needs
 * ("User.Read.All" for /users), for the hint on a 403; members: the
 * group membership of path.  Static storage, never NULL.
 */
const char *graph_permission(const char *path, int members);

#endif
