/*
** test_review_concurrency.c — 1,000 reviews from 8 clients at once, on the
** same 100 referrals: every review the server accepted is in the log once,
** with its person, action and referral; none is lost, none is doubled, also
** when a client sends one again (a retry after a lost answer, same key);
** and each referral's status is its latest decision's. Nothing is timed.
*/
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "servefix.h"

#define CLIENTS 8
#define EACH 125                 /* reviews per client: 1,000 in all */
#define REFERRALS 100
#define AUTISM ",\"diagnoses\":[\"F84.0\"],\"assessments\":[{\"kind\":\"cognitive\"," \
               "\"date\":\"2019-10-01\"},{\"kind\":\"ppv\",\"date\":\"2019-11-01\"}]"

static sf_server S;

typedef struct done_t {
    long seq;
    char key[32], id[16];
    const char *action;
} done_t;

typedef struct client_t {
    int n;
    hc_client http;
    char name[16];
    done_t done[EACH];
    int failed, repeats, busy;
    char why[300];
} client_t;

static client_t clients[CLIENTS];

static int setup(void **state)
{
    triage_server_opts o = {.threads = 4};
    if (sf_start(&S, NULL, NULL, &o) != 0) return -1;
    triage_error err;
    triage_store *st = triage_store_open(S.db, &err);
    for (int i = 0; st && i < CLIENTS; i++) {
        snprintf(clients[i].name, sizeof clients[i].name, "clerk%d", i);
        if (sf_user(st, clients[i].name, TRIAGE_ROLE_INTAKE, "password-of-a-clerk") != 0) return -1;
    }
    triage_store_close(st);
    for (int i = 0; i < REFERRALS; i++) {
        char id[16];
        snprintf(id, sizeof id, "CC-%03d", i);
        if (sf_post(&S, id, AUTISM) != 0) return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    sf_stop(&S);
    return 0;
}

/* Send body for id until the server answers other than busy; the answer. */
static hc_resp send_review(client_t *c, const char *id, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/api/referrals/%s/review", id);
    for (int attempt = 0;; attempt++) {
        hc_resp r = hc_post(&c->http, path, body);
        if ((r.status != 503 && r.status != 0) || attempt == 50) return r;
        c->busy++;                         /* the same key again: safe */
        hc_free(&r);
        usleep(20000);
    }
}

static void *run_client(void *arg)
{
    client_t *c = arg;
    static const char *const kinds[] = {"confirm", "note", "override", "assign", "note"};
    for (int i = 0; i < EACH && !c->failed; i++) {
        done_t *d = &c->done[i];
        snprintf(d->id, sizeof d->id, "CC-%03d", (c->n * 37 + i * 13) % REFERRALS);
        snprintf(d->key, sizeof d->key, "c%d-%d", c->n, i);
        d->action = kinds[i % 5];
        char body[400];
        if (!strcmp(d->action, "override"))
            snprintf(body, sizeof body, "{\"action\":\"override\",\"key\":\"%s\",\"outcome\":"
                     "\"redirect\",\"target\":\"specialist_practice\",\"reason\":\"%s mener "
                     "speciallæge\"}", d->key, c->name);
        else if (!strcmp(d->action, "assign"))
            snprintf(body, sizeof body, "{\"action\":\"assign\",\"key\":\"%s\",\"assignee\":"
                     "\"clerk%d\"}", d->key, (c->n + 1) % CLIENTS);
        else if (!strcmp(d->action, "note"))
            snprintf(body, sizeof body, "{\"action\":\"note\",\"key\":\"%s\",\"text\":\"note %s\"}",
                     d->key, d->key);
        else
            snprintf(body, sizeof body, "{\"action\":\"confirm\",\"key\":\"%s\"}", d->key);
        hc_resp r = send_review(c, d->id, body);
        d->seq = (long)json_integer_value(json_object_get(r.json, "seq"));
        if (r.status != 201 || d->seq <= 0) {
            snprintf(c->why, sizeof c->why, "%s %s: %d %s", d->id, body, r.status, r.body);
            c->failed = 1;
        }
        hc_free(&r);
        if (!c->failed && i % 7 == 0) {     /* sent again, as after a lost answer */
            r = send_review(c, d->id, body);
            if (r.status != 200 || !json_is_true(json_object_get(r.json, "repeated")) ||
                json_integer_value(json_object_get(r.json, "seq")) != d->seq) {
                snprintf(c->why, sizeof c->why, "repeat of %s: %d %s", d->key, r.status, r.body);
                c->failed = 1;
            }
            c->repeats++;
            hc_free(&r);
        }
    }
    return NULL;
}

static void test_review_1000_concurrent_reviews_lose_none_and_double_none(void **state)
{
    pthread_t t[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i].n = i;
        clients[i].http = sf_client(&S);
        assert_int_equal(hc_login(&clients[i].http, clients[i].name, "password-of-a-clerk"), 200);
    }
    for (int i = 0; i < CLIENTS; i++) assert_int_equal(pthread_create(&t[i], NULL, run_client, &clients[i]), 0);
    for (int i = 0; i < CLIENTS; i++) pthread_join(t[i], NULL);

    int repeats = 0, busy = 0;
    for (int i = 0; i < CLIENTS; i++) {
        if (clients[i].failed) fail_msg("client %d: %s", i, clients[i].why);
        repeats += clients[i].repeats;
        busy += clients[i].busy;
    }
    /* exactly the 1,000, each key once */
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM audit WHERE actor LIKE 'clerk%'"
                     " AND referral_id IS NOT NULL"), CLIENTS * EACH);
    assert_int_equal(sf_count(&S, "SELECT count(DISTINCT key) FROM audit WHERE actor LIKE 'clerk%'"
                     " AND referral_id IS NOT NULL"), CLIENTS * EACH);
    /* each where the server said, as it was sent */
    for (int i = 0; i < CLIENTS; i++)
        for (int j = 0; j < EACH; j++) {
            done_t *d = &clients[i].done[j];
            char sql[400];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE seq = %ld AND key = '%s'"
                     " AND actor = '%s' AND referral_id = '%s' AND action = '%s'",
                     d->seq, d->key, clients[i].name, d->id, d->action);
            if (sf_count(&S, sql) != 1) fail_msg("not in the log as sent: %s", sql);
        }
    /* each referral's status is its latest decision's, as the work list says */
    hc_client reader = clients[0].http;
    hc_resp r = hc_get(&reader, "/api/referrals?q=CC-&limit=1000");
    json_t *items = json_object_get(r.json, "items"), *it;
    size_t k;
    assert_int_equal(json_array_size(items), REFERRALS);
    json_array_foreach(items, k, it) {
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT CASE status WHEN 'confirmed' THEN 1 WHEN 'overridden'"
                 " THEN 2 ELSE 0 END FROM audit WHERE referral_id = '%s' AND status IS NOT NULL"
                 " ORDER BY seq DESC LIMIT 1", hc_str(it, "id"));
        long latest = sf_count(&S, sql);
        const char *review = hc_str(it, "review");
        assert_string_equal(review, latest == 1 ? "confirmed" : latest == 2 ? "overridden"
                                                                           : "suggested");
    }
    hc_free(&r);
    printf("# %d reviews from %d clients: all logged once; %d sent twice (answered as "
           "repeats); %d retried after a busy store\n", CLIENTS * EACH, CLIENTS, repeats, busy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_1000_concurrent_reviews_lose_none_and_double_none),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
