/*
** testutil.h — small helpers shared by the C tests: throwaway rule set
** directories written from inline Lua, and referrals from inline JSON.
*/
#ifndef TRIAGE_TESTUTIL_H
#define TRIAGE_TESTUTIL_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "triage.h"

/* Under AddressSanitizer resident memory includes shadow memory and the
** quarantine of freed blocks, so tests skip their memory-size bounds. */
#if defined(__SANITIZE_ADDRESS__)
#define TU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_ASAN 1
#endif
#endif
#ifndef TU_ASAN
#define TU_ASAN 0
#endif

/* Make a fresh temporary directory; returns a static-lifetime copy. */
static inline char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/triage-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

/* Write dir/name with the given text (creating dir/sub as needed). */
static inline void tu_write(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0700);
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

/* A rule set directory holding one rule file with the given Lua. */
static inline char *tu_rules(const char *lua)
{
    char *dir = tu_tmpdir();
    tu_write(dir, "10-rules.lua", lua);
    return dir;
}

static inline void tu_rmtree(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* A file's whole content, NUL-terminated (free with free()), or NULL when
** it cannot be read. len (may be NULL) receives its length. */
static inline char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    size_t got = s ? fread(s, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!s)
        return NULL;
    s[got] = 0;
    if (len)
        *len = got;
    return s;
}

/* Run cmd with the shell, its standard output into out[cap] (NUL-ended,
** cut when longer); its exit status, or -1 when it did not exit. */
static inline int tu_run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    while (fgetc(p) != EOF) {}
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A minimal valid referral with id and extra top-level JSON members
** (",\"text\":\"...\"" style, may be ""). */
static inline triage_referral *tu_referral(const char *id, const char *extra)
{
    char buf[8192];
    snprintf(buf, sizeof buf,
             "{\"id\":\"%s\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
             "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Gladsaxe\"}%s}",
             id, extra);
    triage_error err;
    triage_referral *r = triage_referral_parse(buf, strlen(buf), NULL, 0, &err);
    if (!r)
        fprintf(stderr, "tu_referral: %s\n", err.text);
    return r;
}
/* Decide one referral (extra members as for tu_referral) with a one-file
** rule set of `lua`, and return the decision's first reason (free with
** free()). Set-up failures come back as "ERROR: ..." so that the caller's
** comparison shows them. Needs decision.h for the decision's fields. */
#ifdef TRIAGE_DECISION_H
static inline char *tu_first_reason(const char *lua, const char *extra)
{
    char *dir = tu_rules(lua), *out, msg[600];
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    triage_decider *dc = rs ? triage_decider_new(rs, NULL, &err) : NULL;
    triage_referral *r = dc ? tu_referral("R1", extra) : NULL;
    triage_decision *d = r ? triage_decide(dc, r, 0) : NULL;
    if (d && d->nreasons > 0) {
        out = strdup(d->reasons[0].text);
    } else {
        snprintf(msg, sizeof msg, "ERROR: %s",
                 !dc ? err.text : !r ? "invalid referral" : "no reason");
        out = strdup(msg);
    }
    triage_decision_free(d);
    triage_referral_free(r);
    triage_decider_free(dc);
    if (rs)
        triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
    return out;
}
#endif
#endif
