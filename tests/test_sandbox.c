/*
** test_sandbox.c — the limits hold: blocked functions raise errors that name
** them, runaway loops, memory bombs and deep recursion end in manual_review
** for that referral only, and the rest of the batch is still decided.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decision.h"
#include "testutil.h"

/* A rule set where referral "BAD" runs `body` and every other referral is
** accepted by the next rule. */
static char *bad_rules(const char *body)
{
    char lua[4096];
    snprintf(lua, sizeof lua,
             "rule{ id='BAD-01', when=function(r, f, d)\n"
             "  if r.id == 'BAD' then %s end\n"
             "  return false end }\n"
             "rule{ id='OK-01', when=function() return true end,\n"
             "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n",
             body);
    return tu_rules(lua);
}

/* Decide BAD then GOOD with one decider; return BAD's reason text. */
static void run_bad(const char *body, const char *expect_in_reason)
{
    char *dir = bad_rules(body);
    triage_limits lim = {.memory_bytes = 16u << 20, .instructions = 2000000};
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, &lim, &err);
    assert_non_null(rs);
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    triage_referral *bad = tu_referral("BAD", ""), *good = tu_referral("GOOD", "");
    for (int round = 0; round < 3; round++) {   /* the state survives and recovers */
        triage_decision *d = triage_decide(dc, bad, TRIAGE_EXPLAIN);
        assert_non_null(d);
        assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
        assert_int_equal(d->nreasons, 1);
        assert_string_equal(d->reasons[0].rule, "BAD-01");
        /* expect_in_reason may list alternatives: "a|b" */
        char alts[200], *save, *found = NULL;
        snprintf(alts, sizeof alts, "%s", expect_in_reason);
        for (char *a = strtok_r(alts, "|", &save); a && !found; a = strtok_r(NULL, "|", &save))
            found = strstr(d->reasons[0].text, a);
        if (!found)
            fail_msg("reason '%s' lacks '%s'", d->reasons[0].text, expect_in_reason);
        triage_decision_free(d);
        d = triage_decide(dc, good, 0);
        assert_int_equal(d->outcome, TRIAGE_ACCEPT);
        triage_decision_free(d);
    }
    triage_referral_free(bad);
    triage_referral_free(good);
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
}

static void blocked_functions(void **state)
{
    (void)state;
    run_bad("io.open('/etc/passwd')", "'io.open' is not available");
    run_bad("os.execute('true')", "'os.execute' is not available");
    run_bad("os.getenv('HOME')", "'os.getenv' is not available");
    run_bad("require('socket')", "'require' is not available");
    run_bad("dofile('/etc/passwd')", "'dofile' is not available");
    run_bad("loadfile('/etc/passwd')", "'loadfile' is not available");
    run_bad("debug.getinfo(1)", "'debug.getinfo' is not available");
    run_bad("local p = package.path", "'package.path' is not available");
    run_bad("string.dump(print)", "'string.dump' is not available");
    run_bad("collectgarbage('stop')", "'collectgarbage' is not available");
    run_bad("coroutine.wrap(print)", "'coroutine.wrap' is not available");
    run_bad("load('return 1', 'x', 'b')", "only text chunks");
    /* Bytecode passed as text is refused by the 't' mode as well. */
    run_bad("local f, e = load('\\27Lua'); error(e)", "attempt to load a binary chunk");
}

static void instruction_limit(void **state)
{
    (void)state;
    run_bad("while true do end", "instruction limit exceeded");
    run_bad("local function f() return f() end f()", "instruction limit exceeded");
}

static void memory_limit(void **state)
{
    (void)state;
    run_bad("local t = {} for i = 1, 1e9 do t[i] = {i} end", "memory limit exceeded");
    run_bad("local s = string.rep('x', 1 << 30)", "memory limit exceeded");
    run_bad("local s = 'x' while true do s = s .. s end", "memory limit exceeded");
}

static void deep_recursion(void **state)
{
    (void)state;
    run_bad("local function f(n) return 1 + f(n + 1) end f(1)", "stack overflow|memory limit exceeded");
}

/* Lua's pattern matcher cannot be interrupted while it backtracks: calls
** whose worst case is minutes are refused, ordinary ones still work. */
static void runaway_lua_patterns(void **state)
{
    (void)state;
    run_bad("local x = ('a'):rep(1e5):find('.-.-.-b')", "use regex()");
    run_bad("local x = ('a'):rep(400):match('(.-)(.-)(.-)b')", "use regex()");
    run_bad("for w in ('a'):rep(2e4):gmatch('a*a*b') do end", "use regex()");
    run_bad("local x = string.gsub(('a'):rep(1e4), '.-.-x', '')", "use regex()");
    /* Loops of calls each within bounds end at the clock or instruction limit. */
    run_bad("while true do local x = ('a'):rep(100):find('.-.-b') end",
            "instruction limit exceeded|time limit exceeded");
}

static void allowed_libraries(void **state)
{
    (void)state;
    char *dir = tu_rules(
        "rule{ id='LIB-01', when=function(r) return true end, action=function(r, f, d)\n"
        "  local t = {3, 1, 2}; table.sort(t)\n"
        "  d:reason(string.format('%d%d%d %s %d %s', t[1], t[2], t[3], string.upper('æøå'),\n"
        "    math.floor(2.7), utf8.char(248)) .. (' 16,2 kg'):gsub('%s', '')\n"
        "    .. ('BMI 16,2'):match('(%d+),(%d)') .. tostring(('a.b'):find('.', 1, true)))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n");
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    assert_non_null(rs);
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    triage_referral *r = tu_referral("R1", "");
    triage_decision *d = triage_decide(dc, r, 0);
    assert_int_equal(d->outcome, TRIAGE_ACCEPT);
    assert_string_equal(d->reasons[0].text, "123 æøå 2 ø16,2kg162");
    triage_decision_free(d);
    triage_referral_free(r);
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
}

static void load_errors_name_file_and_line(void **state)
{
    (void)state;
    triage_error err;
    char *dir = tu_rules("rule{ id='A', when=function() return true end }\n\nlocal x = = 1\n");
    assert_null(triage_ruleset_load(dir, NULL, &err));
    assert_int_equal(err.code, TRIAGE_ERULES);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.file, "10-rules.lua"));
    assert_non_null(strstr(err.text, "10-rules.lua:3:"));
    tu_rmtree(dir);
    free(dir);

    dir = tu_rules("local t = nil\nrule{ id='A', when=function() return true end }\nt.x = 1\n");
    assert_null(triage_ruleset_load(dir, NULL, &err));
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.text, "attempt to index"));
    tu_rmtree(dir);
    free(dir);

    dir = tu_rules("while true do end\n");          /* a runaway at load */
    assert_null(triage_ruleset_load(dir, NULL, &err));
    assert_non_null(strstr(err.text, "instruction limit exceeded"));
    tu_rmtree(dir);
    free(dir);

    dir = tu_rules("rule{ id='A', when=function() return true end }\n"
                   "rule{ id='A', when=function() return true end }\n");
    assert_null(triage_ruleset_load(dir, NULL, &err));
    assert_non_null(strstr(err.text, "declared twice"));
    assert_int_equal(err.line, 2);
    tu_rmtree(dir);
    free(dir);

    dir = tu_rules("rule{ id='A', wen=function() return true end }\n");
    assert_null(triage_ruleset_load(dir, NULL, &err));
    assert_non_null(strstr(err.text, "'when' must be a function"));
    tu_rmtree(dir);
    free(dir);

    assert_null(triage_ruleset_load("/nonexistent/rules", NULL, &err));
    assert_non_null(strstr(err.text, "--rules"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocked_functions),
        cmocka_unit_test(instruction_limit),
        cmocka_unit_test(memory_limit),
        cmocka_unit_test(deep_recursion),
        cmocka_unit_test(runaway_lua_patterns),
        cmocka_unit_test(allowed_libraries),
        cmocka_unit_test(load_errors_name_file_and_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
