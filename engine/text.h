/*
** text.h — what every part of the Danish text layer shares: the allocator
** hook, spans, and the word classes the lexicon sorts its entries into. The
** layer reads a referral's letter once (normalise, segment, match, scope,
** dates, measures) and hands back evidence; text_evidence.h is its front.
*/
#ifndef TRIAGE_TEXT_H
#define TRIAGE_TEXT_H
#include <stddef.h>
#include <stdint.h>

/* The allocator hook, shaped as lua_Alloc so that the rule set's own
** (charging) allocator can be passed as it is: nsize 0 frees ptr and
** returns NULL; otherwise it (re)allocates ptr from osize to nsize bytes
** (osize is the block's size, or 0 for a new block). Every byte the layer
** holds comes from it; NULL means "not enough memory". */
typedef struct tx_alloc {
    void *(*fn)(void *ud, void *ptr, size_t osize, size_t nsize);
    void *ud;
} tx_alloc;

/* malloc/free as a tx_alloc (tests, benchmarks, tools). */
extern const tx_alloc tx_malloc;

static inline void *tx_new(const tx_alloc *a, size_t n) { return a->fn(a->ud, NULL, 0, n); }
static inline void tx_free(const tx_alloc *a, void *p, size_t n)
{
    if (p)
        a->fn(a->ud, p, n, 0);
}
/* Grow *p (an array of *cap elements of size each) to hold at least need;
** 0 ok, -1 without memory (*p untouched). Capacity doubles. */
int tx_grow(const tx_alloc *a, void **p, uint32_t *cap, uint32_t need, size_t size);

/* A byte range [start, end). In the normalised text unless said otherwise. */
typedef struct tx_span {
    uint32_t start, end;
} tx_span;

/* Word classes: what a lexicon entry is. Terms name evidence; the others
** are the words the layer reads them with (rules/data/text/). */
enum tx_class {
    TX_TERM,        /* a term of an evidence key */
    TX_NEG,         /* a negation word before the term ("ikke", "ingen", "afviser") */
    TX_POSTNEG,     /* a negation later in the clause ("foreligger ikke", "afkræftet") */
    TX_NEGVALUE,    /* a label's value that negates it ("Selvskade: nej") */
    TX_NOTNEG,      /* holds a negation word but negates nothing ("ikke kun", "uden for") */
    TX_CONTRAST,    /* ends a negation's reach ("men", "dog") */
    TX_SUSPICION,   /* "mistanke om", "kan ikke udelukkes" */
    TX_PERSON,      /* a person other than the child ("far", "storebror", "en veninde") */
    TX_PERSON_CLAUSE,/* makes the whole clause someone else's ("i familien") */
    TX_TIME,        /* a relative time phrase ("sidste år", "i fjor", "i går") */
    TX_AGO,         /* "siden" in "for 3 uger siden" */
    TX_MEASURE,     /* a measurement's cue ("vejer", "højde", "BMI", "tabt") */
    TX_NCLASS
};

/* Limits: one letter is at most this long (referral.schema.json bounds
** text far below it); offsets fit 32 bits. */
#define TX_MAX_TEXT (1u << 24)
#endif
