/*
** audit.h — the review log (the audit trail) as the engine's people and
** review files write and read it: one append per action, and where a
** referral stands as the log and the decision log say. Never updated.
*/
#ifndef TRIAGE_AUDIT_H
#define TRIAGE_AUDIT_H
#include <jansson.h>
#include "triage.h"

/* An entry to append. NULL where the column has no value; texts are kept as
** given (the caller masks what a person typed). */
typedef struct au_row {
    const char *referral_id, *actor, *action, *status;
    const char *decision;           /* the person's decision, JSON */
    const char *outcome;            /* its outcome */
    const char *text, *assignee, *ruleset, *key;
    long suggestion_seq;            /* 0: none */
} au_row;

/* Append row (in the caller's transaction); *seq (may be NULL) gets its seq. */
triage_code au_append(triage_store *st, const au_row *row, long *seq, triage_error *err);

/* Append an account event: actor did action to account (text: e.g. a role). */
triage_code au_account(triage_store *st, const char *actor, const char *action,
                       const char *account, const char *text, triage_error *err);

/* TRIAGE_ESTORE with SQLite's message, "store: DOING: ...". */
triage_code au_dberr(triage_store *st, triage_error *err, const char *doing);

/* Where referral id stands: triage_review_state, plus the seq of its latest
** entry that changed its status (0: none) and the day it was received (each
** may be NULL). TRIAGE_ENOTFOUND without it. */
triage_code au_state(triage_store *st, const char *id, triage_review_state *out,
                     long *status_seq, triage_day *received, triage_error *err);

/* The decision log's entry seq rebuilt (no trace); NULL when there is none
** or it does not read back. */
triage_decision *au_suggestion(triage_store *st, long seq);

/* A decision's fields without its reasons, as the agreement report and the
** exported test cases show them ({"outcome", "target", "unit", "priority",
** "deadline", "missing" (an array, empty but for request_info),
** "request_from"}); JSON null for NULL. */
json_t *au_fields(const triage_decision *d);

/* An entry found by its actor and key: 1 with *seq and the referral's id
** (into id[72]) set, 0 when there is none, -1 on a store error. */
int au_by_key(triage_store *st, const char *actor, const char *key, long *seq, char id[72]);
#endif
