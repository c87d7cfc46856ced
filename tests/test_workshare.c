/*
** test_workshare.c — a chunk cut into parts that workers claim
** (engine/workshare.c): every referral of a child in one part, in order,
** small parts with the biggest children first, the same chunk always cut the
** same way, and each part handed out once however many threads ask.
*/
#include <pthread.h>
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

/* The parts of a split as each referral's part; checks that every referral
** is in exactly one part and that each part keeps the chunk's order. */
static void parts_of(const ws_parts *p, int *part)
{
    for (int i = 0; i < n; i++)
        part[i] = -1;
    assert_int_equal(p->start[0], 0);
    assert_int_equal(p->start[p->nparts], n);
    for (int k = 0; k < p->nparts; k++) {
        assert_true(p->start[k] < p->start[k + 1]);              /* no empty part */
        for (int j = p->start[k]; j < p->start[k + 1]; j++) {
            int i = p->order[j];
            assert_in_range(i, 0, n - 1);
            assert_int_equal(part[i], -1);                        /* once */
            part[i] = k;
            if (j > p->start[k])
                assert_true(p->order[j - 1] < i);                 /* in chunk order */
        }
    }
}

static void test_workshare_puts_each_child_in_one_part_in_order_and_splits_the_same_way_again(
    void **state)
{
    (void)state;
    ws_parts p, q;
    assert_int_equal(ws_init(&p, n), 0);
    assert_int_equal(ws_init(&q, n), 0);
    int *part = malloc((size_t)n * sizeof *part), *again = malloc((size_t)n * sizeof *again);
    assert_non_null(part);
    assert_non_null(again);
    for (int nw = 2; nw <= 5; nw++) {
        ws_split(&p, (const triage_referral *const *)refs, n, nw);
        parts_of(&p, part);
        int of_child[NCHILD + MOST];
        for (int c = 0; c < NCHILD + MOST; c++)
            of_child[c] = -1;
        for (int i = 0; i < n; i++) {
            if (of_child[child_of[i]] < 0)
                of_child[child_of[i]] = part[i];
            assert_int_equal(part[i], of_child[child_of[i]]);    /* one part a child */
        }
        /* Small parts, so that the last one claimed is short: about
        ** n / (64 x nw) referrals, a child more at most. */
        int grain = n / (64 * nw) > 0 ? n / (64 * nw) : 1;
        for (int k = 0; k < p.nparts; k++)
            assert_true(p.start[k + 1] - p.start[k] < grain + MOST);
        assert_true(p.nparts >= n / (grain + MOST));
        /* The biggest children first: a child of MOST referrals in part 0,
        ** and the last part holds children of one referral. */
        assert_int_equal(child_of[p.order[0]] % MOST, MOST - 1);
        int last = p.order[p.start[p.nparts - 1]];
        assert_true(child_of[last] % MOST == 0 || child_of[last] >= NCHILD - 1);
        ws_split(&q, (const triage_referral *const *)refs, n, nw);
        parts_of(&q, again);
        assert_int_equal(q.nparts, p.nparts);
        assert_memory_equal(part, again, (size_t)n * sizeof *part);
    }
    free(part);
    free(again);
    ws_free(&p);
    ws_free(&q);
}

static void test_workshare_with_one_worker_is_one_part_in_chunk_order(void **state)
{
    (void)state;
    ws_parts p;
    assert_int_equal(ws_init(&p, n), 0);
    ws_split(&p, (const triage_referral *const *)refs, n, 1);
    assert_int_equal(p.nparts, 1);
    for (int i = 0; i < n; i++)
        assert_int_equal(p.order[i], i);
    assert_int_equal(ws_claim(&p), 0);
    assert_int_equal(ws_claim(&p), -1);
    ws_free(&p);
}

/* Claimers on threads, as the run loop's workers: each part is handed out
** exactly once, and a split makes every part unclaimed again. */
typedef struct claimer {
    ws_parts *p;
    int *times;                /* per part: how often it was handed out */
    pthread_mutex_t *mu;
} claimer;

static void *claim_all(void *arg)
{
    claimer *c = arg;
    for (int k; (k = ws_claim(c->p)) >= 0;) {
        pthread_mutex_lock(c->mu);
        c->times[k]++;
        pthread_mutex_unlock(c->mu);
    }
    return NULL;
}

static void test_workshare_hands_each_part_out_once_to_concurrent_claimers(void **state)
{
    (void)state;
    ws_parts p;
    assert_int_equal(ws_init(&p, n), 0);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    for (int round = 0; round < 2; round++) {
        ws_split(&p, (const triage_referral *const *)refs, n, 4);
        int *times = calloc((size_t)p.nparts, sizeof *times);
        assert_non_null(times);
        claimer c = {&p, times, &mu};
        pthread_t t[4];
        for (int k = 0; k < 4; k++)
            assert_int_equal(pthread_create(&t[k], NULL, claim_all, &c), 0);
        for (int k = 0; k < 4; k++)
            pthread_join(t[k], NULL);
        for (int k = 0; k < p.nparts; k++)
            assert_int_equal(times[k], 1);
        assert_int_equal(ws_claim(&p), -1);
        free(times);
    }
    ws_free(&p);
}

static void test_workshare_of_no_referrals_is_no_part_and_of_one_is_one(void **state)
{
    (void)state;
    ws_parts p;
    assert_int_equal(ws_init(&p, 4), 0);
    assert_int_equal(ws_split(&p, NULL, 0, 2), 0);
    assert_int_equal(p.nparts, 0);
    assert_int_equal(ws_claim(&p), -1);
    assert_int_equal(ws_split(&p, NULL, 0, 1), 0);
    assert_int_equal(p.nparts, 0);
    assert_int_equal(ws_claim(&p), -1);
    assert_int_equal(ws_split(&p, (const triage_referral *const *)refs, 1, 3), 0);
    assert_int_equal(p.nparts, 1);
    assert_int_equal(p.order[0], 0);
    assert_int_equal(ws_claim(&p), 0);
    assert_int_equal(ws_claim(&p), -1);
    ws_free(&p);
    assert_int_equal(ws_init(&p, 0), 0);
    assert_int_equal(ws_split(&p, NULL, 0, 2), 0);
    assert_int_equal(ws_claim(&p), -1);
    ws_free(&p);
}

/* More referrals than the parts were made for is the caller's error: no
** part at all, never some of them quietly left out. */
static void test_workshare_refuses_a_chunk_bigger_than_its_cap(void **state)
{
    (void)state;
    ws_parts p;
    assert_int_equal(ws_init(&p, 10), 0);
    assert_int_equal(ws_split(&p, (const triage_referral *const *)refs, 11, 2), -1);
    assert_int_equal(p.nparts, 0);
    assert_int_equal(ws_claim(&p), -1);
    assert_int_equal(ws_split(&p, (const triage_referral *const *)refs, 10, 2), 0);
    assert_int_equal(p.start[p.nparts], 10);
    ws_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_workshare_puts_each_child_in_one_part_in_order_and_splits_the_same_way_again),
        cmocka_unit_test(test_workshare_with_one_worker_is_one_part_in_chunk_order),
        cmocka_unit_test(test_workshare_hands_each_part_out_once_to_concurrent_claimers),
        cmocka_unit_test(test_workshare_of_no_referrals_is_no_part_and_of_one_is_one),
        cmocka_unit_test(test_workshare_refuses_a_chunk_bigger_than_its_cap),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
