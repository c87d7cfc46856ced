/*
** evaluate.h — decide every referral of a store in memory, in order of
** received then id, with history from the decisions of this same pass: what
** `regress` and `diff` measure a rule set with, without writing anything.
*/
#ifndef TRIAGE_EVALUATE_H
#define TRIAGE_EVALUATE_H
#include "triage.h"

/* Called for each referral with its decision (made with the trace); both are
** borrowed for the call. Return 0 to go on. */
typedef int (*ev_fn)(void *ud, const triage_referral *r, const triage_decision *d);

/* Returns TRIAGE_OK or an error in err. */
triage_code ev_decide_all(triage_store *st, triage_ruleset *rs, ev_fn fn, void *ud,
                          triage_error *err);

/* The rule whose action decided d (the last rule in the trace that applied),
** or "" (static) when none did. */
const char *ev_deciding_rule(const triage_decision *d);
#endif
