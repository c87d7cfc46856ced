/*
** test_badinput.c — bad input at scale: a file of 3,000 valid referrals
** mixed with 6,000 malformed records (truncated JSON, wrong types, invalid
** UTF-8, 10 MB strings, deep nesting, duplicate ids, impossible dates, NUL
** bytes, stray byte order marks, huge numbers, blank lines). `triage import`
** stores exactly the valid ones, quarantines exactly the rest with an error
** each, exits 3, and neither crashes nor hangs; `triage check` decides
** exactly the valid ones and reports every other record.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "testutil.h"

#define NVALID 3000
#define NBAD 6000
#define NKINDS 22

static char *tmp;
static long nbad_kind[NKINDS];

static int run(char *const argv[], const char *out, const char *err, int limit_s)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        alarm((unsigned)limit_s);       /* a hang ends as SIGALRM, and fails */
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st))
        fail_msg("%s %s died of signal %d", argv[0], argv[1], WTERMSIG(st));
    return WEXITSTATUS(st);
}

/* The id of a corpus line: {"id":"R2020-000001",... */
static void line_id(const char *s, char id[32])
{
    const char *p = strstr(s, "\"id\":\"") + 6, *q = strchr(p, '"');
    snprintf(id, 32, "%.*s", (int)(q - p), p);
}

/* One malformed record of kind k made from the valid line s (no newline). */
static void bad_record(FILE *f, int k, const char *s, long serial)
{
    size_t n = strlen(s);
    char id[32];
    line_id(s, id);
    const char *min_tail = ",\"referrer\":{\"kind\":\"gp\"},"
                           "\"patient\":{\"birth_date\":\"2010-01-01\",\"municipality\":\"X\"}";
    switch (k) {
    case 0:   /* truncated */
        fwrite(s, 1, n / 2, f);
        break;
    case 1:   /* id of the wrong type */
        fprintf(f, "{\"id\":%ld%s", serial, strchr(s, ','));
        break;
    case 2: { /* invalid UTF-8 inside a string */
        const char *t = strstr(s, "\"municipality\":\"") + 16;
        fwrite(s, 1, (size_t)(t - s), f);
        fputs("\xff\xfe\xc3\x28", f);
        fputs(t, f);
        break;
    }
    case 3: { /* a 10 MB string (rarely: the file stays small) */
        fprintf(f, "{\"id\":\"%sL\",\"received\":\"2020-01-02\"%s,\"text\":\"", id, min_tail);
        static char chunk[1 << 16];
        memset(chunk, 'a', sizeof chunk);
        for (int i = 0; i < 160; i++)
            fwrite(chunk, 1, sizeof chunk, f);
        fputs("\"}", f);
        break;
    }
    case 4:   /* nesting far deeper than any parser should follow */
        fprintf(f, "{\"id\":\"%sN\",\"x\":", id);
        for (int i = 0; i < 50000; i++) fputc('[', f);
        for (int i = 0; i < 50000; i++) fputc(']', f);
        fputc('}', f);
        break;
    case 5:   /* the same id again */
        fputs(s, f);
        break;
    case 6: case 7: case 8: { /* impossible dates */
        static const char *const dates[] = {"2020-02-30", "2019-02-29", "2020-13-01"};
        char *c = strdup(s), *p = strstr(c, "\"received\":\"") + 12;
        memcpy(p, dates[k - 6], 10);
        fputs(c, f);
        free(c);
        break;
    }
    case 9:   /* a NUL byte inside the record */
        fwrite(s, 1, n / 3, f);
        fputc('\0', f);
        fputs(s + n / 3, f);
        break;
    case 10:  /* a byte order mark that is not at the start of the file */
        fputs("\xEF\xBB\xBF", f);
        fputs(s, f);
        break;
    case 11:  /* numbers out of every range */
        fprintf(f, "{\"id\":\"%sG\",\"received\":\"2020-01-02\"%s,\"gapd\":1e999}", id, min_tail);
        break;
    case 12:
        fprintf(f, "{\"id\":\"%sH\",\"received\":\"2020-01-02\"%s,\"gapd\":123456789012345678901234567890}",
                id, min_tail);
        break;
    case 13: { /* lone scalars */
        static const char *const sc[] = {"null", "42", "\"a string\"", "true", "-1.5e3"};
        fputs(sc[serial % 5], f);
        break;
    }
    case 14:  /* wrong types in fields */
        fprintf(f, "{\"id\":\"%sT\",\"received\":20200102,\"referrer\":{\"kind\":[\"gp\"]},"
                   "\"patient\":\"2010-01-01\"}", id);
        break;
    case 15:  /* not JSON at all */
        fprintf(f, "henvisning %s: se vedhæftede", id);
        break;
    case 16:  /* a trailing comma */
        fwrite(s, 1, n - 1, f);
        fputs(",}", f);
        break;
    case 17:  /* a CPR that is no date (never echoed back) */
        fprintf(f, "{\"id\":\"%sC\",\"received\":\"2020-01-02\",\"referrer\":{\"kind\":\"gp\"},"
                   "\"patient\":{\"cpr\":\"320299-1234\",\"municipality\":\"X\"}}", id);
        break;
    case 18:  /* an id far too long */
        fprintf(f, "{\"id\":\"%s%0200d\",\"received\":\"2020-01-02\"%s}", id, 7, min_tail);
        break;
    case 19:  /* a raw control character in a string */
        fprintf(f, "{\"id\":\"%sK\",\"received\":\"2020-01-02\"%s,\"text\":\"a\x01" "b\"}", id, min_tail);
        break;
    case 20:  /* a lone surrogate escape */
        fprintf(f, "{\"id\":\"%sS\",\"received\":\"2020-01-02\"%s,\"text\":\"\\ud800\"}", id, min_tail);
        break;
    case 21:  /* a key twice */
        fprintf(f, "{\"id\":\"%sD\",\"id\":\"%sE\",\"received\":\"2020-01-02\"%s}", id, id, min_tail);
        break;
    }
    fputc('\n', f);
    nbad_kind[k]++;
}

static int setup(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    tu_write(tmp, "rules/10-acc.lua",
             "rule{ id='ACC', when=function() return true end,\n"
             "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n");
    char dir[1100], path[1100], count[16], o[1100], e[1100];
    snprintf(dir, sizeof dir, "%s/c", tmp);
    snprintf(count, sizeof count, "%d", NVALID);
    snprintf(o, sizeof o, "%s/gen.out", tmp);
    snprintf(e, sizeof e, "%s/gen.err", tmp);
    char *gen[] = {TRIAGE_EXE, "corpus", "--count", count, "--out", dir, NULL};
    if (run(gen, o, e, 120) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/c/referrals.jsonl", tmp);
    FILE *in = fopen(path, "r");
    snprintf(path, sizeof path, "%s/bad.jsonl", tmp);
    FILE *out = fopen(path, "wb");
    if (!in || !out)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    long bad = 0;
    unsigned rnd = 12345;
    for (long i = 0; i < NVALID; i++) {
        ssize_t len = getline(&line, &cap, in);
        if (len <= 1)
            return -1;
        line[len - 1] = '\0';
        fputs(line, out);
        fputc('\n', out);
        if (i % 7 == 0)
            fputs("\n   \t\r\n\n", out);         /* blank lines are no records */
        long want = (i + 1) * NBAD / NVALID;
        for (int first = 1; bad < want; first = 0) {
            int k = (int)(rand_r(&rnd) % NKINDS);
            /* A line that does not start with '{' is a record of its own only
            ** after a record that parsed: after malformed JSON the reader
            ** resumes at the next line starting with '{' or '[' (so that one
            ** broken pretty-printed object is one error), and folds such a
            ** line into the broken record's quarantine entry. */
            if (!first && (k == 10 || k == 13 || k == 15))
                k++;
            if (k == 3 && nbad_kind[3] >= 3)
                k = 0;                            /* three 10 MB strings are plenty */
            if (k == 4 && nbad_kind[4] >= 40)
                k = 1;
            bad_record(out, k, line, bad);
            bad++;
        }
    }
    free(line);
    fclose(in);
    fclose(out);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    char *s = tu_slurp(path, len);
    assert_non_null(s);
    return s;
}

static void test_import_quarantines_exactly_the_bad_records(void **state)
{
    (void)state;
    char db[1100], input[1100], o[1100], e[1100];
    snprintf(db, sizeof db, "%s/bad.db", tmp);
    snprintf(input, sizeof input, "%s/bad.jsonl", tmp);
    snprintf(o, sizeof o, "%s/import.out", tmp);
    snprintf(e, sizeof e, "%s/import.err", tmp);
    char *imp[] = {TRIAGE_EXE, "import", "--db", db, input, NULL};
    assert_int_equal(run(imp, o, e, 300), 3);
    char *out = slurp(o, NULL);
    char want[128];
    snprintf(want, sizeof want, "imported %d, quarantined %d ", NVALID, NBAD);
    if (!strstr(out, want))
        fail_msg("import said: %s (want %s)", out, want);
    free(out);
    for (int k = 0; k < NKINDS; k++)
        assert_true(nbad_kind[k] > 0);

    /* One line of stderr per quarantined record, and no CPR in any. */
    size_t elen;
    char *err = slurp(e, &elen);
    long lines = 0;
    for (char *p = err; (p = memchr(p, '\n', elen - (size_t)(p - err))); p++)
        lines++;
    assert_int_equal(lines, NBAD);
    assert_null(strstr(err, "320299"));
    free(err);

    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h,
        "SELECT (SELECT COUNT(*) FROM referrals),"
        " (SELECT COUNT(*) FROM quarantine),"
        " (SELECT COUNT(*) FROM quarantine WHERE length(error) > 0),"
        " (SELECT COUNT(*) FROM referrals WHERE id GLOB 'R[0-9][0-9][0-9][0-9]-[0-9]*'"
        "    AND length(id) = 12)", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(s, 0), NVALID);
    assert_int_equal(sqlite3_column_int64(s, 1), NBAD);
    assert_int_equal(sqlite3_column_int64(s, 2), NBAD);      /* each with its error */
    assert_int_equal(sqlite3_column_int64(s, 3), NVALID);    /* only the originals */
    sqlite3_finalize(s);
    sqlite3_close(h);
    fprintf(stderr, "test_badinput: %d records (%d valid, %d malformed of %d kinds): "
                    "imported %d, quarantined %d\n",
            NVALID + NBAD, NVALID, NBAD, NKINDS, NVALID, NBAD);
}

static void test_check_decides_the_valid_records_only(void **state)
{
    (void)state;
    char rules[1100], input[1100], o[1100], e[1100];
    snprintf(rules, sizeof rules, "%s/rules", tmp);
    snprintf(input, sizeof input, "%s/bad.jsonl", tmp);
    snprintf(o, sizeof o, "%s/check.out", tmp);
    snprintf(e, sizeof e, "%s/check.err", tmp);
    char *chk[] = {TRIAGE_EXE, "check", "--rules", rules, "--format", "json", input, NULL};
    assert_int_equal(run(chk, o, e, 300), 3);
    size_t len;
    char *out = slurp(o, &len);
    long lines = 0;
    for (char *p = out; (p = memchr(p, '\n', len - (size_t)(p - out))); p++)
        lines++;
    assert_int_equal(lines, NVALID);    /* a repeated id is invalid here too */
    free(out);
    char *err = slurp(e, &len);
    lines = 0;
    for (char *p = err; (p = memchr(p, '\n', len - (size_t)(p - err))); p++)
        lines++;
    assert_int_equal(lines, NBAD);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_quarantines_exactly_the_bad_records),
        cmocka_unit_test(test_check_decides_the_valid_records_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
