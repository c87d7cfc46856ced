/*
** run.c — `triage run`: decide every referral in the database that has
** no decision from the active rule set, store the decisions, and print a
** summary. With --watch it stays: new imports are decided as they come, and
** rule changes (inotify or SIGHUP) go through the rule host's reload.
*/
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage run [--db FILE] [--rules DIR] [--threads N] [--watch]\n"
    "\n"
    "Decide every referral in the database that has no decision from the rule\n"
    "set in DIR, append the decisions to the audit log, and print counts by\n"
    "outcome and target, the time taken and referrals per second. A child's\n"
    "referrals are decided in order of received date, each after the one before\n"
    "(with threads, each takes the next part of a chunk when it is free).\n"
    "\n"
    "  --db FILE     database (default: $TRIAGE_DB or triage.db)\n"
    "  --rules DIR   rule set directory (default: rules)\n"
    "  --threads N   worker threads (default: 1)\n"
    "  --watch       keep running: decide new referrals as they are imported; when\n"
    "                the rules change (or on SIGHUP) reload them — only a rule set\n"
    "                that loads and passes its tests replaces the active one — and\n"
    "                decide everything again under it; Ctrl-C ends\n"
    "\n"
    "exit status: 0 all decided (manual_review counts as decided); 1 usage or\n"
    "set-up error.\n";

static void progress_bar(void *ud, long done, long total)
{
    if (total <= 0)
        return;
    int width = 40, fill = (int)(width * done / total);
    fprintf(stderr, "\r[%.*s%*s] %ld/%ld", fill,
            "########################################", width - fill, "", done, total);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* left: what is still undecided, or -1 to count it (a read of every
** referral). */
static void print_summary(triage_ruleset *rs, const char *db, int threads,
                          const triage_run_summary *sum, triage_store *st, long left)
{
    printf("rule set %.12s (%d rules), %s\n", triage_ruleset_hash(rs),
           triage_ruleset_rule_count(rs), db);
    printf("decided %ld referrals in %.3f s (%.0f referrals/s, %d thread%s)\n", sum->decided,
           sum->seconds, sum->seconds > 0 ? sum->decided / sum->seconds : 0.0, threads,
           threads == 1 ? "" : "s");
    printf("time: set-up %.3f s, read %.3f s, decide %.3f s%s, store %.3f s, commit %.3f s\n",
           sum->setup_seconds, sum->read_seconds, sum->decide_seconds,
           threads > 1 ? " (summed over the threads)" : "", sum->store_seconds,
           sum->commit_seconds);
    printf("by outcome:\n");
    for (int i = 0; i < TRIAGE_N_OUTCOMES; i++)
        printf("  %-14s %7ld  %5.1f%%\n", triage_outcome_name((triage_outcome)i),
               sum->by_outcome[i], sum->decided ? 100.0 * sum->by_outcome[i] / sum->decided : 0.0);
    printf("by target:\n");
    for (int i = 0; i <= TRIAGE_N_TARGETS; i++)
        printf("  %-19s %7ld  %5.1f%%\n", i < TRIAGE_N_TARGETS ? triage_target_name(i) : "(none)",
               sum->by_target[i], sum->decided ? 100.0 * sum->by_target[i] / sum->decided : 0.0);
    if (left < 0) left = triage_store_count(st, "undecided", triage_ruleset_hash(rs));
    printf("undecided left: %ld\n", left);
    fflush(stdout);
}

/* --watch: decide what is new, reload on change or SIGHUP, until stopped. */
static int run_watch(const char *db, const char *rules, int threads, triage_store *st)
{
    triage_error err;
    triage_host *h = triage_host_open(rules, cli_limits(), &err);
    if (!h) {
        fprintf(stderr, "triage run: %s\n", err.text);
        return EXIT_USAGE;
    }
    int sigfd = cli_signals_open();
    if (triage_host_watch(h, &err) != TRIAGE_OK)
        fprintf(stderr, "triage run: %s (reload with SIGHUP)\n", err.text);
    long seen_failures = 0, seen_version = -1;
    char seen_hash[65] = "";
    int status = EXIT_DONE;
    for (;;) {
        triage_host_status hs;
        triage_host_status_get(h, &hs);
        if (hs.failures > seen_failures) {
            seen_failures = hs.failures;
            fprintf(stderr, "triage run: reload failed, the active rules stay: %s\n",
                    hs.last_error.text);
        }
        cli_publish_status(st, h, "run --watch");
        triage_ruleset *rs = triage_host_acquire(h);
        /* Counting the undecided reads every referral (seconds at millions):
        ** only when another process wrote to the store or the rules changed. */
        long version = triage_store_version(st), undecided = 0;
        if (version < 0 || version != seen_version ||
            strcmp(seen_hash, triage_ruleset_hash(rs)) != 0) {
            undecided = triage_store_count(st, "undecided", triage_ruleset_hash(rs));
            seen_version = undecided < 0 ? -1 : version;   /* a failed count: again */
            snprintf(seen_hash, sizeof seen_hash, "%s", triage_ruleset_hash(rs));
        }
        if (undecided > 0) {
            triage_run_summary sum;
            triage_code rc = triage_run(st, db, rs, threads, NULL, NULL, &sum, &err);
            if (rc != TRIAGE_OK) {
                fprintf(stderr, "triage run: %s\n", err.text);
                triage_ruleset_release(rs);
                status = EXIT_USAGE;
                break;
            }
            print_summary(rs, db, threads, &sum, st, -1);
        }
        triage_ruleset_release(rs);
        /* Wake for a signal, else look for new referrals once a second. */
        struct pollfd pfd = {sigfd, POLLIN, 0};
        if (poll(&pfd, 1, 1000) > 0) {
            int sig = cli_signal_take();
            if (sig == 'Q')
                break;
            if (sig == 'H' && triage_host_reload(h, &err) != TRIAGE_OK)
                fprintf(stderr, "triage run: reload failed, the active rules stay: %s\n",
                        err.text);
        }
    }
    triage_host_close(h);
    return status;
}

int cli_run(int argc, char **argv)
{
    const char *db = cli_default_db(), *rules = cli_default_rules();
    int threads = 1, watch = 0;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"rules", required_argument, 0, 'r'},
                                         {"threads", required_argument, 0, 't'},
                                         {"watch", no_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:t:wh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': rules = optarg; break;
        case 't': {
            char *end;
            threads = (int)strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 64) {
                fprintf(stderr, "triage run: --threads must be a number from 1 to 64\n");
                return EXIT_USAGE;
            }
            break;
        }
        case 'w': watch = 1; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "triage run: unexpected argument '%s' (import files with 'triage import')\n",
                argv[optind]);
        return EXIT_USAGE;
    }
    if (strcmp(db, ":memory:") != 0 && access(db, F_OK) != 0) {
        fprintf(stderr, "triage run: no database '%s'; create it with 'triage import --db %s FILE'\n",
                db, db);
        return EXIT_USAGE;
    }
    triage_error err;
    triage_store *st = triage_store_open(db, &err);
    if (!st) {
        fprintf(stderr, "triage run: %s\n", err.text);
        return EXIT_USAGE;
    }
    if (watch) {
        int rc = run_watch(db, rules, threads, st);
        triage_store_close(st);
        return rc;
    }
    triage_ruleset *rs = triage_ruleset_load(rules, cli_limits(), &err);
    if (!rs) {
        fprintf(stderr, "triage run: %s\n", err.text);
        triage_store_close(st);
        return EXIT_USAGE;
    }
    triage_run_summary sum;
    long version = triage_store_version(st);
    triage_code rc = triage_run(st, db, rs, threads, isatty(2) ? progress_bar : NULL, NULL,
                                &sum, &err);
    if (rc != TRIAGE_OK)
        fprintf(stderr, "triage run: %s\n", err.text[0] ? err.text : triage_strerror(rc));
    /* A run that went well decided everything undecided when it began; with
    ** no other process writing meanwhile, nothing is left to count. */
    int alone = rc == TRIAGE_OK && version >= 0 && triage_store_version(st) == version;
    print_summary(rs, db, threads, &sum, st, alone ? 0 : -1);
    triage_store_close(st);
    triage_ruleset_release(rs);
    return rc == TRIAGE_OK ? EXIT_DONE : EXIT_USAGE;
}
