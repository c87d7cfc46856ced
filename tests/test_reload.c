/*
** test_reload.c — hot reload: an edit changes decisions; a syntax error, an
** error at load and a failing rule test each leave the old rules active and
** report file:line; 1,000 reloads while two threads decide lose, duplicate
** or mix up no decision.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "decision.h"
#include "testutil.h"

/* Version v of a rule set: accepts everything into unit "U<v>". */
static void write_version(const char *dir, int v)
{
    char lua[512];
    snprintf(lua, sizeof lua,
             "rule{ id='ACC-01', when=function() return true end, action=function(r, f, d)\n"
             "  d:decide{outcome='accept', target='buc', unit='U%d'} end }\n", v);
    tu_write(dir, "10-rules.lua", lua);
}

static const char TESTS[] =
    "[\n"
    "  {\"name\": \"accepts\",\n"
    "   \"referral\": {\"id\":\"T1\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},\n"
    "                \"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Herlev\"}},\n"
    "   \"expect\": {\"outcome\": \"accept\", \"target\": \"buc\"}}\n"
    "]\n";

static const char *unit_of(triage_ruleset *rs)
{
    static char unit[16];
    triage_error err;
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    triage_referral *r = tu_referral("R1", "");
    triage_decision *d = triage_decide(dc, r, 0);
    snprintf(unit, sizeof unit, "%s", d->unit);
    triage_decision_free(d);
    triage_referral_free(r);
    triage_decider_free(dc);
    return unit;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_saved_edit_is_swapped_in_and_a_broken_save_keeps_it(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    write_version(dir, 1);
    tu_write(dir, "tests/cases.json", TESTS);
    triage_error err;
    triage_host *h = triage_host_open(dir, NULL, &err);
    if (!h)
        fail_msg("%s", err.text);
    assert_int_equal(triage_host_watch(h, &err), TRIAGE_OK);
    triage_ruleset *rs = triage_host_acquire(h);
    assert_string_equal(unit_of(rs), "U1");
    triage_ruleset_release(rs);

    write_version(dir, 2);
    /* Poll with a generous timeout; the latency is measured in bench/. */
    int swapped = 0;
    for (int i = 0; i < 1000 && !swapped; i++) {
        rs = triage_host_acquire(h);
        swapped = strcmp(unit_of(rs), "U2") == 0;
        triage_ruleset_release(rs);
        if (!swapped)
            sleep_ms(10);
    }
    assert_true(swapped);
    triage_host_status st;
    triage_host_status_get(h, &st);
    assert_int_equal(st.reloads, 1);
    assert_false(st.has_error);

    /* A broken save through the watcher: the old rules stay, the error is kept. */
    tu_write(dir, "10-rules.lua", "rule{ id='ACC-01', when=function() return true end\n");
    int failed = 0;
    for (int i = 0; i < 1000 && !failed; i++) {
        triage_host_status_get(h, &st);
        failed = st.failures > 0;
        if (!failed)
            sleep_ms(10);
    }
    assert_true(failed);
    assert_true(st.has_error);
    assert_non_null(strstr(st.last_error.file, "10-rules.lua"));
    rs = triage_host_acquire(h);
    assert_string_equal(unit_of(rs), "U2");
    triage_ruleset_release(rs);
    triage_host_close(h);
    tu_rmtree(dir);
    free(dir);
}

static void test_reload_keeps_old_rules_on_syntax_runtime_or_test_failure(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    write_version(dir, 1);
    tu_write(dir, "tests/cases.json", TESTS);
    triage_error err;
    triage_host *h = triage_host_open(dir, NULL, &err);
    assert_non_null(h);
    triage_host_status before;
    triage_host_status_get(h, &before);
    struct { const char *file, *text, *want_file, *want_msg; long line; } cases[] = {
        {"10-rules.lua", "rule{ id='A', when=function() return true end }\nlocal = 3\n",
         "10-rules.lua", "expected", 2},
        {"10-rules.lua", "rule{ id='A', when=function() return true end }\n\n\nlocal x = nil + 1\n",
         "10-rules.lua", "attempt to perform arithmetic", 4},
        {"tests/cases.json",
         "[\n {\"name\":\"ok\",\"referral\":{\"id\":\"T1\",\"received\":\"2020-03-02\","
         "\"referrer\":{\"kind\":\"gp\"},\"patient\":{\"birth_date\":\"2011-06-14\","
         "\"municipality\":\"Herlev\"}},\"expect\":{\"outcome\":\"accept\"}},\n"
         " {\"name\":\"wants a redirect\",\"referral\":{\"id\":\"T2\",\"received\":\"2020-03-02\","
         "\"referrer\":{\"kind\":\"gp\"},\"patient\":{\"birth_date\":\"2011-06-14\","
         "\"municipality\":\"Herlev\"}},\"expect\":{\"outcome\":\"redirect\"}}\n]\n",
         "tests/cases.json", "rule test 'wants a redirect' fails: outcome", 3},
        /* a rule that fails sends the case to a person: the reload names
        ** the rule and its error, not only the fields that then differ */
        {"10-rules.lua", "rule{ id='ACC-01', when=function(r) return r.agee > 3 end,\n"
                         "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n",
         "tests/cases.json", "went to manual_review: ACC-01: ", 2},
        /* an explain that raises (called only when the trace is recorded,
        ** as on the intake page) fails the tests, not first the staff */
        {"10-rules.lua", "rule{ id='ACC-01', when=function() return true end,\n"
                         "  explain=function(r) return ('%d'):format(r.id) end,\n"
                         "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n",
         "tests/cases.json", "went to manual_review: ACC-01: ", 2},
        /* a reason asked of a rule id that no rule has: a typo, said so */
        {"tests/cases.json",
         "[\n {\"name\":\"typo\",\"referral\":{\"id\":\"T1\",\"received\":\"2020-03-02\","
         "\"referrer\":{\"kind\":\"gp\"},\"patient\":{\"birth_date\":\"2011-06-14\","
         "\"municipality\":\"Herlev\"}},\"expect\":{\"outcome\":\"accept\","
         "\"reasons_include\":[\"ACC-1\"]}}\n]\n",
         "tests/cases.json", "reasons_include: no rule has the id ACC-1", 2},
        /* what follows the array is no case: a half-written one is an error */
        {"tests/cases.json", "[]\n{\"name\": \"half\"\n", "tests/cases.json",
         "only white space may follow the array of cases", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_version(dir, 1);
        tu_write(dir, "tests/cases.json", TESTS);
        tu_write(dir, cases[i].file, cases[i].text);
        assert_int_equal(triage_host_reload(h, &err), TRIAGE_ERULES);
        if (!strstr(err.file, cases[i].want_file) || err.line != cases[i].line ||
            !strstr(err.text, cases[i].want_msg))
            fail_msg("case %zu: %s (file %s line %ld)", i, err.text, err.file, err.line);
        triage_host_status st;
        triage_host_status_get(h, &st);
        assert_string_equal(st.ruleset, before.ruleset);      /* old rules active */
        assert_true(st.has_error);
        assert_int_equal(st.last_error.line, cases[i].line);
        triage_ruleset *rs = triage_host_acquire(h);
        assert_string_equal(unit_of(rs), "U1");
        triage_ruleset_release(rs);
    }
    /* Repaired: the error clears. */
    write_version(dir, 3);
    tu_write(dir, "tests/cases.json", TESTS);
    assert_int_equal(triage_host_reload(h, &err), TRIAGE_OK);
    triage_host_status st;
    triage_host_status_get(h, &st);
    assert_false(st.has_error);
    assert_string_not_equal(st.ruleset, before.ruleset);
    triage_host_close(h);
    tu_rmtree(dir);
    free(dir);
}

/* Two deciders keep deciding while the main thread reloads 1,000 times. */
typedef struct worker {
    triage_host *h;
    atomic_int *stop;
    long calls, decisions, mixed;
} worker;

static void *decide_loop(void *arg)
{
    worker *w = arg;
    triage_error err;
    triage_referral *refs[4];
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "W%d", i);
        refs[i] = tu_referral(id, "");
    }
    triage_decider *dc = NULL;
    while (!atomic_load(w->stop)) {
        triage_ruleset *rs = triage_host_acquire(w->h);
        if (!dc || triage_decider_ruleset(dc) != rs) {
            triage_decider_free(dc);             /* the old rule set may go now */
            dc = triage_decider_new(rs, NULL, &err);
        }
        triage_ruleset_release(rs);
        for (int i = 0; i < 4; i++) {
            triage_decision *d = triage_decide(dc, refs[i], 0);
            w->calls++;
            if (!d)
                continue;
            w->decisions++;
            /* The decision must come wholly from the rule set it names. */
            if (strcmp(d->ruleset, triage_ruleset_hash(triage_decider_ruleset(dc))) != 0 ||
                d->outcome != TRIAGE_ACCEPT || d->unit[0] != 'U')
                w->mixed++;
            triage_decision_free(d);
        }
    }
    triage_decider_free(dc);
    for (int i = 0; i < 4; i++)
        triage_referral_free(refs[i]);
    return NULL;
}

static void test_1000_reloads_while_deciding_lose_or_mix_no_decision(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    write_version(dir, 0);
    tu_write(dir, "tests/cases.json", TESTS);
    triage_error err;
    triage_host *h = triage_host_open(dir, NULL, &err);
    assert_non_null(h);
    atomic_int stop = 0;
    worker w[2] = {{h, &stop, 0, 0, 0}, {h, &stop, 0, 0, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, decide_loop, &w[i]), 0);
    int ok = 0;
    for (int i = 1; i <= 1000; i++) {
        write_version(dir, i % 2);
        ok += triage_host_reload(h, &err) == TRIAGE_OK;
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(ok, 1000);
    triage_host_status st;
    triage_host_status_get(h, &st);
    assert_int_equal(st.reloads, 1000);
    for (int i = 0; i < 2; i++) {
        assert_true(w[i].calls > 0);
        assert_int_equal(w[i].decisions, w[i].calls);   /* none lost */
        assert_int_equal(w[i].mixed, 0);                /* none from a half-swapped set */
    }
    triage_host_close(h);
    tu_rmtree(dir);
    free(dir);
}

/* The first mention's why in an explained decision of "Hun har angst." */
static void first_why(triage_ruleset *rs, char *out, size_t cap)
{
    triage_error err;
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    triage_referral *r = tu_referral("R1", ",\"text\":\"Hun har angst.\"");
    triage_decision *d = triage_decide(dc, r, TRIAGE_EXPLAIN);
    const char *key, *why;
    int counted;
    size_t start, end;
    assert_int_equal(triage_decision_evidence(d, 0, &key, &counted, &why, &start, &end), 0);
    snprintf(out, cap, "%s %d %s", key, counted, why);
    triage_decision_free(d);
    triage_referral_free(r);
    triage_decider_free(dc);
}

/* A reload keeps or copies what it can of the text layer and still reads
** with the words as they are now: an unchanged data/text is taken over, a
** changed wording (the same words) copies the compiled words, new words
** compile anew. */
static void test_reload_reads_letters_with_the_text_data_as_saved(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), cmd[2400], why[256];
    snprintf(cmd, sizeof cmd, "cp -r '%s/rules/data' '%s/'", TRIAGE_SOURCE_DIR, dir);
    assert_int_equal(system(cmd), 0);
    write_version(dir, 1);
    triage_error err;
    triage_host *h = triage_host_open(dir, NULL, &err);
    if (!h)
        fail_msg("%s", err.text);
    triage_ruleset *rs = triage_host_acquire(h);
    first_why(rs, why, sizeof why);
    triage_ruleset_release(rs);
    assert_string_equal(why, "ANXIETY 1 nævnt: 'angst'");
    /* the rule file only */
    write_version(dir, 2);
    assert_int_equal(triage_host_reload(h, &err), TRIAGE_OK);
    rs = triage_host_acquire(h);
    first_why(rs, why, sizeof why);
    assert_string_equal(unit_of(rs), "U2");
    triage_ruleset_release(rs);
    assert_string_equal(why, "ANXIETY 1 nævnt: 'angst'");
    /* the wording */
    snprintf(cmd, sizeof cmd, "sed -i \"s/counted = \\\"nævnt: /counted = \\\"står i brevet: /\" "
             "'%s/data/text/explain.lua'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(triage_host_reload(h, &err), TRIAGE_OK);
    rs = triage_host_acquire(h);
    first_why(rs, why, sizeof why);
    triage_ruleset_release(rs);
    assert_string_equal(why, "ANXIETY 1 står i brevet: 'angst'");
    /* a new word */
    snprintf(cmd, sizeof cmd, "sed -i 's/^  ANXIETY = { terms = {/  ANXIETY = { terms = { \"bekymringstanker\",/' "
             "'%s/data/text/groups.lua'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(triage_host_reload(h, &err), TRIAGE_OK);
    rs = triage_host_acquire(h);
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    triage_referral *r = tu_referral("R2", ",\"text\":\"Hun har mange bekymringstanker.\"");
    triage_decision *d = triage_decide(dc, r, TRIAGE_EXPLAIN);
    const char *key, *w;
    int counted;
    size_t start, end;
    assert_int_equal(triage_decision_evidence(d, 0, &key, &counted, &w, &start, &end), 0);
    assert_string_equal(key, "ANXIETY");
    triage_decision_free(d);
    triage_referral_free(r);
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    triage_host_close(h);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_saved_edit_is_swapped_in_and_a_broken_save_keeps_it),
        cmocka_unit_test(test_reload_keeps_old_rules_on_syntax_runtime_or_test_failure),
        cmocka_unit_test(test_1000_reloads_while_deciding_lose_or_mix_no_decision),
        cmocka_unit_test(test_reload_reads_letters_with_the_text_data_as_saved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
