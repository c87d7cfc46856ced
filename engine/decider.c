/*
** decider.c — a decider: one sandboxed Lua state built from a rule set, for
** one thread. Loading runs the rule files (rule(), fact(), include()); then
** each referral runs every rule in order, in one protected call, until one
** decides. A rule that fails or runs away sends the referral to a person.
*/
#include "rules.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "ldate.h"
#include "ldecision.h"
#include "lreferral.h"
#include "messages.h"
#include "referral.h"
#include "regex.h"
#include "sandbox.h"
#include "textscan.h"

typedef struct rl_rule {
    char *id, *title;
    int when, action;           /* registry refs; action may be LUA_NOREF */
} rl_rule;

struct triage_decider {
    triage_ruleset *rs;
    triage_store *store;
    sb_state *sb;
    lua_State *L;
    int nrules;
    rl_rule *rules;
    int d_ref, dm_ref, f_ref, fm_ref, fvm_ref, facts_ref, ffn_ref;
    int driver_ref, cur_up;     /* the rule loop; its upvalue `cur` */
    int dexplain;               /* d.explain as set in the methods table */
    int nfacts;                 /* facts declared: ids 1..nfacts */
    unsigned char *fstate;      /* [id]: FS_* this referral */
    int *fdone;                 /* ids of the facts begun this referral */
    int ndone;
    int loading;                /* rule() and fact() are allowed */
    triage_decision *dec;       /* being decided, NULL between referrals */
    ms_texts msg;               /* the engine's own texts (data/messages.lua) */
    rl_history_fn hist;
    void *hist_ud;
};

static void rl_load_error(triage_decider *dc, const char *msg, triage_error *err);
static const struct rl_rule *rl_current(lua_State *L, triage_decider *dc);

static char FX_BUSY;            /* include() marker: running */
enum { FS_NONE, FS_BUSY, FS_NIL, FS_VALUE };   /* a fact, this referral */

static triage_decider *rl_self(lua_State *L)
{
    return *(triage_decider **)lua_getextraspace(L);
}

int rl_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    luaL_where(L, 1);
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, 2);
    return lua_error(L);
}

triage_decision *rl_decision(lua_State *L)
{
    return rl_self(L)->dec;
}

const char *rl_rule_id(lua_State *L)
{
    const rl_rule *ru = rl_current(L, rl_self(L));
    return ru ? ru->id : NULL;
}

/* ------------------------------------------------------- load-time API */

/* Load path's data as a text chunk named "@path": pushes the function, or
** the error message, and returns Lua's status. */
static int rl_load_chunk(lua_State *L, const char *path, const char *data, size_t len)
{
    int st = luaL_loadbufferx(L, data, len, lua_pushfstring(L, "@%s", path), "t");
    lua_remove(L, -2);
    return st;
}

/* rule{ id=, title=, when=, action= } */
static int rl_rule_decl(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    if (!dc->loading)
        return rl_error(L, "rule(): rules are declared when the rule set loads, not while deciding");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "id");                                 /* +1 */
    const char *id = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING || !*id)
        return rl_error(L, "rule(): 'id' must be a non-empty string");
    lua_getfield(L, 1, "when");                               /* +2 */
    if (lua_type(L, -1) != LUA_TFUNCTION)
        return rl_error(L, "rule %s: 'when' must be a function(r, f, d)", id);
    lua_getfield(L, 1, "action");                             /* +3 */
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TFUNCTION)
        return rl_error(L, "rule %s: 'action' must be a function(r, f, d)", id);
    lua_getfield(L, 1, "title");                              /* +4 */
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        return rl_error(L, "rule %s: 'title' must be a string", id);
    for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {     /* typos in keys */
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (strcmp(k, "id") && strcmp(k, "when") && strcmp(k, "action") && strcmp(k, "title"))
            return rl_error(L, "rule %s: unknown key '%s' (id, title, when, action)", id, k);
    }
    for (int i = 0; i < dc->nrules; i++)
        if (!strcmp(dc->rules[i].id, id))
            return rl_error(L, "rule %s: the id is declared twice", id);
    rl_rule *nr = realloc(dc->rules, (size_t)(dc->nrules + 1) * sizeof *nr);
    if (!nr)
        return luaL_error(L, "not enough memory");
    dc->rules = nr;
    rl_rule *ru = &dc->rules[dc->nrules];
    ru->id = strdup(id);
    ru->title = strdup(lua_isnil(L, -1) ? id : lua_tostring(L, -1));
    if (!ru->id || !ru->title) {
        free(ru->id);
        free(ru->title);
        return luaL_error(L, "not enough memory");
    }
    lua_pop(L, 1);                                            /* +3 */
    ru->action = lua_isnil(L, -1) ? (lua_pop(L, 1), LUA_NOREF) : luaL_ref(L, LUA_REGISTRYINDEX);
    ru->when = luaL_ref(L, LUA_REGISTRYINDEX);                /* +1 */
    dc->nrules++;
    return 0;
}

/* fact(name, fn): the name gets an id; the function is ffn[id], the name
** ffn[-id], and this referral's state fstate[id] (values: fv[name]). */
static int rl_fact_decl(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    if (!dc->loading)
        return rl_error(L, "fact(): facts are declared when the rule set loads, not while deciding");
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->facts_ref);         /* +1 facts */
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return rl_error(L, "fact '%s' is declared twice", name);
    lua_pop(L, 1);
    int id = dc->nfacts + 1;
    unsigned char *st = realloc(dc->fstate, (size_t)id + 1);
    if (st)
        dc->fstate = st;
    int *done = realloc(dc->fdone, (size_t)id * sizeof *done);
    if (done)
        dc->fdone = done;
    if (!st || !done)
        return luaL_error(L, "not enough memory");
    st[id] = FS_NONE;
    dc->nfacts = id;
    lua_pushinteger(L, id);
    lua_setfield(L, -2, name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);           /* +2 ffn */
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, id);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, -id);
    return 0;
}

/* include(path): run another file of the rule set once; return its value. */
static int rl_include(lua_State *L)
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

/* ----------------------------------------------------------------- facts */

/* Rules see f, an empty proxy: its metatable's __index is this referral's
** value table fv (a fresh one per referral), and its __newindex raises, so
** facts are read only by construction and a read of a computed fact is one
** table lookup in fv. fv's own __index is fx_index, which computes a fact
** the first time it is read. Upvalues: the fact ids (name -> id), ffn (id ->
** function), r and f. Whether a fact is begun or nil this referral is
** dc->fstate[id] (a nil value cannot live in fv), and the ids begun are
** dc->fdone, so the end of a referral resets those few bytes and drops fv. */
static int fx_index(lua_State *L)
{
    lua_settop(L, 2);                                         /* 1 fv, 2 name */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER)    /* 3 id */
        return luaL_error(L, "unknown fact '%s'", lua_tostring(L, 2));
    int id = (int)lua_tointeger(L, 3);
    triage_decider *dc = rl_self(L);
    switch (dc->fstate[id]) {
    case FS_BUSY:
        return luaL_error(L, "fact '%s' depends on itself", lua_tostring(L, 2));
    case FS_NIL:
        lua_pushnil(L);
        return 1;
    default:              /* FS_NONE; an FS_VALUE fact is read from fv, never here */
        break;
    }
    dc->fstate[id] = FS_BUSY;
    dc->fdone[dc->ndone++] = id;
    lua_rawgeti(L, lua_upvalueindex(2), id);                  /* 4 fn */
    lua_pushvalue(L, lua_upvalueindex(3));                    /* 5 r */
    lua_pushvalue(L, lua_upvalueindex(4));                    /* 6 f */
    lua_call(L, 2, 1);                                        /* 4 value */
    if (lua_isnil(L, 4)) {
        dc->fstate[id] = FS_NIL;
        return 1;
    }
    dc->fstate[id] = FS_VALUE;
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 4);
    lua_rawset(L, 1);                                         /* fv[name] = value */
    return 1;
}

/* Before a referral: a fresh, presized fv behind f (the old one is garbage). */
static void rl_facts_begin(lua_State *L, triage_decider *dc)
{
    for (int i = 0; i < dc->ndone; i++)
        dc->fstate[dc->fdone[i]] = FS_NONE;
    dc->ndone = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fm_ref);            /* +1 f's meta */
    lua_pushliteral(L, "__index");                            /* +2 */
    lua_createtable(L, 0, dc->nfacts < 32 ? dc->nfacts : 32); /* +3 fv */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fvm_ref);           /* +4 fv's meta */
    lua_setmetatable(L, -2);                                  /* +3 */
    lua_rawset(L, -3);                                        /* +1 */
    lua_pop(L, 1);                                            /* 0 */
}

static int fx_newindex(lua_State *L)
{
    return luaL_error(L, "facts are read only: declare fact('%s', function(r, f) ... end)",
                      lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

/* -------------------------------------------------------------- the driver */

/* The rule loop runs in Lua, inside one protected call per referral: a
** pcall per rule from C cost more than most rules do. `cur` is the rule
** running (C reads it, as an upvalue, to name the rule in a reason or a
** failure); decided() and step() are C (rl_decided, rl_step). */
static const char rl_driver_src[] =
    "local WHEN, ACTION, N, decided, step = ...\n"
    "local cur = 0\n"
    "return function(r, f, d, explain)\n"
    "  for i = 1, N do\n"
    "    cur = i\n"
    "    local ok, why = WHEN[i](r, f, d)\n"
    "    if explain then step(i, ok, why) end\n"
    "    if ok then\n"
    "      local act = ACTION[i]\n"
    "      if act then\n"
    "        act(r, f, d)\n"
    "        if decided() then return end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n";

/* The rule running now (its index is the driver's upvalue `cur`), or NULL. */
static const rl_rule *rl_current(lua_State *L, triage_decider *dc)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->driver_ref);        /* +1 driver */
    lua_getupvalue(L, -1, dc->cur_up);                        /* +2 cur */
    lua_Integer i = lua_tointeger(L, -1);
    lua_pop(L, 2);                                            /* 0 */
    return i >= 1 && i <= dc->nrules ? &dc->rules[i - 1] : NULL;
}

static int rl_decided(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_pushboolean(L, dc->dec && dc->dec->outcome >= 0);
    return 1;
}

/* step(i, applied, why): the trace line of rule i (explain only). */
static int rl_step(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_Integer i = lua_tointeger(L, 1);
    if (!dc->dec || i < 1 || i > dc->nrules)
        return 0;
    const rl_rule *ru = &dc->rules[i - 1];
    const char *why = lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : ru->title;
    if (dc_add_step(dc->dec, ru->id, lua_toboolean(L, 2), why) != 0)
        return luaL_error(L, "not enough memory");
    return 0;
}

/* Compile the driver over the rules declared (after the files load). */
static int rl_driver(triage_decider *dc, triage_error *err)
{
    lua_State *L = dc->L;
    if (luaL_loadbufferx(L, rl_driver_src, sizeof rl_driver_src - 1, "=driver", "t")) {
        rl_load_error(dc, lua_tostring(L, -1), err);
        lua_settop(L, 0);
        return -1;
    }                                                         /* +1 chunk */
    lua_createtable(L, dc->nrules, 0);                        /* +2 WHEN */
    lua_createtable(L, dc->nrules, 0);                        /* +3 ACTION */
    for (int i = 0; i < dc->nrules; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->rules[i].when);
        lua_rawseti(L, -3, i + 1);
        if (dc->rules[i].action != LUA_NOREF) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, dc->rules[i].action);
            lua_rawseti(L, -2, i + 1);
        }
    }
    lua_pushinteger(L, dc->nrules);                           /* +4 N */
    lua_pushcfunction(L, rl_decided);                         /* +5 */
    lua_pushcfunction(L, rl_step);                            /* +6 */
    sb_rearm(dc->sb);
    if (lua_pcall(L, 5, 1, 0) != LUA_OK) {                    /* +1 driver */
        rl_load_error(dc, sb_error_text(dc->sb, LUA_ERRRUN), err);
        lua_settop(L, 0);
        return -1;
    }
    const char *name;
    for (int n = 1; (name = lua_getupvalue(L, -1, n)) != NULL; n++) {
        lua_pop(L, 1);
        if (!strcmp(name, "cur"))
            dc->cur_up = n;
    }
    dc->driver_ref = luaL_ref(L, LUA_REGISTRYINDEX);          /* 0 */
    return 0;
}

/* ------------------------------------------------------------ building */

static int rl_default_history(void *ud, const triage_referral *r, st_prior *out, int max)
{
    triage_decider *dc = ud;
    if (dc->hist)
        return dc->hist(dc->hist_ud, r, triage_ruleset_hash(dc->rs), out, max);
    if (!dc->store)
        return 0;
    return st_history(dc->store, r->cpr, r->received, r->id, triage_ruleset_hash(dc->rs),
                      out, max);
}

/* Fill err from a load failure: "path:line: message" when Lua says where,
** "path: message" when a message names a file of the rule set. */
static void rl_load_error(triage_decider *dc, const char *msg, triage_error *err)
{
    const char *dir = rl_dir(dc->rs), *c1 = strchr(msg, ':');
    if (!err)
        return;
    if (c1) {
        char *end, *file;
        long line = strtol(c1 + 1, &end, 10);
        if (*end != ':' || line <= 0) {
            line = 0;
            end = (char *)c1;
        }
        char path[1024];
        size_t n = (size_t)(c1 - msg);
        if (n < sizeof path) {
            memcpy(path, msg, n);
            path[n] = '\0';
        }
        if ((line > 0 || (n < sizeof path && rl_find(dc->rs, path) >= 0)) &&
            (file = malloc(strlen(dir) + n + 2))) {
            sprintf(file, "%s/%.*s", dir, (int)n, msg);
            triage_error_set(err, TRIAGE_ERULES, file, line, NULL, NULL, "%s",
                             end + (end[1] == ' ' ? 2 : 1));
            free(file);
            return;
        }
    }
    triage_error_set(err, TRIAGE_ERULES, dir, 0, NULL, NULL, "%s", msg);
}

/* f, the facts proxy rules read (see fx_index), and its tables. */
static void rl_facts_open(lua_State *L, triage_decider *dc)
{
    lua_newtable(L);
    dc->facts_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 64, 0);
    dc->ffn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);                                          /* +1 f */
    lua_createtable(L, 0, 3);                                 /* +2 f's meta */
    lua_pushcfunction(L, fx_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "facts");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    dc->fm_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setmetatable(L, -2);                                  /* +1 f */
    lua_createtable(L, 0, 1);                                 /* +2 fv's meta */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->facts_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);
    lr_push(L);
    lua_pushvalue(L, -5);                                     /* f */
    lua_pushcclosure(L, fx_index, 4);
    lua_setfield(L, -2, "__index");
    dc->fvm_ref = luaL_ref(L, LUA_REGISTRYINDEX);             /* +1 */
    dc->f_ref = luaL_ref(L, LUA_REGISTRYINDEX);               /* 0 */
}

/* Run in a protected call at load: the rule set's texts, if it has them. */
static int rl_messages(lua_State *L)
{
    lua_pushcfunction(L, rl_include);
    lua_pushliteral(L, MS_FILE);
    lua_call(L, 1, 1);
    ms_read(L, -1, &rl_self(L)->msg);
    return 0;
}

/* Run the rule files in order (they declare rules and facts), then read the
** engine's texts. On failure err says where. */
static int rl_load_files(triage_decider *dc, triage_error *err)
{
    lua_State *L = dc->L;
    int st = LUA_OK;
    dc->loading = 1;
    for (int i = 0; st == LUA_OK && i < rl_file_count(dc->rs); i++) {
        const char *path, *data;
        size_t len;
        rl_file(dc->rs, i, &path, &data, &len);
        if (!rl_is_rule_file(path))
            continue;
        sb_rearm(dc->sb);
        st = rl_load_chunk(L, path, data, len);
        if (st == LUA_OK)
            st = lua_pcall(L, 0, 0, 0);
    }
    dc->loading = 0;
    if (st == LUA_OK && rl_find(dc->rs, MS_FILE) >= 0) {
        sb_rearm(dc->sb);
        lua_pushcfunction(L, rl_messages);
        st = lua_pcall(L, 0, 0, 0);
    }
    if (st != LUA_OK) {
        rl_load_error(dc, sb_error_text(dc->sb, st), err);
        lua_settop(L, 0);
        return -1;
    }
    return 0;
}

static int rl_build(triage_decider *dc, triage_error *err)
{
    const triage_limits *lim = rl_limits(dc->rs);
    if (ms_init(&dc->msg) != 0 || !(dc->sb = sb_open(lim->memory_bytes, lim->instructions))) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    lua_State *L = dc->L = dc->sb->L;
    *(triage_decider **)lua_getextraspace(L) = dc;
    rx_open(L);
    ts_open(L);
    ld_open(L);
    lr_push(L);
    lua_pop(L, 1);
    lr_set_history(L, rl_default_history, dc);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "triage.included");
    rl_facts_open(L, dc);
    dc->d_ref = dd_open(L, &dc->dm_ref);
    lua_pushcfunction(L, rl_rule_decl);
    lua_setglobal(L, "rule");
    lua_pushcfunction(L, rl_fact_decl);
    lua_setglobal(L, "fact");
    lua_pushcfunction(L, rl_include);
    lua_setglobal(L, "include");

    if (rl_load_files(dc, err) != 0)
        return -1;
    if (dc->nrules == 0) {
        rl_load_error(dc, "the rule set declares no rule (rule{...} in a *.lua file)", err);
        return -1;
    }
    if (rl_driver(dc, err) != 0)
        return -1;
    lua_gc(L, LUA_GCCOLLECT);
    lua_gc(L, LUA_GCGEN, 0, 0);
    return 0;
}

triage_decider *triage_decider_new(triage_ruleset *rs, triage_store *store,
                                   triage_error *err)
{
    triage_decider *dc = rl_take_spare(rs);
    if (dc) {
        dc->store = store;
        return dc;
    }
    dc = calloc(1, sizeof *dc);
    if (!dc) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return NULL;
    }
    dc->rs = triage_ruleset_retain(rs);
    dc->store = store;
    if (rl_build(dc, err) != 0) {
        triage_decider_free(dc);
        return NULL;
    }
    return dc;
}

void triage_decider_free(triage_decider *dc)
{
    if (!dc)
        return;
    sb_close(dc->sb);
    for (int i = 0; i < dc->nrules; i++) {
        free(dc->rules[i].id);
        free(dc->rules[i].title);
    }
    free(dc->rules);
    free(dc->fstate);
    free(dc->fdone);
    ms_free(&dc->msg);
    triage_ruleset_release(dc->rs);
    free(dc);
}

void rl_free_spare(triage_decider *dc)
{
    dc->rs = NULL;
    triage_decider_free(dc);
}

int rl_rule_count(const triage_decider *dc)
{
    return dc->nrules;
}

triage_ruleset *triage_decider_ruleset(const triage_decider *dc)
{
    return dc->rs;
}

void rl_set_history(triage_decider *dc, rl_history_fn fn, void *ud)
{
    dc->hist = fn;
    dc->hist_ud = ud;
}

/* ------------------------------------------------------------- deciding */

/* A rule failed: the referral goes to a person, naming the rule, in the
** rule set's words (data/messages.lua). */
static void rl_fail(triage_decider *dc, triage_decision *d, const char *rule, int status)
{
    char mem[64];
    const char *error = sb_error_text(dc->sb, status);
    if (status == LUA_ERRMEM && dc->sb->over_memory) {
        snprintf(mem, sizeof mem, "memory limit exceeded (%zu MiB)",
                 rl_limits(dc->rs)->memory_bytes >> 20);
        error = mem;
    }
    char *why = ms_format(dc->msg.rule_failed, rule, error);
    if (d->explain)
        dc_add_step(d, rule, 0, why ? why : error);
    dc_manual_review(d, rule, why ? why : error);
    free(why);
}

triage_decision *triage_decide(triage_decider *dc, const triage_referral *r,
                               unsigned flags)
{
    triage_decision *d = dc_new(r->id, triage_ruleset_hash(dc->rs), (flags & TRIAGE_EXPLAIN) != 0);
    if (!d)
        return NULL;
    lua_State *L = dc->L;
    sb_rearm(dc->sb);
    lr_set(L, r);
    rl_facts_begin(L, dc);
    dc->dec = d;
    if (dc->dexplain != d->explain) {
        dc->dexplain = d->explain;
        dd_set_explain(L, dc->dm_ref, d->explain);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->driver_ref);        /* 1 driver */
    lr_push(L);                                               /* 2 r */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);             /* 3 f */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->d_ref);             /* 4 d */
    lua_pushboolean(L, d->explain);                           /* 5 explain */
    int st = lua_pcall(L, 4, 0, 0);                           /* 0, or 1 error */
    int failed = st != LUA_OK;
    if (failed) {
        const rl_rule *ru = rl_current(L, dc);
        rl_fail(dc, d, ru ? ru->id : "ENGINE", st);
    } else if (d->outcome < 0) {
        dc_manual_review(d, "ENGINE", dc->msg.no_decision);
    }
    lua_settop(L, 0);
    dc->dec = NULL;
    lr_set(L, NULL);
    if (failed)
        lua_gc(L, LUA_GCCOLLECT);     /* give back what a runaway rule took */
    return d;
}


/* --------------------------------------------------- beside the rules */

int rl_call(triage_decider *dc, const triage_referral *r, lua_CFunction fn, void *ud,
            triage_error *err)
{
    triage_decision *scratch = dc_new(r ? r->id : "", triage_ruleset_hash(dc->rs), 0);
    if (!scratch) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    lua_State *L = dc->L;
    sb_rearm(dc->sb);
    if (r) {
        lr_set(L, r);
        rl_facts_begin(L, dc);
    }
    dc->dec = scratch;
    lua_pushcfunction(L, fn);
    if (r) {
        lr_push(L);
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);
    } else {
        lua_pushnil(L);
        lua_pushnil(L);
    }
    lua_pushlightuserdata(L, ud);
    int st = lua_pcall(L, 3, 0, 0);
    if (st != LUA_OK)
        rl_load_error(dc, sb_error_text(dc->sb, st), err);
    lua_settop(L, 0);
    dc->dec = NULL;
    if (r)
        lr_set(L, NULL);
    triage_decision_free(scratch);
    if (st != LUA_OK)
        lua_gc(L, LUA_GCCOLLECT);
    return st == LUA_OK ? 0 : -1;
}
