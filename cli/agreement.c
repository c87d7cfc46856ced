/*
** agreement.c — `triage agreement`: how the rules agree with the people
** who reviewed their suggestions (agreement, Cohen's kappa on outcome, the
** confusion matrix, the overrides with their reasons) and, with a shadow
** rule set, where it would have differed; as text or as the engine's JSON.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage agreement [--db FILE] [--format text|json]\n"
    "\n"
    "Over every referral a person has decided (its latest confirm or override),\n"
    "the rules' suggestion beside that decision against the person's: how often\n"
    "they agree on outcome (and on outcome, target and unit), Cohen's kappa on\n"
    "outcome, the confusion matrix (rows: the rules, columns: the people), and\n"
    "each override with its reason. With a shadow rule set (triage serve\n"
    "--shadow DIR), the same for it and where it differs from the active rules.\n"
    "\n"
    "  --db FILE          database (default: $TRIAGE_DB or triage.db)\n"
    "  --format FORMAT    text (default) or json (one object)\n";

static const char *ag_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

static double ag_num(json_t *o, const char *key) { return json_number_value(json_object_get(o, key)); }

/* A decision's fields in one short line: "redirect municipality",
** "accept B193 routine 2020-04-01", "request_info -ppv". */
static void ag_brief(json_t *d, char *buf, size_t cap)
{
    size_t i;
    json_t *m;
    int n = snprintf(buf, cap, "%s", ag_str(d, "outcome"));
    static const char *const keys[] = {"target", "unit", "priority", "deadline"};
    for (size_t k = 0; k < 4 && n > 0 && (size_t)n < cap; k++)
        if (json_is_string(json_object_get(d, keys[k])) &&
            !(k == 0 && !strcmp(ag_str(d, "target"), "buc")))
            n += snprintf(buf + n, cap - (size_t)n, " %s", ag_str(d, keys[k]));
    json_array_foreach(json_object_get(d, "missing"), i, m)
        if (n > 0 && (size_t)n < cap) n += snprintf(buf + n, cap - (size_t)n, " -%s", json_string_value(m));
}

static void ag_matrix(json_t *o, json_t *matrix, const char *rows, const char *cols)
{
    json_t *names = json_object_get(o, "outcomes");
    printf("  %-28s", rows);
    for (size_t j = 0; j < json_array_size(names); j++)
        printf(" %13s", json_string_value(json_array_get(names, j)));
    printf("   (columns: %s)\n", cols);
    for (size_t i = 0; i < json_array_size(names); i++) {
        printf("  %-28s", json_string_value(json_array_get(names, i)));
        for (size_t j = 0; j < json_array_size(names); j++)
            printf(" %13lld", (long long)json_integer_value(json_array_get(json_array_get(matrix, i), j)));
        printf("\n");
    }
}

static void ag_kappa(const char *label, json_t *o)
{
    json_t *k = json_object_get(o, "kappa");
    if (json_is_number(k)) printf("  %-34s %.3f\n", label, json_number_value(k));
    else printf("  %-34s undefined (nothing to compare, or one outcome only)\n", label);
}

static void ag_text(json_t *o)
{
    long n = (long)json_integer_value(json_object_get(o, "reviewed"));
    double pct = n ? 100.0 / (double)n : 0;
    printf("Agreement between the rules and the people, over %ld reviewed referrals\n", n);
    printf("  %-34s %lld (%.1f%%)\n", "same outcome:", (long long)ag_num(o, "agree"),
           ag_num(o, "agree") * pct);
    printf("  %-34s %lld (%.1f%%)\n", "same outcome, target and unit:",
           (long long)ag_num(o, "agree_full"), ag_num(o, "agree_full") * pct);
    printf("  %-34s %lld\n", "overridden:", (long long)ag_num(o, "overridden"));
    ag_kappa("Cohen's kappa on outcome:", o);
    printf("\nConfusion matrix\n");
    ag_matrix(o, json_object_get(o, "matrix"), "rows: the rules' suggestion", "the people");

    json_t *list = json_object_get(o, "overrides"), *e;
    size_t i;
    printf("\nOverrides (%lld), newest first\n", (long long)ag_num(o, "overrides_total"));
    json_array_foreach(list, i, e) {
        char was[160], now[160];
        ag_brief(json_object_get(e, "suggested"), was, sizeof was);
        ag_brief(json_object_get(e, "decided"), now, sizeof now);
        printf("  %.10s %s by %s: %s -> %s\n      \"%s\"\n", ag_str(e, "at"), ag_str(e, "id"),
               ag_str(e, "by"), was, now, ag_str(e, "reason"));
    }

    json_t *sh = json_object_get(o, "shadow");
    if (!json_is_object(sh)) {
        printf("\nNo shadow rule set has decided (triage serve --shadow DIR).\n");
        return;
    }
    printf("\nShadow rule set %.12s\n", ag_str(sh, "ruleset"));
    printf("  %-34s %lld of %lld referrals\n", "differs from the active rules:",
           (long long)ag_num(sh, "differs"), (long long)ag_num(sh, "decided"));
    long sn = (long)json_integer_value(json_object_get(sh, "reviewed"));
    printf("  %-34s %lld of %ld reviewed (active rules: %lld)\n", "same outcome as the people:",
           (long long)ag_num(sh, "agree"), sn, (long long)ag_num(sh, "agree_active"));
    ag_kappa("Cohen's kappa against the people:", sh);
    ag_matrix(o, json_object_get(sh, "matrix"), "rows: the shadow rule set", "the people");
    printf("\n  Where it differs (%lld)\n", (long long)ag_num(sh, "differences_total"));
    json_array_foreach(json_object_get(sh, "differences"), i, e) {
        char a[160], c[160], p[160];
        ag_brief(json_object_get(e, "active"), a, sizeof a);
        ag_brief(json_object_get(e, "candidate"), c, sizeof c);
        ag_brief(json_object_get(e, "person"), p, sizeof p);
        printf("  %s: active %s; shadow %s; person %s\n", ag_str(e, "id"), a, c,
               json_is_object(json_object_get(e, "person")) ? p : "(not reviewed)");
    }
}

int cli_agreement(int argc, char **argv)
{
    return cli_report(argc, argv, "agreement", HELP, triage_agreement_json, ag_text);
}
