/*
** store_schema.c — the store's schema and its migration list. A database
** any earlier triage wrote opens and is brought up to the latest version in
** one transaction, nothing lost. A change of schema appends its step to
** st_steps[] below (user_version + 1).
*/
#include <stdio.h>
#include <sqlite3.h>
#include "store.h"
#include "store_handle.h"
#include "cds.h"

static const char st_schema[] =
    "CREATE TABLE IF NOT EXISTS referrals("
    " id TEXT PRIMARY KEY NOT NULL,"
    " received TEXT NOT NULL,"
    " cpr TEXT CHECK (cpr IS NULL OR (length(cpr) = 10 AND cpr NOT GLOB '*[^0-9]*')),"
    " birth_date TEXT, age INTEGER,"
    /* Not "IN (...)": SQLite checks an IN list of more than two values by
    ** building a temporary index for every row inserted (a third of an
    ** insert's cost); a database made with that spelling works the same. */
    " age_band TEXT CHECK (age_band = '0-7' OR age_band = '8-13' OR age_band = '14-17'"
    "  OR age_band = '18+'),"
    " municipality TEXT, referrer_kind TEXT,"
    " status TEXT NOT NULL DEFAULT 'new',"
    " json TEXT NOT NULL, source TEXT, line INTEGER,"
    " imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
    "CREATE INDEX IF NOT EXISTS referrals_received ON referrals(received, id);"
    "CREATE INDEX IF NOT EXISTS referrals_status ON referrals(status);"
    "CREATE INDEX IF NOT EXISTS referrals_municipality ON referrals(municipality);"
    "CREATE INDEX IF NOT EXISTS referrals_age_band ON referrals(age_band);"
    "CREATE INDEX IF NOT EXISTS referrals_cpr ON referrals(cpr, received, id);"
    /* A cache beside the row, not in it: until step 7 `run` rewrote every
    ** row it decided (status), and a blob inside was written again with it. */
    "CREATE TABLE IF NOT EXISTS referral_packed("
    " id TEXT PRIMARY KEY NOT NULL, packed BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS decisions("
    " seq INTEGER PRIMARY KEY,"
    " referral_id TEXT NOT NULL REFERENCES referrals(id),"
    " ruleset TEXT NOT NULL, outcome TEXT NOT NULL, target TEXT, unit TEXT,"
    " priority TEXT, deadline TEXT, missing TEXT, request_from TEXT,"
    " reasons TEXT NOT NULL,"
    " decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
    "CREATE INDEX IF NOT EXISTS decisions_referral ON decisions(referral_id, ruleset);"
    "CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions"
    " BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions"
    " BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;"
    "CREATE TABLE IF NOT EXISTS quarantine("
    " seq INTEGER PRIMARY KEY, source TEXT, line INTEGER, record_id TEXT,"
    " field TEXT, error TEXT NOT NULL, raw TEXT,"
    " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
    "CREATE TABLE IF NOT EXISTS meta("
    " key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL,"
    " updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));";

/* A database made before version 5 checks age_band with an IN list, which
** SQLite checks by building a temporary index for every row inserted (a
** third of an insert's cost). The OR spelling accepts and refuses the same
** values, so the table's text is changed in place as SQLite documents for a
** CHECK constraint (writable_schema; no row is touched), the connection
** reads the schema again, and a table made and dropped moves the schema
** cookie on so that other connections read it again too. A table made at
** version 5 has the new spelling already and is left as it is. */
static const char st_age_band_check[] =
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_schema SET sql = replace(sql,"
    " 'CHECK (age_band IN (''0-7'',''8-13'',''14-17'',''18+''))',"
    " 'CHECK (age_band = ''0-7'' OR age_band = ''8-13'' OR age_band = ''14-17''  OR age_band = ''18+'')')"
    " WHERE type = 'table' AND name = 'referrals';"
    "PRAGMA writable_schema = RESET;"
    "CREATE TABLE st_schema_cookie(x); DROP TABLE st_schema_cookie;";

/* A referral's status was a column that storing a decision rewrote, with
** the referral's whole row (its JSON) and its index entry: a page written
** per decision, half a decision's cost. It is derived now (ST_STATUS in
** store_handle.h) from what was always kept beside it: withdrawn_at, and
** the latest decision above superseded_seq, the very values every writer
** of the column set it from. The index goes first, as SQLite asks. */
static const char st_status_derived[] =
    "DROP INDEX referrals_status;"
    "ALTER TABLE referrals DROP COLUMN status;";

/* A referral's has_earlier is 0 only when no referral of the same child
** sorts before it by (received, id): its history is empty, and `run` need
** not ask (a seek into the CPR index, a read from disk once the index
** outgrows the cache: five times the cost at 4.75 M referrals). 1 means
** there is or was one, or that the writer did not say (the default): the
** history is asked for. store.c's writes keep it so (st_put_row): a new
** or corrected row gets its own, and the child's later rows 1 (before the
** write: one refused, a duplicate id in a batch, may leave them 1). Not
** triggers: a trigger makes every INSERT keep a statement journal, which
** doubled an import's time. A withdrawal leaves it 1 (the history query
** skips withdrawn referrals). The UPDATE sets it for the rows a database
** already has. */
static const char st_earlier[] =
    "ALTER TABLE referrals ADD COLUMN has_earlier INTEGER NOT NULL DEFAULT 1;"
    "UPDATE referrals SET has_earlier = 0 WHERE cpr IS NULL OR NOT EXISTS"
    " (SELECT 1 FROM referrals p WHERE p.cpr = referrals.cpr"
    "  AND (p.received, p.id) < (referrals.received, referrals.id));";

/* The migration list: step i brings a database at an earlier PRAGMA
** user_version up to version st_steps[i].version; st_migrate runs every
** step above the database's version, in order, in one transaction. A
** change of schema appends its step here (user_version + 1). */
static const struct { int version; const char *sql; } st_steps[] = {
    /* 1: the tables; 2 added referral_packed (see refpack.h): its
    ** CREATEs are IF NOT EXISTS, so a version 1 database gains the table,
    ** and its referrals, having no packed form, are parsed from JSON. */
    {2, st_schema},
    /* 3: people, sessions, the review log, shadow decisions (schema_review.c). */
    {3, st_review_schema},
    /* 4: a referral's life as FHIR messages tell it (lifecycle.c). */
    {4, lc_schema},
    /* 5: the age band's check spelt without IN in a database made before. */
    {5, st_age_band_check},
    /* 6: CDS Hooks feedback on the cards a referrer was shown (schema_cds.c). */
    {6, cds_schema},
    /* 7: a referral's status derived, not kept (storing a decision writes
    ** no referral row). */
    {7, st_status_derived},
    /* 8: has_earlier, which spares `run` the history of a child's first
    ** referral. */
    {8, st_earlier},
};
#define ST_NSTEPS ((int)(sizeof st_steps / sizeof st_steps[0]))

/* PRAGMA user_version after the last step. */
int st_schema_version(void)
{
    return st_steps[ST_NSTEPS - 1].version;
}

/* Create the schema, or bring an older one up to st_schema_version(), in
** one write transaction; the version is read again inside it, since
** another process may have done the work meanwhile. */
int st_migrate(sqlite3 *db)
{
    sqlite3_stmt *q;
    int version = 0, rc;
    if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) return rc;
    if ((rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL)) != SQLITE_OK)
        return rc;
    if (sqlite3_step(q) == SQLITE_ROW) version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    for (size_t i = 0; i < sizeof st_steps / sizeof *st_steps; i++) {
        if (st_steps[i].version <= version) continue;
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d;", st_steps[i].version);
        if ((rc = sqlite3_exec(db, st_steps[i].sql, NULL, NULL, NULL)) != SQLITE_OK ||
            (rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
            return rc;
    }
    return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}
