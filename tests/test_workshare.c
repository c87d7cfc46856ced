/*
** test_workshare.c — a chunk shared out over workers (engine/workshare.c):
** every referral of a child on one worker, the shares as even as the
** children allow, and the same chunk always shared the same way.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "triage.h"
#include "workshare.h"

#define NCHILD 300
#define MOST 7                  /* the most referrals a child has here */

static triage_referral *refs[NCHILD * MOST];
static int child_of[NCHILD * MOST];
static int n;

/* Child c (0..299) has c % 7 + 1 referrals, interleaved with the others' as
** a chunk in order of received date would have them; child 299's carry no
** CPR number, so each of them is a child of its own. */
static int setup(void **state)
{
    (void)state;
    for (int round = 0; round < MOST; round++)
        for (int c = 0; c < NCHILD; c++) {
            if (round > c % MOST)
                continue;
            char json[512], pat[64];
            triage_error err;
            if (c == NCHILD - 1)
                snprintf(pat, sizeof pat, "\"birth_date\":\"2012-05-01\",");
            else
                snprintf(pat, sizeof pat, "\"cpr\":\"%02d%02d104%03d\",", c % 28 + 1,
                         c / 28 + 1, c);
            snprintf(json, sizeof json,
                     "{\"id\":\"W-%d-%d\",\"received\":\"2020-01-%02d\",\"referrer\":"
                     "{\"kind\":\"gp\"},\"patient\":{%s\"municipality\":\"Gladsaxe\"}}",
                     c, round, round + 1, pat);
            refs[n] = triage_referral_parse(json, strlen(json), "w.json", 1, &err);
            if (!refs[n]) {
                fprintf(stderr, "%s\n", err.text);
                return -1;
            }
            /* a referral without a CPR number is a child of its own */
            child_of[n++] = c == NCHILD - 1 ? NCHILD + round : c;
        }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < n; i++)
        triage_referral_free(refs[i]);
    return 0;
}

static void test_workshare_keeps_each_child_on_one_worker_and_evens_the_shares(void **state)
{
    (void)state;
    int *worker = malloc((size_t)n * sizeof *worker), *again = malloc((size_t)n * sizeof *again);
    assert_non_null(worker);
    assert_non_null(again);
    for (int nw = 1; nw <= 5; nw++) {
        assert_int_equal(ws_share((const triage_referral *const *)refs, n, nw, worker), 0);
        int of_child[NCHILD + MOST], load[5] = {0};
        for (int c = 0; c < NCHILD + MOST; c++)
            of_child[c] = -1;
        for (int i = 0; i < n; i++) {
            assert_in_range(worker[i], 0, nw - 1);
            if (of_child[child_of[i]] < 0)
                of_child[child_of[i]] = worker[i];
            assert_int_equal(worker[i], of_child[child_of[i]]);   /* one worker a child */
            load[worker[i]]++;
        }
        int lo = n, hi = 0;
        for (int k = 0; k < nw; k++) {
            lo = load[k] < lo ? load[k] : lo;
            hi = load[k] > hi ? load[k] : hi;
        }
        /* largest children first, each to the least loaded: the shares
        ** differ by less than one child's referrals */
        assert_true(hi - lo < MOST);
        assert_int_equal(ws_share((const triage_referral *const *)refs, n, nw, again), 0);
        assert_memory_equal(worker, again, (size_t)n * sizeof *worker);
    }
    free(worker);
    free(again);
}

static void test_workshare_of_no_referrals_is_nothing(void **state)
{
    (void)state;
    int worker[1] = {-7};
    assert_int_equal(ws_share(NULL, 0, 2, worker), 0);
    assert_int_equal(worker[0], -7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workshare_keeps_each_child_on_one_worker_and_evens_the_shares),
        cmocka_unit_test(test_workshare_of_no_referrals_is_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
