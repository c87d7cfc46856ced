/*
** cli_check.c — `triage check`: decide referral files without a database.
** Records go through an in-memory store in input order, so a file's later
** referrals see the earlier ones as history, exactly as `run` would.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "decision.h"
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

static void print_text(const triage_decision *d)
{
    printf("%s: %s", d->id, triage_outcome_name((triage_outcome)d->outcome));
    if (d->target >= 0)
        printf(" -> %s", dc_target_names[d->target]);
    if (d->unit[0])
        printf(", enhed %s", d->unit);
    if (d->priority >= 0)
        printf(", %s", dc_priority_names[d->priority]);
    if (d->deadline != DT_NONE) {
        char day[11];
        dt_format(d->deadline, day);
        printf(", frist %s", day);
    }
    putchar('\n');
    if (d->missing) {
        static const char *const da[MI__N] = {
            "kognitiv vurdering", "opdateret kognitiv vurdering", "PPV",
            "samtykke fra begge forældremyndighedsindehavere", "højde og vægt (BMI)"};
        printf("  mangler:");
        const char *sep = " ";
        for (int i = 0; i < MI__N; i++)
            if (d->missing & (1u << i)) {
                printf("%s%s", sep, da[i]);
                sep = ", ";
            }
        if (d->request_from >= 0)
            printf(" (indhentes hos %s)", d->request_from == 1 ? "kommunen" : "henviser");
        putchar('\n');
    }
    for (int i = 0; i < d->nreasons; i++)
        printf("  %s: %s\n", d->reasons[i].rule, d->reasons[i].text);
    if (d->explain) {
        printf("  trace:\n");
        for (int i = 0; i < d->nsteps; i++)
            printf("    [%c] %s: %s\n", d->steps[i].applied ? 'x' : ' ',
                   d->steps[i].rule, d->steps[i].why ? d->steps[i].why : "");
    }
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
    triage_ruleset *rs = triage_ruleset_load(rules, NULL, &err);
    if (!rs) {
        fprintf(stderr, "triage check: %s\n", err.text);
        return EXIT_USAGE;
    }
    triage_store *st = triage_store_open(":memory:", &err);
    triage_decider *dc = st ? triage_decider_new(rs, st, &err) : NULL;
    if (!dc) {
        fprintf(stderr, "triage check: %s\n", err.text);
        triage_store_close(st);
        triage_ruleset_release(rs);
        return EXIT_USAGE;
    }
    triage_store_begin(st, &err);
    int nfiles = argc - optind, invalid = 0, status = EXIT_DONE;
    char *stdin_only[] = {"-"};
    char **files = nfiles ? argv + optind : stdin_only;
    if (!nfiles)
        nfiles = 1;
    for (int i = 0; i < nfiles && status == EXIT_DONE; i++) {
        triage_reader *rd = triage_reader_open(files[i], &err);
        if (!rd) {
            fprintf(stderr, "triage check: %s\n", err.text);
            status = EXIT_USAGE;
            break;
        }
        triage_referral *r;
        int got;
        while ((got = triage_reader_next(rd, &r, &err, NULL, NULL)) != 0) {
            if (got < 0) {
                fprintf(stderr, "%s\n", err.text);
                invalid++;
                continue;
            }
            if (triage_store_put(st, r, files[i], triage_reader_line(rd), &err) != TRIAGE_OK) {
                fprintf(stderr, "%s\n", err.text);
                invalid++;
                triage_referral_free(r);
                continue;
            }
            triage_decision *d = triage_decide(dc, r, explain ? TRIAGE_EXPLAIN : 0);
            triage_referral_free(r);
            if (!d) {
                fprintf(stderr, "triage check: out of memory\n");
                status = EXIT_USAGE;
                break;
            }
            triage_store_put_decision(st, d, &err);
            if (json) {
                char *s = triage_decision_json(d);
                if (s)
                    puts(s);
                free(s);
            } else {
                print_text(d);
            }
            triage_decision_free(d);
        }
        triage_reader_close(rd);
    }
    triage_store_rollback(st);
    triage_decider_free(dc);
    triage_store_close(st);
    triage_ruleset_release(rs);
    if (fflush(stdout) != 0)
        return EXIT_USAGE;
    if (status == EXIT_DONE && invalid)
        status = EXIT_INVALID;
    return status;
}
