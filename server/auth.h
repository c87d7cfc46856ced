/*
** auth.h — logging in and out, who is logged in, and accounts (auth.c),
** for the routing table; and what review.c shares of it.
*/
#ifndef TRIAGE_SV_AUTH_H
#define TRIAGE_SV_AUTH_H
#include "http.h"

sv_result auth_login(sv_call *c);         /* POST /api/login */
sv_result auth_logout(sv_call *c);        /* POST /api/logout */
sv_result auth_session(sv_call *c);       /* GET  /api/session */
sv_result auth_users(sv_call *c);         /* GET  /api/users */
sv_result auth_colleagues(sv_call *c);    /* GET  /api/colleagues: active intake names */
sv_result auth_user_add(sv_call *c);      /* POST /api/users */
sv_result auth_user_disable(sv_call *c);  /* POST /api/users/NAME/disable */

/* The request body as a JSON object; NULL with the request answered (400)
** in *answer. */
json_t *auth_body(sv_call *c, sv_result *answer);
/* Set the session cookie to id in the reply ("" forgets it). */
void auth_cookie(sv_call *c, const char *id);
#endif
