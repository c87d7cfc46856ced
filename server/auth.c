/*
** auth.c — who calls the API and whether they may: the access token of
** machine clients (constant-time compare), a person's session cookie
** (HttpOnly, SameSite=Strict) with the CSRF token every state-changing
** request of it must carry, requests from other sites refused, each
** route's allow checked against the person's role; and the routes that
** log in (rate-limited), log out, say who is logged in and manage accounts.
*/
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "auth.h"
#include "cds.h"

#define AUTH_COOKIE "triage_session"
#define AUTH_WINDOW 900           /* seconds a failed login is remembered */
#define AUTH_NAME_FAILS 5         /* failed logins per account name in the window */
#define AUTH_ADDR_FAILS 20        /* and per client address */
#define AUTH_SLOTS 512

/* ---------------------------------------------------------- the limiter */

struct sv_limiter {
    pthread_mutex_t lock;
    struct { char key[80]; int fails; time_t first; } slot[AUTH_SLOTS];
};

sv_limiter *sv_limiter_new(void)
{
    sv_limiter *l = calloc(1, sizeof *l);
    if (l) pthread_mutex_init(&l->lock, NULL);
    return l;
}

void sv_limiter_free(sv_limiter *l)
{
    if (!l) return;
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/* The slot of key (under the lock): its own, else a free or stale one, else
** the oldest. */
static int auth_slot(sv_limiter *l, const char *key, time_t now)
{
    int pick = 0;
    for (int i = 0; i < AUTH_SLOTS; i++) {
        if (l->slot[i].key[0] && !strcmp(l->slot[i].key, key)) {
            if (now - l->slot[i].first >= AUTH_WINDOW) l->slot[i].fails = 0;
            return i;
        }
        if (!l->slot[i].key[0] || now - l->slot[i].first >= AUTH_WINDOW ||
            l->slot[i].first < l->slot[pick].first)
            pick = i;
    }
    snprintf(l->slot[pick].key, sizeof l->slot[pick].key, "%s", key);
    l->slot[pick].fails = 0;
    l->slot[pick].first = now;
    return pick;
}

/* Seconds until key may try again (0: now). */
static long auth_wait(sv_limiter *l, const char *key, int most)
{
    time_t now = time(NULL);
    pthread_mutex_lock(&l->lock);
    int i = auth_slot(l, key, now);
    long wait = l->slot[i].fails >= most ? (long)(l->slot[i].first + AUTH_WINDOW - now) : 0;
    pthread_mutex_unlock(&l->lock);
    return wait > 0 ? wait : 0;
}

static void auth_count(sv_limiter *l, const char *key, int failed)
{
    time_t now = time(NULL);
    pthread_mutex_lock(&l->lock);
    int i = auth_slot(l, key, now);
    if (!failed) l->slot[i].fails = 0;
    else if (l->slot[i].fails++ == 0) l->slot[i].first = now;
    pthread_mutex_unlock(&l->lock);
}

/* ------------------------------------------------------------ the guard */

/* Constant time, so that the token cannot be guessed byte by byte. */
static int auth_token_ok(const char *token, const char *h)
{
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return 0;
    h += 7;
    size_t a = strlen(h), b = strlen(token);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a; i++) diff |= (unsigned char)h[i] ^ (unsigned char)token[i % (b ? b : 1)];
    return diff == 0;
}

/* Equal strings, in time that depends on the length only. */
static int auth_same(const char *a, const char *b)
{
    size_t n = strlen(a);
    unsigned diff = (unsigned)(n ^ strlen(b));
    for (size_t i = 0; i < n && b[i]; i++) diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

/* A request a browser sent from another site (or origin): its Sec-Fetch-Site
** says so, or its Origin is not this host. Clients that are no browser send
** neither. */
static int auth_cross_site(sv_call *c)
{
    const char *site = sv_header(c, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) return 1;
    const char *origin = sv_header(c, "Origin"), *host = sv_header(c, "Host");
    if (!origin) return 0;
    const char *o = strstr(origin, "://");
    return !o || !host || strcmp(o + 3, host) != 0;
}

static int auth_refuse(sv_call *c, sv_result *answer, int status, const char *msg)
{
    *answer = sv_error(c, status, msg, NULL);
    return -1;
}

void auth_cookie(sv_call *c, const char *id)
{
    c->extra = "Set-Cookie";
    snprintf(c->extra_value, sizeof c->extra_value,
             "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", AUTH_COOKIE, id,
             *id ? "" : "; Max-Age=0");
}

int sv_guard(sv_call *c, const sv_route *r, sv_result *answer)
{
    int allow = r ? r->allow : SV_ANY;
    if (allow == SV_CDS || (!r && cds_path(c->url))) return cds_guard(c, answer);
    int changes = strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0;
    const char *token = sv_token(c->srv), *auth = sv_header(c, "Authorization");
    const char *cookie = MHD_lookup_connection_value(c->conn, MHD_COOKIE_KIND, AUTH_COOKIE);
    triage_error err;
    if (token && auth) {
        if (!auth_token_ok(token, auth))
            return auth_refuse(c, answer, 401, "a valid access token is required "
                             "(Authorization: Bearer TOKEN)");
        c->who = SV_MACHINE;
    } else if (cookie && *cookie) {
        if (triage_session_find(c->w->db, cookie, sv_session_idle(c->srv), &c->session, &err) ==
            TRIAGE_OK)
            c->who = SV_PERSON;
        else if (allow != SV_OPEN) {
            auth_cookie(c, "");               /* the browser forgets it */
            return auth_refuse(c, answer, 401, err.text);
        }
    }
    if (changes && auth_cross_site(c))
        return auth_refuse(c, answer, 403, "a request from another site is refused");
    if (allow == SV_OPEN) return 0;
    if (allow == SV_ANY) {
        if (c->who == SV_ANON && token)
            return auth_refuse(c, answer, 401, "log in, or give the access token "
                             "(Authorization: Bearer TOKEN)");
    } else if (c->who != SV_PERSON) {
        return auth_refuse(c, answer, c->who == SV_MACHINE ? 403 : 401, c->who == SV_MACHINE
                         ? "this is a person's action: log in on the intake page"
                         : "log in first");
    } else if (allow == SV_INTAKE && c->session.user.role != TRIAGE_ROLE_INTAKE) {
        return auth_refuse(c, answer, 403, "only intake staff review referrals");
    } else if (allow == SV_ADMIN && c->session.user.role != TRIAGE_ROLE_ADMIN) {
        return auth_refuse(c, answer, 403, "only an admin manages accounts");
    }
    if (c->who == SV_PERSON && changes) {
        const char *csrf = sv_header(c, "X-CSRF-Token");
        if (!csrf || !auth_same(csrf, c->session.csrf))
            return auth_refuse(c, answer, 403, csrf ? "the CSRF token is wrong; reload the page"
                             : "the CSRF token is missing (X-CSRF-Token)");
    }
    return 0;
}

/* ------------------------------------------------------------ sessions */

/* The person and the session's CSRF token, as the page needs them. */
static json_t *auth_me(const triage_session *s, long idle)
{
    return json_pack("{s:s, s:s, s:s, s:I}", "name", s->user.name, "role",
                     triage_role_name(s->user.role), "csrf", s->csrf, "idle", (json_int_t)idle);
}

/* The client's address, for the limiter. */
static void auth_addr(sv_call *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    snprintf(out, cap, "a:?");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out + 2, (socklen_t)(cap - 2));
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out + 2, (socklen_t)(cap - 2));
}

/* The body as a JSON object; NULL with the request answered in *answer. */
json_t *auth_body(sv_call *c, sv_result *answer)
{
    json_error_t je;
    json_t *o = json_loadb(c->body, c->len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        char m[300];
        if (o) snprintf(m, sizeof m, "the body must be a JSON object");
        else snprintf(m, sizeof m, "the body is not JSON: line %d, column %d: %s", je.line,
                      je.column, je.text);
        json_decref(o);
        *answer = sv_error(c, 400, m, NULL);
        return NULL;
    }
    return o;
}

sv_result auth_login(sv_call *c)
{
    const char *ctype = sv_header(c, "Content-Type");
    if (!ctype || strncasecmp(ctype, "application/json", 16) != 0)
        return sv_error(c, 415, "send the login as JSON (Content-Type: application/json)", NULL);
    sv_result answer;
    json_t *o = auth_body(c, &answer);
    if (!o) return answer;
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *password = json_string_value(json_object_get(o, "password"));
    if (!name || !password) {
        json_decref(o);
        return sv_error(c, 400, "a login needs \"name\" and \"password\"", NULL);
    }
    char by_name[80], by_addr[80];
    snprintf(by_name, sizeof by_name, "n:%.64s", name);
    auth_addr(c, by_addr, sizeof by_addr);
    sv_limiter *l = sv_limiter_of(c->srv);
    long wait = auth_wait(l, by_name, AUTH_NAME_FAILS);
    long wait2 = auth_wait(l, by_addr, AUTH_ADDR_FAILS);
    if (wait2 > wait) wait = wait2;
    if (wait > 0) {
        json_decref(o);
        char m[160];
        snprintf(m, sizeof m, "too many failed logins; try again in %ld minutes", (wait + 59) / 60);
        c->extra = "Retry-After";
        snprintf(c->extra_value, sizeof c->extra_value, "%ld", wait);
        return sv_error(c, 429, m, json_pack("{s:I}", "retry_after", (json_int_t)wait));
    }
    triage_error err;
    triage_session s;
    triage_code rc = triage_user_verify(c->w->db, name, password, NULL, &err);
    int disabled = rc == TRIAGE_EAUTH && strstr(err.text, "disabled") != NULL;
    if (rc == TRIAGE_EAUTH && !disabled) {
        auth_count(l, by_name, 1);
        auth_count(l, by_addr, 1);
    }
    if (rc == TRIAGE_OK) {
        auth_count(l, by_name, 0);
        rc = triage_session_open(c->w->db, name, &s, &err);
    }
    json_decref(o);
    if (rc == TRIAGE_EAUTH) return sv_error(c, disabled ? 403 : 401, err.text, NULL);
    if (rc != TRIAGE_OK) return sv_error(c, 503, err.text, NULL);
    auth_cookie(c, s.id);
    return sv_json(c, 200, auth_me(&s, sv_session_idle(c->srv)));
}

sv_result auth_logout(sv_call *c)
{
    triage_error err;
    if (triage_session_close(c->w->db, c->session.id, &err) != TRIAGE_OK)
        return sv_error(c, 503, err.text, NULL);
    auth_cookie(c, "");
    return sv_json(c, 200, json_pack("{s:b}", "ok", 1));
}

sv_result auth_session(sv_call *c)
{
    return sv_json(c, 200, auth_me(&c->session, sv_session_idle(c->srv)));
}

/* ------------------------------------------------------------ accounts */

static int auth_colleague(void *ud, const triage_user *u)
{
    if (u->disabled || u->role != TRIAGE_ROLE_INTAKE) return 0;
    return json_array_append_new(ud, json_string(u->name)) != 0;
}

sv_result auth_colleagues(sv_call *c)
{
    triage_error err;
    json_t *names = json_array();
    if (triage_user_list(c->w->db, auth_colleague, names, &err) != TRIAGE_OK) {
        json_decref(names);
        return sv_error(c, 503, err.text, NULL);
    }
    return sv_json(c, 200, json_pack("{s:o}", "names", names));
}

static int auth_user(void *ud, const triage_user *u)
{
    return json_array_append_new(ud, json_pack("{s:s, s:s, s:b, s:s}", "name", u->name, "role",
                                               triage_role_name(u->role), "disabled", u->disabled,
                                               "created_at", u->created_at)) != 0;
}

sv_result auth_users(sv_call *c)
{
    triage_error err;
    json_t *list = json_array();
    if (triage_user_list(c->w->db, auth_user, list, &err) != TRIAGE_OK) {
        json_decref(list);
        return sv_error(c, 503, err.text, NULL);
    }
    return sv_json(c, 200, json_pack("{s:o}", "users", list));
}

sv_result auth_user_add(sv_call *c)
{
    sv_result answer;
    json_t *o = auth_body(c, &answer);
    if (!o) return answer;
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *password = json_string_value(json_object_get(o, "password"));
    triage_role role;
    triage_error err;
    triage_code rc;
    if (!triage_role_parse(json_string_value(json_object_get(o, "role")), &role))
        rc = triage_error_set(&err, TRIAGE_EUSAGE, NULL, 0, NULL, "role",
                              "one of intake, author, admin");
    else
        rc = triage_user_add(c->w->db, name, role, password, c->session.user.name, &err);
    json_t *added = rc == TRIAGE_OK ? json_pack("{s:s, s:s}", "name", name, "role",
                                                triage_role_name(role)) : NULL;
    json_decref(o);
    if (rc == TRIAGE_OK) return sv_json(c, 201, added);
    return sv_error(c, sv_status(rc), err.text,
                    err.field[0] ? json_pack("{s:s}", "field", err.field) : NULL);
}

sv_result auth_user_disable(sv_call *c)
{
    triage_error err;
    if (!strcmp(c->tail, c->session.user.name))
        return sv_error(c, 409, "you cannot disable your own account", NULL);
    triage_code rc = triage_user_disable(c->w->db, c->tail, c->session.user.name, &err);
    if (rc == TRIAGE_OK) return sv_json(c, 200, json_pack("{s:s, s:b}", "name", c->tail, "disabled", 1));
    return sv_error(c, sv_status(rc), err.text, NULL);
}
