/*
** test_server.c — the intake service's HTTP API, started in-process on an
** ephemeral loopback port and spoken to over a plain socket: every route,
** bad input (malformed JSON, schema errors, oversize bodies, unknown and
** duplicate ids), the access token, and no CPR number in the request log.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include "triage_server.h"
#include "testutil.h"

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

typedef struct resp {
    int status;
    char head[2048];
    char *body;
} resp;

/* One request over a fresh connection; the whole response is read to EOF. */
static resp http(int port, const char *method, const char *path, const char *auth,
                 const char *body, size_t len)
{
    resp r = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "%s%s%sContent-Length: %zu\r\n\r\n", method, path,
                     auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "",
                     body ? len : 0);
    assert_true(write(fd, head, (size_t)n) == n);
    for (size_t off = 0; body && off < len;) {
        ssize_t w = write(fd, body + off, len - off);
        if (w <= 0) break;       /* the server may answer before reading it all */
        off += (size_t)w;
    }
    size_t cap = 65536, got = 0;
    char *buf = malloc(cap);
    ssize_t k;
    while ((k = read(fd, buf + got, cap - got - 1)) > 0) {
        got += (size_t)k;
        if (got + 1 == cap) buf = realloc(buf, cap *= 2);
    }
    buf[got] = 0;
    close(fd);
    assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &r.status), 1);
    char *sep = strstr(buf, "\r\n\r\n");
    assert_non_null(sep);
    size_t hl = (size_t)(sep - buf) < sizeof r.head - 1 ? (size_t)(sep - buf) : sizeof r.head - 1;
    memcpy(r.head, buf, hl);
    r.body = strdup(sep + 4);
    free(buf);
    return r;
}

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

static tr_server *start(const char *listen, const char *token, size_t max_body, triage_error *err)
{
    tr_server_opts o = {.listen = listen, .db = db, .host = host, .token = token,
                        .threads = 2, .max_body = max_body, .log = logf_};
    return tr_server_start(&o, err);
}

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);
    dir = tu_tmpdir();
    rules = tu_rules(RULES);
    db = malloc(1100);
    snprintf(db, 1100, "%s/t.db", dir);
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
    return 0;
}

static void test_check(void **state)
{
    triage_error err;
    tr_server *s = start("127.0.0.1:0", NULL, 0, &err);
    assert_non_null(s);
    int port = tr_server_port(s);
    assert_true(port > 0);

    char *one = referral("C-1", "");
    resp r = post(port, "/api/check", one);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "application/json"));
    json_t *j = js(&r);
    assert_string_equal(str(j, "id"), "C-1");
    assert_string_equal(str(j, "outcome"), "request_info");
    assert_null(json_object_get(j, "trace"));
    assert_int_equal(strlen(str(j, "ruleset")), 64);
    json_decref(j);
    free(r.body);

    r = post(port, "/api/check?explain=1", one);
    assert_int_equal(r.status, 200);
    j = js(&r);
    assert_true(json_is_array(json_object_get(j, "trace")));
    json_decref(j);
    free(r.body);

    /* JSON Lines in, JSON Lines out, in order; nothing is stored */
    char lines[4096];
    char *two = referral("C-2", ",\"text\":\"selvmord\"");
    snprintf(lines, sizeof lines, "%s\n%s\n", one, two);
    r = post(port, "/api/check", lines);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "application/x-ndjson"));
    char *nl = strchr(r.body, '\n');
    assert_non_null(nl);
    *nl = 0;
    j = json_loads(r.body, 0, NULL);
    assert_string_equal(str(j, "id"), "C-1");
    json_decref(j);
    j = json_loads(nl + 1, 0, NULL);
    assert_string_equal(str(j, "id"), "C-2");
    assert_string_equal(str(j, "outcome"), "accept");
    assert_string_equal(str(j, "unit"), "B205");
    json_decref(j);
    free(r.body);

    r = get(port, "/api/referrals/C-1");
    assert_int_equal(r.status, 404);
    free(r.body);

    /* malformed JSON: 400 with line and column */
    r = post(port, "/api/check", "{\"id\": \"X\",\n  \"received\" \"2020-01-01\"}");
    assert_int_equal(r.status, 400);
    j = js(&r);
    assert_non_null(strstr(str(j, "error"), "invalid JSON"));
    assert_int_equal(json_integer_value(json_object_get(j, "line")), 2);
    assert_true(json_integer_value(json_object_get(j, "column")) > 1);
    json_decref(j);
    free(r.body);

    /* schema error: 400 naming the field, and never quoting the CPR */
    r = post(port, "/api/check", "{\"id\":\"X\",\"referrer\":{\"kind\":\"gp\"},"
             "\"patient\":{\"cpr\":\"" CPR "\"}}");
    assert_int_equal(r.status, 400);
    j = js(&r);
    assert_string_equal(str(j, "field"), "received");
    assert_null(strstr(r.body, CPR));
    json_decref(j);
    free(r.body);

    /* several bad records: each is named */
    r = post(port, "/api/check", "{\"id\":\"A\"}\n{\"id\":\"B\"}\n");
    assert_int_equal(r.status, 400);
    j = js(&r);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 2);
    json_decref(j);
    free(r.body);

    r = post(port, "/api/check", "  \n");
    assert_int_equal(r.status, 400);
    free(r.body);

    r = get(port, "/api/check");
    assert_int_equal(r.status, 405);
    free(r.body);
    r = get(port, "/api/nothing");
    assert_int_equal(r.status, 404);
    free(r.body);

    free(one);
    free(two);
    tr_server_stop(s);
}

static void test_oversize(void **state)
{
    triage_error err;
    tr_server *s = start("127.0.0.1:0", NULL, 1024, &err);
    assert_non_null(s);
    char *big = malloc(8192);
    memset(big, ' ', 8191);
    big[0] = '{';
    big[8190] = '}';
    big[8191] = 0;
    resp r = post(tr_server_port(s), "/api/check", big);
    assert_int_equal(r.status, 413);
    json_t *j = js(&r);
    assert_non_null(str(j, "error"));
    assert_int_equal(json_integer_value(json_object_get(j, "limit")), 1024);
    json_decref(j);
    free(r.body);
    /* just under the limit is read */
    big[1000] = 0;
    big[999] = '}';
    r = post(tr_server_port(s), "/api/check", big);
    assert_int_equal(r.status, 400);   /* {} is no referral, but it was read */
    free(r.body);
    free(big);
    tr_server_stop(s);
}

static void test_referrals(void **state)
{
    triage_error err;
    tr_server *s = start("127.0.0.1:0", NULL, 0, &err);
    assert_non_null(s);
    int port = tr_server_port(s);

    char *a = referral("R-1", ""), *b = referral("R-2", ",\"text\":\"selvmord\"");
    resp r = post(port, "/api/referrals", a);
    assert_int_equal(r.status, 201);
    json_t *j = js(&r);
    assert_string_equal(str(j, "outcome"), "request_info");
    json_decref(j);
    free(r.body);
    r = post(port, "/api/referrals", b);
    assert_int_equal(r.status, 201);
    free(r.body);

    /* a duplicate id is 409 and changes nothing */
    char *a2 = referral("R-1", ",\"text\":\"selvmord\"");
    r = post(port, "/api/referrals", a2);
    assert_int_equal(r.status, 409);
    j = js(&r);
    assert_string_equal(str(j, "field"), "id");
    json_decref(j);
    free(r.body);

    r = post(port, "/api/referrals", "{\"id\":\"R-3\"}");
    assert_int_equal(r.status, 400);
    j = js(&r);
    assert_non_null(str(j, "field"));
    json_decref(j);
    free(r.body);
    r = post(port, "/api/referrals", "{\"id\":");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"column\""));
    free(r.body);

    /* the work list: latest decision per referral, no CPR */
    r = get(port, "/api/referrals");
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, CPR));
    j = js(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    json_decref(j);
    free(r.body);

    r = get(port, "/api/referrals?outcome=accept&unit=B205");
    assert_int_equal(r.status, 200);
    j = js(&r);
    items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(str(json_array_get(items, 0), "id"), "R-2");
    assert_string_equal(str(json_array_get(items, 0), "priority"), "acute");
    json_decref(j);
    free(r.body);

    r = get(port, "/api/referrals?q=r-1&from=2020-03-01&to=2020-03-31&limit=10&offset=0");
    j = js(&r);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    free(r.body);
    r = get(port, "/api/referrals?due=2020-03-02&priority=acute");
    j = js(&r);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    free(r.body);
    r = get(port, "/api/referrals?from=2020-04-01");
    j = js(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
    free(r.body);

    r = get(port, "/api/referrals?outcome=maybe");
    assert_int_equal(r.status, 400);
    j = js(&r);
    assert_string_equal(str(j, "field"), "outcome");
    json_decref(j);
    free(r.body);
    r = get(port, "/api/referrals?from=yesterday");
    assert_int_equal(r.status, 400);
    free(r.body);

    /* one referral: itself, its history, and a fresh trace on request */
    r = get(port, "/api/referrals/R-1?explain=1");
    assert_int_equal(r.status, 200);
    j = js(&r);
    assert_string_equal(str(json_object_get(j, "referral"), "id"), "R-1");
    json_t *decs = json_object_get(j, "decisions");
    assert_int_equal(json_array_size(decs), 1);
    assert_string_equal(str(json_array_get(decs, 0), "outcome"), "request_info");
    assert_true(json_is_array(json_object_get(json_array_get(decs, 0), "reasons")));
    assert_true(json_is_array(json_object_get(json_object_get(j, "explain"), "trace")));
    json_decref(j);
    free(r.body);
    r = get(port, "/api/referrals/NOPE");
    assert_int_equal(r.status, 404);
    free(r.body);
    r = get(port, "/api/referrals/" CPR);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body, CPR));
    free(r.body);

    r = get(port, "/api/status");
    assert_int_equal(r.status, 200);
    j = js(&r);
    assert_int_equal(strlen(str(j, "ruleset")), 64);
    assert_non_null(str(j, "loaded_at"));
    assert_true(json_is_null(json_object_get(j, "last_error")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"), "referrals")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"), "decisions")), 2);
    json_decref(j);
    free(r.body);

    /* the page is served, from the binary */
    r = get(port, "/");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "text/html"));
    free(r.body);
    r = get(port, "/app.js");
    assert_int_equal(r.status, 200);
    free(r.body);

    free(a);
    free(a2);
    free(b);
    tr_server_stop(s);

    /* one line per request, and no CPR in any of them */
    fflush(logf_);
    rewind(logf_);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, logf_)) {
        assert_null(strstr(line, CPR));
        n++;
    }
    assert_true(n > 10);
}

static void test_token(void **state)
{
    triage_error err;
    /* not loopback without a token: refused */
    assert_null(start("0.0.0.0:0", NULL, 0, &err));
    assert_non_null(strstr(err.text, "token"));

    tr_server *s = start("0.0.0.0:0", "s3cret-token", 0, &err);
    assert_non_null(s);
    int port = tr_server_port(s);
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
    tr_server_stop(s);

    assert_null(start("127.0.0.1:notaport", NULL, 0, &err));
    assert_null(start("nonsense", NULL, 0, &err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_referrals),
        cmocka_unit_test(test_token),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
