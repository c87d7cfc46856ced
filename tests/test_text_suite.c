/*
** test_text_suite.c — the text suite (rules/tests/text/, one .jsonl file per
** area): every passage, read by the text layer with rules/data/text.lua,
** gives the evidence its expectations name; the runner (engine/textsuite.c)
** names a failing passage and the evidence that differs; `triage test` runs
** it with the rule set's own cases. Run by hand with a directory to try
** other passages: build/test_text_suite DIR [RULES]
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <unistd.h>

#include "testutil.h"
#include "text_load.h"
#include "textsuite.h"

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .jsonl file of dir, in order of name, through the runner. 0, or -1
** when a file cannot be read or holds a line that is no passage. */
static int run_dir(tx_reader *r, const char *dir, FILE *out, tt_result *res)
{
    memset(res, 0, sizeof *res);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 256) {
        size_t l = strlen(e->d_name);
        if (l > 6 && !strcmp(e->d_name + l - 6, ".jsonl"))
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, name_cmp);
    int rc = 0;
    json_t *ids = json_object();
    for (size_t i = 0; i < nn; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        char *data = tu_slurp(path, &len);
        if (!data || tt_run(r, names[i], data, len, out, 0, ids, res) != 0)
            rc = -1;
        free(data);
        free(names[i]);
    }
    json_decref(ids);
    return rc;
}

static void test_every_passage_gives_the_evidence_it_expects(void **state)
{
    (void)state;
    char err[512];
    tx_lexicon *lx = txl_load_dir(TRIAGE_SOURCE_DIR "/rules", &tx_malloc, err, sizeof err);
    if (!lx)
        fail_msg("%s", err);
    tx_reader *r = txe_new(lx, &tx_malloc);
    assert_non_null(r);
    tt_result res;
    int rc = run_dir(r, TRIAGE_SOURCE_DIR "/rules/tests/text", stdout, &res);
    printf("text suite: %d of %d passages pass (%d of %d expectations)\n", res.passed,
           res.passages, res.expectations - res.failed_expectations, res.expectations);
    txe_free(r);
    txl_free(lx);
    assert_int_equal(rc, 0);
    assert_true(res.passages >= 400);
    assert_int_equal(res.passed, res.passages);
}

/* Run passages (JSON Lines) as file x.jsonl with the shipped words: tt_run's
** return, its printed output in *out (the caller frees) and its counts. */
static int run_passages(const char *passages, size_t len, char **out, tt_result *res)
{
    char err[512];
    tx_lexicon *lx = txl_load_dir(TRIAGE_SOURCE_DIR "/rules", &tx_malloc, err, sizeof err);
    assert_non_null(lx);
    tx_reader *r = txe_new(lx, &tx_malloc);
    size_t outlen = 0;
    FILE *mem = open_memstream(out, &outlen);
    memset(res, 0, sizeof *res);
    json_t *ids = json_object();
    int rc = tt_run(r, "x.jsonl", passages, len, mem, 0, ids, res);
    json_decref(ids);
    fclose(mem);
    txe_free(r);
    txl_free(lx);
    return rc;
}

/* The runner itself: a passage whose evidence differs is named, with what
** differs; the others pass. */
static void test_a_failing_passage_is_named_with_the_evidence_that_differs(void **state)
{
    (void)state;
    static const char passages[] =
        "{\"id\":\"ok-1\",\"received\":\"2024-05-10\",\"text\":\"Far har ADHD.\","
        "\"expect\":[{\"key\":\"ADHD\",\"counted\":false,\"why\":\"other_person\","
        "\"cue\":\"far\"}]}\n"
        "{\"id\":\"wrong-1\",\"received\":\"2024-05-10\",\"text\":\"Ingen angst.\","
        "\"expect\":[{\"key\":\"ANXIETY\",\"counted\":true}]}\n"
        "\n"
        "{\"id\":\"wrong-2\",\"received\":\"2024-05-10\",\"text\":\"Vægt 40 kg.\","
        "\"expect\":[{\"key\":\"weight_kg\",\"value\":41}],\"absent\":[\"ADHD\"]}\n";
    char *out = NULL;
    tt_result res;
    assert_int_equal(run_passages(passages, sizeof passages - 1, &out, &res), 0);
    assert_int_equal(res.passages, 3);
    assert_int_equal(res.passed, 1);
    assert_int_equal(res.failed_expectations, 2);
    assert_non_null(strstr(out, "FAIL x.jsonl:2: wrong-1: ANXIETY: want counted, got negated "
                                "(negeret af 'ingen')"));
    assert_non_null(strstr(out, "FAIL x.jsonl:4: wrong-2: weight_kg: want 41.00, got 40.0000"));
    assert_null(strstr(out, "ok-1"));
    assert_string_equal(res.first, "2: wrong-1: ANXIETY: want counted, got negated "
                                   "(negeret af 'ingen')");
    free(out);
}

/* A passage a rule author got wrong in form, not in evidence: a misspelt
** field ("expects") would check nothing and pass, a key in absent that is
** no key would read as one that counted, a line that is no JSON says why. */
static void test_a_passage_that_checks_nothing_or_names_no_key_fails_saying_so(void **state)
{
    (void)state;
    static const char passages[] =
        "{\"id\":\"typo-1\",\"received\":\"2024-05-10\",\"text\":\"Angst.\","
        "\"expects\":[{\"key\":\"ANXIETY\",\"counted\":true}]}\n"
        "{\"id\":\"none-1\",\"received\":\"2024-05-10\",\"text\":\"Angst.\"}\n"
        "{\"id\":\"nokey-1\",\"received\":\"2024-05-10\",\"text\":\"Angst.\","
        "\"absent\":[\"ADHDD\"]}\n"
        "{\"id\":\"ok-1\",\"received\":\"2024-05-10\",\"text\":\"Angst.\","
        "\"expect\":[{\"key\":\"ANXIETY\",\"counted\":true}]}\n"
        "{\"id\":\"half\",\"received\"\n";
    char *out = NULL;
    tt_result res;
    assert_int_equal(run_passages(passages, sizeof passages - 1, &out, &res), -1);
    assert_int_equal(res.passed, 1);
    static const char *const want[] = {
        "FAIL x.jsonl:1: typo-1: unknown field 'expects'",
        "FAIL x.jsonl:2: none-1: a passage checks nothing: it needs expect or absent",
        "FAIL x.jsonl:3: nokey-1: ADHDD: no such key in the text data",
        "FAIL x.jsonl:5: (file): not a passage: ",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(out, want[i]))
            fail_msg("output lacks '%s':\n%s", want[i], out);
    free(out);
}

/* A copy of the shipped rule set in a new directory (the caller removes it). */
static char *shipped_rules_copy(void)
{
    char *dir = tu_tmpdir();
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp -r %s/rules/. '%s'", TRIAGE_SOURCE_DIR, dir);
    assert_int_equal(system(cmd), 0);
    return dir;
}

/* `triage test` (triage_ruleset_test) runs the rule set's passages with its
** cases: a passage that fails fails the run, named with what differs. */
static void test_triage_test_runs_the_text_passages_and_names_a_failing_one(void **state)
{
    (void)state;
    char *dir = shipped_rules_copy();
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    assert_non_null(rs);
    triage_test_result res;
    assert_int_equal(triage_ruleset_test(rs, NULL, 0, &res, &err), TRIAGE_OK);
    assert_true(res.passages >= 400);
    assert_true(res.text_files >= 10);
    assert_int_equal(res.failed, 0);
    triage_ruleset_release(rs);

    tu_write(dir, "tests/text/zz-wrong.jsonl",
             "{\"id\":\"zz-wrong-1\",\"received\":\"2024-05-10\",\"text\":\"Ingen selvskade.\","
             "\"expect\":[{\"key\":\"self_harm\",\"counted\":true}]}\n");
    assert_non_null(rs = triage_ruleset_load(dir, NULL, &err));
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    assert_int_equal(triage_ruleset_test(rs, mem, 0, &res, &err), TRIAGE_OK);
    fclose(mem);
    assert_int_equal(res.failed, 1);
    assert_non_null(strstr(out, "tests/text/zz-wrong.jsonl:1: zz-wrong-1: self_harm: want "
                                "counted, got negated (negeret af 'ingen')"));
    assert_non_null(strstr(err.text, "zz-wrong-1"));
    free(out);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
}

/* Ids are unique over the whole suite (the runner names a failure by its
** id): a passage whose id another file used already fails naming where. */
static void test_a_passage_id_used_twice_in_the_suite_fails_naming_the_first(void **state)
{
    (void)state;
    char *dir = shipped_rules_copy();
    static const char passage[] =
        "{\"id\":\"zz-twice-1\",\"received\":\"2024-05-10\",\"text\":\"Angst.\","
        "\"expect\":[{\"key\":\"ANXIETY\",\"counted\":true}]}\n";
    tu_write(dir, "tests/text/zz-a.jsonl", passage);
    tu_write(dir, "tests/text/zz-b.jsonl", passage);
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    assert_non_null(rs);
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    triage_test_result res;
    assert_int_equal(triage_ruleset_test(rs, mem, 0, &res, &err), TRIAGE_OK);
    fclose(mem);
    assert_int_equal(res.failed, 1);
    if (!strstr(out, "tests/text/zz-b.jsonl:1: zz-twice-1: the id is used before, at ") ||
        !strstr(out, "tests/text/zz-a.jsonl:1"))
        fail_msg("output:\n%s", out);
    free(out);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1) {                 /* by hand: another directory of passages */
        char err[512];
        tx_lexicon *lx = txl_load_dir(argc > 2 ? argv[2] : TRIAGE_SOURCE_DIR "/rules",
                                      &tx_malloc, err, sizeof err);
        if (!lx) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        tx_reader *r = txe_new(lx, &tx_malloc);
        tt_result res;
        int rc = run_dir(r, argv[1], stdout, &res);
        printf("text suite: %d of %d passages pass (%d of %d expectations)\n", res.passed,
               res.passages, res.expectations - res.failed_expectations, res.expectations);
        txe_free(r);
        txl_free(lx);
        return rc || res.passed != res.passages;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_failing_passage_is_named_with_the_evidence_that_differs),
        cmocka_unit_test(test_a_passage_that_checks_nothing_or_names_no_key_fails_saying_so),
        cmocka_unit_test(test_every_passage_gives_the_evidence_it_expects),
        cmocka_unit_test(test_triage_test_runs_the_text_passages_and_names_a_failing_one),
        cmocka_unit_test(test_a_passage_id_used_twice_in_the_suite_fails_naming_the_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
