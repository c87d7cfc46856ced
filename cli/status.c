/*
** status.c — `triage status`: what rule set is in force and whether it
** is sound — the rules directory's hash, load and test result, what a
** long-running process (run --watch, serve) has active with its last
** reload error, and the store's counts.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage status [--rules DIR] [--db FILE]\n"
    "\n"
    "Show the rule set in DIR (hash, rules, whether it loads and passes its\n"
    "tests — the checks a reload makes), and for the database: what a running\n"
    "'triage run --watch' or 'triage serve' has active, when it was loaded and\n"
    "its last reload error, and the counts of referrals, decisions, undecided\n"
    "referrals and quarantined records.\n"
    "\n"
    "  --rules DIR   rule set directory (default: rules)\n"
    "  --db FILE     database (default: $TRIAGE_DB or triage.db; skipped when absent)\n"
    "\n"
    "exit status: 0 the rules load and pass their tests; 1 usage error; 2 they\n"
    "do not (a reload would be refused).\n";

int cli_status(int argc, char **argv)
{
    const char *rules = cli_default_rules(), *db = cli_default_db();
    static const struct option opts[] = {{"rules", required_argument, 0, 'r'},
                                         {"db", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'd': db = optarg; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    int status = EXIT_DONE;
    triage_error err;
    char hash[65] = "";
    triage_ruleset *rs = triage_ruleset_load(rules, cli_limits(), &err);
    if (!rs) {
        printf("rules:      %s does not load: %s\n", rules, err.text);
        status = EXIT_CHECK;
    } else {
        snprintf(hash, sizeof hash, "%s", triage_ruleset_hash(rs));
        triage_test_result res;
        int ok = triage_ruleset_test(rs, NULL, 0, &res, &err) == TRIAGE_OK;
        printf("rules:      %s\n", rules);
        printf("ruleset:    %s (%d rules)\n", hash, triage_ruleset_rule_count(rs));
        if (!ok || res.failed) {
            printf("tests:      %d passed, %d failed — a reload would be refused: %s\n",
                   res.passed, res.failed, err.text);
            status = EXIT_CHECK;
        } else {
            printf("tests:      %d passed in %d files\n", res.passed, res.files);
        }
        triage_ruleset_release(rs);
    }
    if (access(db, F_OK) != 0) {
        printf("database:   %s (none)\n", db);
        return status;
    }
    triage_store *st = triage_store_open(db, &err);
    if (!st) {
        printf("database:   %s cannot be opened: %s\n", db, err.text);
        return EXIT_USAGE;
    }
    printf("database:   %s\n", db);
    printf("referrals:  %ld, quarantined %ld, decisions %ld\n",
           triage_store_count(st, "referrals", NULL), triage_store_count(st, "quarantine", NULL),
           triage_store_count(st, "decisions", NULL));
    if (hash[0])
        printf("undecided:  %ld by this rule set\n", triage_store_count(st, "undecided", hash));
    char *active = triage_store_meta_get(st, "active");
    json_t *a = active ? json_loads(active, 0, NULL) : NULL;
    if (a) {
        json_t *le = json_object_get(a, "last_error");
        printf("active:     %s (pid %lld, %s), loaded %s, %lld reloads, %lld failed\n",
               json_string_value(json_object_get(a, "ruleset")),
               (long long)json_integer_value(json_object_get(a, "pid")),
               json_string_value(json_object_get(a, "command")),
               json_string_value(json_object_get(a, "loaded_at")),
               (long long)json_integer_value(json_object_get(a, "reloads")),
               (long long)json_integer_value(json_object_get(a, "failures")));
        printf("last error: %s\n", json_is_object(le)
                                       ? json_string_value(json_object_get(le, "message"))
                                       : "none");
    } else {
        printf("active:     no long-running process has reported\n");
    }
    json_decref(a);
    free(active);
    triage_store_close(st);
    return status;
}
