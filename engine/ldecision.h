/*
** ldecision.h — `d`, the decision as rules see it (rules/README.md, "The
** decision d"). Its methods act on the decision the decider is making
** (rl_decision) under the rule running (rl_rule_id).
*/
#ifndef TRIAGE_LDECISION_H
#define TRIAGE_LDECISION_H
#include <lua.h>

/* Make d in L: returns its registry reference, and in *methods_ref that of
** its methods table, where d.explain is kept. */
int dd_open(lua_State *L, int *methods_ref);

/* Set d.explain (true when this referral's trace is recorded). */
void dd_set_explain(lua_State *L, int methods_ref, int on);
#endif
