/*
** fhir_out.h — what the FHIR writers share: the texts file's lookups, the
** referral's own resources as FHIR (fhir_export.c), and the derived ids
** that make the same answer come out the same every time.
*/
#ifndef TRIAGE_FHIR_OUT_H
#define TRIAGE_FHIR_OUT_H
#include <jansson.h>
#include "fhir.h"

#define FX_TEXTS_FILE "data/fhir.json"   /* in the rule set */

/* texts[group][key], or texts[group] when key is NULL; checked at load. */
const char *fxt(const fx_texts *t, const char *group, const char *key);
int fxt_reply_days(const fx_texts *t);

/* "urn:uuid:" and a UUID (version 8, RFC 9562) from the SHA-256 of the
** parts: the same parts give the same id. out[46]; id (may be NULL)
** receives the bare UUID (37 bytes). */
void fx_uuid(char out[46], char *id, const char *a, const char *b, const char *c,
             const char *role);

/* A Bundle entry {fullUrl, resource} (both stolen / copied). */
json_t *fx_entry(const char *url, json_t *resource);
/* {"reference": url} */
json_t *fx_ref(const char *url);
/* {"coding": [{"system", "code"[, "display"]}][, "text": display]} */
json_t *fx_concept(const char *system, const char *code, const char *display);

/* The native referral's resources as a sending system would write them:
** entries (fx_entry) for the ServiceRequest, the Patient, the requester
** and each supportingInfo resource, in that order, with urn:uuid fullUrls
** derived from the referral id. A new array, NULL when out of memory. */
json_t *fx_parts(const triage_referral *r);
#endif
