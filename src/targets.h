/*
 * The relation targets an entity names (createMissingRelatedEntities):
 * the identifiers in the "relations" object of its JSON text.  Nothing
 * the run holds as one of them is deleted.
 */
#ifndef E2P_TARGETS_H
#define E2P_TARGETS_H

#include <stddef.h>

struct strset;

/*
 * Add to set each identifier entity text json (len bytes) names as a
 * relation target: each string member of its first top-level "relations"
 * object, and each string in an array member.  A text that is not JSON
 * adds nothing.  Returns 1 when cJSON read the text, 0 when the scan did
 * (or a look for "relations" found none that can name a target).
 */
int targets_add(struct strset *set, const char *json, size_t len);

#endif
