/*
** test_cli.c — the `triage` command as users and other tools meet it:
** decisions that validate against decision.schema.json, exit statuses,
** import/run round trips on one and two threads, and no CPR number in any
** stream of any command.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "testutil.h"

static char *tmp;            /* per-run scratch directory */

/* Run a shell command line; stdout and stderr go to files in tmp. */
static int sh(const char *fmt, ...)
{
    char cmd[4096], line[4400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "cd '%s' && (%s) >out.txt 2>err.txt", tmp, cmd);
    int st = system(line);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    char *s = tu_slurp(path, NULL);
    return s ? s : strdup("");
}

/* Rules that reach every outcome and quote the text back (masking test). */
static const char RULES[] =
    "rule{ id='T-ACUTE', when=function(r) return r.text:find('selvmord') ~= nil end,\n"
    "  action=function(r, f, d) d:reason('Akut: ' .. r.text)\n"
    "  d:decide{outcome='accept', target='buc', unit='B205', priority='acute', deadline=r.received_day} end }\n"
    "rule{ id='T-SELF', when=function(r) return r.referrer_kind == 'self' end,\n"
    "  action=function(r, f, d) d:reason('Henvisning skal komme fra en læge.')\n"
    "  d:decide{outcome='reject'} end }\n"
    "rule{ id='T-ADULT', when=function(r) return r.age >= 18 end,\n"
    "  action=function(r, f, d) d:decide{outcome='redirect', target='adult_psychiatry'} end }\n"
    "rule{ id='T-DOC', when=function(r) return #r.assessments == 0 end,\n"
    "  action=function(r, f, d) d:missing('ppv') d:missing('cognitive_assessment')\n"
    "  d:decide{outcome='request_info', request_from='municipality'} end }\n"
    "rule{ id='T-LOOP', when=function(r) return r.id == 'LOOP' end,\n"
    "  action=function() while true do end end }\n"
    "rule{ id='T-ACC', when=function() return true end,\n"
    "  action=function(r, f, d) d:reason('Optages.')\n"
    "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine', deadline=r.received_day + 30} end }\n";

#define REF(id, patient, extra) \
    "{\"id\":\"" id "\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"}," \
    "\"patient\":{" patient ",\"municipality\":\"Gladsaxe\"}" extra "}\n"

static const char INPUT[] =
    REF("R1", "\"cpr\":\"140611-4321\"", ",\"text\":\"Forsøgte selvmord i går. CPR 140611-4321.\"")
    REF("R2", "\"cpr\":\"1406114321\"", ",\"assessments\":[{\"kind\":\"ppv\"}]")
    REF("R3", "\"birth_date\":\"2011-06-14\"", "")
    REF("LOOP", "\"birth_date\":\"2011-06-14\"", ",\"assessments\":[{\"kind\":\"ppv\"}]")
    REF("BAD1", "\"cpr\":\"320299-1234\"", "")                       /* not a date */
    REF("BAD2", "\"cpr\":\"140611-4321\",\"birth_date\":\"2010-01-01\"", "")  /* disagree */
    "{\"id\":\"BAD3\",\"received\":\"2020-03-02\",\"patient\":{\"cpr\":\"010203-1234\"\n"
    REF("R4", "\"birth_date\":\"1990-01-01\"", "")
    "{\"id\":\"R5\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"self\"},"
    "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Kbh\"}}\n";

static const char *const CPRS[] = {"140611-4321", "1406114321", "320299-1234", "3202991234",
                                   "010203-1234", "0102031234"};

static void assert_no_cpr(const char *what, const char *s)
{
    for (size_t i = 0; i < sizeof CPRS / sizeof CPRS[0]; i++)
        if (strstr(s, CPRS[i]))
            fail_msg("%s contains a CPR number (%zu):\n%s", what, i, s);
}

static void assert_both_streams_clean(const char *what)
{
    char *o = slurp("out.txt"), *e = slurp("err.txt");
    assert_no_cpr(what, o);
    assert_no_cpr(what, e);
    free(o);
    free(e);
}

static int setup(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    tu_write(tmp, "rules/10-test.lua", RULES);
    tu_write(tmp, "input.jsonl", INPUT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

/* Check one decision object against decision.schema.json: required fields,
** enums, and the types the schema names. */
static void validate_decision(json_t *schema, json_t *d)
{
    size_t i;
    json_t *req;
    json_array_foreach(json_object_get(schema, "required"), i, req)
        if (!json_object_get(d, json_string_value(req)))
            fail_msg("decision lacks required '%s'", json_string_value(req));
    const char *key;
    json_t *v;
    json_t *props = json_object_get(schema, "properties");
    json_object_foreach(d, key, v) {
        json_t *p = json_object_get(props, key);
        if (!p)
            fail_msg("decision has '%s', which the schema does not know", key);
        json_t *en = json_object_get(p, "enum");
        if (en) {
            int ok = 0;
            size_t k;
            json_t *e;
            json_array_foreach(en, k, e) ok |= json_equal(e, v);
            if (!ok)
                fail_msg("'%s' is not in the schema's enum", key);
        }
        json_t *items = json_object_get(json_object_get(p, "items"), "enum");
        if (items) {
            size_t k, m;
            json_t *e, *x;
            json_array_foreach(v, k, x) {
                int ok = 0;
                json_array_foreach(items, m, e) ok |= json_equal(e, x);
                if (!ok)
                    fail_msg("an item of '%s' is not in the schema's enum", key);
            }
        }
        if (!strcmp(key, "deadline") && json_is_string(v))
            assert_int_equal(strlen(json_string_value(v)), 10);
        if (!strcmp(key, "ruleset"))
            assert_int_equal(strlen(json_string_value(v)), 64);
        if (!strcmp(key, "reasons")) {
            json_t *r;
            json_array_foreach(v, i, r) {
                assert_true(json_is_string(json_object_get(r, "rule")));
                assert_true(json_is_string(json_object_get(r, "text")));
            }
        }
    }
    /* The spec's conventions on which fields are null. */
    const char *out = json_string_value(json_object_get(d, "outcome"));
    if (strcmp(out, "request_info") != 0)
        assert_null(json_object_get(d, "missing"));
    if (strcmp(out, "accept") != 0 && strcmp(out, "redirect") != 0)
        assert_true(json_is_null(json_object_get(d, "unit")));
}

static void test_cli_check_json_validates_against_the_schema_in_input_order(void **state)
{
    (void)state;
    int rc = sh("'%s' check --rules rules --format json input.jsonl", TRIAGE_EXE);
    assert_int_equal(rc, 3);                       /* some records invalid */
    json_error_t je;
    json_t *schema = json_load_file(TRIAGE_SOURCE_DIR "/tests/spec/decision.schema.json", 0, &je);
    assert_non_null(schema);
    char *out = slurp("out.txt");
    const char *want[] = {"R1", "R2", "R3", "LOOP", "R4", "R5"};
    const char *outcome[] = {"accept", "accept", "request_info", "manual_review", "redirect", "reject"};
    size_t n = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), n++) {
        json_t *d = json_loads(line, 0, &je);
        assert_non_null(d);
        assert_true(n < 6);
        assert_string_equal(json_string_value(json_object_get(d, "id")), want[n]);
        assert_string_equal(json_string_value(json_object_get(d, "outcome")), outcome[n]);
        validate_decision(schema, d);
        json_decref(d);
    }
    assert_int_equal(n, 6);
    free(out);
    char *err = slurp("err.txt");
    /* Each invalid record: FILE:LINE: ID: FIELD: what */
    assert_non_null(strstr(err, "input.jsonl:5: BAD1: patient.cpr:"));
    assert_non_null(strstr(err, "input.jsonl:6: BAD2: patient"));
    assert_non_null(strstr(err, "input.jsonl:7:"));
    free(err);
    json_decref(schema);
    assert_both_streams_clean("check --format json");
}

static void test_cli_writes_no_cpr_to_any_stream(void **state)
{
    (void)state;
    sh("'%s' check --rules rules --explain input.jsonl", TRIAGE_EXE);
    assert_both_streams_clean("check --explain");
    char *o = slurp("out.txt");
    assert_non_null(strstr(o, "XXXXXX-XXXX"));     /* the quoted text, masked */
    free(o);
    sh("'%s' check --rules rules --explain --format json - < input.jsonl", TRIAGE_EXE);
    assert_both_streams_clean("check --explain --format json (stdin)");
    sh("'%s' import --db cpr.db input.jsonl input.jsonl", TRIAGE_EXE);
    assert_both_streams_clean("import");
    sh("'%s' run --db cpr.db --rules rules", TRIAGE_EXE);
    assert_both_streams_clean("run");
}

static void test_cli_exit_statuses_say_usage_error_and_invalid_records(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' check --rules nowhere input.jsonl", TRIAGE_EXE), 1);
    char *e = slurp("err.txt");
    assert_non_null(strstr(e, "--rules"));
    free(e);
    assert_int_equal(sh("'%s' check --bogus", TRIAGE_EXE), 1);
    assert_int_equal(sh("'%s' frobnicate", TRIAGE_EXE), 1);
    assert_int_equal(sh("'%s' run --db missing.db --rules rules", TRIAGE_EXE), 1);
    assert_int_equal(sh("'%s' check --rules rules no-such-file.json", TRIAGE_EXE), 1);
    for (const char *const *c = (const char *const[]){"check", "import", "run", "test", NULL}; *c; c++) {
        assert_int_equal(sh("'%s' %s --help", TRIAGE_EXE, *c), 0);
        char *o = slurp("out.txt");
        assert_non_null(strstr(o, "usage: triage"));
        assert_non_null(strstr(o, "exit status"));
        free(o);
    }
    assert_int_equal(sh("head -4 input.jsonl | '%s' check --rules rules", TRIAGE_EXE), 0);
}

/* The text format, for people: outcome, target, unit, priority, deadline;
** the missing items in Danish and whom to ask; reasons; with --explain the
** trace, a line per rule. */
static void test_cli_check_text_names_what_is_missing_and_the_trace(void **state)
{
    (void)state;
    assert_int_equal(sh("head -3 input.jsonl | '%s' check --rules rules --explain", TRIAGE_EXE), 0);
    char *o = slurp("out.txt");
    assert_non_null(strstr(o, "R1: accept -> buc, enhed B205, acute, frist 2020-03-02\n"));
    assert_non_null(strstr(o, "R2: accept -> buc, enhed B193, routine, frist 2020-04-01\n"));
    assert_non_null(strstr(o, "R3: request_info\n  mangler: kognitiv vurdering, PPV"
                              " (indhentes hos kommunen)\n"));
    assert_non_null(strstr(o, "  T-ACC: Optages.\n"));
    assert_non_null(strstr(o, "  trace:\n    [x] T-ACUTE: "));
    assert_non_null(strstr(o, "    [ ] T-SELF: "));
    free(o);
}

static long count_decisions(const char *db)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, db);
    triage_error err;
    triage_store *st = triage_store_open(path, &err);
    assert_non_null(st);
    long n = triage_store_count(st, "decisions", NULL);
    triage_store_close(st);
    return n;
}

static void test_cli_import_then_run_decides_each_referral_once(void **state)
{
    (void)state;
    /* A larger batch: the valid records again under new ids. */
    char big[1 << 16] = "";
    for (int i = 0; i < 300; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 "{\"id\":\"B%03d\",\"received\":\"2020-%02d-%02d\",\"referrer\":{\"kind\":\"gp\"},"
                 "\"patient\":{\"cpr\":\"%02d0%d11-%04d\",\"municipality\":\"Herlev\"}}\n",
                 i, 1 + i % 12, 1 + i % 28, 1 + i % 28, 1 + i % 9, 1000 + i % 50);
        strcat(big, line);
    }
    tu_write(tmp, "big.jsonl", big);
    for (int threads = 1; threads <= 2; threads++) {
        char db[32];
        snprintf(db, sizeof db, "t%d.db", threads);
        assert_int_equal(sh("'%s' import --db %s big.jsonl input.jsonl", TRIAGE_EXE, db), 3);
        char *o = slurp("out.txt");
        assert_non_null(strstr(o, "imported 306, quarantined 3"));
        free(o);
        struct stat st;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", tmp, db);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(sh("'%s' run --db %s --rules rules --threads %d", TRIAGE_EXE, db, threads), 0);
        o = slurp("out.txt");
        assert_non_null(strstr(o, "decided 306 referrals"));
        assert_non_null(strstr(o, "undecided left: 0"));
        free(o);
        assert_int_equal(count_decisions(db), 306);
        /* Nothing left to do: a second run decides nothing, adds nothing. */
        assert_int_equal(sh("'%s' run --db %s --rules rules", TRIAGE_EXE, db), 0);
        o = slurp("out.txt");
        assert_non_null(strstr(o, "decided 0 referrals"));
        free(o);
        assert_int_equal(count_decisions(db), 306);
        /* Importing the same file again changes nothing and quarantines all. */
        assert_int_equal(sh("'%s' import --db %s big.jsonl", TRIAGE_EXE, db), 3);
        o = slurp("out.txt");
        assert_non_null(strstr(o, "imported 0, quarantined 300"));
        free(o);
    }
}

/* Every stored decision of db, in id order, as one string. */
static char *stored_decisions(const char *db)
{
    char path[1024];
    sqlite3 *h;
    sqlite3_stmt *s;
    snprintf(path, sizeof path, "%s/%s", tmp, db);
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT group_concat(quote(referral_id) || quote(ruleset)"
        " || quote(outcome) || quote(target) || quote(unit) || quote(priority) || quote(deadline)"
        " || quote(missing) || quote(request_from) || quote(reasons), char(10))"
        " FROM (SELECT * FROM decisions ORDER BY referral_id)", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    char *v = strdup(sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
    sqlite3_finalize(s);
    sqlite3_close(h);
    return v;
}

/* The first run's decisions kept in *first; each later run's must equal them. */
static void same_as_first(char **first, char *got)
{
    if (!*first) {
        *first = got;
        return;
    }
    assert_string_equal(got, *first);
    free(got);
}

/* Several threads decide and store exactly what one does, over several
** chunks of the shipped rule set: a child's earlier referral decided in
** the chunk before, whose decision may not be committed yet, is in its
** history all the same. */
static void test_cli_run_on_three_threads_stores_what_one_thread_does(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' corpus --count 2600 --out c2600", TRIAGE_EXE), 0);
    char *one = NULL;
    for (int threads = 1; threads <= 3; threads += 2) {
        char db[32];
        snprintf(db, sizeof db, "chunks%d.db", threads);
        assert_int_equal(sh("'%s' import --db %s c2600/referrals.jsonl", TRIAGE_EXE, db), 0);
        assert_int_equal(sh("'%s' run --db %s --rules '%s/rules' --threads %d", TRIAGE_EXE, db,
                            TRIAGE_SOURCE_DIR, threads), 0);
        char *o = slurp("out.txt");
        assert_non_null(strstr(o, "decided 2600 referrals"));
        assert_non_null(strstr(o, "undecided left: 0"));
        free(o);
        char *got = stored_decisions(db);
        assert_int_equal(strlen(got) > 2600 * 40, 1);
        same_as_first(&one, got);
    }
    free(one);
}

/* run asks no history for a child's first referral (has_earlier in the
** store), yet a referral imported after a later one of the same child is in
** that one's history: the counts are r:history()'s, on one thread and on
** three alike. */
static void test_cli_run_sees_an_earlier_referral_imported_after_the_later(void **state)
{
    (void)state;
    char *dir = tu_rules("rule{ id='H-1', when=function() return true end,\n"
                         "  action=function(r, f, d) d:reason(('%d earlier'):format(#r:history()))\n"
                         "  d:decide{outcome='manual_review'} end }\n");
#define KID(id, day, cpr) "{\"id\":\"" id "\",\"received\":\"" day "\",\"referrer\":{\"kind\":" \
    "\"gp\"},\"patient\":{\"cpr\":\"" cpr "\",\"municipality\":\"Herlev\"}}\n"
    tu_write(tmp, "later.jsonl", KID("K-3", "2020-08-01", "0101104123")
                                 KID("L-1", "2020-08-01", "0202124567"));
    tu_write(tmp, "earlier.jsonl", KID("K-1", "2020-04-01", "0101104123")
                                   KID("K-2", "2020-06-01", "0101104123"));
#undef KID
    char *one = NULL;
    for (int threads = 1; threads <= 3; threads += 2) {
        char db[32];
        snprintf(db, sizeof db, "kids%d.db", threads);
        assert_int_equal(sh("'%s' import --db %s later.jsonl", TRIAGE_EXE, db), 0);
        assert_int_equal(sh("'%s' import --db %s earlier.jsonl", TRIAGE_EXE, db), 0);
        assert_int_equal(sh("'%s' run --db %s --rules '%s' --threads %d", TRIAGE_EXE, db, dir,
                            threads), 0);
        char *got = stored_decisions(db);
        const char *want[][2] = {{"'K-1'", "\"0 earlier\""}, {"'K-2'", "\"1 earlier\""},
                                 {"'K-3'", "\"2 earlier\""}, {"'L-1'", "\"0 earlier\""}};
        for (size_t i = 0; i < 4; i++) {
            const char *line = strstr(got, want[i][0]);
            assert_non_null(line);
            const char *end = strchr(line, '\n');
            const char *say = strstr(line, want[i][1]);
            if (!say || (end && say > end))
                fail_msg("%s: no %s in\n%s", want[i][0], want[i][1], got);
        }
        same_as_first(&one, got);
    }
    free(one);
    tu_rmtree(dir);
    free(dir);
}

/* run's summary: counts by outcome and by target, "(none)" for no target. */
static void test_cli_run_counts_by_outcome_and_target(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' import --db sum.db input.jsonl", TRIAGE_EXE), 3);
    assert_int_equal(sh("'%s' run --db sum.db --rules rules", TRIAGE_EXE), 0);
    char *o = slurp("out.txt");
    assert_non_null(strstr(o, "decided 6 referrals"));
    assert_non_null(strstr(o, "  accept               2   33.3%"));
    assert_non_null(strstr(o, "  manual_review        1   16.7%"));
    assert_non_null(strstr(o, "  adult_psychiatry          1   16.7%"));
    assert_non_null(strstr(o, "  (none)                    3   50.0%"));
    free(o);
}

/* test and status speak of the same rule set, its cases and the store. */
static void test_cli_test_and_status_report_the_rule_set(void **state)
{
    (void)state;
    tu_write(tmp, "rules/tests/cases.json",
             "[{\"name\": \"acute\", \"referral\": " "{\"id\":\"T1\",\"received\":\"2020-03-02\","
             "\"referrer\":{\"kind\":\"gp\"},\"patient\":{\"birth_date\":\"2011-06-14\","
             "\"municipality\":\"Gladsaxe\"},\"text\":\"selvmord\"},"
             " \"expect\": {\"outcome\": \"accept\", \"unit\": \"B205\"}}]\n");
    assert_int_equal(sh("'%s' test --rules rules", TRIAGE_EXE), 0);
    char *o = slurp("out.txt");
    assert_non_null(strstr(o, "1 test files"));
    assert_non_null(strstr(o, "1 passed, 0 failed"));
    free(o);
    assert_int_equal(sh("'%s' import --db st.db input.jsonl", TRIAGE_EXE), 3);
    assert_int_equal(sh("'%s' status --rules rules --db st.db", TRIAGE_EXE), 0);
    o = slurp("out.txt");
    assert_non_null(strstr(o, "tests:      1 passed in 1 files"));
    assert_non_null(strstr(o, "referrals:  6, quarantined 3, decisions 0"));
    assert_non_null(strstr(o, "undecided:  6 by this rule set"));
    free(o);
    tu_write(tmp, "rules/tests/cases.json", "[{\"name\": \"wrong\", \"referral\": {\"id\":\"T1\","
             "\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},\"patient\":"
             "{\"birth_date\":\"2011-06-14\",\"municipality\":\"Gladsaxe\"}},"
             " \"expect\": {\"outcome\": \"reject\"}}]\n");
    assert_int_equal(sh("'%s' test --rules rules", TRIAGE_EXE), 2);
    o = slurp("out.txt");
    assert_non_null(strstr(o, "cases.json:1: wrong: outcome: expected \"reject\""));
    assert_non_null(strstr(o, "0 passed, 1 failed"));
    free(o);
    assert_int_equal(sh("'%s' status --rules rules --db st.db", TRIAGE_EXE), 2);
    o = slurp("out.txt");
    assert_non_null(strstr(o, "a reload would be refused"));
    free(o);
    char path[1100];
    snprintf(path, sizeof path, "%s/rules/tests/cases.json", tmp);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_check_json_validates_against_the_schema_in_input_order),
        cmocka_unit_test(test_cli_check_text_names_what_is_missing_and_the_trace),
        cmocka_unit_test(test_cli_writes_no_cpr_to_any_stream),
        cmocka_unit_test(test_cli_exit_statuses_say_usage_error_and_invalid_records),
        cmocka_unit_test(test_cli_import_then_run_decides_each_referral_once),
        cmocka_unit_test(test_cli_run_counts_by_outcome_and_target),
        cmocka_unit_test(test_cli_run_on_three_threads_stores_what_one_thread_does),
        cmocka_unit_test(test_cli_run_sees_an_earlier_referral_imported_after_the_later),
        cmocka_unit_test(test_cli_test_and_status_report_the_rule_set),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
