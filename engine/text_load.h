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

/* The same on a reload: prev is the lexicon of the rule set being replaced
** (NULL: none). Where the new data declares exactly the words prev was
** compiled from (the same literals and regexes in the same order; keys'
** options, keyword tables and explanations may differ), prev's Vectorscan
** database is copied into the new lexicon through a instead of compiled:
** ~0.2 ms instead of ~20 ms. A copy, not a share: prev is only read (other
** threads may go on reading letters with it meanwhile) and may be freed at
** any time after; the new lexicon owns everything it holds, all charged to
** a. txl_reused() says which path was taken. When the text data files are
** byte-identical the rule host need not call this at all: it can keep
** prev's lexicon as it is (refcounted, with an allocator of its own). */
tx_lexicon *txl_load_reusing(lua_State *L, int idx, const tx_alloc *a, const tx_lexicon *prev,
                             char *err, size_t errlen);

/* The same from a rule set directory outside the rule host (tests, tools,
** benchmarks): runs dir/data/text.lua in a bare Lua state whose include()
** reads dir's files, and builds the lexicon from what it returns. */
tx_lexicon *txl_load_dir(const char *dir, const tx_alloc *a, char *err, size_t errlen);
tx_lexicon *txl_load_dir_reusing(const char *dir, const tx_alloc *a, const tx_lexicon *prev,
                                 char *err, size_t errlen);
#endif
