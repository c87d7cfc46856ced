/*
** batch.h — decide every undecided referral of a store, on N threads.
** Referrals of one child go to one worker, in order of received then id,
** so history always sees the decisions before it; decisions are written
** in one transaction per chunk.
*/
#ifndef TRIAGE_BATCH_H
#define TRIAGE_BATCH_H
#include "triage.h"

typedef struct bt_summary {
    long decided;
    long by_outcome[5];        /* indexed by triage_outcome */
    long by_target[6];         /* dc_target_names order; [5] = null */
    double seconds;            /* wall time of the whole run */
} bt_summary;

/* Called after each chunk is stored. */
typedef void (*bt_progress_fn)(void *ud, long done, long total);

/* db_path names st's file so that workers can open their own read
** connections (":memory:" runs on one thread). Returns TRIAGE_OK or an error
** in err; decisions stored before a failure stay stored. */
triage_code bt_run(const char *db_path, triage_store *st, triage_ruleset *rs,
                   int threads, bt_progress_fn progress, void *ud,
                   bt_summary *sum, triage_error *err);
#endif
