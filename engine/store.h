/*
** store.h — what the rule runtime needs from the store beyond the public
** API: a child's earlier referrals with their latest decisions, found
** through the CPR index, never by scanning.
*/
#ifndef TRIAGE_STORE_H
#define TRIAGE_STORE_H
#include <stdint.h>
#include "triage.h"

typedef struct st_prior {
    char id[72];
    int32_t received;     /* day number */
    char outcome[16];     /* "" when it has no decision yet */
    char target[24];      /* "" when null or undecided */
} st_prior;

/* Earlier referrals of the child with this CPR (ten digits): received before
** `received`, or the same day with an id sorting before `id`; oldest first.
** Each carries its latest decision from rule set `hash`, else its latest
** decision from any rule set. Writes at most max entries; returns how many
** there are in all (may exceed max), or -1 on error. */
int st_history(triage_store *st, const char *cpr, int32_t received,
               const char *id, const char *hash, st_prior *out, int max);
#endif
