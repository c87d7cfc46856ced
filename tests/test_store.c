/*
** test_store.c — the SQLite store: file mode, round trips, duplicates,
** quarantine, the append-only decision log, undecided iteration, history
** and its one predicate, batches, the work list and one record as structs. File-backed stores live in a fresh temporary directory.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include "triage.h"
#include "referral.h"
#include "decision.h"
#include "date.h"
#include "store.h"
#include "history.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CPR1 "0101104123"       /* born 2010-01-01 (7th digit 4, year 10 -> 2010) */
#define CPR2 "0202124567"
#define CPR3 "0303134567"
#define SCHEMA "8"              /* PRAGMA user_version the store writes */
#define SCHEMA_NEWER "9"

static char tmpdir[256];

static int setup_dir(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/test_store_XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void db_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

/* A valid referral from a few fields; cpr or birth may be NULL. */
static triage_referral *mkref(const char *id, const char *received, const char *cpr,
                              const char *birth)
{
    char json[1024], pat[200];
    triage_error err;
    if (cpr)
        snprintf(pat, sizeof pat, "\"cpr\":\"%s\",", cpr);
    else
        snprintf(pat, sizeof pat, "\"birth_date\":\"%s\",", birth ? birth : "2012-05-01");
    snprintf(json, sizeof json,
             "{\"id\":\"%s\",\"received\":\"%s\",\"referrer\":{\"kind\":\"gp\",\"name\":\"Læge\"},"
             "\"patient\":{%s\"municipality\":\"Gladsaxe\",\"sex\":\"F\"},"
             "\"diagnoses\":[\"DF900\"],\"text\":\"Uro og koncentrationsbesvær.\",\"gapd\":3}",
             id, received, pat);
    triage_referral *r = triage_referral_parse(json, strlen(json), "mk.json", 1, &err);
    if (!r) fail_msg("fixture did not parse: %s", err.text);
    return r;
}

static triage_store *open_store(const char *path)
{
    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    if (!st) fail_msg("open failed: %s", err.text);
    return st;
}

static void put_ok(triage_store *st, const char *id, const char *received,
                   const char *cpr, const char *birth)
{
    triage_error err;
    triage_referral *r = mkref(id, received, cpr, birth);
    assert_int_equal(triage_store_put(st, r, "in.jsonl", 7, &err), TRIAGE_OK);
    triage_referral_free(r);
}

static void decide(triage_store *st, const char *id, const char *hash, int outcome,
                   const char *target)
{
    triage_error err;
    triage_decision *d = dc_new(id, hash, 0);
    d->outcome = outcome;
    d->target = dc_target_index(target);
    dc_add_reason(d, "T-01", "test");
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
    triage_decision_free(d);
}

/* One integer or text from a second, raw connection to the file. */
static char *raw_query(const char *path, const char *sql, int *rc_out)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char *v = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
            v = strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    if (rc_out) *rc_out = rc;
    sqlite3_close(db);
    return v;
}

/* ----------------------------------------------------------------- tests */

static void test_store_file_and_wal_are_0600_and_schema_versioned(void **state)
{
    char path[300], side[320];
    struct stat sb;
    mode_t old = umask(0);               /* a permissive umask must not matter */
    db_path(path, sizeof path, "mode.db");
    triage_store *st = open_store(path);
    put_ok(st, "M-1", "2020-01-01", CPR1, NULL);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(side, sizeof side, "%s-wal", path);
    assert_int_equal(stat(side, &sb), 0);   /* WAL mode */
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(side, sizeof side, "%s-shm", path);
    assert_int_equal(stat(side, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    triage_store_close(st);
    umask(old);

    /* reopening finds the schema and the data */
    st = open_store(path);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 1);
    triage_store_close(st);
    char *jm = raw_query(path, "PRAGMA journal_mode", NULL);
    assert_string_equal(jm, "wal");
    free(jm);
    char *uv = raw_query(path, "PRAGMA user_version", NULL);
    assert_string_equal(uv, SCHEMA);
    free(uv);
}

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* Write about 8 MB (2,000 pages, twice the auto-checkpoint's 1,000) in
** commits of one value each. */
static void write_pages(triage_store *st, const char *prefix)
{
    static char value[4001];
    triage_error err;
    memset(value, 'x', sizeof value - 1);
    for (int i = 0; i < 2000; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s-%d", prefix, i);
        assert_int_equal(triage_store_meta_set(st, key, value, &err), TRIAGE_OK);
    }
}

static void test_store_deferred_checkpoints_leave_the_file_to_the_checkpointer(void **state)
{
    char path[300];
    triage_error err;
    db_path(path, sizeof path, "checkpoint.db");
    triage_store *writer = open_store(path), *checkpointer = open_store(path);
    triage_store_defer_checkpoints(writer);
    off_t before = file_size(path);
    write_pages(writer, "deferred");
    /* no commit of the writer copied its pages into the database file */
    assert_int_equal(file_size(path), before);
    assert_int_equal(triage_store_checkpoint(checkpointer, &err), TRIAGE_OK);
    assert_true(file_size(path) > before + 2000 * 4000);
    char *v = triage_store_meta_get(checkpointer, "deferred-1999");
    assert_non_null(v);
    assert_int_equal(strlen(v), 4000);
    free(v);
    triage_store_close(checkpointer);

    /* a handle that does not defer checkpoints as it commits */
    triage_store *plain = open_store(path);
    before = file_size(path);
    write_pages(plain, "plain");
    assert_true(file_size(path) > before);
    triage_store_close(plain);
    triage_store_close(writer);
}

static void test_store_open_error_names_the_path_or_the_missing_argument(void **state)
{
    triage_error err;
    char path[300];
    db_path(path, sizeof path, "no/such/dir/x.db");
    assert_null(triage_store_open(path, &err));
    assert_int_equal(err.code, TRIAGE_ESTORE);
    assert_non_null(strstr(err.text, "x.db"));
    assert_null(triage_store_open(NULL, &err));
    assert_int_equal(err.code, TRIAGE_EUSAGE);
    triage_store_close(NULL);
}

/* A referral's status as the store reads it back (triage_store_record). */
static int status_fn(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    snprintf(ud, 16, "%s", row->status);
    return 0;
}

static void test_store_gives_back_the_referral_it_was_given(void **state)
{
    char path[300];
    triage_error err;
    db_path(path, sizeof path, "rt.db");
    triage_store *st = open_store(path);
    triage_referral *r = mkref("RT-1", "2020-03-02", "010110-4123", NULL);
    assert_int_equal(triage_store_put(st, r, "in.jsonl", 12, &err), TRIAGE_OK);
    triage_referral *g = triage_store_get(st, "RT-1", &err);
    assert_non_null(g);
    assert_string_equal(g->id, r->id);
    assert_int_equal(g->received, r->received);
    assert_string_equal(g->cpr, r->cpr);
    assert_int_equal(g->birth, r->birth);
    assert_int_equal(g->age, r->age);
    assert_string_equal(g->municipality, r->municipality);
    assert_int_equal(g->referrer_kind, r->referrer_kind);
    assert_string_equal(g->text, r->text);
    assert_int_equal(g->ndiag, 1);
    assert_string_equal(g->diag[0], "F90.0");
    assert_true(json_equal(g->raw, r->raw));
    triage_referral_free(g);
    triage_referral_free(r);

    assert_null(triage_store_get(st, "nope", &err));
    assert_int_equal(err.code, TRIAGE_ENOTFOUND);

    /* undecided: new (derived from the decisions, not a column) */
    char status[16] = "";
    assert_int_equal(triage_store_record(st, "RT-1", status_fn, status, &err), TRIAGE_OK);
    assert_string_equal(status, "new");

    /* the indexed columns as the brief lists them */
    triage_store_close(st);
    char *v = raw_query(path, "SELECT cpr || '|' || birth_date || '|' || age || '|' || age_band"
                              " || '|' || referrer_kind || '|' || source"
                              " || '|' || line FROM referrals WHERE id = 'RT-1'", NULL);
    assert_string_equal(v, CPR1 "|2010-01-01|10|8-13|gp|in.jsonl|12");
    free(v);
}

/* The row keeps the record's text as it came (a number as the sender wrote
** it, the sender's layout), not the tree written out again; only the blanks
** around the record go. The row reads back to the same referral. */
static void test_store_keeps_the_record_as_received(void **state)
{
    char path[512];
    db_path(path, sizeof path, "asis.db");
    triage_store *st = open_store(path);
    static const char rec[] =
        "{\"id\": \"AS-1\", \"received\": \"2020-03-01\",\n"
        "  \"referrer\": {\"kind\": \"gp\"},\n"
        "  \"patient\": {\"birth_date\": \"2008-02-02\", \"municipality\": \"K\\u00f8ge\"},\n"
        "  \"somatic\": {\"weight_kg\": 35.7, \"height_cm\": 1.53e2}}";
    char input[sizeof rec + 8];
    snprintf(input, sizeof input, " \n%s\r\n\t", rec);
    triage_error err;
    triage_referral *r = triage_referral_parse(input, strlen(input), "asis.json", 1, &err);
    assert_non_null(r);
    assert_int_equal(triage_store_put(st, r, "asis.json", 1, &err), TRIAGE_OK);
    triage_referral_free(r);
    triage_referral *g = triage_store_get(st, "AS-1", &err);
    assert_non_null(g);
    assert_string_equal(g->municipality, "K\xc3\xb8ge");
    assert_true(g->somatic[0] == 153.0 && g->somatic[1] == 35.7);
    triage_referral_free(g);
    triage_store_close(st);

    char *v = raw_query(path, "SELECT json FROM referrals WHERE id = 'AS-1'", NULL);
    assert_string_equal(v, rec);
    free(v);
    v = raw_query(path, "SELECT imported_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
                        "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' FROM referrals", NULL);
    assert_string_equal(v, "1");
    free(v);
    /* the age band's check, spelt without IN, still refuses what is not a band */
    int rc;
    free(raw_query(path, "UPDATE referrals SET age_band = '8-12'", &rc));
    assert_int_equal(rc, SQLITE_CONSTRAINT_CHECK & 0xff);
    free(raw_query(path, "UPDATE referrals SET age_band = NULL", &rc));
    assert_int_equal(rc, SQLITE_DONE);
}

static void test_store_in_memory_keeps_a_referral_without_cpr(void **state)
{
    triage_store *st = open_store(":memory:");
    put_ok(st, "A", "2020-01-01", NULL, "2003-01-01");
    triage_error err;
    triage_referral *g = triage_store_get(st, "A", &err);
    assert_non_null(g);
    assert_string_equal(g->cpr, "");
    triage_referral_free(g);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 1);
    triage_store_close(st);
}

static void test_store_refuses_a_known_id_and_keeps_the_batch(void **state)
{
    triage_error err;
    triage_store *st = open_store(":memory:");
    triage_referral *r = mkref("D-1", "2020-01-01", CPR1, NULL);
    assert_int_equal(triage_store_put(st, r, "a.json", 1, &err), TRIAGE_OK);
    assert_int_equal(triage_store_put(st, r, "b.json", 9, &err), TRIAGE_EDUPLICATE);
    assert_int_equal(err.code, TRIAGE_EDUPLICATE);
    assert_string_equal(err.id, "D-1");
    assert_string_equal(err.field, "id");
    assert_int_equal(err.line, 9);
    assert_non_null(strstr(err.text, "b.json:9: D-1: "));
    assert_null(strstr(err.text, "0101104123"));
    assert_int_equal(triage_store_count(st, "referrals", NULL), 1);
    /* inside a batch the batch survives the duplicate */
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    assert_int_equal(triage_store_put(st, r, NULL, 0, &err), TRIAGE_EDUPLICATE);
    put_ok(st, "D-2", "2020-01-02", CPR1, NULL);
    assert_int_equal(triage_store_commit(st, &err), TRIAGE_OK);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 2);
    triage_referral_free(r);
    triage_store_close(st);
}

static void test_store_quarantine_keeps_the_record_and_its_error(void **state)
{
    char path[300];
    triage_error err, why;
    db_path(path, sizeof path, "q.db");
    triage_store *st = open_store(path);
    const char *raw = "{\"id\":\"Q-1\",\"received\":\"2020-13-01\",\"patient\":{\"cpr\":\"0101104123\"}}";
    assert_null(triage_referral_parse(raw, strlen(raw), "bad.jsonl", 4, &why));
    assert_int_equal(triage_store_quarantine(st, raw, strlen(raw), &why, &err), TRIAGE_OK);
    assert_int_equal(triage_store_quarantine(st, NULL, 0, &why, &err), TRIAGE_OK);
    assert_int_equal(triage_store_count(st, "quarantine", NULL), 2);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 0);
    triage_store_close(st);
    char *v = raw_query(path, "SELECT raw FROM quarantine ORDER BY seq LIMIT 1", NULL);
    assert_string_equal(v, raw);           /* kept byte for byte */
    free(v);
    v = raw_query(path, "SELECT error FROM quarantine ORDER BY seq LIMIT 1", NULL);
    assert_string_equal(v, why.text);
    assert_null(strstr(v, "0101104123"));
    free(v);
    v = raw_query(path, "SELECT source || ':' || line || ':' || record_id FROM quarantine LIMIT 1", NULL);
    assert_string_equal(v, "bad.jsonl:4:Q-1");
    free(v);
}

static void test_store_decision_log_is_append_only(void **state)
{
    char path[300];
    triage_error err;
    int rc;
    db_path(path, sizeof path, "dec.db");
    triage_store *st = open_store(path);
    put_ok(st, "X-1", "2020-01-01", CPR1, NULL);

    triage_decision *d = dc_new("X-1", HASH_A, 0);
    d->outcome = TRIAGE_REQUEST_INFO;
    d->missing = 1u << MI_PPV | 1u << MI_COGNITIVE;
    d->request_from = dc_request_index("municipality");
    dc_add_reason(d, "COG-01", "Mangler kognitiv test for 0101104123");
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
    triage_decision_free(d);

    /* a decision for a referral that is not stored */
    d = dc_new("X-404", HASH_A, 0);
    d->outcome = TRIAGE_REJECT;
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_ENOTFOUND);
    /* an undecided decision is refused */
    d->outcome = -1;
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_EUSAGE);
    triage_decision_free(d);
    assert_int_equal(triage_store_count(st, "decisions", NULL), 1);
    /* the referral's status is its latest decision's outcome */
    char status[16] = "";
    assert_int_equal(triage_store_record(st, "X-1", status_fn, status, &err), TRIAGE_OK);
    assert_string_equal(status, "request_info");
    triage_store_close(st);

    char *v = raw_query(path, "SELECT outcome || '|' || missing || '|' || request_from || '|'"
                              " || reasons || '|' || ruleset FROM decisions", NULL);
    assert_string_equal(v, "request_info|[\"cognitive_assessment\",\"ppv\"]|municipality|"
                           "[{\"rule\":\"COG-01\",\"text\":\"Mangler kognitiv test for XXXXXX-XXXX\"}]|"
                           HASH_A);
    free(v);

    free(raw_query(path, "UPDATE decisions SET outcome = 'accept'", &rc));
    assert_int_equal(rc, SQLITE_CONSTRAINT);
    free(raw_query(path, "DELETE FROM decisions", &rc));
    assert_int_equal(rc, SQLITE_CONSTRAINT);
    v = raw_query(path, "SELECT count(*) || outcome FROM decisions", NULL);
    assert_string_equal(v, "1request_info");
    free(v);
}

/* Collects ids; optionally decides each one from the callback itself. */
struct collect { char ids[64][16]; int n; triage_store *decide_in; int stop_at; };

static int collect_fn(void *ud, triage_referral *r)
{
    struct collect *c = ud;
    snprintf(c->ids[c->n++], 16, "%s", r->id);
    if (c->decide_in) decide(c->decide_in, r->id, HASH_A, TRIAGE_ACCEPT, "buc");
    triage_referral_free(r);
    return c->stop_at && c->n == c->stop_at;
}

/* The reasons column is the compact JSON array of {rule, text}, the texts
** masked and escaped, whether SQL builds it (up to ST_REASONS_SQL reasons)
** or jansson (more); either reads back to the same reasons. */
static void test_store_reasons_column_is_the_masked_reasons_as_json(void **state)
{
    static const char *const texts[] = {
        "", "plain", "quote \" and \\ backslash", "slash / stays",
        "ctl \x01\x02\x07\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f end", "del \x7f",
        "æøå ÆØÅ é ß €", "emoji \xf0\x9f\x98\x80", "\xe2\x80\xa8 line sep",
        "cpr 010203-1234", "mixed \"\\/\n\t æ", "}{][,:"};
    static const int counts[] = {0, 1, 2, 8, 9, 12};
    char path[300];
    db_path(path, sizeof path, "reasons.db");
    triage_store *st = open_store(path);
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        char id[16], sql[128];
        triage_error err;
        snprintf(id, sizeof id, "RS-%d", counts[c]);
        put_ok(st, id, "2020-01-01", CPR1, NULL);
        triage_decision *d = dc_new(id, HASH_A, 0);
        d->outcome = TRIAGE_ACCEPT;
        json_t *want = json_array();
        for (int i = 0; i < counts[c]; i++) {
            assert_int_equal(dc_add_reason(d, texts[(i + 3) % 12], texts[i]), 0);
            json_array_append_new(want, json_pack("{s:s, s:s}", "rule", d->reasons[i].rule,
                                                  "text", d->reasons[i].text));
        }
        assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
        snprintf(sql, sizeof sql, "SELECT reasons FROM decisions WHERE referral_id = '%s'", id);
        char *got = raw_query(path, sql, NULL);
        assert_non_null(got);
        assert_null(strstr(got, "010203-1234"));
        assert_null(strstr(got, "\": "));               /* compact */
        json_t *back = json_loads(got, 0, NULL);
        assert_true(json_equal(back, want));
        json_decref(back);
        json_decref(want);
        free(got);
        triage_decision_free(d);
    }
    triage_store_close(st);
}

static void test_store_each_undecided_walks_by_received_then_id(void **state)
{
    triage_error err;
    triage_store *st = open_store(":memory:");
    put_ok(st, "C", "2020-02-01", CPR1, NULL);
    put_ok(st, "B", "2020-02-01", CPR2, NULL);
    put_ok(st, "Z", "2020-01-15", NULL, NULL);
    put_ok(st, "A", "2020-03-01", CPR1, NULL);
    decide(st, "C", HASH_A, TRIAGE_ACCEPT, "buc");

    struct collect c = { .n = 0 };
    assert_int_equal(triage_store_each_undecided(st, HASH_A, collect_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.ids[0], "Z");
    assert_string_equal(c.ids[1], "B");
    assert_string_equal(c.ids[2], "A");
    assert_int_equal(triage_store_count(st, "undecided", HASH_A), 3);

    /* a decision from another rule set does not count */
    memset(&c, 0, sizeof c);
    assert_int_equal(triage_store_each_undecided(st, HASH_B, collect_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.ids[1], "B");
    assert_string_equal(c.ids[2], "C");

    /* stopping early */
    memset(&c, 0, sizeof c);
    c.stop_at = 1;
    assert_int_equal(triage_store_each_undecided(st, HASH_B, collect_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 1);

    /* the callback may write to the same store */
    memset(&c, 0, sizeof c);
    c.decide_in = st;
    assert_int_equal(triage_store_each_undecided(st, HASH_A, collect_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 3);
    assert_int_equal(triage_store_count(st, "undecided", HASH_A), 0);
    assert_int_equal(triage_store_count(st, "undecided", HASH_B), 4);
    assert_int_equal(triage_store_count(st, "decisions", NULL), 4);
    assert_int_equal(triage_store_count(st, "undecided", NULL), -1);
    assert_int_equal(triage_store_count(st, "bogus", NULL), -1);
    triage_store_close(st);
}

static void test_store_history_is_earlier_referrals_with_latest_decisions(void **state)
{
    triage_store *st = open_store(":memory:");
    put_ok(st, "H-d", "2020-03-01", CPR1, NULL);
    put_ok(st, "H-c", "2020-02-01", CPR1, NULL);
    put_ok(st, "H-b", "2020-02-01", CPR1, NULL);
    put_ok(st, "H-a", "2020-01-01", CPR1, NULL);
    put_ok(st, "O-1", "2019-01-01", CPR2, NULL);   /* another child */
    put_ok(st, "N-1", "2019-01-01", NULL, NULL);   /* no CPR */
    decide(st, "H-a", HASH_B, TRIAGE_ACCEPT, "buc");
    decide(st, "H-a", HASH_A, TRIAGE_REDIRECT, "municipality");
    decide(st, "H-a", HASH_B, TRIAGE_REJECT, NULL);
    decide(st, "H-b", HASH_B, TRIAGE_ACCEPT, "buc");
    decide(st, "H-b", HASH_B, TRIAGE_REDIRECT, "specialist_practice");

    st_prior p[8];
    /* same day: only ids sorting before "H-c" */
    int n = st_history(st, CPR1, dt_from_ymd(2020, 2, 1), "H-c", HASH_A, p, 8);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].id, "H-a");
    assert_int_equal(p[0].received, dt_from_ymd(2020, 1, 1));
    assert_string_equal(p[0].outcome, "redirect");     /* rule set A preferred */
    assert_string_equal(p[0].target, "municipality");
    assert_string_equal(p[1].id, "H-b");
    assert_string_equal(p[1].outcome, "redirect");     /* latest of any */
    assert_string_equal(p[1].target, "specialist_practice");

    /* from rule set B's view H-a's latest B decision wins */
    n = st_history(st, CPR1, dt_from_ymd(2020, 2, 1), "H-c", HASH_B, p, 8);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].outcome, "reject");
    assert_string_equal(p[0].target, "");

    /* later: everything before, oldest first; undecided ones have "" */
    n = st_history(st, CPR1, dt_from_ymd(2020, 3, 1), "H-z", HASH_A, p, 8);
    assert_int_equal(n, 4);
    assert_string_equal(p[2].id, "H-c");
    assert_string_equal(p[2].outcome, "");
    assert_string_equal(p[3].id, "H-d");

    /* max caps what is written, not what is counted */
    memset(p, 0x55, sizeof p);
    n = st_history(st, CPR1, dt_from_ymd(2021, 1, 1), "A", HASH_A, p, 1);
    assert_int_equal(n, 4);
    assert_string_equal(p[0].id, "H-a");
    assert_int_equal((unsigned char)p[1].id[0], 0x55);

    assert_int_equal(st_history(st, CPR1, dt_from_ymd(2020, 1, 1), "H-a", HASH_A, p, 8), 0);
    assert_int_equal(st_history(st, "9999999999", dt_from_ymd(2030, 1, 1), "x", NULL, p, 8), 0);
    n = st_history(st, CPR2, dt_from_ymd(2030, 1, 1), "x", NULL, p, 8);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].id, "O-1");
    triage_store_close(st);
}

struct counter { int n; char last[16]; int sorted; };

static int count_fn(void *ud, triage_referral *r)
{
    struct counter *c = ud;
    if (c->n && strcmp(c->last, r->id) >= 0) c->sorted = 0;
    snprintf(c->last, sizeof c->last, "%s", r->id);
    c->n++;
    triage_referral_free(r);
    return 0;
}

static void test_store_batch_commits_or_rolls_back_as_one(void **state)
{
    char path[300], id[16];
    triage_error err;
    db_path(path, sizeof path, "batch.db");
    triage_store *st = open_store(path);

    /* a rolled back batch leaves nothing */
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_EUSAGE);
    put_ok(st, "RB-1", "2020-01-01", NULL, NULL);
    assert_int_equal(triage_store_rollback(st), TRIAGE_OK);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 0);
    assert_int_equal(triage_store_commit(st, &err), TRIAGE_EUSAGE);

    /* 1000 in one transaction; other connections see none until commit */
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "B-%04d", i);
        triage_referral *r = mkref(id, "2020-06-01", i % 2 ? CPR1 : NULL, NULL);
        assert_int_equal(triage_store_put(st, r, "batch.jsonl", i + 1, &err), TRIAGE_OK);
        triage_referral_free(r);
    }
    char *v = raw_query(path, "SELECT count(*) FROM referrals", NULL);
    assert_string_equal(v, "0");
    free(v);
    assert_int_equal(triage_store_commit(st, &err), TRIAGE_OK);
    assert_int_equal(triage_store_count(st, "referrals", NULL), 1000);
    v = raw_query(path, "SELECT count(*) FROM referrals", NULL);
    assert_string_equal(v, "1000");
    free(v);

    /* a second batch past the 1024-row chunk: iteration stays in order */
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    for (int i = 1000; i < 2100; i++) {
        snprintf(id, sizeof id, "B-%04d", i);
        triage_referral *r = mkref(id, "2020-06-01", NULL, NULL);
        assert_int_equal(triage_store_put(st, r, NULL, 0, &err), TRIAGE_OK);
        triage_referral_free(r);
    }
    assert_int_equal(triage_store_commit(st, &err), TRIAGE_OK);
    struct counter c = { .sorted = 1 };
    assert_int_equal(triage_store_each_undecided(st, HASH_A, count_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 2100);
    assert_true(c.sorted);
    assert_string_equal(c.last, "B-2099");
    triage_store_close(st);
}

/* SQLite rolls a transaction back by itself after some errors (FULL,
** IOERR, ...); the batch is then still open. Every write after that is
** refused, naming the record, and nothing is committed on its own: before,
** a decision stored then was committed alone, outside the batch. */
static void test_store_refuses_writes_once_sqlite_rolled_the_batch_back(void **state)
{
    char path[300];
    triage_error err;
    db_path(path, sizeof path, "lost.db");
    triage_store *st = open_store(path);
    put_ok(st, "L-1", "2020-01-01", CPR1, NULL);

    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    put_ok(st, "L-2", "2020-01-02", CPR1, NULL);
    decide(st, "L-1", HASH_A, TRIAGE_ACCEPT, "buc");
    assert_int_equal(sqlite3_exec(st_db(st), "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);

    triage_decision *d = dc_new("L-1", HASH_A, 0);
    d->outcome = TRIAGE_REJECT;
    dc_add_reason(d, "T-01", "test");
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_ESTORE);
    assert_string_equal(err.id, "L-1");
    assert_non_null(strstr(err.text, "rolled back"));
    triage_decision_free(d);
    triage_referral *r = mkref("L-3", "2020-01-03", CPR1, NULL);
    assert_int_equal(triage_store_put(st, r, "in.jsonl", 3, &err), TRIAGE_ESTORE);
    assert_string_equal(err.id, "L-3");
    triage_referral_free(r);
    triage_error bad;
    triage_error_set(&bad, TRIAGE_EINVAL, "in.jsonl", 4, "L-4", "received", "bad date");
    assert_int_equal(triage_store_quarantine(st, "{}", 2, &bad, &err), TRIAGE_ESTORE);
    assert_string_equal(err.id, "L-4");
    assert_int_equal(err.line, 4);
    assert_int_equal(triage_store_meta_set(st, "k", "v", &err), TRIAGE_ESTORE);
    /* the engine's other tables: a write there is refused as well */
    assert_int_equal(st_write_begin(st), -1);
    assert_int_equal(st_dberr(st, &err, "review"), TRIAGE_ESTORE);
    assert_non_null(strstr(err.text, "store: review: the batch's transaction was rolled back"));
    assert_int_equal(st_write_end(st, 1), -1);

    assert_int_not_equal(triage_store_commit(st, &err), TRIAGE_OK);
    assert_int_equal(triage_store_rollback(st), TRIAGE_OK);
    char *v = raw_query(path, "SELECT count(*) FROM decisions", NULL);
    assert_string_equal(v, "0");
    free(v);
    v = raw_query(path, "SELECT group_concat(id) FROM referrals", NULL);
    assert_string_equal(v, "L-1");
    free(v);
    v = raw_query(path, "SELECT (SELECT count(*) FROM quarantine) || '/' || "
                        "(SELECT count(*) FROM meta WHERE key = 'k')", NULL);
    assert_string_equal(v, "0/0");
    free(v);

    /* the next batch works as before */
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    decide(st, "L-1", HASH_A, TRIAGE_ACCEPT, "buc");
    assert_int_equal(triage_store_commit(st, &err), TRIAGE_OK);
    assert_int_equal(triage_store_count(st, "decisions", NULL), 1);
    triage_store_close(st);
}

/* The same after a real cause: the database may not grow (as on a full
** disk); SQLite rolls the batch back, and the error says both why and that
** the batch is gone, naming the decision. */
static void test_store_disk_full_in_a_batch_says_why_and_keeps_nothing_of_it(void **state)
{
    char path[300], id[16];
    triage_error err;
    db_path(path, sizeof path, "full.db");
    triage_store *st = open_store(path);
    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "F-%03d", i);
        put_ok(st, id, "2020-03-01", NULL, NULL);
    }
    assert_int_equal(triage_store_commit(st, &err), TRIAGE_OK);
    char *pages = raw_query(path, "PRAGMA page_count", NULL);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d", atoi(pages) + 2);
    free(pages);
    assert_int_equal(sqlite3_exec(st_db(st), sql, NULL, NULL, NULL), SQLITE_OK);

    assert_int_equal(triage_store_begin(st, &err), TRIAGE_OK);
    triage_code rc = TRIAGE_OK;
    int i;
    for (i = 0; i < 300 && rc == TRIAGE_OK; i++) {
        snprintf(id, sizeof id, "F-%03d", i);
        triage_decision *d = dc_new(id, HASH_A, 0);
        d->outcome = TRIAGE_ACCEPT;
        d->target = dc_target_index("buc");
        dc_add_reason(d, "T-01", "a reason long enough to fill the few pages the file may grow by");
        rc = triage_store_put_decision(st, d, &err);
        triage_decision_free(d);
    }
    assert_int_equal(rc, TRIAGE_ESTORE);
    assert_string_equal(err.id, id);
    assert_non_null(strstr(err.text, "full"));
    assert_non_null(strstr(err.text, "the batch's transaction was rolled back"));
    assert_int_not_equal(triage_store_commit(st, &err), TRIAGE_OK);
    char *v = raw_query(path, "SELECT count(*) FROM decisions", NULL);
    assert_string_equal(v, "0");
    free(v);
    triage_store_close(st);
}

/* ------------------------------------------------- packed referrals (v2) */

/* Per referral seen: id, whether it came from its packed form (no JSON
** tree), its text and age. */
struct seen { int n; char id[8][16]; int packed[8]; char text[8][64]; int age[8]; };

static int seen_fn(void *ud, triage_referral *r)
{
    struct seen *c = ud;
    if (c->n < 8) {
        snprintf(c->id[c->n], 16, "%s", r->id);
        c->packed[c->n] = r->raw == NULL;
        snprintf(c->text[c->n], 64, "%s", r->text);
        c->age[c->n] = r->age;
        c->n++;
    }
    triage_referral_free(r);
    return 0;
}

static void exec_raw(const char *path, const char *sql)
{
    int rc;
    free(raw_query(path, sql, &rc));
    assert_int_equal(rc, SQLITE_DONE);
}

/* triage_store_version moves when another handle commits and stays while
** the handle itself writes: `run --watch` counts the undecided only then. */
static void test_store_version_moves_only_for_another_handles_commit(void **state)
{
    char path[300];
    db_path(path, sizeof path, "version.db");
    triage_store *a = open_store(path), *b = open_store(path);
    assert_int_equal(triage_store_version(NULL), -1);
    long va = triage_store_version(a), vb = triage_store_version(b);
    assert_true(va >= 0 && vb >= 0);
    put_ok(a, "V-1", "2020-01-02", CPR1, NULL);
    assert_int_equal(triage_store_version(a), va);    /* its own commit */
    assert_int_not_equal(triage_store_version(b), vb);
    vb = triage_store_version(b);
    assert_int_equal(triage_store_version(b), vb);    /* nothing new */
    put_ok(b, "V-2", "2020-01-03", CPR2, NULL);
    assert_int_not_equal(triage_store_version(a), va);
    triage_store_close(a);
    triage_store_close(b);
}

/* Each referral with its has_earlier, "A0 B1 ...", in order of id. */
static char *earlier_flags(const char *path)
{
    return raw_query(path, "SELECT group_concat(id || has_earlier, ' ') FROM"
                           " (SELECT id, has_earlier FROM referrals ORDER BY id)", NULL);
}

/* Rows that say "no earlier referral" (has_earlier 0) while a referral of
** the child sorts before them by (received, id): a history `run` would miss.
** The other way round is allowed: a row a correction left behind keeps 1. */
static long earlier_missed(const char *path)
{
    char *v = raw_query(path, "SELECT count(*) FROM referrals r WHERE has_earlier = 0"
                              " AND EXISTS(SELECT 1 FROM referrals p"
                              "  WHERE p.cpr = r.cpr AND (p.received, p.id) < (r.received, r.id))",
                        NULL);
    long n = atol(v);
    free(v);
    return n;
}

struct firsts { int n; char text[128]; };

static int first_fn(void *ud, triage_referral *r)
{
    struct firsts *f = ud;
    size_t k = strlen(f->text);
    snprintf(f->text + k, sizeof f->text - k, "%s%s%d", f->n++ ? " " : "", r->id,
             r->first_of_child);
    triage_referral_free(r);
    return 0;
}

static void replace_ok(triage_store *st, const char *id, const char *received, const char *cpr)
{
    triage_error err;
    triage_referral *r = mkref(id, received, cpr, NULL);
    assert_int_equal(st_put_row(st, r, "fix.jsonl", 1, 1, &err), TRIAGE_OK);
    triage_referral_free(r);
}

/* has_earlier is 0 for a child's first referral by (received, id), the
** date's tie broken by id, whatever order the referrals came in, and never
** 0 for one with an earlier referral after a correction of a date or a CPR
** (a row a correction leaves behind may keep 1: its history is asked for).
** The undecided reach `run` with it as first_of_child, whose history `run`
** then does not ask for. */
static void test_store_knows_a_childs_first_referral_whatever_the_order_of_import(void **state)
{
    triage_error err;
    char path[300];
    db_path(path, sizeof path, "first.db");
    triage_store *st = open_store(path);
    put_ok(st, "B", "2020-03-01", CPR1, NULL);
    put_ok(st, "C", "2020-05-01", CPR1, NULL);
    put_ok(st, "A", "2020-01-01", CPR1, NULL);   /* the earliest, imported last */
    put_ok(st, "D", "2020-02-01", CPR2, NULL);
    put_ok(st, "E", "2020-02-01", NULL, "2012-05-01");   /* no CPR: no history */
    put_ok(st, "T-b", "2020-07-01", CPR3, NULL);  /* the same day: id decides */
    put_ok(st, "T-a", "2020-07-01", CPR3, NULL);
    char *v = earlier_flags(path);
    assert_string_equal(v, "A0 B1 C1 D0 E0 T-a0 T-b1");
    free(v);
    assert_int_equal(earlier_missed(path), 0);
    struct firsts f = {0};
    assert_int_equal(triage_store_each_undecided(st, HASH_A, first_fn, &f, &err), TRIAGE_OK);
    assert_string_equal(f.text, "A1 D1 E1 B0 C0 T-a1 T-b0");
    /* and it agrees with the history itself */
    st_prior p[4];
    assert_int_equal(st_history(st, CPR1, dt_from_ymd(2020, 1, 1), "A", HASH_A, p, 4), 0);
    assert_int_equal(st_history(st, CPR1, dt_from_ymd(2020, 3, 1), "B", HASH_A, p, 4), 1);
    assert_int_equal(st_history(st, CPR3, dt_from_ymd(2020, 7, 1), "T-b", HASH_A, p, 4), 1);

    /* corrections: B moves before A; D becomes CPR1's; C becomes CPR2's */
    replace_ok(st, "B", "2019-12-01", CPR1);
    v = earlier_flags(path);
    assert_string_equal(v, "A1 B0 C1 D0 E0 T-a0 T-b1");
    free(v);
    replace_ok(st, "D", "2020-02-01", CPR1);
    replace_ok(st, "C", "2020-05-01", CPR2);
    v = earlier_flags(path);
    assert_string_equal(v, "A1 B0 C0 D1 E0 T-a0 T-b1");
    free(v);
    /* the first moves last: it gains an earlier one; A, now first, keeps 1 */
    replace_ok(st, "B", "2020-09-01", CPR1);
    v = earlier_flags(path);
    assert_string_equal(v, "A1 B1 C0 D1 E0 T-a0 T-b1");
    free(v);
    assert_int_equal(earlier_missed(path), 0);
    triage_store_close(st);
}

static void test_store_packed_rows_are_used_only_while_they_match(void **state)
{
    triage_error err;
    char path[300];
    db_path(path, sizeof path, "packed.db");
    triage_store *st = open_store(path);
    put_ok(st, "A", "2020-01-01", CPR1, NULL);
    put_ok(st, "B", "2020-01-02", CPR2, NULL);
    put_ok(st, "C", "2020-01-03", NULL, "2012-05-01");
    char *v = raw_query(path, "SELECT count(*) FROM referral_packed", NULL);
    assert_string_equal(v, "3");
    free(v);

    /* fresh rows come from their packed form, equal to the parsed record */
    struct seen c = {0};
    assert_int_equal(triage_store_each_undecided(st, HASH_A, seen_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 3);
    triage_referral *want = mkref("A", "2020-01-01", CPR1, NULL);
    for (int i = 0; i < 3; i++) {
        assert_true(c.packed[i]);
        assert_string_equal(c.text[i], want->text);
    }
    assert_string_equal(c.id[0], "A");
    assert_int_equal(c.age[0], want->age);
    triage_referral_free(want);

    /* a damaged or missing packed form, or JSON edited after import: the
    ** JSON is parsed again and wins */
    exec_raw(path, "UPDATE referral_packed SET packed = zeroblob(40) WHERE id = 'A'");
    exec_raw(path, "DELETE FROM referral_packed WHERE id = 'B'");
    exec_raw(path, "UPDATE referrals SET json = json_set(json, '$.text', 'Ny tekst')"
                   " WHERE id = 'C'");
    memset(&c, 0, sizeof c);
    assert_int_equal(triage_store_each_undecided(st, HASH_A, seen_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 3);
    for (int i = 0; i < 3; i++) assert_false(c.packed[i]);
    assert_int_equal(c.age[0], 10);
    assert_string_equal(c.text[2], "Ny tekst");

    /* JSON damaged after import: reported with where it came from, and no
    ** CPR in the message, whatever the packed form says */
    exec_raw(path, "UPDATE referral_packed SET packed = (SELECT packed FROM referral_packed"
                   " WHERE id = 'C') WHERE id = 'A'");
    exec_raw(path, "UPDATE referrals SET json = '{\"id\":\"A\",\"patient\":{\"cpr\":\""
                   CPR1 "\"' WHERE id = 'A'");
    memset(&c, 0, sizeof c);
    assert_int_not_equal(triage_store_each_undecided(st, HASH_A, seen_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(err.code, TRIAGE_EJSON);
    assert_non_null(strstr(err.text, "in.jsonl:7"));
    assert_null(strstr(err.text, CPR1));
    assert_int_equal(c.n, 0);

    /* well-formed but no longer valid: the validator still has the last word */
    exec_raw(path, "UPDATE referrals SET json = json_set((SELECT json FROM referrals"
                   " WHERE id = 'B'), '$.id', 'A', '$.gapd', 99) WHERE id = 'A'");
    memset(&c, 0, sizeof c);
    assert_int_equal(triage_store_each_undecided(st, HASH_A, seen_fn, &c, &err), TRIAGE_EINVAL);
    assert_string_equal(err.field, "gapd");
    assert_null(strstr(err.text, CPR2));
    triage_store_close(st);
}

/* A version 1 database (no referral_packed: the schema-2 database as triage
** wrote it, less that table) opens, is brought up to date, and its old rows
** are parsed from their JSON; a newer one is refused by name. */
static void test_store_upgrades_a_version_1_database_and_refuses_a_newer(void **state)
{
    triage_error err;
    char path[300], cmd[700];
    db_path(path, sizeof path, "v1.db");
    snprintf(cmd, sizeof cmd, "cp '%s/tests/data/db/schema-2.db' '%s'", TRIAGE_SOURCE_DIR, path);
    assert_int_equal(system(cmd), 0);
    exec_raw(path, "DROP TABLE referral_packed");
    exec_raw(path, "PRAGMA user_version = 1");

    triage_store *st = open_store(path);
    char *v = raw_query(path, "PRAGMA user_version", NULL);
    assert_string_equal(v, SCHEMA);
    free(v);
    put_ok(st, "B", "2020-01-02", CPR2, NULL);
    struct seen c = {0};
    assert_int_equal(triage_store_each_undecided(st, HASH_A, seen_fn, &c, &err), TRIAGE_OK);
    assert_int_equal(c.n, 6);
    for (int i = 0; i < c.n; i++)   /* imported before: parsed; B: packed */
        assert_int_equal(c.packed[i], !strcmp(c.id[i], "B"));
    triage_store_close(st);

    exec_raw(path, "PRAGMA user_version = " SCHEMA_NEWER);
    assert_null(triage_store_open(path, &err));
    assert_int_equal(err.code, TRIAGE_ESTORE);
    assert_non_null(strstr(err.text, "newer triage"));
}

static int keep_fn(void *ud, triage_referral *r)
{
    *(triage_referral **)ud = r;
    return 1;
}

/* A referral read back from the store has no JSON tree to store again. */
static void test_store_refuses_to_store_a_referral_read_back(void **state)
{
    triage_error err;
    triage_referral *r = NULL;
    char path[300];
    db_path(path, sizeof path, "again.db");
    triage_store *st = open_store(path);
    put_ok(st, "A", "2020-01-01", CPR1, NULL);
    assert_int_equal(triage_store_each_undecided(st, HASH_A, keep_fn, &r, &err), TRIAGE_OK);
    assert_non_null(r);
    assert_null(r->raw);
    assert_int_equal(triage_store_put(st, r, NULL, 0, &err), TRIAGE_EUSAGE);
    assert_int_equal(err.code, TRIAGE_EUSAGE);
    assert_non_null(strstr(err.text, "only a parsed referral can be stored"));
    triage_referral_free(r);
    triage_store_close(st);
}

/* No CPR, no history: a referral without one is a child of its own, in
** the store as in the predicate every history source asks. */
static void test_history_of_a_referral_without_cpr_is_empty(void **state)
{
    triage_store *st = open_store(":memory:");
    put_ok(st, "N-1", "2019-01-01", NULL, "2012-05-01");
    put_ok(st, "N-2", "2019-02-01", NULL, "2012-05-01");
    st_prior p[4];
    assert_int_equal(st_history(st, "", triage_date_from_ymd(2019, 3, 1), "N-3", HASH_A, p, 4), 0);
    triage_store_close(st);

    hs_place a = {"", 100, "A"}, b = {"", 200, "B"};
    assert_false(hs_is_prior(&a, &b));
    hs_place c = {CPR1, 100, "A"}, d = {CPR1, 200, "B"}, e = {CPR1, 100, "B"};
    hs_place f = {CPR2, 50, "A"};
    assert_true(hs_is_prior(&c, &d));       /* received earlier */
    assert_false(hs_is_prior(&d, &c));
    assert_true(hs_is_prior(&c, &e));       /* same day: the id decides */
    assert_false(hs_is_prior(&e, &c));
    assert_false(hs_is_prior(&c, &c));      /* never itself */
    assert_false(hs_is_prior(&f, &d));      /* another child */
    triage_referral *r = mkref("N-9", "2020-01-01", NULL, "2012-05-01");
    assert_string_equal(hs_child(r), "N-9");
    triage_referral_free(r);
    r = mkref("C-9", "2020-01-01", "010110-4123", NULL);
    assert_string_equal(hs_child(r), CPR1);
    triage_referral_free(r);
}

/* Work-list rows as the callback sees them. */
struct rows { int n; char ids[8][16]; char status[8][16]; int nlog[8]; char outcome[8][16];
              char unit[8][8]; int nreasons[8]; };

static int rows_fn(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    struct rows *x = ud;
    int i = x->n++;
    snprintf(x->ids[i], 16, "%s", row->id);
    snprintf(x->status[i], 16, "%s", row->status);
    assert_string_equal(row->municipality, "Gladsaxe");
    assert_null(row->json);
    x->nlog[i] = n;
    if (n) {
        const char *u = triage_decision_unit(log[0].decision);
        snprintf(x->outcome[i], 16, "%s", triage_outcome_name(triage_decision_outcome(log[0].decision)));
        snprintf(x->unit[i], 8, "%s", u ? u : "");
        x->nreasons[i] = triage_decision_reason_count(log[0].decision);
        assert_true(log[0].seq > 0);
        assert_non_null(log[0].decided_at);
    }
    return 0;
}

static void decide_unit(triage_store *st, const char *id, const char *unit, const char *deadline)
{
    triage_error err;
    triage_decision *d = dc_new(id, HASH_A, 0);
    d->outcome = TRIAGE_ACCEPT;
    d->target = dc_target_index("buc");
    snprintf(d->unit, sizeof d->unit, "%s", unit);
    d->priority = dc_priority_index("urgent");
    assert_true(dt_parse_iso(deadline, 10, &d->deadline));
    dc_add_reason(d, "ACC-01", "Optages.");
    dc_add_reason(d, "ACC-02", "Enhed efter alder.");
    assert_int_equal(triage_store_put_decision(st, d, &err), TRIAGE_OK);
    triage_decision_free(d);
}

static void test_store_lists_the_work_list_with_each_latest_decision(void **state)
{
    triage_error err;
    triage_store *st = open_store(":memory:");
    put_ok(st, "W-1", "2020-01-01", CPR1, NULL);
    put_ok(st, "W-2", "2020-01-02", CPR2, NULL);
    put_ok(st, "W-3", "2020-01-03", NULL, NULL);
    decide(st, "W-1", HASH_A, TRIAGE_REJECT, NULL);
    decide_unit(st, "W-1", "B193", "2020-01-08");     /* the latest counts */
    decide_unit(st, "W-2", "B291", "2020-01-20");

    struct rows x = {0};
    long total = -1;
    assert_int_equal(triage_store_list(st, NULL, &total, rows_fn, &x, &err), TRIAGE_OK);
    assert_int_equal(total, 3);
    assert_int_equal(x.n, 3);
    assert_string_equal(x.ids[0], "W-3");             /* newest first */
    assert_string_equal(x.status[0], "new");
    assert_int_equal(x.nlog[0], 0);
    assert_string_equal(x.ids[2], "W-1");
    assert_int_equal(x.nlog[2], 1);
    assert_string_equal(x.outcome[2], "accept");
    assert_string_equal(x.unit[2], "B193");
    assert_int_equal(x.nreasons[2], 2);

    triage_query q = {.due = "2020-01-10", .limit = 10};
    memset(&x, 0, sizeof x);
    assert_int_equal(triage_store_list(st, &q, &total, rows_fn, &x, &err), TRIAGE_OK);
    assert_int_equal(total, 1);
    assert_string_equal(x.ids[0], "W-1");
    q = (triage_query){.outcome = "new"};
    memset(&x, 0, sizeof x);
    assert_int_equal(triage_store_list(st, &q, NULL, rows_fn, &x, &err), TRIAGE_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.ids[0], "W-3");
    assert_int_equal(triage_store_list(st, NULL, NULL, NULL, NULL, &err), TRIAGE_EUSAGE);
    assert_int_equal(err.code, TRIAGE_EUSAGE);
    assert_non_null(strstr(err.text, "callback"));
    triage_store_close(st);
}

/* One record: its row with the JSON as received, and its log oldest first,
** each decision rebuilt with its fields and reasons. */
struct record { int calls, n; char json_id[16]; char outcomes[4][16]; char deadline[11];
                char reason[64]; long seq[4]; };

static int record_fn(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    struct record *x = ud;
    x->calls++;
    x->n = n;
    json_t *j = json_loads(row->json, 0, NULL);
    snprintf(x->json_id, 16, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    for (int i = 0; i < n && i < 4; i++) {
        snprintf(x->outcomes[i], 16, "%s", triage_outcome_name(triage_decision_outcome(log[i].decision)));
        x->seq[i] = log[i].seq;
    }
    const char *rule, *text;
    if (n > 1 && triage_decision_reason(log[1].decision, 1, &rule, &text) == 0)
        snprintf(x->reason, sizeof x->reason, "%s: %s", rule, text);
    if (n > 1 && triage_decision_deadline(log[1].decision) != TRIAGE_NO_DAY)
        triage_date_format(triage_decision_deadline(log[1].decision), x->deadline);
    return 0;
}

static void test_store_record_is_the_row_and_its_whole_log(void **state)
{
    triage_error err;
    triage_store *st = open_store(":memory:");
    put_ok(st, "R-1", "2020-01-01", CPR1, NULL);
    decide(st, "R-1", HASH_B, TRIAGE_REJECT, NULL);
    decide_unit(st, "R-1", "B193", "2020-01-08");
    struct record x = {0};
    assert_int_equal(triage_store_record(st, "R-1", record_fn, &x, &err), TRIAGE_OK);
    assert_int_equal(x.calls, 1);
    assert_string_equal(x.json_id, "R-1");
    assert_int_equal(x.n, 2);
    assert_string_equal(x.outcomes[0], "reject");
    assert_string_equal(x.outcomes[1], "accept");
    assert_true(x.seq[0] < x.seq[1]);
    assert_string_equal(x.deadline, "2020-01-08");
    assert_string_equal(x.reason, "ACC-02: Enhed efter alder.");

    memset(&x, 0, sizeof x);
    assert_int_equal(triage_store_record(st, "NOPE", record_fn, &x, &err), TRIAGE_ENOTFOUND);
    assert_int_equal(err.code, TRIAGE_ENOTFOUND);
    assert_string_equal(err.id, "NOPE");
    assert_int_equal(x.calls, 0);
    triage_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_file_and_wal_are_0600_and_schema_versioned),
        cmocka_unit_test(test_store_open_error_names_the_path_or_the_missing_argument),
        cmocka_unit_test(test_store_deferred_checkpoints_leave_the_file_to_the_checkpointer),
        cmocka_unit_test(test_store_gives_back_the_referral_it_was_given),
        cmocka_unit_test(test_store_keeps_the_record_as_received),
        cmocka_unit_test(test_store_in_memory_keeps_a_referral_without_cpr),
        cmocka_unit_test(test_store_refuses_a_known_id_and_keeps_the_batch),
        cmocka_unit_test(test_store_quarantine_keeps_the_record_and_its_error),
        cmocka_unit_test(test_store_decision_log_is_append_only),
        cmocka_unit_test(test_store_reasons_column_is_the_masked_reasons_as_json),
        cmocka_unit_test(test_store_each_undecided_walks_by_received_then_id),
        cmocka_unit_test(test_store_history_is_earlier_referrals_with_latest_decisions),
        cmocka_unit_test(test_history_of_a_referral_without_cpr_is_empty),
        cmocka_unit_test(test_store_batch_commits_or_rolls_back_as_one),
        cmocka_unit_test(test_store_refuses_writes_once_sqlite_rolled_the_batch_back),
        cmocka_unit_test(test_store_disk_full_in_a_batch_says_why_and_keeps_nothing_of_it),
        cmocka_unit_test(test_store_packed_rows_are_used_only_while_they_match),
        cmocka_unit_test(test_store_upgrades_a_version_1_database_and_refuses_a_newer),
        cmocka_unit_test(test_store_knows_a_childs_first_referral_whatever_the_order_of_import),
        cmocka_unit_test(test_store_version_moves_only_for_another_handles_commit),
        cmocka_unit_test(test_store_refuses_to_store_a_referral_read_back),
        cmocka_unit_test(test_store_lists_the_work_list_with_each_latest_decision),
        cmocka_unit_test(test_store_record_is_the_row_and_its_whole_log),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
