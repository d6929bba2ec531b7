/*
 * The progress lines.  Messages go through msg.c, whose hooks erase the
 * lines before a message and draw them again after it, so the lines stay
 * below whatever is printed.  One progress at a time (the hooks take no
 * argument).
 */
#include <stdio.h>
#include <stdlib.h>

#include "http.h"
#include "msg.h"
#include "progress.h"
#include "report.h"
#include "xmalloc.h"

struct progress {
	const struct report *r;
	int lines; /* drawn now */
	double t0;
	size_t waiting;
};

static struct progress *live;

static void
erase(void)
{
	if (live == NULL || live->lines <= 0)
		return;
	/* Up to the first line, then clear to the end of the screen. */
	fprintf(stderr, "\r\033[%dA\033[J", live->lines);
	live->lines = 0;
}

static void
draw(void)
{
	struct progress *p = live;
	const struct report *r;
	double el;
	size_t i;

	if (p == NULL || p->lines != 0)
		return;
	r = p->r;
	el = http_mono() - p->t0;
	for (i = 0; i < report_nres(r); i++) {
		unsigned long w = report_dry_run(r) ?
		    report_count(r, i, REPORT_MAPPED) :
		    report_count(r, i, REPORT_UPSERTED) +
			report_count(r, i, REPORT_UNCHANGED) +
			report_count(r, i, REPORT_FAILED);

		fprintf(stderr, "%-22.22s %9lu read %9lu written %8.0f/s%s\n",
		    report_kind(r, i), report_count(r, i, REPORT_FETCHED), w,
		    el > 0 ? (double)w / el : 0.0,
		    report_failed(r, i) ? "  FAILED" : "");
	}
	fprintf(stderr, "%zu requests waiting on a rate limit, %.0f s\n",
	    p->waiting, el);
	p->lines = (int)report_nres(r) + 1;
	fflush(stderr);
}

struct progress *
progress_start(const struct report *r)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->r = r;
	p->t0 = http_mono();
	live = p;
	msg_set_hooks(erase, draw);
	return p;
}

void
progress_update(struct progress *p, size_t waiting)
{
	if (p == NULL)
		return;
	p->waiting = waiting;
	erase();
	draw();
}

void
progress_end(struct progress *p)
{
	if (p == NULL)
		return;
	erase();
	msg_set_hooks(NULL, NULL);
	live = NULL;
	free(p);
}
