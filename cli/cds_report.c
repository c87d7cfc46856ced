/*
** cds_report.c — `triage cds-report`: how referrers took the CDS Hooks
** service's cards (docs/cds.md), per card kind and item: how many were
** given, accepted, overridden (with the reasons chosen) or left without
** feedback; as text or as the engine's JSON.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage cds-report [--db FILE] [--format text|json]\n"
    "\n"
    "Every card the CDS Hooks service (triage serve, /cds-services) gave a\n"
    "referrer's system, by kind (acute, missing, redirect, reject, accept,\n"
    "manual_review, unreadable) and item (the missing item, the recipient, the\n"
    "unit): how many were given, and by the latest feedback on each how many\n"
    "the referrer accepted or overrode, and why; the rest had no feedback.\n"
    "\n"
    "  --db FILE          database (default: $TRIAGE_DB or triage.db)\n"
    "  --format FORMAT    text (default) or json (one object)\n";

static long cr_n(const json_t *o, const char *key)
{
    return (long)json_integer_value(json_object_get(o, key));
}

static void cr_line(const char *label, const json_t *o, int indent)
{
    long given = cr_n(o, "given"), acc = cr_n(o, "accepted"), ovr = cr_n(o, "overridden");
    long fb = acc + ovr;
    printf("%*s%-*s %7ld given %7ld accepted %7ld overridden %7ld no feedback", indent, "",
           32 - indent, label, given, acc, ovr, given - fb);
    if (fb) printf("  (%.0f%% of feedback accepted)", 100.0 * (double)acc / (double)fb);
    printf("\n");
}

static void cr_text(json_t *o)
{
    printf("CDS Hooks cards and what referrers did with them (latest feedback per card)\n");
    cr_line("all cards", o, 2);
    const json_t *k, *x;
    size_t i, j;
    json_array_foreach(json_object_get(o, "kinds"), i, k) {
        cr_line(json_string_value(json_object_get(k, "kind")), k, 2);
        json_array_foreach(json_object_get(k, "items"), j, x)
            cr_line(json_string_value(json_object_get(x, "item")), x, 4);
        json_array_foreach(json_object_get(k, "reasons"), j, x) {
            const char *code = json_string_value(json_object_get(x, "code"));
            const char *disp = json_string_value(json_object_get(x, "display"));
            printf("    overridden because %s%s%s%s: %ld\n", code ? code : "(no reason given)",
                   disp ? " (" : "", disp ? disp : "", disp ? ")" : "", cr_n(x, "count"));
        }
    }
}

int cli_cds_report(int argc, char **argv)
{
    return cli_report(argc, argv, "cds-report", HELP, triage_cds_report, cr_text);
}
