/*
** sandbox_watchdog.c — the watchdog: a thread that polls the open
** sandboxes and signals the thread of a run that lasts, whose handler arms
** the count hook on it (runaway loops stop; a normal run has no hook at all),
** and the start of each run (sb_rearm) that it watches.
*/
#include "sandbox.h"
#include "sandbox_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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
int sb_watch_add(sb_state *sb)
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
void sb_watch_remove(sb_state *sb)
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
