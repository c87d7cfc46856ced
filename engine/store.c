/*
** store.c — the SQLite store: referrals as received, quarantined records,
** and an append-only audit log of decisions. Every statement is prepared
** once at open; history is found through the (cpr, received, id) index.
*/
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <jansson.h>
#include "triage.h"
#include "referral.h"
#include "decision.h"
#include "cpr.h"
#include "date.h"
#include "store.h"
#include "store_run.h"
#include "refpack.h"
#include "history.h"

#define ST_CHUNK 1024    /* rows read per query by each_undecided */

static const char st_schema[] =
    "CREATE TABLE IF NOT EXISTS referrals("
    " id TEXT PRIMARY KEY NOT NULL,"
    " received TEXT NOT NULL,"
    " cpr TEXT CHECK (cpr IS NULL OR (length(cpr) = 10 AND cpr NOT GLOB '*[^0-9]*')),"
    " birth_date TEXT, age INTEGER,"
    /* Not "IN (...)": SQLite checks an IN list of more than two values by
    ** building a temporary index for every row inserted (a third of an
    ** insert's cost); a database made with that spelling gets this one at
    ** step 5 (st_age_band_step). */
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
    /* A cache beside the row, not in it: `run` rewrites every row it decides
    ** (status), and a blob inside would be written again with it. */
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

/* A database made before keeps the age band's CHECK as "IN (...)", which
** costs a temporary index per insert. SQLite compiles a table's CHECKs from
** the CREATE text it keeps, so that text is rewritten in place: what SQLite
** documents for changing a CHECK every row already meets (the two spellings
** accept the same values; PRAGMA writable_schema, then RESET to read the
** schema again). Connections open meanwhile keep the old, equivalent check
** until they next read the schema. */
static const char st_age_band_step[] =
    "PRAGMA writable_schema=ON;"
    "UPDATE sqlite_master SET sql = replace(sql,"
    " 'age_band IN (''0-7'',''8-13'',''14-17'',''18+'')',"
    " 'age_band = ''0-7'' OR age_band = ''8-13'' OR age_band = ''14-17''  OR age_band = ''18+''')"
    " WHERE type = 'table' AND name = 'referrals';"
    "PRAGMA writable_schema=RESET;";

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
    /* 5: the age band's CHECK spelt without IN, as st_schema has it. */
    {5, st_age_band_step},
};
#define ST_NSTEPS ((int)(sizeof st_steps / sizeof st_steps[0]))
#define ST_VERSION (st_steps[ST_NSTEPS - 1].version)   /* PRAGMA user_version after the last step */

/* A row of referrals r as triage_row lists it, and a row of decisions d as
** dc_logged and triage_logged read it: the work list, a record and its log
** select the same columns in the same order (st_row_at, st_logged_at). */
#define ST_ROW_COLUMNS "r.id, r.received, r.municipality, r.age_band, r.referrer_kind," \
                       " r.status, r.imported_at, " ST_REVIEW_STATUS ", " ST_ASSIGNEE
#define ST_ROW_N 9
/* Where a person's review has brought the referral (the log's latest
** status), else new or suggested; and to whom it is assigned now. Both are
** read from the append-only review log (schema_review.c), never kept. */
#define ST_REVIEW_STATUS "coalesce((SELECT a.status FROM audit a WHERE a.referral_id = r.id" \
    " AND a.status IS NOT NULL ORDER BY a.seq DESC LIMIT 1), CASE WHEN EXISTS" \
    " (SELECT 1 FROM decisions x WHERE x.referral_id = r.id) THEN 'suggested' ELSE 'new' END)"
#define ST_ASSIGNEE "(SELECT a.assignee FROM audit a WHERE a.referral_id = r.id" \
    " AND a.action = 'assign' ORDER BY a.seq DESC LIMIT 1)"

/* The statements, prepared once; indexes into st->stmt. */
enum { S_BEGIN, S_COMMIT, S_ROLLBACK, S_PUT, S_REPLACE, S_PACK, S_READ_BEGIN, S_QUAR, S_GET,
       S_UNDECIDED, S_DEC_PUT, S_DEC_STATUS, S_HISTORY, S_N_REF, S_N_QUAR, S_N_DEC, S_N_UND,
       S_META_SET, S_META_GET, S_RECORD, S_DEC_LIST, S__N };
static const char *const st_sql[S__N] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    /* imported_at as decided_at: stamped in C, not by SQL's strftime() */
    [S_PUT] = "INSERT INTO referrals(id, received, cpr, birth_date, age, age_band,"
              " municipality, referrer_kind, json, source, line, imported_at)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    /* update-referral (lifecycle.c): the same columns, a new version, and
    ** every decision so far marks an earlier one */
    [S_REPLACE] = "UPDATE referrals SET received = ?2, cpr = ?3, birth_date = ?4, age = ?5,"
                  " age_band = ?6, municipality = ?7, referrer_kind = ?8, json = ?9,"
                  " source = ?10, line = ?11, status = 'new', version = version + 1,"
                  " superseded_seq = (SELECT coalesce(max(seq), 0) FROM decisions),"
                  " imported_at = ?12 WHERE id = ?1",
    [S_PACK] = "INSERT OR REPLACE INTO referral_packed(id, packed) VALUES(?1, ?2)",
    [S_READ_BEGIN] = "BEGIN",
    [S_QUAR] = "INSERT INTO quarantine(source, line, record_id, field, error, raw)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_GET] = "SELECT json, source, line FROM referrals WHERE id = ?1",
    [S_UNDECIDED] =
        "SELECT r.received, r.id, r.json, r.source, r.line, p.packed FROM referrals r"
        " LEFT JOIN referral_packed p ON p.id = r.id"
        " WHERE (r.received, r.id) > (?1, ?2) AND r.withdrawn_at IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM decisions d WHERE d.referral_id = r.id AND d.ruleset = ?3"
        "  AND d.seq > r.superseded_seq)"
        " ORDER BY r.received, r.id LIMIT ?4",
    /* reasons as JSON text; st_dec_stmt has SQL build it for up to
    ** ST_REASONS_SQL reasons */
    [S_DEC_PUT] = "INSERT INTO decisions(referral_id, ruleset, outcome, target, unit,"
                  " priority, deadline, missing, request_from, decided_at, reasons)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [S_DEC_STATUS] = "UPDATE referrals SET status = ?2 WHERE id = ?1 AND withdrawn_at IS NULL",
    /* the latest decision of each prior referral, from rule set ?4 first;
    ** (received, id) < (?2, ?3) is hs_is_prior's order as an index range */
    [S_HISTORY] =
        "SELECT r.id, r.received, d.outcome, d.target FROM referrals r"
        " LEFT JOIN decisions d ON d.seq = (SELECT seq FROM decisions x"
        "  WHERE x.referral_id = r.id ORDER BY x.ruleset IS ?4 DESC, x.seq DESC LIMIT 1)"
        " WHERE r.cpr = ?1 AND (r.received, r.id) < (?2, ?3) AND r.withdrawn_at IS NULL"
        " ORDER BY r.received, r.id",
    [S_N_REF] = "SELECT count(*) FROM referrals",
    [S_N_QUAR] = "SELECT count(*) FROM quarantine",
    [S_N_DEC] = "SELECT count(*) FROM decisions",
    [S_N_UND] = "SELECT count(*) FROM referrals r WHERE r.withdrawn_at IS NULL AND NOT EXISTS"
                " (SELECT 1 FROM decisions d WHERE d.referral_id = r.id AND d.ruleset = ?1"
                "  AND d.seq > r.superseded_seq)",
    [S_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE"
                   " SET value = excluded.value, updated_at = excluded.updated_at",
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_RECORD] = "SELECT " ST_ROW_COLUMNS ", r.json FROM referrals r WHERE r.id = ?1",
    [S_DEC_LIST] = "SELECT " ST_LOG_COLUMNS " FROM decisions d WHERE d.referral_id = ?1"
                   " ORDER BY d.seq",
};

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

/* ---------------------------------------------------------------- errors */

static void st_cat(char *buf, size_t cap, size_t *n, const char *s)
{
    size_t l = strlen(s);
    if (*n + l >= cap) l = cap - 1 - *n;
    memcpy(buf + *n, s, l);
    buf[*n += l] = '\0';
}

/* Fill err through the one constructor (which masks every part, in case a
** CPR made it into a path or an SQLite message). */
triage_code st_fail(triage_error *err, triage_code code, const char *file,
                    long line, const char *id, const char *what)
{
    return triage_error_set(err, code, file, line, id, NULL, "%s", what ? what : "");
}

triage_code st_dberr(triage_store *st, triage_error *err, const char *doing)
{
    char what[300];
    snprintf(what, sizeof what, "store: %s: %s", doing, sqlite3_errmsg(st->db));
    return st_fail(err, TRIAGE_ESTORE, NULL, 0, NULL, what);
}

/* ---------------------------------------------------------- statements */

/* Run a statement that returns no rows, and make it ready for reuse. */
int st_run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

void st_done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

void st_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

/* A text column, or NULL. */
const char *st_col(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}


/* Outside a batch, a call that runs several statements makes its own
** transaction; inside one it joins the batch. */
int st_tx_open(triage_store *st)
{
    return st->in_batch ? SQLITE_DONE : st_run(st->stmt[S_BEGIN]);
}

void st_tx_close(triage_store *st, int ok)
{
    if (st->in_batch) return;
    if (!ok || st_run(st->stmt[S_COMMIT]) != SQLITE_DONE)
        if (!sqlite3_get_autocommit(st->db)) st_run(st->stmt[S_ROLLBACK]);
}

/* ----------------------------------------------------------- open/close */

/* SQLite gives -wal and -shm the main file's mode; this makes sure. */
static void st_chmod_side(const char *path, const char *suffix)
{
    char p[4096];
    if ((size_t)snprintf(p, sizeof p, "%s%s", path, suffix) < sizeof p)
        chmod(p, 0600);
}

/* Create the schema, or bring an older one up to ST_VERSION, in one write
** transaction; the version is read again inside it, since another process
** may have done the work meanwhile. */
static int st_migrate(sqlite3 *db)
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

triage_store *triage_store_open(const char *path, triage_error *err)
{
    triage_store *st;
    int memory, version = 0, i;
    sqlite3_stmt *q;
    char what[300];

    if (!path || !*path) {
        st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no database path given");
        return NULL;
    }
    memory = strcmp(path, ":memory:") == 0;
    if (!memory) {
        /* create it ourselves so a new file is 0600 whatever the umask */
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            snprintf(what, sizeof what, "store: cannot open %s: %s", path, strerror(errno));
            st_fail(err, TRIAGE_ESTORE, NULL, 0, NULL, what);
            return NULL;
        }
        close(fd);
    }
    if (!(st = calloc(1, sizeof *st))) {
        st_fail(err, TRIAGE_ENOMEM, NULL, 0, NULL, "store: out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    /* WAL: readers (the server, run's workers) never wait for the writer.
    ** synchronous=NORMAL: a commit is not synced, a checkpoint is; a crash of
    ** the process loses nothing committed, a power cut may lose the last
    ** transactions but never corrupts, and decisions lost so are made again by
    ** the next `run` (the referrals they decide stay undecided). FULL would
    ** sync every chunk and import batch for no gain in what can be lost for
    ** good. mmap_size: reads come straight from the OS page cache, shared by
    ** every connection, instead of a read() per page into each connection's
    ** own small cache (run's workers read the same pages as the main one).
    ** 64 MiB, since mapped pages count in the process's resident size: the
    ** 2020 corpus's database (7 MB) fits whole, a bigger one is read past
    ** the mapping with read() and memory stays bounded. */
    if (sqlite3_exec(st->db, memory ? "PRAGMA foreign_keys=ON;"
                     : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                       "PRAGMA mmap_size=67108864; PRAGMA foreign_keys=ON;",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_step(q) == SQLITE_ROW) version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (version > ST_VERSION) {
        snprintf(what, sizeof what, "store: %s was made by a newer triage (schema %d)",
                 path, version);
        st_fail(err, TRIAGE_ESTORE, NULL, 0, NULL, what);
        goto fail_quiet;
    }
    if (version < ST_VERSION && st_migrate(st->db) != SQLITE_OK) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        goto fail;
    }
    for (i = 0; i < S__N; i++)
        if (sqlite3_prepare_v3(st->db, st_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &st->stmt[i], NULL) != SQLITE_OK)
            goto fail;
    if (!memory) {
        st_chmod_side(path, "-wal");
        st_chmod_side(path, "-shm");
    }
    return st;
fail:
    if (!st->db) st_fail(err, TRIAGE_ENOMEM, NULL, 0, NULL, "store: out of memory");
    else {
        snprintf(what, sizeof what, "store: cannot open %s: %s", path, sqlite3_errmsg(st->db));
        st_fail(err, TRIAGE_ESTORE, NULL, 0, NULL, what);
    }
fail_quiet:
    triage_store_close(st);
    return NULL;
}

void triage_store_close(triage_store *st)
{
    if (!st) return;
    if (st->in_batch && !sqlite3_get_autocommit(st->db))
        st_run(st->stmt[S_ROLLBACK]);
    for (int i = 0; i < S__N; i++) sqlite3_finalize(st->stmt[i]);
    for (int i = 0; i <= ST_REASONS_SQL; i++) sqlite3_finalize(st->dec_put[i]);
    for (int i = 0; i < st->ncached; i++) sqlite3_finalize(st->cached[i].s);
    sqlite3_close(st->db);
    free(st);
}

/* ----------------------------------------------- for the other tables */

sqlite3 *st_db(triage_store *st) { return st->db; }

sqlite3_stmt *st_prepared(triage_store *st, const char *sql)
{
    int i;
    for (i = 0; i < st->ncached; i++)
        if (st->cached[i].sql == sql) return st->cached[i].s;
    if (st->ncached == ST_CACHE) return NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->cached[i].s,
                           NULL) != SQLITE_OK)
        return NULL;
    st->cached[i].sql = sql;
    return st->cached[st->ncached++].s;
}

int st_write_begin(triage_store *st) { return st_tx_open(st) == SQLITE_DONE ? 0 : -1; }

int st_write_end(triage_store *st, int ok)
{
    if (st->in_batch) return ok ? 0 : -1;
    if (ok && st_run(st->stmt[S_COMMIT]) == SQLITE_DONE) return 0;
    if (!sqlite3_get_autocommit(st->db)) st_run(st->stmt[S_ROLLBACK]);
    return -1;
}

/* -------------------------------------------------------------- batches */

triage_code triage_store_begin(triage_store *st, triage_error *err)
{
    if (!st) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store");
    if (st->in_batch)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: a batch is already open");
    if (st_run(st->stmt[S_BEGIN]) != SQLITE_DONE) return st_dberr(st, err, "begin");
    st->in_batch = 1;
    return TRIAGE_OK;
}

triage_code triage_store_commit(triage_store *st, triage_error *err)
{
    if (!st) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store");
    if (!st->in_batch)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no batch is open");
    if (st_run(st->stmt[S_COMMIT]) != SQLITE_DONE) {
        triage_code c = st_dberr(st, err, "commit");
        if (!sqlite3_get_autocommit(st->db)) st_run(st->stmt[S_ROLLBACK]);
        st->in_batch = 0;
        return c;
    }
    st->in_batch = 0;
    return TRIAGE_OK;
}

triage_code triage_store_rollback(triage_store *st)
{
    if (!st || !st->in_batch) return TRIAGE_OK;
    st->in_batch = 0;
    if (sqlite3_get_autocommit(st->db)) return TRIAGE_OK;  /* SQLite already did */
    return st_run(st->stmt[S_ROLLBACK]) == SQLITE_DONE ? TRIAGE_OK : TRIAGE_ESTORE;
}

/* A deferred BEGIN takes no lock until the first read, and only a read
** lock then; COMMIT of a transaction that wrote nothing just lets go. */
int st_read_begin(triage_store *st)
{
    if (!st || st->in_batch || !sqlite3_get_autocommit(st->db)) return -1;
    return st_run(st->stmt[S_READ_BEGIN]) == SQLITE_DONE ? 0 : -1;
}

void st_read_end(triage_store *st)
{
    if (st && !st->in_batch && !sqlite3_get_autocommit(st->db))
        st_run(st->stmt[S_COMMIT]);
}

void st_read_unmapped(triage_store *st)
{
    if (st) sqlite3_exec(st->db, "PRAGMA mmap_size=0", NULL, NULL, NULL);
}

/* ------------------------------------------------------------ referrals */

static const char *st_age_band(int age)
{
    return age <= 7 ? "0-7" : age <= 13 ? "8-13" : age <= 17 ? "14-17" : "18+";
}

triage_code triage_store_put(triage_store *st, const triage_referral *r,
                             const char *source, long line, triage_error *err)
{
    if (st && r && r->origin) return lc_put(st, r, source, line, 0, err);   /* FHIR */
    return st_put_row(st, r, source, line, 0, err);
}

/* The referral's row and packed form: a new row, or (replace) the stored
** row with r's id rewritten as its next version. */
triage_code st_put_row(triage_store *st, const triage_referral *r, const char *source,
                       long line, int replace, triage_error *err)
{
    sqlite3_stmt *s;
    char received[11], birth[11], now[32], *json;
    const char *text;
    void *packed;
    size_t packed_len, text_len;
    int rc;

    if (!st || !r)
        return st_fail(err, TRIAGE_EUSAGE, source, line, NULL, "store: nothing to store");
    if (!r->raw)   /* a referral read back from a store keeps no JSON tree */
        return st_fail(err, TRIAGE_EUSAGE, source, line, r->id,
                       "store: only a parsed referral can be stored");
    /* A connection that stores referrals (an import) keeps up to 64 MiB of
    ** pages instead of SQLite's 2 MB: a big import's inserts into the CPR
    ** index land on random pages, which were read again (and, dirty,
    ** spilled to the WAL) batch after batch once the index outgrew the
    ** cache. Other connections keep the default. */
    if (!st->big_cache) {
        sqlite3_exec(st->db, "PRAGMA cache_size=-65536", NULL, NULL, NULL);
        st->big_cache = 1;
    }
    /* The record as received; written out again only when it was built
    ** from something else (a FHIR document). */
    json = r->json ? NULL : json_dumps(r->raw, JSON_COMPACT | JSON_PRESERVE_ORDER);
    text = r->json ? r->json : json;
    text_len = r->json ? r->json_len : json ? strlen(json) : 0;
    packed = text ? rp_pack(r, text, text_len, &packed_len) : NULL;
    if (!packed) {
        free(json);
        return st_fail(err, TRIAGE_ENOMEM, source, line, r->id, "store: out of memory");
    }
    s = st->stmt[replace ? S_REPLACE : S_PUT];
    dt_format(r->received, received);
    st_text(s, 1, r->id);
    st_text(s, 2, received);
    st_text(s, 3, r->cpr[0] ? r->cpr : NULL);
    if (r->birth != DT_NONE) {
        dt_format(r->birth, birth);
        st_text(s, 4, birth);
        sqlite3_bind_int(s, 5, r->age);
        st_text(s, 6, st_age_band(r->age));
    }
    st_text(s, 7, r->municipality);
    st_text(s, 8, r->referrer_kind >= 0 && r->referrer_kind < RK__N
                  ? rf_referrer_names[r->referrer_kind] : NULL);
    sqlite3_bind_text64(s, 9, text, text_len, SQLITE_STATIC, SQLITE_UTF8);
    st_text(s, 10, source);
    sqlite3_bind_int64(s, 11, line);
    dt_now_iso(now);
    st_text(s, 12, now);
    rc = st_run(s);
    free(json);
    if (replace && rc == SQLITE_DONE && sqlite3_changes(st->db) == 0) {
        free(packed);
        return st_fail(err, TRIAGE_ENOTFOUND, source, line, r->id,
                       "no referral with this id is stored to update");
    }
    if (rc == SQLITE_DONE) {
        /* Only a cache: a referral without it is parsed from its JSON, so
        ** failing to store it fails nothing. */
        s = st->stmt[S_PACK];
        st_text(s, 1, r->id);
        sqlite3_bind_blob64(s, 2, packed, packed_len, SQLITE_STATIC);
        st_run(s);
    }
    free(packed);
    if (rc == SQLITE_DONE) return TRIAGE_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        st_fail(err, TRIAGE_EDUPLICATE, source, line, r->id,
                "id: a referral with this id is already stored");
        if (err) strcpy(err->field, "id");
        return TRIAGE_EDUPLICATE;
    }
    {
        char what[300];
        snprintf(what, sizeof what, "store: %s", sqlite3_errmsg(st->db));
        return st_fail(err, TRIAGE_ESTORE, source, line, r->id, what);
    }
}

triage_code triage_store_quarantine(triage_store *st, const char *raw,
                                    size_t raw_len, const triage_error *why,
                                    triage_error *err)
{
    sqlite3_stmt *s;
    if (!st) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store");
    s = st->stmt[S_QUAR];
    if (why) {
        st_text(s, 1, why->file[0] ? why->file : NULL);
        sqlite3_bind_int64(s, 2, why->line);
        st_text(s, 3, why->id[0] ? why->id : NULL);
        st_text(s, 4, why->field[0] ? why->field : NULL);
        st_text(s, 5, why->text[0] ? why->text : why->msg ? why->msg : "invalid record");
    } else
        st_text(s, 5, "invalid record");
    if (raw) sqlite3_bind_text64(s, 6, raw, raw_len, SQLITE_STATIC, SQLITE_UTF8);
    if (st_run(s) != SQLITE_DONE) return st_dberr(st, err, "quarantine");
    return TRIAGE_OK;
}

/* A stored record: json, source, line from column col on, and the packed
** form at column packed (-1: parse the JSON). The packed form is used only
** while it still matches the JSON text; otherwise (an older row, or one
** damaged or edited since import) the JSON is parsed and validated again,
** and an error is labelled with where the record first came from. */
triage_referral *st_parse_row(sqlite3_stmt *s, int col, int packed, triage_error *err)
{
    const char *json = (const char *)sqlite3_column_text(s, col);
    int len = sqlite3_column_bytes(s, col);
    if (packed >= 0 && json && sqlite3_column_type(s, packed) == SQLITE_BLOB) {
        triage_referral *r = rp_unpack(sqlite3_column_blob(s, packed),
                                       (size_t)sqlite3_column_bytes(s, packed),
                                       json, (size_t)len);
        if (r) return r;
    }
    const char *source = (const char *)sqlite3_column_text(s, col + 1);
    long line = (long)sqlite3_column_int64(s, col + 2);
    return triage_referral_parse(json ? json : "", (size_t)len, source, line, err);
}

triage_referral *triage_store_get(triage_store *st, const char *id, triage_error *err)
{
    sqlite3_stmt *s;
    triage_referral *r = NULL;
    int rc;
    if (!st || !id) {
        st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store or no id");
        return NULL;
    }
    s = st->stmt[S_GET];
    st_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) r = st_parse_row(s, 0, -1, err);
    else if (rc == SQLITE_DONE)
        st_fail(err, TRIAGE_ENOTFOUND, NULL, 0, id, "no referral with this id is stored");
    else
        st_dberr(st, err, "get");
    st_done(s);
    return r;
}

/* Rows are read ST_CHUNK at a time, keyset-paginated on (received, id), and
** the callback runs only after the statement is reset: a callback may then
** use the store (history, put_decision) while the iteration goes on. */
triage_code triage_store_each_undecided(triage_store *st, const char *hash,
                                        triage_referral_fn fn, void *ud,
                                        triage_error *err)
{
    triage_referral **chunk;
    char last_recv[16] = "", last_id[320] = "";
    triage_code code = TRIAGE_OK;
    int n, i, rc, stop = 0;
    sqlite3_stmt *s;

    if (!st || !hash || !fn)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store, hash or callback");
    if (!(chunk = malloc(ST_CHUNK * sizeof *chunk)))
        return st_fail(err, TRIAGE_ENOMEM, NULL, 0, NULL, "store: out of memory");
    s = st->stmt[S_UNDECIDED];
    while (!stop) {
        sqlite3_bind_text(s, 1, last_recv, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, last_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, ST_CHUNK);
        for (n = 0; (rc = sqlite3_step(s)) == SQLITE_ROW; n++) {
            if (!(chunk[n] = st_parse_row(s, 2, 5, err))) {
                code = err ? err->code : TRIAGE_ESTORE;
                if (code == TRIAGE_OK) code = TRIAGE_ESTORE;
                break;
            }
            if (n == ST_CHUNK - 1) {            /* where the next query goes on */
                snprintf(last_recv, sizeof last_recv, "%s", st_col(s, 0));
                snprintf(last_id, sizeof last_id, "%s", st_col(s, 1));
            }
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) code = st_dberr(st, err, "undecided");
        st_done(s);
        for (i = 0; i < n; i++) {
            if (!stop && code == TRIAGE_OK) stop = fn(ud, chunk[i]) != 0;
            else triage_referral_free(chunk[i]);
        }
        if (code != TRIAGE_OK || n < ST_CHUNK) break;
    }
    free(chunk);
    return code;
}

long triage_store_count(triage_store *st, const char *what, const char *hash)
{
    sqlite3_stmt *s;
    long n = -1;
    if (!st || !what) return -1;
    if (!strcmp(what, "referrals")) s = st->stmt[S_N_REF];
    else if (!strcmp(what, "quarantine")) s = st->stmt[S_N_QUAR];
    else if (!strcmp(what, "decisions")) s = st->stmt[S_N_DEC];
    else if (!strcmp(what, "undecided") && hash) {
        s = st->stmt[S_N_UND];
        sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
    } else
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW) n = (long)sqlite3_column_int64(s, 0);
    st_done(s);
    return n;
}

/* ------------------------------------------------------------ decisions */

/* The insert of a decision with n reasons: for n <= ST_REASONS_SQL the
** reasons array is built in the statement from each reason's rule and text
** (parameters 11, 12, 13, ...), which costs a third of building it with
** jansson and writing it out; NULL (out of memory) or S_DEC_PUT otherwise. */
static sqlite3_stmt *st_dec_stmt(triage_store *st, int n)
{
    if (n > ST_REASONS_SQL) return st->stmt[S_DEC_PUT];
    if (st->dec_put[n]) return st->dec_put[n];
    static const char head[] = "INSERT INTO decisions(referral_id, ruleset, outcome, target,"
        " unit, priority, deadline, missing, request_from, decided_at, reasons)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, json_array(";
    char sql[sizeof head + ST_REASONS_SQL * 48 + 4];
    size_t k = sizeof head - 1;
    memcpy(sql, head, k);
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(sql + k, sizeof sql - k, "%sjson_object('rule', ?%d, 'text', ?%d)",
                              i ? ", " : "", 11 + 2 * i, 12 + 2 * i);
    snprintf(sql + k, sizeof sql - k, "))");
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->dec_put[n],
                           NULL) != SQLITE_OK)
        return NULL;
    return st->dec_put[n];
}

triage_code triage_store_put_decision(triage_store *st, const triage_decision *d,
                                      triage_error *err)
{
    sqlite3_stmt *s;
    char *missing = NULL, *reasons = NULL, day[11], now[32];
    const char *outcome;
    triage_code code = TRIAGE_OK;
    int rc;

    if (!st || !d) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no decision");
    if (d->outcome < TRIAGE_ACCEPT || d->outcome > TRIAGE_MANUAL_REVIEW)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, d->id, "store: decision has no outcome");
    outcome = triage_outcome_name(d->outcome);
    if (d->nreasons > ST_REASONS_SQL && !(reasons = dc_reasons_json(d)))
        return st_fail(err, TRIAGE_ENOMEM, NULL, 0, d->id, "store: out of memory");
    if (d->outcome == TRIAGE_REQUEST_INFO && !(missing = dc_missing_json(d))) {
        free(reasons);
        return st_fail(err, TRIAGE_ENOMEM, NULL, 0, d->id, "store: out of memory");
    }
    if (st_tx_open(st) != SQLITE_DONE) {
        code = st_dberr(st, err, "begin");
        goto out;
    }
    if (!(s = st_dec_stmt(st, d->nreasons))) {
        code = st_dberr(st, err, "put decision");
        st_tx_close(st, 0);
        goto out;
    }
    st_text(s, 1, d->id);
    st_text(s, 2, d->ruleset);
    st_text(s, 3, outcome);
    st_text(s, 4, triage_decision_target(d));
    st_text(s, 5, d->unit[0] ? d->unit : NULL);
    st_text(s, 6, d->priority >= 0 && d->priority < 3 ? dc_priority_names[d->priority] : NULL);
    if (d->deadline != DT_NONE) {
        dt_format(d->deadline, day);
        st_text(s, 7, day);
    }
    st_text(s, 8, missing);
    st_text(s, 9, d->request_from >= 0 && d->request_from < 2
                  ? dc_request_names[d->request_from] : NULL);
    dt_now_iso(now);
    st_text(s, 10, now);
    if (reasons)
        st_text(s, 11, reasons);
    else
        for (int i = 0; i < d->nreasons; i++) {
            st_text(s, 11 + 2 * i, d->reasons[i].rule);
            st_text(s, 12 + 2 * i, d->reasons[i].text);
        }
    rc = st_run(s);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        code = st_fail(err, TRIAGE_ENOTFOUND, NULL, 0, d->id,
                       "no referral with this id is stored");
    else if (rc != SQLITE_DONE)
        code = st_dberr(st, err, "put decision");
    else {
        s = st->stmt[S_DEC_STATUS];
        st_text(s, 1, d->id);
        st_text(s, 2, outcome);
        if (st_run(s) != SQLITE_DONE) code = st_dberr(st, err, "put decision");
    }
    st_tx_close(st, code == TRIAGE_OK);
out:
    free(reasons);
    free(missing);
    return code;
}

/* -------------------------------------------------------------- history */

int st_history(triage_store *st, const char *cpr, int32_t received,
               const char *id, const char *hash, st_prior *out, int max)
{
    sqlite3_stmt *s;
    char day[11];
    int n = 0, rc;
    if (!st || !cpr || !id) return -1;
    s = st->stmt[S_HISTORY];
    dt_format(received, day);
    sqlite3_bind_text(s, 1, cpr, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
    st_text(s, 4, hash);
    hs_place here = {cpr, received, id};
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *v = st_col(s, 1);
        hs_place there = {cpr, DT_NONE, st_col(s, 0)};
        if (!there.id || !v || !dt_parse_iso(v, strlen(v), &there.received) ||
            !hs_is_prior(&there, &here))
            continue;                  /* the index range found it; the predicate decides */
        if (n < max && out) {
            st_prior *p = &out[n];
            snprintf(p->id, sizeof p->id, "%s", there.id);
            p->received = there.received;
            v = st_col(s, 2);
            snprintf(p->outcome, sizeof p->outcome, "%s", v ? v : "");
            v = st_col(s, 3);
            snprintf(p->target, sizeof p->target, "%s", v ? v : "");
        }
        n++;
    }
    st_done(s);
    return rc == SQLITE_DONE ? n : -1;
}

/* ----------------------------------------------------------------- meta */

triage_code triage_store_meta_set(triage_store *st, const char *key, const char *value,
                                  triage_error *err)
{
    if (!st || !key || !value)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: meta needs a key and a value");
    sqlite3_stmt *s = st->stmt[S_META_SET];
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = st_run(s);
    st_done(s);
    return rc == SQLITE_DONE ? TRIAGE_OK : st_dberr(st, err, "meta");
}

char *triage_store_meta_get(triage_store *st, const char *key)
{
    if (!st || !key)
        return NULL;
    sqlite3_stmt *s = st->stmt[S_META_GET];
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = strdup((const char *)sqlite3_column_text(s, 0));
    st_done(s);
    return v;
}

/* ------------------------------------------------------------ work list */

static void st_row_at(sqlite3_stmt *s, triage_row *row)
{
    row->id = st_col(s, 0);
    row->received = st_col(s, 1);
    row->municipality = st_col(s, 2);
    row->age_band = st_col(s, 3);
    row->referrer_kind = st_col(s, 4);
    row->status = st_col(s, 5);
    row->imported_at = st_col(s, 6);
    row->review = st_col(s, 7);
    row->assignee = st_col(s, 8);
    row->json = NULL;
}

/* The decision whose ST_LOG_COLUMNS start at column col, rebuilt; NULL when
** the row has none (a LEFT JOIN without a match) or it does not read back. */
triage_decision *st_logged_at(sqlite3_stmt *s, int col, const char *id, triage_logged *l)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL) return NULL;
    dc_logged c = {id, st_col(s, col + 2), st_col(s, col + 3), st_col(s, col + 4),
                   st_col(s, col + 5), st_col(s, col + 6), st_col(s, col + 7),
                   st_col(s, col + 8), st_col(s, col + 9), st_col(s, col + 10)};
    triage_decision *d = dc_from_log(&c);
    l->seq = (long)sqlite3_column_int64(s, col);
    l->decided_at = st_col(s, col + 1);
    l->decision = d;
    return d;
}

/* The filters present, in one order, so that the SQL text and the bindings
** agree. The WHERE clause names only the filters given: each combination
** gets the plan that fits it (status, received and the decision index). */
static const struct { size_t off; const char *sql; } st_filters[] = {
    {offsetof(triage_query, outcome), " AND r.status = ?"},
    {offsetof(triage_query, target), " AND d.target = ?"},
    {offsetof(triage_query, unit), " AND d.unit = ?"},
    {offsetof(triage_query, priority), " AND d.priority = ?"},
    {offsetof(triage_query, from), " AND r.received >= ?"},
    {offsetof(triage_query, to), " AND r.received <= ?"},
    {offsetof(triage_query, due), " AND d.deadline <= ?"},
    {offsetof(triage_query, review), " AND " ST_REVIEW_STATUS " = ?"},
    {offsetof(triage_query, assignee), " AND coalesce(" ST_ASSIGNEE ", '-') = ?"},
};

static const char *st_filter(const triage_query *q, int i)
{
    const char *v = *(const char *const *)((const char *)q + st_filters[i].off);
    return v && *v ? v : NULL;
}

/* Build the list or count statement for q. like is the q pattern's storage. */
static sqlite3_stmt *st_list_stmt(triage_store *st, const triage_query *q, int count,
                                  char *like, size_t like_cap)
{
    char sql[4096];
    size_t n = 0;
    sqlite3_stmt *s = NULL;
    int nf = (int)(sizeof st_filters / sizeof st_filters[0]), i, b = 1;
    sql[0] = '\0';
    st_cat(sql, sizeof sql, &n, count
        ? "SELECT count(*)"
        : "SELECT " ST_ROW_COLUMNS ", " ST_LOG_COLUMNS);
    st_cat(sql, sizeof sql, &n, " FROM referrals r LEFT JOIN decisions d ON d.seq ="
           " (SELECT max(seq) FROM decisions x WHERE x.referral_id = r.id"
           "  AND x.seq > r.superseded_seq) WHERE 1");
    for (i = 0; i < nf; i++)
        if (st_filter(q, i)) st_cat(sql, sizeof sql, &n, st_filters[i].sql);
    if (q->q && *q->q)
        st_cat(sql, sizeof sql, &n, " AND (r.id LIKE ?1000 ESCAPE '\\'"
               " OR r.municipality LIKE ?1000 ESCAPE '\\')");
    if (!count) {
        st_cat(sql, sizeof sql, &n, q->due && *q->due
               ? " ORDER BY d.deadline, r.received, r.id LIMIT ?1001 OFFSET ?1002"
               : " ORDER BY r.received DESC, r.id DESC LIMIT ?1001 OFFSET ?1002");
    }
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) return NULL;
    for (i = 0; i < nf; i++)
        if (st_filter(q, i)) sqlite3_bind_text(s, b++, st_filter(q, i), -1, SQLITE_STATIC);
    if (q->q && *q->q) {
        size_t k = 0;
        like[k++] = '%';
        for (const char *p = q->q; *p && k + 3 < like_cap; p++) {
            if (*p == '%' || *p == '_' || *p == '\\') like[k++] = '\\';
            like[k++] = *p;
        }
        like[k++] = '%';
        like[k] = '\0';
        sqlite3_bind_text(s, 1000, like, -1, SQLITE_STATIC);
    }
    if (!count) {
        long limit = q->limit > 0 ? q->limit : TRIAGE_LIST_LIMIT;
        sqlite3_bind_int64(s, 1001, limit > TRIAGE_LIST_LIMIT_MAX ? TRIAGE_LIST_LIMIT_MAX : limit);
        sqlite3_bind_int64(s, 1002, q->offset > 0 ? q->offset : 0);
    }
    return s;
}

/* Preparing per call costs microseconds against a page of rows read; the
** filter combination, not a fixed statement, should pick the index. */
triage_code triage_store_list(triage_store *st, const triage_query *q, long *total,
                              triage_row_fn fn, void *ud, triage_error *err)
{
    triage_query none;
    sqlite3_stmt *s;
    char like[512];
    int rc, stop = 0;

    if (!st || !fn) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store or callback");
    if (!q) { memset(&none, 0, sizeof none); q = &none; }
    if (total) {
        if (!(s = st_list_stmt(st, q, 1, like, sizeof like))) return st_dberr(st, err, "list");
        *total = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
        sqlite3_finalize(s);
    }
    if (!(s = st_list_stmt(st, q, 0, like, sizeof like))) return st_dberr(st, err, "list");
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        triage_row row;
        triage_logged l;
        st_row_at(s, &row);
        triage_decision *d = st_logged_at(s, ST_ROW_N, row.id, &l);
        if (!d && sqlite3_column_type(s, ST_ROW_N) != SQLITE_NULL) {
            sqlite3_finalize(s);
            return st_fail(err, TRIAGE_ESTORE, NULL, 0, row.id, "store: a logged decision does not read back");
        }
        stop = fn(ud, &row, d ? &l : NULL, d ? 1 : 0) != 0;
        triage_decision_free(d);
    }
    triage_code code = stop || rc == SQLITE_DONE ? TRIAGE_OK : st_dberr(st, err, "list");
    sqlite3_finalize(s);
    return code;
}

/* The record's row stays current while its log is read, so that its strings
** live through the callback; each log row's time is copied, its statement
** moving on. */
typedef char st_time[40];

triage_code triage_store_record(triage_store *st, const char *id, triage_row_fn fn, void *ud,
                                triage_error *err)
{
    sqlite3_stmt *s, *ls;
    triage_logged *log = NULL;
    st_time *at = NULL;
    int n = 0, cap = 0, rc;
    triage_code code = TRIAGE_OK;

    if (!st || !id || !fn) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store, id or callback");
    s = st->stmt[S_RECORD];
    st_text(s, 1, id);
    if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
        code = rc == SQLITE_DONE
            ? st_fail(err, TRIAGE_ENOTFOUND, NULL, 0, id, "no referral with this id is stored")
            : st_dberr(st, err, "record");
        st_done(s);
        return code;
    }
    triage_row row;
    st_row_at(s, &row);
    row.json = st_col(s, ST_ROW_N);
    ls = st->stmt[S_DEC_LIST];
    st_text(ls, 1, id);
    while (code == TRIAGE_OK && (rc = sqlite3_step(ls)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            triage_logged *p = realloc(log, (size_t)cap * sizeof *p);
            if (p) log = p;
            st_time *q = p ? realloc(at, (size_t)cap * sizeof *q) : NULL;
            if (q) at = q;
            if (!p || !q) { code = st_fail(err, TRIAGE_ENOMEM, NULL, 0, NULL, "store: out of memory"); break; }
        }
        if (!st_logged_at(ls, 0, row.id, &log[n])) {
            code = st_fail(err, TRIAGE_ESTORE, NULL, 0, row.id, "store: a logged decision does not read back");
            break;
        }
        snprintf(at[n], sizeof at[n], "%s", log[n].decided_at ? log[n].decided_at : "");
        log[n].decided_at = at[n];
        n++;
    }
    if (code == TRIAGE_OK && rc != SQLITE_DONE) code = st_dberr(st, err, "record");
    if (code == TRIAGE_OK) fn(ud, &row, log, n);
    for (int i = 0; i < n; i++) triage_decision_free((triage_decision *)log[i].decision);
    free(log);
    free(at);
    st_done(ls);
    st_done(s);
    return code;
}
