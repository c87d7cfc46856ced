/*
** session.c — the sessions of people logged in through the intake page:
** a random id (the cookie's value) and a random CSRF token, 32 bytes each
** from libsodium. The store keeps the id's BLAKE2b hash, the account, the
** token and when the session was last used; an idle session ends.
*/
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "date.h"
#include "store.h"

#define SE_TOUCH 10    /* seconds between writes of a busy session's last use */

static const char SE_PUT[] =
    "INSERT INTO sessions(id, user, csrf, created_at, seen) VALUES(?1, ?2, ?3, ?4, ?5)";
static const char SE_GET[] = "SELECT user, csrf, seen FROM sessions WHERE id = ?1";
static const char SE_TOUCH_SQL[] = "UPDATE sessions SET seen = ?2 WHERE id = ?1";
static const char SE_DROP[] = "DELETE FROM sessions WHERE id = ?1";
static const char SE_PURGE[] = "DELETE FROM sessions WHERE seen < ?1";

static triage_code se_auth(triage_error *err, const char *what)
{
    return triage_error_set(err, TRIAGE_EAUTH, NULL, 0, NULL, NULL, "%s", what);
}

/* 32 random bytes as 64 hex digits. */
static void se_random(char out[65])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
}

/* What the store keeps for cookie value id: its BLAKE2b-256, in hex. */
static void se_key(const char *id, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)id, strlen(id), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Run one statement with text ?1 and integer ?2 (when two > 0). */
static int se_run(triage_store *st, const char *sql, const char *one, long long two)
{
    sqlite3_stmt *s = st_prepared(st, sql);
    if (!s) return SQLITE_ERROR;
    if (one) sqlite3_bind_text(s, 1, one, -1, SQLITE_STATIC);
    if (two > 0) sqlite3_bind_int64(s, one ? 2 : 1, two);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

triage_code triage_session_open(triage_store *st, const char *name, triage_session *out,
                                triage_error *err)
{
    char key[65], now[32];
    if (!st || !out) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or session");
    memset(out, 0, sizeof *out);
    triage_code code = triage_user_get(st, name, &out->user, err);
    if (code == TRIAGE_ENOTFOUND || (code == TRIAGE_OK && out->user.disabled))
        return se_auth(err, code == TRIAGE_OK ? "this account is disabled" : "wrong name or password");
    if (code != TRIAGE_OK) return code;
    if (sodium_init() < 0) return triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "libsodium could not start");
    se_random(out->id);
    se_random(out->csrf);
    se_key(out->id, key);
    dt_now_iso(now);
    sqlite3_stmt *s = st_prepared(st, SE_PUT);
    if (!s || st_write_begin(st) != 0) return au_dberr(st, err, "session");
    /* sessions long idle go with the next login, whatever idle time the
    ** server that made them had: a day is more than any */
    int rc = se_run(st, SE_PURGE, NULL, (long long)time(NULL) - 86400);
    if (rc == SQLITE_DONE) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, out->user.name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, out->csrf, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
        rc = sqlite3_step(s);
        sqlite3_reset(s);
    }
    code = rc == SQLITE_DONE ? au_account(st, out->user.name, "login", out->user.name, NULL, err)
                             : au_dberr(st, err, "session");
    if (st_write_end(st, code == TRIAGE_OK) != 0 && code == TRIAGE_OK)
        code = au_dberr(st, err, "session");
    if (code != TRIAGE_OK) sodium_memzero(out, sizeof *out);
    return code;
}

triage_code triage_session_find(triage_store *st, const char *id, long idle,
                                triage_session *out, triage_error *err)
{
    char key[65], name[TRIAGE_NAME_MAX + 1] = "", csrf[65] = "";
    long long seen = 0, now = (long long)time(NULL);
    if (!st || !out) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or session");
    memset(out, 0, sizeof *out);
    if (!id || strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
        return se_auth(err, "not logged in");
    if (idle <= 0) idle = TRIAGE_SESSION_IDLE;
    se_key(id, key);
    sqlite3_stmt *s = st_prepared(st, SE_GET);
    if (!s) return au_dberr(st, err, "session");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(csrf, sizeof csrf, "%s", (const char *)sqlite3_column_text(s, 1));
        seen = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) return se_auth(err, "not logged in");
    if (rc != SQLITE_ROW) return au_dberr(st, err, "session");
    if (now - seen > idle) {
        se_run(st, SE_DROP, key, 0);
        return se_auth(err, "the session has expired; log in again");
    }
    triage_code code = triage_user_get(st, name, &out->user, err);
    if (code == TRIAGE_ENOTFOUND || (code == TRIAGE_OK && out->user.disabled)) {
        se_run(st, SE_DROP, key, 0);
        return se_auth(err, "this account is disabled");
    }
    if (code != TRIAGE_OK) return code;
    /* a busy session is written only now and then; a failed write (the
    ** store busy) only brings its end a little nearer */
    if (now - seen >= SE_TOUCH) se_run(st, SE_TOUCH_SQL, key, now);
    memcpy(out->id, id, 65);
    memcpy(out->csrf, csrf, 65);
    return TRIAGE_OK;
}

triage_code triage_session_close(triage_store *st, const char *id, triage_error *err)
{
    char key[65];
    triage_session s;
    if (!st) return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store");
    if (triage_session_find(st, id, 86400 * 365, &s, NULL) != TRIAGE_OK) return TRIAGE_OK;
    se_key(id, key);
    if (st_write_begin(st) != 0) return au_dberr(st, err, "session");
    triage_code code = se_run(st, SE_DROP, key, 0) == SQLITE_DONE
        ? au_account(st, s.user.name, "logout", s.user.name, NULL, err)
        : au_dberr(st, err, "session");
    if (st_write_end(st, code == TRIAGE_OK) != 0 && code == TRIAGE_OK)
        code = au_dberr(st, err, "session");
    return code;
}
