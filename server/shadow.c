/*
** shadow.c — the candidate rule set of `serve --shadow`, deciding in the
** background: one thread with its own store handle and a decider on the
** candidate host's active rule set (rebuilt when it reloads), which keeps
** each referral's shadow decision beside the active suggestion, a chunk at
** a time, and looks again every second for referrals that came since.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

#define SH_CHUNK 256            /* referrals per transaction */
#define SH_IDLE_MS 1000         /* between looks when nothing was left */

struct sv_shadow {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    char *db;
    triage_host *host;
};

/* Wait ms, or less when asked to stop; 1 when asked to stop. */
static int sh_wait(sv_shadow *sh, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&sh->lock);
    while (!sh->stop && pthread_cond_timedwait(&sh->wake, &sh->lock, &until) == 0)
        ;
    int stop = sh->stop;
    pthread_mutex_unlock(&sh->lock);
    return stop;
}

/* One chunk: how many were decided, or -1 when it could not run. */
static long sh_chunk(sv_shadow *sh, triage_store **st, triage_decider **dc)
{
    triage_error err;
    if (!*st && !(*st = triage_store_open(sh->db, &err)))
        return -1;
    triage_ruleset *rs = triage_host_acquire(sh->host);
    if (!*dc || triage_decider_ruleset(*dc) != rs) {
        triage_decider_free(*dc);
        *dc = triage_decider_new(rs, *st, &err);
    }
    triage_ruleset_release(rs);
    return *dc ? triage_shadow_run(*st, *dc, SH_CHUNK, &err) : -1;
}

static void *sh_main(void *arg)
{
    sv_shadow *sh = arg;
    triage_store *st = NULL;
    triage_decider *dc = NULL;
    for (;;) {
        long n = sh_chunk(sh, &st, &dc);
        /* a full chunk: more to do at once (unless asked to stop); else
        ** (nothing left, or the store busy) look again in a while */
        if (n == SH_CHUNK ? sh_wait(sh, 0) : sh_wait(sh, SH_IDLE_MS))
            break;
    }
    triage_decider_free(dc);
    triage_store_close(st);
    return NULL;
}

sv_shadow *sv_shadow_start(const char *db, triage_host *candidate)
{
    sv_shadow *sh = calloc(1, sizeof *sh);
    if (!sh || !(sh->db = strdup(db))) {
        free(sh);
        return NULL;
    }
    sh->host = candidate;
    pthread_mutex_init(&sh->lock, NULL);
    pthread_cond_init(&sh->wake, NULL);
    if (pthread_create(&sh->thread, NULL, sh_main, sh) != 0) {
        pthread_mutex_destroy(&sh->lock);
        pthread_cond_destroy(&sh->wake);
        free(sh->db);
        free(sh);
        return NULL;
    }
    return sh;
}

void sv_shadow_stop(sv_shadow *sh)
{
    if (!sh) return;
    pthread_mutex_lock(&sh->lock);
    sh->stop = 1;
    pthread_cond_signal(&sh->wake);
    pthread_mutex_unlock(&sh->lock);
    pthread_join(sh->thread, NULL);
    pthread_mutex_destroy(&sh->lock);
    pthread_cond_destroy(&sh->wake);
    free(sh->db);
    free(sh);
}
