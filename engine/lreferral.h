/*
** lreferral.h — the referral as rules see it: `r`, one plain table per Lua
** state, refilled from each referral in turn (rules/README.md, "The
** referral r"). Its fields and the tables in it (diagnoses, assessments,
** risk, ...) are set before the rules run, reused from referral to
** referral; the few no shipped rule reads (id, text, the dates as strings,
** referrer_name, prior_interventions) are built on first read and dropped
** after the referral. Reading a field that does not exist raises; so does
** assigning to one that holds nothing. What a rule assigns to a field that
** holds something is overwritten, cleared or put back for the next referral.
*/
#ifndef TRIAGE_LREFERRAL_H
#define TRIAGE_LREFERRAL_H
#include <lua.h>
#include "store.h"
#include "triage.h"

typedef int (*lr_history_fn)(void *ud, const triage_referral *r, st_prior *out, int max);
typedef struct lr_state lr_state;

/* Make `r` in L (kept alive by L's registry). */
lr_state *lr_open(lua_State *L);
/* Push `r`. */
void lr_push(lr_state *v);
/* Fill `r` from r for one referral; NULL: between referrals (the fields
** built on first read are dropped, and r:history() raises). The tables it
** fills may grow: call it in a protected call (a memory error is raised). */
void lr_set(lr_state *v, const triage_referral *r);
/* Where r:history() asks. */
void lr_set_history(lr_state *v, lr_history_fn fn, void *ud);
#endif
