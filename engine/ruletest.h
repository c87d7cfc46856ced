/*
** ruletest.h — a rule set's own test cases (tests/ *.json under the rules
** directory), run by `triage test` and by every reload before a swap.
*/
#ifndef TRIAGE_RULETEST_H
#define TRIAGE_RULETEST_H
#include <stdio.h>
#include "triage.h"

/* The public triage_test_result: files, passed, failed. */
typedef triage_test_result rt_result;

/* Run every case of rs. Failures are printed to out (may be NULL), every
** case when verbose. The first failure is also described in first (may be
** NULL): file and line of the case, and the message. Returns 0, or -1 when
** no decider could be built (first says why). */
int rt_run(triage_ruleset *rs, FILE *out, int verbose, rt_result *res,
           triage_error *first);
#endif
