/*
 * Token providers for Microsoft Graph (static token, client secret,
 * certificate, workload identity federation, managed identity) and for
 * Port.  Each caches its token, refreshes it ahead of expiry and once when
 * a service answers 401, and reports a final failure once, with the
 * service's error code and a hint.  Secrets are wiped when freed.
 */
#ifndef E2P_AUTH_H
#define E2P_AUTH_H

#include "http.h"

struct options;
struct auth;

/*
 * The provider of the Graph credential options chose (o->graph_cred; the
 * order is in options.h).  Returns a provider owned by the caller, or NULL
 * after printing why (none chosen, or a certificate that cannot be read).
 */
struct auth	*auth_graph_new(const struct options *o);
/* Port's client-credentials exchange at port_url/v1/auth/access_token. */
struct auth	*auth_port_new(const char *port_url, const char *client_id,
		    const char *client_secret, const char *user_agent);
void		 auth_free(struct auth *);
struct http_auth *auth_http(struct auth *);
/* "client secret", "certificate", ... for messages. */
const char	*auth_describe(const struct auth *);
/* Token requests sent so far. */
unsigned long	 auth_token_requests(const struct auth *);

/* The Graph token scope for a Graph base URL: origin + "/.default". */
char		*auth_scope_for(const char *graph_url);

#endif
