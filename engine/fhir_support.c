/*
** fhir_support.c — what ServiceRequest.supportingInfo references, by type:
** tests and documents (cognitive tests, PPV, school statements) as
** assessments; findings as risk, custody and somatic values; the custodians'
** consent; efforts already tried and medicine taken.
*/
#include <string.h>
#include "fhir_map.h"

/* value[x] of an Observation: the member's name in *name, its JSON. */
static const json_t *fxm_value(const json_t *obs, const char **name)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obs, k, v)
        if (!strncmp(k, "value", 5)) { *name = k; return v; }
    return NULL;
}

/* value[x]'s element (valueInteger, valueQuantity ...) of at: the name is
** the document's own key (it lives as long as the document), a literal
** never read as a format. */
static fx_at fxm_at_value(fx_at at, const char *name)
{
    at = fx_in(at, ".", 0);
    return fx_in(at, name, FX_LIT);
}

/* A number from value[x] (valueQuantity.value, valueInteger, valueDecimal)
** of holder (at): its JSON and its element (*p). NULL when the value is
** not one. */
static const json_t *fxm_number(const json_t *holder, const fx_at *at, fx_at *p)
{
    const char *k = NULL;
    const json_t *v = fxm_value(holder, &k);
    if (!v) return NULL;
    if (!strcmp(k, "valueQuantity")) {
        *p = fx_in(*at, ".valueQuantity.value", 0);
        return json_object_get(v, "value");
    }
    if (!strcmp(k, "valueInteger") || !strcmp(k, "valueDecimal")) {
        *p = fxm_at_value(*at, k);
        return v;
    }
    return NULL;
}

/* A measurement in the unit native wants: cm from cm or m, kg from kg or g. */
static int fxm_measure(fx_map *m, int res, const char *key, const char *unit,
                       const char *alt, double factor)
{
    char q[RF_QUOTE_MAX];
    const json_t *qty = fxm_get(m, res, "valueQuantity");
    fx_at at = fx_at_res(res), p;
    const json_t *num = fxm_number(m->d->res[res].r, &at, &p);
    if (!num) return 0;
    const char *u = fxd_str(qty, "code") ? fxd_str(qty, "code") : fxd_str(qty, "unit");
    double f = 1;
    if (u && alt && !strcmp(u, alt)) f = factor;
    else if (u && unit && strcmp(u, unit)) {
        fx_at up = fxm_at(res, fxd_str(qty, "code") ? ".valueQuantity.code" : ".valueQuantity.unit");
        return fxd_fail_at(m->d, &up, "%s is not a unit read here (%s%s%s)",
                           rf_quote(q, u, strlen(u)), unit, alt ? " or " : "", alt ? alt : "");
    }
    json_t *v = f != 1 && json_is_number(num) ? json_real(json_number_value(num) * f)
                                              : fxm_share(num);
    json_t *o = fxm_obj(m, K_SOMATIC);
    return o ? fxm_set(m, o, key, v, FX_NAT2("somatic", key), &p) : fxm_oom(m);
}

/* An assessment: kind, instrument, date, fsiq, by — whichever are given
** (NULL otherwise), each with its element. */
typedef struct fx_part { const json_t *v; fx_at at; } fx_part;

static int fxm_assessment(fx_map *m, int res, int kind, fx_part instr, fx_part date,
                          fx_part fsiq, json_t *by, const fx_at *byat)
{
    json_t *a = json_object();
    fx_at whole = fx_at_res(res);
    int i = a ? fxm_push(m, K_ASSESSMENTS, a, &whole) : -1;
    if (i < 0) return -1;
    if (json_object_set_new_nocheck(a, "kind", json_string_nocheck(rf_assessment_names[kind])))
        return fxm_oom(m);
    if (instr.v && fxm_set(m, a, "instrument", fxm_share(instr.v),
                           (fx_nat){"assessments", i, "instrument"}, &instr.at))
        return -1;
    if (date.v && fxm_set(m, a, "date", fxm_day(date.v), (fx_nat){"assessments", i, "date"},
                          &date.at))
        return -1;
    if (fsiq.v && fxm_set(m, a, "fsiq", fxm_share(fsiq.v), (fx_nat){"assessments", i, "fsiq"},
                          &fsiq.at))
        return -1;
    if (by && fxm_set(m, a, "by", json_incref(by), (fx_nat){"assessments", i, "by"}, byat))
        return -1;
    return 0;
}

/* The first of several date elements a resource has. */
static fx_part fxm_date(fx_map *m, int res, const char *const *keys)
{
    fx_part p = {NULL, fx_at_res(res)};
    for (; *keys; keys++) {
        const json_t *v = fxm_get(m, res, *keys);
        if (!strcmp(*keys, "effectivePeriod") || !strcmp(*keys, "context")) {
            int ctx = !strcmp(*keys, "context");
            v = json_object_get(ctx ? json_object_get(v, "period") : v, "start");
            if (v) p.at = fxm_at(res, ctx ? ".context.period.start" : ".effectivePeriod.start");
        } else if (v)
            p.at = fxm_at_value(fx_at_res(res), *keys);
        if (v) {
            p.v = v;
            return p;
        }
    }
    return p;
}

/* An Observation that is a test: a cognitive test unless its category
** says another kind (fhir.md: instrument in code, date in effective[x],
** full-scale IQ in valueQuantity or a component). */
static int fxm_test(fx_map *m, int res)
{
    static const char *const dates[] = {"effectiveDateTime", "effectivePeriod",
                                        "effectiveInstant", "issued", NULL};
    const json_t *cat = fxm_get(m, res, "category"), *code = fxm_get(m, res, "code");
    int kind = -1, bad;
    for (size_t i = 0; kind < 0 && i < json_array_size(cat); i++) {
        const char *c = fxm_our_code(json_array_get(cat, i), FX_CS("assessment-kind"), NULL);
        kind = c ? fx_assessment_of_coding(FX_CS("assessment-kind"), c) : -1;
    }
    if (kind < 0) kind = AK_COGNITIVE;
    fx_part instr = {NULL, fxm_at(res, ".code")};
    instr.v = fxm_cc_text(code, &instr.at);
    fx_part date = fxm_date(m, res, dates);
    fx_at whole = fx_at_res(res);
    fx_part fsiq = {NULL, whole};
    fsiq.v = fxm_number(m->d->res[res].r, &whole, &fsiq.at);
    const json_t *comp = fxm_get(m, res, "component");
    for (size_t i = 0; !fsiq.v && i < json_array_size(comp); i++) {
        const json_t *c = json_array_get(comp, i);
        if (!fxm_has_code(json_object_get(c, "code"), FX_CS("finding"), "fsiq")) continue;
        fx_at base = fx_in(whole, ".component[%d]", (int)i);
        fsiq.v = fxm_number(c, &base, &fsiq.at);
    }
    fx_at perf = fx_in(whole, ".performer[%d]", 0), byat = perf;
    json_t *by = fxm_who(m, json_array_get(fxm_get(m, res, "performer"), 0), &perf, &byat, &bad);
    if (bad) return -1;
    int rc = fxm_assessment(m, res, kind, instr, date, fsiq, by, &byat);
    json_decref(by);
    return rc;
}

/* A DocumentReference or DiagnosticReport: PPV, a school statement, a
** child-welfare report ... by its type (our code, else its words). */
static int fxm_document(fx_map *m, int res)
{
    static const char *const dr_dates[] = {"date", "context", NULL};
    static const char *const rep_dates[] = {"effectiveDateTime", "effectivePeriod", "issued", NULL};
    int doc = !strcmp(m->d->res[res].type, "DocumentReference"), kind = -1, bad;
    const json_t *types[2] = {fxm_get(m, res, doc ? "type" : "code"), NULL};
    const json_t *cats = fxm_get(m, res, "category");
    if (json_array_size(cats)) types[1] = json_array_get(cats, 0);
    for (int t = 0; kind < 0 && t < 2; t++) {
        const json_t *cc = types[t], *c = json_object_get(cc, "coding");
        const char *our = fxm_our_code(cc, FX_CS("assessment-kind"), NULL);
        kind = our ? fx_assessment_of_coding(FX_CS("assessment-kind"), our) : -1;
        if (kind < 0) kind = fx_assessment_of_text(fxd_str(cc, "text"));
        for (size_t j = 0; kind < 0 && j < json_array_size(c); j++)
            kind = fx_assessment_of_text(fxd_str(json_array_get(c, j), "display"));
    }
    if (kind < 0) kind = AK_OTHER;
    fx_part instr = {doc ? fxm_get(m, res, "description") : NULL, fxm_at(res, ".description")};
    fx_part date = fxm_date(m, res, doc ? dr_dates : rep_dates);
    fx_part none = {NULL, fx_at_res(res)};
    fx_at who = fx_in(fx_at_res(res), doc ? ".author[%d]" : ".performer[%d]", 0), byat = who;
    json_t *by = fxm_who(m, json_array_get(fxm_get(m, res, doc ? "author" : "performer"), 0),
                         &who, &byat, &bad);
    if (bad) return -1;
    int rc = fxm_assessment(m, res, kind, instr, date, none, by, &byat);
    json_decref(by);
    return rc;
}

/* Our finding codes (FX_CS("finding")) and where each goes. */
enum { FF_BOOL_RISK, FF_CUSTODY, FF_GAPD, FF_PREVIOUS, FF_LOSS, FF_TEST };

/* The measurement a LOINC coding of code names: 0 height, 1 weight, 2 BMI;
** -1 for none (one pass over the codings). */
static int fxm_loinc(const json_t *code)
{
    static const char *const codes[] = {"8302-2", "29463-7", "39156-5"};
    const json_t *c = json_object_get(code, "coding");
    for (size_t i = 0; i < json_array_size(c); i++) {
        const json_t *x = json_array_get(c, i);
        const char *s = fxd_str(x, "system"), *k;
        if (!s || strcmp(s, FX_SYS_LOINC) || !(k = fxd_str(x, "code"))) continue;
        for (int j = 0; j < 3; j++)
            if (!strcmp(k, codes[j])) return j;
    }
    return -1;
}

static int fxm_finding(const json_t *code, int *risk)
{
    const char *c = fxm_our_code(code, FX_CS("finding"), NULL);
    if (!c) return -1;
    for (int i = 0; i < RISK__N; i++)
        if (!strcmp(c, rf_risk_names[i])) { *risk = i; return FF_BOOL_RISK; }
    if (!strcmp(c, "custody")) return FF_CUSTODY;
    if (!strcmp(c, "gapd")) return FF_GAPD;
    if (!strcmp(c, "previous_buc_contact")) return FF_PREVIOUS;
    if (!strcmp(c, "weight_loss_pct_3m")) return FF_LOSS;
    if (!strcmp(c, "cognitive_test")) return FF_TEST;
    return -1;
}

/* Set a field from value[x] as it is (the native check names a wrong type
** at value[x]'s element); the first one wins, later ones are kept as sent
** only. obj NULL: the record's member k. */
static int fxm_from_value(fx_map *m, int res, json_t *obj, const char *key, int k, fx_nat nat,
                          int code)
{
    const char *name = NULL;
    const json_t *v = fxm_value(m->d->res[res].r, &name);
    if (!v || (obj ? json_object_get(obj, key) != NULL : m->slot[k] != NULL)) return 0;
    fx_at at = fx_at_res(res);
    json_t *val;
    if (code && !strcmp(name, "valueCodeableConcept")) {
        size_t i = 0;
        const char *c = fxm_our_code(v, FX_CS("custody"), &i);
        at = fx_in(fx_in(fx_in(at, ".valueCodeableConcept", 0), ".coding[%d]", (int)i), ".code", 0);
        val = c ? json_string(c) : fxm_share(v);
    } else if (!strcmp(name, "valueQuantity")) {
        if (!(v = json_object_get(v, "value"))) return 0;
        at = fx_in(at, ".valueQuantity.value", 0);
        val = fxm_share(v);
    } else {
        at = fxm_at_value(at, name);
        val = fxm_share(v);
    }
    return obj ? fxm_set(m, obj, key, val, nat, &at) : fxm_top(m, k, val, &at);
}

static int fxm_observation(fx_map *m, int res)
{
    const json_t *code = fxm_get(m, res, "code"), *cat = fxm_get(m, res, "category");
    int risk = 0, loinc = fxm_loinc(code);
    if (loinc == 0) return fxm_measure(m, res, "height_cm", "cm", "m", 100);
    if (loinc == 1) return fxm_measure(m, res, "weight_kg", "kg", "g", 0.001);
    if (loinc == 2) return fxm_measure(m, res, "bmi", "kg/m2", NULL, 1);
    switch (fxm_finding(code, &risk)) {
    case FF_BOOL_RISK: {
        json_t *o = fxm_obj(m, K_RISK);
        return o ? fxm_from_value(m, res, o, rf_risk_names[risk], 0,
                                  FX_NAT2("risk", rf_risk_names[risk]), 0) : fxm_oom(m);
    }
    case FF_CUSTODY:
        return fxm_from_value(m, res, m->slot[K_PATIENT], "custody", 0,
                              FX_NAT2("patient", "custody"), 1);
    case FF_GAPD:
        return fxm_from_value(m, res, NULL, NULL, K_GAPD, FX_NAT("gapd"), 0);
    case FF_PREVIOUS:
        return fxm_from_value(m, res, NULL, NULL, K_PREVIOUS, FX_NAT("previous_buc_contact"), 0);
    case FF_LOSS:
        return fxm_measure(m, res, "weight_loss_pct_3m", "%", NULL, 1);
    case FF_TEST:
        return fxm_test(m, res);
    }
    /* Laboratory results, vital signs and imaging are not tests of the child's mind. */
    static const char *const skip[] = {"laboratory", "vital-signs", "imaging"};
    for (size_t i = 0; i < json_array_size(cat); i++)
        for (int s = 0; s < 3; s++)
            if (fxm_has_code(json_array_get(cat, i),
                             "http://terminology.hl7.org/CodeSystem/observation-category", skip[s]))
                return 0;
    return fxm_test(m, res);
}

/* Consent: both custodians agreed (active), or refused (rejected, inactive,
** a deny provision). Only a Consent about both custodians counts: our
** code, or two or more performers. */
static int fxm_consent(fx_map *m, int res)
{
    const json_t *cats = fxm_get(m, res, "category");
    const char *status = json_string_value(fxm_get(m, res, "status"));
    int ours = json_array_size(fxm_get(m, res, "performer")) >= 2;
    for (size_t i = 0; !ours && i < json_array_size(cats); i++)
        ours = fxm_has_code(json_array_get(cats, i), FX_CS("consent"), "both_custodians");
    if (!ours || !status || !strcmp(status, "entered-in-error") ||
        (m->slot[K_CONSENT] && json_object_get(m->slot[K_CONSENT], "both_custodians")))
        return 0;
    const char *prov = fxd_str(fxm_get(m, res, "provision"), "type");
    json_t *v = !strcmp(status, "active") ? json_boolean(!prov || strcmp(prov, "deny"))
              : !strcmp(status, "rejected") || !strcmp(status, "inactive") ? json_false()
              : json_null();
    json_t *o = fxm_obj(m, K_CONSENT);
    fx_at at = fxm_at(res, ".status");
    return o ? fxm_set(m, o, "both_custodians", v, FX_NAT2("consent", "both_custodians"), &at)
             : fxm_oom(m);
}

/* A Condition with one of our risk codes: the risk is there, unless refuted. */
static int fxm_condition(fx_map *m, int res)
{
    int risk = 0;
    const json_t *vs = fxm_get(m, res, "verificationStatus");
    const char *vsys = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    if (fxm_finding(fxm_get(m, res, "code"), &risk) != FF_BOOL_RISK ||
        fxm_has_code(vs, vsys, "entered-in-error"))
        return 0;
    json_t *o = fxm_obj(m, K_RISK);
    if (!o) return fxm_oom(m);
    if (json_object_get(o, rf_risk_names[risk])) return 0;
    fx_at at = fxm_at(res, ".code");
    return fxm_set(m, o, rf_risk_names[risk], json_boolean(!fxm_has_code(vs, vsys, "refuted")),
                   FX_NAT2("risk", rf_risk_names[risk]), &at);
}

/* An effort already tried (Procedure) or a medicine taken: its words. */
static int fxm_listed(fx_map *m, const json_t *cc, fx_at at, int k, const char *cs)
{
    size_t i = 0;
    const char *our = cs ? fxm_our_code(cc, cs, &i) : NULL;
    if (our) {
        at = fx_in(fx_in(at, ".coding[%d]", (int)i), ".code", 0);
        return fxm_push(m, k, json_string(our), &at) < 0 ? -1 : 0;
    }
    const json_t *v = fxm_cc_text(cc, &at);
    if (!v) return 0;
    return fxm_push(m, k, fxm_share(v), &at) < 0 ? -1 : 0;
}

int fxm_support(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    const json_t *si = fxm_get(m, sr, "supportingInfo");
    fx_at all = fxm_at(sr, ".supportingInfo");
    if (si && fxm_note(m, FX_NAT("assessments"), &all)) return -1;
    for (size_t i = 0; i < json_array_size(si); i++) {
        fx_at at = fx_in(fx_at_res(sr), ".supportingInfo[%d]", (int)i);
        int r = fxd_resolve(d, json_array_get(si, i), &at, NULL);
        if (r < 0) return -1;
        const char *t = d->res[r].type, *status = json_string_value(fxm_get(m, r, "status"));
        if (status && (!strcmp(status, "entered-in-error") || !strcmp(status, "cancelled") ||
                       !strcmp(status, "not-done") || !strcmp(status, "not-taken")))
            continue;
        int rc = 0;
        if (!strcmp(t, "Observation")) rc = fxm_observation(m, r);
        else if (!strcmp(t, "DocumentReference") || !strcmp(t, "DiagnosticReport"))
            rc = fxm_document(m, r);
        else if (!strcmp(t, "Consent")) rc = fxm_consent(m, r);
        else if (!strcmp(t, "Condition")) rc = fxm_condition(m, r);
        else if (!strcmp(t, "Procedure"))
            rc = fxm_listed(m, fxm_get(m, r, "code"), fxm_at(r, ".code"), K_PRIOR,
                            FX_CS("prior-intervention"));
        else if (!strcmp(t, "MedicationStatement") || !strcmp(t, "MedicationRequest"))
            rc = fxm_listed(m, fxm_get(m, r, "medicationCodeableConcept"),
                            fxm_at(r, ".medicationCodeableConcept"), K_MEDICATION, NULL);
        if (rc) return -1;
    }
    return 0;
}
