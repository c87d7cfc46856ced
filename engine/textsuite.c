/*
** textsuite.c — the text suite's runner: each passage is read by the text
** layer with the rule set's words and each expectation compared with the
** evidence: a key counted or not, why and by which word, when and which
** date, a measurement's value, keys that must not count.
*/
#include "textsuite.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

static const char *const TT_WHY[] = {"counted", "suspected", "negated", "negated",
                                     "negated", "other_person", "history", "dated"};

/* A measurement key's value in the evidence: 1 and *v when stated. */
static int tt_measure(const tx_evidence *ev, const char *key, double *v)
{
    const tx_somatic *s = ev->somatic;
    if (!strcmp(key, "weight_kg"))
        return *v = s->weight_kg, s->has_weight;
    if (!strcmp(key, "height_cm"))
        return *v = s->height_cm, s->has_height;
    if (!strcmp(key, "bmi"))
        return *v = s->bmi, s->has_bmi;
    if (!strcmp(key, "weight_loss_pct"))
        return *v = s->loss_pct, s->has_loss;
    if (!strcmp(key, "iq"))
        return *v = s->iq, s->has_iq;
    return -1;
}

/* Compare one expectation; on a difference write it into why and return 0. */
static int tt_check(const tx_reader *r, const tx_evidence *ev, json_t *x, char *why, size_t n)
{
    const tx_lexicon *lx = txe_lexicon(r);
    const char *key = json_string_value(json_object_get(x, "key"));
    if (!key) {
        snprintf(why, n, "an expectation without a key");
        return 0;
    }
    json_t *value = json_object_get(x, "value");
    double v;
    int m = tt_measure(ev, key, &v);
    if (value) {
        if (m < 0) {
            snprintf(why, n, "%s: no such measurement", key);
            return 0;
        }
        double want = json_number_value(value);
        if (!m) {
            snprintf(why, n, "%s: want %.2f, none found", key, want);
            return 0;
        }
        if (fabs(round(v * 100) - round(want * 100)) > 0.5) {
            snprintf(why, n, "%s: want %.2f, got %.4f", key, want, v);
            return 0;
        }
        if (!json_object_get(x, "counted"))
            return 1;
    }
    int id = txl_key_id(lx, key);
    if (id < 0) {
        snprintf(why, n, "%s: no such key in the text data", key);
        return 0;
    }
    const tx_keyev *k = &ev->key[id];
    json_t *counted = json_object_get(x, "counted");
    if (counted) {
        int want = json_is_true(counted);
        if (want != k->counted) {
            char expl[256] = "";
            txe_explain_key(r, (uint32_t)id, expl, sizeof expl);
            snprintf(why, n, "%s: want %s, got %s (%s)", key, want ? "counted" : "not counted",
                     k->counted ? "counted" : k->nmention ? TT_WHY[k->why] : "no mention",
                     expl);
            return 0;
        }
        const char *w = json_string_value(json_object_get(x, "why"));
        if (!want && w && (!k->nmention || strcmp(w, TT_WHY[k->why]))) {
            snprintf(why, n, "%s: want why %s, got %s", key, w,
                     k->nmention ? TT_WHY[k->why] : "no mention");
            return 0;
        }
        const char *cue = json_string_value(json_object_get(x, "cue"));
        if (!want && cue && k->mention >= 0) {
            char got[128];
            txe_cue(r, ev->mention[k->mention].cue, got, sizeof got);
            if (strcmp(cue, got)) {
                snprintf(why, n, "%s: want cue '%s', got '%s'", key, cue, got);
                return 0;
            }
        }
    }
    const char *when = json_string_value(json_object_get(x, "when"));
    if (when) {
        const char *got = k->when == TX_WHEN_CURRENT ? "current"
                          : k->when == TX_WHEN_PAST  ? "past"
                                                     : "none";
        if (strcmp(when, got)) {
            snprintf(why, n, "%s: want when %s, got %s", key, when, got);
            return 0;
        }
    }
    const char *date = json_string_value(json_object_get(x, "date"));
    if (date) {
        char got[11] = "none";
        if (k->date != DT_NONE)
            dt_format(k->date, got);
        if (strcmp(date, got)) {
            snprintf(why, n, "%s: want date %s, got %s", key, date, got);
            return 0;
        }
    }
    return 1;
}

/* Run one passage; print what differs to out (named by its id). 1 passed. */
/* One difference of passage id, as rule test failures are printed; the
** first is kept in res. */
static void tt_fail(FILE *out, tt_result *res, const char *file, size_t line, const char *id,
                    const char *what)
{
    if (out)
        fprintf(out, "FAIL %s:%zu: %s: %s\n", file, line, id, what);
    if (!res->first[0])
        snprintf(res->first, sizeof res->first, "%zu: %.60s: %.240s", line, id, what);
}

static int tt_passage(tx_reader *r, json_t *p, const char *file, size_t line, FILE *out,
                      json_t *ids, tt_result *res)
{
    const char *id = json_string_value(json_object_get(p, "id"));
    const char *text = json_string_value(json_object_get(p, "text"));
    const char *recv = json_string_value(json_object_get(p, "received"));
    int32_t day;
    if (!id || !text || !recv || !dt_parse_iso(recv, strlen(recv), &day)) {
        tt_fail(out, res, file, line, id ? id : "?", "a passage needs id, text and received (YYYY-MM-DD)");
        return 0;
    }
    /* The runner names a failure by its id: two passages with one would
    ** send whoever mends it to the wrong one. */
    const char *first = json_string_value(json_object_get(ids, id));
    if (first) {
        char what[200];
        snprintf(what, sizeof what, "the id is used before, at %.160s", first);
        tt_fail(out, res, file, line, id, what);
        return 0;
    }
    if (ids) {
        char where[640];
        snprintf(where, sizeof where, "%s:%zu", file, line);
        json_object_set_new(ids, id, json_string(where));
    }
    /* A misspelt field ("expects") would leave the passage checking nothing,
    ** and passing, unseen. */
    static const char *const fields[] = {"id", "bullet", "referrer", "received", "age",
                                         "text", "expect", "absent", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v) {
        int known = 0;
        for (int f = 0; fields[f] && !known; f++)
            known = !strcmp(fields[f], k);
        if (!known) {
            char what[160];
            snprintf(what, sizeof what, "unknown field '%.100s'", k);
            tt_fail(out, res, file, line, id, what);
            return 0;
        }
    }
    if (!json_array_size(json_object_get(p, "expect")) &&
        !json_array_size(json_object_get(p, "absent"))) {
        tt_fail(out, res, file, line, id, "a passage checks nothing: it needs expect or absent");
        return 0;
    }
    const tx_evidence *ev = txe_read(r, text, strlen(text), day);
    if (!ev) {
        tt_fail(out, res, file, line, id, "the text layer could not read it (out of memory)");
        return 0;
    }
    int ok = 1;
    char why[512];
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(p, "expect"), i, x)
    {
        res->expectations++;
        if (!tt_check(r, ev, x, why, sizeof why)) {
            tt_fail(out, res, file, line, id, why);
            res->failed_expectations++;
            ok = 0;
        }
    }
    json_array_foreach(json_object_get(p, "absent"), i, x)
    {
        const char *key = json_string_value(x);
        double v;
        int m = key ? tt_measure(ev, key, &v) : -1;
        int id2 = key ? txl_key_id(txe_lexicon(r), key) : -1;
        res->expectations++;
        if (m < 0 && id2 < 0) {
            snprintf(why, sizeof why, "%s: no such key in the text data", key ? key : "(no key)");
            tt_fail(out, res, file, line, id, why);
            res->failed_expectations++;
            ok = 0;
        } else if (m > 0 || (m < 0 && ev->key[id2].counted)) {
            char expl[256] = "";
            if (m < 0 && id2 >= 0)
                txe_explain_key(r, (uint32_t)id2, expl, sizeof expl);
            snprintf(why, sizeof why, "%s should not count here%s%s", key ? key : "(no key)",
                     expl[0] ? ": " : "", expl);
            tt_fail(out, res, file, line, id, why);
            res->failed_expectations++;
            ok = 0;
        }
    }
    return ok;
}


int tt_run(tx_reader *r, const char *label, const char *data, size_t len, FILE *out,
           int verbose, json_t *ids, tt_result *res)
{
    int rc = 0;
    size_t ln = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        ln++;
        size_t k = i;
        while (k < e && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r'))
            k++;
        if (k < e) {
            json_error_t je;
            json_t *p = json_loadb(data + i, e - i, 0, &je);
            if (!p) {
                char what[240];
                snprintf(what, sizeof what, "not a passage: %s", je.text);
                tt_fail(out, res, label, ln, "(file)", what);
                rc = -1;
            } else {
                res->passages++;
                int ok = tt_passage(r, p, label, ln, out, ids, res);
                res->passed += ok;
                if (ok && verbose && out)
                    fprintf(out, "ok   %s:%zu: %s\n", label, ln,
                            json_string_value(json_object_get(p, "id")));
                json_decref(p);
            }
        }
        i = e + 1;
    }
    return rc;
}
