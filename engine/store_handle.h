/*
** store_handle.h — the store handle's insides, for the store's own files
** (store.c: the connection, its statements and writes; store_read.c and
** store_list.c: reading back; store_schema.c: the schema) and no others:
** the rest of the engine goes through store.h.
*/
#ifndef TRIAGE_STORE_HANDLE_H
#define TRIAGE_STORE_HANDLE_H
#include <sqlite3.h>

/* A row of referrals r as triage_row lists it, and a row of decisions d as
** dc_logged and triage_logged read it: the work list, a record and its log
** select the same columns in the same order (st_row_at, st_logged_at). */
#define ST_ROW_COLUMNS "r.id, r.received, r.municipality, r.age_band, r.referrer_kind, " \
                       ST_STATUS ", r.imported_at, " ST_REVIEW_STATUS ", " ST_ASSIGNEE
#define ST_ROW_N 9
/* A referral's status: "withdrawn", else the outcome of its latest decision
** of the current version (seq above superseded_seq), else "new". Derived
** from the append-only decisions, never kept (schema step 7): storing a
** decision is then one INSERT, not also a rewrite of the referral's row. */
#define ST_STATUS "CASE WHEN r.withdrawn_at IS NOT NULL THEN 'withdrawn' ELSE coalesce(" \
    "(SELECT s.outcome FROM decisions s WHERE s.referral_id = r.id" \
    " AND s.seq > r.superseded_seq ORDER BY s.seq DESC LIMIT 1), 'new') END"
/* Where a person's review has brought the referral (the log's latest
** status), else new or suggested; and to whom it is assigned now. Both are
** read from the append-only review log (schema_review.c), never kept. */
#define ST_REVIEW_STATUS "coalesce((SELECT a.status FROM audit a WHERE a.referral_id = r.id" \
    " AND a.status IS NOT NULL ORDER BY a.seq DESC LIMIT 1), CASE WHEN EXISTS" \
    " (SELECT 1 FROM decisions x WHERE x.referral_id = r.id) THEN 'suggested' ELSE 'new' END)"
#define ST_ASSIGNEE "(SELECT a.assignee FROM audit a WHERE a.referral_id = r.id" \
    " AND a.action = 'assign' ORDER BY a.seq DESC LIMIT 1)"

/* The statements, prepared once; indexes into st->stmt. */
enum { S_BEGIN, S_COMMIT, S_ROLLBACK, S_PUT, S_REPLACE, S_CHILD, S_LATER, S_PACK,
       S_READ_BEGIN, S_QUAR, S_GET, S_UNDECIDED, S_DEC_PUT, S_HISTORY, S_N_REF, S_N_QUAR,
       S_N_DEC, S_N_UND, S_DATA_VERSION, S_META_SET, S_META_GET, S_RECORD, S_DEC_LIST, S__N };

/* Decisions with up to this many reasons (all but a handful) have their
** reasons column written by SQLite's json_array and json_object, a
** statement per count prepared on first use; more go through jansson. */
#define ST_REASONS_SQL 8
#define ST_CACHE 48      /* statements other engine files prepare through st_prepared */

struct triage_store {
    sqlite3 *db;
    int in_batch;
    int big_cache;             /* the importer's page cache is set */
    sqlite3_stmt *stmt[S__N];
    sqlite3_stmt *dec_put[ST_REASONS_SQL + 1];   /* by number of reasons */
    int ncached;
    struct { const char *sql; sqlite3_stmt *s; } cached[ST_CACHE];
};

/* Create the schema, or bring an older one up to st_schema_version(), in
** one write transaction (store_schema.c): SQLite's code. */
int st_migrate(sqlite3 *db);
int st_schema_version(void);
#endif
