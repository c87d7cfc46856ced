/*
** strhash.h — the engine's two hashes for its small open-addressing maps,
** each written once: sh_hash for strings (ids and CPR numbers to slots) and
** sh_mix for integer keys and addresses (the scanner's memo and term maps).
*/
#ifndef TRIAGE_STRHASH_H
#define TRIAGE_STRHASH_H
#include <stdint.h>

/* FNV-1a, 64-bit, of a NUL-terminated string. */
static inline uint64_t sh_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

/* Fibonacci hashing of a 64-bit key: the product's high bits, well mixed,
** for a table of up to 2^32 slots (mask the result). */
static inline uint32_t sh_mix(uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32);
}
#endif
