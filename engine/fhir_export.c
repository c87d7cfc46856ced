/*
** fhir_export.c — a native referral written as FHIR R4 the way a sending
** system would send it (docs/fhir.md read backwards): a ServiceRequest, its
** Patient, the requester and one resource per supporting fact. fx_read
** reads it back to a referral that decides exactly as the native one; the
** corpus in FHIR form and the answer for a native referral are made here.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <nettle/base16.h>
#include <nettle/sha2.h>

#include "date.h"
#include "fhir_out.h"

void fx_uuid(char out[46], char *id, const char *a, const char *b, const char *c,
             const char *role)
{
    struct sha256_ctx x;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char h[2 * SHA256_DIGEST_SIZE + 1];
    sha256_init(&x);
    const char *parts[] = {a, b, c, role};
    for (int i = 0; i < 4; i++) {
        if (parts[i]) sha256_update(&x, strlen(parts[i]), (const uint8_t *)parts[i]);
        sha256_update(&x, 1, (const uint8_t *)"\n");
    }
    sha256_digest(&x, sizeof digest, digest);
    base16_encode_update(h, sizeof digest, digest);
    h[sizeof h - 1] = '\0';
    h[12] = '8';                                        /* version 8: custom */
    h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];   /* variant 10 */
    snprintf(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
    if (id) snprintf(id, 37, "%s", out + 9);
}

json_t *fx_entry(const char *url, json_t *resource)
{
    return json_pack("{s:s, s:o}", "fullUrl", url, "resource", resource);
}

json_t *fx_ref(const char *url) { return json_pack("{s:s}", "reference", url); }

json_t *fx_concept(const char *system, const char *code, const char *display)
{
    json_t *c = json_pack("{s:s, s:s}", "system", system, "code", code);
    if (display) json_object_set_new(c, "display", json_string(display));
    json_t *cc = json_pack("{s:[o]}", "coding", c);
    if (display) json_object_set_new(cc, "text", json_string(display));
    return cc;
}

/* ------------------------------------------------------------- parts */

typedef struct fxe {
    const triage_referral *r;
    json_t *entries, *sr;
    char patient[46];
    int n;                          /* supporting resources so far */
} fxe;

/* A new resource of type with a derived id, as an entry; the resource
** itself is returned (borrowed) for the caller to fill. */
static json_t *fxe_add(fxe *e, const char *type, const char *role, char url[46])
{
    char id[37], u[46];
    fx_uuid(u, id, "referral", e->r->id, NULL, role);
    json_t *res = json_pack("{s:s, s:s}", "resourceType", type, "id", id);
    if (url) memcpy(url, u, 46);
    json_array_append_new(e->entries, fx_entry(u, res));
    return res;
}

/* A supporting resource: subject the patient, listed in supportingInfo. */
static json_t *fxe_support(fxe *e, const char *type, const char *subject_key)
{
    char role[32], url[46];
    snprintf(role, sizeof role, "support %d", e->n++);
    json_t *res = fxe_add(e, type, role, url);
    if (subject_key) json_object_set_new(res, subject_key, fx_ref(e->patient));
    json_array_append_new(json_object_get(e->sr, "supportingInfo"), fx_ref(url));
    return res;
}

/* An Observation of one of our findings with its value (stolen). */
static void fxe_finding(fxe *e, const char *code, const char *vkey, json_t *value)
{
    json_t *o = fxe_support(e, "Observation", "subject");
    json_object_set_new(o, "status", json_string("final"));
    json_object_set_new(o, "code", fx_concept(FX_CS("finding"), code, NULL));
    json_object_set_new(o, vkey, value);
}

static void fxe_quantity(fxe *e, const char *system, const char *code, double v,
                         const char *unit)
{
    json_t *o = fxe_support(e, "Observation", "subject");
    json_object_set_new(o, "status", json_string("final"));
    json_object_set_new(o, "code", fx_concept(system, code, NULL));
    json_object_set_new(o, "valueQuantity",
                        json_pack("{s:f, s:s, s:s, s:s}", "value", v, "unit", unit, "system",
                                  "http://unitsofmeasure.org", "code", unit));
}

static void fxe_assessment(fxe *e, const rf_assessment_t *a)
{
    char day[11];
    json_t *res;
    const char *kind = rf_assessment_names[a->kind];
    if (a->kind == AK_COGNITIVE || a->fsiq >= 0) {  /* a test: an Observation */
        res = fxe_support(e, "Observation", "subject");
        json_object_set_new(res, "status", json_string("final"));
        json_object_set_new(res, "category",
                            json_pack("[o]", fx_concept(FX_CS("assessment-kind"), kind, NULL)));
        json_t *code = fx_concept(FX_CS("finding"), "cognitive_test", NULL);
        if (a->instrument) json_object_set_new(code, "text", json_string(a->instrument));
        json_object_set_new(res, "code", code);
        if (a->date != DT_NONE) {
            dt_format(a->date, day);
            json_object_set_new(res, "effectiveDateTime", json_string(day));
        }
        if (a->fsiq >= 0) json_object_set_new(res, "valueInteger", json_integer(a->fsiq));
        if (a->by) json_object_set_new(res, "performer", json_pack("[{s:s}]", "display", a->by));
        return;
    }
    res = fxe_support(e, "DocumentReference", "subject");   /* a document */
    json_object_set_new(res, "status", json_string("current"));
    json_object_set_new(res, "type", fx_concept(FX_CS("assessment-kind"), kind, NULL));
    if (a->instrument) json_object_set_new(res, "description", json_string(a->instrument));
    if (a->by) json_object_set_new(res, "author", json_pack("[{s:s}]", "display", a->by));
    if (a->date != DT_NONE) {
        dt_format(a->date, day);
        json_object_set_new(res, "context", json_pack("{s:{s:s}}", "period", "start", day));
    }
    json_object_set_new(res, "content", json_pack("[{s:{s:s}}]", "attachment", "title", kind));
}

static void fxe_patient(fxe *e)
{
    const triage_referral *r = e->r;
    char day[11];
    json_t *p = fxe_add(e, "Patient", "patient", e->patient);
    if (r->cpr[0])
        json_object_set_new(p, "identifier", json_pack("[{s:s, s:s}]", "system", FX_SYS_CPR,
                                                       "value", r->cpr));
    if (r->sex >= 0)
        json_object_set_new(p, "gender", json_string(r->sex == 0 ? "female" : r->sex == 1
                                                      ? "male" : "unknown"));
    dt_format(r->birth, day);
    json_object_set_new(p, "birthDate", json_string(day));
    json_t *addr = json_pack("{s:s, s:s}", "use", "home", "district", r->municipality);
    const char *code = fx_kommune_code(r->municipality);
    if (code)
        json_object_set_new(addr, "extension", json_pack("[{s:s, s:o}]", "url", FX_EXT_KOMMUNE,
                            "valueCodeableConcept", fx_concept(FX_SYS_KOMMUNE, code, NULL)));
    json_object_set_new(p, "address", json_pack("[o]", addr));
}

static void fxe_requester(fxe *e)
{
    const triage_referral *r = e->r;
    char url[46];
    json_t *q;
    if (r->referrer_kind == RK_SELF) {   /* the family itself */
        q = fxe_add(e, "RelatedPerson", "requester", url);
        json_object_set_new(q, "patient", fx_ref(e->patient));
        if (r->referrer_name)
            json_object_set_new(q, "name", json_pack("[{s:s}]", "text", r->referrer_name));
    } else {
        q = fxe_add(e, "Organization", "requester", url);
        json_object_set_new(q, "type", json_pack("[o]", fx_concept(FX_CS("referrer-kind"),
                            rf_referrer_names[r->referrer_kind], NULL)));
        if (r->referrer_name) json_object_set_new(q, "name", json_string(r->referrer_name));
    }
    json_object_set_new(e->sr, "requester", fx_ref(url));
}

json_t *fx_parts(const triage_referral *r)
{
    static const char *const fhir_priority[] = {"routine", "urgent", "asap"};
    static const char *const loinc[3][3] = {
        {"8302-2", "cm", "height_cm"}, {"29463-7", "kg", "weight_kg"}, {"39156-5", "kg/m2", "bmi"}};
    fxe e = {.r = r, .entries = json_array()};
    char day[11];
    if (!e.entries) return NULL;
    e.sr = fxe_add(&e, "ServiceRequest", "request", NULL);
    json_object_set_new(e.sr, "identifier", json_pack("[{s:s, s:s}]", "system",
                        FX_BASE "/sid/referral", "value", r->id));
    json_object_set_new(e.sr, "status", json_string("active"));
    json_object_set_new(e.sr, "intent", json_string("order"));
    if (r->priority >= 0)
        json_object_set_new(e.sr, "priority", json_string(fhir_priority[r->priority]));
    fxe_patient(&e);
    json_object_set_new(e.sr, "subject", fx_ref(e.patient));
    dt_format(r->received, day);
    json_object_set_new(e.sr, "authoredOn", json_string(day));
    fxe_requester(&e);
    if (r->ndiag) {
        json_t *rc = json_array();
        for (int i = 0; i < r->ndiag; i++)
            json_array_append_new(rc, fx_concept(FX_SYS_ICD10, r->diag[i], NULL));
        json_object_set_new(e.sr, "reasonCode", rc);
    }
    if (r->text_len)
        json_object_set_new(e.sr, "note", json_pack("[{s:s%}]", "text", r->text, r->text_len));
    json_object_set_new(e.sr, "supportingInfo", json_array());
    if (r->consent_both != TRI_NULL) {
        json_t *c = fxe_support(&e, "Consent", "patient");
        json_object_set_new(c, "status", json_string(r->consent_both ? "active" : "rejected"));
        json_object_set_new(c, "scope", fx_concept("http://terminology.hl7.org/CodeSystem/consentscope",
                                                   "treatment", NULL));
        json_object_set_new(c, "category", json_pack("[o]", fx_concept(FX_CS("consent"),
                                                     "both_custodians", NULL)));
        json_object_set_new(c, "policyRule", fx_concept(
            "http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", NULL));
    }
    if (r->custody != CU_NONE)
        fxe_finding(&e, "custody", "valueCodeableConcept",
                    fx_concept(FX_CS("custody"), rf_custody_names[r->custody], NULL));
    if (r->gapd >= 0) fxe_finding(&e, "gapd", "valueInteger", json_integer(r->gapd));
    for (int i = 0; i < RISK__N; i++)
        if (r->risk[i] != TRI_NULL)
            fxe_finding(&e, rf_risk_names[i], "valueBoolean", json_boolean(r->risk[i]));
    if (r->previous_buc != TRI_NULL)
        fxe_finding(&e, "previous_buc_contact", "valueBoolean", json_boolean(r->previous_buc));
    for (int i = 0; i < 3; i++)
        if (!isnan(r->somatic[i]))
            fxe_quantity(&e, FX_SYS_LOINC, loinc[i][0], r->somatic[i], loinc[i][1]);
    if (!isnan(r->somatic[3]))
        fxe_quantity(&e, FX_CS("finding"), "weight_loss_pct_3m", r->somatic[3], "%");
    for (int i = 0; i < r->nassess; i++) fxe_assessment(&e, &r->assess[i]);
    for (int i = 0; i < r->nprior; i++) {
        json_t *p = fxe_support(&e, "Procedure", "subject");
        json_object_set_new(p, "status", json_string("completed"));
        json_object_set_new(p, "code", json_pack("{s:s}", "text", r->prior[i]));
    }
    for (int i = 0; i < r->nmed; i++) {
        json_t *m = fxe_support(&e, "MedicationStatement", "subject");
        json_object_set_new(m, "status", json_string("active"));
        json_object_set_new(m, "medicationCodeableConcept", json_pack("{s:s}", "text", r->med[i]));
    }
    if (!json_array_size(json_object_get(e.sr, "supportingInfo")))
        json_object_del(e.sr, "supportingInfo");
    return e.entries;
}

json_t *fx_export(const triage_referral *r, const char *type, fx_event event)
{
    static const char *const events[] = {NULL, "new-referral", "update-referral",
                                         "cancel-referral"};
    char url[46], id[37];
    json_t *entries = fx_parts(r);
    if (!entries) return NULL;
    fx_uuid(url, id, "referral", r->id, type, "bundle");
    json_t *b = json_pack("{s:s, s:s, s:s}", "resourceType", "Bundle", "id", id, "type",
                          event != FX_EVENT_NONE ? "message" : type ? type : "collection");
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        const char *rt = json_string_value(json_object_get(json_object_get(e, "resource"),
                                                           "resourceType"));
        if (type && !strcmp(type, "transaction") && event == FX_EVENT_NONE)
            json_object_set_new(e, "request", json_pack("{s:s, s:s}", "method", "POST", "url", rt));
        if (type && !strcmp(type, "searchset") && event == FX_EVENT_NONE)
            json_object_set_new(e, "search", json_pack("{s:s}", "mode", i ? "include" : "match"));
    }
    if (event != FX_EVENT_NONE) {
        fx_uuid(url, id, "referral", r->id, events[event], "message");
        json_t *h = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s}, s:[{s:s}]}",
            "resourceType", "MessageHeader", "id", id, "eventCoding", "system", FX_SYS_EVENT,
            "code", events[event], "source", "endpoint", FX_BASE "/corpus", "focus",
            "reference", json_string_value(json_object_get(json_array_get(entries, 0), "fullUrl")));
        json_array_insert_new(entries, 0, fx_entry(url, h));
    }
    json_object_set_new(b, "entry", entries);
    return b;
}
