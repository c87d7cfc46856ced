/*
** store.c — the SQLite store's connection: opened in WAL mode, file mode
** 0600, its schema brought up to date (store_schema.c), every statement
** prepared once; transactions and batches; and the writes: referrals as
** received, quarantined records, the append-only decision log, meta. What
** is read back is store_read.c's and store_list.c's.
*/
#include <errno.h>
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
#include "store_handle.h"
#include "store_run.h"
#include "refpack.h"

static const char *const st_sql[S__N] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    /* imported_at as decided_at: stamped in C, not by SQL's strftime() */
    /* ?13 has_earlier: st_put_row asks S_CHILD first (store_schema.c) */
    [S_PUT] = "INSERT INTO referrals(id, received, cpr, birth_date, age, age_band,"
              " municipality, referrer_kind, json, source, line, imported_at, has_earlier)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    /* update-referral (lifecycle.c): the same columns, a new version, and
    ** every decision so far marks an earlier one */
    [S_REPLACE] = "UPDATE referrals SET received = ?2, cpr = ?3, birth_date = ?4, age = ?5,"
                  " age_band = ?6, municipality = ?7, referrer_kind = ?8, json = ?9,"
                  " source = ?10, line = ?11, version = version + 1,"
                  " superseded_seq = (SELECT coalesce(max(seq), 0) FROM decisions),"
                  " imported_at = ?12, has_earlier = ?13 WHERE id = ?1",
    /* Where the child's other referrals sort against the one being written
    ** (the CPR index alone, whose page the write needs next): has_earlier
    ** for it, and whether S_LATER must mark ones after it (store_schema.c) */
    [S_CHILD] = "SELECT (received, id) < (?2, ?3) FROM referrals WHERE cpr = ?1 AND id != ?3",
    [S_LATER] = "UPDATE referrals SET has_earlier = 1 WHERE cpr = ?1"
                " AND (received, id) > (?2, ?3) AND has_earlier = 0",
    [S_PACK] = "INSERT OR REPLACE INTO referral_packed(id, packed) VALUES(?1, ?2)",
    [S_READ_BEGIN] = "BEGIN",
    [S_QUAR] = "INSERT INTO quarantine(source, line, record_id, field, error, raw)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_GET] = "SELECT json, source, line FROM referrals WHERE id = ?1",
    [S_UNDECIDED] =
        "SELECT r.received, r.id, r.json, r.source, r.line, p.packed, r.has_earlier"
        " FROM referrals r LEFT JOIN referral_packed p ON p.id = r.id"
        " WHERE (r.received, r.id) > (?1, ?2) AND r.withdrawn_at IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM decisions d WHERE d.referral_id = r.id AND d.ruleset = ?3"
        "  AND d.seq > r.superseded_seq)"
        " ORDER BY r.received, r.id LIMIT ?4",
    /* reasons as JSON text; st_dec_stmt has SQL build it for up to
    ** ST_REASONS_SQL reasons */
    [S_DEC_PUT] = "INSERT INTO decisions(referral_id, ruleset, outcome, target, unit,"
                  " priority, deadline, missing, request_from, decided_at, reasons)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
    [S_DATA_VERSION] = "PRAGMA data_version",
    [S_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE"
                   " SET value = excluded.value, updated_at = excluded.updated_at",
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_RECORD] = "SELECT " ST_ROW_COLUMNS ", r.json FROM referrals r WHERE r.id = ?1",
    [S_DEC_LIST] = "SELECT " ST_LOG_COLUMNS " FROM decisions d WHERE d.referral_id = ?1"
                   " ORDER BY d.seq",
};
/* ---------------------------------------------------------------- errors */

/* Fill err through the one constructor (which masks every part, in case a
** CPR made it into a path or an SQLite message). */
triage_code st_fail(triage_error *err, triage_code code, const char *file,
                    long line, const char *id, const char *what)
{
    return triage_error_set(err, code, file, line, id, NULL, "%s", what ? what : "");
}

triage_code st_dberr_at(triage_store *st, triage_error *err, const char *doing,
                        const char *file, long line, const char *id)
{
    char what[400];
    int ec = sqlite3_errcode(st->db) & 0xff;
    int failed = ec != SQLITE_OK && ec != SQLITE_ROW && ec != SQLITE_DONE;
    if (!st_batch_lost(st))
        snprintf(what, sizeof what, "store: %s: %s", doing, sqlite3_errmsg(st->db));
    else          /* the cause (disk full, I/O error) first, where SQLite still has it */
        snprintf(what, sizeof what, "store: %s: %s%sthe batch's transaction was rolled back",
                 doing, failed ? sqlite3_errmsg(st->db) : "", failed ? "; " : "");
    return st_fail(err, TRIAGE_ESTORE, file, line, id, what);
}

triage_code st_dberr(triage_store *st, triage_error *err, const char *doing)
{
    return st_dberr_at(st, err, doing, NULL, 0, NULL);
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


/* A batch is open but SQLite has no transaction any more: it rolled the
** batch's back after an error (FULL, IOERR, ...). */
int st_batch_lost(const triage_store *st)
{
    return st->in_batch && sqlite3_get_autocommit(st->db);
}

/* Outside a batch, a call that runs several statements makes its own
** transaction; inside one it joins the batch's. Once SQLite has rolled that
** back (after FULL, IOERR, ...: st_batch_lost), nothing more is written in
** the batch: each write would be committed alone, as if the batch had held. */
int st_tx_open(triage_store *st)
{
    if (!st->in_batch) return st_run(st->stmt[S_BEGIN]);
    return st_batch_lost(st) ? SQLITE_ABORT : SQLITE_DONE;
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
    if (version > st_schema_version()) {
        snprintf(what, sizeof what, "store: %s was made by a newer triage (schema %d)",
                 path, version);
        st_fail(err, TRIAGE_ESTORE, NULL, 0, NULL, what);
        goto fail_quiet;
    }
    if (version < st_schema_version() && st_migrate(st->db) != SQLITE_OK) {
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

void triage_store_defer_checkpoints(triage_store *st)
{
    if (st)
        sqlite3_wal_autocheckpoint(st->db, 0);
}

triage_code triage_store_checkpoint(triage_store *st, triage_error *err)
{
    int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    /* BUSY: another connection is checkpointing right now; that one does it */
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return st_dberr(st, err, "checkpoint");
    return TRIAGE_OK;
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
    if (st->in_batch) return ok && !st_batch_lost(st) ? 0 : -1;
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

/* S_CHILD's and S_LATER's parameters: r's child and where r sorts. */
static sqlite3_stmt *st_child_stmt(triage_store *st, int slot, const triage_referral *r,
                                   const char *received)
{
    sqlite3_stmt *s = st->stmt[slot];
    st_text(s, 1, r->cpr);
    st_text(s, 2, received);
    st_text(s, 3, r->id);
    return s;
}

/* r among its child's other referrals: *earlier when one sorts before it
** (S_CHILD), and the ones after it marked as having an earlier one
** (S_LATER), before r is written: should the write fail, they are only
** marked when they need not be. An S_CHILD error counts as both (a
** history asked for, the later ones marked) and is returned only when it
** rolled the transaction back. SQLITE_DONE, or the error. */
static int st_child_place(triage_store *st, const triage_referral *r, const char *received,
                          int *earlier)
{
    sqlite3_stmt *s = st_child_stmt(st, S_CHILD, r, received);
    int rc, later = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (sqlite3_column_int(s, 0)) *earlier = 1;
        else later = 1;
    }
    if (rc != SQLITE_DONE) *earlier = later = 1;
    st_done(s);
    if (rc != SQLITE_DONE && sqlite3_get_autocommit(st->db))
        return rc;
    return later ? st_run(st_child_stmt(st, S_LATER, r, received)) : SQLITE_DONE;
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
    int rc, own, earlier = 0, missing = 0;

    if (!st || !r)
        return st_fail(err, TRIAGE_EUSAGE, source, line, NULL, "store: nothing to store");
    if (!r->raw)   /* a referral read back from a store keeps no JSON tree */
        return st_fail(err, TRIAGE_EUSAGE, source, line, r->id,
                       "store: only a parsed referral can be stored");
    if (st_batch_lost(st))
        return st_dberr_at(st, err, "put", source, line, r->id);
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
    /* With no transaction open (a batch has one: checked above), one of its
    ** own (BEGIN IMMEDIATE): the child's rows cannot change between S_CHILD
    ** and the write. */
    own = sqlite3_get_autocommit(st->db);
    rc = own ? st_run(st->stmt[S_BEGIN]) : SQLITE_DONE;
    dt_format(r->received, received);
    if (rc == SQLITE_DONE && r->cpr[0])
        rc = st_child_place(st, r, received, &earlier);
    if (rc == SQLITE_DONE) {
        s = st->stmt[replace ? S_REPLACE : S_PUT];
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
        sqlite3_bind_int(s, 13, earlier);
        rc = st_run(s);
        if (replace && rc == SQLITE_DONE && sqlite3_changes(st->db) == 0)
            missing = 1;
    }
    free(json);
    if (rc == SQLITE_DONE && !missing) {
        /* Only a cache: a referral without it is parsed from its JSON, so
        ** failing to store it fails nothing. */
        s = st->stmt[S_PACK];
        st_text(s, 1, r->id);
        sqlite3_bind_blob64(s, 2, packed, packed_len, SQLITE_STATIC);
        st_run(s);
    }
    free(packed);
    if (own && rc == SQLITE_DONE && !missing)
        rc = st_run(st->stmt[S_COMMIT]);
    /* SQLite's error said before a rollback makes it "not an error" */
    triage_code code = TRIAGE_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_CONSTRAINT_PRIMARYKEY && rc != SQLITE_CONSTRAINT_UNIQUE)
        code = st_dberr_at(st, err, "put", source, line, r->id);
    if (own && !sqlite3_get_autocommit(st->db))
        st_run(st->stmt[S_ROLLBACK]);
    if (missing)
        return st_fail(err, TRIAGE_ENOTFOUND, source, line, r->id,
                       "no referral with this id is stored to update");
    if (rc == SQLITE_DONE) return TRIAGE_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        st_fail(err, TRIAGE_EDUPLICATE, source, line, r->id,
                "id: a referral with this id is already stored");
        if (err) strcpy(err->field, "id");
        return TRIAGE_EDUPLICATE;
    }
    return code;
}

triage_code triage_store_quarantine(triage_store *st, const char *raw,
                                    size_t raw_len, const triage_error *why,
                                    triage_error *err)
{
    sqlite3_stmt *s;
    if (!st) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store");
    if (st_batch_lost(st))        /* else it would be committed alone */
        return st_dberr_at(st, err, "quarantine", why && why->file[0] ? why->file : NULL,
                           why ? why->line : 0, why && why->id[0] ? why->id : NULL);
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
    if (st_batch_lost(st))
        return st_dberr_at(st, err, "put decision", NULL, 0, d->id);
    outcome = triage_outcome_name(d->outcome);
    if (d->nreasons > ST_REASONS_SQL && !(reasons = dc_reasons_json(d)))
        return st_fail(err, TRIAGE_ENOMEM, NULL, 0, d->id, "store: out of memory");
    if (d->outcome == TRIAGE_REQUEST_INFO && !(missing = dc_missing_json(d))) {
        free(reasons);
        return st_fail(err, TRIAGE_ENOMEM, NULL, 0, d->id, "store: out of memory");
    }
    if (st_tx_open(st) != SQLITE_DONE) {
        code = st_dberr_at(st, err, "begin", NULL, 0, d->id);
        goto out;
    }
    if (!(s = st_dec_stmt(st, d->nreasons))) {
        code = st_dberr_at(st, err, "put decision", NULL, 0, d->id);
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
        code = st_dberr_at(st, err, "put decision", NULL, 0, d->id);
    st_tx_close(st, code == TRIAGE_OK);
out:
    free(reasons);
    free(missing);
    return code;
}

/* ----------------------------------------------------------------- meta */

triage_code triage_store_meta_set(triage_store *st, const char *key, const char *value,
                                  triage_error *err)
{
    if (!st || !key || !value)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: meta needs a key and a value");
    if (st_batch_lost(st))        /* else it would be committed alone */
        return st_dberr(st, err, "meta");
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

