/*
** checkpoint.c — the store's checkpoints, off the request path: the
** workers' handles never checkpoint (a commit that did would wait for the
** syncs, the tail of a CDS call's latency), and this thread, with its own
** handle, copies the write-ahead log into the database file every second.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define CK_EVERY_MS 1000

struct sv_checkpoints {
    sv_bg *bg;
    char *db;
    FILE *log;
};

/* One checkpoint; a failure is said once, when it starts, and so is the
** recovery (each second's retry would otherwise fill the log). */
static void ck_once(sv_checkpoints *ck, triage_store **st, int *failing)
{
    triage_error err;
    if (!*st && !(*st = triage_store_open(ck->db, &err))) {
        if (!*failing)
            fprintf(ck->log, "serve: checkpoints: %s\n", err.text);
        *failing = 1;
        return;
    }
    if (triage_store_checkpoint(*st, &err) != TRIAGE_OK) {
        if (!*failing)
            fprintf(ck->log, "serve: %s (tried again every second)\n", err.text);
        *failing = 1;
    } else if (*failing) {
        fprintf(ck->log, "serve: checkpoints run again\n");
        *failing = 0;
    }
}

static void ck_main(sv_bg *bg, void *arg)
{
    sv_checkpoints *ck = arg;
    triage_store *st = NULL;
    int failing = 0;
    while (!sv_bg_wait(bg, CK_EVERY_MS))
        ck_once(ck, &st, &failing);
    ck_once(ck, &st, &failing);     /* what the last requests wrote */
    triage_store_close(st);
}

sv_checkpoints *sv_checkpoints_start(const char *db, FILE *log)
{
    sv_checkpoints *ck = calloc(1, sizeof *ck);
    if (!ck || !(ck->db = strdup(db))) {
        free(ck);
        return NULL;
    }
    ck->log = log;
    if (!(ck->bg = sv_bg_start(ck_main, ck))) {
        free(ck->db);
        free(ck);
        return NULL;
    }
    return ck;
}

void sv_checkpoints_stop(sv_checkpoints *ck)
{
    if (!ck) return;
    sv_bg_stop(ck->bg);
    free(ck->db);
    free(ck);
}
