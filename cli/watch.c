/*
** cli_watch.c — `triage watch`: the rule author's loop. It keeps a set of
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
#include "date.h"
#include "decision.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage watch [--rules DIR] [--max-reloads N] FILE ...\n"
    "       triage watch [--rules DIR] [--db FILE] [--sample N]\n"
    "\n"
    "Decide the referrals in FILEs (or the first N referrals of the database,\n"
    "default 500) with the rules in DIR, then watch DIR: on every save that\n"
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
    triage_decision **d;
} wt_set;

static int wt_take(void *ud, triage_referral *r)
{
    wt_set *s = ud;
    if (s->n == s->cap) {
        triage_referral_free(r);
        return 1;
    }
    s->r[s->n++] = r;
    return s->n == s->cap;
}

/* Decide every referral in order through a fresh in-memory store, so that
** history works as in `check`. Returns decisions in *out (caller frees). */
static int wt_decide_all(triage_ruleset *rs, wt_set *s, triage_decision **out)
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

/* A decision in one line: outcome, target, unit, priority, deadline, missing. */
static void wt_describe(const triage_decision *d, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "%s", triage_outcome_name((triage_outcome)d->outcome));
    if (d->target >= 0 && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " %s", dc_target_names[d->target]);
    if (d->unit[0] && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " %s", d->unit);
    if (d->priority >= 0 && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " %s", dc_priority_names[d->priority]);
    if (d->deadline != DT_NONE && n < cap) {
        char day[11];
        dt_format(d->deadline, day);
        n += (size_t)snprintf(buf + n, cap - n, " %s", day);
    }
    for (int i = 0; i < MI__N && n < cap; i++)
        if (d->missing & (1u << i))
            n += (size_t)snprintf(buf + n, cap - n, " -%s", dc_missing_names[i]);
    if (d->request_from >= 0 && n < cap)
        snprintf(buf + n, cap - n, " (from %s)", dc_request_names[d->request_from]);
}

static void wt_rules(const triage_decision *d, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < d->nreasons && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", d->reasons[i].rule);
}

static void wt_summary(const char *label, wt_set *s, triage_decision **d)
{
    long by[5] = {0};
    for (int i = 0; i < s->n; i++)
        if (d[i])
            by[d[i]->outcome]++;
    printf("%s:", label);
    for (int i = 0; i < 5; i++)
        printf(" %s %ld", triage_outcome_name((triage_outcome)i), by[i]);
    putchar('\n');
}

static double wt_ms(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

static int notify[2] = {-1, -1};

static void wt_on_reload(void *ud, const triage_ruleset *rs, const triage_error *err)
{
    (void)ud; (void)rs; (void)err;
    if (write(notify[1], "r", 1) < 0) { /* a wake-up is already pending */ }
}

int cli_watch(int argc, char **argv)
{
    const char *rules = cli_default_rules(), *db = NULL;
    long sample = 500, max_reloads = -1;
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
    triage_error err;
    wt_set s = {0};
    int invalid = 0;
    if (optind < argc) {
        for (int i = optind; i < argc; i++) {
            triage_reader *rd = triage_reader_open(argv[i], &err);
            if (!rd) {
                fprintf(stderr, "triage watch: %s\n", err.text);
                return EXIT_USAGE;
            }
            triage_referral *r;
            int got;
            while ((got = triage_reader_next(rd, &r, &err, NULL, NULL)) != 0) {
                if (got < 0) {
                    fprintf(stderr, "%s\n", err.text);
                    invalid++;
                    continue;
                }
                if (s.n == s.cap) {
                    s.cap = s.cap ? 2 * s.cap : 64;
                    s.r = realloc(s.r, (size_t)s.cap * sizeof *s.r);
                    if (!s.r) {
                        fprintf(stderr, "triage watch: out of memory\n");
                        return EXIT_USAGE;
                    }
                }
                s.r[s.n++] = r;
            }
            triage_reader_close(rd);
        }
    } else {
        if (!db)
            db = cli_default_db();
        if (access(db, F_OK) != 0) {
            fprintf(stderr, "triage watch: name referral FILEs, or a database with --db "
                            "('%s' does not exist)\n", db);
            return EXIT_USAGE;
        }
        triage_store *st = triage_store_open(db, &err);
        if (!st) {
            fprintf(stderr, "triage watch: %s\n", err.text);
            return EXIT_USAGE;
        }
        s.cap = (int)sample;
        s.r = calloc((size_t)s.cap, sizeof *s.r);
        /* No decision has the empty hash: this walks every referral in order. */
        if (s.r)
            triage_store_each_undecided(st, "", wt_take, &s, &err);
        triage_store_close(st);
    }
    triage_decision **prev = calloc((size_t)s.n + 1, sizeof *prev);
    triage_decision **next = calloc((size_t)s.n + 1, sizeof *next);
    triage_host *h = triage_host_open(rules, NULL, &err);
    if (!h || !prev || !next) {
        fprintf(stderr, "triage watch: %s\n", h ? "out of memory" : err.text);
        return EXIT_USAGE;
    }
    /* Watch before saying so: a save right after the banner must count. */
    int sigfd = cli_signals_open();
    if (pipe(notify) != 0 || sigfd < 0) {
        fprintf(stderr, "triage watch: cannot set up signals\n");
        return EXIT_USAGE;
    }
    triage_host_on_reload(h, wt_on_reload, NULL);
    if (triage_host_watch(h, &err) != TRIAGE_OK)
        fprintf(stderr, "triage watch: %s (reload with SIGHUP)\n", err.text);
    triage_ruleset *rs = triage_host_acquire(h);
    wt_decide_all(rs, &s, prev);
    printf("watching %s: %d referrals, rule set %.12s (%d rules)\n", rules, s.n,
           triage_ruleset_hash(rs), triage_ruleset_rule_count(rs));
    wt_summary("  decisions", &s, prev);
    fflush(stdout);
    long attempts = 0, seen_failures = 0;
    struct pollfd fds[2] = {{sigfd, POLLIN, 0}, {notify[0], POLLIN, 0}};
    while (max_reloads < 0 || attempts < max_reloads) {
        if (poll(fds, 2, -1) < 0)
            continue;
        if (fds[0].revents) {
            int sig = cli_signal_take();
            if (sig == 'Q')
                break;
            if (sig == 'H')
                triage_host_reload(h, NULL);    /* its callback wakes us below */
            continue;
        }
        char buf[64];
        if (read(notify[0], buf, sizeof buf) <= 0)
            continue;
        attempts++;
        triage_host_status hs;
        triage_host_status_get(h, &hs);
        if (hs.failures > seen_failures) {
            seen_failures = hs.failures;
            printf("reload failed: %s\n  the previous rules (%.12s) stay in force\n",
                   hs.last_error.text, hs.ruleset);
            fflush(stdout);
            continue;
        }
        triage_ruleset *now = triage_host_acquire(h);
        if (now == rs) {
            triage_ruleset_release(now);
            continue;
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        wt_decide_all(now, &s, next);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        int changed = 0;
        for (int i = 0; i < s.n; i++) {
            char a[200], b[200], ra[200], rb[200];
            if (!prev[i] || !next[i])
                continue;
            wt_describe(prev[i], a, sizeof a);
            wt_describe(next[i], b, sizeof b);
            if (!strcmp(a, b))
                continue;
            changed++;
            wt_rules(prev[i], ra, sizeof ra);
            wt_rules(next[i], rb, sizeof rb);
            printf("  %s: %s -> %s   [%s -> %s]\n", triage_referral_id(s.r[i]), a, b, ra, rb);
        }
        printf("rule set %.12s -> %.12s: %d of %d decisions changed (decided in %.1f ms)\n",
               triage_ruleset_hash(rs), triage_ruleset_hash(now), changed, s.n, wt_ms(t0, t1));
        wt_summary("  decisions", &s, next);
        fflush(stdout);
        for (int i = 0; i < s.n; i++) {
            triage_decision_free(prev[i]);
            prev[i] = next[i];
            next[i] = NULL;
        }
        triage_ruleset_release(rs);
        rs = now;
    }
    for (int i = 0; i < s.n; i++) {
        triage_decision_free(prev[i]);
        triage_referral_free(s.r[i]);
    }
    free(prev);
    free(next);
    free(s.r);
    triage_ruleset_release(rs);
    triage_host_close(h);
    return invalid ? EXIT_INVALID : EXIT_DONE;
}
