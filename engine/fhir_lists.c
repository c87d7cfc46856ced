/*
** fhir_lists.c — which elements FHIR R4 writes as arrays, among those a
** referral is read from. Elsewhere the mapping reads a list with
** json_array_size, which is 0 for an object: a note or a coding sent without
** its brackets would be silently unread (the letter, a diagnosis lost), so
** it is an error at its FHIRPath instead; so is an array where one is meant.
*/
#include <string.h>
#include "fhir_doc.h"
#include "referral_json.h"

/* One step down a path: a single element (each == NULL), gone into when it
** is an object; or a repeating one (each: its items' FHIRPath), which must
** be an array, each item gone into. */
typedef struct fxl_step { const char *key, *lit, *each; } fxl_step;
#define ONE(k) {k, "." k, NULL}
#define MANY(k) {k, "." k, "." k "[%d]"}

/* The paths the mapping reads (docs/fhir.md), with R4's cardinalities. */
static const struct { const char *type; fxl_step step[4]; } fxl_paths[] = {
    {"ServiceRequest", {MANY("note")}},
    {"ServiceRequest", {MANY("reasonCode"), MANY("coding")}},
    {"ServiceRequest", {MANY("reasonReference")}},
    {"ServiceRequest", {MANY("supportingInfo")}},
    {"Patient", {MANY("identifier")}},
    {"Patient", {MANY("address"), MANY("extension"), ONE("valueCodeableConcept"), MANY("coding")}},
    {"Organization", {MANY("identifier")}},
    {"Organization", {MANY("type"), MANY("coding")}},
    {"PractitionerRole", {MANY("code"), MANY("coding")}},
    {"PractitionerRole", {MANY("specialty"), MANY("coding")}},
    {"Practitioner", {MANY("name"), MANY("given")}},
    {"RelatedPerson", {MANY("name"), MANY("given")}},
    {"Observation", {MANY("category"), MANY("coding")}},
    {"Observation", {ONE("code"), MANY("coding")}},
    {"Observation", {ONE("valueCodeableConcept"), MANY("coding")}},
    {"Observation", {MANY("component"), ONE("code"), MANY("coding")}},
    {"Observation", {MANY("performer")}},
    {"DocumentReference", {ONE("type"), MANY("coding")}},
    {"DocumentReference", {MANY("category"), MANY("coding")}},
    {"DocumentReference", {MANY("author")}},
    {"DiagnosticReport", {ONE("code"), MANY("coding")}},
    {"DiagnosticReport", {MANY("category"), MANY("coding")}},
    {"DiagnosticReport", {MANY("performer")}},
    {"Condition", {ONE("code"), MANY("coding")}},
    {"Condition", {ONE("verificationStatus"), MANY("coding")}},
    {"Consent", {MANY("category"), MANY("coding")}},
    {"Consent", {MANY("performer")}},
    {"Procedure", {ONE("code"), MANY("coding")}},
    {"MedicationStatement", {ONE("medicationCodeableConcept"), MANY("coding")}},
    {"MedicationRequest", {ONE("medicationCodeableConcept"), MANY("coding")}},
    {"MessageHeader", {MANY("focus")}},
};

static int fxl_walk(fx_doc *d, const json_t *v, const fxl_step *s, const fxl_step *end, fx_at at)
{
    const json_t *e;
    if (s == end || !s->key || !(e = json_object_get(v, s->key))) return 0;
    if (!s->each) {
        if (!json_is_array(e)) return fxl_walk(d, e, s + 1, end, fx_in(at, s->lit, 0));
        at = fx_in(at, s->lit, 0);
        return fxd_fail_at(d, &at, "must be an object (it does not repeat), not an array");
    }
    if (!json_is_array(e)) {
        at = fx_in(at, s->lit, 0);
        return fxd_fail_list(d, &at, e);
    }
    for (size_t i = 0; i < json_array_size(e); i++)
        if (fxl_walk(d, json_array_get(e, i), s + 1, end, fx_in(at, s->each, (int)i)))
            return -1;
    return 0;
}

int fxd_fail_list(fx_doc *d, const fx_at *at, const json_t *v)
{
    return fxd_fail_at(d, at, "must be an array (FHIR JSON writes an element that repeats as "
                       "an array, even of one), not %s", rf_typename(v));
}

int fxd_lists(fx_doc *d)
{
    for (int i = 0; i < d->nres; i++)
        for (size_t k = 0; k < sizeof fxl_paths / sizeof *fxl_paths; k++)
            if (d->res[i].type[0] == fxl_paths[k].type[0] &&
                !strcmp(d->res[i].type, fxl_paths[k].type) &&
                fxl_walk(d, d->res[i].r, fxl_paths[k].step, fxl_paths[k].step + 4, fx_at_res(i)))
                return -1;
    return 0;
}
