/*
** check.c — `triage check`: decide referral files without a database.
** Records go through an in-memory store in input order, so a file's later
** referrals see the earlier ones as history, exactly as `run` would; FHIR
** messages there have their lifecycle (update replaces, cancel withdraws).
** Output for people, as decision JSON, or as FHIR answer Bundles.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage check [--rules DIR] [--explain] [--format text|json|fhir] [FILE ...|-]\n"
    "\n"
    "Decide the referrals in FILEs (or standard input, '-' or no FILE) and print\n"
    "one decision per valid record, in input order. A file holds JSON values one\n"
    "after another: one object, JSON Lines, an array, or objects over several\n"
    "lines; each is a native record or FHIR R4 (a ServiceRequest, a Bundle, a\n"
    "MedCom message: docs/fhir.md). Nothing is stored; history spans the files in\n"
    "argument order.\n"
    "\n"
    "  --rules DIR      rule set directory (default: rules)\n"
    "  --explain        add the trace: every rule evaluated, whether it applied, why;\n"
    "                   each reason's evidence keys, and every mention the text\n"
    "                   layer read in the letter: its bytes, counted [x] or not, why\n"
    "  --format FMT     json: one decision object per line on standard output;\n"
    "                   fhir: one FHIR answer Bundle per line (NDJSON): the Task\n"
    "                   and what goes with it, a response message for a message;\n"
    "                   text (default): for people\n"
    "\n"
    "FHIR messages: an update-referral replaces the referral with its id read\n"
    "before it (else it is decided as it is) and is decided again; a\n"
    "cancel-referral withdraws it: 'ID: withdrawn' in text, the answer Bundle (the\n"
    "Task cancelled) in fhir, nothing in json. A message read twice is answered\n"
    "again with the decision it had.\n"
    "\n"
    "Invalid records are reported on standard error as FILE:LINE: ID: FIELD: what\n"
    "(for FHIR the FIELD is the FHIRPath of the element in the document sent).\n"
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

/* The letter's bytes [start, end) as one line, cut (between characters)
** where it runs long. */
static void print_span(const char *text, size_t len, size_t start, size_t end)
{
    if (start > len || end > len || end < start)
        return;
    size_t n = end - start, cut = 0;
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)text[start + n] & 0xc0) == 0x80)
            n--;
        cut = 1;
    }
    for (size_t i = 0; i < n; i++)
        putchar(text[start + i] == '\n' || text[start + i] == '\t' ? ' ' : text[start + i]);
    if (cut)
        fputs("…", stdout);
}

/* With explain: what the text layer read in the letter, mention by mention,
** and whether each counted and why. */
static void print_evidence(const triage_decision *d, const char *text, size_t len)
{
    int n = triage_decision_evidence_count(d);
    if (!n) {
        printf("  evidens i brevet: ingen\n");
        return;
    }
    printf("  evidens i brevet (byte start-slut):\n");
    for (int i = 0; i < n; i++) {
        const char *key, *why;
        int counted;
        size_t start, end;
        triage_decision_evidence(d, i, &key, &counted, &why, &start, &end);
        printf("    [%c] %s %zu-%zu \"", counted ? 'x' : ' ', key, start, end);
        print_span(text, len, start, end);
        printf("\": %s\n", why);
    }
}

static void print_text(const triage_decision *d, const char *text, size_t len)
{
    const char *v, *rule;
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
    const char *why;
    for (int i = 0; triage_decision_reason(d, i, &rule, &why) == 0; i++) {
        printf("  %s: %s", rule, why);
        for (int k = 0; k < triage_decision_reason_evidence_count(d, i); k++)
            printf("%s%s", k ? ", " : " [evidens: ", triage_decision_reason_evidence(d, i, k));
        printf("%s\n", triage_decision_reason_evidence_count(d, i) ? "]" : "");
    }
    if (triage_decision_explained(d)) {
        int applied;
        printf("  trace:\n");
        for (int i = 0; triage_decision_step(d, i, &rule, &applied, &why) == 0; i++)
            printf("    [%c] %s: %s\n", applied ? 'x' : ' ', rule, why ? why : "");
        print_evidence(d, text, len);
    }
}

enum { CK_TEXT, CK_JSON, CK_FHIR };

/* What deciding the files needs: history through an in-memory store, in
** input order, exactly as `run` would have it. */
typedef struct ck_ctx {
    triage_store *st;
    triage_decider *dc;
    triage_fhir *fw;             /* --format fhir */
    unsigned flags;
    int format;
    long invalid;
    int oom;
} ck_ctx;

static int ck_print(ck_ctx *c, char *text)
{
    if (!text) {
        fprintf(stderr, "triage check: out of memory\n");
        c->oom = 1;
        return 1;
    }
    puts(text);
    free(text);
    return 0;
}

static int ck_show(ck_ctx *c, const triage_decision *d, const triage_referral *r,
                   const char *decided_at)
{
    triage_error err;
    if (c->format == CK_TEXT) {
        size_t len;
        const char *text = triage_referral_text(r, &len);
        print_text(d, text, len);
        return 0;
    }
    if (c->format == CK_JSON) return ck_print(c, triage_decision_json(d));
    char *b = triage_fhir_answer(c->fw, d, r, decided_at, 0, &err);
    if (!b) fprintf(stderr, "%s\n", err.text);
    return ck_print(c, b);
}

/* A message read before: its referral's decision again, as it stands. */
typedef struct ck_again { ck_ctx *c; const triage_origin *cancel; int rc; } ck_again;

static int ck_again_fn(void *ud, const triage_current *now)
{
    ck_again *a = ud;
    triage_error err;
    if (now->withdrawn_at) {
        if (a->c->format == CK_TEXT)
            printf("%s: withdrawn\n", triage_referral_id(now->referral));
        else if (a->c->format == CK_FHIR) {
            char *b = triage_fhir_withdrawn(a->c->fw, now->referral, a->cancel,
                                            now->withdrawn_at, 0, &err);
            a->rc = ck_print(a->c, b);
        }
        return 0;
    }
    if (now->decision) a->rc = ck_show(a->c, now->decision, now->referral, now->decided_at);
    return 0;
}

static int ck_cancel(ck_ctx *c, const triage_origin *o, const char *file, long line)
{
    triage_error err;
    const char *id = triage_origin_referral_id(o);
    triage_code rc = triage_store_withdraw(c->st, o, file, line, &err);
    if (rc == TRIAGE_EWITHDRAWN) {
        fprintf(stderr, "%s\n", err.text);
        c->invalid++;
        return 0;
    }
    if (rc == TRIAGE_OK || rc == TRIAGE_EREPEATED) {   /* as it stands now */
        ck_again a = {c, o, 0};
        if (triage_store_current(c->st, id, ck_again_fn, &a, &err) == TRIAGE_OK) return a.rc;
    }
    /* Not in this input: check has no database to withdraw it from. */
    if (c->format == CK_TEXT) printf("%s: withdrawn\n", id);
    else if (c->format == CK_FHIR)
        return ck_print(c, triage_fhir_withdrawn(c->fw, NULL, o, NULL, 0, &err));
    return 0;
}

static int ck_take(void *ud, triage_referral *r, const triage_origin *cancel, const char *file,
                   long line)
{
    ck_ctx *c = ud;
    triage_error err;
    if (!r) return ck_cancel(c, cancel, file, line);
    const triage_origin *o = triage_referral_origin(r);
    triage_code rc = TRIAGE_ENOTFOUND;
    if (o && triage_origin_event(o) == TRIAGE_EVENT_UPDATE)
        rc = triage_store_update(c->st, r, file, line, &err);
    if (rc == TRIAGE_ENOTFOUND)   /* new, or an update of nothing read before */
        rc = triage_store_put(c->st, r, file, line, &err);
    if (rc == TRIAGE_EREPEATED) {
        ck_again a = {c, NULL, 0};
        triage_store_current(c->st, triage_referral_id(r), ck_again_fn, &a, &err);
        triage_referral_free(r);
        return a.rc;
    }
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "%s\n", err.text);
        c->invalid++;
        triage_referral_free(r);
        return 0;
    }
    triage_decision *d = triage_decide(c->dc, r, c->flags);
    if (!d) {
        triage_referral_free(r);
        fprintf(stderr, "triage check: out of memory\n");
        c->oom = 1;
        return 1;
    }
    triage_store_put_decision(c->st, d, &err);
    int stop = ck_show(c, d, r, NULL);
    triage_decision_free(d);
    triage_referral_free(r);
    return stop;
}

int cli_check(int argc, char **argv)
{
    const char *rules = cli_default_rules();
    int explain = 0, format = CK_TEXT;
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
            if (!strcmp(optarg, "json")) format = CK_JSON;
            else if (!strcmp(optarg, "fhir")) format = CK_FHIR;
            else if (!strcmp(optarg, "text")) format = CK_TEXT;
            else {
                fprintf(stderr, "triage check: --format must be text, json or fhir\n");
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
    ck_ctx ck = {.flags = explain ? TRIAGE_EXPLAIN : 0, .format = format};
    ck.st = triage_store_open(":memory:", &err);
    ck.dc = ck.st ? triage_decider_new(rs, ck.st, &err) : NULL;
    if (ck.dc && format == CK_FHIR) ck.fw = triage_fhir_open(rs, &err);
    if (!ck.dc || (format == CK_FHIR && !ck.fw)) {
        fprintf(stderr, "triage check: %s\n", err.text);
        triage_decider_free(ck.dc);
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
    triage_fhir_close(ck.fw);
    triage_decider_free(ck.dc);
    triage_store_close(ck.st);
    triage_ruleset_release(rs);
    if (fflush(stdout) != 0)
        return EXIT_USAGE;
    if (status == EXIT_DONE && ck.invalid)
        status = EXIT_INVALID;
    return status;
}
