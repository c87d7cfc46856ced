/*
** ruletest.c — run a rule set's test cases. A case file is a JSON array of
** {"name", "referral", "before": [...], "expect": {...}}; each case is
** decided on a fresh history holding only its "before" referrals, and every
** expected field is compared. Failures name the file, the case's line and
** name, and each differing field.
*/
#include "ruletest.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "history.h"
#include "referral.h"
#include "rules.h"
#include "textsuite.h"

#define RT_MAX_BEFORE 32

typedef struct rt_ctx {
    int n;
    triage_referral *r[RT_MAX_BEFORE];
    triage_decision *d[RT_MAX_BEFORE];
    FILE *out;
    triage_error *first;
    int failed_case;           /* this case has failed already */
    const char *file;
    long line;
    const char *name;
} rt_ctx;

/* History within one case: its earlier referrals, as decided just now. */
static int rt_history(void *ud, const triage_referral *r, const char *hash,
                      st_prior *out, int max)
{
    rt_ctx *c = ud;
    hs_place here = hs_place_of(r);
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        const triage_referral *p = c->r[i];
        hs_place there = hs_place_of(p);
        if (!hs_is_prior(&there, &here))
            continue;
        if (n < max)
            hs_entry(&out[n], &there, c->d[i]);
        n++;
    }
    return n;
}

/* Report one difference of the current case. */
static void rt_fail(rt_ctx *c, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->out)
        fprintf(c->out, "FAIL %s:%ld: %s: %s\n", c->file, c->line, c->name, msg);
    if (c->first && c->first->code == TRIAGE_OK) {
        triage_error_set(c->first, TRIAGE_ERULES, c->file, c->line, NULL, NULL,
                         "rule test '%s' fails: %s", c->name, msg);
    }
    c->failed_case = 1;
}

static triage_referral *rt_referral(rt_ctx *c, json_t *obj, const char *what)
{
    char *s = json_dumps(obj, JSON_COMPACT);
    triage_error err;
    triage_referral *r = s ? triage_referral_parse(s, strlen(s), NULL, 0, &err) : NULL;
    if (!r)
        rt_fail(c, "%s is invalid: %s", what, s ? err.text : "out of memory");
    free(s);
    return r;
}

/* A case that went to a person and expected another outcome: say first why (the
** rule that failed and its error), since a reload shows the first failure
** only, and the fields that then differ do not name the rule. */
static void rt_why_manual(rt_ctx *c, json_t *expect, json_t *got)
{
    const char *want = json_string_value(json_object_get(expect, "outcome"));
    const char *have = json_string_value(json_object_get(got, "outcome"));
    json_t *rs = json_array_get(json_object_get(got, "reasons"), 0);
    if (!want || !have || strcmp(have, "manual_review") || !strcmp(want, "manual_review") || !rs)
        return;
    rt_fail(c, "went to manual_review: %s: %s", json_string_value(json_object_get(rs, "rule")),
            json_string_value(json_object_get(rs, "text")));
}

static void rt_compare(rt_ctx *c, const triage_decider *dc, json_t *expect, json_t *got)
{
    const char *key;
    json_t *want;
    rt_why_manual(c, expect, got);
    json_object_foreach(expect, key, want) {
        if (!strcmp(key, "reasons_include")) {
            size_t i, j;
            json_t *id, *rs;
            json_array_foreach(want, i, id) {
                int found = 0;
                json_array_foreach(json_object_get(got, "reasons"), j, rs)
                    found |= json_equal(json_object_get(rs, "rule"), id);
                const char *want_id = json_string_value(id);
                if (!found && want_id && strcmp(want_id, "ENGINE") && !rl_rule_known(dc, want_id))
                    rt_fail(c, "reasons_include: no rule has the id %s", want_id);
                else if (!found)
                    rt_fail(c, "reasons: no reason from rule %s", want_id ? want_id : "?");
            }
            continue;
        }
        json_t *have = json_object_get(got, key), *empty = json_array();
        if (!have)
            have = json_is_array(want) ? empty : json_null();
        if (!json_equal(want, have)) {
            char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
            char *h = json_dumps(have, JSON_ENCODE_ANY | JSON_COMPACT);
            rt_fail(c, "%s: expected %s, got %s", key, w ? w : "?", h ? h : "?");
            free(w);
            free(h);
        }
        json_decref(empty);
    }
    if (c->failed_case && c->out) {
        size_t j;
        json_t *rs;
        json_array_foreach(json_object_get(got, "reasons"), j, rs)
            fprintf(c->out, "     reason %s: %s\n",
                    json_string_value(json_object_get(rs, "rule")),
                    json_string_value(json_object_get(rs, "text")));
    }
}

static void rt_case(triage_decider *dc, rt_ctx *c, json_t *tc)
{
    json_t *expect = json_object_get(tc, "expect");
    json_t *ref = json_object_get(tc, "referral");
    json_t *before = json_object_get(tc, "before");
    if (!json_is_object(expect) || !json_is_object(ref) ||
        (before && (!json_is_array(before) || json_array_size(before) > RT_MAX_BEFORE))) {
        rt_fail(c, "a case needs \"referral\" and \"expect\" objects (and \"before\" as an "
                   "array of at most %d)", RT_MAX_BEFORE);
        return;
    }
    size_t i;
    json_t *b;
    json_array_foreach(before, i, b) {
        char what[32];
        snprintf(what, sizeof what, "before[%zu]", i);
        triage_referral *r = rt_referral(c, b, what);
        if (!r)
            goto done;
        triage_decision *d = triage_decide(dc, r, 0);
        if (!d) {
            triage_referral_free(r);
            rt_fail(c, "out of memory");
            goto done;
        }
        c->r[c->n] = r;
        c->d[c->n++] = d;
    }
    triage_referral *r = rt_referral(c, ref, "the referral");
    if (r) {
        /* with the trace, as the intake page asks: a rule's explain runs
        ** only then, and one that raises must fail here, not there */
        triage_decision *d = triage_decide(dc, r, TRIAGE_EXPLAIN);
        char *s = d ? triage_decision_json(d) : NULL;
        json_t *got = s ? json_loads(s, 0, NULL) : NULL;
        if (got)
            rt_compare(c, dc, expect, got);
        else
            rt_fail(c, "out of memory");
        json_decref(got);
        free(s);
        triage_decision_free(d);
        triage_referral_free(r);
    }
done:
    for (int k = 0; k < c->n; k++) {
        triage_referral_free(c->r[k]);
        triage_decision_free(c->d[k]);
    }
    c->n = 0;
}

static long rt_line_of(const char *data, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        line += data[i] == '\n';
    return line;
}

static size_t rt_skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* One case file: step through the array so that each case has its line. */
static void rt_file(triage_decider *dc, rt_ctx *c, const char *data, size_t len,
                    int verbose, rt_result *res)
{
    size_t i = rt_skip_ws(data, 0, len);
    c->name = "(file)";
    c->line = 1;
    if (i >= len || data[i] != '[') {
        c->failed_case = 0;
        rt_fail(c, "a case file is a JSON array of cases");
        res->failed++;
        return;
    }
    i++;
    for (int index = 1;; index++) {
        i = rt_skip_ws(data, i, len);
        if (i < len && data[i] == ']')
            break;
        c->line = rt_line_of(data, i);
        c->failed_case = 0;
        json_error_t je;
        json_t *tc = json_loadb(data + i, len - i, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
        if (!tc) {
            c->name = "(file)";
            c->line += je.line - 1;
            rt_fail(c, "invalid JSON: %s", je.text);
            res->failed++;
            return;
        }
        i += je.position;
        char name[200];
        const char *nm = json_string_value(json_object_get(tc, "name"));
        if (nm)
            snprintf(name, sizeof name, "%s", nm);
        else
            snprintf(name, sizeof name, "case %d", index);
        c->name = name;
        rt_case(dc, c, tc);
        json_decref(tc);
        if (c->failed_case)
            res->failed++;
        else {
            res->passed++;
            if (verbose && c->out)
                fprintf(c->out, "ok   %s:%ld: %s\n", c->file, c->line, name);
        }
        i = rt_skip_ws(data, i, len);
        if (i < len && data[i] == ']')
            break;
        if (i >= len || data[i] != ',') {
            c->line = rt_line_of(data, i < len ? i : len);
            c->name = "(file)";
            c->failed_case = 0;
            rt_fail(c, "',' or ']' expected after a case");
            res->failed++;
            return;
        }
        i++;
    }
    /* a case written after the array (or half of one) would not run, unseen */
    size_t end = rt_skip_ws(data, i + 1, len);
    if (end < len) {
        c->line = rt_line_of(data, end);
        c->name = "(file)";
        c->failed_case = 0;
        rt_fail(c, "only white space may follow the array of cases");
        res->failed++;
    }
}

triage_code triage_ruleset_test(triage_ruleset *rs, FILE *out, int verbose,
                                triage_test_result *res, triage_error *first)
{
    triage_error local;
    if (!first) first = &local;
    if (rt_run(rs, out, verbose, res, first) == 0) return TRIAGE_OK;
    return first->code != TRIAGE_OK ? first->code : TRIAGE_ENOMEM;
}

/* File i of rs when its path starts with dir and ends with ext: its bytes,
** and its path under the rule set's directory in label; else 0. */
static int rt_test_file(const triage_ruleset *rs, int i, const char *dir, const char *ext,
                        const char **data, size_t *len, char *label, size_t cap)
{
    const char *path;
    rl_file(rs, i, &path, data, len);
    size_t pl = strlen(path), dl = strlen(dir), el = strlen(ext);
    if (strncmp(path, dir, dl) != 0 || pl < el || strcmp(path + pl - el, ext) != 0)
        return 0;
    snprintf(label, cap, "%s/%s", rl_dir(rs), path);
    return 1;
}

/* The text suite, tests/text/ *.jsonl: each passage a case that passes or
** fails. Returns 0, or -1 when no reader could be made. */
static int rt_text(triage_ruleset *rs, FILE *out, int verbose, rt_result *res,
                   triage_error *first)
{
    const tx_lexicon *lx = rl_lexicon(rs);
    tx_reader *r = NULL;
    json_t *ids = json_object();                  /* over every file: unique ids */
    if (!ids) {
        triage_error_set(first, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    for (int i = 0; i < rl_file_count(rs); i++) {
        const char *data;
        size_t len;
        char label[600];
        if (!rt_test_file(rs, i, "tests/text/", ".jsonl", &data, &len, label, sizeof label))
            continue;
        res->text_files++;
        if (!lx) {
            if (out)
                fprintf(out, "FAIL %s: text passages, but the rule set has no data/text.lua\n",
                        label);
            if (first->code == TRIAGE_OK)
                triage_error_set(first, TRIAGE_ERULES, label, 0, NULL, NULL,
                                 "text passages, but the rule set has no data/text.lua");
            res->failed++;
            continue;
        }
        if (!r && !(r = txe_new(lx, &tx_malloc))) {
            triage_error_set(first, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
            json_decref(ids);
            return -1;
        }
        tt_result t = {0};
        if (tt_run(r, label, data, len, out, verbose, ids, &t) != 0)
            res->failed++;
        res->passages += t.passages;
        res->passed += t.passed;
        res->failed += t.passages - t.passed;
        if (t.first[0] && first->code == TRIAGE_OK)
            triage_error_set(first, TRIAGE_ERULES, label, 0, NULL, NULL, "text passage %s",
                             t.first);
    }
    txe_free(r);
    json_decref(ids);
    return 0;
}

/* Run the case files of rs (paths NULL) or the npaths files named by paths. */
static int rt_cases(triage_ruleset *rs, const char *const *paths, int npaths, FILE *out,
                    int verbose, rt_result *res, triage_error *first)
{
    memset(res, 0, sizeof *res);
    triage_error_set(first, TRIAGE_OK, NULL, 0, NULL, NULL, NULL);
    triage_decider *dc = triage_decider_new(rs, NULL, first);
    if (!dc)
        return -1;
    rt_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        triage_decider_free(dc);
        return -1;
    }
    c->out = out;
    c->first = first;
    rl_set_history(dc, rt_history, c);
    for (int i = 0; !paths && i < rl_file_count(rs); i++) {
        const char *data;
        size_t len;
        char label[600];
        if (!rt_test_file(rs, i, "tests/", ".json", &data, &len, label, sizeof label))
            continue;
        c->file = label;
        res->files++;
        rt_file(dc, c, data, len, verbose, res);
    }
    for (int i = 0; paths && i < npaths; i++) {
        FILE *f = fopen(paths[i], "rb");
        char *data = NULL;
        size_t len = 0;
        if (f) {
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            rewind(f);
            if (n >= 0 && (data = malloc((size_t)n + 1)))
                len = fread(data, 1, (size_t)n, f);
            fclose(f);
        }
        c->file = paths[i];
        res->files++;
        if (data)
            rt_file(dc, c, data, len, verbose, res);
        else {
            c->name = "(file)";
            c->line = 0;
            c->failed_case = 0;
            rt_fail(c, "cannot be read");
            res->failed++;
        }
        free(data);
    }
    free(c);
    triage_decider_free(dc);
    return paths ? 0 : rt_text(rs, out, verbose, res, first);
}

int rt_run(triage_ruleset *rs, FILE *out, int verbose, rt_result *res, triage_error *first)
{
    return rt_cases(rs, NULL, 0, out, verbose, res, first);
}

triage_code triage_ruleset_test_files(triage_ruleset *rs, const char *const *paths,
                                      int npaths, FILE *out, int verbose,
                                      triage_test_result *res, triage_error *first)
{
    triage_error local;
    if (!first) first = &local;
    if (!rs || !res || (!paths && npaths))
        return triage_error_set(first, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no rule set or files");
    if (rt_cases(rs, paths ? paths : (const char *const[]){NULL}, npaths, out, verbose, res,
                 first) == 0)
        return TRIAGE_OK;
    return first->code != TRIAGE_OK ? first->code : TRIAGE_ENOMEM;
}
