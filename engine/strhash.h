/*
** strhash.h — the one string hash the engine's small open-addressing maps
** use (ids and CPR numbers to slots): FNV-1a, 64-bit.
*/
#ifndef TRIAGE_STRHASH_H
#define TRIAGE_STRHASH_H
#include <stdint.h>

static inline uint64_t sh_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}
#endif
