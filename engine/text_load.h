/*
** text_load.h — the lexicon built from the rule set's data: the table that
** rules/data/text.lua returns (spelling, negation, contrast, suspicion,
** people, sentences, time, measures, keys, explain: the files of rules/data/text/),
** read once at rule-set load and compiled into one database.
*/
#ifndef TRIAGE_TEXT_LOAD_H
#define TRIAGE_TEXT_LOAD_H
#include <lua.h>

#include "text_lexicon.h"

/* Build a lexicon from the data table at idx. Every allocation goes through
** a. Returns it, or NULL with a message in err naming the field ("keys.ADHD
** .terms[3]: ..."). Reads plain tables only (no metamethods run); call it
** where a Lua memory error may be raised (a protected call). */
tx_lexicon *txl_load(lua_State *L, int idx, const tx_alloc *a, char *err, size_t errlen);

/* The same from a rule set directory outside the rule host (tests, tools,
** benchmarks): runs dir/data/text.lua in a bare Lua state whose include()
** reads dir's files, and builds the lexicon from what it returns. */
tx_lexicon *txl_load_dir(const char *dir, const tx_alloc *a, char *err, size_t errlen);
#endif
