/*
 * Settings from flags, then environment, then defaults (DESIGN.md's
 * contract table).  Secrets come only from the environment or from files
 * named by flags; they are registered with msg_secret() as soon as they are
 * read.  This module does no network I/O and exits nowhere.
 */
#ifndef E2P_OPTIONS_H
#define E2P_OPTIONS_H

enum run_mode {
	MODE_SYNC = 0, /* default: full resync */
	MODE_CHECK,    /* --check */
	MODE_DRY_RUN,  /* --dry-run */
	MODE_INSPECT   /* --inspect PATH */
};

enum log_format {
	LOG_TEXT = 0,
	LOG_JSON
};

/* The Graph credential chosen (see options_parse for the order). */
enum graph_cred {
	GRAPH_CRED_NONE = 0,
	GRAPH_CRED_TOKEN,      /* static bearer token */
	GRAPH_CRED_SECRET,     /* client secret */
	GRAPH_CRED_CERT,       /* client certificate */
	GRAPH_CRED_FEDERATED,  /* workload identity federation */
	GRAPH_CRED_APPSERVICE, /* managed identity, IDENTITY_ENDPOINT */
	GRAPH_CRED_IMDS        /* managed identity, instance metadata */
};

struct options {
	enum run_mode mode;
	char **mapping_paths; /* --mapping FILE, in order */
	int nmapping_paths;   /* 0: the built-in mapping */
	char *output_path;    /* --output; NULL: stdout */
	char *summary_json;   /* --summary-json FILE */

	/* Microsoft Graph and its credentials. */
	char *graph_url;     /* no trailing slash */
	char *authority_url; /* no trailing slash */
	char *tenant_id;
	char *client_id;
	char *client_secret;        /* secret */
	char *cert_path;            /* AZURE_CLIENT_CERTIFICATE_PATH */
	char *cert_password;        /* secret */
	int send_cert_chain;        /* AZURE_CLIENT_SEND_CERTIFICATE_CHAIN */
	char *federated_token_file; /* AZURE_FEDERATED_TOKEN_FILE */
	char *graph_token;          /* secret: static bearer token */
	int managed_identity;       /* --managed-identity */
	char *identity_endpoint;    /* IDENTITY_ENDPOINT */
	char *identity_header;      /* secret: IDENTITY_HEADER */
	char *imds_host;            /* AZURE_POD_IDENTITY_AUTHORITY_HOST or
	                               the IMDS default */
	enum graph_cred graph_cred; /* the one used; NONE: none usable */
	const char *graph_cred_src; /* the flag or variable that set
	                               it (static storage) */

	/* Port. */
	char *port_url; /* no trailing slash */
	char *port_client_id;
	char *port_client_secret; /* secret */
	char *identifier;         /* integration identifier */
	char *integration_type;   /* "custom" */
	int init;                 /* --init */
	int send_examples;        /* --send-examples */
	int env_jq;               /* the mapping may read the environment:
	                             OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS */
	int mapping_from_port;    /* --mapping-from-port */

	/* Deletion. */
	double deletion_threshold; /* --deletion-threshold */
	int threshold_set;         /* 1 if given on the command line */
	int no_delete;             /* --no-delete */
	int full_write;            /* --full-write */

	/* Inspection (--inspect). */
	char *inspect_path;
	long sample;         /* --sample N, default 100 */
	char *generate_dir;  /* --generate DIR */
	char *fields;        /* --fields a,b,c */
	char **query_params; /* --query-param NAME=VALUE ... */
	int nquery_params;

	/* HTTP behaviour. */
	int insecure;           /* --insecure */
	char *ca_file;          /* --cacert, SSL_CERT_FILE, ...: NULL for
	                           the system's CA certificates */
	const char *ca_src;     /* which of them (static storage) */
	long max_retries;       /* --max-retries, default 6 */
	double max_retry_wait;  /* --max-retry-wait SEC, default 300 */
	double connect_timeout; /* --connect-timeout SEC, default 10 */
	double timeout;         /* --timeout SEC (per request), 120 */
	long graph_concurrency; /* --graph-concurrency, default 8 */
	long port_concurrency;  /* --port-concurrency, default 8 */

	/* Output. */
	int verbosity; /* 0 -q, 1 default, 2 -v, 3 -vv, 4 -vvv */
	enum log_format log_format;
	int progress; /* -1 auto (terminal), 0 off, 1 on */
};

/*
 * When several Graph credentials are set, the first of these is used and
 * a warning names it and the ones ignored: --graph-token-file,
 * --client-secret-file, --managed-identity (flags are explicit), then
 * AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
 * AZURE_FEDERATED_TOKEN_FILE, IDENTITY_ENDPOINT with IDENTITY_HEADER, and
 * last OCEAN__INTEGRATION__CONFIG__API_TOKEN: a static token expires within
 * the hour, so one left over from the Ocean recipe never wins over a
 * credential that can get fresh tokens.
 *
 * Parse argv and the environment into o (which the caller owns and later
 * releases with options_release).  Returns 0 to run, 1 when --help or
 * --version was printed (exit 0), or -1 after naming every problem found
 * in the flags and the environment, one message each (usage error: exit
 * 2).  Secrets named by *-file flags are read here.
 */
int options_parse(struct options *o, int argc, char **argv);
/* Free everything, wiping secrets. */
void options_release(struct options *o);
/* Print usage (the SYNOPSIS) to fp. */
void options_usage(void *fp);
/*
 * Check a base URL: http(s) only, and http:// only for loopback hosts
 * unless insecure.  Returns 0, or -1 after printing a message naming what.
 */
int options_check_url(const char *what, const char *url, int insecure);

/*
 * The environment variables a secret is read from (NULL-terminated).
 * options_parse removes them from the environment once read, and the
 * mapping never sees them.
 */
extern const char *const options_secret_env[];

#endif
