/*
** decider.c — a decider: one sandboxed Lua state built from a rule set, for
** one thread. Loading runs the rule files (rule(), fact(), include()); then
** each referral is read once by the text layer (`evidence`), its facts are
** computed in the order they are declared, and every rule runs in order
** until one decides — all in one protected call. A rule that fails or runs
** away sends the referral to a person.
*/
#include "rules.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "ldate.h"
#include "ldecision.h"
#include "levidence.h"
#include "lreferral.h"
#include "messages.h"
#include "referral.h"
#include "regex.h"
#include "sandbox.h"

#define RL_TEXT_FILE "data/text.lua"
#define RL_MAX_EVIDENCE 16          /* evidence keys one rule may name */

typedef struct rl_rule {
    char *id, *title;
    int when, action, explain;      /* registry refs; action, explain may be LUA_NOREF */
    int nkeys;                      /* evidence = { ... }: the keys its reasons rest on */
    char **keys;
} rl_rule;

struct triage_decider {
    triage_ruleset *rs;
    triage_store *store;
    sb_state *sb;
    lua_State *L;
    int nrules;
    rl_rule *rules;
    lr_state *lr;                   /* `r` */
    le_state *ev;                   /* `evidence`, NULL without text data */
    size_t charged;                 /* the lexicon's bytes, charged to this state */
    int d_ref, dm_ref, f_ref, facts_ref, ffn_ref, fname_ref;
    int run_ref;                    /* rl_run, as a Lua value */
    int driver_ref, xdriver_ref;    /* the facts and rules, without and with explain */
    int cur_up;                     /* the drivers' upvalue `cur`: the rule running */
    int ready;                      /* this referral's facts are computed */
    int fmeta_ref[2];               /* f's metatable while facts are computed, rules run */
    int fact_line;                  /* the drivers' line of fact 1 (one line per fact) */
    int dexplain;                   /* d.explain as set in the methods table */
    int nfacts;                     /* facts declared: ids 1..nfacts */
    unsigned *fgen;                 /* [id]: the referral a fact read early was computed for */
    unsigned char *fbusy;           /* [id]: being computed early (a cycle if read again) */
    unsigned gen;                   /* referrals decided */
    int loading;                    /* rule() and fact() are allowed */
    int locate;                     /* load noting the line running (a second try) */
    int unlocated;                  /* the load failed at a limit its error does not place */
    int *track;                     /* files include() read while tracking (the text data) */
    int ntrack, captrack, tracking;
    triage_decision *dec;           /* being decided, NULL between referrals */
    const triage_referral *ref;     /* likewise */
    ms_texts msg;                   /* the engine's own texts (data/messages.lua) */
    rl_history_fn hist;
    void *hist_ud;
};

static void rl_load_error(triage_decider *dc, const char *msg, triage_error *err);
static const struct rl_rule *rl_current(lua_State *L, triage_decider *dc);

static char FX_BUSY;            /* include() marker: running */

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

int rl_rule_evidence(lua_State *L, const char *const **keys)
{
    const rl_rule *ru = rl_current(L, rl_self(L));
    *keys = ru ? (const char *const *)ru->keys : NULL;
    return ru ? ru->nkeys : 0;
}

/* ------------------------------------------------------- load-time API */

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
static int rl_load_chunk(lua_State *L, const char *path, const char *data, size_t len)
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

static void rl_rule_free(rl_rule *ru)
{
    free(ru->id);
    free(ru->title);
    for (int k = 0; k < ru->nkeys; k++)
        free(ru->keys[k]);
    free(ru->keys);
}

/* rule{ id=, title=, when=, action=, explain=, evidence= } */
static int rl_rule_decl(lua_State *L)
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
    for (int i = 0; i < dc->nrules; i++)
        if (!strcmp(dc->rules[i].id, id))
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
static int rl_fact_decl(lua_State *L)
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

/* ----------------------------------------------------------------- facts */

/* Facts are computed for every referral, in the order they are declared,
** into f: a plain table that rules read with one lookup. f's metatable only
** answers what is not there: while facts are computed, a fact read before
** its turn (fx_index computes it then) or one already computed as nil;
** while rules run, a nil fact or a name no fact has (an error); and it
** refuses assignments to a fact that holds nothing. After the rules the
** driver checks that every fact still holds what it computed (a rule that
** assigned one sends the referral to manual_review) and clears f, so that
** no fact's value outlives its referral. */

/* The id of fact name (at idx), or an error for a name no fact has. */
static int rl_fact_id(lua_State *L, triage_decider *dc, int idx)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->facts_ref);
    lua_pushvalue(L, idx);
    int id = lua_rawget(L, -2) == LUA_TNUMBER ? (int)lua_tointeger(L, -1) : 0;
    lua_pop(L, 2);
    if (!id)
        luaL_error(L, "unknown fact '%s'", lua_tostring(L, idx) ? lua_tostring(L, idx) : "?");
    return id;
}

/* The fact the driver is computing now: the line it is on (one a fact)
** in the frame of the driver, found up the stack; 0 when none. */
static int rl_fact_now(lua_State *L, triage_decider *dc)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "fl", &ar);                            /* +1 the function */
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->driver_ref);
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->xdriver_ref);
        int driver = lua_rawequal(L, -3, -2) || lua_rawequal(L, -3, -1);
        lua_pop(L, 3);
        if (driver) {
            int i = ar.currentline - dc->fact_line + 1;
            return i >= 1 && i <= dc->nfacts ? i : 0;
        }
    }
    return 0;
}

/* f.__index(f, name): a fact f does not hold. */
static int fx_index(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_settop(L, 2);                                         /* 1 f, 2 name */
    int id = rl_fact_id(L, dc, 2);
    int now = dc->ready ? 0 : rl_fact_now(L, dc);
    if (dc->ready || dc->fgen[id] == dc->gen || id < now) {
        lua_pushnil(L);                                       /* computed: nil */
        return 1;
    }
    if (id == now || dc->fbusy[id])
        return luaL_error(L, "fact '%s' depends on itself", lua_tostring(L, 2));
    dc->fbusy[id] = 1;                                        /* read before its turn */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);
    lua_rawgeti(L, -1, id);                                   /* 4 fn */
    lua_pushvalue(L, 1);                                      /* facts see r plain */
    lr_push(dc->lr);
    lua_replace(L, -2);
    lua_pushvalue(L, 1);
    lua_call(L, 2, 1);                                        /* 4 value */
    dc->fbusy[id] = 0;
    dc->fgen[id] = dc->gen;
    if (!lua_isnil(L, 4)) {
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 4);
        lua_rawset(L, 1);
    }
    return 1;
}

static int fx_newindex(lua_State *L)
{
    return luaL_error(L, "facts are read only: declare fact('%s', function(r, f) ... end)",
                      lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

/* Empty f (after a referral that did not end normally). */
static void rl_facts_clear(lua_State *L, triage_decider *dc)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
    if (dc->fbusy)
        memset(dc->fbusy, 0, (size_t)dc->nfacts + 1);
}

/* -------------------------------------------------------------- the driver */

/* One protected call per referral runs the facts and the rules. The driver
** is Lua written out at load for this rule set, one line per fact and per
** rule, without loops or table lookups by name: in Lua 5.4 every VM
** instruction costs tens of machine instructions, and a loop over the facts
** cost more than most facts do. It is
**
**   local FN, WHEN, ACTION, WHY, decided, ready, step = ...
**   local F1, W1, A1, ... = FN[1], WHEN[1], ACTION[1], ...
**   local cur = 0
**   return function(r, f, d)
**     local v1 = F1(r, f) f.previous_contact = v1          -- each fact, in order
**     ...
**     ready(f, true)
**     cur = 1 if W1(r, f, d) then A1(r, f, d) if decided() then goto done end end
**     ...                                                  -- each rule
**     ::done:: cur = 0
**     if f.previous_contact ~= v1 and v1 == v1 then return "previous_contact" end
**     ...                                                  -- no rule assigned a fact
**     ready(f, false)
**     f.previous_contact = nil                             -- and none outlives the referral
**     ...
**   end
**
** and, with explain, each rule (with or without an action) records its
** trace line: step(i, ok, why). `cur` is the rule running (C reads it as an
** upvalue to name the rule in a reason or a failure); decided(), ready()
** and step() are C. It returns the name of a fact a rule assigned, or
** nothing. */

#define RL_MAX_FACTS 180        /* each fact's value is a local of the driver (200 at most) */

typedef struct rl_src {
    char *s;
    size_t n, cap;
    int oom;
} rl_src;

static void rl_emit(rl_src *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        int k = b->oom ? 0 : vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (b->oom || k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)k;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
}

/* The driver's source, for explain or not; NULL when out of memory. names
** are the facts' names (checked: Lua names). Each fact's function and each
** rule's are upvalues of their own (one instruction to reach) while they
** fit in Lua's 255 upvalues, else read from the lists FN, WHEN, ACTION. */
static char *rl_driver_src(triage_decider *dc, const char *const *names, int explain,
                           size_t *len)
{
    rl_src b = {0};
    int own = dc->nfacts + 2 * dc->nrules + 8 <= 250;
    rl_emit(&b, "local FN, WHEN, ACTION, WHY, decided, ready, step = ...\n");
    if (own) {
        for (int i = 1; i <= dc->nfacts; i++)
            rl_emit(&b, "local F%d = FN[%d]\n", i, i);
        for (int i = 1; i <= dc->nrules; i++)
            rl_emit(&b, "local W%d, A%d = WHEN[%d], ACTION[%d]\n", i, i, i, i);
    }
    char fn[32], w[32], a[32];
    rl_emit(&b, "local cur = 0\n"
                "return function(r, f, d)\n");
    dc->fact_line = 1;                                        /* the line of fact 1 */
    for (size_t i = 0; i < b.n; i++)
        dc->fact_line += b.s[i] == '\n';
    for (int i = 1; i <= dc->nfacts; i++) {
        snprintf(fn, sizeof fn, own ? "F%d" : "FN[%d]", i);
        rl_emit(&b, "  local v%d = %s(r, f) f.%s = v%d\n", i, fn, names[i], i);
    }
    rl_emit(&b, "  ready(f, true)\n");
    for (int i = 1; i <= dc->nrules; i++) {
        const rl_rule *ru = &dc->rules[i - 1];
        int act = ru->action != LUA_NOREF;
        snprintf(w, sizeof w, own ? "W%d" : "WHEN[%d]", i);
        snprintf(a, sizeof a, own ? "A%d" : "ACTION[%d]", i);
        if (explain) {
            rl_emit(&b, "  cur = %d do local ok, why = %s(r, f, d)", i, w);
            if (ru->explain != LUA_NOREF)
                rl_emit(&b, " why = WHY[%d](r, f, d)", i);
            rl_emit(&b, " step(%d, ok, why)", i);
            if (act)
                rl_emit(&b, " if ok then %s(r, f, d) if decided() then goto done end end", a);
            rl_emit(&b, " end\n");
        } else if (act) {
            rl_emit(&b, "  cur = %d if %s(r, f, d) then %s(r, f, d) "
                        "if decided() then goto done end end\n", i, w, a);
        } else {                       /* a rule without action still runs: it may fail */
            rl_emit(&b, "  cur = %d %s(r, f, d)\n", i, w);
        }
    }
    rl_emit(&b, "  ::done:: cur = 0\n");
    for (int i = 1; i <= dc->nfacts; i++)
        rl_emit(&b, "  if f.%s ~= v%d and v%d == v%d then return \"%s\" end\n", names[i], i, i,
                i, names[i]);
    rl_emit(&b, "  ready(f, false)\n");
    for (int i = 1; i <= dc->nfacts; i++)
        rl_emit(&b, "  f.%s = nil\n", names[i]);
    rl_emit(&b, "end\n");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    *len = b.n;
    return b.s;
}

/* The rule running now (the driver's upvalue `cur`), or NULL. */
static const rl_rule *rl_current(lua_State *L, triage_decider *dc)
{
    int ref = dc->dec && dc->dec->explain ? dc->xdriver_ref : dc->driver_ref;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);                   /* +1 driver */
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

/* ready(f, on): the facts are computed and rules run from here, f refusing
** assignments to what holds nothing (fmeta[1]); or (on false) the rules are
** done and the driver empties f (fmeta[0]). */
static int rl_ready(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    int on = lua_toboolean(L, 2);
    dc->ready = on;
    lua_settop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fmeta_ref[on]);
    lua_setmetatable(L, 1);
    return 0;
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

/* A list of the rules' refs (when, action or explain) as a Lua array. */
static void rl_push_refs(lua_State *L, triage_decider *dc, size_t at)
{
    lua_createtable(L, dc->nrules, 0);
    for (int i = 0; i < dc->nrules; i++) {
        int ref = *(const int *)((const char *)&dc->rules[i] + at);
        if (ref != LUA_NOREF) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
            lua_rawseti(L, -2, i + 1);
        }
    }
}

/* Compile one driver (explain or not) over the rules and facts declared;
** its registry reference, or LUA_NOREF with err. */
static int rl_driver_one(triage_decider *dc, const char *const *names, int explain,
                         triage_error *err)
{
    lua_State *L = dc->L;
    size_t len;
    char *src = rl_driver_src(dc, names, explain, &len);
    if (!src) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return LUA_NOREF;
    }
    int st = luaL_loadbufferx(L, src, len, explain ? "=driver (explain)" : "=driver", "t");
    free(src);
    if (st != LUA_OK) {
        rl_load_error(dc, lua_tostring(L, -1), err);
        lua_settop(L, 0);
        return LUA_NOREF;
    }                                                         /* +1 chunk */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);           /* FN */
    rl_push_refs(L, dc, offsetof(rl_rule, when));             /* WHEN */
    rl_push_refs(L, dc, offsetof(rl_rule, action));           /* ACTION */
    rl_push_refs(L, dc, offsetof(rl_rule, explain));          /* WHY */
    lua_pushcfunction(L, rl_decided);
    lua_pushcfunction(L, rl_ready);
    lua_pushcfunction(L, rl_step);
    sb_rearm(dc->sb);
    st = lua_pcall(L, 7, 1, 0);                               /* +1 driver */
    if (st != LUA_OK) {
        sb_settle(dc->sb, st);
        rl_load_error(dc, sb_error_text(dc->sb, st), err);
        lua_settop(L, 0);
        return LUA_NOREF;
    }
    const char *name;
    for (int n = 1; (name = lua_getupvalue(L, -1, n)) != NULL; n++) {
        lua_pop(L, 1);
        if (!strcmp(name, "cur"))
            dc->cur_up = n;
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);                    /* 0 */
}

/* The drivers and f, after the rule files load. */
static int rl_driver(triage_decider *dc, triage_error *err)
{
    lua_State *L = dc->L;
    if (dc->nfacts > RL_MAX_FACTS) {
        char msg[96];
        snprintf(msg, sizeof msg, "the rule set declares %d facts; at most %d are allowed",
                 dc->nfacts, RL_MAX_FACTS);
        rl_load_error(dc, msg, err);
        return -1;
    }
    const char *names[RL_MAX_FACTS + 1];
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fname_ref);         /* +1, keeps the names */
    for (int i = 1; i <= dc->nfacts; i++) {
        lua_rawgeti(L, -1, i);
        names[i] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    dc->driver_ref = rl_driver_one(dc, names, 0, err);
    if (dc->driver_ref != LUA_NOREF)
        dc->xdriver_ref = rl_driver_one(dc, names, 1, err);
    lua_settop(L, 0);
    if (dc->driver_ref == LUA_NOREF || dc->xdriver_ref == LUA_NOREF)
        return -1;
    /* f, presized for every fact, and its metatables: while facts are
    ** computed (the driver writes f) and while rules run */
    for (int ready = 0; ready < 2; ready++) {
        lua_createtable(L, 0, 3);
        lua_pushcfunction(L, fx_index);
        lua_setfield(L, -2, "__index");
        if (ready) {
            lua_pushcfunction(L, fx_newindex);
            lua_setfield(L, -2, "__newindex");
        }
        lua_pushliteral(L, "facts");
        lua_setfield(L, -2, "__metatable");
        dc->fmeta_ref[ready] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_createtable(L, 0, dc->nfacts);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fmeta_ref[1]);
    lua_setmetatable(L, -2);
    dc->f_ref = luaL_ref(L, LUA_REGISTRYINDEX);
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

/* The tables behind fact(): name -> id, id -> function, id -> name. */
static void rl_facts_open(lua_State *L, triage_decider *dc)
{
    lua_newtable(L);
    dc->facts_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 64, 0);
    dc->ffn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 64, 0);
    dc->fname_ref = luaL_ref(L, LUA_REGISTRYINDEX);
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

/* Run in a protected call at load, by the first state of a rule set with
** text data: the lexicon, from the table data/text.lua returns and every
** file it reads (so a reload can tell whether they changed). */
static int rl_text_load(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    dc->tracking = 1;
    lua_pushcfunction(L, rl_include);
    lua_pushliteral(L, RL_TEXT_FILE);
    lua_call(L, 1, 1);
    dc->tracking = 0;
    char err[512];
    if (rl_text_build(dc->rs, L, -1, dc->track, dc->ntrack, err, sizeof err) != 0)
        return luaL_error(L, "%s: %s", RL_TEXT_FILE, err);
    return 0;
}

/* The text layer for this state: the rule set's lexicon (built by its first
** state, or taken over on reload), `evidence` and `text`, and the lexicon's
** bytes charged to this state. */
static int rl_text_open(triage_decider *dc, triage_error *err)
{
    lua_State *L = dc->L;
    if (!rl_lexicon(dc->rs) && rl_find(dc->rs, RL_TEXT_FILE) >= 0 && !rl_text_adopt(dc->rs)) {
        sb_rearm_load(dc->sb);
        lua_pushcfunction(L, rl_text_load);
        int st = lua_pcall(L, 0, 0, 0);
        dc->tracking = 0;
        if (st != LUA_OK) {
            sb_settle(dc->sb, st);
            dc->unlocated = sb_unlocated(dc->sb, st);
            rl_load_error(dc, sb_error_text(dc->sb, st), err);
            lua_settop(L, 0);
            return -1;
        }
    }
    const tx_lexicon *lx = rl_lexicon(dc->rs);
    if (!lx)
        return 0;
    dc->charged = rl_text_bytes(dc->rs);
    if (bg_charge(bg_of(L), dc->charged) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: memory limit exceeded (%zu MiB) by the text lexicon "
                 "(%zu KiB)", RL_TEXT_FILE, rl_limits(dc->rs)->memory_bytes >> 20,
                 dc->charged >> 10);
        rl_load_error(dc, msg, err);
        return -1;
    }
    if (!(dc->ev = le_open(L, lx))) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
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
        sb_rearm_load(dc->sb);
        st = rl_load_chunk(L, path, data, len);
        if (st == LUA_OK)
            st = lua_pcall(L, 0, 0, 0);
    }
    dc->loading = 0;
    if (st == LUA_OK && rl_find(dc->rs, MS_FILE) >= 0) {
        sb_rearm_load(dc->sb);
        lua_pushcfunction(L, rl_messages);
        st = lua_pcall(L, 0, 0, 0);
    }
    if (st != LUA_OK) {
        sb_settle(dc->sb, st);
        dc->unlocated = sb_unlocated(dc->sb, st);
        rl_load_error(dc, sb_error_text(dc->sb, st), err);
        lua_settop(L, 0);
        return -1;
    }
    return 0;
}

static int rl_run(lua_State *L);

static int rl_build(triage_decider *dc, triage_error *err)
{
    const triage_limits *lim = rl_limits(dc->rs);
    if (ms_init(&dc->msg) != 0 || !(dc->sb = sb_open(lim))) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    lua_State *L = dc->L = dc->sb->L;
    dc->sb->locate = dc->locate;
    *(triage_decider **)lua_getextraspace(L) = dc;
    rx_open(L);
    ld_open(L);
    dc->lr = lr_open(L);
    lr_set_history(dc->lr, rl_default_history, dc);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "triage.included");
    rl_facts_open(L, dc);
    dc->d_ref = dd_open(L, &dc->dm_ref);
    lua_pushcfunction(L, rl_run);
    dc->run_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushcfunction(L, rl_rule_decl);
    lua_setglobal(L, "rule");
    lua_pushcfunction(L, rl_fact_decl);
    lua_setglobal(L, "fact");
    lua_pushcfunction(L, rl_include);
    lua_setglobal(L, "include");

    if (rl_text_open(dc, err) != 0 || rl_load_files(dc, err) != 0)
        return -1;
    if (dc->nrules == 0) {
        rl_load_error(dc, "the rule set declares no rule (rule{...} in a *.lua file)", err);
        return -1;
    }
    if (rl_driver(dc, err) != 0)
        return -1;
    sb_lock(dc->sb);            /* from here on the globals are read only */
    if (dc->ev)
        le_locked(dc->ev);
    lua_gc(L, LUA_GCCOLLECT);
    lua_gc(L, LUA_GCGEN, 0, 0);
    return 0;
}

/* A decider built from rs; NULL with err filled when it cannot be, and
** *again set when the load ran out of memory where its error does not say
** (a load that notes each line would: rl_load_files). */
static triage_decider *rl_new(triage_ruleset *rs, triage_store *store, int locate,
                              triage_error *err, int *again)
{
    triage_decider *dc = calloc(1, sizeof *dc);
    if (!dc) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return NULL;
    }
    dc->rs = triage_ruleset_retain(rs);
    dc->store = store;
    dc->locate = locate;
    if (rl_build(dc, err) != 0) {
        *again = !locate && dc->unlocated;
        triage_decider_free(dc);
        return NULL;
    }
    return dc;
}

triage_decider *triage_decider_new(triage_ruleset *rs, triage_store *store,
                                   triage_error *err)
{
    triage_decider *dc = rl_take_spare(rs);
    if (dc) {
        dc->store = store;
        return dc;
    }
    /* A rule set over its memory at load fails the same way each time: the
    ** second load, noting each line as it runs (slower), says where. */
    int again = 0;
    dc = rl_new(rs, store, 0, err, &again);
    if (!dc && again)
        dc = rl_new(rs, store, 1, err, &again);
    return dc;
}

void triage_decider_free(triage_decider *dc)
{
    if (!dc)
        return;
    le_free(dc->ev);
    if (dc->sb && dc->charged)
        bg_uncharge(bg_of(dc->L), dc->charged);
    sb_close(dc->sb);
    for (int i = 0; i < dc->nrules; i++)
        rl_rule_free(&dc->rules[i]);
    free(dc->rules);
    free(dc->fgen);
    free(dc->fbusy);
    free(dc->track);
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
static void rl_fail(triage_decider *dc, triage_decision *d, const char *rule,
                    const char *error)
{
    char *why = ms_format(dc->msg.rule_failed, rule, error);
    if (d->explain)
        dc_add_step(d, rule, 0, why ? why : error);
    dc_manual_review(d, rule, why ? why : error);
    free(why);
}

/* Why the run failed, in words (the limit it hit, by name). */
static const char *rl_status_text(triage_decider *dc, int status)
{
    sb_settle(dc->sb, status);
    return sb_error_text(dc->sb, status);
}

/* The referral's protected run: r, the evidence, then the driver. */
static int rl_run(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lr_set(dc->lr, dc->ref);
    if (dc->ev && le_read(dc->ev, dc->ref) != 0)
        return luaL_error(L, "not enough memory to read the letter");
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->dec->explain ? dc->xdriver_ref : dc->driver_ref);
    lr_push(dc->lr);                                          /* r */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);             /* f, for the facts */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fmeta_ref[0]);
    lua_setmetatable(L, -2);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->d_ref);             /* d */
    lua_call(L, 3, 1);
    return 1;
}

triage_decision *triage_decide(triage_decider *dc, const triage_referral *r,
                               unsigned flags)
{
    triage_decision *d = dc_new(r->id, triage_ruleset_hash(dc->rs), (flags & TRIAGE_EXPLAIN) != 0);
    if (!d)
        return NULL;
    lua_State *L = dc->L;
    sb_rearm(dc->sb);
    dc->gen++;
    dc->ready = 0;
    dc->dec = d;
    dc->ref = r;
    if (dc->dexplain != d->explain) {
        dc->dexplain = d->explain;
        dd_set_explain(L, dc->dm_ref, d->explain);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->run_ref);
    int st = lua_pcall(L, 0, 1, 0);                           /* 1 result or error */
    char buf[160];
    if (st != LUA_OK) {
        const rl_rule *ru = rl_current(L, dc);
        rl_fail(dc, d, ru ? ru->id : "ENGINE", rl_status_text(dc, st));
        rl_facts_clear(L, dc);
    } else if (lua_type(L, 1) == LUA_TSTRING) {
        snprintf(buf, sizeof buf, "a rule assigned to fact '%s' (facts are read only)",
                 lua_tostring(L, 1));
        rl_fail(dc, d, "ENGINE", buf);
        rl_facts_clear(L, dc);
    } else if (d->outcome < 0) {
        dc_manual_review(d, "ENGINE", dc->msg.no_decision);
    }
    if (d->explain && dc->ev && le_explain(dc->ev, d) != 0) {
        triage_decision_free(d);
        d = NULL;
    }
    lua_settop(L, 0);
    dc->dec = NULL;
    dc->ref = NULL;
    lr_set(dc->lr, NULL);
    if (st != LUA_OK)
        lua_gc(L, LUA_GCCOLLECT);     /* give back what a runaway rule took */
    return d;
}


/* --------------------------------------------------- beside the rules */

/* rl_call's protected part: r, the evidence and f (facts computed as they
** are read, as fx_index does for a fact read before its turn), then fn. */
typedef struct rl_callee {
    lua_CFunction fn;
    void *ud;
} rl_callee;

static int rl_call_run(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    const rl_callee *c = lua_touserdata(L, 1);
    lua_pushcfunction(L, c->fn);
    if (dc->ref) {
        lr_set(dc->lr, dc->ref);
        if (dc->ev && le_read(dc->ev, dc->ref) != 0)
            return luaL_error(L, "not enough memory to read the letter");
        lr_push(dc->lr);
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fmeta_ref[0]);
        lua_setmetatable(L, -2);
    } else {
        lua_pushnil(L);
        lua_pushnil(L);
    }
    lua_pushlightuserdata(L, c->ud);
    lua_call(L, 3, 0);
    return 0;
}

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
    dc->gen++;
    dc->ready = 0;
    dc->dec = scratch;
    dc->ref = r;
    rl_callee c = {fn, ud};
    lua_pushcfunction(L, rl_call_run);
    lua_pushlightuserdata(L, &c);
    int st = lua_pcall(L, 1, 0, 0);
    if (st != LUA_OK) {
        sb_settle(dc->sb, st);
        rl_load_error(dc, sb_error_text(dc->sb, st), err);
    }
    lua_settop(L, 0);
    rl_facts_clear(L, dc);      /* f holds this referral's facts: none outlives it */
    dc->dec = NULL;
    dc->ref = NULL;
    lr_set(dc->lr, NULL);
    triage_decision_free(scratch);
    if (st != LUA_OK)
        lua_gc(L, LUA_GCCOLLECT);
    return st == LUA_OK ? 0 : -1;
}
