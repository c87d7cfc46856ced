/*
** test.c — `triage test`: run a rule set's own test cases, or the case
** files of another directory (the people's corrections), and close with
** 'N passed, M failed'.
*/
#include <getopt.h>
#include <glob.h>
#include <stdio.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage test [--rules DIR] [--cases DIR] [--verbose]\n"
    "\n"
    "Run the test cases in DIR/tests/*.json against the rule set in DIR. A case\n"
    "file is a JSON array of {\"name\", \"referral\", \"before\": [earlier referrals\n"
    "of the child, optional], \"expect\": {decision fields, \"reasons_include\":\n"
    "[rule ids]}}. Each failure names the file, the case's line and name and the\n"
    "differing field. Then the text suite, DIR/tests/text/*.jsonl: one passage a\n"
    "line, each read by the text layer with the rule set's words; a failure names\n"
    "the passage and the evidence that differs (DIR/tests/text/README.md). The\n"
    "last line is 'N passed, M failed'.\n"
    "\n"
    "  --rules DIR   rule set directory (default: rules)\n"
    "  --cases DIR   run the case files DIR/*.json instead of the rule set's own\n"
    "                (e.g. the people's corrections: triage overrides --export DIR)\n"
    "  --verbose     print every case, not only failures\n"
    "\n"
    "exit status: 0 all passed; 1 usage or set-up error; 2 a case failed.\n";

int cli_test(int argc, char **argv)
{
    const char *rules = cli_default_rules(), *cases = NULL;
    int verbose = 0;
    static const struct option opts[] = {{"rules", required_argument, 0, 'r'},
                                         {"cases", required_argument, 0, 'c'},
                                         {"verbose", no_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:c:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'c': cases = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(rules, cli_limits(), &err);
    if (!rs) {
        fprintf(stderr, "triage test: %s\n", err.text);
        return EXIT_USAGE;
    }
    triage_test_result res;
    glob_t g = {0};
    if (cases) {
        char pattern[4096];
        snprintf(pattern, sizeof pattern, "%s/*.json", cases);
        if (glob(pattern, 0, NULL, &g) != 0) g.gl_pathc = 0;
    }
    triage_code rc = cases
        ? triage_ruleset_test_files(rs, (const char *const *)g.gl_pathv, (int)g.gl_pathc, stdout,
                                    verbose, &res, &err)
        : triage_ruleset_test(rs, stdout, verbose, &res, &err);
    if (cases) globfree(&g);
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "triage test: %s\n", err.text);
        triage_ruleset_release(rs);
        return EXIT_USAGE;
    }
    if (!res.files && !res.text_files)
        fprintf(stderr, "triage test: no test files (%s)\n",
                cases ? "DIR/*.json" : "DIR/tests/*.json, DIR/tests/text/*.jsonl");
    if (cases)
        printf("rule set %.12s: %d test files\n", triage_ruleset_hash(rs), res.files);
    else
        printf("rule set %.12s: %d test files, %d text passages in %d files\n",
               triage_ruleset_hash(rs), res.files, res.passages, res.text_files);
    printf("%d passed, %d failed\n", res.passed, res.failed);
    triage_ruleset_release(rs);
    return res.failed ? EXIT_CHECK : EXIT_DONE;
}
