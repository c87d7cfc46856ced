/*
** rng.h — the corpus generator's one PRNG stream: xoshiro256** seeded by
** splitmix64, and the draws made from it. Every draw is in sequence, so
** the same seed gives the same corpus byte for byte.
*/
#ifndef TRIAGE_CP_RNG_H
#define TRIAGE_CP_RNG_H
#include <stdint.h>

#define CP_NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct cp_rng { uint64_t s[4]; } cp_rng;

static inline uint64_t cp_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline void cp_seed(cp_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = cp_splitmix(&seed);
}

static inline uint64_t cp_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t cp_next(cp_rng *r)
{
    uint64_t *s = r->s, out = cp_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = cp_rotl(s[3], 45);
    return out;
}

static inline double cp_u01(cp_rng *r) { return (double)(cp_next(r) >> 11) * 0x1.0p-53; }
static inline int cp_below(cp_rng *r, int n) { return (int)(((cp_next(r) >> 32) * (uint64_t)n) >> 32); }
static inline int cp_range(cp_rng *r, int lo, int hi) { return lo + cp_below(r, hi - lo + 1); }
static inline int cp_chance(cp_rng *r, double p) { return cp_u01(r) < p; }

/* Index drawn by weights (need not sum to 1). */
static inline int cp_pickw(cp_rng *r, const double *w, int n)
{
    double sum = 0, x;
    for (int i = 0; i < n; i++) sum += w[i];
    x = cp_u01(r) * sum;
    for (int i = 0; i < n - 1; i++) { if (x < w[i]) return i; x -= w[i]; }
    return n - 1;
}
#define CP_PICK(r, a) ((a)[cp_below((r), CP_NELEM(a))])

/* Roughly normal: sum of three uniforms. */
static inline double cp_normal(cp_rng *r, double mean, double sd)
{
    return mean + sd * ((cp_u01(r) + cp_u01(r) + cp_u01(r) - 1.5) * 2.0);
}
#endif
