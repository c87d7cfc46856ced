/*
** workshare.c — a chunk cut into parts that workers claim in turn. A fixed
** share per worker waits for the slowest: on a machine whose cores run at
** different speeds (a VM's vCPU beside a busy neighbour ran at 2/3 of the
** other) two threads decided only twice as fast as the slower core.
*/
#include "workshare.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "strhash.h"

#define WS_PARTS_PER_WORKER 64  /* the last part claimed: ~1/64 of a worker's share */

/* One child of the chunk: its hash, its referrals, its first one. */
struct ws_child {
    uint64_t hash;
    int count, first;
};

int ws_init(ws_parts *p, int cap)
{
    memset(p, 0, sizeof *p);
    size_t nslots = 16;
    while (nslots < (size_t)cap * 2)
        nslots *= 2;
    p->order = malloc(((size_t)cap + 1) * sizeof *p->order);     /* + 1: never malloc(0) */
    p->start = malloc(((size_t)cap + 2) * sizeof *p->start);
    p->tmp = malloc(((size_t)cap + 1) * sizeof *p->tmp);
    p->slot = malloc(nslots * sizeof *p->slot);
    p->byc = malloc(((size_t)cap + 1) * sizeof *p->byc);
    if (!p->order || !p->start || !p->tmp || !p->slot || !p->byc) {
        ws_free(p);
        return -1;
    }
    p->cap = cap;
    p->nslots = nslots;
    return 0;
}

void ws_free(ws_parts *p)
{
    free(p->order);
    free(p->start);
    free(p->tmp);
    free(p->slot);
    free(p->byc);
    memset(p, 0, sizeof *p);
}

/* Most referrals first; of equal counts the one that came first. */
static int ws_cmp(const void *a, const void *b)
{
    const ws_child *x = *(ws_child *const *)a, *y = *(ws_child *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

int ws_split(ws_parts *p, const triage_referral *const *r, int n, int nworkers)
{
    atomic_store(&p->next, 0);
    p->nparts = 0;
    if (n > p->cap)
        return -1;
    if (nworkers <= 1 || n <= 1) {             /* one part, in order */
        p->nparts = n > 0;
        p->start[0] = 0;
        p->start[1] = n;
        for (int i = 0; i < n; i++)
            p->order[i] = i;
        return 0;
    }
    size_t mask = p->nslots - 1;
    memset(p->slot, 0, p->nslots * sizeof *p->slot);
    int nchild = 0;
    for (int i = 0; i < n; i++) {              /* each child's referrals counted */
        uint64_t h = sh_hash(hs_child(r[i]));
        size_t s = h & mask;
        while (p->slot[s].count && p->slot[s].hash != h)
            s = (s + 1) & mask;
        if (!p->slot[s].count++) {
            p->slot[s].hash = h;
            p->slot[s].first = i;
            p->byc[nchild++] = &p->slot[s];
        }
        p->tmp[i] = (int)s;                    /* its slot, for now */
    }
    qsort(p->byc, (size_t)nchild, sizeof *p->byc, ws_cmp);
    /* Children packed in that order into parts of about `grain` referrals;
    ** a slot's `first` becomes its part. */
    int grain = n / (nworkers * WS_PARTS_PER_WORKER);
    if (grain < 1)
        grain = 1;
    int part = 0, fill = 0;
    for (int c = 0; c < nchild; c++) {
        p->byc[c]->first = part;
        fill += p->byc[c]->count;
        if (fill >= grain) {
            part++;
            fill = 0;
        }
    }
    p->nparts = part + (fill > 0);
    /* Counting sort by part, stable: each part's referrals in chunk order. */
    for (int k = 0; k <= p->nparts; k++)
        p->start[k] = 0;
    for (int i = 0; i < n; i++) {
        p->tmp[i] = p->slot[p->tmp[i]].first;
        p->start[p->tmp[i] + 1]++;
    }
    for (int k = 0; k < p->nparts; k++)
        p->start[k + 1] += p->start[k];
    for (int i = 0; i < n; i++)               /* start[k]: the next place of part k */
        p->order[p->start[p->tmp[i]]++] = i;
    for (int k = p->nparts; k > 0; k--)       /* start[k] back to part k's first */
        p->start[k] = p->start[k - 1];
    p->start[0] = 0;
    return 0;
}

int ws_claim(ws_parts *p)
{
    int k = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    return k < p->nparts ? k : -1;
}
