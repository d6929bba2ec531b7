/*
 * Unit tests for auth.c's token providers, with the HTTP engine replaced
 * by tests/fuzz/fake_http.h and the clock by __wrap_http_now (both linked
 * with -Wl,--wrap): a Port token is requested once, reused, refreshed a
 * quarter of its lifetime before it expires (at most 5 minutes before)
 * while the old one serves, dropped when the service refuses that very
 * token (not another); a static Graph token that is refused fails for
 * good; a refused client secret gives AADSTS's first line and a hint, not
 * its trace lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "fake_http.h"
#include "msg.h"
#include "tap.h"

static double clock_now = 1000;
static int nreqs;
static char last_url[512];

double __wrap_http_now(void);

double
__wrap_http_now(void)
{
	return clock_now;
}

static void
record(const struct http_req_opts *o)
{
	nreqs++;
	snprintf(last_url, sizeof(last_url), "%s", o->url);
}

/* Answer the queued requests with the replies of script. */
static void
answer(const char *script)
{
	struct fake_script s;

	fake_script_init(&s, (const unsigned char *)script, strlen(script));
	fake_drain(&s);
}

static const char *
token(struct auth *a)
{
	struct http_auth *h = auth_http(a);

	return h->ops->token(h, FAKE_HTTP);
}

static void
test_port_refresh(void)
{
	struct auth *a = auth_port_new("https://port.test", "cid",
	    "port-secret-Kp27", "ua/1");
	struct http_auth *h = auth_http(a);
	const char *t;

	nreqs = 0;
	clock_now = 1000;
	ok(token(a) == NULL, "no token yet: NULL");
	is_int(nreqs, 1, "a token request sent");
	is_str(last_url, "https://port.test/v1/auth/access_token",
	    "to Port's token route");
	ok(token(a) == NULL && nreqs == 1,
	    "asked again while pending: no "
	    "second request");
	answer("x\n200\n{\"ok\":true,\"accessToken\":\"tokA\","
	       "\"expiresIn\":100}");
	is_str(token(a), "Bearer tokA", "the token, with its type");
	clock_now = 1074.9;
	t = token(a);
	ok(t != NULL && strcmp(t, "Bearer tokA") == 0 && nreqs == 1,
	    "74.9 s into 100: reused, no request");
	clock_now = 1075.1;
	t = token(a);
	ok(t != NULL && strcmp(t, "Bearer tokA") == 0,
	    "75.1 s into 100: the old token still serves");
	is_int(nreqs, 2, "75.1 s into 100 (a quarter left): refreshed");
	answer("x\n200\n{\"ok\":true,\"accessToken\":\"tokB\","
	       "\"expiresIn\":4000}");
	is_str(token(a), "Bearer tokB", "the new token");
	clock_now = 1075.1 + 4000 - 301;
	ok(token(a) != NULL && nreqs == 2,
	    "a long token: reused until 5 minutes are left");
	clock_now = 1075.1 + 4000 - 299;
	ok(token(a) != NULL && nreqs == 3, "refreshed 5 minutes before");
	clock_now = 1075.1 + 4000 - 0.5;
	ok(token(a) == NULL, "under a second left while refreshing: NULL");
	answer("x\n200\n{\"ok\":true,\"accessToken\":\"tokC\"}");
	is_str(token(a), "Bearer tokC", "a reply without expiresIn");
	clock_now += 3600 - 901;
	ok(token(a) != NULL && nreqs == 3,
	    "without expiresIn: valid 3600 s (reused after 2699 s)");

	h->ops->invalidate(h, "Bearer tokB");
	is_str(token(a), "Bearer tokC", "refusing another token keeps it");
	is_int(nreqs, 3, "no request for that");
	h->ops->invalidate(h, "Bearer tokC");
	ok(token(a) == NULL && nreqs == 4,
	    "refusing this token drops it and asks for a new one");
	answer("x\n200\n{\"ok\":true,\"accessToken\":\"tokD\","
	       "\"expiresIn\":100}");
	is_str(token(a), "Bearer tokD", "the replacement");
	is_int(nreqs, 4, "four token requests in all");
	ok(!h->failed, "not failed");
	auth_free(a);
}

static void
test_static(void)
{
	struct auth *a;
	struct http_auth *h;
	char tok[] = "static-token-Mn55";

	a = auth_static_new(tok);
	h = auth_http(a);
	nreqs = 0;
	is_str(token(a), "Bearer static-token-Mn55", "a static token");
	h->ops->invalidate(h, "Bearer static-token-Mn55");
	ok(h->failed, "a refused static token fails for good");
	ok(h->message != NULL &&
		strstr(h->message, "static bearer token") != NULL,
	    "and says why");
	is_int(nreqs, 0, "no token request for a static token");
	auth_free(a);
}

static void
test_aadsts(void)
{
	struct auth_client o;
	struct auth *a;
	struct http_auth *h;
	char tenant[] = "11111111-2222-4333-8444-555555555555";
	char client[] = "e2f00000-0000-4000-8000-000000000001";
	char secret[] = "graph-secret-Zq81";
	char authority[] = "https://login.test";
	char graph[] = "https://graph.test/v1.0";

	memset(&o, 0, sizeof(o));
	o.tenant = tenant;
	o.client_id = client;
	o.secret = secret;
	o.authority = authority;
	o.resource_url = graph;
	a = auth_client_new(&o);
	h = auth_http(a);
	nreqs = 0;
	ok(token(a) == NULL && nreqs == 1, "client secret: a token request");
	is_str(last_url,
	    "https://login.test/11111111-2222-4333-8444-"
	    "555555555555/oauth2/v2.0/token",
	    "to the tenant's token URL");
	answer(
	    "x\n401\n{\"error\":\"invalid_client\",\"error_description\":"
	    "\"AADSTS7000215: Invalid client secret provided.\\r\\nTrace ID: "
	    "abc\\r\\nCorrelation ID: def\",\"error_codes\":[7000215]}");
	ok(h->failed, "a refused secret fails for good");
	is_str(h->message,
	    "cannot get a Microsoft Graph token (client "
	    "secret): HTTP 401: AADSTS7000215: Invalid client secret "
	    "provided. (hint: the client secret is wrong: check "
	    "AZURE_CLIENT_SECRET (use the secret's value, not its id))",
	    "AADSTS's first line and the hint for its code");
	ok(token(a) == NULL && nreqs == 1, "no second try after a refusal");
	auth_free(a);
}

int
main(void)
{
	msg_setup(0, MSG_TEXT);
	fake_on_submit = record;
	test_port_refresh();
	test_static();
	test_aadsts();
	fake_reset();
	msg_secrets_wipe();
	return done_testing();
}
