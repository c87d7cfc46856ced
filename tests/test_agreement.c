/*
** test_agreement.c — learning from people: Cohen's kappa and the confusion
** matrix over known reviews, against the kappa worked out by hand here;
** `triage agreement` saying the same; the overrides exported as rule test
** cases that `triage test --cases` runs (and no CPR in them); a shadow rule
** set deciding beside the active one, compared and never shown as it.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decision.h"
#include "servefix.h"

#define HASH "1111111111111111111111111111111111111111111111111111111111111111"
#define LATER "2222222222222222222222222222222222222222222222222222222222222222"

static char *dir;

static int setup(void **state)
{
    dir = tu_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    tu_rmtree(dir);
    free(dir);
    return 0;
}

/* ------------------------------------------------------------- fixtures */

static triage_decision *decision(const char *id, const char *hash, const char *outcome)
{
    triage_decision *d = dc_new(id, hash, 0);
    d->outcome = dc_outcome_index(outcome);
    if (!strcmp(outcome, "accept")) {
        d->target = dc_target_index("buc");
        strcpy(d->unit, "B193");
        d->priority = dc_priority_index("routine");
        triage_date_parse("2020-04-01", 10, &d->deadline);
    } else if (!strcmp(outcome, "request_info")) {
        d->missing = 1u << MI_PPV;
        d->request_from = dc_request_index("referrer");
    } else if (!strcmp(outcome, "redirect")) {
        d->target = dc_target_index("municipality");
    }
    dc_add_reason(d, "T-01", "Testens begrundelse.");
    return d;
}

static void put(triage_store *st, const char *id, const char *cpr_json, const char *extra)
{
    char json[2048];
    triage_error err;
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"received\":\"2020-03-02\",\"referrer\":"
             "{\"kind\":\"gp\"},\"patient\":{%s,\"municipality\":\"Gladsaxe\"}%s}", id,
             cpr_json ? cpr_json : "\"birth_date\":\"2011-06-14\"", extra ? extra : "");
    triage_referral *r = triage_referral_parse(json, strlen(json), NULL, 0, &err);
    if (!r) fail_msg("%s", err.text);
    assert_int_equal(triage_store_put(st, r, NULL, 0, &err), TRIAGE_OK);
    triage_referral_free(r);
}

static void suggest(triage_store *st, const char *id, const char *hash, const char *outcome)
{
    triage_error err;
    triage_decision *d = decision(id, hash, outcome);
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
    triage_decision_free(d);
}

static void act(triage_store *st, const char *id, const char *kind, const char *outcome,
                const char *reason)
{
    triage_error err;
    triage_decision *d = outcome ? decision(id, "", outcome) : NULL;
    triage_action a = {.kind = kind, .actor = "anna", .decision = d, .text = reason,
                       .seen = -1, .suggestion = -1};
    if (triage_review(st, id, &a, NULL, &err) != TRIAGE_OK) fail_msg("%s: %s", id, err.text);
    triage_decision_free(d);
}

/* -------------------------------------------------------------------- kappa */

/* The rules against the people on 20 referrals (rows: rules, columns:
** people, in the order accept, request_info, redirect, reject):
**
**                  accept  request_info  redirect  reject | rules
**   accept             6             1         1       0  |   8
**   request_info       1             4         0       0  |   5
**   redirect           1             0         4       0  |   5
**   reject             0             0         0       2  |   2
**   people             8             5         5       2  |  20
**
** observed agreement p_o = (6 + 4 + 4 + 2) / 20 = 0.8
** chance agreement   p_e = (8*8 + 5*5 + 5*5 + 2*2) / 20^2 = 118 / 400 = 0.295
** kappa = (p_o - p_e) / (1 - p_e) = 0.505 / 0.705 = 0.716312...            */
#define KAPPA_BY_HAND (0.505 / 0.705)

static void known_reviews(const char *path)
{
    static const struct { const char *rules, *person; int n; } cells[] = {
        {"accept", "accept", 6}, {"accept", "request_info", 1}, {"accept", "redirect", 1},
        {"request_info", "request_info", 4}, {"request_info", "accept", 1},
        {"redirect", "redirect", 4}, {"redirect", "accept", 1}, {"reject", "reject", 2},
    };
    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    assert_non_null(st);
    assert_int_equal(triage_user_add(st, "anna", TRIAGE_ROLE_INTAKE, "password-of-anna", NULL, &err), TRIAGE_OK);
    int k = 0;
    for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
        for (int i = 0; i < cells[c].n; i++, k++) {
            char id[16];
            snprintf(id, sizeof id, "K-%02d", k);
            put(st, id, NULL, NULL);
            suggest(st, id, HASH, cells[c].rules);
            int same = !strcmp(cells[c].rules, cells[c].person);
            if (!same && i == 0) act(st, id, "confirm", NULL, NULL);  /* first confirmed, then */
            act(st, id, same ? "confirm" : "override", same ? NULL : cells[c].person,
                same ? NULL : "Personen ser det anderledes.");
            if (same && k == 0) suggest(st, id, LATER, "reject");     /* later rules differ */
        }
    /* neither reviewed nor counted: a note only, and one not looked at */
    put(st, "K-NOTE", NULL, NULL);
    suggest(st, "K-NOTE", HASH, "accept");
    act(st, "K-NOTE", "note", NULL, "Ringer i morgen.");
    put(st, "K-NEW", NULL, NULL);
    triage_store_close(st);
}

static void test_agreement_kappa_is_the_one_worked_out_by_hand(void **state)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/kappa.db", dir);
    known_reviews(path);
    triage_error err;
    triage_agreement a;
    triage_store *st = triage_store_open(path, &err);
    assert_int_equal(triage_agreement_get(st, &a, &err), TRIAGE_OK);
    triage_store_close(st);
    assert_int_equal(a.reviewed, 20);
    assert_int_equal(a.agree, 16);
    assert_int_equal(a.agree_full, 16);
    assert_int_equal(a.overridden, 4);
    assert_int_equal(a.matrix[TRIAGE_ACCEPT][TRIAGE_ACCEPT], 6);
    assert_int_equal(a.matrix[TRIAGE_ACCEPT][TRIAGE_REDIRECT], 1);
    assert_int_equal(a.matrix[TRIAGE_REDIRECT][TRIAGE_ACCEPT], 1);
    assert_int_equal(a.matrix[TRIAGE_REJECT][TRIAGE_REJECT], 2);
    assert_true(fabs(a.kappa - KAPPA_BY_HAND) < 1e-12);
    assert_string_equal(a.shadow, "");
    printf("# kappa over 20 known reviews: %.6f (by hand: 0.505 / 0.705 = %.6f)\n", a.kappa,
           KAPPA_BY_HAND);
}

static void test_agreement_kappa_is_undefined_without_two_outcomes(void **state)
{
    long none[4] = {0}, one[4] = {7, 0, 0, 0}, perfect[4] = {3, 0, 0, 5};
    long never[4] = {0, 4, 6, 0};   /* always disagree: p_o 0, p_e 0.48 */
    assert_true(isnan(triage_kappa(none, 2)));
    assert_true(isnan(triage_kappa(one, 2)));
    assert_true(fabs(triage_kappa(perfect, 2) - 1.0) < 1e-12);
    assert_true(fabs(triage_kappa(never, 2) - (0.0 - 0.48) / (1 - 0.48)) < 1e-12);
}

/* The command says the same, as JSON and as text. */
static void test_agreement_command_gives_the_same_kappa_and_matrix(void **state)
{
    char path[1100], cmd[2400];
    snprintf(path, sizeof path, "%s/kappa-cli.db", dir);
    known_reviews(path);
    static char text[65536];
    snprintf(cmd, sizeof cmd, "%s agreement --db '%s' --format json", TRIAGE_EXE, path);
    assert_int_equal(tu_run(cmd, text, sizeof text), 0);
    json_t *o = json_loads(text, 0, NULL);
    assert_non_null(o);
    assert_true(fabs(json_number_value(json_object_get(o, "kappa")) - KAPPA_BY_HAND) < 1e-12);
    assert_int_equal(json_integer_value(json_object_get(o, "reviewed")), 20);
    json_t *m = json_object_get(o, "matrix");
    assert_int_equal(json_integer_value(json_array_get(json_array_get(m, 0), 1)), 1);
    assert_int_equal(json_integer_value(json_array_get(json_array_get(m, 1), 0)), 1);
    json_t *ov = json_object_get(o, "overrides");
    assert_int_equal(json_array_size(ov), 4);
    assert_string_equal(hc_str(json_array_get(ov, 0), "reason"), "Personen ser det anderledes.");
    json_decref(o);

    snprintf(cmd, sizeof cmd, "%s agreement --db '%s'", TRIAGE_EXE, path);
    assert_int_equal(tu_run(cmd, text, sizeof text), 0);
    assert_non_null(strstr(text, "over 20 reviewed referrals"));
    assert_non_null(strstr(text, "0.716"));
    assert_non_null(strstr(text, "Overrides (4)"));
    assert_non_null(strstr(text, "Personen ser det anderledes."));
}

/* ---------------------------------------------------------- export, test */

static void test_agreement_overrides_export_as_rule_tests_without_cpr(void **state)
{
    char path[1100], out[1100], cmd[3400];
    snprintf(path, sizeof path, "%s/export.db", dir);
    snprintf(out, sizeof out, "%s/cases", dir);
    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    assert_int_equal(triage_user_add(st, "anna", TRIAGE_ROLE_INTAKE, "password-of-anna", NULL, &err), TRIAGE_OK);
    /* the shipped rules accept the first (B193) and redirect the second to
    ** the municipality; the stored suggestions came from other rules */
    put(st, "EXP-1", "\"cpr\":\"1406114123\"", ",\"diagnoses\":[\"F84.0\"],\"assessments\":"
        "[{\"kind\":\"cognitive\",\"date\":\"2019-10-01\"},{\"kind\":\"ppv\",\"date\":\"2019-11-01\"}]");
    put(st, "EXP-2", "\"cpr\":\"1406114123\"", ",\"text\":\"Skolefravær; CPR 1406114123 nævnt.\"");
    suggest(st, "EXP-1", HASH, "redirect");
    suggest(st, "EXP-2", HASH, "redirect");
    act(st, "EXP-1", "override", "accept", "Autisme med dokumentation: BUC.");
    act(st, "EXP-2", "override", "request_info", "PPV skal med.");
    long n = 0;
    assert_int_equal(triage_overrides_export(st, out, &n, &err), TRIAGE_OK);
    triage_store_close(st);
    assert_int_equal(n, 2);

    char file[1200];
    snprintf(file, sizeof file, "%s/overrides.json", out);
    char *text = tu_slurp(file, NULL);
    assert_non_null(text);
    assert_null(strstr(text, "1406114123"));
    assert_non_null(strstr(text, "\"birth_date\": \"2011-06-14\""));
    json_t *cases = json_loads(text, 0, NULL);
    assert_int_equal(json_array_size(cases), 2);
    json_t *first = json_array_get(cases, 1);     /* newest first: EXP-1 is the older */
    assert_non_null(strstr(hc_str(first, "name"), "EXP-1"));
    assert_string_equal(hc_str(json_object_get(first, "expect"), "outcome"), "accept");
    assert_string_equal(hc_str(json_object_get(first, "expect"), "unit"), "B193");
    json_decref(cases);
    free(text);
    struct stat sb;
    assert_int_equal(stat(file, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* the shipped rules get the first right and the second still wrong */
    snprintf(cmd, sizeof cmd, "%s test --rules '%s/rules' --cases '%s' 2>&1", TRIAGE_EXE,
             TRIAGE_SOURCE_DIR, out);
    char got[8192];
    assert_int_equal(tu_run(cmd, got, sizeof got), 2);
    assert_non_null(strstr(got, "1 passed, 1 failed"));
    assert_non_null(strstr(got, "EXP-2"));
    assert_non_null(strstr(got, "outcome: expected \"request_info\", got \"redirect\""));
}

/* ------------------------------------------------------------------ shadow */

static const char ACTIVE[] =
    "rule{ id='T-ACC', when=function(r) return true end, action=function(r, f, d)\n"
    "  d:reason('Modtaget.')\n"
    "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
    "           deadline=r.received_day + 30} end }\n";
static const char CANDIDATE[] =
    "rule{ id='T-SP', when=function(r) return r.text:find('angst') ~= nil end,\n"
    "  action=function(r, f, d) d:reason('Speciallæge.')\n"
    "  d:decide{outcome='redirect', target='specialist_practice'} end }\n"
    "rule{ id='T-ACC', when=function(r) return true end, action=function(r, f, d)\n"
    "  d:reason('Modtaget.')\n"
    "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
    "           deadline=r.received_day + 30} end }\n";

static void test_agreement_shadow_rule_set_decides_beside_and_is_never_the_suggestion(void **state)
{
    char *active = tu_rules(ACTIVE), *candidate = tu_rules(CANDIDATE);
    triage_error err;
    triage_host *shadow = triage_host_open(candidate, NULL, &err);
    assert_non_null(shadow);
    triage_server_opts o = {.threads = 2, .shadow = shadow};
    sf_server f;
    assert_int_equal(sf_start(&f, active, NULL, &o), 0);
    assert_int_equal(sf_post(&f, "SH-1", ",\"text\":\"Svær angst.\""), 0);
    assert_int_equal(sf_post(&f, "SH-2", ",\"text\":\"Uro.\""), 0);
    assert_int_equal(sf_post(&f, "SH-3", ",\"text\":\"Uro og angst.\""), 0);
    hc_client anna = sf_client(&f);
    assert_int_equal(hc_login(&anna, SF_INTAKE, SF_PW(SF_INTAKE)), 200);
    hc_resp r = hc_post(&anna, "/api/referrals/SH-1/review", "{\"action\":\"override\","
                        "\"outcome\":\"redirect\",\"target\":\"specialist_practice\","
                        "\"reason\":\"Angst alene: speciallæge.\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
    r = hc_post(&anna, "/api/referrals/SH-2/review", "{\"action\":\"confirm\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);

    /* the background decides all three; poll, generously */
    json_t *sh = NULL;
    for (int i = 0; i < 600; i++) {
        r = hc_get(&anna, "/api/agreement");
        sh = json_incref(json_object_get(r.json, "shadow"));
        hc_free(&r);
        if (json_is_object(sh) && json_integer_value(json_object_get(sh, "decided")) == 3) break;
        json_decref(sh);
        sh = NULL;
        usleep(100000);
    }
    assert_non_null(sh);
    assert_int_equal(json_integer_value(json_object_get(sh, "differs")), 2);   /* SH-1, SH-3 */
    assert_int_equal(json_integer_value(json_object_get(sh, "reviewed")), 2);
    assert_int_equal(json_integer_value(json_object_get(sh, "agree")), 2);     /* it got SH-1 */
    assert_int_equal(json_integer_value(json_object_get(sh, "agree_active")), 1);
    assert_int_equal(json_array_size(json_object_get(sh, "differences")), 2);
    json_decref(sh);
    /* never the suggestion: the work list and the record have the active's only */
    r = hc_get(&anna, "/api/referrals/SH-3");
    assert_string_equal(hc_str(r.json, "status"), "accept");
    assert_int_equal(json_array_size(json_object_get(r.json, "decisions")), 1);
    hc_free(&r);
    r = hc_get(&anna, "/api/referrals?outcome=redirect");
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    hc_free(&r);
    sf_stop(&f);
    triage_host_close(shadow);
    tu_rmtree(active);
    tu_rmtree(candidate);
    free(active);
    free(candidate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agreement_kappa_is_the_one_worked_out_by_hand),
        cmocka_unit_test(test_agreement_kappa_is_undefined_without_two_outcomes),
        cmocka_unit_test(test_agreement_command_gives_the_same_kappa_and_matrix),
        cmocka_unit_test(test_agreement_overrides_export_as_rule_tests_without_cpr),
        cmocka_unit_test(test_agreement_shadow_rule_set_decides_beside_and_is_never_the_suggestion),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
