/*
** textscan.h — reading a referral's free text once for all rules: sentences,
** negation scopes, family clauses and every declared term's mentions, found
** in one pass and shared. Exposed to Lua as `scanner{...}` (rules/README.md).
*/
#ifndef TRIAGE_TEXTSCAN_H
#define TRIAGE_TEXTSCAN_H
#include <lua.h>

/* Install the global `scanner` in L (after rx_open). */
void ts_open(lua_State *L);
#endif
