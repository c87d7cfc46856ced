/*
** test_text_segment.c — sentences and clauses as policy v1.1 splits them:
** . ! ? and line breaks end a sentence, but not a dot in a number or date,
** after an abbreviation or after an ordinal; a wrapped line goes on unless
** it reads "label: value"; clauses end at , and ; (not a decimal comma);
** every digit run listed with its value.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "text_segment.h"
#include "text_testutil.h"

static tx_norm N;
static tx_segments G;
static tx_words ABBR, MONTHS;

static int setup(void **state)
{
    (void)state;
    static const char *const abbr[] = {"ca", "f.eks", "bl.a", "d", "pga", "mdr", "kl"};
    for (size_t i = 0; i < sizeof abbr / sizeof *abbr; i++)
        txw_put(&ABBR, &tx_malloc, abbr[i], strlen(abbr[i]), 1);
    txw_put(&MONTHS, &tx_malloc, "september", 9, 9);
    txw_put(&MONTHS, &tx_malloc, "marts", 5, 3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    txn_free(&N, &tx_malloc);
    txs_free(&G, &tx_malloc);
    txw_free(&ABBR, &tx_malloc);
    txw_free(&MONTHS, &tx_malloc);
    return 0;
}

static int WRAP;     /* tx_segmenter.wrapped_lines */

/* The sentences of text, normalised, joined by " | ". */
static const char *sentences(const char *text)
{
    static char out[1024];
    tx_segmenter cfg = {&ABBR, &MONTHS, WRAP};
    assert_int_equal(txn_run(&N, text, strlen(text), &tx_malloc), 0);
    assert_int_equal(txs_run(&G, &cfg, &N, text, &tx_malloc), 0);
    out[0] = 0;
    for (uint32_t i = 0; i < G.nsent; i++) {
        size_t k = strlen(out);
        snprintf(out + k, sizeof out - k, "%s%.*s", i ? " | " : "",
                 (int)(G.sent[i].end - G.sent[i].start), N.s + G.sent[i].start);
    }
    return out;
}

static const char *clauses(const char *text)
{
    static char out[1024];
    sentences(text);
    out[0] = 0;
    for (uint32_t i = 0; i < G.nclause; i++) {
        size_t k = strlen(out);
        snprintf(out + k, sizeof out - k, "%s%u:%.*s", i ? " | " : "", G.clause[i].sent,
                 (int)(G.clause[i].end - G.clause[i].start), N.s + G.clause[i].start);
    }
    return out;
}

static void test_sentences_end_at_stops_and_line_breaks(void **state)
{
    (void)state;
    assert_string_equal(sentences("Ingen selvskade. Selvmordstanker dagligt! Psykose?"),
                        "ingen selvskade. | selvmordstanker dagligt! | psykose?");
    assert_string_equal(sentences("Ingen selvskade\nSelvmordsplan med afskedsbrev"),
                        "ingen selvskade | selvmordsplan med afskedsbrev");
    assert_string_equal(sentences("Nej!?  Jo... Nu."), "nej!? | jo... | nu.");
    assert_string_equal(sentences(""), "");
    assert_string_equal(sentences("  \n "), "");
    /* punctuation alone is a sentence of one clause */
    assert_string_equal(sentences(", "), ",");
    assert_int_equal(G.nclause, 1);
    assert_string_equal(sentences("a, ;. ,"), "a, ;. | ,");
    for (uint32_t i = 0; i < G.nsent; i++)
        assert_int_equal(G.clause[G.sent[i].clause].sent, i);
}

static void test_no_end_inside_numbers_dates_abbreviations_and_ordinals(void **state)
{
    (void)state;
    assert_string_equal(sentences("Selvmordsforsøg d. 4.3.2019 med piller. BMI 16.2 nu."),
                        "selvmordsforsoeg d. 4.3.2019 med piller. | bmi 16.2 nu.");
    assert_string_equal(sentences("Har ikke i ca. 3 mdr. haft selvmordstanker. Ok."),
                        "har ikke i ca. 3 mdr. haft selvmordstanker. | ok.");
    assert_string_equal(sentences("Ingen tegn på bl.a. ordblindhed, f.eks. i dansk. Ok."),
                        "ingen tegn paa bl.a. ordblindhed, f.eks. i dansk. | ok.");
    assert_string_equal(sentences("Går i 8. klasse. Den 9. September kom han."),
                        "gaar i 8. klasse. | den 9. september kom han.");
    /* a number then a capital: two sentences (policy v1.1) */
    assert_string_equal(sentences("IQ 96. Der foreligger PPV."), "iq 96. | der foreligger ppv.");
}

static void test_every_line_break_ends_a_sentence_as_the_policy_says(void **state)
{
    (void)state;
    WRAP = 0;
    assert_string_equal(sentences("Der er ikke\nudarbejdet PPV."), "der er ikke | udarbejdet ppv.");
}

static void test_when_asked_a_wrapped_line_goes_on_unless_a_line_is_a_label(void **state)
{
    (void)state;
    WRAP = 1;
    assert_string_equal(sentences("Eleven har gennem det sidste\nhalve år haft selvmordstanker."),
                        "eleven har gennem det sidste halve aar haft selvmordstanker.");
    assert_string_equal(sentences("Selvskade: ingen\nselvmordstanker: ja"),
                        "selvskade: ingen | selvmordstanker: ja");
    assert_string_equal(sentences("Angst og\nselvskade: ja"), "angst og | selvskade: ja");
    assert_string_equal(sentences("- angst\n- tvangstanker"), "- angst | - tvangstanker");
    /* a letter in capitals: a line break always ends */
    assert_string_equal(sentences("INGEN SELVSKADE OG\nINGEN TANKER"),
                        "ingen selvskade og | ingen tanker");
    WRAP = 0;
}

static void test_clauses_end_at_commas_and_semicolons_not_decimal_commas(void **state)
{
    (void)state;
    assert_string_equal(clauses("PPV foreligger, kognitiv test mangler. Vægt 39,5 kg; ok."),
                        "0:ppv foreligger | 0:kognitiv test mangler. | 1:vaegt 39,5 kg | 1:ok.");
    assert_int_equal(G.nsent, 2);
    assert_int_equal(G.sent[1].clause, 2);
    assert_int_equal(txs_clause_at(&G, 3), 0);
    assert_int_equal(txs_sentence_at(&G, G.sent[1].start + 2), 1);
}

static void test_every_digit_run_is_listed_with_its_value(void **state)
{
    (void)state;
    sentences("d. 04.03.2019, 14-årig, 123456789012.");
    assert_int_equal(G.nnum, 5);
    assert_int_equal(G.num[0].value, 4);
    assert_int_equal(G.num[0].end - G.num[0].start, 2);
    assert_int_equal(G.num[1].value, 3);
    assert_int_equal(G.num[2].value, 2019);
    assert_int_equal(G.num[3].value, 14);
    assert_int_equal(G.num[4].value, 999999999);      /* capped */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentences_end_at_stops_and_line_breaks),
        cmocka_unit_test(test_no_end_inside_numbers_dates_abbreviations_and_ordinals),
        cmocka_unit_test(test_every_line_break_ends_a_sentence_as_the_policy_says),
        cmocka_unit_test(test_when_asked_a_wrapped_line_goes_on_unless_a_line_is_a_label),
        cmocka_unit_test(test_clauses_end_at_commas_and_semicolons_not_decimal_commas),
        cmocka_unit_test(test_every_digit_run_is_listed_with_its_value),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
