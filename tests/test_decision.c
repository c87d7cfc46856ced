/*
** test_decision.c — decisions: JSON shape and key order per
** decision.schema.json, enum orders, CPR masking, manual review, freeing.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "cpr.h"
#include "decision.h"
#include "date.h"

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_json(triage_decision *d, const char *want)
{
    char *s = triage_decision_json(d);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_accept_json_has_the_schemas_keys_in_order(void **state)
{
    triage_decision *d = dc_new("EX-03", HASH, 0);
    assert_non_null(d);
    d->outcome = TRIAGE_ACCEPT;
    d->target = dc_target_index("buc");
    strcpy(d->unit, "B205");
    d->priority = dc_priority_index("acute");
    d->deadline = dt_from_ymd(2020, 11, 5);
    assert_int_equal(dc_add_reason(d, "ACU-01", "Selvmordsforsøg"), 0);
    expect_json(d, "{\"id\":\"EX-03\",\"outcome\":\"accept\",\"target\":\"buc\","
                   "\"unit\":\"B205\",\"priority\":\"acute\",\"deadline\":\"2020-11-05\","
                   "\"request_from\":null,\"reasons\":[{\"rule\":\"ACU-01\","
                   "\"text\":\"Selvmordsforsøg\"}],\"ruleset\":\"" HASH "\"}");
    assert_int_equal(triage_decision_outcome(d), TRIAGE_ACCEPT);
    assert_string_equal(triage_decision_target(d), "buc");
    triage_decision_free(d);
}

/* missing only on request_info, in enum order whatever order it was set in */
static void test_missing_items_come_in_schema_order_on_request_info_only(void **state)
{
    triage_decision *d = dc_new("EX-01", HASH, 0);
    d->outcome = dc_outcome_index("request_info");
    d->missing |= 1u << dc_missing_index("ppv");
    d->missing |= 1u << dc_missing_index("cognitive_assessment");
    d->request_from = dc_request_index("municipality");
    expect_json(d, "{\"id\":\"EX-01\",\"outcome\":\"request_info\",\"target\":null,"
                   "\"unit\":null,\"priority\":null,\"deadline\":null,"
                   "\"missing\":[\"cognitive_assessment\",\"ppv\"],"
                   "\"request_from\":\"municipality\",\"reasons\":[],\"ruleset\":\"" HASH "\"}");
    assert_null(triage_decision_target(d));

    char *m = dc_missing_json(d);
    assert_string_equal(m, "[\"cognitive_assessment\",\"ppv\"]");
    free(m);

    /* the same bits on another outcome are not printed */
    d->outcome = TRIAGE_REDIRECT;
    d->target = dc_target_index("municipality");
    char *s = triage_decision_json(d);
    assert_null(strstr(s, "missing"));
    assert_non_null(strstr(s, "\"target\":\"municipality\""));
    free(s);
    triage_decision_free(d);
}

static void test_explain_adds_the_trace(void **state)
{
    triage_decision *d = dc_new("T-1", HASH, 1);
    d->outcome = TRIAGE_REJECT;
    assert_int_equal(dc_add_step(d, "REF-01", 1, "henviser mangler"), 0);
    assert_int_equal(dc_add_step(d, "AGE-01", 0, "alder 9"), 0);
    assert_int_equal(dc_add_reason(d, "REF-01", "Ingen gyldig henviser"), 0);
    char *s = triage_decision_json(d);
    json_error_t je;
    json_t *o = json_loads(s, 0, &je);
    assert_non_null(o);
    /* keys in schema order; with explain the letter's evidence follows the trace
    ** (/work/notes/EVIDENCE_CONTRACT.md) */
    const char *want[] = { "id", "outcome", "target", "unit", "priority", "deadline",
                           "request_from", "reasons", "ruleset", "trace", "evidence" };
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(o, k, v) {
        assert_true(i < sizeof want / sizeof want[0]);
        assert_string_equal(k, want[i]);
        i++;
    }
    assert_int_equal(i, 11);
    assert_int_equal(json_array_size(json_object_get(o, "evidence")), 0);
    json_t *t = json_object_get(o, "trace");
    assert_int_equal(json_array_size(t), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(t, 0), "rule")), "REF-01");
    assert_true(json_is_true(json_object_get(json_array_get(t, 0), "applied")));
    assert_true(json_is_false(json_object_get(json_array_get(t, 1), "applied")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(t, 1), "why")), "alder 9");
    json_decref(o);
    free(s);

    /* without explain no trace key, even if steps were recorded */
    d->explain = 0;
    s = triage_decision_json(d);
    assert_null(strstr(s, "trace"));
    free(s);
    triage_decision_free(d);
}

static void test_enum_indices_follow_the_schema(void **state)
{
    assert_int_equal(TRIAGE_ACCEPT, dc_outcome_index("accept"));
    assert_int_equal(TRIAGE_REQUEST_INFO, dc_outcome_index("request_info"));
    assert_int_equal(TRIAGE_REDIRECT, dc_outcome_index("redirect"));
    assert_int_equal(TRIAGE_REJECT, dc_outcome_index("reject"));
    assert_int_equal(TRIAGE_MANUAL_REVIEW, dc_outcome_index("manual_review"));
    for (int o = TRIAGE_ACCEPT; o <= TRIAGE_MANUAL_REVIEW; o++)
        assert_int_equal(dc_outcome_index(triage_outcome_name(o)), o);
    assert_int_equal(MI_COGNITIVE, dc_missing_index("cognitive_assessment"));
    assert_int_equal(MI_UPDATED_COGNITIVE, dc_missing_index("updated_cognitive_assessment"));
    assert_int_equal(MI_PPV, dc_missing_index("ppv"));
    assert_int_equal(MI_CONSENT, dc_missing_index("consent_both_custodians"));
    assert_int_equal(MI_SOMATIC, dc_missing_index("somatic_measurements"));
    assert_int_equal(dc_target_index("buc"), 0);
    assert_int_equal(dc_target_index("specialist_practice"), 1);
    assert_int_equal(dc_target_index("municipality"), 2);
    assert_int_equal(dc_target_index("adult_psychiatry"), 3);
    assert_int_equal(dc_target_index("other_region"), 4);
    assert_int_equal(dc_priority_index("acute"), 0);
    assert_int_equal(dc_priority_index("urgent"), 1);
    assert_int_equal(dc_priority_index("routine"), 2);
    assert_int_equal(dc_request_index("referrer"), 0);
    assert_int_equal(dc_request_index("municipality"), 1);
    assert_int_equal(dc_target_index("nowhere"), -1);
    assert_int_equal(dc_outcome_index(NULL), -1);
    assert_int_equal(dc_missing_index("PPV"), -1);
    assert_string_equal(triage_outcome_name((triage_outcome)99), "undecided");

    /* all five missing items, set in reverse, come out in schema order */
    triage_decision *d = dc_new("M", HASH, 0);
    d->outcome = TRIAGE_REQUEST_INFO;
    for (int i = MI__N - 1; i >= 0; i--) d->missing |= 1u << i;
    char *m = dc_missing_json(d);
    assert_string_equal(m, "[\"cognitive_assessment\",\"updated_cognitive_assessment\","
                           "\"ppv\",\"consent_both_custodians\",\"somatic_measurements\"]");
    free(m);
    triage_decision_free(d);
}

static void mask_is(const char *in, const char *want)
{
    char out[256];
    cpr_mask(out, sizeof out, in);
    assert_string_equal(out, want);
}

static void test_cpr_mask_masks_every_cpr_like_run_with_x(void **state)
{
    mask_is("cpr 010203-1234 her", "cpr XXXXXX-XXXX her");
    mask_is("0102031234", "XXXXXX-XXXX");
    mask_is("a0102031234b", "aXXXXXX-XXXXb");
    mask_is("x 010203-1234, 0505051234.", "x XXXXXX-XXXX, XXXXXX-XXXX.");
    /* a CPR inside a longer digit run is still masked: a typo must not leak it */
    mask_is("01020312345", "XXXXXXXXXXX");
    mask_is("10102031234", "XXXXXXXXXXX");
    mask_is("010203-12345", "XXXXXX-XXXXX");
    mask_is("1010203-1234", "XXXXXXX-XXXX");
    /* shorter ones neither */
    mask_is("010203-123", "010203-123");
    mask_is("12345 2020-11-05 F90.0", "12345 2020-11-05 F90.0");
    mask_is("", "");
    /* not UTF-8 becomes '?', UTF-8 is kept */
    mask_is("a\xff" "b æøå", "a?b æøå");

    char small[8];
    cpr_mask(small, sizeof small, "ab 0102031234");
    assert_string_equal(small, "ab ");          /* no partial mask, no digits */
    cpr_mask(small, sizeof small, "ab 123456789012");
    assert_string_equal(small, "ab ");          /* a cut never leaves part of a number */
    cpr_mask(small, sizeof small, "abcdeæø");
    assert_string_equal(small, "abcdeæ");       /* 5 + 2 bytes fit; ø does not */
    cpr_mask(small, sizeof small, NULL);
    assert_string_equal(small, "");

    /* every string a decision takes in is masked */
    triage_decision *d = dc_new("R-0102031234", HASH, 1);
    dc_add_reason(d, "R-0102031234", "barn 010203-1234 henvist");
    dc_add_step(d, "S 0102031234", 1, "cpr 0102031234");
    d->outcome = TRIAGE_REJECT;
    char *s = triage_decision_json(d);
    assert_null(strstr(s, "010203-1234"));
    assert_non_null(strstr(s, "\"text\":\"barn XXXXXX-XXXX henvist\""));
    assert_non_null(strstr(s, "\"rule\":\"R-XXXXXX-XXXX\""));
    assert_non_null(strstr(s, "\"why\":\"cpr XXXXXX-XXXX\""));
    free(s);
    triage_decision_free(d);
}

static void test_manual_review_clears_the_decision_and_keeps_the_trace(void **state)
{
    triage_decision *d = dc_new("MR-1", HASH, 1);
    d->outcome = TRIAGE_ACCEPT;
    d->target = 0;
    strcpy(d->unit, "B193");
    d->priority = 2;
    d->deadline = dt_from_ymd(2021, 1, 1);
    d->missing = 3;
    d->request_from = 0;
    dc_add_reason(d, "A", "a");
    dc_add_reason(d, "B", "b");
    dc_add_step(d, "A", 1, "fired");
    dc_manual_review(d, "TXT-02", "instruction limit hit for 0102031234");
    assert_int_equal(triage_decision_outcome(d), TRIAGE_MANUAL_REVIEW);
    assert_null(triage_decision_target(d));
    assert_int_equal(d->nreasons, 1);
    assert_int_equal(d->nsteps, 1);         /* the trace is kept */
    assert_int_equal(d->missing, 0);
    d->explain = 0;
    expect_json(d, "{\"id\":\"MR-1\",\"outcome\":\"manual_review\",\"target\":null,"
                   "\"unit\":null,\"priority\":null,\"deadline\":null,\"request_from\":null,"
                   "\"reasons\":[{\"rule\":\"TXT-02\",\"text\":\"instruction limit hit for "
                   "XXXXXX-XXXX\"}],\"ruleset\":\"" HASH "\"}");
    char *r = dc_reasons_json(d);
    assert_string_equal(r, "[{\"rule\":\"TXT-02\",\"text\":\"instruction limit hit for XXXXXX-XXXX\"}]");
    free(r);
    dc_manual_review(d, NULL, NULL);        /* NULL-safe */
    assert_int_equal(d->nreasons, 1);
    triage_decision_free(d);
    dc_manual_review(NULL, "X", "y");
}

static void test_null_decisions_are_safe(void **state)
{
    triage_decision_free(NULL);
    assert_null(triage_decision_json(NULL));
    assert_null(triage_decision_target(NULL));
    assert_null(dc_missing_json(NULL));
    assert_int_equal(dc_add_reason(NULL, "a", "b"), -1);

    /* a fresh decision is all nulls; an over-long id is cut between characters */
    char id[100];
    memset(id, 'a', sizeof id);
    memcpy(id + 70, "æ", 2);                /* bytes 70-71: cut at 71 would split it */
    id[99] = '\0';
    triage_decision *d = dc_new(id, NULL, 0);
    assert_int_equal(d->outcome, -1);
    assert_int_equal(d->deadline, DT_NONE);
    assert_int_equal(strlen(d->id), 70);
    char *s = triage_decision_json(d);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"target\":null,\"unit\":null,\"priority\":null,\"deadline\":null"));
    free(s);
    triage_decision_free(d);
}

/* The fast path (no run of six digits, valid UTF-8: copied as it is) and
** the masking path meet at six digits; a CPR is masked wherever it sits. */
static void test_cpr_mask_fast_path_and_slow_path_agree(void **state)
{
    /* start, middle, end; with and without the dash; next to UTF-8 */
    mask_is("0102031234 i starten", "XXXXXX-XXXX i starten");
    mask_is("010203-1234 i starten", "XXXXXX-XXXX i starten");
    mask_is("i midten 0102031234 her", "i midten XXXXXX-XXXX her");
    mask_is("i midten 010203-1234 her", "i midten XXXXXX-XXXX her");
    mask_is("til sidst 0102031234", "til sidst XXXXXX-XXXX");
    mask_is("til sidst 010203-1234", "til sidst XXXXXX-XXXX");
    mask_is("æ0102031234ø", "æXXXXXX-XXXXø");
    mask_is("2020-11-05 æ 010203-1234", "2020-11-05 æ XXXXXX-XXXX");
    /* short runs anywhere: unchanged, by the fast path */
    mask_is("alder 12 år, 2020-11-05, F90.0, 12345, 1-2-3-4-5-6-7-8-9-0",
            "alder 12 år, 2020-11-05, F90.0, 12345, 1-2-3-4-5-6-7-8-9-0");
    mask_is("12345-1234 og 12345 1234", "12345-1234 og 12345 1234");
    /* six digits take the full path, which leaves what is no CPR */
    mask_is("123456", "123456");
    mask_is("123456-123 x", "123456-123 x");
    /* a run cut by a non-ASCII letter is two runs */
    mask_is("01020æ31234", "01020æ31234");
    /* the scan skips the letters before a digit or a non-ASCII byte in one
    ** step, wherever in eight bytes they stop */
    mask_is("abcdefg0102031234hij", "abcdefgXXXXXX-XXXXhij");
    mask_is("abcdefgh 12345 ø 010203-1234", "abcdefgh 12345 ø XXXXXX-XXXX");
    mask_is("abcdefg123456 æ x", "abcdefg123456 æ x");
    mask_is("abcæ012345æ6789 og så", "abcæ012345æ6789 og så");
    /* bad UTF-8 with no digits is still repaired */
    mask_is("\xc3(", "?(");
    mask_is("ok \xed\xa0\x80", "ok ???");

    /* wherever a run sits against the sixteen bytes the check looks at
    ** together, and whatever comes before and after it */
    for (int off = 0; off < 40; off++) {
        char in[160], out[200];
        snprintf(in, sizeof in, "%.*s0102031234%.*s", off, "abcdefghijabcdefghijabcdefghijabcdefghij",
                 40 - off, "æøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøå");
        cpr_mask(out, sizeof out, in);
        assert_null(strstr(out, "0102031234"));
        assert_non_null(strstr(out, "XXXXXX-XXXX"));
        snprintf(in, sizeof in, "%.*s12345æ12345 1234 5%.*s", off, "0123 0123 0123 0123 0123 0123 0123 0123 ",
                 40 - off, "abcdefghijabcdefghijabcdefghijabcdefghij");
        cpr_mask(out, sizeof out, in);
        assert_string_equal(out, in);
        snprintf(in, sizeof in, "%.*s12345ø", off & ~1, "ææææææææææææææææææææææææææææææææææææææææ");
        cpr_mask(out, sizeof out, in);
        assert_string_equal(out, in);
        in[strlen(in) - 1] = '\0';                  /* a cut character: repaired */
        cpr_mask(out, sizeof out, in);
        assert_int_equal(out[strlen(out) - 1], '?');
    }

    /* a long reason with no digits is copied whole */
    char big[1200], out[1300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cpr_mask(out, sizeof out, big);
    assert_string_equal(out, big);
    /* and one with a CPR at its very end still masked */
    memcpy(big + sizeof big - 12, "0102031234", 11);
    cpr_mask(out, sizeof out, big);
    assert_null(strstr(out, "0102031234"));
    assert_non_null(strstr(out, "XXXXXX-XXXX"));
}

/* dc_reasons_json and dc_missing_json are the compact JSON of the masked
** reasons and the missing items, escapes included, in the store's shape. */
static void test_store_json_escapes_and_masks_reasons(void **state)
{
    static const char *const texts[] = {
        "", "plain", "quote \" and \\ backslash", "slash / stays",
        "ctl \x01\x02\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f end", "del \x7f",
        "æøå ÆØÅ é ß €", "emoji \xf0\x9f\x98\x80", "\xe2\x80\xa8 line sep",
        "cpr 010203-1234", "mixed \"\\/\n\t æ", "}{][,:"};
    int n = (int)(sizeof texts / sizeof texts[0]);
    triage_decision *d = dc_new("R-1", HASH, 0);
    json_t *want = json_array();
    char *got = dc_reasons_json(d);
    assert_string_equal(got, "[]");
    free(got);
    for (int i = 0; i < n; i++) {
        assert_int_equal(dc_add_reason(d, texts[(i + 3) % n], texts[i]), 0);
        json_array_append_new(want, json_pack("{s:s, s:s}", "rule", d->reasons[i].rule,
                                              "text", d->reasons[i].text));
    }
    char *w = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
    got = dc_reasons_json(d);
    assert_non_null(w);
    assert_string_equal(got, w);
    assert_null(strstr(got, "010203-1234"));
    free(got);
    free(w);
    json_decref(want);

    for (unsigned m = 0; m < (1u << MI__N); m++) {
        d->missing = m;
        want = json_array();
        for (int i = 0; i < MI__N; i++)
            if (m & (1u << i)) json_array_append_new(want, json_string(dc_missing_names[i]));
        w = json_dumps(want, JSON_COMPACT);
        got = dc_missing_json(d);
        assert_string_equal(got, w);
        free(got);
        free(w);
        json_decref(want);
    }
    triage_decision_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_json_has_the_schemas_keys_in_order),
        cmocka_unit_test(test_missing_items_come_in_schema_order_on_request_info_only),
        cmocka_unit_test(test_explain_adds_the_trace),
        cmocka_unit_test(test_enum_indices_follow_the_schema),
        cmocka_unit_test(test_cpr_mask_masks_every_cpr_like_run_with_x),
        cmocka_unit_test(test_manual_review_clears_the_decision_and_keeps_the_trace),
        cmocka_unit_test(test_null_decisions_are_safe),
        cmocka_unit_test(test_cpr_mask_fast_path_and_slow_path_agree),
        cmocka_unit_test(test_store_json_escapes_and_masks_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
