/*
** sandbox.h — a Lua state fit to run rules written by others: a byte-budgeted
** allocator, an instruction budget and a clock that a watchdog thread turns
** on only for runs that last, only the base/string/table/math/utf8
** libraries, and blocked functions that say so.
*/
#ifndef TRIAGE_SANDBOX_H
#define TRIAGE_SANDBOX_H
#include <lua.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "triage.h"

typedef struct sb_thread sb_thread;   /* a thread that runs sandboxes (sandbox_watchdog.c) */

/* Limits. A run (one referral, one rule file load) has no hook while it
** goes normally: a normal referral takes ~20 us, and any count hook makes
** Lua 5.4 trace every VM instruction. A watchdog thread polls the open
** sandboxes every SB_WATCH_MS; a run it finds still going at two polls in
** a row (so after between one and two polls, a few ms) gets a signal that
** arms the count hook on its own thread. From then on the instruction
** budget is counted and the clock (from the run's start as the watchdog
** first saw it) is checked, so a runaway rule stops after at most that
** delay plus its budget. The memory budget is the allocator's, always on. */
enum {                           /* the limit a run hit (sb_state.trip) */
    SB_TRIP_NONE, SB_TRIP_INSTRUCTIONS, SB_TRIP_TIME, SB_TRIP_MEMORY, SB_TRIP_STRING,
    SB_TRIP_DEPTH
};

typedef struct sb_state {
    bg_budget budget;            /* first: the allocator's userdata is the state */
    lua_State *L;
    uint64_t ticks, max_ticks;   /* hook calls this run / allowed */
    uint64_t time_ms;            /* wall clock per run */
    size_t string_max;           /* the longest string a rule may make */
    size_t string_alloc_max;     /* ... as the size of its allocation */
    int refused;                 /* SB_TRIP_MEMORY/_STRING: why the last allocation was refused */
    int trip;                    /* the limit this run hit: it ends the run (SB_TRIP_*) */
    int always_hooked;           /* no watchdog: the count hook is on for good */
    int locked;                  /* the globals are read only (sb_lock) */
    int locate;                  /* loads note the line running (sb_rearm_load) */
    uint64_t run_start_ms;       /* the first hook call of this run (no watchdog start) */
    char where_file[64];         /* at load: the chunk and line running (sb_rearm_load) */
    int where_line;
    char text[160];              /* sb_error_text's */
    /* Written by the thread that runs it, read by the watchdog and back. */
    _Atomic uint64_t seq;            /* run number: sb_rearm bumps it */
    _Atomic(sb_thread *) thread;     /* who runs it (changes under the registry lock) */
    _Atomic uint64_t kick;           /* the run the watchdog asked to have hooked */
    _Atomic uint64_t start_seq;      /* the run whose start the watchdog saw ... */
    _Atomic uint64_t start_ms;       /* ... and when (CLOCK_MONOTONIC_COARSE) */
    atomic_int armed;                /* the hook on L is the sandbox's, for this run only */
    /* The watchdog's own, under the registry lock. */
    uint64_t wd_seq, wd_kicked;
    struct sb_state *wd_next, **wd_prev;
} sb_state;

#define SB_HOOK_EVERY 1000       /* VM instructions between hook calls */
#define SB_WATCH_MS 4            /* the watchdog's poll interval */

/* Make a sandboxed state under lim (every field filled in: rl_limits).
** Returns NULL when out of memory. Free with sb_close (from any thread, once
** no run is going in it). The state's allocator userdata is the sb_state
** itself, whose first member is its budget (bg_of). The first sandbox opened
** starts the watchdog thread; closing the last one joins it. */
sb_state *sb_open(const triage_limits *lim);
void sb_close(sb_state *sb);

/* Start a run (one per referral, one per file load) on this thread: a
** fresh instruction budget, no limit hit, no hook, and the watchdog told.
** Cheap: a few relaxed atomic stores, no locks or system calls unless the
** sandbox last ran on another thread. */
void sb_rearm(sb_state *sb);

/* Start a run that loads rule files: as sb_rearm; and where sb->locate is
** set, the hook is on from the first instruction, counting the budget and
** noting the file and line running, so that a memory or string limit hit
** at load (whose error Lua gives no location) names where (sb_error_text). */
void sb_rearm_load(sb_state *sb);

/* Whether the last failed run hit the memory or string limit at a place
** its error does not name (call after sb_settle, with the error on top). */
int sb_unlocated(sb_state *sb, int status);

/* Make the globals and every table reachable from them (the libraries
** string, table, math, utf8, date and what the rule files put there) read
** only, in place: each keeps its identity, its contents move behind it, and
** a write raises an error naming the table and key; getmetatable() on them
** and on strings gives a name, not the table. Called once the rule set has
** loaded; reads then go through one __index step. */
void sb_lock(sb_state *sb);

/* Set global `name` to the value on top of the stack (popped), locked or
** not: for the engine and its tests, never for rules. */
void sb_set_global(lua_State *L, const char *name);

/* Raise the memory-limit error from C code whose allocation for the rule
** set was refused (budget.h): like every limit it ends the run, whatever
** pcall the rule is in. */
int sb_raise_memory(lua_State *L);

/* The sandbox this thread last started a run in, or NULL (for tests). */
sb_state *sb_current(void);

/* The sandbox a state belongs to. */
sb_state *sb_of(lua_State *L);

/* After a protected call failed with status: which limit, if any, the run
** hit (sets sb->trip from a refused allocation or a stack overflow). */
void sb_settle(sb_state *sb, int status);

/* Why a protected call failed, in words for a person: the limit by name
** (the memory and string limits with their size, and where at load), else
** the error value as a string. Call sb_settle first. Does not pop; the text
** lives until the next call. */
const char *sb_error_text(sb_state *sb, int status);
#endif
