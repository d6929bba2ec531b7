/*
 * libFuzzer harness for the mapping loader: the input is a mapping file
 * (YAML, at most 64 KiB), loaded with mapping_load_buffer; every resource
 * of a mapping that loads has its jq programs compiled (transform_new) and
 * the fields they read derived (jqscan_fields_read).  The programs are
 * compiled, never run: a fuzzed jq program may loop by design.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jqscan.h"
#include "mapping.h"
#include "msg.h"
#include "transform.h"

#define MAX_INPUT	(64 << 10)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct mapping *m;
	char *text;
	size_t i;

	if (!init) {
		msg_setup(0, MSG_TEXT);
		init = 1;
	}
	if (size > MAX_INPUT)
		return 0;
	/* An exact-size copy, not NUL-terminated: reading past len is a
	 * finding. */
	text = malloc(size ? size : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	m = mapping_load_buffer("fuzz.yaml", text, size);
	free(text);
	if (m == NULL)
		return 0;
	for (i = 0; i < m->nres; i++) {
		struct transform *t = transform_new(&m->res[i], m->path);
		char *f = jqscan_fields_read(&m->res[i]);

		free(f);
		transform_free(t);
	}
	mapping_free(m);
	return 0;
}
