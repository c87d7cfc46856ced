/*
** diff.c — `triage diff`: what a rule change does before it is deployed.
** Both rule sets decide every referral of the database in memory; the
** referrals whose decision differs are grouped by (from -> to), each with
** the rules that decided it before and after.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage diff --rules A --rules B [--db FILE] [--limit N]\n"
    "\n"
    "Decide every referral in the database with rule set A and with rule set B\n"
    "(in memory; nothing is stored) and list the referrals whose decision\n"
    "differs, grouped by change (from -> to), each with the rule that decided it\n"
    "under A and under B. Reads what a rule author needs before deploying.\n"
    "\n"
    "  --rules DIR   give twice: the current rule set, then the changed one\n"
    "  --db FILE     database (default: $TRIAGE_DB or triage.db)\n"
    "  --limit N     referrals listed per group (default 20; the count is exact)\n"
    "\n"
    "exit status: 0 no decision differs; 1 usage or set-up error; 2 some differ.\n";

typedef struct df_row {
    char id[72];
    char from[80], to[80];       /* outcome and target, e.g. "redirect municipality" */
    char from_full[160], to_full[160];
    char rule_a[64], rule_b[64];
} df_row;

typedef struct df_pass {
    df_row *rows;
    int n, cap, second;
    int cursor;
} df_pass;

/* key groups (outcome and target), full tells decisions apart. */
static void df_key(const triage_decision *d, char *key, size_t kcap, char *full, size_t fcap)
{
    const char *target = triage_decision_target(d);
    snprintf(key, kcap, "%s%s%s", triage_outcome_name(triage_decision_outcome(d)),
             target ? " " : "", target ? target : "");
    cli_describe(d, 0, full, fcap);
}

static int df_take(void *ud, const triage_referral *r, const triage_decision *d)
{
    df_pass *p = ud;
    if (!p->second) {
        if (p->n == p->cap) {
            int cap = p->cap ? 2 * p->cap : 4096;
            df_row *rows = realloc(p->rows, (size_t)cap * sizeof *rows);
            if (!rows)
                return 1;
            p->rows = rows;
            p->cap = cap;
        }
        df_row *row = &p->rows[p->n++];
        memset(row, 0, sizeof *row);
        snprintf(row->id, sizeof row->id, "%s", triage_referral_id(r));
        df_key(d, row->from, sizeof row->from, row->from_full, sizeof row->from_full);
        snprintf(row->rule_a, sizeof row->rule_a, "%s", triage_decision_deciding_rule(d));
        return 0;
    }
    /* Same store, same order: the second pass meets the rows in turn. */
    if (p->cursor >= p->n || strcmp(p->rows[p->cursor].id, triage_referral_id(r)) != 0)
        return 1;
    df_row *row = &p->rows[p->cursor++];
    df_key(d, row->to, sizeof row->to, row->to_full, sizeof row->to_full);
    snprintf(row->rule_b, sizeof row->rule_b, "%s", triage_decision_deciding_rule(d));
    return 0;
}

static int df_cmp(const void *a, const void *b)
{
    const df_row *x = a, *y = b;
    int c = strcmp(x->from, y->from);
    if (!c) c = strcmp(x->to, y->to);
    return c ? c : strcmp(x->id, y->id);
}

int cli_diff(int argc, char **argv)
{
    const char *db = cli_default_db(), *rules[2] = {NULL, NULL};
    long limit = 20;
    int nrules = 0;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"rules", required_argument, 0, 'r'},
                                         {"limit", required_argument, 0, 'l'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r':
            if (nrules == 2) {
                fprintf(stderr, "triage diff: give --rules exactly twice\n");
                return EXIT_USAGE;
            }
            rules[nrules++] = optarg;
            break;
        case 'l': limit = atol(optarg); break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (nrules != 2) {
        fprintf(stderr, "triage diff: give --rules twice: the current rule set, then the changed one\n");
        return EXIT_USAGE;
    }
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "triage diff: no database '%s'; import referrals with 'triage import'\n", db);
        return EXIT_USAGE;
    }
    triage_error err;
    triage_ruleset *rs[2] = {NULL, NULL};
    triage_store *st = triage_store_open(db, &err);
    df_pass p = {0};
    int status = EXIT_USAGE;
    if (!st)
        goto fail;
    for (int i = 0; i < 2; i++)
        if (!(rs[i] = triage_ruleset_load(rules[i], cli_limits(), &err)))
            goto fail;
    for (int i = 0; i < 2; i++) {
        p.second = i;
        if (triage_evaluate(st, rs[i], df_take, &p, &err) != TRIAGE_OK)
            goto fail;
    }
    if (p.cursor != p.n) {
        fprintf(stderr, "triage diff: the database changed between the two passes\n");
        goto done;
    }
    /* Keep only the rows that differ, then group them. */
    int m = 0;
    for (int i = 0; i < p.n; i++)
        if (strcmp(p.rows[i].from_full, p.rows[i].to_full) != 0)
            p.rows[m++] = p.rows[i];
    qsort(p.rows, (size_t)m, sizeof *p.rows, df_cmp);
    printf("%s (%.12s) -> %s (%.12s): %d of %d decisions differ\n", rules[0],
           triage_ruleset_hash(rs[0]), rules[1], triage_ruleset_hash(rs[1]), m, p.n);
    for (int i = 0; i < m;) {
        int j = i;
        while (j < m && !strcmp(p.rows[j].from, p.rows[i].from) && !strcmp(p.rows[j].to, p.rows[i].to))
            j++;
        printf("\n%s -> %s: %d\n", p.rows[i].from, p.rows[i].to, j - i);
        for (int k = i; k < j && k - i < limit; k++)
            printf("  %-14s %s -> %s   [%s -> %s]\n", p.rows[k].id, p.rows[k].from_full,
                   p.rows[k].to_full, p.rows[k].rule_a, p.rows[k].rule_b);
        if (j - i > limit)
            printf("  ... and %ld more\n", (long)(j - i) - limit);
        i = j;
    }
    status = m ? EXIT_CHECK : EXIT_DONE;
    goto done;
fail:
    fprintf(stderr, "triage diff: %s\n", err.text);
done:
    for (int i = 0; i < 2; i++)
        if (rs[i])
            triage_ruleset_release(rs[i]);
    triage_store_close(st);
    free(p.rows);
    return status;
}
