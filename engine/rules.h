/*
** rules.h — internals of rule sets and deciders that other engine modules
** (the run loop, `triage test`, reload) need beyond the public API.
*/
#ifndef TRIAGE_RULES_H
#define TRIAGE_RULES_H
#include <stddef.h>
#include "store.h"
#include "triage.h"

/* The files of a rule set, in byte order of relative path (borrowed). */
int rl_file_count(const triage_ruleset *rs);
void rl_file(const triage_ruleset *rs, int i, const char **path,
             const char **data, size_t *len);
const char *rl_dir(const triage_ruleset *rs);

/* Where r:history() looks. The default asks the decider's store with
** st_history; the run loop overrides it to see decisions not yet stored.
** Same contract as st_history. */
typedef int (*rl_history_fn)(void *ud, const triage_referral *r,
                             const char *hash, st_prior *out, int max);
void rl_set_history(triage_decider *dc, rl_history_fn fn, void *ud);
#endif
