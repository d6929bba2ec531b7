/*
 * The clients a run talks through, built from the options: the HTTP engine
 * (retry caps, timeouts, each host's concurrency, the CA bundle), the Graph
 * client with the token provider of the credential options chose, and the
 * Port client with its own.  It sends nothing by itself.
 */
#ifndef E2P_CLIENT_H
#define E2P_CLIENT_H

#include "port.h"

struct auth;
struct graph;
struct http;
struct mapping;
struct options;

struct client {
	struct http *h;
	struct auth *gauth; /* NULL without Graph */
	struct graph *g;
	struct auth *pauth; /* NULL without Port credentials */
	struct port *p;
};

/*
 * Open c's clients: the engine always, Graph when graph is set, Port when
 * the options hold its credentials; m gives Port's write flags (NULL:
 * none are written) and result gets each entity's upsert result.  Returns
 * 0, or -1 after printing why (no Graph credential, a certificate that
 * cannot be read); c is to be closed either way.
 */
int client_open(struct client *c, const struct options *o,
    const struct mapping *m, int graph, port_result_fn result, void *arg);
void client_close(struct client *c);

/*
 * --mapping-from-port: the integration's mapping in Port, as JSON text
 * (valid YAML) owned by the caller, or NULL after printing why.
 */
char *client_port_mapping(const struct options *o);

#endif
