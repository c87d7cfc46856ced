/*
** sandbox.c — the Lua sandbox rules run in (after Suricata's
** util-lua-sandbox.c): every allocation is charged to a byte budget, a count
** hook stops runaway loops, and what a rule must not reach raises an error
** naming it rather than being silently nil.
*/
#include "sandbox.h"

#include "decision.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Wall time per run (referral or file load). The instruction count cannot
** see work done inside library calls (string.rep of megabytes, a regex near
** its match limit), so a loop of them is stopped by the clock instead. */
#define SB_TIME_LIMIT_MS 10000

/* When this thread's current run began: set at a run's first hook call
** (ticks == 1 after sb_rearm), kept here so that sb_state stays as it is. */
static _Thread_local struct { const sb_state *sb; uint64_t start_ms; } sb_clock;

static uint64_t sb_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);   /* a few ns: fine every hook */
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sb_state *sb = ud;
    size_t old = ptr ? osize : 0;   /* for a new block osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (nsize > old && sb->used + (nsize - old) > sb->limit) {
        sb->over_memory = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    sb->used = sb->used - old + nsize;
    return p;
}

static void sb_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sb_state *sb = sb_of(L);
    uint64_t now = sb_now_ms();
    if (++sb->ticks == 1 || sb_clock.sb != sb) {
        sb_clock.sb = sb;
        sb_clock.start_ms = now;
    } else if (now - sb_clock.start_ms > SB_TIME_LIMIT_MS) {
        luaL_error(L, "time limit exceeded (%d s)", SB_TIME_LIMIT_MS / 1000);
    }
    if (sb->ticks > sb->max_ticks)
        luaL_error(L, "instruction limit exceeded (%I instructions)",
                   (lua_Integer)(sb->max_ticks * SB_HOOK_EVERY));
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
    dc_mask_cpr(out, len + len / 10 + 2, s);
    fprintf(stderr, "rules: %s\n", out);
    free(out);
    return 0;
}

/* Lua's own pattern matcher never returns to the VM while it backtracks,
** so neither the instruction hook nor the clock can stop it: 'a'*400 with
** '.-.-.-b' takes seconds. Each repetition multiplies the worst case by the
** subject's length, so a call is refused when length^(repetitions+1) passes
** a bound (about a tenth of a second); regex() has real match limits. */
#define SB_PATTERN_BUDGET 1e8

static int sb_pattern_guard(lua_State *L)
{
    size_t n, plen;
    luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &plen);
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    int plain = !strcmp(name, "find") && lua_toboolean(L, 4);
    int reps = 0;
    for (size_t i = 0; !plain && i < plen; i++) {
        if (p[i] == '%') {
            i++;                                    /* an escape, or %b %f: no repetition */
        } else if (p[i] == '[') {                   /* a set: '-' there is a range */
            i++;
            if (i < plen && p[i] == '^') i++;
            if (i < plen && p[i] == ']') i++;
            while (i < plen && p[i] != ']')
                i += p[i] == '%' ? 2 : 1;
        } else if (p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?') {
            reps++;
        }
    }
    if (reps > 0) {
        double cost = (double)(n + 1);
        for (int k = 0; k < reps; k++)
            cost *= (double)(n + 1);
        if (cost > SB_PATTERN_BUDGET)
            return luaL_error(L, "string.%s: a Lua pattern with %d repetitions on %d bytes "
                              "could run for minutes; use regex(), which has match limits",
                              name, reps, (int)n);
    }
    lua_pushvalue(L, lua_upvalueindex(1));          /* the library's own */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static void sb_guard_patterns(lua_State *L, int strlib)
{
    static const char *const fns[] = {"find", "match", "gmatch", "gsub", NULL};
    for (const char *const *f = fns; *f; f++) {
        lua_getfield(L, strlib, *f);                /* +1 original */
        lua_pushstring(L, *f);                      /* +2 name */
        lua_pushcclosure(L, sb_pattern_guard, 2);   /* +1 guard */
        lua_setfield(L, strlib, *f);                /* 0 */
    }
}

sb_state *sb_open(size_t memory_bytes, uint64_t instructions)
{
    sb_state *sb = calloc(1, sizeof *sb);
    if (!sb)
        return NULL;
    sb->limit = memory_bytes;
    sb->max_ticks = instructions / SB_HOOK_EVERY + 1;
    lua_State *L = lua_newstate(sb_alloc, sb);
    if (!L) {
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
    lua_getfield(L, g, "string");                   /* +2 string */
    sb_block_fn(L, lua_gettop(L), "dump", "string.dump");
    sb_guard_patterns(L, lua_gettop(L));
    lua_pop(L, 2);                                  /* 0 */
    static const char *const libs_blocked[] = {"io", "os", "debug", "package",
                                               "coroutine", NULL};
    for (const char *const *b = libs_blocked; *b; b++)
        sb_block_lib(L, *b);
    lua_sethook(L, sb_hook, LUA_MASKCOUNT, SB_HOOK_EVERY);
    return sb;
}

void sb_close(sb_state *sb)
{
    if (!sb)
        return;
    lua_close(sb->L);
    free(sb);
}

const char *sb_error_text(sb_state *sb, int status)
{
    lua_State *L = sb->L;
    if (status == LUA_ERRMEM) {
        return sb->over_memory ? "memory limit exceeded" : "out of memory";
    }
    const char *s = lua_tostring(L, -1);
    return s ? s : "error object is not a string";
}
