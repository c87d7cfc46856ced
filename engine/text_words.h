/*
** text_words.h — a small keyword table: folded words (or short phrases) to
** an integer, for the word classes the layer reads around a number or a dot
** (abbreviations, month names, number words, units). Built once per rule
** set from its data; read-only after, so readers on many threads share it.
*/
#ifndef TRIAGE_TEXT_WORDS_H
#define TRIAGE_TEXT_WORDS_H
#include "text.h"

#define TX_WORD_MAX 31     /* longest key, in folded bytes */

#define TX_WORD_PAIRS (27 * 27)

typedef struct tx_words {
    struct tx_word_slot {
        char key[TX_WORD_MAX + 1];
        uint8_t len;
        int32_t value;
    } *slot;
    uint32_t cap, n;       /* cap: a power of two, at least twice n */
    uint8_t minlen, maxlen;/* the shortest and longest key */
    uint32_t lens;         /* bit n: a key of n bytes */
    /* the keys' first two letters (a-z or other, "other" for a one-letter
    ** key's second): most words the layer looks up are in no table, and
    ** these say so without hashing them */
    uint64_t pairs[(TX_WORD_PAIRS + 63) / 64];
    /* the same of their last two bytes ("other" before a one-byte key) */
    uint64_t ends[(TX_WORD_PAIRS + 63) / 64];
} tx_words;

/* Add key (already folded, 1..TX_WORD_MAX bytes) with value; a key added
** twice keeps the later value. 0 ok, -1 not enough memory, -2 bad key. */
int txw_put(tx_words *w, const tx_alloc *a, const char *key, size_t len, int32_t value);

/* txw_get past its quick checks: the hash lookup. */
int32_t txw_find_value(const tx_words *w, const char *key, size_t len, int32_t def);

static inline unsigned txw_pair(const char *key, size_t len)
{
    unsigned x = (unsigned char)key[0] - 'a', y = len > 1 ? (unsigned char)key[1] - 'a' : 26;
    return (x < 26 ? x : 26) * 27 + (y < 26 ? y : 26);
}

/* The pair of bytes a, b (a-z each, or "other"). */
static inline unsigned txw_pair2(unsigned char a, unsigned char b)
{
    unsigned x = (unsigned)a - 'a', y = (unsigned)b - 'a';
    return (x < 26 ? x : 26) * 27 + (y < 26 ? y : 26);
}

/* Whether a key may end at s[end] (end >= 1): the two bytes before are a
** key's last two, or the one before is a one-byte key and the byte before
** that is no a-z (or there is none). */
static inline int txw_may_end(const tx_words *w, const char *s, size_t end)
{
    unsigned p = txw_pair2(end > 1 ? (unsigned char)s[end - 2] : 0, (unsigned char)s[end - 1]);
    return (int)(w->ends[p >> 6] >> (p & 63)) & 1;
}

/* Whether a key may start with the bytes at s (avail of them, at least
** one): its first two letters are a key's. */
static inline int txw_may_start(const tx_words *w, const char *s, size_t avail)
{
    unsigned p = txw_pair(s, avail > 1 ? 2 : 1);
    return (int)(w->pairs[p >> 6] >> (p & 63)) & 1;
}

/* The value of key, or def when it is not there. */
static inline int32_t txw_get(const tx_words *w, const char *key, size_t len, int32_t def)
{
    if (len > TX_WORD_MAX || !(w->lens >> len & 1))
        return def;
    unsigned p = txw_pair(key, len);
    if (!(w->pairs[p >> 6] >> (p & 63) & 1))
        return def;
    return txw_find_value(w, key, len, def);
}

void txw_free(tx_words *w, const tx_alloc *a);
#endif
