/*
** gold.c — the gold decision: policy v1's nine steps applied to the child's
** truth (tests/spec/policy.md), and its line in gold.jsonl.
*/
#include <string.h>

#include "corpus.h"

static const char *const cp_outcome_names[] = { "accept", "request_info", "redirect", "reject" };
static const char *const cp_target_names[] = { "buc", "specialist_practice", "municipality",
                                               "adult_psychiatry", "other_region" };
static const char *const cp_priority_names[] = { "acute", "urgent", "routine" };

int cp_popcount(unsigned x) { int n = 0; for (; x; x &= x - 1) n++; return n; }

static int cp_risk_flag(const cp_child *c)
{
    return c->self_harm || c->ideation || c->attempt_now || c->attempt_past ||
           c->plan || c->psychotic;
}

static int cp_eating_risk(const cp_child *c)
{
    if (c->meas && c->eff >= 12 && c->eff <= 17 && c->bmi < 14.0) return 1;
    if (c->meas && c->eff >= 6 && c->eff <= 11 && c->bmi < 13.0) return 1;
    return c->wloss >= 20;
}

int cp_outdated(int32_t date, int32_t received)
{
    return date != TRIAGE_NO_DAY && date < triage_date_add_months(received, -24);
}

/* Policy v1's nine steps, on the truth. */
void cp_decide(const cp_child *c, cp_gold *g)
{
    int risk = cp_risk_flag(c);
    unsigned g2 = c->groups & ~GB(G_WELLBEING);
    int comorbid = cp_popcount(g2) >= 2;
    g->outcome = O_ACCEPT; g->target = T_NULL; g->priority = P_NULL;
    g->request_from = RQ_NULL; g->unit = NULL; g->deadline = TRIAGE_NO_DAY; g->missing = 0;

    if (c->attempt_now || c->plan || c->psychotic || (c->groups & GB(G_PSYCHOSIS)) ||
        c->dep_psychotic || cp_eating_risk(c)) {
        g->priority = P_ACUTE; g->deadline = c->received;
        if (c->eff >= 18) { g->outcome = O_REDIRECT; g->target = T_ADULT; }
        else { g->target = T_BUC; g->unit = "B205"; }
        return;
    }
    if (c->referrer == R_SELF || c->referrer == R_OTHER) { g->outcome = O_REJECT; return; }
    if (c->eff >= 18) { g->outcome = O_REDIRECT; g->target = T_ADULT; return; }
    if (c->muni < 0 || cp_munis[c->muni].site == SITE_OUT) {
        g->outcome = O_REDIRECT; g->target = T_OTHER_REGION; return;
    }
    if ((!(c->groups & CP_CORE) && !risk && c->med_psy < 0) ||
        (c->gapd >= 0 && c->gapd <= 2 && !comorbid && !risk && c->med_psy < 0 && !c->repeat)) {
        g->outcome = O_REDIRECT; g->target = T_MUNICIPALITY; return;
    }
    if (c->custody == CU_JOINT && !c->consent) g->missing |= M_CONSENT;
    if ((c->groups & (GB(G_ADHD) | GB(G_AUTISM))) && c->eff >= 6 && !c->prev_buc) {
        if (!c->cog) g->missing |= M_COG;
        else if (cp_outdated(c->cog_date, c->received)) g->missing |= M_UPD;
        if (!c->ppv) g->missing |= M_PPV;
    }
    if ((c->groups & GB(G_EATING)) && !c->meas) g->missing |= M_SOMATIC;
    if (g->missing) {
        g->outcome = O_REQUEST_INFO;
        g->request_from = c->referrer == R_GP && !(g->missing & ~(unsigned)(M_COG | M_UPD | M_PPV))
                          ? RQ_MUNICIPALITY : RQ_REFERRER;
        return;
    }
    int idf = (c->fsiq >= 0 && c->fsiq < 70) || (c->groups & GB(G_ID));
    if (c->eff >= 6 && c->eff <= 17 && !comorbid &&
        (g2 == GB(G_ADHD) || g2 == GB(G_ANXIETY) || (g2 == GB(G_DEPRESSION) && !c->dep_severe)) &&
        !risk && !(c->groups & GB(G_SUBSTANCE)) && c->custody != CU_PLACED && !idf &&
        !c->prev_buc && !c->repeat && c->gapd <= 4) {
        g->outcome = O_REDIRECT; g->target = T_SPECIALIST; return;
    }
    g->target = T_BUC;
    if (c->groups & GB(G_EATING)) g->unit = "B132";
    else if (cp_munis[c->muni].site == SITE_BORNHOLM) g->unit = "B377";
    else {
        int band = c->eff <= 7 ? 0 : c->eff <= 13 ? 1 : 2, site = cp_munis[c->muni].site;
        g->unit = site == SITE_BISPEBJERG && c->eff <= 2 ? "B290" : cp_units[site][band];
    }
    g->priority = c->self_harm || c->ideation || c->attempt_past || (c->groups & GB(G_BIPOLAR)) ||
                  c->dep_severe ? P_URGENT : P_ROUTINE;
    g->deadline = c->received + (g->priority == P_URGENT ? 7 : 30);
}

int cp_gold_eq(const cp_gold *a, const cp_gold *b)
{
    return a->outcome == b->outcome && a->target == b->target && a->priority == b->priority &&
           a->request_from == b->request_from && a->deadline == b->deadline &&
           a->missing == b->missing && (a->unit == b->unit || (a->unit && b->unit && !strcmp(a->unit, b->unit)));
}

/* {"id", "outcome", "target", "unit", "priority", "deadline", "missing",
** "request_from"}: missing is a list for request_info, else null. */
json_t *cp_gold_json(const cp_gold *g, const char *id)
{
    char day[11];
    json_t *missing = json_null();
    if (g->outcome == O_REQUEST_INFO) {
        missing = json_array();
        for (int i = 0; missing && i < 5; i++)
            if (g->missing & (1u << i))
                json_array_append_new(missing, json_string(cp_missing_names[i]));
    }
    if (g->deadline != TRIAGE_NO_DAY)
        triage_date_format(g->deadline, day);
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", id,
        "outcome", cp_outcome_names[g->outcome],
        "target", g->target < 0 ? json_null() : json_string(cp_target_names[g->target]),
        "unit", g->unit ? json_string(g->unit) : json_null(),
        "priority", g->priority < 0 ? json_null() : json_string(cp_priority_names[g->priority]),
        "deadline", g->deadline == TRIAGE_NO_DAY ? json_null() : json_string(day),
        "missing", missing,
        "request_from", g->request_from < 0 ? json_null()
            : json_string(g->request_from == RQ_MUNICIPALITY ? "municipality" : "referrer"));
}
