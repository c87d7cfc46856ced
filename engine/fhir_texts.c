/*
** fhir_texts.c — the Danish texts of the FHIR answer, read from the rule
** set's data/fhir.json: every key the writer needs is checked once, at
** load, so that a decision is never written with a text missing.
*/
#include <stdlib.h>
#include <string.h>
#include "fhir_out.h"
#include "referral_json.h"
#include "rules.h"

struct fx_texts { json_t *j; };

/* What the writer reads: "group.key", each a non-empty string (reply_days
** is checked on its own). */
static const char *const fxt_required[] = {
    "sender.name", "sender.endpoint",
    "outcome.accept", "outcome.request_info", "outcome.redirect", "outcome.reject",
    "outcome.manual_review", "medcom_type.accept", "medcom_type.redirect",
    "medcom_type.reject", "info_needed",
    "missing.cognitive_assessment", "missing.updated_cognitive_assessment", "missing.ppv",
    "missing.consent_both_custodians", "missing.somatic_measurements",
    "request_category", "request_topic", "recipient.referrer", "recipient.municipality",
    "target.buc", "target.specialist_practice", "target.municipality",
    "target.adult_psychiatry", "target.other_region", "unit", "redirected", "withdrawn"};

const char *fxt(const fx_texts *t, const char *group, const char *key)
{
    const json_t *g = json_object_get(t->j, group);
    return json_string_value(key ? json_object_get(g, key) : g);
}

int fxt_reply_days(const fx_texts *t)
{
    return (int)json_integer_value(json_object_get(t->j, "reply_days"));
}

fx_texts *fx_texts_parse(const char *text, size_t len, const char *label, triage_error *err)
{
    json_t *j = rf_load(text, len, label, 0, err);
    if (!j) return NULL;
    if (!json_is_object(j)) {
        triage_error_set(err, TRIAGE_EINVAL, label, 0, NULL, NULL, "must be a JSON object");
        json_decref(j);
        return NULL;
    }
    for (size_t i = 0; i < sizeof fxt_required / sizeof *fxt_required; i++) {
        char group[48];
        const char *dot = strchr(fxt_required[i], '.');
        snprintf(group, sizeof group, "%.*s", dot ? (int)(dot - fxt_required[i]) : 47,
                 fxt_required[i]);
        const json_t *v = json_object_get(j, group);
        if (dot) v = json_object_get(v, dot + 1);
        if (!json_is_string(v) || !json_string_length(v)) {
            triage_error_set(err, TRIAGE_EINVAL, label, 0, NULL, fxt_required[i], "%s",
                     v ? "must be a text (a non-empty string)" : "missing");
            json_decref(j);
            return NULL;
        }
    }
    const json_t *days = json_object_get(j, "reply_days");
    if (!json_is_integer(days) || json_integer_value(days) < 1 || json_integer_value(days) > 365) {
        triage_error_set(err, TRIAGE_EINVAL, label, 0, NULL, "reply_days", "must be a whole number of "
                 "days, 1 to 365");
        json_decref(j);
        return NULL;
    }
    fx_texts *t = malloc(sizeof *t);
    if (!t) {
        triage_error_set(err, TRIAGE_ENOMEM, label, 0, NULL, NULL, "out of memory");
        json_decref(j);
        return NULL;
    }
    t->j = j;
    return t;
}

fx_texts *fx_texts_load(const triage_ruleset *rs, triage_error *err)
{
    const char *path, *data;
    size_t len;
    char label[300];
    for (int i = 0; i < rl_file_count(rs); i++) {
        rl_file(rs, i, &path, &data, &len);
        if (strcmp(path, FX_TEXTS_FILE)) continue;
        snprintf(label, sizeof label, "%s/%s", rl_dir(rs), path);
        return fx_texts_parse(data, len, label, err);
    }
    triage_error_set(err, TRIAGE_EUSAGE, rl_dir(rs), 0, NULL, NULL,
             "the rule set has no %s (the Danish texts of the FHIR answer)", FX_TEXTS_FILE);
    return NULL;
}

void fx_texts_free(fx_texts *t)
{
    if (!t) return;
    json_decref(t->j);
    free(t);
}
