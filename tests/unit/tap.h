/*
 * A tiny TAP harness for unit tests: ok(), is_str(), is_int(), done().
 * Each test binary prints "ok N - name" / "not ok N - name" lines and a
 * plan, and exits 1 if any check failed.
 */
#ifndef E2P_TAP_H
#define E2P_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define ok(cond, ...)                                                        \
	do {                                                                 \
		int ok_c_ = !!(cond);                                        \
		printf("%sok %d - ", ok_c_ ? "" : "not ", ++tap_n);          \
		printf(__VA_ARGS__);                                         \
		printf("\n");                                                \
		if (!ok_c_) {                                                \
			tap_fail++;                                          \
			printf("#   failed at %s:%d\n", __FILE__, __LINE__); \
		}                                                            \
	} while (0)

#define is_str(got, want, ...)                                         \
	do {                                                           \
		const char *g_ = (got), *w_ = (want);                  \
		int same_ = (g_ == NULL && w_ == NULL) ||              \
		    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0); \
		ok(same_, __VA_ARGS__);                                \
		if (!same_)                                            \
			printf("#   got:  '%s'\n#   want: '%s'\n",     \
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
	} while (0)

#define is_int(got, want, ...)                                            \
	do {                                                              \
		long g_ = (long)(got), w_ = (long)(want);                 \
		ok(g_ == w_, __VA_ARGS__);                                \
		if (g_ != w_)                                             \
			printf("#   got:  %ld\n#   want: %ld\n", g_, w_); \
	} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

#endif
