/*
** watch.c — `triage watch`: the rule author's loop. It keeps a set of
** referrals in memory and, each time a save of the rules loads and passes
** its tests, decides them all again and prints what changed; a broken save
** prints its file:line and the previous rules stay in force.
*/
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage watch [--rules DIR] [--max-reloads N] FILE ...\n"
    "       triage watch [--rules DIR] [--db FILE] [--sample N]\n"
    "\n"
    "Decide the referrals in FILEs (native or FHIR; a FHIR update replaces the\n"
    "referral with its id, a cancel takes it out) or the first N referrals of the\n"
    "database (default 500) with the rules in DIR, then watch DIR: on every save that\n"
    "loads and passes the rule set's tests, decide them again and print each\n"
    "decision that changed and which rules made the difference. A save that\n"
    "fails prints FILE:LINE and the previous rules stay in force. SIGHUP\n"
    "reloads by hand; Ctrl-C ends.\n"
    "\n"
    "  --rules DIR        rule set directory (default: rules)\n"
    "  --db FILE          take referrals from this database (default: $TRIAGE_DB\n"
    "                     or triage.db) when no FILE is given\n"
    "  --sample N         how many referrals to take from the database\n"
    "  --max-reloads N    stop after N reload attempts (for scripts and tests)\n"
    "\n"
    "exit status: 0 stopped; 1 usage or set-up error; 3 some input records\n"
    "invalid (the valid ones are watched).\n";

typedef struct wt_set {
    int n, cap;
    triage_referral **r;
    int oom;                     /* a referral could not be kept */
} wt_set;

static int wt_add(wt_set *s, triage_referral *r)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 64;
        triage_referral **p = realloc(s->r, (size_t)cap * sizeof *p);
        if (!p) {
            triage_referral_free(r);
            s->oom = 1;
            return -1;
        }
        s->r = p;
        s->cap = cap;
    }
    s->r[s->n++] = r;
    return 0;
}

static void wt_set_free(wt_set *s)
{
    for (int i = 0; i < s->n; i++)
        triage_referral_free(s->r[i]);
    free(s->r);
}

/* The set as the FHIR messages leave it: an update replaces the referral
** with its id, a cancel takes it out. */
static int wt_find(const wt_set *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(triage_referral_id(s->r[i]), id)) return i;
    return -1;
}

static int wt_take_file(void *ud, triage_referral *r, const triage_origin *cancel,
                        const char *file, long line)
{
    wt_set *s = ud;
    int at = wt_find(s, r ? triage_referral_id(r) : triage_origin_referral_id(cancel));
    if (!r) {
        if (at >= 0) {
            triage_referral_free(s->r[at]);
            memmove(s->r + at, s->r + at + 1, (size_t)(s->n - at - 1) * sizeof *s->r);
            s->n--;
        }
        return 0;
    }
    const triage_origin *o = triage_referral_origin(r);
    if (at >= 0 && o && triage_origin_event(o) == TRIAGE_EVENT_UPDATE) {
        triage_referral_free(s->r[at]);
        s->r[at] = r;
        return 0;
    }
    return wt_add(s, r);
}

/* The first sample referrals of the database, in order of received. */
typedef struct wt_sample { wt_set *s; long left; } wt_sample;

static int wt_take_stored(void *ud, triage_referral *r)
{
    wt_sample *w = ud;
    if (w->left <= 0) {
        triage_referral_free(r);
        return 1;
    }
    return wt_add(w->s, r) != 0 || --w->left == 0;
}

static int wt_load_db(const char *db, long sample, wt_set *s)
{
    triage_error err;
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "triage watch: name referral FILEs, or a database with --db "
                        "('%s' does not exist)\n", db);
        return -1;
    }
    triage_store *st = triage_store_open(db, &err);
    if (!st) {
        fprintf(stderr, "triage watch: %s\n", err.text);
        return -1;
    }
    wt_sample w = {s, sample};
    /* No decision has the empty hash: this walks every referral in order. */
    triage_code rc = triage_store_each_undecided(st, "", wt_take_stored, &w, &err);
    triage_store_close(st);
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "triage watch: %s\n", err.text);
        return -1;
    }
    return 0;
}

/* Decide every referral in order through a fresh in-memory store, so that
** history works as in `check`. Returns decisions in out (caller frees). */
static int wt_decide_all(triage_ruleset *rs, const wt_set *s, triage_decision **out)
{
    triage_error err;
    triage_store *st = triage_store_open(":memory:", &err);
    triage_decider *dc = st ? triage_decider_new(rs, st, &err) : NULL;
    if (!dc) {
        fprintf(stderr, "triage watch: %s\n", err.text);
        triage_store_close(st);
        return -1;
    }
    triage_store_begin(st, &err);
    for (int i = 0; i < s->n; i++) {
        triage_store_put(st, s->r[i], NULL, 0, &err);
        out[i] = triage_decide(dc, s->r[i], 0);
        if (out[i])
            triage_store_put_decision(st, out[i], &err);
    }
    triage_store_rollback(st);
    triage_decider_free(dc);
    triage_store_close(st);
    return 0;
}

/* The rules that gave the reasons, comma-separated. */
static void wt_rules(const triage_decision *d, char *buf, size_t cap)
{
    size_t n = 0;
    const char *rule;
    buf[0] = 0;
    for (int i = 0; n < cap && triage_decision_reason(d, i, &rule, NULL) == 0; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", rule);
}

static void wt_summary(const char *label, const wt_set *s, triage_decision **d)
{
    long by[TRIAGE_N_OUTCOMES] = {0};
    for (int i = 0; i < s->n; i++)
        if (d[i])
            by[triage_decision_outcome(d[i])]++;
    printf("%s:", label);
    for (int i = 0; i < TRIAGE_N_OUTCOMES; i++)
        printf(" %s %ld", triage_outcome_name((triage_outcome)i), by[i]);
    putchar('\n');
}

static double wt_ms(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

/* What the rule author watches: the referrals, their decisions under the
** rules in force, and the host that reloads them. */
typedef struct wt_state {
    wt_set set;
    triage_decision **prev, **next;
    triage_host *host;
    triage_ruleset *rs;          /* the rules prev was decided with */
    int notify[2];               /* written by the reload callback */
} wt_state;

static void wt_on_reload(void *ud, const triage_ruleset *rs, const triage_error *err)
{
    wt_state *w = ud;
    if (write(w->notify[1], "r", 1) < 0) { /* a wake-up is already pending */ }
}

/* Decide again under now and print each decision that changed. */
static void wt_report(wt_state *w, triage_ruleset *now)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    wt_decide_all(now, &w->set, w->next);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int changed = 0;
    for (int i = 0; i < w->set.n; i++) {
        char a[200], b[200], ra[200], rb[200];
        if (!w->prev[i] || !w->next[i])
            continue;
        cli_describe(w->prev[i], 1, a, sizeof a);
        cli_describe(w->next[i], 1, b, sizeof b);
        if (!strcmp(a, b))
            continue;
        changed++;
        wt_rules(w->prev[i], ra, sizeof ra);
        wt_rules(w->next[i], rb, sizeof rb);
        printf("  %s: %s -> %s   [%s -> %s]\n", triage_referral_id(w->set.r[i]), a, b, ra, rb);
    }
    printf("rule set %.12s -> %.12s: %d of %d decisions changed (decided in %.1f ms)\n",
           triage_ruleset_hash(w->rs), triage_ruleset_hash(now), changed, w->set.n,
           wt_ms(t0, t1));
    wt_summary("  decisions", &w->set, w->next);
    fflush(stdout);
    for (int i = 0; i < w->set.n; i++) {
        triage_decision_free(w->prev[i]);
        w->prev[i] = w->next[i];
        w->next[i] = NULL;
    }
    triage_ruleset_release(w->rs);
    w->rs = now;
}

/* One reload attempt came to an end: report it. */
static void wt_reloaded(wt_state *w, long *seen_failures)
{
    triage_host_status hs;
    triage_host_status_get(w->host, &hs);
    if (hs.failures > *seen_failures) {
        *seen_failures = hs.failures;
        printf("reload failed: %s\n  the previous rules (%.12s) stay in force\n",
               hs.last_error.text, hs.ruleset);
        fflush(stdout);
        return;
    }
    triage_ruleset *now = triage_host_acquire(w->host);
    if (now == w->rs)
        triage_ruleset_release(now);
    else
        wt_report(w, now);
}

/* Until stopped or max_reloads attempts (< 0: no limit). */
static void wt_loop(wt_state *w, int sigfd, long max_reloads)
{
    long attempts = 0, seen_failures = 0;
    struct pollfd fds[2] = {{sigfd, POLLIN, 0}, {w->notify[0], POLLIN, 0}};
    while (max_reloads < 0 || attempts < max_reloads) {
        if (poll(fds, 2, -1) < 0)
            continue;
        if (fds[0].revents) {
            int sig = cli_signal_take();
            if (sig == 'Q')
                break;
            if (sig == 'H')
                triage_host_reload(w->host, NULL);   /* its callback wakes us below */
            continue;
        }
        char buf[64];
        if (read(w->notify[0], buf, sizeof buf) <= 0)
            continue;
        attempts++;
        wt_reloaded(w, &seen_failures);
    }
}

/* Watch before saying so: a save right after the banner must count. */
static int wt_start(wt_state *w, const char *rules, int *sigfd)
{
    triage_error err;
    w->prev = calloc((size_t)w->set.n + 1, sizeof *w->prev);
    w->next = calloc((size_t)w->set.n + 1, sizeof *w->next);
    w->host = triage_host_open(rules, cli_limits(), &err);
    if (!w->host || !w->prev || !w->next) {
        fprintf(stderr, "triage watch: %s\n", w->host ? "out of memory" : err.text);
        return -1;
    }
    *sigfd = cli_signals_open();
    if (pipe(w->notify) != 0 || *sigfd < 0) {
        fprintf(stderr, "triage watch: cannot set up signals\n");
        return -1;
    }
    triage_host_on_reload(w->host, wt_on_reload, w);
    if (triage_host_watch(w->host, &err) != TRIAGE_OK)
        fprintf(stderr, "triage watch: %s (reload with SIGHUP)\n", err.text);
    w->rs = triage_host_acquire(w->host);
    wt_decide_all(w->rs, &w->set, w->prev);
    printf("watching %s: %d referrals, rule set %.12s (%d rules)\n", rules, w->set.n,
           triage_ruleset_hash(w->rs), triage_ruleset_rule_count(w->rs));
    wt_summary("  decisions", &w->set, w->prev);
    fflush(stdout);
    return 0;
}

static void wt_stop(wt_state *w)
{
    for (int i = 0; w->prev && i < w->set.n; i++)
        triage_decision_free(w->prev[i]);
    free(w->prev);
    free(w->next);
    wt_set_free(&w->set);
    if (w->rs)
        triage_ruleset_release(w->rs);
    triage_host_close(w->host);   /* no reload callback after this */
    for (int i = 0; i < 2; i++)
        if (w->notify[i] >= 0)
            close(w->notify[i]);
}

int cli_watch(int argc, char **argv)
{
    const char *rules = cli_default_rules(), *db = NULL;
    long sample = 500, max_reloads = -1, invalid = 0;
    static const struct option opts[] = {{"rules", required_argument, 0, 'r'},
                                         {"db", required_argument, 0, 'd'},
                                         {"sample", required_argument, 0, 's'},
                                         {"max-reloads", required_argument, 0, 'm'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:d:s:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'd': db = optarg; break;
        case 's': sample = atol(optarg); break;
        case 'm': max_reloads = atol(optarg); break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (sample < 1) {
        fprintf(stderr, "triage watch: --sample must be at least 1\n");
        return EXIT_USAGE;
    }
    wt_state w = {.notify = {-1, -1}};
    int sigfd, status = EXIT_USAGE;
    int loaded = optind < argc ? cli_read_referrals("watch", argv + optind, argc - optind,
                                                    wt_take_file, &w.set, &invalid)
                               : wt_load_db(db ? db : cli_default_db(), sample, &w.set);
    if (w.set.oom)
        fprintf(stderr, "triage watch: out of memory\n");
    else if (loaded == 0) {
        if (wt_start(&w, rules, &sigfd) == 0) {
            wt_loop(&w, sigfd, max_reloads);
            status = invalid ? EXIT_INVALID : EXIT_DONE;
        }
    }
    wt_stop(&w);
    return status;
}
