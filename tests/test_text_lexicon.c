/*
** test_text_lexicon.c — the lexicon and its one-pass matcher (policy v1.1
** "spelling"): terms at a word's start with inflections and compounds, long
** terms at a compound's end, abbreviations as whole words, capitals-only
** terms, hyphen spellings, slips of long terms, phrases with words between,
** data regexes; overlaps settled; the loader's errors name the field; every
** byte comes from the caller's hook and goes back to it.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "text_testutil.h"

static const char KEYS[] =
    "ANX = { terms = { { 'angst', except = { 'fangst' } }, 'separationsangst' } },\n"
    "ADHD = { terms = { 'ADHD', { 'ADD', upper = true }, 'opmærksomhedsforstyrrelse' } },\n"
    "PPV = { kind = 'document', terms = { 'PPV', 'PPR-udtalelse' } },\n"
    "PSY = { terms = { { phrase = { { 'hører', 'hørte' }, 'stemme' }, within = 2 },\n"
    "                  'hallucination' } },\n"
    "ATT = { history_months = 3, terms = { 'selvmordsforsøg', { 'selvmordsplanlægning', typo = false } } },\n"
    "TIC = { terms = { { re = [[tics?\\b]] } } },\n"
    "CONS = { kind = 'document', person = false, terms = {\n"
    "  { phrase = { 'begge', 'samtyk' }, within = 3, commas = true, ending = 'any' } } },\n"
    "psy2 = { same_as = 'PSY' },\n";

static tx_lexicon *LX;
static tx_reader *R;
static tt_counter COUNT;
static tx_alloc A;

static int setup(void **state)
{
    (void)state;
    char err[512];
    A = tt_counting(&COUNT);
    LX = tt_lexicon(KEYS, "", &A, err, sizeof err);
    if (!LX) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    R = txe_new(LX, &A);
    return R ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    txe_free(R);
    txl_free(LX);
    return COUNT.live_bytes == 0 && COUNT.live_blocks == 0 ? 0 : -1;
}

/* The terms found in text: "KEY@start[flags]" each, in order. */
static const char *found(const char *text)
{
    static char out[512];
    tt_read(R, text, "2024-05-10");
    const tx_hits *h = txe_hits(R);
    out[0] = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        if (h->v[i].cls != TX_TERM)
            continue;
        const tx_entry *e = txl_entry(LX, h->v[i].entry);
        size_t k = strlen(out);
        snprintf(out + k, sizeof out - k, "%s%s@%u%s%s", k ? " " : "", txl_key_at(LX, e->key)->name,
                 h->v[i].start, h->v[i].flags & TX_H_TYPO ? "~" : "",
                 h->v[i].flags & TX_H_INSIDE ? "^" : "");
    }
    return out;
}

static void test_a_term_matches_at_a_word_start_and_runs_on(void **state)
{
    (void)state;
    assert_string_equal(found("Angstsymptomer og angsten."), "ANX@0 ANX@18");
    assert_string_equal(found("Ingen tvangstanker"), "");          /* not a word's start */
}

static void test_a_long_term_also_ends_a_compound_before_an_inflection(void **state)
{
    (void)state;
    assert_string_equal(found("skoleangst, skoleangsten"), "ANX@5^ ANX@17^");
    assert_string_equal(found("skoleangstfobi"), "");               /* not its last part */
    assert_string_equal(found("fangst"), "");                       /* an except word */
    assert_string_equal(found("synshallucinationer"), "PSY@4^");
}

static void test_an_abbreviation_is_a_whole_word_with_an_ending_after_a_mark(void **state)
{
    (void)state;
    assert_string_equal(found("ADHD-udredning, PPV'en, adhd."), "ADHD@0 PPV@16 ADHD@24");
    assert_string_equal(found("ADHDs og PPVer"), "");
}

static void test_a_capitals_only_term_needs_capitals_unless_the_letter_is_all_capitals(void **state)
{
    (void)state;
    assert_string_equal(found("træk af ADD"), "ADHD@9");
    assert_string_equal(found("kan add tal"), "");
    assert_string_equal(found("DER ER TRÆK AF ADD HOS DRENGEN"), "ADHD@16");
}

static void test_a_hyphen_may_be_written_as_a_space_or_left_out(void **state)
{
    (void)state;
    assert_string_equal(found("PPR-udtalelse; PPR udtalelse; PPRudtalelse"), "PPV@0 PPV@15 PPV@30");
}

static void test_a_long_term_matches_with_one_letter_missing_or_two_swapped(void **state)
{
    (void)state;
    assert_string_equal(found("opmærksomhedsforstyrelse"), "ADHD@0~");
    assert_string_equal(found("opmærksomhedsforstyrrlese"), "ADHD@0~");
    assert_string_equal(found("selvmordsforøsg i nat"), "ATT@0~");      /* ø one letter */
    assert_string_equal(found("selvmordsforsgø i nat"), "ATT@0~");
    assert_string_equal(found("pmærksomhedsforstyrrelse"), "");          /* the first letter */
    assert_string_equal(found("angts"), "");                             /* a short term */
    assert_string_equal(found("selvmordsplanlgning"), "");               /* typo = false */
    assert_string_equal(found("opmærksomhedsforstyrrelse"), "ADHD@0");  /* as written */
}

static void test_a_phrase_takes_its_parts_with_at_most_so_many_words_between(void **state)
{
    (void)state;
    assert_string_equal(found("Hører nogle gange stemmer."), "PSY@0");
    const tx_hits *h = txe_hits(R);
    assert_int_equal(h->v[0].wend, strlen("hoerer nogle gange stemmer"));
    assert_string_equal(found("hører ikke altid nogle stemmer"), "");   /* three words */
    assert_string_equal(found("hørte, stemmer"), "");                    /* a comma */
    assert_string_equal(found("Begge har, efter samtale, samtykket."), "CONS@0");
    assert_string_equal(found("samtykke fra begge"), "");                 /* in order only */
}

static void test_a_data_regex_is_confirmed_by_pcre2_where_the_prefilter_points(void **state)
{
    (void)state;
    assert_string_equal(found("Tics og en tic, ikke en ticket"), "TIC@0 TIC@11");
}

static void test_a_word_of_two_classes_is_a_hit_of_each_and_phrases_hide_negations(void **state)
{
    (void)state;
    int before = 0, after = 0, other = 0;
    tt_read(R, "PPV foreligger ikke.", "2024-05-10");
    const tx_hits *h = txe_hits(R);
    for (uint32_t i = 0; i < h->n; i++) {
        before += h->v[i].cls == TX_NEG;
        after += h->v[i].cls == TX_POSTNEG;
        other += h->v[i].cls != TX_TERM && h->v[i].cls != TX_NEG && h->v[i].cls != TX_POSTNEG;
    }
    assert_int_equal(before, 1);
    assert_int_equal(after, 1);
    assert_int_equal(other, 0);
    /* "kan ikke udelukkes" (suspicion) and "ikke kun" hide their "ikke" */
    tt_read(R, "Det kan ikke udelukkes, ikke kun angst.", "2024-05-10");
    h = txe_hits(R);
    for (uint32_t i = 0; i < h->n; i++)
        assert_true(h->v[i].cls != TX_NEG && h->v[i].cls != TX_POSTNEG);
}

static void test_keys_and_entries_are_what_the_data_declares(void **state)
{
    (void)state;
    int att = txl_key_id(LX, "ATT"), cons = txl_key_id(LX, "CONS"), p2 = txl_key_id(LX, "psy2");
    assert_true(att >= 0 && cons >= 0 && p2 >= 0);
    assert_int_equal(txl_key_at(LX, (uint32_t)att)->history_months, 3);
    assert_int_equal(txl_key_at(LX, (uint32_t)cons)->kind, TX_KIND_DOCUMENT);
    assert_int_equal(txl_key_at(LX, (uint32_t)cons)->person, 0);
    assert_int_equal(txl_key_at(LX, (uint32_t)p2)->same_as, txl_key_id(LX, "PSY"));
    assert_int_equal(txl_key_id(LX, "nope"), -1);
    /* keys in name order, whatever Lua's table order */
    for (uint32_t k = 1; k < txl_nkeys(LX); k++)
        assert_true(strcmp(txl_key_at(LX, k - 1)->name, txl_key_at(LX, k)->name) < 0);
    assert_true(txl_bytes(LX) > 0);
    assert_true(txl_npatterns(LX) > 20);
}

static void expect_error(const char *keys, const char *extra, const char *want)
{
    char err[512] = "";
    tt_counter c;
    tx_alloc a = tt_counting(&c);
    tx_lexicon *lx = tt_lexicon(keys, extra, &a, err, sizeof err);
    if (lx)
        fail_msg("loaded, want an error with '%s'", want);
    if (!strstr(err, want))
        fail_msg("error '%s', want it to say '%s'", err, want);
    assert_int_equal(c.live_bytes, 0);
}

static void test_bad_data_is_refused_with_a_message_naming_the_field(void **state)
{
    (void)state;
    expect_error("X = { terms = { { 'a', ending = 'sometimes' } } }", "",
                 "keys.X.terms[1]: ending is \"any\", \"inflection\" or \"word\"");
    expect_error("X = { terms = { { phrase = { 'a' } } } }", "", "keys.X.terms[1]: a phrase has 2 to 4 parts");
    expect_error("X = { terms = { { re = [[[æa]b]] } } }", "", "write æ, ø and å outside [...]");
    expect_error("X = { terms = { { re = [[a*]] } } }", "", "can match nothing at all");
    expect_error("X = { terms = { 42 } }", "", "keys.X.terms[1]: a word is a string or a table");
    expect_error("X = { kind = 'story', terms = { 'a' } }", "", "kind is \"clinical\" or \"document\"");
    expect_error("X = { same_as = 'Y' }", "", "keys.X.same_as: no key named Y");
    expect_error("X = { terms = { 'a' } }", "D.people = nil", "text data .people: missing");
    expect_error("X = { terms = { 'a' } }", "D.explain.history = nil", "no text for \"history\"");
}

/* A misspelt option would otherwise be read as absent: the term or key
** loads without it and the author sees nothing. */
static void test_an_unknown_option_or_a_bad_within_is_refused_naming_it(void **state)
{
    (void)state;
    expect_error("X = { terms = { { 'a', ownwords = true } } }", "",
                 "keys.X.terms[1]: unknown option 'ownwords'");
    expect_error("X = { terms = { { phrase = { 'a', 'b' }, witin = 2 } } }", "",
                 "keys.X.terms[1]: unknown option 'witin'");
    expect_error("X = { persn = false, terms = { 'a' } }", "", "keys.X: unknown option 'persn'");
    expect_error("X = { term = { 'a' } }", "", "keys.X: unknown option 'term'");
    expect_error("X = { terms = { { phrase = { 'a', 'b' }, within = -1 } } }", "",
                 "keys.X.terms[1]: within is a whole number of words, 0 or more");
    expect_error("X = { terms = { { phrase = { 'a', 'b' }, within = '2' } } }", "",
                 "keys.X.terms[1]: within is a whole number of words, 0 or more");
    expect_error("X = { terms = { { phrase = { 'a', 'b', 'c' }, within = { 1, 2.5 } } } }", "",
                 "keys.X.terms[1]: within is a whole number of words, 0 or more");
}

/* Build KEYS (reusing prev, or not) with the allocator failing after 0, step,
** 2 step ... allocations: each build that fails says why and leaks nothing;
** one that succeeds reused prev when it was given. */
static void build_running_out_of_memory(const tx_lexicon *prev, long step)
{
    for (long n = 0; n < 400; n += step) {
        char err[512];
        tt_counter c;
        tx_alloc a = tt_counting(&c);
        c.fail_after = n;
        tx_lexicon *lx = tt_lexicon_like(KEYS, "", &a, prev, err, sizeof err);
        if (lx) {
            assert_int_equal(txl_reused(lx), prev != NULL);
            txl_free(lx);
        } else if (!strstr(err, "memory") && !strstr(err, "not compiled")) {
            fail_msg("failing after %ld allocations: %s", n, err);
        }
        if (c.live_blocks || c.live_bytes)
            fail_msg("failing after %ld allocations: %ld blocks, %zu bytes left (%s)", n,
                     c.live_blocks, c.live_bytes, lx ? "built" : err);
    }
}

static void test_running_out_of_memory_anywhere_in_the_build_leaks_nothing(void **state)
{
    (void)state;
    build_running_out_of_memory(NULL, 7);
}

/* The hits of text read with lx, as "class:start-end" each. */
static void hits_of(const tx_lexicon *lx, const tx_alloc *a, const char *text, char *out,
                    size_t cap)
{
    tx_reader *r = txe_new(lx, a);
    assert_non_null(r);
    tt_read(r, text, "2024-05-10");
    const tx_hits *h = txe_hits(r);
    out[0] = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        size_t k = strlen(out);
        snprintf(out + k, cap - k, "%u:%u-%u ", h->v[i].cls, h->v[i].start, h->v[i].end);
    }
    txe_free(r);
}

static const char RELOAD_TEXT[] =
    "Far har ADHD. Hører stemmer, mistanke om angst, PPR-udtalelse mangler. "
    "Opmærksomhedsforstyrelse? Tics, ikke kun skoleangst.";

static void test_a_reload_with_the_same_words_copies_the_database_and_reads_the_same(void **state)
{
    (void)state;
    char err[512], before[1024], after[1024];
    tt_counter c;
    tx_alloc a = tt_counting(&c);
    /* another explanation and another keyword table: the same words to match */
    tx_lexicon *lx = tt_lexicon_like(KEYS, "D.explain.counted = 'i brevet: {term}'\n"
                                           "D.people.verbs = { 'har', 'med', 'lider' }",
                                     &a, LX, err, sizeof err);
    if (!lx)
        fail_msg("%s", err);
    assert_true(txl_reused(lx));
    assert_false(txl_reused(LX));
    assert_int_equal(txl_npatterns(lx), txl_npatterns(LX));
    hits_of(LX, &A, RELOAD_TEXT, before, sizeof before);
    hits_of(lx, &a, RELOAD_TEXT, after, sizeof after);
    assert_string_equal(after, before);
    assert_true(strlen(after) > 40);
    /* a copy, charged to the new lexicon's hook, that outlives nothing */
    assert_true(c.live_bytes >= txl_bytes(lx) / 2);
    txl_free(lx);
    assert_int_equal(c.live_blocks, 0);
    assert_int_equal(c.live_bytes, 0);
}

static void test_a_reload_with_other_words_compiles_its_own_database(void **state)
{
    (void)state;
    char err[512];
    tt_counter c;
    tx_alloc a = tt_counting(&c);
    tx_lexicon *lx = tt_lexicon_like(KEYS, "D.contrast.words = { 'men', 'dog' }", &a, LX, err,
                                     sizeof err);
    if (!lx)
        fail_msg("%s", err);
    assert_false(txl_reused(lx));
    assert_int_equal(txl_npatterns(lx), txl_npatterns(LX) + 1);
    char out[1024];
    hits_of(lx, &a, "dog", out, sizeof out);
    assert_string_equal(out, "5:0-3 ");               /* TX_CONTRAST */
    txl_free(lx);
    assert_int_equal(c.live_bytes, 0);
}

static void test_a_reused_lexicon_does_not_need_the_one_it_was_copied_from(void **state)
{
    (void)state;
    char err[512], want[1024], got[1024];
    tt_counter c1, c2;
    tx_alloc a1 = tt_counting(&c1), a2 = tt_counting(&c2);
    tx_lexicon *old = tt_lexicon(KEYS, "", &a1, err, sizeof err);
    assert_non_null(old);
    hits_of(old, &a1, RELOAD_TEXT, want, sizeof want);
    tx_lexicon *lx = tt_lexicon_like(KEYS, "", &a2, old, err, sizeof err);
    assert_non_null(lx);
    assert_true(txl_reused(lx));
    txl_free(old);
    assert_int_equal(c1.live_bytes, 0);
    hits_of(lx, &a2, RELOAD_TEXT, got, sizeof got);
    assert_string_equal(got, want);
    txl_free(lx);
    assert_int_equal(c2.live_bytes, 0);
}

static void test_running_out_of_memory_while_reusing_leaks_nothing(void **state)
{
    (void)state;
    build_running_out_of_memory(LX, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_term_matches_at_a_word_start_and_runs_on),
        cmocka_unit_test(test_a_long_term_also_ends_a_compound_before_an_inflection),
        cmocka_unit_test(test_an_abbreviation_is_a_whole_word_with_an_ending_after_a_mark),
        cmocka_unit_test(test_a_capitals_only_term_needs_capitals_unless_the_letter_is_all_capitals),
        cmocka_unit_test(test_a_hyphen_may_be_written_as_a_space_or_left_out),
        cmocka_unit_test(test_a_long_term_matches_with_one_letter_missing_or_two_swapped),
        cmocka_unit_test(test_a_phrase_takes_its_parts_with_at_most_so_many_words_between),
        cmocka_unit_test(test_a_data_regex_is_confirmed_by_pcre2_where_the_prefilter_points),
        cmocka_unit_test(test_a_word_of_two_classes_is_a_hit_of_each_and_phrases_hide_negations),
        cmocka_unit_test(test_keys_and_entries_are_what_the_data_declares),
        cmocka_unit_test(test_bad_data_is_refused_with_a_message_naming_the_field),
        cmocka_unit_test(test_an_unknown_option_or_a_bad_within_is_refused_naming_it),
        cmocka_unit_test(test_running_out_of_memory_anywhere_in_the_build_leaks_nothing),
        cmocka_unit_test(test_a_reload_with_the_same_words_copies_the_database_and_reads_the_same),
        cmocka_unit_test(test_a_reload_with_other_words_compiles_its_own_database),
        cmocka_unit_test(test_a_reused_lexicon_does_not_need_the_one_it_was_copied_from),
        cmocka_unit_test(test_running_out_of_memory_while_reusing_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
