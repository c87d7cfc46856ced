/*
** store_core.h — what the store's files share beyond the public API: its
** connection, statements prepared once (st_stmt), transactions that join a
** batch, errors, and rows read back. store.c is the store; lifecycle.c keeps
** a referral's life as FHIR messages tell it (new, update, cancel).
*/
#ifndef TRIAGE_STORE_CORE_H
#define TRIAGE_STORE_CORE_H
#include <sqlite3.h>
#include "triage.h"

/* Statement slots the other files use with st_stmt (lifecycle.c: LC_*). */
#define ST_MORE 16

sqlite3 *st_db(triage_store *st);
/* The statement in slot, prepared from sql on first use and finalized
** with the store; NULL when it cannot be prepared (st_dberr says why). */
sqlite3_stmt *st_stmt(triage_store *st, int slot, const char *sql);

/* Run a statement that returns no rows and reset it: SQLite's code
** (SQLITE_DONE when it went well). */
int st_run(sqlite3_stmt *s);
void st_done(sqlite3_stmt *s);                       /* reset and unbind */
void st_text(sqlite3_stmt *s, int i, const char *v); /* NULL binds NULL */
const char *st_col(sqlite3_stmt *s, int col);        /* NULL when NULL */

/* Outside a batch, a call that runs several statements makes its own
** transaction (st_tx_open returns SQLITE_DONE when it has one); inside one
** it joins the batch. st_tx_close commits it, or rolls back when !ok. */
int st_tx_open(triage_store *st);
void st_tx_close(triage_store *st, int ok);

triage_code st_fail(triage_error *err, triage_code code, const char *file, long line,
                    const char *id, const char *what);
triage_code st_dberr(triage_store *st, triage_error *err, const char *doing);

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
