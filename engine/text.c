/*
** text.c — the text layer's shared helpers: malloc as an allocator hook and
** the one growth rule every reused buffer follows (capacity doubles, so a
** reader allocates only until it has met its longest letter).
*/
#include "text.h"

#include <stdlib.h>

static void *tx_malloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

const tx_alloc tx_malloc = {tx_malloc_fn, NULL};

int tx_grow(const tx_alloc *a, void **p, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    uint32_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > UINT32_MAX / 2)
            return -1;
        n *= 2;
    }
    if ((size_t)n > SIZE_MAX / size)
        return -1;
    void *q = a->fn(a->ud, *p, (size_t)*cap * size, (size_t)n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}
