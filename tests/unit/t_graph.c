/*
 * Unit tests for graph's pure parts: whether a nextLink keeps Graph's
 * origin (scheme, host, port), which decides if the token may follow it.
 */
#include <stdlib.h>

#include "graph.h"
#include "http.h"
#include "tap.h"

static void
test_origin(void)
{
	const char *b = "https://graph.microsoft.com/v1.0";
	const char *l = "http://127.0.0.1:8080/v1.0";

	ok(graph_same_origin(b,
	       "https://graph.microsoft.com/v1.0/users?"
	       "$skiptoken=x"),
	    "same origin");
	ok(graph_same_origin(b, "HTTPS://Graph.Microsoft.COM/v1.0/users"),
	    "scheme and host compare without case");
	ok(graph_same_origin(b, "https://graph.microsoft.com:443/v1.0/x"),
	    "the default port written out");
	ok(graph_same_origin(b, "https://graph.microsoft.com/beta/users"),
	    "another path on the same origin");
	ok(!graph_same_origin(b, "http://graph.microsoft.com/v1.0/users"),
	    "http instead of https");
	ok(!graph_same_origin(b, "https://graph.microsoft.com:8443/v1.0/x"),
	    "another port");
	ok(!graph_same_origin(b,
	       "https://graph.microsoft.com.evil.example/"
	       "v1.0/users"),
	    "a host that starts like Graph's");
	ok(!graph_same_origin(b, "https://evil.example/v1.0/users"),
	    "another host");
	ok(!graph_same_origin(b,
	       "https://graph.microsoft.com@evil.example/"
	       "v1.0/users"),
	    "user information before another host");
	ok(!graph_same_origin(b,
	       "https://evil.example@graph.microsoft.com/"
	       "v1.0/users"),
	    "user information at all");
	ok(!graph_same_origin(b, "/v1.0/users?$skiptoken=x"),
	    "a relative link");
	ok(!graph_same_origin(b, "//graph.microsoft.com/v1.0/users"),
	    "a scheme-relative link");
	ok(!graph_same_origin(b, ""), "empty");
	ok(!graph_same_origin(b, NULL), "absent");
	ok(graph_same_origin(l, "http://127.0.0.1:8080/v1.0/users?x=1"),
	    "loopback with a port");
	ok(!graph_same_origin(l, "http://127.0.0.1:8081/v1.0/users"),
	    "loopback, another port");
	ok(!graph_same_origin(l, "http://localhost:8080/v1.0/users"),
	    "another name for the same address is another origin");
	ok(!graph_same_origin(l, "http://127.0.0.1:80a/v1.0/users"),
	    "a port that is not a number");
	ok(graph_same_origin("https://[::1]:8443/v1.0",
	       "https://[::1]:8443/v1.0/users"),
	    "IPv6 literal");
	ok(!graph_same_origin("https://[::1]:8443/v1.0",
	       "https://[::2]:8443/v1.0/users"),
	    "another IPv6 literal");
	ok(graph_same_origin(b, "https://graph.microsoft.com"),
	    "the origin alone, without a path");
	ok(graph_same_origin(b, "https://graph.microsoft.com:/v1.0"),
	    "an empty port is the default");
}

/* Graph's request-id names the request; nothing of a rate window. */
static void
test_header(void)
{
	struct http_window w = { -1, -1, -1, -1 };
	char *rid = NULL;

	graph_header("request-id", "0f0f-1111", &w, &rid);
	graph_header("x-ratelimit-remaining", "3", &w, &rid);
	is_str(rid, "0f0f-1111", "request-id kept");
	ok(w.remaining == -1, "no window from Graph's headers");
	free(rid);
}

int
main(void)
{
	test_origin();
	test_header();
	return done_testing();
}
