/*
 * Growable byte buffers, always NUL-terminated so text can be read in place.
 * A buffer may carry a cap: appends that would pass it fail with -1 and the
 * buffer is left as it was (used for response bodies from the network).
 */
#ifndef E2P_BUF_H
#define E2P_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* 0: no cap */
};

void buf_init(struct buf *);
/* Free the storage (buf_wipe_release zeroes it first: secrets). */
void buf_release(struct buf *);
void buf_wipe_release(struct buf *);
void buf_reset(struct buf *);
int buf_append(struct buf *, const void *, size_t);
int buf_puts(struct buf *, const char *);
int buf_putc(struct buf *, int);
int buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
/* Append s as a JSON string literal, quotes included. */
int buf_json_str(struct buf *, const char *, size_t);
/*
 * Append s with the bytes a terminal or a log reader would act on (C0
 * controls, DEL, and C1 controls in UTF-8) written as \xNN or \u00NN, so
 * text from a service cannot start a line or an escape sequence.
 */
int buf_put_printable(struct buf *, const char *, size_t);
/*
 * The same for a message of several lines: a newline is kept, but a line
 * after it that would start at its left edge is indented, so no line of
 * the message can pass for a line of its own.
 */
int buf_put_lines(struct buf *, const char *, size_t);
/* Append s percent-encoded for a URL query value (RFC 3986 unreserved kept). */
int buf_urlenc(struct buf *, const char *);
/*
 * Append the contents of the file at path, up to max bytes: 0, 1 if the
 * file holds more than max (what was read is kept), or -1 with errno set.
 * The chunks read pass through a wiped stack buffer (the file may hold a
 * secret).
 */
int buf_read_file(struct buf *, const char *path, size_t max);
/* Hand the storage to the caller (never NULL); the buffer is left empty. */
char *buf_detach(struct buf *);
/* Contents as a string ("" when empty); owned by the buffer. */
const char *buf_str(const struct buf *);

#endif
