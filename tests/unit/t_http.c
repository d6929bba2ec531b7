/*
 * Unit tests for http.c's pure functions: the Retry-After parser
 * (seconds, fractions, HTTP dates in the future and the past, garbage),
 * the wait before a retry (Retry-After, Port's x-ratelimit-reset as
 * seconds or an epoch, exponential backoff with its cap and jitter) and
 * which statuses each retry policy retries.  No network.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "http.h"
#include "tap.h"

/* Equal within a microsecond (results are whole milliseconds or exact). */
#define is_num(got, want, ...)                                                \
	do {                                                                  \
		double gd_ = (got), wd_ = (want);                             \
		ok(fabs(gd_ - wd_) < 1e-6, __VA_ARGS__);                      \
		if (!(fabs(gd_ - wd_) < 1e-6))                                \
			printf("#   got:  %.6f\n#   want: %.6f\n", gd_, wd_); \
	} while (0)

/* 2015-10-21 07:28:00 UTC, the date below. */
#define DATE_T 1445412480.0
#define DATE   "Wed, 21 Oct 2015 07:28:00 GMT"

static void
test_retry_after(void)
{
	is_num(http_parse_retry_after(NULL, DATE_T), -1, "NULL: no value");
	is_num(http_parse_retry_after("", DATE_T), -1, "empty: no value");
	is_num(http_parse_retry_after("1", DATE_T), 1, "integer seconds");
	is_num(http_parse_retry_after("120", DATE_T), 120, "120 seconds");
	is_num(http_parse_retry_after("0", DATE_T), 0, "zero");
	is_num(http_parse_retry_after("0.4", DATE_T), 0.4,
	    "fractional seconds");
	is_num(http_parse_retry_after("2  ", DATE_T), 2,
	    "trailing spaces allowed");
	is_num(http_parse_retry_after("-5", DATE_T), 0,
	    "negative seconds mean now");
	is_num(http_parse_retry_after("86400000", DATE_T), 86400000,
	    "huge seconds kept (the caller caps the wait)");
	is_num(http_parse_retry_after("1e400", DATE_T), -1,
	    "overflowing number refused");
	is_num(http_parse_retry_after("inf", DATE_T), -1, "infinity refused");
	is_num(http_parse_retry_after("nan", DATE_T), -1, "NaN refused");
	is_num(http_parse_retry_after("soon", DATE_T), -1, "garbage refused");
	is_num(http_parse_retry_after("5s", DATE_T), -1,
	    "number with a unit refused");
	is_num(http_parse_retry_after(DATE, DATE_T - 30), 30,
	    "HTTP date 30 s ahead: wait 30 s");
	is_num(http_parse_retry_after(DATE, DATE_T - 0.5), 0.5,
	    "HTTP date half a second ahead");
	is_num(http_parse_retry_after(DATE, DATE_T), 0, "HTTP date now");
	is_num(http_parse_retry_after(DATE, DATE_T + 3600), 0,
	    "HTTP date in the past: now");
	is_num(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT x",
		   DATE_T - 30),
	    -1, "HTTP date with trailing text refused");
	is_num(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00", DATE_T - 30),
	    -1, "HTTP date without GMT refused");
	is_num(http_parse_retry_after("Wed, 32 Oct 2015 07:28:00 GMT",
		   DATE_T - 30),
	    -1, "HTTP date with day 32 refused");
}

static void
test_retry_delay(void)
{
	double now = DATE_T;

	is_num(http_retry_delay(429, "3", -1, 1, now, 0.5), 3,
	    "429: Retry-After seconds");
	is_num(http_retry_delay(503, "2.5", -1, 4, now, 0.5), 2.5,
	    "503: fractional Retry-After, whatever the attempt");
	is_num(http_retry_delay(500, "1", -1, 1, now, 0.5), 1,
	    "500: Retry-After followed too");
	is_num(http_retry_delay(429, "0.0004", -1, 1, now, 0.5), 0.001,
	    "rounded up to a millisecond, never 0 for a positive wait");
	is_num(http_retry_delay(429, "0", -1, 1, now, 0.5), 0,
	    "Retry-After 0: at once");
	is_num(http_retry_delay(429, DATE, -1, 1, now - 42, 0.5), 42,
	    "Retry-After date 42 s ahead");
	is_num(http_retry_delay(503, DATE, -1, 1, now + 42, 0.5), 0,
	    "Retry-After date 42 s ago: at once");
	is_num(http_retry_delay(429, "2", 50, 1, now, 0.5), 2,
	    "Retry-After wins over the window's reset");
	is_num(http_retry_delay(429, NULL, 7, 1, now, 0.5), 7,
	    "429: the window's reset in seconds");
	is_num(http_retry_delay(429, "soon", 7, 1, now, 0.5), 7,
	    "429: bad Retry-After, then the window's reset");
	is_num(http_retry_delay(429, NULL, 0, 1, now, 0.5), 0,
	    "429: the window resets now: at once");
	is_num(http_retry_delay(429, NULL, -1, 1, now, 0), 0.25,
	    "429: no reset said: backoff");
	is_num(http_retry_delay(503, NULL, 7, 1, now, 0), 0.25,
	    "503: the window's reset ignored (429 only)");

	/* Exponential backoff: 0.5 s doubled per attempt, capped at 60 s,
	 * jitter spreading it over [base/2, base]. */
	is_num(http_retry_delay(500, NULL, -1, 1, now, 0), 0.25,
	    "attempt 1, no jitter: 0.25 s");
	is_num(http_retry_delay(500, NULL, -1, 1, now, 1), 0.5,
	    "attempt 1, full jitter: 0.5 s");
	is_num(http_retry_delay(0, NULL, -1, 2, now, 1), 1,
	    "attempt 2 (transport failure): 1 s");
	is_num(http_retry_delay(429, NULL, -1, 3, now, 0.5), 1.5,
	    "429 without headers, attempt 3, half jitter: 1.5 s");
	is_num(http_retry_delay(500, NULL, -1, 8, now, 1), 60,
	    "attempt 8: 64 s capped at 60");
	is_num(http_retry_delay(500, NULL, -1, 30, now, 0), 30,
	    "attempt 30: capped base, no jitter: 30 s");
	is_num(http_retry_delay(500, "soon", -1, 1, now, 1), 0.5,
	    "garbage Retry-After: backoff");
}

static void
test_retryable(void)
{
	static const struct {
		enum http_retry policy;
		long status;
		int want;
	} t[] = {
		{ HTTP_RETRY_ALL, 0, 1 },
		{ HTTP_RETRY_ALL, 408, 1 },
		{ HTTP_RETRY_ALL, 429, 1 },
		{ HTTP_RETRY_ALL, 500, 1 },
		{ HTTP_RETRY_ALL, 502, 1 },
		{ HTTP_RETRY_ALL, 503, 1 },
		{ HTTP_RETRY_ALL, 504, 1 },
		{ HTTP_RETRY_ALL, 200, 0 },
		{ HTTP_RETRY_ALL, 400, 0 },
		{ HTTP_RETRY_ALL, 401, 0 },
		{ HTTP_RETRY_ALL, 404, 0 },
		{ HTTP_RETRY_ALL, 413, 0 },
		{ HTTP_RETRY_ALL, 501, 0 },
		{ HTTP_RETRY_ALL, 505, 0 },
		{ HTTP_RETRY_NONE, 0, 0 },
		{ HTTP_RETRY_NONE, 429, 0 },
		{ HTTP_RETRY_NONE, 503, 0 },
		{ HTTP_RETRY_TOKEN, 0, 1 },
		{ HTTP_RETRY_TOKEN, 429, 1 },
		{ HTTP_RETRY_TOKEN, 500, 1 },
		{ HTTP_RETRY_TOKEN, 599, 1 },
		{ HTTP_RETRY_TOKEN, 400, 0 },
		{ HTTP_RETRY_TOKEN, 401, 0 },
		{ HTTP_RETRY_TOKEN, 404, 0 },
		{ HTTP_RETRY_TOKEN, 408, 0 },
		{ HTTP_RETRY_TOKEN, 499, 0 },
		{ HTTP_RETRY_TOKEN, 200, 0 },
		{ HTTP_RETRY_IMDS, 0, 1 },
		{ HTTP_RETRY_IMDS, 404, 1 },
		{ HTTP_RETRY_IMDS, 410, 1 },
		{ HTTP_RETRY_IMDS, 429, 1 },
		{ HTTP_RETRY_IMDS, 500, 1 },
		{ HTTP_RETRY_IMDS, 400, 0 },
		{ HTTP_RETRY_IMDS, 403, 0 },
		{ HTTP_RETRY_IMDS, 499, 0 },
		{ HTTP_RETRY_IMDS, 200, 0 },
	};
	static const char *const names[] = { "all", "none", "token", "imds" };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(http_retryable(t[i].policy, t[i].status), t[i].want,
		    "policy %s, status %ld: %s", names[t[i].policy],
		    t[i].status, t[i].want ? "retried" : "not retried");
}

int
main(void)
{
	test_retry_after();
	test_retry_delay();
	test_retryable();
	return done_testing();
}
