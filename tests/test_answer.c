/*
** test_answer.c — the answer to the referrer, as the shipped rule set
** writes it (lib/answer.lua, data/answers.lua, data/places.lua): for each
** outcome what the referrer must be told (accept: unit, priority, deadline;
** request_info: each missing item and the reply date; redirect: where and
** why, with whom to contact; reject: why and what else may help), places
** by their proper names, no CPR; the choices a person decides from; and
** `triage answer` on the command line.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"

#define DOCS ",\"assessments\":[{\"kind\":\"cognitive\",\"date\":\"2019-10-01\"}," \
             "{\"kind\":\"ppv\",\"date\":\"2019-11-01\"}]"

static triage_ruleset *rs;
static triage_decider *dc;
static triage_day letter_day;

static int setup(void **state)
{
    char rules[1024];
    triage_error err;
    snprintf(rules, sizeof rules, "%s/rules", TRIAGE_SOURCE_DIR);
    rs = triage_ruleset_load(rules, NULL, &err);
    dc = rs ? triage_decider_new(rs, NULL, &err) : NULL;
    triage_date_parse("2020-03-05", 10, &letter_day);
    if (!dc) fprintf(stderr, "%s\n", err.text);
    return dc ? 0 : -1;
}

static int teardown(void **state)
{
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    return 0;
}

/* The letter the rules' own decision gets: the JSON object. patient and
** rest are JSON members. */
static json_t *letter(const char *patient, const char *kind, const char *rest, unsigned flags)
{
    char json[4096];
    triage_error err;
    snprintf(json, sizeof json, "{\"id\":\"A-1\",\"received\":\"2020-03-02\",\"referrer\":"
             "{\"kind\":\"%s\",\"name\":\"Lægehuset Nord\"},\"patient\":{%s}%s}", kind, patient, rest);
    triage_referral *r = triage_referral_parse(json, strlen(json), NULL, 0, &err);
    if (!r) fail_msg("%s", err.text);
    triage_decision *d = triage_decide(dc, r, 0);
    char *text = triage_answer(dc, r, d, flags, letter_day, &err);
    if (!text) fail_msg("%s", err.text);
    json_t *o = json_loads(text, 0, NULL);
    assert_non_null(o);
    free(text);
    triage_decision_free(d);
    triage_referral_free(r);
    return o;
}

static const char *str(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

static void says(json_t *o, const char *what)
{
    const char *body = str(o, "body");
    if (!body || !strstr(body, what)) fail_msg("the letter does not say '%s':\n%s", what, body);
}

#define GLADSAXE "\"birth_date\":\"2011-06-14\",\"municipality\":\"Gladsaxe\""

static void test_answer_accept_names_the_unit_priority_and_deadline(void **state)
{
    json_t *o = letter(GLADSAXE, "gp", ",\"diagnoses\":[\"F84.0\"]" DOCS, 0);
    says(o, "Dato: 5. marts 2020");
    says(o, "visiteret til udredning i BUC Glostrup, ambulatoriet for 8-13-årige (enhed B193)");
    says(o, "prioriteret som rutine");
    says(o, "senest 1. april 2020");
    says(o, "2600 Glostrup");
    assert_string_equal(str(o, "municipality"), "Gladsaxe Kommune");
    assert_string_equal(str(o, "recipient"), "Henviser: Lægehuset Nord");
    assert_non_null(strstr(str(o, "subject"), "A-1"));
    assert_string_equal(str(json_object_get(o, "place"), "name"), "BUC Glostrup, ambulatoriet for 8-13-årige");
    json_decref(o);
    o = letter(GLADSAXE, "gp", ",\"text\":\"Hun forsøgte selvmord i går.\"", 0);
    says(o, "BUC's akutfunktion (enhed B205)");
    says(o, "prioriteret som akut");
    says(o, "senest 2. marts 2020");
    json_decref(o);
}

static void test_answer_request_info_lists_each_missing_item_and_the_reply_date(void **state)
{
    json_t *o = letter(GLADSAXE, "gp", ",\"diagnoses\":[\"F90.0\"]", 0);
    says(o, "  - en kognitiv vurdering af barnet (fx WISC-V)");
    says(o, "  - en pædagogisk-psykologisk vurdering (PPV) fra PPR");
    says(o, "senest 19. marts 2020");          /* 14 days after the letter */
    says(o, "PPR i Gladsaxe Kommune");
    assert_string_equal(str(o, "recipient"), "PPR, Gladsaxe Kommune (kopi til henviser)");
    assert_null(json_object_get(o, "place"));
    json_decref(o);
}

static void test_answer_redirect_says_where_why_and_whom_to_contact(void **state)
{
    /* to the municipality, by its proper name from how the referrer wrote it */
    json_t *o = letter("\"birth_date\":\"2011-06-14\",\"municipality\":\"Kbh\"", "gp",
                       ",\"text\":\"Skolefravær og konflikter.\"", 0);
    says(o, "sendt videre til Københavns Kommune");
    says(o, "Begrundelse:");
    says(o, "PPR eller familieafdelingen i Københavns Kommune");
    assert_string_equal(str(o, "municipality"), "Københavns Kommune");
    json_decref(o);
    /* another region */
    o = letter("\"birth_date\":\"2011-06-14\",\"municipality\":\"Aarhus Kommune\"", "gp",
               ",\"diagnoses\":[\"F84.0\"]", 0);
    says(o, "børne- og ungdomspsykiatrien i Region Midtjylland");
    says(o, "www.rm.dk");
    assert_null(json_object_get(o, "municipality"));
    json_decref(o);
    /* adult psychiatry, and specialist practice */
    o = letter("\"birth_date\":\"2001-06-14\",\"municipality\":\"Gladsaxe\"", "gp",
               ",\"diagnoses\":[\"F84.0\"]", 0);
    says(o, "voksenpsykiatrien");
    json_decref(o);
    o = letter(GLADSAXE, "gp", ",\"diagnoses\":[\"F90.0\"]" DOCS, 0);
    says(o, "praktiserende speciallæge i børne- og ungdomspsykiatri");
    says(o, "sundhed.dk");
    json_decref(o);
}

static void test_answer_reject_says_why_and_what_else_may_help(void **state)
{
    json_t *o = letter(GLADSAXE, "self", ",\"diagnoses\":[\"F90.0\"]", TRIAGE_BY_PERSON);
    says(o, "Vi kan desværre ikke modtage henvisningen.");
    says(o, "Begrundelse:");
    says(o, "Akuttelefonen 1813");
    says(o, "Afgørelsen er truffet af visitationen");   /* a person's decision */
    json_decref(o);
}

static void test_answer_holds_no_cpr(void **state)
{
    json_t *o = letter("\"cpr\":\"1406114123\",\"municipality\":\"Gladsaxe\"", "gp",
                       ",\"diagnoses\":[\"F90.0\"],\"text\":\"CPR 140611-4123 i brevet.\"", 0);
    char *all = json_dumps(o, 0);
    assert_null(strstr(all, "1406114123"));
    assert_null(strstr(all, "140611-4123"));
    free(all);
    json_decref(o);
}

static void test_answer_policy_lists_what_a_person_chooses_from(void **state)
{
    triage_error err;
    char *text = triage_policy(dc, &err);
    assert_non_null(text);
    json_t *p = json_loads(text, 0, NULL);
    free(text);
    json_t *outcomes = json_object_get(p, "outcomes");
    assert_int_equal(json_array_size(outcomes), 4);
    assert_string_equal(str(json_array_get(outcomes, 0), "code"), "accept");
    assert_string_equal(str(json_array_get(outcomes, 3), "code"), "reject");
    assert_int_equal(json_array_size(json_object_get(p, "missing")), 5);
    assert_int_equal(json_array_size(json_object_get(p, "targets")), 4);
    json_t *u;
    size_t i;
    int b193 = 0, n = 0;
    json_array_foreach(json_object_get(p, "units"), i, u) {
        n++;
        if (!strcmp(str(u, "code"), "B193"))
            b193 = !strcmp(str(u, "label"), "BUC Glostrup, ambulatoriet for 8-13-årige");
    }
    assert_true(b193);
    assert_int_equal(n, 3 + 3 + 4 + 3);      /* B132 B205 B377, Glostrup, Bispebjerg, Hillerød */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "deadline_days"), "urgent")), 7);
    json_decref(p);
}

static void test_answer_without_or_with_a_broken_letter_file_says_so(void **state)
{
    triage_error err;
    char *dir = tu_rules("rule{ id='A', when=function() return true end,\n"
                         "  action=function(r, f, d) d:decide{outcome='reject'} end }\n");
    triage_ruleset *bare = triage_ruleset_load(dir, NULL, &err);
    triage_decider *d2 = triage_decider_new(bare, NULL, &err);
    assert_null(triage_policy(d2, &err));
    assert_int_equal(err.code, TRIAGE_ERULES);
    assert_non_null(strstr(err.text, "lib/answer.lua"));
    triage_decider_free(d2);
    triage_ruleset_release(bare);
    tu_write(dir, "lib/answer.lua", "return { catalog = function() return nil + 1 end }\n");
    bare = triage_ruleset_load(dir, NULL, &err);
    d2 = triage_decider_new(bare, NULL, &err);
    assert_null(triage_policy(d2, &err));
    assert_int_equal(err.code, TRIAGE_ERULES);
    assert_non_null(strstr(err.text, "lib/answer.lua"));
    assert_int_equal(err.line, 1);
    triage_decider_free(d2);
    triage_ruleset_release(bare);
    tu_rmtree(dir);
    free(dir);
}

/* `triage answer`: the draft before a person decides, and an error for a
** referral nobody can answer yet. */
static void test_answer_command_prints_the_letter(void **state)
{
    char *dir = tu_tmpdir(), cmd[4096], out[16384];
    tu_write(dir, "in.jsonl",
             "{\"id\":\"CLI-1\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
             "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Gladsaxe\"},"
             "\"diagnoses\":[\"F90.0\"]}\n");
    snprintf(cmd, sizeof cmd, "cd '%s' && %s import --db t.db in.jsonl 2>/dev/null && "
             "%s run --db t.db --rules '%s/rules' >/dev/null 2>&1 && "
             "%s answer CLI-1 --db t.db --rules '%s/rules' --date 2020-03-05 2>&1",
             dir, TRIAGE_EXE, TRIAGE_EXE, TRIAGE_SOURCE_DIR, TRIAGE_EXE, TRIAGE_SOURCE_DIR);
    assert_int_equal(tu_run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "a draft from the rules' suggestion"));
    assert_non_null(strstr(out, "Til: PPR, Gladsaxe Kommune (kopi til henviser)"));
    assert_non_null(strstr(out, "Emne: Svar på henvisning CLI-1, modtaget 2. marts 2020"));
    assert_non_null(strstr(out, "senest 19. marts 2020"));
    snprintf(cmd, sizeof cmd, "cd '%s' && %s answer NO-SUCH --db t.db 2>&1", dir, TRIAGE_EXE);
    assert_int_equal(tu_run(cmd, out, sizeof out), 1);
    assert_non_null(strstr(out, "no referral with this id"));
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_accept_names_the_unit_priority_and_deadline),
        cmocka_unit_test(test_answer_request_info_lists_each_missing_item_and_the_reply_date),
        cmocka_unit_test(test_answer_redirect_says_where_why_and_whom_to_contact),
        cmocka_unit_test(test_answer_reject_says_why_and_what_else_may_help),
        cmocka_unit_test(test_answer_holds_no_cpr),
        cmocka_unit_test(test_answer_policy_lists_what_a_person_chooses_from),
        cmocka_unit_test(test_answer_without_or_with_a_broken_letter_file_says_so),
        cmocka_unit_test(test_answer_command_prints_the_letter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
