/*
** check.c — `triage check`: decide referral files without a database.
** Records go through an in-memory store in input order, so a file's later
** referrals see the earlier ones as history, exactly as `run` would.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage check [--rules DIR] [--explain] [--format text|json] [FILE ...|-]\n"
    "\n"
    "Decide the referrals in FILEs (or standard input, '-' or no FILE) and print\n"
    "one decision per valid record, in input order. A file holds JSON values one\n"
    "after another: one object, JSON Lines, an array, or objects over several\n"
    "lines. Nothing is stored; history spans the files in argument order.\n"
    "\n"
    "  --rules DIR      rule set directory (default: rules)\n"
    "  --explain        add the trace: every rule evaluated, whether it applied, why\n"
    "  --format FMT     json: one decision object per line on standard output;\n"
    "                   text (default): for people\n"
    "\n"
    "Invalid records are reported on standard error as FILE:LINE: ID: FIELD: what.\n"
    "exit status: 0 all decided; 1 usage or set-up error; 3 some records invalid.\n";

/* The missing items as intake staff name them. */
static const struct { const char *item, *da; } MISSING_DA[] = {
    {"cognitive_assessment", "kognitiv vurdering"},
    {"updated_cognitive_assessment", "opdateret kognitiv vurdering"},
    {"ppv", "PPV"},
    {"consent_both_custodians", "samtykke fra begge forældremyndighedsindehavere"},
    {"somatic_measurements", "højde og vægt (BMI)"},
};

static const char *missing_da(const char *item)
{
    for (size_t i = 0; i < sizeof MISSING_DA / sizeof MISSING_DA[0]; i++)
        if (!strcmp(MISSING_DA[i].item, item))
            return MISSING_DA[i].da;
    return item;
}

static void print_missing(const triage_decision *d)
{
    const char *from = triage_decision_request_from(d);
    printf("  mangler:");
    for (int i = 0; i < triage_decision_missing_count(d); i++)
        printf("%s%s", i ? ", " : " ", missing_da(triage_decision_missing(d, i)));
    if (from)
        printf(" (indhentes hos %s)", !strcmp(from, "municipality") ? "kommunen" : "henviser");
    putchar('\n');
}

static void print_text(const triage_decision *d)
{
    const char *v, *rule, *text;
    printf("%s: %s", triage_decision_id(d), triage_outcome_name(triage_decision_outcome(d)));
    if ((v = triage_decision_target(d)))
        printf(" -> %s", v);
    if ((v = triage_decision_unit(d)))
        printf(", enhed %s", v);
    if ((v = triage_decision_priority(d)))
        printf(", %s", v);
    if (triage_decision_deadline(d) != TRIAGE_NO_DAY) {
        char day[11];
        triage_date_format(triage_decision_deadline(d), day);
        printf(", frist %s", day);
    }
    putchar('\n');
    if (triage_decision_missing_count(d))
        print_missing(d);
    for (int i = 0; triage_decision_reason(d, i, &rule, &text) == 0; i++)
        printf("  %s: %s\n", rule, text);
    if (triage_decision_explained(d)) {
        int applied;
        printf("  trace:\n");
        for (int i = 0; triage_decision_step(d, i, &rule, &applied, &text) == 0; i++)
            printf("    [%c] %s: %s\n", applied ? 'x' : ' ', rule, text ? text : "");
    }
}

/* What deciding the files needs: history through an in-memory store, in
** input order, exactly as `run` would have it. */
typedef struct ck_ctx {
    triage_store *st;
    triage_decider *dc;
    unsigned flags;
    int json;
    long invalid;
    int oom;
} ck_ctx;

static int ck_take(void *ud, triage_referral *r, const char *file, long line)
{
    ck_ctx *c = ud;
    triage_error err;
    if (triage_store_put(c->st, r, file, line, &err) != TRIAGE_OK) {
        fprintf(stderr, "%s\n", err.text);
        c->invalid++;
        triage_referral_free(r);
        return 0;
    }
    triage_decision *d = triage_decide(c->dc, r, c->flags);
    triage_referral_free(r);
    if (!d) {
        fprintf(stderr, "triage check: out of memory\n");
        c->oom = 1;
        return 1;
    }
    triage_store_put_decision(c->st, d, &err);
    if (c->json) {
        char *s = triage_decision_json(d);
        if (s)
            puts(s);
        free(s);
    } else {
        print_text(d);
    }
    triage_decision_free(d);
    return 0;
}

int cli_check(int argc, char **argv)
{
    const char *rules = cli_default_rules();
    int explain = 0, json = 0;
    static const struct option opts[] = {{"rules", required_argument, 0, 'r'},
                                         {"explain", no_argument, 0, 'e'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:ef:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'e': explain = 1; break;
        case 'f':
            if (!strcmp(optarg, "json")) json = 1;
            else if (!strcmp(optarg, "text")) json = 0;
            else {
                fprintf(stderr, "triage check: --format must be text or json\n");
                return EXIT_USAGE;
            }
            break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(rules, cli_limits(), &err);
    if (!rs) {
        fprintf(stderr, "triage check: %s\n", err.text);
        return EXIT_USAGE;
    }
    ck_ctx ck = {.flags = explain ? TRIAGE_EXPLAIN : 0, .json = json};
    ck.st = triage_store_open(":memory:", &err);
    ck.dc = ck.st ? triage_decider_new(rs, ck.st, &err) : NULL;
    if (!ck.dc) {
        fprintf(stderr, "triage check: %s\n", err.text);
        triage_store_close(ck.st);
        triage_ruleset_release(rs);
        return EXIT_USAGE;
    }
    triage_store_begin(ck.st, &err);
    char *stdin_only[] = {"-"};
    int nfiles = argc - optind;
    int status = cli_read_referrals("check", nfiles ? argv + optind : stdin_only,
                                    nfiles ? nfiles : 1, ck_take, &ck, &ck.invalid) != 0 || ck.oom
                 ? EXIT_USAGE : EXIT_DONE;
    triage_store_rollback(ck.st);
    triage_decider_free(ck.dc);
    triage_store_close(ck.st);
    triage_ruleset_release(rs);
    if (fflush(stdout) != 0)
        return EXIT_USAGE;
    if (status == EXIT_DONE && ck.invalid)
        status = EXIT_INVALID;
    return status;
}
