/*
 * Comma-separated lists of names.  Names never hold a comma here (Graph
 * property names and jq field names), so no quoting is needed.  Spaces
 * around a name are not part of it, and names compare with ASCII case
 * ignored, as Graph compares the names of $select: for a list of jq
 * field names that only errs on the side of "it is there".
 */
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "csv.h"

/*
 * The name of list at *p, its spaces trimmed, in *name and *len, and *p
 * moved past it; 0 at the end of list (which may be NULL).
 */
static int
next_name(const char **p, const char **name, size_t *len)
{
	const char *s = *p, *e;

	if (s == NULL || *s == '\0')
		return 0;
	while (*s == ' ')
		s++;
	e = s + strcspn(s, ",");
	*p = *e == ',' ? e + 1 : e;
	while (e > s && e[-1] == ' ')
		e--;
	*name = s;
	*len = (size_t)(e - s);
	return 1;
}

static int
same(const char *name, size_t len, const char *item)
{
	return len == strlen(item) && strncasecmp(name, item, len) == 0;
}

int
csv_has(const char *list, const char *item)
{
	const char *name;
	size_t len;

	while (next_name(&list, &name, &len))
		if (len > 0 && same(name, len, item))
			return 1;
	return 0;
}

char *
csv_without(const char *list, const char *item, int *found)
{
	struct buf b;
	const char *name;
	size_t len;

	buf_init(&b);
	buf_puts(&b, "");
	if (found != NULL)
		*found = 0;
	while (next_name(&list, &name, &len)) {
		if (same(name, len, item)) {
			if (found != NULL)
				*found = 1;
		} else if (len > 0) {
			if (b.len > 0)
				buf_putc(&b, ',');
			buf_append(&b, name, len);
		}
	}
	return buf_detach(&b);
}
