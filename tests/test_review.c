/*
** test_review.c — intake staff reviewing the rules' suggestions through
** the API: confirm, override (a reason required, a decision the schema and
** the policy allow), assign, note, answer the referrer; the status each
** brings; the audit log beside the suggestion and its rule set, append-only;
** a later rule set's suggestion never overwriting a person's decision; and
** every refusal saying why with nothing stored. No CPR in the log or the
** request log.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decision.h"
#include "servefix.h"

#define CPR "1406111234"
#define ADHD ",\"diagnoses\":[\"F90.0\"]"           /* request_info: cognitive, ppv */
#define AUTISM ",\"diagnoses\":[\"F84.0\"],\"assessments\":[{\"kind\":\"cognitive\"," \
               "\"date\":\"2019-10-01\"},{\"kind\":\"ppv\",\"date\":\"2019-11-01\"}]"  /* accept B193 */
#define WELLBEING ",\"text\":\"Skolefravær og konflikter.\""  /* redirect municipality */

static sf_server S;
static hc_client anna;

static int setup(void **state)
{
    if (sf_start(&S, NULL, NULL, NULL) != 0) return -1;
    anna = sf_client(&S);
    return hc_login(&anna, SF_INTAKE, SF_PW(SF_INTAKE)) == 200 ? 0 : -1;
}

static int teardown(void **state)
{
    sf_stop(&S);
    return 0;
}

static long entries(const char *id)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE referral_id = '%s'", id);
    return sf_count(&S, sql);
}

static hc_resp review(hc_client *c, const char *id, const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/api/referrals/%s/review", id);
    return hc_post(c, path, body);
}

static json_t *audit_of(const char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/api/referrals/%s/audit", id);
    hc_resp r = hc_get(&anna, path);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    hc_free(&r);
    return j;
}

/* The refusal: status, what it says, the field it names (NULL: none), and
** the referral's log unchanged. */
static void refused(const char *id, const char *body, int status, const char *says,
                    const char *field)
{
    long before = entries(id);
    hc_resp r = review(&anna, id, body);
    if (r.status != status || !strstr(hc_str(r.json, "error") ?: "", says))
        fail_msg("%s: want %d '%s', got %d %s", body, status, says, r.status, r.body);
    if (field) assert_string_equal(hc_str(r.json, "field") ?: "(none)", field);
    hc_free(&r);
    assert_int_equal(entries(id), before);
}

/* ---------------------------------------------------------------- confirm */

static void test_review_confirm_keeps_the_suggestion_and_its_rule_set_beside_it(void **state)
{
    assert_int_equal(sf_post(&S, "RV-CONF", AUTISM), 0);
    hc_resp r = review(&anna, "RV-CONF", "{\"action\":\"confirm\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(hc_str(r.json, "status"), "confirmed");
    hc_free(&r);
    json_t *a = audit_of("RV-CONF");
    assert_string_equal(hc_str(a, "status"), "confirmed");
    assert_string_equal(hc_str(a, "decided_by"), SF_INTAKE);
    json_t *e = json_array_get(json_object_get(a, "entries"), 0);
    assert_string_equal(hc_str(e, "action"), "confirm");
    assert_string_equal(hc_str(e, "actor"), SF_INTAKE);
    assert_non_null(hc_str(e, "at"));
    json_t *sugg = json_object_get(e, "suggestion"), *dec = json_object_get(e, "decision");
    assert_string_equal(hc_str(sugg, "unit"), "B193");
    assert_string_equal(hc_str(dec, "unit"), "B193");
    assert_int_equal(strlen(hc_str(e, "ruleset")), 64);
    assert_string_equal(hc_str(e, "ruleset"), hc_str(sugg, "ruleset"));
    json_decref(a);
}

static void test_review_confirm_of_manual_review_is_refused(void **state)
{
    assert_int_equal(sf_post(&S, "RV-MANUAL", AUTISM), 0);
    /* a later rule set could not decide it */
    triage_error err;
    triage_store *st = triage_store_open(S.db, &err);
    triage_decision *d = dc_new("RV-MANUAL", "feedfeedfeedfeedfeedfeedfeedfeedfeedfeedfeedfeedfeedfeedfeedfeed", 0);
    dc_manual_review(d, "ENGINE", "Ingen regel traf en afgørelse.");
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
    triage_decision_free(d);
    triage_store_close(st);
    refused("RV-MANUAL", "{\"action\":\"confirm\"}", 409, "override", NULL);
    hc_resp r = review(&anna, "RV-MANUAL", "{\"action\":\"override\",\"outcome\":\"accept\","
                       "\"target\":\"buc\",\"unit\":\"B193\",\"priority\":\"routine\","
                       "\"deadline\":\"2020-04-01\",\"reason\":\"Autisme, dokumentation er vedlagt.\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
}

/* --------------------------------------------------------------- override */

static void test_review_override_without_reason_is_refused_and_nothing_stored(void **state)
{
    assert_int_equal(sf_post(&S, "RV-NOREASON", WELLBEING), 0);
    refused("RV-NOREASON", "{\"action\":\"override\",\"outcome\":\"redirect\","
            "\"target\":\"specialist_practice\"}", 400, "an override needs a reason", "reason");
    refused("RV-NOREASON", "{\"action\":\"override\",\"outcome\":\"redirect\","
            "\"target\":\"specialist_practice\",\"reason\":\"  \\n \"}", 400, "needs a reason", "reason");
    json_t *a = audit_of("RV-NOREASON");
    assert_string_equal(hc_str(a, "status"), "suggested");
    json_decref(a);
}

static void test_review_override_outside_the_schema_is_refused_and_nothing_stored(void **state)
{
    assert_int_equal(sf_post(&S, "RV-SCHEMA", WELLBEING), 0);
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"maybe\",\"reason\":\"x\"}",
            400, "one of accept, request_info", "outcome");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"reason\":\"x\"}", 400, "one of accept", "outcome");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"redirect\",\"target\":\"moon\","
            "\"reason\":\"x\"}", 400, "not one of buc", "target");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"request_info\",\"missing\":"
            "[\"x-ray\"],\"request_from\":\"referrer\",\"reason\":\"x\"}", 400, "not one of",
            "missing[0]");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"accept\",\"target\":\"buc\","
            "\"unit\":\"B193\",\"priority\":\"routine\",\"deadline\":\"2020-02-30\","
            "\"reason\":\"x\"}", 400, "not a date", "deadline");
    /* schema-valid, but no decision a person can make */
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"manual_review\",\"reason\":\"x\"}",
            400, "a person decides", "outcome");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"accept\",\"target\":\"buc\","
            "\"reason\":\"x\"}", 400, "needs a unit", "unit");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"request_info\",\"reason\":\"x\"}",
            400, "what is missing", "missing");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"redirect\",\"reason\":\"x\"}",
            400, "names where to", "target");
    /* and not a unit of the policy */
    refused("RV-SCHEMA", "{\"action\":\"override\",\"outcome\":\"accept\",\"target\":\"buc\","
            "\"unit\":\"B999\",\"priority\":\"routine\",\"deadline\":\"2020-04-01\","
            "\"reason\":\"x\"}", 400, "not a unit of the policy", "unit");
    refused("RV-SCHEMA", "{\"action\":\"overrule\"}", 400, "not one of confirm", "action");
    refused("RV-SCHEMA", "{\"action\":\"override\",\"reson\":\"typo\"}", 400, "not a field", "reson");
    assert_int_equal(entries("RV-SCHEMA"), 0);
}

/* A deadline is a day after the referral came: one before it (a typo of the
** year) would go to the referrer as "senest" a day already past. */
static void test_review_override_with_a_deadline_before_received_is_refused(void **state)
{
    assert_int_equal(sf_post(&S, "RV-EARLY", WELLBEING), 0);     /* received 2020-03-02 */
    refused("RV-EARLY", "{\"action\":\"override\",\"outcome\":\"accept\",\"target\":\"buc\","
            "\"unit\":\"B193\",\"priority\":\"urgent\",\"deadline\":\"2019-03-16\","
            "\"reason\":\"x\"}", 400, "before the referral was received (2020-03-02)", "deadline");
    refused("RV-EARLY", "{\"action\":\"override\",\"outcome\":\"redirect\",\"target\":"
            "\"adult_psychiatry\",\"priority\":\"acute\",\"deadline\":\"2020-03-01\","
            "\"reason\":\"x\"}", 400, "before the referral was received", "deadline");
    hc_resp r = review(&anna, "RV-EARLY", "{\"action\":\"override\",\"outcome\":\"accept\","
                       "\"target\":\"buc\",\"unit\":\"B193\",\"priority\":\"acute\","
                       "\"deadline\":\"2020-03-02\",\"reason\":\"Akut: samme dag.\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
}

static void test_review_override_is_logged_with_the_persons_decision_and_reason(void **state)
{
    assert_int_equal(sf_post(&S, "RV-OVER", WELLBEING), 0);
    hc_resp r = review(&anna, "RV-OVER", "{\"action\":\"override\",\"outcome\":\"request_info\","
                       "\"missing\":[\"ppv\",\"cognitive_assessment\"],\"request_from\":\"municipality\","
                       "\"reason\":\"Lang skolevægring; udredning for autisme er relevant.\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(hc_str(r.json, "status"), "overridden");
    hc_free(&r);
    json_t *a = audit_of("RV-OVER");
    json_t *dec = json_object_get(a, "decision");
    assert_string_equal(hc_str(dec, "outcome"), "request_info");
    json_t *missing = json_object_get(dec, "missing");
    assert_string_equal(json_string_value(json_array_get(missing, 0)), "cognitive_assessment");
    assert_string_equal(json_string_value(json_array_get(missing, 1)), "ppv");
    json_t *e = json_array_get(json_object_get(a, "entries"), 0);
    assert_string_equal(hc_str(e, "action"), "override");
    assert_string_equal(hc_str(e, "text"), "Lang skolevægring; udredning for autisme er relevant.");
    assert_string_equal(hc_str(json_object_get(e, "suggestion"), "outcome"), "redirect");
    json_decref(a);
}

/* A later rule set's suggestion is logged, but the person's decision stays
** in force: the status, the decision, the letter. */
static void test_review_later_rule_set_never_overwrites_a_persons_decision(void **state)
{
    assert_int_equal(sf_post(&S, "RV-LATER", WELLBEING), 0);
    hc_resp r = review(&anna, "RV-LATER", "{\"action\":\"override\",\"outcome\":\"redirect\","
                       "\"target\":\"specialist_practice\",\"reason\":\"ADHD beskrevet i brevet.\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
    triage_error err;
    triage_store *st = triage_store_open(S.db, &err);
    triage_decision *d = dc_new("RV-LATER", "abababababababababababababababababababababababababababababababab", 0);
    d->outcome = TRIAGE_REJECT;
    dc_add_reason(d, "NEW-01", "En ny regel.");
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
    triage_decision_free(d);
    triage_store_close(st);

    json_t *a = audit_of("RV-LATER");
    assert_string_equal(hc_str(a, "status"), "overridden");
    assert_string_equal(hc_str(json_object_get(a, "decision"), "target"), "specialist_practice");
    assert_string_equal(hc_str(json_object_get(a, "suggestion"), "outcome"), "reject");
    json_decref(a);
    r = hc_get(&anna, "/api/referrals?review=overridden&q=RV-LATER");
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    hc_free(&r);
    r = hc_get(&anna, "/api/referrals/RV-LATER/answer");
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "by_person")));
    assert_non_null(strstr(hc_str(json_object_get(r.json, "letter"), "body"), "speciallæge"));
    hc_free(&r);
}

/* --------------------------------------------------- assign, note, answer */

static void test_review_assign_to_a_colleague_and_filter_the_work_list(void **state)
{
    assert_int_equal(sf_post(&S, "RV-ASSIGN", ADHD), 0);
    refused("RV-ASSIGN", "{\"action\":\"assign\",\"assignee\":\"" SF_AUTHOR "\"}", 400,
            "not an active intake account", "assignee");
    refused("RV-ASSIGN", "{\"action\":\"assign\",\"assignee\":\"" SF_GONE "\"}", 400,
            "not an active intake account", "assignee");
    hc_resp r = review(&anna, "RV-ASSIGN", "{\"action\":\"assign\",\"assignee\":\"" SF_INTAKE2 "\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(hc_str(r.json, "status"), "suggested");
    hc_free(&r);
    r = hc_get(&anna, "/api/referrals?assignee=" SF_INTAKE2);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(hc_str(json_array_get(items, 0), "id"), "RV-ASSIGN");
    assert_string_equal(hc_str(json_array_get(items, 0), "assignee"), SF_INTAKE2);
    assert_string_equal(hc_str(json_array_get(items, 0), "review"), "suggested");
    hc_free(&r);
    r = review(&anna, "RV-ASSIGN", "{\"action\":\"assign\",\"assignee\":null}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
    r = hc_get(&anna, "/api/referrals?assignee=-&q=RV-ASSIGN");
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    hc_free(&r);
}

static void test_review_note_is_kept_with_any_cpr_masked(void **state)
{
    assert_int_equal(sf_post(&S, "RV-NOTE", ADHD), 0);
    refused("RV-NOTE", "{\"action\":\"note\"}", 400, "a note needs a text", "text");
    hc_resp r = review(&anna, "RV-NOTE", "{\"action\":\"note\",\"text\":\"Mor ringede; "
                       "barnets CPR " CPR " og 140611-1234 står i brevet.\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
    json_t *a = audit_of("RV-NOTE");
    char *all = json_dumps(a, 0);
    assert_null(strstr(all, CPR));
    assert_null(strstr(all, "140611-1234"));
    assert_non_null(strstr(all, "Mor ringede"));
    free(all);
    json_decref(a);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM audit WHERE text LIKE '%1406111234%'"
                     " OR text LIKE '%140611-1234%' OR decision LIKE '%1406111234%'"), 0);
}

static void test_review_answer_needs_a_persons_decision_and_keeps_the_letter(void **state)
{
    assert_int_equal(sf_post(&S, "RV-ANSWER", ADHD), 0);
    refused("RV-ANSWER", "{\"action\":\"answer\"}", 409, "confirm or override", NULL);
    hc_resp r = hc_get(&anna, "/api/referrals/RV-ANSWER/answer?date=2020-03-05");
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "by_person")));   /* a draft */
    const char *body = hc_str(json_object_get(r.json, "letter"), "body");
    assert_non_null(strstr(body, "kognitiv vurdering"));
    assert_non_null(strstr(body, "pædagogisk-psykologisk vurdering"));
    assert_non_null(strstr(body, "19. marts 2020"));    /* 14 days after the letter */
    hc_free(&r);
    r = review(&anna, "RV-ANSWER", "{\"action\":\"confirm\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
    r = review(&anna, "RV-ANSWER", "{\"action\":\"answer\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(hc_str(r.json, "status"), "answered");
    assert_non_null(strstr(hc_str(json_object_get(r.json, "letter"), "subject"), "RV-ANSWER"));
    hc_free(&r);
    r = hc_get(&anna, "/api/referrals/RV-ANSWER/answer");
    json_t *sent = json_object_get(r.json, "sent");
    assert_string_equal(hc_str(sent, "by"), SF_INTAKE);
    assert_non_null(strstr(hc_str(sent, "text"), "Emne: Svar på henvisning RV-ANSWER"));
    assert_non_null(strstr(hc_str(sent, "text"), "PPR, Gladsaxe Kommune"));
    hc_free(&r);
    json_t *a = audit_of("RV-ANSWER");
    assert_string_equal(hc_str(a, "status"), "answered");
    json_decref(a);
}

/* ---------------------------------------------------- two people at once */

static void test_review_stale_view_and_changed_suggestion_are_refused(void **state)
{
    assert_int_equal(sf_post(&S, "RV-STALE", AUTISM), 0);
    json_t *a = audit_of("RV-STALE");
    long seen = (long)json_integer_value(json_object_get(a, "last_seq"));
    long sugg = (long)json_integer_value(json_object_get(a, "suggestion_seq"));
    json_decref(a);
    hc_client bo = sf_client(&S);
    assert_int_equal(hc_login(&bo, SF_INTAKE2, SF_PW(SF_INTAKE2)), 200);
    char body[300];
    snprintf(body, sizeof body, "{\"action\":\"confirm\",\"seen\":%ld,\"suggestion\":%ld}", seen, sugg);
    hc_resp r = review(&bo, "RV-STALE", body);
    assert_int_equal(r.status, 201);
    hc_free(&r);
    /* anna opened it before bo confirmed */
    refused("RV-STALE", body, 409, "since you opened it", "seen");
    snprintf(body, sizeof body, "{\"action\":\"confirm\",\"suggestion\":%ld}", sugg + 1000);
    refused("RV-STALE", body, 409, "suggestion has changed", "suggestion");
}

static void test_review_same_key_twice_appends_once(void **state)
{
    assert_int_equal(sf_post(&S, "RV-KEY", AUTISM), 0);
    assert_int_equal(sf_post(&S, "RV-KEY2", AUTISM), 0);
    hc_resp r1 = review(&anna, "RV-KEY", "{\"action\":\"note\",\"text\":\"a\",\"key\":\"k-1\"}");
    hc_resp r2 = review(&anna, "RV-KEY", "{\"action\":\"note\",\"text\":\"a\",\"key\":\"k-1\"}");
    assert_int_equal(r1.status, 201);
    assert_int_equal(r2.status, 200);
    assert_true(json_is_true(json_object_get(r2.json, "repeated")));
    assert_int_equal(json_integer_value(json_object_get(r1.json, "seq")),
                     json_integer_value(json_object_get(r2.json, "seq")));
    hc_free(&r1);
    hc_free(&r2);
    assert_int_equal(entries("RV-KEY"), 1);
    refused("RV-KEY2", "{\"action\":\"note\",\"text\":\"a\",\"key\":\"k-1\"}", 409,
            "already used for another referral", "key");
}

/* ---------------------------------------------------------- the log itself */

static void test_review_log_is_append_only_and_unknown_referrals_are_404(void **state)
{
    assert_int_equal(sf_post(&S, "RV-APPEND", AUTISM), 0);
    hc_resp r = review(&anna, "RV-APPEND", "{\"action\":\"confirm\"}");
    hc_free(&r);
    assert_int_equal(sf_exec(&S, "UPDATE audit SET actor = 'x' WHERE referral_id = 'RV-APPEND'"),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sf_exec(&S, "DELETE FROM audit WHERE referral_id = 'RV-APPEND'"),
                     SQLITE_CONSTRAINT);
    assert_int_equal(entries("RV-APPEND"), 1);
    r = hc_get(&anna, "/api/referrals/NO-SUCH/audit");
    assert_int_equal(r.status, 404);
    hc_free(&r);
    refused("NO-SUCH", "{\"action\":\"confirm\"}", 404, "no referral", NULL);
}

static void test_review_no_cpr_in_the_request_log(void **state)
{
    char extra[200];
    snprintf(extra, sizeof extra, ",\"text\":\"CPR " CPR " nævnt.\"");
    assert_int_equal(sf_post(&S, "RV-LOG", extra), 0);
    hc_resp r = review(&anna, "RV-LOG", "{\"action\":\"note\",\"text\":\"" CPR "\"}");
    hc_free(&r);
    r = hc_get(&anna, "/api/referrals?q=" CPR);
    hc_free(&r);
    char *log = sf_log(&S);
    assert_null(strstr(log, CPR));
    assert_non_null(strstr(log, "POST /api/referrals/RV-LOG/review 201"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_confirm_keeps_the_suggestion_and_its_rule_set_beside_it),
        cmocka_unit_test(test_review_confirm_of_manual_review_is_refused),
        cmocka_unit_test(test_review_override_without_reason_is_refused_and_nothing_stored),
        cmocka_unit_test(test_review_override_outside_the_schema_is_refused_and_nothing_stored),
        cmocka_unit_test(test_review_override_with_a_deadline_before_received_is_refused),
        cmocka_unit_test(test_review_override_is_logged_with_the_persons_decision_and_reason),
        cmocka_unit_test(test_review_later_rule_set_never_overwrites_a_persons_decision),
        cmocka_unit_test(test_review_assign_to_a_colleague_and_filter_the_work_list),
        cmocka_unit_test(test_review_note_is_kept_with_any_cpr_masked),
        cmocka_unit_test(test_review_answer_needs_a_persons_decision_and_keeps_the_letter),
        cmocka_unit_test(test_review_stale_view_and_changed_suggestion_are_refused),
        cmocka_unit_test(test_review_same_key_twice_appends_once),
        cmocka_unit_test(test_review_log_is_append_only_and_unknown_referrals_are_404),
        cmocka_unit_test(test_review_no_cpr_in_the_request_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
