/*
** decider_driver.c — the driver: Lua written out at load for the rule set,
** one line per fact and per rule, that decides a referral in one call.
*/
#include "decider_internal.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"

/* One protected call per referral runs the facts and the rules. The driver
** is Lua written out at load for this rule set, one line per fact and per
** rule, without loops or table lookups by name: in Lua 5.4 every VM
** instruction costs tens of machine instructions, and a loop over the facts
** cost more than most facts do. It is
**
**   local FN, WHEN, ACTION, WHY, F, decided, step = ...
**   local F1, W1, A1, ... = FN[1], WHEN[1], ACTION[1], ...
**   local cur = 0
**   return function(r, f, d)
**     f.previous_contact = F1(r, f)                        -- each fact, in order
**     ...
**     cur = 1 if W1(r, F, d) then A1(r, F, d) if decided() then goto done end end
**     ...                                                  -- each rule
**     ::done:: cur = 0
**     f.previous_contact = nil                             -- none outlives the referral
**     ...
**   end
**
** and, with explain, each rule (with or without an action) records its
** trace line: step(i, ok, why). Facts read and write f itself; rules get F,
** an empty table that reads through to f and refuses every assignment (a
** rule that assigns a fact fails there, naming itself), as the locked
** globals do (sb_lock). `cur` is the rule running (C reads it as an upvalue
** to name the rule in a reason or a failure, and to tell the rules from the
** facts); decided() and step() are C. A fact that an earlier one read
** before its turn is computed then (rl_fact_index), once: until the
** referral ends, the running driver calls in its place a function that
** returns what f holds (rl_driver_fact). */


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
    rl_emit(&b, "local FN, WHEN, ACTION, WHY, F, decided, step = ...\n");
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
        rl_emit(&b, "  f.%s = %s(r, f)\n", names[i], fn);
    }
    for (int i = 1; i <= dc->nrules; i++) {
        const rl_rule *ru = &dc->rules[i - 1];
        int act = ru->action != LUA_NOREF;
        snprintf(w, sizeof w, own ? "W%d" : "WHEN[%d]", i);
        snprintf(a, sizeof a, own ? "A%d" : "ACTION[%d]", i);
        if (explain) {
            rl_emit(&b, "  cur = %d do local ok, why = %s(r, F, d)", i, w);
            if (ru->explain != LUA_NOREF)
                rl_emit(&b, " why = WHY[%d](r, F, d)", i);
            rl_emit(&b, " step(%d, ok, why)", i);
            if (act)
                rl_emit(&b, " if ok then %s(r, F, d) if decided() then goto done end end", a);
            rl_emit(&b, " end\n");
        } else if (act) {
            rl_emit(&b, "  cur = %d if %s(r, F, d) then %s(r, F, d) "
                        "if decided() then goto done end end\n", i, w, a);
        } else {                       /* a rule without action still runs: it may fail */
            rl_emit(&b, "  cur = %d %s(r, F, d)\n", i, w);
        }
    }
    rl_emit(&b, "  ::done:: cur = 0\n");
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

/* The driver running now: explain or not. */
static int rl_running(const triage_decider *dc)
{
    return dc->dec && dc->dec->explain;
}

/* The rule running now (the driver's upvalue `cur`), or NULL. */
const rl_rule *rl_current(lua_State *L, triage_decider *dc)
{
    int ref = rl_running(dc) ? dc->xdriver_ref : dc->driver_ref;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);                   /* +1 driver */
    lua_getupvalue(L, -1, dc->cur_up);                        /* +2 cur */
    lua_Integer i = lua_tointeger(L, -1);
    lua_pop(L, 2);                                            /* 0 */
    return i >= 1 && i <= dc->nrules ? &dc->rules[i - 1] : NULL;
}

void rl_driver_fact(lua_State *L, triage_decider *dc, int id)
{
    int x = rl_running(dc);
    lua_rawgeti(L, LUA_REGISTRYINDEX, x ? dc->xdriver_ref : dc->driver_ref);
    lua_insert(L, -2);                                        /* driver, fn */
    if (dc->fup[x][id]) {
        lua_setupvalue(L, -2, dc->fup[x][id]);
    } else {                                                  /* FN[id] */
        lua_getupvalue(L, -2, dc->fnup[x]);
        lua_insert(L, -2);
        lua_rawseti(L, -2, id);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static int rl_decided(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_pushboolean(L, dc->dec && dc->dec->outcome >= 0);
    return 1;
}

/* No rule runs now (after a run that failed): cur 0 in both drivers. */
void rl_driver_idle(lua_State *L, triage_decider *dc)
{
    for (int x = 0; x < 2; x++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, x ? dc->xdriver_ref : dc->driver_ref);
        lua_pushinteger(L, 0);
        lua_setupvalue(L, -2, dc->cur_up);
        lua_pop(L, 1);
    }
}

/* F's pairs(): next over f, keeping f to itself (as the locked globals'
** pairs does: f given to a rule as next's state could be written). */
static int rl_fact_next(lua_State *L)
{
    lua_settop(L, 2);
    return lua_next(L, lua_upvalueindex(1)) ? 2 : (lua_pushnil(L), 1);
}

static int rl_fact_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
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
    lua_createtable(L, dc->nfacts, 0);                        /* FN, its own copy */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);
    for (int i = 1; i <= dc->nfacts; i++) {
        lua_rawgeti(L, -1, i);
        lua_rawseti(L, -3, i);
    }
    lua_pop(L, 1);
    rl_push_refs(L, dc, offsetof(rl_rule, when));             /* WHEN */
    rl_push_refs(L, dc, offsetof(rl_rule, action));           /* ACTION */
    rl_push_refs(L, dc, offsetof(rl_rule, explain));          /* WHY */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fview_ref);         /* F */
    lua_pushcfunction(L, rl_decided);
    lua_pushcfunction(L, rl_step);
    sb_rearm(dc->sb);
    st = lua_pcall(L, 7, 1, 0);                               /* +1 driver */
    if (st != LUA_OK) {
        sb_settle(dc->sb, st);
        rl_load_error(dc, sb_error_text(dc->sb, st), err);
        lua_settop(L, 0);
        return LUA_NOREF;
    }
    int *fup = dc->fup[explain] = calloc((size_t)dc->nfacts + 1, sizeof *fup);
    if (!fup) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        lua_settop(L, 0);
        return LUA_NOREF;
    }
    const char *name;
    int id;
    for (int n = 1; (name = lua_getupvalue(L, -1, n)) != NULL; n++) {
        lua_pop(L, 1);
        if (!strcmp(name, "cur"))
            dc->cur_up = n;
        else if (!strcmp(name, "FN"))
            dc->fnup[explain] = n;
        else if (sscanf(name, "F%d", &id) == 1 && id >= 1 && id <= dc->nfacts)
            fup[id] = n;
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);                    /* 0 */
}

/* The drivers and f, after the rule files load. */
int rl_driver(triage_decider *dc, triage_error *err)
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
    /* f, and F, the rules' view of it. f has room for the facts alone: after
    ** every referral rl_facts_written walks it (lua_next visits every slot)
    ** for a name a fact gave it, and room for four times the facts, which
    ** makes reads and stores a little cheaper (names seldom share a slot),
    ** made that walk dearer than it saved (83.9k against 84.2k a decide) */
    lua_createtable(L, 0, dc->nfacts);                        /* +2 f */
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, rl_fact_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "facts");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_newtable(L);                                          /* +3 F */
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, rl_fact_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, -3);
    lua_pushcclosure(L, rl_fact_next, 1);
    lua_pushcclosure(L, rl_fact_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "facts");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    dc->fview_ref = luaL_ref(L, LUA_REGISTRYINDEX);           /* +2 */
    dc->f_ref = luaL_ref(L, LUA_REGISTRYINDEX);               /* +1 */
    dc->driver_ref = rl_driver_one(dc, names, 0, err);
    if (dc->driver_ref != LUA_NOREF)
        dc->xdriver_ref = rl_driver_one(dc, names, 1, err);
    lua_settop(L, 0);
    if (dc->driver_ref == LUA_NOREF || dc->xdriver_ref == LUA_NOREF)
        return -1;
    return 0;
}
