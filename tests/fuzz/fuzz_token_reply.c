/*
 * libFuzzer harness for the parsing of token replies: Port's
 * access_token endpoint, the Microsoft identity platform (client secret),
 * App Service managed identity (expires_on as a string) and IMDS, with
 * their error bodies (AADSTS codes and descriptions).  auth.c runs through
 * its public functions; the HTTP engine is fake_http.h.  Checks that
 * every token request ends in http_auth_ready and that a token, once
 * held, is handed out with its type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "fake_http.h"
#include "msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "port", "secret", "appservice",
	    "imds" };
	static char tenant[] = "1d8a5928-8678-408e-ab06-50ca7e01766a";
	static char client[] = "0a7b3c6e-1f2d-4e8a-9b5c-2d4e6f8a0b1c";
	static char secret[] = "fuzz-client-secret-value";
	static char graph[] = "https://graph.microsoft.com";
	static char authority[] = "https://login.microsoftonline.com";
	static char endpoint[] = "http://127.0.0.1:41741/msi/token";
	static char header[] = "fuzz-identity-header";
	static int init;
	struct auth_client o;
	struct fake_script s;
	struct auth *a;
	struct http_auth *ha;
	const char *tok;
	char *copy;
	int round;

	if (!init) {
		msg_setup(0, MSG_TEXT);
		init = 1;
	}
	if (size > 1 << 20)
		return 0;
	fake_reset();
	fake_script_init(&s, data, size);
	memset(&o, 0, sizeof(o));
	o.resource_url = graph;
	o.authority = authority;
	if (fake_scenario_is(&s, names, 4, 0)) {
		a = auth_port_new("https://api.getport.io", client, secret,
		    "port-ocean/custom/0.1.0/entra2port/exporter");
	} else if (fake_scenario_is(&s, names, 4, 1)) {
		o.tenant = tenant;
		o.client_id = client;
		o.secret = secret;
		a = auth_client_new(&o);
	} else if (fake_scenario_is(&s, names, 4, 2)) {
		a = auth_managed_new(endpoint, header, NULL, NULL, graph);
	} else {
		a = auth_managed_new(NULL, NULL, NULL, NULL, graph);
	}
	if (a == NULL)
		fake_die("no provider for a complete configuration");
	ha = auth_http(a);
	/* Ask, answer, ask again: a short-lived token is asked for again. */
	for (round = 0; round < 3 && !ha->failed; round++) {
		unsigned long ready = fake_auth_ready;

		tok = ha->ops->token(ha, FAKE_HTTP);
		if (tok != NULL)
			break;
		if (fake_len != 1)
			fake_die("no token and not exactly one request");
		fake_drain(&s);
		if (fake_auth_ready != ready + 1)
			fake_die("a token reply did not call http_auth_ready");
		if (ha->failed && ha->message == NULL &&
		    !fake_last_interrupted)
			fake_die("failed without a message");
	}
	tok = ha->failed ? NULL : ha->ops->token(ha, FAKE_HTTP);
	copy = tok != NULL ? xstrdup(tok) : NULL;
	fake_drain(&s);
	if (copy != NULL) {
		if (strchr(copy, ' ') == NULL)
			fake_die("a token without its type");
		ha->ops->invalidate(ha, copy);
		freezero_str(copy);
	}
	auth_free(a);
	msg_secrets_wipe();
	return 0;
}
