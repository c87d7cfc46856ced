/*
** test_text_suite.c — the text suite (tests/data/text/, one .jsonl file per area): every
** passage, read by the text layer with rules/data/text.lua, gives the
** evidence its expectations name. A failure names the passage and the
** evidence that differs. Run by hand with a directory to try other passages:
**   build/test_text_suite DIR
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <unistd.h>

#include "text_load.h"
#include "text_suite.h"

static void test_every_passage_gives_the_evidence_it_expects(void **state)
{
    (void)state;
    char err[512];
    tx_lexicon *lx = txl_load_dir(TRIAGE_SOURCE_DIR "/rules", &tx_malloc, err, sizeof err);
    if (!lx)
        fail_msg("%s", err);
    tx_reader *r = txe_new(lx, &tx_malloc);
    assert_non_null(r);
    ts_result res;
    int rc = ts_run_dir(r, TRIAGE_SOURCE_DIR "/tests/data/text", stdout, &res);
    printf("text suite: %d of %d passages pass (%d of %d expectations)\n", res.passed,
           res.passages, res.expectations - res.failed_expectations, res.expectations);
    txe_free(r);
    txl_free(lx);
    assert_int_equal(rc, 0);
    assert_true(res.passages >= 400);
    assert_int_equal(res.passed, res.passages);
}

/* The runner itself: a passage whose evidence differs is named, with what
** differs; the others pass. */
static void test_a_failing_passage_is_named_with_the_evidence_that_differs(void **state)
{
    (void)state;
    char dir[] = "/tmp/triage-text-suite-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/x.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"id\":\"ok-1\",\"received\":\"2024-05-10\",\"text\":\"Far har ADHD.\","
          "\"expect\":[{\"key\":\"ADHD\",\"counted\":false,\"why\":\"other_person\","
          "\"cue\":\"far\"}]}\n", f);
    fputs("{\"id\":\"wrong-1\",\"received\":\"2024-05-10\",\"text\":\"Ingen angst.\","
          "\"expect\":[{\"key\":\"ANXIETY\",\"counted\":true}]}\n", f);
    fputs("{\"id\":\"wrong-2\",\"received\":\"2024-05-10\",\"text\":\"Vægt 40 kg.\","
          "\"expect\":[{\"key\":\"weight_kg\",\"value\":41}],\"absent\":[\"ADHD\"]}\n", f);
    fclose(f);
    char err[512];
    tx_lexicon *lx = txl_load_dir(TRIAGE_SOURCE_DIR "/rules", &tx_malloc, err, sizeof err);
    assert_non_null(lx);
    tx_reader *r = txe_new(lx, &tx_malloc);
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    ts_result res;
    assert_int_equal(ts_run_dir(r, dir, mem, &res), 0);
    fclose(mem);
    assert_int_equal(res.passages, 3);
    assert_int_equal(res.passed, 1);
    assert_int_equal(res.failed_expectations, 2);
    assert_non_null(strstr(out, "wrong-1: ANXIETY: want counted, got negated (negeret af 'ingen')"));
    assert_non_null(strstr(out, "wrong-2: weight_kg: want 41.00, got 40.0000"));
    assert_null(strstr(out, "ok-1"));
    free(out);
    txe_free(r);
    txl_free(lx);
    remove(path);
    rmdir(dir);
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
        ts_result res;
        int rc = ts_run_dir(r, argv[1], stdout, &res);
        printf("text suite: %d of %d passages pass (%d of %d expectations)\n", res.passed,
               res.passages, res.expectations - res.failed_expectations, res.expectations);
        txe_free(r);
        txl_free(lx);
        return rc || res.passed != res.passages;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_failing_passage_is_named_with_the_evidence_that_differs),
        cmocka_unit_test(test_every_passage_gives_the_evidence_it_expects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
