/*
** sandbox_lock.c — the globals locked once the rule set has loaded (after
** Redis's luaStateLockGlobalTable): every table reachable from them is made
** read only in place, behind a proxy whose writes raise an error naming it;
** and rawset, which refuses those and every table with a protected metatable.
*/
#include "sandbox.h"
#include "sandbox_internal.h"

#include <lauxlib.h>
#include <string.h>

/* ------------------------------------------------------------- locking */

static char SB_LOCKED;   /* key in a locked table's metatable: its name */

/* Whether the table at idx is locked; if so its name is pushed. */
static int sb_locked_name(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return 0;
    if (lua_rawgetp(L, -1, &SB_LOCKED) == LUA_TNIL) {
        lua_pop(L, 2);
        return 0;
    }
    lua_remove(L, -2);
    return 1;
}

/* The error for t[key] = v on a locked table named name ("" for _G). */
static int sb_readonly_error(lua_State *L, const char *name, int key)
{
    const char *k = lua_type(L, key) == LUA_TSTRING ? lua_tostring(L, key)
                                                    : luaL_tolstring(L, key, NULL);
    if (!*name)
        return luaL_error(L, "cannot set global '%s': the globals are read only once the rule "
                             "set has loaded (keep state in a local or a fact)", k);
    return luaL_error(L, "cannot change '%s.%s': '%s' is read only once the rule set has loaded",
                      name, k, name);
}

/* __newindex of a locked table; upvalue 1 its name. */
static int sb_readonly(lua_State *L)
{
    return sb_readonly_error(L, lua_tostring(L, lua_upvalueindex(1)), 2);
}

/* rawset, refusing a locked table and any table whose metatable is
** protected (a __metatable field): the engine's r (with its lists, their
** entries, its risk and somatic) and f. Their __newindex refuses what holds
** nothing, and the engine keeps them from referral to referral trusting
** that: a field filled raw would be seen by the next referral. */
int sb_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (sb_locked_name(L, 1))
        return sb_readonly_error(L, lua_tostring(L, -1), 2);
    if (lua_getmetatable(L, 1)) {
        lua_pushliteral(L, "__metatable");
        if (lua_rawget(L, -2) != LUA_TNIL) {
            const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2)
                                                          : luaL_tolstring(L, 2, NULL);
            if (!*name)
                name = "table";
            return luaL_error(L, "cannot change '%s.%s': '%s' is read only (rawset too)",
                              name, k, name);
        }
        lua_pop(L, 2);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* __len and __pairs of a locked table: upvalue 1 its contents. pairs()
** returns an iterator over them that keeps them to itself: the contents
** given to a rule (as next's state) could be written behind the lock. */
static int sb_locked_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

static int sb_locked_next(lua_State *L)
{
    lua_settop(L, 2);
    return lua_next(L, lua_upvalueindex(1)) ? 2 : (lua_pushnil(L), 1);
}

static int sb_locked_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, sb_locked_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Lock the table at t, named by the string at name, in place: its contents
** move to a new table that its new metatable reads through, and tables
** among its values go on the queue (q, with its length *n). The metatable
** it had stays with the contents, and its
** other metamethods (__call, __tostring, __eq, ...) are copied over. */
static void sb_lock_one(lua_State *L, int t, int name, int q, int *n)
{
    lua_newtable(L);                                          /* +1 contents */
    int h = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {                                  /* +3 key, value */
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, q, ++*n);
            if (lua_type(L, -2) == LUA_TSTRING && *lua_tostring(L, name))
                lua_pushfstring(L, "%s.%s", lua_tostring(L, name), lua_tostring(L, -2));
            else if (lua_type(L, -2) == LUA_TSTRING)
                lua_pushvalue(L, -2);
            else
                lua_pushfstring(L, "%s[...]", lua_tostring(L, name));
            lua_rawseti(L, q, ++*n);
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, h);                                     /* +2 key */
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, t);                                     /* clearing is allowed in next */
    }
    lua_createtable(L, 0, 6);                                 /* +2 lock */
    int mt = lua_gettop(L);
    lua_pushvalue(L, h);
    lua_setfield(L, mt, "__index");
    lua_pushvalue(L, name);
    lua_pushcclosure(L, sb_readonly, 1);
    lua_setfield(L, mt, "__newindex");
    lua_pushvalue(L, h);
    lua_pushcclosure(L, sb_locked_len, 1);
    lua_setfield(L, mt, "__len");
    lua_pushvalue(L, h);
    lua_pushcclosure(L, sb_locked_pairs, 1);
    lua_setfield(L, mt, "__pairs");
    lua_pushliteral(L, "locked");
    lua_setfield(L, mt, "__metatable");
    lua_pushvalue(L, name);
    lua_rawsetp(L, mt, &SB_LOCKED);
    if (lua_getmetatable(L, t)) {                             /* +3 its own */
        lua_pushvalue(L, -1);
        lua_setmetatable(L, h);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
            if (!strncmp(k, "__", 2) && strcmp(k, "__index") && strcmp(k, "__newindex") &&
                strcmp(k, "__metatable") && strcmp(k, "__gc") && strcmp(k, "__mode")) {
                lua_pushvalue(L, -2);
                lua_insert(L, -2);
                lua_rawset(L, mt);
            } else {
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    lua_setmetatable(L, t);                                   /* +1 */
    lua_pop(L, 1);
}

void sb_lock(sb_state *sb)
{
    lua_State *L = sb->L;
    if (sb->locked)
        return;
    int top = lua_gettop(L);
    luaL_checkstack(L, 16, "sb_lock");
    lua_newtable(L);                                          /* top+1 visited */
    lua_newtable(L);                                          /* top+2 queue: t, name, ... */
    int seen = top + 1, q = top + 2, n = 0;
    lua_pushglobaltable(L);
    lua_rawseti(L, q, ++n);
    lua_pushliteral(L, "");
    lua_rawseti(L, q, ++n);
    for (int i = 1; i < n; i += 2) {
        lua_rawgeti(L, q, i);                                 /* +1 t */
        lua_rawgeti(L, q, i + 1);                             /* +2 name */
        lua_pushvalue(L, -2);
        if (lua_rawget(L, seen) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_pushvalue(L, -2);
            lua_pushboolean(L, 1);
            lua_rawset(L, seen);
            sb_lock_one(L, lua_gettop(L) - 1, lua_gettop(L), q, &n);
        } else {
            lua_pop(L, 1);
        }
        lua_pop(L, 2);
    }
    /* Strings' methods: read straight from the string library's contents
    ** (no extra step for s:lower()), and their metatable out of reach. */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_getglobal(L, "string");
        if (lua_getmetatable(L, -1)) {
            lua_getfield(L, -1, "__index");
            lua_setfield(L, -4, "__index");
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        lua_pushliteral(L, "string");
        lua_setfield(L, -2, "__metatable");
    }
    /* The loaded-modules table (in the registry, out of the rules' reach) is
    ** where error messages look functions up by name ("bad argument #1 to
    ** 'find'"): it gets the contents behind each locked table. */
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    int loaded = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, loaded)) {
        if (lua_type(L, -1) == LUA_TTABLE && sb_locked_name(L, -1)) {
            lua_pop(L, 1);
            lua_getmetatable(L, -1);
            lua_getfield(L, -1, "__index");
            lua_pushvalue(L, -4);
            lua_insert(L, -2);
            lua_rawset(L, loaded);                /* loaded[k] = its contents */
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    sb->locked = 1;
}

void sb_set_global(lua_State *L, const char *name)
{
    lua_pushglobaltable(L);                                   /* value, _G */
    if (sb_locked_name(L, -1)) {                              /* value, _G, name */
        lua_pop(L, 1);
        lua_getmetatable(L, -1);
        lua_getfield(L, -1, "__index");                       /* value, _G, lock, contents */
        lua_replace(L, -3);
        lua_pop(L, 1);                                        /* value, contents */
    }
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}
