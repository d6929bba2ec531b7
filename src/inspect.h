/*
 * --inspect PATH: read a sample of a Graph collection, print a table of
 * every field seen (JSON path, types, null and absent counts, an example
 * with secrets masked), and with --generate DIR write a Port blueprint and
 * an Ocean-format mapping for it.  It reads Graph only; it writes nothing
 * to Port.
 */
#ifndef E2P_INSPECT_H
#define E2P_INSPECT_H

struct options;

/* String formats a sample can prove (every non-null value matches). */
enum inspect_format {
	FMT_NONE = 0,
	FMT_DATE_TIME,
	FMT_EMAIL,
	FMT_URL
};

/*
 * Check what an inspection needs before it sends anything: the path is a
 * Graph path, the --generate directory can be written.  Returns 0, or -1
 * after printing why.
 */
int inspect_check(const struct options *o);
/*
 * Run the inspection o describes (o->inspect_path, sample, query_params,
 * fields, generate_dir).  The table goes to stdout, messages to stderr.
 * Returns 0, or -1 after printing why (Graph could not be read, or the
 * files could not be written).
 */
int inspect_run(const struct options *o);

/*
 * The blueprint identifier for a Graph path: "/users" gives
 * "entra-id-user", "/servicePrincipals" "entra-id-service-principal",
 * "/groups/{id}/owners" "entra-id-owner".  The caller frees the result.
 */
char *inspect_identifier(const char *path);
/* The title for an identifier: "Entra ID Service Principal"; caller frees. */
char *inspect_title(const char *identifier);
/* Which format s satisfies (Port's checks): date-time, email, url or none. */
int inspect_format_ok(const char *s, enum inspect_format f);

#endif
