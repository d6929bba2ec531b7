/*
 * Comma-separated lists of names.  Names never hold a comma here (Graph
 * property names and jq field names), so no quoting is needed.
 */
#include <string.h>

#include "buf.h"
#include "csv.h"

int
csv_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p;

	if (list == NULL || n == 0)
		return 0;
	for (p = list; (p = strstr(p, item)) != NULL; p += n)
		if ((p == list || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

char *
csv_without(const char *list, const char *item, int *found)
{
	struct buf b;
	const char *p = list, *e;
	size_t n;

	buf_init(&b);
	buf_puts(&b, "");
	if (found != NULL)
		*found = 0;
	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == strlen(item) && strncmp(p, item, n) == 0) {
			if (found != NULL)
				*found = 1;
		} else if (n > 0) {
			if (b.len > 0)
				buf_putc(&b, ',');
			buf_append(&b, p, n);
		}
		p = e != NULL ? e + 1 : NULL;
	}
	return buf_detach(&b);
}
