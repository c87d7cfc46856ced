/*
** test_policy.c — the shipped rule set against the contract: every example
** in tests/spec/examples gets exactly its expected decision fields, the rule
** set's own cases pass, and a deliberately broken rule makes `triage test`
** fail with a message that names the case and the field.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <sys/wait.h>

#include "testutil.h"

#define EXAMPLES TRIAGE_SOURCE_DIR "/tests/spec/examples"
#define RULES TRIAGE_SOURCE_DIR "/rules"

static int run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = 0;
    int st = pclose(p);
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_spec_examples_decide_as_expected(void **state)
{
    (void)state;
    DIR *d = opendir(EXAMPLES);
    assert_non_null(d);
    struct dirent *e;
    int checked = 0;
    static const char *const fields[] = {"outcome", "target", "unit", "priority", "deadline",
                                         "missing", "request_from", NULL};
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 15 || strcmp(e->d_name + n - 14, ".referral.json"))
            continue;
        char cmd[2048], expected[1024];
        snprintf(cmd, sizeof cmd, "'%s' check --format json --rules '%s' '%s/%s'", TRIAGE_EXE,
                 RULES, EXAMPLES, e->d_name);
        snprintf(expected, sizeof expected, "%s/%.*s.expected.json", EXAMPLES, (int)(n - 14),
                 e->d_name);
        char *out;
        assert_int_equal(run(cmd, &out), 0);
        json_error_t je;
        json_t *got = json_loads(out, JSON_DISABLE_EOF_CHECK, &je);
        json_t *want = json_load_file(expected, 0, &je);
        assert_non_null(got);
        assert_non_null(want);
        /* Every decision field must match; absent in the expectation = null. */
        for (int i = 0; fields[i]; i++) {
            json_t *w = json_object_get(want, fields[i]), *g = json_object_get(got, fields[i]);
            if (!json_equal(w ? w : json_null(), g ? g : json_null()))
                fail_msg("%s: %s: expected %s, got %s", e->d_name, fields[i],
                         w ? json_dumps(w, JSON_ENCODE_ANY) : "null",
                         g ? json_dumps(g, JSON_ENCODE_ANY) : "null");
        }
        assert_string_equal(json_string_value(json_object_get(got, "id")),
                            json_string_value(json_object_get(want, "id")));
        json_decref(got);
        json_decref(want);
        free(out);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 5);
}

static void test_the_rule_sets_own_cases_pass(void **state)
{
    (void)state;
    char cmd[1024], *out;
    snprintf(cmd, sizeof cmd, "'%s' test --rules '%s'", TRIAGE_EXE, RULES);
    int rc = run(cmd, &out);
    if (rc != 0)
        fail_msg("triage test failed:\n%s", out);
    assert_non_null(strstr(out, " passed, 0 failed"));
    free(out);
}

static void test_a_broken_rule_fails_its_case_naming_the_field(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), cmd[2048], *out;
    snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s/' && sed -i 's/\"B294\"/\"B293\"/' '%s/data/units.lua'",
             RULES, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' test --rules '%s'", TRIAGE_EXE, dir);
    assert_int_equal(run(cmd, &out), 2);
    /* FAIL <file>:<line>: <case>: unit: expected "B294", got "B293" */
    char *fail = strstr(out, "FAIL ");
    assert_non_null(fail);
    assert_non_null(strstr(fail, "/tests/"));
    assert_non_null(strstr(out, "unit: expected \"B294\", got \"B293\""));
    assert_null(strstr(out, " 0 failed"));
    free(out);
    tu_rmtree(dir);
    free(dir);
}

/* --explain says, for every rule, what it looked at and what it found —
** also for the rules that did not apply. */
static void test_explain_says_what_each_rule_looked_at(void **state)
{
    (void)state;
    char cmd[1024], *out;
    snprintf(cmd, sizeof cmd, "'%s' check --explain --rules '%s' '%s/02-adhd-docs-in-text.referral.json'",
             TRIAGE_EXE, RULES, EXAMPLES);
    assert_int_equal(run(cmd, &out), 0);
    static const char *const want[] = {
        "[ ] ACUTE-01: selvmordsforsøg: intet; selvmordsplan: nej",
        "[ ] RES-01: kommune: Kbh (= København)",
        "[ ] TG-01: diagnosegrupper: ADHD, autisme; risiko: nej; psykofarmaka: nej",
        "[ ] DOC-02: krav (ADHD/autisme, 6-17 år, ingen tidligere kontakt): ja; kognitiv vurdering: fundet",
        "[ ] DOC-04: krav: ja; PPV: fundet",
        "[ ] ID-01: IQ 88",
        "[ ] SP-01: bliver i BUC: diagnosegrupper: ADHD, autisme",
        "[x] ACC-02: enhed B294: Bispebjerg, effektiv alder 10 år",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(out, want[i]))
            fail_msg("the trace lacks '%s':\n%s", want[i], out);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_examples_decide_as_expected),
        cmocka_unit_test(test_the_rule_sets_own_cases_pass),
        cmocka_unit_test(test_a_broken_rule_fails_its_case_naming_the_field),
        cmocka_unit_test(test_explain_says_what_each_rule_looked_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
