/*
 * libFuzzer harness for the processing of a Graph page: the input is a
 * page body as Graph sends it, parsed by each resource of the built-in
 * mapping (transform_page and its data_path), its items read (ids, JSON,
 * every other one mapped with members, one dropped) and mapped (transform_run).  Every entity
 * emitted must be valid JSON with a non-empty blueprint and identifier.
 * Leak checking is off while jq parses and runs: libjq 1.6 leaks inside
 * jv_parse_sized on some malformed texts ('{"a":"b",2}' leaks "b"), and
 * it holds its execution stack, which grows while it runs, only through a
 * pointer one past the block's end, which LeakSanitizer does not follow.
 * Compiling the programs anew for each input to avoid that is 50 times
 * slower.  Leaks in transform.c are left to valgrind and make check.
 */
#include <cJSON.h>
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "members.h"
#include "msg.h"
#include "transform.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
die(const char *what)
{
	fprintf(stderr, "fuzz invariant broken: %s\n", what);
	abort();
}

static int
emit(void *arg, const char *bp, const char *id, const char *json,
    size_t len)
{
	cJSON *j;

	if (bp == NULL || id == NULL || bp[0] == '\0')
		die("entity without a blueprint or identifier");
	/* Open finding (tests/fuzz/README): an identifier starting with
	 * "\u0000" reaches emit as "".  FUZZ_KNOWN_OPEN=1 explores past it. */
	if (id[0] == '\0' && getenv("FUZZ_KNOWN_OPEN") == NULL)
		die("entity with an empty identifier");
	j = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsObject(j))
		die("entity JSON is not an object");
	cJSON_Delete(j);
	(*(unsigned long *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct members *ml;
	static struct mapping *m;
	static struct transform *t[8];
	struct tpage *tp;
	char *err, *page;
	size_t r, i, n;
	unsigned long count;
	int rc;

	if (m == NULL) {
		msg_setup(0, MSG_TEXT);
		ml = members_new();
		members_add(ml, "#microsoft.graph.user",
		    "693acd06-2b8c-4d6e-9f00-0123456789ab", 36);
		members_add(ml, "#microsoft.graph.group", "g-2", 3);
		members_add(ml, NULL, "x\"y", 3);
		m = mapping_builtin();
		if (m->nres > sizeof(t) / sizeof(t[0]))
			die("more resources than expected");
		for (r = 0; r < m->nres; r++)
			if ((t[r] = transform_new(&m->res[r], m->path)) ==
			    NULL)
				die("the built-in mapping does not compile");
	}
	if (size > 4 << 20)
		return 0;
	page = malloc(size ? size : 1);
	if (page == NULL)
		return 0;
	memcpy(page, data, size);
	for (r = 0; r < m->nres; r++) {
		err = NULL;
		__lsan_disable();
		tp = transform_page(t[r], page, size, &err);
		__lsan_enable();
		if (tp == NULL) {
			if (err == NULL)
				die("transform_page failed without a message");
			free(err);
			continue;
		}
		(void)tpage_next_link(tp);
		n = tpage_count(tp);
		for (i = 0; i < n; i++) {
			char *json = tpage_item_json(tp, i);
			cJSON *j = cJSON_Parse(json);
			int obj = cJSON_IsObject(j);

			if (j == NULL)
				die("tpage_item_json is not JSON");
			cJSON_Delete(j);
			free(json);
			(void)tpage_item_id(tp, i);
			/* Every other object is mapped as a group with
			 * members (and leaves the page); only an object can
			 * have them. */
			if (i % 2 == 0) {
				__lsan_disable();
				rc = transform_run_members(t[r], tp, i, ml,
				    emit, &count, &err);
				__lsan_enable();
				if (rc == -1 && obj && err == NULL)
					die("members refused without a message");
				if (rc == -1 && !obj && err == NULL)
					die("non-object took members silently");
				if (rc == 0 && !obj)
					die("members given to a non-object");
				free(err);
				err = NULL;
			}
		}
		if (n > 1)
			tpage_drop(tp, 1);
		count = 0;
		__lsan_disable();
		rc = transform_run(t[r], tp, emit, &count, &err);
		__lsan_enable();
		if (rc == -1) {
			if (err == NULL)
				die("transform_run failed without a message");
			free(err);
		}
		tpage_free(tp);
	}
	free(page);
	return 0;
}
