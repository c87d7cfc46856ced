/*
** test_text_dates.c — every date form of policy v1 and v1.1 resolved
** against received: full dates in four spellings, month and year (the
** 15th), a year alone or with a season (1 July), two-digit years (20YY
** unless after received), "for N dage/uger/måneder/år siden", "sidste
** år"/"i fjor", relative days; impossible dates are no dates.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "text_testutil.h"

/* The dates of text received on recv, as "YYYY-MM-DD" joined by spaces. */
static const char *dates(const char *text, const char *recv)
{
    static char out[256];
    const tx_evidence *ev = tt_read(tt_r, text, recv);
    assert_non_null(ev);
    out[0] = 0;
    for (uint32_t i = 0; i < ev->ndate; i++) {
        char d[11];
        dt_format(ev->date[i].day, d);
        size_t k = strlen(out);
        snprintf(out + k, sizeof out - k, "%s%s", k ? " " : "", d);
    }
    return out;
}

static void test_a_day_in_any_of_its_spellings(void **state)
{
    (void)state;
    assert_string_equal(dates("Forsøg 2019-03-04, 4/3-2019, d. 4.3.2019 og 04.03.2019.",
                              "2024-05-10"),
                        "2019-03-04 2019-03-04 2019-03-04 2019-03-04");
    assert_string_equal(dates("3. april 2019, 3 april 2019, 3. apr. 2019, 4/3 2019",
                              "2024-05-10"),
                        "2019-04-03 2019-04-03 2019-04-03 2019-03-04");
    /* the span runs from the first digit to the year */
    const tx_evidence *ev = tt_read(tt_r, "WISC-V d. 12.9.2023.", "2024-05-10");
    assert_int_equal(ev->ndate, 1);
    tx_span o = txe_orig(tt_r, ev->date[0].start, ev->date[0].end);
    assert_memory_equal("12.9.2023", ev->text + o.start, o.end - o.start);
}

static void test_a_month_is_its_15th_and_a_year_or_season_1_july(void **state)
{
    (void)state;
    assert_string_equal(dates("marts 2019, 03.2019, 3/2019, i 2017, foråret 2022",
                              "2024-05-10"),
                        "2019-03-15 2019-03-15 2019-03-15 2017-07-01 2022-07-01");
    assert_string_equal(dates("Postnummer 2200 København, 14-årig, kl. 14.30", "2024-05-10"), "");
}

static void test_a_two_digit_year_is_this_century_unless_that_is_after_received(void **state)
{
    (void)state;
    assert_string_equal(dates("3.4.19 og 3/4-19", "2024-05-10"), "2019-04-03 2019-04-03");
    assert_string_equal(dates("Testet 14.5.99, igen 2/10-00.", "2001-03-01"),
                        "1999-05-14 2000-10-02");
    assert_string_equal(dates("d. 12.6.24", "2024-05-10"), "1924-06-12");
}

static void test_relative_times_count_back_from_received(void **state)
{
    (void)state;
    assert_string_equal(dates("for 2 år siden, for to år siden, for 8 måneder siden",
                              "2024-05-10"),
                        "2022-05-10 2022-05-10 2023-09-10");
    assert_string_equal(dates("for 20 uger siden, for 150 dage siden, for 3 dage siden",
                              "2024-05-10"),
                        "2023-12-22 2023-12-12 2024-05-07");
    assert_string_equal(dates("for ca. 3 mdr. siden, for halvandet år siden", "2024-05-10"),
                        "2024-02-10 2022-11-10");
    assert_string_equal(dates("sidste år, i fjor, i går", "2024-05-10"),
                        "2023-07-01 2023-07-01 2024-05-09");
    /* 24 calendar months before 29 February is 28 February */
    assert_string_equal(dates("for 24 måneder siden", "2024-02-29"), "2022-02-28");
    /* a number without "siden" is no date */
    assert_string_equal(dates("2 uger før indlæggelsen", "2024-05-10"), "");
}

static void test_impossible_dates_are_no_dates(void **state)
{
    (void)state;
    assert_string_equal(dates("d. 31.2.2020, 2019-13-01, 30. februar 2021", "2024-05-10"), "");
    assert_string_equal(dates("d. 29.2.2020", "2024-05-10"), "2020-02-29");
}

static void test_each_date_knows_its_sentence(void **state)
{
    (void)state;
    const tx_evidence *ev = tt_read(tt_r, "Selvmordsforsøg i 2019. Nyt forsøg for 2 uger siden.",
                                    "2024-05-10");
    assert_int_equal(ev->ndate, 2);
    assert_int_equal(ev->date[0].sent, 0);
    assert_int_equal(ev->date[1].sent, 1);
    assert_int_equal(ev->date[0].form, TX_D_YEAR);
    assert_int_equal(ev->date[1].form, TX_D_AGO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_day_in_any_of_its_spellings),
        cmocka_unit_test(test_a_month_is_its_15th_and_a_year_or_season_1_july),
        cmocka_unit_test(test_a_two_digit_year_is_this_century_unless_that_is_after_received),
        cmocka_unit_test(test_relative_times_count_back_from_received),
        cmocka_unit_test(test_impossible_dates_are_no_dates),
        cmocka_unit_test(test_each_date_knows_its_sentence),
    };
    return cmocka_run_group_tests(tests, tt_setup, tt_teardown);
}
