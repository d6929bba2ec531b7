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

struct auth;

/*
 * The Graph credentials, one constructor each; which one a run uses is
 * decided by options.c (its documented order) and client.c.  Every
 * provider is owned by the caller (auth_free).  resource_url is the Graph
 * base URL the token is for (its origin gives the scope).
 */
/* A static bearer token (copied and registered for redaction). */
struct auth *auth_static_new(const char *token);
/* The client-credentials grant at authority/tenant, with exactly one of
 * secret, a certificate (PEM key and certificate) or a federated token
 * file. */
struct auth_client {
	const char *authority;
	const char *tenant;
	const char *client_id;
	const char *resource_url;
	const char *secret;
	const char *cert_path;
	const char *cert_password;
	int send_cert_chain;
	const char *federated_file;
};
/* NULL after printing why (a certificate that cannot be read). */
struct auth *auth_client_new(const struct auth_client *);
/* Managed identity: App Service's endpoint with its header, or, with
 * endpoint NULL, the instance metadata service at imds_host; client_id
 * picks a user-assigned identity (NULL: the system one). */
struct auth *auth_managed_new(const char *endpoint, const char *header,
    const char *imds_host, const char *client_id, const char *resource_url);
/* Port's client-credentials exchange at port_url/v1/auth/access_token. */
struct auth *auth_port_new(const char *port_url, const char *client_id,
    const char *client_secret, const char *user_agent);
void auth_free(struct auth *);
struct http_auth *auth_http(struct auth *);
/* "client secret", "certificate", ... for messages. */
const char *auth_describe(const struct auth *);

/* The Graph token scope for a Graph base URL: origin + "/.default". */
char *auth_scope_for(const char *graph_url);

#endif
