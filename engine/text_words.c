/*
** text_words.c — the keyword table: open addressing over FNV-1a hashes;
** lookups compare the few bytes of a word, never allocate.
*/
#include "text_words.h"

#include <string.h>

static uint32_t txw_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

/* Whether a[0..n) == b[0..n): words are a few bytes, a loop beats a call. */
static inline int txw_same(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static struct tx_word_slot *txw_find(const tx_words *w, const char *key, size_t len)
{
    if (!w->cap)
        return NULL;
    for (uint32_t i = txw_hash(key, len) & (w->cap - 1);; i = (i + 1) & (w->cap - 1)) {
        struct tx_word_slot *s = &w->slot[i];
        if (!s->len || (s->len == len && txw_same(s->key, key, len)))
            return s;
    }
}

int txw_put(tx_words *w, const tx_alloc *a, const char *key, size_t len, int32_t value)
{
    if (len == 0 || len > TX_WORD_MAX)
        return -2;
    if ((w->n + 1) * 2 > w->cap) {
        uint32_t cap = w->cap ? w->cap * 2 : 32;
        struct tx_word_slot *ns = tx_new(a, (size_t)cap * sizeof *ns);
        if (!ns)
            return -1;
        memset(ns, 0, (size_t)cap * sizeof *ns);
        tx_words nw = *w;                    /* lengths and first letters kept */
        nw.slot = ns;
        nw.cap = cap;
        nw.n = 0;
        for (uint32_t i = 0; i < w->cap; i++)
            if (w->slot[i].len) {
                *txw_find(&nw, w->slot[i].key, w->slot[i].len) = w->slot[i];
                nw.n++;
            }
        tx_free(a, w->slot, (size_t)w->cap * sizeof *w->slot);
        *w = nw;
    }
    struct tx_word_slot *s = txw_find(w, key, len);
    if (!s->len) {
        memcpy(s->key, key, len);
        s->key[len] = 0;
        s->len = (uint8_t)len;
        if (w->n == 0 || len < w->minlen)
            w->minlen = (uint8_t)len;
        if (len > w->maxlen)
            w->maxlen = (uint8_t)len;
        w->lens |= 1u << len;
        unsigned p = txw_pair(key, len);
        w->pairs[p >> 6] |= (uint64_t)1 << (p & 63);
        p = txw_pair2(len > 1 ? (unsigned char)key[len - 2] : 0, (unsigned char)key[len - 1]);
        w->ends[p >> 6] |= (uint64_t)1 << (p & 63);
        w->n++;
    }
    s->value = value;
    return 0;
}

int32_t txw_find_value(const tx_words *w, const char *key, size_t len, int32_t def)
{
    if (len == 0 || len > TX_WORD_MAX)
        return def;
    const struct tx_word_slot *s = txw_find(w, key, len);
    return s && s->len ? s->value : def;
}

void txw_free(tx_words *w, const tx_alloc *a)
{
    tx_free(a, w->slot, (size_t)w->cap * sizeof *w->slot);
    memset(w, 0, sizeof *w);
}
