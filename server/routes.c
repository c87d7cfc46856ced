/*
** routes.c — the routing table: what the server answers, each route with
** its method, its path (exactly, or under it: followed by more) and what it
** needs first (SV_STORE: the token and a worker with its store;
** SV_DECIDE: deciders too), its handler, and who may call it (auth.c).
** The first route whose path matches and whose method fits answers; a
** matching path with no fitting method is 405. A new service (FHIR, CDS
** Hooks, review) is a file of handlers and its lines here.
*/
#include "api.h"
#include "auth.h"
#include "cds.h"
#include "fhir.h"
#include "page.h"
#include "review.h"

const sv_route sv_routes[] = {
    /* method  path                        under needs      handler            who may call */
    {"POST", "/api/check",                  0, SV_DECIDE, api_check,         SV_ANY},
    {"POST", "/api/referrals",              0, SV_DECIDE, api_create,        SV_ANY},
    {"GET",  "/api/referrals",              0, SV_STORE,  api_list,          SV_ANY},
    {"POST", "/api/referrals/{}/review",    0, SV_DECIDE, rev_review,        SV_INTAKE},
    {"GET",  "/api/referrals/{}/audit",     0, SV_STORE,  rev_audit,         SV_ANY},
    {"GET",  "/api/referrals/{}/answer",    0, SV_DECIDE, rev_answer,        SV_ANY},
    {"GET",  "/api/referrals/",             1, SV_DECIDE, api_show,          SV_ANY},
    {"GET",  "/api/status",                 0, SV_STORE,  api_status,        SV_ANY},
    {"GET",  "/api/policy",                 0, SV_DECIDE, rev_policy,        SV_ANY},
    {"GET",  "/api/agreement",              0, SV_STORE,  rev_agreement,     SV_ANY},
    {"POST", "/api/login",                  0, SV_STORE,  auth_login,        SV_OPEN},
    {"POST", "/api/logout",                 0, SV_STORE,  auth_logout,       SV_PEOPLE},
    {"GET",  "/api/session",                0, SV_STORE,  auth_session,      SV_PEOPLE},
    {"GET",  "/api/colleagues",             0, SV_STORE,  auth_colleagues,   SV_PEOPLE},
    {"GET",  "/api/users",                  0, SV_STORE,  auth_users,        SV_ADMIN},
    {"POST", "/api/users",                  0, SV_STORE,  auth_user_add,     SV_ADMIN},
    {"POST", "/api/users/{}/disable",       0, SV_STORE,  auth_user_disable, SV_ADMIN},
    {"GET",  "/fhir/metadata",              0, SV_STORE,  fhir_metadata,     SV_ANY},
    {"POST", "/fhir",                       0, SV_DECIDE, fhir_post,         SV_ANY},
    {"POST", "/fhir/$process-message",      0, SV_DECIDE, fhir_message,      SV_ANY},
    {"GET",  "/fhir/Task/",                 1, SV_DECIDE, fhir_task,         SV_ANY},
    {"GET",  "/fhir/ServiceRequest/",       1, SV_DECIDE, fhir_request,      SV_ANY},
    {"GET",  "/cds-services",               0, SV_DECIDE, cds_discovery,     SV_CDS},
    {"POST", "/cds-services/{}/feedback",   0, SV_DECIDE, cds_feedback,      SV_CDS},
    {"POST", "/cds-services/",              1, SV_DECIDE, cds_call,          SV_CDS},
    {"OPTIONS", "/cds-services",            0, SV_STORE,  cds_preflight,     SV_CDS},
    {"OPTIONS", "/cds-services/",           1, SV_STORE,  cds_preflight,     SV_CDS},
    {"GET",  "/henvis/cds-services",        0, SV_DECIDE, cds_discovery,     SV_OPEN},
    {"POST", "/henvis/cds-services/",       1, SV_DECIDE, cds_page_call,     SV_OPEN},
    {NULL,   "",                            1, SV_PUBLIC, page_serve,        SV_ANY},  /* outside /api/, /fhir, /cds-services */
    {NULL,   NULL,                          0, 0,         NULL,              SV_ANY},
};
