/*
** cds.h — HL7 CDS Hooks 2.0 (cds.c, cds_auth.c), for the routing table and
** the core: discovery, calls, feedback, CORS, and who may call (JWT).
*/
#ifndef TRIAGE_SV_CDS_H
#define TRIAGE_SV_CDS_H
#include "http.h"

sv_result cds_discovery(sv_call *c);   /* GET  /cds-services */
sv_result cds_call(sv_call *c);        /* POST /cds-services/{id} */
sv_result cds_feedback(sv_call *c);    /* POST /cds-services/{id}/feedback */
sv_result cds_preflight(sv_call *c);   /* OPTIONS /cds-services...: CORS */
/* POST /henvis/cds-services/{id}: the page's call, decided without the
** store's history and not recorded (GET /henvis/cds-services: discovery). */
sv_result cds_page_call(sv_call *c);

/* 1 when url is /cds-services or under it. */
int cds_path(const char *url);
/* The CORS headers every CDS Hooks reply carries (a browser calls too). */
void cds_cors(sv_call *c, struct MHD_Response *r);

/* Who may call (cds_auth.c): with issuers configured, a CDS client's JWT
** (Authorization: Bearer) signed by a configured issuer's key, aud the
** endpoint called, exp in the future, jti never seen before; without, a
** client on loopback only. A preflight needs nothing. 0 to go on, or -1
** with the request answered (401, 403) in *answer. */
int cds_guard(sv_call *c, sv_result *answer);

/* The issuers and keys (cds_auth.c), read from a JSON file at start (see
** README, "CDS Hooks"); NULL with *why when the file is unusable. */
typedef struct sv_cds_auth sv_cds_auth;
sv_cds_auth *cds_auth_load(const char *path, char *why, size_t cap);
void cds_auth_free(sv_cds_auth *a);
#endif
