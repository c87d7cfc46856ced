/*
** refpack.c — a validated referral as a blob and back (see refpack.h).
** Layout: "TRP1" as a native u32, the body's length, a hash of the JSON text
** and the body together, then the body: fixed-width scalars, diagnosis codes,
** assessments, and every string as u32 length (~0 for none), bytes, NUL.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "refpack.h"

#define RP_MAGIC 0x31505254u     /* "TRP1" little-endian; bump on any change */
#define RP_HEAD 16               /* magic, body length, check */
#define RP_NONE 0xFFFFFFFFu      /* a string that is absent */

/* --------------------------------------------------------------- hashing */

static uint64_t rp_rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

uint64_t rp_hash(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull), w;
    for (; n >= 8; n -= 8, s += 8) {
        memcpy(&w, s, 8);
        h = rp_rotl(h ^ (w * 0x87C37B91114253D5ull), 31) * 0x4CF5AD432745937Full;
    }
    w = 0;
    memcpy(&w, s, n);
    h = rp_rotl(h ^ (w * 0x87C37B91114253D5ull), 31) * 0x4CF5AD432745937Full;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ h >> 33;
}

/* --------------------------------------------------------------- packing */

typedef struct rp_buf { unsigned char *p; size_t n, cap; } rp_buf;

static void rp_put(rp_buf *b, const void *v, size_t n)
{
    memcpy(b->p + b->n, v, n);
    b->n += n;
}

static void rp_i32(rp_buf *b, int32_t v) { rp_put(b, &v, 4); }

static void rp_str(rp_buf *b, const char *s, size_t len)
{
    uint32_t n = s ? (uint32_t)len : RP_NONE;
    rp_put(b, &n, 4);
    if (s) {
        rp_put(b, s, len);
        b->p[b->n++] = '\0';
    }
}

static size_t rp_strsize(const char *s) { return 4 + (s ? strlen(s) + 1 : 0); }

void *rp_pack(const triage_referral *r, const char *json, size_t json_len, size_t *len)
{
    size_t cap = RP_HEAD + 20 * 4 + 12 + 4 * 8 + (size_t)r->ndiag * 8 +
                 (size_t)r->nassess * 12 + rp_strsize(r->id) + rp_strsize(r->referrer_name) +
                 rp_strsize(r->municipality) + 5 + r->text_len;
    for (int i = 0; i < r->nassess; i++)
        cap += rp_strsize(r->assess[i].instrument) + rp_strsize(r->assess[i].by);
    for (int i = 0; i < r->nprior; i++) cap += rp_strsize(r->prior[i]);
    for (int i = 0; i < r->nmed; i++) cap += rp_strsize(r->med[i]);
    rp_buf b = {malloc(cap), RP_HEAD, cap};
    if (!b.p) return NULL;

    const int32_t fixed[16] = {r->received, r->birth, r->age, r->priority,
        r->referrer_kind, r->sex, r->custody, r->consent_both, r->gapd,
        r->previous_buc, r->risk[0], r->risk[1], r->risk[2], r->risk[3],
        r->risk[4], r->risk[5]};
    rp_put(&b, fixed, sizeof fixed);
    unsigned char counts[4] = {(unsigned char)r->ndiag, (unsigned char)r->nassess,
                               (unsigned char)r->nprior, (unsigned char)r->nmed};
    rp_put(&b, counts, 4);
    char cpr[12] = {0};
    memcpy(cpr, r->cpr, 11);
    rp_put(&b, cpr, 12);
    rp_put(&b, r->somatic, sizeof r->somatic);
    for (int i = 0; i < r->ndiag; i++) {   /* zero past the NUL: no stray heap bytes */
        char code[8] = {0};
        memcpy(code, r->diag[i], strnlen(r->diag[i], 7));
        rp_put(&b, code, 8);
    }
    for (int i = 0; i < r->nassess; i++) {
        rp_i32(&b, r->assess[i].kind);
        rp_i32(&b, r->assess[i].date);
        rp_i32(&b, r->assess[i].fsiq);
    }
    rp_str(&b, r->id, strlen(r->id));
    rp_str(&b, r->referrer_name, r->referrer_name ? strlen(r->referrer_name) : 0);
    rp_str(&b, r->municipality, strlen(r->municipality));
    rp_str(&b, r->text, r->text_len);
    for (int i = 0; i < r->nassess; i++) {
        const rf_assessment_t *a = &r->assess[i];
        rp_str(&b, a->instrument, a->instrument ? strlen(a->instrument) : 0);
        rp_str(&b, a->by, a->by ? strlen(a->by) : 0);
    }
    for (int i = 0; i < r->nprior; i++) rp_str(&b, r->prior[i], strlen(r->prior[i]));
    for (int i = 0; i < r->nmed; i++) rp_str(&b, r->med[i], strlen(r->med[i]));

    uint32_t magic = RP_MAGIC, body = (uint32_t)(b.n - RP_HEAD);
    uint64_t check = rp_hash(b.p + RP_HEAD, body, rp_hash(json, json_len, 0));
    memcpy(b.p, &magic, 4);
    memcpy(b.p + 4, &body, 4);
    memcpy(b.p + 8, &check, 8);
    *len = b.n;
    return b.p;
}

/* ------------------------------------------------------------- unpacking */

typedef struct rp_in {
    const unsigned char *p, *end;
    char *out;                    /* where the next string is copied */
    int bad;
} rp_in;

static int32_t rp_get_i32(rp_in *in)
{
    int32_t v = 0;
    if (in->end - in->p < 4) { in->bad = 1; return 0; }
    memcpy(&v, in->p, 4);
    in->p += 4;
    return v;
}

/* A string into the referral's block; *len its length. NULL when absent
** (allowed only if nullable) or when the blob is short. */
static const char *rp_get_str(rp_in *in, int nullable, size_t *len)
{
    uint32_t n = (uint32_t)rp_get_i32(in);
    if (in->bad) return NULL;
    if (n == RP_NONE) {
        if (!nullable) in->bad = 1;
        return NULL;
    }
    if ((size_t)(in->end - in->p) < (size_t)n + 1 || in->p[n] != '\0' ||
        memchr(in->p, '\0', n)) {
        in->bad = 1;
        return NULL;
    }
    char *s = in->out;
    memcpy(s, in->p, (size_t)n + 1);
    in->p += n + 1;
    in->out += n + 1;
    if (len) *len = n;
    return s;
}

static int rp_in_range(int32_t v, int32_t lo, int32_t hi) { return v >= lo && v <= hi; }

triage_referral *rp_unpack(const void *blob, size_t len, const char *json, size_t json_len)
{
    const unsigned char *b = blob;
    uint32_t magic, body;
    uint64_t check;
    if (!b || len < RP_HEAD) return NULL;
    memcpy(&magic, b, 4);
    memcpy(&body, b + 4, 4);
    memcpy(&check, b + 8, 8);
    if (magic != RP_MAGIC || body != len - RP_HEAD ||
        check != rp_hash(b + RP_HEAD, body, rp_hash(json, json_len, 0)))
        return NULL;

    /* Scalars first, checked against the schema's ranges, so that nothing
    ** out of range reaches the rules even from a blob that hashes right. */
    rp_in in = {b + RP_HEAD, b + len, NULL, 0};
    int32_t f[16];
    unsigned char counts[4];
    if (body < sizeof f + 4 + 12 + 4 * 8) return NULL;
    memcpy(f, in.p, sizeof f);
    in.p += sizeof f;
    memcpy(counts, in.p, 4);
    in.p += 4;
    if (!rp_in_range(f[3], -1, 2) || !rp_in_range(f[4], 0, RK__N - 1) ||
        !rp_in_range(f[5], -1, 2) || !rp_in_range(f[6], CU_NONE, CU_UNKNOWN) ||
        !rp_in_range(f[7], -1, 1) || !rp_in_range(f[8], -1, 8) ||
        !rp_in_range(f[9], -1, 1) || f[0] == DT_NONE || f[1] == DT_NONE ||
        counts[0] > 20 || counts[1] > 50 || counts[2] > 50 || counts[3] > 30)
        return NULL;
    for (int i = 10; i < 16; i++)
        if (!rp_in_range(f[i], -1, 1)) return NULL;
    int ndiag = counts[0], nassess = counts[1], nprior = counts[2], nmed = counts[3];

    /* One block as referral.c lays it out, the strings after the arrays. */
    size_t arrays = (size_t)nassess * sizeof(rf_assessment_t) +
                    (size_t)(nprior + nmed) * sizeof(char *) + (size_t)ndiag * 8;
    triage_referral *r = malloc(sizeof *r + arrays + body);
    if (!r) return NULL;
    char *blk = (char *)(r + 1);
    memset(r, 0, sizeof *r);
    r->assess = nassess ? (rf_assessment_t *)blk : NULL;
    blk += (size_t)nassess * sizeof(rf_assessment_t);
    r->prior = nprior ? (const char **)blk : NULL;
    blk += (size_t)nprior * sizeof(char *);
    r->med = nmed ? (const char **)blk : NULL;
    blk += (size_t)nmed * sizeof(char *);
    r->diag = ndiag ? (char (*)[8])blk : NULL;
    blk += (size_t)ndiag * 8;
    in.out = blk;

    r->received = f[0]; r->birth = f[1]; r->age = f[2]; r->priority = f[3];
    r->referrer_kind = f[4]; r->sex = f[5]; r->custody = f[6];
    r->consent_both = f[7]; r->gapd = f[8]; r->previous_buc = f[9];
    for (int i = 0; i < RISK__N; i++) r->risk[i] = f[10 + i];
    r->ndiag = ndiag; r->nassess = nassess; r->nprior = nprior; r->nmed = nmed;

    memcpy(r->cpr, in.p, 11);
    in.p += 12;
    if (r->cpr[10] != '\0') goto bad;
    if (r->cpr[0]) {
        for (int i = 0; i < 10; i++)
            if (r->cpr[i] < '0' || r->cpr[i] > '9') goto bad;
    } else if (memchr(r->cpr, '\0', 10) != r->cpr) goto bad;
    memcpy(r->somatic, in.p, sizeof r->somatic);
    in.p += sizeof r->somatic;
    if ((size_t)(in.end - in.p) < (size_t)ndiag * 8 + (size_t)nassess * 12) goto bad;
    for (int i = 0; i < ndiag; i++) {
        memcpy(r->diag[i], in.p, 8);
        in.p += 8;
        if (!memchr(r->diag[i], '\0', 8)) goto bad;
    }
    for (int i = 0; i < nassess; i++) {
        rf_assessment_t *a = &r->assess[i];
        a->kind = rp_get_i32(&in);
        a->date = rp_get_i32(&in);
        a->fsiq = rp_get_i32(&in);
        if (!rp_in_range(a->kind, 0, AK__N - 1) ||
            (a->fsiq != -1 && !rp_in_range(a->fsiq, 20, 180)))
            goto bad;
    }
    r->id = rp_get_str(&in, 0, NULL);
    r->referrer_name = rp_get_str(&in, 1, NULL);
    r->municipality = rp_get_str(&in, 0, NULL);
    r->text = rp_get_str(&in, 0, &r->text_len);
    for (int i = 0; i < nassess; i++) {
        r->assess[i].instrument = rp_get_str(&in, 1, NULL);
        r->assess[i].by = rp_get_str(&in, 1, NULL);
    }
    for (int i = 0; i < nprior; i++) r->prior[i] = rp_get_str(&in, 0, NULL);
    for (int i = 0; i < nmed; i++) r->med[i] = rp_get_str(&in, 0, NULL);
    if (in.bad || in.p != in.end || !*r->id) goto bad;
    return r;
bad:
    free(r);
    return NULL;
}
