/*
** batch.c — the `run` loop (triage_run). Undecided referrals arrive in chunks
** in order of received then id; each chunk is cut into parts, a child's
** referrals in one, which the workers (a decider each; with threads, a read
** connection each) claim until none is left; its decisions are stored in one
** transaction. With one worker the calling thread reads, decides and stores
** each chunk in turn, all on its own connection. With more, the workers
** decide a chunk while the calling thread stores the chunk before it and
** reads the next, so that the store's work runs beside the deciding instead
** of after it. A worker's history sees the store, with the decisions of the
** chunk being decided and of the one before it (maybe not committed yet)
** laid over: a child's referrals are decided in order, one after another.
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
#include "workshare.h"

#define BT_CHUNK 1024          /* referrals per chunk: per transaction, per hand-over */
#define BT_SLOTS (2 * BT_CHUNK)
#define BT_MAX_THREADS 64

typedef struct bt_item {
    triage_referral *r;
    triage_decision *d;
} bt_item;

/* One chunk and its map id -> item index + 1 (open addressing). */
typedef struct bt_chunk {
    bt_item items[BT_CHUNK];
    int n;
    int slots[BT_SLOTS];
} bt_chunk;

typedef struct bt_run_t bt_run_t;

typedef struct bt_worker {
    bt_run_t *run;
    triage_store *st;          /* own read connection, or the caller's store */
    triage_decider *dc;
    pthread_t tid;
    int started;               /* on a thread of its own */
    unsigned seen;             /* the last hand-over it took */
    double seconds;            /* deciding, summed */
} bt_worker;

struct bt_run_t {
    bt_chunk ring[3];          /* being read, being decided, decided before */
    bt_chunk *fill, *deciding, *prev;
    int nworkers;
    int threaded;              /* workers on threads: the pipeline */
    const triage_referral *refs[BT_CHUNK];  /* the chunk being cut into parts */
    ws_parts parts;            /* and its parts (workshare.c) */
    bt_worker w[BT_MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned gen;              /* hand-overs so far */
    int busy;                  /* threads still deciding the last one */
    int quit;
    triage_store *st;
    triage_run_summary *sum;
    triage_progress_fn progress;
    void *ud;
    long total;
    double stepping;           /* the calling thread's time in bt_step */
    triage_error *err;
    triage_code rc;
};

static double bt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------- the maps */

static void bt_map_build(bt_chunk *c)
{
    memset(c->slots, 0, sizeof c->slots);
    for (int i = 0; i < c->n; i++) {
        size_t s = sh_hash(c->items[i].r->id) & (BT_SLOTS - 1);
        while (c->slots[s])
            s = (s + 1) & (BT_SLOTS - 1);
        c->slots[s] = i + 1;
    }
}

static bt_item *bt_map_find(bt_chunk *c, const char *id)
{
    if (!c)
        return NULL;
    size_t s = sh_hash(id) & (BT_SLOTS - 1);
    for (; c->slots[s]; s = (s + 1) & (BT_SLOTS - 1))
        if (!strcmp(c->items[c->slots[s] - 1].r->id, id))
            return &c->items[c->slots[s] - 1];
    return NULL;
}

static void bt_chunk_free(bt_chunk *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++) {
        triage_referral_free(c->items[i].r);
        triage_decision_free(c->items[i].d);
    }
    c->n = 0;
}

/* History for a worker: the store's, with the fresh decisions of the chunk
** being decided and of the one before laid over. Both are there when asked:
** in this chunk the child's earlier referrals are in the same part, decided
** by this worker just before; the chunk before was wholly decided before
** this one was handed over (bt_wait), by whichever worker, though maybe not
** committed yet. A child's first referral, as the
** store knew when the chunk was read (has_earlier, store_schema.c), has
** none, and is not asked: most referrals, and at millions of them the query
** was half of `run`'s time, a CPR index page read from disk per referral.
** The flag is as of the chunk's reading, the query a moment later: an
** earlier referral another process stores in between is behind the run's
** reading place, decided by the next run, and not in this one's history. */
static int bt_history(void *ud, const triage_referral *r, const char *hash,
                      st_prior *out, int max)
{
    bt_worker *w = ud;
    if (r->first_of_child)
        return 0;
    int n = st_history(w->st, r->cpr, r->received, r->id, hash, out, max);
    for (int i = 0; i < n && i < max; i++) {
        bt_item *it = bt_map_find(w->run->deciding, out[i].id);
        if (!it)
            it = bt_map_find(w->run->prev, out[i].id);
        if (it && it->d)
            hs_entry_decision(&out[i], it->d);
    }
    return n;
}

/* ------------------------------------------------------------- deciding */

/* The parts of the chunk being decided that this worker claims, until none
** is left, in one read transaction of its connection: its history lookups
** share one snapshot. */
static void bt_decide_share(bt_worker *w)
{
    bt_chunk *c = w->run->deciding;
    ws_parts *p = &w->run->parts;
    double t0 = bt_now();
    int reading = st_read_begin(w->st) == 0;
    for (int k; (k = ws_claim(p)) >= 0;)
        for (int j = p->start[k]; j < p->start[k + 1]; j++) {
            bt_item *it = &c->items[p->order[j]];
            it->d = triage_decide(w->dc, it->r, 0);   /* NULL: out of memory */
        }
    if (reading)
        st_read_end(w->st);
    w->seconds += bt_now() - t0;
}

static void *bt_thread(void *arg)
{
    bt_worker *w = arg;
    bt_run_t *b = w->run;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        while (w->seen == b->gen && !b->quit)
            pthread_cond_wait(&b->go, &b->mu);
        if (w->seen == b->gen) {               /* quit, nothing handed over */
            pthread_mutex_unlock(&b->mu);
            return NULL;
        }
        w->seen = b->gen;
        pthread_mutex_unlock(&b->mu);
        bt_decide_share(w);
        pthread_mutex_lock(&b->mu);
        if (--b->busy == 0)
            pthread_cond_signal(&b->done);
        pthread_mutex_unlock(&b->mu);
    }
}

/* Hand the chunk in b->deciding to the workers; without threads, decide it
** here and now. */
static void bt_dispatch(bt_run_t *b)
{
    bt_chunk *c = b->deciding;
    for (int i = 0; i < c->n; i++)
        b->refs[i] = c->items[i].r;
    ws_split(&b->parts, b->refs, c->n, b->nworkers);  /* c->n <= BT_CHUNK, its cap */
    for (int i = 0; i < c->n; i++)
        c->items[i].d = NULL;
    bt_map_build(c);
    if (!b->threaded) {
        bt_decide_share(&b->w[0]);
        return;
    }
    pthread_mutex_lock(&b->mu);
    b->busy = 0;
    for (int k = 0; k < b->nworkers; k++)
        b->busy += b->w[k].started;
    b->gen++;
    pthread_cond_broadcast(&b->go);
    pthread_mutex_unlock(&b->mu);
}

/* Until the chunk handed over last is decided; a worker that has no thread
** of its own claims parts here. */
static void bt_wait(bt_run_t *b)
{
    if (!b->threaded)
        return;
    for (int k = 0; k < b->nworkers; k++)
        if (!b->w[k].started)
            bt_decide_share(&b->w[k]);
    pthread_mutex_lock(&b->mu);
    while (b->busy > 0)
        pthread_cond_wait(&b->done, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

/* ------------------------------------------------------------- storing */

/* A decided chunk's decisions, in one transaction. 0, or -1 with b->err. */
static int bt_store(bt_run_t *b, bt_chunk *c)
{
    double t0 = bt_now();
    int rc = 0;
    if (triage_store_begin(b->st, b->err) != TRIAGE_OK)
        rc = -1;
    double t1 = bt_now();
    for (int i = 0; i < c->n && !rc; i++) {
        triage_decision *d = c->items[i].d;
        if (!d) {
            triage_error_set(b->err, TRIAGE_ENOMEM, NULL, 0, c->items[i].r->id, NULL,
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
    double t2 = bt_now();
    if (rc == 0 && triage_store_commit(b->st, b->err) != TRIAGE_OK)
        rc = -1;
    if (rc)
        triage_store_rollback(b->st);
    double t3 = bt_now();
    b->sum->store_seconds += t2 - t1;
    b->sum->commit_seconds += (t1 - t0) + (t3 - t2);
    if (rc)
        b->rc = b->err->code ? b->err->code : TRIAGE_ESTORE;
    else if (b->progress)
        b->progress(b->ud, b->sum->decided, b->total);
    return rc;
}

/* The chunk read is complete (or the input ended): hand it over, and store
** the chunk decided before it meanwhile. Without threads: decide it, store
** it. 0, or -1 once storing failed. */
static int bt_step(bt_run_t *b)
{
    if (!b->threaded) {
        if (b->fill->n == 0)
            return 0;
        b->deciding = b->fill;
        bt_dispatch(b);
        int rc = bt_store(b, b->deciding);
        bt_chunk_free(b->deciding);
        b->deciding = NULL;
        return rc;
    }
    bt_chunk *decided = b->deciding;
    if (decided)
        bt_wait(b);
    bt_chunk_free(b->prev);            /* stored, and no decide reads it any more */
    b->prev = decided;
    b->deciding = NULL;
    if (b->fill->n > 0) {
        b->deciding = b->fill;
        for (int i = 0; i < 3; i++)
            if (&b->ring[i] != b->deciding && &b->ring[i] != b->prev)
                b->fill = &b->ring[i];
        bt_dispatch(b);
    }
    return decided ? bt_store(b, decided) : 0;
}

static int bt_step_timed(bt_run_t *b)
{
    double t0 = bt_now();
    int rc = bt_step(b);
    b->stepping += bt_now() - t0;
    return rc;
}

static int bt_take(void *ud, triage_referral *r)
{
    bt_run_t *b = ud;
    b->fill->items[b->fill->n++].r = r;
    return b->fill->n == BT_CHUNK ? bt_step_timed(b) : 0;
}

/* ------------------------------------------------------------- the run */

triage_code triage_run(triage_store *st, const char *db_path, triage_ruleset *rs,
                       int threads, triage_progress_fn progress, void *ud,
                       triage_run_summary *sum, triage_error *err)
{
    triage_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    double t0 = bt_now();
    memset(sum, 0, sizeof *sum);
    int memory = !db_path || !strcmp(db_path, ":memory:");
    if (threads < 1 || memory)
        threads = 1;
    if (threads > BT_MAX_THREADS)
        threads = BT_MAX_THREADS;
    bt_run_t *b = calloc(1, sizeof *b);
    if (!b || ws_init(&b->parts, BT_CHUNK) != 0) {
        free(b);
        return TRIAGE_ENOMEM;
    }
    b->fill = &b->ring[0];
    b->st = st;
    b->sum = sum;
    b->progress = progress;
    b->ud = ud;
    b->err = err;
    /* a full count of the undecided is a scan: only for a progress report */
    b->total = progress ? triage_store_count(st, "undecided", triage_ruleset_hash(rs)) : 0;
    b->nworkers = threads;
    b->threaded = threads > 1;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->go, NULL);
    pthread_cond_init(&b->done, NULL);
    triage_code rc = TRIAGE_OK;
    for (int k = 0; k < threads && rc == TRIAGE_OK; k++) {
        bt_worker *w = &b->w[k];
        w->run = b;
        /* One worker reads history on the caller's connection, whose pages
        ** stay cached across the chunks it commits; a connection of its own
        ** would find the database changed at each chunk and start cold
        ** (SQLite drops its cache and its memory map). Threads each need
        ** their own, read with read() into its cache: the map would only be
        ** dropped and faulted in again, page by page, every chunk. */
        w->st = memory || threads == 1 ? st : triage_store_open(db_path, err);
        if (w->st && w->st != st)
            st_read_unmapped(w->st);
        if (!w->st || !(w->dc = triage_decider_new(rs, w->st, err)))
            rc = err->code ? err->code : TRIAGE_ENOMEM;
        else
            rl_set_history(w->dc, bt_history, w);
    }
    for (int k = 0; k < threads && rc == TRIAGE_OK && b->threaded; k++)
        b->w[k].started = pthread_create(&b->w[k].tid, NULL, bt_thread, &b->w[k]) == 0;
    sum->setup_seconds = bt_now() - t0;
    if (rc == TRIAGE_OK) {
        double r0 = bt_now();
        rc = triage_store_each_undecided(st, triage_ruleset_hash(rs), bt_take, b, err);
        sum->read_seconds = bt_now() - r0 - b->stepping;
        while (rc == TRIAGE_OK && b->rc == TRIAGE_OK &&
               (b->fill->n > 0 || b->deciding || b->prev))
            if (bt_step(b))
                break;
        if (b->rc != TRIAGE_OK)
            rc = b->rc;
    }
    if (b->deciding)                   /* stopped by an error: let it finish */
        bt_wait(b);
    pthread_mutex_lock(&b->mu);
    b->quit = 1;
    pthread_cond_broadcast(&b->go);
    pthread_mutex_unlock(&b->mu);
    for (int k = 0; k < threads; k++) {
        if (b->w[k].started)
            pthread_join(b->w[k].tid, NULL);
        sum->decide_seconds += b->w[k].seconds;
        triage_decider_free(b->w[k].dc);
        if (b->w[k].st && b->w[k].st != st)
            triage_store_close(b->w[k].st);
    }
    for (int i = 0; i < 3; i++)
        bt_chunk_free(&b->ring[i]);
    pthread_cond_destroy(&b->done);
    pthread_cond_destroy(&b->go);
    pthread_mutex_destroy(&b->mu);
    ws_free(&b->parts);
    free(b);
    sum->seconds = bt_now() - t0;
    return rc;
}
