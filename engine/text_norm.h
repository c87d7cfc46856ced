/*
** text_norm.h — a letter normalised once, so that every later step compares
** plain bytes: lower case, æ/ø/å (and ä/ö, Æ/Ø/Å) folded to ae/oe/aa as
** letters written without them already are, other Latin-1 letters to their
** base letter, whitespace runs to one space (one line break when the run
** holds one: it is written as a space, its place kept with the marks),
** no-break and typographic spaces to a space, soft hyphens and
** zero-width characters dropped, typographic quotes, dashes and bullets to
** ' " -. The way back to the original bytes is kept, and so is where the
** letter's structure marks stand (. ! ? , ; : line breaks, digit runs), so
** that splitting it into sentences need not read it again.
*/
#ifndef TRIAGE_TEXT_NORM_H
#define TRIAGE_TEXT_NORM_H
#include "text.h"

/* Where the normalised and the original offsets stop moving together: from
** output offset out on, original = in + (output - out), up to the next. */
typedef struct tx_shift {
    uint32_t out, in;
} tx_shift;

typedef struct tx_norm {
    char *s;            /* the normalised text, NUL-terminated; never longer than the input */
    uint32_t len;
    uint32_t cap;       /* entries s, mark and shift can hold (one block) */
    const char *text;   /* the original (the caller's), and its length */
    uint32_t textlen;
    tx_shift *shift;    /* in order of out; shift[0] is {0, 0} */
    uint32_t nshift, capshift;
    uint32_t *mark;     /* offsets of . ! ? , ; : line breaks (TX_NL set: the space
                        ** there was one) and each digit run's start, in order */
    uint32_t nmark;
    uint32_t upper, lower;  /* letters seen in each case: a letter in capitals only
                            ** says nothing by its case (txn_caseblind) */
    uint64_t *wbits;        /* bit i: s[i] is a word character (txn_word); 0 from len on */
    char *scan;             /* len + 2 bytes: a space, then s with each
                            ** byte that is no word character a space (what the lexicon's
                            ** literals are scanned in, text_lexicon_compile.c), then
                            ** a NUL */
} tx_norm;

/* A mark's line-break bit, and its offset. */
#define TX_NL 0x80000000u
#define TX_MARK_AT(m) ((m) & ~TX_NL)

/* Normalise text[0..len), valid UTF-8 (checked when the referral was read,
** never again here), into n, reusing its buffers (grown with a when the
** text is longer than any before). text must outlive n's use. 0 ok; -1 not
** enough memory or len over TX_MAX_TEXT (n then holds an empty text). */
int txn_run(tx_norm *n, const char *text, size_t len, const tx_alloc *a);

/* Free n's buffers (n itself belongs to the caller). */
void txn_free(tx_norm *n, const tx_alloc *a);

/* The original offset of normalised offset i (of the character it is in). */
uint32_t txn_at(const tx_norm *n, uint32_t i);

/* The original byte range of the normalised range [s, e): from the first
** character's start to the end of the last one (a folded character, æ ->
** "ae", is taken whole when the range touches it). */
tx_span txn_orig(const tx_norm *n, uint32_t s, uint32_t e);

/* Whether the letter that produced s[i] was upper case in the original. */
int txn_upper(const tx_norm *n, uint32_t i);

/* Whether case says nothing in this text: most of its letters are capitals
** (a letter written all in upper case). */
static inline int txn_caseblind(const tx_norm *n) { return n->upper > 3 * n->lower + 8; }

/* Word characters of the normalised text: a-z, 0-9 and any byte of a
** character the layer does not fold (another script's letter). The layer
** asks this of nearly every byte it reads again: one table lookup. */
enum { TXN_C_WORD = 1, TXN_C_LETTER = 2, TXN_C_DIGIT = 4 };
extern const unsigned char TXN_CLASS[256];
static inline int txn_word(unsigned char c) { return TXN_CLASS[c] & TXN_C_WORD; }
static inline int txn_letter(unsigned char c) { return TXN_CLASS[c] & TXN_C_LETTER; }
static inline int txn_digit(unsigned char c) { return TXN_CLASS[c] & TXN_C_DIGIT; }

/* Word runs of a normalised letter, from its word bits: whether s[i] is a
** word character; where the run at i ends (the first offset from i on that
** is none: i itself when s[i] is none); where the run that ends at i begins
** (i when s[i - 1] is none); the last word character before i, or
** UINT32_MAX; the first word character from i on, or len. */
static inline int txn_isword(const tx_norm *n, uint32_t i)
{
    return (int)(n->wbits[i >> 6] >> (i & 63)) & 1;
}

static inline uint32_t txn_wend(const tx_norm *n, uint32_t i)
{
    uint32_t q = i >> 6;
    uint64_t x = ~n->wbits[q] >> (i & 63);
    if (x)
        return i + (uint32_t)__builtin_ctzll(x);
    for (q++;; q++)
        if ((x = ~n->wbits[q]))
            return (q << 6) + (uint32_t)__builtin_ctzll(x);
}

static inline uint32_t txn_wnext(const tx_norm *n, uint32_t i)
{
    if (i >= n->len)
        return n->len;
    uint32_t q = i >> 6;
    uint64_t x = n->wbits[q] >> (i & 63);
    if (x)
        return i + (uint32_t)__builtin_ctzll(x);
    for (q++; (q << 6) < n->len; q++)
        if ((x = n->wbits[q]))
            return (q << 6) + (uint32_t)__builtin_ctzll(x);
    return n->len;
}

/* Bits 0..b of a word. */
static inline uint64_t txn_upto(uint32_t b) { return b == 63 ? ~0ull : (2ull << b) - 1; }

static inline uint32_t txn_wstart(const tx_norm *n, uint32_t i)
{
    while (i > 0) {
        uint32_t q = (i - 1) >> 6;
        uint64_t x = ~n->wbits[q] & txn_upto((i - 1) & 63);
        if (x)
            return (q << 6) + 64 - (uint32_t)__builtin_clzll(x);
        i = q << 6;
    }
    return 0;
}

static inline uint32_t txn_wlast(const tx_norm *n, uint32_t i)
{
    while (i > 0) {
        uint32_t q = (i - 1) >> 6;
        uint64_t x = n->wbits[q] & txn_upto((i - 1) & 63);
        if (x)
            return (q << 6) + 63 - (uint32_t)__builtin_clzll(x);
        i = q << 6;
    }
    return UINT32_MAX;
}

/* Fold one string the way txn_run folds a letter (for the lexicon's words):
** out gets at most len + 1 bytes, NUL-terminated; returns the length. */
size_t txn_fold(char *out, const char *s, size_t len);
#endif
