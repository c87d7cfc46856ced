/*
** background.c — the server's background threads (the shadow rule set, the
** store's checkpoints): each runs a loop that waits between rounds, and a
** stop ends it at once, even in the middle of a wait.
*/
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "http.h"

struct sv_bg {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    void (*fn)(sv_bg *bg, void *arg);
    void *arg;
};

static void *bg_main(void *p)
{
    sv_bg *bg = p;
    bg->fn(bg, bg->arg);
    return NULL;
}

sv_bg *sv_bg_start(void (*fn)(sv_bg *bg, void *arg), void *arg)
{
    sv_bg *bg = calloc(1, sizeof *bg);
    if (!bg)
        return NULL;
    bg->fn = fn;
    bg->arg = arg;
    pthread_mutex_init(&bg->lock, NULL);
    pthread_cond_init(&bg->wake, NULL);
    if (pthread_create(&bg->thread, NULL, bg_main, bg) != 0) {
        pthread_mutex_destroy(&bg->lock);
        pthread_cond_destroy(&bg->wake);
        free(bg);
        return NULL;
    }
    return bg;
}

int sv_bg_wait(sv_bg *bg, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&bg->lock);
    while (!bg->stop && pthread_cond_timedwait(&bg->wake, &bg->lock, &until) == 0)
        ;
    int stop = bg->stop;
    pthread_mutex_unlock(&bg->lock);
    return stop;
}

void sv_bg_stop(sv_bg *bg)
{
    if (!bg)
        return;
    pthread_mutex_lock(&bg->lock);
    bg->stop = 1;
    pthread_cond_signal(&bg->wake);
    pthread_mutex_unlock(&bg->lock);
    pthread_join(bg->thread, NULL);
    pthread_mutex_destroy(&bg->lock);
    pthread_cond_destroy(&bg->wake);
    free(bg);
}
