/*
** test_limits.c — runaway rules inside a real batch: `triage run` over
** 2,000 referrals where a few referrals each trip one limit (endless loop,
** memory bomb, deep recursion, doubling string, blocked function,
** catastrophic regex, a loop of costly library calls, a string.rep bomb and
** a loop, each inside pcall, which cannot catch a limit) and a rule errors on
** the referrals whose data it did not expect. Each of those is
** manual_review with a reason that says why; every other referral is
** decided as usual, and the process stays within its memory budget.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "decision.h"
#include "testutil.h"

#define CORPUS 2000
#define UNDER_ASAN TU_ASAN
#define MAX_RSS_KB (400L * 1024)   /* 2 threads x 64 MiB Lua budget + SQLite + a chunk */

static char *tmp;

/* Case k (1..NCASES) is referral number n with n % 400 == k (case 7, the clock,
** only n == 7); what it runs and what its reason must hold. */
static const char *const CASES[] = {
    NULL,
    "while true do end",
    "local t = {} for i = 1, 1e9 do t[i] = {i} end",
    "local function f(n) return 1 + f(n + 1) end f(1)",
    "local s = 'x' while true do s = s .. s end",
    "os.execute('rm -rf /')",
    "regex('(a+)+$'):match(string.rep('a', 64) .. 'b')",
    "for i = 1, 1e9 do local s = string.rep('x', 1e6) end",
    "local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) return t[1]",
    "local ok = pcall(string.rep, 'x', 1 << 30) return ok",
    "while true do pcall(function() while true do end end) end",
};
static const char *const EXPECT[] = {
    NULL,
    "instruction limit exceeded",
    "memory limit exceeded",
    "stack overflow",
    "string length limit exceeded",
    "'os.execute' is not available",
    "match limit",
    "time limit exceeded",
    "stack overflow",
    "string length limit exceeded",
    "instruction limit exceeded",
};
#define NCASES 10

static char *rules_lua(void)
{
    static char lua[8192];
    int n = snprintf(lua, sizeof lua,
                     "local case = {}\n");
    for (int k = 1; k <= NCASES; k++)
        n += snprintf(lua + n, sizeof lua - (size_t)n, "case[%d] = function() %s end\n", k, CASES[k]);
    snprintf(lua + n, sizeof lua - (size_t)n,
             "rule{ id='BAD', when=function(r)\n"
             "  local n = tonumber(r.id:sub(-6)); local k = n %% 400\n"
             "  if k == 7 and n > 400 then return false end  -- 10 s each: once is enough\n"
             "  if case[k] then case[k]() end return false end }\n"
             /* errors (compare nil) only on referrals without gapd */
             "rule{ id='GAPD', when=function(r) return r.gapd < 3 end,\n"
             "  action=function(r, f, d) d:decide{outcome='redirect', target='municipality'} end }\n"
             "rule{ id='ACC', when=function() return true end,\n"
             "  action=function(r, f, d) d:decide{outcome='accept', target='buc', unit='B193',\n"
             "    priority='routine', deadline=r.received_day + 30} end }\n");
    return lua;
}

/* Run argv to the end with output to files in tmp; returns the exit status
** and the child's peak RSS in KB. */
static int run(char *const argv[], long *maxrss_kb)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char p[1100];
        snprintf(p, sizeof p, "%s/out.txt", tmp);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        snprintf(p, sizeof p, "%s/err.txt", tmp);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    if (maxrss_kb)
        *maxrss_kb = ru.ru_maxrss;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    tu_write(tmp, "rules/10-limits.lua", rules_lua());
    char out[1100], count[16];
    snprintf(out, sizeof out, "%s/c", tmp);
    snprintf(count, sizeof count, "%d", CORPUS);
    char *gen[] = {TRIAGE_EXE, "corpus", "--count", count, "--out", out, NULL};
    return run(gen, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

static void test_runaway_rules_send_their_referrals_to_manual_review_and_the_batch_goes_on(void **state)
{
    (void)state;
    char db[1100], input[1100], rules[1100];
    snprintf(db, sizeof db, "%s/limits.db", tmp);
    snprintf(input, sizeof input, "%s/c/referrals.jsonl", tmp);
    snprintf(rules, sizeof rules, "%s/rules", tmp);
    char *imp[] = {TRIAGE_EXE, "import", "--db", db, input, NULL};
    assert_int_equal(run(imp, NULL), 0);
    long rss;
    char *rn[] = {TRIAGE_EXE, "run", "--db", db, "--rules", rules, "--threads", "2", NULL};
    assert_int_equal(run(rn, &rss), 0);
    fprintf(stderr, "test_limits: triage run peak RSS %ld KB\n", rss);
    if (!UNDER_ASAN)
        assert_true(rss < MAX_RSS_KB);

    /* Which referrals have gapd: those decide normally, the rest fail GAPD. */
    json_error_t je;
    FILE *f = fopen(input, "r");
    assert_non_null(f);
    json_t *has_gapd = json_object();
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *j = json_loads(line, 0, &je);
        assert_non_null(j);
        json_t *g = json_object_get(j, "gapd");
        json_object_set_new(has_gapd, json_string_value(json_object_get(j, "id")),
                            json_boolean(g && json_is_integer(g)));
        json_decref(j);
    }
    free(line);
    fclose(f);

    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT referral_id, outcome, reasons FROM decisions",
                                        -1, &s, NULL), SQLITE_OK);
    long n = 0, contained[NCASES + 1] = {0}, gapd_errors = 0, decided = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        const char *outcome = (const char *)sqlite3_column_text(s, 1);
        const char *reasons = (const char *)sqlite3_column_text(s, 2);
        int num = atoi(id + strlen(id) - 6), k = num % 400;
        if (k == 7 && num > 400)
            k = 0;
        n++;
        if (k >= 1 && k <= NCASES) {
            assert_string_equal(outcome, "manual_review");
            if (!strstr(reasons, "\"BAD\"") || !strstr(reasons, EXPECT[k]))
                fail_msg("%s (case %d) reasons lack '%s': %s", id, k, EXPECT[k], reasons);
            contained[k]++;
        } else if (!json_is_true(json_object_get(has_gapd, id))) {
            assert_string_equal(outcome, "manual_review");
            assert_non_null(strstr(reasons, "\"GAPD\""));
            assert_non_null(strstr(reasons, "attempt to compare"));
            gapd_errors++;
        } else {
            assert_true(!strcmp(outcome, "accept") || !strcmp(outcome, "redirect"));
            decided++;
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(h);
    json_decref(has_gapd);
    assert_int_equal(n, CORPUS);
    for (int k = 1; k <= NCASES; k++) {
        fprintf(stderr, "test_limits: case %d contained %ld times: %s\n", k, contained[k], CASES[k]);
        assert_int_equal(contained[k], k == 7 ? 1 : CORPUS / 400);
    }
    fprintf(stderr, "test_limits: %ld rule errors on data, %ld decided normally\n", gapd_errors,
            decided);
    assert_true(gapd_errors > 0 && decided > 0);
}

static long vm_kb(const char *what)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(what);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, what, n) && line[n] == ':')
            kb = atol(line + n + 1);
    if (f)
        fclose(f);
    return kb;
}

/* In one process, hundreds of aborted runs: memory bombs and huge strings
** hit the budget and give it all back; the peak stays near one budget. */
static void test_aborted_runs_give_their_memory_back(void **state)
{
    (void)state;
    char lua[2048];
    snprintf(lua, sizeof lua,
             "rule{ id='BOMB', when=function(r)\n"
             "  if r.id == 'T' then local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end end\n"
             "  if r.id == 'S' then local s = ('y'):rep(1 << 20) while true do s = s .. s end end\n"
             "  if r.id == 'R' then return regex('^(\\\\w+\\\\s?)*$'):match(('aaaa '):rep(40) .. '!') end\n"
             "  return false end }\n"
             "rule{ id='OK', when=function() return true end,\n"
             "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n");
    char *dir = tu_rules(lua);
    triage_limits lim = {.memory_bytes = 16u << 20, .instructions = 5000000};
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, &lim, &err);
    assert_non_null(rs);
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    triage_referral *t = tu_referral("T", ""), *s = tu_referral("S", ""),
                    *rx = tu_referral("R", ""), *ok = tu_referral("OK", "");
    long hwm_early = 0;
    for (int i = 0; i < 60; i++) {
        triage_referral *which[] = {t, s, rx};
        const char *why[] = {"memory limit exceeded", "string length limit exceeded", "match limit"};
        triage_decision *d = triage_decide(dc, which[i % 3], 0);
        assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
        assert_non_null(strstr(d->reasons[0].text, why[i % 3]));
        triage_decision_free(d);
        d = triage_decide(dc, ok, 0);
        assert_int_equal(d->outcome, TRIAGE_ACCEPT);
        triage_decision_free(d);
        if (i == 5)
            hwm_early = vm_kb("VmHWM");
    }
    long hwm = vm_kb("VmHWM");
    fprintf(stderr, "test_limits: VmHWM after 6 rounds %ld KB, after 60 %ld KB\n", hwm_early, hwm);
    assert_true(hwm > 0);
    if (!UNDER_ASAN) {
        assert_true(hwm - hwm_early < 8 * 1024);  /* no growth: nothing kept */
        assert_true(hwm < 16 * 1024 + 64 * 1024); /* one budget plus the program */
    }
    triage_referral_free(t);
    triage_referral_free(s);
    triage_referral_free(rx);
    triage_referral_free(ok);
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runaway_rules_send_their_referrals_to_manual_review_and_the_batch_goes_on),
        cmocka_unit_test(test_aborted_runs_give_their_memory_back),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
