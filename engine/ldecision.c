/*
** ldecision.c — the decision as rules see it: `d`, one userdata per Lua
** state whose methods (decide, reason, missing, missing_items) check every
** value against decision.schema.json and write the C decision being made.
*/
#include "ldecision.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "decision.h"
#include "rules.h"

static triage_decision *dd_current(lua_State *L)
{
    triage_decision *d = rl_decision(L);
    if (!d)
        rl_error(L, "no referral is being decided");
    return d;
}

enum { DK_OUTCOME = 1, DK_TARGET, DK_UNIT, DK_PRIORITY, DK_DEADLINE, DK_REQUEST, DK__N };
static const char *const dd_keys[] = {NULL, "outcome", "target", "unit", "priority",
                                      "deadline", "request_from", NULL};

/* The strings d:decide compares, as Lua holds them: a short string is
** interned, so one whose text is "outcome" is this very string and one
** pointer compare finds it (the strcmp below it is for anything else). An
** upvalue of d:decide, that keeps the strings too (its user value). */
typedef struct dd_names {
    const char *key[DK__N];
    const char *outcome[5], *target[5], *priority[3], *request[2];
} dd_names;

/* The index of s among the n strings of interned (by pointer), or -1. */
static int dd_interned(const char *const *interned, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (s == interned[i])
            return i;
    return -1;
}

/* The value of a decide{} key (at index 4) as an enum index. */
static int dd_enum(lua_State *L, const char *key, const char *const *interned, int n,
                   int (*lookup)(const char *), const char *allowed)
{
    const char *s = lua_type(L, 4) == LUA_TSTRING ? lua_tostring(L, 4) : NULL;
    int v = s ? dd_interned(interned, n, s) : -1;
    if (v < 0 && s)
        v = lookup(s);
    if (v < 0)
        rl_error(L, "d:decide: %s '%s' is not one of %s", key, s ? s : luaL_typename(L, 4),
                 allowed);
    return v;
}

/* The DK_* of a decide{} key (at index 3), 0 for none. */
static int dd_key(lua_State *L, const dd_names *nm)
{
    if (lua_type(L, 3) != LUA_TSTRING)
        return 0;
    const char *k = lua_tostring(L, 3);
    int i = dd_interned(nm->key + 1, DK__N - 1, k);
    if (i >= 0)
        return i + 1;
    for (i = 1; dd_keys[i]; i++)
        if (!strcmp(k, dd_keys[i]))
            return i;
    return 0;
}

/* d:decide{...}: one pass over the table. */
static int dd_decide(lua_State *L)
{
    const dd_names *nm = lua_touserdata(L, lua_upvalueindex(1));
    triage_decision *d = dd_current(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    if (d->outcome >= 0)
        return rl_error(L, "d:decide: already decided in this rule");
    int outcome = -1, target = -1, priority = -1, request = -1;
    char unit[sizeof d->unit] = "";
    int32_t deadline = DT_NONE;
    for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) {    /* 3 key, 4 value */
        int k = dd_key(L, nm);
        size_t n;
        const char *s;
        switch (k) {
        case DK_OUTCOME:
            outcome = dd_enum(L, "outcome", nm->outcome, 5, dc_outcome_index,
                              "accept, request_info, redirect, reject, manual_review");
            break;
        case DK_TARGET:
            target = dd_enum(L, "target", nm->target, 5, dc_target_index,
                             "buc, specialist_practice, "
                             "municipality, adult_psychiatry, other_region");
            break;
        case DK_PRIORITY:
            priority = dd_enum(L, "priority", nm->priority, 3, dc_priority_index,
                               "acute, urgent, routine");
            break;
        case DK_REQUEST:
            request = dd_enum(L, "request_from", nm->request, 2, dc_request_index,
                              "referrer, municipality");
            break;
        case DK_UNIT:
            s = lua_type(L, 4) == LUA_TSTRING ? lua_tolstring(L, 4, &n) : NULL;
            if (!s || n == 0 || n >= sizeof unit)
                return rl_error(L, "d:decide: unit must be a short string such as 'B193'");
            memcpy(unit, s, n + 1);
            break;
        case DK_DEADLINE:
            if (lua_type(L, 4) == LUA_TNUMBER && lua_isinteger(L, 4)) {
                deadline = (int32_t)lua_tointeger(L, 4);
            } else if (lua_type(L, 4) == LUA_TSTRING) {
                s = lua_tolstring(L, 4, &n);
                if (!dt_parse_iso(s, n, &deadline))
                    return rl_error(L, "d:decide: deadline '%s' is not a date (YYYY-MM-DD)", s);
            } else {
                return rl_error(L, "d:decide: deadline must be a day number or 'YYYY-MM-DD'");
            }
            break;
        default:
            return rl_error(L, "d:decide: unknown key '%s' (outcome, target, unit, "
                               "priority, deadline, request_from)",
                            lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : "?");
        }
    }
    if (outcome < 0)
        return rl_error(L, "d:decide: 'outcome' is required");
    d->outcome = outcome;
    d->target = target;
    memcpy(d->unit, unit, sizeof unit);
    d->priority = priority;
    d->deadline = deadline;
    d->request_from = request;
    return 0;
}

#define DD_REASON_MAX 2048

/* A non-negative integer in decimal into out; its length (cap may cut it). */
static int dd_uint(unsigned long long v, char *out, size_t cap)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (int i = 0; i < n && (size_t)i + 1 < cap; i++)
        out[i] = tmp[n - 1 - i];
    if (cap)
        out[(size_t)n < cap ? (size_t)n : cap - 1] = '\0';
    return n;
}

/* One value as %s shows it: as tostring would, without making a string. */
static int dd_show(lua_State *L, int i, char *out, size_t cap)
{
    size_t n;
    const char *str;
    switch (lua_type(L, i)) {
    case LUA_TSTRING:
        str = lua_tolstring(L, i, &n);
        if (n < cap)
            memcpy(out, str, n + 1);
        return (int)n;
    case LUA_TBOOLEAN: return snprintf(out, cap, "%s", lua_toboolean(L, i) ? "true" : "false");
    case LUA_TNIL: return snprintf(out, cap, "nil");
    case LUA_TNUMBER:
        if (lua_isinteger(L, i))
            return snprintf(out, cap, "%lld", (long long)lua_tointeger(L, i));
        else {
            int n = snprintf(out, cap, "%.14g", (double)lua_tonumber(L, i));
            if (n > 0 && (size_t)n + 2 < cap && out[strspn(out, "-0123456789")] == '\0')
                n += snprintf(out + n, cap - (size_t)n, ".0");   /* 39.0, as Lua writes it */
            return n;
        }
    default: return rl_error(L, "d:reason: %%s of a %s", luaL_typename(L, i));
    }
}

/* d:reason's text with its arguments (from index arg on) put in, into out:
** string.format's %s %d %i %f %g %e (with flags, width and precision) and
** %%, and %D for a day number as YYYY-MM-DD. Made in C, so a reason costs
** the rule set no string. */
static void dd_format(lua_State *L, const char *fmt, int arg, char *out, size_t cap)
{
    size_t k = 0;
    int top = lua_gettop(L);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {                       /* the text up to the next '%', whole */
            const char *q = strchr(p, '%');
            if (!q)
                q = p + strlen(p);
            size_t run = (size_t)(q - p);
            if (k + run >= cap)
                rl_error(L, "d:reason: the text is longer than %d bytes", (int)cap - 1);
            memcpy(out + k, p, run);
            k += run;
            p = q - 1;
            continue;
        }
        if (k + 1 >= cap)
            rl_error(L, "d:reason: the text is longer than %d bytes", (int)cap - 1);
        if (p[1] == '%') {
            out[k++] = '%';
            p++;
            continue;
        }
        char spec[32] = "%";
        size_t n = 1;
        for (p++; *p && strchr("-+ #0123456789.", *p) && n < sizeof spec - 3; p++)
            spec[n++] = *p;
        spec[n++] = *p;
        spec[n] = 0;
        if (!*p)
            rl_error(L, "d:reason: the text ends in a '%%'");
        if (arg > top)
            rl_error(L, "d:reason: no value for '%s'", spec);
        int w;
        char day[11];
        switch (*p) {
        case 's':
            if (n > 2)
                rl_error(L, "d:reason: '%s': %%s takes no width here", spec);
            w = dd_show(L, arg, out + k, cap - k);
            break;
        case 'd': case 'i': {
            int ok;
            lua_Integer v = lua_tointegerx(L, arg, &ok);
            if (!ok)
                rl_error(L, "d:reason: '%s' needs an integer", spec);
            if (n == 2 && v >= 0) {            /* plain %d: no printf */
                w = dd_uint((unsigned long long)v, out + k, cap - k);
                break;
            }
            spec[n - 1] = 0;
            strcat(spec, "lld");
            w = snprintf(out + k, cap - k, spec, (long long)v);
            break;
        }
        case 'f': case 'g': case 'e': {
            int ok;
            lua_Number v = lua_tonumberx(L, arg, &ok);
            if (!ok)
                rl_error(L, "d:reason: '%s' needs a number", spec);
            w = snprintf(out + k, cap - k, spec, (double)v);
            break;
        }
        case 'D': {
            int ok;
            lua_Integer v = lua_tointegerx(L, arg, &ok);
            if (!ok || v <= -1000000 || v >= 3000000)
                rl_error(L, "d:reason: %%D needs a day number");
            dt_format((int32_t)v, day);
            w = 10;
            if (cap - k > 10)
                memcpy(out + k, day, 11);
            break;
        }
        default:
            return (void)rl_error(L, "d:reason: unknown conversion '%s' (%%s %%d %%f %%g "
                                     "%%e %%D %%%%)", spec);
        }
        arg++;
        if (w < 0 || (size_t)w >= cap - k)
            rl_error(L, "d:reason: the text is longer than %d bytes", (int)cap - 1);
        k += (size_t)w;
    }
    out[k] = 0;
}

/* d:reason(text [, ...]): a reason under the current rule; with values,
** text is a format (dd_format). With explain, it names the evidence keys
** its rule declared. */
static int dd_reason(lua_State *L)
{
    triage_decision *d = dd_current(L);
    const char *text = luaL_checkstring(L, 2);
    char buf[DD_REASON_MAX];
    if (lua_gettop(L) > 2) {
        dd_format(L, text, 3, buf, sizeof buf);
        text = buf;
    }
    if (dc_add_reason(d, rl_rule_id(L), text) != 0)
        return luaL_error(L, "not enough memory");
    if (d->explain) {
        const char *const *keys;
        int n = rl_rule_evidence(L, &keys);
        if (dc_reason_keys(d, keys, n) != 0)
            return luaL_error(L, "not enough memory");
    }
    return 0;
}

static int dd_missing(lua_State *L)
{
    triage_decision *d = dd_current(L);
    const char *item = luaL_checkstring(L, 2);
    int i = dc_missing_index(item);
    if (i < 0)
        return rl_error(L, "d:missing: '%s' is not one of cognitive_assessment, "
                           "updated_cognitive_assessment, ppv, consent_both_custodians, "
                           "somatic_measurements", item);
    d->missing |= 1u << i;
    return 0;
}

static int dd_missing_items(lua_State *L)
{
    triage_decision *d = dd_current(L);
    lua_createtable(L, MI__N, 0);
    int n = 0;
    for (int i = 0; i < MI__N; i++)
        if (d->missing & (1u << i)) {
            lua_pushstring(L, dc_missing_names[i]);
            lua_rawseti(L, -2, ++n);
        }
    return 1;
}

static int dd_missing_count(lua_State *L)
{
    triage_decision *d = dd_current(L);
    lua_pushinteger(L, triage_decision_missing_count(d));
    return 1;
}

/* What the methods table (d's __index) lacks: d.outcome, else an error.
** d.explain lives in the methods table itself, set per referral (true when
** the trace is recorded: only then is a `why` from `when` shown, so rules
** build those strings only then); method calls and d.explain are thus plain
** table reads. */
static int dd_index(lua_State *L)
{
    const char *k = lua_tostring(L, 2);
    if (k && !strcmp(k, "outcome")) {
        triage_decision *d = rl_decision(L);
        if (d && d->outcome >= 0)
            lua_pushstring(L, triage_outcome_name((triage_outcome)d->outcome));
        else
            lua_pushnil(L);
        return 1;
    }
    return luaL_error(L, "the decision has no field '%s'", k ? k : "?");
}

/* s as a Lua string, kept at [i] of the table on top: its text, which
** stays where it is while the string lives. */
static const char *dd_intern(lua_State *L, const char *s, int i)
{
    const char *p = lua_pushstring(L, s);
    lua_rawseti(L, -2, i);
    return p;
}

int dd_open(lua_State *L, int *methods_ref)
{
    lua_newuserdatauv(L, 1, 0);                               /* +1 d */
    lua_newtable(L);                                          /* +2 meta */
    static const luaL_Reg dmethods[] = {{"reason", dd_reason}, {"missing", dd_missing},
                                        {"missing_items", dd_missing_items},
                                        {"missing_count", dd_missing_count}, {NULL, NULL}};
    luaL_newlib(L, dmethods);                                 /* +3 methods */
    dd_names *nm = lua_newuserdatauv(L, sizeof *nm, 1);      /* +4 */
    lua_createtable(L, 24, 0);                                /* +5 the strings */
    int n = 0;
    for (int i = 1; i < DK__N; i++)
        nm->key[i] = dd_intern(L, dd_keys[i], ++n);
    for (int i = 0; i < 5; i++)
        nm->outcome[i] = dd_intern(L, triage_outcome_name((triage_outcome)i), ++n);
    for (int i = 0; i < 5; i++)
        nm->target[i] = dd_intern(L, dc_target_names[i], ++n);
    for (int i = 0; i < 3; i++)
        nm->priority[i] = dd_intern(L, dc_priority_names[i], ++n);
    for (int i = 0; i < 2; i++)
        nm->request[i] = dd_intern(L, dc_request_names[i], ++n);
    lua_setiuservalue(L, -2, 1);                              /* +4 */
    lua_pushcclosure(L, dd_decide, 1);                        /* +4 */
    lua_setfield(L, -2, "decide");                            /* +3 */
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "explain");
    lua_createtable(L, 0, 2);                                 /* +4 its meta */
    lua_pushcfunction(L, dd_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "decision");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                                  /* +3 */
    lua_pushvalue(L, -1);
    *methods_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "decision");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                                  /* +1 */
    return luaL_ref(L, LUA_REGISTRYINDEX);                    /* 0 */
}

void dd_set_explain(lua_State *L, int methods_ref, int on)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, methods_ref);
    lua_pushboolean(L, on);
    lua_setfield(L, -2, "explain");
    lua_pop(L, 1);
}
