/*
** record.c — the referral as JSON (referral.schema.json): the structured
** fields the letter left to them (cp_shown), the letter itself as "text",
** the referrer's name and how the municipality is spelled. Written with
** jansson; the draws happen in the order the fields are written.
*/
#include <stdio.h>
#include <string.h>

#include "corpus.h"

/* Set key to v (a new reference) in o, or append v to list; a value that
** could not be made (NULL) or kept marks the generator out of memory. */
static void cp_set(cp_gen *G, json_t *o, const char *key, json_t *v)
{
    if (json_object_set_new(o, key, v) != 0) G->oom = 1;
}

static void cp_push(cp_gen *G, json_t *list, json_t *v)
{
    if (json_array_append_new(list, v) != 0) G->oom = 1;
}

static json_t *cp_day(int32_t d)
{
    char s[11];
    triage_date_format(d, s);
    return json_string(s);
}

/* The referral's own priority: routine, urgent, asap, or none. */
static const char *cp_priority(cp_gen *G, const cp_child *a)
{
    cp_rng *r = &G->rng;
    double x = cp_u01(r);
    const char *pr = x < .6 ? "routine" : x < .75 ? "urgent" : x < .78 ? "asap" : NULL;
    if (a->attempt_now || a->plan || a->psychotic) pr = cp_chance(r, .5) ? "asap" : "urgent";
    return pr;
}

/* How the referrer signs, by kind; into nm. */
static void cp_referrer_name(cp_gen *G, const cp_child *a, char *nm, size_t cap)
{
    cp_rng *r = &G->rng;
    const char *mn = cp_munis[a->muni >= 0 ? a->muni : a->garbled_of].name;
    switch (a->referrer) {
    case R_GP: {
        static const char *const f[] = { "Lægerne i %s", "Lægehuset %s", "Praktiserende læge, %s" };
        snprintf(nm, cap, CP_PICK(r, f), mn); break;
    }
    case R_MUNICIPALITY: {
        static const char *const f[] = { "PPR %s Kommune", "Familieafdelingen, %s Kommune", "Børn og Unge, %s" };
        snprintf(nm, cap, CP_PICK(r, f), mn); break;
    }
    case R_SPECIALIST: snprintf(nm, cap, "Speciallæge i børne- og ungdomspsykiatri, %s", mn); break;
    case R_HOSPITAL: {
        static const char *const f[] = { "Børneafdelingen, Herlev", "Børne- og Ungeafdelingen, Hvidovre Hospital",
                                         "Akutmodtagelsen, Rigshospitalet", "Børneafdelingen, Hillerød" };
        snprintf(nm, cap, "%s", CP_PICK(r, f)); break;
    }
    case R_HV: snprintf(nm, cap, "Sundhedsplejen, %s Kommune", mn); break;
    case R_SELF: snprintf(nm, cap, "%s", a->male ? "Forældre til drengen" : "Forældre til pigen"); break;
    default: snprintf(nm, cap, "%s", cp_chance(r, .5) ? "Skolens AKT-team" : "Fritidsklubben"); break;
    }
}

static json_t *cp_referrer(cp_gen *G, const cp_child *a)
{
    json_t *o = json_object();
    cp_set(G, o, "kind", json_string(cp_referrer_names[a->referrer]));
    if (cp_chance(&G->rng, .8)) {
        char nm[160];
        cp_referrer_name(G, a, nm, sizeof nm);
        cp_set(G, o, "name", json_string(nm));
    }
    return o;
}

/* The municipality as written: its name, another spelling, or a typo. */
static const char *cp_municipality(cp_gen *G, const cp_child *a)
{
    if (a->muni < 0) return cp_munis[a->garbled_of].garbled;
    const cp_muni *m = &cp_munis[a->muni];
    int nalt = 0;
    while (nalt < 6 && m->alt[nalt]) nalt++;
    return nalt && cp_chance(&G->rng, .45) ? m->alt[cp_below(&G->rng, nalt)] : m->name;
}

static json_t *cp_patient(cp_gen *G, const cp_child *a, const cp_shown *sh)
{
    static const char *const cn[] = { "joint", "sole", "placed", "unknown" };
    json_t *o = json_object();
    if (a->cpr[0]) cp_set(G, o, "cpr", json_string(a->cpr));
    if (a->birth_field) cp_set(G, o, "birth_date", cp_day(a->birth));
    if (cp_chance(&G->rng, .9)) cp_set(G, o, "sex", json_string(a->male ? "M" : "F"));
    cp_set(G, o, "municipality", json_string(cp_municipality(G, a)));
    if (sh->cust_field != -2)
        cp_set(G, o, "custody", sh->cust_field == -1 ? json_null() : json_string(cn[sh->cust_field]));
    return o;
}

/* The letter's sentences as one text: a space between them, in a long
** letter now and then a line break; a short one may lose its final dot. */
static json_t *cp_text(cp_gen *G, const cp_shown *sh)
{
    cp_rng *r = &G->rng;
    char *t = G->text;
    size_t n = 0;
    for (int i = 0; i < G->nsent; i++) {
        if (i) t[n++] = sh->style == 2 && cp_chance(r, .25) ? '\n' : ' ';
        size_t l = strlen(G->sent[i]);
        memcpy(t + n, G->sent[i], l);
        n += l;
    }
    if (sh->style == 0 && n > 0 && t[n - 1] == '.' && cp_chance(r, .3)) n--;  /* no final dot */
    return json_stringn(t, n);
}

static json_t *cp_assessments(cp_gen *G, const cp_child *a, const cp_shown *sh)
{
    cp_rng *r = &G->rng;
    json_t *list = json_array();
    if (sh->cog_struct) {
        json_t *o = json_pack("{s:s}", "kind", "cognitive");
        if (cp_chance(r, .85)) cp_set(G, o, "instrument", json_string(cp_instr[a->cog_instr]));
        if (a->cog_date != TRIAGE_NO_DAY) cp_set(G, o, "date", cp_day(a->cog_date));
        if (a->fsiq >= 0) cp_set(G, o, "fsiq", json_integer(a->fsiq));
        if (cp_chance(r, .6)) cp_set(G, o, "by", json_string("PPR"));
        cp_push(G, list, o);
    }
    if (a->ppv && sh->ppv_where != 1) {
        json_t *o = json_pack("{s:s}", "kind", "ppv");
        if (cp_chance(r, .5)) cp_set(G, o, "by", json_string("PPR"));
        cp_push(G, list, o);
    }
    if (cp_chance(r, .15)) cp_push(G, list, json_pack("{s:s}", "kind", "school_statement"));
    return list;
}

static json_t *cp_prior_interventions(cp_gen *G)
{
    static const char *const pi[] = { "ppr", "section_126a", "family_support", "special_education" };
    cp_rng *r = &G->rng;
    int k = cp_range(r, 1, 2), base = cp_below(r, 4);
    json_t *list = json_array();
    for (int i = 0; i < k; i++) cp_push(G, list, json_string(pi[(base + i) % 4]));
    return list;
}

/* The risk fields given, each true, false or null; NULL when none is. */
static json_t *cp_risk(cp_gen *G, const cp_shown *sh)
{
    static const char *const rn[] = { "suicide_attempt", "suicide_plan", "suicidal_ideation",
                                      "self_harm", "psychosis", "substance_misuse" };
    json_t *o = NULL;
    for (int i = 0; i < 6; i++) {
        if (sh->rk[i] == -2) continue;
        if (!o) o = json_object();
        cp_set(G, o, rn[i], sh->rk[i] == -1 ? json_null() : json_boolean(sh->rk[i]));
    }
    return o;
}

static json_t *cp_somatic(cp_gen *G, const cp_child *a, const cp_shown *sh)
{
    json_t *o = json_object();
    if (sh->s_h) {
        cp_set(G, o, "height_cm", json_integer(a->height));
        cp_set(G, o, "weight_kg", json_real(a->weight));
    }
    if (sh->s_b) cp_set(G, o, "bmi", json_real(a->bmi));
    if (sh->s_l) cp_set(G, o, "weight_loss_pct_3m", json_integer(a->wloss));
    return o;
}

static json_t *cp_medication(cp_gen *G, const cp_child *a)
{
    json_t *list = json_array();
    if (a->med_psy >= 0) cp_push(G, list, json_string(cp_psy_meds[a->med_psy]));
    if (a->med_other >= 0) cp_push(G, list, json_string(cp_other_meds[a->med_other]));
    return list;
}

/* The record, fields in the schema's order. */
json_t *cp_record(cp_gen *G, const cp_child *a, const char *id, const cp_shown *sh)
{
    cp_rng *r = &G->rng;
    json_t *o = json_object();
    const char *pr;
    cp_set(G, o, "id", json_string(id));
    cp_set(G, o, "received", cp_day(a->received));
    if ((pr = cp_priority(G, a))) cp_set(G, o, "priority", json_string(pr));
    cp_set(G, o, "referrer", cp_referrer(G, a));
    cp_set(G, o, "patient", cp_patient(G, a, sh));
    if (sh->cons_field != -2)
        cp_set(G, o, "consent", json_pack("{s:o}", "both_custodians", sh->cons_field == -1
                                       ? json_null() : json_boolean(sh->cons_field)));
    if (sh->ncodes) {
        json_t *list = json_array();
        for (int i = 0; i < sh->ncodes; i++) cp_push(G, list, json_string(sh->codes[i]));
        cp_set(G, o, "diagnoses", list);
    }
    cp_set(G, o, "text", cp_text(G, sh));
    if (a->gapd >= 0) cp_set(G, o, "gapd", json_integer(a->gapd));
    else if (cp_chance(r, .2)) cp_set(G, o, "gapd", json_null());
    if (sh->cog_struct || (a->ppv && sh->ppv_where != 1)) cp_set(G, o, "assessments", cp_assessments(G, a, sh));
    if (sh->style != 0 && cp_chance(r, .2)) cp_set(G, o, "prior_interventions", cp_prior_interventions(G));
    json_t *risk = cp_risk(G, sh);
    if (risk) cp_set(G, o, "risk", risk);
    if (sh->s_h || sh->s_b || sh->s_l) cp_set(G, o, "somatic", cp_somatic(G, a, sh));
    if (sh->med_struct && (a->med_psy >= 0 || a->med_other >= 0)) cp_set(G, o, "medication", cp_medication(G, a));
    if (sh->prev_field != -2) cp_set(G, o, "previous_buc_contact", json_boolean(sh->prev_field));
    return o;
}
