/*
** budget.c — charging a rule-set state's bytes: the allocator C code uses on
** its behalf, charges for memory other allocators hold, a PCRE2 general
** context on the budget, and the process's total over every open budget.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include "budget.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t bg_mu = PTHREAD_MUTEX_INITIALIZER;
static bg_budget *bg_list;
static size_t bg_left;           /* charged to budgets closed without giving it back */

void bg_init(bg_budget *b, size_t limit)
{
    b->used = 0;
    b->limit = limit;
    b->over = 0;
    b->pcre2 = NULL;
    pthread_mutex_lock(&bg_mu);
    b->next = bg_list;
    b->prev = &bg_list;
    if (bg_list)
        bg_list->prev = &b->next;
    bg_list = b;
    pthread_mutex_unlock(&bg_mu);
}

void bg_close(bg_budget *b)
{
    if (!b->prev)
        return;
    pcre2_general_context_free(b->pcre2);      /* its own block is charged: last */
    b->pcre2 = NULL;
    pthread_mutex_lock(&bg_mu);
    *b->prev = b->next;
    if (b->next)
        b->next->prev = b->prev;
    b->prev = NULL;
    bg_left += b->used;          /* 0 unless a charge was never undone */
    pthread_mutex_unlock(&bg_mu);
}

void *bg_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    bg_budget *b = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        b->used -= old;
        return NULL;
    }
    if (nsize > old && b->used + (nsize - old) > b->limit) {
        b->over = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    b->used += nsize - old;
    return p;
}

int bg_charge(bg_budget *b, size_t n)
{
    b->used += n;
    if (b->used > b->limit) {
        b->over = 1;
        return -1;
    }
    return 0;
}

void bg_uncharge(bg_budget *b, size_t n)
{
    b->used -= n;
}

/* PCRE2's free has no size: each block carries it in a header that keeps
** the block aligned for any type. */
#define BG_HEAD 16

static void *bg_pcre2_malloc(PCRE2_SIZE n, void *ud)
{
    size_t *p = bg_alloc(ud, NULL, 0, n + BG_HEAD);
    if (!p)
        return NULL;
    p[0] = n + BG_HEAD;
    return (char *)p + BG_HEAD;
}

static void bg_pcre2_free(void *ptr, void *ud)
{
    if (!ptr)
        return;
    size_t *p = (size_t *)((char *)ptr - BG_HEAD);
    bg_alloc(ud, p, p[0], 0);
}

pcre2_general_context *bg_pcre2(bg_budget *b)
{
    if (!b->pcre2)
        b->pcre2 = pcre2_general_context_create(bg_pcre2_malloc, bg_pcre2_free, b);
    return b->pcre2;
}

size_t bg_process_used(void)
{
    pthread_mutex_lock(&bg_mu);
    size_t n = bg_left;
    for (const bg_budget *b = bg_list; b; b = b->next)
        n += b->used;
    pthread_mutex_unlock(&bg_mu);
    return n;
}
