/*
** test_fhir_server.c — FHIR over HTTP (server/fhir.c), started in-process
** with the shipped rules on a loopback port: the CapabilityStatement, POST
** /fhir with a message's whole life (new 201, the same again answered the
** same, update decided again, cancel), GET of the Task and ServiceRequest it
** answered, every fail_* file a 422 OperationOutcome naming its FHIRPath,
** unknown and withdrawn ids, the token, POST /api/check with a FHIR body,
** and no CPR number in any answer or log line.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <signal.h>

#include "triage_server.h"
#include "testutil.h"
#include "http_client.h"

#define FHIR TRIAGE_SOURCE_DIR "/tests/data/fhir/"
#define NEW "01-gp-adhd-autism-message-new.fhir.json"
#define UPDATE "02-gp-adhd-autism-message-update.fhir.json"
#define CANCEL "03-gp-message-cancel.fhir.json"
#define REF "HENV-2020-0914-0042"
#define SR_ID "7f3d0c2a-6a51-4c1e-9a47-1b2f6c0d9e11"
#define MSG_NEW "0b6a9c1e-5f4d-4e3c-8b2a-1c0d9e8f7a10"

static char *dir, *db;
static triage_host *host;
static FILE *log_;
static int ndb;

static triage_server *start(const char *token)
{
    triage_error err;
    snprintf(db, 1100, "%s/f%d.db", dir, ++ndb);
    triage_server_opts o = {.listen = "127.0.0.1:0", .db = db, .host = host, .token = token,
                            .threads = 2, .log = log_};
    triage_server *s = triage_server_start(&o, &err);
    if (!s) fail_msg("%s", err.text);
    return s;
}

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);
    dir = tu_tmpdir();
    db = malloc(1100);
    triage_error err;
    host = triage_host_open(TRIAGE_SOURCE_DIR "/rules", NULL, &err);
    if (!host) fprintf(stderr, "%s\n", err.text);
    log_ = tmpfile();
    return host && log_ ? 0 : -1;
}

static int teardown(void **state)
{
    triage_host_close(host);
    fclose(log_);
    tu_rmtree(dir);
    free(db);
    return 0;
}

static int serve(void **state)
{
    *state = start(NULL);
    return 0;
}

static int unserve(void **state)
{
    triage_server_stop(*state);
    return 0;
}

#define PORT (triage_server_port(*state))

static char *file(const char *name, size_t *len)
{
    char path[600];
    snprintf(path, sizeof path, "%s%s", FHIR, name);
    char *s = tu_slurp(path, len);
    if (!s) fail_msg("cannot read %s", path);
    return s;
}

/* No run of six or more digits: nothing that could be (part of) a CPR. */
static void assert_no_cpr(const char *s)
{
    int run = 0;
    for (const char *p = s; *p; p++) {
        run = *p >= '0' && *p <= '9' ? run + 1 : 0;
        if (run >= 10) fail_msg("a CPR-like number in %.200s", s);
    }
}

/* A FHIR reply: want's status, FHIR's media type, the JSON (caller frees). */
static json_t *fhir(int port, const char *method, const char *path, const char *auth,
                    const char *body, size_t len, int want)
{
    resp r = http(port, method, path, auth, body, len);
    if (r.status != want) fail_msg("%s %s: %d, not %d: %s", method, path, r.status, want, r.body);
    assert_non_null(strstr(r.head, "Content-Type: application/fhir+json"));
    json_error_t je;
    json_t *j = json_loads(r.body, 0, &je);
    if (!j) fail_msg("not JSON: %s", r.body);
    free(r.body);
    return j;
}

static json_t *post_file(int port, const char *name, int want)
{
    size_t len;
    char *body = file(name, &len);
    json_t *j = fhir(port, "POST", "/fhir", NULL, body, len, want);
    free(body);
    return j;
}

/* How many records the store keeps in quarantine (GET /api/status). */
static long quarantined(int port)
{
    resp r = http(port, "GET", "/api/status", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    long n = (long)json_integer_value(json_object_get(json_object_get(j, "counts"), "quarantine"));
    json_decref(j);
    free(r.body);
    return n;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Entry i's resource. */
static json_t *res(const json_t *bundle, size_t i)
{
    return json_object_get(json_array_get(json_object_get(bundle, "entry"), i), "resource");
}

static json_t *issue0(const json_t *outcome)
{
    assert_string_equal(str(outcome, "resourceType"), "OperationOutcome");
    return json_array_get(json_object_get(outcome, "issue"), 0);
}

/* ---------------------------------------------------------------- tests */

static void test_fhir_metadata_tells_what_is_supported(void **state)
{
    json_t *cs = fhir(PORT, "GET", "/fhir/metadata", NULL, NULL, 0, 200);
    assert_string_equal(str(cs, "resourceType"), "CapabilityStatement");
    assert_string_equal(str(cs, "fhirVersion"), "4.0.1");
    assert_string_equal(str(cs, "kind"), "instance");
    json_t *rest = json_array_get(json_object_get(cs, "rest"), 0);
    json_t *types = json_object_get(rest, "resource");
    assert_int_equal(json_array_size(types), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *t = json_array_get(types, i);
        assert_true(!strcmp(str(t, "type"), "Task") || !strcmp(str(t, "type"), "ServiceRequest"));
        json_t *ia = json_object_get(t, "interaction");
        assert_int_equal(json_array_size(ia), 1);
        assert_string_equal(str(json_array_get(ia, 0), "code"), "read");
    }
    assert_string_equal(str(json_array_get(json_object_get(rest, "operation"), 0), "name"),
                        "process-message");
    json_decref(cs);
}

static void test_fhir_message_life_new_again_update_cancel(void **state)
{
    /* new-referral: stored, decided, answered with the response message */
    json_t *a = post_file(PORT, NEW, 201);
    assert_string_equal(str(a, "type"), "message");
    json_t *h = res(a, 0), *task = res(a, 1);
    assert_string_equal(str(h, "resourceType"), "MessageHeader");
    assert_string_equal(str(json_object_get(h, "response"), "identifier"), MSG_NEW);
    assert_string_equal(str(task, "resourceType"), "Task");
    assert_string_equal(str(task, "status"), "on-hold");          /* request_info */
    char tid[64], path[128];
    snprintf(tid, sizeof tid, "%s", str(task, "id"));

    /* the same message again: the same answer, nothing changed */
    size_t len;
    char *body = file(NEW, &len);
    resp r1 = http(PORT, "POST", "/fhir", NULL, body, len);
    assert_int_equal(r1.status, 200);
    char *first = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(r1.body, first);
    free(first);
    free(r1.body);
    free(body);

    /* the Task and the ServiceRequest it answered, read */
    snprintf(path, sizeof path, "/fhir/Task/%s", tid);
    json_t *t = fhir(PORT, "GET", path, NULL, NULL, 0, 200);
    assert_true(json_equal(t, task));
    json_decref(t);
    json_t *sr = fhir(PORT, "GET", "/fhir/ServiceRequest/" SR_ID, NULL, NULL, 0, 200);
    assert_string_equal(str(sr, "status"), "on-hold");
    json_decref(sr);
    json_decref(a);

    /* update-referral: decided again, the same Task, now accepted */
    a = post_file(PORT, UPDATE, 200);
    assert_string_equal(str(res(a, 1), "id"), tid);
    assert_string_equal(str(res(a, 1), "status"), "accepted");
    json_decref(a);
    t = fhir(PORT, "GET", path, NULL, NULL, 0, 200);
    assert_string_equal(str(t, "status"), "accepted");
    json_decref(t);

    /* cancel-referral: the Task cancelled, the ServiceRequest revoked */
    a = post_file(PORT, CANCEL, 200);
    assert_string_equal(str(res(a, 1), "id"), tid);
    assert_string_equal(str(res(a, 1), "status"), "cancelled");
    json_decref(a);
    a = post_file(PORT, CANCEL, 200);                   /* again: as it stands */
    assert_string_equal(str(res(a, 1), "status"), "cancelled");
    json_decref(a);
    sr = fhir(PORT, "GET", "/fhir/ServiceRequest/" SR_ID, NULL, NULL, 0, 200);
    assert_string_equal(str(sr, "status"), "revoked");
    json_decref(sr);

    /* a new version of a withdrawn referral is a conflict */
    body = file(UPDATE, &len);
    for (char *m = body; (m = strstr(m, "2c8e1f3a")); )   /* a message of its own */
        memcpy(m, "ffffffff", 8);
    json_t *o = fhir(PORT, "POST", "/fhir", NULL, body, len, 409);
    assert_string_equal(str(issue0(o), "code"), "conflict");
    assert_non_null(strstr(str(issue0(o), "diagnostics"), "withdrawn"));
    json_decref(o);
    free(body);
}

static void test_fhir_unknown_ids_are_not_found(void **state)
{
    json_t *o = post_file(PORT, CANCEL, 404);
    assert_string_equal(str(issue0(o), "code"), "not-found");
    assert_non_null(strstr(str(issue0(o), "diagnostics"), REF));
    json_decref(o);
    o = post_file(PORT, UPDATE, 404);
    assert_non_null(strstr(str(issue0(o), "diagnostics"), "update-referral"));
    json_decref(o);
    o = fhir(PORT, "GET", "/fhir/Task/no-such-task", NULL, NULL, 0, 404);
    json_decref(o);
    o = fhir(PORT, "GET", "/fhir/ServiceRequest/x/y", NULL, NULL, 0, 404);
    json_decref(o);
    o = fhir(PORT, "GET", "/fhir/Patient/1", NULL, NULL, 0, 404);   /* no such route */
    json_decref(o);
    o = fhir(PORT, "DELETE", "/fhir/Task/1", NULL, NULL, 0, 405);
    assert_string_equal(str(issue0(o), "code"), "not-supported");
    json_decref(o);
}

/* Each fail_ file: 422, the FHIRPath as the expression, the error line's
** text; and kept in quarantine, as import keeps it. */
static void test_fhir_bad_fhir_is_422_with_the_fhirpath_and_kept(void **state)
{
    DIR *d = opendir(FHIR);
    struct dirent *e;
    int n = 0;
    long kept = quarantined(PORT);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "fail_", 5) || l < 6 || strcmp(e->d_name + l - 5, ".json")) continue;
        char errname[300];
        snprintf(errname, sizeof errname, "%.*s.error", (int)(l - 5), e->d_name);
        size_t el;
        char *line = file(errname, &el);
        line[strcspn(line, "\n")] = '\0';
        const char *want = line + strlen(e->d_name) + strlen(":1: ");
        json_t *o = post_file(PORT, e->d_name, 422);
        if (quarantined(PORT) != ++kept) fail_msg("%s: not kept in quarantine", e->d_name);
        json_t *i = issue0(o);
        assert_string_equal(str(i, "severity"), "error");
        assert_string_equal(str(i, "diagnostics"), want);
        /* "[ID: ]FHIRPATH: what" (not for JSON that breaks off) */
        const json_t *x = json_object_get(i, "expression");
        if (strncmp(want, "invalid JSON", 12)) {
            const char *path = json_string_value(json_array_get(x, 0));
            assert_non_null(path);
            char needle[200];
            snprintf(needle, sizeof needle, "%s: ", path);
            assert_non_null(strstr(want, needle));
        } else
            assert_string_equal(str(i, "code"), "structure");
        char *text = json_dumps(o, 0);
        assert_no_cpr(text);
        free(text);
        json_decref(o);
        free(line);
        n++;
    }
    closedir(d);
    assert_true(n >= 20);
}

static void test_fhir_refuses_native_two_referrals_and_non_messages(void **state)
{
    const char *native = "{\"id\":\"N-1\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
                         "\"patient\":{\"birth_date\":\"2012-01-01\",\"municipality\":\"Gladsaxe\"}}";
    json_t *o = fhir(PORT, "POST", "/fhir", NULL, native, strlen(native), 422);
    assert_non_null(strstr(str(issue0(o), "diagnostics"), "/api/referrals"));
    json_decref(o);
    size_t len;
    char *one = file("04-ppr-anxiety-contained.fhir.json", &len);
    char *two = malloc(2 * len + 2);
    snprintf(two, 2 * len + 2, "%s\n%s", one, one);
    o = fhir(PORT, "POST", "/fhir", NULL, two, strlen(two), 400);
    json_decref(o);
    o = fhir(PORT, "POST", "/fhir/$process-message", NULL, one, len, 422);
    assert_non_null(strstr(str(issue0(o), "diagnostics"), "message"));
    json_decref(o);
    /* a ServiceRequest with contained resources: a collection answer */
    o = fhir(PORT, "POST", "/fhir", NULL, one, len, 201);
    assert_string_equal(str(o, "type"), "collection");
    assert_string_equal(str(res(o, 0), "resourceType"), "Task");
    json_decref(o);
    free(one);
    free(two);
}

static void test_fhir_needs_the_token_and_api_check_takes_fhir(void **state)
{
    triage_server *s = start("fhir-token");
    int port = triage_server_port(s);
    json_t *o = fhir(port, "GET", "/fhir/metadata", NULL, NULL, 0, 401);
    assert_string_equal(str(issue0(o), "code"), "login");
    json_decref(o);
    size_t len;
    char *body = file(NEW, &len);
    o = fhir(port, "POST", "/fhir", "Bearer wrong", body, len, 401);
    json_decref(o);
    o = fhir(port, "POST", "/fhir", "Bearer fhir-token", body, len, 201);
    json_decref(o);
    /* /api/check: the FHIR referral decided like a native one, nothing kept */
    resp r = http(port, "POST", "/api/check", "Bearer fhir-token", body, len);
    assert_int_equal(r.status, 200);
    json_t *d = json_loads(r.body, 0, NULL);
    assert_string_equal(str(d, "id"), REF);
    assert_string_equal(str(d, "outcome"), "request_info");
    json_decref(d);
    free(r.body);
    free(body);
    body = file(CANCEL, &len);
    r = http(port, "POST", "/api/check", "Bearer fhir-token", body, len);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "POST it to /fhir"));
    free(r.body);
    free(body);
    triage_server_stop(s);
}

/* One referral and then bytes that are no JSON: the JSON is what is wrong
** (422, structure, the line), not a second referral (400). */
static void test_fhir_trailing_garbage_is_invalid_json_not_a_second_referral(void **state)
{
    size_t len;
    char *one = file("04-ppr-anxiety-contained.fhir.json", &len);
    char *body = malloc(len + 16);
    snprintf(body, len + 16, "%s\nxyz garbage", one);
    json_t *o = fhir(PORT, "POST", "/fhir", NULL, body, strlen(body), 422);
    const json_t *i = issue0(o);
    assert_string_equal(str(i, "code"), "structure");
    assert_non_null(strstr(str(i, "diagnostics"), "invalid JSON"));
    assert_null(strstr(str(i, "diagnostics"), "more than one referral"));
    json_decref(o);
    /* nothing was stored: the corrected body is a new referral */
    o = fhir(PORT, "POST", "/fhir", NULL, one, len, 201);
    json_decref(o);
    free(one);
    free(body);
}

/* A cancel with a referral after it in one body: refused whole (400), so
** that neither the withdrawal nor the referral happens half-way. */
static void test_fhir_cancel_with_a_second_referral_is_refused_whole(void **state)
{
    json_t *o = post_file(PORT, "01-gp-adhd-autism-message-new.fhir.json", 201);
    json_decref(o);
    size_t lc, lr;
    char *cancel = file("03-gp-message-cancel.fhir.json", &lc);
    char *other = file("04-ppr-anxiety-contained.fhir.json", &lr);
    char *body = malloc(lc + lr + 2);
    snprintf(body, lc + lr + 2, "%s\n%s", cancel, other);
    o = fhir(PORT, "POST", "/fhir", NULL, body, strlen(body), 400);
    assert_non_null(strstr(str(issue0(o), "diagnostics"), "more than one referral"));
    json_decref(o);
    /* neither happened: the cancel alone withdraws, the other is new */
    o = fhir(PORT, "POST", "/fhir", NULL, cancel, lc, 200);
    json_decref(o);
    o = fhir(PORT, "POST", "/fhir", NULL, other, lr, 201);
    json_decref(o);
    free(cancel);
    free(other);
    free(body);
}

static void test_fhir_log_holds_no_cpr(void **state)
{
    json_t *o = post_file(PORT, "05-hospital-anorexia-collection.fhir.json", 201);
    json_decref(o);
    o = fhir(PORT, "GET", "/fhir/ServiceRequest/1406114321", NULL, NULL, 0, 404);
    json_decref(o);
    fflush(log_);
    rewind(log_);
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, log_)) {
        assert_no_cpr(line);
        lines++;
    }
    assert_true(lines >= 2);
}

#define SERVED(t) cmocka_unit_test_setup_teardown(t, serve, unserve)

int main(void)
{
    const struct CMUnitTest tests[] = {
        SERVED(test_fhir_metadata_tells_what_is_supported),
        SERVED(test_fhir_message_life_new_again_update_cancel),
        SERVED(test_fhir_unknown_ids_are_not_found),
        SERVED(test_fhir_bad_fhir_is_422_with_the_fhirpath_and_kept),
        SERVED(test_fhir_refuses_native_two_referrals_and_non_messages),
        SERVED(test_fhir_trailing_garbage_is_invalid_json_not_a_second_referral),
        SERVED(test_fhir_cancel_with_a_second_referral_is_refused_whole),
        cmocka_unit_test(test_fhir_needs_the_token_and_api_check_takes_fhir),
        SERVED(test_fhir_log_holds_no_cpr),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
