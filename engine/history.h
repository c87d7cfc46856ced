/*
** history.h — a child's history: which referrals are the same child's, and
** which of them came before a given one. Every place that answers
** r:history() (the store, the run loop, the in-memory pass, rule tests) asks
** these two questions here, so that they all mean the same thing.
*/
#ifndef TRIAGE_HISTORY_H
#define TRIAGE_HISTORY_H
#include <stdint.h>
#include "store.h"
#include "triage.h"

/* A referral's place in its child's history. cpr is the child's CPR number,
** ten digits; "" or NULL when the referral carries none. */
typedef struct hs_place {
    const char *cpr;
    int32_t received;        /* day number */
    const char *id;
} hs_place;

hs_place hs_place_of(const triage_referral *r);

/* 1 when p is an earlier referral of the same child as r: both carry the
** same CPR number (a referral without one has no history), and p was
** received before r, or on the same day with an id that sorts before r's. */
int hs_is_prior(const hs_place *p, const hs_place *r);

/* What groups a child's referrals: the CPR number, or, for a referral
** without one, its own id (it is a child of its own). */
const char *hs_child(const triage_referral *r);

/* Fill out as r:history() shows an earlier referral: its id and day, and
** the outcome and target of d, its decision (NULL: not decided yet). */
void hs_entry(st_prior *out, const hs_place *p, const triage_decision *d);

/* Set only the decision's part of out (outcome, target) from d. */
void hs_entry_decision(st_prior *out, const triage_decision *d);
#endif
