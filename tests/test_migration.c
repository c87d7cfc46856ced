/*
** test_migration.c — a database an earlier triage wrote (tests/data/db/
** schema-2.db, schema version 2) opens with this one: it is brought to the
** newest schema in one transaction and nothing in it is lost or changed —
** every referral, decision, quarantined record, packed row and meta value
** reads back as it was; a step that fails leaves the file as it was.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "testutil.h"

static char *dir;

static int setup(void **state)
{
    dir = tu_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    tu_rmtree(dir);
    free(dir);
    return 0;
}

/* A copy of schema-2.db in dir, as name; its path in out. */
static void copy_v2(const char *name, char *out, size_t cap)
{
    char src[1024];
    size_t len;
    snprintf(src, sizeof src, "%s/tests/data/db/schema-2.db", TRIAGE_SOURCE_DIR);
    char *data = tu_slurp(src, &len);
    assert_non_null(data);
    snprintf(out, cap, "%s/%s", dir, name);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    free(data);
}

/* Every row of every table the query names, as one text: "col|col|...\n"
** per row (NULL as \N, blobs in hex), in the query's order. */
static char *dump(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(s); i++) {
            char cell[8192];
            if (sqlite3_column_type(s, i) == SQLITE_NULL)
                snprintf(cell, sizeof cell, "\\N");
            else if (sqlite3_column_type(s, i) == SQLITE_BLOB) {
                const unsigned char *b = sqlite3_column_blob(s, i);
                int len = sqlite3_column_bytes(s, i), k = 0;
                for (int j = 0; j < len && k + 3 < (int)sizeof cell; j++)
                    k += snprintf(cell + k, sizeof cell - (size_t)k, "%02x", b[j]);
            } else
                snprintf(cell, sizeof cell, "%s", (const char *)sqlite3_column_text(s, i));
            size_t l = strlen(cell) + 2;
            while (n + l + 1 > cap) out = realloc(out, cap *= 2);
            n += (size_t)sprintf(out + n, "%s%c", cell, i + 1 < sqlite3_column_count(s) ? '|' : '\n');
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

static long count(const char *path, const char *sql)
{
    char *v = dump(path, sql);
    long n = atol(v);
    free(v);
    return n;
}

static const char *const TABLES[] = {
    /* the columns schema 2 had; later steps add their own (lifecycle.c's version,
    ** superseded_seq, withdrawn_at), which the rows gain with their defaults, and
    ** step 7 derives status instead of keeping it (checked apart, through the API) */
    "SELECT id, received, cpr, birth_date, age, age_band, municipality, referrer_kind,"
    " json, source, line, imported_at FROM referrals ORDER BY id",
    "SELECT * FROM decisions ORDER BY seq",
    "SELECT * FROM quarantine ORDER BY seq",
    "SELECT * FROM referral_packed ORDER BY id",
    "SELECT key, value FROM meta ORDER BY key",
};
#define NTABLES (sizeof TABLES / sizeof TABLES[0])

/* The work list as "id|status\n" lines, in its order (newest first). */
typedef struct { int seen; char text[1024]; } listed;

static int row_fn(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    listed *l = ud;
    size_t k = strlen(l->text);
    assert_string_equal(row->review, n ? "suggested" : "new");
    assert_null(row->assignee);
    snprintf(l->text + k, sizeof l->text - k, "%s|%s\n", row->id, row->status);
    l->seen++;
    return 0;
}

static void test_migration_of_a_schema_2_database_keeps_every_row(void **state)
{
    char path[1200], fresh[1200];
    copy_v2("v2.db", path, sizeof path);
    assert_int_equal(count(path, "PRAGMA user_version"), 2);
    char *before[NTABLES];
    for (size_t i = 0; i < NTABLES; i++) before[i] = dump(path, TABLES[i]);
    /* the status each referral had as a column (the latest decision's
    ** outcome), in the work list's order, and how many had each */
    char *statuses = dump(path, "SELECT id, status FROM referrals ORDER BY received DESC, id DESC");
    char *by_status = dump(path, "SELECT status, count(*) FROM referrals GROUP BY status");
    assert_string_equal(by_status, "accept|2\nredirect|2\nrequest_info|1\n");
    assert_int_equal(count(path, "SELECT count(*) FROM referrals"), 5);
    assert_int_equal(count(path, "SELECT count(*) FROM decisions"), 5);
    assert_int_equal(count(path, "SELECT count(*) FROM quarantine"), 1);

    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    if (!st) fail_msg("%s", err.text);
    /* what it reads through the API: the five, each with its decision */
    long total = 0;
    listed l = {0};
    assert_int_equal(triage_store_list(st, NULL, &total, row_fn, &l, &err), TRIAGE_OK);
    assert_int_equal(total, 5);
    assert_int_equal(l.seen, 5);
    /* every status as it was, now derived from the decisions (step 7) */
    assert_string_equal(l.text, statuses);
    /* and the list's outcome filter finds the same referrals */
    static const struct { const char *outcome; long n; } want[] = {
        {"accept", 2}, {"redirect", 2}, {"request_info", 1}, {"new", 0}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        triage_query q = {.outcome = want[i].outcome};
        listed f = {0};
        assert_int_equal(triage_store_list(st, &q, &total, row_fn, &f, &err), TRIAGE_OK);
        assert_int_equal(total, want[i].n);
        assert_int_equal(f.seen, want[i].n);
    }
    free(statuses);
    free(by_status);
    assert_int_equal(triage_store_count(st, "quarantine", NULL), 1);
    triage_store_close(st);

    /* the newest schema, the one a new database gets */
    snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
    st = triage_store_open(fresh, &err);
    assert_non_null(st);
    triage_store_close(st);
    assert_true(count(path, "PRAGMA user_version") > 2);
    assert_int_equal(count(path, "PRAGMA user_version"), count(fresh, "PRAGMA user_version"));
    char *schema = dump(fresh, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
    char *migrated = dump(path, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
    assert_string_equal(migrated, schema);
    free(schema);
    free(migrated);

    /* nothing lost, nothing changed */
    for (size_t i = 0; i < NTABLES; i++) {
        char *after = dump(path, TABLES[i]);
        assert_string_equal(after, before[i]);
        free(after);
        free(before[i]);
    }
    /* the new tables start empty */
    assert_int_equal(count(path, "SELECT count(*) FROM users"), 0);
    assert_int_equal(count(path, "SELECT count(*) FROM sessions"), 0);
    assert_int_equal(count(path, "SELECT count(*) FROM audit"), 0);
    assert_int_equal(count(path, "SELECT count(*) FROM shadow"), 0);
    /* the CDS Hooks step (5): its cards and feedback, empty */
    assert_true(count(path, "PRAGMA user_version") >= 5);
    assert_int_equal(count(path, "SELECT count(*) FROM cds_card"), 0);
    assert_int_equal(count(path, "SELECT count(*) FROM cds_feedback"), 0);
}

/* Step 8 computes has_earlier for the rows a database has: 1 only where a
** referral of the same child sorts before it by (received, id). */
static void test_migration_marks_each_childs_first_referral(void **state)
{
    char path[1200];
    copy_v2("earlier.db", path, sizeof path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* two referrals of one child, the later one first, as schema 2 kept them */
    assert_int_equal(sqlite3_exec(db,
        "INSERT INTO referrals(id, received, cpr, json) VALUES"
        " ('K-2', '2020-06-01', '0101104123', (SELECT json FROM referrals WHERE id = 'EX-01')),"
        " ('K-1', '2020-04-01', '0101104123', (SELECT json FROM referrals WHERE id = 'EX-01'))",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    if (!st) fail_msg("%s", err.text);
    triage_store_close(st);
    char *v = dump(path, "SELECT id, has_earlier FROM referrals ORDER BY id");
    assert_string_equal(v, "EX-01|0\nEX-02|0\nEX-03|0\nEX-04|0\nEX-05|0\nK-1|0\nK-2|1\n");
    free(v);
}

/* A step that fails (here: a table in the way of the review step) rolls
** the whole migration back: the file stays at version 2 with its rows,
** and the error says what failed. */
static void test_migration_that_fails_leaves_the_database_as_it_was(void **state)
{
    char path[1200];
    copy_v2("blocked.db", path, sizeof path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE shadow(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char *before = dump(path, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");

    triage_error err;
    assert_null(triage_store_open(path, &err));
    assert_int_equal(err.code, TRIAGE_ESTORE);
    assert_non_null(strstr(err.text, "blocked.db"));
    assert_int_equal(count(path, "PRAGMA user_version"), 2);
    char *after = dump(path, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
    assert_string_equal(after, before);   /* no table of any step made */
    assert_int_equal(count(path, "SELECT count(*) FROM referrals"), 5);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migration_of_a_schema_2_database_keeps_every_row),
        cmocka_unit_test(test_migration_marks_each_childs_first_referral),
        cmocka_unit_test(test_migration_that_fails_leaves_the_database_as_it_was),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
