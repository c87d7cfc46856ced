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

typedef struct sb_thread sb_thread;   /* a thread that runs sandboxes (sandbox.c) */

/* Limits. A run (one referral, one rule file load) has no hook while it
** goes normally: a normal referral takes ~20 us, and any count hook makes
** Lua 5.4 trace every VM instruction. A watchdog thread polls the open
** sandboxes every SB_WATCH_MS; a run it finds still going at two polls in
** a row (so after between one and two polls, a few ms) gets a signal that
** arms the count hook on its own thread. From then on the instruction
** budget is counted and the clock (from the run's start as the watchdog
** first saw it) is checked, so a runaway rule stops after at most that
** delay plus its budget. The memory budget is the allocator's, always on. */
typedef struct sb_state {
    lua_State *L;
    size_t used, limit;          /* heap bytes in use / allowed */
    uint64_t ticks, max_ticks;   /* hook calls this run / allowed */
    int over_memory;             /* the last allocation failure was the budget */
    int always_hooked;           /* no watchdog: the count hook is on for good */
    uint64_t run_start_ms;       /* the first hook call of this run (no watchdog start) */
    /* Written by the thread that runs it, read by the watchdog and back. */
    _Atomic uint64_t seq;            /* run number: sb_rearm bumps it */
    _Atomic(sb_thread *) thread;     /* who runs it (changes under the registry lock) */
    _Atomic uint64_t kick;           /* the run the watchdog asked to have hooked */
    _Atomic uint64_t start_seq;      /* the run whose start the watchdog saw ... */
    _Atomic uint64_t start_ms;       /* ... and when (CLOCK_MONOTONIC_COARSE) */
    atomic_int armed;                /* the count hook on L is the watchdog's */
    /* The watchdog's own, under the registry lock. */
    uint64_t wd_seq, wd_kicked;
    struct sb_state *wd_next, **wd_prev;
} sb_state;

#define SB_HOOK_EVERY 1000       /* VM instructions between hook calls */
#define SB_WATCH_MS 4            /* the watchdog's poll interval */

/* Make a sandboxed state. Returns NULL when out of memory. Free with
** sb_close (from any thread, once no run is going in it). The state's
** allocator userdata is the sb_state itself. The first sandbox opened
** starts the watchdog thread; closing the last one joins it. */
sb_state *sb_open(size_t memory_bytes, uint64_t instructions);
void sb_close(sb_state *sb);

/* Start a run (one per referral, one per file load) on this thread: a
** fresh instruction budget, no hook, and the watchdog told. Cheap: a few
** relaxed atomic stores, no locks or system calls unless the sandbox last
** ran on another thread. */
void sb_rearm(sb_state *sb);

/* The sandbox this thread last started a run in, or NULL (for tests). */
sb_state *sb_current(void);

/* The sandbox a state belongs to. */
sb_state *sb_of(lua_State *L);

/* Why a protected call failed, in words for a person: the limits by name,
** else the error value as a string. Does not pop. */
const char *sb_error_text(sb_state *sb, int status);
#endif
