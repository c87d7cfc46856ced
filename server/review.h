/*
** review.h — the review API's handlers (review.c), for the routing table.
*/
#ifndef TRIAGE_SV_REVIEW_H
#define TRIAGE_SV_REVIEW_H
#include "http.h"

sv_result rev_review(sv_call *c);      /* POST /api/referrals/ID/review */
sv_result rev_audit(sv_call *c);       /* GET  /api/referrals/ID/audit */
sv_result rev_answer(sv_call *c);      /* GET  /api/referrals/ID/answer[?date=] */
sv_result rev_policy(sv_call *c);      /* GET  /api/policy */
sv_result rev_agreement(sv_call *c);   /* GET  /api/agreement */
#endif
