/*
** test_text_norm.c — the normaliser: case and æ/ø/å folded so that ae/oe/aa
** spellings meet them, whitespace and typographic marks made plain, the way
** back to the original bytes exact, the structure marks noted, and its
** buffers reused without allocating once grown.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "text_testutil.h"

static tx_norm N;

static const char *norm(const char *text)
{
    assert_int_equal(txn_run(&N, text, strlen(text), &tx_malloc), 0);
    return N.s;
}

static void test_lower_case_and_danish_letters_fold_to_one_spelling(void **state)
{
    (void)state;
    assert_string_equal(norm("SELVMORDSFORSØG"), "selvmordsforsoeg");
    assert_string_equal(norm("Selvmordsforsoeg"), "selvmordsforsoeg");
    assert_string_equal(norm("Forældremyndighed"), "foraeldremyndighed");
    assert_string_equal(norm("FORÆLDREMYNDIGHED PÅ BØRNEHJEM"), "foraeldremyndighed paa boernehjem");
    assert_string_equal(norm("Søster i Århus"), "soester i aarhus");
    assert_string_equal(norm("Ärger Öl"), "aerger oel");          /* ä, ö as æ, ø */
    assert_string_equal(norm("Café naïve Müller"), "cafe naive muller");
    assert_string_equal(norm("× ÷"), "× ÷");                      /* not letters: kept */
}

static void test_whitespace_runs_become_one_space_and_line_breaks_are_marked(void **state)
{
    (void)state;
    assert_string_equal(norm("hører   stemmer\t\tom  natten"), "hoerer stemmer om natten");
    assert_string_equal(norm("a \r\n  b\n\nc"), "a b c");
    /* the two line-break runs are marked, each once */
    int nl = 0;
    for (uint32_t i = 0; i < N.nmark; i++)
        if (N.mark[i] & TX_NL) {
            nl++;
            assert_int_equal(N.s[TX_MARK_AT(N.mark[i])], ' ');
        }
    assert_int_equal(nl, 2);
    assert_int_equal(TX_MARK_AT(N.mark[0]), 1);
    assert_int_equal(TX_MARK_AT(N.mark[1]), 3);
}

static void test_typographic_marks_become_plain_and_invisible_ones_go(void **state)
{
    (void)state;
    assert_string_equal(norm("fælles\xc2\xa0" "forældremyndighed"), "faelles foraeldremyndighed");
    assert_string_equal(norm("selv\xc2\xad" "mords\xc2\xad" "tanker"), "selvmordstanker");
    assert_string_equal(norm("PPV\xe2\x80\x99" "en"), "ppv'en");                  /* ’ */
    assert_string_equal(norm("\xe2\x80\x9e" "svær\xe2\x80\x9c"), "\"svaer\"");   /* „ “ */
    assert_string_equal(norm("ADHD\xe2\x80\x93" "udredning"), "adhd-udredning");  /* – */
    assert_string_equal(norm("a\xe2\x80\x94" "b"), "a-b");                        /* — */
    assert_string_equal(norm("\xe2\x80\xa2 angst"), "- angst");                   /* • */
    assert_string_equal(norm("ord\xe2\x80\x8b" "blind"), "ordblind");             /* zero width */
    assert_string_equal(norm("\xef\xbb\xbf" "hej"), "hej");                       /* BOM */
    assert_string_equal(norm("nu\xe2\x80\xa6"), "nu.");                           /* … */
}

static void test_offsets_map_back_to_the_original_bytes(void **state)
{
    (void)state;
    const char *t = "Søster  har\xc2\xa0" "ADHD og é.";
    norm(t);
    /* "soester har" + "adhd og e." */
    const char *p = strstr(N.s, "adhd");
    assert_non_null(p);
    uint32_t s = (uint32_t)(p - N.s);
    tx_span o = txn_orig(&N, s, s + 4);
    assert_int_equal(o.end - o.start, 4);
    assert_memory_equal(t + o.start, "ADHD", 4);
    /* a folded character is taken whole, from either of its bytes */
    o = txn_orig(&N, 1, 2);                       /* the "o" of "oe" */
    assert_int_equal(o.start, 1);
    assert_int_equal(o.end, 3);                   /* both bytes of ø */
    o = txn_orig(&N, 0, 7);                       /* "soester" */
    assert_memory_equal(t + o.start, "Søster", o.end - o.start);
    assert_int_equal(o.end - o.start, strlen("Søster"));
    /* after the collapsed spaces and the shorter é */
    p = strstr(N.s, "e.");
    s = (uint32_t)(p - N.s);
    o = txn_orig(&N, s, s + 2);
    assert_memory_equal(t + o.start, "é.", o.end - o.start);
    assert_int_equal(txn_at(&N, N.len), strlen(t));
}

static void test_case_is_known_per_letter_and_for_the_whole_text(void **state)
{
    (void)state;
    norm("Pt. ADD æble Ærø");
    assert_true(txn_upper(&N, 0));
    assert_false(txn_upper(&N, 1));
    assert_true(txn_upper(&N, 4));                 /* A of ADD */
    const char *p = strstr(N.s, "aeroe");
    assert_true(txn_upper(&N, (uint32_t)(p - N.s)));
    assert_false(txn_caseblind(&N));
    norm("SELVMORDSFORSØG FOR 4 ÅR SIDEN. INGEN SELVMORDSTANKER.");
    assert_true(txn_caseblind(&N));
}

static void test_marks_name_the_punctuation_and_each_digit_run(void **state)
{
    (void)state;
    norm("IQ 96. d. 4.3.2019, BMI 16,2; ok? ja!");
    char got[128] = "";
    for (uint32_t i = 0; i < N.nmark; i++) {
        char c = N.s[TX_MARK_AT(N.mark[i])];
        size_t k = strlen(got);
        got[k] = txn_digit((unsigned char)c) ? '#' : c;
        got[k + 1] = 0;
    }
    assert_string_equal(got, "#..#.#.#,#,#;?!");
}

/* Letters counted as txn_run counts them, from the original bytes. */
static void count_case(const char *t, size_t n, uint32_t *up, uint32_t *lo)
{
    *up = *lo = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c >= 'A' && c <= 'Z')
            ++*up;
        else if (c >= 'a' && c <= 'z')
            ++*lo;
        else if (c == 0xC3 && i + 1 < n) {
            unsigned b = ((unsigned char)t[i + 1] - 0x80) & 63;
            if (b != 0x17 && b != 0x37)      /* × ÷ */
                ++*(b < 32 && b != 0x1F ? up : lo);
        }
    }
}

/* Long letters go sixteen bytes at a time where they can (SSE2): whatever
** the mix of bytes, the text is what the byte-at-a-time fold writes, the
** marks are every . ! ? , ; : and digit run's start, the word bits every
** word byte, the letters counted by case. */
static void test_a_letter_read_sixteen_bytes_at_a_time_reads_as_byte_by_byte(void **state)
{
    (void)state;
    static const char *const bits[] = {
        "a", "e", "selvmord", "ADHD", "Ø", "æ", "å", "Æ", "Å", "ø", "é", "ü", "ß", "×",
        " ", " ", " ", "  ", "\t", "\n", "\r\n", ".", ",", ";", ":", "!", "?", "-", "'",
        "0", "4.3.2019", "39,5", "12", "\xc2\xa0", "\xc2\xad", "\xe2\x80\x93",
        "\xe2\x80\x99", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "(", "/", "%", "\x7f"};
    uint32_t seed = 20261206;
    char text[400], want[400 + 1];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        size_t target = (seed = seed * 1103515245u + 12345u) >> 16 & 255;
        while (n < target) {
            seed = seed * 1103515245u + 12345u;
            const char *b = bits[(seed >> 16) % (sizeof bits / sizeof *bits)];
            size_t bl = strlen(b);
            if (n + bl >= sizeof text)
                break;
            memcpy(text + n, b, bl);
            n += bl;
        }
        assert_int_equal(txn_run(&N, text, n, &tx_malloc), 0);
        size_t wl = txn_fold(want, text, n);
        assert_int_equal(N.len, wl);
        assert_memory_equal(N.s, want, wl);
        uint32_t up, lo;
        count_case(text, n, &up, &lo);
        assert_int_equal(N.upper, up);
        assert_int_equal(N.lower, lo);
        uint32_t m = 0;
        for (uint32_t i = 0; i < N.len; i++) {
            unsigned char c = (unsigned char)N.s[i];
            assert_int_equal(txn_isword(&N, i), txn_word(c) != 0);
            if (!strchr(".!?,;:", c) || !c) {
                if (!txn_digit(c) || (i > 0 && txn_digit((unsigned char)N.s[i - 1])))
                    continue;
            }
            while (m < N.nmark && (N.mark[m] & TX_NL))
                m++;
            assert_true(m < N.nmark);
            assert_int_equal(N.mark[m], i);
            m++;
        }
        while (m < N.nmark && (N.mark[m] & TX_NL))
            m++;
        assert_int_equal(m, N.nmark);
        assert_int_equal(txn_wend(&N, N.len), N.len);
    }
}

static void test_buffers_are_reused_and_grow_only_for_a_longer_text(void **state)
{
    (void)state;
    tt_counter c;
    tx_alloc a = tt_counting(&c);
    tx_norm n = {0};
    assert_int_equal(txn_run(&n, "Angst og ADHD.", 14, &a), 0);
    long calls = c.calls;
    for (int i = 0; i < 100; i++)
        assert_int_equal(txn_run(&n, "Selvmordsforsøg i går.", 23, &a), 0);
    assert_int_equal(c.calls, calls);             /* nothing allocated once warm */
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(txn_run(&n, big, strlen(big), &a), 0);
    assert_true(c.calls > calls);
    assert_int_equal(n.len, strlen(big));
    txn_free(&n, &a);
    assert_int_equal(c.live_blocks, 0);
    assert_int_equal(c.live_bytes, 0);
}

static void test_a_text_too_long_or_no_memory_reads_as_empty(void **state)
{
    (void)state;
    tt_counter c;
    tx_alloc a = tt_counting(&c);
    c.fail_after = 0;
    tx_norm n = {0};
    assert_int_equal(txn_run(&n, "angst", 5, &a), -1);
    assert_int_equal(n.len, 0);
    c.fail_after = -1;
    assert_int_equal(txn_run(&n, "angst", 5, &a), 0);
    assert_int_equal(txn_run(&n, "x", (size_t)TX_MAX_TEXT, &a), -1);
    assert_int_equal(n.len, 0);
    assert_string_equal(n.s, "");
    txn_free(&n, &a);
    assert_int_equal(c.live_bytes, 0);
}

static void test_fold_gives_the_letter_spelling_of_a_data_word(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(txn_fold(out, "Forældre  Å", 13), strlen("foraeldre aa"));
    assert_string_equal(out, "foraeldre aa");
}

static int teardown(void **state)
{
    (void)state;
    txn_free(&N, &tx_malloc);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower_case_and_danish_letters_fold_to_one_spelling),
        cmocka_unit_test(test_whitespace_runs_become_one_space_and_line_breaks_are_marked),
        cmocka_unit_test(test_typographic_marks_become_plain_and_invisible_ones_go),
        cmocka_unit_test(test_offsets_map_back_to_the_original_bytes),
        cmocka_unit_test(test_case_is_known_per_letter_and_for_the_whole_text),
        cmocka_unit_test(test_marks_name_the_punctuation_and_each_digit_run),
        cmocka_unit_test(test_a_letter_read_sixteen_bytes_at_a_time_reads_as_byte_by_byte),
        cmocka_unit_test(test_buffers_are_reused_and_grow_only_for_a_longer_text),
        cmocka_unit_test(test_a_text_too_long_or_no_memory_reads_as_empty),
        cmocka_unit_test(test_fold_gives_the_letter_spelling_of_a_data_word),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
