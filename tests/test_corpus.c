/*
** test_corpus.c — the synthetic corpus generator, through its public API:
** determinism per seed, no state shared between runs, every referral valid
** for the engine's parser, gold decisions that keep the decision schema,
** (received, id) order, the shares of corpus.md, write errors, the command.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include "triage.h"
#include "triage_corpus.h"

typedef struct mem { char *ref, *gold; size_t nref, ngold; triage_corpus_stats st; } mem;

static int gen_into(mem *m, uint64_t seed, long count)
{
    triage_corpus_opts o = { seed, count };
    FILE *rf = open_memstream(&m->ref, &m->nref), *gf = open_memstream(&m->gold, &m->ngold);
    if (!rf || !gf) return -1;
    int rc = triage_corpus_generate(&o, rf, gf, &m->st);
    fclose(rf);
    fclose(gf);
    return rc;
}

static void gen(mem *m, uint64_t seed, long count)
{
    triage_corpus_opts o = { seed, count };
    FILE *rf = open_memstream(&m->ref, &m->nref), *gf = open_memstream(&m->gold, &m->ngold);
    assert_non_null(rf);
    assert_non_null(gf);
    assert_int_equal(triage_corpus_generate(&o, rf, gf, &m->st), 0);
    fclose(rf);
    fclose(gf);
}

static void drop(mem *m) { free(m->ref); free(m->gold); }

static long count_lines(const char *s, size_t n)
{
    long k = 0;
    for (size_t i = 0; i < n; i++) k += s[i] == '\n';
    return k;
}

static void test_corpus_same_seed_gives_same_bytes(void **state)
{
    mem a, b;
    gen(&a, 7, 1500);
    gen(&b, 7, 1500);
    assert_int_equal(a.nref, b.nref);
    assert_int_equal(a.ngold, b.ngold);
    assert_memory_equal(a.ref, b.ref, a.nref);
    assert_memory_equal(a.gold, b.gold, a.ngold);
    drop(&a);
    drop(&b);
}

static void test_corpus_other_seed_gives_other_referrals(void **state)
{
    mem a, b;
    gen(&a, 7, 300);
    gen(&b, 8, 300);
    assert_true(a.nref != b.nref || memcmp(a.ref, b.ref, a.nref) != 0);
    assert_true(a.ngold != b.ngold || memcmp(a.gold, b.gold, a.ngold) != 0);
    drop(&a);
    drop(&b);
}

static void test_corpus_writes_exactly_count_lines(void **state)
{
    static const long counts[] = { 1, 2, 10, 251, 777 };
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        mem m;
        gen(&m, 2020, counts[i]);
        assert_int_equal(count_lines(m.ref, m.nref), counts[i]);
        assert_int_equal(count_lines(m.gold, m.ngold), counts[i]);
        assert_int_equal(m.st.n, counts[i]);
        drop(&m);
    }
}

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++) if (!strcmp(s, *set)) return 1;
    return 0;
}

/* Every referral parses and validates; every gold line keeps the decision
** schema's enums and policy's field rules; both files share ids and order. */
static void test_corpus_2020_referrals_parse_and_gold_keeps_the_schema(void **state)
{
    static const char *const outcomes[] = { "accept", "request_info", "redirect", "reject", NULL };
    static const char *const targets[] = { "buc", "specialist_practice", "municipality",
                                           "adult_psychiatry", "other_region", NULL };
    static const char *const prios[] = { "acute", "urgent", "routine", NULL };
    static const char *const items[] = { "cognitive_assessment", "updated_cognitive_assessment",
                                         "ppv", "consent_both_custodians", "somatic_measurements", NULL };
    mem m;
    gen(&m, TRIAGE_CORPUS_SEED, TRIAGE_CORPUS_COUNT);
    const char *rp = m.ref, *gp = m.gold;
    triage_day prev_day = TRIAGE_NO_DAY;
    char prev_id[80] = "";
    long n = 0;
    while (rp < m.ref + m.nref) {
        const char *re = memchr(rp, '\n', (size_t)(m.ref + m.nref - rp));
        const char *ge = memchr(gp, '\n', (size_t)(m.gold + m.ngold - gp));
        assert_non_null(re);
        assert_non_null(ge);
        triage_error err;
        triage_referral *r = triage_referral_parse(rp, (size_t)(re - rp), "corpus", n + 1, &err);
        if (!r) fail_msg("referral %ld invalid: %s", n + 1, err.text);
        const char *id = triage_referral_id(r);
        json_t *rj = json_loadb(rp, (size_t)(re - rp), 0, NULL);
        const char *rec = json_string_value(json_object_get(rj, "received"));
        triage_day received;
        assert_true(rec && triage_date_parse(rec, strlen(rec), &received));
        json_decref(rj);

        /* sorted by received, then id */
        if (prev_day != TRIAGE_NO_DAY) {
            assert_true(received >= prev_day);
            if (received == prev_day) assert_true(strcmp(prev_id, id) < 0);
        }
        prev_day = received;
        snprintf(prev_id, sizeof prev_id, "%s", id);
        assert_true(received >= triage_date_from_ymd(2020, 1, 2) &&
                    received <= triage_date_from_ymd(2020, 12, 30));

        json_error_t je;
        json_t *g = json_loadb(gp, (size_t)(ge - gp), 0, &je);
        if (!g) fail_msg("gold %ld: %s", n + 1, je.text);
        assert_int_equal(json_object_size(g), 8);
        assert_string_equal(json_string_value(json_object_get(g, "id")), id);
        const char *out = json_string_value(json_object_get(g, "outcome"));
        json_t *t = json_object_get(g, "target"), *u = json_object_get(g, "unit"),
               *p = json_object_get(g, "priority"), *d = json_object_get(g, "deadline"),
               *mi = json_object_get(g, "missing"), *rf = json_object_get(g, "request_from");
        assert_non_null(out);
        assert_true(one_of(out, outcomes));
        assert_true(json_is_null(t) || one_of(json_string_value(t), targets));
        assert_true(json_is_null(p) || one_of(json_string_value(p), prios));
        if (!strcmp(out, "request_info")) {
            assert_true(json_is_array(mi) && json_array_size(mi) > 0);
            int last = -1;
            for (size_t i = 0; i < json_array_size(mi); i++) {
                const char *s = json_string_value(json_array_get(mi, i));
                int k = 0;
                while (items[k] && strcmp(items[k], s)) k++;
                assert_non_null(items[k]);
                assert_true(k > last);              /* schema enum order */
                last = k;
            }
            assert_true(json_is_string(rf));
            assert_true(json_is_null(t));
        } else {
            assert_true(json_is_null(mi));
            assert_true(json_is_null(rf));
        }
        if (!strcmp(out, "accept")) {
            assert_string_equal(json_string_value(t), "buc");
            assert_true(json_is_string(u) && json_is_string(p) && json_is_string(d));
            triage_day dl;
            assert_true(triage_date_parse(json_string_value(d), 10, &dl));
            const char *pr = json_string_value(p);
            triage_day want = !strcmp(pr, "acute") ? received : received + (!strcmp(pr, "urgent") ? 7 : 30);
            assert_int_equal(dl, want);
            assert_true(!strcmp(pr, "acute") == !strcmp(json_string_value(u), "B205"));
        } else if (!strcmp(out, "redirect")) {
            assert_true(json_is_string(t));
            assert_true(json_is_null(u));
            if (!json_is_null(p)) {                 /* only an acute redirect to adults */
                assert_string_equal(json_string_value(p), "acute");
                assert_string_equal(json_string_value(t), "adult_psychiatry");
            }
        } else {
            assert_true(json_is_null(u) && json_is_null(p) && json_is_null(d));
        }
        json_decref(g);
        triage_referral_free(r);
        rp = re + 1;
        gp = ge + 1;
        n++;
    }
    assert_int_equal(n, TRIAGE_CORPUS_COUNT);
    assert_true(gp == m.gold + m.ngold);
    drop(&m);
}

#define SHARE(k, n) (100.0 * (double)(k) / (double)(n))
#define NEAR(k, n, want, tol) do { \
        double s_ = SHARE(k, n); \
        if (s_ < (want) - (tol) || s_ > (want) + (tol)) \
            fail_msg("%s: %.1f%%, want %.1f%% +- %.1f", #k, s_, (double)(want), (double)(tol)); \
    } while (0)

/* The shares of corpus.md's table, within a few points, for a few seeds. */
static void test_corpus_shares_match_corpus_md(void **state)
{
    static const uint64_t seeds[] = { TRIAGE_CORPUS_SEED, 1, 99 };
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
        triage_corpus_opts o = { seeds[i], TRIAGE_CORPUS_COUNT };
        triage_corpus_stats st;
        assert_int_equal(triage_corpus_generate(&o, NULL, NULL, &st), 0);
        long n = st.n;
        NEAR(st.age_band[0], n, 12, 3);
        NEAR(st.age_band[1], n, 40, 3);
        NEAR(st.age_band[2], n, 46, 3);
        NEAR(st.age_band[3], n, 2, 1);
        NEAR(st.referrer[0], n, 55, 3);            /* gp */
        NEAR(st.referrer[3], n, 35, 3);            /* municipality */
        NEAR(st.referrer[1], n, 4, 1.5);           /* specialist */
        NEAR(st.referrer[2], n, 4, 1.5);           /* hospital */
        NEAR(st.referrer[4], n, 1, 0.7);           /* health visitor */
        NEAR(st.referrer[5] + st.referrer[6], n, 1, 0.7);
        static const double mains[] = { 30, 25, 15, 15, 5, 2, 8 };
        for (int k = 0; k < 7; k++) NEAR(st.main_problem[k], n, mains[k], mains[k] > 10 ? 3 : 1.5);
        NEAR(st.comorbid, n, 40, 4);
        NEAR(st.out_of_region, n, 2, 1);
        NEAR(st.acute, n, 3, 1);
        NEAR(st.cog_exists, st.school_adhd_autism, 80, 4);
        NEAR(st.cog_text_only, st.cog_exists, 33, 4);
        NEAR(st.cog_old, st.cog_exists, 10, 3);
        NEAR(st.joint, n, 60, 4);
        NEAR(st.joint_no_consent, st.joint, 10, 3);
        NEAR(st.cpr, n, 90, 2);
        NEAR(st.repeat, n, 3, 1);
        /* gold outcomes: corpus.md's ranges */
        NEAR(st.gold[TRIAGE_GOLD_ACCEPT], n, 65, 5);
        NEAR(st.gold[TRIAGE_GOLD_REQUEST_INFO], n, 12.5, 2.5);
        NEAR(st.gold[TRIAGE_GOLD_REDIRECT_MUNICIPALITY], n, 12.5, 2.5);
        NEAR(st.gold[TRIAGE_GOLD_REDIRECT_SPECIALIST], n, 6.5, 1.5);
        NEAR(st.gold[TRIAGE_GOLD_REDIRECT_ADULT] + st.gold[TRIAGE_GOLD_REDIRECT_OTHER_REGION], n, 3.5, 1);
        NEAR(st.gold[TRIAGE_GOLD_REJECT], n, 1, 0.7);
        /* noise is real but small: a careful reader reaches 98% */
        assert_true(st.noise > 0);
        assert_true(SHARE(st.noise, n) <= 2.0);
    }
}

/* A repeat referral's CPR was seen earlier (and referrals without one exist). */
static void test_corpus_repeat_referral_carries_a_cpr_seen_before(void **state)
{
    mem m;
    gen(&m, TRIAGE_CORPUS_SEED, TRIAGE_CORPUS_COUNT);
    json_error_t je;
    const char *p = m.ref;
    long with_cpr = 0, dup = 0;
    char (*cprs)[12] = calloc(TRIAGE_CORPUS_COUNT, sizeof *cprs);
    assert_non_null(cprs);
    while (p < m.ref + m.nref) {
        const char *e = memchr(p, '\n', (size_t)(m.ref + m.nref - p));
        json_t *r = json_loadb(p, (size_t)(e - p), 0, &je);
        assert_non_null(r);
        const char *c = json_string_value(json_object_get(json_object_get(r, "patient"), "cpr"));
        if (c) {
            char k[12];
            size_t j = 0;
            for (; *c; c++) if (*c != '-') k[j++] = *c;
            k[j] = 0;
            for (long i = 0; i < with_cpr; i++) if (!strcmp(cprs[i], k)) { dup++; break; }
            memcpy(cprs[with_cpr++], k, 12);
        }
        json_decref(r);
        p = e + 1;
    }
    /* every second referral of a child is a repeat (one re-referral per visit to the pool) */
    assert_int_equal(dup, m.st.repeat);
    assert_true(with_cpr == m.st.cpr);
    free(cprs);
    drop(&m);
}

/* Two generators at once, on two threads, write what each writes alone: the
** generator keeps no state outside its own run. */
typedef struct job { mem m; uint64_t seed; int rc; } job;

static void *gen_job(void *arg)
{
    job *j = arg;
    j->rc = gen_into(&j->m, j->seed, 2000);
    return NULL;
}

static void test_corpus_generators_at_once_share_nothing(void **state)
{
    job j[2] = {{.seed = 11}, {.seed = 12}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&t[i], NULL, gen_job, &j[i]), 0);
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        mem alone;
        assert_int_equal(j[i].rc, 0);
        gen(&alone, j[i].seed, 2000);
        assert_int_equal(alone.nref, j[i].m.nref);
        assert_memory_equal(alone.ref, j[i].m.ref, alone.nref);
        assert_int_equal(alone.ngold, j[i].m.ngold);
        assert_memory_equal(alone.gold, j[i].m.gold, alone.ngold);
        drop(&alone);
        drop(&j[i].m);
    }
}

/* A stream that cannot be written fails the run, with errno saying why. */
static void test_corpus_write_failure_returns_the_error(void **state)
{
    triage_corpus_opts o = { 3, 50 };
    FILE *ro = fopen("/dev/null", "r");
    assert_non_null(ro);
    errno = 0;
    assert_int_equal(triage_corpus_generate(&o, ro, NULL, NULL), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(triage_corpus_generate(&o, NULL, ro, NULL), -1);
    assert_int_equal(errno, EBADF);
    fclose(ro);
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static long file_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n = 0;
    int ch;
    if (!f) return -1;
    while ((ch = getc(f)) != EOF) n += ch == '\n';
    fclose(f);
    return n;
}

static void test_corpus_command_writes_both_files_and_refuses_bad_options(void **state)
{
    char dir[] = "/tmp/test_corpus_XXXXXX", cmd[1024], path[512];
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s corpus --seed 5 --count 60 --out %s/a/b > %s/out.txt", TRIAGE_EXE, dir, dir);
    assert_int_equal(run(cmd), 0);
    snprintf(path, sizeof path, "%s/a/b/referrals.jsonl", dir);
    assert_int_equal(file_lines(path), 60);
    snprintf(path, sizeof path, "%s/a/b/gold.jsonl", dir);
    assert_int_equal(file_lines(path), 60);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    assert_true(file_lines(path) > 20);
    /* the same again, into an existing directory, gives the same bytes */
    snprintf(cmd, sizeof cmd, "%s corpus --seed 5 --count 60 --out %s/c > /dev/null && "
             "cmp -s %s/a/b/referrals.jsonl %s/c/referrals.jsonl && cmp -s %s/a/b/gold.jsonl %s/c/gold.jsonl",
             TRIAGE_EXE, dir, dir, dir, dir, dir);
    assert_int_equal(run(cmd), 0);
    /* usage errors exit 1 */
    snprintf(cmd, sizeof cmd, "%s corpus --count 5 2>/dev/null >/dev/null", TRIAGE_EXE);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s corpus --count 0 --out %s/x 2>/dev/null", TRIAGE_EXE, dir);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s corpus --count ten --out %s/x 2>/dev/null", TRIAGE_EXE, dir);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s corpus --bogus --out %s/x 2>/dev/null", TRIAGE_EXE, dir);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s corpus --help | grep -q -- --count", TRIAGE_EXE);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(run(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_same_seed_gives_same_bytes),
        cmocka_unit_test(test_corpus_other_seed_gives_other_referrals),
        cmocka_unit_test(test_corpus_writes_exactly_count_lines),
        cmocka_unit_test(test_corpus_2020_referrals_parse_and_gold_keeps_the_schema),
        cmocka_unit_test(test_corpus_shares_match_corpus_md),
        cmocka_unit_test(test_corpus_repeat_referral_carries_a_cpr_seen_before),
        cmocka_unit_test(test_corpus_generators_at_once_share_nothing),
        cmocka_unit_test(test_corpus_write_failure_returns_the_error),
        cmocka_unit_test(test_corpus_command_writes_both_files_and_refuses_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
