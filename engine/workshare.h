/*
** workshare.h — a chunk's referrals shared out over workers: every referral
** of a child to one worker (its history is then that worker's own), and the
** children spread so that the workers' shares are as even as they can be.
*/
#ifndef TRIAGE_WORKSHARE_H
#define TRIAGE_WORKSHARE_H
#include "triage.h"

/* Fill worker[i] (0 .. nworkers-1) for each of the n referrals r[i]: a
** child's referrals (hs_child) all go to one worker, the children with the
** most referrals first, each to the worker with the fewest so far (ties:
** the lower worker, so the same chunk is always shared the same way). 0, or
** -1 when out of memory (worker[] then holds a share by hash, which keeps
** each child on one worker but may be uneven). */
int ws_share(const triage_referral *const *r, int n, int nworkers, int *worker);
#endif
