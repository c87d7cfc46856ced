/*
** decision_read.c — a decision read from JSON, as a person's decision comes
** to the review API and as the review log keeps it: decision.schema.json's
** types, enums and dates, each error naming its field; and the check that
** a decision is one a person can make (the spec's decision fields).
*/
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "decision.h"

static triage_decision *dr_fail(triage_error *err, triage_decision *d, const char *id,
                                const char *field, const char *what)
{
    triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, id, field, "%s", what);
    triage_decision_free(d);
    return NULL;
}

/* A member that must be a string or null (or absent): its index in names,
** -1 for null, -2 when it is none of them. */
static int dr_enum(json_t *o, const char *key, const char *const *names, int n)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return -1;
    for (int i = 0; json_is_string(v) && i < n; i++)
        if (!strcmp(json_string_value(v), names[i])) return i;
    return -2;
}

static triage_decision *dr_reasons(triage_decision *d, json_t *reasons, triage_error *err)
{
    size_t i;
    json_t *r;
    if (!json_is_array(reasons))
        return dr_fail(err, d, d->id, "reasons", "required, an array of {rule, text}");
    json_array_foreach(reasons, i, r) {
        const char *rule = json_string_value(json_object_get(r, "rule"));
        const char *text = json_string_value(json_object_get(r, "text"));
        char field[32];
        snprintf(field, sizeof field, "reasons[%zu]", i);
        if (!json_is_object(r) || !rule || !text)
            return dr_fail(err, d, d->id, field, "needs \"rule\" and \"text\", both strings");
        if (dc_add_reason(d, rule, text) != 0)
            return dr_fail(err, d, d->id, field, "out of memory");
    }
    return d;
}

triage_decision *triage_decision_parse(const char *json, size_t len, triage_error *err)
{
    static const char *const outcomes[] = {"accept", "request_info", "redirect", "reject",
                                           "manual_review"};
    json_error_t je;
    json_t *o = json ? json_loadb(json, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    triage_decision *d = NULL;
    if (!o) {
        triage_error_set(err, TRIAGE_EJSON, NULL, je.line, NULL, NULL, "%s",
                         json ? je.text : "no JSON");
        return NULL;
    }
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *ruleset = json_string_value(json_object_get(o, "ruleset"));
    json_t *unit = json_object_get(o, "unit"), *deadline = json_object_get(o, "deadline");
    json_t *missing = json_object_get(o, "missing");
    int outcome, target, priority, from;
    if (!json_is_object(o)) {
        d = dr_fail(err, d, NULL, "decision", "must be a JSON object");
    } else if (!id || !*id || strlen(id) > 64) {
        d = dr_fail(err, d, NULL, "id", "required, a string of 1 to 64 bytes");
    } else if (!(d = dc_new(id, NULL, 0))) {
        d = dr_fail(err, d, id, "decision", "out of memory");
    } else if ((outcome = dr_enum(o, "outcome", outcomes, 5)) < 0) {
        d = dr_fail(err, d, id, "outcome",
                    "required, one of accept, request_info, redirect, reject, manual_review");
    } else if ((target = dr_enum(o, "target", dc_target_names, 5)) == -2) {
        d = dr_fail(err, d, id, "target", "not one of buc, specialist_practice, municipality, "
                    "adult_psychiatry, other_region, null");
    } else if (unit && !json_is_null(unit) &&
               (!json_is_string(unit) || !json_string_length(unit) ||
                json_string_length(unit) >= sizeof d->unit)) {
        d = dr_fail(err, d, id, "unit", "a unit code (a string of 1 to 15 bytes) or null");
    } else if ((priority = dr_enum(o, "priority", dc_priority_names, 3)) == -2) {
        d = dr_fail(err, d, id, "priority", "not one of acute, urgent, routine, null");
    } else if (deadline && !json_is_null(deadline) &&
               (!json_is_string(deadline) ||
                !dt_parse_iso(json_string_value(deadline), json_string_length(deadline),
                              &d->deadline))) {
        d = dr_fail(err, d, id, "deadline", "not a date (YYYY-MM-DD) or null");
    } else if (missing && !json_is_array(missing)) {
        d = dr_fail(err, d, id, "missing", "an array of missing items");
    } else if ((from = dr_enum(o, "request_from", dc_request_names, 2)) == -2) {
        d = dr_fail(err, d, id, "request_from", "not one of referrer, municipality, null");
    } else if (!ruleset || strlen(ruleset) > 64) {
        d = dr_fail(err, d, id, "ruleset", "required, a rule set hash (a string)");
    } else {
        snprintf(d->ruleset, sizeof d->ruleset, "%s", ruleset);
        d->outcome = outcome;
        d->target = target;
        d->priority = priority;
        d->request_from = from;
        if (json_is_string(unit)) snprintf(d->unit, sizeof d->unit, "%s", json_string_value(unit));
        size_t i;
        json_t *m;
        json_array_foreach(missing, i, m) {
            int k = -1;
            for (int j = 0; json_is_string(m) && j < MI__N; j++)
                if (!strcmp(json_string_value(m), dc_missing_names[j])) k = j;
            char field[32];
            snprintf(field, sizeof field, "missing[%zu]", i);
            if (k < 0 || (d->missing & (1u << k))) {
                d = dr_fail(err, d, id, field, k < 0
                    ? "not one of cognitive_assessment, updated_cognitive_assessment, ppv, "
                      "consent_both_custodians, somatic_measurements"
                    : "named twice");
                break;
            }
            d->missing |= 1u << k;
        }
        if (d) d = dr_reasons(d, json_object_get(o, "reasons"), err);
    }
    json_decref(o);
    return d;
}

triage_code triage_decision_check(const triage_decision *d, triage_error *err)
{
    const char *id = d ? d->id : NULL, *field = NULL, *what = NULL;
    int timed = d && (d->priority >= 0 || d->deadline != DT_NONE);
    if (!d) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, "decision", "no decision");
    switch (d->outcome) {
    case TRIAGE_ACCEPT:
        if (d->target != 0) field = "target", what = "an accepted referral goes to buc";
        else if (!d->unit[0]) field = "unit", what = "an accepted referral needs a unit";
        else if (d->priority < 0) field = "priority", what = "an accepted referral needs a priority";
        else if (d->deadline == DT_NONE) field = "deadline", what = "an accepted referral needs a deadline";
        break;
    case TRIAGE_REQUEST_INFO:
        if (!d->missing) field = "missing", what = "say what is missing";
        else if (d->request_from < 0) field = "request_from", what = "say whom the items are asked of";
        else if (d->target >= 0) field = "target", what = "a request for information has no target";
        else if (d->unit[0] || timed) field = "unit", what = "a request for information has no unit, priority or deadline";
        break;
    case TRIAGE_REDIRECT:
        if (d->target <= 0) field = "target", what = "a redirect names where to: specialist_practice, "
                                                     "municipality, adult_psychiatry or other_region";
        else if (d->unit[0]) field = "unit", what = "a redirected referral has no BUC unit";
        else if ((d->priority >= 0) != (d->deadline != DT_NONE))
            field = "deadline", what = "an acute redirect has both a priority and a deadline";
        break;
    case TRIAGE_REJECT:
        if (d->target >= 0) field = "target", what = "a rejected referral has no target";
        else if (d->unit[0] || timed) field = "unit", what = "a rejected referral has no unit, priority or deadline";
        break;
    default:
        field = "outcome", what = "manual_review is for the rules to say they could not decide; "
                                  "a person decides accept, request_info, redirect or reject";
    }
    if (!field && d->outcome != TRIAGE_REQUEST_INFO && (d->missing || d->request_from >= 0))
        field = "missing", what = "missing items and request_from go with request_info only";
    if (!field) return triage_error_set(err, TRIAGE_OK, NULL, 0, NULL, NULL, NULL);
    return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, id, field, "%s", what);
}
