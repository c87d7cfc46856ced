/*
** lifecycle.c — a referral's life in the store as FHIR messages tell it:
** the document as sent kept beside the row, new versions that replace the
** stored one (update-referral), withdrawal (cancel-referral), every message
** id once (a message sent again changes nothing), and the changes kept.
*/
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "date.h"
#include "fhir.h"
#include "referral.h"
#include "store.h"

/* Schema step 4 (in store_schema.c's list). The FHIR sent lives beside the
** row, like the packed form (until step 7 `run` rewrote every row it
** decided). A decision of an earlier version is one whose seq is at most
** superseded_seq; a withdrawn referral has withdrawn_at. */
const char lc_schema[] =
    "ALTER TABLE referrals ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE referrals ADD COLUMN superseded_seq INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE referrals ADD COLUMN withdrawn_at TEXT;"
    "CREATE TABLE referral_fhir("
    " id TEXT PRIMARY KEY NOT NULL REFERENCES referrals(id),"
    " message_id TEXT, event TEXT, request_id TEXT, task_id TEXT NOT NULL, fhir TEXT)"
    " WITHOUT ROWID;"
    "CREATE INDEX referral_fhir_request ON referral_fhir(request_id);"
    "CREATE UNIQUE INDEX referral_fhir_task ON referral_fhir(task_id);"
    "CREATE TABLE referral_changes("
    " seq INTEGER PRIMARY KEY,"
    " referral_id TEXT NOT NULL REFERENCES referrals(id),"
    " event TEXT NOT NULL CHECK (event IN ('new-referral','update-referral','cancel-referral')),"
    " message_id TEXT UNIQUE, version INTEGER NOT NULL, source TEXT, line INTEGER,"
    " replaced TEXT, replaced_fhir TEXT, fhir TEXT,"
    " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
    "CREATE INDEX referral_changes_referral ON referral_changes(referral_id, seq);"
    "CREATE TRIGGER referral_changes_no_update BEFORE UPDATE ON referral_changes"
    " BEGIN SELECT RAISE(ABORT, 'referral changes are append-only'); END;"
    "CREATE TRIGGER referral_changes_no_delete BEFORE DELETE ON referral_changes"
    " BEGIN SELECT RAISE(ABORT, 'referral changes are append-only'); END;";

/* Statement slots (st_stmt). */
enum { LC_SAVEPOINT, LC_RELEASE, LC_ROLLBACK_TO, LC_SEEN, LC_STATE, LC_FHIR, LC_FHIR_DROP, LC_CHANGE, LC_WITHDRAW, LC_CHANGES,
       LC_EXISTS, LC_CURRENT, LC_EACH, LC_FIND_TASK, LC_FIND_REQUEST };

static const char *const lc_sql[] = {
    [LC_SAVEPOINT] = "SAVEPOINT lc",
    [LC_RELEASE] = "RELEASE lc",
    [LC_ROLLBACK_TO] = "ROLLBACK TO lc",
    [LC_SEEN] = "SELECT 1 FROM referral_changes WHERE message_id = ?1",
    [LC_STATE] = "SELECT r.version, r.withdrawn_at, r.json, f.fhir FROM referrals r"
                 " LEFT JOIN referral_fhir f ON f.id = r.id WHERE r.id = ?1",
    [LC_FHIR] = "INSERT OR REPLACE INTO referral_fhir(id, message_id, event, request_id,"
                " task_id, fhir) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [LC_FHIR_DROP] = "DELETE FROM referral_fhir WHERE id = ?1",
    [LC_CHANGE] = "INSERT INTO referral_changes(referral_id, event, message_id, version,"
                  " source, line, replaced, replaced_fhir, fhir)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [LC_WITHDRAW] = "UPDATE referrals SET withdrawn_at = ?2 WHERE id = ?1",
    [LC_CHANGES] = "SELECT seq, at, event, message_id, version, source, line, replaced,"
                   " replaced_fhir FROM referral_changes WHERE referral_id = ?1 ORDER BY seq",
    [LC_EXISTS] = "SELECT 1 FROM referrals WHERE id = ?1",
#define LC_CURRENT_SQL                                                                   \
    "SELECT r.id, r.json, r.source, r.line, r.version, r.withdrawn_at, f.fhir, "          \
    ST_LOG_COLUMNS " FROM referrals r LEFT JOIN referral_fhir f ON f.id = r.id"           \
    " LEFT JOIN decisions d ON d.seq = (SELECT max(seq) FROM decisions x"                \
    "  WHERE x.referral_id = r.id AND x.seq > r.superseded_seq)"
    [LC_CURRENT] = LC_CURRENT_SQL " WHERE r.id = ?1",
    [LC_EACH] = LC_CURRENT_SQL " ORDER BY r.received, r.id",
    [LC_FIND_TASK] = "SELECT id FROM referral_fhir WHERE task_id = ?1",
    [LC_FIND_REQUEST] = "SELECT id FROM referral_fhir WHERE request_id = ?1 ORDER BY id LIMIT 1",
};
enum { LC_COL_LOG = 7 };   /* where ST_LOG_COLUMNS start in LC_CURRENT_SQL */

static sqlite3_stmt *lc_stmt(triage_store *st, int slot)
{
    return st_prepared(st, lc_sql[slot]);
}

/* A change is all or nothing: its own transaction, or inside a batch (or
** any open transaction) a savepoint, so that a refusal halfway leaves the
** batch as it was. *sp says which; 0, or -1 when it cannot begin. */
static int lc_begin(triage_store *st, int *sp)
{
    *sp = !sqlite3_get_autocommit(st_db(st));
    if (!*sp) return st_tx_open(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_stmt *s = lc_stmt(st, LC_SAVEPOINT);
    return s && st_run(s) == SQLITE_DONE ? 0 : -1;
}

static void lc_end(triage_store *st, int sp, int ok)
{
    if (!sp) {
        st_tx_close(st, ok);
        return;
    }
    sqlite3_stmt *s;
    if (!ok && (s = lc_stmt(st, LC_ROLLBACK_TO))) st_run(s);
    if ((s = lc_stmt(st, LC_RELEASE))) st_run(s);
}

/* Does the query in slot find a row for key? 1, 0, or -1 on error. */
static int lc_any(triage_store *st, int slot, const char *key)
{
    sqlite3_stmt *s = lc_stmt(st, slot);
    if (!s) return -1;
    st_text(s, 1, key);
    int rc = sqlite3_step(s);
    st_done(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Was message id received before? */
static int lc_seen(triage_store *st, const char *message_id)
{
    return lc_any(st, LC_SEEN, message_id);
}

static triage_code lc_repeated(triage_error *err, const char *source, long line, const char *id,
                               const char *message_id)
{
    return triage_error_set(err, TRIAGE_EREPEATED, source, line, id, "MessageHeader.id",
                            "message %s was received before; nothing changed", message_id);
}

/* What the store holds for id now: version, withdrawal, the row's JSON and
** the FHIR it came as (copies, the caller frees them). 0, 1 when there is
** no such referral, -1 on error. */
typedef struct lc_state { int version; char *withdrawn_at, *json, *fhir; } lc_state;

static char *lc_dup(sqlite3_stmt *s, int col)
{
    const char *v = st_col(s, col);
    return v ? strdup(v) : NULL;
}

static int lc_state_get(triage_store *st, const char *id, lc_state *out)
{
    sqlite3_stmt *s = lc_stmt(st, LC_STATE);
    memset(out, 0, sizeof *out);
    if (!s) return -1;
    st_text(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->version = sqlite3_column_int(s, 0);
        out->withdrawn_at = lc_dup(s, 1);
        out->json = lc_dup(s, 2);
        out->fhir = lc_dup(s, 3);
    }
    st_done(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

static void lc_state_free(lc_state *x)
{
    free(x->withdrawn_at);
    free(x->json);
    free(x->fhir);
}

static int lc_change(triage_store *st, const char *id, fx_event event, const char *message_id,
                     int version, const char *source, long line, const char *replaced,
                     const char *replaced_fhir, const char *fhir)
{
    sqlite3_stmt *s = lc_stmt(st, LC_CHANGE);
    if (!s) return -1;
    st_text(s, 1, id);
    st_text(s, 2, triage_event_name((triage_event)event));
    st_text(s, 3, message_id && *message_id ? message_id : NULL);
    sqlite3_bind_int(s, 4, version);
    st_text(s, 5, source);
    sqlite3_bind_int64(s, 6, line);
    st_text(s, 7, replaced);
    st_text(s, 8, replaced_fhir);
    st_text(s, 9, fhir);
    return st_run(s) == SQLITE_DONE ? 0 : -1;
}

/* The document as sent beside the row, with what GET /fhir finds it by;
** a native version drops the FHIR of the one it replaced. */
static int lc_fhir(triage_store *st, const triage_referral *r)
{
    const fx_origin *o = r->origin;
    char task[37], made[37];      /* bound SQLITE_STATIC: live until the statement ran */
    sqlite3_stmt *s = lc_stmt(st, o ? LC_FHIR : LC_FHIR_DROP);
    if (!s) return -1;
    st_text(s, 1, r->id);
    if (o) {
        fx_task_id(r->id, task);
        st_text(s, 2, o->message_id[0] ? o->message_id : NULL);
        st_text(s, 3, triage_event_name((triage_event)o->event));
        st_text(s, 4, fx_request_id(o, r->id, made));
        st_text(s, 5, task);
        if (o->text) sqlite3_bind_text64(s, 6, o->text, o->text_len, SQLITE_STATIC, SQLITE_UTF8);
    }
    return st_run(s) == SQLITE_DONE ? 0 : -1;
}

triage_code lc_put(triage_store *st, const triage_referral *r, const char *source, long line,
                   int replace, triage_error *err)
{
    const fx_origin *o = r ? r->origin : NULL;
    const char *mid = o && o->message_id[0] ? o->message_id : NULL;
    lc_state old = {0};
    triage_code code = TRIAGE_OK;
    int seen, sp;
    if (!st || !r)
        return st_fail(err, TRIAGE_EUSAGE, source, line, NULL, "store: nothing to store");
    if (lc_begin(st, &sp)) return st_dberr_at(st, err, "begin", source, line, r->id);
    if (mid && (seen = lc_seen(st, mid)) != 0) {
        code = seen > 0 ? lc_repeated(err, source, line, r->id, mid)
                        : st_dberr(st, err, "message");
        goto out;
    }
    if (replace) {
        int got = lc_state_get(st, r->id, &old);
        if (got) {
            code = got < 0 ? st_dberr(st, err, "update")
                           : st_fail(err, TRIAGE_ENOTFOUND, source, line, r->id,
                                     "update-referral: no referral with this id is stored");
            goto out;
        }
        if (old.withdrawn_at) {
            char what[160];
            snprintf(what, sizeof what, "update-referral: the referral was withdrawn at %s; "
                     "send it as a new referral with a new id", old.withdrawn_at);
            code = st_fail(err, TRIAGE_EWITHDRAWN, source, line, r->id, what);
            goto out;
        }
    }
    if ((code = st_put_row(st, r, source, line, replace, err)) != TRIAGE_OK) goto out;
    if ((o || replace) && lc_fhir(st, r)) {
        code = st_dberr(st, err, "put FHIR");
        goto out;
    }
    if ((mid || replace) &&
        lc_change(st, r->id, replace ? FX_EVENT_UPDATE : FX_EVENT_NEW, mid,
                  replace ? old.version + 1 : 1, source, line, old.json, old.fhir, NULL))
        code = st_dberr(st, err, "put change");
out:
    lc_end(st, sp, code == TRIAGE_OK);
    lc_state_free(&old);
    return code;
}

/* ------------------------------------------------------------- public */

triage_code triage_store_update(triage_store *st, const triage_referral *r, const char *source,
                                long line, triage_error *err)
{
    return lc_put(st, r, source, line, 1, err);
}

triage_code triage_store_withdraw(triage_store *st, const triage_origin *o, const char *source,
                                  long line, triage_error *err)
{
    lc_state now = {0};
    triage_code code = TRIAGE_OK;
    char at[32];
    int got, sp;
    if (!st || !o || !o->referral_id[0])
        return st_fail(err, TRIAGE_EUSAGE, source, line, NULL, "store: no referral to withdraw");
    const char *id = o->referral_id, *mid = o->message_id[0] ? o->message_id : NULL;
    if (lc_begin(st, &sp)) return st_dberr_at(st, err, "begin", source, line, id);
    if (mid && (got = lc_seen(st, mid)) != 0) {
        code = got > 0 ? lc_repeated(err, source, line, id, mid) : st_dberr(st, err, "message");
        goto out;
    }
    if ((got = lc_state_get(st, id, &now)) != 0) {
        code = got < 0 ? st_dberr(st, err, "withdraw")
                       : st_fail(err, TRIAGE_ENOTFOUND, source, line, id,
                                 "cancel-referral: no referral with this id is stored");
        goto out;
    }
    if (now.withdrawn_at) {
        char what[120];
        snprintf(what, sizeof what, "cancel-referral: the referral was withdrawn already, at %s",
                 now.withdrawn_at);
        code = st_fail(err, TRIAGE_EWITHDRAWN, source, line, id, what);
        goto out;
    }
    sqlite3_stmt *s = lc_stmt(st, LC_WITHDRAW);
    dt_now_iso(at);
    if (s) {
        st_text(s, 1, id);
        st_text(s, 2, at);
    }
    if (!s || st_run(s) != SQLITE_DONE ||
        lc_change(st, id, FX_EVENT_CANCEL, mid, now.version, source, line, NULL, NULL, o->text))
        code = st_dberr(st, err, "withdraw");
out:
    lc_end(st, sp, code == TRIAGE_OK);
    lc_state_free(&now);
    return code;
}

triage_code triage_store_changes(triage_store *st, const char *id, triage_change_fn fn, void *ud,
                                 triage_error *err)
{
    if (!st || !id || !fn)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store, id or callback");
    int there = lc_any(st, LC_EXISTS, id);
    if (there <= 0)
        return there < 0 ? st_dberr(st, err, "changes")
                         : st_fail(err, TRIAGE_ENOTFOUND, NULL, 0, id,
                                   "no referral with this id is stored");
    sqlite3_stmt *s = lc_stmt(st, LC_CHANGES);
    if (!s) return st_dberr(st, err, "changes");
    st_text(s, 1, id);
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *ev = st_col(s, 2);
        triage_change c = {
            .seq = (long)sqlite3_column_int64(s, 0), .at = st_col(s, 1),
            .event = !ev ? TRIAGE_EVENT_NONE : !strcmp(ev, "new-referral") ? TRIAGE_EVENT_NEW
                   : !strcmp(ev, "update-referral") ? TRIAGE_EVENT_UPDATE : TRIAGE_EVENT_CANCEL,
            .message_id = st_col(s, 3), .version = sqlite3_column_int(s, 4),
            .source = st_col(s, 5), .line = (long)sqlite3_column_int64(s, 6),
            .replaced = st_col(s, 7), .replaced_fhir = st_col(s, 8)};
        stop = fn(ud, &c) != 0;
    }
    triage_code code = stop || rc == SQLITE_DONE ? TRIAGE_OK : st_dberr(st, err, "changes");
    st_done(s);
    return code;
}

/* The row of LC_CURRENT_SQL as a triage_current, for fn. */
static int lc_current_row(sqlite3_stmt *s, triage_current_fn fn, void *ud, triage_error *err)
{
    const char *id = st_col(s, 0), *fhir = st_col(s, 6);
    triage_referral *r = NULL;
    if (fhir)   /* the FHIR it came as, so that the answer can name what was sent */
        r = triage_referral_parse(fhir, (size_t)sqlite3_column_bytes(s, 6), st_col(s, 2),
                                  (long)sqlite3_column_int64(s, 3), NULL);
    if (!r && !(r = st_parse_row(s, 1, -1, err))) return -1;
    triage_logged l = {0};
    triage_decision *d = st_logged_at(s, LC_COL_LOG, id, &l);
    if (!d && sqlite3_column_type(s, LC_COL_LOG) != SQLITE_NULL) {
        triage_referral_free(r);
        st_fail(err, TRIAGE_ESTORE, NULL, 0, id, "store: a logged decision does not read back");
        return -1;
    }
    triage_current c = {r, sqlite3_column_int(s, 4), d, d ? l.decided_at : NULL, st_col(s, 5)};
    int stop = fn(ud, &c) != 0;
    triage_decision_free(d);
    triage_referral_free(r);
    return stop;
}

triage_code triage_store_current(triage_store *st, const char *id, triage_current_fn fn,
                                 void *ud, triage_error *err)
{
    if (!st || !id || !fn)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store, id or callback");
    sqlite3_stmt *s = lc_stmt(st, LC_CURRENT);
    if (!s) return st_dberr(st, err, "current");
    st_text(s, 1, id);
    int rc = sqlite3_step(s);
    triage_code code = TRIAGE_OK;
    if (rc == SQLITE_ROW) {
        if (lc_current_row(s, fn, ud, err) < 0) code = err && err->code ? err->code : TRIAGE_ESTORE;
    } else if (rc == SQLITE_DONE)
        code = st_fail(err, TRIAGE_ENOTFOUND, NULL, 0, id, "no referral with this id is stored");
    else
        code = st_dberr(st, err, "current");
    st_done(s);
    return code;
}

triage_code triage_store_each_current(triage_store *st, triage_current_fn fn, void *ud,
                                      triage_error *err)
{
    if (!st || !fn) return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL, "store: no store or callback");
    sqlite3_stmt *s = lc_stmt(st, LC_EACH);
    if (!s) return st_dberr(st, err, "current");
    int rc, got = 0;
    while (got == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) got = lc_current_row(s, fn, ud, err);
    triage_code code = got > 0 || (got == 0 && rc == SQLITE_DONE) ? TRIAGE_OK
                     : got < 0 ? (err && err->code ? err->code : TRIAGE_ESTORE)
                     : st_dberr(st, err, "current");
    st_done(s);
    return code;
}

triage_code triage_store_fhir_find(triage_store *st, const char *type, const char *id,
                                   char out[72], triage_error *err)
{
    int slot = !type ? -1 : !strcmp(type, "Task") ? LC_FIND_TASK
             : !strcmp(type, "ServiceRequest") ? LC_FIND_REQUEST : -1;
    if (!st || !id || !out || slot < 0)
        return st_fail(err, TRIAGE_EUSAGE, NULL, 0, NULL,
                       "store: find a Task or a ServiceRequest by its id");
    sqlite3_stmt *s = lc_stmt(st, slot);
    if (!s) return st_dberr(st, err, "find");
    st_text(s, 1, id);
    int rc = sqlite3_step(s);
    triage_code code = TRIAGE_OK;
    if (rc == SQLITE_ROW) snprintf(out, 72, "%s", st_col(s, 0));
    else if (rc == SQLITE_DONE)
        code = triage_error_set(err, TRIAGE_ENOTFOUND, NULL, 0, NULL, NULL, "no %s with this id",
                                type);
    else code = st_dberr(st, err, "find");
    st_done(s);
    return code;
}
