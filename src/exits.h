/*
 * The exit statuses of entra2port, as the contract table, the README and
 * entra2port(1) give them.  main() returns them; report.c tells which one
 * a finished run earned.  Nothing else exits, but for want of memory
 * (xmalloc_oom).
 */
#ifndef E2P_EXITS_H
#define E2P_EXITS_H

#define EXIT_OK        0
#define EXIT_PARTIAL   1  /* finished, but something failed */
#define EXIT_USAGE     2  /* usage or configuration error */
#define EXIT_ABORTED   3  /* auth, permission, unreachable, interrupted */
#define EXIT_THRESHOLD 4  /* deletion skipped by the safety threshold */
#define EXIT_NOMEM     70 /* out of memory (EX_SOFTWARE) */

#endif
