/*
** export.c — `triage export`: the store's decisions as they stand, one a
** line: each referral's latest decision as decision JSON with the store's
** decided_at, or as the FHIR answer Bundle (docs/fhir.md) made with it.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage export [--db FILE] [--rules DIR] [--format json|fhir]\n"
    "\n"
    "Write each stored referral's latest decision to standard output, one a line,\n"
    "in order of received then id. A referral not decided yet has no line.\n"
    "\n"
    "  --db FILE      database (default: $TRIAGE_DB or triage.db)\n"
    "  --format FMT   json (default): the decision (decision.schema.json) with\n"
    "                 \"decided_at\", the store's time, and \"withdrawn_at\" for a\n"
    "                 referral withdrawn since;\n"
    "                 fhir: the FHIR answer Bundle (NDJSON, type collection) made\n"
    "                 with the store's decided_at, so that the same decision gives\n"
    "                 the same Bundle; a withdrawn referral's Task is cancelled\n"
    "  --rules DIR    the rule set whose data/fhir.json gives the answer's Danish\n"
    "                 texts (default: rules; fhir only)\n"
    "\n"
    "A summary goes to standard error.\n"
    "exit status: 0 written; 1 usage or set-up error, or the store failed.\n";

typedef struct ex_ctx {
    triage_fhir *fw;              /* NULL: json */
    long written, undecided, withdrawn;
    triage_error err;
    int failed;
} ex_ctx;

/* The decision's JSON with the times the store keeps. */
static char *ex_json(const triage_current *c)
{
    char *text = triage_decision_json(c->decision);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!j) return NULL;
    json_object_set_new(j, "decided_at", json_string(c->decided_at));
    if (c->withdrawn_at) json_object_set_new(j, "withdrawn_at", json_string(c->withdrawn_at));
    text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return text;
}

static int ex_one(void *ud, const triage_current *c)
{
    ex_ctx *x = ud;
    char *line;
    if (c->withdrawn_at) x->withdrawn++;
    if (x->fw && c->withdrawn_at)
        line = triage_fhir_withdrawn(x->fw, c->referral, NULL, c->withdrawn_at,
                                     TRIAGE_FHIR_COLLECTION, &x->err);
    else if (!c->decision) {
        x->undecided++;
        return 0;
    } else if (x->fw)
        line = triage_fhir_answer(x->fw, c->decision, c->referral, c->decided_at,
                                  TRIAGE_FHIR_COLLECTION, &x->err);
    else
        line = ex_json(c);
    if (!line) {
        if (!x->err.text[0])
            triage_error_set(&x->err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
        x->failed = 1;
        return 1;
    }
    puts(line);
    free(line);
    x->written++;
    return 0;
}

int cli_export(int argc, char **argv)
{
    const char *db = cli_default_db(), *rules = cli_default_rules();
    int fhir = 0, c;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"rules", required_argument, 0, 'r'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': rules = optarg; break;
        case 'f':
            if (!strcmp(optarg, "fhir")) fhir = 1;
            else if (!strcmp(optarg, "json")) fhir = 0;
            else {
                fprintf(stderr, "triage export: --format must be json or fhir\n");
                return EXIT_USAGE;
            }
            break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "triage export: unexpected argument '%s'\n%s", argv[optind], HELP);
        return EXIT_USAGE;
    }
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "triage export: there is no database '%s'; name one with --db\n", db);
        return EXIT_USAGE;
    }
    ex_ctx x = {0};
    if (fhir) {
        triage_ruleset *rs = triage_ruleset_load(rules, NULL, &x.err);
        x.fw = rs ? triage_fhir_open(rs, &x.err) : NULL;
        triage_ruleset_release(rs);
        if (!x.fw) {
            fprintf(stderr, "triage export: %s\n", x.err.text);
            return EXIT_USAGE;
        }
    }
    triage_store *st = triage_store_open(db, &x.err);
    triage_code rc = st ? triage_store_each_current(st, ex_one, &x, &x.err) : x.err.code;
    triage_store_close(st);
    triage_fhir_close(x.fw);
    if (fflush(stdout) != 0) rc = TRIAGE_EIO;
    if (rc != TRIAGE_OK || x.failed) {
        fprintf(stderr, "triage export: %s\n", x.err.text[0] ? x.err.text : "writing failed");
        return EXIT_USAGE;
    }
    fprintf(stderr, "exported %ld decisions (%ld undecided, %ld withdrawn) from %s\n", x.written,
            x.undecided, x.withdrawn, db);
    return EXIT_DONE;
}
