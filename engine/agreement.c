/*
** agreement.c — how the rules agree with the people who review them: over
** each referral's latest person's decision, the suggestion it was taken
** beside against the person's outcome (agreement, Cohen's kappa, the
** confusion matrix); and, for a shadow rule set, the same against the
** people and how often it would have differed from the active rules.
*/
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "store.h"

/* each referral's latest person's decision, with the suggestion beside it */
static const char AG_REVIEWED[] =
    "SELECT a.decision, a.suggestion_seq, a.action = 'override' FROM audit a"
    " WHERE a.seq IN (SELECT max(seq) FROM audit WHERE action IN ('confirm', 'override')"
    "  AND referral_id IS NOT NULL GROUP BY referral_id) AND a.suggestion_seq IS NOT NULL";
static const char AG_SHADOW[] = "SELECT ruleset FROM shadow ORDER BY seq DESC LIMIT 1";

double triage_kappa(const long *table, int k)
{
    double n = 0, agree = 0, chance = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) n += (double)table[i * k + j];
    if (n <= 0) return NAN;
    for (int i = 0; i < k; i++) {
        double row = 0, col = 0;
        for (int j = 0; j < k; j++) {
            row += (double)table[i * k + j];
            col += (double)table[j * k + i];
        }
        agree += (double)table[i * k + i];
        chance += (row / n) * (col / n);
    }
    if (chance >= 1.0) return NAN;
    return (agree / n - chance) / (1.0 - chance);
}

/* Same outcome, target and unit. */
static int ag_same(const triage_decision *a, const triage_decision *b)
{
    const char *ta = triage_decision_target(a), *tb = triage_decision_target(b);
    const char *ua = triage_decision_unit(a), *ub = triage_decision_unit(b);
    return triage_decision_outcome(a) == triage_decision_outcome(b) &&
           (ta == tb || (ta && tb && !strcmp(ta, tb))) &&
           (ua == ub || (ua && ub && !strcmp(ua, ub)));
}

static int ag_shadow(void *ud, const triage_shadow_row *row)
{
    triage_agreement *a = ud;
    int c = (int)triage_decision_outcome(row->candidate);
    if (row->active) {
        a->shadow_decided++;
        a->shadow_differs += !ag_same(row->active, row->candidate);
    }
    if (row->person) {
        int p = (int)triage_decision_outcome(row->person);
        a->shadow_reviewed++;
        a->shadow_agree += c == p;
        a->shadow_agree_active += row->active && (int)triage_decision_outcome(row->active) == p;
        a->shadow_matrix[c][p]++;
    }
    return 0;
}

triage_code triage_agreement_get(triage_store *st, triage_agreement *out, triage_error *err)
{
    if (!st || !out) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or result");
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = st_prepared(st, AG_REVIEWED);
    if (!s) return au_dberr(st, err, "agreement");
    int rc;
    triage_code code = TRIAGE_OK;
    while (code == TRIAGE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *json = (const char *)sqlite3_column_text(s, 0);
        triage_decision *person = json ? triage_decision_parse(json, strlen(json), NULL) : NULL;
        triage_decision *rules = au_suggestion(st, (long)sqlite3_column_int64(s, 1));
        if (!person || !rules) {
            code = triage_error_set(err, TRIAGE_ESTORE, NULL, 0, NULL, NULL,
                                    "store: a logged decision does not read back");
        } else {
            int r = (int)triage_decision_outcome(rules), p = (int)triage_decision_outcome(person);
            out->reviewed++;
            out->agree += r == p;
            out->agree_full += ag_same(rules, person);
            out->overridden += sqlite3_column_int(s, 2);
            out->matrix[r][p]++;
        }
        triage_decision_free(person);
        triage_decision_free(rules);
    }
    if (code == TRIAGE_OK && rc != SQLITE_DONE) code = au_dberr(st, err, "agreement");
    sqlite3_reset(s);
    if (code != TRIAGE_OK) return code;
    out->kappa = triage_kappa(&out->matrix[0][0], TRIAGE_N_OUTCOMES);
    code = triage_shadow_each(st, NULL, ag_shadow, out, err);
    if (code == TRIAGE_OK && out->shadow_decided + out->shadow_reviewed > 0) {
        sqlite3_stmt *h = st_prepared(st, AG_SHADOW);
        if (h && sqlite3_step(h) == SQLITE_ROW)
            snprintf(out->shadow, sizeof out->shadow, "%s", (const char *)sqlite3_column_text(h, 0));
        if (h) sqlite3_reset(h);
    }
    out->shadow_kappa = triage_kappa(&out->shadow_matrix[0][0], TRIAGE_N_OUTCOMES);
    return code;
}

/* ------------------------------------------------------------- as JSON */

#define AG_LIST_MAX 1000        /* overrides and differences listed, at most */

static json_t *ag_text(const char *v) { return v ? json_string(v) : json_null(); }

static json_t *ag_number(double v) { return isnan(v) ? json_null() : json_real(v); }

static json_t *ag_matrix(const long m[TRIAGE_N_OUTCOMES][TRIAGE_N_OUTCOMES])
{
    json_t *rows = json_array();
    for (int i = 0; i < TRIAGE_N_OUTCOMES; i++) {
        json_t *row = json_array();
        for (int j = 0; j < TRIAGE_N_OUTCOMES; j++)
            json_array_append_new(row, json_integer(m[i][j]));
        json_array_append_new(rows, row);
    }
    return rows;
}

typedef struct ag_list { json_t *items; long total; } ag_list;

static int ag_override(void *ud, const triage_audit_entry *e)
{
    ag_list *l = ud;
    if (l->total++ >= AG_LIST_MAX) return 0;
    return json_array_append_new(l->items, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
        "id", e->referral_id, "at", e->at, "by", e->actor, "reason", ag_text(e->text),
        "ruleset", ag_text(e->ruleset), "suggested", au_fields(e->suggestion),
        "decided", au_fields(e->decision))) != 0;
}

static int ag_difference(void *ud, const triage_shadow_row *row)
{
    ag_list *l = ud;
    int vs_active = row->active && !ag_same(row->active, row->candidate);
    int vs_person = row->person &&
                    triage_decision_outcome(row->person) != triage_decision_outcome(row->candidate);
    if (!vs_active && !vs_person) return 0;
    if (l->total++ >= AG_LIST_MAX) return 0;
    return json_array_append_new(l->items, json_pack("{s:s, s:o, s:o, s:o}", "id", row->id,
        "active", au_fields(row->active), "candidate", au_fields(row->candidate),
        "person", au_fields(row->person))) != 0;
}

char *triage_agreement_json(triage_store *st, triage_error *err)
{
    triage_agreement a;
    if (triage_agreement_get(st, &a, err) != TRIAGE_OK) return NULL;
    ag_list overrides = {json_array(), 0}, diffs = {json_array(), 0};
    triage_code code = triage_overrides(st, ag_override, &overrides, err);
    if (code == TRIAGE_OK && a.shadow[0])
        code = triage_shadow_each(st, a.shadow, ag_difference, &diffs, err);
    json_t *outcomes = json_array(), *o = NULL;
    for (int i = 0; i < TRIAGE_N_OUTCOMES; i++)
        json_array_append_new(outcomes, json_string(triage_outcome_name((triage_outcome)i)));
    if (code == TRIAGE_OK)
        o = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o}",
            "reviewed", (json_int_t)a.reviewed, "agree", (json_int_t)a.agree,
            "agree_full", (json_int_t)a.agree_full, "overridden", (json_int_t)a.overridden,
            "agreement", a.reviewed ? json_real((double)a.agree / (double)a.reviewed) : json_null(),
            "kappa", ag_number(a.kappa), "outcomes", outcomes, "matrix", ag_matrix(a.matrix),
            "overrides", json_incref(overrides.items), "overrides_total", (json_int_t)overrides.total,
            "shadow", a.shadow[0]
                ? json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:I}",
                    "ruleset", a.shadow, "decided", (json_int_t)a.shadow_decided,
                    "differs", (json_int_t)a.shadow_differs,
                    "reviewed", (json_int_t)a.shadow_reviewed, "agree", (json_int_t)a.shadow_agree,
                    "agree_active", (json_int_t)a.shadow_agree_active,
                    "kappa", ag_number(a.shadow_kappa), "matrix", ag_matrix(a.shadow_matrix),
                    "differences", json_incref(diffs.items),
                    "differences_total", (json_int_t)diffs.total)
                : json_null());
    else
        json_decref(outcomes);
    json_decref(overrides.items);
    json_decref(diffs.items);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text && code == TRIAGE_OK) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
    return text;
}
