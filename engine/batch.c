/*
** batch.c — the `run` loop (triage_run). Undecided referrals arrive in chunks in order of
** received then id; each chunk is split by child over the workers (one
** decider and one read connection each), and its decisions are stored in
** one transaction before the next chunk is read. A worker's history sees
** the store plus the decisions its chunk has made so far.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decision.h"
#include "history.h"
#include "referral.h"
#include "rules.h"
#include "store.h"
#include "store_run.h"
#include "strhash.h"
#include "triage.h"

#define BT_CHUNK 4096
#define BT_MAX_THREADS 64

typedef struct bt_item {
    triage_referral *r;
    triage_decision *d;
    int worker;
} bt_item;

typedef struct bt_run_t bt_run_t;

typedef struct bt_worker {
    bt_run_t *run;
    int index;
    triage_store *st;          /* own read connection, or the main store */
    triage_decider *dc;
    int oom;
} bt_worker;

struct bt_run_t {
    bt_item items[BT_CHUNK];
    int n;
    int *slots;                /* open-addressing map id -> item index + 1 */
    int nslots;
    int nworkers;
    bt_worker w[BT_MAX_THREADS];
    triage_store *st;
    triage_run_summary *sum;
    triage_progress_fn progress;
    void *ud;
    long total;
    triage_error *err;
    triage_code rc;
};

static void bt_map_build(bt_run_t *b)
{
    memset(b->slots, 0, (size_t)b->nslots * sizeof *b->slots);
    for (int i = 0; i < b->n; i++) {
        size_t s = sh_hash(b->items[i].r->id) & (size_t)(b->nslots - 1);
        while (b->slots[s])
            s = (s + 1) & (size_t)(b->nslots - 1);
        b->slots[s] = i + 1;
    }
}

static bt_item *bt_map_find(bt_run_t *b, const char *id)
{
    size_t s = sh_hash(id) & (size_t)(b->nslots - 1);
    for (; b->slots[s]; s = (s + 1) & (size_t)(b->nslots - 1))
        if (!strcmp(b->items[b->slots[s] - 1].r->id, id))
            return &b->items[b->slots[s] - 1];
    return NULL;
}

/* History for a worker: the store's, with this chunk's fresh decisions laid
** over (earlier referrals of the child were decided by this same worker). */
static int bt_history(void *ud, const triage_referral *r, const char *hash,
                      st_prior *out, int max)
{
    bt_worker *w = ud;
    int n = st_history(w->st, r->cpr, r->received, r->id, hash, out, max);
    for (int i = 0; i < n && i < max; i++) {
        bt_item *it = bt_map_find(w->run, out[i].id);
        if (it && it->d)
            hs_entry_decision(&out[i], it->d);
    }
    return n;
}

static void *bt_work(void *arg)
{
    bt_worker *w = arg;
    bt_run_t *b = w->run;
    for (int i = 0; i < b->n; i++) {
        bt_item *it = &b->items[i];
        if (it->worker != w->index)
            continue;
        it->d = triage_decide(w->dc, it->r, 0);
        if (!it->d)
            w->oom = 1;
    }
    return NULL;
}

static int bt_flush(bt_run_t *b)
{
    if (b->n == 0)
        return 0;
    for (int i = 0; i < b->n; i++) {
        const triage_referral *r = b->items[i].r;
        b->items[i].worker = (int)(sh_hash(hs_child(r)) % (uint64_t)b->nworkers);
        b->items[i].d = NULL;
    }
    bt_map_build(b);
    /* Each worker's history lookups share one read transaction for the
    ** chunk: nothing is written to the store until all of them are done. */
    int reading[BT_MAX_THREADS] = {0};
    for (int k = 0; k < b->nworkers; k++)
        reading[k] = st_read_begin(b->w[k].st) == 0;
    pthread_t tid[BT_MAX_THREADS];
    int started[BT_MAX_THREADS] = {0};
    for (int k = 1; k < b->nworkers; k++)
        started[k] = pthread_create(&tid[k], NULL, bt_work, &b->w[k]) == 0;
    bt_work(&b->w[0]);
    for (int k = 1; k < b->nworkers; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            bt_work(&b->w[k]);          /* no thread: do its share here */
    }
    for (int k = 0; k < b->nworkers; k++)
        if (reading[k])
            st_read_end(b->w[k].st);
    int rc = 0;
    if (triage_store_begin(b->st, b->err) != TRIAGE_OK) {
        rc = -1;
    } else {
        for (int i = 0; i < b->n && !rc; i++) {
            triage_decision *d = b->items[i].d;
            if (!d) {
                triage_error_set(b->err, TRIAGE_ENOMEM, NULL, 0, b->items[i].r->id, NULL,
                                 "out of memory deciding it");
                rc = -1;
                break;
            }
            if (triage_store_put_decision(b->st, d, b->err) != TRIAGE_OK) {
                rc = -1;
                break;
            }
            b->sum->decided++;
            b->sum->by_outcome[d->outcome]++;
            b->sum->by_target[d->target >= 0 ? d->target : TRIAGE_N_TARGETS]++;
        }
        if (rc == 0 && triage_store_commit(b->st, b->err) != TRIAGE_OK)
            rc = -1;
        if (rc)
            triage_store_rollback(b->st);
    }
    for (int i = 0; i < b->n; i++) {
        triage_referral_free(b->items[i].r);
        triage_decision_free(b->items[i].d);
    }
    b->n = 0;
    if (rc)
        b->rc = b->err->code ? b->err->code : TRIAGE_ESTORE;
    else if (b->progress)
        b->progress(b->ud, b->sum->decided, b->total);
    return rc;
}

static int bt_take(void *ud, triage_referral *r)
{
    bt_run_t *b = ud;
    b->items[b->n++].r = r;
    return b->n == BT_CHUNK ? bt_flush(b) : 0;
}

triage_code triage_run(triage_store *st, const char *db_path, triage_ruleset *rs,
                       int threads, triage_progress_fn progress, void *ud,
                       triage_run_summary *sum, triage_error *err)
{
    triage_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(sum, 0, sizeof *sum);
    int memory = !db_path || !strcmp(db_path, ":memory:");
    if (threads < 1 || memory)
        threads = 1;
    if (threads > BT_MAX_THREADS)
        threads = BT_MAX_THREADS;
    bt_run_t *b = calloc(1, sizeof *b);
    if (!b)
        return TRIAGE_ENOMEM;
    b->nslots = 2 * BT_CHUNK;
    b->slots = calloc((size_t)b->nslots, sizeof *b->slots);
    b->st = st;
    b->sum = sum;
    b->progress = progress;
    b->ud = ud;
    b->err = err;
    b->total = triage_store_count(st, "undecided", triage_ruleset_hash(rs));
    b->nworkers = threads;
    triage_code rc = b->slots ? TRIAGE_OK : TRIAGE_ENOMEM;
    for (int k = 0; k < threads && rc == TRIAGE_OK; k++) {
        bt_worker *w = &b->w[k];
        w->run = b;
        w->index = k;
        w->st = memory ? st : triage_store_open(db_path, err);
        if (!w->st || !(w->dc = triage_decider_new(rs, w->st, err)))
            rc = err->code ? err->code : TRIAGE_ENOMEM;
        else
            rl_set_history(w->dc, bt_history, w);
    }
    if (rc == TRIAGE_OK) {
        rc = triage_store_each_undecided(st, triage_ruleset_hash(rs), bt_take, b, err);
        if (rc == TRIAGE_OK && b->rc == TRIAGE_OK)
            bt_flush(b);
        if (b->rc != TRIAGE_OK)
            rc = b->rc;
    }
    for (int i = 0; i < b->n; i++)
        triage_referral_free(b->items[i].r);
    for (int k = 0; k < threads; k++) {
        triage_decider_free(b->w[k].dc);
        if (b->w[k].st != st)
            triage_store_close(b->w[k].st);
    }
    free(b->slots);
    free(b);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sum->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}
