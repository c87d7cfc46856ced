/*
** fhir_map.h — the mapping of a FHIR referral onto the native record, shared
** by its files (fhir_read.c, the entry; fhir_map.c, the record and where each
** field came from; fhir_datatypes.c; and one file a part of the record:
** fhir_request.c, fhir_referrer.c, fhir_patient.c, fhir_support.c).
*/
#ifndef TRIAGE_FHIR_MAP_H
#define TRIAGE_FHIR_MAP_H
#include "fhir_doc.h"
#include "referral_json.h"

/* A native field's name: a, [i] when i >= 0, .b when b ("assessments[1].date",
** "patient.cpr", "received"). */
typedef struct fx_nat { const char *a; int i; const char *b; } fx_nat;
#define FX_NAT(a) ((fx_nat){(a), -1, NULL})
#define FX_NAT2(a, b) ((fx_nat){(a), -1, (b)})

/* Where a native field came from, kept for every field, written out only
** for an error. */
typedef struct fx_prov { fx_nat nat; fx_at at; } fx_prov;

/* The native record's members in the schema's order: the mapping fills
** the slots, and the record is made of them at the end, in this order, as a
** native record is written. */
enum { K_ID, K_RECEIVED, K_PRIORITY, K_REFERRER, K_PATIENT, K_CONSENT, K_DIAGNOSES, K_TEXT,
       K_GAPD, K_ASSESSMENTS, K_PRIOR, K_RISK, K_SOMATIC, K_MEDICATION, K_PREVIOUS, K__N };

typedef struct fx_map {
    fx_doc *d;
    json_t *slot[K__N];           /* the record's members, once made */
    fx_prov *prov;                /* native field -> where it came from */
    int nprov, capprov;
    fx_prov local[48];
    int requester;                /* resource indices, -1 when absent */
    int subject;
} fx_map;

/* ---------------------------------------------------- the record (fhir_map.c) */

int fxm_oom(fx_map *m);                /* fill the error; -1 */
int fxm_note(fx_map *m, fx_nat nat, const fx_at *at);
/* Set obj.key = v (stolen; a key of ours, so unchecked), remembering where
** it came from. */
int fxm_set(fx_map *m, json_t *obj, const char *key, json_t *v, fx_nat nat, const fx_at *at);
/* Set the record's member k = v (stolen). */
int fxm_top(fx_map *m, int k, json_t *v, const fx_at *at);
/* Append v (stolen) to the record's array member k (made on first use);
** returns its index or -1. */
int fxm_push(fx_map *m, int k, json_t *v, const fx_at *at);
/* The record's object member k, made on first use. */
json_t *fxm_obj(fx_map *m, int k);
/* The native validator's error, said at the FHIRPath the field came from. */
void fxm_translate(fx_map *m, triage_error *err, const char *id);
/* The record, its members in the schema's order; takes the slots over. */
json_t *fxm_record(fx_map *m);
void fxm_close(fx_map *m);

/* -------------------------------------------- data types (fhir_datatypes.c) */

static inline const json_t *fxm_get(fx_map *m, int res, const char *key)
{
    return json_object_get(m->d->res[res].r, key);
}

/* The element key of resource res. */
static inline fx_at fxm_at(int res, const char *seg)
{
    return fx_in(fx_at_res(res), seg, 0);
}

/* A value of the document for the record: the same value, shared (the
** document is read, never changed), so that nothing is copied. */
static inline json_t *fxm_share(const json_t *v)
{
    return json_incref((json_t *)v);
}

/* A FHIR date or dateTime as the native YYYY-MM-DD (else the value as sent). */
json_t *fxm_day(const json_t *v);
/* Does the CodeableConcept cc carry system|code? */
int fxm_has_code(const json_t *cc, const char *system, const char *code);
/* The code cc carries from our CodeSystem cs, or NULL; *at its coding index. */
const char *fxm_our_code(const json_t *cc, const char *cs, size_t *at);
/* A CodeableConcept's words for a person; *at becomes the element's. */
const json_t *fxm_cc_text(const json_t *cc, fx_at *at);
/* A HumanName array as one string. */
json_t *fxm_name(const json_t *names);
/* The words a person reads for the Reference ref: a new reference, NULL
** when there is none, or NULL with *bad set when it does not resolve. */
json_t *fxm_who(fx_map *m, const json_t *ref, const fx_at *at, fx_at *where, int *bad);

/* ---------------------------------------- the parts, in the record's order */

int fxm_id(fx_map *m);                 /* fhir_request.c */
int fxm_request(fx_map *m);
int fxm_text(fx_map *m);
int fxm_diagnoses(fx_map *m);
int fxm_referrer(fx_map *m);           /* fhir_referrer.c */
int fxm_patient(fx_map *m);            /* fhir_patient.c */
int fxm_support(fx_map *m);            /* fhir_support.c */
#endif
