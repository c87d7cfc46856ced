/*
** store_read.c — referrals read back from the store: one by id, the ones a
** rule set has not decided (in order of received date, a chunk at a time,
** for `run`), how many of each there are, and a child's earlier referrals
** with their latest decisions, found through the CPR index.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "triage.h"
#include "decision.h"
#include "store.h"
#include "store_handle.h"
#include "refpack.h"
#include "history.h"
#include "date.h"

#define ST_CHUNK 1024    /* rows read per query by each_undecided */

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
            chunk[n]->first_of_child = sqlite3_column_int(s, 6) == 0;
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

long triage_store_version(triage_store *st)
{
    long v = -1;
    if (!st) return -1;
    sqlite3_stmt *s = st->stmt[S_DATA_VERSION];
    if (sqlite3_step(s) == SQLITE_ROW) v = (long)sqlite3_column_int64(s, 0);
    st_done(s);
    return v;
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
