/*
 * entra2port: one full resync of a Microsoft Entra ID tenant into Port.
 * main() reads the settings and the mapping, runs the mode, prints the
 * summary and turns the report into the exit status.  It is the only
 * function that exits.
 */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "client.h"
#include "exits.h"
#include "http.h"
#include "inspect.h"
#include "jqscan.h"
#include "mapping.h"
#include "msg.h"
#include "options.h"
#include "report.h"
#include "sync.h"
#include "transform.h"
#include "xmalloc.h"

static void
on_signal(int sig)
{
	(void)sig;
	http_interrupt();
}

static int
close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		msg_error("cannot write the output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct mapping *m = NULL;
	struct report *rep = NULL;
	struct transform **ts = NULL; /* each resource's programs */
	struct sigaction sa;
	size_t i;
	int rc, status = EXIT_USAGE;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(&o, 0, sizeof(o));

	rc = options_parse(&o, argc, argv);
	if (rc != 0) {
		status = rc == 1 ?
		    (close_stdout() == 0 ? EXIT_OK : EXIT_USAGE) :
		    EXIT_USAGE;
		goto out;
	}
	msg_setup(o.verbosity, o.log_format == LOG_JSON ? MSG_JSON : MSG_TEXT);
	transform_env(o.env_jq, options_secret_env);
	/* Inspection reads Graph only: no mapping involved. */
	if (o.mode == MODE_INSPECT) {
		if (inspect_check(&o) == -1)
			status = EXIT_USAGE;
		else if (inspect_run(&o) == -1)
			status = EXIT_ABORTED;
		else
			status = close_stdout() == 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	/* With --check too: what is checked is Port's mapping. */
	if (o.mapping_from_port) {
		char *text = client_port_mapping(&o);

		if (text == NULL) {
			status = EXIT_ABORTED;
			goto out;
		}
		m = mapping_load_buffer("<integration config in Port>", text,
		    strlen(text));
		free(text);
	} else {
		m = o.nmapping_paths > 0 ?
		    mapping_load_files((const char *const *)o.mapping_paths,
			(size_t)o.nmapping_paths) :
		    mapping_builtin();
	}
	if (m == NULL)
		goto out;
	jqscan_settle_members(m);
	ts = xcalloc(m->nres + 1, sizeof(*ts));
	if (check_mapping(m, ts) == -1)
		goto out;
	if (o.mode == MODE_CHECK) {
		printf("%s: ok: %zu resources, every jq program compiles\n",
		    m->path, m->nres);
		status = close_stdout() == 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rep = report_new(m->nres, o.mode == MODE_DRY_RUN);
	if (sync_run(&o, m, ts, rep) == -1)
		goto out;
	/* A dry run's stdout is (or may be) the entities: counts to stderr. */
	if (o.log_format == LOG_JSON)
		report_print_json(rep,
		    o.mode == MODE_DRY_RUN ? stderr : stdout);
	else
		report_print(rep, o.mode == MODE_DRY_RUN ? stderr : stdout);
	status = report_exit_status(rep);
	if (o.summary_json != NULL &&
	    report_write_json(rep, o.summary_json) == -1 && status == EXIT_OK)
		status = EXIT_PARTIAL;
	if (close_stdout() == -1 && status == EXIT_OK)
		status = EXIT_PARTIAL;
out:
	for (i = 0; ts != NULL && i < m->nres; i++)
		transform_free(ts[i]);
	free(ts);
	report_free(rep);
	transform_env(0, NULL);
	mapping_free(m);
	options_release(&o);
	msg_secrets_wipe();
	curl_global_cleanup();
	return status;
}
