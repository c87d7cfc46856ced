/*
** fhir.h — HL7 FHIR R4 as a format of the engine's reader and writer: a
** referral sent as a ServiceRequest (contained resources, a Bundle, or a
** MedCom-style message) is mapped onto the native record and validated by
** the same code; a decision goes back as a Bundle with a Task. docs/fhir.md
** is the mapping table; every name below follows it.
*/
#ifndef TRIAGE_FHIR_H
#define TRIAGE_FHIR_H
#include <jansson.h>
#include "referral.h"
#include "decision.h"
#include "triage.h"

/* The canonical base of what the project itself defines (CodeSystems,
** identifier systems). The project has no domain of its own yet, so this is
** a reserved .example name (RFC 2606): one place to change when it has. */
#define FX_BASE "https://triage.example/fhir"
#define FX_CS(name) FX_BASE "/CodeSystem/" name

/* DK Core, MedCom and international systems the mapping reads or writes. */
#define FX_SYS_CPR     "urn:oid:1.2.208.176.1.2"
#define FX_SYS_SOR     "urn:oid:1.2.208.176.1.1"
#define FX_SYS_SKS     "urn:oid:1.2.208.176.2.4.12"
#define FX_SYS_ICD10   "http://hl7.org/fhir/sid/icd-10"
#define FX_SYS_KOMMUNE "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes"
#define FX_EXT_KOMMUNE "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"
#define FX_SYS_EVENT   "http://medcomehmi.dk/ig/dk-medcom-ref-lm/CodeSystem/ehmi-message-event-cs"
#define FX_SYS_LOINC   "http://loinc.org"
#define FX_SYS_SNOMED  "http://snomed.info/sct"

/* ------------------------------------------------------------------ in */

/* The MedCom message event of a message Bundle. */
typedef enum fx_event {
    FX_EVENT_NONE,     /* not a message: a ServiceRequest or another Bundle */
    FX_EVENT_NEW,      /* new-referral */
    FX_EVENT_UPDATE,   /* update-referral: replaces the referral with this id */
    FX_EVENT_CANCEL    /* cancel-referral: the referral is withdrawn */
} fx_event;

/* What a FHIR referral was as sent, kept so that the answer can refer to
** it: the public triage_origin. Every json_t is a reference the origin owns
** (NULL when absent). Reference-counted: a referral holds its origin, and
** so may a reader or a caller. */
typedef struct triage_origin {
    int refs;
    fx_event event;
    char message_id[65];      /* the incoming MessageHeader.id; "" if not a message */
    char referral_id[72];     /* the referral's id (a cancel has only this) */
    json_t *header;           /* the incoming MessageHeader */
    json_t *request;          /* the ServiceRequest as sent */
    json_t *patient;          /* its subject, the Patient */
    json_t *requester;        /* the requester's resource */
    char request_url[256];    /* their Bundle fullUrls; "" when they had none */
    char patient_url[256];
    char requester_url[256];
    char *text;               /* the document's bytes as sent, or NULL when not kept */
    size_t text_len;
} fx_origin;

/* Drop a reference (NULL is a no-op); the last one frees it. */
void fx_origin_free(fx_origin *o);
/* Take another reference; returns o. */
fx_origin *fx_origin_retain(fx_origin *o);
/* Keep a copy of the document's bytes as sent (for the store and the
** answer to come). 0, or -1 when out of memory. */
int fx_origin_keep_text(fx_origin *o, const char *text, size_t len);

/* 1 when v is a FHIR resource (a JSON object with "resourceType"). */
int fx_is_fhir(const json_t *v);

enum { FX_REFERRAL = 1, FX_CANCEL = 2 };

/* Map the FHIR referral doc onto the native record and validate it exactly
** as a native record (rf_from_json). Steals the reference to doc.
** Returns FX_REFERRAL with *out set (free with triage_referral_free);
** FX_CANCEL for a cancel-referral message (*out NULL, origin->referral_id
** names the referral withdrawn); or -1 with err filled: "FILE:LINE: ID:
** FHIRPATH: what is wrong", err->field holding the FHIRPath where the bad
** or missing value is in the document as sent (Bundle.entry[2].resource.
** birthDate, ServiceRequest.contained[0].identifier[0].value). No CPR value
** ever reaches err. A referral holds its origin (r->origin); origin (may be
** NULL) receives a reference to it too, or the cancel's own (drop it with
** fx_origin_free). */
int fx_read(json_t *doc, const char *file, long line, triage_referral **out,
            fx_origin **origin, triage_error *err);

/* fx_read on JSON text (one value; a byte order mark is skipped): bad JSON
** gets the reader's "invalid JSON: ... (line L, column C)". The origin
** keeps the text as sent. */
int fx_parse(const char *json, size_t len, const char *file, long line,
             triage_referral **out, fx_origin **origin, triage_error *err);

/* triage_referral_parse's FHIR branch: fx_read on doc (stolen) parsed from
** json, whose bytes the origin keeps. A cancel message is an error here: it
** is no referral. NULL with err. */
triage_referral *fx_referral(json_t *doc, const char *json, size_t len, const char *file,
                             long line, triage_error *err);

/* ----------------------------------------------------------------- out */

/* The Danish texts of the answer (Task.code display, missing items, ...):
** policy, so they live in the rule set's data/fhir.json, not in C. */
typedef struct fx_texts fx_texts;

/* Parse data/fhir.json text; label names it in errors. NULL with err. */
fx_texts *fx_texts_parse(const char *json, size_t len, const char *label,
                         triage_error *err);
/* The rule set's own data/fhir.json. NULL with err when it has none. */
fx_texts *fx_texts_load(const triage_ruleset *rs, triage_error *err);
void fx_texts_free(fx_texts *t);

/* The decision d on referral r as one FHIR Bundle (docs/fhir.md, "out"):
** type collection, or for a message input (o->event set) a response
** message whose MessageHeader.response names o->message_id. It holds the
** Task, the ServiceRequest with its new status, the Patient, and per
** outcome a Communication (request_info) or a new ServiceRequest that
** replaces the original (redirect). o may be NULL for a native referral:
** the ServiceRequest and Patient are then written from r (fx_export).
** decided_at ("YYYY-MM-DDThh:mm:ss[.fff]Z", the store's decided_at) is
** Task.lastModified; NULL means now. Ids are derived from the rule set
** hash, the referral id and decided_at, so the same call gives the same
** Bundle. Returns a new reference, or NULL with err (out of memory). */
json_t *fx_answer(const triage_decision *d, const triage_referral *r,
                  const fx_origin *o, const fx_texts *t,
                  const char *decided_at, triage_error *err);

/* fx_answer, with message 0 for a collection Bundle even for a message
** input (an export is not an answer to a message). */
json_t *fx_answer_as(const triage_decision *d, const triage_referral *r, const fx_origin *o,
                     const fx_texts *t, const char *decided_at, int message,
                     triage_error *err);

/* The answer to a withdrawal: the referral's Task cancelled, the
** ServiceRequest revoked. r is the referral as stored (may be NULL when
** only the cancel message is known), cancel the cancel-referral message
** (may be NULL: a collection Bundle; with message, the response to it).
** withdrawn_at NULL means now. A new reference, or NULL with err. */
json_t *fx_withdrawn(const triage_referral *r, const fx_origin *cancel, const fx_texts *t,
                     const char *withdrawn_at, int message, triage_error *err);

/* The id of the referral's Task (one per referral, the same whatever
** decides it and when): a UUID derived from the referral id. id[37]. */
void fx_task_id(const char *referral_id, char id[37]);

/* The id of the referral's ServiceRequest: as sent (o->request's id; o may
** be NULL), else derived from the referral id as a native referral's is
** (id[37] holds it then). */
const char *fx_request_id(const fx_origin *o, const char *referral_id, char id[37]);

/* The native referral r as FHIR, the way a sending system would send it:
** a Bundle of type (collection, transaction) or a message Bundle with
** event (FX_EVENT_NONE for a plain Bundle) whose ServiceRequest, Patient,
** requester and supportingInfo read back (fx_read) to a referral that
** decides exactly as r does. Returns a new reference, NULL when out of
** memory. */
json_t *fx_export(const triage_referral *r, const char *type, fx_event event);

/* --------------------------------------------------- code systems (fhir_codes.c) */

/* A DK Core municipality code ("0101" or "101") → the municipality's name,
** and back (exact name as the code system spells it). NULL if unknown. */
const char *fx_kommune_name(const char *code, size_t len);
const char *fx_kommune_code(const char *name);
/* The referrer kind (enum rf_referrer) a coding or a Danish type text
** names, or -1. */
int fx_kind_of_coding(const char *system, const char *code);
int fx_kind_of_text(const char *text);
/* The assessment kind (enum rf_assessment) a coding or a document type's
** text names, or -1. */
int fx_assessment_of_coding(const char *system, const char *code);
int fx_assessment_of_text(const char *text);
#endif
