/*
 * libFuzzer harness for the parsing of Port's replies: bulk upsert results
 * (200, 207 matched by index, 413 falling back to single upserts), the
 * listing of owned entities (datasource route, per-blueprint search
 * fallback, "next" paging), bulk deletes and --init's blueprint stages.
 * port.c runs as in production through its public functions; only the
 * HTTP engine is replaced (fake_http.h).  Checks that every entity gets
 * exactly one result and every operation ends exactly once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_http.h"
#include "msg.h"
#include "port.h"

#define NUSERS	22	/* one full batch of 20 and one of 2 */
#define NDEL	150	/* two delete requests */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned char	 results[NUSERS + 1];
static unsigned long	 ends, owned;

static void
on_result(void *arg, void *tag, const char *bp, const char *id, int ok,
    const char *code, const char *message)
{
	size_t k = (size_t)(uintptr_t)tag;

	if (k > NUSERS || bp == NULL || id == NULL)
		fake_die("upsert result with a bad tag or name");
	if (!ok && (code == NULL || message == NULL))
		fake_die("failed upsert without a code or message");
	if (results[k]++ != 0)
		fake_die("two results for one entity");
}

static void
on_owned(void *arg, const char *bp, const char *id)
{
	if (bp == NULL || id == NULL)
		fake_die("owned entity without a blueprint or id");
	owned++;
}

static void
on_end(void *arg, int rc)
{
	if (rc != 0 && rc != -1)
		fake_die("bad return code");
	ends++;
}

static void
on_deleted(void *arg, size_t n, int rc)
{
	on_end(arg, rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "upsert", "list", "delete",
	    "init" };
	static const char bps_json[] = "[{\"identifier\":\"entra-id-user\","
	    "\"title\":\"User\",\"schema\":{\"properties\":{}},"
	    "\"relations\":{\"groups\":{\"target\":\"entra-id-group\","
	    "\"many\":true}}},{\"identifier\":\"entra-id-group\","
	    "\"title\":\"Group\",\"schema\":{\"properties\":{}},"
	    "\"mirrorProperties\":{\"x\":{\"path\":\"a.b\"}}}]";
	static const char *const bps[] = { "entra-id-user", "entra-id-group" };
	static int init;
	struct port_config c = { "https://api.getport.io", "custom",
	    "entra2port", "0.1.0", 1, 1, 1 };
	struct fake_script s;
	struct port *p;
	char id[32], json[64];
	const char *ids[NDEL];
	char idbuf[NDEL][16];
	size_t i;

	if (!init) {
		msg_setup(0, MSG_TEXT);
		init = 1;
	}
	if (size > 1 << 20)
		return 0;
	fake_reset();
	fake_script_init(&s, data, size);
	memset(results, 0, sizeof(results));
	ends = owned = 0;
	p = port_new(FAKE_HTTP, NULL, &c, on_result, NULL);
	if (fake_scenario_is(&s, names, 4, 0)) {
		for (i = 0; i <= NUSERS; i++) {
			const char *bp = i < NUSERS ? "entra-id-user" :
			    "entra-id-group";

			snprintf(id, sizeof(id), "u%zu", i);
			snprintf(json, sizeof(json), "{\"identifier\":\"%s\","
			    "\"blueprint\":\"%s\"}", id, bp);
			port_upsert(p, (void *)(uintptr_t)i, bp, id, json,
			    strlen(json));
		}
		port_flush(p);
		fake_drain(&s);
		for (i = 0; i <= NUSERS; i++)
			if (results[i] != 1)
				fake_die("an entity got no result");
		if (port_pending(p) != 0)
			fake_die("entities still pending after every reply");
	} else if (fake_scenario_is(&s, names, 4, 1)) {
		port_list_owned(p, "2025-01-01T00:00:00.000Z", bps, 2,
		    on_owned, on_end, NULL);
		fake_drain(&s);
	} else if (fake_scenario_is(&s, names, 4, 2)) {
		for (i = 0; i < NDEL; i++) {
			snprintf(idbuf[i], sizeof(idbuf[i]), "d%zu", i);
			ids[i] = idbuf[i];
		}
		port_delete(p, "entra-id-user", ids, NDEL, on_deleted, NULL);
		fake_drain(&s);
	} else {
		port_init_blueprints(p, bps_json, on_end, NULL);
		fake_drain(&s);
	}
	if (!fake_scenario_is(&s, names, 4, 0) && ends != 1)
		fake_die("an operation did not end exactly once");
	port_free(p);
	return 0;
}
