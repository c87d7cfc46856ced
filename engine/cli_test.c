/*
** cli_test.c — `triage test`: run a rule set's own cases. Every
** tests/ *.json file of the rule set holds an array of cases; each case is a
** referral (with optional earlier referrals of the same child, decided
** first) and the decision fields it must get.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decision.h"
#include "referral.h"
#include "rules.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage test [--rules DIR] [--verbose]\n"
    "\n"
    "Run the test cases in DIR/tests/*.json against the rule set in DIR. A case\n"
    "file is a JSON array of {\"name\", \"referral\", \"before\": [earlier referrals\n"
    "of the child, optional], \"expect\": {decision fields, \"reasons_include\":\n"
    "[rule ids]}}. Each failure names the file, the case and the differing\n"
    "fields; the last line is 'N passed, M failed'.\n"
    "\n"
    "  --rules DIR   rule set directory (default: rules)\n"
    "  --verbose     print every case, not only failures\n"
    "\n"
    "exit status: 0 all passed; 1 usage or set-up error; 2 a case failed.\n";

#define TC_MAX_BEFORE 32

typedef struct tc_ctx {
    int n;
    triage_referral *r[TC_MAX_BEFORE + 1];
    triage_decision *d[TC_MAX_BEFORE + 1];
} tc_ctx;

/* History within one case: its earlier referrals, as decided just now. */
static int tc_history(void *ud, const triage_referral *r, const char *hash,
                      st_prior *out, int max)
{
    tc_ctx *c = ud;
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        const triage_referral *p = c->r[i];
        if (strcmp(p->cpr, r->cpr) != 0)
            continue;
        if (p->received > r->received ||
            (p->received == r->received && strcmp(p->id, r->id) >= 0))
            continue;
        if (n < max) {
            st_prior *o = &out[n];
            memset(o, 0, sizeof *o);
            snprintf(o->id, sizeof o->id, "%s", p->id);
            o->received = p->received;
            snprintf(o->outcome, sizeof o->outcome, "%s",
                     triage_outcome_name((triage_outcome)c->d[i]->outcome));
            if (c->d[i]->target >= 0)
                snprintf(o->target, sizeof o->target, "%s", dc_target_names[c->d[i]->target]);
        }
        n++;
    }
    return n;
}

static triage_referral *tc_referral(json_t *obj, const char *file, const char *name,
                                    char *why, size_t cap)
{
    char *s = json_dumps(obj, JSON_COMPACT);
    triage_error err;
    triage_referral *r = s ? triage_referral_parse(s, strlen(s), file, 0, &err) : NULL;
    if (!r)
        snprintf(why, cap, "the referral is invalid: %s", s ? err.text : "out of memory");
    free(s);
    return r;
}

/* Compare the expected fields with the decision; print each difference. */
static int tc_compare(const char *file, const char *name, json_t *expect, json_t *got)
{
    int bad = 0;
    const char *key;
    json_t *want;
    json_object_foreach(expect, key, want) {
        if (!strcmp(key, "reasons_include")) {
            size_t i;
            json_t *id;
            json_array_foreach(want, i, id) {
                int found = 0;
                size_t j;
                json_t *rs;
                json_array_foreach(json_object_get(got, "reasons"), j, rs)
                    found |= json_equal(json_object_get(rs, "rule"), id);
                if (!found) {
                    printf("FAIL %s: %s: reasons: no reason from rule %s\n", file, name,
                           json_string_value(id) ? json_string_value(id) : "?");
                    bad = 1;
                }
            }
            continue;
        }
        json_t *have = json_object_get(got, key);
        json_t *empty = json_array();
        if (!have)
            have = json_is_array(want) ? empty : json_null();
        if (!json_equal(want, have)) {
            char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
            char *h = json_dumps(have, JSON_ENCODE_ANY | JSON_COMPACT);
            printf("FAIL %s: %s: %s: expected %s, got %s\n", file, name, key, w, h);
            free(w);
            free(h);
            bad = 1;
        }
        json_decref(empty);
    }
    if (bad) {
        size_t j;
        json_t *rs;
        json_array_foreach(json_object_get(got, "reasons"), j, rs)
            printf("     reason %s: %s\n", json_string_value(json_object_get(rs, "rule")),
                   json_string_value(json_object_get(rs, "text")));
    }
    return bad;
}

static int tc_run_case(triage_decider *dc, tc_ctx *ctx, const char *file, json_t *tc,
                       int index, int verbose)
{
    char name[200], why[700];
    const char *nm = json_string_value(json_object_get(tc, "name"));
    if (nm)
        snprintf(name, sizeof name, "%s", nm);
    else
        snprintf(name, sizeof name, "case %d", index + 1);
    json_t *expect = json_object_get(tc, "expect");
    json_t *ref = json_object_get(tc, "referral");
    json_t *before = json_object_get(tc, "before");
    if (!json_is_object(expect) || !json_is_object(ref) ||
        (before && (!json_is_array(before) || json_array_size(before) > TC_MAX_BEFORE))) {
        printf("FAIL %s: %s: a case needs \"referral\" and \"expect\" objects (and "
               "\"before\" as an array of at most %d)\n", file, name, TC_MAX_BEFORE);
        return 1;
    }
    int bad = 0;
    ctx->n = 0;
    size_t i;
    json_t *b;
    json_array_foreach(before, i, b) {
        triage_referral *r = tc_referral(b, file, name, why, sizeof why);
        if (!r) {
            printf("FAIL %s: %s: before[%zu]: %s\n", file, name, i, why);
            bad = 1;
            break;
        }
        ctx->r[ctx->n] = r;
        ctx->d[ctx->n] = triage_decide(dc, r, 0);
        ctx->n++;
    }
    if (!bad) {
        triage_referral *r = tc_referral(ref, file, name, why, sizeof why);
        if (!r) {
            printf("FAIL %s: %s: %s\n", file, name, why);
            bad = 1;
        } else {
            triage_decision *d = triage_decide(dc, r, 0);
            char *s = d ? triage_decision_json(d) : NULL;
            json_t *got = s ? json_loads(s, 0, NULL) : NULL;
            if (!got) {
                printf("FAIL %s: %s: out of memory\n", file, name);
                bad = 1;
            } else {
                bad = tc_compare(file, name, expect, got);
            }
            json_decref(got);
            free(s);
            triage_decision_free(d);
            triage_referral_free(r);
        }
    }
    for (int k = 0; k < ctx->n; k++) {
        triage_referral_free(ctx->r[k]);
        triage_decision_free(ctx->d[k]);
    }
    ctx->n = 0;
    if (!bad && verbose)
        printf("ok   %s: %s\n", file, name);
    return bad;
}

int cli_test(int argc, char **argv)
{
    const char *rules = cli_default_rules();
    int verbose = 0;
    static const struct option opts[] = {{"rules", required_argument, 0, 'r'},
                                         {"verbose", no_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(rules, NULL, &err);
    if (!rs) {
        fprintf(stderr, "triage test: %s\n", err.text);
        return EXIT_USAGE;
    }
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    if (!dc) {
        fprintf(stderr, "triage test: %s\n", err.text);
        triage_ruleset_release(rs);
        return EXIT_USAGE;
    }
    static tc_ctx ctx;
    rl_set_history(dc, tc_history, &ctx);
    int passed = 0, failed = 0, files = 0;
    for (int i = 0; i < rl_file_count(rs); i++) {
        const char *path, *data;
        size_t len;
        rl_file(rs, i, &path, &data, &len);
        size_t pl = strlen(path);
        if (strncmp(path, "tests/", 6) != 0 || pl < 5 || strcmp(path + pl - 5, ".json"))
            continue;
        files++;
        char label[512];
        snprintf(label, sizeof label, "%s/%s", rl_dir(rs), path);
        json_error_t je;
        json_t *cases = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_array(cases)) {
            printf("FAIL %s:%d: not a JSON array of cases: %s\n", label, je.line,
                   cases ? "top level is not an array" : je.text);
            failed++;
            json_decref(cases);
            continue;
        }
        size_t k;
        json_t *tc;
        json_array_foreach(cases, k, tc) {
            if (tc_run_case(dc, &ctx, label, tc, (int)k, verbose))
                failed++;
            else
                passed++;
        }
        json_decref(cases);
    }
    if (!files)
        fprintf(stderr, "triage test: no test files (%s/tests/*.json)\n", rl_dir(rs));
    printf("rule set %.12s: %d files\n", triage_ruleset_hash(rs), files);
    printf("%d passed, %d failed\n", passed, failed);
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    return failed ? EXIT_CHECK : EXIT_DONE;
}
