/*
** shadow.c — the candidate rule set of `serve --shadow`, deciding in the
** background: one thread with its own store handle and a decider on the
** candidate host's active rule set (rebuilt when it reloads), which keeps
** each referral's shadow decision beside the active suggestion, a chunk at
** a time, and looks again every second for referrals that came since.
*/
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define SH_CHUNK 256            /* referrals per transaction */
#define SH_IDLE_MS 1000         /* between looks when nothing was left */

struct sv_shadow {
    sv_bg *bg;
    char *db;
    triage_host *host;
};

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

static void sh_main(sv_bg *bg, void *arg)
{
    sv_shadow *sh = arg;
    triage_store *st = NULL;
    triage_decider *dc = NULL;
    for (;;) {
        long n = sh_chunk(sh, &st, &dc);
        /* a full chunk: more to do at once (unless asked to stop); else
        ** (nothing left, or the store busy) look again in a while */
        if (sv_bg_wait(bg, n == SH_CHUNK ? 0 : SH_IDLE_MS))
            break;
    }
    triage_decider_free(dc);
    triage_store_close(st);
}

sv_shadow *sv_shadow_start(const char *db, triage_host *candidate)
{
    sv_shadow *sh = calloc(1, sizeof *sh);
    if (!sh || !(sh->db = strdup(db))) {
        free(sh);
        return NULL;
    }
    sh->host = candidate;
    if (!(sh->bg = sv_bg_start(sh_main, sh))) {
        free(sh->db);
        free(sh);
        return NULL;
    }
    return sh;
}

void sv_shadow_stop(sv_shadow *sh)
{
    if (!sh) return;
    sv_bg_stop(sh->bg);
    free(sh->db);
    free(sh);
}
