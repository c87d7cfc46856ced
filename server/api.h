/*
** api.h — the JSON API's handlers (api.c), for the routing table.
*/
#ifndef TRIAGE_SV_API_H
#define TRIAGE_SV_API_H
#include "http.h"

sv_result api_check(sv_call *c);    /* POST /api/check */
sv_result api_create(sv_call *c);   /* POST /api/referrals */
sv_result api_list(sv_call *c);     /* GET  /api/referrals */
sv_result api_show(sv_call *c);     /* GET  /api/referrals/ID */
sv_result api_status(sv_call *c);   /* GET  /api/status */
#endif
