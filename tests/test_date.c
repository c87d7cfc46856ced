/*
** test_date.c — calendar arithmetic: day numbers, strict ISO parsing,
** month steps that clamp to the month's end, and ages around birthdays.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "date.h"

static int32_t D(const char *s)
{
    int32_t d = DT_NONE;
    assert_true(dt_parse_iso(s, strlen(s), &d));
    return d;
}

static void test_day_numbers_round_trip_from_the_epoch(void **state)
{
    (void)state;
    assert_int_equal(dt_from_ymd(1970, 1, 1), 0);
    assert_int_equal(dt_from_ymd(1969, 12, 31), -1);
    assert_int_equal(dt_from_ymd(2000, 3, 1), 11017);
    assert_int_equal(dt_from_ymd(2020, 3, 2), 18323);
    assert_int_equal(dt_from_ymd(1858, 11, 17), -40587);   /* MJD epoch */
    /* Every day from 1800 to 2200 round-trips and days are consecutive. */
    int32_t prev = dt_from_ymd(1799, 12, 31);
    for (int y = 1800; y <= 2200; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                if (!dt_valid_ymd(y, m, d)) continue;
                int32_t day = dt_from_ymd(y, m, d);
                assert_int_equal(day, prev + 1);
                int yy, mm, dd;
                dt_to_ymd(day, &yy, &mm, &dd);
                assert_int_equal(yy, y);
                assert_int_equal(mm, m);
                assert_int_equal(dd, d);
                prev = day;
            }
}

static void test_valid_ymd_knows_month_lengths_and_leap_years(void **state)
{
    (void)state;
    assert_true(dt_valid_ymd(2020, 2, 29));
    assert_true(dt_valid_ymd(2000, 2, 29));
    assert_false(dt_valid_ymd(1900, 2, 29));
    assert_false(dt_valid_ymd(2019, 2, 29));
    assert_false(dt_valid_ymd(2020, 2, 30));
    assert_false(dt_valid_ymd(2020, 4, 31));
    assert_true(dt_valid_ymd(2020, 12, 31));
    assert_false(dt_valid_ymd(2020, 13, 1));
    assert_false(dt_valid_ymd(2020, 0, 1));
    assert_false(dt_valid_ymd(2020, 1, 0));
}

static void test_parse_iso_accepts_only_yyyy_mm_dd(void **state)
{
    (void)state;
    int32_t d = 7;
    assert_true(dt_parse_iso("2020-03-02", 10, &d));
    assert_int_equal(d, 18323);
    assert_true(dt_parse_iso("2020-02-29", 10, &d));
    assert_true(dt_parse_iso("2000-02-29", 10, &d));
    static const char *bad[] = {
        "2020-02-30", "2011-13-40", "2019-02-29", "1900-02-29", "2020-04-31",
        "2020-00-10", "2020-01-00", "2020-3-2", "20200302", "2020/03/02",
        "2020-03-02T00:00", " 2020-03-02", "2020-03-0x", "+020-03-02",
        "2020-03- 2", "", "02-03-2020",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = 7;
        assert_false(dt_parse_iso(bad[i], strlen(bad[i]), &d));
        assert_int_equal(d, 7);   /* untouched on failure */
    }
    /* Exactly len bytes: a longer buffer is not read past len. */
    assert_true(dt_parse_iso("2020-03-02xyz", 10, &d));
    assert_false(dt_parse_iso("2020-03-02", 9, &d));
}

static void test_format_writes_yyyy_mm_dd(void **state)
{
    (void)state;
    char b[11];
    dt_format(0, b);
    assert_string_equal(b, "1970-01-01");
    dt_format(D("2024-02-29"), b);
    assert_string_equal(b, "2024-02-29");
    dt_format(dt_from_ymd(1899, 12, 31), b);
    assert_string_equal(b, "1899-12-31");
}

static void test_add_months_clamps_to_the_months_last_day(void **state)
{
    (void)state;
    char b[11];
    struct { const char *from; int n; const char *to; } t[] = {
        {"2020-01-31", 1, "2020-02-29"},   /* leap February */
        {"2021-01-31", 1, "2021-02-28"},
        {"2020-03-31", -1, "2020-02-29"},
        {"2020-05-31", 1, "2020-06-30"},
        {"2020-01-15", 1, "2020-02-15"},
        {"2020-12-15", 1, "2021-01-15"},
        {"2020-01-15", -1, "2019-12-15"},
        {"2020-03-02", -24, "2018-03-02"},
        {"2020-02-29", 12, "2021-02-28"},
        {"2020-02-29", 48, "2024-02-29"},
        {"2020-03-02", 0, "2020-03-02"},
        {"2020-03-31", -13, "2019-02-28"},
        {"0001-01-15", -1, "0000-12-15"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        dt_format(dt_add_months(D(t[i].from), t[i].n), b);
        assert_string_equal(b, t[i].to);
    }
}

static void test_age_counts_whole_years_and_leap_birthdays(void **state)
{
    (void)state;
    int32_t b = D("2011-06-14");
    assert_int_equal(dt_age_years(b, D("2011-06-14")), 0);
    assert_int_equal(dt_age_years(b, D("2019-06-13")), 7);
    assert_int_equal(dt_age_years(b, D("2019-06-14")), 8);
    assert_int_equal(dt_age_years(b, D("2019-06-15")), 8);
    assert_int_equal(dt_age_years(b, D("2029-06-13")), 17);
    assert_int_equal(dt_age_years(b, D("2029-06-14")), 18);
    assert_int_equal(dt_age_years(b, D("2011-06-13")), -1);
    assert_true(dt_age_years(b, D("2010-01-01")) < 0);
    /* Born on 29 February: a year older on 1 March in common years. */
    int32_t leap = D("2008-02-29");
    assert_int_equal(dt_age_years(leap, D("2009-02-28")), 0);
    assert_int_equal(dt_age_years(leap, D("2009-03-01")), 1);
    assert_int_equal(dt_age_years(leap, D("2012-02-28")), 3);
    assert_int_equal(dt_age_years(leap, D("2012-02-29")), 4);
    /* Year end. */
    int32_t nye = D("2005-12-31");
    assert_int_equal(dt_age_years(nye, D("2023-12-30")), 17);
    assert_int_equal(dt_age_years(nye, D("2023-12-31")), 18);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_numbers_round_trip_from_the_epoch),
        cmocka_unit_test(test_valid_ymd_knows_month_lengths_and_leap_years),
        cmocka_unit_test(test_parse_iso_accepts_only_yyyy_mm_dd),
        cmocka_unit_test(test_format_writes_yyyy_mm_dd),
        cmocka_unit_test(test_add_months_clamps_to_the_months_last_day),
        cmocka_unit_test(test_age_counts_whole_years_and_leap_birthdays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
