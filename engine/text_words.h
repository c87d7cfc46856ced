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

typedef struct tx_words {
    struct tx_word_slot {
        char key[TX_WORD_MAX + 1];
        uint8_t len;
        int32_t value;
    } *slot;
    uint32_t cap, n;       /* cap: a power of two, at least twice n */
} tx_words;

/* Add key (already folded, 1..TX_WORD_MAX bytes) with value; a key added
** twice keeps the later value. 0 ok, -1 not enough memory, -2 bad key. */
int txw_put(tx_words *w, const tx_alloc *a, const char *key, size_t len, int32_t value);

/* The value of key, or def when it is not there. */
int32_t txw_get(const tx_words *w, const char *key, size_t len, int32_t def);

void txw_free(tx_words *w, const tx_alloc *a);
#endif
