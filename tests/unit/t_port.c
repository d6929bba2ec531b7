/*
 * Unit tests for port.c's bulk upserts and bulk deletes, with the HTTP
 * engine replaced by tests/fuzz/fake_http.h (linked with -Wl,--wrap):
 * batches of at most 20 entities per blueprint, results matched by
 * index (an index equal to the batch size, negative, fractional, a string
 * or repeated is ignored and its entity is reported unconfirmed), 413
 * falling back to single upserts, a failed bulk reply failing every
 * entity, and deletes of at most 100 identifiers counting what Port says
 * it deleted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_http.h"
#include "msg.h"
#include "port.h"
#include "tap.h"

#define MAXE 64

struct result {
	int n; /* results received */
	int ok;
	char bp[64], id[64], code[64], message[128];
};

static struct result res[MAXE];
static int bad_results; /* out of range tag or NULL name */

#define MAXREQ 64
static struct {
	char method[8];
	char url[512];
	char *body;
} reqs[MAXREQ];
static int nreqs;

static void
record(const struct http_req_opts *o)
{
	if (nreqs == MAXREQ)
		return;
	snprintf(reqs[nreqs].method, sizeof(reqs[nreqs].method), "%s",
	    o->method != NULL ? o->method : "GET");
	snprintf(reqs[nreqs].url, sizeof(reqs[nreqs].url), "%s", o->url);
	reqs[nreqs].body = o->body != NULL ? strndup(o->body, o->body_len) :
					     NULL;
	nreqs++;
}

static void
on_result(void *arg, void *tag, const char *bp, const char *id, int ok,
    const char *code, const char *message)
{
	size_t k = (size_t)(uintptr_t)tag;
	struct result *r;

	if (k >= MAXE || bp == NULL || id == NULL) {
		bad_results++;
		return;
	}
	r = &res[k];
	r->n++;
	r->ok = ok;
	snprintf(r->bp, sizeof(r->bp), "%s", bp);
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->code, sizeof(r->code), "%s", code != NULL ? code : "");
	snprintf(r->message, sizeof(r->message), "%s",
	    message != NULL ? message : "");
}

static void
reset(void)
{
	int i;

	for (i = 0; i < nreqs; i++)
		free(reqs[i].body);
	nreqs = 0;
	memset(res, 0, sizeof(res));
	bad_results = 0;
	fake_reset();
}

static struct port *
new_port(void)
{
	struct port_config c = { "https://port.test", "custom", "e2p", "0.1.0",
		1, 0, 0 };

	return port_new(FAKE_HTTP, NULL, &c, on_result, NULL);
}

/* Queue entities first..first+n-1 of blueprint bp (tags = numbers). */
static void
upsert(struct port *p, const char *bp, int first, int n)
{
	char id[32], json[96];
	int i;

	for (i = first; i < first + n; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		snprintf(json, sizeof(json),
		    "{\"identifier\":\"%s\","
		    "\"blueprint\":\"%s\"}",
		    id, bp);
		port_upsert(p, (void *)(uintptr_t)i, bp, id, json,
		    strlen(json));
	}
}

/* Answer every queued request with the replies of script. */
static void
answer(const char *script)
{
	struct fake_script s;

	fake_script_init(&s, (const unsigned char *)script, strlen(script));
	fake_drain(&s);
}

/* Every entity in [0, n) got exactly one result; returns how many ok. */
static int
check_one_each(int n, const char *what)
{
	int i, once = 1, oks = 0;

	for (i = 0; i < n; i++) {
		if (res[i].n != 1)
			once = 0;
		oks += res[i].ok;
	}
	ok(once && bad_results == 0,
	    "%s: one result per entity, none "
	    "stray",
	    what);
	if (!once || bad_results != 0)
		for (i = 0; i < n; i++)
			printf("#   entity %d: %d results\n", i, res[i].n);
	return oks;
}

/* A 207 naming index n (= the batch size) for three entities. */
static void
test_index_equal_to_size(void)
{
	struct port *p = new_port();

	reset();
	upsert(p, "entra-id-user", 0, 3);
	port_flush(p);
	is_int(nreqs, 1, "3 entities: one bulk request");
	answer(
	    "x\n207\n{\"ok\":true,\"entities\":[{\"identifier\":\"e0\","
	    "\"index\":0,\"created\":true},{\"identifier\":\"e1\","
	    "\"index\":1},{\"identifier\":\"e3\",\"index\":3}],\"errors\":[]}");
	is_int(check_one_each(3, "index 3 of 3"), 2, "index 3 of 3: two ok");
	ok(!res[2].ok && strcmp(res[2].code, "no_result") == 0,
	    "index 3 of 3 is not taken for entity 2: it is unconfirmed");
	is_int(port_pending(p), 0, "index 3 of 3: nothing pending");

	reset();
	upsert(p, "entra-id-user", 0, 3);
	port_flush(p);
	answer("x\n207\n{\"ok\":true,\"entities\":[{\"index\":0},"
	       "{\"index\":1},{\"index\":2}],\"errors\":[{\"index\":3,"
	       "\"identifier\":\"e3\",\"statusCode\":422,\"error\":\"bad\","
	       "\"message\":\"an error at index 3 of 3\"}]}");
	is_int(check_one_each(3, "error index 3 of 3"), 3,
	    "an error at index 3 of 3 is ignored: all three ok");
	is_int(port_pending(p), 0, "error index 3 of 3: nothing pending");
	port_free(p);
}

/* A full batch of 20 whose reply names index 20. */
static void
test_index_full_batch(void)
{
	struct port *p = new_port();
	struct buf b;
	int i;

	reset();
	upsert(p, "entra-id-user", 0, 20);
	is_int(nreqs, 1, "20 entities: sent without a flush");
	buf_init(&b);
	buf_puts(&b, "x\n207\n{\"entities\":[");
	for (i = 1; i <= 20; i++)
		buf_printf(&b, "%s{\"index\":%d}", i > 1 ? "," : "", i);
	buf_puts(&b, "],\"errors\":[]}");
	answer(buf_str(&b));
	buf_release(&b);
	is_int(check_one_each(20, "indexes 1..20 of 20"), 19,
	    "indexes 1..20 of 20: 19 ok");
	ok(!res[0].ok && strcmp(res[0].code, "no_result") == 0,
	    "entity 0, never named, is unconfirmed");
	is_int(port_pending(p), 0, "indexes 1..20: nothing pending");
	port_free(p);
}

/* Indexes that are not whole numbers below n, and a repeated one. */
static void
test_index_bad(void)
{
	struct port *p = new_port();

	reset();
	upsert(p, "entra-id-group", 0, 6);
	port_flush(p);
	answer("x\n207\n{\"entities\":[{\"index\":-1},{\"index\":1.5},"
	       "{\"index\":\"2\"},{\"index\":1e300},{\"index\":99999999999},"
	       "{\"index\":0},{\"index\":5}],\"errors\":[{\"index\":0,"
	       "\"error\":\"late\",\"message\":\"a second answer for 0\"},"
	       "{\"index\":3,\"error\":\"not_found\",\"message\":\"target "
	       "missing\"},{\"index\":3,\"error\":\"again\",\"message\":\"x\"},"
	       "{\"index\":4}]}");
	check_one_each(6, "bad indexes");
	ok(!res[0].ok && strcmp(res[0].code, "late") == 0,
	    "errors are read first: index 0's error wins over its success");
	ok(!res[1].ok && strcmp(res[1].code, "no_result") == 0,
	    "1.5 is not index 1");
	ok(!res[2].ok && strcmp(res[2].code, "no_result") == 0,
	    "\"2\" is not index 2");
	ok(!res[3].ok && strcmp(res[3].code, "not_found") == 0 &&
		strcmp(res[3].message, "target missing") == 0,
	    "index 3: the first error, with its code and message");
	ok(!res[4].ok && strcmp(res[4].code, "error") == 0 &&
		strcmp(res[4].message, "rejected") == 0,
	    "an error without code or message: 'error', 'rejected'");
	ok(res[5].ok, "index 5 ok");
	is_str(res[3].bp, "entra-id-group", "result names the blueprint");
	is_str(res[3].id, "e3", "result names the identifier");
	port_free(p);
}

/* Batching: per blueprint, 20 at most, partial batches on flush. */
static void
test_batches(void)
{
	struct port *p = new_port();
	char script[1024];
	int i, oks, one;

	reset();
	upsert(p, "entra-id-user", 0, 21);
	upsert(p, "entra-id-group", 21, 2);
	is_int(nreqs, 1, "21 users: the first 20 sent at once");
	is_int(port_pending(p), 20,
	    "Port's backlog: the 20 sent, not the 3 still gathering");
	port_flush(p);
	is_int(nreqs, 3, "flush sends the user and the group batch");
	is_int(port_pending(p), 23, "then all 23 wait for Port");
	ok(strcmp(reqs[0].method, "POST") == 0 &&
		strcmp(reqs[0].url,
		    "https://port.test/v1/blueprints/entra-id-user/entities/bulk?"
		    "upsert=true&merge=true&create_missing_related_entities=false") ==
		    0,
	    "bulk URL with the upsert query");
	ok(reqs[0].body != NULL &&
		strncmp(reqs[0].body, "{\"entities\":[{\"identifier\":\"e0\",",
		    32) == 0 &&
		strstr(reqs[0].body, "\"e19\"") != NULL &&
		strstr(reqs[0].body, "\"e20\"") == NULL,
	    "first body: e0..e19, not e20");
	ok(reqs[1].body != NULL && reqs[2].body != NULL &&
		((strstr(reqs[1].body, "\"e20\"") != NULL &&
		     strstr(reqs[2].body, "\"e21\"") != NULL) ||
		    (strstr(reqs[2].body, "\"e20\"") != NULL &&
			strstr(reqs[1].body, "\"e21\"") != NULL)),
	    "the rest in one batch per blueprint");
	for (i = 0; i < 3; i++) {
		cJSON *j = reqs[i].body != NULL ? cJSON_Parse(reqs[i].body) :
						  NULL;

		ok(cJSON_IsArray(cJSON_GetObjectItem(j, "entities")),
		    "body %d is JSON with an entities array", i);
		cJSON_Delete(j);
	}
	/* The replies follow the order the two last batches went in. */
	one = reqs[1].body != NULL && strstr(reqs[1].body, "\"e20\"") != NULL;
	snprintf(script, sizeof(script),
	    "x\n200\n{\"entities\":["
	    "{\"index\":0},{\"index\":1},{\"index\":2},{\"index\":3},"
	    "{\"index\":4},{\"index\":5},{\"index\":6},{\"index\":7},"
	    "{\"index\":8},{\"index\":9},{\"index\":10},{\"index\":11},"
	    "{\"index\":12},{\"index\":13},{\"index\":14},{\"index\":15},"
	    "{\"index\":16},{\"index\":17},{\"index\":18},{\"index\":19}]}"
	    "\n%%%%\n200\n{\"entities\":[{\"index\":0}%s]}"
	    "\n%%%%\n200\n{\"entities\":[{\"index\":0}%s]}",
	    one ? "" : ",{\"index\":1}", one ? ",{\"index\":1}" : "");
	answer(script);
	oks = check_one_each(23, "three batches");
	is_int(oks, 23, "three batches: all ok");
	is_int(port_pending(p), 0, "three batches: nothing pending");
	port_free(p);
}

/* The 1 MiB bound: a batch is sent before it would pass it. */
static void
test_body_cap(void)
{
	struct port *p = new_port();
	char *big = malloc(400 * 1024 + 64);
	size_t n;
	int i;

	reset();
	for (i = 0; i < 3; i++) {
		memset(big, 'a', 400 * 1024 + 64);
		n = (size_t)snprintf(big, 64,
		    "{\"identifier\":\"b%d\","
		    "\"title\":\"",
		    i);
		big[n] = 'a';
		memcpy(big + 400 * 1024 - 2, "\"}", 2);
		port_upsert(p, (void *)(uintptr_t)i, "entra-id-user", "b", big,
		    400 * 1024);
	}
	is_int(nreqs, 1, "three 400 KiB entities: the first two sent");
	port_flush(p);
	is_int(nreqs, 2, "then the third alone");
	answer("x\n200\n{\"entities\":[{\"index\":0},{\"index\":1}]}\n%%\n"
	       "200\n{\"entities\":[{\"index\":0}]}");
	is_int(check_one_each(3, "body cap"), 3, "body cap: all ok");

	/* Two of 600 KiB: the second starts a batch of its own. */
	reset();
	big = realloc(big, 600 * 1024);
	for (i = 0; i < 2; i++) {
		memset(big, 'a', 600 * 1024);
		n = (size_t)snprintf(big, 64,
		    "{\"identifier\":\"c%d\","
		    "\"title\":\"",
		    i);
		big[n] = 'a';
		memcpy(big + 600 * 1024 - 2, "\"}", 2);
		port_upsert(p, (void *)(uintptr_t)i, "entra-id-user", "c", big,
		    600 * 1024);
	}
	is_int(nreqs, 1, "two 600 KiB entities: the first sent alone");
	port_flush(p);
	is_int(nreqs, 2, "then the second");
	answer("x\n200\n{\"entities\":[{\"index\":0}]}\n%%\n"
	       "200\n{\"entities\":[{\"index\":0}]}");
	is_int(check_one_each(2, "600 KiB"), 2, "600 KiB: both ok");
	free(big);
	port_free(p);
}

/* 413: one request per entity, each with its own result. */
static void
test_413(void)
{
	struct port *p = new_port();

	reset();
	upsert(p, "entra-id-user", 0, 3);
	port_flush(p);
	answer("x\n413\n{\"ok\":false,\"error\":\"too_large\"}\n%%\n"
	       "201\n{\"ok\":true}\n%%\n"
	       "422\n{\"ok\":false,\"error\":\"invalid\",\"message\":\"bad "
	       "property\"}\n%%\n200\n{\"ok\":true}");
	is_int(nreqs, 4, "413: then three single upserts");
	ok(strcmp(reqs[1].url,
	       "https://port.test/v1/blueprints/"
	       "entra-id-user/entities?upsert=true&merge=true&"
	       "create_missing_related_entities=false") == 0,
	    "single upsert URL");
	is_str(reqs[2].body,
	    "{\"identifier\":\"e1\","
	    "\"blueprint\":\"entra-id-user\"}",
	    "single body is the entity");
	check_one_each(3, "413");
	ok(res[0].ok && !res[1].ok && res[2].ok, "201 and 200 ok, 422 not");
	is_str(res[1].code, "invalid", "422's code");
	is_str(res[1].message, "bad property", "422's message");
	is_int(port_pending(p), 0, "413: nothing pending");
	port_free(p);
}

/* A failed bulk request fails every entity with its code. */
static void
test_failed(void)
{
	struct port *p = new_port();

	reset();
	upsert(p, "entra-id-user", 0, 2);
	port_flush(p);
	answer("x\n500\n{\"ok\":false,\"error\":\"internal_error\","
	       "\"message\":\"boom\"}");
	is_int(check_one_each(2, "500"), 0, "500: none ok");
	ok(strcmp(res[0].code, "internal_error") == 0 &&
		strcmp(res[1].message, "boom") == 0,
	    "500: Port's code and "
	    "message");

	reset();
	upsert(p, "entra-id-user", 0, 2);
	port_flush(p);
	answer("x\n502\n<html>bad gateway</html>");
	check_one_each(2, "502 HTML");
	ok(!res[0].ok && strcmp(res[0].code, "http_502") == 0 &&
		strcmp(res[0].message, "unexpected reply") == 0,
	    "an HTML error: http_502, unexpected reply");

	reset();
	upsert(p, "entra-id-user", 0, 1);
	port_flush(p);
	answer("x\n000\n");
	ok(!res[0].ok && strcmp(res[0].code, "unreachable") == 0,
	    "no answer: unreachable");

	reset();
	upsert(p, "entra-id-user", 0, 1);
	port_flush(p);
	answer("x\n000a\n");
	ok(!res[0].ok && strcmp(res[0].code, "auth_failed") == 0 &&
		port_auth_failed(p),
	    "token failure: auth_failed, and noted");
	port_free(p);
}

static size_t del_n;
static int del_rc, del_calls;

static void
on_deleted(void *arg, size_t n, int rc)
{
	del_n = n;
	del_rc = rc;
	del_calls++;
}

static void
test_delete(void)
{
	struct port *p = new_port();
	const char *ids[250];
	char idbuf[250][8];
	cJSON *j;
	int i;

	for (i = 0; i < 250; i++) {
		snprintf(idbuf[i], sizeof(idbuf[i]), "d%d", i);
		ids[i] = idbuf[i];
	}
	reset();
	del_calls = 0;
	port_delete(p, "entra-id-user", ids, 250, on_deleted, NULL);
	is_int(nreqs, 3, "250 ids: three delete requests");
	ok(strcmp(reqs[0].url,
	       "https://port.test/v1/blueprints/"
	       "entra-id-user/bulk/entities/delete?delete_dependents=false") ==
		0,
	    "delete URL, delete_dependents=false");
	j = cJSON_Parse(reqs[0].body);
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(j, "entities")), 100,
	    "first request: 100 ids");
	is_str(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entities"), 0)
		   ->valuestring,
	    "d0", "first request starts at d0");
	cJSON_Delete(j);
	j = cJSON_Parse(reqs[2].body);
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(j, "entities")), 50,
	    "last request: 50 ids");
	is_str(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entities"), 49)
		   ->valuestring,
	    "d249", "last request ends at d249");
	cJSON_Delete(j);
	is_int(del_calls, 0, "not done before the replies");
	answer("x\n200\n{\"ok\":true,\"deletedEntities\":[\"d0\",\"d1\"]}\n%%\n"
	       "404\n{\"ok\":false,\"error\":\"not_found\"}\n%%\n"
	       "200\n{\"ok\":true}");
	is_int(del_calls, 1, "done once");
	is_int(del_rc, 0, "rc 0");
	is_int(del_n, 2 + 100 + 50,
	    "deleted: 2 listed, 100 gone (404), "
	    "50 without a list");

	reset();
	del_calls = 0;
	port_delete(p, "entra-id-user", ids, 100, on_deleted, NULL);
	is_int(nreqs, 1, "100 ids: one request");
	answer("x\n409\n{\"ok\":false,\"error\":\"has_dependents\","
	       "\"message\":\"entity has dependents\"}");
	ok(del_calls == 1 && del_rc == -1 && del_n == 0,
	    "a refused delete: rc -1, nothing deleted");

	reset();
	del_calls = 0;
	port_delete(p, "entra-id-user", ids, 0, on_deleted, NULL);
	ok(nreqs == 0 && del_calls == 1 && del_rc == 0 && del_n == 0,
	    "no ids: no request, done at once");
	port_free(p);
}

/* Port's rate window and trace id, read from its headers. */
static void
test_headers(void)
{
	struct http_window w = { -1, -1, -1, -1 };
	char *rid = NULL, epoch[32];

	port_header("x-ratelimit-remaining", "12", &w, &rid);
	port_header("x-ratelimit-reset", "7", &w, &rid);
	port_header("x-ratelimit-limit", "1000", &w, &rid);
	port_header("x-ratelimit-period", "300", &w, &rid);
	ok(w.remaining == 12 && w.reset == 7 && w.limit == 1000 &&
		w.period == 300,
	    "the window: remaining, reset, limit, period");
	port_header("x-ratelimit-reset", "10000", &w, &rid);
	ok(w.reset == 10000, "10,000 is still seconds");
	snprintf(epoch, sizeof(epoch), "%.0f", http_now() + 20);
	port_header("x-ratelimit-reset", epoch, &w, &rid);
	ok(w.reset > 19 && w.reset < 21, "an epoch 20 s ahead: %g s", w.reset);
	snprintf(epoch, sizeof(epoch), "%.0f", http_now() - 500);
	port_header("x-ratelimit-reset", epoch, &w, &rid);
	ok(w.reset == 0, "an epoch in the past: now");
	w.reset = -1;
	port_header("x-ratelimit-reset", "-3", &w, &rid);
	port_header("x-ratelimit-reset", "soon", &w, &rid);
	port_header("x-ratelimit-remaining", "", &w, &rid);
	ok(w.reset == -1 && w.remaining == 12,
	    "negative, words, empty: "
	    "not said");
	port_header("retry-after", "5", &w, &rid);
	ok(w.reset == -1, "not Port's to read: retry-after");
	port_header("x-trace-id", "abc-123", &w, &rid);
	port_header("x-trace-id", "def-456", &w, &rid);
	is_str(rid, "def-456", "x-trace-id names the request");
	free(rid);
}

int
main(void)
{
	msg_setup(0, MSG_TEXT);
	fake_on_submit = record;
	test_index_equal_to_size();
	test_index_full_batch();
	test_index_bad();
	test_batches();
	test_body_cap();
	test_413();
	test_failed();
	test_delete();
	test_headers();
	reset();
	return done_testing();
}
