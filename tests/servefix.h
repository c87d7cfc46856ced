/*
** servefix.h — the fixture of the tests that act as people on `triage
** serve`: a fresh database with one account of each kind, the server
** in-process on a free loopback port with the shipped rules (or others),
** referrals posted through the API, and raw looks at the database.
*/
#ifndef TRIAGE_SERVEFIX_H
#define TRIAGE_SERVEFIX_H
#include <signal.h>
#include <sqlite3.h>

#include "httpc.h"
#include "testutil.h"
#include "triage_server.h"

/* The accounts: intake (anna, bo), an author, an admin, a disabled intake. */
#define SF_INTAKE "anna"
#define SF_INTAKE2 "bo"
#define SF_AUTHOR "cai"
#define SF_ADMIN "dan"
#define SF_GONE "eva"
#define SF_PW(name) "password-of-" name

typedef struct sf_server {
    char *dir;
    char db[1100];
    triage_host *host;
    triage_server *srv;
    FILE *log;
    int port;
} sf_server;

static inline int sf_user(triage_store *st, const char *name, triage_role role, const char *pw)
{
    triage_error err;
    if (triage_user_add(st, name, role, pw, NULL, &err) == TRIAGE_OK) return 0;
    fprintf(stderr, "sf_user: %s\n", err.text);
    return -1;
}

/* Start: rules NULL for the shipped rule set; token NULL for none; opts may
** change the rest (its db, host, log, listen are set here). */
static inline int sf_start(sf_server *f, const char *rules, const char *token,
                           const triage_server_opts *more)
{
    triage_error err;
    char shipped[1024];
    signal(SIGPIPE, SIG_IGN);
    memset(f, 0, sizeof *f);
    snprintf(shipped, sizeof shipped, "%s/rules", TRIAGE_SOURCE_DIR);
    if (!(f->dir = tu_tmpdir())) return -1;
    snprintf(f->db, sizeof f->db, "%s/review.db", f->dir);
    if (!(f->host = triage_host_open(rules ? rules : shipped, NULL, &err))) {
        fprintf(stderr, "sf_start: %s\n", err.text);
        return -1;
    }
    triage_store *st = triage_store_open(f->db, &err);
    if (!st) return -1;
    int bad = sf_user(st, SF_INTAKE, TRIAGE_ROLE_INTAKE, SF_PW(SF_INTAKE)) ||
              sf_user(st, SF_INTAKE2, TRIAGE_ROLE_INTAKE, SF_PW(SF_INTAKE2)) ||
              sf_user(st, SF_AUTHOR, TRIAGE_ROLE_AUTHOR, SF_PW(SF_AUTHOR)) ||
              sf_user(st, SF_ADMIN, TRIAGE_ROLE_ADMIN, SF_PW(SF_ADMIN)) ||
              sf_user(st, SF_GONE, TRIAGE_ROLE_INTAKE, SF_PW(SF_GONE)) ||
              triage_user_disable(st, SF_GONE, NULL, &err) != TRIAGE_OK;
    triage_store_close(st);
    if (bad || !(f->log = tmpfile())) return -1;
    triage_server_opts o = {0};
    if (more) o = *more;
    o.listen = "127.0.0.1:0";
    o.db = f->db;
    o.host = f->host;
    o.token = token;
    o.log = f->log;
    if (!o.threads) o.threads = 4;
    if (!(f->srv = triage_server_start(&o, &err))) {
        fprintf(stderr, "sf_start: %s\n", err.text);
        return -1;
    }
    f->port = triage_server_port(f->srv);
    return 0;
}

static inline void sf_stop(sf_server *f)
{
    triage_server_stop(f->srv);
    triage_host_close(f->host);
    if (f->log) fclose(f->log);
    if (f->dir) tu_rmtree(f->dir);
    free(f->dir);
    memset(f, 0, sizeof *f);
}

static inline hc_client sf_client(const sf_server *f)
{
    hc_client c = {0};
    c.port = f->port;
    return c;
}

/* A referral the shipped rules decide as their policy says; extra holds
** more top-level members (",\"text\":\"...\""). */
static inline char *sf_referral(const char *id, const char *extra)
{
    char *b = malloc(4096);
    snprintf(b, 4096,
             "{\"id\":\"%s\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\","
             "\"name\":\"Lægehuset\"},\"patient\":{\"birth_date\":\"2011-06-14\","
             "\"municipality\":\"Gladsaxe\"}%s}", id, extra ? extra : "");
    return b;
}

/* Store and decide one through the API (anyone may without a token). */
static inline int sf_post(sf_server *f, const char *id, const char *extra)
{
    hc_client c = sf_client(f);
    char *b = sf_referral(id, extra);
    hc_resp r = hc_post(&c, "/api/referrals", b);
    int status = r.status;
    if (status != 201) fprintf(stderr, "sf_post %s: %d %s\n", id, r.status, r.body);
    hc_free(&r);
    free(b);
    return status == 201 ? 0 : -1;
}

/* One number from the database, by a second, raw connection. */
static inline long sf_count(const sf_server *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    long n = -1;
    if (sqlite3_open(f->db, &db) != SQLITE_OK) return -1;
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW) n = (long)sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return n;
}

/* Run sql on the database by a raw connection; SQLite's result code. */
static inline int sf_exec(const sf_server *f, const char *sql)
{
    sqlite3 *db;
    if (sqlite3_open(f->db, &db) != SQLITE_OK) return -1;
    sqlite3_busy_timeout(db, 10000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* The request log so far, as one text (caller frees). */
static inline char *sf_log(const sf_server *f)
{
    fflush(f->log);
    long n = ftell(f->log);
    char *s = malloc((size_t)n + 1);
    rewind(f->log);
    size_t got = fread(s, 1, (size_t)n, f->log);
    s[got] = '\0';
    fseek(f->log, 0, SEEK_END);
    return s;
}
#endif
