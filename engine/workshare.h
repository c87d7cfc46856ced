/*
** workshare.h — a chunk's referrals cut into parts for the workers to claim:
** every referral of a child in one part (its history is then one worker's
** own, in order), the parts small, the biggest first, so that whichever
** worker is free takes the next one and faster cores simply take more.
*/
#ifndef TRIAGE_WORKSHARE_H
#define TRIAGE_WORKSHARE_H
#include <stdatomic.h>
#include "triage.h"

typedef struct ws_child ws_child;

/* One chunk's parts. Part p holds the referrals order[start[p]] ..
** order[start[p + 1] - 1], indexes into the chunk, in the chunk's order. */
typedef struct ws_parts {
    int nparts;
    int *order;                /* cap indexes */
    int *start;                /* nparts + 1 of them */
    atomic_int next;           /* the next part to claim (ws_claim) */
    int cap;                   /* the most referrals a split takes */
    ws_child *slot;            /* scratch: the chunk's children by hash */
    ws_child **byc;            /* scratch: the children, biggest first */
    int *tmp;                  /* scratch: each referral's child, then part */
    size_t nslots;
} ws_parts;

/* Room for chunks of up to cap referrals, allocated once: 0, or -1 when out
** of memory (p is then empty and ws_free harmless). */
int ws_init(ws_parts *p, int cap);
void ws_free(ws_parts *p);

/* Cut the n referrals r[] into parts for nworkers and make every part
** unclaimed: 0, or -1 (no part: nothing would be decided) when n exceeds the
** cap given to ws_init, a caller's error. A child's referrals (hs_child; two children whose hashes
** are equal count as one, which is always safe) go to one part; children
** with the most referrals first, packed into parts of about n / (64 x
** nworkers) referrals, so that the last part claimed is short. With one
** worker, one part in the chunk's order. The same chunk always gives the
** same parts; which worker takes which is whoever asks first. */
int ws_split(ws_parts *p, const triage_referral *const *r, int n, int nworkers);

/* The next unclaimed part, or -1 when all are taken. Any thread may call
** it; each part is handed out once. */
int ws_claim(ws_parts *p);
#endif
