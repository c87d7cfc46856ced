/*
** test_crash.c — crash safety: `triage import`, `triage run` and `triage
** serve` under load killed with SIGKILL mid-work, round after round, then
** run to the end: every referral has exactly one decision per rule set,
** none lost, none duplicated, every acknowledged one kept, and SQLite's
** integrity check passes each time. Kills land where the store says: while
** the test holds the write lock the process cannot finish, so a kill after
** it has decided a chunk (it waits for the lock) or after the store shows a
** chunk committed lands mid-work, on any machine, at any speed.
** TRIAGE_CRASH_ROUNDS=N sets the kill rounds of run and of serve (CI: a few;
** tests/crash/run.sh N: a hundred each).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

#define CORPUS 20000
#define POLL_LIMIT_MS 120000     /* generous: the machine may be busy */

static char *tmp;
static char db[1100], corpus[1100];
static int rounds = 8;           /* kill rounds of run, and of serve */

/* Two rule sets; each round of run gets one of them with a comment of its
** own (a new hash). Some work per referral. */
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

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* fork/exec the command with stdout to /dev/null and stderr to err (or
** /dev/null); returns the pid. */
static pid_t spawn(char *const argv[], const char *err)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);    /* never outlives a test that died */
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(err ? open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600) : fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int run_to_end(char *const argv[])
{
    int st;
    pid_t pid = spawn(argv, NULL);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* SIGKILL pid, which must still be running; reap it. */
static void kill_running(pid_t pid)
{
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
}

/* Whether pid has exited (reaping it, its status in *st). */
static int exited(pid_t pid, int *st)
{
    return waitpid(pid, st, WNOHANG) == pid;
}

static long q1(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_BUSY)
        sleep_ms(1);
    assert_int_equal(rc, SQLITE_ROW);
    long v = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* A count in the database as another program reads it now. */
static long count_now(const char *path, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, POLL_LIMIT_MS);
    long n = q1(h, sql);
    sqlite3_close(h);
    return n;
}

/* Take the store's write lock (waiting for a commit under way to end): no
** other process can commit while it is held. */
static sqlite3 *hold_write_lock(const char *path)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, POLL_LIMIT_MS);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    return h;
}

static void release_write_lock(sqlite3 *h)
{
    assert_int_equal(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* Whether a thread of pid sleeps in nanosleep: SQLite's busy handler, the
** process waiting for the write lock. */
static int waits_for_lock(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    struct dirent *e;
    int waiting = 0;
    while (d && !waiting && (e = readdir(d))) {
        char w[128], buf[64] = "";
        snprintf(w, sizeof w, "/proc/%d/task/%s/wchan", (int)pid, e->d_name);
        FILE *f = fopen(w, "r");
        if (f) {
            if (!fgets(buf, sizeof buf, f))
                buf[0] = '\0';
            fclose(f);
        }
        waiting = strstr(buf, "nanosleep") != NULL;
    }
    if (d)
        closedir(d);
    return waiting;
}

/* Kill pid once it waits for the write lock the test holds: it has done
** its work up to storing it, and can store nothing. */
static void kill_when_blocked(pid_t pid)
{
    int st;
    for (int ms = 0; !waits_for_lock(pid); ms += 2) {
        if (exited(pid, &st) || ms > POLL_LIMIT_MS)
            fail_msg("the process never waited for the write lock (status %d)", st);
        sleep_ms(2);
    }
    kill_running(pid);
}

/* Kill pid once `sql` counts more than `than`, holding the write lock so
** that it stores nothing more. Returns 1 if the kill landed, 0 if the
** process had finished its work first. */
static int kill_after_commit(pid_t pid, const char *path, const char *sql, long than)
{
    int st;
    for (int ms = 0; count_now(path, sql) <= than; ms += 2) {
        if (exited(pid, &st))
            return 0;
        if (ms > POLL_LIMIT_MS)
            fail_msg("nothing was committed in %d s", POLL_LIMIT_MS / 1000);
        sleep_ms(2);
    }
    sqlite3 *lock = hold_write_lock(path);
    int landed = !exited(pid, &st);
    if (landed)
        kill_running(pid);
    release_write_lock(lock);
    return landed;
}

/* The database as another program finds it after a crash: intact, and no
** referral with two decisions from one rule set. Returns decisions stored. */
static long check_db(const char *path, long referrals)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    if (referrals >= 0)
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
    const char *env = getenv("TRIAGE_CRASH_ROUNDS");
    if (env && atoi(env) > 0)
        rounds = atoi(env);
    tmp = tu_tmpdir();
    tu_write(tmp, "r0/10-rules.lua", RULES_A);
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

/* ------------------------------------------------------------- import */

/* Remove the store at path and make an empty one there. */
static void empty_store(const char *path)
{
    const char *side[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[1200];
        snprintf(p, sizeof p, "%s%s", path, side[i]);
        unlink(p);
    }
    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    assert_non_null(st);
    triage_store_close(st);
}

/* An import killed waiting to store its first batch keeps nothing; one
** killed after a batch is committed keeps exactly the batches committed;
** importing again stores exactly the rest (the rest are duplicates,
** quarantined). */
static void test_import_killed_mid_batch_keeps_whole_batches_only(void **state)
{
    (void)state;
    empty_store(db);                                   /* a store to lock */
    char *imp[] = {TRIAGE_EXE, "import", "--db", db, corpus, NULL};
    sqlite3 *lock = hold_write_lock(db);
    kill_when_blocked(spawn(imp, NULL));
    release_write_lock(lock);
    assert_int_equal(check_db(db, 0), 0);

    /* A poller the machine lets run late may see the first batch only once
    ** the import has stored them all (and is still exiting): that kill came
    ** after the work, so the round is run again on an empty store. */
    const char *count = "SELECT COUNT(*) FROM referrals";
    long kept = 0;
    for (int tries = 0; tries < 5 && (kept == 0 || kept == CORPUS); tries++) {
        if (tries > 0)
            empty_store(db);
        kept = kill_after_commit(spawn(imp, NULL), db, count, 0) ? count_now(db, count) : 0;
    }
    assert_true(kept > 0 && kept < CORPUS);
    assert_int_equal(run_to_end(imp), 3);               /* 3: the duplicates quarantined */
    assert_int_equal(check_db(db, CORPUS), 0);
    fprintf(stderr, "test_crash: import killed twice mid-run; %ld kept, the rest imported\n",
            kept);
}

/* --------------------------------------------------------------- run */

/* Copy the file at from to to (and its write-ahead log, if there is one). */
static void copy_db(const char *from, const char *to)
{
    char cmd[2600];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm' && "
                              "{ [ ! -e '%s-wal' ] || cp '%s-wal' '%s-wal'; }",
             from, to, to, to, from, from, to);
    assert_int_equal(system(cmd), 0);
}

/* A fresh rule set, v-th of its kind: A or B with a comment of its own (a
** new hash), over a fresh copy of the imported store. */
static void new_variant(int v, char *rules, size_t cap, char *rdb, size_t dcap)
{
    char name[64], comment[64];
    snprintf(name, sizeof name, "v%d/10-rules.lua", v);
    tu_write(tmp, name, v % 2 ? RULES_B : RULES_A);
    snprintf(name, sizeof name, "v%d/20-more.lua", v);
    snprintf(comment, sizeof comment, "-- variant %d: the same rules, another hash\n", v);
    tu_write(tmp, name, comment);
    snprintf(rules, cap, "%s/v%d", tmp, v);
    snprintf(rdb, dcap, "%s/run%d.db", tmp, v);
    copy_db(db, rdb);
}

/* Run the variant to the end: exactly one decision for every referral. */
static void finish_variant(const char *rules, const char *rdb)
{
    char *run[] = {TRIAGE_EXE, "run", "--db", (char *)rdb, "--rules", (char *)rules, NULL};
    assert_int_equal(run_to_end(run), 0);
    assert_int_equal(check_db(rdb, CORPUS), CORPUS);
    assert_int_equal(run_to_end(run), 0);           /* and a further run finds nothing */
    assert_int_equal(check_db(rdb, CORPUS), CORPUS);
    assert_int_equal(count_now(rdb, "SELECT COUNT(DISTINCT referral_id) FROM decisions"), CORPUS);
}

/* Each round kills a run: alternately while it waits to store a chunk it
** decided (the test holds the write lock), and between chunks once the
** store shows one more committed. A variant takes six rounds, two of them
** between chunks, so work is always left; should a run still finish first,
** the next round starts a new variant. */
static void test_run_killed_mid_chunk_loses_and_duplicates_no_decision(void **state)
{
    (void)state;
    char rules[1200], rdb[1200];
    int landed = 0, variants = 0, in_variant = 0;
    new_variant(variants++, rules, sizeof rules, rdb, sizeof rdb);
    while (landed < rounds) {
        if (in_variant == 6) {
            finish_variant(rules, rdb);
            new_variant(variants++, rules, sizeof rules, rdb, sizeof rdb);
            in_variant = 0;
        }
        char *run[] = {TRIAGE_EXE, "run", "--db", rdb, "--rules", rules, "--threads",
                       landed % 2 ? "2" : "1", NULL};
        long now = check_db(rdb, CORPUS);
        if (in_variant % 3 != 1) {
            sqlite3 *lock = hold_write_lock(rdb);
            kill_when_blocked(spawn(run, NULL));
            release_write_lock(lock);
        } else if (!kill_after_commit(spawn(run, NULL), rdb, "SELECT COUNT(*) FROM decisions",
                                      now)) {
            assert_int_equal(check_db(rdb, CORPUS), CORPUS);   /* it finished: whole */
            in_variant = 6;
            continue;
        }
        landed++;
        in_variant++;
        long after = check_db(rdb, CORPUS);
        assert_true(after >= now);                  /* nothing stored is ever lost */
        assert_true(after <= CORPUS);
    }
    finish_variant(rules, rdb);
    fprintf(stderr, "test_crash: triage run killed %d times mid-run (%d rule sets); "
                    "0 decisions lost or duplicated\n", landed, variants);
}

/* -------------------------------------------------------------- serve */

#define SV_CLIENTS 4
#define SV_FRESH 60              /* referrals never sent before, per killed round */
#define SV_KILL_AFTER 40         /* a round's kill waits for this many new decisions */

/* Clients POST the corpus's referrals to /api/referrals, each until the
** server has answered it 201 (stored and decided now) or 409 (stored
** before: a 201 lost with the server). A round sends only the first
** `limit`: those of the rounds before and SV_FRESH never sent, so that
** however many the last kill let through, SV_KILL_AFTER new decisions are
** always there to be made. The fixture owns it all, so a failed round
** leaks nothing and leaves no client or server behind. */
typedef struct sv_load {
    char **body;                 /* the referrals, one JSON each */
    char **id;
    int n;
    _Atomic int next;            /* the next to send, this round */
    atomic_int limit;            /* this round sends referrals [0, limit) */
    atomic_char *state;          /* per referral: 0 not stored, 1 acknowledged */
    _Atomic long acked;
    int port;
    atomic_int stop;
    atomic_int bad;              /* an answer that is neither 201, 409 nor 503 */
    pthread_t tid[SV_CLIENTS];
    int clients;                 /* running */
    pid_t server;                /* running, or 0 */
    char db[1200], log[1200], rules[1200];
} sv_load;

/* One POST on a fresh connection: the status, or -1 when the server was
** not there or went away. */
static int sv_post(int port, const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char head[256];
    size_t len = strlen(body);
    int hn = snprintf(head, sizeof head,
                      "POST /api/referrals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n", len);
    int status = -1;
    if (write(fd, head, (size_t)hn) == hn && write(fd, body, len) == (ssize_t)len) {
        char buf[64];
        ssize_t k = read(fd, buf, sizeof buf - 1);
        if (k > 12) {
            buf[k] = '\0';
            status = atoi(buf + 9);               /* "HTTP/1.1 201 ..." */
        }
    }
    close(fd);
    return status;
}

/* Post every referral of the round not yet acknowledged, round and round,
** until all are or the round stops. */
static void *sv_client(void *arg)
{
    sv_load *l = arg;
    int limit = atomic_load(&l->limit);
    while (!atomic_load(&l->stop) && atomic_load(&l->acked) < limit) {
        int i = atomic_fetch_add(&l->next, 1) % limit;
        if (atomic_load(&l->state[i]))
            continue;
        int status = sv_post(l->port, l->body[i]);
        if (status == 201 || status == 409) {
            char was = 0;
            if (atomic_compare_exchange_strong(&l->state[i], &was, 1))
                atomic_fetch_add(&l->acked, 1);
        } else if (status == -1 || status == 503) {
            sleep_ms(1);              /* not there (killed), or busy: again later */
        } else {
            atomic_store(&l->bad, status);
            atomic_store(&l->stop, 1);
        }
    }
    return NULL;
}

static void sv_clients_start(sv_load *l, int limit)
{
    atomic_store(&l->limit, limit);
    atomic_store(&l->next, 0);
    atomic_store(&l->stop, 0);
    for (; l->clients < SV_CLIENTS; l->clients++)
        assert_int_equal(pthread_create(&l->tid[l->clients], NULL, sv_client, l), 0);
}

/* Wait for the clients: they end when all of the round's are acknowledged,
** or when told to stop. */
static void sv_clients_join(sv_load *l, int stop)
{
    if (stop)
        atomic_store(&l->stop, 1);
    for (; l->clients > 0; l->clients--)
        pthread_join(l->tid[l->clients - 1], NULL);
}

/* Fail the round, with the end of the server's log (its last requests, or
** the sanitizer's report that stopped it). */
static void sv_fail(sv_load *l, const char *what, long stored)
{
    size_t len = 0;
    char *text = tu_slurp(l->log, &len);
    fprintf(stderr, "test_crash: the end of triage serve's log:\n%s\n",
                    text ? text + (len > 6000 ? len - 6000 : 0) : "(none)");
    free(text);
    fail_msg("%s: %ld decisions stored, %ld of the %d sent acknowledged, HTTP %d", what,
             stored, (long)atomic_load(&l->acked), atomic_load(&l->limit),
             atomic_load(&l->bad));
}

/* Start `triage serve` on an ephemeral port (l->server, l->port). */
static void sv_start(sv_load *l)
{
    char *argv[] = {TRIAGE_EXE, "serve", "--db", l->db, "--rules", l->rules,
                    "--listen", "127.0.0.1:0", "--threads", "4", NULL};
    unlink(l->log);              /* no port of the last server read by mistake */
    l->server = spawn(argv, l->log);
    for (int ms = 0;; ms += 5) {
        char *text = tu_slurp(l->log, NULL), *p = text ? strstr(text, "(port ") : NULL;
        l->port = p ? atoi(p + 6) : 0;
        free(text);
        if (l->port > 0)
            return;
        int st;
        if (exited(l->server, &st)) {
            l->server = 0;
            sv_fail(l, "triage serve did not start", -1);
        }
        if (ms > POLL_LIMIT_MS)
            sv_fail(l, "triage serve did not start", -1);
        sleep_ms(5);
    }
}

static int sv_setup(void **state)
{
    sv_load *l = calloc(1, sizeof *l);
    assert_non_null(l);
    *state = l;
    snprintf(l->db, sizeof l->db, "%s/serve.db", tmp);
    snprintf(l->log, sizeof l->log, "%s/serve.log", tmp);
    snprintf(l->rules, sizeof l->rules, "%s/r0", tmp);
    l->n = rounds * SV_FRESH + 200;          /* every round's fresh ones, and more */
    l->body = calloc((size_t)l->n, sizeof *l->body);
    l->id = calloc((size_t)l->n, sizeof *l->id);
    l->state = calloc((size_t)l->n, 1);
    assert_true(l->body && l->id && l->state);
    FILE *f = fopen(corpus, "r");
    assert_non_null(f);
    size_t cap = 0;
    for (int i = 0; i < l->n; i++) {
        assert_true(getline(&l->body[i], &cap, f) > 0);
        cap = 0;
        char *p = strstr(l->body[i], "\"id\":\"");
        assert_non_null(p);
        l->id[i] = strndup(p + 6, strcspn(p + 6, "\""));
    }
    fclose(f);
    return 0;
}

/* After the test, passed or failed: no server, no client, nothing kept. */
static int sv_teardown(void **state)
{
    sv_load *l = *state;
    if (l->server > 0) {         /* first, so that no client waits on it */
        kill(l->server, SIGKILL);
        waitpid(l->server, NULL, 0);
    }
    sv_clients_join(l, 1);
    for (int i = 0; l->body && l->id && i < l->n; i++) {
        free(l->body[i]);
        free(l->id[i]);
    }
    free(l->body);
    free(l->id);
    free((void *)l->state);
    free(l);
    return 0;
}

static void test_serve_killed_under_load_loses_and_duplicates_no_decision(void **state)
{
    sv_load *l = *state;
    const char *decided = "SELECT COUNT(*) FROM decisions";
    int landed = 0;
    for (int round = 0; round <= rounds; round++) {
        sv_start(l);
        long now = count_now(l->db, decided);
        sv_clients_start(l, round < rounds ? (round + 1) * SV_FRESH : l->n);
        if (round < rounds) {
            /* under load: killed once the store shows SV_KILL_AFTER more decisions */
            long stored;
            for (int ms = 0; (stored = count_now(l->db, decided)) < now + SV_KILL_AFTER;
                 ms += 2) {
                int st;
                if (exited(l->server, &st)) {
                    l->server = 0;
                    sv_fail(l, "triage serve exited", stored);
                }
                if (atomic_load(&l->bad))
                    sv_fail(l, "triage serve gave a wrong answer", stored);
                if (ms > POLL_LIMIT_MS)
                    sv_fail(l, "triage serve stored too little in time", stored);
                sleep_ms(2);
            }
            kill_running(l->server);
            l->server = 0;
            landed++;
        }
        sv_clients_join(l, round < rounds);
        assert_int_equal(atomic_load(&l->bad), 0);
        if (round == rounds) {               /* the last round sent the rest, unhurried */
            kill(l->server, SIGTERM);
            waitpid(l->server, NULL, 0);
            l->server = 0;
        }
        /* every acknowledged referral is stored, with exactly one decision */
        long stored = count_now(l->db, "SELECT COUNT(*) FROM referrals");
        assert_true(stored >= atomic_load(&l->acked));
        assert_int_equal(count_now(l->db, "SELECT COUNT(*) FROM referrals r WHERE"
                                          " (SELECT COUNT(*) FROM decisions d"
                                          "  WHERE d.referral_id = r.id) != 1"), 0);
        check_db(l->db, -1);
    }
    assert_int_equal(atomic_load(&l->acked), l->n);
    assert_int_equal(check_db(l->db, l->n), l->n);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(l->db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (int i = 0; i < l->n; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM decisions WHERE referral_id = '%s'",
                 l->id[i]);
        assert_int_equal(q1(h, sql), 1);
    }
    sqlite3_close(h);
    fprintf(stderr, "test_crash: triage serve killed %d times under load; %d referrals posted, "
                    "each stored once with one decision\n", landed, l->n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_killed_mid_batch_keeps_whole_batches_only),
        cmocka_unit_test(test_run_killed_mid_chunk_loses_and_duplicates_no_decision),
        cmocka_unit_test_setup_teardown(
            test_serve_killed_under_load_loses_and_duplicates_no_decision, sv_setup, sv_teardown),
    };
    char only[200];                    /* one test, by a part of its name */
    if (getenv("TRIAGE_CRASH_ONLY")) {
        snprintf(only, sizeof only, "*%s*", getenv("TRIAGE_CRASH_ONLY"));
        cmocka_set_test_filter(only);  /* a glob: the bare part matched no test */
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
