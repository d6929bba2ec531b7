/*
 * libFuzzer harness for the parsing of Microsoft Graph replies other than
 * pages: $batch replies of group membership (sub-responses in any order,
 * nextLinks inside bodies, per-request 429 with Retry-After, lost
 * answers) and the error bodies of a collection read (parse_error and
 * graph_error_text, skiptoken restarts, repeated nextLinks).  graph.c
 * runs through its public functions; the HTTP engine is fake_http.h.
 * Checks that each group is answered once, with a member list or an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_http.h"
#include "graph.h"
#include "members.h"
#include "msg.h"

#define NGROUPS	25	/* a full $batch of 20 and one of 5 */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned char	 answered[NGROUPS];
static unsigned long	 ends;

static void
on_members(void *arg, size_t i, const struct members *ml,
    const struct graph_error *e)
{
	struct members_iter it = MEMBERS_ITER_INIT;
	const char *type, *id;
	size_t n, count = 0;

	if (i >= NGROUPS || answered[i]++ != 0)
		fake_die("a group answered twice or out of range");
	if (e != NULL) {
		char *t = graph_error_text(e);

		if (ml != NULL || t == NULL)
			fake_die("member error with members or without text");
		free(t);
	} else {
		if (ml == NULL)
			fake_die("members without a list");
		while (members_next(ml, &it, &type, &id, &n)) {
			if (n == 0 || memchr(id, '\0', n) != NULL)
				fake_die("a member without a proper id");
			count++;
		}
		if (count != members_count(ml))
			fake_die("member count and list differ");
	}
}

static void
on_members_done(void *arg)
{
	size_t i;

	for (i = 0; i < NGROUPS; i++)
		if (answered[i] != 1)
			fake_die("members done before every group answered");
	ends++;
}

/* A page: follow its nextLink, or fetch it again once if it is not JSON,
 * as sync.c does. */
static void
on_page(void *arg, struct graph_list *l, const char *body, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(j,
	    "@odata.nextLink");

	if (j == NULL) {
		if (graph_list_refetch(l) == -1)
			graph_list_fail(l, "'/users': page is not JSON");
	} else {
		graph_list_next(l, cJSON_IsString(next) ? next->valuestring :
		    NULL);
	}
	cJSON_Delete(j);
}

static void
on_restart(void *arg, struct graph_list *l)
{
}

static void
on_list_done(void *arg, struct graph_list *l)
{
	ends++;
}

static void
on_list_fail(void *arg, struct graph_list *l, const struct graph_error *e,
    const char *text)
{
	char *t;

	if (e == NULL || text == NULL)
		fake_die("list failure without error or text");
	t = graph_error_text(e);
	free(t);
	ends++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "members", "transitive", "list" };
	static const char *const pnames[] = { "$top", "$select" };
	static const char *const pvalues[] = { "999",
	    "id,displayName,signInActivity" };
	static const char *const hdrs[] = { "ConsistencyLevel: eventual",
	    NULL };
	static int init;
	struct graph_list_cb cb = { on_page, on_restart, on_list_done,
	    on_list_fail, NULL, NULL };
	struct fake_script s;
	struct graph *g;
	const char *ids[NGROUPS];
	char idbuf[NGROUPS][40];
	size_t i;

	if (!init) {
		msg_setup(0, MSG_TEXT);
		init = 1;
	}
	if (size > 1 << 20)
		return 0;
	fake_reset();
	fake_script_init(&s, data, size);
	memset(answered, 0, sizeof(answered));
	ends = 0;
	g = graph_new(FAKE_HTTP, NULL, "https://graph.microsoft.com/v1.0");
	if (fake_scenario_is(&s, names, 3, 2)) {
		graph_list_start(g, "/users", pnames, pvalues, 2, hdrs,
		    GRAPH_LIST_DERIVED_SELECT, &cb);
	} else {
		for (i = 0; i < NGROUPS; i++) {
			snprintf(idbuf[i], sizeof(idbuf[i]),
			    "00000000-0000-0000-0000-%012zu", i);
			ids[i] = idbuf[i];
		}
		graph_members(g, ids, NGROUPS, fake_scenario_is(&s, names, 3,
		    1), on_members, on_members_done, NULL);
	}
	fake_drain(&s);
	if (ends != 1)
		fake_die("the read did not end exactly once");
	graph_free(g);
	return 0;
}
