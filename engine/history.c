/*
** history.c — the one definition of a child's earlier referrals (history.h).
** The order is (received, id), the order `run` and the in-memory pass decide
** in, so a referral's history is always decided before it.
*/
#include "history.h"

#include <stdio.h>
#include <string.h>

#include "decision.h"
#include "referral.h"

hs_place hs_place_of(const triage_referral *r)
{
    hs_place p = {r->cpr, r->received, r->id};
    return p;
}

int hs_is_prior(const hs_place *p, const hs_place *r)
{
    if (!p->cpr || !r->cpr || !r->cpr[0] || strcmp(p->cpr, r->cpr) != 0)
        return 0;
    return p->received < r->received ||
           (p->received == r->received && strcmp(p->id, r->id) < 0);
}

const char *hs_child(const triage_referral *r)
{
    return r->cpr[0] ? r->cpr : r->id;
}

void hs_entry_decision(st_prior *out, const triage_decision *d)
{
    const char *target = d ? triage_decision_target(d) : NULL;
    snprintf(out->outcome, sizeof out->outcome, "%s",
             d ? triage_outcome_name(triage_decision_outcome(d)) : "");
    snprintf(out->target, sizeof out->target, "%s", target ? target : "");
}

void hs_entry(st_prior *out, const hs_place *p, const triage_decision *d)
{
    snprintf(out->id, sizeof out->id, "%s", p->id);
    out->received = p->received;
    hs_entry_decision(out, d);
}
