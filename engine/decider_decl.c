/*
** decider_decl.c — what a rule file calls while the rule set loads: rule{},
** fact(), include(), and the environment every file is compiled in.
*/
#include "decider_internal.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static char FX_BUSY;            /* include() marker: running */

/* Every file of the rule set is compiled with this before its first line
** (on that line, so line numbers stay the file's). _ENV is a constant: an
** assignment to it is a compile error, so no function of the file can
** change, for the referrals after, where its globals come from. So are the
** standard functions and libraries, bound once as the file's locals: a file
** cannot redefine them, and reading one costs an upvalue, not a lookup in
** the globals (which once locked go through one more step, sb_lock). */
static const char rl_env_prefix[] =
    "local _ENV <const>, pairs <const>, ipairs <const>, next <const>, select <const>, "
    "type <const>, tostring <const>, tonumber <const>, error <const>, assert <const>, "
    "pcall <const>, xpcall <const>, rawget <const>, rawequal <const>, rawlen <const>, "
    "setmetatable <const>, getmetatable <const>, string <const>, table <const>, "
    "math <const>, utf8 <const>, date <const>, regex <const> = _ENV, pairs, ipairs, next, "
    "select, type, tostring, tonumber, error, assert, pcall, xpcall, rawget, rawequal, "
    "rawlen, setmetatable, getmetatable, string, table, math, utf8, date, regex; ";

typedef struct rl_chunk {
    const char *data;
    size_t len;
    int part;                   /* 0 the prefix, 1 the file, 2 done */
} rl_chunk;

static const char *rl_chunk_read(lua_State *L, void *ud, size_t *size)
{
    (void)L;
    rl_chunk *c = ud;
    switch (c->part++) {
    case 0: *size = sizeof rl_env_prefix - 1; return rl_env_prefix;
    case 1: *size = c->len; return c->data;
    default: *size = 0; return NULL;
    }
}

/* Load path's data as a text chunk named "@path": pushes the function, or
** the error message, and returns Lua's status. */
int rl_load_chunk(lua_State *L, const char *path, const char *data, size_t len)
{
    rl_chunk c = {data, len, 0};
    int st = lua_load(L, rl_chunk_read, &c, lua_pushfstring(L, "@%s", path), "t");
    lua_remove(L, -2);
    return st;
}

/* rule.evidence (at index idx): a list of evidence fields, each checked. */
static void rl_rule_keys(lua_State *L, triage_decider *dc, rl_rule *ru, int idx)
{
    if (lua_isnil(L, idx))
        return;
    if (lua_type(L, idx) != LUA_TTABLE)
        rl_error(L, "rule %s: 'evidence' must be a list of evidence keys", ru->id);
    int n = (int)lua_rawlen(L, idx);
    if (n > RL_MAX_EVIDENCE)
        rl_error(L, "rule %s: 'evidence' names more than %d keys", ru->id, RL_MAX_EVIDENCE);
    if (n > 0 && !(ru->keys = calloc((size_t)n, sizeof *ru->keys)))
        luaL_error(L, "not enough memory");
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        const char *k = lua_tostring(L, -1);
        if (lua_type(L, -1) != LUA_TSTRING)
            rl_error(L, "rule %s: evidence[%d] must be a string", ru->id, i);
        if (!dc->ev)
            rl_error(L, "rule %s: evidence '%s', but the rule set has no text data (%s)",
                     ru->id, k, RL_TEXT_FILE);
        if (!le_known(dc->ev, k))
            rl_error(L, "rule %s: no evidence key '%s' (data/text/*.lua, or a measurement: "
                     "weight_kg, height_cm, bmi, weight_loss_pct, iq)", ru->id, k);
        if (!(ru->keys[ru->nkeys] = strdup(k)))
            luaL_error(L, "not enough memory");
        ru->nkeys++;
        lua_pop(L, 1);
    }
}

void rl_rule_free(rl_rule *ru)
{
    free(ru->id);
    free(ru->title);
    for (int k = 0; k < ru->nkeys; k++)
        free(ru->keys[k]);
    free(ru->keys);
}

/* rule{ id=, title=, when=, action=, explain=, evidence= } */
int rl_rule_decl(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    if (!dc->loading)
        return rl_error(L, "rule(): rules are declared when the rule set loads, not while deciding");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"id", "when", "action", "explain", "title", "evidence"};
    for (int i = 0; i < 6; i++)
        lua_getfield(L, 1, fields[i]);                        /* 2 .. 7 */
    const char *id = lua_tostring(L, 2);
    if (lua_type(L, 2) != LUA_TSTRING || !*id)
        return rl_error(L, "rule(): 'id' must be a non-empty string");
    if (lua_type(L, 3) != LUA_TFUNCTION)
        return rl_error(L, "rule %s: 'when' must be a function(r, f, d)", id);
    if (!lua_isnil(L, 4) && lua_type(L, 4) != LUA_TFUNCTION)
        return rl_error(L, "rule %s: 'action' must be a function(r, f, d)", id);
    if (!lua_isnil(L, 5) && lua_type(L, 5) != LUA_TFUNCTION)
        return rl_error(L, "rule %s: 'explain' must be a function(r, f, d) returning a string",
                        id);
    if (!lua_isnil(L, 6) && lua_type(L, 6) != LUA_TSTRING)
        return rl_error(L, "rule %s: 'title' must be a string", id);
    for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {     /* typos in keys */
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        int known = 0;
        for (int i = 0; i < 6; i++)
            known |= !strcmp(k, fields[i]);
        if (!known)
            return rl_error(L, "rule %s: unknown key '%s' (id, title, when, action, explain, "
                               "evidence)", id, k);
    }
    if (rl_rule_known(dc, id))
        return rl_error(L, "rule %s: the id is declared twice", id);
    rl_rule *nr = realloc(dc->rules, (size_t)(dc->nrules + 1) * sizeof *nr);
    if (!nr)
        return luaL_error(L, "not enough memory");
    dc->rules = nr;
    rl_rule *ru = &dc->rules[dc->nrules];
    memset(ru, 0, sizeof *ru);
    ru->when = ru->action = ru->explain = LUA_NOREF;
    ru->id = strdup(id);
    ru->title = strdup(lua_isnil(L, 6) ? id : lua_tostring(L, 6));
    dc->nrules++;                       /* freed with the decider from here on */
    if (!ru->id || !ru->title)
        return luaL_error(L, "not enough memory");
    rl_rule_keys(L, dc, ru, 7);
    lua_settop(L, 5);
    ru->explain = lua_isnil(L, 5) ? (lua_pop(L, 1), LUA_NOREF) : luaL_ref(L, LUA_REGISTRYINDEX);
    ru->action = lua_isnil(L, 4) ? (lua_pop(L, 1), LUA_NOREF) : luaL_ref(L, LUA_REGISTRYINDEX);
    ru->when = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* fact(name, fn): the name gets an id, in the order declared; the function
** is ffn[id], the name fname[id] (and facts[name] = id). */
int rl_fact_decl(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    if (!dc->loading)
        return rl_error(L, "fact(): facts are declared when the rule set loads, not while deciding");
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    int ok = (*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') || *name == '_';
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '_';
    static const char *const reserved[] = {"and", "break", "do", "else", "elseif", "end",
        "false", "for", "function", "goto", "if", "in", "local", "nil", "not", "or", "repeat",
        "return", "then", "true", "until", "while", NULL};
    for (int i = 0; ok && reserved[i]; i++)
        ok = strcmp(name, reserved[i]) != 0;
    if (!ok || strlen(name) > 64)
        return rl_error(L, "fact '%s': a fact's name is a Lua name (letters, digits, _), "
                           "as rules read it: f.name", name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->facts_ref);         /* +1 facts */
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return rl_error(L, "fact '%s' is declared twice", name);
    lua_pop(L, 1);
    if (dc->nfacts == RL_MAX_FACTS)   /* said here, where the file and line are known */
        return rl_error(L, "fact '%s': at most %d facts are allowed", name, RL_MAX_FACTS);
    int id = dc->nfacts + 1;
    unsigned *gen = realloc(dc->fgen, (size_t)(id + 1) * sizeof *gen);
    if (gen)
        dc->fgen = gen;
    unsigned char *busy = realloc(dc->fbusy, (size_t)id + 1);
    if (busy)
        dc->fbusy = busy;
    if (!gen || !busy)
        return luaL_error(L, "not enough memory");
    gen[id] = 0;
    busy[id] = 0;
    dc->nfacts = id;
    lua_pushinteger(L, id);
    lua_setfield(L, -2, name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);           /* +2 ffn */
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, id);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fname_ref);         /* +3 fname */
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, id);
    return 0;
}

/* include(path): run another file of the rule set once; return its value. */
int rl_include(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    const char *path = luaL_checkstring(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "triage.included");    /* +1 */
    int t = lua_getfield(L, -1, path);                        /* +2 */
    if (t == LUA_TLIGHTUSERDATA)
        return rl_error(L, "include: '%s' includes itself", path);
    if (t != LUA_TNIL)
        return 1;
    lua_pop(L, 1);                                            /* +1 */
    int i = rl_find(dc->rs, path);
    if (i < 0)
        return rl_error(L, "include: no file '%s' in the rule set", path);
    if (dc->tracking) {                                       /* the text data's files */
        if (dc->ntrack == dc->captrack) {
            int cap = dc->captrack ? dc->captrack * 2 : 32;
            int *nt = realloc(dc->track, (size_t)cap * sizeof *nt);
            if (!nt)
                return luaL_error(L, "not enough memory");
            dc->track = nt;
            dc->captrack = cap;
        }
        dc->track[dc->ntrack++] = i;
    }
    const char *fpath, *data;
    size_t len;
    rl_file(dc->rs, i, &fpath, &data, &len);
    lua_pushlightuserdata(L, &FX_BUSY);
    lua_setfield(L, -2, path);
    if (rl_load_chunk(L, path, data, len) != LUA_OK)          /* +2 */
        return lua_error(L);
    lua_call(L, 0, 1);                                        /* +2 value */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, path);                                /* remember */
    return 1;
}
