/*
** main.c — `triage`: the entry point. It names the subcommands and hands
** each its arguments; every subcommand lives in its own cli/<name>.c and is
** a thin user of the public API (include/).
*/
#include "cli.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"


static const char USAGE[] =
    "usage: triage <command> [options]\n"
    "\n"
    "Referral triage for child and adolescent psychiatry: Lua rules decide\n"
    "referrals (JSON, or HL7 FHIR R4) into decisions (accept, request_info,\n"
    "redirect, reject, manual_review) with Danish reasons.\n"
    "\n"
    "commands:\n"
    "  check    decide referral files without a database\n"
    "  import   validate referrals and store them in a database\n"
    "  run      decide every undecided referral in a database\n"
    "  test     run the rule set's own test cases\n"
    "  corpus   generate the synthetic referral corpus with gold decisions\n"
    "  watch    re-decide referrals on every save of the rules (for rule authors)\n"
    "  status   the rule set, whether it loads and passes its tests, and the store\n"
    "  serve    the intake service: JSON API and web page over HTTP\n"
    "  regress  measure a rule set against gold decisions; a gate for CI\n"
    "  diff     the decisions two rule sets make differently, and why\n"
    "  user     accounts of the intake page: add, list, disable\n"
    "  answer   the answer to the referrer of a referral, as text\n"
    "  agreement  how the rules agree with the people who review them\n"
    "  overrides  the people's corrections; --export writes them as rule tests\n"
    "  export   the stored decisions as JSON or FHIR, one a line\n"
    "  cds-report  how referrers took the CDS Hooks cards, per kind\n"
    "\n"
    "'triage <command> --help' tells more. --rules defaults to rules/ in the\n"
    "current directory, --db to $TRIAGE_DB or triage.db. $TRIAGE_LIMITS changes\n"
    "the limits rules run under, e.g. memory=128M,instructions=50M,time=20s,string=8M\n"
    "(rules/README.md, \"Limits\").\n"
    "\n"
    "exit status: 0 done (manual_review counts as done); 1 usage or set-up\n"
    "error; 2 a check failed; 3 some input records were invalid (the valid\n"
    "ones were still handled).\n";

const char *cli_default_rules(void) { return "rules"; }

const char *cli_default_db(void)
{
    const char *db = getenv("TRIAGE_DB");
    return db && *db ? db : "triage.db";
}

static triage_limits cli_lim;
static int cli_lim_set;

const triage_limits *cli_limits(void)
{
    return cli_lim_set ? &cli_lim : NULL;
}

/* $TRIAGE_LIMITS, read once: 0, or -1 having said what is wrong. */
static int cli_read_limits(void)
{
    const char *spec = getenv("TRIAGE_LIMITS");
    if (!spec || !*spec)
        return 0;
    triage_error err;
    if (triage_limits_parse(spec, &cli_lim, &err) != TRIAGE_OK) {
        fprintf(stderr, "triage: $TRIAGE_LIMITS: %s\n", err.text);
        return -1;
    }
    cli_lim_set = 1;
    return 0;
}

int cli_is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"check", cli_check}, {"import", cli_import}, {"run", cli_run},
                {"test", cli_test},   {"corpus", cli_corpus}, {"watch", cli_watch},
                {"status", cli_status}, {"serve", cli_serve}, {"regress", cli_regress}, {"diff", cli_diff},
                {"user", cli_user}, {"answer", cli_answer}, {"agreement", cli_agreement},
                {"cds-report", cli_cds_report},
                {"overrides", cli_overrides},
                {"export", cli_export}};
    /* A batch frees and reallocates the same few MB for every chunk: keep
    ** them instead of giving them back to the kernel each time (brk calls
    ** and page faults were a fifth of `triage run`'s system time). */
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    if (argc < 2 || cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_DONE;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("triage %s\n", TRIAGE_VERSION);
        return EXIT_DONE;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cli_read_limits() != 0 ? EXIT_USAGE : cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "triage: unknown command '%s'; 'triage --help' lists them\n", argv[1]);
    return EXIT_USAGE;
}
