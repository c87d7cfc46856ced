/*
** messages.c — the engine's own texts in a decision, read from the rule
** set (data/messages.lua) so that changing their wording is a policy change
** like any other: a rule set edit, never a rebuild.
*/
#include "messages.h"

#include <lauxlib.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Each text: its key, its fallback, and the placeholders it may hold. */
static const struct {
    const char *key, *fallback, *holes;
    size_t at;
} ms_kinds[] = {
    {"rule_failed", "Rule {rule} failed: {error}; a person must assess the referral.",
     "{rule} {error}", offsetof(ms_texts, rule_failed)},
    {"no_decision", "No rule decided; a person must assess the referral.", "",
     offsetof(ms_texts, no_decision)},
};
#define MS_N (sizeof ms_kinds / sizeof ms_kinds[0])
#define MS_MAX 1000               /* bytes a text may have */

static char **ms_slot(ms_texts *t, size_t k)
{
    return (char **)((char *)t + ms_kinds[k].at);
}

int ms_init(ms_texts *t)
{
    memset(t, 0, sizeof *t);
    for (size_t k = 0; k < MS_N; k++)
        if (!(*ms_slot(t, k) = strdup(ms_kinds[k].fallback))) {
            ms_free(t);
            return -1;
        }
    return 0;
}

void ms_free(ms_texts *t)
{
    for (size_t k = 0; k < MS_N; k++) {
        free(*ms_slot(t, k));
        *ms_slot(t, k) = NULL;
    }
}

/* Whether p[0..n) ("{rule}") is one of holes ("{rule} {error}"). */
static int ms_hole(const char *p, size_t n, const char *holes)
{
    for (const char *h = holes; *h; h += *h == ' ') {
        size_t m = strcspn(h, " ");
        if (m == n && !strncmp(h, p, n))
            return 1;
        h += m;
    }
    return 0;
}

/* Every "{...}" in s must be one of holes. */
static void ms_check(lua_State *L, const char *key, const char *s, const char *holes)
{
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        if (!e || !ms_hole(p, n, holes))
            luaL_error(L, MS_FILE ": %s: '%s' is not a placeholder it can have (%s)", key,
                       lua_pushlstring(L, p, n > 40 ? 40 : n), *holes ? holes : "none");
    }
}

void ms_read(lua_State *L, int idx, ms_texts *t)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        luaL_error(L, MS_FILE ": must return a table of texts (rule_failed, no_decision)");
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        size_t k = 0, len;
        while (key && k < MS_N && strcmp(ms_kinds[k].key, key) != 0)
            k++;
        if (!key || k == MS_N)
            luaL_error(L, MS_FILE ": unknown text '%s' (rule_failed, no_decision)",
                       key ? key : luaL_typename(L, -2));
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!s || len == 0 || len > MS_MAX || strlen(s) != len)
            luaL_error(L, MS_FILE ": %s must be a text of 1 to %d bytes", key, MS_MAX);
        ms_check(L, key, s, ms_kinds[k].holes);
    }
    for (size_t k = 0; k < MS_N; k++) {
        if (lua_getfield(L, idx, ms_kinds[k].key) == LUA_TSTRING) {
            char *s = strdup(lua_tostring(L, -1));
            if (!s)
                luaL_error(L, "not enough memory");
            free(*ms_slot(t, k));
            *ms_slot(t, k) = s;
        }
        lua_pop(L, 1);
    }
}

char *ms_format(const char *tmpl, const char *rule, const char *error)
{
    size_t lr = strlen(rule), le = strlen(error), n = strlen(tmpl) + 1;
    for (const char *p = strchr(tmpl, '{'); p; p = strchr(p + 1, '{'))
        n += !strncmp(p, "{rule}", 6) ? lr : !strncmp(p, "{error}", 7) ? le : 0;
    char *out = malloc(n), *o = out;
    if (!out)
        return NULL;
    for (const char *p = tmpl; *p;) {
        if (!strncmp(p, "{rule}", 6)) {
            memcpy(o, rule, lr);
            o += lr;
            p += 6;
        } else if (!strncmp(p, "{error}", 7)) {
            memcpy(o, error, le);
            o += le;
            p += 7;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}
