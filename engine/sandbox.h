/*
** sandbox.h — a Lua state fit to run rules written by others: a byte-budgeted
** allocator, an instruction budget checked by a coarse count hook, only the
** base/string/table/math/utf8 libraries, and blocked functions that say so.
*/
#ifndef TRIAGE_SANDBOX_H
#define TRIAGE_SANDBOX_H
#include <lua.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sb_state {
    lua_State *L;
    size_t used, limit;          /* heap bytes in use / allowed */
    uint64_t ticks, max_ticks;   /* hook calls so far / allowed (per run) */
    int over_memory;             /* the last allocation failure was the budget */
} sb_state;

#define SB_HOOK_EVERY 1000       /* VM instructions between hook calls */

/* Make a sandboxed state. Returns NULL when out of memory. Free with
** sb_close. The state's allocator userdata is the sb_state itself. */
sb_state *sb_open(size_t memory_bytes, uint64_t instructions);
void sb_close(sb_state *sb);

/* Start a fresh instruction budget (one per referral, one per file load). */
static inline void sb_rearm(sb_state *sb) { sb->ticks = 0; sb->over_memory = 0; }

/* The sandbox a state belongs to. */
sb_state *sb_of(lua_State *L);

/* Why a protected call failed, in words for a person: the limits by name,
** else the error value as a string. Does not pop. */
const char *sb_error_text(sb_state *sb, int status);
#endif
