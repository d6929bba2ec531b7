/*
 * Entity digests for change detection: a 64-bit hash of what Ocean
 * compares (title, team, properties, relations), with object keys sorted
 * and null-valued keys left out, so a null on one side equals a missing
 * key on the other.  Only the fields a resource's mapping writes count.
 */
#ifndef E2P_DIGEST_H
#define E2P_DIGEST_H

#include <stdint.h>

#include <cJSON.h>

struct mapping_resource;

/* Digest of entity e as far as resource r maps it. */
uint64_t digest_entity(const cJSON *e, const struct mapping_resource *r);

#endif
