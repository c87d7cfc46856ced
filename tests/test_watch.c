/*
** test_watch.c — the long-running commands end to end: `triage watch`
** prints what an edit changed and a broken save's file:line; `triage run
** --watch` decides new imports, reloads on change and on SIGHUP, publishes
** what it has active for `triage status`, and stops cleanly on SIGTERM.
** Every wait polls with a generous timeout and asserts what happened.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

static char *tmp;

static const char *rules_v(int unit)
{
    static char lua[512];
    snprintf(lua, sizeof lua,
             "rule{ id='ACC-01', when=function() return true end, action=function(r, f, d)\n"
             "  d:reason('Optages.')\n"
             "  d:decide{outcome='accept', target='buc', unit='B%d'} end }\n", unit);
    return lua;
}

static const char REFS[] =
    "{\"id\":\"A1\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
    "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Herlev\"}}\n"
    "{\"id\":\"A2\",\"received\":\"2020-03-03\",\"referrer\":{\"kind\":\"gp\"},"
    "\"patient\":{\"birth_date\":\"2012-06-14\",\"municipality\":\"Herlev\"}}\n";

static char *slurp(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    char *s = tu_slurp(path, NULL);
    return s ? s : strdup("");
}

/* Wait up to 20 s until file `name` contains `what` `times` times. */
static int wait_for(const char *name, const char *what, int times)
{
    for (int i = 0; i < 2000; i++) {
        char *s = slurp(name);
        int n = 0;
        for (const char *p = s; (p = strstr(p, what)); p++)
            n++;
        free(s);
        if (n >= times)
            return 1;
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    char *s = slurp(name);
    fprintf(stderr, "waited in vain for '%s' x%d in %s:\n%s\n", what, times, name, s);
    free(s);
    return 0;
}

/* Start a command in tmp with output to out.txt; returns its pid. */
static pid_t start(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(tmp) != 0)
            _exit(127);
        freopen("out.txt", "w", stdout);
        freopen("err.txt", "w", stderr);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int finish(pid_t pid)
{
    int st;
    for (int i = 0; i < 2000; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

static int setup(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    tu_write(tmp, "rules/10-rules.lua", rules_v(193));
    tu_write(tmp, "refs.jsonl", REFS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

static void test_watch_prints_changes_and_errors(void **state)
{
    (void)state;
    pid_t pid = start("exec '%s' watch --rules rules --max-reloads 2 refs.jsonl", TRIAGE_EXE);
    assert_true(wait_for("out.txt", "watching rules: 2 referrals", 1));
    tu_write(tmp, "rules/10-rules.lua", rules_v(294));
    assert_true(wait_for("out.txt", "2 of 2 decisions changed", 1));
    char *out = slurp("out.txt");
    assert_non_null(strstr(out, "A1: accept buc B193 -> accept buc B294"));
    free(out);
    tu_write(tmp, "rules/10-rules.lua", "rule{ id='X', when=function() return true end\n\n");
    assert_true(wait_for("out.txt", "reload failed:", 1));
    out = slurp("out.txt");
    assert_non_null(strstr(out, "rules/10-rules.lua:3:"));
    assert_non_null(strstr(out, "stay in force"));
    free(out);
    assert_int_equal(finish(pid), 0);               /* --max-reloads 2 reached */
}

static void test_run_watch_decides_reloads_and_stops(void **state)
{
    (void)state;
    char cmd[1200];
    tu_write(tmp, "rules/10-rules.lua", rules_v(193));
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' import --db w.db refs.jsonl >/dev/null", tmp, TRIAGE_EXE);
    assert_int_equal(system(cmd), 0);
    pid_t pid = start("exec '%s' run --watch --db w.db --rules rules", TRIAGE_EXE);
    assert_true(wait_for("out.txt", "decided 2 referrals", 1));
    /* New imports are picked up. */
    tu_write(tmp, "more.jsonl",
             "{\"id\":\"A3\",\"received\":\"2020-03-04\",\"referrer\":{\"kind\":\"gp\"},"
             "\"patient\":{\"birth_date\":\"2012-06-14\",\"municipality\":\"Herlev\"}}\n");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' import --db w.db more.jsonl >/dev/null", tmp, TRIAGE_EXE);
    assert_int_equal(system(cmd), 0);
    assert_true(wait_for("out.txt", "decided 1 referrals", 1));
    /* A rule change: everything is decided again under the new rules. */
    tu_write(tmp, "rules/10-rules.lua", rules_v(295));
    assert_true(wait_for("out.txt", "decided 3 referrals", 1));
    /* SIGHUP with a broken rule set: refused, reported, the rules stay. */
    tu_write(tmp, "rules/20-broken.lua", "error('broken on purpose')\n");
    assert_true(wait_for("err.txt", "reload failed", 1));
    kill(pid, SIGHUP);
    assert_true(wait_for("err.txt", "rules/20-broken.lua:1: broken on purpose", 2));
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' status --db w.db --rules rules > status.txt",
             tmp, TRIAGE_EXE);
    assert_int_equal(system(cmd) >> 8, 2);          /* the directory fails its checks */
    char *st = slurp("status.txt");
    assert_non_null(strstr(st, "does not load"));
    assert_non_null(strstr(st, "(pid "));
    assert_non_null(strstr(st, "run --watch"));
    assert_non_null(strstr(st, "last error: "));
    assert_non_null(strstr(st, "broken on purpose"));
    free(st);
    kill(pid, SIGTERM);
    assert_int_equal(finish(pid), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch_prints_changes_and_errors),
        cmocka_unit_test(test_run_watch_decides_reloads_and_stops),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
