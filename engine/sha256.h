/*
** sha256.h — SHA-256 (FIPS 180-4), incremental and one-shot, for the rule
** set hash. No allowed dependency offers it, so it is small and hand-written.
*/
#ifndef TRIAGE_SHA256_H
#define TRIAGE_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t len;              /* bytes hashed so far */
    unsigned char buf[64];
    size_t n;                  /* bytes waiting in buf */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, unsigned char out[32]);
/* Finish and write the digest as 64 lowercase hex digits and a NUL. */
void sha256_final_hex(sha256_ctx *c, char out[65]);
/* One shot: lowercase hex digest of len bytes at data. */
void sha256_hex(const void *data, size_t len, char out[65]);
#endif
