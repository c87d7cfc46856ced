/*
** regex.h — PCRE2 for rules: `regex(pattern [, flags])` compiles a pattern
** once per Lua state (the same pattern and flags give the same object), and
** JIT-compiles it once it is matched often; caseless and UTF-8/Unicode
** aware unless told otherwise. All its memory is charged to the state's
** budget (budget.h).
*/
#ifndef TRIAGE_REGEX_H
#define TRIAGE_REGEX_H
#include <lua.h>
#include <stddef.h>
#include <stdint.h>

/* Install the global `regex` in L (a sandbox state). */
void rx_open(lua_State *L);

/* Declare that the string at [s, s+len) is already known valid UTF-8 (the
** referral text, checked once at parse), so matches on it skip the check.
** The pointer must be a Lua string's own storage. NULL forgets it, and,
** between referrals, also drops the patterns compiled while deciding (those
** a rule asked for first after load live for one referral). */
void rx_trust(lua_State *L, const char *s, size_t len);

#endif
