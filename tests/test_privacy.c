/*
** test_privacy.c — no CPR number leaves the referral: a full run (corpus,
** import, run, check --explain in both formats, status, test) with CPRs in
** fields, free text, names and invalid records; every output stream and
** every file written, except the database and the input, is scanned for any
** CPR of the input. The database and its -wal/-shm are created 0600.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <sys/wait.h>

#include "testutil.h"

static char *tmp;
static char (*cprs)[11];       /* every CPR of the input, ten digits, sorted */
static size_t ncprs;

static const char RULES[] =
    "rule{ id='P-QUOTE', when=function(r) return r.text ~= '', 'tekst: ' .. r.text end,\n"
    "  action=function(r, f, d) print('regel ser', r.id, r.text, r.referrer_name)\n"
    "    d:reason('Citat: ' .. r.text .. ' / ' .. (r.referrer_name or '') .. ' / ' .. r.municipality) end }\n"
    "rule{ id='P-ERR', when=function(r) return r.id == 'P-ERR' end,\n"
    "  action=function(r) error('fejl i ' .. r.text) end }\n"
    "rule{ id='P-ACC', when=function() return true end,\n"
    "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n";

/* Hand-made records that put CPRs where they do not belong. */
static const char EXTRA[] =
    "{\"id\":\"P-1\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\",\"name\":\"Læge 250302-4567\"},"
    "\"patient\":{\"cpr\":\"250302-4567\",\"municipality\":\"Gladsaxe 2503024567\"},"
    "\"text\":\"Pigen (CPR 250302-4567, også skrevet 2503024567) har selvmordstanker.\"}\n"
    "{\"id\":\"P-ERR\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
    "\"patient\":{\"cpr\":\"110907-3344\",\"municipality\":\"Herlev\"},\"text\":\"cpr 110907-3344\"}\n"
    "{\"id\":\"P-BAD1\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
    "\"patient\":{\"cpr\":\"3113123344\",\"municipality\":\"Herlev\"}}\n"
    "{\"id\":\"P-BAD2\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
    "\"patient\":{\"cpr\":\"120406-7788\",\"birth_date\":\"2001-01-01\",\"municipality\":\"Herlev\"}}\n"
    "{\"id\":\"P-BAD3\",\"received\":\"2020-03-02\",\"patient\":{\"cpr\":\"120406-7789\"\n"
    "{\"id\":\"P-BAD4\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
    "\"patient\":{\"cpr\":12040677,\"municipality\":\"Herlev\"},\"text\":\"ring 120406 7790\"}\n";

static int cmp_cpr(const void *a, const void *b) { return memcmp(a, b, 10); }

static void add_cpr(const char *digits)
{
    cprs = realloc(cprs, (ncprs + 1) * sizeof *cprs);
    memcpy(cprs[ncprs], digits, 10);
    cprs[ncprs++][10] = 0;
}

/* Every 6+4 digit run (optional '-' or ' ' between) of s as a CPR. */
static void collect(const char *s, size_t n)
{
    for (size_t i = 0; i + 10 <= n; i++) {
        if ((i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'))
            continue;
        char d[10];
        size_t j = i, k = 0;
        while (j < n && k < 10 && s[j] >= '0' && s[j] <= '9') {
            d[k++] = s[j++];
            if (k == 6 && j < n && (s[j] == '-' || s[j] == ' '))
                j++;
        }
        if (k == 10 && !(j < n && s[j] >= '0' && s[j] <= '9'))
            add_cpr(d);
    }
}

/* The first CPR of the input found in s (n bytes), or NULL. */
static const char *find_cpr(const char *s, size_t n)
{
    for (size_t i = 0; i + 10 <= n; i++) {
        if (s[i] < '0' || s[i] > '9')
            continue;
        char d[10];
        size_t j = i, k = 0;
        while (j < n && k < 10 && s[j] >= '0' && s[j] <= '9') {
            d[k++] = s[j++];
            if (k == 6 && j < n && (s[j] == '-' || s[j] == ' '))
                j++;
        }
        if (k == 10 && bsearch(d, cprs, ncprs, sizeof *cprs, cmp_cpr))
            return s + i;
    }
    return NULL;
}

static int streams;            /* output files written by sh(), numbered */

/* Run a command in tmp with its streams kept as out-N.txt / err-N.txt. */
static int sh(const char *fmt, ...)
{
    char cmd[4096], line[4600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    streams++;
    snprintf(line, sizeof line, "cd '%s' && (%s) >out-%d.txt 2>err-%d.txt", tmp, cmd, streams, streams);
    int st = system(line);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
    (void)state;
    umask(0);                  /* the 0600 must come from the program, not from us */
    tmp = tu_tmpdir();
    tu_write(tmp, "rules/10-privacy.lua", RULES);
    tu_write(tmp, "in/extra.jsonl", EXTRA);
    if (sh("'%s' corpus --count 1500 --out in/c", TRIAGE_EXE) != 0)
        return -1;
    /* The CPRs of the input: the corpus's patient.cpr, and anything
    ** CPR-shaped anywhere in either input file. */
    const char *inputs[] = {"in/c/referrals.jsonl", "in/extra.jsonl"};
    for (int i = 0; i < 2; i++) {
        char path[1100];
        size_t n;
        snprintf(path, sizeof path, "%s/%s", tmp, inputs[i]);
        char *s = tu_slurp(path, &n);
        if (!s)
            return -1;
        collect(s, n);
        free(s);
    }
    qsort(cprs, ncprs, sizeof *cprs, cmp_cpr);
    return ncprs > 1000 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    free(cprs);
    return 0;
}

/* Scan every regular file under dir except the input and the database. */
static long scan(const char *dir, long *bytes)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    long files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "in") != 0)
                files += scan(path, bytes);
            continue;
        }
        if (!strncmp(e->d_name, "p.db", 4))
            continue;          /* the database holds the referral itself */
        size_t n;
        char *s = tu_slurp(path, &n);
        assert_non_null(s);
        const char *hit = find_cpr(s, n);
        if (hit)
            fail_msg("%s holds a CPR of the input at byte %ld: ...%.40s...", path,
                     (long)(hit - s), hit > s + 20 ? hit - 20 : s);
        *bytes += (long)n;
        files++;
        free(s);
    }
    closedir(d);
    return files;
}

static void mode_0600(const char *name)
{
    char path[1100];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    assert_int_equal(stat(path, &st), 0);
    if ((st.st_mode & 0777) != 0600)
        fail_msg("%s is mode %o", name, st.st_mode & 0777);
}

static void test_a_full_run_leaks_no_cpr_and_keeps_files_private(void **state)
{
    (void)state;
    const char *E = TRIAGE_EXE;
    assert_int_equal(sh("'%s' import --db p.db in/c/referrals.jsonl in/extra.jsonl in/extra.jsonl", E), 3);
    mode_0600("p.db");
    assert_int_equal(sh("'%s' run --db p.db --rules rules --threads 2", E), 0);
    assert_int_equal(sh("'%s' run --db p.db --rules rules", E), 0);
    assert_int_equal(sh("'%s' check --rules rules --explain in/extra.jsonl in/c/referrals.jsonl", E), 3);
    assert_int_equal(sh("'%s' check --rules rules --explain --format json - < in/extra.jsonl", E), 3);
    assert_int_equal(sh("'%s' status --db p.db --rules rules", E), 0);
    sh("'%s' test --rules rules", E);
    sh("'%s' import --db p.db in/extra.jsonl", E);
    mode_0600("p.db");

    /* While a store is open, its -wal and -shm exist: 0600 as well. */
    char path[1100];
    snprintf(path, sizeof path, "%s/p.db", tmp);
    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    assert_non_null(st);
    assert_true(triage_store_count(st, "decisions", NULL) > 1500);
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    triage_referral *r = tu_referral("P-NEW", "");
    assert_int_equal(triage_store_put(st, r, "x", 1, &err), TRIAGE_OK);
    assert_int_equal(triage_store_commit(st, &err), TRIAGE_OK);
    triage_referral_free(r);
    mode_0600("p.db-wal");
    mode_0600("p.db-shm");
    triage_store_close(st);

    /* The masked quote proves the text reached the outputs at all. */
    size_t n;
    snprintf(path, sizeof path, "%s/out-5.txt", tmp);   /* check --explain */
    char *o = tu_slurp(path, &n);
    assert_non_null(strstr(o, "Citat: Pigen (CPR XXXXXX-XXXX"));
    free(o);

    /* The scanner itself finds what it looks for. */
    const char probe[] = "ref 250302 4567 and 1406114321";
    assert_non_null(find_cpr(probe, sizeof probe - 1));
    assert_null(find_cpr("ref XXXXXX-XXXX 2503X24567", 26));

    long bytes = 0, files = scan(tmp, &bytes);
    fprintf(stderr, "test_privacy: %zu CPRs of the input; %ld output files (%ld bytes) clean\n",
            ncprs, files, bytes);
    assert_true(files >= 2 * streams);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_full_run_leaks_no_cpr_and_keeps_files_private),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
