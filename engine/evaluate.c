/*
** evaluate.c — triage_evaluate: one in-memory pass of a rule set over a
** store. Referrals come in order of received then id; a small hash map from
** CPR to the decisions made so far in this pass answers r:history(), so the
** pass needs no writes and its figures do not depend on what earlier runs
** stored.
*/
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "referral.h"
#include "rules.h"
#include "strhash.h"
#include "triage.h"

typedef struct ev_entry {
    char cpr[11];
    int next;                  /* previous referral of the same child, or -1 */
    st_prior p;
} ev_entry;

typedef struct ev_pass {
    ev_entry *e;
    int n, cap;
    int *heads;                /* open addressing: cpr -> newest entry + 1 */
    int nheads;
    triage_decider *dc;
    triage_decided_fn fn;
    void *ud;
    int stop;
} ev_pass;

static int *ev_slot(ev_pass *p, const char *cpr)
{
    size_t mask = (size_t)p->nheads - 1, s = sh_hash(cpr) & mask;
    while (p->heads[s] && strcmp(p->e[p->heads[s] - 1].cpr, cpr) != 0)
        s = (s + 1) & mask;
    return &p->heads[s];
}

static int ev_grow(ev_pass *p)
{
    if (p->n + 1 >= p->nheads / 2) {       /* keep the map under half full */
        int nh = p->nheads ? p->nheads * 2 : 1024;
        int *old = p->heads, on = p->nheads;
        p->heads = calloc((size_t)nh, sizeof *p->heads);
        if (!p->heads)
            return -1;
        p->nheads = nh;
        for (int i = 0; i < on; i++)
            if (old[i])
                *ev_slot(p, p->e[old[i] - 1].cpr) = old[i];
        free(old);
    }
    if (p->n == p->cap) {
        int nc = p->cap ? p->cap * 2 : 1024;
        ev_entry *ne = realloc(p->e, (size_t)nc * sizeof *ne);
        if (!ne)
            return -1;
        p->e = ne;
        p->cap = nc;
    }
    return 0;
}

static hs_place ev_place(const ev_entry *e)
{
    hs_place h = {e->cpr, e->p.received, e->p.id};
    return h;
}

/* The child's chain runs newest first; the pass goes in history's order, so
** every entry is prior already, and the predicate has the last word. */
static int ev_history(void *ud, const triage_referral *r, const char *hash,
                      st_prior *out, int max)
{
    ev_pass *p = ud;
    if (!p->nheads || !r->cpr[0])
        return 0;
    hs_place here = hs_place_of(r);
    int head = *ev_slot(p, r->cpr), n = 0;
    for (int i = head - 1; i >= 0; i = p->e[i].next) {
        hs_place there = ev_place(&p->e[i]);
        n += hs_is_prior(&there, &here);
    }
    int k = n;                                 /* newest last: fill backwards */
    for (int i = head - 1; i >= 0; i = p->e[i].next) {
        hs_place there = ev_place(&p->e[i]);
        if (hs_is_prior(&there, &here) && --k < max)
            out[k] = p->e[i].p;
    }
    return n;
}

static int ev_take(void *ud, triage_referral *r)
{
    ev_pass *p = ud;
    triage_decision *d = p->stop ? NULL : triage_decide(p->dc, r, TRIAGE_EXPLAIN);
    int rc = 1;
    if (d && r->cpr[0] && ev_grow(p) == 0) {
        ev_entry *e = &p->e[p->n];
        hs_place here = hs_place_of(r);
        memcpy(e->cpr, r->cpr, sizeof e->cpr);
        memset(&e->p, 0, sizeof e->p);
        hs_entry(&e->p, &here, d);
        int *head = ev_slot(p, r->cpr);
        e->next = *head - 1;
        *head = ++p->n;
    }
    if (d)
        rc = p->fn(p->ud, r, d);
    p->stop |= rc != 0;
    triage_decision_free(d);
    triage_referral_free(r);
    return p->stop;
}

triage_code triage_evaluate(triage_store *st, triage_ruleset *rs, triage_decided_fn fn,
                            void *ud, triage_error *err)
{
    ev_pass p = {0};
    triage_error local;
    if (!err) err = &local;
    p.fn = fn;
    p.ud = ud;
    p.dc = triage_decider_new(rs, NULL, err);
    if (!p.dc)
        return err->code;
    rl_set_history(p.dc, ev_history, &p);
    /* No decision carries the empty hash: this walks every referral. */
    triage_code rc = triage_store_each_undecided(st, "", ev_take, &p, err);
    triage_decider_free(p.dc);
    free(p.e);
    free(p.heads);
    return rc;
}
