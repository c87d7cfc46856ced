/*
** test_crash.c — crash safety: `triage run` (and `triage import`) killed
** with SIGKILL at random points of a 20,000-referral batch, again and again,
** then run to the end: every referral has exactly one decision per rule set,
** none lost, none duplicated, and SQLite's integrity check passes each time.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

#define CORPUS 20000
#define RULESETS 4
#define KILLS_PER_RULESET 6

static char *tmp;
static char db[1100], corpus[1100];
static unsigned seed;

/* Two rule sets (two hashes); some work per referral so a run lasts long
** enough to be killed in the middle of a chunk or of a commit. */
static const char RULES_A[] =
    "local re = regex('selvmord|adhd|autis')\n"
    "rule{ id='A-01', when=function(r) local n = 0 for i = 1, 400 do n = n + i end\n"
    "  return re:match(r.text) end,\n"
    "  action=function(r, f, d) d:decide{outcome='accept', target='buc', unit='B193',\n"
    "    priority='routine', deadline=r.received_day + 30} end }\n"
    "rule{ id='A-02', when=function() return true end,\n"
    "  action=function(r, f, d) d:reason('ingen fund') d:decide{outcome='reject'} end }\n";
static const char RULES_B[] =
    "rule{ id='B-01', when=function(r) local n = 0 for i = 1, 600 do n = n + i end\n"
    "  return #r:history() > 0 end,\n"
    "  action=function(r, f, d) d:decide{outcome='redirect', target='municipality'} end }\n"
    "rule{ id='B-02', when=function() return true end,\n"
    "  action=function(r, f, d) d:missing('ppv') d:decide{outcome='request_info', request_from='referrer'} end }\n";

/* fork/exec the command with its output to /dev/null; returns the pid. */
static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Start argv, SIGKILL it after a random 0..max_ms; 1 if the kill landed
** while it ran, 0 if it had already finished (cleanly). */
static int run_and_kill(char *const argv[], int max_ms)
{
    pid_t pid = spawn(argv);
    usleep((useconds_t)(rand_r(&seed) % (max_ms * 1000)));
    kill(pid, SIGKILL);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st)) {
        assert_int_equal(WTERMSIG(st), SIGKILL);
        return 1;
    }
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    return 0;
}

static int run_to_end(char *const argv[])
{
    int st;
    pid_t pid = spawn(argv);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long q1(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long v = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The database as another program finds it after a crash: intact, and no
** referral with two decisions from one rule set. Returns decisions stored. */
static long check_db(long referrals)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    assert_int_equal(q1(h, "SELECT COUNT(*) FROM referrals"), referrals);
    assert_int_equal(q1(h, "SELECT COUNT(*) FROM (SELECT 1 FROM decisions"
                           " GROUP BY referral_id, ruleset HAVING COUNT(*) > 1)"), 0);
    assert_int_equal(q1(h, "SELECT COUNT(*) FROM decisions d WHERE NOT EXISTS"
                           " (SELECT 1 FROM referrals r WHERE r.id = d.referral_id)"), 0);
    long n = q1(h, "SELECT COUNT(*) FROM decisions");
    sqlite3_close(h);
    return n;
}

static int setup(void **state)
{
    (void)state;
    const char *env = getenv("TRIAGE_CRASH_SEED");
    seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    fprintf(stderr, "test_crash: seed %u (TRIAGE_CRASH_SEED=%u repeats it)\n", seed, seed);
    tmp = tu_tmpdir();
    /* Four rule sets: A, B, and each again with a comment (a new hash). */
    tu_write(tmp, "r0/10-rules.lua", RULES_A);
    tu_write(tmp, "r1/10-rules.lua", RULES_B);
    tu_write(tmp, "r2/10-rules.lua", RULES_A);
    tu_write(tmp, "r2/20-more.lua", "-- the same rules, another hash\n");
    tu_write(tmp, "r3/10-rules.lua", RULES_B);
    tu_write(tmp, "r3/20-more.lua", "-- the same rules, another hash\n");
    snprintf(corpus, sizeof corpus, "%s/c", tmp);
    char count[16];
    snprintf(count, sizeof count, "%d", CORPUS);
    char *gen[] = {TRIAGE_EXE, "corpus", "--count", count, "--out", corpus, NULL};
    if (run_to_end(gen) != 0)
        return -1;
    snprintf(corpus, sizeof corpus, "%s/c/referrals.jsonl", tmp);
    snprintf(db, sizeof db, "%s/crash.db", tmp);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

/* Killed imports lose at most their open transaction; importing again
** stores exactly the rest (the rest are duplicates, quarantined). */
static void import_killed(void **state)
{
    (void)state;
    char *imp[] = {TRIAGE_EXE, "import", "--db", db, corpus, NULL};
    int landed = 0;
    for (int round = 0; round < 4; round++) {
        landed += run_and_kill(imp, 1500);
        unlink(db);      /* start over; the file itself was never damaged */
        char side[1200];
        snprintf(side, sizeof side, "%s-wal", db);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db);
        unlink(side);
    }
    /* Kill once more and keep what it left, then import the whole file again. */
    landed += run_and_kill(imp, 1500);
    sqlite3 *h = NULL;
    long kept = 0;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM referrals", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            kept = (long)sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(h);   /* also when the kill came before the file: a failed open has a handle */
    int rc = run_to_end(imp);
    assert_int_equal(rc, kept ? 3 : 0);     /* 3: the duplicates were quarantined */
    assert_int_equal(check_db(CORPUS), 0);
    fprintf(stderr, "test_crash: import killed %d times mid-run; %ld kept, rest imported\n",
            landed, kept);
}

static void run_killed(void **state)
{
    (void)state;
    int landed_total = 0;
    long before = check_db(CORPUS);
    for (int k = 0; k < RULESETS; k++) {
        char rules[1200];
        snprintf(rules, sizeof rules, "%s/r%d", tmp, k);
        int landed = 0;
        for (int round = 0; round < KILLS_PER_RULESET; round++) {
            char *run[] = {TRIAGE_EXE, "run", "--db", db, "--rules", rules, "--threads",
                           round % 2 ? "2" : "1", NULL};
            landed += run_and_kill(run, 1500);
            long now = check_db(CORPUS);
            assert_true(now >= before);                /* nothing stored is ever lost */
            assert_true(now <= before + CORPUS);
        }
        char *run[] = {TRIAGE_EXE, "run", "--db", db, "--rules", rules, NULL};
        assert_int_equal(run_to_end(run), 0);
        before += CORPUS;
        assert_int_equal(check_db(CORPUS), before);   /* exactly one each, none lost */
        /* and a further run finds nothing to do */
        assert_int_equal(run_to_end(run), 0);
        assert_int_equal(check_db(CORPUS), before);
        landed_total += landed;
        fprintf(stderr, "test_crash: rule set %d: %d of %d kills landed mid-run\n", k,
                landed, KILLS_PER_RULESET);
    }
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(q1(h, "SELECT COUNT(DISTINCT ruleset) FROM decisions"), RULESETS);
    assert_int_equal(q1(h, "SELECT COUNT(*) FROM (SELECT ruleset FROM decisions GROUP BY ruleset"
                           " HAVING COUNT(DISTINCT referral_id) = 20000 AND COUNT(*) = 20000)"), RULESETS);
    sqlite3_close(h);
    assert_true(landed_total > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import_killed),
        cmocka_unit_test(run_killed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
