/*
** refpack.h — a validated referral as a compact blob, stored beside its JSON
** at import so that `run` rebuilds it with one copy instead of a JSON parse
** and a second validation. The blob carries a hash of the JSON text it came
** from: a row edited after import no longer matches, and is parsed again.
*/
#ifndef TRIAGE_REFPACK_H
#define TRIAGE_REFPACK_H
#include <stddef.h>
#include <stdint.h>
#include "referral.h"

/* 64-bit hash of n bytes (not cryptographic: it detects damage, not forgery). */
uint64_t rp_hash(const void *p, size_t n, uint64_t seed);

/* Pack r, made from the JSON text json[0..json_len), into a new malloc'd
** blob of *len bytes. NULL when out of memory. */
void *rp_pack(const triage_referral *r, const char *json, size_t json_len, size_t *len);

/* The referral packed in blob, when blob is whole and was made from exactly
** json[0..json_len); NULL otherwise (damaged, another format, another JSON
** text, or out of memory): the caller then parses the JSON. The result has
** raw == NULL and is freed with triage_referral_free. */
triage_referral *rp_unpack(const void *blob, size_t len, const char *json, size_t json_len);
#endif
