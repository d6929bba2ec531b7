/*
 * --check, and the checks every mode makes before it sends anything:
 * each jq program compiles, $top is a page size Graph serves, kinds are
 * Graph paths, and the fields a mapping reads are ones Graph will return
 * (warnings: Graph's four kinds are open types).  No network.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "csv.h"
#include "graphschema.h"
#include "jqscan.h"
#include "mapping.h"
#include "msg.h"
#include "options.h"
#include "transform.h"
#include "xmalloc.h"

/* "a, b and c": the properties Graph returns for a user by default. */
static char *
user_defaults_text(void)
{
	const char *const *d = graphschema_user_defaults();
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; d[i] != NULL; i++)
		buf_printf(&b, "%s%s",
		    i == 0               ? "" :
			d[i + 1] == NULL ? " and " :
					   ", ",
		    d[i]);
	return buf_detach(&b);
}

/*
 * Warn about fields the kind's schema does not declare (the four kinds
 * are open types: a warning, not an error), and about mapped user fields
 * a given $select leaves out.
 */
static void
check_fields(const struct mapping_resource *r)
{
	const struct mapping_field *sel = mapping_param(r, "$select");
	char *fields, *tok, *save = NULL, *odd;
	struct buf missing;

	fields = jqscan_fields_read(r);
	if (fields == NULL) {
		if (sel == NULL && strcmp(r->kind, "/users") == 0) {
			char *d = user_defaults_text();

			msg_warn(
			    "%s:%d:%d: resource '/users' has no $select "
			    "and its mapping reads items as a whole, so no "
			    "$select can be derived: Graph will return only "
			    "%s",
			    r->file, r->line, r->col, d);
			free(d);
		}
		return;
	}
	if ((odd = graphschema_undeclared(r->kind, fields)) != NULL)
		msg_warn(
		    "%s:%d:%d: resource '%s': the mapping reads "
		    "properties Graph's schema does not declare for %s: %s%s",
		    r->file, r->line, r->col, r->kind,
		    graphschema_type_of(r->kind), odd,
		    sel == NULL ?
			"; they are left out of the $select (name them in one if "
			"Graph returns them)" :
			"");
	free(odd);
	buf_init(&missing);
	for (tok = strtok_r(fields, ",", &save);
	     tok != NULL && strcmp(r->kind, "/users") == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		int found;

		if (graphschema_classify(r->kind, tok) != GS_PROPERTY &&
		    graphschema_classify(r->kind, tok) != GS_EXTENSION)
			continue;
		if (sel == NULL)
			found = 1; /* derived at run time */
		else
			found = csv_has(sel->value, tok) ||
			    (graphschema_user_default(tok) &&
				sel->value[0] == '\0');
		if (!found)
			buf_printf(&missing, "%s%s", missing.len ? ", " : "",
			    tok);
	}
	if (missing.len > 0 && sel != NULL)
		msg_warn(
		    "%s:%d:%d: resource '/users': the mapping reads %s, "
		    "which the $select leaves out: Graph will not return them",
		    r->file, sel->line, sel->col, missing.data);
	buf_release(&missing);
	free(fields);
}

/*
 * Warn when the resource's $top (valid, 1..999) is above the page size
 * Graph serves with its $select (given or derived) and $filter: the
 * request will ask for that size instead (kind_setup).
 */
static void
check_top(const struct mapping_resource *r, const struct mapping_field *top,
    long v)
{
	const struct mapping_field *sel = mapping_param(r, "$select");
	const struct mapping_field *flt = mapping_param(r, "$filter");
	char *derived = sel == NULL ? graphschema_derive_select(r) : NULL;
	long max = graphschema_max_top(r->kind,
	    sel != NULL ? sel->value : derived,
	    flt != NULL ? flt->value : NULL);

	if (v > max)
		msg_warn("%s:%d:%d: resource '%s': $top '%s' is above %ld, the "
			 "largest page Graph serves when signInActivity is "
			 "selected or filtered on; asking for %ld",
		    r->file, top->line, top->col, r->kind, top->value, max,
		    max);
	free(derived);
}

int
check_mapping(const struct mapping *m, struct transform **ts)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < m->nres; i++) {
		const struct mapping_resource *r = &m->res[i];
		const struct mapping_field *top = mapping_param(r, "$top");

		if ((ts[i] = transform_new(r, r->file)) == NULL)
			rc = -1;
		if (top != NULL) {
			char *end;
			long v = strtol(top->value, &end, 10);

			if (end == top->value || *end != '\0' || v < 1 ||
			    v > 999) {
				msg_error("%s:%d:%d: resource '%s': $top '%s' "
					  "must be a number between 1 and 999 "
					  "(Graph refuses other page sizes)",
				    r->file, top->line, top->col, r->kind,
				    top->value);
				rc = -1;
			} else {
				check_top(r, top, v);
			}
		}
		if (r->kind[0] != '/') {
			msg_error(
			    "%s:%d:%d: resource kind '%s' must be a Graph "
			    "path starting with '/'",
			    r->file, r->line, r->col, r->kind);
			rc = -1;
		}
		check_fields(r);
	}
	return rc;
}
