/*
 * The HTTP engine: one libcurl multi handle driven by one loop, with
 * per-host queues (a concurrency cap and a "not before" time that a 429
 * pushes back for the whole host), one retry policy for every service,
 * and tokens attached through struct http_auth.  It knows nothing of
 * Graph or Port; graph.c and port.c build on it.
 */
#ifndef E2P_HTTP_H
#define E2P_HTTP_H

#include <stddef.h>

#include "buf.h"

struct http;
struct http_host;
struct http_auth;

struct http_config {
	long max_retries;      /* retries after the first attempt */
	double max_retry_wait; /* total seconds of waiting per request */
	double connect_timeout;
	double timeout; /* whole request */
	int insecure;
	const char *ca_file; /* CA bundle to trust instead of the
	                        system's, or NULL */
};

/* What a finished request hands to its callback.  Valid during the call. */
struct http_resp {
	long status;       /* 0: no HTTP answer (see error) */
	const char *error; /* transport or auth failure text */
	int auth_failed;   /* the token could not be obtained */
	int interrupted;   /* the run was interrupted */
	int reported;      /* nothing to say: the token provider
	                      said why, or the run was stopped */
	struct buf body;
	const char *request_id; /* request-id / x-trace-id header */
	const char *content_type;
	const char *auth_used; /* the Authorization value sent, or NULL:
	                          for 401s found inside a reply ($batch) */
	int attempts;
	double seconds; /* from first send to completion */
};

typedef void (*http_done_fn)(void *arg, struct http_resp *);

/* Retry policy of a request. */
enum http_retry {
	HTTP_RETRY_ALL = 0, /* 408 429 500 502 503 504 and transport */
	HTTP_RETRY_NONE,    /* never (not idempotent) */
	HTTP_RETRY_TOKEN,   /* token endpoints: 429/5xx/transport, never 4xx */
	HTTP_RETRY_IMDS     /* IMDS: also 404 and 410 (it is upgrading) */
};

struct http_req_opts {
	const char *method; /* "GET" if NULL */
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *body;           /* copied, unless body_kept */
	size_t body_len;
	/* The caller keeps body as it is until done is called: not copied
	 * (a Port batch's megabyte is not held twice). */
	int body_kept;
	struct http_auth *auth; /* adds Authorization; 401 → refresh once */
	enum http_retry retry;
	size_t max_body; /* 0: 256 MiB */
	int urgent;      /* ahead of the host's queue: a page
	                    that a chain of pages waits for;
	                    on a host that has them, the
	                    cap's last two slots (one under
	                    a cap of 2 or 3) are kept for
	                    them */
};

/*
 * Token providers plug in here.  token() returns the value for the
 * Authorization header when a usable token is held; otherwise it starts
 * acquiring one (through the same engine) and returns NULL, and calls
 * http_auth_ready() when it has one or has failed for good (then failed
 * is set and message holds why).  invalidate() drops a token a service
 * refused with 401.
 */
struct http_auth_ops {
	const char *(*token)(struct http_auth *, struct http *);
	void (*invalidate)(struct http_auth *, const char *value);
};

struct http_auth {
	const struct http_auth_ops *ops;
	int failed;
	char *message; /* why it failed, owned */
};

/* Returns a new engine owned by the caller (http_free). */
struct http *http_new(const struct http_config *);
void http_free(struct http *);
/*
 * The host group a URL belongs to is its scheme://host:port; cap is the
 * number of requests in flight to it.  Hosts are created on demand with
 * cap 8; this changes it.
 */
void http_host_cap(struct http *, const char *url, int cap);
/* Hold back every request to the host of url for secs (a 429 seen
 * inside a $batch reply slows the host like a 429 on the request). */
void http_host_backoff(struct http *, const char *url, double secs);
/*
 * What a service says of its own rate window in a reply's headers, read
 * by that service's client (this engine knows no service's headers):
 * requests left, seconds until the window resets, its limit and its
 * period in seconds; each < 0 when not said.
 */
struct http_window {
	double remaining, reset, limit, period;
};
/*
 * A client's reader of one header of its service's replies (name in
 * lower case, value trimmed, both valid during the call): it may fill w,
 * and set *request_id (freed first; a new string) for messages.
 */
typedef void (*http_header_fn)(const char *name, const char *value,
    struct http_window *w, char **request_id);
/* The header reader of the host of url (NULL: none). */
void http_host_headers(struct http *, const char *url, http_header_fn);
/* Requests held back by a retry delay or a host's 429 pause. */
size_t http_waiting(const struct http *);
/* Call fn(arg) from the loop at most every interval seconds. */
void http_set_tick(struct http *, double interval, void (*fn)(void *),
    void *arg);
/*
 * The one retry policy, for a retry a caller makes itself (a $batch
 * sub-request): the seconds to wait before retry number attempt (1, 2,
 * ...), from the Retry-After value retry_after (may be NULL) or else
 * exponential backoff with jitter; -1 when the caps on retries or on the
 * total wait (waited so far) forbid it.
 */
double http_retry_wait(const struct http *, int attempt,
    const char *retry_after, double waited);
/* Number of 429 answers seen, for the summary. */
unsigned long http_throttled(const struct http *);

/*
 * Queue a request; done is called exactly once, from http_run(), with the
 * final response after retries.  Never fails (out of memory is fatal).
 */
void http_submit(struct http *, const struct http_req_opts *, http_done_fn done,
    void *arg);
/* A token provider has a token, or failed: wake the requests waiting. */
void http_auth_ready(struct http *, struct http_auth *);
/*
 * Start now what the caps allow, instead of at the next turn of
 * http_run(): a reply handler that queued the next request of a chain
 * calls this before its long work, so the request is on the wire while
 * it works.  Callbacks are still called only from http_run().
 */
void http_flush(struct http *);
/*
 * Run until nothing is queued, waiting or in flight.  Returns 0, or -1 if
 * the run was interrupted (every pending request then completed with
 * interrupted set).
 */
int http_run(struct http *);
/* Ask the loop to stop (async-signal-safe). */
void http_interrupt(void);
int http_interrupted(void);
/*
 * After an interruption, let the loop run once more for a last report
 * (Port's resync state): clears the flag; a new signal stops it again.
 * Requests then get at most secs each.
 */
void http_resume(struct http *, double secs);

/*
 * Parse a Retry-After value: integer or fractional seconds, or an HTTP
 * date.  Returns seconds (>= 0), or -1 if it does not parse.
 */
double http_parse_retry_after(const char *, double now);
/*
 * Seconds to wait before the next attempt of a request whose attempt
 * number attempts (1 for the first) ended with status: its Retry-After
 * value (may be NULL), else for a 429 the seconds until the service's
 * window resets (reset; < 0 when not said), else exponential backoff
 * from 0.5 s capped at 60 s, with jitter (0..1) spreading it over its
 * upper half.  now is the wall clock.
 */
double http_retry_delay(long status, const char *retry_after, double reset,
    int attempts, double now, double jitter);
/* Whether policy retries status (0: a transport failure). */
int http_retryable(enum http_retry policy, long status);
double http_now(void);  /* wall clock, seconds */
double http_mono(void); /* monotonic clock, seconds */

#endif
