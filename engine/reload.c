/*
** reload.c — the rule host: hot reload as in Redis's functions.c. A reload
** builds the new rule set in a fresh sandbox, runs its own tests, and only
** then swaps the pointer; on any failure the old set stays active and the
** error (file:line) is kept. inotify on the rules directory triggers it.
*/
#include <errno.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "rules.h"
#include "ruletest.h"
#include "triage.h"

#define RH_SETTLE_MS 40      /* quiet time after the last change before reloading */
#define RH_WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
                       IN_DELETE | IN_ATTRIB | IN_DELETE_SELF)

struct triage_host {
    pthread_mutex_t mu;          /* guards active and the status fields */
    pthread_mutex_t reload_mu;   /* one reload at a time */
    triage_ruleset *active;
    char *dir;
    triage_limits lim;
    char loaded_at[32];
    long reloads, failures;
    int has_error;
    triage_error last;
    triage_reload_fn fn;
    void *ud;
    int ifd;                     /* inotify, -1 when not watching */
    int stop[2];                 /* pipe that ends the watcher */
    pthread_t watcher;
    int watching;
};

/* Build and verify a rule set from the directory: it loads, and its own
** tests pass. prev is the active rule set (NULL at open), whose lexicon the
** new one takes over when its text data did not change. Returns it, or NULL
** with err filled. */
static triage_ruleset *rh_build(triage_host *h, const triage_ruleset *prev, triage_error *err)
{
    triage_ruleset *rs = rl_load(h->dir, &h->lim, prev, err);
    if (!rs)
        return NULL;
    rt_result res;
    if (rt_run(rs, NULL, 0, &res, err) != 0 || res.failed > 0) {
        triage_ruleset_release(rs);
        return NULL;
    }
    return rs;
}

triage_host *triage_host_open(const char *dir, const triage_limits *limits,
                              triage_error *err)
{
    triage_host *h = calloc(1, sizeof *h);
    if (!h || !(h->dir = strdup(dir))) {
        free(h);
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return NULL;
    }
    if (limits)
        h->lim = *limits;
    h->ifd = h->stop[0] = h->stop[1] = -1;
    pthread_mutex_init(&h->mu, NULL);
    pthread_mutex_init(&h->reload_mu, NULL);
    h->active = rh_build(h, NULL, err);
    if (!h->active) {
        triage_host_close(h);
        return NULL;
    }
    dt_now_iso(h->loaded_at);
    return h;
}

triage_ruleset *triage_host_acquire(triage_host *h)
{
    pthread_mutex_lock(&h->mu);
    triage_ruleset *rs = triage_ruleset_retain(h->active);
    pthread_mutex_unlock(&h->mu);
    return rs;
}

triage_code triage_host_reload(triage_host *h, triage_error *err)
{
    triage_error local;
    if (!err)
        err = &local;
    triage_error_set(err, TRIAGE_OK, NULL, 0, NULL, NULL, NULL);
    pthread_mutex_lock(&h->reload_mu);
    triage_ruleset *rs = rh_build(h, h->active, err);
    triage_ruleset *old = NULL;
    pthread_mutex_lock(&h->mu);
    if (rs && strcmp(triage_ruleset_hash(rs), triage_ruleset_hash(h->active)) == 0) {
        old = rs;                            /* nothing changed: keep the active one */
        h->has_error = 0;
    } else if (rs) {
        old = h->active;                     /* swap: the new set is verified */
        h->active = rs;
        dt_now_iso(h->loaded_at);
        h->reloads++;
        h->has_error = 0;
    } else {
        if (err->code == TRIAGE_OK)          /* only running out of memory says nothing */
            triage_error_set(err, TRIAGE_ENOMEM, h->dir, 0, NULL, NULL,
                             "out of memory while verifying the rule set");
        h->failures++;
        h->has_error = 1;
        h->last = *err;
    }
    triage_reload_fn fn = h->fn;
    void *ud = h->ud;
    triage_ruleset *now = triage_ruleset_retain(h->active);
    pthread_mutex_unlock(&h->mu);
    triage_ruleset_release(old);             /* freed once no decider holds it */
    if (fn)
        fn(ud, now, rs ? NULL : err);
    triage_ruleset_release(now);
    pthread_mutex_unlock(&h->reload_mu);
    return rs ? TRIAGE_OK : err->code;
}

void triage_host_on_reload(triage_host *h, triage_reload_fn fn, void *ud)
{
    pthread_mutex_lock(&h->mu);
    h->fn = fn;
    h->ud = ud;
    pthread_mutex_unlock(&h->mu);
}

void triage_host_status_get(triage_host *h, triage_host_status *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&h->mu);
    snprintf(out->ruleset, sizeof out->ruleset, "%s", triage_ruleset_hash(h->active));
    memcpy(out->loaded_at, h->loaded_at, sizeof out->loaded_at);
    out->reloads = h->reloads;
    out->failures = h->failures;
    out->has_error = h->has_error;
    if (h->has_error)
        out->last_error = h->last;
    pthread_mutex_unlock(&h->mu);
}

/* ------------------------------------------------------------- watching */

/* Watch path and every directory below it. */
static void rh_watch_tree(int ifd, const char *path)
{
    if (inotify_add_watch(ifd, path, RH_WATCH_MASK) < 0)
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat st;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            rh_watch_tree(ifd, sub);
    }
    closedir(d);
}

/* Read what inotify has; returns 1 when something changed. */
static int rh_drain(triage_host *h)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    int changed = 0;
    for (;;) {
        ssize_t n = read(h->ifd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            changed = 1;
            if (ev->mask & IN_ISDIR)          /* a new directory: watch it too */
                rh_watch_tree(h->ifd, h->dir);
            p += sizeof *ev + ev->len;
        }
    }
    return changed;
}

static void *rh_watcher(void *arg)
{
    triage_host *h = arg;
    struct pollfd fds[2] = {{h->ifd, POLLIN, 0}, {h->stop[0], POLLIN, 0}};
    int pending = 0;
    for (;;) {
        int n = poll(fds, 2, pending ? RH_SETTLE_MS : -1);
        if (n < 0 && errno != EINTR)
            break;
        if (fds[1].revents)
            break;
        if (n > 0 && (fds[0].revents & POLLIN)) {
            pending |= rh_drain(h);           /* more changes: wait until they settle */
            continue;
        }
        if (n == 0 && pending) {
            pending = 0;
            triage_host_reload(h, NULL);
        }
    }
    return NULL;
}

triage_code triage_host_watch(triage_host *h, triage_error *err)
{
    if (h->watching)
        return TRIAGE_OK;
    h->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (h->ifd < 0 || pipe(h->stop) != 0) {
        return triage_error_set(err, TRIAGE_EIO, h->dir, 0, NULL, NULL,
                                "cannot watch for changes (%s)", strerror(errno));
    }
    rh_watch_tree(h->ifd, h->dir);
    if (pthread_create(&h->watcher, NULL, rh_watcher, h) != 0) {
        return triage_error_set(err, TRIAGE_EIO, h->dir, 0, NULL, NULL,
                                "cannot start the watcher thread");
    }
    h->watching = 1;
    return TRIAGE_OK;
}

void triage_host_close(triage_host *h)
{
    if (!h)
        return;
    if (h->watching) {
        if (write(h->stop[1], "x", 1) < 0) { /* the watcher wakes on POLLHUP too */ }
        pthread_join(h->watcher, NULL);
    }
    if (h->ifd >= 0)
        close(h->ifd);
    if (h->stop[0] >= 0)
        close(h->stop[0]);
    if (h->stop[1] >= 0)
        close(h->stop[1]);
    triage_ruleset_release(h->active);
    pthread_mutex_destroy(&h->mu);
    pthread_mutex_destroy(&h->reload_mu);
    free(h->dir);
    free(h);
}
