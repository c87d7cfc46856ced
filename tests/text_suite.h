/*
** text_suite.h — the text suite's runner (the .jsonl files of tests/data/text/, format in
** tests/data/text/README.md): each passage is read by the text layer with
** the rule set's word lists, and each expectation compared with the
** evidence. Shared by test_text_suite.c (ctest) and bench/text.c.
*/
#ifndef TRIAGE_TEXT_SUITE_H
#define TRIAGE_TEXT_SUITE_H
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "text_evidence.h"

typedef struct ts_result {
    int passages, passed;
    int expectations, failed_expectations;
} ts_result;

static const char *const TS_WHY[] = {"counted", "suspected", "negated", "negated",
                                     "negated", "other_person", "history", "dated"};

/* A measurement key's value in the evidence: 1 and *v when stated. */
static int ts_measure(const tx_evidence *ev, const char *key, double *v)
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
static int ts_check(const tx_reader *r, const tx_evidence *ev, json_t *x, char *why, size_t n)
{
    const tx_lexicon *lx = txe_lexicon(r);
    const char *key = json_string_value(json_object_get(x, "key"));
    if (!key) {
        snprintf(why, n, "an expectation without a key");
        return 0;
    }
    json_t *value = json_object_get(x, "value");
    double v;
    int m = ts_measure(ev, key, &v);
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
                     k->counted ? "counted" : k->nmention ? TS_WHY[k->why] : "no mention",
                     expl);
            return 0;
        }
        const char *w = json_string_value(json_object_get(x, "why"));
        if (!want && w && (!k->nmention || strcmp(w, TS_WHY[k->why]))) {
            snprintf(why, n, "%s: want why %s, got %s", key, w,
                     k->nmention ? TS_WHY[k->why] : "no mention");
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
static int ts_passage(tx_reader *r, json_t *p, const char *file, size_t line, FILE *out,
                      ts_result *res)
{
    const char *id = json_string_value(json_object_get(p, "id"));
    const char *text = json_string_value(json_object_get(p, "text"));
    const char *recv = json_string_value(json_object_get(p, "received"));
    int32_t day;
    if (!id || !text || !recv || !dt_parse_iso(recv, strlen(recv), &day)) {
        fprintf(out, "%s:%zu: a passage needs id, text and received (YYYY-MM-DD)\n", file, line);
        return 0;
    }
    const tx_evidence *ev = txe_read(r, text, strlen(text), day);
    if (!ev) {
        fprintf(out, "%s: the text layer could not read it\n", id);
        return 0;
    }
    int ok = 1;
    char why[512];
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(p, "expect"), i, x)
    {
        res->expectations++;
        if (!ts_check(r, ev, x, why, sizeof why)) {
            fprintf(out, "%s: %s\n", id, why);
            res->failed_expectations++;
            ok = 0;
        }
    }
    json_array_foreach(json_object_get(p, "absent"), i, x)
    {
        const char *key = json_string_value(x);
        double v;
        int m = key ? ts_measure(ev, key, &v) : -1;
        int id2 = key ? txl_key_id(txe_lexicon(r), key) : -1;
        res->expectations++;
        if (m > 0 || (m < 0 && id2 >= 0 && ev->key[id2].counted) || (m < 0 && id2 < 0)) {
            char expl[256] = "";
            if (m < 0 && id2 >= 0)
                txe_explain_key(r, (uint32_t)id2, expl, sizeof expl);
            fprintf(out, "%s: %s should not count here%s%s\n", id, key ? key : "(no key)",
                    expl[0] ? ": " : "", expl);
            res->failed_expectations++;
            ok = 0;
        }
    }
    return ok;
}

static int ts_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every .jsonl file of dir; failures go to out. 0 ok, -1 a file unreadable. */
static int ts_run_dir(tx_reader *r, const char *dir, FILE *out, ts_result *res)
{
    memset(res, 0, sizeof *res);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(out, "%s: cannot open\n", dir);
        return -1;
    }
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 256) {
        size_t l = strlen(e->d_name);
        if (l > 6 && !strcmp(e->d_name + l - 6, ".jsonl"))
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, ts_name_cmp);
    int rc = 0;
    for (size_t f = 0; f < nn; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        FILE *fp = fopen(path, "r");
        if (!fp) {
            fprintf(out, "%s: cannot open\n", path);
            rc = -1;
            free(names[f]);
            continue;
        }
        char *line = NULL;
        size_t cap = 0, ln = 0;
        while (getline(&line, &cap, fp) > 0) {
            ln++;
            if (line[0] == '\n' || line[0] == 0)
                continue;
            json_error_t je;
            json_t *p = json_loads(line, 0, &je);
            if (!p) {
                fprintf(out, "%s:%zu: %s\n", names[f], ln, je.text);
                rc = -1;
                continue;
            }
            res->passages++;
            res->passed += ts_passage(r, p, names[f], ln, out, res);
            json_decref(p);
        }
        free(line);
        fclose(fp);
        free(names[f]);
    }
    return rc;
}
#endif
