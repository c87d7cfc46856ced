/*
** rules.h — internals of rule sets (ruleset.c) and deciders (decider.c)
** that other engine modules need beyond the public API: the run loop,
** `triage test` and reload, and the decider's Lua bindings (ldecision.c).
*/
#ifndef TRIAGE_RULES_H
#define TRIAGE_RULES_H
#include <lua.h>
#include <stddef.h>
#include "store.h"
#include "text_lexicon.h"
#include "triage.h"

/* -------------------------------------------------- rule sets (ruleset.c) */

/* The files of a rule set, in byte order of relative path (borrowed). */
int rl_file_count(const triage_ruleset *rs);
void rl_file(const triage_ruleset *rs, int i, const char **path,
             const char **data, size_t *len);
const char *rl_dir(const triage_ruleset *rs);

/* The index of the file at relative path ("data/units.lua"), or -1. */
int rl_find(const triage_ruleset *rs, const char *path);

/* A rule file is a *.lua file directly in the directory; the rest is data
** and tests, reached through include() and `triage test`. */
int rl_is_rule_file(const char *path);

/* triage_ruleset_load, for a reload: prev (may be NULL) is the rule set the
** new one replaces; when the text data is the same bytes, its lexicon is
** taken over instead of built again. */
triage_ruleset *rl_load(const char *dir, const triage_limits *limits,
                        const triage_ruleset *prev, triage_error *err);

/* The text layer's lexicon (rules/data/text.lua), or NULL when the rule set
** has no text data (or it is not built yet). */
const tx_lexicon *rl_lexicon(const triage_ruleset *rs);
size_t rl_text_bytes(const triage_ruleset *rs);

/* While rs loads: take over the lexicon of the rule set it replaces when the
** files it was built from are the same bytes here. 1 taken, 0 not. */
int rl_text_adopt(triage_ruleset *rs);

/* While rs loads, in a protected call on L: build the lexicon from the data
** table at idx, read from rs's files of indices files[0 .. nfiles) (which a
** later reload compares). 0, or -1 with err. */
int rl_text_build(triage_ruleset *rs, lua_State *L, int idx, const int *files, int nfiles,
                  char *err, size_t errlen);

/* The limits each of rs's states runs under, defaults filled in. */
const triage_limits *rl_limits(const triage_ruleset *rs);

/* The decider built to verify rs at load, for the first one to ask (with a
** reference to rs, as triage_decider_new gives), or NULL once taken. */
triage_decider *rl_take_spare(triage_ruleset *rs);

/* --------------------------------------------------- deciders (decider.c) */

/* Where r:history() looks. The default asks the decider's store with
** st_history; the run loop overrides it to see decisions not yet stored.
** Same contract as st_history. */
typedef int (*rl_history_fn)(void *ud, const triage_referral *r,
                             const char *hash, st_prior *out, int max);
void rl_set_history(triage_decider *dc, rl_history_fn fn, void *ud);

/* Rules the decider's rule set declares. */
int rl_rule_count(const triage_decider *dc);
/* 1 when a rule of dc's set has this id, else 0. */
int rl_rule_known(const triage_decider *dc, const char *id);

/* Free the spare of a rule set being freed: it holds no reference to it. */
void rl_free_spare(triage_decider *dc);

/* For the Lua bindings of a decider's state (L is the decider's). */

/* Raise an error located at the Lua code that called the C function. */
int rl_error(lua_State *L, const char *fmt, ...);

/* The decision being made, or NULL between referrals. */
triage_decision *rl_decision(lua_State *L);

/* The id of the rule running now, or NULL. */
const char *rl_rule_id(lua_State *L);

/* The evidence keys the rule running now declared (rule{ evidence = ... }):
** sets *keys, returns how many (0 and NULL when none or no rule runs). */
int rl_rule_evidence(lua_State *L, const char *const **keys);

/* Run fn in dc's sandboxed state beside the rules (the answer letters,
** answer.c): armed as for a referral, with r's values and a fresh f, so
** that Lua code there reads the facts rules read. fn gets r, f and ud (a
** light userdata) as arguments; r NULL gives nil for both. Returns 0, or
** -1 with err filled (TRIAGE_ERULES, at the failing file and line). */
int rl_call(triage_decider *dc, const triage_referral *r, lua_CFunction fn, void *ud,
            triage_error *err);
#endif
