/*
** text_norm.c — one pass over a letter into a reused buffer: lower case,
** æ/ø/å folded to ae/oe/aa (the spelling older systems send, so both match
** one form), whitespace runs collapsed, typographic marks made plain. Most
** bytes are ASCII letters, digits and single spaces: a table turns each into
** its output in a few instructions. The offset map is kept sparse (æ -> "ae"
** keeps the offsets in step; only a collapsed space, a dropped or a shorter
** character moves them), and the structure marks are noted on the way.
*/
#include "text_norm.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Latin-1 letters U+00C0..U+00FF: what each folds to (NULL: kept as it is,
** × and ÷). Upper case are the first 32 but for ß. */
static const char *const TXN_LATIN1[64] = {
    "a",  "a",  "a",  "a",  "ae", "aa", "ae", "c",  "e", "e", "e", "e", "i", "i", "i",  "i",
    "d",  "n",  "o",  "o",  "o",  "o",  "oe", NULL, "oe", "u", "u", "u", "u", "y", "th", "ss",
    "a",  "a",  "a",  "a",  "ae", "aa", "ae", "c",  "e", "e", "e", "e", "i", "i", "i",  "i",
    "d",  "n",  "o",  "o",  "o",  "o",  "oe", NULL, "oe", "u", "u", "u", "u", "y", "th", "y",
};

/* Per ASCII byte: the output byte, and what else it is. */
enum { TXN_SLOW = 1 << 8, TXN_UP = 1 << 9, TXN_LO = 1 << 10, TXN_MARK = 1 << 11,
       TXN_DIGIT = 1 << 12, TXN_SPACE = 1 << 13 };

static uint16_t TXN_TAB[256];
static int txn_tab_ready;

static void txn_tab_init(void)
{
    for (int c = 0; c < 256; c++) {
        uint16_t e = (uint16_t)c;
        if (c >= 0x80 || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n')
            e = TXN_SLOW;
        else if (c >= 'A' && c <= 'Z')
            e = (uint16_t)((c + 32) | TXN_UP);
        else if (c >= 'a' && c <= 'z')
            e |= TXN_LO;
        else if (c >= '0' && c <= '9')
            e |= TXN_MARK | TXN_DIGIT;
        else if (c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':')
            e |= TXN_MARK;
        else if (c == ' ')
            e |= TXN_SPACE;
        TXN_TAB[c] = e;
    }
    __atomic_store_n(&txn_tab_ready, 1, __ATOMIC_RELEASE);
}

#define TXN_W (TXN_C_WORD | TXN_C_LETTER)
#define TXN_D (TXN_C_WORD | TXN_C_DIGIT)
#define TXN_W8 TXN_W, TXN_W, TXN_W, TXN_W, TXN_W, TXN_W, TXN_W, TXN_W
#define TXN_W64 TXN_W8, TXN_W8, TXN_W8, TXN_W8, TXN_W8, TXN_W8, TXN_W8, TXN_W8
const unsigned char TXN_CLASS[256] = {
    ['0'] = TXN_D, ['1'] = TXN_D, ['2'] = TXN_D, ['3'] = TXN_D, ['4'] = TXN_D,
    ['5'] = TXN_D, ['6'] = TXN_D, ['7'] = TXN_D, ['8'] = TXN_D, ['9'] = TXN_D,
    ['a'] = TXN_W, ['b'] = TXN_W, ['c'] = TXN_W, ['d'] = TXN_W, ['e'] = TXN_W, ['f'] = TXN_W,
    ['g'] = TXN_W, ['h'] = TXN_W, ['i'] = TXN_W, ['j'] = TXN_W, ['k'] = TXN_W, ['l'] = TXN_W,
    ['m'] = TXN_W, ['n'] = TXN_W, ['o'] = TXN_W, ['p'] = TXN_W, ['q'] = TXN_W, ['r'] = TXN_W,
    ['s'] = TXN_W, ['t'] = TXN_W, ['u'] = TXN_W, ['v'] = TXN_W, ['w'] = TXN_W, ['x'] = TXN_W,
    ['y'] = TXN_W, ['z'] = TXN_W,
    /* any byte of a character the layer does not fold */
    [0x80] = TXN_W64, TXN_W64,
};

/* What one character of General Punctuation (U+2000..U+206F) becomes:
** 0 copied as it is, 1 dropped, else that byte. */
static unsigned char txn_punct(unsigned cp)
{
    if (cp <= 0x200A || cp == 0x202F || cp == 0x205F)
        return ' ';                          /* en/em/thin/narrow no-break spaces */
    if (cp <= 0x200D || cp == 0x2060)
        return 1;                            /* zero width: gone */
    if (cp >= 0x2010 && cp <= 0x2015)
        return '-';                          /* hyphens and dashes */
    if (cp >= 0x2018 && cp <= 0x201B)
        return '\'';
    if (cp >= 0x201C && cp <= 0x201F)
        return '"';
    if (cp == 0x2022 || cp == 0x2023 || cp == 0x2043)
        return '-';                          /* bullets: a list item */
    if (cp == 0x2026)
        return '.';                          /* … */
    if (cp == 0x2028 || cp == 0x2029)
        return '\n';
    if (cp == 0x2032)
        return '\'';
    return 0;
}

/* A character outside plain ASCII at t[i] (or a whitespace byte): its
** width, and its output as fold (a Latin-1 letter), or o (one byte; 0: copy
** the bytes as they are; 1: dropped). */
static size_t txn_char(const unsigned char *t, size_t i, size_t len, const char **fold,
                       unsigned char *o, int *upper)
{
    unsigned c = t[i];
    *fold = NULL;
    *upper = 0;
    if (c < 0x80) {
        *o = c == '\n' ? '\n' : ' ';         /* tab, CR, form feed, vertical tab */
        return 1;
    }
    if (c == 0xC3 && i + 1 < len) {
        unsigned b = t[i + 1] - 0x80;        /* U+00C0 + b */
        *fold = TXN_LATIN1[b & 63];
        *upper = *fold && b < 32 && b != 0x1F;
        *o = 0;
        return 2;
    }
    if (c == 0xC2 && i + 1 < len) {
        unsigned b = t[i + 1];
        *o = b == 0xA0                ? ' '  /* no-break space */
             : b == 0xAD              ? 1    /* soft hyphen: gone */
             : b == 0xAB || b == 0xBB ? '"'  /* « » */
             : b == 0xB4              ? '\'' /* ´ for an apostrophe */
             : b == 0xB7              ? '-'  /* · as a bullet */
                                      : 0;
        return 2;
    }
    if (c == 0xE2 && i + 2 < len && (t[i + 1] == 0x80 || t[i + 1] == 0x81)) {
        *o = txn_punct(0x2000u + ((unsigned)(t[i + 1] & 0x3F) << 6) + (t[i + 2] & 0x3F));
        return 3;
    }
    if (c == 0xE2 && i + 2 < len && t[i + 1] == 0x88 && t[i + 2] == 0x92) {
        *o = '-';                            /* − minus sign */
        return 3;
    }
    if (c == 0xEF && i + 2 < len && t[i + 1] == 0xBB && t[i + 2] == 0xBF) {
        *o = 1;                              /* byte order mark */
        return 3;
    }
    if (c == 0xE3 && i + 2 < len && t[i + 1] == 0x80 && t[i + 2] == 0x80) {
        *o = ' ';                            /* ideographic space */
        return 3;
    }
    size_t w = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    *o = 0;                                  /* another character: its bytes as they are */
    return i + w > len ? len - i : w;
}

#if defined(__SSE2__)
/* Bits set in a 16-bit mask (no popcnt instruction in the x86-64 baseline:
** __builtin_popcount would be a library call). */
static inline uint32_t txn_bits16(unsigned m)
{
    m = m - ((m >> 1) & 0x5555u);
    m = (m & 0x3333u) + ((m >> 2) & 0x3333u);
    m = (m + (m >> 4)) & 0x0F0Fu;
    return (m + (m >> 8)) & 0x1Fu;
}

static inline __m128i txn_in(__m128i v, char a, char b)
{
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(a - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8((char)(b + 1))));
}

static inline __m128i txn_eq(__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); }

static inline __m128i txn_pick(__m128i m, __m128i a, __m128i b)
{
    return _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b));
}

/* Letters counted sixteen bytes at a time: a byte lane each, flushed into
** the totals before a lane can overflow. */
typedef struct txn_count {
    __m128i up, lo;
    unsigned blocks;
    uint32_t *nu, *nl;
} txn_count;

static void txn_flush(txn_count *c)
{
    __m128i z = _mm_setzero_si128(), u = _mm_sad_epu8(c->up, z), l = _mm_sad_epu8(c->lo, z);
    *c->nu += (uint32_t)(_mm_cvtsi128_si32(u) + _mm_cvtsi128_si32(_mm_srli_si128(u, 8)));
    *c->nl += (uint32_t)(_mm_cvtsi128_si32(l) + _mm_cvtsi128_si32(_mm_srli_si128(l, 8)));
    c->up = c->lo = z;
    c->blocks = 0;
}

/* Sixteen bytes of t (t[16] readable too) into out, as the scalar loop
** would write them, up to the first that needs it: a second space, a
** control byte, a non-ASCII character other than æ/ø/å/Æ/Ø/Å (folded here:
** two bytes each way, so the offsets stay in step). Capitals are made
** small, marks (. ! ? , ; : and digit runs' starts, at out offset k + j)
** noted, letters counted. prev: the output byte before. Returns how many
** bytes it took. */
static unsigned txn_block16(const unsigned char *t, char *out, unsigned char prev, uint32_t *mark,
                            uint32_t k, uint32_t *nm, txn_count *cnt)
{
    __m128i v = _mm_loadu_si128((const __m128i *)t);
    __m128i next = _mm_loadu_si128((const __m128i *)(t + 1));
    __m128i up = txn_in(v, 'A', 'Z');
    unsigned dm = (unsigned)_mm_movemask_epi8(txn_in(v, '0', '9'));
    unsigned pm = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_or_si128(txn_eq(v, '.'), txn_eq(v, ',')),
                                  _mm_or_si128(txn_eq(v, '!'), txn_eq(v, '?'))),
                     _mm_or_si128(txn_eq(v, ':'), txn_eq(v, ';'))));
    unsigned sp = (unsigned)_mm_movemask_epi8(txn_eq(v, ' '));
    unsigned hi = (unsigned)_mm_movemask_epi8(v);
    unsigned ctl = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(' '))) & ~hi;
    __m128i o = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
    __m128i ups = up, los = txn_in(v, 'a', 'z');
    if (hi) {
        /* æ ø å Æ Ø Å: C3 then A6 B8 A5 (86 98 85 in capitals); a block
        ** of ASCII only (most) has none */
        __m128i c3 = txn_eq(v, (char)0xC3), nx = _mm_or_si128(next, _mm_set1_epi8(0x20));
        __m128i ae = _mm_and_si128(c3, txn_eq(nx, (char)0xA6));
        __m128i oe = _mm_and_si128(c3, txn_eq(nx, (char)0xB8));
        __m128i aa = _mm_and_si128(c3, txn_eq(nx, (char)0xA5));
        __m128i fold = _mm_or_si128(_mm_or_si128(ae, oe), aa);
        __m128i fup = _mm_and_si128(fold, txn_eq(_mm_and_si128(next, _mm_set1_epi8(0x20)), 0));
        unsigned fm = (unsigned)_mm_movemask_epi8(fold) & 0x7FFF;  /* byte 16 is the next block's */
        hi &= ~(fm | fm << 1);
        o = txn_pick(fold, txn_pick(oe, _mm_set1_epi8('o'), _mm_set1_epi8('a')), o);
        __m128i fold2 = _mm_slli_si128(fold, 1);
        o = txn_pick(fold2,
                     txn_pick(_mm_slli_si128(aa, 1), _mm_set1_epi8('a'), _mm_set1_epi8('e')), o);
        ups = _mm_or_si128(up, fup);
        los = _mm_or_si128(los, _mm_andnot_si128(fup, fold));
    }
    unsigned look = (hi | ctl | (sp & ((sp << 1) | (prev == ' ')))) & 0xFFFF;
    _mm_storeu_si128((__m128i *)out, o);
    unsigned take = 16, keep = 0xFFFFu;
    if (!look) {
        cnt->up = _mm_sub_epi8(cnt->up, ups);  /* a lane of 0xFF is -1 */
        cnt->lo = _mm_sub_epi8(cnt->lo, los);
        if (++cnt->blocks == 255)
            txn_flush(cnt);
    } else {
        take = (unsigned)__builtin_ctz(look);
        keep = (1u << take) - 1;
        *cnt->nu += txn_bits16((unsigned)_mm_movemask_epi8(ups) & keep);
        *cnt->nl += txn_bits16((unsigned)_mm_movemask_epi8(los) & keep);
    }
    unsigned before = prev >= '0' && prev <= '9';
    unsigned marks = (pm | (dm & ~((dm << 1) | before))) & keep;
    uint32_t n = 0;
    while (marks) {
        mark[n++] = k + (uint32_t)__builtin_ctz(marks);
        marks &= marks - 1;
    }
    *nm += n;
    return take;
}
#endif

/* Bytes of the one block of cap entries each: shifts, marks, text; then
** the word bits (cap a multiple of 64: they start 8-byte aligned, and one
** word more than the text needs ends them with no word character); then
** the scan copy (a byte more than the text, rounded up to sixteen). */
static size_t txn_block(uint32_t cap)
{
    return (size_t)cap * (sizeof(tx_shift) + sizeof(uint32_t) + 1) +
           ((size_t)cap / 64 + 1) * sizeof(uint64_t) + (size_t)cap + 16;
}

/* The word bits of s[0..len) and the scan copy (the block's bytes are all
** written, so the rest of the last sixteen is defined; bits cleared past
** len). */
static void txn_wordbits(tx_norm *n)
{
    const unsigned char *s = (const unsigned char *)n->s;
    uint32_t len = n->len, words = len / 64 + 1;
    char *o = n->scan + 1;
    n->scan[0] = ' ';
#if defined(__SSE2__)
    uint16_t *half = (uint16_t *)n->wbits;   /* little-endian: 16 bits at a time */
    const __m128i sp = _mm_set1_epi8(' ');
    for (uint32_t i = 0; i < len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i w = _mm_or_si128(_mm_or_si128(txn_in(v, 'a', 'z'), txn_in(v, '0', '9')),
                                 _mm_cmplt_epi8(v, _mm_setzero_si128()));
        half[i / 16] = (uint16_t)_mm_movemask_epi8(w);
        _mm_storeu_si128((__m128i *)(o + i), txn_pick(w, v, sp));
    }
    for (uint32_t q = (len + 15) / 16; q < words * 4; q++)
        half[q] = 0;
#else
    memset(n->wbits, 0, words * sizeof *n->wbits);
    for (uint32_t i = 0; i < len; i++) {
        o[i] = txn_word(s[i]) ? (char)s[i] : ' ';
        if (txn_word(s[i]))
            n->wbits[i >> 6] |= (uint64_t)1 << (i & 63);
    }
#endif
    n->wbits[len >> 6] &= ((uint64_t)1 << (len & 63)) - 1;
    o[len] = 0;
}

typedef struct txn_out {
    char *s;
    uint32_t k;
    tx_shift *shift;                         /* NULL: no map (folding data) */
    uint32_t nshift;
} txn_out;

/* Note that from output offset k on, the input offset is i. */
static inline void txn_shift(txn_out *w, uint32_t k, uint32_t i)
{
    if (!w->shift)
        return;
    if (w->nshift && w->shift[w->nshift - 1].out == k)
        w->shift[w->nshift - 1].in = i;
    else
        w->shift[w->nshift++] = (tx_shift){k, i};
}

/* The slow path for the character at t[i]: returns its width. */
static size_t txn_slow(txn_out *w, const unsigned char *t, size_t i, size_t len, uint32_t *nu,
                       uint32_t *nl, uint32_t *mark, uint32_t *nm)
{
    const char *fold;
    unsigned char o;
    int up;
    size_t cw = txn_char(t, i, len, &fold, &o, &up);
    uint32_t k0 = w->k;
    if (fold) {
        *nu += up;
        *nl += !up;
        for (; *fold; fold++)
            w->s[w->k++] = *fold;
    } else if (o == ' ' || o == '\n') {
        /* one space for a run; a run that holds a line break is marked so */
        if (w->k > 0 && w->s[w->k - 1] == ' ') {
            if (o == '\n' && mark && !(*nm > 0 && mark[*nm - 1] == ((w->k - 1) | TX_NL)))
                mark[(*nm)++] = (w->k - 1) | TX_NL;
        } else {
            if (o == '\n' && mark)
                mark[(*nm)++] = w->k | TX_NL;
            w->s[w->k++] = ' ';
        }
    } else if (o == 1) {
        /* dropped */
    } else if (o) {
        if (o == '.' && mark)
            mark[(*nm)++] = w->k;
        w->s[w->k++] = (char)o;
    } else {
        memcpy(w->s + w->k, t + i, cw);
        w->k += (uint32_t)cw;
    }
    if (w->k - k0 != cw)
        txn_shift(w, w->k, (uint32_t)(i + cw));
    return cw;
}

int txn_run(tx_norm *n, const char *text, size_t len, const tx_alloc *a)
{
    if (!__atomic_load_n(&txn_tab_ready, __ATOMIC_ACQUIRE))
        txn_tab_init();                      /* the same table from any thread: a benign race */
    n->len = n->nmark = n->nshift = 0;
    n->upper = n->lower = 0;
    n->text = text;
    n->textlen = 0;
    if (len >= TX_MAX_TEXT) {
        if (n->s)
            n->s[0] = 0;
        return -1;
    }
    if (!n->s || len + 1 > n->cap) {
        /* the text, its marks and its shifts each fit in len + 1 entries:
        ** one block holds all three (nothing in it outlives a letter) */
        uint32_t cap = n->cap ? n->cap : 256, need = (uint32_t)len + 1;
        while (cap < need)
            cap *= 2;
        void *b = tx_new(a, txn_block(cap));
        if (!b) {
            if (n->s)
                n->s[0] = 0;
            return -1;
        }
        memset(b, 0, txn_block(cap));       /* once: the word bits read whole blocks */
        if (n->shift)
            tx_free(a, n->shift, txn_block(n->cap));
        n->shift = b;
        n->mark = (uint32_t *)(n->shift + cap);
        n->s = (char *)(n->mark + cap);
        n->wbits = (uint64_t *)(n->s + cap);
        n->scan = (char *)(n->wbits + cap / 64 + 1);
        n->cap = n->capshift = cap;
    }
    const unsigned char *t = (const unsigned char *)text;
    txn_out w = {n->s, 0, n->shift, 0};
    w.shift[w.nshift++] = (tx_shift){0, 0};
    uint32_t nu = 0, nl = 0, nm = 0, *mark = n->mark;
    char *s = n->s;
#if defined(__SSE2__)
    txn_count cnt = {_mm_setzero_si128(), _mm_setzero_si128(), 0, &nu, &nl};
#endif
    for (size_t i = 0; i < len;) {
#if defined(__SSE2__)
        if (i + 17 <= len) {
            unsigned take = txn_block16(t + i, s + w.k, w.k > 0 ? (unsigned char)s[w.k - 1] : 0,
                                        mark + nm, w.k, &nm, &cnt);
            i += take;
            w.k += take;
            if (take == 16)
                continue;
        }
#endif
        /* most bytes: small letters, as they are */
        if ((unsigned)(t[i] - 'a') < 26u) {
            uint32_t k0 = w.k;
            do
                s[w.k++] = (char)t[i++];
            while (i < len && (unsigned)(t[i] - 'a') < 26u);
            nl += w.k - k0;
            continue;
        }
        uint16_t e = TXN_TAB[t[i]];
        if (__builtin_expect(!(e & (TXN_SLOW | TXN_MARK | TXN_SPACE)), 1)) {
            s[w.k++] = (char)e;              /* a letter or other plain ASCII */
            nu += (e >> 9) & 1;
            nl += (e >> 10) & 1;
            i++;
            continue;
        }
        if (e & TXN_SPACE) {
            if (w.k > 0 && s[w.k - 1] == ' ') {
                i++;
                txn_shift(&w, w.k, (uint32_t)i);
            } else {
                s[w.k++] = ' ';
                i++;
            }
            continue;
        }
        if (e & TXN_MARK) {
            if (!(e & TXN_DIGIT) || w.k == 0 || !(TXN_TAB[(unsigned char)s[w.k - 1]] & TXN_DIGIT))
                mark[nm++] = w.k;            /* a mark, or a digit run's start */
            s[w.k++] = (char)e;
            i++;
            continue;
        }
        i += txn_slow(&w, t, i, len, &nu, &nl, mark, &nm);
    }
#if defined(__SSE2__)
    txn_flush(&cnt);
#endif
    n->len = w.k;
    n->nshift = w.nshift;
    n->nmark = nm;
    n->s[n->len] = 0;
    txn_wordbits(n);
    n->upper = nu;
    n->lower = nl;
    n->textlen = (uint32_t)len;
    return 0;
}

void txn_free(tx_norm *n, const tx_alloc *a)
{
    if (n->shift)
        tx_free(a, n->shift, txn_block(n->cap));
    memset(n, 0, sizeof *n);
}

size_t txn_fold(char *out, const char *str, size_t len)
{
    const unsigned char *t = (const unsigned char *)str;
    txn_out w = {out, 0, NULL, 0};
    uint32_t nu = 0, nl = 0;
    if (!__atomic_load_n(&txn_tab_ready, __ATOMIC_ACQUIRE))
        txn_tab_init();
    for (size_t i = 0; i < len;) {
        uint16_t e = TXN_TAB[t[i]];
        if (!(e & (TXN_SLOW | TXN_SPACE))) {
            out[w.k++] = (char)e;
            i++;
        } else if (e & TXN_SPACE) {
            if (!(w.k > 0 && out[w.k - 1] == ' '))
                out[w.k++] = ' ';
            i++;
        } else {
            i += txn_slow(&w, t, i, len, &nu, &nl, NULL, NULL);
        }
    }
    out[w.k] = 0;
    return w.k;
}

uint32_t txn_at(const tx_norm *n, uint32_t i)
{
    if (i >= n->len)
        return n->textlen;
    uint32_t lo = 0, hi = n->nshift;         /* the last shift at or before i */
    while (lo + 1 < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (n->shift[mid].out <= i)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t o = n->shift[lo].in + (i - n->shift[lo].out);
    const unsigned char *t = (const unsigned char *)n->text;
    while (o > 0 && o < n->textlen && (t[o] & 0xC0) == 0x80)
        o--;                                 /* the start of the character it is in */
    return o;
}

tx_span txn_orig(const tx_norm *n, uint32_t s, uint32_t e)
{
    tx_span o;
    if (s > n->len)
        s = n->len;
    if (e > n->len)
        e = n->len;
    o.start = txn_at(n, s);
    if (e <= s) {
        o.end = o.start;
        return o;
    }
    /* the end of the last character: where the next one starts */
    uint32_t last = txn_at(n, e - 1), end = txn_at(n, e);
    const unsigned char *t = (const unsigned char *)n->text;
    if (end <= last) {                       /* inside a folded character */
        end = last + 1;
        while (end < n->textlen && (t[end] & 0xC0) == 0x80)
            end++;
    }
    o.end = end;
    return o;
}

int txn_upper(const tx_norm *n, uint32_t i)
{
    if (i >= n->len)
        return 0;
    const unsigned char *t = (const unsigned char *)n->text + txn_at(n, i);
    if (t[0] < 0x80)
        return t[0] >= 'A' && t[0] <= 'Z';
    if (t[0] == 0xC3)
        return t[1] >= 0x80 && t[1] < 0x9F && t[1] != 0x97;
    return 0;
}
