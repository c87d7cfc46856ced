/*
** users.c — local accounts: a name, a role and an Argon2id password hash
** (libsodium's crypto_pwhash_str, its interactive cost), kept in the
** store's users table. Adding and disabling an account is logged (audit.h).
*/
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "date.h"
#include "store.h"
#include "triage.h"

static const char *const us_roles[] = {"intake", "author", "admin"};

const char *triage_role_name(triage_role role)
{
    return (unsigned)role < 3 ? us_roles[role] : NULL;
}

int triage_role_parse(const char *s, triage_role *out)
{
    for (int i = 0; s && i < 3; i++)
        if (!strcmp(s, us_roles[i])) {
            if (out) *out = (triage_role)i;
            return 1;
        }
    return 0;
}

static const char US_GET[] =
    "SELECT name, role, disabled, created_at FROM users WHERE name = ?1";
static const char US_HASH[] = "SELECT pwhash FROM users WHERE name = ?1";
static const char US_ADD[] =
    "INSERT INTO users(name, role, pwhash, created_at) VALUES(?1, ?2, ?3, ?4)";
static const char US_DISABLE[] = "UPDATE users SET disabled = 1 WHERE name = ?1";
static const char US_END_SESSIONS[] = "DELETE FROM sessions WHERE user = ?1";
static const char US_LIST[] = "SELECT name, role, disabled, created_at FROM users ORDER BY name";

static triage_code us_fail(triage_error *err, triage_code code, const char *field,
                           const char *what)
{
    return triage_error_set(err, code, NULL, 0, NULL, field, "%s", what);
}

/* A name as triage_user_add describes it. */
static int us_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > TRIAGE_NAME_MAX ||
        !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static void us_row(sqlite3_stmt *s, triage_user *u)
{
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", (const char *)sqlite3_column_text(s, 0));
    triage_role_parse((const char *)sqlite3_column_text(s, 1), &u->role);
    u->disabled = sqlite3_column_int(s, 2) != 0;
    snprintf(u->created_at, sizeof u->created_at, "%s", (const char *)sqlite3_column_text(s, 3));
}

/* ------------------------------------------------------------ accounts */

triage_code triage_user_get(triage_store *st, const char *name, triage_user *out,
                            triage_error *err)
{
    sqlite3_stmt *s = st ? st_prepared(st, US_GET) : NULL;
    if (!s) return st ? au_dberr(st, err, "users") : us_fail(err, TRIAGE_EUSAGE, NULL, "no store");
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    triage_code code = TRIAGE_OK;
    if (rc == SQLITE_ROW) {
        if (out) us_row(s, out);
    } else if (rc == SQLITE_DONE)
        code = us_fail(err, TRIAGE_ENOTFOUND, "name", "no such account");
    else
        code = au_dberr(st, err, "users");
    sqlite3_reset(s);
    return code;
}

triage_code triage_user_list(triage_store *st, triage_user_fn fn, void *ud, triage_error *err)
{
    sqlite3_stmt *s = st && fn ? st_prepared(st, US_LIST) : NULL;
    if (!s) return st && fn ? au_dberr(st, err, "users") : us_fail(err, TRIAGE_EUSAGE, NULL, "no store or callback");
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        triage_user u;
        us_row(s, &u);
        stop = fn(ud, &u) != 0;
    }
    triage_code code = stop || rc == SQLITE_DONE ? TRIAGE_OK : au_dberr(st, err, "users");
    sqlite3_reset(s);
    return code;
}

triage_code triage_user_add(triage_store *st, const char *name, triage_role role,
                            const char *password, const char *by, triage_error *err)
{
    char hash[crypto_pwhash_STRBYTES], now[32];
    size_t plen = password ? strlen(password) : 0;
    if (!st) return us_fail(err, TRIAGE_EUSAGE, NULL, "no store");
    if (!us_name_ok(name))
        return us_fail(err, TRIAGE_EUSAGE, "name", "a user name is an ASCII letter, then letters, "
                       "digits, '.', '_' or '-', at most 32 in all");
    if (!triage_role_name(role)) return us_fail(err, TRIAGE_EUSAGE, "role", "not intake, author or admin");
    if (plen < TRIAGE_PASSWORD_MIN || plen > TRIAGE_PASSWORD_MAX)
        return us_fail(err, TRIAGE_EUSAGE, "password", "a password has 10 to 1024 characters");
    if (sodium_init() < 0 ||
        crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return us_fail(err, TRIAGE_ENOMEM, "password", "the password could not be hashed (out of memory)");
    sqlite3_stmt *s = st_prepared(st, US_ADD);
    if (!s || st_write_begin(st) != 0) return au_dberr(st, err, "add user");
    dt_now_iso(now);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, triage_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sodium_memzero(hash, sizeof hash);
    triage_code code = TRIAGE_OK;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        code = us_fail(err, TRIAGE_EDUPLICATE, "name", "an account with this name exists "
                       "(a name is never given twice, even once disabled)");
    else if (rc != SQLITE_DONE)
        code = au_dberr(st, err, "add user");
    else
        code = au_account(st, by ? by : "cli", "user_add", name, triage_role_name(role), err);
    if (st_write_end(st, code == TRIAGE_OK) != 0 && code == TRIAGE_OK)
        code = au_dberr(st, err, "add user");
    return code;
}

triage_code triage_user_disable(triage_store *st, const char *name, const char *by,
                                triage_error *err)
{
    if (!st) return us_fail(err, TRIAGE_EUSAGE, NULL, "no store");
    sqlite3_stmt *s = st_prepared(st, US_DISABLE), *e = st_prepared(st, US_END_SESSIONS);
    if (!s || !e || st_write_begin(st) != 0) return au_dberr(st, err, "disable user");
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    triage_code code = TRIAGE_OK;
    if (rc != SQLITE_DONE)
        code = au_dberr(st, err, "disable user");
    else if (sqlite3_changes(st_db(st)) == 0)
        code = us_fail(err, TRIAGE_ENOTFOUND, "name", "no such account");
    else {
        sqlite3_bind_text(e, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(e);
        sqlite3_reset(e);
        code = rc == SQLITE_DONE ? au_account(st, by ? by : "cli", "user_disable", name, NULL, err)
                                 : au_dberr(st, err, "disable user");
    }
    if (st_write_end(st, code == TRIAGE_OK) != 0 && code == TRIAGE_OK)
        code = au_dberr(st, err, "disable user");
    return code;
}

/* ------------------------------------------------------------ passwords */

/* A hash of a password nobody has, made once, so that an unknown name is
** checked at the same cost as a known one. */
static char us_decoy_hash[crypto_pwhash_STRBYTES];

static void us_make_decoy(void)
{
    char pw[32];
    randombytes_buf(pw, sizeof pw);
    if (crypto_pwhash_str(us_decoy_hash, pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        us_decoy_hash[0] = '\0';
}

static const char *us_decoy(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, us_make_decoy);
    return us_decoy_hash[0] ? us_decoy_hash : NULL;
}

triage_code triage_user_verify(triage_store *st, const char *name, const char *password,
                               triage_user *out, triage_error *err)
{
    char hash[crypto_pwhash_STRBYTES] = "";
    triage_user u;
    if (!st) return us_fail(err, TRIAGE_EUSAGE, NULL, "no store");
    if (sodium_init() < 0) return us_fail(err, TRIAGE_ENOMEM, NULL, "libsodium could not start");
    sqlite3_stmt *s = st_prepared(st, US_HASH);
    if (!s) return au_dberr(st, err, "users");
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s), known = rc == SQLITE_ROW;
    if (known) snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return au_dberr(st, err, "users");
    const char *against = known ? hash : us_decoy();
    size_t plen = password ? strlen(password) : 0;
    int ok = against && plen <= TRIAGE_PASSWORD_MAX &&
             crypto_pwhash_str_verify(against, password ? password : "", plen) == 0;
    sodium_memzero(hash, sizeof hash);
    if (!ok || !known) return us_fail(err, TRIAGE_EAUTH, NULL, "wrong name or password");
    triage_code code = triage_user_get(st, name, &u, err);
    if (code != TRIAGE_OK) return code;
    if (u.disabled) return us_fail(err, TRIAGE_EAUTH, NULL, "this account is disabled");
    if (out) *out = u;
    return TRIAGE_OK;
}
