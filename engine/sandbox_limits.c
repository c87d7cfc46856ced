/*
** sandbox_limits.c — the sandbox's limits: a limit once hit ends the run
** whatever pcall, error handler or metamethod the rule is in (the count
** hook raises it again at every instruction), the guards that refuse work
** no limit could stop, and the limits' errors in words for a person.
*/
#include "sandbox.h"
#include "sandbox_internal.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* The run hit a limit: note which, and have the count hook raise at the
** next VM instruction, so that nothing the rule runs while the error
** unwinds (a __close handler, an error handler) can carry on. The hook is
** left alone where it is another's (bench --profile): the pcall wrappers
** still end the run. */
static void sb_trip(sb_state *sb, int kind)
{
    if (sb->trip)
        return;
    sb->trip = kind;
    lua_Hook h = lua_gethook(sb->L);
    if (h == NULL || h == sb_hook) {
        atomic_store_explicit(&sb->armed, 1, memory_order_relaxed);
        lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, 1);
    }
}

void sb_settle(sb_state *sb, int status)
{
    if (status == LUA_OK || sb->trip)
        return;
    if (status == LUA_ERRMEM && sb->refused) {
        sb_trip(sb, sb->refused);
        return;
    }
    if (status == LUA_ERRERR) {           /* a handler that failed, to the C stack's end */
        sb_trip(sb, SB_TRIP_DEPTH);
        return;
    }
    /* Lua's own depth limits: the stack ("stack overflow") and nested C
    ** calls ("C stack overflow"), both raised as ordinary errors. */
    const char *msg = lua_type(sb->L, -1) == LUA_TSTRING ? lua_tostring(sb->L, -1) : NULL;
    size_t n = msg ? strlen(msg) : 0;
    if (n >= 14 && !strcmp(msg + n - 14, "stack overflow"))
        sb_trip(sb, SB_TRIP_DEPTH);
}

static void sb_size_text(char *buf, size_t cap, size_t n);

int sb_raise_memory(lua_State *L)
{
    sb_state *sb = sb_of(L);
    char size[40];
    sb_size_text(size, sizeof size, sb->budget.limit);
    sb->refused = SB_TRIP_MEMORY;
    sb_trip(sb, SB_TRIP_MEMORY);
    return luaL_error(L, "memory limit exceeded (%s)", size);
}

/* A limit's error, raised from the hook: located at the running function. */
static int sb_limit_error(lua_State *L, sb_state *sb)
{
    char size[40];
    luaL_where(L, 0);           /* the running function: level 1 is its caller */
    switch (sb->trip) {
    case SB_TRIP_TIME:
        if (sb->time_ms % 1000)
            lua_pushfstring(L, "time limit exceeded (%d ms)", (int)sb->time_ms);
        else
            lua_pushfstring(L, "time limit exceeded (%d s)", (int)(sb->time_ms / 1000));
        break;
    case SB_TRIP_INSTRUCTIONS:
        lua_pushfstring(L, "instruction limit exceeded (%I instructions)",
                        (lua_Integer)((sb->max_ticks - 1) * SB_HOOK_EVERY));
        break;
    case SB_TRIP_MEMORY:
        sb_size_text(size, sizeof size, sb->budget.limit);
        lua_pushfstring(L, "memory limit exceeded (%s)", size);
        break;
    case SB_TRIP_STRING:
        sb_size_text(size, sizeof size, sb->string_max);
        lua_pushfstring(L, "string length limit exceeded (a string longer than %s)", size);
        break;
    default:
        lua_pushliteral(L, "stack overflow (recursion too deep)");
        break;
    }
    lua_concat(L, 2);
    return lua_error(L);
}

/* The count hook, on only once the watchdog armed it (or always, without
** one; or from a locating load's first instruction): the instruction budget from the
** moment it is on, the clock from the run's start as the watchdog saw it,
** else from this run's first call. A locating load also notes each line. Once
** a limit is hit it runs at every instruction and raises again. */
void sb_hook(lua_State *L, lua_Debug *ar)
{
    sb_state *sb = sb_of(L);
    if (ar->event == LUA_HOOKLINE) {
        if (lua_getinfo(L, "S", ar))
            snprintf(sb->where_file, sizeof sb->where_file, "%s", ar->short_src);
        sb->where_line = ar->currentline;
        return;
    }
    if (sb->trip)
        sb_limit_error(L, sb);
    uint64_t now = sb_now_ms(), seq = atomic_load_explicit(&sb->seq, memory_order_relaxed);
    if (++sb->ticks == 1)
        sb->run_start_ms = now;
    uint64_t start = sb->run_start_ms;
    if (seq != 0 && atomic_load_explicit(&sb->start_seq, memory_order_acquire) == seq)
        start = atomic_load_explicit(&sb->start_ms, memory_order_relaxed);
    if (now - start > sb->time_ms) {
        sb_trip(sb, SB_TRIP_TIME);
        sb_limit_error(L, sb);
    }
    if (sb->ticks > sb->max_ticks) {
        sb_trip(sb, SB_TRIP_INSTRUCTIONS);
        sb_limit_error(L, sb);
    }
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

void sb_guard_patterns(lua_State *L, int strlib)
{
    static const char *const fns[] = {"find", "match", "gmatch", "gsub", NULL};
    for (const char *const *f = fns; *f; f++) {
        lua_getfield(L, strlib, *f);                /* +1 original */
        lua_pushstring(L, *f);                      /* +2 name */
        lua_pushcclosure(L, sb_pattern_guard, 2);   /* +1 guard */
        lua_setfield(L, strlib, *f);                /* 0 */
    }
}

/* ----------------------------------------------- what rules cannot undo */

/* pcall and xpcall, ending the run when it hit a limit: the error goes on
** up to the engine instead of to the rule. */
static int sb_caught(lua_State *L, int status, int base)
{
    if (status == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_insert(L, base);
        return lua_gettop(L) - base + 1;
    }
    sb_state *sb = sb_of(L);
    sb_settle(sb, status);
    if (sb->trip)
        return lua_error(L);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

int sb_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    return sb_caught(L, lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0), 1);
}

/* xpcall's message handler, wrapped (upvalue 1): not called once a limit is
** hit. Lua calls a handler before the stack unwinds, and for an error the
** count hook raised, with hooks off: a handler that loops would never stop. */
static int sb_handler(lua_State *L)
{
    sb_state *sb = sb_of(L);
    lua_settop(L, 1);
    sb_settle(sb, LUA_ERRRUN);
    if (sb->trip)
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

int sb_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, sb_handler, 1);
    lua_replace(L, 2);                              /* f, handler, args */
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 1);                            /* f, handler, f, args */
    return sb_caught(L, lua_pcall(L, n - 2, LUA_MULTRET, 2), 3);
}

/* setmetatable, refusing __gc: finalizers run with hooks off, where no
** limit could stop them. (A __gc added to a metatable later is never
** called: Lua marks objects for finalization only here.) */
int sb_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc metamethods are not available to rules "
                                 "(sandbox): a finalizer would run outside the limits");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* string.rep, refusing at once a string longer than the limit rather than
** building megabytes first. */
int sb_rep_guard(lua_State *L)
{
    size_t l, lsep = 0;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    sb_state *sb = sb_of(L);
    double want = (double)l * (double)n + (double)lsep * (double)(n - 1);
    if (n > 1 && want > (double)sb->string_max) {
        char size[40];
        sb_size_text(size, sizeof size, sb->string_max);
        sb->refused = SB_TRIP_STRING;
        sb_trip(sb, SB_TRIP_STRING);
        char asked[40];
        sb_size_text(asked, sizeof asked, want > 1e15 ? (size_t)1e15 : (size_t)want);
        return luaL_error(L, "string length limit exceeded (string.rep of %s; a string "
                             "longer than %s)", asked, size);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* A byte count for a person, in MiB from 1 MiB on (a count of ten digits
** would be masked as a CPR number in any text that leaves the engine). */
static void sb_size_text(char *buf, size_t cap, size_t n)
{
    if (n < (1u << 20))
        snprintf(buf, cap, "%zu bytes", n);
    else if (n % (1u << 20) == 0)
        snprintf(buf, cap, "%zu MiB", n >> 20);
    else
        snprintf(buf, cap, "%.1f MiB", (double)n / (1 << 20));
}

/* Lua's error for a refused allocation carries no location. */
static int sb_generic(sb_state *sb, int status)
{
    const char *s = lua_tostring(sb->L, -1);
    return status == LUA_ERRMEM || (s && !strcmp(s, "not enough memory"));
}

int sb_unlocated(sb_state *sb, int status)
{
    return (sb->trip == SB_TRIP_MEMORY || sb->trip == SB_TRIP_STRING) &&
           sb_generic(sb, status) && sb->where_line == 0;
}

const char *sb_error_text(sb_state *sb, int status)
{
    lua_State *L = sb->L;
    const char *s = lua_tostring(L, -1);
    int generic = sb_generic(sb, status);
    if ((sb->trip == SB_TRIP_MEMORY || sb->trip == SB_TRIP_STRING) && generic) {
        char size[40], where[96] = "";
        if (sb->where_line > 0)   /* a load: the line running when it happened */
            snprintf(where, sizeof where, "%s:%d: ", sb->where_file, sb->where_line);
        if (sb->trip == SB_TRIP_MEMORY) {
            sb_size_text(size, sizeof size, sb->budget.limit);
            snprintf(sb->text, sizeof sb->text, "%smemory limit exceeded (%s)", where, size);
        } else {
            sb_size_text(size, sizeof size, sb->string_max);
            snprintf(sb->text, sizeof sb->text,
                     "%sstring length limit exceeded (a string longer than %s)", where, size);
        }
        return sb->text;
    }
    if (status == LUA_ERRMEM)
        return "out of memory";
    return s ? s : "error object is not a string";
}
