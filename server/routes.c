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
#include "page.h"

const sv_route sv_routes[] = {
    /* method  path          under needs      handler */
    {"POST", "/api/check",      0, SV_DECIDE, api_check},
    {"POST", "/api/referrals",  0, SV_DECIDE, api_create},
    {"GET",  "/api/referrals",  0, SV_STORE,  api_list},
    {"GET",  "/api/referrals/", 1, SV_DECIDE, api_show},
    {"GET",  "/api/status",     0, SV_STORE,  api_status},
    {NULL,   "",                1, SV_PUBLIC, page_serve},   /* every path outside /api/ */
    {NULL,   NULL,              0, 0,         NULL},
};
