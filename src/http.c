/*
 * One libcurl multi loop for every request of the run.  Requests wait in
 * per-host FIFO queues; a host has a cap on requests in flight and a time
 * before which nothing is sent to it, which a 429 moves for the whole
 * host.  Retries (408, 429, 5xx, transport errors) follow Retry-After or
 * the service's window reset (429 only), else exponential backoff with
 * jitter, within a cap on attempts and on total waiting.  A 401 on a
 * request that carries a token refreshes the token once.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "msg.h"
#include "xmalloc.h"

#define DEFAULT_CAP     8
#define DEFAULT_MAXBODY ((size_t)256 << 20)

struct req {
	struct http *h;
	struct http_host *host;
	struct req *next;          /* queue / list link */
	struct req *iprev, *inext; /* in-flight list */
	char *method;
	char *url;
	char **headers;
	size_t nheaders;
	const char *body; /* copy, or the caller's (body_kept) */
	char *copy;       /* the body's copy, owned */
	size_t body_len;
	struct http_auth *auth;
	enum http_retry retry;
	size_t max_body;
	int urgent;
	http_done_fn done;
	void *arg;

	CURL *easy;
	struct curl_slist *slist;
	char *auth_value; /* header value used */
	int attempts;
	int refreshed; /* 401 refresh used */
	double waited;
	double first_sent;
	double due; /* when delayed */
	char errbuf[CURL_ERROR_SIZE];
	char errtext[CURL_ERROR_SIZE + 160];

	struct http_resp resp;
	char *retry_after;
	struct http_window win; /* the service's rate window */
	char *request_id;
	char *content_type;
};

struct http_host {
	char *key;     /* scheme://host:port */
	int cap;       /* current, adapts to 429s */
	int max_cap;   /* as configured */
	int ok_streak; /* answers since the last change */
	int inflight;
	double not_before;
	double gap; /* pacing from rate-limit headers */
	double last_send;
	struct req *head, *tail; /* queued */
	size_t queued;
	int chains;             /* urgent requests were sent */
	http_header_fn headers; /* the service's own headers */
	struct http_host *next;
};

struct http {
	char *ca_file; /* cfg.ca_file's copy */
	struct http_config cfg;
	CURLM *multi;
	struct http_host *hosts;
	struct req *delayed;  /* unordered list */
	struct req *authwait; /* waiting for a token */
	struct req *inflight; /* being transferred */
	size_t active;        /* requests not yet completed */
	unsigned long throttled;
	int stopping;
	int dispatching; /* inside dispatch() */
	void (*tick)(void *);
	void *tick_arg;
	double tick_every;
	double tick_last;
};

static volatile sig_atomic_t interrupted;

static void pace(struct req *, long);

void
http_interrupt(void)
{
	interrupted = 1;
}

int
http_interrupted(void)
{
	return interrupted != 0;
}

void
http_resume(struct http *h, double secs)
{
	interrupted = 0;
	h->stopping = 0;
	if (h->cfg.timeout > secs)
		h->cfg.timeout = secs;
	if (h->cfg.connect_timeout > secs)
		h->cfg.connect_timeout = secs;
}

double
http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Monotonic time for scheduling. */
double
http_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A window of which nothing is said. */
static void
window_reset(struct http_window *w)
{
	w->remaining = w->reset = w->limit = w->period = -1;
}

struct http *
http_new(const struct http_config *cfg)
{
	struct http *h = xcalloc(1, sizeof(*h));

	h->cfg = *cfg;
	/* Retry jitter: runs started together must not retry together. */
	srand((unsigned)time(NULL) ^ (unsigned)getpid() << 8);
	if (cfg->ca_file != NULL)
		h->cfg.ca_file = h->ca_file = xstrdup(cfg->ca_file);
	h->multi = curl_multi_init();
	if (h->multi == NULL)
		xmalloc_oom();
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	return h;
}

static void
req_free(struct req *r)
{
	if (r->easy != NULL) {
		curl_multi_remove_handle(r->h->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->slist);
	free(r->method);
	free(r->url);
	free_strv(r->headers, r->nheaders);
	if (r->copy != NULL) {
		explicit_bzero(r->copy, r->body_len);
		free(r->copy);
	}
	freezero_str(r->auth_value);
	buf_release(&r->resp.body);
	free(r->retry_after);
	free(r->request_id);
	free(r->content_type);
	free(r);
}

void
http_free(struct http *h)
{
	struct http_host *host, *hn;

	if (h == NULL)
		return;
	for (host = h->hosts; host != NULL; host = hn) {
		hn = host->next;
		free(host->key);
		free(host);
	}
	curl_multi_cleanup(h->multi);
	free(h->ca_file);
	free(h);
}

/* The scheme://host:port part of url, in a new string. */
static char *
host_key(const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (p == NULL)
		return xstrdup(url);
	p += 3;
	n = strcspn(p, "/?#");
	return xstrndup(url, (size_t)(p - url) + n);
}

static struct http_host *
host_get(struct http *h, const char *url)
{
	struct http_host *host;
	char *key = host_key(url);

	for (host = h->hosts; host != NULL; host = host->next)
		if (strcmp(host->key, key) == 0) {
			free(key);
			return host;
		}
	host = xcalloc(1, sizeof(*host));
	host->key = key;
	host->cap = host->max_cap = DEFAULT_CAP;
	host->next = h->hosts;
	h->hosts = host;
	return host;
}

void
http_host_cap(struct http *h, const char *url, int cap)
{
	struct http_host *host = host_get(h, url);

	host->cap = host->max_cap = cap < 1 ? 1 : cap;
}

void
http_host_headers(struct http *h, const char *url, http_header_fn fn)
{
	host_get(h, url)->headers = fn;
}

void
http_host_backoff(struct http *h, const char *url, double secs)
{
	struct http_host *host = host_get(h, url);
	double nb = http_mono() + secs;

	if (nb > host->not_before)
		host->not_before = nb;
}

size_t
http_waiting(const struct http *h)
{
	const struct http_host *host;
	const struct req *r;
	double now = http_mono();
	size_t n = 0;

	for (r = h->delayed; r != NULL; r = r->next)
		n++;
	for (host = h->hosts; host != NULL; host = host->next)
		if (host->not_before > now)
			n += host->queued;
	return n;
}

void
http_set_tick(struct http *h, double interval, void (*fn)(void *), void *arg)
{
	h->tick = fn;
	h->tick_arg = arg;
	h->tick_every = interval;
	h->tick_last = 0;
}

unsigned long
http_throttled(const struct http *h)
{
	return h->throttled;
}

static void
enqueue(struct req *r, int front)
{
	struct http_host *host = r->host;

	r->next = NULL;
	if (host->head == NULL) {
		host->head = host->tail = r;
	} else if (front) {
		r->next = host->head;
		host->head = r;
	} else {
		host->tail->next = r;
		host->tail = r;
	}
	host->queued++;
}

void
http_submit(struct http *h, const struct http_req_opts *o, http_done_fn done,
    void *arg)
{
	struct req *r = xcalloc(1, sizeof(*r));
	size_t i;

	r->h = h;
	r->method = xstrdup(o->method != NULL ? o->method : "GET");
	r->url = xstrdup(o->url);
	r->host = host_get(h, o->url);
	if (o->headers != NULL) {
		while (o->headers[r->nheaders] != NULL)
			r->nheaders++;
		r->headers = xcalloc(r->nheaders + 1, sizeof(char *));
		for (i = 0; i < r->nheaders; i++)
			r->headers[i] = xstrdup(o->headers[i]);
	}
	r->body = o->body;
	r->body_len = o->body_len;
	if (o->body != NULL && !o->body_kept) {
		r->copy = xmalloc(o->body_len + 1);
		memcpy(r->copy, o->body, o->body_len);
		r->copy[o->body_len] = '\0';
		r->body = r->copy;
	}
	r->auth = o->auth;
	r->retry = o->retry;
	r->urgent = o->urgent;
	r->max_body = o->max_body ? o->max_body : DEFAULT_MAXBODY;
	r->done = done;
	r->arg = arg;
	r->first_sent = -1;
	window_reset(&r->win);
	buf_init(&r->resp.body);
	h->active++;
	if (r->urgent)
		r->host->chains = 1;
	enqueue(r, r->urgent);
}

void
http_auth_ready(struct http *h, struct http_auth *a)
{
	struct req **pp = &h->authwait, *r;

	while ((r = *pp) != NULL) {
		if (r->auth == a) {
			*pp = r->next;
			enqueue(r, 1);
		} else {
			pp = &r->next;
		}
	}
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct req *r = arg;

	r->resp.body.max = r->max_body;
	if (buf_append(&r->resp.body, p, sz * n) == -1)
		return 0; /* CURLE_WRITE_ERROR: body over the cap */
	return sz * n;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *v, *end = line + len;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v &&
	    (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static void
set_header(char **slot, char *v)
{
	if (v == NULL)
		return;
	free(*slot);
	*slot = v;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = sz * n, nl;
	char name[64], *v;
	const char *colon;

	/* A new status line (redirect, 100-continue) resets what we saw. */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		free(r->retry_after);
		r->retry_after = NULL;
		window_reset(&r->win);
	}
	set_header(&r->retry_after, header_value(p, len, "retry-after"));
	set_header(&r->content_type, header_value(p, len, "content-type"));
	/* The rest is the service's to read (its client's hook).  p is
	 * one line, not NUL-terminated: look for the colon within len. */
	if (r->host->headers == NULL || (colon = memchr(p, ':', len)) == NULL ||
	    (nl = (size_t)(colon - p)) == 0 || nl >= sizeof(name))
		return len;
	memcpy(name, p, nl);
	name[nl] = '\0';
	if ((v = header_value(p, len, name)) != NULL) {
		for (sz = 0; sz < nl; sz++)
			name[sz] = (char)tolower((unsigned char)name[sz]);
		r->host->headers(name, v, &r->win, &r->request_id);
		free(v);
	}
	return len;
}

/* Start the transfer of r now.  Returns -1 if it must wait for a token. */
static int
start(struct http *h, struct req *r)
{
	CURL *e;
	size_t i;

	freezero_str(r->auth_value);
	r->auth_value = NULL;
	if (r->auth != NULL) {
		const char *v = r->auth->ops->token(r->auth, h);

		if (v == NULL)
			return -1;
		r->auth_value = xasprintf("Authorization: %s", v);
	}
	curl_slist_free_all(r->slist);
	r->slist = NULL;
	for (i = 0; i < r->nheaders; i++)
		r->slist = curl_slist_append(r->slist, r->headers[i]);
	if (r->auth_value != NULL)
		r->slist = curl_slist_append(r->slist, r->auth_value);
	r->slist = curl_slist_append(r->slist, "Expect:");
	if ((e = r->easy) == NULL)
		e = r->easy = curl_easy_init();
	else
		curl_easy_reset(e);
	if (e == NULL)
		xmalloc_oom();
	buf_reset(&r->resp.body);
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->slist);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "entra2port/" E2P_VERSION);
	if (h->cfg.ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->cfg.ca_file);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(h->cfg.connect_timeout * 1000));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(h->cfg.timeout * 1000));
	/* A connection that delivers nothing for 60 s is dead. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
	for (i = 0; i < r->nheaders; i++)
		if (strncasecmp(r->headers[i], "User-Agent:", 11) == 0)
			curl_easy_setopt(e, CURLOPT_USERAGENT,
			    r->headers[i] + 11 +
				strspn(r->headers[i] + 11, " "));
	if (strcmp(r->method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
	}
	r->errbuf[0] = '\0';
	r->attempts++;
	if (r->first_sent < 0)
		r->first_sent = http_mono();
	r->host->inflight++;
	r->iprev = NULL;
	r->inext = h->inflight;
	if (h->inflight != NULL)
		h->inflight->iprev = r;
	h->inflight = r;
	msg_debug("> %s %s", r->method, r->url);
	curl_multi_add_handle(h->multi, e);
	return 0;
}

/* Slots of a host's cap only urgent requests may take. */
static int
urgent_reserve(int cap)
{
	return cap >= 4 ? 2 : cap >= 2 ? 1 : 0;
}

/*
 * Send what the hosts' caps and clocks allow.  With flush, only start
 * transfers: a request that must end without one (its token failed) is
 * left in its queue, so that no done callback runs from http_flush().
 */
static void
dispatch(struct http *h, int flush)
{
	struct http_host *host;
	struct req **pp, *r;
	double now = http_mono();

	h->dispatching = 1;
	/* Delayed requests whose time has come go back to their queue. */
	pp = &h->delayed;
	while ((r = *pp) != NULL) {
		if (r->due <= now) {
			*pp = r->next;
			enqueue(r, 1);
		} else {
			pp = &r->next;
		}
	}
	for (host = h->hosts; host != NULL; host = host->next) {
		while (host->head != NULL && host->inflight < host->cap &&
		    host->not_before <= now &&
		    host->last_send + host->gap <= now) {
			r = host->head;
			if (flush && r->auth != NULL && r->auth->failed)
				break;
			/* The last slots are kept for urgent requests (a
			 * chain of pages, each naming the next): queued
			 * behind other work, the chain would wait for it. */
			if (!r->urgent && host->chains &&
			    host->inflight >=
				host->cap - urgent_reserve(host->cap))
				break;
			host->last_send = now;
			host->head = r->next;
			if (host->head == NULL)
				host->tail = NULL;
			host->queued--;
			if (r->auth != NULL && r->auth->failed) {
				r->resp.auth_failed = r->resp.reported = 1;
				r->resp.error = r->auth->message != NULL ?
				    r->auth->message :
				    "authentication failed";
				h->active--;
				r->done(r->arg, &r->resp);
				req_free(r);
				continue;
			}
			if (start(h, r) == -1) {
				if (r->auth->failed && flush) {
					enqueue(r, 1);
					break;
				}
				if (r->auth->failed) {
					enqueue(r, 1);
					continue;
				}
				r->next = h->authwait;
				h->authwait = r;
			}
		}
	}
	h->dispatching = 0;
}

void
http_flush(struct http *h)
{
	int running;

	if (h->dispatching || h->stopping || interrupted)
		return;
	dispatch(h, 1);
	curl_multi_perform(h->multi, &running);
}

int
http_retryable(enum http_retry policy, long status)
{
	switch (policy) {
	case HTTP_RETRY_ALL:
		return status == 0 || status == 408 || status == 429 ||
		    status == 500 || status == 502 || status == 503 ||
		    status == 504;
	case HTTP_RETRY_TOKEN:
		return status == 0 || status == 429 || status >= 500;
	case HTTP_RETRY_IMDS:
		return status == 0 || status == 404 || status == 410 ||
		    status == 429 || status >= 500;
	default:
		return 0;
	}
}

double
http_parse_retry_after(const char *v, double now)
{
	char *end;
	double d;
	struct tm tm;
	const char *p;

	if (v == NULL || *v == '\0')
		return -1;
	errno = 0;
	d = strtod(v, &end);
	if (end != v && errno == 0 && isfinite(d)) {
		while (*end == ' ')
			end++;
		if (*end == '\0')
			return d < 0 ? 0 : d;
	}
	memset(&tm, 0, sizeof(tm));
	p = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (p == NULL || *p != '\0')
		return -1;
	d = (double)timegm(&tm) - now;
	return d < 0 ? 0 : d;
}

double
http_retry_delay(long status, const char *retry_after, double reset,
    int attempts, double now, double jitter)
{
	double d = -1, base;

	if (retry_after != NULL)
		d = http_parse_retry_after(retry_after, now);
	/* A service that says when its window resets: wait for it (on a
	 * 429 only: another failure says nothing of the window). */
	if (d < 0 && status == 429 && reset >= 0)
		d = reset;
	if (d >= 0)
		return ceil(d * 1000) / 1000;
	base = 0.5 * pow(2, attempts - 1);
	if (base > 60)
		base = 60;
	/* Full jitter in [base/2, base]. */
	return base / 2 + (base / 2) * jitter;
}

/* Seconds to wait before retry number r->attempts. */
static double
backoff(struct req *r, long status)
{
	return http_retry_delay(status, r->retry_after, r->win.reset,
	    r->attempts, http_now(), (double)rand() / RAND_MAX);
}

double
http_retry_wait(const struct http *h, int attempt, const char *retry_after,
    double waited)
{
	double d;

	if (attempt < 1 || attempt > h->cfg.max_retries)
		return -1;
	d = http_retry_delay(0, retry_after, -1, attempt, http_now(),
	    (double)rand() / RAND_MAX);
	return waited + d <= h->cfg.max_retry_wait ? d : -1;
}

static void
complete(struct http *h, struct req *r)
{
	r->resp.request_id = r->request_id;
	r->resp.content_type = r->content_type;
	r->resp.auth_used = r->auth_value != NULL ?
	    r->auth_value + strlen("Authorization: ") :
	    NULL;
	r->resp.attempts = r->attempts;
	r->resp.seconds = r->first_sent >= 0 ? http_mono() - r->first_sent : 0;
	h->active--;
	r->done(r->arg, &r->resp);
	req_free(r);
}

static void
delay(struct http *h, struct req *r, double secs)
{
	r->waited += secs;
	r->due = http_mono() + secs;
	r->next = h->delayed;
	h->delayed = r;
}

/* Is rc a failure to verify the server's certificate? */
static int
tls_trust_error(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR;
}

static void
finished(struct http *h, CURL *e, CURLcode rc)
{
	struct req *r;
	long status = 0;
	double wait;
	int retry;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(h->multi, e);
	r->host->inflight--;
	if (r->iprev != NULL)
		r->iprev->inext = r->inext;
	else
		h->inflight = r->inext;
	if (r->inext != NULL)
		r->inext->iprev = r->iprev;
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	r->resp.status = status;
	r->resp.error = NULL;
	if (rc != CURLE_OK) {
		r->resp.status = 0;
		r->resp.error = r->errbuf[0] != '\0' ? r->errbuf :
						       curl_easy_strerror(rc);
		if (rc == CURLE_WRITE_ERROR)
			r->resp.error = "response body too large";
		if (tls_trust_error(rc)) {
			snprintf(r->errtext, sizeof(r->errtext),
			    "%s (hint: "
			    "the server's certificate is not trusted; behind a "
			    "TLS-inspecting proxy, give its CA certificate with "
			    "--cacert FILE or SSL_CERT_FILE)",
			    r->resp.error);
			r->resp.error = r->errtext;
		}
		msg_debug("< %s %s: %s", r->method, r->url, r->resp.error);
	} else {
		msg_debug("< %ld %s %s (%zu bytes)", status, r->method, r->url,
		    r->resp.body.len);
	}
	if (h->stopping || interrupted) {
		r->resp.interrupted = r->resp.reported = 1;
		r->resp.status = 0;
		r->resp.error = "interrupted";
		complete(h, r);
		return;
	}
	if (status == 401 && r->auth != NULL && !r->refreshed) {
		r->refreshed = 1;
		r->auth->ops->invalidate(r->auth,
		    r->auth_value + strlen("Authorization: "));
		enqueue(r, 1);
		return;
	}
	pace(r, status);
	if (status == 429)
		h->throttled++;
	/* A body over the cap would be as big again: not retried. */
	retry = rc != CURLE_WRITE_ERROR &&
	    http_retryable(r->retry, rc != CURLE_OK ? 0 : status);
	/* A certificate that is not trusted stays so. */
	if (tls_trust_error(rc))
		retry = 0;
	/* A name that does not resolve will not resolve in a minute
	 * either: one quick retry for a resolver hiccup, then fail fast. */
	if (retry &&
	    (rc == CURLE_COULDNT_RESOLVE_HOST ||
		rc == CURLE_COULDNT_RESOLVE_PROXY) &&
	    r->attempts >= 2)
		retry = 0;
	if (retry && r->attempts <= h->cfg.max_retries) {
		wait = rc == CURLE_COULDNT_RESOLVE_HOST ||
			rc == CURLE_COULDNT_RESOLVE_PROXY ?
		    1 :
		    backoff(r, status);
		if (r->waited + wait <= h->cfg.max_retry_wait) {
			if (status == 429 || status == 503) {
				/* Slow the whole host, not only this one. */
				double nb = http_mono() + wait;

				if (nb > r->host->not_before)
					r->host->not_before = nb;
			}
			msg_info("%s %s: %s, retrying in %.1f s (attempt %d)",
			    r->method, r->url,
			    status ? "HTTP status" : r->resp.error, wait,
			    r->attempts + 1);
			if (status != 0)
				msg_debug("status was %ld", status);
			delay(h, r, wait);
			return;
		}
	}
	complete(h, r);
}

/*
 * Adapt the host to what it said: halve its cap on a 429 and win one
 * back after as many good answers as the cap; with rate-limit headers,
 * spread what remains of the window over its remaining seconds.
 */
static void
pace(struct req *r, long status)
{
	struct http_host *host = r->host;
	double remaining, reset;

	if (status == 429) {
		host->cap = host->cap > 1 ? host->cap / 2 : 1;
		host->ok_streak = 0;
	} else if (status >= 200 && status < 300 && host->cap < host->max_cap &&
	    ++host->ok_streak >= host->cap) {
		host->cap++;
		host->ok_streak = 0;
	}
	if (r->win.remaining < 0 || r->win.reset < 0)
		return;
	remaining = r->win.remaining;
	reset = r->win.reset;
	host->gap = remaining >= 1 ? reset / remaining : 0;
	/* The reset comes in whole seconds, rounded up: late in a short
	 * window it overstates the time left, and the spread above would
	 * send at half the rate the window allows.  The window's own rate
	 * (limit per period, with a margin) is never faster than allowed
	 * on average. */
	if (r->win.limit >= 1 && r->win.period > 0 &&
	    host->gap > 1.02 * r->win.period / r->win.limit)
		host->gap = 1.02 * r->win.period / r->win.limit;
	if (host->gap > 5)
		host->gap = 5;
	if (remaining < 1 && status != 429) {
		double nb = http_mono() + reset;

		if (nb > host->not_before)
			host->not_before = nb;
	}
}

/* Milliseconds until the next delayed request or host opens. */
static long
next_timer(struct http *h, long curl_ms)
{
	double now = http_mono(), t = -1;
	struct req *r;
	struct http_host *host;
	long ms;

	for (r = h->delayed; r != NULL; r = r->next)
		if (t < 0 || r->due < t)
			t = r->due;
	for (host = h->hosts; host != NULL; host = host->next) {
		double open = host->not_before > host->last_send + host->gap ?
		    host->not_before :
		    host->last_send + host->gap;

		if (host->head != NULL && open > now && (t < 0 || open < t))
			t = open;
	}
	ms = curl_ms < 0 ? 1000 : curl_ms;
	if (h->tick != NULL && h->tick_every * 1000 < ms)
		ms = (long)(h->tick_every * 1000);
	if (t >= 0) {
		long tm = (long)ceil((t - now) * 1000);

		if (tm < 0)
			tm = 0;
		if (tm < ms)
			ms = tm;
	}
	return ms > 1000 ? 1000 : ms;
}

/* Interrupted: complete everything not yet done with interrupted set. */
static void
drain(struct http *h)
{
	struct http_host *host;
	struct req *r;
	size_t n;
	int left;

	h->stopping = 1;
	for (;;) {
		n = 0;
		while (h->inflight != NULL) {
			finished(h, h->inflight->easy,
			    CURLE_ABORTED_BY_CALLBACK);
			n++;
		}
		/* Completion messages of the handles just removed: none is
		 * needed any more. */
		while (curl_multi_info_read(h->multi, &left) != NULL)
			;
		r = NULL;
		for (host = h->hosts; host != NULL && r == NULL;
		     host = host->next)
			if ((r = host->head) != NULL) {
				host->head = r->next;
				if (host->head == NULL)
					host->tail = NULL;
				host->queued--;
			}
		if (r == NULL && (r = h->delayed) != NULL)
			h->delayed = r->next;
		if (r == NULL && (r = h->authwait) != NULL)
			h->authwait = r->next;
		if (r == NULL && n == 0)
			break;
		if (r != NULL) {
			r->resp.interrupted = r->resp.reported = 1;
			r->resp.error = "interrupted";
			complete(h, r);
		}
	}
}

int
http_run(struct http *h)
{
	CURLMsg *m;
	int running, left, numfds;

	while (h->active > 0) {
		if (interrupted) {
			drain(h);
			return -1;
		}
		dispatch(h, 0);
		if (h->tick != NULL &&
		    http_mono() - h->tick_last >= h->tick_every) {
			h->tick_last = http_mono();
			h->tick(h->tick_arg);
		}
		curl_multi_perform(h->multi, &running);
		while ((m = curl_multi_info_read(h->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE)
				finished(h, m->easy_handle, m->data.result);
		if (h->active == 0)
			break;
		dispatch(h, 0);
		if (h->active > 0) {
			long curl_ms = -1;

			curl_multi_timeout(h->multi, &curl_ms);
			curl_multi_poll(h->multi, NULL, 0,
			    (int)next_timer(h, curl_ms), &numfds);
		}
	}
	return interrupted ? -1 : 0;
}
