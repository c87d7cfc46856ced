/*
** audit.c — the review log: every action a person takes on a referral,
** and every account event, appended to the audit table (schema_review.c),
** which triggers keep append-only; read back oldest first with the rules'
** suggestion each action had beside it; and where a referral stands now,
** which is only ever read from the log, never kept beside it.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "date.h"
#include "decision.h"
#include "store.h"

static const char AU_PUT[] =
    "INSERT INTO audit(referral_id, at, actor, action, status, decision, outcome, text,"
    " assignee, suggestion_seq, ruleset, key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
    " ?11, ?12)";
static const char AU_KEY[] = "SELECT seq, referral_id FROM audit WHERE actor = ?1 AND key = ?2";
/* where a referral stands: its log's latest entry, latest status and the
** entry that set it, latest assignment, latest suggestion; and whether it
** exists */
static const char AU_STATE[] =
    "SELECT (SELECT max(seq) FROM audit WHERE referral_id = ?1),"
    " (SELECT status FROM audit WHERE referral_id = ?1 AND status IS NOT NULL"
    "  ORDER BY seq DESC LIMIT 1),"
    " (SELECT max(seq) FROM audit WHERE referral_id = ?1 AND status IS NOT NULL),"
    " (SELECT assignee FROM audit WHERE referral_id = ?1 AND action = 'assign'"
    "  ORDER BY seq DESC LIMIT 1),"
    " (SELECT max(seq) FROM decisions WHERE referral_id = ?1),"
    " (SELECT received FROM referrals WHERE id = ?1)";
static const char AU_PERSON[] =
    "SELECT seq, actor, at, decision FROM audit WHERE referral_id = ?1"
    " AND action IN ('confirm', 'override') ORDER BY seq DESC LIMIT 1";
#define AU_DECISION_COLUMNS "d.referral_id, d.ruleset, d.outcome, d.target, d.unit," \
                            " d.priority, d.deadline, d.missing, d.request_from, d.reasons"
static const char AU_SUGGESTION[] =
    "SELECT " AU_DECISION_COLUMNS " FROM decisions d WHERE d.seq = ?1";
static const char AU_READ[] =
    "SELECT a.seq, a.referral_id, a.at, a.actor, a.action, a.status, a.decision, a.text,"
    " a.assignee, a.suggestion_seq, a.ruleset, " AU_DECISION_COLUMNS
    " FROM audit a LEFT JOIN decisions d ON d.seq = a.suggestion_seq"
    " WHERE a.referral_id IS ?1 ORDER BY a.seq";
/* each referral's latest person's decision, where it is an override */
static const char AU_OVERRIDES[] =
    "SELECT a.seq, a.referral_id, a.at, a.actor, a.action, a.status, a.decision, a.text,"
    " a.assignee, a.suggestion_seq, a.ruleset, " AU_DECISION_COLUMNS
    " FROM audit a LEFT JOIN decisions d ON d.seq = a.suggestion_seq"
    " WHERE a.seq IN (SELECT max(seq) FROM audit WHERE action IN ('confirm', 'override')"
    "  AND referral_id IS NOT NULL GROUP BY referral_id) AND a.action = 'override'"
    " ORDER BY a.seq DESC";

triage_code au_dberr(triage_store *st, triage_error *err, const char *doing)
{
    return st_dberr(st, err, doing);
}

static void au_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

static const char *au_col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* ------------------------------------------------------------ appending */

triage_code au_append(triage_store *st, const au_row *row, long *seq, triage_error *err)
{
    char now[32];
    sqlite3_stmt *s = st_prepared(st, AU_PUT);
    if (!s) return au_dberr(st, err, "review log");
    dt_now_iso(now);
    au_text(s, 1, row->referral_id);
    au_text(s, 2, now);
    au_text(s, 3, row->actor);
    au_text(s, 4, row->action);
    au_text(s, 5, row->status);
    au_text(s, 6, row->decision);
    au_text(s, 7, row->outcome);
    au_text(s, 8, row->text);
    au_text(s, 9, row->assignee);
    if (row->suggestion_seq > 0) sqlite3_bind_int64(s, 10, row->suggestion_seq);
    else sqlite3_bind_null(s, 10);
    au_text(s, 11, row->ruleset);
    au_text(s, 12, row->key);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE) return au_dberr(st, err, "review log");
    if (seq) *seq = (long)sqlite3_last_insert_rowid(st_db(st));
    return TRIAGE_OK;
}

triage_code au_account(triage_store *st, const char *actor, const char *action,
                       const char *account, const char *text, triage_error *err)
{
    au_row row = {.actor = actor, .action = action, .assignee = account, .text = text};
    return au_append(st, &row, NULL, err);
}

int au_by_key(triage_store *st, const char *actor, const char *key, long *seq, char id[72])
{
    sqlite3_stmt *s = st_prepared(st, AU_KEY);
    if (!s) return -1;
    au_text(s, 1, actor);
    au_text(s, 2, key);
    int rc = sqlite3_step(s), found = rc == SQLITE_ROW;
    if (found) {
        *seq = (long)sqlite3_column_int64(s, 0);
        snprintf(id, 72, "%s", au_col(s, 1) ? au_col(s, 1) : "");
    }
    sqlite3_reset(s);
    return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* -------------------------------------------------------------- reading */

static json_t *au_json_text(const char *v) { return v ? json_string(v) : json_null(); }

json_t *au_fields(const triage_decision *d)
{
    char day[11];
    if (!d) return json_null();
    json_t *missing = json_array();
    for (int i = 0; i < triage_decision_missing_count(d); i++)
        json_array_append_new(missing, json_string(triage_decision_missing(d, i)));
    if (triage_decision_deadline(d) != TRIAGE_NO_DAY) dt_format(triage_decision_deadline(d), day);
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "outcome", triage_outcome_name(triage_decision_outcome(d)),
                     "target", au_json_text(triage_decision_target(d)),
                     "unit", au_json_text(triage_decision_unit(d)),
                     "priority", au_json_text(triage_decision_priority(d)),
                     "deadline", triage_decision_deadline(d) != TRIAGE_NO_DAY
                                 ? json_string(day) : json_null(),
                     "missing", missing,
                     "request_from", au_json_text(triage_decision_request_from(d)));
}

/* The decision whose AU_DECISION_COLUMNS start at column col, or NULL. */
static triage_decision *au_decision_at(sqlite3_stmt *s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL) return NULL;
    dc_logged c = {au_col(s, col), au_col(s, col + 1), au_col(s, col + 2), au_col(s, col + 3),
                   au_col(s, col + 4), au_col(s, col + 5), au_col(s, col + 6),
                   au_col(s, col + 7), au_col(s, col + 8), au_col(s, col + 9)};
    return dc_from_log(&c);
}

triage_decision *au_suggestion(triage_store *st, long seq)
{
    sqlite3_stmt *s = st_prepared(st, AU_SUGGESTION);
    triage_decision *d = NULL;
    if (!s || seq <= 0) return NULL;
    sqlite3_bind_int64(s, 1, seq);
    if (sqlite3_step(s) == SQLITE_ROW) d = au_decision_at(s, 0);
    sqlite3_reset(s);
    return d;
}

/* A person's decision as the log keeps it (JSON), or NULL. */
static triage_decision *au_person(const char *json)
{
    return json ? triage_decision_parse(json, strlen(json), NULL) : NULL;
}

const char *triage_review_status_name(triage_review_status s)
{
    static const char *const names[] = {"new", "suggested", "confirmed", "overridden", "answered"};
    return (unsigned)s < 5 ? names[s] : NULL;
}

static triage_review_status au_status(const char *s, int suggested)
{
    for (int i = TRIAGE_CONFIRMED; s && i <= TRIAGE_ANSWERED; i++)
        if (!strcmp(s, triage_review_status_name((triage_review_status)i)))
            return (triage_review_status)i;
    return suggested ? TRIAGE_SUGGESTED : TRIAGE_NEW;
}

triage_code au_state(triage_store *st, const char *id, triage_review_state *out,
                     long *status_seq, triage_day *received, triage_error *err)
{
    sqlite3_stmt *s = st_prepared(st, AU_STATE), *p = st_prepared(st, AU_PERSON);
    memset(out, 0, sizeof *out);
    if (!s || !p) return au_dberr(st, err, "review state");
    au_text(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return au_dberr(st, err, "review state");
    }
    const char *came = au_col(s, 5);
    if (!came) {
        sqlite3_reset(s);
        return triage_error_set(err, TRIAGE_ENOTFOUND, NULL, 0, id, NULL,
                                "no referral with this id is stored");
    }
    out->last_seq = (long)sqlite3_column_int64(s, 0);
    out->suggestion_seq = (long)sqlite3_column_int64(s, 4);
    out->status = au_status(au_col(s, 1), out->suggestion_seq > 0);
    if (status_seq) *status_seq = (long)sqlite3_column_int64(s, 2);
    if (received && !triage_date_parse(came, strlen(came), received)) *received = TRIAGE_NO_DAY;
    snprintf(out->assignee, sizeof out->assignee, "%s", au_col(s, 3) ? au_col(s, 3) : "");
    sqlite3_reset(s);
    triage_code code = TRIAGE_OK;
    if (out->suggestion_seq && !(out->suggestion = au_suggestion(st, out->suggestion_seq)))
        code = triage_error_set(err, TRIAGE_ESTORE, NULL, 0, id, NULL,
                                "store: a logged decision does not read back");
    au_text(p, 1, id);
    if (code == TRIAGE_OK && sqlite3_step(p) == SQLITE_ROW) {
        out->decision_seq = (long)sqlite3_column_int64(p, 0);
        snprintf(out->decided_by, sizeof out->decided_by, "%s", au_col(p, 1));
        snprintf(out->decided_at, sizeof out->decided_at, "%s", au_col(p, 2));
        if (!(out->decision = au_person(au_col(p, 3))))
            code = triage_error_set(err, TRIAGE_ESTORE, NULL, 0, id, NULL,
                                    "store: a person's decision does not read back");
    }
    sqlite3_reset(p);
    if (code != TRIAGE_OK) triage_review_state_clear(out);
    return code;
}

triage_code triage_review_state_get(triage_store *st, const char *id,
                                    triage_review_state *out, triage_error *err)
{
    if (!st || !id || !out)
        return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store, id or state");
    return au_state(st, id, out, NULL, NULL, err);
}

void triage_review_state_clear(triage_review_state *s)
{
    if (!s) return;
    triage_decision_free(s->suggestion);
    triage_decision_free(s->decision);
    memset(s, 0, sizeof *s);
}

/* Hand fn each entry that s (AU_READ's columns) reads, then reset s. */
static triage_code au_each(triage_store *st, sqlite3_stmt *s, triage_audit_fn fn, void *ud,
                           triage_error *err)
{
    int rc, stop = 0;
    triage_code code = TRIAGE_OK;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        triage_audit_entry e = {
            .seq = (long)sqlite3_column_int64(s, 0), .referral_id = au_col(s, 1),
            .at = au_col(s, 2), .actor = au_col(s, 3), .action = au_col(s, 4),
            .status = au_col(s, 5), .text = au_col(s, 7), .assignee = au_col(s, 8),
            .suggestion_seq = (long)sqlite3_column_int64(s, 9), .ruleset = au_col(s, 10)};
        triage_decision *person = au_person(au_col(s, 6));
        triage_decision *suggestion = au_decision_at(s, 11);
        if ((au_col(s, 6) && !person) || (e.suggestion_seq && !suggestion)) {
            code = triage_error_set(err, TRIAGE_ESTORE, NULL, 0, e.referral_id, NULL,
                                    "store: a logged decision does not read back");
            stop = 1;
        } else {
            e.decision = person;
            e.suggestion = suggestion;
            stop = fn(ud, &e) != 0;
        }
        triage_decision_free(person);
        triage_decision_free(suggestion);
    }
    if (code == TRIAGE_OK && !stop && rc != SQLITE_DONE) code = au_dberr(st, err, "review log");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return code;
}

triage_code triage_audit(triage_store *st, const char *id, triage_audit_fn fn, void *ud,
                         triage_error *err)
{
    if (!st || !fn) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or callback");
    if (id) {
        triage_review_state rs;
        triage_code code = au_state(st, id, &rs, NULL, NULL, err);
        triage_review_state_clear(&rs);
        if (code != TRIAGE_OK) return code;
    }
    sqlite3_stmt *s = st_prepared(st, AU_READ);
    if (!s) return au_dberr(st, err, "review log");
    au_text(s, 1, id);
    return au_each(st, s, fn, ud, err);
}

triage_code triage_overrides(triage_store *st, triage_audit_fn fn, void *ud, triage_error *err)
{
    if (!st || !fn) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or callback");
    sqlite3_stmt *s = st_prepared(st, AU_OVERRIDES);
    if (!s) return au_dberr(st, err, "review log");
    return au_each(st, s, fn, ud, err);
}
