/*
 * Building the clients from the options.  The order in which a Graph
 * credential is chosen is options.c's; here each choice becomes its token
 * provider.  Port's token request carries Ocean's User-Agent, and its
 * writes the ownership one (port.c).
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "client.h"
#include "graph.h"
#include "http.h"
#include "mapping.h"
#include "msg.h"
#include "options.h"
#include "port.h"
#include "xmalloc.h"

/* The HTTP engine as the options set it up.  Owned by the caller. */
static struct http *
engine(const struct options *o)
{
	struct http_config hc;
	struct http *h;

	memset(&hc, 0, sizeof(hc));
	hc.max_retries = o->max_retries;
	hc.max_retry_wait = o->max_retry_wait;
	hc.connect_timeout = o->connect_timeout;
	hc.timeout = o->timeout;
	hc.insecure = o->insecure;
	hc.ca_file = o->ca_file;
	h = http_new(&hc);
	http_host_cap(h, o->graph_url, (int)o->graph_concurrency);
	http_host_cap(h, o->port_url, (int)o->port_concurrency);
	/* Each service's own headers are read by its client. */
	http_host_headers(h, o->graph_url, graph_header);
	http_host_headers(h, o->authority_url, graph_header);
	http_host_headers(h, o->port_url, port_header);
	return h;
}

/*
 * The token provider of the Graph credential options chose, owned by the
 * caller; NULL after printing why.
 */
static struct auth *
graph_auth(const struct options *o)
{
	struct auth_client c;

	switch (o->graph_cred) {
	case GRAPH_CRED_TOKEN:
		return auth_static_new(o->graph_token);
	case GRAPH_CRED_SECRET:
	case GRAPH_CRED_CERT:
	case GRAPH_CRED_FEDERATED:
		memset(&c, 0, sizeof(c));
		c.authority = o->authority_url;
		c.tenant = o->tenant_id;
		c.client_id = o->client_id;
		c.resource_url = o->graph_url;
		if (o->graph_cred == GRAPH_CRED_SECRET) {
			c.secret = o->client_secret;
		} else if (o->graph_cred == GRAPH_CRED_FEDERATED) {
			c.federated_file = o->federated_token_file;
		} else {
			c.cert_path = o->cert_path;
			c.cert_password = o->cert_password;
			c.send_cert_chain = o->send_cert_chain;
		}
		return auth_client_new(&c);
	case GRAPH_CRED_APPSERVICE:
		return auth_managed_new(o->identity_endpoint,
		    o->identity_header, NULL, o->client_id, o->graph_url);
	case GRAPH_CRED_IMDS:
		return auth_managed_new(NULL, NULL, o->imds_host, o->client_id,
		    o->graph_url);
	default:
		/* options.c refuses a run without one: only --check gets
		 * here, and it needs none. */
		msg_error("no Microsoft Graph credential");
		return NULL;
	}
}

/*
 * The Port client of the options and its token provider (c->pauth).  m
 * gives the write flags (NULL: none are written).
 */
static void
port_client(struct client *c, const struct options *o, const struct mapping *m,
    port_result_fn result, void *arg)
{
	struct port_config pc;
	/* Ocean's token request carries the User-Agent without "/exporter". */
	char *ua = xasprintf("port-ocean/%s/%s/%s", o->integration_type,
	    E2P_VERSION, o->identifier);

	c->pauth = auth_port_new(o->port_url, o->port_client_id,
	    o->port_client_secret, ua);
	free(ua);
	memset(&pc, 0, sizeof(pc));
	pc.base_url = o->port_url;
	pc.type = o->integration_type;
	pc.identifier = o->identifier;
	pc.version = E2P_VERSION;
	if (m != NULL) {
		pc.merge = m->merge;
		pc.create_missing = m->create_missing;
		pc.delete_dependents = m->delete_dependents;
	}
	c->p = port_new(c->h, auth_http(c->pauth), &pc, result, arg);
}

int
client_open(struct client *c, const struct options *o, const struct mapping *m,
    int graph, port_result_fn result, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->h = engine(o);
	if (graph) {
		if ((c->gauth = graph_auth(o)) == NULL)
			return -1;
		msg_info("Microsoft Graph credential: %s (%s)",
		    auth_describe(c->gauth),
		    o->graph_cred_src != NULL ? o->graph_cred_src : "chosen");
		c->g = graph_new(c->h, auth_http(c->gauth), o->graph_url);
	}
	if (o->port_client_id != NULL && o->port_client_secret != NULL)
		port_client(c, o, m, result, arg);
	return 0;
}

void
client_close(struct client *c)
{
	port_free(c->p);
	graph_free(c->g);
	http_free(c->h);
	auth_free(c->gauth);
	auth_free(c->pauth);
	memset(c, 0, sizeof(*c));
}

static void
got_config(void *arg, const char *text)
{
	char **out = arg;

	*out = text != NULL ? xstrdup(text) : NULL;
}

char *
client_port_mapping(const struct options *o)
{
	struct client c;
	char *text = NULL;

	client_open(&c, o, NULL, 0, NULL, NULL);
	if (c.p == NULL) {
		msg_error("--mapping-from-port needs Port's client id and "
			  "secret");
	} else {
		port_get_config(c.p, got_config, &text);
		http_run(c.h);
	}
	client_close(&c);
	return text;
}
