/*
** lreferral.h — the referral as rules see it: one read-only userdata per
** Lua state, pointed at each referral in turn. Scalars are read straight from
** the C struct; tables and the text are built on first use and cached for
** that referral only.
*/
#ifndef TRIAGE_LREFERRAL_H
#define TRIAGE_LREFERRAL_H
#include <lua.h>
#include "store.h"
#include "triage.h"

typedef int (*lr_history_fn)(void *ud, const triage_referral *r, st_prior *out, int max);

/* Push the (single) view userdata of this state. Creates it on first call. */
void lr_push(lua_State *L);
/* Point the view at r (NULL: none) and forget the previous cache. */
void lr_set(lua_State *L, const triage_referral *r);
/* Where r:history() asks. */
void lr_set_history(lua_State *L, lr_history_fn fn, void *ud);
#endif
