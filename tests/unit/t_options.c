/*
 * Unit tests for options.c: flags, environment and defaults in their order
 * of precedence, the guide's docker-run environment, every kind of bad
 * input (each must fail with -1 and one clear message), --help/--version,
 * and that no secret ever appears in what is printed.  Run from the
 * repository root; temporary files go under build/.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "options.h"
#include "tap.h"

#ifndef E2P_VERSION
#define E2P_VERSION "0.0.0"
#endif

#define MAXARGS 24

/* Every environment variable options.c reads besides OCEAN__*. */
static const char *const envnames[] = {
	"ENTRA2PORT_MAPPING",
	"AZURE_AUTHORITY_HOST",
	"AZURE_TENANT_ID",
	"AZURE_CLIENT_ID",
	"AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PATH",
	"AZURE_CLIENT_CERTIFICATE_PASSWORD",
	"AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
	"AZURE_FEDERATED_TOKEN_FILE",
	"IDENTITY_ENDPOINT",
	"IDENTITY_HEADER",
	"AZURE_POD_IDENTITY_AUTHORITY_HOST",
	"PORT_BASE_URL",
	"PORT_CLIENT_ID",
	"PORT_CLIENT_SECRET",
	"SSL_CERT_FILE",
	"REQUESTS_CA_BUNDLE",
	"CURL_CA_BUNDLE",
};

/* All secret values the tests use share this marker. */
#define SECRET_MARK "sekrit"

static char tmpdir[64];
static char errpath[128], outpath[128];
static char secretfile[128], openfile[128], emptyfile[128], blankfile[128];
static char missingfile[128];
static char *err_text, *out_text;
static int leaks;

/* Read the whole file path into a new string ("" if unreadable). */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s;
	long n;

	if (fp == NULL)
		return strdup("");
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, fp) != (size_t)n)
		s[0] = '\0';
	fclose(fp);
	return s;
}

/* Unset every variable options.c may read, OCEAN__* included. */
static void
clear_env(void)
{
	extern char **environ;
	char name[256];
	size_t i, n;
	int again = 1;

	for (i = 0; i < sizeof(envnames) / sizeof(envnames[0]); i++)
		unsetenv(envnames[i]);
	while (again) {
		again = 0;
		for (i = 0; environ[i] != NULL; i++) {
			if (strncmp(environ[i], "OCEAN__", 7) != 0)
				continue;
			n = strcspn(environ[i], "=");
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, environ[i], n);
			name[n] = '\0';
			unsetenv(name);
			again = 1;
			break;
		}
	}
}

/* Set "NAME=VALUE" strings from the NULL-terminated list envs. */
static void
set_env(const char *const *envs)
{
	char name[256];
	const char *eq;

	for (; envs != NULL && *envs != NULL; envs++) {
		eq = strchr(*envs, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *envs), *envs);
		setenv(name, eq + 1, 1);
	}
}

/*
 * Parse args (NULL-terminated, without argv[0]) with exactly the
 * environment envs, capturing stderr and stdout into err_text/out_text.
 * Returns options_parse's value; o must be released by the caller.
 */
static int
run(const char *const *args, const char *const *envs, struct options *o)
{
	static char argv0[] = "entra2port";
	char *argv[MAXARGS + 2];
	int argc = 0, rc, se, so;

	/* Copies: options_parse takes char ** as main's argv is. */
	argv[argc++] = argv0;
	for (; args != NULL && *args != NULL && argc <= MAXARGS; args++)
		argv[argc++] = strdup(*args);
	argv[argc] = NULL;
	clear_env();
	set_env(envs);
	msg_setup(1, MSG_TEXT);

	fflush(stdout);
	fflush(stderr);
	se = dup(2);
	so = dup(1);
	if (freopen(errpath, "w", stderr) == NULL ||
	    freopen(outpath, "w", stdout) == NULL)
		abort();
	rc = options_parse(o, argc, argv);
	while (argc > 1)
		free(argv[--argc]);
	fflush(stdout);
	fflush(stderr);
	dup2(se, 2);
	dup2(so, 1);
	close(se);
	close(so);
	clearerr(stdout);
	clearerr(stderr);

	free(err_text);
	free(out_text);
	err_text = slurp(errpath);
	out_text = slurp(outpath);
	if (strstr(err_text, SECRET_MARK) != NULL ||
	    strstr(out_text, SECRET_MARK) != NULL) {
		leaks++;
		printf("# a secret leaked into the output\n");
	}
	return rc;
}

/* Check that the captured stderr contains want; show it when not. */
static void
has_err(const char *want, const char *name)
{
	const char *p;

	ok(strstr(err_text, want) != NULL, "%s: says \"%s\"", name, want);
	if (strstr(err_text, want) == NULL) {
		printf("#   stderr: ");
		for (p = err_text; *p != '\0'; p++) {
			putchar(*p);
			if (*p == '\n' && p[1] != '\0')
				printf("#   ");
		}
		putchar('\n');
	}
}

/* Base environment with credentials enough for every mode. */
#define CREDS                                                   \
	"AZURE_TENANT_ID=tenant-1", "AZURE_CLIENT_ID=client-1", \
	    "AZURE_CLIENT_SECRET=" SECRET_MARK "-azure-1234",   \
	    "PORT_CLIENT_ID=port-id-1",                         \
	    "PORT_CLIENT_SECRET=" SECRET_MARK "-port-5678"

struct bad_case {
	const char *name;
	const char *args[MAXARGS];
	const char *env[MAXARGS];
	const char *want; /* substring of the one error message */
};

/* Bad inputs; each must return -1 with the message want. */
static const struct bad_case bad_cases[] = {
	{ "timeout junk", { "--timeout", "5x" }, { CREDS },
	    "--timeout: '5x' is not a number between 1 and 3600" },
	{ "timeout zero", { "--timeout=0" }, { CREDS },
	    "--timeout: '0' is not a number between 1 and 3600" },
	{ "timeout nan", { "--timeout", "nan" }, { CREDS },
	    "--timeout: 'nan' is not a number" },
	{ "timeout inf", { "--timeout", "inf" }, { CREDS },
	    "--timeout: 'inf' is not a number" },
	{ "timeout empty", { "--timeout=" }, { CREDS },
	    "--timeout needs a value" },
	{ "timeout leading space", { "--timeout", " 5" }, { CREDS },
	    "is not a number between 1 and 3600" },
	{ "max-retries too big", { "--max-retries", "101" }, { CREDS },
	    "--max-retries: '101' is not a whole number between 0 and 100" },
	{ "max-retries fraction", { "--max-retries", "2.5" }, { CREDS },
	    "--max-retries: '2.5' is not a whole number" },
	{ "max-retry-wait negative", { "--max-retry-wait", "-1" }, { CREDS },
	    "--max-retry-wait: '-1' is not a number between 0 and 3600" },
	{ "connect-timeout too small", { "--connect-timeout", "0.05" },
	    { CREDS },
	    "--connect-timeout: '0.05' is not a number between "
	    "0.1 and 600" },
	{ "graph-concurrency zero", { "--graph-concurrency", "0" }, { CREDS },
	    "--graph-concurrency: '0' is not a whole number between 1 and 64" },
	{ "port-concurrency huge",
	    { "--port-concurrency", "99999999999999999999999" }, { CREDS },
	    "--port-concurrency: '99999999999999999999999' is not a whole" },
	{ "deletion-threshold above 1", { "--deletion-threshold", "1.5" },
	    { CREDS },
	    "--deletion-threshold: '1.5' is not a number between "
	    "0 and 1" },
	{ "sample too big", { "--inspect", "/users", "--sample", "100001" },
	    { CREDS },
	    "--sample: '100001' is not a whole number between 1 "
	    "and 100000" },
	{ "sample without inspect", { "--sample", "5" }, { CREDS },
	    "--sample works only with --inspect" },
	{ "query-param without =",
	    { "--inspect", "/users", "--query-param", "top" }, { CREDS },
	    "--query-param: 'top' is not NAME=VALUE" },
	{ "OCEAN__CLIENT_TIMEOUT junk", { NULL },
	    { CREDS, "OCEAN__CLIENT_TIMEOUT=abc" },
	    "OCEAN__CLIENT_TIMEOUT: 'abc' is not a number between 1 and 3600" },
	{ "port url ftp", { "--port-url", "ftp://example.com" }, { CREDS },
	    "--port-url: 'ftp://example.com' has scheme 'ftp'" },
	{ "graph url not a url", { "--graph-url", "graph.microsoft.com" },
	    { CREDS }, "--graph-url: 'graph.microsoft.com' is not a URL" },
	{ "authority url without host", { "--authority-url", "https://" },
	    { CREDS }, "--authority-url: 'https://'" },
	{ "port url http non-loopback", { "--port-url", "http://example.com" },
	    { CREDS },
	    "--port-url: 'http://example.com' uses http:// to a "
	    "non-loopback host; use https:// (or --insecure)" },
	{ "port url http from env", { NULL },
	    { CREDS, "OCEAN__PORT__BASE_URL=http://example.com" },
	    "OCEAN__PORT__BASE_URL: 'http://example.com' uses http:// to a "
	    "non-loopback host" },
	{ "graph url http look-alike loopback",
	    { "--graph-url", "http://127.0.0.1.example.com/v1.0" }, { CREDS },
	    "uses http:// to a non-loopback host" },
	{ "authority http from env", { NULL },
	    { CREDS, "AZURE_AUTHORITY_HOST=http://login.example.com/" },
	    "AZURE_AUTHORITY_HOST: 'http://login.example.com' uses http://" },
	{ "graph url with query",
	    { "--graph-url", "https://graph.microsoft.com/v1.0?x=1" },
	    { CREDS }, "must not contain a query or fragment" },
	{ "url with password not echoed",
	    { "--port-url",
		"https://user:" SECRET_MARK "-pass-1@api.getport.io" },
	    { CREDS },
	    "--port-url: the URL must not contain a user name or password" },
	{ "bad cloud", { "--cloud", "mars" }, { CREDS },
	    "--cloud: 'mars' is not a cloud" },
	{ "bad log format", { "--log-format", "xml" }, { CREDS },
	    "--log-format: 'xml' is not a format" },
	{ "bad bool init", { NULL },
	    { CREDS, "OCEAN__INITIALIZE_PORT_RESOURCES=maybe" },
	    "OCEAN__INITIALIZE_PORT_RESOURCES: 'maybe' is not a boolean" },
	{ "bad bool cert chain", { NULL },
	    { CREDS, "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN=2" },
	    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: '2' is not a boolean" },
	{ "bad bool verify ssl", { NULL },
	    { CREDS, "OCEAN__INTEGRATION__CONFIG__VERIFY_SSL=nope" },
	    "OCEAN__INTEGRATION__CONFIG__VERIFY_SSL: 'nope' is not a boolean" },
	{ "event listener polling", { NULL },
	    { CREDS, "OCEAN__EVENT_LISTENER={\"type\":\"POLLING\"}" },
	    "OCEAN__EVENT_LISTENER: type 'POLLING' is not supported: "
	    "entra2port runs once; schedule it with cron or a timer" },
	{ "event listener kafka", { NULL },
	    { CREDS, "OCEAN__EVENT_LISTENER={\"type\":\"KAFKA\"}" },
	    "type 'KAFKA' is not supported" },
	{ "event listener invalid json", { NULL },
	    { CREDS, "OCEAN__EVENT_LISTENER={type: ONCE" },
	    "OCEAN__EVENT_LISTENER: '{type: ONCE' is not a JSON object" },
	{ "event listener without type", { NULL },
	    { CREDS, "OCEAN__EVENT_LISTENER={}" },
	    "OCEAN__EVENT_LISTENER: no \"type\"" },
	{ "auth type basic", { NULL },
	    { CREDS, "OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=basic" },
	    "OCEAN__INTEGRATION__CONFIG__AUTH_TYPE: 'basic' is not supported" },
	{ "auth type none", { NULL },
	    { CREDS, "OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=none" },
	    "'none' is not supported: Microsoft Graph takes a bearer token" },
	{ "unknown long option", { "--bogus" }, { CREDS },
	    "unknown option '--bogus'" },
	{ "abbreviated option", { "--map=x.yaml" }, { CREDS },
	    "unknown option '--map'" },
	{ "unknown short option", { "-x" }, { CREDS }, "unknown option '-x'" },
	{ "positional argument", { "users" }, { CREDS },
	    "unexpected argument 'users'" },
	{ "positional after --", { "--check", "--", "x" }, { CREDS },
	    "unexpected argument 'x'" },
	{ "missing value", { "--check", "--mapping" }, { CREDS },
	    "--mapping needs a value" },
	{ "secret flag client-secret",
	    { "--client-secret=" SECRET_MARK "-argv-0000" }, { CREDS },
	    "--client-secret: secrets are not accepted on the command line "
	    "(ps shows them): use AZURE_CLIENT_SECRET or "
	    "--client-secret-file" },
	{ "secret flag port-client-secret",
	    { "--port-client-secret", SECRET_MARK "-argv-1111" }, { CREDS },
	    "--port-client-secret: secrets are not accepted on the command "
	    "line (ps shows them): use PORT_CLIENT_SECRET or "
	    "--port-secret-file" },
	{ "secret flag api-token", { "--api-token", SECRET_MARK "-argv-2222" },
	    { CREDS },
	    "--api-token: secrets are not accepted on the command "
	    "line (ps shows them): use OCEAN__INTEGRATION__CONFIG__API_TOKEN" },
	{ "secret flag port-secret (prefix of a file flag)",
	    { "--port-secret=" SECRET_MARK "-argv-3333" }, { CREDS },
	    "secrets are not accepted on the command line" },
	{ "check and dry-run", { "--check", "--dry-run" }, { CREDS },
	    "--check and --dry-run cannot be used together" },
	{ "dry-run and inspect", { "--dry-run", "--inspect", "/users" },
	    { CREDS }, "--dry-run and --inspect cannot be used together" },
	{ "sync without Port credentials", { NULL },
	    { "AZURE_TENANT_ID=t", "AZURE_CLIENT_ID=c",
		"AZURE_CLIENT_SECRET=" SECRET_MARK "-azure-1234" },
	    "Port credentials missing: set PORT_CLIENT_ID and "
	    "PORT_CLIENT_SECRET (or OCEAN__PORT__CLIENT_ID / "
	    "OCEAN__PORT__CLIENT_SECRET, or --port-secret-file)" },
	{ "sync without Port secret", { NULL },
	    { "OCEAN__INTEGRATION__CONFIG__API_TOKEN=" SECRET_MARK "-token",
		"OCEAN__PORT__CLIENT_ID=port-id" },
	    "Port credentials missing" },
	{ "dry-run without Graph credential", { "--dry-run" }, { NULL },
	    "no Microsoft Graph credential: set AZURE_TENANT_ID and "
	    "AZURE_CLIENT_ID" },
	{ "secret without tenant", { "--dry-run" },
	    { "AZURE_CLIENT_ID=c", "AZURE_CLIENT_SECRET=" SECRET_MARK "-x-1" },
	    "no Microsoft Graph credential (AZURE_TENANT_ID is not set)" },
	{ "identity endpoint without header", { "--dry-run" },
	    { "IDENTITY_ENDPOINT=http://localhost:42356/msi/token" },
	    "no Microsoft Graph credential (IDENTITY_ENDPOINT is set but "
	    "IDENTITY_HEADER is not)" },
	{ "bad identifier", { "--identifier", "a/b" }, { CREDS },
	    "--identifier: 'a/b' must be 1 to 200 printable characters" },
	{ "bad integration type from env", { NULL },
	    { CREDS, "OCEAN__INTEGRATION__TYPE=my type" },
	    "OCEAN__INTEGRATION__TYPE: 'my type' must be" },
};

/* Cases that need the temporary files (paths known only at run time). */
static void
test_secret_files(void)
{
	struct options o;
	char want[256];
	const char *a1[] = { "--client-secret-file", missingfile, NULL };
	const char *a2[] = { "--client-secret-file", tmpdir, NULL };
	const char *a3[] = { "--port-secret-file", emptyfile, NULL };
	const char *a4[] = { "--graph-token-file", blankfile, NULL };
	const char *a5[] = { "--client-secret-file", secretfile,
		"--port-secret-file", openfile, NULL };
	const char *e5[] = { "AZURE_TENANT_ID=t", "AZURE_CLIENT_ID=c",
		"AZURE_CLIENT_SECRET=" SECRET_MARK "-env-secret",
		"PORT_CLIENT_ID=p", NULL };
	const char *creds[] = { CREDS, NULL };

	is_int(run(a1, creds, &o), -1, "missing secret file fails");
	snprintf(want, sizeof(want),
	    "--client-secret-file: cannot read '%s': "
	    "No such file or directory",
	    missingfile);
	has_err(want, "message names file and cause");
	options_release(&o);

	is_int(run(a2, creds, &o), -1, "directory as secret file fails");
	snprintf(want, sizeof(want), "cannot read '%s': Is a directory",
	    tmpdir);
	has_err(want, "directory");
	options_release(&o);

	is_int(run(a3, creds, &o), -1, "empty secret file fails");
	snprintf(want, sizeof(want), "--port-secret-file: '%s' is empty",
	    emptyfile);
	has_err(want, "empty");
	options_release(&o);

	is_int(run(a4, creds, &o), -1, "whitespace-only secret file fails");
	has_err("is empty", "blank");
	options_release(&o);

	if (geteuid() != 0) {
		const char *a6[] = { "--client-secret-file", secretfile, NULL };

		chmod(secretfile, 0);
		is_int(run(a6, creds, &o), -1, "unreadable secret file fails");
		has_err("Permission denied", "permission");
		options_release(&o);
		chmod(secretfile, 0600);
	}

	/* Files win over the environment; trailing newline trimmed. */
	is_int(run(a5, e5, &o), 0, "secret files parse");
	is_str(o.client_secret, SECRET_MARK "-file-9999",
	    "--client-secret-file beats AZURE_CLIENT_SECRET, trimmed");
	is_str(o.port_client_secret, SECRET_MARK "-open-8888",
	    "--port-secret-file read");
	snprintf(want, sizeof(want), "'%s' is readable by others; chmod 600 it",
	    openfile);
	has_err(want, "warns about mode");
	snprintf(want, sizeof(want), "'%s' is readable", secretfile);
	ok(strstr(err_text, want) == NULL, "no warning for a 0600 file");
	{
		char probe[] = "x " SECRET_MARK "-file-9999 y";

		is_str(msg_redact(probe), "x [REDACTED] y",
		    "file secret registered for redaction");
	}
	options_release(&o);
	ok(o.client_secret == NULL && o.port_client_secret == NULL,
	    "release clears the struct");
}

/* The CA bundle: --cacert, then SSL_CERT_FILE, REQUESTS_CA_BUNDLE,
 * CURL_CA_BUNDLE; a file that cannot be read is an error naming it. */
static void
test_ca_bundle(void)
{
	struct options o;
	const char *flag[] = { "--check", "--cacert", secretfile, NULL };
	const char *none[] = { "--check", NULL };
	const char *all[] = { "SSL_CERT_FILE="
			      "/etc/hostname",
		"REQUESTS_CA_BUNDLE=/nonexistent", "CURL_CA_BUNDLE=/x", NULL };
	const char *curl[] = { "CURL_CA_BUNDLE=/etc/hostname", NULL };
	const char *bad[] = { "REQUESTS_CA_BUNDLE=/nonexistent/ca.pem", NULL };

	is_int(run(flag, all, &o), 0, "--cacert wins over the environment");
	is_str(o.ca_file, secretfile, "--cacert file");
	is_str(o.ca_src, "--cacert", "--cacert source");
	options_release(&o);
	is_int(run(none, all, &o), 0, "SSL_CERT_FILE first");
	is_str(o.ca_file, "/etc/hostname", "SSL_CERT_FILE file");
	options_release(&o);
	is_int(run(none, curl, &o), 0, "CURL_CA_BUNDLE alone");
	is_str(o.ca_src, "CURL_CA_BUNDLE", "CURL_CA_BUNDLE source");
	options_release(&o);
	is_int(run(none, NULL, &o), 0, "no bundle");
	ok(o.ca_file == NULL, "the system's CA certificates by default");
	options_release(&o);
	is_int(run(none, bad, &o), -1, "unreadable bundle fails");
	has_err("REQUESTS_CA_BUNDLE: cannot read '/nonexistent/ca.pem': No "
		"such file or directory",
	    "unreadable bundle named");
	options_release(&o);
}

/* Defaults with nothing set, in --check mode (no credentials needed). */
static void
test_defaults(void)
{
	struct options o;
	const char *args[] = { "--check", NULL };

	is_int(run(args, NULL, &o), 0, "--check needs no credentials");
	is_int(o.mode, MODE_CHECK, "mode check");
	ok(o.nmapping_paths == 0, "built-in mapping by default");
	is_str(o.graph_url, "https://graph.microsoft.com/v1.0", "graph url");
	is_str(o.authority_url, "https://login.microsoftonline.com",
	    "authority");
	is_str(o.port_url, "https://api.getport.io", "port url");
	is_str(o.identifier, "entra-id-integration", "identifier");
	is_str(o.integration_type, "custom", "integration type");
	is_str(o.imds_host, "http://169.254.169.254", "imds host");
	is_int(o.sample, 100, "sample");
	is_int(o.max_retries, 6, "max retries");
	ok(o.max_retry_wait == 300, "max retry wait");
	ok(o.connect_timeout == 10, "connect timeout");
	ok(o.timeout == 120, "timeout");
	is_int(o.graph_concurrency, 8, "graph concurrency");
	is_int(o.port_concurrency, 16, "port concurrency");
	is_int(o.progress, -1, "progress auto");
	is_int(o.verbosity, 1, "verbosity");
	is_int(o.log_format, LOG_TEXT, "log format");
	is_int(o.init, 0, "init off");
	is_int(o.send_examples, 0, "examples off");
	is_int(o.threshold_set, 0, "threshold not set");
	is_str(err_text, "", "nothing printed");
	options_release(&o);
}

/*
 * The secrets are taken, then gone from the environment, where a jq
 * mapping or anything else in the process could read them; the jq switch
 * is off unless set.
 */
static void
test_scrub(void)
{
	struct options o;
	const char *envs[] = { CREDS,
		"OCEAN__PORT__CLIENT_SECRET=" SECRET_MARK "-ocean-port",
		"IDENTITY_HEADER=" SECRET_MARK "-identity-header",
		"AZURE_CLIENT_CERTIFICATE_PASSWORD=" SECRET_MARK "-cert-pw",
		"OCEAN__INTEGRATION__CONFIG__API_TOKEN=" SECRET_MARK "-static",
		"E2P_NOT_SECRET=kept", NULL };
	const char *on[] = { CREDS,
		"OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=true", NULL };
	size_t i;

	is_int(run(NULL, envs, &o), 0, "secrets in the environment: parsed");
	ok(o.client_secret != NULL && o.port_client_secret != NULL,
	    "the secrets were read");
	for (i = 0; options_secret_env[i] != NULL; i++)
		ok(getenv(options_secret_env[i]) == NULL,
		    "%s removed from the environment", options_secret_env[i]);
	is_str(getenv("E2P_NOT_SECRET"), "kept", "other variables stay");
	is_int(o.env_jq, 0, "the mapping does not see the environment");
	options_release(&o);
	is_int(run(NULL, on, &o), 0, "jq environment access: parsed");
	is_int(o.env_jq, 1,
	    "OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=true");
	options_release(&o);
}

/* The guide's docker run environment, placeholders replaced. */
static void
test_guide_environment(void)
{
	struct options o;
	const char *env[] = { "OCEAN__EVENT_LISTENER={\"type\":\"ONCE\"}",
		"OCEAN__INITIALIZE_PORT_RESOURCES=true",
		"OCEAN__SEND_RAW_DATA_EXAMPLES=true",
		"OCEAN__INTEGRATION__CONFIG__BASE_URL="
		"https://graph.microsoft.com/v1.0",
		"OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=bearer_token",
		"OCEAN__INTEGRATION__CONFIG__API_TOKEN=" SECRET_MARK
		"-bearer-abcd",
		"OCEAN__PORT__CLIENT_ID=guide-port-id",
		"OCEAN__PORT__CLIENT_SECRET=" SECRET_MARK "-guide-port",
		"OCEAN__PORT__BASE_URL=https://api.getport.io", NULL };
	char probe[] = SECRET_MARK "-bearer-abcd";

	is_int(run(NULL, env, &o), 0, "guide environment parses");
	is_str(err_text, "", "and prints nothing");
	is_int(o.mode, MODE_SYNC, "full resync");
	is_str(o.graph_token, SECRET_MARK "-bearer-abcd", "static token");
	is_str(o.port_client_id, "guide-port-id", "port client id");
	is_str(o.port_client_secret, SECRET_MARK "-guide-port", "port secret");
	is_str(o.port_url, "https://api.getport.io", "port url");
	is_str(o.graph_url, "https://graph.microsoft.com/v1.0", "graph url");
	is_int(o.init, 1, "init from env");
	is_int(o.send_examples, 1, "examples from env");
	is_str(msg_redact(probe), "[REDACTED]", "token registered as secret");
	options_release(&o);
}

/* Flag > environment > default; PORT_* before OCEAN__PORT__*. */
static void
test_precedence(void)
{
	struct options o;
	const char *both[] = { CREDS, "OCEAN__PORT__CLIENT_ID=ocean-port-id",
		"OCEAN__PORT__CLIENT_SECRET=" SECRET_MARK "-ocean-port",
		"PORT_BASE_URL=https://api.us.getport.io/",
		"OCEAN__PORT__BASE_URL=https://api.getport.io",
		"OCEAN__CLIENT_TIMEOUT=45",
		"OCEAN__INTEGRATION__CONFIG__BASE_URL="
		"https://graph.example/v1.0/",
		"OCEAN__INTEGRATION__IDENTIFIER=env-id",
		"OCEAN__INTEGRATION__TYPE=env-type",
		"ENTRA2PORT_MAPPING=env.yaml", NULL };
	const char *noflags[] = { NULL };
	const char *flags[] = { "--port-url", "https://port.example/",
		"--timeout=30", "--graph-url", "https://g.example/beta",
		"--identifier", "flag-id", "--integration-type=flag-type",
		"--mapping", "flag.yaml", NULL };
	const char *slashes[] = { "--port-url", "https://port.example///",
		"--graph-url", "https://g.example/beta//", "--authority-url",
		"https://login.example/", NULL };
	const char *cloud[] = { "--cloud", "usgov", NULL };
	const char *cloud_auth[] = { "--cloud=china", "--authority-url",
		"https://login.example", NULL };
	const char *ocean_only[] = { "AZURE_TENANT_ID=t", "AZURE_CLIENT_ID=c",
		"AZURE_CLIENT_SECRET=" SECRET_MARK "-x-2",
		"OCEAN__PORT__CLIENT_ID=ocean-port-id",
		"OCEAN__PORT__CLIENT_SECRET=" SECRET_MARK "-ocean-port", NULL };

	is_int(run(noflags, both, &o), 0, "environment only");
	is_str(o.port_client_id, "port-id-1", "PORT_CLIENT_ID wins");
	is_str(o.port_client_secret, SECRET_MARK "-port-5678",
	    "PORT_CLIENT_SECRET wins");
	is_str(o.port_url, "https://api.us.getport.io",
	    "PORT_BASE_URL wins, slash stripped");
	ok(o.timeout == 45, "OCEAN__CLIENT_TIMEOUT sets timeout");
	is_str(o.graph_url, "https://graph.example/v1.0", "graph url from env");
	is_str(o.identifier, "env-id", "identifier from env");
	is_str(o.integration_type, "env-type", "type from env");
	is_str(o.nmapping_paths == 1 ? o.mapping_paths[0] : NULL, "env.yaml",
	    "mapping from env");
	is_str(o.tenant_id, "tenant-1", "tenant");
	is_str(o.client_id, "client-1", "client");
	is_str(o.client_secret, SECRET_MARK "-azure-1234", "client secret");
	options_release(&o);

	is_int(run(flags, both, &o), 0, "flags and environment");
	is_str(o.port_url, "https://port.example", "--port-url wins");
	ok(o.timeout == 30, "--timeout wins");
	is_str(o.graph_url, "https://g.example/beta", "--graph-url wins");
	is_str(o.identifier, "flag-id", "--identifier wins");
	is_str(o.integration_type, "flag-type", "--integration-type wins");
	is_str(o.nmapping_paths == 1 ? o.mapping_paths[0] : NULL, "flag.yaml",
	    "--mapping wins");
	options_release(&o);

	is_int(run(slashes, both, &o), 0, "URLs ending in slashes");
	is_str(o.port_url, "https://port.example",
	    "every trailing slash "
	    "stripped");
	is_str(o.graph_url, "https://g.example/beta",
	    "two slashes after a "
	    "path stripped");
	is_str(o.authority_url, "https://login.example", "one slash");
	options_release(&o);

	is_int(run(noflags, ocean_only, &o), 0, "OCEAN__PORT__* alone");
	is_str(o.port_client_id, "ocean-port-id", "OCEAN__PORT__CLIENT_ID");
	is_str(o.port_client_secret, SECRET_MARK "-ocean-port",
	    "OCEAN__PORT__CLIENT_SECRET");
	options_release(&o);

	is_int(run(cloud, both, &o), 0, "--cloud usgov");
	is_str(o.graph_url, "https://graph.microsoft.us/v1.0",
	    "--cloud beats the environment's base URL");
	is_str(o.authority_url, "https://login.microsoftonline.us",
	    "--cloud sets the authority");
	options_release(&o);

	is_int(run(cloud_auth, both, &o), 0, "--cloud china --authority-url");
	is_str(o.graph_url, "https://microsoftgraph.chinacloudapi.cn/v1.0",
	    "china graph");
	is_str(o.authority_url, "https://login.example",
	    "explicit --authority-url beats --cloud");
	options_release(&o);
}

/* Assorted accepted inputs. */
static void
test_accepted(void)
{
	struct options o;
	const char *creds[] = { CREDS, NULL };
	const char *insecure[] = { "--insecure", "--port-url",
		"http://example.com", NULL };
	const char *loop[] = { "--port-url", "http://localhost:8080/",
		"--graph-url", "http://[::1]:9000/v1.0/", "--authority-url",
		"http://127.0.0.2:1", NULL };
	const char *verbose[] = { "-vvv", "--check", NULL };
	const char *verbose2[] = { "-v", "-v", "--check", NULL };
	const char *quiet[] = { "-q", "--check", NULL };
	const char *inspect[] = { "--inspect", "/users", "--sample=5",
		"--fields", "id,displayName", "--query-param", "$top=5",
		"--query-param=$filter=a eq 'b'", "--generate", "out", NULL };
	const char *many[] = { "--dry-run", "--output", "o.ndjson",
		"--summary-json", "s.json", "--deletion-threshold", "0.25",
		"--no-delete", "--full-write", "--init", "--send-examples",
		"--managed-identity", "--log-format=json", "--no-progress",
		"--max-retries", "0", "--max-retry-wait", "0",
		"--connect-timeout", "0.1", "--graph-concurrency", "64",
		"--port-concurrency=1", NULL };
	const char *listener[] = { "OCEAN__EVENT_LISTENER={\"type\":\"once\"}",
		"OCEAN__INITIALIZE_PORT_RESOURCES=YES",
		"OCEAN__SEND_RAW_DATA_EXAMPLES=off",
		"AZURE_CLIENT_SEND_CERTIFICATE_CHAIN=On", "OCEAN__FOO_BAR=1",
		"OCEAN__SCHEDULED_RESYNC_INTERVAL=60",
		"OCEAN__INTEGRATION__CONFIG__PAGINATION_TYPE=skip_token",
		"OCEAN__INTEGRATION__CONFIG__VERIFY_SSL=false",
		"AZURE_POD_IDENTITY_AUTHORITY_HOST=http://10.0.0.1/",
		"IDENTITY_ENDPOINT=http://localhost:42356/msi/token",
		"IDENTITY_HEADER=" SECRET_MARK "-header-42",
		"AZURE_CLIENT_CERTIFICATE_PASSWORD=" SECRET_MARK "-certpw-77",
		"PORT_CLIENT_ID=p", "PORT_CLIENT_SECRET=" SECRET_MARK "-p-1",
		NULL };
	const char *check[] = { "--check", NULL };
	char probe1[] = SECRET_MARK "-header-42";
	char probe2[] = SECRET_MARK "-certpw-77";

	is_int(run(insecure, creds, &o), 0, "--insecure allows http://");
	is_int(o.insecure, 1, "insecure set");
	options_release(&o);

	is_int(run(loop, creds, &o), 0, "http:// to loopback hosts");
	is_str(o.port_url, "http://localhost:8080", "localhost, slash gone");
	is_str(o.graph_url, "http://[::1]:9000/v1.0", "[::1]");
	is_str(o.authority_url, "http://127.0.0.2:1", "127.0.0.0/8");
	options_release(&o);

	is_int(run(verbose, NULL, &o), 0, "-vvv");
	is_int(o.verbosity, 4, "-vvv is 4");
	options_release(&o);
	is_int(run(verbose2, NULL, &o), 0, "-v -v");
	is_int(o.verbosity, 3, "-v -v is 3");
	options_release(&o);
	is_int(run(quiet, NULL, &o), 0, "-q");
	is_int(o.verbosity, 0, "-q is 0");
	options_release(&o);

	is_int(run(inspect, creds, &o), 0, "--inspect with its options");
	is_int(o.mode, MODE_INSPECT, "inspect mode");
	is_str(o.inspect_path, "/users", "inspect path");
	is_int(o.sample, 5, "sample");
	is_str(o.fields, "id,displayName", "fields");
	is_str(o.generate_dir, "out", "generate");
	is_int(o.nquery_params, 2, "two query params");
	if (o.nquery_params == 2) {
		is_str(o.query_params[0], "$top=5", "first query param");
		is_str(o.query_params[1], "$filter=a eq 'b'", "second");
	}
	options_release(&o);

	is_int(run(many, NULL, &o), 0, "dry-run with managed identity");
	is_int(o.mode, MODE_DRY_RUN, "dry-run mode");
	is_str(o.output_path, "o.ndjson", "output");
	is_str(o.summary_json, "s.json", "summary json");
	ok(o.deletion_threshold == 0.25 && o.threshold_set, "threshold");
	ok(o.no_delete && o.full_write && o.init && o.send_examples &&
		o.managed_identity,
	    "switches");
	is_int(o.log_format, LOG_JSON, "json logs");
	is_int(o.progress, 0, "no progress");
	is_int(o.max_retries, 0, "max retries 0");
	ok(o.max_retry_wait == 0 && o.connect_timeout == 0.1, "waits");
	ok(o.graph_concurrency == 64 && o.port_concurrency == 1, "concurrency");
	options_release(&o);
	msg_setup(1, MSG_TEXT);

	is_int(run(NULL, listener, &o), 0,
	    "ONCE listener, IDENTITY_ENDPOINT credential");
	is_int(o.init, 1, "YES is true");
	is_int(o.send_examples, 0, "off is false");
	is_int(o.send_cert_chain, 1, "On is true");
	is_str(o.imds_host, "http://10.0.0.1", "imds host from env");
	is_str(o.identity_endpoint, "http://localhost:42356/msi/token",
	    "identity endpoint");
	has_err("unknown environment variable 'OCEAN__FOO_BAR', ignored",
	    "unknown OCEAN__ warned");
	ok(strstr(err_text, "OCEAN__SCHEDULED_RESYNC_INTERVAL has no effect") !=
		NULL,
	    "resync interval warned");
	ok(strstr(err_text, "VERIFY_SSL=false has no effect") != NULL,
	    "verify ssl false warned");
	ok(strstr(err_text, "PAGINATION_TYPE") == NULL,
	    "pagination note is info level only");
	is_str(msg_redact(probe1), "[REDACTED]", "IDENTITY_HEADER is secret");
	is_str(msg_redact(probe2), "[REDACTED]",
	    "certificate password is secret");
	options_release(&o);

	is_int(run(check, listener, &o), 0, "--check shows notes too");
	options_release(&o);
}

/* --help and --version print to stdout and return 1. */
static void
test_help_version(void)
{
	struct options o;
	const char *h[] = { "--help", NULL };
	const char *h2[] = { "-h", NULL };
	const char *v[] = { "--version", NULL };

	is_int(run(h, NULL, &o), 1, "--help returns 1");
	ok(strncmp(out_text, "usage: entra2port", 17) == 0,
	    "--help starts with the usage line");
	ok(strstr(out_text, "--graph-concurrency N") != NULL &&
		strstr(out_text, "--client-secret-file FILE") != NULL &&
		strstr(out_text, "-v, --verbose") != NULL,
	    "--help lists options");
	is_str(err_text, "", "--help prints nothing on stderr");
	options_release(&o);
	is_int(run(h2, NULL, &o), 1, "-h returns 1");
	options_release(&o);

	is_int(run(v, NULL, &o), 1, "--version returns 1");
	ok(strncmp(out_text, "entra2port " E2P_VERSION "\n",
	       strlen("entra2port " E2P_VERSION "\n")) == 0,
	    "version line");
	ok(strstr(out_text, "libcurl/") != NULL &&
		strstr(out_text, "libjq/") != NULL &&
		strstr(out_text, "libyaml/") != NULL,
	    "library versions");
	options_release(&o);
}

/* Create the temporary directory and the secret files. */
static int
setup_files(void)
{
	FILE *fp;

	mkdir("build", 0755);
	snprintf(tmpdir, sizeof(tmpdir), "build/t_options.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("# mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	snprintf(errpath, sizeof(errpath), "%s/stderr", tmpdir);
	snprintf(outpath, sizeof(outpath), "%s/stdout", tmpdir);
	snprintf(secretfile, sizeof(secretfile), "%s/secret", tmpdir);
	snprintf(openfile, sizeof(openfile), "%s/open", tmpdir);
	snprintf(emptyfile, sizeof(emptyfile), "%s/empty", tmpdir);
	snprintf(blankfile, sizeof(blankfile), "%s/blank", tmpdir);
	snprintf(missingfile, sizeof(missingfile), "%s/missing", tmpdir);

	if ((fp = fopen(secretfile, "w")) == NULL)
		return -1;
	fputs(SECRET_MARK "-file-9999\n\n", fp);
	fclose(fp);
	chmod(secretfile, 0600);
	if ((fp = fopen(openfile, "w")) == NULL)
		return -1;
	fputs(SECRET_MARK "-open-8888\r\n", fp);
	fclose(fp);
	chmod(openfile, 0644);
	if ((fp = fopen(emptyfile, "w")) == NULL)
		return -1;
	fclose(fp);
	chmod(emptyfile, 0600);
	if ((fp = fopen(blankfile, "w")) == NULL)
		return -1;
	fputs(" \n\t\n", fp);
	fclose(fp);
	chmod(blankfile, 0600);
	return 0;
}

/* Remove what setup_files made. */
static void
cleanup_files(void)
{
	const char *files[] = { errpath, outpath, secretfile, openfile,
		emptyfile, blankfile };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(tmpdir);
}

int
main(void)
{
	struct options o;
	size_t i;
	int rc;

	if (setup_files() == -1) {
		ok(0, "cannot create temporary files");
		return done_testing();
	}
	test_scrub();
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t nl = 0;
		const char *p;

		rc = run(c->args, c->env, &o);
		is_int(rc, -1, "bad: %s returns -1", c->name);
		has_err(c->want, c->name);
		for (p = err_text; *p != '\0'; p++)
			nl += *p == '\n';
		is_int(nl, 1, "bad: %s prints one line", c->name);
		is_str(out_text, "", "bad: %s prints nothing on stdout",
		    c->name);
		options_release(&o);
	}
	test_secret_files();
	test_ca_bundle();
	test_defaults();
	test_guide_environment();
	test_precedence();
	test_accepted();
	test_help_version();
	is_int(leaks, 0, "no secret in any captured output");
	clear_env();
	msg_secrets_wipe();
	free(err_text);
	free(out_text);
	cleanup_files();
	return done_testing();
}
