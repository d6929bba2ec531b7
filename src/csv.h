/*
 * Comma-separated lists of names ("id,displayName,mail"), the way Graph's
 * $select and the fields a mapping reads are written: membership and
 * removal, whole names only, spaces around them and ASCII case ignored.
 */
#ifndef E2P_CSV_H
#define E2P_CSV_H

/* 1 if list (may be NULL) has item as one of its names. */
int csv_has(const char *list, const char *item);
/*
 * list without any occurrence of item, as a new string owned by the
 * caller; *found (may be NULL) says whether it was there.
 */
char *csv_without(const char *list, const char *item, int *found);

#endif
