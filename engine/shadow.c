/*
** shadow.c — a candidate rule set deciding beside the active one: its
** decisions are kept in their own table (schema_review.c), one per referral
** and rule set, so that no query of suggestions or history ever sees them;
** and read back beside the active suggestion and the person's decision.
*/
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "date.h"
#include "store.h"

static const char SH_PUT[] =
    "INSERT OR IGNORE INTO shadow(referral_id, ruleset, outcome, target, unit, decision,"
    " decided_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/* referrals the candidate has not decided, in the order `run` decides */
static const char SH_TODO[] =
    "SELECT r.id FROM referrals r WHERE NOT EXISTS"
    " (SELECT 1 FROM shadow s WHERE s.referral_id = r.id AND s.ruleset = ?1)"
    " ORDER BY r.received, r.id LIMIT ?2";
static const char SH_EACH[] =
    "SELECT s.referral_id, s.decision,"
    " (SELECT max(seq) FROM decisions x WHERE x.referral_id = s.referral_id),"
    " (SELECT a.decision FROM audit a WHERE a.referral_id = s.referral_id"
    "  AND a.action IN ('confirm', 'override') ORDER BY a.seq DESC LIMIT 1)"
    " FROM shadow s WHERE s.ruleset = coalesce(?1,"
    "  (SELECT ruleset FROM shadow ORDER BY seq DESC LIMIT 1))"
    " ORDER BY s.referral_id";

static void sh_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

triage_code triage_store_put_shadow(triage_store *st, const triage_decision *d,
                                    triage_error *err)
{
    char now[32];
    if (!st || !d) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or decision");
    sqlite3_stmt *s = st_prepared(st, SH_PUT);
    char *json = triage_decision_json(d);
    if (!s || !json) {
        free(json);
        return s ? triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL)
                 : au_dberr(st, err, "shadow");
    }
    dt_now_iso(now);
    sh_text(s, 1, triage_decision_id(d));
    sh_text(s, 2, triage_decision_ruleset(d));
    sh_text(s, 3, triage_outcome_name(triage_decision_outcome(d)));
    sh_text(s, 4, triage_decision_target(d));
    sh_text(s, 5, triage_decision_unit(d));
    sh_text(s, 6, json);
    sh_text(s, 7, now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    free(json);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return triage_error_set(err, TRIAGE_ENOTFOUND, NULL, 0, triage_decision_id(d), NULL,
                                "no referral with this id is stored");
    return rc == SQLITE_DONE ? TRIAGE_OK : au_dberr(st, err, "shadow");
}

long triage_shadow_run(triage_store *st, triage_decider *candidate, long max, triage_error *err)
{
    if (!st || !candidate || max <= 0) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store, decider or count");
        return -1;
    }
    const char *hash = triage_ruleset_hash(triage_decider_ruleset(candidate));
    sqlite3_stmt *s = st_prepared(st, SH_TODO);
    char (*ids)[72] = malloc((size_t)max * sizeof *ids);
    long n = 0;
    if (!s || !ids) {
        free(ids);
        if (s) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        else au_dberr(st, err, "shadow");
        return -1;
    }
    /* the ids first: deciding reads the store (history) while nothing else runs */
    sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, max);
    while (n < max && sqlite3_step(s) == SQLITE_ROW)
        snprintf(ids[n++], sizeof ids[0], "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    triage_code code = n && st_write_begin(st) != 0 ? au_dberr(st, err, "shadow") : TRIAGE_OK;
    for (long i = 0; code == TRIAGE_OK && i < n; i++) {
        triage_referral *r = triage_store_get(st, ids[i], err);
        triage_decision *d = r ? triage_decide(candidate, r, 0) : NULL;
        if (!r)
            code = err ? err->code : TRIAGE_ESTORE;
        else if (!d)
            code = triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        else
            code = triage_store_put_shadow(st, d, err);
        triage_decision_free(d);
        triage_referral_free(r);
    }
    if (n && st_write_end(st, code == TRIAGE_OK) != 0 && code == TRIAGE_OK)
        code = au_dberr(st, err, "shadow");
    free(ids);
    return code == TRIAGE_OK ? n : -1;
}

triage_code triage_shadow_each(triage_store *st, const char *ruleset, triage_shadow_fn fn,
                               void *ud, triage_error *err)
{
    if (!st || !fn) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or callback");
    sqlite3_stmt *s = st_prepared(st, SH_EACH);
    if (!s) return au_dberr(st, err, "shadow");
    sh_text(s, 1, ruleset);
    int rc, stop = 0;
    triage_code code = TRIAGE_OK;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *cj = (const char *)sqlite3_column_text(s, 1);
        const char *pj = (const char *)sqlite3_column_text(s, 3);
        triage_shadow_row row = {(const char *)sqlite3_column_text(s, 0), NULL, NULL, NULL};
        triage_decision *c = triage_decision_parse(cj, strlen(cj), NULL);
        triage_decision *a = au_suggestion(st, (long)sqlite3_column_int64(s, 2));
        triage_decision *p = pj ? triage_decision_parse(pj, strlen(pj), NULL) : NULL;
        if (!c || (pj && !p) || (sqlite3_column_type(s, 2) != SQLITE_NULL && !a)) {
            code = triage_error_set(err, TRIAGE_ESTORE, NULL, 0, row.id, NULL,
                                    "store: a logged decision does not read back");
            stop = 1;
        } else {
            row.candidate = c;
            row.active = a;
            row.person = p;
            stop = fn(ud, &row) != 0;
        }
        triage_decision_free(c);
        triage_decision_free(a);
        triage_decision_free(p);
    }
    if (code == TRIAGE_OK && !stop && rc != SQLITE_DONE) code = au_dberr(st, err, "shadow");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return code;
}
