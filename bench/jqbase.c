/*
 * jqbase: the cost of libjq alone on the items entra2port maps, the baseline
 * of issue 7's CPU figure.  It reads Graph pages (one page of JSON per line,
 * as the Graph fake serves them), parses each page with jv_parse_sized, takes
 * .value and, for every item, runs one compiled jq program (the mapping's
 * selector and entity object) and dumps each output with jv_dump_string.  It
 * prints CPU microseconds per item (user+sys, getrusage) for several passes,
 * and the number of members the items carry (group objects with their
 * ".members" arrays assembled, for the CPU per membership of issue 13).
 */

#include <sys/resource.h>
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>
#include <jv.h>

struct text {
	char *p;
	size_t n;
};

/*
 * slurp: read the whole file path into a NUL-terminated buffer; set *len.
 * Returns the buffer (caller frees) or NULL after printing why.
 */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *b = NULL;
	size_t cap = 0, n = 0, r;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "jqbase: cannot open '%s': %s\n", path,
		    strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((b = realloc(b, cap + 1)) == NULL) {
				fprintf(stderr, "jqbase: out of memory\n");
				exit(1);
			}
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "jqbase: cannot read '%s'\n", path);
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

/*
 * cpu_us: user+sys CPU time of this process in microseconds.
 */
static double
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/*
 * run_item: run jq on item (consumed), dump every output; add the outputs
 * to *outs and their bytes to *bytes.  Returns 0, or -1 on a jq error.
 */
static int
run_item(jq_state *jq, jv item, size_t *outs, size_t *bytes)
{
	jv out, s;

	jq_start(jq, item, 0);
	while (jv_is_valid(out = jq_next(jq))) {
		s = jv_dump_string(out, 0);
		*bytes += (size_t)jv_string_length_bytes(jv_copy(s));
		jv_free(s);
		(*outs)++;
	}
	if (jv_invalid_has_msg(jv_copy(out))) {
		jv m = jv_invalid_get_msg(out);

		fprintf(stderr, "jqbase: jq error: %s\n",
		    jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) :
		    "?");
		jv_free(m);
		return -1;
	}
	jv_free(out);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * main: jqbase PAGES PROGRAM-FILE [PASSES]; prints one JSON line.
 * Exit 0, or 1 on any error.
 */
int
main(int argc, char **argv)
{
	char *pages, *prog, *p, *nl;
	size_t plen, glen, npages = 0, cap = 0, items = 0, outs, bytes;
	size_t members = 0;
	struct text *pv = NULL, *iv = NULL;
	size_t nitems = 0, icap = 0, i, k;
	int passes = 5, pass;
	double *page_us, *item_us, t0;
	jq_state *jq;

	if (argc < 3) {
		fprintf(stderr, "usage: jqbase PAGES PROGRAM-FILE [PASSES]\n");
		return 1;
	}
	if (argc > 3)
		passes = atoi(argv[3]);
	if (passes < 1)
		passes = 1;
	if ((pages = slurp(argv[1], &plen)) == NULL ||
	    (prog = slurp(argv[2], &glen)) == NULL)
		return 1;
	for (p = pages; p < pages + plen; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(pages + plen - p))) == NULL)
			nl = pages + plen;
		if (nl > p) {
			if (npages == cap) {
				cap = cap ? cap * 2 : 256;
				pv = realloc(pv, cap * sizeof(*pv));
				if (pv == NULL)
					return 1;
			}
			pv[npages].p = p;
			pv[npages++].n = (size_t)(nl - p);
		}
	}
	jq = jq_init();
	if (jq == NULL || !jq_compile(jq, prog)) {
		fprintf(stderr, "jqbase: cannot compile the program\n");
		return 1;
	}

	/* Item texts for the per-item variant, made outside the timing. */
	for (i = 0; i < npages; i++) {
		jv pg = jv_parse_sized(pv[i].p, (int)pv[i].n);
		jv val = jv_object_get(pg, jv_string("value"));
		int n = jv_array_length(jv_copy(val));

		for (int j = 0; j < n; j++) {
			jv it = jv_array_get(jv_copy(val), j);
			jv mem = jv_get_kind(it) == JV_KIND_OBJECT ?
			    jv_object_get(jv_copy(it), jv_string("members")) :
			    jv_null();
			jv s;

			if (jv_get_kind(mem) == JV_KIND_ARRAY)
				members += (size_t)jv_array_length(jv_copy(mem));
			jv_free(mem);
			s = jv_dump_string(it, 0);

			if (nitems == icap) {
				icap = icap ? icap * 2 : 4096;
				iv = realloc(iv, icap * sizeof(*iv));
				if (iv == NULL)
					return 1;
			}
			iv[nitems].n = (size_t)jv_string_length_bytes(
			    jv_copy(s));
			iv[nitems].p = strdup(jv_string_value(s));
			nitems++;
			jv_free(s);
		}
		jv_free(val);
	}
	page_us = calloc((size_t)passes, sizeof(double));
	item_us = calloc((size_t)passes, sizeof(double));
	outs = bytes = 0;
	for (pass = 0; pass < passes; pass++) {
		/* Whole pages: parse, .value, program, dump (as the tool). */
		items = outs = bytes = 0;
		t0 = cpu_us();
		for (i = 0; i < npages; i++) {
			jv pg = jv_parse_sized(pv[i].p, (int)pv[i].n);
			jv val;
			int n;

			if (!jv_is_valid(pg)) {
				fprintf(stderr, "jqbase: page %zu is not JSON\n",
				    i + 1);
				return 1;
			}
			val = jv_object_get(pg, jv_string("value"));
			n = jv_array_length(jv_copy(val));
			for (int j = 0; j < n; j++) {
				if (run_item(jq, jv_array_get(jv_copy(val), j),
				    &outs, &bytes) == -1)
					return 1;
				items++;
			}
			jv_free(val);
		}
		page_us[pass] = (cpu_us() - t0) / (double)(items ? items : 1);

		/* Item by item: parse of the item text, program, dump. */
		t0 = cpu_us();
		for (k = 0; k < nitems; k++) {
			jv it = jv_parse_sized(iv[k].p, (int)iv[k].n);
			size_t o2 = 0, b2 = 0;

			if (run_item(jq, it, &o2, &b2) == -1)
				return 1;
		}
		item_us[pass] = (cpu_us() - t0) /
		    (double)(nitems ? nitems : 1);
	}
	printf("{\"pages\":%zu,\"items\":%zu,\"members\":%zu,"
	    "\"outputs\":%zu,\"outputBytes\":%zu,\"passes\":%d,"
	    "\"pageUs\":[", npages, items, members, outs, bytes, passes);
	for (pass = 0; pass < passes; pass++)
		printf("%s%.3f", pass ? "," : "", page_us[pass]);
	printf("],\"itemUs\":[");
	for (pass = 0; pass < passes; pass++)
		printf("%s%.3f", pass ? "," : "", item_us[pass]);
	qsort(page_us, (size_t)passes, sizeof(double), cmp_double);
	qsort(item_us, (size_t)passes, sizeof(double), cmp_double);
	printf("],\"pageUsMedian\":%.3f,\"itemUsMedian\":%.3f}\n",
	    page_us[passes / 2], item_us[passes / 2]);
	jq_teardown(&jq);
	for (k = 0; k < nitems; k++)
		free(iv[k].p);
	free(iv);
	free(pv);
	free(page_us);
	free(item_us);
	free(pages);
	free(prog);
	return 0;
}
