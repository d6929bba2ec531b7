/*
 * A group's member list while it is read and when it is mapped: for each
 * member its "@odata.type" (or none) and its id, packed in blocks of bytes
 * (a GUID id in 16 bytes, the type as an index into a small table), so a
 * list of a million members holds about 18 MB, not a parsed object per
 * member.  Members keep the order they were added in.  It knows nothing of
 * JSON, Graph or jq.
 */
#ifndef E2P_MEMBERS_H
#define E2P_MEMBERS_H

#include <stddef.h>

struct members;

/* Where an iteration is; zero it (or use MEMBERS_ITER_INIT) to start. */
struct members_iter {
	const void *block;
	size_t off;
	char id[40]; /* an unpacked GUID */
};

/* clang-format off */
#define MEMBERS_ITER_INIT	{ NULL, 0, { 0 } }
/* clang-format on */

struct members *members_new(void);
void members_free(struct members *);
/* Forget every member (a list read again from its first page). */
void members_reset(struct members *);
/*
 * Append a member: type (NUL-terminated) or NULL when it has none, and the
 * id's idlen bytes (copied; an id may hold any byte but NUL).
 */
void members_add(struct members *, const char *type, const char *id,
    size_t idlen);
size_t members_count(const struct members *);
/* Bytes the list holds (blocks, type table and header), for the bench. */
size_t members_bytes(const struct members *);

/*
 * The next member: 1 with *type (NULL when it has none; owned by the list)
 * and *id, *idlen (valid until the next call with it), or 0 at the end.
 */
int members_next(const struct members *, struct members_iter *,
    const char **type, const char **id, size_t *idlen);

#endif
