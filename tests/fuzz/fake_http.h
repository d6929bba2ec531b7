/*
 * A network-free HTTP engine for the reply fuzzers.  The harness is linked
 * with -Wl,--wrap=http_submit,--wrap=http_auth_ready,--wrap=http_host_backoff
 * so the modules under test (port.c, graph.c, auth.c) queue their requests
 * here instead of in libcurl; fake_drain() then answers them, oldest
 * first, with the replies the fuzz input scripts.  Included by one harness
 * each, so everything here is static.
 *
 * Unit tests (tests/unit/t_port.c) use it the same way, with scripted
 * replies and fake_on_submit to see the requests.
 *
 * Input format: a first line naming the scenario, then replies separated by
 * "\n%%\n".  A reply starts with a status line "NNN[ flags]" (flags: 'a'
 * auth failed, 'i' interrupted, 'h' HTML content type); the rest is the
 * body.  A reply that does not start with three digits takes its status
 * from its first byte (modulo a table of the statuses services send).
 * Requests left after the script ends are answered 404 with an empty body.
 */
#ifndef E2P_FAKE_HTTP_H
#define E2P_FAKE_HTTP_H

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "xmalloc.h"

#define FAKE_MAX_REQUESTS	10000	/* more means the code loops */

struct fake_req {
	http_done_fn	 done;
	void		*arg;
};

static struct fake_req	*fake_q;
static size_t		 fake_head, fake_len, fake_cap, fake_total;
static unsigned long	 fake_auth_ready, fake_backoffs;
static int		 fake_last_interrupted;	/* of the last reply */

/* Called with each request as it is queued (unit tests record them). */
static void		(*fake_on_submit)(const struct http_req_opts *);

/* The opaque engine pointer handed to the modules; never dereferenced. */
static char		 fake_engine;
#define FAKE_HTTP	((struct http *)(void *)&fake_engine)

void	__wrap_http_submit(struct http *, const struct http_req_opts *,
	    http_done_fn, void *);
void	__wrap_http_auth_ready(struct http *, struct http_auth *);
void	__wrap_http_host_backoff(struct http *, const char *, double);
void	__wrap_http_flush(struct http *);
double	__wrap_http_retry_wait(const struct http *, int, const char *,
	    double);

/* Abort with a message: a broken invariant is a finding. */
static void
fake_die(const char *what)
{
	fprintf(stderr, "fuzz invariant broken: %s\n", what);
	abort();
}

/*
 * Queue a request (o is valid during the call only, as with the real
 * engine).  A JSON request body must be valid JSON: the modules build
 * them by hand.
 */
void
__wrap_http_submit(struct http *h, const struct http_req_opts *o,
    http_done_fn done, void *arg)
{
	size_t i;

	if (h != FAKE_HTTP || o == NULL || o->url == NULL || done == NULL)
		fake_die("http_submit called with a bad argument");
	if (++fake_total > FAKE_MAX_REQUESTS)
		fake_die("more than FAKE_MAX_REQUESTS requests: a loop");
	for (i = 0; o->headers != NULL && o->headers[i] != NULL; i++)
		if (strcmp(o->headers[i], "Content-Type: application/json") ==
		    0) {
			cJSON *j = cJSON_ParseWithLength(o->body, o->body_len);

			if (j == NULL)
				fake_die("a JSON request body does not parse");
			cJSON_Delete(j);
		}
	if (fake_on_submit != NULL)
		fake_on_submit(o);
	if (fake_len == fake_cap) {
		struct fake_req *n;
		size_t k, cap = fake_cap ? fake_cap * 2 : 16;

		n = xcalloc(cap, sizeof(*n));
		for (k = 0; k < fake_len; k++)
			n[k] = fake_q[(fake_head + k) % fake_cap];
		free(fake_q);
		fake_q = n;
		fake_cap = cap;
		fake_head = 0;
	}
	fake_q[(fake_head + fake_len) % fake_cap].done = done;
	fake_q[(fake_head + fake_len) % fake_cap].arg = arg;
	fake_len++;
}

void
__wrap_http_auth_ready(struct http *h, struct http_auth *a)
{
	if (h != FAKE_HTTP || a == NULL)
		fake_die("http_auth_ready called with a bad argument");
	fake_auth_ready++;
}

void
__wrap_http_host_backoff(struct http *h, const char *url, double secs)
{
	if (h != FAKE_HTTP || url == NULL || !(secs >= 0))
		fake_die("http_host_backoff called with a bad argument");
	fake_backoffs++;
}

/* Requests start when the harness drains them: nothing to flush. */
void
__wrap_http_flush(struct http *h)
{
	if (h != FAKE_HTTP)
		fake_die("http_flush called with a bad argument");
}

/*
 * The engine's retry policy, without its configuration: a few attempts,
 * no real wait (the engine itself is not there to read its caps from).
 */
double
__wrap_http_retry_wait(const struct http *h, int attempt,
    const char *retry_after, double waited)
{
	if (h != FAKE_HTTP || attempt < 1 || !(waited >= 0))
		fake_die("http_retry_wait called with a bad argument");
	(void)retry_after;
	return attempt <= 3 ? 0.01 : -1;
}

/* Reset the queue between inputs (a leftover request is a finding). */
static void
fake_reset(void)
{
	if (fake_len != 0)
		fake_die("requests left unanswered");
	fake_head = fake_len = fake_total = 0;
	fake_auth_ready = fake_backoffs = 0;
}

struct fake_script {
	const char	*p, *end;	/* what is left of the input */
	char		 scenario[32];
};

/* Split off the scenario line. */
static void
fake_script_init(struct fake_script *s, const unsigned char *data,
    size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *nl = memchr(p, '\n', size);
	size_t n = nl != NULL ? (size_t)(nl - p) : size;

	if (n >= sizeof(s->scenario))
		n = sizeof(s->scenario) - 1;
	memcpy(s->scenario, p, n);
	s->scenario[n] = '\0';
	s->p = nl != NULL ? nl + 1 : end;
	s->end = end;
}

/* Is the scenario name, or (if no name matches) byte 0 modulo n, k? */
static int __attribute__((unused))
fake_scenario_is(const struct fake_script *s, const char *const *names,
    size_t n, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s->scenario, names[i]) == 0)
			return i == k;
	return (unsigned char)s->scenario[0] % n == k;
}

/* Fill r from the next reply of the script; 0 if the script is over. */
static int
fake_next_reply(struct fake_script *s, struct http_resp *r)
{
	static const long table[] = { 200, 207, 404, 413, 422, 500, 401, 429,
	    0, 201, 409, 400, 403, 503 };
	static const char sep[] = "\n%%\n";
	const char *p = s->p, *e, *body;
	size_t n;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	if (p >= s->end)
		return 0;
	e = memmem(p, (size_t)(s->end - p), sep, sizeof(sep) - 1);
	if (e == NULL)
		e = s->end;
	s->p = e < s->end ? e + sizeof(sep) - 1 : s->end;
	n = (size_t)(e - p);
	if (n >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' &&
	    p[1] <= '9' && p[2] >= '0' && p[2] <= '9') {
		const char *nl = memchr(p, '\n', n);
		const char *f;

		r->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 +
		    (p[2] - '0');
		body = nl != NULL ? nl + 1 : e;
		for (f = p + 3; f < body; f++) {
			if (*f == 'a')
				r->auth_failed = 1;
			else if (*f == 'i')
				r->interrupted = 1;
			else if (*f == 'h')
				r->content_type = "text/html; charset=utf-8";
		}
	} else if (n > 0) {
		r->status = table[(unsigned char)p[0] %
		    (sizeof(table) / sizeof(table[0]))];
		body = p + 1;
	} else {
		r->status = 200;
		body = p;
	}
	if (r->status == 0)
		r->error = "connection reset by peer";
	if (r->content_type == NULL)
		r->content_type = "application/json";
	r->request_id = "fuzz-request-id";
	r->attempts = 1;
	buf_append(&r->body, body, (size_t)(e - body));
	return 1;
}

/*
 * Answer every queued request, including those queued by the answers,
 * with the script's replies, then with 404 and an empty body.
 */
static void
fake_drain(struct fake_script *s)
{
	while (fake_len > 0) {
		struct fake_req q = fake_q[fake_head];
		struct http_resp r;

		fake_head = (fake_head + 1) % fake_cap;
		fake_len--;
		if (!fake_next_reply(s, &r)) {
			r.status = 404;
			r.content_type = "application/json";
		}
		fake_last_interrupted = r.interrupted;
		q.done(q.arg, &r);
		buf_release(&r.body);
	}
}

#endif
