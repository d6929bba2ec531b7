/*
 * The built-in blueprints: the four of Port's Entra ID guide, in the order
 * the guide creates them (a group's members relation targets users).
 */
#ifndef E2P_BLUEPRINTS_H
#define E2P_BLUEPRINTS_H

/* A JSON array of the four blueprints (static storage, never NULL). */
const char *blueprints_builtin_json(void);

/* Their identifiers, in the same order, NULL-terminated. */
extern const char *blueprints_builtin_ids[];

#endif
