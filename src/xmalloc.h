/*
 * Allocation that never returns NULL: out of memory is the one failure that
 * ends the process below main (exit status 70, after a message).
 */
#ifndef E2P_XMALLOC_H
#define E2P_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
/* printf into a new string; the caller owns it. */
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));
/*
 * End the process for want of memory (exit 70), for the libraries'
 * constructors too (curl_easy_init, jq_init fail only that way).
 */
void xmalloc_oom(void) __attribute__((noreturn));
/* Wipe then free a NUL-terminated secret; NULL is a no-op. */
void freezero_str(char *);
/*
 * Free the n strings of the array v, then v; n may be STRV_NULL_ENDED for
 * an array that ends at a NULL.  NULL v is a no-op.
 */
#define STRV_NULL_ENDED ((size_t)-1)
void free_strv(char **v, size_t n);

#endif
