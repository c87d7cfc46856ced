/*
** decider_facts.c — f, the facts of one referral: computed in the order
** declared (or early, when read before their turn), read only to rules.
*/
#include "decider_internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* Facts are computed for every referral, in the order they are declared,
** into f: a plain table that facts read with one lookup. Rules get F, an
** empty table whose metatable reads through to f and refuses every
** assignment, so a rule that assigns a fact fails there, naming itself
** (comparing every fact after the rules cost more than F's reads do). f's
** metatable only answers what is not there: while facts are computed, a
** fact read before its turn (rl_fact_index computes it then) or one already
** computed as nil; while rules run, a nil fact or a name no fact has (an
** error). After the rules the driver clears f, so that no fact's value
** outlives its referral. */

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

/* In the driver, in place of a fact computed before its turn: what f holds. */
static int rl_fact_again(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fname_ref);
    lua_rawgeti(L, -1, rl_fact_now(L, dc));
    lua_rawget(L, 2);
    return 1;
}

/* f.__index(f, name): a fact f does not hold. */
int rl_fact_index(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_settop(L, 2);                                         /* 1 f, 2 name */
    int id = rl_fact_id(L, dc, 2);
    if (rl_current(L, dc)) {                                  /* rules run: computed, nil */
        lua_pushnil(L);
        return 1;
    }
    int now = rl_fact_now(L, dc);
    if (dc->fgen[id] == dc->gen || id < now) {
        lua_pushnil(L);                                       /* computed: nil */
        return 1;
    }
    if (id == now || dc->fbusy[id])
        return luaL_error(L, "fact '%s' depends on itself", lua_tostring(L, 2));
    dc->fbusy[id] = 1;                                        /* read before its turn */
    int outer = dc->fearly;
    dc->fearly = id;
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);
    lua_rawgeti(L, -1, id);                                   /* 4 fn */
    lua_pushvalue(L, 1);                                      /* facts see r plain */
    lr_push(dc->lr);
    lua_replace(L, -2);
    lua_pushvalue(L, 1);
    lua_call(L, 2, 1);                                        /* 4 value */
    dc->fearly = outer;
    dc->fbusy[id] = 0;
    dc->fgen[id] = dc->gen;
    if (!lua_isnil(L, 4)) {
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 4);
        lua_rawset(L, 1);
    }
    if (now) {                                                /* not again at its turn */
        lua_pushcfunction(L, rl_fact_again);
        rl_driver_fact(L, dc, id);
        dc->nskip++;
    }
    return 1;
}

/* Called by Lua before the stack unwinds (for a runaway fact too: it only
** reads the stack). A rule that fails is named by `cur`; a fact is not, and
** its error's file:line may be a helper's, so name the fact. */
int rl_fact_on_error(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    if (!dc->ffailed && !rl_current(L, dc))
        dc->ffailed = dc->fearly ? dc->fearly : rl_fact_now(L, dc);
    return 1;
}

/* F.__newindex(F, name, value): a rule assigned to f. The error is noted
** too, so that a rule that catches it (pcall) still sends the referral to a
** person. */
int rl_fact_newindex(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->facts_ref);
    lua_pushvalue(L, 2);
    int fact = lua_rawget(L, -2) == LUA_TNUMBER;
    luaL_where(L, 1);
    if (fact)
        lua_pushfstring(L, "a rule assigned to fact '%s' (facts are read only)", k);
    else
        lua_pushfstring(L, "facts are read only: declare fact('%s', function(r, f) ... end)", k);
    lua_concat(L, 2);
    if (!dc->wrote[0]) {
        dc->wrote_rule = rl_current(L, dc);
        snprintf(dc->wrote, sizeof dc->wrote, "%s", lua_tostring(L, -1));
    }
    return lua_error(L);
}

const char *rl_facts_written(lua_State *L, triage_decider *dc, char *why, size_t cap)
{
    if (dc->wrote[0]) {
        snprintf(why, cap, "%s", dc->wrote);
        return dc->wrote_rule ? dc->wrote_rule->id : "ENGINE";
    }
    /* f, which the driver emptied of every fact: a fact that gave f a name
    ** of its own (f.k = v), which the next referral's facts would see. (A
    ** rule cannot write F: its __newindex raises, and the sandbox's rawset
    ** refuses a table with a protected metatable.) */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);
    lua_pushnil(L);
    if (lua_next(L, -2)) {
        snprintf(why, cap, "a fact assigned to '%s', which is no fact (a fact returns its value)",
                 lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
        lua_pop(L, 3);
        return "ENGINE";
    }
    lua_pop(L, 1);
    return NULL;
}

/* The running driver computes every fact again (at the end of a referral). */
void rl_facts_restore(lua_State *L, triage_decider *dc)
{
    if (!dc->nskip)
        return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);
    for (int id = 1; id <= dc->nfacts; id++)
        if (dc->fgen[id] == dc->gen) {
            lua_rawgeti(L, -1, id);
            rl_driver_fact(L, dc, id);
        }
    lua_pop(L, 1);
    dc->nskip = 0;
}

/* Empty f and F (after a referral that did not end normally). */
void rl_facts_clear(lua_State *L, triage_decider *dc)
{
    for (int i = 0; i < 2; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, i ? dc->fview_ref : dc->f_ref);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            lua_pushnil(L);
            lua_rawset(L, -4);
        }
        lua_pop(L, 1);
    }
    if (dc->fbusy)
        memset(dc->fbusy, 0, (size_t)dc->nfacts + 1);
}
