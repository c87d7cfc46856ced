/*
** sandbox.c — the Lua sandbox rules run in (after Suricata's
** util-lua-sandbox.c): every allocation is charged to a byte budget
** (budget.c), a watchdog thread arms a count hook on runs that last
** (runaway loops), a limit once hit ends the run whatever pcall the rule is
** in, the globals are read only once the rule set has loaded (after Redis's
** luaStateLockGlobalTable), and what a rule must not reach raises an error
** naming it rather than nil.
*/
#include "sandbox.h"

#include "cpr.h"

#include <errno.h>
#include <lauxlib.h>
#include <lualib.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The signal that asks a thread to arm the hook on its sandbox. SIGURG, as
** Go's runtime uses for preempting goroutines: its default action is to
** ignore it, so a stray one harms nothing, no terminal or shell sends it,
** and only programs using out-of-band socket data (none here) handle it. */
#define SB_SIGNAL SIGURG

/* A thread that runs sandboxes. Its handler arms 'cur'; whoever takes
** 'cur' away from it (another thread adopting the sandbox, or closing it)
** clears 'cur' and then waits while 'busy' (the handler at work). */
struct sb_thread {
    pthread_t id;
    _Atomic(sb_state *) cur;     /* the sandbox this thread last started a run in */
    atomic_int busy;             /* its signal handler is arming cur */
    int known;                   /* registered for the exit cleanup */
};
static _Thread_local sb_thread sb_me;

/* The watchdog: the open sandboxes, under sb_mu; sb_life orders starting
** and joining the thread against opens and closes. */
static pthread_mutex_t sb_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sb_life = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sb_wake;
static pthread_once_t sb_once = PTHREAD_ONCE_INIT;
static pthread_key_t sb_exit_key;
static sb_state *sb_list;
static pthread_t sb_wd;
static int sb_wd_running, sb_wd_stop, sb_signal_ok;

static uint64_t sb_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);   /* a few ns, no system call */
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

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

/* ------------------------------------------------------------- limits */

static void sb_hook(lua_State *L, lua_Debug *ar);

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
static void sb_hook(lua_State *L, lua_Debug *ar)
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

/* ------------------------------------------------------------- watchdog */

/* On the thread the watchdog signalled: arm the hook on this thread's
** sandbox if the run the watchdog saw is still the current one and no
** hook is set (bench --profile sets its own, which calls ours). Lua
** documents lua_sethook as safe to call from a signal handler (lua.c does
** it for Ctrl-C); it is only ever called here for this thread's state. */
static void sb_on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    sb_thread *me = &sb_me;
    atomic_store(&me->busy, 1);
    sb_state *sb = atomic_load(&me->cur);
    if (sb && atomic_load_explicit(&sb->kick, memory_order_acquire) ==
                  atomic_load_explicit(&sb->seq, memory_order_relaxed)
        && !atomic_load_explicit(&sb->armed, memory_order_relaxed) && !lua_gethook(sb->L)) {
        atomic_store_explicit(&sb->armed, 1, memory_order_relaxed);
        lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, SB_HOOK_EVERY);
    }
    atomic_store(&me->busy, 0);
    errno = saved;
}

/* A thread ends: the watchdog must not signal it any more (pthread_kill on
** a thread that is gone is undefined). */
static void sb_thread_exit(void *p)
{
    sb_thread *t = p;
    pthread_mutex_lock(&sb_mu);
    for (sb_state *sb = sb_list; sb; sb = sb->wd_next)
        if (atomic_load_explicit(&sb->thread, memory_order_relaxed) == t)
            atomic_store_explicit(&sb->thread, NULL, memory_order_relaxed);
    atomic_store(&t->cur, NULL);
    pthread_mutex_unlock(&sb_mu);
}

static void sb_init(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sb_wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_key_create(&sb_exit_key, sb_thread_exit) != 0)
        return;
    /* Only where the program has no use of its own for the signal; else
    ** every sandbox keeps its hook on for good, as before the watchdog. */
    struct sigaction old, sa;
    if (sigaction(SB_SIGNAL, NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO)
        || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sb_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sb_signal_ok = sigaction(SB_SIGNAL, &sa, NULL) == 0;
}

/* Take 'sb' away from thread t's handler: after this it will not touch it.
** Under sb_mu, so t has not exited. */
static void sb_release(sb_thread *t, sb_state *sb)
{
    sb_state *expect = sb;
    if (atomic_compare_exchange_strong(&t->cur, &expect, NULL))
        while (atomic_load(&t->busy))
            sched_yield();
}

/* sb last ran on another thread (or on none): move it to this one. */
static void sb_adopt(sb_state *sb, sb_thread *me)
{
    if (!me->known) {
        me->id = pthread_self();
        me->known = 1;
        pthread_setspecific(sb_exit_key, me);
    }
    pthread_mutex_lock(&sb_mu);
    sb_thread *old = atomic_load_explicit(&sb->thread, memory_order_relaxed);
    if (old)
        sb_release(old, sb);
    atomic_store_explicit(&sb->thread, me, memory_order_relaxed);
    pthread_mutex_unlock(&sb_mu);
}

void sb_rearm(sb_state *sb)
{
    sb_thread *me = &sb_me;
    sb->ticks = 0;
    sb->trip = sb->refused = sb->budget.over = 0;
    sb->where_line = 0;
    if (sb->always_hooked) {
        if (atomic_load_explicit(&sb->armed, memory_order_relaxed)) {   /* a load or a trip */
            lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, SB_HOOK_EVERY);
            atomic_store_explicit(&sb->armed, 0, memory_order_relaxed);
        }
        return;
    }
    if (atomic_load_explicit(&sb->thread, memory_order_relaxed) != me)
        sb_adopt(sb, me);
    if (atomic_load_explicit(&me->cur, memory_order_relaxed) != sb)
        atomic_store_explicit(&me->cur, sb, memory_order_relaxed);
    /* The new number first: a signal for the previous run that lands
    ** after it arms nothing, so the disarming below is final. */
    uint64_t seq = atomic_load_explicit(&sb->seq, memory_order_relaxed) + 1;
    atomic_store_explicit(&sb->seq, seq, memory_order_release);
    if (atomic_load_explicit(&sb->armed, memory_order_relaxed)) {
        lua_sethook(sb->L, NULL, 0, 0);
        atomic_store_explicit(&sb->armed, 0, memory_order_relaxed);
    }
}

/* A load that must say where a memory error came from (sb->locate): the
** hook is on throughout, its line events noting the line running. Every
** instruction then goes through the hook's test, so only a load that failed
** without a location is run again this way (decider.c). */
void sb_rearm_load(sb_state *sb)
{
    sb_rearm(sb);
    if (!sb->locate)
        return;
    lua_Hook h = lua_gethook(sb->L);
    if (h != NULL && h != sb_hook)
        return;                                 /* another's: bench --profile */
    sb->where_file[0] = '\0';
    atomic_store_explicit(&sb->armed, 1, memory_order_relaxed);
    lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT | LUA_MASKLINE, SB_HOOK_EVERY);
}

sb_state *sb_current(void)
{
    return atomic_load_explicit(&sb_me.cur, memory_order_relaxed);
}

/* Every SB_WATCH_MS: a run first seen gets its start time; a run seen
** at the previous poll too gets one signal to its thread. */
static void *sb_watch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&sb_mu);
    while (!sb_wd_stop) {
        struct timespec next;                 /* from now: never a burst to catch up */
        clock_gettime(CLOCK_MONOTONIC, &next);
        next.tv_nsec += SB_WATCH_MS * 1000000L;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        while (!sb_wd_stop && pthread_cond_timedwait(&sb_wake, &sb_mu, &next) == 0)
            ;
        uint64_t now = sb_now_ms();
        for (sb_state *sb = sb_list; sb && !sb_wd_stop; sb = sb->wd_next) {
            uint64_t seq = atomic_load_explicit(&sb->seq, memory_order_acquire);
            if (seq != sb->wd_seq) {
                sb->wd_seq = seq;
                atomic_store_explicit(&sb->start_ms, now, memory_order_relaxed);
                atomic_store_explicit(&sb->start_seq, seq, memory_order_release);
                continue;
            }
            sb_thread *t = atomic_load_explicit(&sb->thread, memory_order_relaxed);
            if (seq == 0 || seq == sb->wd_kicked || !t)
                continue;
            sb->wd_kicked = seq;
            atomic_store_explicit(&sb->kick, seq, memory_order_release);
            pthread_kill(t->id, SB_SIGNAL);
        }
    }
    pthread_mutex_unlock(&sb_mu);
    return NULL;
}

/* Put sb under the watchdog, starting it for the first sandbox. Returns
** -1 where there can be none (the hook then stays on for good). */
static int sb_watch_add(sb_state *sb)
{
    pthread_once(&sb_once, sb_init);
    if (!sb_signal_ok)
        return -1;
    int rc = 0;
    pthread_mutex_lock(&sb_life);
    if (!sb_wd_running) {
        sigset_t all, old;            /* it handles none of the program's signals */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        sb_wd_stop = 0;
        sb_wd_running = pthread_create(&sb_wd, NULL, sb_watch, NULL) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        rc = sb_wd_running ? 0 : -1;
    }
    if (rc == 0) {
        pthread_mutex_lock(&sb_mu);
        sb->wd_next = sb_list;
        sb->wd_prev = &sb_list;
        if (sb_list)
            sb_list->wd_prev = &sb->wd_next;
        sb_list = sb;
        pthread_mutex_unlock(&sb_mu);
    }
    pthread_mutex_unlock(&sb_life);
    return rc;
}

/* Take sb from the watchdog and from the thread that ran it; the last one
** out stops and joins the watchdog. */
static void sb_watch_remove(sb_state *sb)
{
    pthread_mutex_lock(&sb_life);
    pthread_mutex_lock(&sb_mu);
    *sb->wd_prev = sb->wd_next;
    if (sb->wd_next)
        sb->wd_next->wd_prev = sb->wd_prev;
    sb_thread *t = atomic_load_explicit(&sb->thread, memory_order_relaxed);
    if (t)
        sb_release(t, sb);
    int last = sb_list == NULL;
    if (last) {
        sb_wd_stop = 1;
        pthread_cond_signal(&sb_wake);
    }
    pthread_mutex_unlock(&sb_mu);
    if (last) {
        pthread_join(sb_wd, NULL);
        sb_wd_running = 0;
    }
    pthread_mutex_unlock(&sb_life);
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

static int sb_pcall(lua_State *L)
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

static int sb_xpcall(lua_State *L)
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
static int sb_setmetatable(lua_State *L)
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
static int sb_rep_guard(lua_State *L)
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

/* Replace t[field] (t at index table) by the C closure fn over the original. */
static void sb_wrap(lua_State *L, int table, const char *field, lua_CFunction fn)
{
    lua_getfield(L, table, field);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, table, field);
}

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

static int sb_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (sb_locked_name(L, 1))
        return sb_readonly_error(L, lua_tostring(L, -1), 2);
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
