/*
** fhir.h — HL7 FHIR R4 over HTTP (fhir.c), for the routing table and the
** core: what the server supports says GET /fhir/metadata.
*/
#ifndef TRIAGE_SV_FHIR_H
#define TRIAGE_SV_FHIR_H
#include "http.h"

sv_result fhir_metadata(sv_call *c);   /* GET  /fhir/metadata: the CapabilityStatement */
sv_result fhir_post(sv_call *c);       /* POST /fhir: a referral in any shape -> its answer */
sv_result fhir_message(sv_call *c);    /* POST /fhir/$process-message: a message only */
sv_result fhir_task(sv_call *c);       /* GET  /fhir/Task/ID */
sv_result fhir_request(sv_call *c);    /* GET  /fhir/ServiceRequest/ID */

/* 1 when url is /fhir or under it: FHIR's rules for errors hold there. */
int fhir_path(const char *url);
/* An OperationOutcome as the reply (application/fhir+json). */
sv_result fhir_error(sv_call *c, int status, const char *msg);
#endif
