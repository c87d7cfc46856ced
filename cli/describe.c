/*
** describe.c — a decision in one line of text, for the commands that show
** what changed between two rule sets (watch, diff).
*/
#include <stdio.h>

#include "cli.h"

/* Append to buf at *n, never past cap. */
static void ds_put(char *buf, size_t cap, size_t *n, const char *fmt, const char *s)
{
    if (*n < cap)
        *n += (size_t)snprintf(buf + *n, cap - *n, fmt, s);
}

void cli_describe(const triage_decision *d, int with_deadline, char *buf, size_t cap)
{
    size_t n = 0;
    const char *v;
    if (cap)
        buf[0] = '\0';
    ds_put(buf, cap, &n, "%s", triage_outcome_name(triage_decision_outcome(d)));
    if ((v = triage_decision_target(d)))
        ds_put(buf, cap, &n, " %s", v);
    if ((v = triage_decision_unit(d)))
        ds_put(buf, cap, &n, " %s", v);
    if ((v = triage_decision_priority(d)))
        ds_put(buf, cap, &n, " %s", v);
    if (with_deadline && triage_decision_deadline(d) != TRIAGE_NO_DAY) {
        char day[11];
        triage_date_format(triage_decision_deadline(d), day);
        ds_put(buf, cap, &n, " %s", day);
    }
    for (int i = 0; i < triage_decision_missing_count(d); i++)
        ds_put(buf, cap, &n, " -%s", triage_decision_missing(d, i));
    if ((v = triage_decision_request_from(d)))
        ds_put(buf, cap, &n, " (from %s)", v);
}
