/*
** test_text_evidence.c — the layer's front: each key's verdict over a whole
** letter, history by date (a suicide attempt more than 3 months back), keys
** that share another's words, a stated IQ as a cognitive assessment, the
** Danish explanations with the cue as written, offsets into the original;
** no allocation once a reader is warm, every byte back on free, and one
** lexicon read by readers on several threads.
*/
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "text_testutil.h"

static const char *explain(const tx_evidence *ev, const char *key)
{
    static char buf[256];
    int id = txl_key_id(tt_shipped(), key);
    assert_true(id >= 0);
    (void)ev;
    txe_explain_key(tt_r, (uint32_t)id, buf, sizeof buf);
    return buf;
}

static void test_a_key_counts_when_any_mention_counts(void **state)
{
    (void)state;
    const tx_evidence *ev =
        tt_read(tt_r, "Afviser i dag selvmordstanker. Beskrev selvmordstanker i går.", "2024-05-10");
    const tx_keyev *k = tt_key(tt_r, ev, "suicidal_ideation");
    assert_int_equal(k->nmention, 2);
    assert_true(k->counted);
    assert_int_equal(k->why, TX_WHY_COUNTED);
    assert_int_equal(k->mention, 1);
    ev = tt_read(tt_r, "Ingen selvskade. Ingen selvmordstanker.", "2024-05-10");
    k = tt_key(tt_r, ev, "self_harm");
    assert_false(k->counted);
    assert_int_equal(k->why, TX_WHY_NEGATED);
    assert_string_equal(explain(ev, "self_harm"), "negeret af 'ingen'");
    k = tt_key(tt_r, ev, "ADHD");
    assert_false(k->counted);
    assert_int_equal(k->nmention, 0);
    assert_int_equal(k->mention, -1);
    assert_string_equal(explain(ev, "ADHD"), "");
}

static void test_an_attempt_dated_only_long_ago_is_history(void **state)
{
    (void)state;
    const tx_evidence *ev = tt_read(tt_r, "Selvmordsforsøg i 2017.", "2024-05-10");
    const tx_keyev *k = tt_key(tt_r, ev, "suicide_attempt");
    assert_false(k->counted);
    assert_int_equal(k->why, TX_WHY_HISTORY);
    assert_int_equal(k->when, TX_WHEN_PAST);
    assert_int_equal(k->date, tt_day("2017-07-01"));
    assert_string_equal(explain(ev, "suicide_attempt"),
                        "historik: dateret 2017-07-01, mere end 3 måneder før modtagelse");
    ev = tt_read(tt_r, "Selvmordsforsøg i 2021. Nyt selvmordsforsøg for 2 uger siden.", "2024-05-10");
    k = tt_key(tt_r, ev, "suicide_attempt");
    assert_true(k->counted);
    assert_int_equal(k->when, TX_WHEN_CURRENT);
    assert_int_equal(k->date, tt_day("2024-04-26"));      /* the newest */
    ev = tt_read(tt_r, "Tidligere selvmordsforsøg.", "2024-05-10");    /* undated: current */
    assert_int_equal(tt_key(tt_r, ev, "suicide_attempt")->when, TX_WHEN_CURRENT);
}

static void test_a_key_may_read_with_another_keys_words(void **state)
{
    (void)state;
    const tx_evidence *ev = tt_read(tt_r, "Hører stemmer om natten.", "2024-05-10");
    assert_true(tt_key(tt_r, ev, "PSYCHOSIS")->counted);
    assert_true(tt_key(tt_r, ev, "psychosis")->counted);
    ev = tt_read(tt_r, "Far ryger hash.", "2024-05-10");
    assert_int_equal(tt_key(tt_r, ev, "substance_misuse")->why, TX_WHY_OTHER_PERSON);
}

/* Every key not as with no mention is in touched, each once; a key the
** last letter touched is blank again when the next says nothing of it. */
static void assert_touched_lists_every_key_not_blank(const tx_evidence *ev)
{
    for (uint32_t k = 0; k < ev->nkey; k++) {
        const tx_keyev *kv = &ev->key[k];
        int listed = 0;
        for (uint32_t q = 0; q < ev->ntouched; q++)
            listed += ev->touched[q] == k;
        assert_true(listed <= 1);
        if (kv->nmention || kv->counted || kv->date != DT_NONE || kv->when != TX_WHEN_NONE ||
            kv->mention != -1)
            assert_int_equal(listed, 1);
    }
}

static void test_touched_lists_the_keys_a_letter_sets_and_the_next_resets_them(void **state)
{
    (void)state;
    const tx_evidence *ev = tt_read(tt_r, "Hører stemmer. Selvmordsforsøg i 2017. Ingen selvskade.",
                                    "2024-05-10");
    assert_touched_lists_every_key_not_blank(ev);
    assert_true(tt_key(tt_r, ev, "psychosis")->counted);         /* PSYCHOSIS's words */
    assert_int_equal(tt_key(tt_r, ev, "suicide_attempt")->when, TX_WHEN_PAST);
    ev = tt_read(tt_r, "Eleven har svært ved matematik.", "2024-05-10");
    assert_touched_lists_every_key_not_blank(ev);
    const char *gone[] = {"PSYCHOSIS", "psychosis", "suicide_attempt", "self_harm"};
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++) {
        const tx_keyev *k = tt_key(tt_r, ev, gone[i]);
        assert_int_equal(k->nmention, 0);
        assert_false(k->counted);
        assert_int_equal(k->when, TX_WHEN_NONE);
        assert_int_equal(k->date, DT_NONE);
        assert_int_equal(k->mention, -1);
    }
}

static void test_a_stated_iq_is_a_cognitive_assessment(void **state)
{
    (void)state;
    const tx_evidence *ev = tt_read(tt_r, "Samlet IK 65. Ingen PPV.", "2024-05-10");
    assert_true(tt_key(tt_r, ev, "cognitive_assessment")->counted);
    assert_true(ev->somatic->has_iq && ev->somatic->iq == 65.0);
    ev = tt_read(tt_r, "Eleven har svært ved matematik.", "2024-05-10");
    assert_false(tt_key(tt_r, ev, "cognitive_assessment")->counted);
}

static void test_explanations_are_the_datas_danish_with_the_cue_as_written(void **state)
{
    (void)state;
    const tx_evidence *ev = tt_read(tt_r, "BENÆGTER selvmordstanker.", "2024-05-10");
    assert_string_equal(explain(ev, "suicidal_ideation"), "negeret af 'benægter'");
    ev = tt_read(tt_r, "Storebror går i BUC.", "2024-05-10");
    assert_string_equal(explain(ev, "previous_buc_contact"), "om en anden person: 'storebror'");
    ev = tt_read(tt_r, "Pigen har Selvmordstankerne igen.", "2024-05-10");
    assert_string_equal(explain(ev, "suicidal_ideation"), "nævnt: 'selvmordstankerne'");
    ev = tt_read(tt_r, "Mistanke om ADHD.", "2024-05-10");
    assert_string_equal(explain(ev, "ADHD"), "mistanke: 'mistanke'");
    ev = tt_read(tt_r, "PPV foreligger ikke.", "2024-05-10");
    assert_string_equal(explain(ev, "ppv"), "negeret af 'ikke' senere i sætningen");
    ev = tt_read(tt_r, "Selvskade: nej", "2024-05-10");
    assert_string_equal(explain(ev, "self_harm"), "negeret i feltet: 'nej'");
    char small[8];
    size_t n = txe_explain_key(tt_r, (uint32_t)txl_key_id(tt_shipped(), "self_harm"), small,
                               sizeof small);
    assert_int_equal(n, strlen("negeret i feltet: 'nej'"));
    assert_string_equal(small, "negeret");
}

static void test_a_mention_points_at_its_bytes_in_the_original_letter(void **state)
{
    (void)state;
    const char *text = "Pt.  har  tvangs­tanker og SKOLEANGST.\nOgså ængstelig.";
    const tx_evidence *ev = tt_read(tt_r, text, "2024-05-10");
    int seen = 0;
    for (uint32_t i = 0; i < ev->nmention; i++) {
        const tx_mention *m = &ev->mention[i];
        char word[64] = "";
        memcpy(word, text + m->ostart, m->oend - m->ostart);
        if (!strcmp(word, "tvangs\xc2\xadtanker") || !strcmp(word, "ANGST") ||
            !strcmp(word, "ængstelig"))
            seen++;
        else
            fail_msg("mention %u is '%s'", i, word);
    }
    assert_int_equal(seen, 3);
    assert_true(ev->mention[1].flags & TX_H_INSIDE);
}

static const char *const LETTERS[] = {
    "Henvises med mistanke om ADHD. Der foreligger PPV, WISC-V er gennemført 3.4.2023 (IK 88).",
    "Selvmordsforsøg for 2 uger siden, hører stemmer. Far har depression. BMI 15,1.",
    "Ingen selvskade. Vejer 39 kg og er 163 cm høj. Tabt 6 kg på 2 måneder.",
    "Fælles forældremyndighed, begge forældre er indforståede. Storebror går i BUC.",
    "SELVMORDSFORSOEG FOR 4 AAR SIDEN, AKTUELT INGEN SELVMORDSTANKER.",
    "Pt. m. selvmordstanker, ej plan.\n- PPV: mangler\n- Samtykke: ja",
};

static void test_a_warm_reader_allocates_nothing_and_frees_everything(void **state)
{
    (void)state;
    tt_counter c;
    tx_alloc a = tt_counting(&c);
    char err[512];
    tx_lexicon *lx = txl_load_dir(TRIAGE_SOURCE_DIR "/rules", &a, err, sizeof err);
    assert_non_null(lx);
    size_t lexicon_bytes = c.live_bytes;
    assert_true(lexicon_bytes > 0);
    tx_reader *r = txe_new(lx, &a);
    assert_non_null(r);
    for (size_t i = 0; i < sizeof LETTERS / sizeof *LETTERS; i++)
        assert_non_null(tt_read(r, LETTERS[i], "2024-05-10"));
    long calls = c.calls;
    for (int rep = 0; rep < 20; rep++)
        for (size_t i = 0; i < sizeof LETTERS / sizeof *LETTERS; i++)
            assert_non_null(tt_read(r, LETTERS[i], "2024-05-10"));
    assert_int_equal(c.calls, calls);
    assert_true(txe_bytes(r) > 0);
    txe_free(r);
    assert_int_equal(c.live_bytes, lexicon_bytes);
    txl_free(lx);
    assert_int_equal(c.live_bytes, 0);
    assert_int_equal(c.live_blocks, 0);
}

static void test_a_reader_without_memory_says_so_and_recovers(void **state)
{
    (void)state;
    tt_counter c;
    tx_alloc a = tt_counting(&c);
    tx_reader *r = txe_new(tt_shipped(), &a);
    assert_non_null(r);
    c.fail_after = 0;
    assert_null(tt_read(r, LETTERS[0], "2024-05-10"));
    c.fail_after = -1;
    assert_non_null(tt_read(r, LETTERS[0], "2024-05-10"));
    txe_free(r);
    assert_int_equal(c.live_bytes, 0);
}

/* Readers on two threads, one lexicon: each sees what a lone reader sees. */
static void *read_all(void *arg)
{
    long *sum = arg;
    tx_reader *r = txe_new(tt_shipped(), &tx_malloc);
    for (int rep = 0; rep < 200; rep++)
        for (size_t i = 0; i < sizeof LETTERS / sizeof *LETTERS; i++) {
            const tx_evidence *ev = tt_read(r, LETTERS[i], "2024-05-10");
            for (uint32_t k = 0; k < ev->nkey; k++)
                *sum += ev->key[k].counted * (long)(k + 1) + ev->key[k].why;
        }
    txe_free(r);
    return NULL;
}

static void test_readers_on_several_threads_share_one_lexicon(void **state)
{
    (void)state;
    long alone = 0, sums[2] = {0, 0};
    read_all(&alone);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, read_all, &sums[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(sums[0], alone);
    assert_int_equal(sums[1], alone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_key_counts_when_any_mention_counts),
        cmocka_unit_test(test_an_attempt_dated_only_long_ago_is_history),
        cmocka_unit_test(test_a_key_may_read_with_another_keys_words),
        cmocka_unit_test(test_touched_lists_the_keys_a_letter_sets_and_the_next_resets_them),
        cmocka_unit_test(test_a_stated_iq_is_a_cognitive_assessment),
        cmocka_unit_test(test_explanations_are_the_datas_danish_with_the_cue_as_written),
        cmocka_unit_test(test_a_mention_points_at_its_bytes_in_the_original_letter),
        cmocka_unit_test(test_a_warm_reader_allocates_nothing_and_frees_everything),
        cmocka_unit_test(test_a_reader_without_memory_says_so_and_recovers),
        cmocka_unit_test(test_readers_on_several_threads_share_one_lexicon),
    };
    return cmocka_run_group_tests(tests, tt_setup, tt_teardown);
}
