/*
 * Settings from flags, then the environment (Azure SDK and Ocean names, so
 * the guide's docker-run environment works unchanged), then defaults.  The
 * option table is data: getopt_long's table and --help are generated from
 * it.  Secrets are read only from the environment or from files named by
 * flags, registered with msg_secret() at once and wiped on release.  No
 * network I/O happens here and nothing exits.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cJSON.h>
#include <curl/curl.h>
#include <yaml.h>

#include "buf.h"
#include "msg.h"
#include "options.h"
#include "xmalloc.h"

#ifndef E2P_VERSION
#define E2P_VERSION "0.0.0"
#endif
/* libjq 1.6 exports no version; Debian 12 ships 1.6. */
#ifndef E2P_JQ_VERSION
#define E2P_JQ_VERSION "1.6"
#endif

#define SECRET_FILE_MAX (64 * 1024)

enum opt_id {
	OPT_HELP = 'h',
	OPT_QUIET = 'q',
	OPT_VERBOSE = 'v',
	OPT_VERSION = 'V',
	OPT_MAPPING = 256,
	OPT_GRAPH_URL,
	OPT_AUTHORITY_URL,
	OPT_CLOUD,
	OPT_CLIENT_SECRET_FILE,
	OPT_GRAPH_TOKEN_FILE,
	OPT_MANAGED_IDENTITY,
	OPT_PORT_URL,
	OPT_PORT_SECRET_FILE,
	OPT_IDENTIFIER,
	OPT_INTEGRATION_TYPE,
	OPT_INIT,
	OPT_SEND_EXAMPLES,
	OPT_MAPPING_FROM_PORT,
	OPT_LOG_FORMAT,
	OPT_CHECK,
	OPT_DRY_RUN,
	OPT_OUTPUT,
	OPT_SUMMARY_JSON,
	OPT_DELETION_THRESHOLD,
	OPT_NO_DELETE,
	OPT_FULL_WRITE,
	OPT_INSPECT,
	OPT_SAMPLE,
	OPT_GENERATE,
	OPT_FIELDS,
	OPT_QUERY_PARAM,
	OPT_INSECURE,
	OPT_CACERT,
	OPT_MAX_RETRIES,
	OPT_MAX_RETRY_WAIT,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_GRAPH_CONCURRENCY,
	OPT_PORT_CONCURRENCY,
	OPT_PROGRESS,
	OPT_NO_PROGRESS
};

/*
 * One row per option, in --help order.  A row without a name is a section
 * heading in --help.  arg is the value's placeholder (NULL: no value).
 */
struct optdesc {
	const char *name;
	int id;
	const char *arg;
	const char *help;
};

static const struct optdesc optdescs[] = {
	{ NULL, 0, NULL, "Modes (default: full resync):" },
	{ "check", OPT_CHECK, NULL,
	    "validate settings and mapping, compile jq; no network" },
	{ "dry-run", OPT_DRY_RUN, NULL,
	    "read Graph and map; print entities, write nothing to Port" },
	{ "inspect", OPT_INSPECT, "PATH",
	    "read a Graph collection and describe its properties" },
	{ "help", OPT_HELP, NULL, "print this help and exit" },
	{ "version", OPT_VERSION, NULL, "print versions and exit" },
	{ NULL, 0, NULL, "Mapping:" },
	{ "mapping", OPT_MAPPING, "FILE",
	    "Ocean port-app-config YAML, repeatable (default: built-in)" },
	{ "mapping-from-port", OPT_MAPPING_FROM_PORT, NULL,
	    "use the mapping stored in Port for the integration" },
	{ NULL, 0, NULL, "Microsoft Graph:" },
	{ "graph-url", OPT_GRAPH_URL, "URL",
	    "Graph base URL (default https://graph.microsoft.com/v1.0)" },
	{ "authority-url", OPT_AUTHORITY_URL, "URL",
	    "token host (default https://login.microsoftonline.com)" },
	{ "cloud", OPT_CLOUD, "NAME",
	    "global, usgov, dod or china: sets both URLs" },
	{ "client-secret-file", OPT_CLIENT_SECRET_FILE, "FILE",
	    "read the client secret from FILE" },
	{ "graph-token-file", OPT_GRAPH_TOKEN_FILE, "FILE",
	    "read a static Graph bearer token from FILE" },
	{ "managed-identity", OPT_MANAGED_IDENTITY, NULL,
	    "get Graph tokens from the Azure managed identity" },
	{ NULL, 0, NULL, "Port:" },
	{ "port-url", OPT_PORT_URL, "URL",
	    "Port API base URL (default https://api.getport.io)" },
	{ "port-secret-file", OPT_PORT_SECRET_FILE, "FILE",
	    "read the Port client secret from FILE" },
	{ "identifier", OPT_IDENTIFIER, "ID",
	    "integration identifier (default entra-id-integration)" },
	{ "integration-type", OPT_INTEGRATION_TYPE, "TYPE",
	    "integration type in the datasource (default custom)" },
	{ "init", OPT_INIT, NULL, "create missing blueprints" },
	{ "send-examples", OPT_SEND_EXAMPLES, NULL,
	    "send raw data examples to Port" },
	{ NULL, 0, NULL, "Deletion:" },
	{ "deletion-threshold", OPT_DELETION_THRESHOLD, "X",
	    "largest stale/owned ratio deleted, 0 to 1" },
	{ "no-delete", OPT_NO_DELETE, NULL, "never delete stale entities" },
	{ "full-write", OPT_FULL_WRITE, NULL,
	    "upsert every entity, even when unchanged" },
	{ NULL, 0, NULL, "Output:" },
	{ "output", OPT_OUTPUT, "FILE",
	    "write --dry-run entities to FILE (default stdout)" },
	{ "summary-json", OPT_SUMMARY_JSON, "FILE",
	    "write the run summary as JSON to FILE" },
	{ "quiet", OPT_QUIET, NULL, "print errors only" },
	{ "verbose", OPT_VERBOSE, NULL,
	    "more detail; -vv traces requests, -vvv more" },
	{ "log-format", OPT_LOG_FORMAT, "FORMAT",
	    "text or json (default text)" },
	{ "progress", OPT_PROGRESS, NULL, "show a progress line" },
	{ "no-progress", OPT_NO_PROGRESS, NULL, "never show a progress line" },
	{ NULL, 0, NULL, "Inspection (with --inspect):" },
	{ "sample", OPT_SAMPLE, "N",
	    "objects to read, 1 to 100000 (default 100)" },
	{ "generate", OPT_GENERATE, "DIR",
	    "write a blueprint and mapping to DIR" },
	{ "fields", OPT_FIELDS, "LIST",
	    "comma-separated properties to $select" },
	{ "query-param", OPT_QUERY_PARAM, "NAME=VALUE",
	    "add a query parameter (repeatable)" },
	{ NULL, 0, NULL, "HTTP:" },
	{ "insecure", OPT_INSECURE, NULL,
	    "allow http:// base URLs to non-loopback hosts" },
	{ "cacert", OPT_CACERT, "FILE",
	    "trust the CA certificates in FILE (PEM), not the system's" },
	{ "max-retries", OPT_MAX_RETRIES, "N",
	    "retries per request, 0 to 100 (default 6)" },
	{ "max-retry-wait", OPT_MAX_RETRY_WAIT, "SEC",
	    "total retry wait per request, 0 to 3600 (default 300)" },
	{ "connect-timeout", OPT_CONNECT_TIMEOUT, "SEC",
	    "connection timeout, 0.1 to 600 (default 10)" },
	{ "timeout", OPT_TIMEOUT, "SEC",
	    "per-request timeout, 1 to 3600 (default 120)" },
	{ "graph-concurrency", OPT_GRAPH_CONCURRENCY, "N",
	    "Graph requests in flight, 1 to 64 (default 8)" },
	{ "port-concurrency", OPT_PORT_CONCURRENCY, "N",
	    "Port requests in flight at most, 1 to 64 (default 16)" },
};

#define NOPTDESCS (sizeof(optdescs) / sizeof(optdescs[0]))

/*
 * Flags that would carry a secret in argv, where ps(1) and shell history
 * show it.  They exist only to say where the secret goes instead.
 */
static const struct {
	const char *name;
	const char *instead;
} refused[] = {
	{ "client-secret", "AZURE_CLIENT_SECRET or --client-secret-file" },
	{ "azure-client-secret",
	    "AZURE_CLIENT_SECRET or --client-secret-file" },
	{ "port-client-secret", "PORT_CLIENT_SECRET or --port-secret-file" },
	{ "port-secret", "PORT_CLIENT_SECRET or --port-secret-file" },
	{ "api-token",
	    "OCEAN__INTEGRATION__CONFIG__API_TOKEN or --graph-token-file" },
	{ "graph-token",
	    "OCEAN__INTEGRATION__CONFIG__API_TOKEN or --graph-token-file" },
	{ "token",
	    "OCEAN__INTEGRATION__CONFIG__API_TOKEN or --graph-token-file" },
	{ "bearer-token",
	    "OCEAN__INTEGRATION__CONFIG__API_TOKEN or --graph-token-file" },
	{ "certificate-password", "AZURE_CLIENT_CERTIFICATE_PASSWORD" },
	{ "client-certificate-password", "AZURE_CLIENT_CERTIFICATE_PASSWORD" },
	{ "identity-header", "IDENTITY_HEADER" },
	{ "secret", "AZURE_CLIENT_SECRET or --client-secret-file" },
	{ "password", "AZURE_CLIENT_CERTIFICATE_PASSWORD" },
};

static const struct {
	const char *name;
	const char *authority;
	const char *graph;
} clouds[] = {
	{ "global", "https://login.microsoftonline.com",
	    "https://graph.microsoft.com/v1.0" },
	{ "usgov", "https://login.microsoftonline.us",
	    "https://graph.microsoft.us/v1.0" },
	{ "dod", "https://login.microsoftonline.us",
	    "https://dod-graph.microsoft.us/v1.0" },
	{ "china", "https://login.chinacloudapi.cn",
	    "https://microsoftgraph.chinacloudapi.cn/v1.0" },
};

const char *const options_secret_env[] = { "AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PASSWORD",
	"OCEAN__INTEGRATION__CONFIG__API_TOKEN", "IDENTITY_HEADER",
	"PORT_CLIENT_SECRET", "OCEAN__PORT__CLIENT_SECRET", NULL };

/*
 * Remove the secret variables from the environment once they are read
 * (and registered for redaction): nothing later in the process — a jq
 * mapping, a library, a child — can read them from there.
 */
static void
scrub_env(void)
{
	size_t i;

	for (i = 0; options_secret_env[i] != NULL; i++)
		unsetenv(options_secret_env[i]);
}

/*
 * OCEAN__* names this tool reads or knowingly ignores.  Everything else
 * with the OCEAN__ prefix gets an "unknown" warning.  The ignored ones and
 * what is said about them (see env_notes()):
 *
 * name					level	why
 * PAGINATION_TYPE			info	nextLink is always followed
 * SCHEDULED_RESYNC_INTERVAL		warn	one-shot: use cron or a timer
 * CONFIG__PAGE_SIZE			warn	page size is $top in the mapping
 * CONFIG__TIMEOUT			info	unused by Ocean too; --timeout
 * CONFIG__VERIFY_SSL=false		warn	certificates are always verified
 * CONFIG__MAX_CONCURRENT_REQUESTS	warn	use --graph-concurrency
 * UPSERT_ENTITIES_BATCH_MAX_LENGTH	info if 20, else warn (fixed at 20)
 * UPSERT_..._MAX_SIZE_IN_BYTES		info if 1048576, else warn (fixed)
 * PROCESS_IN_QUEUE_MAX_WORKERS		info	mapping runs in one thread
 */
static const char *const ocean_known[] = {
	"OCEAN__INTEGRATION__CONFIG__BASE_URL",
	"OCEAN__INTEGRATION__CONFIG__API_TOKEN",
	"OCEAN__INTEGRATION__CONFIG__AUTH_TYPE",
	"OCEAN__INTEGRATION__CONFIG__PAGINATION_TYPE",
	"OCEAN__INTEGRATION__CONFIG__PAGE_SIZE",
	"OCEAN__INTEGRATION__CONFIG__TIMEOUT",
	"OCEAN__INTEGRATION__CONFIG__VERIFY_SSL",
	"OCEAN__INTEGRATION__CONFIG__MAX_CONCURRENT_REQUESTS",
	"OCEAN__INTEGRATION__IDENTIFIER",
	"OCEAN__INTEGRATION__TYPE",
	"OCEAN__PORT__BASE_URL",
	"OCEAN__PORT__CLIENT_ID",
	"OCEAN__PORT__CLIENT_SECRET",
	"OCEAN__INITIALIZE_PORT_RESOURCES",
	"OCEAN__SEND_RAW_DATA_EXAMPLES",
	"OCEAN__EVENT_LISTENER",
	"OCEAN__EVENT_LISTENER__TYPE",
	"OCEAN__CLIENT_TIMEOUT",
	"OCEAN__SCHEDULED_RESYNC_INTERVAL",
	"OCEAN__UPSERT_ENTITIES_BATCH_MAX_LENGTH",
	"OCEAN__UPSERT_ENTITIES_BATCH_MAX_SIZE_IN_BYTES",
	"OCEAN__PROCESS_IN_QUEUE_MAX_WORKERS",
	"OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS",
};

/* What the command line set, so the environment does not override it. */
struct flags {
	int timeout, cloud;
	int token_file, secret_file, mapping_env;
	int sample, generate, fields, query_param;
	const char *cloud_authority, *cloud_graph;
	/* Where each checked setting came from, for messages. */
	const char *graph_src, *authority_src, *port_src;
	const char *identifier_src, *type_src;
};

/*
 * Value of environment variable name, or NULL when unset or empty (an
 * empty value counts as unset, as in the Azure SDKs).  Not a copy.
 */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * First of the NULL-terminated names that is set; its name goes to
 * *which.  Returns the value (not a copy) or NULL.
 */
static const char *
env_first(const char **which, const char *a, const char *b)
{
	const char *v;

	if ((v = env(a)) != NULL) {
		*which = a;
		return v;
	}
	if (b != NULL && (v = env(b)) != NULL) {
		*which = b;
		return v;
	}
	return NULL;
}

/*
 * Unless the command line set *slot, set it from environment a, then b (may
 * be NULL), then to def; *src names where the value came from.
 */
static void
pick(char **slot, const char **src, const char *a, const char *b,
    const char *def)
{
	const char *v, *which = NULL;

	if (*slot != NULL)
		return;
	if ((v = env_first(&which, a, b)) != NULL) {
		*slot = xstrdup(v);
		*src = which;
	} else {
		*slot = xstrdup(def);
		*src = "default";
	}
}

/*
 * Parse a boolean s (true/false/1/0/yes/no/on/off, any case) into *out.
 * what names the source for the message.  Returns 0 or -1 after a message.
 */
static int
parse_bool(const char *what, const char *s, int *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	msg_error("%s: '%s' is not a boolean (use true or false)", what, s);
	return -1;
}

/*
 * Parse the environment boolean name, if set, into *out (left alone when
 * unset).  Returns 0 or -1 after a message.
 */
static int
env_bool(const char *name, int *out)
{
	const char *v = env(name);

	return v == NULL ? 0 : parse_bool(name, v, out);
}

/*
 * Parse s fully as a finite number in [min, max] into *out.  what names
 * the flag or variable.  Returns 0 or -1 after a message.
 */
static int
parse_double(const char *what, const char *s, double min, double max,
    double *out)
{
	char *end;
	double d = NAN;

	errno = 0;
	if (*s != '\0' && !isspace((unsigned char)*s)) {
		d = strtod(s, &end);
		if (*end != '\0')
			d = NAN;
	}
	if (isnan(d) || isinf(d) || errno != 0 || d < min || d > max) {
		msg_error("%s: '%s' is not a number between %g and %g", what, s,
		    min, max);
		return -1;
	}
	*out = d;
	return 0;
}

/*
 * Parse s fully as a decimal integer in [min, max] into *out.  Returns 0
 * or -1 after a message naming what.
 */
static int
parse_long(const char *what, const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long l = 0;
	int bad;

	errno = 0;
	bad = *s == '\0' || isspace((unsigned char)*s);
	if (!bad)
		l = strtol(s, &end, 10);
	if (bad || errno != 0 || *end != '\0' || l < min || l > max) {
		msg_error("%s: '%s' is not a whole number between %ld and %ld",
		    what, s, min, max);
		return -1;
	}
	*out = l;
	return 0;
}

/* Replace *slot by a copy of s (the old value is freed, not wiped). */
static void
set_str(char **slot, const char *s)
{
	free(*slot);
	*slot = s != NULL ? xstrdup(s) : NULL;
}

/* Replace the secret *slot by a registered copy of s, wiping the old one. */
static void
set_secret(char **slot, const char *s)
{
	freezero_str(*slot);
	*slot = xstrdup(s);
	msg_secret(*slot);
}

/*
 * Remove every trailing slash from the URL u in place, but not those of
 * "scheme://" ("https://" stays for the URL check to refuse).
 */
static void
strip_slashes(char *u)
{
	size_t n;

	if (u == NULL)
		return;
	n = strlen(u);
	while (n > 0 && u[n - 1] == '/' &&
	    !(n >= 3 && u[n - 2] == '/' && u[n - 3] == ':'))
		u[--n] = '\0';
}

/*
 * Read the secret in file path (named by flag) into a new registered
 * string in *out (the old value wiped).  Trailing whitespace is trimmed; an
 * empty file is an error; a file others can read earns a warning.  Returns
 * 0 or -1 after a message.
 */
static int
read_secret_file(const char *flag, const char *path, char **out)
{
	struct buf b;
	struct stat st;
	char chunk[4096];
	ssize_t n;
	int fd, rc = -1;

	buf_init(&b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		msg_error("%s: cannot read '%s': %s", flag, path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		msg_error("%s: cannot read '%s': %s", flag, path,
		    strerror(errno));
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			msg_error("%s: cannot read '%s': %s", flag, path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > SECRET_FILE_MAX) {
			msg_error("%s: cannot read '%s': larger than %d bytes, "
				  "not a secret",
			    flag, path, SECRET_FILE_MAX);
			goto out;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof(chunk));
	while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	if (b.len == 0) {
		msg_error("%s: '%s' is empty", flag, path);
		goto out;
	}
	if (strlen(b.data) != b.len) {
		msg_error("%s: '%s' contains a NUL byte", flag, path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
		msg_warn("'%s' is readable by others; chmod 600 it", path);
	freezero_str(*out);
	*out = xstrdup(b.data);
	msg_secret(*out);
	rc = 0;
out:
	explicit_bzero(chunk, sizeof(chunk));
	buf_wipe_release(&b);
	close(fd);
	return rc;
}

/* Is host (as libcurl gives it) a loopback name or address? */
static int
is_loopback(const char *host)
{
	unsigned char a[4];

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0)
		return 1;
	return inet_pton(AF_INET, host, a) == 1 && a[0] == 127;
}

/*
 * Check the base URL url for the setting what (a flag or variable name):
 * http or https, a host, no credentials, query or fragment, and http://
 * only to loopback unless insecure.  Returns 0, or -1 after a message.
 */
int
options_check_url(const char *what, const char *url, int insecure)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	char *query = NULL, *frag = NULL;
	const char *p;
	int rc = -1;

	for (p = url; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p) || *p == ' ') {
			msg_error("%s: '%s' contains a space or control "
				  "character",
			    what, url);
			return -1;
		}
	if ((u = curl_url()) == NULL) {
		msg_error("%s: out of memory", what);
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
		CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		msg_error("%s: '%s' is not a URL (expected https://host/...)",
		    what, url);
		goto out;
	}
	/* A URL with credentials in it is not echoed: it holds a secret. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		msg_error("%s: the URL must not contain a user name or "
			  "password",
		    what);
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0) {
		msg_error("%s: '%s' has scheme '%s'; only https:// (or "
			  "http:// to loopback) is supported",
		    what, url, scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		msg_error("%s: '%s' has no host", what, url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		msg_error("%s: '%s' must not contain a query or fragment", what,
		    url);
		goto out;
	}
	if (strcasecmp(scheme, "http") == 0 && !insecure &&
	    !is_loopback(host)) {
		msg_error("%s: '%s' uses http:// to a non-loopback host; use "
			  "https:// (or --insecure)",
		    what, url);
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return rc;
}

/* Print the SYNOPSIS (the man page's) to the stdio stream fp. */
void
options_usage(void *fp)
{
	fprintf(fp,
	    "usage: entra2port [-hqVv] [--check | --dry-run | --inspect PATH]\n"
	    "                  [--mapping FILE ...] [--output FILE] "
	    "[--summary-json FILE]\n"
	    "                  [option ...]\n");
}

/*
 * Print text s indented by indent columns, wrapped at word boundaries so
 * lines stay within 79 columns; the first line continues from col.
 */
static void
print_wrapped(const char *s, int col, int indent)
{
	const char *w;
	int n;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		w = s;
		while (*s != '\0' && *s != ' ')
			s++;
		n = (int)(s - w);
		if (col > indent && col + 1 + n > 79) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", n, w);
		col += n;
	}
	putchar('\n');
}

/* Print --help (usage, then the option table) to stdout. */
static void
help(void)
{
	char left[64];
	size_t i;

	options_usage(stdout);
	printf("\nSync Microsoft Entra ID (Microsoft Graph) into Port's "
	       "software catalog, once.\n");
	for (i = 0; i < NOPTDESCS; i++) {
		const struct optdesc *d = &optdescs[i];

		if (d->name == NULL) {
			printf("\n%s\n", d->help);
			continue;
		}
		if (d->id < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->id,
			    d->name, d->arg ? " " : "", d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->name,
			    d->arg ? " " : "", d->arg ? d->arg : "");
		if (strlen(left) > 26) {
			printf("  %s\n%*s", left, 29, "");
		} else
			printf("  %-26s ", left);
		print_wrapped(d->help, 29, 29);
	}
	printf("\nSecrets come from the environment (AZURE_CLIENT_SECRET, "
	       "PORT_CLIENT_SECRET,\n...) or from the files named by the "
	       "*-file options, never from the command line.\n"
	       "Exit status: 0 synced, 1 partial failure, 2 usage or "
	       "configuration error,\n3 aborted, 4 deletion threshold "
	       "exceeded.  See entra2port(1).\n");
}

/* Print --version and the library versions to stdout. */
static void
version(void)
{
	printf("entra2port " E2P_VERSION "\n");
	printf("%s\n", curl_version());
	printf("libjq/" E2P_JQ_VERSION " libyaml/%s cJSON/%s\n",
	    yaml_get_version_string(), cJSON_Version());
}

/* The table row for long option name (exact, up to '=' or NUL), or NULL. */
static const struct optdesc *
find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NOPTDESCS; i++)
		if (optdescs[i].name != NULL &&
		    strlen(optdescs[i].name) == len &&
		    strncmp(optdescs[i].name, name, len) == 0)
			return &optdescs[i];
	return NULL;
}

/* The long name of option id ("?" if none). */
static const char *
long_name(int id)
{
	size_t i;

	for (i = 0; i < NOPTDESCS; i++)
		if (optdescs[i].name != NULL && optdescs[i].id == id)
			return optdescs[i].name;
	return "?";
}

/*
 * Check every long option before getopt_long sees argv: names must be
 * spelled out (no abbreviations, so "--port-secret=x" cannot become a file
 * name), and flags that would carry a secret are refused without echoing
 * the value.  Stops at "--" or the first non-option.  Returns 0, or -1
 * after naming every bad option.
 */
static int
prescan(int argc, char **argv)
{
	int i, rc = 0;
	size_t j, len;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct optdesc *d;

		if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0')
			return rc;
		if (a[1] != '-')
			continue;
		eq = strchr(a + 2, '=');
		len = eq != NULL ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		if ((d = find_long(a + 2, len)) != NULL) {
			if (d->arg != NULL && eq == NULL)
				i++;
			continue;
		}
		for (j = 0; j < sizeof(refused) / sizeof(refused[0]); j++) {
			if (strlen(refused[j].name) != len ||
			    strncmp(refused[j].name, a + 2, len) != 0)
				continue;
			if (eq != NULL)
				msg_secret(eq + 1);
			else if (i + 1 < argc)
				msg_secret(argv[i + 1]);
			msg_error("--%s: secrets are not accepted on the "
				  "command line (ps shows them): use %s",
			    refused[j].name, refused[j].instead);
			if (eq == NULL)
				i++;
			rc = -1;
			break;
		}
		if (j < sizeof(refused) / sizeof(refused[0]))
			continue;
		msg_error("unknown option '--%.*s' (see --help)", (int)len,
		    a + 2);
		rc = -1;
	}
	return rc;
}

/* Set the mode from a mode flag; two different modes are an error. */
static int
set_mode(struct options *o, enum run_mode m)
{
	static const char *const names[] = { "", "--check", "--dry-run",
		"--inspect" };

	if (o->mode != MODE_SYNC && o->mode != m) {
		msg_error("%s and %s cannot be used together", names[o->mode],
		    names[m]);
		return -1;
	}
	o->mode = m;
	return 0;
}

/*
 * Apply one parsed flag (id, its value arg or NULL) to o; fl records what
 * the command line set.  Returns 0, 1 after --help/--version, or -1.
 */
/* --cloud NAME: the national cloud's Graph and authority.  0 or -1. */
static int
set_cloud(struct flags *fl, const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(clouds) / sizeof(clouds[0]); i++)
		if (strcasecmp(arg, clouds[i].name) == 0)
			break;
	if (i == sizeof(clouds) / sizeof(clouds[0])) {
		msg_error(
		    "--cloud: '%s' is not a cloud (use global, usgov, dod "
		    "or china)",
		    arg);
		return -1;
	}
	fl->cloud = 1;
	fl->cloud_authority = clouds[i].authority;
	fl->cloud_graph = clouds[i].graph;
	return 0;
}

/*
 * The flags of outputs, deletion, inspection and the HTTP engine's
 * limits (apply_flag hands them over).  Same returns as apply_flag.
 */
static int
apply_setting(struct options *o, struct flags *fl, int id, const char *arg)
{
	switch (id) {
	case OPT_OUTPUT:
		set_str(&o->output_path, arg);
		break;
	case OPT_SUMMARY_JSON:
		set_str(&o->summary_json, arg);
		break;
	case OPT_DELETION_THRESHOLD:
		o->threshold_set = 1;
		return parse_double("--deletion-threshold", arg, 0, 1,
		    &o->deletion_threshold);
	case OPT_NO_DELETE:
		o->no_delete = 1;
		break;
	case OPT_FULL_WRITE:
		o->full_write = 1;
		break;
	case OPT_SAMPLE:
		fl->sample = 1;
		return parse_long("--sample", arg, 1, 100000, &o->sample);
	case OPT_GENERATE:
		fl->generate = 1;
		set_str(&o->generate_dir, arg);
		break;
	case OPT_FIELDS:
		fl->fields = 1;
		set_str(&o->fields, arg);
		break;
	case OPT_QUERY_PARAM:
		fl->query_param = 1;
		if (arg[0] == '=' || strchr(arg, '=') == NULL) {
			msg_error("--query-param: '%s' is not NAME=VALUE", arg);
			return -1;
		}
		o->query_params = xreallocarray(o->query_params,
		    (size_t)o->nquery_params + 1, sizeof(*o->query_params));
		o->query_params[o->nquery_params++] = xstrdup(arg);
		break;
	case OPT_INSECURE:
		o->insecure = 1;
		break;
	case OPT_CACERT:
		set_str(&o->ca_file, arg);
		o->ca_src = "--cacert";
		break;
	case OPT_MAX_RETRIES:
		return parse_long("--max-retries", arg, 0, 100,
		    &o->max_retries);
	case OPT_MAX_RETRY_WAIT:
		return parse_double("--max-retry-wait", arg, 0, 3600,
		    &o->max_retry_wait);
	case OPT_CONNECT_TIMEOUT:
		return parse_double("--connect-timeout", arg, 0.1, 600,
		    &o->connect_timeout);
	case OPT_TIMEOUT:
		fl->timeout = 1;
		return parse_double("--timeout", arg, 1, 3600, &o->timeout);
	case OPT_GRAPH_CONCURRENCY:
		return parse_long("--graph-concurrency", arg, 1, 64,
		    &o->graph_concurrency);
	case OPT_PORT_CONCURRENCY:
		return parse_long("--port-concurrency", arg, 1, 64,
		    &o->port_concurrency);
	case OPT_PROGRESS:
		o->progress = 1;
		break;
	case OPT_NO_PROGRESS:
		o->progress = 0;
		break;
	default:
		msg_error("unknown option (see --help)");
		return -1;
	}
	return 0;
}

static int
apply_flag(struct options *o, struct flags *fl, int id, const char *arg)
{
	switch (id) {
	case OPT_HELP:
		help();
		return 1;
	case OPT_VERSION:
		version();
		return 1;
	case OPT_QUIET:
		o->verbosity = 0;
		break;
	case OPT_VERBOSE:
		if (o->verbosity < 4)
			o->verbosity++;
		break;
	case OPT_MAPPING:
		/* Repeatable: the guide gives one snippet per kind. */
		o->mapping_paths = xreallocarray(o->mapping_paths,
		    (size_t)o->nmapping_paths + 1, sizeof(*o->mapping_paths));
		o->mapping_paths[o->nmapping_paths++] = xstrdup(arg);
		break;
	case OPT_GRAPH_URL:
		set_str(&o->graph_url, arg);
		fl->graph_src = "--graph-url";
		break;
	case OPT_AUTHORITY_URL:
		set_str(&o->authority_url, arg);
		fl->authority_src = "--authority-url";
		break;
	case OPT_CLOUD:
		return set_cloud(fl, arg);
	case OPT_CLIENT_SECRET_FILE:
		fl->secret_file = 1;
		return read_secret_file("--client-secret-file", arg,
		    &o->client_secret);
	case OPT_GRAPH_TOKEN_FILE:
		fl->token_file = 1;
		return read_secret_file("--graph-token-file", arg,
		    &o->graph_token);
	case OPT_PORT_SECRET_FILE:
		return read_secret_file("--port-secret-file", arg,
		    &o->port_client_secret);
	case OPT_MANAGED_IDENTITY:
		o->managed_identity = 1;
		break;
	case OPT_PORT_URL:
		set_str(&o->port_url, arg);
		fl->port_src = "--port-url";
		break;
	case OPT_IDENTIFIER:
		set_str(&o->identifier, arg);
		fl->identifier_src = "--identifier";
		break;
	case OPT_INTEGRATION_TYPE:
		set_str(&o->integration_type, arg);
		fl->type_src = "--integration-type";
		break;
	case OPT_INIT:
		o->init = 1;
		break;
	case OPT_SEND_EXAMPLES:
		o->send_examples = 1;
		break;
	case OPT_MAPPING_FROM_PORT:
		o->mapping_from_port = 1;
		break;
	case OPT_LOG_FORMAT:
		if (strcmp(arg, "text") == 0)
			o->log_format = LOG_TEXT;
		else if (strcmp(arg, "json") == 0)
			o->log_format = LOG_JSON;
		else {
			msg_error("--log-format: '%s' is not a format (use "
				  "text or json)",
			    arg);
			return -1;
		}
		break;
	case OPT_CHECK:
		return set_mode(o, MODE_CHECK);
	case OPT_DRY_RUN:
		return set_mode(o, MODE_DRY_RUN);
	case OPT_INSPECT:
		set_str(&o->inspect_path, arg);
		return set_mode(o, MODE_INSPECT);
	default:
		return apply_setting(o, fl, id, arg);
	}
	return 0;
}

/*
 * Run getopt_long over argv, building its table from optdescs.  Returns 0,
 * 1 after --help/--version, or -1 after naming every bad flag.
 */
static int
parse_flags(struct options *o, struct flags *fl, int argc, char **argv)
{
	struct option lo[NOPTDESCS + 1];
	size_t i, n = 0;
	int c, rc, bad = 0;

	/* getopt_long would name those options again. */
	if (prescan(argc, argv) == -1)
		return -1;
	for (i = 0; i < NOPTDESCS; i++) {
		if (optdescs[i].name == NULL)
			continue;
		lo[n].name = optdescs[i].name;
		lo[n].has_arg = optdescs[i].arg != NULL ? required_argument :
							  no_argument;
		lo[n].flag = NULL;
		lo[n].val = optdescs[i].id;
		n++;
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	optind = 0; /* glibc: start afresh (tests parse many times) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hqvV", lo, NULL)) != -1) {
		if (c == '?') {
			if (optopt != 0)
				msg_error("unknown option '-%c' (see --help)",
				    optopt);
			else
				msg_error("unknown option (see --help)");
			bad = 1;
			continue;
		}
		/* Only long options take values, so optopt names one. */
		if (c == ':' || (optarg != NULL && *optarg == '\0')) {
			msg_error("--%s needs a value",
			    long_name(c == ':' ? optopt : c));
			bad = 1;
			continue;
		}
		/* Every bad flag is named, not only the first one. */
		if ((rc = apply_flag(o, fl, c, optarg)) == 1)
			return rc;
		bad |= rc == -1;
	}
	if (optind < argc) {
		msg_error("unexpected argument '%s' (entra2port takes options "
			  "only; see --help)",
		    argv[optind]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/*
 * Check OCEAN__EVENT_LISTENER (JSON) and OCEAN__EVENT_LISTENER__TYPE: only
 * the ONCE type is meaningful for a one-shot tool.  Returns 0 or -1.
 */
static int
check_event_listener(void)
{
	static const char name[] = "OCEAN__EVENT_LISTENER";
	const char *v, *type = NULL;
	cJSON *j = NULL, *t;
	int rc = -1;

	if ((v = env(name)) != NULL) {
		j = cJSON_Parse(v);
		if (j == NULL || !cJSON_IsObject(j)) {
			msg_error("%s: '%s' is not a JSON object; use "
				  "{\"type\":\"ONCE\"}",
			    name, v);
			goto out;
		}
		t = cJSON_GetObjectItemCaseSensitive(j, "type");
		if (!cJSON_IsString(t)) {
			msg_error("%s: no \"type\" string in '%s'; use "
				  "{\"type\":\"ONCE\"}",
			    name, v);
			goto out;
		}
		type = t->valuestring;
	} else if ((v = env("OCEAN__EVENT_LISTENER__TYPE")) != NULL)
		type = v;
	if (type != NULL && strcasecmp(type, "ONCE") != 0) {
		msg_error("%s: type '%s' is not supported: entra2port runs "
			  "once; schedule it with cron or a timer",
		    name, type);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

/* Check OCEAN__INTEGRATION__CONFIG__AUTH_TYPE.  Returns 0 or -1. */
static int
check_auth_type(void)
{
	const char *v = env("OCEAN__INTEGRATION__CONFIG__AUTH_TYPE");

	if (v == NULL || strcasecmp(v, "bearer_token") == 0)
		return 0;
	msg_error(
	    "OCEAN__INTEGRATION__CONFIG__AUTH_TYPE: '%s' is not "
	    "supported: Microsoft Graph takes a bearer token; use "
	    "bearer_token with OCEAN__INTEGRATION__CONFIG__API_TOKEN (or "
	    "--graph-token-file), or let entra2port get tokens: "
	    "AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, "
	    "AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or "
	    "--managed-identity",
	    v);
	return -1;
}

/* Check that s (from what) is a usable identifier.  Returns 0 or -1. */
static int
check_name(const char *what, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p) || *p == '/')
			break;
	if (*s == '\0' || *p != '\0' || p - s > 200) {
		msg_error("%s: '%s' must be 1 to 200 printable characters "
			  "without spaces or '/'",
		    what, s);
		return -1;
	}
	return 0;
}

/*
 * Fill what the command line left unset from the environment, then from
 * the defaults; fl says what the flags set.  Returns 0, or -1 after
 * naming every bad variable.
 */
static int
apply_env(struct options *o, struct flags *fl)
{
	const char *v, *which = NULL;
	int b, bad = 0;

	if (o->nmapping_paths == 0 && (v = env("ENTRA2PORT_MAPPING")) != NULL) {
		o->mapping_paths = xcalloc(1, sizeof(*o->mapping_paths));
		o->mapping_paths[o->nmapping_paths++] = xstrdup(v);
		fl->mapping_env = 1;
	}

	/* Flags first (--graph-url, then --cloud), then env, then default. */
	if (o->graph_url == NULL && fl->cloud) {
		set_str(&o->graph_url, fl->cloud_graph);
		fl->graph_src = "--cloud";
	}
	pick(&o->graph_url, &fl->graph_src,
	    "OCEAN__INTEGRATION__CONFIG__BASE_URL", NULL,
	    "https://graph.microsoft.com/v1.0");
	if (o->authority_url == NULL && fl->cloud) {
		set_str(&o->authority_url, fl->cloud_authority);
		fl->authority_src = "--cloud";
	}
	pick(&o->authority_url, &fl->authority_src, "AZURE_AUTHORITY_HOST",
	    NULL, "https://login.microsoftonline.com");

	set_str(&o->tenant_id, env("AZURE_TENANT_ID"));
	set_str(&o->client_id, env("AZURE_CLIENT_ID"));
	if (o->client_secret == NULL &&
	    (v = env("AZURE_CLIENT_SECRET")) != NULL)
		set_secret(&o->client_secret, v);
	set_str(&o->cert_path, env("AZURE_CLIENT_CERTIFICATE_PATH"));
	if ((v = env("AZURE_CLIENT_CERTIFICATE_PASSWORD")) != NULL)
		set_secret(&o->cert_password, v);
	if (env_bool("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
		&o->send_cert_chain) == -1)
		bad = 1;
	set_str(&o->federated_token_file, env("AZURE_FEDERATED_TOKEN_FILE"));
	if (o->graph_token == NULL &&
	    (v = env("OCEAN__INTEGRATION__CONFIG__API_TOKEN")) != NULL)
		set_secret(&o->graph_token, v);
	set_str(&o->identity_endpoint, env("IDENTITY_ENDPOINT"));
	if ((v = env("IDENTITY_HEADER")) != NULL)
		set_secret(&o->identity_header, v);
	v = env("AZURE_POD_IDENTITY_AUTHORITY_HOST");
	set_str(&o->imds_host, v != NULL ? v : "http://169.254.169.254");
	strip_slashes(o->imds_host);

	/* The names Ocean (httpx), Python requests and curl users set
	 * behind a TLS-inspecting proxy. */
	if (o->ca_file == NULL) {
		static const char *const ca_env[] = { "SSL_CERT_FILE",
			"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE" };
		size_t i;

		for (i = 0; i < 3 && o->ca_file == NULL; i++)
			if ((v = env(ca_env[i])) != NULL) {
				set_str(&o->ca_file, v);
				o->ca_src = ca_env[i];
			}
	}

	pick(&o->port_url, &fl->port_src, "PORT_BASE_URL",
	    "OCEAN__PORT__BASE_URL", "https://api.getport.io");
	set_str(&o->port_client_id,
	    env_first(&which, "PORT_CLIENT_ID", "OCEAN__PORT__CLIENT_ID"));
	if (o->port_client_secret == NULL &&
	    (v = env_first(&which, "PORT_CLIENT_SECRET",
		 "OCEAN__PORT__CLIENT_SECRET")) != NULL)
		set_secret(&o->port_client_secret, v);
	pick(&o->identifier, &fl->identifier_src,
	    "OCEAN__INTEGRATION__IDENTIFIER", NULL, "entra-id-integration");
	pick(&o->integration_type, &fl->type_src, "OCEAN__INTEGRATION__TYPE",
	    NULL, "custom");

	b = 0;
	if (env_bool("OCEAN__INITIALIZE_PORT_RESOURCES", &b) == -1)
		bad = 1;
	o->init |= b;
	b = 0;
	if (env_bool("OCEAN__SEND_RAW_DATA_EXAMPLES", &b) == -1)
		bad = 1;
	o->send_examples |= b;
	if (env_bool("OCEAN__INTEGRATION__CONFIG__VERIFY_SSL", &b) == -1)
		bad = 1;
	b = 0;
	if (env_bool("OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS", &b) == -1)
		bad = 1;
	o->env_jq = b;
	if (!fl->timeout && (v = env("OCEAN__CLIENT_TIMEOUT")) != NULL &&
	    parse_double("OCEAN__CLIENT_TIMEOUT", v, 1, 3600, &o->timeout) ==
		-1)
		bad = 1;
	if (check_event_listener() == -1)
		bad = 1;
	if (check_auth_type() == -1)
		bad = 1;
	return bad ? -1 : 0;
}

/*
 * Say what the accepted-but-ignored OCEAN__ settings do here (the table
 * above ocean_known), and warn about unknown OCEAN__ names.  Called only
 * once the settings are valid.
 */
static void
env_notes(void)
{
	extern char **environ;
	const char *v;
	char **e;
	size_t i, n;
	int b;

	if (env("OCEAN__INTEGRATION__CONFIG__PAGINATION_TYPE") != NULL)
		msg_info("OCEAN__INTEGRATION__CONFIG__PAGINATION_TYPE is not "
			 "needed: Graph's @odata.nextLink is always followed");
	if (env("OCEAN__SCHEDULED_RESYNC_INTERVAL") != NULL)
		msg_warn(
		    "OCEAN__SCHEDULED_RESYNC_INTERVAL has no effect: "
		    "entra2port runs once; schedule it with cron or a timer");
	if (env("OCEAN__INTEGRATION__CONFIG__PAGE_SIZE") != NULL)
		msg_warn("OCEAN__INTEGRATION__CONFIG__PAGE_SIZE has no effect: "
			 "the page size is $top in the mapping's query_params");
	if (env("OCEAN__INTEGRATION__CONFIG__TIMEOUT") != NULL)
		msg_info(
		    "OCEAN__INTEGRATION__CONFIG__TIMEOUT has no effect "
		    "(as in Ocean); use --timeout or OCEAN__CLIENT_TIMEOUT");
	b = 1;
	if ((v = env("OCEAN__INTEGRATION__CONFIG__VERIFY_SSL")) != NULL &&
	    parse_bool("", v, &b) == 0 && !b)
		msg_warn("OCEAN__INTEGRATION__CONFIG__VERIFY_SSL=false has no "
			 "effect: TLS certificates are always verified");
	if (env("OCEAN__INTEGRATION__CONFIG__MAX_CONCURRENT_REQUESTS") != NULL)
		msg_warn("OCEAN__INTEGRATION__CONFIG__MAX_CONCURRENT_REQUESTS "
			 "has no effect; use --graph-concurrency");
	if ((v = env("OCEAN__UPSERT_ENTITIES_BATCH_MAX_LENGTH")) != NULL)
		msg_log(strcmp(v, "20") == 0 ? MSG_INFO : MSG_WARN,
		    "OCEAN__UPSERT_ENTITIES_BATCH_MAX_LENGTH has no effect: "
		    "Port batches hold at most 20 entities");
	if ((v = env("OCEAN__UPSERT_ENTITIES_BATCH_MAX_SIZE_IN_BYTES")) != NULL)
		msg_log(strcmp(v, "1048576") == 0 ? MSG_INFO : MSG_WARN,
		    "OCEAN__UPSERT_ENTITIES_BATCH_MAX_SIZE_IN_BYTES has no "
		    "effect: Port batches stay under 1 MiB");
	if (env("OCEAN__PROCESS_IN_QUEUE_MAX_WORKERS") != NULL)
		msg_info("OCEAN__PROCESS_IN_QUEUE_MAX_WORKERS has no effect: "
			 "mapping runs in one thread");

	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "OCEAN__", 7) != 0)
			continue;
		n = strcspn(*e, "=");
		for (i = 0; i < sizeof(ocean_known) / sizeof(ocean_known[0]);
		     i++)
			if (strlen(ocean_known[i]) == n &&
			    strncmp(ocean_known[i], *e, n) == 0)
				break;
		if (i == sizeof(ocean_known) / sizeof(ocean_known[0]))
			msg_warn("unknown environment variable '%.*s', "
				 "ignored",
			    (int)n, *e);
	}
}

/*
 * Choose the Graph credential, in the order options.h gives, into
 * o->graph_cred and o->graph_cred_src; when several are set, warn which
 * is used and which are ignored.  A client secret, certificate or
 * federated token without AZURE_TENANT_ID and AZURE_CLIENT_ID is not
 * usable.  need: a credential is required (not --check).  Returns 0, or
 * -1 after saying what is missing.
 */
static int
choose_graph_credential(struct options *o, const struct flags *fl, int need)
{
	int app = o->tenant_id != NULL && o->client_id != NULL;
	int endpoint = o->identity_endpoint != NULL &&
	    o->identity_header != NULL;
	const struct {
		const char *src;
		enum graph_cred kind;
		int set, needs_app;
	} c[] = {
		{ "--graph-token-file", GRAPH_CRED_TOKEN, fl->token_file, 0 },
		{ "--client-secret-file", GRAPH_CRED_SECRET, fl->secret_file,
		    1 },
		{ "--managed-identity",
		    endpoint ? GRAPH_CRED_APPSERVICE : GRAPH_CRED_IMDS,
		    o->managed_identity, 0 },
		{ "AZURE_CLIENT_SECRET", GRAPH_CRED_SECRET,
		    env("AZURE_CLIENT_SECRET") != NULL && !fl->secret_file, 1 },
		{ "AZURE_CLIENT_CERTIFICATE_PATH", GRAPH_CRED_CERT,
		    o->cert_path != NULL, 1 },
		{ "AZURE_FEDERATED_TOKEN_FILE", GRAPH_CRED_FEDERATED,
		    o->federated_token_file != NULL, 1 },
		{ "IDENTITY_ENDPOINT", GRAPH_CRED_APPSERVICE,
		    endpoint && !o->managed_identity, 0 },
		{ "OCEAN__INTEGRATION__CONFIG__API_TOKEN", GRAPH_CRED_TOKEN,
		    env("OCEAN__INTEGRATION__CONFIG__API_TOKEN") != NULL &&
			!fl->token_file,
		    0 },
	};
	const size_t n = sizeof(c) / sizeof(c[0]);
	const char *partial = "";
	struct buf ignored;
	size_t i, used = n;

	o->graph_cred = GRAPH_CRED_NONE;
	o->graph_cred_src = NULL;
	buf_init(&ignored);
	for (i = 0; i < n; i++) {
		if (!c[i].set)
			continue;
		if (used < n || (c[i].needs_app && !app)) {
			buf_printf(&ignored, "%s%s%s", ignored.len ? ", " : "",
			    c[i].src,
			    used < n ? "" :
				o->tenant_id == NULL ?
				       " (AZURE_TENANT_ID is not set)" :
				       " (AZURE_CLIENT_ID is not set)");
			if (used == n && *partial == '\0')
				partial = o->tenant_id == NULL ?
				    " (AZURE_TENANT_ID is not set)" :
				    " (AZURE_CLIENT_ID is not set)";
			continue;
		}
		used = i;
		o->graph_cred = c[i].kind;
		o->graph_cred_src = c[i].src;
	}
	if (used < n && ignored.len > 0)
		msg_warn("several Microsoft Graph credentials are set: using "
			 "%s; ignored: %s%s",
		    c[used].src, buf_str(&ignored),
		    c[n - 1].set && used != n - 1 ?
			" (a static token is "
			"used only when it is the only credential, or given with "
			"--graph-token-file)" :
			"");
	buf_release(&ignored);
	if (used < n || !need)
		return 0;
	if (o->identity_endpoint != NULL && !endpoint && *partial == '\0')
		partial = " (IDENTITY_ENDPOINT is set but IDENTITY_HEADER is "
			  "not)";
	msg_error(
	    "no Microsoft Graph credential%s: set AZURE_TENANT_ID and "
	    "AZURE_CLIENT_ID with AZURE_CLIENT_SECRET (or "
	    "--client-secret-file), AZURE_CLIENT_CERTIFICATE_PATH or "
	    "AZURE_FEDERATED_TOKEN_FILE; or use --managed-identity; or give a "
	    "token in OCEAN__INTEGRATION__CONFIG__API_TOKEN or "
	    "--graph-token-file",
	    partial);
	return -1;
}

/*
 * Port's routes all start with /v1, which the tool adds: a base URL that
 * ends with it (copied from the API reference) would get "Route not
 * found" from Port.  Returns 0, or -1 after a message naming what.
 */
static int
check_port_path(const char *what, const char *url)
{
	size_t n = strlen(url);

	if (n < 3 || strcasecmp(url + n - 3, "/v1") != 0)
		return 0;
	msg_error(
	    "%s: '%s' ends with /v1: give the base URL without it, "
	    "https://api.getport.io (EU) or https://api.us.getport.io (US)",
	    what, url);
	return -1;
}

/*
 * Cross-checks once flags and environment are in.  Returns 0, or -1 after
 * naming every problem found.
 */
static int
validate(struct options *o, const struct flags *fl)
{
	const char *only = NULL;
	int bad = 0;

	if (o->mode != MODE_INSPECT) {
		if (fl->sample)
			only = "--sample";
		else if (fl->generate)
			only = "--generate";
		else if (fl->fields)
			only = "--fields";
		else if (fl->query_param)
			only = "--query-param";
		if (only != NULL) {
			msg_error("%s works only with --inspect", only);
			bad = 1;
		}
	}
	strip_slashes(o->graph_url);
	strip_slashes(o->authority_url);
	strip_slashes(o->port_url);
	if (options_check_url(fl->graph_src, o->graph_url, o->insecure) == -1)
		bad = 1;
	if (options_check_url(fl->authority_src, o->authority_url,
		o->insecure) == -1)
		bad = 1;
	if (options_check_url(fl->port_src, o->port_url, o->insecure) == -1 ||
	    check_port_path(fl->port_src, o->port_url) == -1)
		bad = 1;
	if (o->ca_file != NULL && access(o->ca_file, R_OK) == -1) {
		msg_error("%s: cannot read '%s': %s", o->ca_src, o->ca_file,
		    strerror(errno));
		bad = 1;
	}
	if (check_name(fl->identifier_src, o->identifier) == -1)
		bad = 1;
	if (check_name(fl->type_src, o->integration_type) == -1)
		bad = 1;
	if (o->mapping_from_port && o->nmapping_paths > 0) {
		msg_error("--mapping-from-port and --mapping%s cannot be used "
			  "together",
		    fl->mapping_env ? " (ENTRA2PORT_MAPPING)" : "");
		bad = 1;
	}
	if (o->mode == MODE_CHECK && !o->mapping_from_port) {
		choose_graph_credential(o, fl, 0);
		return bad ? -1 : 0;
	}
	if ((o->mode == MODE_SYNC || o->mapping_from_port) &&
	    (o->port_client_id == NULL || o->port_client_secret == NULL)) {
		msg_error("Port credentials missing: set PORT_CLIENT_ID and "
			  "PORT_CLIENT_SECRET (or OCEAN__PORT__CLIENT_ID / "
			  "OCEAN__PORT__CLIENT_SECRET, or --port-secret-file)");
		bad = 1;
	}
	if (choose_graph_credential(o, fl, o->mode != MODE_CHECK) == -1)
		bad = 1;
	return bad ? -1 : 0;
}

/*
 * Fill o (zeroed first; the caller owns it and releases it with
 * options_release whatever this returns) from argv, the environment and
 * the defaults.  Returns 0 to run, 1 after --help/--version, or -1 after
 * one message per problem.  Sets the message level and format as a side
 * effect.
 */
int
options_parse(struct options *o, int argc, char **argv)
{
	struct flags fl;
	int rc;

	memset(o, 0, sizeof(*o));
	memset(&fl, 0, sizeof(fl));
	o->mode = MODE_SYNC;
	o->send_cert_chain = 0;
	o->deletion_threshold = 0.9;
	o->sample = 100;
	o->max_retries = 6;
	o->max_retry_wait = 300;
	o->connect_timeout = 10;
	o->timeout = 120;
	o->graph_concurrency = 8;
	/* Port's rate limit (~117 requests/s) needs about 12 requests in
	 * flight at 100 ms; the cap halves on a 429 and the rate-limit
	 * headers pace it. */
	o->port_concurrency = 16;
	o->verbosity = 1;
	o->log_format = LOG_TEXT;
	o->progress = -1;

	if ((rc = parse_flags(o, &fl, argc, argv)) == 1)
		return rc;
	/* From here on, messages follow -q/-v and --log-format. */
	msg_setup(o->verbosity,
	    o->log_format == LOG_JSON ? MSG_JSON : MSG_TEXT);
	/* Every problem is named before exit 2, not one per attempt. */
	if (apply_env(o, &fl) == -1)
		rc = -1;
	if (validate(o, &fl) == -1)
		rc = -1;
	scrub_env();
	if (rc == -1)
		return -1;
	env_notes();
	return 0;
}

/* Free every string in o, wiping the secrets; o is left zeroed. */
void
options_release(struct options *o)
{
	free_strv(o->mapping_paths, o->nmapping_paths);
	free(o->output_path);
	free(o->summary_json);
	free(o->graph_url);
	free(o->authority_url);
	free(o->tenant_id);
	free(o->client_id);
	freezero_str(o->client_secret);
	free(o->cert_path);
	freezero_str(o->cert_password);
	free(o->federated_token_file);
	freezero_str(o->graph_token);
	free(o->identity_endpoint);
	freezero_str(o->identity_header);
	free(o->imds_host);
	free(o->ca_file);
	free(o->port_url);
	free(o->port_client_id);
	freezero_str(o->port_client_secret);
	free(o->identifier);
	free(o->integration_type);
	free(o->inspect_path);
	free(o->generate_dir);
	free(o->fields);
	free_strv(o->query_params, o->nquery_params);
	memset(o, 0, sizeof(*o));
}
