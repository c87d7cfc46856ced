/*
** worker.c — each pool thread's own handles: a store handle on the
** database, an in-memory store for /api/check's history, and a decider on
** each, rebuilt when the host swaps in a new rule set. A thread takes a free
** worker on its first request and keeps it; SQLite handles and deciders are
** never shared between threads.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "http.h"

struct sv_pool {
    pthread_mutex_t lock;       /* guards handing out workers */
    unsigned gen;               /* tells this pool's workers from a past one's */
    int n;
    sv_worker *w;
};

static atomic_uint sv_generation;
static __thread sv_worker *sv_tls;
static __thread unsigned sv_tls_gen;

sv_pool *sv_pool_new(int nworkers)
{
    sv_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->w = calloc((size_t)nworkers, sizeof *p->w))) {
        free(p);
        return NULL;
    }
    p->n = nworkers;
    p->gen = atomic_fetch_add(&sv_generation, 1) + 1;
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

static void sv_drop_deciders(sv_worker *w)
{
    triage_decider_free(w->dc_db);
    triage_decider_free(w->dc_mem);
    w->dc_db = w->dc_mem = NULL;
}

/* This thread's worker of pool p, taking a free one the first time. */
static sv_worker *sv_mine(sv_pool *p)
{
    sv_worker *w = sv_tls_gen == p->gen ? sv_tls : NULL;
    if (w)
        return w;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->n && !w; i++)
        if (!p->w[i].used) {
            w = &p->w[i];
            w->used = 1;
        }
    pthread_mutex_unlock(&p->lock);
    if (w) {
        sv_tls = w;
        sv_tls_gen = p->gen;
    }
    return w;
}

/* Deciders on the host's active rule set; new ones after a swap. */
static int sv_deciders(sv_worker *w, triage_host *host)
{
    triage_error err;
    triage_ruleset *rs = triage_host_acquire(host);
    if (!w->dc_db || triage_decider_ruleset(w->dc_db) != rs) {
        sv_drop_deciders(w);
        w->dc_db = triage_decider_new(rs, w->db, &err);
        w->dc_mem = w->dc_db ? triage_decider_new(rs, w->mem, &err) : NULL;
        if (!w->dc_mem)
            sv_drop_deciders(w);
    }
    triage_ruleset_release(rs);
    return w->dc_db ? 0 : -1;
}

sv_worker *sv_pool_get(sv_pool *p, const char *db, triage_host *host, int deciding,
                       const char **why)
{
    triage_error err;
    sv_worker *w = sv_mine(p);
    if (!w) {
        *why = "no worker free";
        return NULL;
    }
    if (!w->db) {
        if (!(w->db = triage_store_open(db, &err))) {
            *why = "store unavailable";
            return NULL;
        }
        triage_store_defer_checkpoints(w->db);  /* checkpoint.c runs them */
    }
    if (!w->mem && !(w->mem = triage_store_open(":memory:", &err))) {
        *why = "out of memory";
        return NULL;
    }
    if (deciding && sv_deciders(w, host) != 0) {
        *why = "the rule set could not be started";
        return NULL;
    }
    return w;
}

/* Only once the HTTP daemon is stopped: no thread uses a worker then. */
void sv_pool_free(sv_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        sv_drop_deciders(&p->w[i]);
        triage_fhir_close(p->w[i].fw);
        triage_ruleset_release(p->w[i].fw_rs);
        triage_cds_close(p->w[i].cds);
        triage_ruleset_release(p->w[i].cds_rs);
        triage_store_close(p->w[i].db);
        triage_store_close(p->w[i].mem);
    }
    pthread_mutex_destroy(&p->lock);
    free(p->w);
    free(p);
}
