/*
** overrides.c — `triage overrides [--export DIR]`: the people's corrections
** of the rules, listed, or written as rule test cases (DIR/overrides.json)
** that `triage test --cases DIR` runs against a rule set.
*/
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage overrides [--db FILE] [--export DIR]\n"
    "\n"
    "Each referral whose decision in force is a person's override of the rules:\n"
    "listed, newest first, or with --export written as a rule test case to\n"
    "DIR/overrides.json (the referral, and the person's decision as expected;\n"
    "its CPR replaced by the birth date, so a child's earlier referrals are not\n"
    "part of the case). Run them with\n"
    "  triage test --rules DIR_OF_RULES --cases DIR\n"
    "to see which corrections the rules still get wrong. The file holds the\n"
    "letters: keep it where health data may be kept.\n"
    "\n"
    "  --db FILE      database (default: $TRIAGE_DB or triage.db)\n"
    "  --export DIR   write DIR/overrides.json (DIR is made if missing)\n";

static int ov_print(void *ud, const triage_audit_entry *e)
{
    const triage_decision *s = e->suggestion, *d = e->decision;
    printf("%.10s %s by %s: %s %s -> %s %s: %s\n", e->at, e->referral_id, e->actor,
           s ? triage_outcome_name(triage_decision_outcome(s)) : "-",
           s && triage_decision_target(s) ? triage_decision_target(s) : "",
           triage_outcome_name(triage_decision_outcome(d)),
           triage_decision_target(d) ? triage_decision_target(d) : "", e->text ? e->text : "");
    return 0;
}

int cli_overrides(int argc, char **argv)
{
    const char *db = cli_default_db(), *dir = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"export", required_argument, 0, 'e'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:e:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'e': dir = optarg; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "triage overrides: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    triage_error err;
    triage_store *st = triage_store_open(db, &err);
    long n = 0;
    triage_code rc = !st ? err.code
                   : dir ? triage_overrides_export(st, dir, &n, &err)
                         : triage_overrides(st, ov_print, NULL, &err);
    triage_store_close(st);
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "triage overrides: %s\n", err.text);
        return EXIT_USAGE;
    }
    if (dir)
        fprintf(stderr, "triage overrides: %ld cases written to %s/overrides.json; run them "
                        "with: triage test --cases %s\n", n, dir, dir);
    return EXIT_DONE;
}
