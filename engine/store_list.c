/*
** store_list.c — the work list as staff see it (filtered, searched, paged,
** with each referral's latest decision) and one record with its whole
** decision log; both read the same columns (ST_ROW_COLUMNS).
*/
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "triage.h"
#include "decision.h"
#include "store.h"
#include "store_handle.h"

static void st_cat(char *buf, size_t cap, size_t *n, const char *s)
{
    size_t l = strlen(s);
    if (*n + l >= cap) l = cap - 1 - *n;
    memcpy(buf + *n, s, l);
    buf[*n += l] = '\0';
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
** gets the plan that fits it (received and the decision index). */
static const struct { size_t off; const char *sql; } st_filters[] = {
    {offsetof(triage_query, outcome), " AND " ST_STATUS " = ?"},
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
