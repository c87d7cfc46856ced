/*
** test_regex.c — the PCRE2 binding on Danish text: caseless æøå, Unicode
** word characters, byte positions, captures, gmatch, the compile cache and
** the match limit that stops catastrophic backtracking.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decision.h"
#include "testutil.h"

/* Run `expr` (Lua returning a string) on a referral whose text is `text`;
** return the decision's first reason (caller frees). */
static char *eval(const char *expr, const char *text)
{
    char lua[4096], extra[2048];
    snprintf(lua, sizeof lua,
             "rule{ id='RX', when=function() return true end, action=function(r, f, d)\n"
             "  d:reason(tostring((function() %s end)()))\n"
             "  d:decide{outcome='accept', target='buc'} end }\n", expr);
    snprintf(extra, sizeof extra, ",\"text\":\"%s\"", text);
    return tu_first_reason(lua, extra);
}

static void expect(const char *expr, const char *text, const char *want)
{
    char *got = eval(expr, text);
    if (strcmp(got, want) != 0)
        fail_msg("%s on \"%s\": got \"%s\", want \"%s\"", expr, text, got, want);
    free(got);
}

static void test_regex_is_caseless_for_danish_letters(void **state)
{
    (void)state;
    expect("return regex('SPISEFORSTYRRELSE'):match(r.text)", "Mistanke om spiseforstyrrelse", "true");
    expect("return regex('ængstelig'):match(r.text)", "ÆNGSTELIG og trist", "true");
    expect("return regex('forældremyndighed'):match(r.text)", "FÆLLES FORÆLDREMYNDIGHED", "true");
    expect("return regex('høre stemmer'):match(r.text)", "Han HØRE STEMMER", "true");
    expect("return regex('^\\\\w+$'):match('søvnbesvær')", "", "true");
    expect("return regex('\\\\bå\\\\b'):match('på å')", "", "true");
    expect("return regex('ADHD', 'c'):match(r.text)", "adhd", "false");
    expect("return regex('ADHD', 'c'):match(r.text)", "ADHD", "true");
}

static void test_regex_gives_byte_positions_and_captures(void **state)
{
    (void)state;
    /* 'æ' is two bytes: positions are bytes, 1-based, end inclusive. */
    expect("local s, e = regex('angst'):find(r.text) return s .. ',' .. e", "æ angst", "4,8");
    expect("return regex('angst'):find(r.text, 5)", "æ angst", "nil");
    expect("local s, e, c = regex('IK\\\\s*(\\\\d+)'):captures(r.text) return c[1]",
           "samlet ik 65", "65");
    expect("local _, _, c = regex('(?<bmi>\\\\d+),(\\\\d)'):captures(r.text)"
           " return c.bmi .. '.' .. c[2]", "BMI 16,2", "16.2");
    expect("local _, _, c = regex('(a)|(b)'):captures('b') return tostring(c[1]) .. c[2]",
           "", "falseb");
    expect("local n = 0 for s, e in regex('\\\\d+'):gmatch(r.text) do n = n + e - s + 1 end"
           " return n", "4/3-2019 og 03.2019", "12");
    expect("local n = 0 for s, e in regex('x*'):gmatch('abc') do n = n + 1 end return n",
           "", "4");
    expect("return regex('a') == regex('a') and regex('a') ~= regex('a', 'c')", "", "true");
}

static void test_regex_compile_errors_and_match_limit_raise_errors(void **state)
{
    (void)state;
    char *got = eval("return regex('(unclosed')", "");
    assert_non_null(strstr(got, "missing closing parenthesis"));
    free(got);
    /* Catastrophic backtracking hits the match limit, not the CPU. */
    got = eval("return regex('^(a+)+$'):match(string.rep('a', 40) .. 'b')", "");
    assert_non_null(strstr(got, "regex: "));
    assert_non_null(strstr(got, "limit"));
    free(got);
    /* A string that is not UTF-8 is refused, not matched blindly. */
    got = eval("return regex('a'):match('\\255a')", "");
    if (!strstr(got, "UTF-8")) fail_msg("%s", got);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regex_is_caseless_for_danish_letters),
        cmocka_unit_test(test_regex_gives_byte_positions_and_captures),
        cmocka_unit_test(test_regex_compile_errors_and_match_limit_raise_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
