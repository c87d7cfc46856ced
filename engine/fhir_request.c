/*
** fhir_request.c — the ServiceRequest's own elements on the native record:
** the referral's id, its received date and priority, the letter (its notes)
** and the diagnoses (SKS or ICD-10 codes, in reasonCode or a Condition).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fhir_map.h"

/* The referral id: ServiceRequest.identifier[0].value, else its id. */
int fxm_id(fx_map *m)
{
    int sr = m->d->sr;
    const json_t *ids = fxm_get(m, sr, "identifier"), *v = NULL;
    fx_at at;
    if (ids && !json_is_array(ids)) {   /* else the id would silently be ServiceRequest.id */
        at = fxm_at(sr, ".identifier");
        return fxd_fail_list(m->d, &at, ids);
    }
    if (json_array_size(ids)) {
        v = json_object_get(json_array_get(ids, 0), "value");
        at = fxm_at(sr, ".identifier[0].value");
        if (!v) return fxd_fail_at(m->d, &at, "missing (the referral's id, henvisningsId)");
    } else if ((v = fxm_get(m, sr, "id")))
        at = fxm_at(sr, ".id");
    else {
        at = fxm_at(sr, ".identifier");
        return fxd_fail_at(m->d, &at, "missing, and the ServiceRequest has no id: the "
                           "referral needs an id");
    }
    if (json_is_string(v) && json_string_length(v) <= 64) m->d->id = json_string_value(v);
    return fxm_top(m, K_ID, fxm_share(v), &at);
}

static const char *const fxm_priorities[][2] = {
    {"routine", "routine"}, {"urgent", "urgent"}, {"asap", "asap"}, {"stat", "asap"}};

int fxm_request(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    char q[RF_QUOTE_MAX];
    const json_t *v;
    fx_at at = fxm_at(sr, ".authoredOn");
    if (!(v = fxm_get(m, sr, "authoredOn")))
        return fxd_fail_at(d, &at, "missing (the day the referral was written is its received "
                           "date)");
    if (fxm_top(m, K_RECEIVED, fxm_day(v), &at)) return -1;
    if ((v = fxm_get(m, sr, "priority"))) {
        const char *s = json_string_value(v);
        int k = -1;
        for (int i = 0; s && i < 4; i++)
            if (!strcmp(s, fxm_priorities[i][0])) k = i;
        at = fxm_at(sr, ".priority");
        if (k < 0)
            return fxd_fail_at(d, &at, s ? "%s is not one of routine, urgent, asap, stat"
                                         : "must be a code (a string), not %s",
                               s ? rf_quote(q, s, strlen(s)) : rf_typename(v));
        if (fxm_top(m, K_PRIORITY, k == 3 ? json_string_nocheck("asap") : fxm_share(v), &at))
            return -1;
    }
    return 0;
}

/* The letter: every note's text, in order, a blank line between (one
** note's text is shared as it is). */
int fxm_text(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    const json_t *notes = fxm_get(m, sr, "note");
    size_t len = 0, n = json_array_size(notes);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_object_get(json_array_get(notes, i), "text");
        if (!json_is_string(t)) {
            fx_at at = fx_in(fx_in(fx_at_res(sr), ".note[%d]", (int)i), ".text", 0);
            return fxd_fail_at(d, &at, t ? "must be a string, not %s" : "missing%s",
                               t ? rf_typename(t) : "");
        }
        len += json_string_length(t) + 2;
    }
    if (!n) return 0;
    fx_at at = fxm_at(sr, ".note");
    if (n == 1)
        return fxm_top(m, K_TEXT, fxm_share(json_object_get(json_array_get(notes, 0), "text")),
                       &at);
    char *text = malloc(len), *o = text;
    if (!text) return fxm_oom(m);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_object_get(json_array_get(notes, i), "text");
        if (i) { memcpy(o, "\n\n", 2); o += 2; }
        memcpy(o, json_string_value(t), json_string_length(t));
        o += json_string_length(t);
    }
    json_t *s = json_stringn_nocheck(text, (size_t)(o - text));   /* UTF-8 pieces and "\n\n" */
    free(text);
    return fxm_top(m, K_TEXT, s, &at);
}

/* Diagnoses from one CodeableConcept (at): its first SKS or ICD-10
** coding. A Condition (once) repeats no code already given, however it is
** written (DF900 and F90.0 are one diagnosis). */
static int fxm_diagnosis(fx_map *m, const json_t *cc, const fx_at *at, int once)
{
    const json_t *c = json_object_get(cc, "coding");
    char norm[8], other[8];
    for (size_t j = 0; j < json_array_size(c); j++) {
        const json_t *x = json_array_get(c, j);
        const char *s = fxd_str(x, "system");
        if (!s || (strcmp(s, FX_SYS_SKS) && strcmp(s, FX_SYS_ICD10))) continue;
        const json_t *code = json_object_get(x, "code");
        fx_at p = fx_in(fx_in(*at, ".coding[%d]", (int)j), ".code", 0);
        if (!code) return fxd_fail_at(m->d, &p, "missing");
        const json_t *have = m->slot[K_DIAGNOSES];
        if (once && json_is_string(code) && rf_icd_normalise(json_string_value(code), norm))
            for (size_t k = 0; k < json_array_size(have); k++)
                if (rf_icd_normalise(json_string_value(json_array_get(have, k)), other) &&
                    !strcmp(norm, other))
                    return 0;
        return fxm_push(m, K_DIAGNOSES, fxm_share(code), &p) < 0 ? -1 : 0;
    }
    return 0;
}

int fxm_diagnoses(fx_map *m)
{
    int sr = m->d->sr;
    const json_t *rc = fxm_get(m, sr, "reasonCode"), *rr = fxm_get(m, sr, "reasonReference");
    for (size_t i = 0; i < json_array_size(rc); i++) {
        fx_at at = fx_in(fx_at_res(sr), ".reasonCode[%d]", (int)i);
        if (fxm_diagnosis(m, json_array_get(rc, i), &at, 0)) return -1;
    }
    for (size_t i = 0; i < json_array_size(rr); i++) {
        fx_at at = fx_in(fx_at_res(sr), ".reasonReference[%d]", (int)i);
        int c = fxd_resolve(m->d, json_array_get(rr, i), &at,
                            "|Condition|Observation|DiagnosticReport|DocumentReference|");
        if (c < 0) return -1;
        const json_t *vs = fxm_get(m, c, "verificationStatus");
        if (strcmp(m->d->res[c].type, "Condition") ||
            fxm_has_code(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted") ||
            fxm_has_code(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                         "entered-in-error"))
            continue;
        fx_at code = fxm_at(c, ".code");
        if (fxm_diagnosis(m, fxm_get(m, c, "code"), &code, 1)) return -1;
    }
    return 0;
}
