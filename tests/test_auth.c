/*
** test_auth.c — people on `triage serve`: logging in (a wrong password, an
** unknown name, a disabled account, rate-limited failures, JSON only), the
** session cookie's flags, an expired session, logging out, the CSRF token
** and other sites' requests, each role held to what it may do (an intake
** person doing an admin's action), accounts managed by an admin, and the
** access token still serving machine clients. Each refusal says why, and
** stores nothing.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "servefix.h"

static sf_server S, T;   /* T: with an access token */
#define TOKEN "a-token-for-machine-clients"

static int setup(void **state)
{
    triage_server_opts o = {.threads = 2};
    return sf_start(&S, NULL, NULL, &o) || sf_start(&T, NULL, TOKEN, &o) ? -1 : 0;
}

static int teardown(void **state)
{
    sf_stop(&S);
    sf_stop(&T);
    return 0;
}

static long logins(const sf_server *f)
{
    return sf_count(f, "SELECT count(*) FROM audit WHERE action = 'login'");
}

static void assert_error(hc_resp *r, int status, const char *says)
{
    if (r->status != status || !strstr(hc_str(r->json, "error") ?: "", says))
        fail_msg("want %d '%s', got %d %s", status, says, r->status, r->body);
}

/* ------------------------------------------------------------- logging in */

static void test_auth_login_gives_an_httponly_strict_cookie_and_a_csrf_token(void **state)
{
    hc_client c = sf_client(&S);
    hc_resp r = hc_post(&c, "/api/login", "{\"name\":\"" SF_INTAKE "\",\"password\":\""
                        SF_PW(SF_INTAKE) "\"}");
    assert_int_equal(r.status, 200);
    char cookie[256];
    assert_non_null(hc_header(&r, "Set-Cookie", cookie, sizeof cookie));
    assert_non_null(strstr(cookie, "triage_session="));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_non_null(strstr(cookie, "Path=/"));
    assert_string_equal(hc_str(r.json, "name"), SF_INTAKE);
    assert_string_equal(hc_str(r.json, "role"), "intake");
    assert_int_equal(strlen(hc_str(r.json, "csrf")), 64);
    hc_free(&r);
    /* the session names the person; the database keeps a hash, not the id */
    r = hc_get(&c, "/api/session");
    assert_int_equal(r.status, 200);
    assert_string_equal(hc_str(r.json, "name"), SF_INTAKE);
    hc_free(&r);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sessions WHERE id = '%s'",
             c.cookie + strlen("triage_session="));
    assert_int_equal(sf_count(&S, sql), 0);
}

static void test_auth_wrong_password_is_refused_and_opens_no_session(void **state)
{
    hc_client c = sf_client(&S);
    long sessions = sf_count(&S, "SELECT count(*) FROM sessions"), in = logins(&S);
    hc_resp r = hc_post(&c, "/api/login", "{\"name\":\"" SF_INTAKE2 "\",\"password\":\"wrong-one-1\"}");
    assert_error(&r, 401, "wrong name or password");
    char cookie[256];
    assert_null(hc_header(&r, "Set-Cookie", cookie, sizeof cookie));
    hc_free(&r);
    /* an unknown name is told the same, not that the name is unknown */
    r = hc_post(&c, "/api/login", "{\"name\":\"nobody\",\"password\":\"whatever-1234\"}");
    assert_error(&r, 401, "wrong name or password");
    hc_free(&r);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM sessions"), sessions);
    assert_int_equal(logins(&S), in);
}

static void test_auth_disabled_account_cannot_log_in(void **state)
{
    hc_client c = sf_client(&S);
    long sessions = sf_count(&S, "SELECT count(*) FROM sessions");
    hc_resp r = hc_post(&c, "/api/login", "{\"name\":\"" SF_GONE "\",\"password\":\""
                        SF_PW(SF_GONE) "\"}");
    assert_error(&r, 403, "this account is disabled");
    hc_free(&r);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM sessions"), sessions);
    assert_string_equal(c.cookie, "");
}

static void test_auth_login_must_be_json(void **state)
{
    hc_client c = sf_client(&S);
    /* a form post, as another site's page could send */
    hc_resp r = hc_send(&c, "POST", "/api/login", NULL,
                        "Content-Type: application/x-www-form-urlencoded\r\n");
    assert_error(&r, 415, "JSON");
    hc_free(&r);
}

static void test_auth_failed_logins_are_rate_limited_even_with_the_right_password(void **state)
{
    hc_client c = sf_client(&S);
    for (int i = 0; i < 5; i++) {
        hc_resp r = hc_post(&c, "/api/login", "{\"name\":\"" SF_AUTHOR "\",\"password\":\"guess-number-x\"}");
        assert_int_equal(r.status, 401);
        hc_free(&r);
    }
    long in = logins(&S);
    hc_resp r = hc_post(&c, "/api/login", "{\"name\":\"" SF_AUTHOR "\",\"password\":\""
                        SF_PW(SF_AUTHOR) "\"}");
    assert_error(&r, 429, "too many failed logins");
    char after[32];
    assert_non_null(hc_header(&r, "Retry-After", after, sizeof after));
    assert_true(atol(after) > 0 && atol(after) <= 900);
    hc_free(&r);
    assert_int_equal(logins(&S), in);
    assert_string_equal(c.cookie, "");
}

/* --------------------------------------------------------------- sessions */

static void test_auth_expired_session_is_refused_and_removed(void **state)
{
    hc_client c = sf_client(&S);
    assert_int_equal(hc_login(&c, SF_INTAKE2, SF_PW(SF_INTAKE2)), 200);
    assert_int_equal(sf_post(&S, "AUTH-EXP-1", ""), 0);
    /* an hour and more since its last request: past the idle time */
    assert_int_equal(sf_exec(&S, "UPDATE sessions SET seen = seen - 4000 WHERE user = 'bo'"), SQLITE_OK);
    hc_resp r = hc_get(&c, "/api/session");
    assert_error(&r, 401, "the session has expired; log in again");
    hc_free(&r);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM sessions WHERE user = 'bo'"), 0);
    /* and nothing it asks is done */
    r = hc_post(&c, "/api/referrals/AUTH-EXP-1/review", "{\"action\":\"confirm\"}");
    assert_int_equal(r.status, 401);
    hc_free(&r);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM audit WHERE referral_id = 'AUTH-EXP-1'"), 0);
}

static void test_auth_logout_ends_the_session(void **state)
{
    hc_client c = sf_client(&S);
    assert_int_equal(hc_login(&c, SF_INTAKE, SF_PW(SF_INTAKE)), 200);
    hc_client keep = c;   /* a copy of the cookie, as a thief would keep it */
    hc_resp r = hc_post(&c, "/api/logout", "{}");
    assert_int_equal(r.status, 200);
    hc_free(&r);
    assert_string_equal(c.cookie, "");
    r = hc_get(&keep, "/api/session");
    assert_error(&r, 401, "not logged in");
    hc_free(&r);
}

/* -------------------------------------------------- CSRF and other sites */

static void test_auth_state_change_without_csrf_token_is_refused(void **state)
{
    assert_int_equal(sf_post(&S, "AUTH-CSRF-1", ""), 0);
    hc_client c = sf_client(&S);
    assert_int_equal(hc_login(&c, SF_INTAKE, SF_PW(SF_INTAKE)), 200);
    char good[80];
    snprintf(good, sizeof good, "%s", c.csrf);
    c.csrf[0] = '\0';
    hc_resp r = hc_post(&c, "/api/referrals/AUTH-CSRF-1/review", "{\"action\":\"confirm\"}");
    assert_error(&r, 403, "CSRF token is missing");
    hc_free(&r);
    /* the last digit changed (a token ending in 0 ends in 1: one in sixteen
    ** would otherwise be sent unchanged, and rightly accepted) */
    snprintf(c.csrf, sizeof c.csrf, "%.63s%c", good, good[63] == '0' ? '1' : '0');
    r = hc_post(&c, "/api/referrals/AUTH-CSRF-1/review", "{\"action\":\"confirm\"}");
    assert_error(&r, 403, "CSRF token is wrong");
    hc_free(&r);
    /* the right token, from another site */
    snprintf(c.csrf, sizeof c.csrf, "%s", good);
    snprintf(c.origin, sizeof c.origin, "http://evil.example");
    r = hc_post(&c, "/api/referrals/AUTH-CSRF-1/review", "{\"action\":\"confirm\"}");
    assert_error(&r, 403, "another site");
    hc_free(&r);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM audit WHERE referral_id = 'AUTH-CSRF-1'"), 0);
    /* and from this one it is done */
    snprintf(c.origin, sizeof c.origin, "http://127.0.0.1:%d", S.port);
    r = hc_post(&c, "/api/referrals/AUTH-CSRF-1/review", "{\"action\":\"confirm\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
}

/* ------------------------------------------------------------------ roles */

static void test_auth_intake_person_doing_an_admins_action_is_refused(void **state)
{
    hc_client c = sf_client(&S);
    assert_int_equal(hc_login(&c, SF_INTAKE, SF_PW(SF_INTAKE)), 200);
    hc_resp r = hc_post(&c, "/api/users", "{\"name\":\"mallory\",\"role\":\"admin\","
                        "\"password\":\"mallory-password\"}");
    assert_error(&r, 403, "only an admin manages accounts");
    hc_free(&r);
    r = hc_post(&c, "/api/users/" SF_INTAKE2 "/disable", "{}");
    assert_int_equal(r.status, 403);
    hc_free(&r);
    r = hc_get(&c, "/api/users");
    assert_int_equal(r.status, 403);
    hc_free(&r);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM users WHERE name = 'mallory'"), 0);
    assert_int_equal(sf_count(&S, "SELECT disabled FROM users WHERE name = 'bo'"), 0);
}

/* (On T: the rate-limit test above has locked the author out of S.) */
static void test_auth_author_reads_and_tries_but_does_not_review(void **state)
{
    hc_client m = sf_client(&T), a = sf_client(&T);
    snprintf(m.bearer, sizeof m.bearer, "%s", TOKEN);
    char *b = sf_referral("AUTH-AUTHOR-1", "");
    hc_resp r = hc_post(&m, "/api/referrals", b);
    assert_int_equal(r.status, 201);
    hc_free(&r);
    assert_int_equal(hc_login(&a, SF_AUTHOR, SF_PW(SF_AUTHOR)), 200);
    r = hc_get(&a, "/api/referrals/AUTH-AUTHOR-1/audit");
    assert_int_equal(r.status, 200);
    hc_free(&r);
    r = hc_post(&a, "/api/check", b);      /* what-if: decided, nothing kept */
    assert_int_equal(r.status, 200);
    hc_free(&r);
    free(b);
    r = hc_post(&a, "/api/referrals/AUTH-AUTHOR-1/review", "{\"action\":\"confirm\"}");
    assert_error(&r, 403, "only intake staff review");
    hc_free(&r);
    assert_int_equal(sf_count(&T, "SELECT count(*) FROM audit WHERE referral_id IS NOT NULL"), 0);
}

static void test_auth_admin_adds_and_disables_an_account_and_its_session_ends(void **state)
{
    hc_client admin = sf_client(&S), fay = sf_client(&S);
    assert_int_equal(hc_login(&admin, SF_ADMIN, SF_PW(SF_ADMIN)), 200);
    hc_resp r = hc_post(&admin, "/api/users", "{\"name\":\"fay\",\"role\":\"intake\","
                        "\"password\":\"short\"}");
    assert_error(&r, 400, "10 to 1024");
    assert_string_equal(hc_str(r.json, "field"), "password");
    hc_free(&r);
    r = hc_post(&admin, "/api/users", "{\"name\":\"fay\",\"role\":\"intake\","
                "\"password\":\"fays-password\"}");
    assert_int_equal(r.status, 201);
    hc_free(&r);
    r = hc_post(&admin, "/api/users", "{\"name\":\"fay\",\"role\":\"author\","
                "\"password\":\"fays-password\"}");
    assert_error(&r, 409, "exists");
    hc_free(&r);
    assert_int_equal(hc_login(&fay, "fay", "fays-password"), 200);
    r = hc_post(&admin, "/api/users/fay/disable", "{}");
    assert_int_equal(r.status, 200);
    hc_free(&r);
    r = hc_get(&fay, "/api/session");
    assert_error(&r, 401, "not logged in");
    hc_free(&r);
    r = hc_post(&admin, "/api/users/" SF_ADMIN "/disable", "{}");
    assert_error(&r, 409, "your own account");
    hc_free(&r);
    /* the log says who did it */
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM audit WHERE action = 'user_add'"
                     " AND actor = 'dan' AND assignee = 'fay'"), 1);
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM audit WHERE action = 'user_disable'"
                     " AND actor = 'dan' AND assignee = 'fay'"), 1);
}

/* ------------------------------------------------------- machine clients */

static void test_auth_token_keeps_serving_machine_clients_but_not_as_a_person(void **state)
{
    hc_client m = sf_client(&T), anon = sf_client(&T);
    hc_resp r = hc_get(&anon, "/api/referrals");
    assert_error(&r, 401, "log in, or give the access token");
    hc_free(&r);
    snprintf(m.bearer, sizeof m.bearer, "%s", TOKEN);
    r = hc_get(&m, "/api/referrals");
    assert_int_equal(r.status, 200);
    hc_free(&r);
    char *b = sf_referral("AUTH-MACHINE-1", "");
    r = hc_post(&m, "/api/referrals", b);
    assert_int_equal(r.status, 201);
    hc_free(&r);
    free(b);
    r = hc_post(&m, "/api/referrals/AUTH-MACHINE-1/review", "{\"action\":\"confirm\"}");
    assert_error(&r, 403, "a person's action");
    hc_free(&r);
    snprintf(m.bearer, sizeof m.bearer, "not-the-token");
    r = hc_get(&m, "/api/referrals");
    assert_error(&r, 401, "access token");
    hc_free(&r);
    /* a person's session serves the page's reads on a server with a token */
    hc_client p = sf_client(&T);
    assert_int_equal(hc_login(&p, SF_INTAKE, SF_PW(SF_INTAKE)), 200);
    r = hc_get(&p, "/api/referrals");
    assert_int_equal(r.status, 200);
    hc_free(&r);
    assert_int_equal(sf_count(&T, "SELECT count(*) FROM audit WHERE referral_id = 'AUTH-MACHINE-1'"), 0);
}

static void test_auth_request_log_holds_no_password_or_cpr(void **state)
{
    hc_client c = sf_client(&S);
    hc_resp r = hc_post(&c, "/api/login", "{\"name\":\"1406111234\",\"password\":\"140611-1234\"}");
    assert_int_equal(r.status, 401);
    hc_free(&r);
    char *log = sf_log(&S);
    assert_null(strstr(log, "1406111234"));
    assert_null(strstr(log, "140611-1234"));
    assert_null(strstr(log, SF_PW(SF_INTAKE)));
    assert_non_null(strstr(log, "POST /api/login 401"));
    free(log);
}

/* `triage user`: the password from standard input, never an argument. */
static void test_auth_user_command_reads_the_password_never_an_argument(void **state)
{
    char cmd[2400], out[4096];
    snprintf(cmd, sizeof cmd, "echo 'gunnars-password' | %s user add gunnar --role author --db '%s' 2>&1",
             TRIAGE_EXE, S.db);
    assert_int_equal(tu_run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "gunnar added as author"));
    hc_client c = sf_client(&S);
    assert_int_equal(hc_login(&c, "gunnar", "gunnars-password"), 200);
    /* a password given as an argument is refused, and says where it goes */
    snprintf(cmd, sizeof cmd, "%s user add hanne --role intake hannes-password --db '%s' 2>&1 </dev/null",
             TRIAGE_EXE, S.db);
    assert_int_equal(tu_run(cmd, out, sizeof out), 1);
    assert_non_null(strstr(out, "never an argument"));
    assert_int_equal(sf_count(&S, "SELECT count(*) FROM users WHERE name = 'hanne'"), 0);
    snprintf(cmd, sizeof cmd, "echo short | %s user add hanne --role intake --db '%s' 2>&1",
             TRIAGE_EXE, S.db);
    assert_int_equal(tu_run(cmd, out, sizeof out), 1);
    assert_non_null(strstr(out, "10 to 1024"));
    snprintf(cmd, sizeof cmd, "%s user disable gunnar --db '%s' 2>&1 && %s user list --db '%s'",
             TRIAGE_EXE, S.db, TRIAGE_EXE, S.db);
    assert_int_equal(tu_run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "gunnar"));
    assert_non_null(strstr(strstr(out, "gunnar "), "disabled"));
    assert_null(strstr(out, "gunnars-password"));
    assert_int_equal(hc_login(&c, "gunnar", "gunnars-password"), 403);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_login_gives_an_httponly_strict_cookie_and_a_csrf_token),
        cmocka_unit_test(test_auth_wrong_password_is_refused_and_opens_no_session),
        cmocka_unit_test(test_auth_disabled_account_cannot_log_in),
        cmocka_unit_test(test_auth_login_must_be_json),
        cmocka_unit_test(test_auth_failed_logins_are_rate_limited_even_with_the_right_password),
        cmocka_unit_test(test_auth_expired_session_is_refused_and_removed),
        cmocka_unit_test(test_auth_logout_ends_the_session),
        cmocka_unit_test(test_auth_state_change_without_csrf_token_is_refused),
        cmocka_unit_test(test_auth_intake_person_doing_an_admins_action_is_refused),
        cmocka_unit_test(test_auth_author_reads_and_tries_but_does_not_review),
        cmocka_unit_test(test_auth_admin_adds_and_disables_an_account_and_its_session_ends),
        cmocka_unit_test(test_auth_token_keeps_serving_machine_clients_but_not_as_a_person),
        cmocka_unit_test(test_auth_request_log_holds_no_password_or_cpr),
        cmocka_unit_test(test_auth_user_command_reads_the_password_never_an_argument),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
