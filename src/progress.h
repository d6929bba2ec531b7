/*
 * The live progress line of a run on a terminal: one line per resource
 * (items read, entities written, rate) and the requests held back by a
 * rate limit, drawn on stderr below the messages and erased before each
 * one.  It only reads the report.
 */
#ifndef E2P_PROGRESS_H
#define E2P_PROGRESS_H

#include <stddef.h>

struct progress;
struct report;

/* Start drawing r's progress (owned by the caller: progress_end). */
struct progress *progress_start(const struct report *r);
/* Redraw, with waiting requests held back by a rate limit. */
void progress_update(struct progress *, size_t waiting);
/* Erase the lines and free p (NULL: nothing). */
void progress_end(struct progress *p);

#endif
