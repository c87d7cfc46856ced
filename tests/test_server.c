/*
** test_server.c — the intake service's HTTP API, started in-process on an
** ephemeral loopback port (a fresh database each test) and spoken to over a
** plain socket: every route, bad input (malformed JSON, schema errors,
** invalid dates, oversize bodies, unknown and duplicate ids), the access
** token, and no CPR number in the request log.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "triage_server.h"
#include "testutil.h"
#include "http_client.h"

static const char RULES[] =
    "rule{ id='T-ACUTE', when=function(r) return r.text:find('selvmord') ~= nil end,\n"
    "  action=function(r, f, d) d:reason('Akut henvisning.')\n"
    "  d:decide{outcome='accept', target='buc', unit='B205', priority='acute', deadline=r.received_day} end }\n"
    "rule{ id='T-DOC', when=function(r) return #r.assessments == 0 end,\n"
    "  action=function(r, f, d) d:reason('PPV mangler.') d:missing('ppv')\n"
    "  d:decide{outcome='request_info', request_from='municipality'} end }\n";

#define CPR "1406111234"

static char *dir, *rules, *db;
static triage_host *host;

static resp post(int port, const char *path, const char *body)
{
    return http(port, "POST", path, NULL, body, strlen(body));
}

static resp get(int port, const char *path) { return http(port, "GET", path, NULL, NULL, 0); }

static json_t *js(const resp *r)
{
    json_error_t je;
    json_t *j = json_loads(r->body, 0, &je);
    if (!j) fprintf(stderr, "not JSON (%s): %s\n", je.text, r->body);
    assert_non_null(j);
    return j;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static char *referral(const char *id, const char *extra)
{
    char *b = malloc(1024);
    snprintf(b, 1024, "{\"id\":\"%s\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
             "\"patient\":{\"cpr\":\"" CPR "\",\"municipality\":\"Gladsaxe\"}%s}", id, extra);
    return b;
}

static FILE *logf_;
static int ndb;

static triage_server *start(const char *listen, const char *token, size_t max_body, triage_error *err)
{
    triage_server_opts o = {.listen = listen, .db = db, .host = host, .token = token,
                            .threads = 2, .max_body = max_body, .log = logf_};
    return triage_server_start(&o, err);
}

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);
    dir = tu_tmpdir();
    rules = tu_rules(RULES);
    /* with the shipped text data: the letters' evidence in explained decisions */
    char cp[2400];
    snprintf(cp, sizeof cp, "cp -r '%s/rules/data' '%s/'", TRIAGE_SOURCE_DIR, rules);
    if (system(cp) != 0)
        return -1;
    db = malloc(1100);
    triage_error err;
    host = triage_host_open(rules, NULL, &err);
    if (!host) fprintf(stderr, "%s\n", err.text);
    logf_ = tmpfile();
    return host && logf_ ? 0 : -1;
}

static int teardown(void **state)
{
    triage_host_close(host);
    fclose(logf_);
    tu_rmtree(dir);
    tu_rmtree(rules);
    free(db);
    return 0;
}

/* Each test: a server on a new database, on a free loopback port. */
static int serve(void **state)
{
    triage_error err;
    snprintf(db, 1100, "%s/t%d.db", dir, ++ndb);
    triage_server *s = start("127.0.0.1:0", NULL, 0, &err);
    if (!s) fprintf(stderr, "%s\n", err.text);
    *state = s;
    return s ? 0 : -1;
}

static int unserve(void **state)
{
    triage_server_stop(*state);
    return 0;
}

#define PORT (triage_server_port(*state))

/* POST body to path: the status is want, and the body is JSON (caller frees). */
static json_t *post_json(int port, const char *path, const char *body, int want)
{
    resp r = post(port, path, body);
    assert_int_equal(r.status, want);
    json_t *j = js(&r);
    free(r.body);
    return j;
}

static json_t *get_json(int port, const char *path, int want)
{
    resp r = get(port, path);
    assert_int_equal(r.status, want);
    json_t *j = js(&r);
    free(r.body);
    return j;
}

/* ------------------------------------------------------------ /api/check */

static void test_server_check_decides_one_referral_without_trace(void **state)
{
    char *one = referral("C-1", "");
    resp r = post(PORT, "/api/check", one);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "application/json"));
    json_t *j = js(&r);
    assert_string_equal(str(j, "id"), "C-1");
    assert_string_equal(str(j, "outcome"), "request_info");
    assert_null(json_object_get(j, "trace"));
    assert_int_equal(strlen(str(j, "ruleset")), 64);
    json_decref(j);
    free(r.body);
    free(one);
}

static void test_server_check_with_explain_adds_the_trace_and_the_letters_evidence(void **state)
{
    char *one = referral("C-1", ",\"text\":\"Storebror har ADHD. Hun har angst.\"");
    json_t *j = post_json(PORT, "/api/check?explain=1", one, 200);
    assert_true(json_is_array(json_object_get(j, "trace")));
    assert_true(json_array_size(json_object_get(j, "trace")) > 0);
    /* every mention the text layer read, with its bytes and why */
    json_t *ev = json_object_get(j, "evidence");
    assert_int_equal(json_array_size(ev), 2);
    json_t *adhd = json_array_get(ev, 0), *anx = json_array_get(ev, 1);
    assert_string_equal(str(adhd, "key"), "ADHD");
    assert_true(json_is_false(json_object_get(adhd, "counted")));
    assert_string_equal(str(adhd, "why"), "om en anden person: 'storebror'");
    assert_int_equal(json_integer_value(json_object_get(adhd, "start")), 14);
    assert_int_equal(json_integer_value(json_object_get(adhd, "end")), 18);
    assert_string_equal(str(anx, "key"), "ANXIETY");
    assert_true(json_is_true(json_object_get(anx, "counted")));
    assert_int_equal(json_integer_value(json_object_get(anx, "start")), 28);
    json_decref(j);
    free(one);
}

/* JSON Lines in, JSON Lines out, in order; nothing is stored. */
static void test_server_check_answers_json_lines_in_order_and_stores_nothing(void **state)
{
    char lines[4096];
    char *one = referral("C-1", ""), *two = referral("C-2", ",\"text\":\"selvmord\"");
    snprintf(lines, sizeof lines, "%s\n%s\n", one, two);
    resp r = post(PORT, "/api/check", lines);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "application/x-ndjson"));
    char *nl = strchr(r.body, '\n');
    assert_non_null(nl);
    *nl = 0;
    json_t *j = json_loads(r.body, 0, NULL);
    assert_string_equal(str(j, "id"), "C-1");
    json_decref(j);
    j = json_loads(nl + 1, 0, NULL);
    assert_string_equal(str(j, "id"), "C-2");
    assert_string_equal(str(j, "outcome"), "accept");
    assert_string_equal(str(j, "unit"), "B205");
    json_decref(j);
    free(r.body);
    r = get(PORT, "/api/referrals/C-1");
    assert_int_equal(r.status, 404);
    free(r.body);
    free(one);
    free(two);
}

/* The engine's reader takes the body: an array of referrals is one shape it
** reads, as `triage check` does. */
static void test_server_check_reads_an_array_of_referrals(void **state)
{
    char body[4096];
    char *one = referral("A-1", ""), *two = referral("A-2", "");
    snprintf(body, sizeof body, "[%s,\n %s]", one, two);
    resp r = post(PORT, "/api/check", body);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"A-1\""));
    assert_non_null(strstr(r.body, "\"A-2\""));
    assert_true(strchr(r.body, '\n') < strstr(r.body, "\"A-2\""));
    free(r.body);
    free(one);
    free(two);
}

/* Malformed JSON: 400, the record's line, and where in it the text says. */
static void test_server_refuses_malformed_json_with_400_naming_line_and_column(void **state)
{
    json_t *j = post_json(PORT, "/api/check", "{\"id\": \"X\",\n  \"received\" \"2020-01-01\"}", 400);
    assert_non_null(strstr(str(j, "error"), "invalid JSON"));
    assert_non_null(strstr(str(j, "error"), "(line 2, column"));
    assert_int_equal(json_integer_value(json_object_get(j, "line")), 1);
    json_decref(j);
    j = post_json(PORT, "/api/referrals", "{\"id\":", 400);
    assert_non_null(strstr(str(j, "error"), "column"));
    json_decref(j);
}

static void test_server_refuses_schema_error_with_400_naming_field_not_cpr(void **state)
{
    resp r = post(PORT, "/api/check", "{\"id\":\"X\",\"referrer\":{\"kind\":\"gp\"},"
                  "\"patient\":{\"cpr\":\"" CPR "\"}}");
    assert_int_equal(r.status, 400);
    json_t *j = js(&r);
    assert_string_equal(str(j, "field"), "received");
    assert_string_equal(str(j, "id"), "X");
    assert_null(strstr(r.body, CPR));
    json_decref(j);
    free(r.body);
}

static void test_server_names_each_bad_record_of_a_body(void **state)
{
    json_t *j = post_json(PORT, "/api/check", "{\"id\":\"A\"}\n{\"id\":\"B\"}\n", 400);
    json_t *errors = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errors), 2);
    assert_string_equal(str(json_array_get(errors, 0), "id"), "A");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 1), "line")), 2);
    assert_non_null(str(j, "error"));
    json_decref(j);
}

static long quarantined(int port)
{
    json_t *j = get_json(port, "/api/status", 200);
    long n = (long)json_integer_value(json_object_get(json_object_get(j, "counts"), "quarantine"));
    json_decref(j);
    return n;
}

/* A bad record posted to be stored is kept in quarantine with its error, as
** import keeps it; one posted to be checked is not (check keeps nothing). */
static void test_server_keeps_a_bad_record_posted_to_referrals_in_quarantine(void **state)
{
    const char *bad = "{\"id\":\"X\",\"referrer\":{\"kind\":\"gp\"},"
                      "\"patient\":{\"cpr\":\"" CPR "\"}}";
    assert_int_equal(quarantined(PORT), 0);
    json_t *j = post_json(PORT, "/api/check", bad, 400);
    json_decref(j);
    assert_int_equal(quarantined(PORT), 0);
    j = post_json(PORT, "/api/referrals", bad, 400);
    assert_string_equal(str(j, "field"), "received");
    json_decref(j);
    assert_int_equal(quarantined(PORT), 1);
    j = post_json(PORT, "/api/referrals", "{\"id\":", 400);
    json_decref(j);
    assert_int_equal(quarantined(PORT), 2);
    j = get_json(PORT, "/api/referrals", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
}

static void test_server_refuses_a_body_without_referral_with_400(void **state)
{
    json_t *j = post_json(PORT, "/api/check", "  \n", 400);
    assert_string_equal(str(j, "error"), "the body holds no referral");
    json_decref(j);
}

static void test_server_answers_405_for_a_wrong_method_and_404_for_no_route(void **state)
{
    json_t *j = get_json(PORT, "/api/check", 405);
    assert_string_equal(str(j, "error"), "method not allowed");
    json_decref(j);
    j = get_json(PORT, "/api/nothing", 404);
    assert_string_equal(str(j, "error"), "no such API route");
    json_decref(j);
    j = get_json(PORT, "/nothing.html", 404);
    assert_string_equal(str(j, "error"), "not found");
    json_decref(j);
}

/* ------------------------------------------------------------ body limit */

static void test_server_refuses_a_body_over_the_limit_with_413(void **state)
{
    triage_error err;
    triage_server *s = start("127.0.0.1:0", NULL, 1024, &err);
    assert_non_null(s);
    char *big = malloc(8192);
    memset(big, ' ', 8191);
    big[0] = '{';
    big[8190] = '}';
    big[8191] = 0;
    resp r = post(triage_server_port(s), "/api/check", big);
    assert_int_equal(r.status, 413);
    json_t *j = js(&r);
    assert_non_null(strstr(str(j, "error"), "1024 bytes"));
    assert_int_equal(json_integer_value(json_object_get(j, "limit")), 1024);
    json_decref(j);
    free(r.body);
    /* just under the limit is read: {} is no referral, but it was read */
    big[1000] = 0;
    big[999] = '}';
    r = post(triage_server_port(s), "/api/check", big);
    assert_int_equal(r.status, 400);
    j = js(&r);
    assert_string_equal(str(j, "field"), "id");
    json_decref(j);
    free(r.body);
    free(big);
    triage_server_stop(s);
}

/* A sender that declares a body over the limit and waits for "100 Continue"
** (curl does for big uploads) hears 413 at once and never uploads it; it
** used to be told to go on, and then cut off at 16 times the limit. */
static void test_server_answers_413_to_a_declared_big_body_before_it_is_sent(void **state)
{
    triage_error err;
    triage_server *s = start("127.0.0.1:0", NULL, 1024, &err);
    assert_non_null(s);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)triage_server_port(s))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = 10};         /* a server that waits for the body: fail, not hang */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const char *head = "POST /fhir HTTP/1.1\r\nHost: localhost\r\n"
                       "Content-Type: application/fhir+json\r\n"
                       "Content-Length: 20000000\r\nExpect: 100-continue\r\n\r\n";
    assert_true(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
    char buf[4096];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof buf - 1 && (k = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)k;
    buf[got] = 0;
    close(fd);
    int status = 0;
    assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &status), 1);
    assert_int_equal(status, 413);              /* not 100: nothing was asked for */
    assert_non_null(strstr(buf, "1024 bytes"));
    triage_server_stop(s);
}

/* ------------------------------------------------------- /api/referrals */

/* R-1 (request_info) and R-2 (acute accept, B205) stored through the API. */
static void post_two(int port)
{
    char *a = referral("R-1", ""), *b = referral("R-2", ",\"text\":\"selvmord\"");
    json_t *j = post_json(port, "/api/referrals", a, 201);
    assert_string_equal(str(j, "outcome"), "request_info");
    json_decref(j);
    j = post_json(port, "/api/referrals", b, 201);
    assert_string_equal(str(j, "outcome"), "accept");
    json_decref(j);
    free(a);
    free(b);
}

static void test_server_stores_and_decides_a_posted_referral_with_201(void **state)
{
    post_two(PORT);
    json_t *j = get_json(PORT, "/api/referrals/R-2", 200);
    assert_string_equal(str(json_object_get(j, "referral"), "id"), "R-2");
    assert_string_equal(str(j, "status"), "accept");
    json_decref(j);
}

/* How many referrals the database file itself holds, the write-ahead log
** left out (immutable: no WAL, no locks). */
static int referrals_in_file(void)
{
    char uri[1200];
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    int n = -1;
    snprintf(uri, sizeof uri, "file:%s?immutable=1", db);
    if (sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT count(*) FROM referrals", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

static void test_server_checkpoints_what_requests_wrote_within_seconds(void **state)
{
    /* the requests' commits leave their pages in the log (two referrals are
    ** far from the 1,000 pages a commit would checkpoint at); the server's
    ** checkpoint thread copies them into the file about every second */
    assert_int_equal(referrals_in_file(), 0);
    post_two(PORT);
    int n = 0;
    for (int i = 0; i < 100 && (n = referrals_in_file()) != 2; i++)
        nanosleep(&(struct timespec){0, 50000000L}, NULL);
    assert_int_equal(n, 2);
}

static void test_server_refuses_a_known_id_with_409_and_changes_nothing(void **state)
{
    post_two(PORT);
    char *a2 = referral("R-1", ",\"text\":\"selvmord\"");
    json_t *j = post_json(PORT, "/api/referrals", a2, 409);
    assert_string_equal(str(j, "field"), "id");
    assert_non_null(strstr(str(j, "error"), "R-1"));
    json_decref(j);
    j = get_json(PORT, "/api/referrals/R-1", 200);
    assert_int_equal(json_array_size(json_object_get(j, "decisions")), 1);
    assert_string_equal(str(j, "status"), "request_info");
    json_decref(j);
    free(a2);
}

static void test_server_refuses_to_store_an_invalid_referral_with_400(void **state)
{
    json_t *j = post_json(PORT, "/api/referrals", "{\"id\":\"R-3\"}", 400);
    assert_string_equal(str(j, "field"), "received");
    json_decref(j);
    char two[2048];
    char *a = referral("R-4", ""), *b = referral("R-5", "");
    snprintf(two, sizeof two, "%s\n%s", a, b);
    j = post_json(PORT, "/api/referrals", two, 400);
    assert_string_equal(str(j, "error"), "post one referral at a time");
    json_decref(j);
    free(a);
    free(b);
}

/* The work list: the latest decision per referral, filters, no CPR. */
static void test_server_lists_the_work_list_with_filters_and_no_cpr(void **state)
{
    post_two(PORT);
    resp r = get(PORT, "/api/referrals");
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, CPR));
    json_t *j = js(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "limit")), 50);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(str(json_array_get(items, 0), "id"), "R-2");   /* newest first */
    assert_string_equal(str(json_array_get(items, 0), "municipality"), "Gladsaxe");
    assert_string_equal(str(json_array_get(items, 0), "deadline"), "2020-03-02");
    assert_true(json_is_string(json_object_get(json_array_get(items, 0), "decided_at")));
    assert_true(json_is_array(json_object_get(json_array_get(items, 1), "missing")));
    json_decref(j);
    free(r.body);

    j = get_json(PORT, "/api/referrals?outcome=accept&unit=B205", 200);
    items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(str(json_array_get(items, 0), "id"), "R-2");
    assert_string_equal(str(json_array_get(items, 0), "priority"), "acute");
    json_decref(j);
    j = get_json(PORT, "/api/referrals?q=r-1&from=2020-03-01&to=2020-03-31&limit=10&offset=0", 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    j = get_json(PORT, "/api/referrals?due=2020-03-02&priority=acute", 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    j = get_json(PORT, "/api/referrals?from=2020-04-01", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
    j = get_json(PORT, "/api/referrals?limit=5000", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "limit")), 1000);
    json_decref(j);
}

static void test_server_refuses_an_unknown_filter_value_with_400_naming_it(void **state)
{
    json_t *j = get_json(PORT, "/api/referrals?outcome=maybe", 400);
    assert_string_equal(str(j, "field"), "outcome");
    json_decref(j);
    j = get_json(PORT, "/api/referrals?limit=-1", 400);
    assert_string_equal(str(j, "field"), "limit");
    json_decref(j);
}

/* Dates are checked by the engine's date code: a real day, not the shape. */
static void test_server_refuses_invalid_date_with_400(void **state)
{
    static const struct { const char *query, *field; } bad[] = {
        {"/api/referrals?from=2020-13-45", "from"}, {"/api/referrals?to=2021-02-29", "to"},
        {"/api/referrals?due=2020-00-10", "due"}, {"/api/referrals?from=yesterday", "from"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = get_json(PORT, bad[i].query, 400);
        assert_string_equal(str(j, "field"), bad[i].field);
        assert_non_null(strstr(str(j, "error"), "not a date"));
        json_decref(j);
    }
    json_t *j = get_json(PORT, "/api/referrals?from=2020-02-29", 200);   /* a leap day is one */
    json_decref(j);
}

/* One referral: itself, its decision log, and a fresh trace on request. */
static void test_server_shows_a_referral_with_its_log_and_a_fresh_trace(void **state)
{
    post_two(PORT);
    json_t *j = get_json(PORT, "/api/referrals/R-1?explain=1", 200);
    assert_string_equal(str(json_object_get(j, "referral"), "id"), "R-1");
    assert_non_null(str(j, "imported_at"));
    json_t *decs = json_object_get(j, "decisions"), *d0 = json_array_get(decs, 0);
    assert_int_equal(json_array_size(decs), 1);
    assert_string_equal(str(d0, "id"), "R-1");
    assert_string_equal(str(d0, "outcome"), "request_info");
    assert_string_equal(str(d0, "request_from"), "municipality");
    assert_string_equal(json_string_value(json_array_get(json_object_get(d0, "missing"), 0)), "ppv");
    assert_true(json_is_array(json_object_get(d0, "reasons")));
    assert_int_equal(json_integer_value(json_object_get(d0, "seq")), 1);
    assert_non_null(str(d0, "decided_at"));
    assert_true(json_is_array(json_object_get(json_object_get(j, "explain"), "trace")));
    assert_true(json_is_array(json_object_get(json_object_get(j, "explain"), "evidence")));
    json_decref(j);
}

static void test_server_answers_404_for_an_unknown_id_without_echoing_it(void **state)
{
    json_t *j = get_json(PORT, "/api/referrals/NOPE", 404);
    assert_string_equal(str(j, "error"), "no referral with this id is stored");
    json_decref(j);
    resp r = get(PORT, "/api/referrals/" CPR);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body, CPR));
    free(r.body);
}

static void test_server_status_names_the_rule_set_and_counts(void **state)
{
    post_two(PORT);
    json_t *j = get_json(PORT, "/api/status", 200);
    assert_int_equal(strlen(str(j, "ruleset")), 64);
    assert_non_null(str(j, "loaded_at"));
    assert_true(json_is_null(json_object_get(j, "last_error")));
    assert_int_equal(json_integer_value(json_object_get(j, "threads")), 2);
    json_t *counts = json_object_get(j, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "referrals")), 2);
    assert_int_equal(json_integer_value(json_object_get(counts, "decisions")), 2);
    assert_int_equal(json_integer_value(json_object_get(counts, "undecided")), 0);
    json_decref(j);
}

/* The page is served from the binary. */
static void test_server_serves_the_page_from_the_binary(void **state)
{
    resp r = get(PORT, "/");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "text/html"));
    assert_non_null(strstr(r.body, "<html"));
    free(r.body);
    r = get(PORT, "/app.js");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "text/javascript"));
    free(r.body);
    r = http(PORT, "POST", "/app.js", NULL, "x", 1);
    assert_int_equal(r.status, 405);
    free(r.body);
}

/* One line per request, and no CPR in any of them. */
static void test_server_logs_a_line_per_request_without_cpr(void **state)
{
    fflush(logf_);
    long before = ftell(logf_);
    post_two(PORT);
    resp r = get(PORT, "/api/referrals/" CPR "?q=" CPR);
    free(r.body);
    fflush(logf_);
    fseek(logf_, before, SEEK_SET);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, logf_)) {
        assert_null(strstr(line, CPR));
        n++;
    }
    assert_int_equal(n, 3);
    fseek(logf_, 0, SEEK_END);
}

/* ----------------------------------------------------------------- token */

static void test_server_refuses_a_non_loopback_address_without_token(void **state)
{
    triage_error err;
    assert_null(start("0.0.0.0:0", NULL, 0, &err));
    assert_int_equal(err.code, TRIAGE_EUSAGE);
    assert_non_null(strstr(err.text, "token"));
    assert_null(start("127.0.0.1:notaport", NULL, 0, &err));
    assert_non_null(strstr(err.text, "cannot resolve"));
    assert_null(start("nonsense", NULL, 0, &err));
    assert_non_null(strstr(err.text, "not HOST:PORT"));
}

static void test_server_with_token_answers_the_api_only_with_it(void **state)
{
    triage_error err;
    triage_server *s = start("0.0.0.0:0", "s3cret-token", 0, &err);
    assert_non_null(s);
    int port = triage_server_port(s);
    resp r = get(port, "/api/status");
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(r.head, "WWW-Authenticate"));
    free(r.body);
    r = http(port, "GET", "/api/status", "Bearer wrong", NULL, 0);
    assert_int_equal(r.status, 401);
    free(r.body);
    char *one = referral("T-1", "");
    r = http(port, "POST", "/api/check", NULL, one, strlen(one));
    assert_int_equal(r.status, 401);
    free(r.body);
    r = http(port, "POST", "/api/check", "Bearer s3cret-token", one, strlen(one));
    assert_int_equal(r.status, 200);
    free(r.body);
    r = http(port, "GET", "/api/status", "Bearer s3cret-token", NULL, 0);
    assert_int_equal(r.status, 200);
    free(r.body);
    r = get(port, "/");            /* the page asks for the token itself */
    assert_int_equal(r.status, 200);
    free(r.body);
    free(one);
    triage_server_stop(s);
}

#define SERVED(t) cmocka_unit_test_setup_teardown(t, serve, unserve)

int main(void)
{
    const struct CMUnitTest tests[] = {
        SERVED(test_server_check_decides_one_referral_without_trace),
        SERVED(test_server_check_with_explain_adds_the_trace_and_the_letters_evidence),
        SERVED(test_server_check_answers_json_lines_in_order_and_stores_nothing),
        SERVED(test_server_check_reads_an_array_of_referrals),
        SERVED(test_server_refuses_malformed_json_with_400_naming_line_and_column),
        SERVED(test_server_refuses_schema_error_with_400_naming_field_not_cpr),
        SERVED(test_server_names_each_bad_record_of_a_body),
        SERVED(test_server_keeps_a_bad_record_posted_to_referrals_in_quarantine),
        SERVED(test_server_refuses_a_body_without_referral_with_400),
        SERVED(test_server_answers_405_for_a_wrong_method_and_404_for_no_route),
        cmocka_unit_test(test_server_refuses_a_body_over_the_limit_with_413),
        cmocka_unit_test(test_server_answers_413_to_a_declared_big_body_before_it_is_sent),
        SERVED(test_server_stores_and_decides_a_posted_referral_with_201),
        SERVED(test_server_checkpoints_what_requests_wrote_within_seconds),
        SERVED(test_server_refuses_a_known_id_with_409_and_changes_nothing),
        SERVED(test_server_refuses_to_store_an_invalid_referral_with_400),
        SERVED(test_server_lists_the_work_list_with_filters_and_no_cpr),
        SERVED(test_server_refuses_an_unknown_filter_value_with_400_naming_it),
        SERVED(test_server_refuses_invalid_date_with_400),
        SERVED(test_server_shows_a_referral_with_its_log_and_a_fresh_trace),
        SERVED(test_server_answers_404_for_an_unknown_id_without_echoing_it),
        SERVED(test_server_status_names_the_rule_set_and_counts),
        SERVED(test_server_serves_the_page_from_the_binary),
        SERVED(test_server_logs_a_line_per_request_without_cpr),
        cmocka_unit_test(test_server_refuses_a_non_loopback_address_without_token),
        cmocka_unit_test(test_server_with_token_answers_the_api_only_with_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
