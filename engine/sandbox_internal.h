/*
** sandbox_internal.h — what the sandbox's own files share and no other
** file may use: the count hook, the watchdog's register, and the guarded
** functions sb_open puts in place of the standard library's.
*/
#ifndef TRIAGE_SANDBOX_INTERNAL_H
#define TRIAGE_SANDBOX_INTERNAL_H
#include <stdint.h>
#include <time.h>

#include "sandbox.h"

static inline uint64_t sb_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);   /* a few ns, no system call */
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* sandbox_limits.c: the count hook, and the functions that keep a limit,
** once hit, from being caught or outrun. */
void sb_hook(lua_State *L, lua_Debug *ar);
int sb_pcall(lua_State *L);
int sb_xpcall(lua_State *L);
int sb_setmetatable(lua_State *L);
int sb_rep_guard(lua_State *L);
void sb_guard_patterns(lua_State *L, int strlib);

/* sandbox_lock.c: rawset, refusing a locked table. */
int sb_rawset(lua_State *L);

/* sandbox_watchdog.c: put sb under the watchdog (-1 where there can be
** none: the hook then stays on for good), and take it off. */
int sb_watch_add(sb_state *sb);
void sb_watch_remove(sb_state *sb);
#endif
