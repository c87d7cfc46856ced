/*
** test_lifecycle.c — a referral's life as FHIR messages tell it, through
** the public API: the reader hands over referrals and cancels with their
** origin, mixed with native records, and goes on after a Bundle cut short
** at the next record; the store keeps the message and the
** document, replaces a version on update-referral (the old one kept),
** withdraws on cancel-referral, refuses a repeated message and an unknown
** id; and the schema-2 database an earlier triage wrote migrates to the
** schema with this step in one transaction, nothing lost.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "testutil.h"
#include "triage.h"

#define FHIR TRIAGE_SOURCE_DIR "/tests/data/fhir/"
#define NEW FHIR "01-gp-adhd-autism-message-new.fhir.json"
#define UPDATE FHIR "02-gp-adhd-autism-message-update.fhir.json"
#define CANCEL FHIR "03-gp-message-cancel.fhir.json"
#define REF "HENV-2020-0914-0042"
#define SR_ID "7f3d0c2a-6a51-4c1e-9a47-1b2f6c0d9e11"
#define MSG_NEW "0b6a9c1e-5f4d-4e3c-8b2a-1c0d9e8f7a10"
#define MSG_UPDATE "2c8e1f3a-7b6d-4c5e-9a8b-2d1e0f9a8b20"
#define MSG_CANCEL "3d9f2a4b-8c7e-4d6f-9b9c-3e2f1a0b9c30"
#define HASH "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static char *tmpdir;

static int setup_dir(void **state)
{
    return (tmpdir = tu_tmpdir()) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    tu_rmtree(tmpdir);
    free(tmpdir);
    return 0;
}

/* The one record of a file: a referral (1) or a cancel (TRIAGE_READ_CANCEL,
** its origin's message and referral id in *msg and *id). */
static int read_one(const char *path, triage_referral **r, char msg[80], char id[80])
{
    triage_error err;
    triage_reader *rd = triage_reader_open(path, &err);
    if (!rd) fail_msg("%s", err.text);
    int got = triage_reader_next(rd, r, &err, NULL, NULL);
    if (got < 0) fail_msg("%s", err.text);
    const triage_origin *o = triage_reader_origin(rd);
    assert_non_null(o);
    if (msg) snprintf(msg, 80, "%s", triage_origin_message_id(o));
    if (id) snprintf(id, 80, "%s", triage_origin_referral_id(o));
    triage_reader_close(rd);
    return got;
}

/* The cancel of CANCEL, kept past its reader: the reader's origin is only
** valid until its next call, so the test withdraws while it is open. */
static triage_code withdraw(triage_store *st, const char *path, triage_error *err)
{
    triage_referral *r;
    triage_reader *rd = triage_reader_open(path, err);
    assert_non_null(rd);
    assert_int_equal(triage_reader_next(rd, &r, err, NULL, NULL), TRIAGE_READ_CANCEL);
    assert_null(r);
    triage_code rc = triage_store_withdraw(st, triage_reader_origin(rd), path, 1, err);
    triage_reader_close(rd);
    return rc;
}

static void decide(triage_store *st, const char *id, triage_ruleset *rs)
{
    triage_error err;
    triage_referral *r = triage_store_get(st, id, &err);
    assert_non_null(r);
    triage_decider *dc = triage_decider_new(rs, st, &err);
    assert_non_null(dc);
    triage_decision *d = triage_decide(dc, r, 0);
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
    triage_decision_free(d);
    triage_decider_free(dc);
    triage_referral_free(r);
}

static int count_fn(void *ud, triage_referral *r)
{
    ++*(int *)ud;
    triage_referral_free(r);
    return 0;
}

static int undecided(triage_store *st, const char *hash)
{
    triage_error err;
    int n = 0;
    assert_int_equal(triage_store_each_undecided(st, hash, count_fn, &n, &err), TRIAGE_OK);
    return n;
}

/* ---------------------------------------------------------------- reading */

static void test_reader_takes_fhir_and_native_mixed_and_hands_over_a_cancel(void **state)
{
    size_t nlen, flen, clen;
    char *native = tu_slurp(TRIAGE_SOURCE_DIR "/tests/data/fhir/04-ppr-anxiety-contained.referral.json",
                            &nlen);
    char *fhir = tu_slurp(NEW, &flen), *cancel = tu_slurp(CANCEL, &clen);
    assert_non_null(native);
    assert_non_null(fhir);
    assert_non_null(cancel);
    /* native, FHIR over many lines, the cancel: one input */
    size_t len = nlen + flen + clen + 3;
    char *all = malloc(len + 1);
    snprintf(all, len + 1, "%s\n%s\n%s\n", native, fhir, cancel);
    triage_error err;
    triage_reader *rd = triage_reader_open_memory(all, strlen(all), "mixed", &err);
    triage_referral *r;
    const char *raw;
    size_t raw_len;

    assert_int_equal(triage_reader_next(rd, &r, &err, &raw, &raw_len), 1);
    assert_null(triage_reader_origin(rd));
    assert_null(triage_referral_origin(r));
    triage_referral_free(r);

    assert_int_equal(triage_reader_next(rd, &r, &err, &raw, &raw_len), 1);
    assert_string_equal(triage_referral_id(r), REF);
    const triage_origin *o = triage_referral_origin(r);
    assert_non_null(o);
    assert_ptr_equal(o, triage_reader_origin(rd));
    assert_int_equal(triage_origin_event(o), TRIAGE_EVENT_NEW);
    assert_string_equal(triage_origin_message_id(o), MSG_NEW);
    size_t sent_len;
    const char *sent = triage_origin_fhir(o, &sent_len);
    assert_int_equal(sent_len, strlen(fhir) - (fhir[flen - 1] == '\n'));
    assert_memory_equal(sent, fhir, sent_len);
    long want = 2;                                   /* the line after the native record */
    for (size_t i = 0; i < nlen; i++) want += native[i] == '\n';
    assert_int_equal(triage_reader_line(rd), want);
    /* the referral keeps its origin after the reader moves on */
    triage_referral *none = (triage_referral *)1;
    assert_int_equal(triage_reader_next(rd, &none, &err, &raw, &raw_len), TRIAGE_READ_CANCEL);
    assert_null(none);
    assert_string_equal(triage_origin_message_id(o), MSG_NEW);
    triage_referral_free(r);
    assert_int_equal(err.code, TRIAGE_OK);
    assert_string_equal(err.id, REF);
    assert_non_null(raw);
    assert_memory_equal(raw, cancel, raw_len);
    const triage_origin *c = triage_reader_origin(rd);
    assert_int_equal(triage_origin_event(c), TRIAGE_EVENT_CANCEL);
    assert_string_equal(triage_origin_referral_id(c), REF);
    assert_string_equal(triage_event_name(triage_origin_event(c)), "cancel-referral");
    assert_int_equal(triage_reader_next(rd, &none, &err, NULL, NULL), 0);
    assert_null(triage_reader_origin(rd));
    triage_reader_close(rd);
    free(all);
    free(native);
    free(fhir);
    free(cancel);
}

/* A pretty-printed Bundle cut short is one bad record: its own nested
** objects are no records to read on at; the next record is, and elements of
** an indented array still are. */
static void test_reader_goes_on_after_a_cut_bundle_at_the_next_record(void **state)
{
    size_t flen, clen;
    char *cut = tu_slurp(FHIR "fail_truncated.json", &flen);
    char *good = tu_slurp(FHIR "04-ppr-anxiety-contained.fhir.json", &clen);
    size_t len = flen + clen + 2;
    char *all = malloc(len + 1);
    snprintf(all, len + 1, "%s\n%s", cut, good);
    triage_error err;
    triage_reader *rd = triage_reader_open_memory(all, strlen(all), "cut", &err);
    triage_referral *r;
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), -1);
    assert_int_equal(err.line, 1);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 1);
    assert_string_equal(triage_referral_id(r), "PPR-2020-118");
    triage_referral_free(r);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 0);
    triage_reader_close(rd);

    const char *array = "[\n  {\"id\": \"A\",\n    \"x\": {,\n  }},\n  {\"id\": 7}\n]\n";
    rd = triage_reader_open_memory(array, strlen(array), "array", &err);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), -1);
    assert_int_equal(err.line, 2);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), -1);   /* the next element */
    assert_int_equal(err.line, 5);
    assert_string_equal(err.field, "id");
    triage_reader_close(rd);
    free(all);
    free(cut);
    free(good);
}

static void test_referral_parse_takes_fhir_and_refuses_a_cancel(void **state)
{
    size_t len;
    triage_error err;
    char *fhir = tu_slurp(NEW, &len);
    triage_referral *r = triage_referral_parse(fhir, len, "new.json", 1, &err);
    assert_non_null(r);
    assert_non_null(triage_referral_origin(r));
    assert_non_null(triage_origin_fhir(triage_referral_origin(r), NULL));
    triage_referral_free(r);
    free(fhir);
    char *cancel = tu_slurp(CANCEL, &len);
    assert_null(triage_referral_parse(cancel, len, "cancel.json", 1, &err));
    assert_int_equal(err.code, TRIAGE_EINVAL);
    assert_non_null(strstr(err.text, "cancel-referral"));
    assert_string_equal(err.id, REF);
    free(cancel);
}

/* ------------------------------------------------------------- the store */

typedef struct now_seen {
    int calls, version, decided, withdrawn, fhir;
    char decided_at[40];
    triage_event event;
} now_seen;

static int current_fn(void *ud, const triage_current *c)
{
    now_seen *n = ud;
    n->calls++;
    n->version = c->version;
    n->decided = c->decision != NULL;
    n->withdrawn = c->withdrawn_at != NULL;
    snprintf(n->decided_at, sizeof n->decided_at, "%s", c->decided_at ? c->decided_at : "");
    const triage_origin *o = triage_referral_origin(c->referral);
    n->fhir = o != NULL;
    n->event = o ? triage_origin_event(o) : TRIAGE_EVENT_NONE;
    return 0;
}

typedef struct changes_seen {
    int n;
    triage_event event[4];
    int version[4];
    char message[4][40];
    int replaced[4], replaced_fhir[4];
} changes_seen;

static int changes_fn(void *ud, const triage_change *c)
{
    changes_seen *s = ud;
    if (s->n < 4) {
        s->event[s->n] = c->event;
        s->version[s->n] = c->version;
        snprintf(s->message[s->n], 40, "%s", c->message_id ? c->message_id : "");
        s->replaced[s->n] = c->replaced != NULL;
        s->replaced_fhir[s->n] = c->replaced_fhir != NULL;
    }
    s->n++;
    return 0;
}

/* A small rule set with the shipped answer texts (data/fhir.json): what the
** store's life needs is a decision, not the policy (and the shipped rules
** take long to load under valgrind). */
static triage_ruleset *rules(void)
{
    triage_error err;
    char *texts = tu_slurp(TRIAGE_SOURCE_DIR "/rules/data/fhir.json", NULL);
    assert_non_null(texts);
    char *dir = tu_rules("rule{ id='T-1', when=function() return true end,\n"
                         "  action=function(r, f, d) d:reason('Optages.')\n"
                         "  d:decide{outcome='accept', target='buc', unit='B193'} end }\n");
    tu_write(dir, "data/fhir.json", texts);
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs) fail_msg("%s", err.text);
    tu_rmtree(dir);
    free(dir);
    free(texts);
    return rs;
}

static void test_store_keeps_the_message_and_refuses_it_again(void **state)
{
    triage_error err;
    triage_store *st = triage_store_open(":memory:", &err);
    triage_referral *r;
    assert_int_equal(read_one(NEW, &r, NULL, NULL), 1);
    assert_int_equal(triage_store_put(st, r, NEW, 1, &err), TRIAGE_OK);
    /* the same message again: recognised, nothing changes */
    assert_int_equal(triage_store_put(st, r, NEW, 1, &err), TRIAGE_EREPEATED);
    assert_non_null(strstr(err.text, MSG_NEW));
    assert_int_equal(triage_store_update(st, r, NEW, 1, &err), TRIAGE_EREPEATED);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 1);
    triage_referral_free(r);

    now_seen n = {0};
    assert_int_equal(triage_store_current(st, REF, current_fn, &n, &err), TRIAGE_OK);
    assert_int_equal(n.calls, 1);
    assert_int_equal(n.version, 1);
    assert_false(n.decided);
    assert_true(n.fhir);                     /* read again from the FHIR sent */
    assert_int_equal(n.event, TRIAGE_EVENT_NEW);

    char id[72];
    assert_int_equal(triage_store_fhir_find(st, "ServiceRequest", SR_ID, id, &err), TRIAGE_OK);
    assert_string_equal(id, REF);
    assert_int_equal(triage_store_fhir_find(st, "ServiceRequest", "nope", id, &err),
                     TRIAGE_ENOTFOUND);
    assert_int_equal(triage_store_fhir_find(st, "Patient", SR_ID, id, &err), TRIAGE_EUSAGE);
    changes_seen c = {0};
    assert_int_equal(triage_store_changes(st, REF, changes_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.event[0], TRIAGE_EVENT_NEW);
    assert_string_equal(c.message[0], MSG_NEW);
    assert_int_equal(triage_store_changes(st, "nope", changes_fn, &c, &err), TRIAGE_ENOTFOUND);
    triage_store_close(st);
}

/* The Task of the answer is found by its id, whoever decided. */
static void test_store_finds_the_task_the_answer_names(void **state)
{
    triage_error err;
    triage_store *st = triage_store_open(":memory:", &err);
    triage_ruleset *rs = rules();
    triage_fhir *fw = triage_fhir_open(rs, &err);
    assert_non_null(fw);
    triage_referral *r;
    read_one(NEW, &r, NULL, NULL);
    assert_int_equal(triage_store_put(st, r, NEW, 1, &err), TRIAGE_OK);
    decide(st, REF, rs);
    triage_decider *dc = triage_decider_new(rs, st, &err);
    triage_decision *d = triage_decide(dc, r, 0);
    char *answer = triage_fhir_answer(fw, d, r, "2020-09-14T09:00:00.000Z", 0, &err);
    assert_non_null(answer);
    /* "resource":{"resourceType":"Task","id":"…" is the second entry (after the header) */
    const char *task = strstr(answer, "\"resourceType\":\"Task\",\"id\":\"");
    assert_non_null(task);
    char tid[40];
    snprintf(tid, sizeof tid, "%.36s", task + strlen("\"resourceType\":\"Task\",\"id\":\""));
    char id[72];
    assert_int_equal(triage_store_fhir_find(st, "Task", tid, id, &err), TRIAGE_OK);
    assert_string_equal(id, REF);
    /* decided again another time: the same Task */
    char *again = triage_fhir_answer(fw, d, r, "2021-01-01T00:00:00.000Z", 0, &err);
    assert_non_null(strstr(again, tid));
    free(again);
    free(answer);
    triage_decision_free(d);
    triage_decider_free(dc);
    triage_referral_free(r);
    triage_fhir_close(fw);
    triage_ruleset_release(rs);
    triage_store_close(st);
}

static void test_update_replaces_the_referral_keeps_the_old_and_is_decided_again(void **state)
{
    triage_error err;
    triage_store *st = triage_store_open(":memory:", &err);
    triage_ruleset *rs = rules();
    const char *hash = triage_ruleset_hash(rs);
    triage_referral *r, *u;
    read_one(NEW, &r, NULL, NULL);
    assert_int_equal(read_one(UPDATE, &u, NULL, NULL), 1);
    assert_int_equal(triage_origin_event(triage_referral_origin(u)), TRIAGE_EVENT_UPDATE);

    /* an update of a referral not stored: a clear error */
    assert_int_equal(triage_store_update(st, u, UPDATE, 1, &err), TRIAGE_ENOTFOUND);
    assert_string_equal(err.id, REF);
    assert_non_null(strstr(err.text, "update-referral: no referral with this id"));

    assert_int_equal(triage_store_put(st, r, NEW, 1, &err), TRIAGE_OK);
    decide(st, REF, rs);
    assert_int_equal(undecided(st, hash), 0);
    assert_int_equal(triage_store_update(st, u, UPDATE, 1, &err), TRIAGE_OK);
    assert_int_equal(undecided(st, hash), 1);          /* the new version, to decide */
    assert_int_equal(triage_store_count(st, "decisions", NULL), 1);   /* the log stays */

    now_seen n = {0};
    triage_store_current(st, REF, current_fn, &n, &err);
    assert_int_equal(n.version, 2);
    assert_false(n.decided);
    assert_int_equal(n.event, TRIAGE_EVENT_UPDATE);

    changes_seen c = {0};
    triage_store_changes(st, REF, changes_fn, &c, &err);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.event[1], TRIAGE_EVENT_UPDATE);
    assert_int_equal(c.version[1], 2);
    assert_string_equal(c.message[1], MSG_UPDATE);
    assert_true(c.replaced[1]);                        /* version 1, whole */
    assert_true(c.replaced_fhir[1]);

    decide(st, REF, rs);
    assert_int_equal(undecided(st, hash), 0);
    n = (now_seen){0};
    triage_store_current(st, REF, current_fn, &n, &err);
    assert_true(n.decided);
    assert_true(n.decided_at[0]);
    triage_referral_free(r);
    triage_referral_free(u);
    triage_ruleset_release(rs);
    triage_store_close(st);
}

typedef struct list_seen { int n; char status[16]; } list_seen;

static int list_fn(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    list_seen *l = ud;
    l->n++;
    snprintf(l->status, sizeof l->status, "%s", row->status);
    return 0;
}

static void test_cancel_withdraws_never_decided_again_nor_history(void **state)
{
    triage_error err;
    triage_store *st = triage_store_open(":memory:", &err);
    triage_ruleset *rs = rules();
    triage_referral *r;

    /* a cancel for a referral not stored: a clear error */
    assert_int_equal(withdraw(st, CANCEL, &err), TRIAGE_ENOTFOUND);
    assert_non_null(strstr(err.text, "cancel-referral: no referral with this id"));

    read_one(NEW, &r, NULL, NULL);
    assert_int_equal(triage_store_put(st, r, NEW, 1, &err), TRIAGE_OK);
    assert_int_equal(undecided(st, HASH), 1);
    assert_int_equal(withdraw(st, CANCEL, &err), TRIAGE_OK);
    assert_int_equal(undecided(st, HASH), 0);           /* triage_run never decides it */
    assert_int_equal(triage_store_count(st, "undecided", HASH), 0);
    assert_int_equal(withdraw(st, CANCEL, &err), TRIAGE_EREPEATED);

    list_seen l = {0};
    assert_int_equal(triage_store_list(st, NULL, NULL, list_fn, &l, &err), TRIAGE_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.status, "withdrawn");
    /* a decision that races the cancel is logged, the status stays */
    decide(st, REF, rs);
    l = (list_seen){0};
    triage_store_list(st, NULL, NULL, list_fn, &l, &err);
    assert_string_equal(l.status, "withdrawn");

    now_seen n = {0};
    triage_store_current(st, REF, current_fn, &n, &err);
    assert_true(n.withdrawn);
    changes_seen c = {0};
    triage_store_changes(st, REF, changes_fn, &c, &err);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.event[1], TRIAGE_EVENT_CANCEL);
    assert_string_equal(c.message[1], MSG_CANCEL);
    assert_int_equal(c.version[1], 1);

    /* an update of a withdrawn referral is refused */
    triage_referral *u;
    read_one(UPDATE, &u, NULL, NULL);
    assert_int_equal(triage_store_update(st, u, UPDATE, 1, &err), TRIAGE_EWITHDRAWN);
    assert_non_null(strstr(err.text, "withdrawn"));
    triage_referral_free(u);
    triage_referral_free(r);
    triage_ruleset_release(rs);
    triage_store_close(st);
}

/* A later referral of the same child does not see a withdrawn one: a rule
** that says how many earlier referrals r:history() holds. */
static void test_withdrawn_referral_is_no_earlier_referral(void **state)
{
    triage_error err;
    triage_store *st = triage_store_open(":memory:", &err);
    char *dir = tu_rules("rule{ id='H-1', when=function() return true end,\n"
                         "  action=function(r, f, d) d:reason(('%d earlier'):format(#r:history()))\n"
                         "  d:decide{outcome='manual_review'} end }\n");
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs) fail_msg("%s", err.text);
    triage_referral *r, *later;
    read_one(NEW, &r, NULL, NULL);
    assert_int_equal(triage_store_put(st, r, NEW, 1, &err), TRIAGE_OK);
    /* the update's content under another id, a month later: the same child */
    size_t len;
    char *text = tu_slurp(UPDATE, &len);
    char *at = strstr(text, "\"value\": \"" REF "\"");
    assert_non_null(at);
    memcpy(strstr(at, REF), "HENV-2020-0914-0043", strlen(REF));
    for (char *m = text; (m = strstr(m, MSG_UPDATE)); )   /* a message of its own */
        m[0] = 'f';
    later = triage_referral_parse(text, len, "later.json", 1, &err);
    if (!later) fail_msg("%s", err.text);
    triage_decider *dc = triage_decider_new(rs, st, &err);
    const char *why;
    triage_decision *before = triage_decide(dc, later, 0);
    triage_decision_reason(before, 0, NULL, &why);
    assert_string_equal(why, "1 earlier");
    assert_int_equal(withdraw(st, CANCEL, &err), TRIAGE_OK);
    triage_decision *after = triage_decide(dc, later, 0);
    triage_decision_reason(after, 0, NULL, &why);
    assert_string_equal(why, "0 earlier");
    triage_decision_free(before);
    triage_decision_free(after);
    triage_decider_free(dc);
    triage_referral_free(later);
    triage_referral_free(r);
    free(text);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
    triage_store_close(st);
}

/* -------------------------------------------------------------- migration */

static char *raw_query(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char *v = NULL;
    size_t n = 0, cap = 0;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
    while (sqlite3_step(s) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(s); i++) {
            const char *t = (const char *)sqlite3_column_text(s, i);
            size_t l = t ? strlen(t) : 4;
            if (n + l + 2 >= cap) v = realloc(v, cap = 2 * (n + l + 2));
            memcpy(v + n, t ? t : "NULL", l);
            n += l;
            v[n++] = i + 1 < sqlite3_column_count(s) ? '|' : '\n';
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (!v) v = calloc(1, 1);
    else v[n] = '\0';
    return v;
}

static void copy_schema_2(char *path, size_t cap, const char *name)
{
    char cmd[700];
    snprintf(path, cap, "%s/%s", tmpdir, name);
    snprintf(cmd, sizeof cmd, "cp '%s/tests/data/db/schema-2.db' '%s'", TRIAGE_SOURCE_DIR, path);
    assert_int_equal(system(cmd), 0);
}

static void test_schema_2_database_migrates_with_nothing_lost(void **state)
{
    static const char *const tables[] = {
        /* status is derived since step 7 (test_migration checks it survives) */
        "SELECT id, received, cpr, birth_date, age, age_band, municipality, referrer_kind,"
        " json, source, line, imported_at FROM referrals ORDER BY id",
        "SELECT * FROM referral_packed ORDER BY id",
        "SELECT * FROM decisions ORDER BY seq",
        "SELECT * FROM quarantine ORDER BY seq",
        "SELECT * FROM meta ORDER BY key"};
    char path[300], *before[5];
    copy_schema_2(path, sizeof path, "v2.db");
    char *v = raw_query(path, "PRAGMA user_version");
    assert_string_equal(v, "2\n");
    free(v);
    for (int i = 0; i < 5; i++) before[i] = raw_query(path, tables[i]);
    assert_true(strlen(before[0]) > 100);
    assert_true(strlen(before[2]) > 100);

    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    if (!st) fail_msg("%s", err.text);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 5);
    assert_int_equal(triage_store_count(st, "quarantine", NULL), 1);
    /* what was decided stays decided by the rule set that decided it */
    char *hash = raw_query(path, "SELECT DISTINCT ruleset FROM decisions");
    hash[64] = '\0';
    assert_int_equal(triage_store_count(st, "undecided", hash), 0);
    now_seen n = {0};
    assert_int_equal(triage_store_current(st, "EX-02", current_fn, &n, &err), TRIAGE_OK);
    assert_int_equal(n.version, 1);
    assert_true(n.decided);
    assert_false(n.withdrawn);
    assert_false(n.fhir);
    triage_store_close(st);

    v = raw_query(path, "PRAGMA user_version");
    assert_true(atoi(v) >= 4);            /* 4: the lifecycle; later steps may follow */
    free(v);
    for (int i = 0; i < 5; i++) {
        char *after = raw_query(path, tables[i]);
        assert_string_equal(after, before[i]);
        free(after);
        free(before[i]);
    }
    v = raw_query(path, "SELECT count(*) FROM referrals WHERE version = 1 AND superseded_seq = 0"
                        " AND withdrawn_at IS NULL");
    assert_string_equal(v, "5\n");
    free(v);
    free(hash);
}

/* A step that fails halfway leaves the database as it was: one transaction. */
static void test_schema_2_migration_is_one_transaction(void **state)
{
    char path[300];
    copy_schema_2(path, sizeof path, "v2-broken.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* a table in the way of the step's last CREATE */
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE referral_changes(x)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    triage_error err;
    assert_null(triage_store_open(path, &err));
    assert_int_equal(err.code, TRIAGE_ESTORE);
    char *v = raw_query(path, "PRAGMA user_version");
    assert_string_equal(v, "2\n");
    free(v);
    /* the ALTERs before it were rolled back with it */
    v = raw_query(path, "SELECT count(*) FROM pragma_table_info('referrals') WHERE name = 'version'");
    assert_string_equal(v, "0\n");
    free(v);
    v = raw_query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'referral_fhir'");
    assert_string_equal(v, "0\n");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_takes_fhir_and_native_mixed_and_hands_over_a_cancel),
        cmocka_unit_test(test_reader_goes_on_after_a_cut_bundle_at_the_next_record),
        cmocka_unit_test(test_referral_parse_takes_fhir_and_refuses_a_cancel),
        cmocka_unit_test(test_store_keeps_the_message_and_refuses_it_again),
        cmocka_unit_test(test_store_finds_the_task_the_answer_names),
        cmocka_unit_test(test_update_replaces_the_referral_keeps_the_old_and_is_decided_again),
        cmocka_unit_test(test_cancel_withdraws_never_decided_again_nor_history),
        cmocka_unit_test(test_withdrawn_referral_is_no_earlier_referral),
        cmocka_unit_test(test_schema_2_database_migrates_with_nothing_lost),
        cmocka_unit_test(test_schema_2_migration_is_one_transaction),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
