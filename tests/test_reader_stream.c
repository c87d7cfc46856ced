/*
** test_reader_stream.c — the reader streams: inputs many times its 1 MiB
** window are read in bounded memory, records cut by the window's edge are
** parsed whole with the right line, a bad record near an edge costs only
** itself, and one record larger than the window still reads.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#define N 40000

static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static const char *record(int i, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"id\":\"S%06d\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
             "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Gladsaxe\"},"
             "\"consent\":{\"both_custodians\":false},\"previous_buc_contact\":null,\"gapd\":3,"
             "\"text\":\"Dreng med uro og koncentrationsbesvær i skolen gennem to år; "
             "forældrene ønsker udredning for ADHD. Record %d.\"}", i, i);
    return buf;
}

static void test_jsonl_is_read_in_bounded_memory(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), path[512], buf[1024];
    snprintf(path, sizeof path, "%s/big.jsonl", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < N; i++) {
        if (i % 997 == 500)
            fprintf(f, "{\"id\":\"BAD%d\",\"received\":\n", i);   /* truncated: its own line */
        else
            fprintf(f, "%s\n", record(i, buf, sizeof buf));
    }
    fclose(f);
    long before = vm_hwm_kb();
    triage_error err;
    triage_reader *rd = triage_reader_open(path, &err);
    assert_non_null(rd);
    int good = 0, bad = 0, rc;
    triage_referral *r;
    while ((rc = triage_reader_next(rd, &r, &err, NULL, NULL)) != 0) {
        long line = triage_reader_line(rd);
        if (rc > 0) {
            char want[16];
            snprintf(want, sizeof want, "S%06ld", line - 1);
            assert_string_equal(triage_referral_id(r), want);
            triage_referral_free(r);
            good++;
        } else {
            assert_int_equal((line - 1) % 997, 500);
            bad++;
        }
    }
    triage_reader_close(rd);
    assert_int_equal(good + bad, N);
    assert_int_equal(bad, N / 997 + (N % 997 > 500));
    /* ~10 MB of input; the window is 1 MiB. */
    long grew = vm_hwm_kb() - before;
    if (!TU_ASAN && grew > 8 * 1024)
        fail_msg("peak RSS grew by %ld KiB reading a 10 MB file", grew);
    tu_rmtree(dir);
    free(dir);
}

static void test_pretty_array_is_read_across_the_window(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), path[512], buf[1024];
    snprintf(path, sizeof path, "%s/array.json", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "[\n");
    long line = 2;
    long lines[N / 4];
    for (int i = 0; i < N / 4; i++) {
        /* each element over three lines */
        record(i, buf, sizeof buf);
        char *comma = strchr(buf, ',');
        *comma = 0;
        lines[i] = line;
        fprintf(f, "  %s,\n   %s\n%s", buf, comma + 1, i + 1 < N / 4 ? "  ,\n" : "\n");
        line += i + 1 < N / 4 ? 3 : 2;
    }
    fprintf(f, "]\n");
    fclose(f);
    triage_error err;
    triage_reader *rd = triage_reader_open(path, &err);
    triage_referral *r;
    int n = 0, rc;
    while ((rc = triage_reader_next(rd, &r, &err, NULL, NULL)) != 0) {
        if (rc < 0)
            fail_msg("record %d: %s", n, err.text);
        char want[16];
        snprintf(want, sizeof want, "S%06d", n);
        assert_string_equal(triage_referral_id(r), want);
        assert_int_equal(triage_reader_line(rd), lines[n]);
        triage_referral_free(r);
        n++;
    }
    assert_int_equal(n, N / 4);
    triage_reader_close(rd);
    tu_rmtree(dir);
    free(dir);
}

static void test_a_record_larger_than_the_window_is_read_whole(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), path[512], buf[1024];
    snprintf(path, sizeof path, "%s/huge.jsonl", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "%s\n", record(1, buf, sizeof buf));
    /* 3 MiB of text: over the schema's limit, so an error, but one record */
    fprintf(f, "{\"id\":\"HUGE\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
               "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Gladsaxe\"},\"text\":\"");
    for (int i = 0; i < 3 << 20; i++)
        fputc('a' + i % 26, f);
    fprintf(f, "\"}\n%s\n", record(3, buf, sizeof buf));
    fclose(f);
    triage_error err;
    triage_reader *rd = triage_reader_open(path, &err);
    triage_referral *r;
    const char *raw;
    size_t raw_len;
    assert_int_equal(triage_reader_next(rd, &r, &err, &raw, &raw_len), 1);
    triage_referral_free(r);
    assert_int_equal(triage_reader_next(rd, &r, &err, &raw, &raw_len), -1);
    assert_string_equal(err.field, "text");
    assert_true(raw_len > (size_t)(3 << 20));       /* kept whole for quarantine */
    assert_int_equal(err.line, 2);
    assert_int_equal(triage_reader_next(rd, &r, &err, &raw, &raw_len), 1);
    assert_string_equal(triage_referral_id(r), "S000003");
    assert_int_equal(triage_reader_line(rd), 3);
    triage_referral_free(r);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 0);
    triage_reader_close(rd);
    tu_rmtree(dir);
    free(dir);
}

/* A literal or number cut exactly by the window's edge is read whole. */
static void test_a_literal_cut_by_the_window_is_read_whole(void **state)
{
    (void)state;
    static const char *const tails[] = {"false", "null", "true", "16.25"};
    static const char *const keys[] = {"\"consent\":{\"both_custodians\":",
                                       "\"previous_buc_contact\":", "\"previous_buc_contact\":",
                                       "\"somatic\":{\"bmi\":"};
    for (int t = 0; t < 4; t++)
        for (int cut = 1; cut < (int)strlen(tails[t]); cut++) {
            char *dir = tu_tmpdir(), path[512];
            snprintf(path, sizeof path, "%s/cut.jsonl", dir);
            FILE *f = fopen(path, "w");
            const char *head = "{\"id\":\"PAD\",\"received\":\"2020-03-02\",\"referrer\":"
                               "{\"kind\":\"gp\"},\"patient\":{\"birth_date\":\"2011-06-14\","
                               "\"municipality\":\"Gladsaxe\"},";
            /* pad with a field the schema ignores so the literal straddles 1 MiB */
            long used = (long)strlen(head) + (long)strlen("\"pad\":\"\",") + (long)strlen(keys[t]);
            long pad = (1L << 20) - used - cut;
            fprintf(f, "%s\"pad\":\"", head);
            for (long i = 0; i < pad; i++)
                fputc('p', f);
            fprintf(f, "\",%s%s%s}\n", keys[t], tails[t], t == 0 || t == 3 ? "}" : "");
            fclose(f);
            triage_error err;
            triage_reader *rd = triage_reader_open(path, &err);
            triage_referral *r;
            int rc = triage_reader_next(rd, &r, &err, NULL, NULL);
            if (rc != 1)
                fail_msg("%s cut after %d: %s", tails[t], cut, err.text);
            triage_referral_free(r);
            assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 0);
            triage_reader_close(rd);
            tu_rmtree(dir);
            free(dir);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_is_read_in_bounded_memory),
        cmocka_unit_test(test_pretty_array_is_read_across_the_window),
        cmocka_unit_test(test_a_record_larger_than_the_window_is_read_whole),
        cmocka_unit_test(test_a_literal_cut_by_the_window_is_read_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
