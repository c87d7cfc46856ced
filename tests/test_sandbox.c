/*
** test_sandbox.c — the limits hold: blocked functions raise errors that name
** them, runaway loops, memory bombs and deep recursion end in manual_review
** for that referral only, and the rest of the batch is still decided; the
** count hook is on only while a run lasts longer than the watchdog's delay.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <lauxlib.h>
#include <pthread.h>
#include <time.h>

#include "decision.h"
#include "sandbox.h"
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

/* Under valgrind (its ctest entries set TRIAGE_UNDER_VALGRIND) a signal
** reaches a thread spinning in the VM only at valgrind's own scheduling
** points, seconds late, so the 10 s clock may stop a loop before the
** instruction budget does: either proves the loop was stopped. How soon the
** watchdog arms the hook is not checked there. */
static int under_valgrind(void) { return getenv("TRIAGE_UNDER_VALGRIND") != NULL; }
#define STOPPED (under_valgrind() ? "instruction limit exceeded|time limit exceeded" \
                                  : "instruction limit exceeded")
/* Likewise a memory bomb may meet the clock first there. */
#define MEMORY(size) (under_valgrind() ? "memory limit exceeded" size "|time limit exceeded" \
                                       : "memory limit exceeded" size)

/* Whether text holds one of the '|'-separated alternatives. */
static int has_any(const char *text, const char *alternatives)
{
    char alts[200], *save, *found = NULL;
    snprintf(alts, sizeof alts, "%s", alternatives);
    for (char *a = strtok_r(alts, "|", &save); a && !found; a = strtok_r(NULL, "|", &save))
        found = strstr(text, a);
    return found != NULL;
}

/* Decide BAD then GOOD with one decider, bad_rounds times: the state
** survives and recovers. */
static int bad_rounds = 3;

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
    for (int round = 0; round < bad_rounds; round++) {
        triage_decision *d = triage_decide(dc, bad, TRIAGE_EXPLAIN);
        assert_non_null(d);
        assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
        assert_int_equal(d->nreasons, 1);
        assert_string_equal(d->reasons[0].rule, "BAD-01");
        /* expect_in_reason may list alternatives: "a|b" */
        if (!has_any(d->reasons[0].text, expect_in_reason))
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

static void test_blocked_functions_raise_an_error_naming_them(void **state)
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

static void test_runaway_loops_stop_at_the_instruction_limit(void **state)
{
    (void)state;
    run_bad("while true do end", STOPPED);
    run_bad("local function f() return f() end f()", STOPPED);
}

static void test_memory_bombs_stop_at_the_memory_limit(void **state)
{
    (void)state;
    run_bad("local t = {} for i = 1, 1e9 do t[i] = {i} end", MEMORY(" (16 MiB)"));
    run_bad("local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(1000) .. i end",
            MEMORY(" (16 MiB)"));
}

static void test_string_bombs_stop_at_the_string_length_limit(void **state)
{
    (void)state;
    run_bad("local s = string.rep('x', 1 << 30)",
            "string length limit exceeded (string.rep of 1024 MiB; a string longer than 4 MiB)");
    run_bad("local s = ('ab'):rep(3 << 20, ',')", "string length limit exceeded");
    run_bad("local s = 'x' while true do s = s .. s end",
            "string length limit exceeded (a string longer than 4 MiB)");
    run_bad("local t, x = {}, ('x'):rep(2000) for i = 1, 2500 do t[i] = x end local s = table.concat(t)",
            "string length limit exceeded (a string longer than 4 MiB)");
}

/* A limit once hit ends the rule: no pcall, xpcall handler, __close or
** metamethod can catch it and carry on (were one to, BAD-01 would return
** false and the referral be accepted). */
static void test_a_limit_ends_the_rule_whatever_pcall_or_handler_it_is_in(void **state)
{
    (void)state;
    bad_rounds = 1;
    run_bad("pcall(function() while true do end end)", STOPPED);
    run_bad("while true do pcall(function() while true do end end) end", STOPPED);
    run_bad("pcall(string.rep, 'x', 1 << 30)", "string length limit exceeded");
    run_bad("pcall(function() local s = 'x' while true do s = s .. s end end)",
            "string length limit exceeded");
    run_bad("pcall(function() local t = {} for i = 1, 1e9 do t[i] = {} end end)", MEMORY(""));
    run_bad("pcall(function() local function f() return 1 + f() end f() end)",
            "stack overflow|memory limit exceeded|time limit exceeded");
    run_bad("pcall(pcall, pcall, function() while true do end end)", STOPPED);
    /* the handler is not called for a limit: neither a loop nor a denial in it */
    run_bad("xpcall(function() while true do end end, function(e) while true do end end)", STOPPED);
    run_bad("xpcall(function() local s = ('x'):rep(1 << 30) end, function(e) return 'fine' end)",
            "string length limit exceeded");
    run_bad("xpcall(function() local function f() return 1 + f() end f() end, "
            "function(e) return 'fine' end)",
            "stack overflow|memory limit exceeded|time limit exceeded");
    run_bad("pcall(function() local function f() return pcall(f) end f() end)",
            "stack overflow");
    /* __close handlers run as the error unwinds: they cannot loop or decide */
    run_bad("do local x <close> = setmetatable({}, {__close = function() while true do end end})\n"
            "  while true do end end", STOPPED);
    run_bad("do local x <close> = setmetatable({}, {__close = function()\n"
            "    d:decide{outcome='accept', target='buc'} end})\n"
            "  local t = {} for i = 1, 1e9 do t[i] = {} end end", MEMORY(""));
    /* nor a metamethod with a pcall of its own */
    run_bad("local t = setmetatable({}, {__index = function()\n"
            "  return pcall(function() while true do end end) end}) local x = t.y", STOPPED);
    bad_rounds = 3;
}

static void test_pcall_still_catches_a_rules_own_errors(void **state)
{
    (void)state;
    char *got = tu_first_reason(
        "rule{ id='P', when=function() return true end, action=function(r, f, d)\n"
        "  local ok, e = pcall(error, 'own')\n"
        "  local ok2, e2 = xpcall(function() error({}) end, function(x) return 'handled' end)\n"
        "  d:reason(tostring(ok) .. ' ' .. e .. ' ' .. tostring(ok2) .. ' ' .. e2)\n"
        "  d:decide{outcome='accept', target='buc'} end }\n", "");
    assert_string_equal(got, "false own false handled");
    free(got);
}

static void test_deep_recursion_stops_with_an_error(void **state)
{
    (void)state;
    run_bad("local function f(n) return 1 + f(n + 1) end f(1)", "stack overflow|memory limit exceeded");
}

/* Lua's pattern matcher cannot be interrupted while it backtracks: calls
** whose worst case is minutes are refused, ordinary ones still work. */
static void test_backtracking_lua_patterns_are_refused_pointing_to_regex(void **state)
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

static void test_string_table_math_and_utf8_work_in_rules(void **state)
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

static void test_load_errors_name_file_and_line(void **state)
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
    assert_true(has_any(err.text, STOPPED));
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

    /* one fact too many: its file and line, not only the directory */
    char lua[8192] = "rule{ id='A', when=function() return true end }\n";
    for (int i = 1; i <= 181; i++)
        snprintf(lua + strlen(lua), sizeof lua - strlen(lua), "fact('f%d', function() end)\n", i);
    dir = tu_rules(lua);
    assert_null(triage_ruleset_load(dir, NULL, &err));
    assert_non_null(strstr(err.text, "fact 'f181': at most 180 facts"));
    assert_int_equal(err.line, 182);
    tu_rmtree(dir);
    free(dir);

    assert_null(triage_ruleset_load("/nonexistent/rules", NULL, &err));
    assert_non_null(strstr(err.text, "--rules"));
}

/* ------------------------------------------------- the watchdog's hook */

/* Rules can ask, through these globals put into the decider's state,
** whether a hook is set on it right now and what the time is, and note
** (for the test to read) whether a referral's run saw a hook. */
static int lt_hooked(lua_State *L)
{
    lua_pushboolean(L, lua_gethook(L) != NULL);
    return 1;
}

static struct { char id[16]; int on; } lt_seen[8];

static int lt_note(lua_State *L)
{
    const char *id = luaL_checkstring(L, 1);
    int i = 0;
    while (i < 7 && lt_seen[i].id[0] && strcmp(lt_seen[i].id, id))
        i++;
    snprintf(lt_seen[i].id, sizeof lt_seen[i].id, "%s", id);
    lt_seen[i].on = lua_toboolean(L, 2);
    return 0;
}

static int lt_now_ms(lua_State *L)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    lua_pushinteger(L, (lua_Integer)t.tv_sec * 1000 + t.tv_nsec / 1000000);
    return 1;
}

static const char WATCH_RULES[] =
    "rule{ id='LOOP', when=function(r)\n"
    "  if note then note(r.id, hooked()) end\n"
    "  if r.id == 'LOOP' then while true do end end\n"
    "  if r.id == 'SLOW' then local t0 = now_ms()\n"
    "    while not hooked() do if now_ms() - t0 > 5000 then return false end end\n"
    "    error('armed after ' .. (now_ms() - t0) .. ' ms') end\n"
    "  return false end }\n"
    "rule{ id='OK', when=function() return true end,\n"
    "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n";

/* WATCH_RULES written to a directory and loaded; watch_done undoes it. */
typedef struct watch_set { char *dir; triage_ruleset *rs; } watch_set;

static watch_set watch_load(void)
{
    watch_set w = {tu_rules(WATCH_RULES), NULL};
    triage_error err;
    w.rs = triage_ruleset_load(w.dir, NULL, &err);
    assert_non_null(w.rs);
    return w;
}

static void watch_done(watch_set *w, triage_decider *dc)
{
    triage_decider_free(dc);
    triage_ruleset_release(w->rs);
    tu_rmtree(w->dir);
    free(w->dir);
}

/* A decider of WATCH_RULES whose state has hooked() and now_ms(). */
static triage_decider *watch_decider(triage_ruleset *rs)
{
    triage_error err;
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    triage_referral *r = tu_referral("FIRST", "");
    triage_decision *d = triage_decide(dc, r, 0);     /* makes it this thread's current */
    assert_int_equal(d->outcome, TRIAGE_ACCEPT);
    triage_decision_free(d);
    triage_referral_free(r);
    sb_state *sb = sb_current();
    assert_non_null(sb);
    lua_pushcfunction(sb->L, lt_hooked);                /* the globals are locked: */
    sb_set_global(sb->L, "hooked");                     /* the engine's way in */
    lua_pushcfunction(sb->L, lt_now_ms);
    sb_set_global(sb->L, "now_ms");
    lua_pushcfunction(sb->L, lt_note);
    sb_set_global(sb->L, "note");
    return dc;
}

/* Whether the rule saw a hook on its state during referral id's run. */
static int seen_hooked(const char *id)
{
    for (int i = 0; i < 8; i++)
        if (!strcmp(lt_seen[i].id, id))
            return lt_seen[i].on;
    fail_msg("no run of %s was noted", id);
    return 0;
}

static void decide_expect(triage_decider *dc, const char *id, triage_outcome want,
                          const char *why)
{
    triage_referral *r = tu_referral(id, "");
    triage_decision *d = triage_decide(dc, r, 0);
    assert_non_null(d);
    assert_int_equal(d->outcome, want);
    if (why) {
        assert_int_equal(d->nreasons, 1);
        assert_string_equal(d->reasons[0].rule, "LOOP");
        if (!has_any(d->reasons[0].text, why))
            fail_msg("reason '%s' lacks '%s'", d->reasons[0].text, why);
    }
    triage_decision_free(d);
    triage_referral_free(r);
}

/* A normal run after (a runaway): decided, and hooked neither after it nor
** (when its decider notes it: watch_decider) during it. A run the machine
** held up past the watchdog's delay is hooked, as it should be (a loaded
** runner: sanitizers, tests beside it); so up to five runs are made, each
** decided, and one of them must be clean. */
static int good_run_is_clean(triage_decider *dc, int noted)
{
    for (int i = 0; i < 5; i++) {
        triage_referral *r = tu_referral("GOOD", "");
        triage_decision *d = triage_decide(dc, r, 0);
        int ok = d && d->outcome == TRIAGE_ACCEPT;
        triage_decision_free(d);
        triage_referral_free(r);
        if (!ok)
            return 0;
        lua_State *L = sb_current()->L;
        if (!(noted && seen_hooked("GOOD")) && !lua_gethook(L) && lua_gethookmask(L) == 0)
            return 1;
    }
    return 0;
}

/* A normal run has no hook, during it or after it (the file loads had
** none left either); a hook set by someone else is left alone. A run the
** machine held up past the watchdog's delay is hooked, as it should be:
** on a busy machine (sanitizers, a loaded CI runner) a few are, so what is
** asserted is that such a hook is the sandbox's and most runs have none. */
static void test_normal_runs_have_no_hook(void **state)
{
    (void)state;
    watch_set ws = watch_load();
    triage_decider *dc = watch_decider(ws.rs);
    lua_State *L = sb_current()->L;
    int hooked = 0;
    for (int i = 0; i < 200; i++) {
        decide_expect(dc, "GOOD", TRIAGE_ACCEPT, NULL);
        if (seen_hooked("GOOD") || lua_gethook(L)) {
            hooked++;
            if (lua_gethook(L))
                assert_int_equal(lua_gethookmask(L), LUA_MASKCOUNT);
        }
    }
    if (hooked > 0)
        fprintf(stderr, "test_sandbox: %d of 200 normal runs were held up past the "
                        "watchdog's delay and hooked\n", hooked);
    assert_true(hooked < 50);
    lua_sethook(L, (lua_Hook)lt_hooked, LUA_MASKCALL, 0);   /* another's hook */
    decide_expect(dc, "GOOD", TRIAGE_ACCEPT, NULL);
    assert_true(seen_hooked("GOOD"));
    assert_ptr_equal(lua_gethook(L), (lua_Hook)lt_hooked);
    assert_int_equal(lua_gethookmask(L), LUA_MASKCALL);
    lua_sethook(L, NULL, 0, 0);
    watch_done(&ws, dc);
}

/* An endless loop is stopped by the hook the watchdog arms, a run that
** lasts gets it within a few polls, and the next run has none again. */
static void test_watchdog_hooks_a_runaway_and_unhooks_after(void **state)
{
    (void)state;
    watch_set ws = watch_load();
    triage_decider *dc = watch_decider(ws.rs);
    lua_State *L = sb_current()->L;
    for (int round = 0; round < 3; round++) {
        decide_expect(dc, "LOOP", TRIAGE_MANUAL_REVIEW, STOPPED);
        assert_non_null(lua_gethook(L));       /* on until the next run starts */
        assert_true(good_run_is_clean(dc, 1));
    }
    if (under_valgrind())
        goto done;
    triage_referral *r = tu_referral("SLOW", "");
    triage_decision *d = triage_decide(dc, r, 0);
    assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
    const char *t = strstr(d->reasons[0].text, "armed after ");
    assert_non_null(t);
    long ms = atol(t + strlen("armed after "));
    fprintf(stderr, "test_sandbox: a lasting run was hooked after %ld ms (polls every %d ms)\n",
            ms, SB_WATCH_MS);
    assert_true(ms < 2000);                      /* a few ms, unless the machine is very busy */
    triage_decision_free(d);
    triage_referral_free(r);
done:
    assert_true(good_run_is_clean(dc, 1));
    watch_done(&ws, dc);
}

typedef struct lt_worker {
    triage_ruleset *rs;
    triage_decider *dc;   /* left for main to free, when keep */
    int keep, stopped, clean;
} lt_worker;

static void *lt_work(void *arg)
{
    lt_worker *w = arg;
    triage_error err;
    triage_decider *dc = triage_decider_new(w->rs, NULL, &err);
    triage_referral *loop = tu_referral("LOOP", "");
    triage_decision *d = dc ? triage_decide(dc, loop, 0) : NULL;
    w->stopped = d && d->outcome == TRIAGE_MANUAL_REVIEW &&
                 has_any(d->reasons[0].text, STOPPED);
    triage_decision_free(d);
    w->clean = dc && good_run_is_clean(dc, 0);
    triage_referral_free(loop);
    if (w->keep)
        w->dc = dc;                   /* outlives this thread: the watchdog must cope */
    else
        triage_decider_free(dc);
    return NULL;
}

/* Two deciders on two threads, each in an endless loop at once: both are
** stopped. One decider outlives its thread and is used again here. */
static void test_runaways_in_two_threads_are_both_stopped(void **state)
{
    (void)state;
    watch_set ws = watch_load();
    lt_worker w[2] = {{.rs = ws.rs, .keep = 0}, {.rs = ws.rs, .keep = 1}};
    pthread_t tid[2];
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&tid[k], NULL, lt_work, &w[k]), 0);
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_join(tid[k], NULL), 0);
    for (int k = 0; k < 2; k++) {
        assert_true(w[k].stopped);
        assert_true(w[k].clean);
    }
    struct timespec pause = {0, 30 * 1000000L};  /* polls while its thread is gone */
    nanosleep(&pause, NULL);
    assert_non_null(w[1].dc);
    decide_expect(w[1].dc, "LOOP", TRIAGE_MANUAL_REVIEW, STOPPED);
    assert_true(good_run_is_clean(w[1].dc, 0));
    watch_done(&ws, w[1].dc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocked_functions_raise_an_error_naming_them),
        cmocka_unit_test(test_runaway_loops_stop_at_the_instruction_limit),
        cmocka_unit_test(test_memory_bombs_stop_at_the_memory_limit),
        cmocka_unit_test(test_string_bombs_stop_at_the_string_length_limit),
        cmocka_unit_test(test_deep_recursion_stops_with_an_error),
        cmocka_unit_test(test_a_limit_ends_the_rule_whatever_pcall_or_handler_it_is_in),
        cmocka_unit_test(test_pcall_still_catches_a_rules_own_errors),
        cmocka_unit_test(test_backtracking_lua_patterns_are_refused_pointing_to_regex),
        cmocka_unit_test(test_string_table_math_and_utf8_work_in_rules),
        cmocka_unit_test(test_load_errors_name_file_and_line),
        cmocka_unit_test(test_normal_runs_have_no_hook),
        cmocka_unit_test(test_watchdog_hooks_a_runaway_and_unhooks_after),
        cmocka_unit_test(test_runaways_in_two_threads_are_both_stopped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
