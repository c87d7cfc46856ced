/*
** sandbox.c — the Lua sandbox rules run in (after Suricata's
** util-lua-sandbox.c): the state, whose every allocation is charged to a
** byte budget (budget.c), its allow-listed libraries, and what a rule must
** not reach, which raises an error naming it rather than nil. Its limits are
** sandbox_limits.c's, its watchdog sandbox_watchdog.c's, its lock sandbox_lock.c's.
*/
#include "sandbox.h"
#include "sandbox_internal.h"

#include "cpr.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string object's bytes besides its characters (Lua 5.4's TString and
** the terminating NUL, with room to spare). */
#define SB_STRING_HEAD 40

/* Lua's allocator: the budget's (budget.c), inlined for the hot path, and
** the string limit: for a new object the old size is its type, so a string
** longer than the limit is refused where it would be made. */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sb_state *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        sb->budget.used -= old;
        return NULL;
    }
    if (nsize > old) {
        if (__builtin_expect(nsize > sb->string_alloc_max, 0) && !ptr && osize == LUA_TSTRING) {
            sb->refused = SB_TRIP_STRING;
            return NULL;
        }
        if (sb->budget.used + (nsize - old) > sb->budget.limit) {
            sb->refused = SB_TRIP_MEMORY;
            sb->budget.over = 1;
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    sb->budget.used += nsize - old;
    return p;
}

sb_state *sb_of(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* A blocked function: its upvalue is its name. */
static int sb_blocked(lua_State *L)
{
    return luaL_error(L, "'%s' is not available to rules (sandbox)",
                      lua_tostring(L, lua_upvalueindex(1)));
}

/* __index of a blocked library: names the member asked for. */
static int sb_blocked_lib(lua_State *L)
{
    const char *lib = lua_tostring(L, lua_upvalueindex(1));
    const char *key = lua_tostring(L, 2);
    return luaL_error(L, "'%s.%s' is not available to rules (sandbox)", lib,
                      key ? key : "?");
}

static void sb_block_fn(lua_State *L, int table, const char *field, const char *name)
{
    lua_pushstring(L, name);                       /* +1 name */
    lua_pushcclosure(L, sb_blocked, 1);            /* name -> closure */
    lua_setfield(L, table, field);                 /* 0 */
}

static void sb_block_lib(lua_State *L, const char *name)
{
    lua_newtable(L);                               /* +1 stand-in */
    lua_newtable(L);                               /* +2 its metatable */
    lua_pushstring(L, name);
    lua_pushcclosure(L, sb_blocked_lib, 1);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_pushcclosure(L, sb_blocked, 1);
    lua_setfield(L, -2, "__call");
    lua_setmetatable(L, -2);                       /* +1 */
    lua_setglobal(L, name);                        /* 0 */
}

/* load(chunk [, name [, mode [, env]]]) with mode forced to text: bytecode
** could break the VM's invariants, so it never loads. */
static int sb_load(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    const char *mode = luaL_optstring(L, 3, "t");
    if (strcmp(mode, "t") != 0)
        return luaL_error(L, "load: only text chunks are allowed in rules (mode 't')");
    int env = !lua_isnone(L, 4);
    int status = luaL_loadbufferx(L, s, len, name, "t");   /* +1 fn or msg */
    if (status != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);                                  /* nil, msg */
        return 2;
    }
    if (env) {                                              /* set _ENV */
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

/* print: to stderr, with anything shaped like a CPR number masked. */
static int sb_print(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len;
    char *s = (char *)lua_tolstring(L, -1, &len);
    char *out = malloc(len + len / 10 + 2);   /* masking may grow a CPR by a byte */
    if (!out)
        return luaL_error(L, "not enough memory");
    cpr_mask(out, len + len / 10 + 2, s);
    fprintf(stderr, "rules: %s\n", out);
    free(out);
    return 0;
}

/* Replace t[field] (t at index table) by the C closure fn over the original. */
static void sb_wrap(lua_State *L, int table, const char *field, lua_CFunction fn)
{
    lua_getfield(L, table, field);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, table, field);
}

/* ---------------------------------------------------------------- open */

sb_state *sb_open(const triage_limits *lim)
{
    sb_state *sb = calloc(1, sizeof *sb);
    if (!sb)
        return NULL;
    bg_init(&sb->budget, lim->memory_bytes);
    sb->max_ticks = lim->instructions / SB_HOOK_EVERY + 1;
    sb->time_ms = lim->time_ms;
    sb->string_max = lim->string_bytes;
    sb->string_alloc_max = lim->string_bytes + SB_STRING_HEAD;
    lua_State *L = lua_newstate(sb_alloc, sb);
    if (!L) {
        bg_close(&sb->budget);
        free(sb);
        return NULL;
    }
    sb->L = L;
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},     {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);      /* +1 lib */
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);                         /* +1 _G */
    int g = lua_gettop(L);
    static const char *const blocked[] = {"dofile", "loadfile", "require",
                                          "collectgarbage", NULL};
    for (const char *const *b = blocked; *b; b++)
        sb_block_fn(L, g, *b, *b);
    lua_pushcfunction(L, sb_load);
    lua_setfield(L, g, "load");
    lua_pushcfunction(L, sb_print);
    lua_setfield(L, g, "print");
    lua_pushcfunction(L, sb_pcall);
    lua_setfield(L, g, "pcall");
    lua_pushcfunction(L, sb_xpcall);
    lua_setfield(L, g, "xpcall");
    sb_wrap(L, g, "setmetatable", sb_setmetatable);
    sb_wrap(L, g, "rawset", sb_rawset);
    lua_getfield(L, g, "string");                   /* +2 string */
    sb_block_fn(L, lua_gettop(L), "dump", "string.dump");
    sb_guard_patterns(L, lua_gettop(L));
    sb_wrap(L, lua_gettop(L), "rep", sb_rep_guard);
    lua_pop(L, 1);
    /* A decision must not depend on chance: the same referral, the same
    ** decision, on any thread, in any run. */
    lua_getfield(L, g, "math");                     /* +2 math */
    sb_block_fn(L, lua_gettop(L), "random", "math.random");
    sb_block_fn(L, lua_gettop(L), "randomseed", "math.randomseed");
    lua_pop(L, 2);                                  /* 0 */
    static const char *const libs_blocked[] = {"io", "os", "debug", "package",
                                               "coroutine", NULL};
    for (const char *const *b = libs_blocked; *b; b++)
        sb_block_lib(L, *b);
    /* bench --profile wraps lua_sethook to add its call/return hooks to the
    ** sandbox's; where the hook set here is not ours it stays (the profiler
    ** passes count events on, so the limits hold from the first
    ** instruction). Else there is no hook until the watchdog arms one. */
    lua_sethook(L, sb_hook, LUA_MASKCOUNT, SB_HOOK_EVERY);
    if (lua_gethook(L) != sb_hook || sb_watch_add(sb) != 0)
        sb->always_hooked = 1;
    else
        lua_sethook(L, NULL, 0, 0);
    return sb;
}

void sb_close(sb_state *sb)
{
    if (!sb)
        return;
    if (sb->wd_prev)
        sb_watch_remove(sb);
    lua_close(sb->L);
    bg_close(&sb->budget);
    free(sb);
}
