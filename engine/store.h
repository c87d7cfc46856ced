/*
** store.h — what the rule runtime needs from the store beyond the public
** API: a child's earlier referrals with their latest decisions, found
** through the CPR index, never by scanning; and what the engine's other
** tables (review, people, shadow decisions) need of the connection.
*/
#ifndef TRIAGE_STORE_H
#define TRIAGE_STORE_H
#include <stdint.h>
#include <sqlite3.h>
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

/* For the engine's files that keep tables of their own in the store (people,
** sessions, the review log, shadow decisions): the connection; a statement
** prepared once per store handle and finalized at close, found again by the
** address of sql (a string constant), or NULL when it cannot be prepared;
** and a write transaction (BEGIN IMMEDIATE) that joins an open batch
** instead. st_write_end commits when ok (returns 0), else rolls back (-1). */
sqlite3 *st_db(triage_store *st);
sqlite3_stmt *st_prepared(triage_store *st, const char *sql);
int st_write_begin(triage_store *st);
int st_write_end(triage_store *st, int ok);

/* The review feature's schema step (schema_review.c): its tables, indexes
** and triggers, created once, by the migration to it. */
extern const char st_review_schema[];
#endif
