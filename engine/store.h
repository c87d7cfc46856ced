/*
** store.h — what the rule runtime needs from the store beyond the public
** API: a child's earlier referrals with their latest decisions, found
** through the CPR index, never by scanning; and what the engine's other
** tables (review, people, shadow decisions, a referral's FHIR life) need of
** the connection, its statements, transactions, errors and rows.
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


/* Run a statement that returns no rows and reset it: SQLite's code
** (SQLITE_DONE when it went well). */
int st_run(sqlite3_stmt *s);
void st_done(sqlite3_stmt *s);                       /* reset and unbind */
void st_text(sqlite3_stmt *s, int i, const char *v); /* NULL binds NULL */
const char *st_col(sqlite3_stmt *s, int col);        /* NULL when NULL */

/* Outside a batch, a call that runs several statements makes its own
** transaction (st_tx_open returns SQLITE_DONE when it has one); inside one
** it joins the batch, unless SQLite rolled the batch's transaction back
** (st_batch_lost: SQLITE_ABORT, and st_dberr says so). st_tx_close commits
** it, or rolls back when !ok. */
int st_tx_open(triage_store *st);
int st_batch_lost(const triage_store *st);
void st_tx_close(triage_store *st, int ok);

triage_code st_fail(triage_error *err, triage_code code, const char *file, long line,
                    const char *id, const char *what);
/* SQLite's last error in doing something, as ESTORE; when SQLite rolled the
** batch's transaction back, saying so after the cause. _at names the record
** (file, line and id; each NULL or 0 for none). */
triage_code st_dberr(triage_store *st, triage_error *err, const char *doing);
triage_code st_dberr_at(triage_store *st, triage_error *err, const char *doing,
                        const char *file, long line, const char *id);

/* The referral's row and packed form: a new row (TRIAGE_EDUPLICATE when
** the id is stored), or with replace the stored row of r's id rewritten as
** its next version, undecided again (TRIAGE_ENOTFOUND when there is none). */
triage_code st_put_row(triage_store *st, const triage_referral *r, const char *source,
                       long line, int replace, triage_error *err);

/* A stored record: json, source, line from column col on, and the packed
** form at column packed (-1: parse the JSON). */
triage_referral *st_parse_row(sqlite3_stmt *s, int col, int packed, triage_error *err);
/* The decision whose log columns (d.seq, d.decided_at, d.ruleset, ...,
** d.reasons) start at column col, rebuilt into l; NULL when the row has
** none or it does not read back. Free with triage_decision_free. */
triage_decision *st_logged_at(sqlite3_stmt *s, int col, const char *id, triage_logged *l);
#define ST_LOG_COLUMNS "d.seq, d.decided_at, d.ruleset, d.outcome, d.target, d.unit," \
                       " d.priority, d.deadline, d.missing, d.request_from, d.reasons"

/* lifecycle.c: the schema step that adds it, and triage_store_put for a
** referral that came as FHIR (r->origin): its message and document kept,
** a repeated message refused, in one transaction with the row. */
extern const char lc_schema[];
triage_code lc_put(triage_store *st, const triage_referral *r, const char *source, long line,
                   int replace, triage_error *err);
#endif
