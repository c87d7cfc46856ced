/*
** answer.c — the answer to the referrer and the choices of a person
** deciding, both written by the rule set (lib/answer.lua, with its data
** files), run in a decider's sandbox beside the rules so that the letter
** reads the facts rules read. The engine only hands the decision over and
** takes the texts back as JSON, every string CPR-masked.
*/
#include <jansson.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "decision.h"
#include "rules.h"

#define AN_FILE "lib/answer.lua"
#define AN_DEPTH 8              /* tables within tables, at most */

typedef struct an_call {
    const triage_decision *d;   /* the letter's decision; NULL: the catalog */
    unsigned flags;
    int32_t date;
    json_t *out;
} an_call;

/* A Lua value as JSON (strings masked), or NULL when it is none that JSON
** has (a function, a table too deep, a key that is no string). Raises no
** Lua error, so that nothing it made can leak. A table whose keys are 1..n
** is an array. */
static json_t *an_json(lua_State *L, int idx, int depth)
{
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TNIL: return json_null();
    case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        return lua_isinteger(L, idx) ? json_integer((json_int_t)lua_tointeger(L, idx))
                                     : json_real(lua_tonumber(L, idx));
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        size_t cap = len + len / 10 + 2;
        char *m = malloc(cap);
        if (!m) return NULL;
        triage_mask_cpr(m, cap, s);
        json_t *j = json_string(m);
        free(m);
        return j;
    }
    case LUA_TTABLE: break;
    default: return NULL;
    }
    if (depth >= AN_DEPTH) return NULL;
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx), keys = 0;
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) keys++;
    json_t *j = n > 0 && keys == n ? json_array() : json_object(), *v;
    if (j && json_is_array(j)) {
        for (lua_Integer i = 1; j && i <= n; i++) {
            lua_rawgeti(L, idx, i);
            if (!(v = an_json(L, -1, depth + 1)) || json_array_append_new(j, v) != 0) {
                json_decref(j);
                j = NULL;
            }
            lua_pop(L, 1);
        }
        return j;
    }
    for (lua_pushnil(L); j && lua_next(L, idx); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING || !(v = an_json(L, -1, depth + 1)) ||
            json_object_set_new(j, lua_tostring(L, -2), v) != 0) {
            json_decref(j);
            lua_pop(L, 2);
            return NULL;
        }
    }
    return j;
}

static void an_field(lua_State *L, const char *key, const char *v)
{
    if (v) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, key);
    }
}

/* The decision to answer, as lib/answer.lua reads it (its a). */
static void an_push_decision(lua_State *L, const an_call *c)
{
    const triage_decision *d = c->d;
    char day[11];
    lua_createtable(L, 0, 14);
    an_field(L, "id", triage_decision_id(d));
    an_field(L, "outcome", triage_outcome_name(triage_decision_outcome(d)));
    an_field(L, "target", triage_decision_target(d));
    an_field(L, "unit", triage_decision_unit(d));
    an_field(L, "priority", triage_decision_priority(d));
    an_field(L, "request_from", triage_decision_request_from(d));
    if (triage_decision_deadline(d) != TRIAGE_NO_DAY) {
        dt_format(triage_decision_deadline(d), day);
        an_field(L, "deadline", day);
        lua_pushinteger(L, triage_decision_deadline(d));
        lua_setfield(L, -2, "deadline_day");
    }
    lua_createtable(L, triage_decision_missing_count(d), 0);
    for (int i = 0; i < triage_decision_missing_count(d); i++) {
        lua_pushstring(L, triage_decision_missing(d, i));
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "missing");
    lua_createtable(L, triage_decision_reason_count(d), 0);
    for (int i = 0; i < triage_decision_reason_count(d); i++) {
        const char *rule, *text;
        triage_decision_reason(d, i, &rule, &text);
        lua_createtable(L, 0, 2);
        an_field(L, "rule", rule);
        an_field(L, "text", text);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "reasons");
    lua_pushboolean(L, (c->flags & TRIAGE_BY_PERSON) != 0);
    lua_setfield(L, -2, "by_person");
    dt_format(c->date, day);
    an_field(L, "date", day);
    lua_pushinteger(L, c->date);
    lua_setfield(L, -2, "date_day");
}

/* In the protected call: r, f, the call. */
static int an_run(lua_State *L)
{
    an_call *c = lua_touserdata(L, 3);
    lua_getglobal(L, "include");
    lua_pushliteral(L, AN_FILE);
    lua_call(L, 1, 1);                                    /* 4 the module */
    if (!lua_istable(L, 4))
        return luaL_error(L, AN_FILE ": must return {letter = function(r, f, a), "
                             "catalog = function()}");
    lua_getfield(L, 4, c->d ? "letter" : "catalog");      /* 5 */
    if (!lua_isfunction(L, 5))
        return luaL_error(L, AN_FILE ": has no function %s", c->d ? "letter" : "catalog");
    int nargs = 0;
    if (c->d) {
        lua_pushvalue(L, 1);
        lua_pushvalue(L, 2);
        an_push_decision(L, c);
        nargs = 3;
    }
    lua_call(L, nargs, 1);                                /* 5 what it gave */
    if (!lua_istable(L, 5) || !(c->out = an_json(L, 5, 0)) || !json_is_object(c->out)) {
        json_decref(c->out);
        c->out = NULL;
        return luaL_error(L, AN_FILE ": %s must return a table of texts, numbers and tables",
                          c->d ? "letter" : "catalog");
    }
    return 0;
}

static char *an_call_json(triage_decider *dc, const triage_referral *r, an_call *c,
                          triage_error *err)
{
    if (rl_find(triage_decider_ruleset(dc), AN_FILE) < 0) {
        triage_error_set(err, TRIAGE_ERULES, NULL, 0, NULL, NULL,
                         "the rule set has no %s: it writes the answers", AN_FILE);
        return NULL;
    }
    if (rl_call(dc, r, an_run, c, err) != 0) return NULL;
    char *text = json_dumps(c->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(c->out);
    if (!text) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
    return text;
}

char *triage_answer(triage_decider *dc, const triage_referral *r, const triage_decision *d,
                    unsigned flags, triage_day date, triage_error *err)
{
    if (!dc || !r || !d) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no decider, referral or decision");
        return NULL;
    }
    if (date == TRIAGE_NO_DAY) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        date = dt_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    an_call c = {d, flags, date, NULL};
    return an_call_json(dc, r, &c, err);
}

char *triage_policy(triage_decider *dc, triage_error *err)
{
    if (!dc) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no decider");
        return NULL;
    }
    an_call c = {NULL, 0, 0, NULL};
    return an_call_json(dc, NULL, &c, err);
}
