/*
 * A jq program's text, read without libjq: Ocean's single-quote rule, the
 * "if" without "else" that libjq 1.6 cannot parse, a bracket that closes
 * nothing (for messages), and the fields of Graph objects a resource's
 * programs read.  Nothing here runs a program.
 */
#ifndef E2P_JQSCAN_H
#define E2P_JQSCAN_H

struct mapping;
struct mapping_resource;

/*
 * Ocean's single-quote rule: string literals delimited by single quotes
 * become double-quoted.  Returns a new string owned by the caller.
 */
char *jqscan_requote(const char *text);
/* 1 if text has an "if" whose "end" comes without an "else". */
int jqscan_if_without_else(const char *text);
/*
 * The offset in text of the first bracket that closes nothing, or -1.
 * Strings and comments are skipped; the scan is rough, for messages.
 */
long jqscan_stray_close(const char *text);

/*
 * The top-level field names of Graph objects a resource's programs read
 * (".department", ".signInActivity.lastSignInDateTime" gives "department",
 * "signInActivity"), as a comma-separated list in a new string, or NULL if
 * that cannot be determined (the program uses ".", "..", "keys",
 * "to_entries", "with_entries", "$__loc__", "input", "getpath" or dynamic
 * indexing).  Used to derive a $select when the mapping has none.
 */
char *jqscan_fields_read(const struct mapping_resource *);

/*
 * For each /groups resource of m that neither asks for members (an
 * $expand of members, or selector.membership) nor refuses them
 * (membership: none), read the membership its programs read: .members
 * gives the members, else .transitiveMembers the transitive ones, as the
 * $select is derived from the fields read.  Says so at -v.
 */
void jqscan_settle_members(struct mapping *m);

#endif
