/*
** workshare.c — a chunk's referrals shared out over workers, each child's
** to one worker, the shares as even as they can be: a child's hash alone
** left one of two workers 51% of the 2020 corpus, so two threads could not
** decide it faster than x1.95 however fast each was.
*/
#include "workshare.h"

#include <stdint.h>
#include <stdlib.h>

#include "history.h"
#include "strhash.h"

/* One child of the chunk: its hash (two children whose hashes are equal
** share a worker, which is always safe), its referrals, its first one and
** its worker. */
typedef struct ws_child {
    uint64_t hash;
    int count, first, worker;
} ws_child;

/* Most referrals first; of equal counts the one that came first. */
static int ws_cmp(const void *a, const void *b)
{
    const ws_child *x = *(ws_child *const *)a, *y = *(ws_child *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

/* Each child's worker by its hash alone: what is left without memory. */
static int ws_by_hash(const triage_referral *const *r, int n, int nworkers, int *worker)
{
    for (int i = 0; i < n; i++)
        worker[i] = (int)(sh_hash(hs_child(r[i])) % (uint64_t)nworkers);
    return -1;
}

int ws_share(const triage_referral *const *r, int n, int nworkers, int *worker)
{
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    ws_child *slot = calloc(cap, sizeof *slot);
    ws_child **order = malloc(((size_t)n + 1) * sizeof *order);
    long *load = calloc((size_t)nworkers, sizeof *load);
    int rc = slot && order && load ? 0 : ws_by_hash(r, n, nworkers, worker);
    int nchild = 0;
    for (int i = 0; rc == 0 && i < n; i++) {   /* each child's referrals counted */
        uint64_t h = sh_hash(hs_child(r[i]));
        size_t s = h & (cap - 1);
        while (slot[s].count && slot[s].hash != h)
            s = (s + 1) & (cap - 1);
        if (!slot[s].count++) {
            slot[s].hash = h;
            slot[s].first = i;
            order[nchild++] = &slot[s];
        }
        worker[i] = (int)s;                     /* its slot, until the end */
    }
    if (rc == 0) {
        qsort(order, (size_t)nchild, sizeof *order, ws_cmp);
        for (int c = 0; c < nchild; c++) {      /* each to the least loaded worker */
            int best = 0;
            for (int k = 1; k < nworkers; k++)
                if (load[k] < load[best])
                    best = k;
            order[c]->worker = best;
            load[best] += order[c]->count;
        }
        for (int i = 0; i < n; i++)
            worker[i] = slot[worker[i]].worker;
    }
    free(slot);
    free(order);
    free(load);
    return rc;
}
