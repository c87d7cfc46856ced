/*
** routes.c — the routing table: what the server answers, each route with
** its method, its path (exactly, or under it: followed by more) and what it
** needs first (SV_STORE: the token and a worker with its store;
** SV_DECIDE: deciders too) and its handler. The first route whose path
** matches and whose method fits answers; a matching path with no fitting
** method is 405. A new service (FHIR, CDS Hooks, review) is a file of
** handlers and its lines here.
*/
#include "api.h"
#include "fhir.h"
#include "page.h"

const sv_route sv_routes[] = {
    /* method  path          under needs      handler */
    {"POST", "/api/check",      0, SV_DECIDE, api_check},
    {"POST", "/api/referrals",  0, SV_DECIDE, api_create},
    {"GET",  "/api/referrals",  0, SV_STORE,  api_list},
    {"GET",  "/api/referrals/", 1, SV_DECIDE, api_show},
    {"GET",  "/api/status",     0, SV_STORE,  api_status},
    {"GET",  "/fhir/metadata",  0, SV_STORE,  fhir_metadata},
    {"POST", "/fhir",           0, SV_DECIDE, fhir_post},
    {"POST", "/fhir/$process-message", 0, SV_DECIDE, fhir_message},
    {"GET",  "/fhir/Task/",     1, SV_DECIDE, fhir_task},
    {"GET",  "/fhir/ServiceRequest/", 1, SV_DECIDE, fhir_request},
    {NULL,   "",                1, SV_PUBLIC, page_serve},   /* every path outside /api/, /fhir */
    {NULL,   NULL,              0, 0,         NULL},
};
