/*
** text_lexicon.c — the lexicon: every declared word becomes a literal of one
** Vectorscan block-mode literal database (with its hyphen spellings; the
** literal compiler builds it some twenty times faster than the regex one),
** matched exactly, once however many entries share it. A literal's width is fixed,
** so its start is its end less that width: no start-of-match tracking,
** which doubles the scan's cost. A phrase ("hører" ... "stemmer") is looked
** for by its part of longest words (its anchor); its other parts are read
** around each anchor found, word by word: short, common words ("om", "har")
** cost the scan far more than they cost here. A long term's
** slips (a letter left out, two swapped) are checked here at the start of
** each long word: as thousands of literals they cost the scan more than
** the whole rest of the lexicon. A data regex, rarely needed, is matched in
** Vectorscan's prefilter mode and confirmed by PCRE2 JIT. Word starts,
** endings and compound ends are checked at each hit. Vectorscan's and
** PCRE2's allocations go through the lexicon's or the matcher's hook.
*/
#define _GNU_SOURCE             /* qsort_r */
#include "text_lexicon.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXL_MAX_KEYS 1024
#define TXL_MAX_ENTRIES 65535
#define TXL_MAX_SPAN 512        /* no hit is longer: overlap checks look no further back */
#define TXL_PHRASE_REACH 240    /* bytes a phrase's part looks back for the part before */
#define TXL_MATCH_LIMIT 100000u /* PCRE2: a runaway pattern stops; the letter reads on */

typedef struct txl_pat {
    uint32_t expr;              /* offset of the expression in pstr */
    uint16_t entry;
    uint16_t width;             /* a literal's width; 0 for a regex */
    uint8_t part;               /* a phrase's part + 1, or 0 */
    uint8_t regex;
    uint8_t ending;             /* enum tx_ending of this word */
    uint8_t inside;             /* may end a compound */
} txl_pat;

typedef struct txl_role {       /* one entry's use of a pattern */
    uint16_t entry;
    uint16_t width;
    uint8_t part;               /* a phrase's anchor part + 1, or 0 */
    uint8_t ending;
    uint8_t inside;
} txl_role;

typedef struct txl_id {         /* what a pattern id stands for, once compiled */
    uint32_t role, nrole;       /* its roles: roles[role .. role + nrole) */
} txl_id;

typedef struct txl_pw {         /* a spelling of a phrase's part that is read, not scanned */
    uint32_t text;              /* offset in str (folded) */
    uint16_t len;
    uint32_t pairs;             /* its part's first-two-letter bits: ppairs[pairs ..] */
} txl_pw;

#define TXL_PAIRS (TX_WORD_PAIRS + 63) / 64   /* words of one part's pair bits */

typedef struct txl_slip {       /* a long term's spelling, for the slip check */
    uint32_t text;              /* offset in str (folded) */
    uint16_t len;
    uint16_t entry;
    uint8_t word;               /* one word (no space) */
    uint16_t pair[4];           /* the letter's second and third bytes, if it is a slip of
                                ** this: as written, or a slip at one of them */
} txl_slip;

struct tx_lexicon {
    tx_alloc a;
    tx_key *key;
    tx_entry *entry;
    char *str;                  /* sources, except words, slips: NUL-terminated each */
    uint32_t *except;           /* offsets in str */
    txl_pat *pat;
    char *pstr;                 /* expressions, NUL-terminated each */
    txl_slip *slip;             /* by first letter, then length */
    txl_pw *pw;                 /* phrase parts' spellings */
    txl_role *roles;
    uint32_t npw, cappw, nroles;
    uint64_t *ppairs;           /* for each phrase part read around its anchor: the first
                                ** two letters (txw_pair) its spellings start with */
    uint32_t nppairs, capppairs;
    tx_words slipkey;           /* a long word's first three bytes -> its bucket of slips */
    uint64_t slipbloom[64];     /* the same keys, hashed to 4096 bits: most words start
                                ** with none, and this says so without a lookup */
    uint32_t *slipbucket;       /* bucket b: sliplist[slipbucket[b] .. slipbucket[b + 1]) */
    uint16_t *sliplist;         /* slips by bucket */
    uint32_t nslipbucket, nsliplist;
    uint32_t nkey, capkey, nentry, capentry, nstr, capstr, nexcept, capexcept;
    uint32_t npat, cappat, npstr, cappstr, nslip, capslip;
    uint32_t slipmin;           /* the shortest slip spelling */
    tx_words infl;              /* inflections */
    uint32_t maxinfl;           /* the longest */
    int compound_end, typo_letters, wraps;
    tx_words table[TX_NTABLE];
    char *tmpl[TX_NWHY];
    hs_database_t *db;          /* the literals */
    hs_database_t *redb;        /* the data's regexes, when it has any */
    txl_id *ids;                /* by pattern id: the literals first, then the regexes */
    uint32_t nids, nlit;
    size_t dbsize;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    pcre2_code **re;            /* per pattern id: a regex's exact matcher, or NULL */
    size_t rebytes;             /* their compiled and JIT code */
    int nregex;
    int reused;                 /* the databases were copied from a previous lexicon's */
};

struct tx_matcher {
    tx_alloc a;
    const tx_lexicon *lx;
    hs_scratch_t *scratch;
    pcre2_general_context *gctx;
    pcre2_match_context *mctx;
    pcre2_match_data *md;
    uint32_t *pending;          /* regex roles the prefilter reported in this letter */
    uint32_t npending, cappending;
    uint64_t *tstart;           /* bit i: a term's hit starts at i (this letter) */
    uint32_t captstart;
};

/* ------------------------------------------------------- library memory */

/* Vectorscan takes one process-wide allocator; it hands each block to the
** hook of whoever asked (a thread-local set around each call), and the
** block remembers that hook and its size for the free. PCRE2 takes its
** allocator per general context: the same blocks. */
static _Thread_local const tx_alloc *txl_cur;

typedef struct txl_head {
    size_t size;
    const tx_alloc *a;
} txl_head;
#define TXL_HEAD 16             /* keeps the block 16-byte aligned */

static void *txl_block(size_t n, const tx_alloc *a)
{
    unsigned char *p = a->fn(a->ud, NULL, 0, n + TXL_HEAD);
    if (!p)
        return NULL;
    txl_head h = {n, a};
    memcpy(p, &h, sizeof h);
    return p + TXL_HEAD;
}

static void txl_unblock(void *q)
{
    if (!q)
        return;
    unsigned char *p = (unsigned char *)q - TXL_HEAD;
    txl_head h;
    memcpy(&h, p, sizeof h);
    h.a->fn(h.a->ud, p, h.size + TXL_HEAD, 0);
}

static void *txl_hs_alloc(size_t n) { return txl_block(n, txl_cur ? txl_cur : &tx_malloc); }
static void txl_hs_free(void *q) { txl_unblock(q); }
static void *txl_p2_alloc(size_t n, void *ud) { return txl_block(n, ud); }
static void txl_p2_free(void *q, void *ud)
{
    (void)ud;
    txl_unblock(q);
}

static pthread_once_t txl_once = PTHREAD_ONCE_INIT;
static void txl_hs_setup(void) { hs_set_allocator(txl_hs_alloc, txl_hs_free); }

/* ------------------------------------------------------------- building */

tx_lexicon *txl_new(const tx_alloc *a)
{
    pthread_once(&txl_once, txl_hs_setup);
    tx_lexicon *lx = tx_new(a, sizeof *lx);
    if (!lx)
        return NULL;
    memset(lx, 0, sizeof *lx);
    lx->a = *a;
    lx->compound_end = 5;
    lx->gctx = pcre2_general_context_create(txl_p2_alloc, txl_p2_free, &lx->a);
    lx->cctx = lx->gctx ? pcre2_compile_context_create(lx->gctx) : NULL;
    if (!lx->cctx) {
        txl_free(lx);
        return NULL;
    }
    return lx;
}

static int txl_str(tx_lexicon *lx, const char *s, size_t n, uint32_t *at)
{
    if (tx_grow(&lx->a, (void **)&lx->str, &lx->capstr, lx->nstr + (uint32_t)n + 1, 1))
        return -1;
    *at = lx->nstr;
    memcpy(lx->str + lx->nstr, s, n);
    lx->str[lx->nstr + n] = 0;
    lx->nstr += (uint32_t)n + 1;
    return 0;
}

int txl_key(tx_lexicon *lx, const char *name, enum tx_kind kind, int person, int history_months)
{
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof lx->key->name || lx->nkey >= TXL_MAX_KEYS || lx->ids)
        return -1;
    int id = txl_key_id(lx, name);
    if (id < 0) {
        if (tx_grow(&lx->a, (void **)&lx->key, &lx->capkey, lx->nkey + 1, sizeof *lx->key))
            return -1;
        id = (int)lx->nkey++;
        memset(&lx->key[id], 0, sizeof lx->key[id]);
        memcpy(lx->key[id].name, name, n + 1);
    }
    tx_key *k = &lx->key[id];
    k->kind = (uint8_t)kind;
    k->person = person != 0;
    k->hos = 1;
    k->history_months = (uint8_t)(history_months < 0 ? 0 : history_months > 255 ? 255
                                                                                  : history_months);
    k->same_as = -1;
    return id;
}

int txl_key_id(const tx_lexicon *lx, const char *name)
{
    for (uint32_t i = 0; i < lx->nkey; i++)
        if (!strcmp(lx->key[i].name, name))
            return (int)i;
    return -1;
}

void txl_key_same(tx_lexicon *lx, int key, int as)
{
    if (key >= 0 && (uint32_t)key < lx->nkey)
        lx->key[key].same_as = (int16_t)as;
}

void txl_key_options(tx_lexicon *lx, int key, int hos, int from_iq)
{
    if (key >= 0 && (uint32_t)key < lx->nkey) {
        lx->key[key].hos = hos != 0;
        lx->key[key].from_iq = from_iq != 0;
    }
}

int txl_inflection(tx_lexicon *lx, const char *ending)
{
    char f[TX_WORD_MAX + 1];
    size_t n = strlen(ending);
    if (n > TX_WORD_MAX)
        return -2;
    n = txn_fold(f, ending, n);
    if (n > lx->maxinfl)
        lx->maxinfl = (uint32_t)n;
    return txw_put(&lx->infl, &lx->a, f, n, 1);
}

void txl_spelling(tx_lexicon *lx, int compound_end, int typo_letters)
{
    lx->compound_end = compound_end;
    lx->typo_letters = typo_letters;
}

void txl_wrapped_lines(tx_lexicon *lx, int on) { lx->wraps = on != 0; }
int txl_wraps(const tx_lexicon *lx) { return lx->wraps; }

tx_words *txl_table(tx_lexicon *lx, enum tx_table t) { return &lx->table[t]; }
const tx_words *txl_table_c(const tx_lexicon *lx, enum tx_table t) { return &lx->table[t]; }
const tx_alloc *txl_alloc(const tx_lexicon *lx) { return &lx->a; }

int txl_template(tx_lexicon *lx, enum tx_why why, const char *text)
{
    size_t n = strlen(text);
    char *c = tx_new(&lx->a, n + 1);
    if (!c)
        return -1;
    memcpy(c, text, n + 1);
    if (lx->tmpl[why])
        tx_free(&lx->a, lx->tmpl[why], strlen(lx->tmpl[why]) + 1);
    lx->tmpl[why] = c;
    return 0;
}

const char *txl_template_of(const tx_lexicon *lx, enum tx_why why)
{
    return why < TX_NWHY ? lx->tmpl[why] : NULL;
}

/* Add one expression for entry e. */
static int txl_pattern(tx_lexicon *lx, const char *expr, size_t n, const txl_pat *like)
{
    if (tx_grow(&lx->a, (void **)&lx->pat, &lx->cappat, lx->npat + 1, sizeof *lx->pat) ||
        tx_grow(&lx->a, (void **)&lx->pstr, &lx->cappstr, lx->npstr + (uint32_t)n + 1, 1))
        return -1;
    txl_pat *p = &lx->pat[lx->npat++];
    *p = *like;
    p->expr = lx->npstr;
    memcpy(lx->pstr + lx->npstr, expr, n);
    lx->pstr[lx->npstr + n] = 0;
    lx->npstr += (uint32_t)n + 1;
    return 0;
}

/* A byte as a bit of a tx_entry's first or second mask. */
static inline uint32_t txl_letter_bit(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? 1u << (c - 'a') : 1u << 31;
}

static int txl_is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || c >= 0x80; }

/* Whether the character at p (UTF-8) is a letter: ASCII or Latin-1. */
static int txl_raw_letter(const char *p)
{
    unsigned char c = (unsigned char)p[0];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c == 0xC3 && (unsigned char)p[1] != 0x97 && (unsigned char)p[1] != 0xB7);
}

/* A folded literal, as Vectorscan's literal compiler takes it. */
static int txl_literal(tx_lexicon *lx, const char *lit, size_t n, const txl_pat *like)
{
    if (n == 0 || n > 255)
        return -2;
    txl_pat p = *like;
    p.width = (uint16_t)n;
    return txl_pattern(lx, lit, n, &p);
}

/* The forms of a folded word's hyphens between letters (the first two
** count): each may also be written as a space or not at all ("PPR-udtalelse",
** "PPR udtalelse", "PPRudtalelse"). Writes up to 9 forms into out, their
** lengths into len; returns how many. */
static int txl_forms(const char *f, size_t n, char out[9][256], size_t len[9])
{
    size_t hy[2];
    int nh = 0;
    for (size_t i = 1; i + 1 < n && nh < 2; i++)
        if (f[i] == '-' && txl_is_letter((unsigned char)f[i - 1]) &&
            txl_is_letter((unsigned char)f[i + 1]))
            hy[nh++] = i;
    int forms = nh == 0 ? 1 : nh == 1 ? 3 : 9;
    for (int v = 0; v < forms; v++) {
        size_t k = 0;
        int h = 0, x = v;
        for (size_t i = 0; i < n && k < 255; i++) {
            if (h < nh && i == hy[h]) {
                int how = x % 3;             /* 0 hyphen, 1 space, 2 nothing */
                x /= 3;
                h++;
                if (how < 2)
                    out[v][k++] = how ? ' ' : '-';
                continue;
            }
            out[v][k++] = f[i];
        }
        len[v] = k;
    }
    return forms;
}

/* One word as declared (raw UTF-8), folded, as literals: each form. */
static int txl_spelled(tx_lexicon *lx, const char *raw, size_t rn, const txl_pat *like)
{
    char f[256], g[9][256];
    size_t gl[9];
    if (rn >= sizeof f)
        return -2;
    int forms = txl_forms(f, txn_fold(f, raw, rn), g, gl);
    for (int v = 0; v < forms; v++) {
        int rc = txl_literal(lx, g[v], gl[v], like);
        if (rc)
            return rc;
    }
    return 0;
}

/* Letters of a word as written (æ is one). */
static int txl_letters(const char *src)
{
    int n = 0;
    for (const char *p = src; *p; p++)
        n += txl_raw_letter(p);
    return n;
}

/* A long term's folded spelling (no hyphens), kept for the slip check. */
static int txl_add_slip(tx_lexicon *lx, const char *src, uint32_t e)
{
    char f[256], g[256];
    size_t n = strlen(src);
    if (n >= sizeof f)
        return 0;
    n = txn_fold(f, src, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i] != '-')
            g[k++] = f[i];
    if (k < 4 || !txl_is_letter((unsigned char)g[0]))
        return 0;
    if (tx_grow(&lx->a, (void **)&lx->slip, &lx->capslip, lx->nslip + 1, sizeof *lx->slip))
        return -1;
    txl_slip *sl = &lx->slip[lx->nslip];
    if (txl_str(lx, g, k, &sl->text))
        return -1;
    sl->len = (uint16_t)k;
    sl->entry = (uint16_t)e;
    sl->word = memchr(g, ' ', k) == NULL;
#define TXL_PAIR(a, b) (uint16_t)((unsigned char)(a) << 8 | (unsigned char)(b))
    sl->pair[0] = TXL_PAIR(g[1], g[2]);      /* the slip is later */
    sl->pair[1] = TXL_PAIR(g[2], g[1]);      /* the second and third swapped */
    sl->pair[2] = TXL_PAIR(g[2], g[3]);      /* the second left out */
    sl->pair[3] = TXL_PAIR(g[1], g[3]);      /* the third left out, or swapped with the fourth */
    lx->nslip++;
    return 0;
}

/* A regex of the data over the normalised text: æ/ø/å and capitals outside
** ASCII folded as the text is; a space is any whitespace. */
static int txl_regex(tx_lexicon *lx, const char *re, const txl_pat *like, char *err,
                     size_t errlen)
{
    char buf[2048];
    size_t k = 0, n = strlen(re);
    int cls = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)re[i];
        if (k + 8 >= sizeof buf) {
            snprintf(err, errlen, "pattern too long: %s", re);
            return -1;
        }
        if (c == '\\' && i + 1 < n) {
            buf[k++] = re[i++];
            buf[k++] = re[i++];
            continue;
        }
        if (c >= 0x80) {
            size_t w = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (cls) {
                snprintf(err, errlen, "write æ, ø and å outside [...] (they become ae, oe, aa): %s",
                         re);
                return -1;
            }
            char f[16];
            size_t fn = txn_fold(f, re + i, w < n - i ? w : n - i);
            if (fn > 1)
                buf[k++] = '(', buf[k++] = '?', buf[k++] = ':';
            memcpy(buf + k, f, fn);
            k += fn;
            if (fn > 1)
                buf[k++] = ')';
            i += w;
            continue;
        }
        if (c == '[')
            cls = 1;
        else if (c == ']')
            cls = 0;
        if (c == ' ' && !cls) {
            memcpy(buf + k, "\\s", 2);
            k += 2;
        } else {
            buf[k++] = (char)c;
        }
        i++;
    }
    buf[k] = 0;
    /* both engines must take it: PCRE2 finds the matches, Vectorscan's
    ** prefilter says whether to look */
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *ce = NULL;
    const tx_alloc *prev = txl_cur;
    txl_cur = &lx->a;
    hs_error_t rc = hs_expression_info(buf, HS_FLAG_PREFILTER, &info, &ce);
    if (rc != HS_SUCCESS) {
        snprintf(err, errlen, "pattern %s: %s", re, ce ? ce->message : "not accepted");
        hs_free_compile_error(ce);
    }
    txl_cur = prev;
    if (rc != HS_SUCCESS)
        return -1;
    txl_unblock(info);
    int perr;
    PCRE2_SIZE poff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)buf, k, 0, &perr, &poff, lx->cctx);
    uint32_t empty = 0;
    if (code)
        pcre2_pattern_info(code, PCRE2_INFO_MATCHEMPTY, &empty);
    pcre2_code_free(code);
    if (!code) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(perr, msg, sizeof msg);
        snprintf(err, errlen, "pattern %s: %s", re, (const char *)msg);
        return -1;
    }
    if (empty) {
        snprintf(err, errlen, "pattern %s can match nothing at all", re);
        return -1;
    }
    txl_pat p = *like;
    p.regex = 1;
    p.width = 0;
    if (txl_pattern(lx, buf, k, &p)) {
        snprintf(err, errlen, "not enough memory");
        return -1;
    }
    lx->nregex++;
    return 0;
}

/* A spelling of a phrase's part that is read around its anchor: folded,
** each form of its hyphens. */
static int txl_part_word(tx_lexicon *lx, const char *raw)
{
    char f[256], g[9][256];
    size_t gl[9], rn = strlen(raw);
    if (rn >= sizeof f)
        return -2;
    int forms = txl_forms(f, txn_fold(f, raw, rn), g, gl);
    for (int v = 0; v < forms; v++) {
        if (tx_grow(&lx->a, (void **)&lx->pw, &lx->cappw, lx->npw + 1, sizeof *lx->pw) ||
            txl_str(lx, g[v], gl[v], &lx->pw[lx->npw].text))
            return -1;
        lx->pw[lx->npw++].len = (uint16_t)gl[v];
    }
    return 0;
}

static int txl_default_ending(enum tx_class c)
{
    switch (c) {
    case TX_TERM:
        return TX_END_ANY;
    case TX_NEG:
    case TX_POSTNEG:
    case TX_SUSPICION:
    case TX_PERSON:
    case TX_MEASURE:
        return TX_END_INFLECT;
    default:
        return TX_END_WORD;
    }
}

int txl_add(tx_lexicon *lx, const tx_decl *d, char *err, size_t errlen)
{
    const char *src = d->text ? d->text : d->regex ? d->regex : d->name;
    if (!src || !*src || (d->nparts && (d->nparts < 2 || d->nparts > TX_MAX_PARTS))) {
        snprintf(err, errlen, d->nparts ? "a phrase has 2 to %d parts" : "an empty word",
                 TX_MAX_PARTS);
        return -1;
    }
    if (lx->nentry >= TXL_MAX_ENTRIES || lx->ids) {
        snprintf(err, errlen, lx->ids ? "the lexicon is compiled" : "too many words");
        return -1;
    }
    if (tx_grow(&lx->a, (void **)&lx->entry, &lx->capentry, lx->nentry + 1, sizeof *lx->entry))
        goto oom;
    uint32_t e = lx->nentry;
    tx_entry *en = &lx->entry[e];
    memset(en, 0, sizeof *en);
    en->cls = (uint8_t)d->cls;
    en->key = (uint16_t)(d->cls == TX_TERM ? d->key : 0);
    en->value = d->value;
    en->flags = (uint16_t)(d->flags & (TX_F_UPPER | TX_F_NEGATIVE | TX_F_DOCS | TX_F_ANYWHERE));
    en->ending = (uint8_t)(d->ending >= 0 ? d->ending
                           : d->nparts  ? TX_END_INFLECT
                                        : txl_default_ending(d->cls));
    if (txl_str(lx, src, strlen(src), &en->source))
        goto oom;
    en->except = lx->nexcept;
    for (size_t i = 0; i < d->nexcept; i++) {
        char f[256];
        size_t n = strlen(d->except[i]);
        if (n >= sizeof f) {
            snprintf(err, errlen, "except word too long: %s", d->except[i]);
            return -1;
        }
        n = txn_fold(f, d->except[i], n);
        if (tx_grow(&lx->a, (void **)&lx->except, &lx->capexcept, lx->nexcept + 1,
                    sizeof *lx->except) ||
            txl_str(lx, f, n, &lx->except[lx->nexcept]))
            goto oom;
        lx->nexcept++;
    }
    en->nexcept = lx->nexcept - en->except;
    txl_pat like = {0, (uint16_t)e, 0, 0, 0, en->ending, 0};

    if (d->regex) {
        like.inside = d->inside > 0;
        if (txl_regex(lx, d->regex, &like, err, errlen))
            return -1;
    } else if (d->nparts) {
        /* a phrase: the part of longest words is its anchor, looked for by
        ** the matcher; the others are kept to be read around it. Inner
        ** parts run on with an inflection, the last as the entry says. */
        en->flags |= TX_F_PHRASE | (d->commas ? TX_F_COMMAS : 0);
        en->nparts = (uint8_t)d->nparts;
        for (int p = 0; p + 1 < d->nparts; p++)
            en->within[p] = (uint8_t)(d->within[p] < 0 ? 0 : d->within[p] > 30 ? 30 : d->within[p]);
        int best = -1, anchor = 0;
        for (int p = 0; p < d->nparts; p++) {
            if (d->anchor >= 0 && d->anchor < d->nparts) {
                anchor = d->anchor;
                break;
            }
            if (!d->part[p].n) {
                snprintf(err, errlen, "a phrase part without words");
                return -1;
            }
            int shortest = 1 << 20;
            for (size_t w = 0; w < d->part[p].n; w++) {
                int l = (int)strlen(d->part[p].words[w]);
                if (l < shortest)
                    shortest = l;
            }
            if (shortest >= best) {
                best = shortest;
                anchor = p;
            }
        }
        en->anchor = (uint8_t)anchor;
        for (int p = 0; p < d->nparts; p++) {
            en->pw[p] = lx->npw;
            for (size_t w = 0; w < d->part[p].n; w++) {
                const char *word = d->part[p].words[w];
                like.part = (uint8_t)(p + 1);
                like.ending = p + 1 == d->nparts ? en->ending : TX_END_INFLECT;
                like.inside = d->inside > 0 && txl_letters(word) >= lx->compound_end;
                int rc = p == anchor ? txl_spelled(lx, word, strlen(word), &like)
                                     : txl_part_word(lx, word);
                if (rc == -2) {
                    snprintf(err, errlen, "word too long: %s", word);
                    return -1;
                }
                if (rc)
                    goto oom;
            }
            en->npw[p] = (uint16_t)(lx->npw - en->pw[p]);
            uint32_t pb = lx->nppairs;
            if (en->npw[p]) {
                if (tx_grow(&lx->a, (void **)&lx->ppairs, &lx->capppairs, pb + TXL_PAIRS,
                            sizeof *lx->ppairs))
                    goto oom;
                memset(lx->ppairs + pb, 0, TXL_PAIRS * sizeof *lx->ppairs);
                lx->nppairs += TXL_PAIRS;
            }
            for (uint32_t w = en->pw[p]; w < lx->npw; w++) {
                const char *t = lx->str + lx->pw[w].text;
                en->first[p] |= txl_letter_bit((unsigned char)t[0]);
                lx->pw[w].pairs = pb;
                if (lx->pw[w].len > 1) {
                    unsigned k = txw_pair(t, 2);
                    lx->ppairs[pb + k / 64] |= (uint64_t)1 << (k % 64);
                } else {
                    /* a one-letter spelling may run on with any ending */
                    for (unsigned y = 0; y < 27; y++) {
                        unsigned k = txw_pair(t, 1) - 26 + y;
                        lx->ppairs[pb + k / 64] |= (uint64_t)1 << (k % 64);
                    }
                }
                unsigned nw = 1;
                for (uint16_t q = 0; q < lx->pw[w].len; q++)
                    nw += t[q] == ' ';
                if (nw > en->words[p])
                    en->words[p] = (uint8_t)(nw > 255 ? 255 : nw);
            }
        }
    } else {
        /* a literal; capitals only (two letters or more) make it an
        ** abbreviation: a whole word (an ending only after "-" or "'"),
        ** never a compound's end */
        int upper = 0, lower = 0, letters = txl_letters(src);
        for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
            upper += *p >= 'A' && *p <= 'Z';
            lower += *p >= 'a' && *p <= 'z';
        }
        if (upper >= 2 && lower == 0 && d->cls == TX_TERM) {
            en->flags |= TX_F_ABBR;
            if (d->ending < 0)
                en->ending = TX_END_WORD;
        }
        int abbr = (en->flags & TX_F_ABBR) != 0;
        int inside = d->inside >= 0 ? d->inside
                                    : d->cls == TX_TERM && !abbr && letters >= lx->compound_end;
        int typo = d->typo >= 0 ? d->typo
                                : d->cls == TX_TERM && !abbr && lx->typo_letters > 0 &&
                                      letters >= lx->typo_letters;
        if (inside && !abbr)
            en->flags |= TX_F_INSIDE;
        unsigned char c0 = (unsigned char)src[0];
        if (!txl_raw_letter(src) && !(c0 >= '0' && c0 <= '9'))
            en->flags |= TX_F_ANYWHERE;
        like.ending = en->ending;
        like.inside = inside && !abbr;
        int rc = txl_spelled(lx, src, strlen(src), &like);
        if (rc == -2) {
            snprintf(err, errlen, "word too long: %s", src);
            return -1;
        }
        if (rc || (typo && txl_add_slip(lx, src, e)))
            goto oom;
    }
    if (d->cls == TX_TERM && (uint32_t)d->key < lx->nkey)
        lx->key[d->key].nentries++;
    lx->nentry++;
    return 0;
oom:
    snprintf(err, errlen, "not enough memory");
    return -1;
}

typedef struct txl_slipkey {    /* a slip under one three-byte key, while indexing */
    char key[3];
    uint8_t second;             /* 0: the key's second byte is the slip's own second */
    uint16_t slip;
} txl_slipkey;

static int txl_slipkey_cmp(const void *a, const void *b)
{
    const txl_slipkey *x = a, *y = b;
    int c = memcmp(x->key, y->key, 3);
    if (c)
        return c;
    if (x->second != y->second)
        return (int)x->second - (int)y->second;
    return (int)x->slip - (int)y->slip;
}

static inline uint32_t txl_bloom3(const char *k)
{
    return (((uint32_t)(unsigned char)k[0] * 709u) ^ ((uint32_t)(unsigned char)k[1] * 31u) ^
            (unsigned char)k[2]) & 4095u;
}

/* The slip index: each slip under the three-byte keys of its pairs, in
** order of key, then those whose second letter the key's is, then as
** declared. 0 ok, -1 no memory. */
static int txl_slip_index(tx_lexicon *lx)
{
    size_t cap = (size_t)lx->nslip * 4;
    txl_slipkey *v = tx_new(&lx->a, cap * sizeof *v);
    if (!v)
        return -1;
    uint32_t n = 0;
    for (uint32_t i = 0; i < lx->nslip; i++) {
        const txl_slip *sl = &lx->slip[i];
        const char *t = lx->str + sl->text;
        for (int k = 0; k < 4; k++) {
            char key[3] = {t[0], (char)(sl->pair[k] >> 8), (char)(sl->pair[k] & 0xFF)};
            int dup = 0;
            for (uint32_t j = n; j > 0 && v[j - 1].slip == i && !dup; j--)
                dup = !memcmp(v[j - 1].key, key, 3);
            if (dup)
                continue;
            memcpy(v[n].key, key, 3);
            v[n].second = key[1] != t[1];
            v[n].slip = (uint16_t)i;
            n++;
        }
    }
    qsort(v, n, sizeof *v, txl_slipkey_cmp);
    int rc = -1;
    lx->sliplist = tx_new(&lx->a, (size_t)n * sizeof *lx->sliplist);
    lx->slipbucket = tx_new(&lx->a, ((size_t)n + 1) * sizeof *lx->slipbucket);
    lx->nsliplist = n;                       /* what both are freed as */
    if (lx->sliplist && lx->slipbucket) {
        rc = 0;
        for (uint32_t i = 0; i < n && !rc; i++) {
            if (i == 0 || memcmp(v[i - 1].key, v[i].key, 3)) {
                lx->slipbucket[lx->nslipbucket] = i;
                if (txw_put(&lx->slipkey, &lx->a, v[i].key, 3, (int32_t)lx->nslipbucket++))
                    rc = -1;
                uint32_t b = txl_bloom3(v[i].key);
                lx->slipbloom[b >> 6] |= (uint64_t)1 << (b & 63);
            }
            lx->sliplist[i] = v[i].slip;
        }
        lx->slipbucket[lx->nslipbucket] = n;
    }
    tx_free(&lx->a, v, cap * sizeof *v);
    return rc;
}

/* Patterns in order of expression, then of entry and part: duplicates side
** by side. */
static int txl_pat_cmp(const void *a, const void *b, void *lxp)
{
    const txl_pat *x = a, *y = b;
    const tx_lexicon *lx = lxp;
    if (x->regex != y->regex)
        return (int)x->regex - (int)y->regex;  /* the literals first */
    int c = strcmp(lx->pstr + x->expr, lx->pstr + y->expr);
    if (c)
        return c;
    if (x->entry != y->entry)
        return (int)x->entry - (int)y->entry;
    return (int)x->part - (int)y->part;
}

/* Whether prev's databases were compiled from exactly the expressions
** (and flags: literal or regex) lx is about to compile, in the same order:
** then they are the same databases. */
static int txl_same_input(const tx_lexicon *lx, const char *const *exprs, uint32_t nid,
                          const tx_lexicon *prev)
{
    if (!prev || !prev->ids || prev->nids != nid || prev->nlit != lx->nlit)
        return 0;
    for (uint32_t i = 0; i < nid; i++) {
        const txl_pat *p = &prev->pat[prev->ids[i].role];
        if (p->regex != (i >= lx->nlit) || strcmp(prev->pstr + p->expr, exprs[i]))
            return 0;
    }
    return 1;
}

/* A copy of a database (through txl_cur's hook): its serialized bytes read
** back. Much cheaper than compiling: two copies of its bytes. */
static hs_error_t txl_copy_db(const hs_database_t *from, hs_database_t **to)
{
    char *bytes = NULL;
    size_t n = 0;
    hs_error_t rc = hs_serialize_database(from, &bytes, &n);
    if (rc == HS_SUCCESS)
        rc = hs_deserialize_database(bytes, n, to);
    txl_unblock(bytes);
    return rc;
}

int txl_compile(tx_lexicon *lx, char *err, size_t errlen)
{
    return txl_compile_like(lx, NULL, err, errlen);
}

int txl_reused(const tx_lexicon *lx) { return lx->reused; }

int txl_compile_like(tx_lexicon *lx, const tx_lexicon *prev, char *err, size_t errlen)
{
    if (lx->ids)
        return 0;
    if (lx->npat == 0) {
        snprintf(err, errlen, "no words to read letters with");
        return -1;
    }
    /* one role per spelling, entry and part; one pattern per spelling */
    qsort_r(lx->pat, lx->npat, sizeof *lx->pat, txl_pat_cmp, lx);
    uint32_t k = 0;
    for (uint32_t i = 0; i < lx->npat; i++) {
        const txl_pat *p = &lx->pat[i];
        if (k > 0 && !strcmp(lx->pstr + lx->pat[k - 1].expr, lx->pstr + p->expr) &&
            lx->pat[k - 1].entry == p->entry && lx->pat[k - 1].part == p->part)
            continue;
        lx->pat[k++] = *p;
    }
    lx->npat = k;
    /* the slips, by the first three bytes a word slipped from them may start
    ** with: their own, the second and third swapped, the second or the third
    ** left out (the letter written second may be the term's third:
    ** "slevmords-") */
    lx->slipmin = UINT32_MAX;
    for (uint32_t i = 0; i < lx->nslip; i++)
        if (lx->slip[i].len < lx->slipmin)
            lx->slipmin = lx->slip[i].len;
    if (lx->nslip && txl_slip_index(lx)) {
        snprintf(err, errlen, "not enough memory");
        return -1;
    }

    const tx_alloc *a = &lx->a;
    const char **exprs = tx_new(a, (size_t)k * sizeof *exprs);
    unsigned *flags = tx_new(a, (size_t)k * sizeof *flags);
    unsigned *ids = tx_new(a, (size_t)k * sizeof *ids);
    uint32_t *first = tx_new(a, (size_t)k * sizeof *first);   /* each id's first pattern */
    lx->ids = tx_new(a, (size_t)k * sizeof *lx->ids);
    lx->roles = tx_new(a, (size_t)k * sizeof *lx->roles);
    lx->re = tx_new(a, (size_t)k * sizeof *lx->re);
    lx->nroles = k;                          /* what the three are freed as */
    int rc = -1;
    uint32_t nid = 0;
    if (!exprs || !flags || !ids || !first || !lx->ids || !lx->roles || !lx->re) {
        snprintf(err, errlen, "not enough memory");
        goto done;
    }
    memset(lx->re, 0, (size_t)k * sizeof *lx->re);
    size_t *lens = tx_new(a, (size_t)k * sizeof *lens);
    if (!lens) {
        snprintf(err, errlen, "not enough memory");
        goto done;
    }
    /* the literals first (txl_pat_cmp sorts them so), then the regexes */
    for (uint32_t i = 0; i < k; i++) {
        const txl_pat *p = &lx->pat[i];
        lx->roles[i] = (txl_role){p->entry, p->width, p->part, p->ending, p->inside};
        if (nid > 0 && !p->regex && !lx->pat[first[nid - 1]].regex &&
            !strcmp(exprs[nid - 1], lx->pstr + p->expr)) {
            lx->ids[nid - 1].nrole++;        /* the same literal: one more role */
            continue;
        }
        exprs[nid] = lx->pstr + p->expr;
        lens[nid] = strlen(exprs[nid]);
        /* a regex: reported once per letter where it may match */
        flags[nid] = p->regex ? HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH : 0;
        ids[nid] = nid;
        first[nid] = i;
        lx->ids[nid] = (txl_id){i, 1};
        nid++;
        if (!p->regex)
            lx->nlit = nid;
    }
    lx->nids = nid;
    hs_compile_error_t *ce = NULL;
    const tx_alloc *was = txl_cur;
    txl_cur = &lx->a;
    uint32_t base = 0;
    hs_error_t hr = HS_SUCCESS;
    if (txl_same_input(lx, exprs, nid, prev)) {
        /* the same words as the rule set this one replaces: its databases */
        if (prev->db)
            hr = txl_copy_db(prev->db, &lx->db);
        if (hr == HS_SUCCESS && prev->redb)
            hr = txl_copy_db(prev->redb, &lx->redb);
        lx->reused = hr == HS_SUCCESS;
    } else {
        if (lx->nlit)
            hr = hs_compile_lit_multi(exprs, flags, ids, lens, lx->nlit, HS_MODE_BLOCK, NULL,
                                      &lx->db, &ce);
        if (hr == HS_SUCCESS && nid > lx->nlit) {
            base = lx->nlit;
            hr = hs_compile_multi(exprs + base, flags + base, ids + base, nid - base,
                                  HS_MODE_BLOCK, NULL, &lx->redb, &ce);
        }
    }
    if (hr == HS_SUCCESS) {
        size_t sz = 0;
        if (lx->db)
            hs_database_size(lx->db, &lx->dbsize);
        if (lx->redb && hs_database_size(lx->redb, &sz) == HS_SUCCESS)
            lx->dbsize += sz;
    } else {
        int at = ce ? ce->expression : -1;
        if (at >= 0 && base + (uint32_t)at < nid)
            snprintf(err, errlen, "'%s': %s",
                     lx->str + lx->entry[lx->pat[first[base + at]].entry].source, ce->message);
        else if (ce)
            snprintf(err, errlen, "the word lists: %s", ce->message);
        else
            snprintf(err, errlen, hr == HS_NOMEM ? "not enough memory"
                                                 : "the word lists: not compiled");
        hs_free_compile_error(ce);
    }
    txl_cur = was;
    tx_free(a, lens, (size_t)k * sizeof *lens);
    if (hr != HS_SUCCESS)
        goto done;
    /* each regex's exact matcher, JIT-compiled */
    for (uint32_t i = 0; i < nid; i++) {
        const txl_pat *p = &lx->pat[first[i]];
        if (!p->regex)
            continue;
        int perr;
        PCRE2_SIZE poff;
        lx->re[i] = pcre2_compile((PCRE2_SPTR)exprs[i], PCRE2_ZERO_TERMINATED, 0, &perr, &poff,
                                  lx->cctx);
        if (!lx->re[i]) {
            snprintf(err, errlen, perr == PCRE2_ERROR_HEAP_FAILED ? "not enough memory"
                                  : "'%s': not compiled", lx->str + lx->entry[p->entry].source);
            goto done;
        }
        pcre2_jit_compile(lx->re[i], PCRE2_JIT_COMPLETE);   /* failing: pcre2_match runs */
        size_t sz = 0, jsz = 0;
        pcre2_pattern_info(lx->re[i], PCRE2_INFO_SIZE, &sz);
        pcre2_pattern_info(lx->re[i], PCRE2_INFO_JITSIZE, &jsz);
        lx->rebytes += sz + jsz;
    }
    rc = 0;
done:
    tx_free(a, exprs, (size_t)k * sizeof *exprs);
    tx_free(a, flags, (size_t)k * sizeof *flags);
    tx_free(a, ids, (size_t)k * sizeof *ids);
    tx_free(a, first, (size_t)k * sizeof *first);
    return rc;
}

void txl_free(tx_lexicon *lx)
{
    if (!lx)
        return;
    tx_alloc a = lx->a;
    if (lx->db || lx->redb) {
        const tx_alloc *prev = txl_cur;
        txl_cur = &lx->a;
        hs_free_database(lx->db);
        hs_free_database(lx->redb);
        txl_cur = prev;
    }
    if (lx->re) {
        for (uint32_t i = 0; i < lx->nids; i++)
            pcre2_code_free(lx->re[i]);
    }
    tx_free(&a, lx->re, (size_t)lx->nroles * sizeof *lx->re);
    pcre2_compile_context_free(lx->cctx);
    pcre2_general_context_free(lx->gctx);
    tx_free(&a, lx->key, (size_t)lx->capkey * sizeof *lx->key);
    tx_free(&a, lx->entry, (size_t)lx->capentry * sizeof *lx->entry);
    tx_free(&a, lx->str, lx->capstr);
    tx_free(&a, lx->except, (size_t)lx->capexcept * sizeof *lx->except);
    tx_free(&a, lx->pat, (size_t)lx->cappat * sizeof *lx->pat);
    tx_free(&a, lx->pstr, lx->cappstr);
    tx_free(&a, lx->slip, (size_t)lx->capslip * sizeof *lx->slip);
    tx_free(&a, lx->sliplist, (size_t)lx->nsliplist * sizeof *lx->sliplist);
    tx_free(&a, lx->slipbucket, ((size_t)lx->nsliplist + 1) * sizeof *lx->slipbucket);
    txw_free(&lx->slipkey, &a);
    tx_free(&a, lx->ids, (size_t)lx->nroles * sizeof *lx->ids);
    tx_free(&a, lx->roles, (size_t)lx->nroles * sizeof *lx->roles);
    tx_free(&a, lx->pw, (size_t)lx->cappw * sizeof *lx->pw);
    tx_free(&a, lx->ppairs, (size_t)lx->capppairs * sizeof *lx->ppairs);
    txw_free(&lx->infl, &a);
    for (int i = 0; i < TX_NTABLE; i++)
        txw_free(&lx->table[i], &a);
    for (int i = 0; i < TX_NWHY; i++)
        if (lx->tmpl[i])
            tx_free(&a, lx->tmpl[i], strlen(lx->tmpl[i]) + 1);
    tx_free(&a, lx, sizeof *lx);
}

uint32_t txl_nkeys(const tx_lexicon *lx) { return lx->nkey; }
const tx_key *txl_key_at(const tx_lexicon *lx, uint32_t id)
{
    return id < lx->nkey ? &lx->key[id] : NULL;
}
const tx_entry *txl_entry(const tx_lexicon *lx, uint32_t id)
{
    return id < lx->nentry ? &lx->entry[id] : NULL;
}
const char *txl_source(const tx_lexicon *lx, uint32_t id)
{
    return id < lx->nentry ? lx->str + lx->entry[id].source : NULL;
}
uint32_t txl_npatterns(const tx_lexicon *lx) { return lx->ids ? lx->nids : lx->npat; }

const char *txl_expression(const tx_lexicon *lx, uint32_t id, int *fixed, uint32_t *entry)
{
    if (!lx->ids || id >= lx->nids)
        return NULL;
    const txl_pat *p = &lx->pat[lx->ids[id].role];
    if (fixed)
        *fixed = !p->regex;
    if (entry)
        *entry = p->entry;
    return lx->pstr + p->expr;
}

size_t txl_bytes(const tx_lexicon *lx)
{
    size_t n = sizeof *lx + (size_t)lx->capkey * sizeof *lx->key +
               (size_t)lx->capentry * sizeof *lx->entry + lx->capstr + lx->cappstr +
               (size_t)lx->capexcept * sizeof *lx->except + (size_t)lx->cappat * sizeof *lx->pat +
               (size_t)lx->capslip * sizeof *lx->slip + (size_t)lx->cappw * sizeof *lx->pw +
               (size_t)lx->capppairs * sizeof *lx->ppairs +
               (size_t)lx->nroles * (sizeof *lx->ids + sizeof *lx->roles + sizeof *lx->re) +
               lx->dbsize + lx->rebytes +
               (size_t)lx->infl.cap * sizeof *lx->infl.slot;
    for (int i = 0; i < TX_NTABLE; i++)
        n += (size_t)lx->table[i].cap * sizeof *lx->table[i].slot;
    return n;
}

/* -------------------------------------------------------------- matching */

tx_matcher *txl_matcher_new(const tx_lexicon *lx, const tx_alloc *a)
{
    if (!lx->ids)
        return NULL;
    tx_matcher *m = tx_new(a, sizeof *m);
    if (!m)
        return NULL;
    memset(m, 0, sizeof *m);
    m->a = *a;
    m->lx = lx;
    const tx_alloc *prev = txl_cur;
    txl_cur = &m->a;
    hs_error_t rc = lx->db ? hs_alloc_scratch(lx->db, &m->scratch) : HS_SUCCESS;
    if (rc == HS_SUCCESS && lx->redb)
        rc = hs_alloc_scratch(lx->redb, &m->scratch);   /* one scratch for both */
    txl_cur = prev;
    m->gctx = pcre2_general_context_create(txl_p2_alloc, txl_p2_free, &m->a);
    m->mctx = m->gctx ? pcre2_match_context_create(m->gctx) : NULL;
    m->md = m->gctx ? pcre2_match_data_create(1, m->gctx) : NULL;
    if (rc != HS_SUCCESS || !m->mctx || !m->md) {
        txl_matcher_free(m);
        return NULL;
    }
    pcre2_set_match_limit(m->mctx, TXL_MATCH_LIMIT);
    return m;
}

void txl_matcher_free(tx_matcher *m)
{
    if (!m)
        return;
    tx_alloc a = m->a;
    const tx_alloc *prev = txl_cur;
    txl_cur = &m->a;
    hs_free_scratch(m->scratch);
    txl_cur = prev;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_general_context_free(m->gctx);
    tx_free(&a, m->pending, (size_t)m->cappending * sizeof *m->pending);
    tx_free(&a, m->tstart, (size_t)m->captstart * sizeof *m->tstart);
    tx_free(&a, m, sizeof *m);
}

typedef struct txl_ctx {
    tx_matcher *m;
    const tx_lexicon *lx;
    const tx_norm *n;
    const tx_segments *g;
    tx_hits *out;
    const tx_alloc *a;
    int oom;
} txl_ctx;

/* Whether the letters s[from..to) are an inflection (or none). */
static int txl_inflected(const tx_lexicon *lx, const unsigned char *s, uint32_t from, uint32_t to)
{
    return from == to ||
           (to - from <= lx->maxinfl && txw_get(&lx->infl, (const char *)s + from, to - from, 0));
}

static int txl_push(txl_ctx *c, uint32_t start, uint32_t end, uint32_t we, uint32_t e,
                    uint8_t cls, uint8_t hf)
{
    tx_hits *h = c->out;
    if (h->n == h->cap && tx_grow(c->a, (void **)&h->v, &h->cap, h->n + 1, sizeof *h->v))
        return -1;
    if (cls == TX_TERM)
        c->m->tstart[start >> 6] |= (uint64_t)1 << (start & 63);
    tx_hit *x = &h->v[h->n++];
    x->start = start;
    x->end = end;
    x->wend = we;
    x->entry = (uint16_t)e;
    x->cls = cls;
    x->flags = hf;
    return 0;
}

static int txl_phrase(txl_ctx *c, uint32_t e, uint32_t start, uint32_t end, uint32_t we);

/* Check a match of a word of entry e at [start, end) against its word
** start and ending rules; keep it as a hit (or a phrase's part) when it
** passes. 0 ok, -1 no memory. */
static int txl_accept(txl_ctx *c, uint32_t e, uint32_t start, uint32_t end, uint8_t hf,
                      uint8_t ending, uint8_t inside, uint8_t part)
{
    const tx_lexicon *lx = c->lx;
    const unsigned char *s = (const unsigned char *)c->n->s;
    /* most reports of a short word are inside another ("ven" in "forventet"):
    ** out first */
    int within_word = start > 0 && txn_isword(c->n, start - 1);
    if (within_word && !inside && !(lx->entry[e].flags & TX_F_ANYWHERE))
        return 0;
    const tx_entry *en = &lx->entry[e];
    uint32_t len = c->n->len;
    uint32_t we = txn_wend(c->n, end);       /* where the word holding the end ends */
    if (within_word && !(en->flags & TX_F_ANYWHERE)) {
        /* inside a word: only a compound's last part, then an inflection */
        if (!txn_letter(s[start - 1]) || !txl_inflected(lx, s, end, we))
            return 0;
        hf |= TX_H_INSIDE;
    } else if ((ending == TX_END_INFLECT && !txl_inflected(lx, s, end, we)) ||
               (ending == TX_END_WORD && we != end)) {
        return 0;
    }
    if (en->nexcept) {
        /* words that hold the term but are not it ("fangst" for "angst") */
        uint32_t ws = txn_wstart(c->n, start);
        for (uint32_t k = 0; k < en->nexcept; k++) {
            const char *x = lx->str + lx->except[en->except + k];
            size_t xn = strlen(x);
            if (ws + xn <= len && !memcmp(s + ws, x, xn) && ws + xn >= end)
                return 0;
        }
    }
    if ((en->flags & TX_F_UPPER) && !txn_caseblind(c->n))
        for (uint32_t i = start; i < end; i++)
            if (txn_letter(s[i]) && !txn_upper(c->n, i))
                return 0;
    if (part)
        return txl_phrase(c, e, start, end, we);
    return txl_push(c, start, end, we, e, en->cls, hf);
}

static int txl_on_match(unsigned int id, unsigned long long from, unsigned long long to,
                        unsigned int flags, void *ctxp)
{
    (void)flags;
    (void)from;
    txl_ctx *c = ctxp;
    const tx_lexicon *lx = c->lx;
    const txl_id *pi = &lx->ids[id];
    if (lx->re[id]) {
        /* a regex may match here: PCRE2 says where, after the scan */
        tx_matcher *m = c->m;
        if (tx_grow(c->a, (void **)&m->pending, &m->cappending, m->npending + 1,
                    sizeof *m->pending)) {
            c->oom = 1;
            return 1;
        }
        m->pending[m->npending++] = id;
        return 0;
    }
    uint32_t end = (uint32_t)to;
    for (uint32_t r = pi->role; r < pi->role + pi->nrole; r++) {
        const txl_role *ro = &lx->roles[r];
        if (txl_accept(c, ro->entry, end - ro->width, end, 0, ro->ending, ro->inside, ro->part)) {
            c->oom = 1;
            return 1;                        /* stops the scan */
        }
    }
    return 0;
}

/* The exact matches of a regex the prefilter reported, left to right. */
static int txl_confirm(txl_ctx *c, uint32_t id)
{
    tx_matcher *m = c->m;
    const txl_role *ro = &c->lx->roles[c->lx->ids[id].role];
    const pcre2_code *code = c->lx->re[id];
    PCRE2_SPTR s = (PCRE2_SPTR)c->n->s;
    PCRE2_SIZE len = c->n->len, start = 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    while (start < len) {
        int rc = pcre2_jit_match(code, s, len, start, 0, m->md, m->mctx);
        if (rc == PCRE2_ERROR_JIT_BADOPTION)
            rc = pcre2_match(code, s, len, start, PCRE2_NO_UTF_CHECK, m->md, m->mctx);
        if (rc < 0)
            return 0;                        /* none more (or the match limit: no match) */
        if (ov[1] > ov[0] && txl_accept(c, ro->entry, (uint32_t)ov[0], (uint32_t)ov[1], 0,
                                        ro->ending, ro->inside, 0))
            return -1;
        start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
    }
    return 0;
}

/* Whether a phrase's gap s[a..b) holds at most max words and nothing that
** ends a clause (a comma only when commas), and stays in one sentence. */
static int txl_gap(const txl_ctx *c, uint32_t a, uint32_t b, unsigned max, int commas)
{
    const unsigned char *s = (const unsigned char *)c->n->s;
    if (c->g && a > 0 && txs_sentence_at(c->g, a - 1) != txs_sentence_at(c->g, b))
        return 0;
    unsigned words = 0;
    for (uint32_t i = a; i < b;) {
        unsigned char ch = s[i];
        if (txn_word(ch)) {
            if (++words > max)
                return 0;
            while (i < b && txn_word(s[i]))
                i++;
            continue;
        }
        switch (ch) {
        case ' ': case '-': case '/': case ':': case '=': case '(': case ')': case '\'':
        case '"': case '&': case '.':
            break;
        case ',':
            if (!commas)
                return 0;
            break;
        default:
            return 0;
        }
        i++;
    }
    return 1;
}

/* Whether a spelling of part p of phrase entry en may start at s: its first
** two letters (s[len] is a NUL: "other"). */
static inline int txl_part_may(const tx_lexicon *lx, const tx_entry *en, int p, const char *s)
{
    if (!en->npw[p])
        return 0;
    unsigned k = txw_pair(s, 2);
    return (int)(lx->ppairs[lx->pw[en->pw[p]].pairs + k / 64] >> (k % 64)) & 1;
}

/* Where a spelling of part p of phrase entry en, as read at a word start
** ws, ends (its word's end, an ending let through); 0 when none fits. *mend
** gets where the spelling itself ends. */
static uint32_t txl_part_at(const txl_ctx *c, const tx_entry *en, int p, uint32_t ws,
                            uint32_t *mend)
{
    const tx_lexicon *lx = c->lx;
    const unsigned char *s = (const unsigned char *)c->n->s;
    uint32_t len = c->n->len;
    int ending = p + 1 == en->nparts ? en->ending : TX_END_INFLECT;
    if (!txl_part_may(lx, en, p, (const char *)s + ws))
        return 0;                            /* no spelling starts so */
    for (uint32_t w = en->pw[p]; w < en->pw[p] + en->npw[p]; w++) {
        const txl_pw *x = &lx->pw[w];
        const char *t = lx->str + x->text;
        /* the first two letters decide most: no call for them */
        if (ws + x->len > len || (unsigned char)t[0] != s[ws] ||
            (x->len > 1 && (unsigned char)t[1] != s[ws + 1]) || memcmp(s + ws, t, x->len))
            continue;
        uint32_t end = ws + x->len, we = txn_wend(c->n, end);
        if ((ending == TX_END_INFLECT && !txl_inflected(lx, s, end, we)) ||
            (ending == TX_END_WORD && we != end))
            continue;
        *mend = end;
        return we;
    }
    return 0;
}

/* The start of the word before pos, or UINT32_MAX when there is none. */
static uint32_t txl_word_back(const tx_norm *n, uint32_t pos)
{
    uint32_t i = txn_wlast(n, pos);
    return i == UINT32_MAX ? i : txn_wstart(n, i);
}

/* A phrase's anchor found at [start, end): read its other parts around it
** (before it, nearest first; then after it) and keep the phrase when all
** are there, each with at most within words from the one before. */
static int txl_phrase(txl_ctx *c, uint32_t e, uint32_t start, uint32_t end, uint32_t we)
{
    const tx_entry *en = &c->lx->entry[e];
    uint32_t len = c->n->len;
    int commas = (en->flags & TX_F_COMMAS) != 0;
    uint32_t first = start, last = end, lastw = we;
    for (int p = en->anchor - 1; p >= 0; p--) {
        /* word starts before first, nearest first, the gap growing */
        uint32_t found = UINT32_MAX, ws = first;
        for (unsigned k = 0; k < (unsigned)en->within[p] + en->words[p]; k++) {
            ws = txl_word_back(c->n, ws);
            if (ws == UINT32_MAX)
                break;
            if (!txl_part_may(c->lx, en, p, c->n->s + ws))
                continue;
            uint32_t mend, pwe = txl_part_at(c, en, p, ws, &mend);
            if (pwe && pwe <= first && txl_gap(c, pwe, first, en->within[p], commas)) {
                found = ws;
                break;
            }
        }
        if (found == UINT32_MAX)
            return 0;
        first = found;
    }
    for (int p = en->anchor + 1; p < en->nparts; p++) {
        uint32_t found = 0, ws = lastw;
        for (unsigned k = 0; k <= en->within[p - 1]; k++) {
            ws = txn_wnext(c->n, ws);
            if (ws >= len)
                break;
            uint32_t mend, pwe = txl_part_at(c, en, p, ws, &mend);
            if (pwe && txl_gap(c, lastw, ws, en->within[p - 1], commas)) {
                last = mend;
                found = pwe;
                break;
            }
            ws = txn_wend(c->n, ws);
        }
        if (!found)
            return 0;
        lastw = found;
    }
    return txl_push(c, first, last, lastw, e, en->cls, 0);
}

/* How many bytes of a term's spelling t, from i, form one letter: æ, ø, å
** fold to two ("ae", "oe", "aa"). */
static size_t txl_unit(const char *t, size_t i, size_t n)
{
    if (i + 1 < n && ((t[i] == 'a' && (t[i + 1] == 'e' || t[i + 1] == 'a')) ||
                      (t[i] == 'o' && t[i + 1] == 'e')))
        return 2;
    return 1;
}

/* Whether s (sn bytes of the letter from a word's start) begins with the
** term t (tn bytes) slipped once: one letter left out or two neighbouring
** letters swapped, the first letter as written. Returns how many bytes of
** s it takes, or 0. */
static size_t txl_slipped(const char *t, size_t tn, const char *s, size_t sn)
{
    size_t i = 0;
    while (i < tn && i < sn && t[i] == s[i])
        i++;
    if (i == tn || i == 0)
        return 0;                            /* as written (the scan has it), or a new start */
    /* back to the start of the letter the difference is in */
    if (i > 0 && txl_unit(t, i - 1, tn) == 2 && (i < 2 || txl_unit(t, i - 2, tn) == 1))
        i--;
    if (i == 0)
        return 0;
    size_t ua = txl_unit(t, i, tn);
    for (size_t u = 1; u <= ua; u++)         /* a letter left out */
        if (tn - u <= sn && !memcmp(s + i, t + i + u, tn - i - u))
            return tn - u;
    if (i + ua < tn && tn <= sn) {           /* two letters swapped */
        size_t ub = txl_unit(t, i + ua, tn);
        for (int k = 0; k < 2; k++) {
            size_t a = k ? 1 : ua, b = k ? 1 : ub;
            if (i + a + b <= tn && !memcmp(s + i, t + i + a, b) && !memcmp(s + i + b, t + i, a) &&
                !memcmp(s + i + a + b, t + i + a + b, tn - i - a - b))
                return tn;
        }
    }
    return 0;
}

/* Slips of long terms in the word at ws. 0 ok, -1 no memory. */
static int txl_slips_at(txl_ctx *c, uint32_t ws)
{
    const tx_lexicon *lx = c->lx;
    const char *s = c->n->s;
    uint32_t len = c->n->len, wl = txn_wend(c->n, ws) - ws;
    if (wl + 2 < lx->slipmin || !txn_letter((unsigned char)s[ws]))
        return 0;
    if (c->m->tstart[ws >> 6] >> (ws & 63) & 1)
        return 0;                            /* a term found as written starts here */
    uint32_t h = txl_bloom3(s + ws);
    if (!(lx->slipbloom[h >> 6] >> (h & 63) & 1))
        return 0;
    int32_t b = txw_get(&lx->slipkey, s + ws, 3, -1);
    if (b < 0)
        return 0;
    for (uint32_t q = lx->slipbucket[b]; q < lx->slipbucket[b + 1]; q++) {
        const txl_slip *sl = &lx->slip[lx->sliplist[q]];
        /* a word spelling needs a word at least one shorter than it */
        if (sl->len > (sl->word ? wl : len - ws) + 1)
            continue;
        size_t took = txl_slipped(lx->str + sl->text, sl->len, s + ws, len - ws);
        if (took && txl_accept(c, sl->entry, ws, ws + (uint32_t)took, TX_H_TYPO,
                               lx->entry[sl->entry].ending, 0, 0))
            return -1;
    }
    return 0;
}

/* Slips of long terms, at the start of each word long enough for one. */
static int txl_slips(txl_ctx *c)
{
    const tx_lexicon *lx = c->lx;
    if (!lx->nslip)
        return 0;
    uint32_t nw = c->n->len / 64 + 1;
    const uint64_t *wb = c->n->wbits;
    /* a slip is at least slipmin - 2 bytes of one word: the word starts
    ** that many word bytes follow, 64 places at a time */
    uint32_t need = lx->slipmin - 2 < 63 ? lx->slipmin - 2 : 63;
    for (uint32_t q = 0; q < nw; q++) {
        uint64_t x = wb[q] & ~((wb[q] << 1) | (q ? wb[q - 1] >> 63 : 0));
        for (uint32_t k = 1; k < need && x; k++)
            x &= (wb[q] >> k) | (q + 1 < nw ? wb[q + 1] << (64 - k) : 0);
        for (; x; x &= x - 1)
            if (txl_slips_at(c, (q << 6) + (uint32_t)__builtin_ctzll(x)))
                return -1;
    }
    return 0;
}

static int txl_hides(uint8_t outer, uint8_t inner)
{
    return (outer == TX_NOTNEG || outer == TX_SUSPICION) &&
           (inner == TX_NEG || inner == TX_POSTNEG || inner == TX_NEGVALUE);
}

int txl_match(tx_matcher *m, const tx_norm *n, const tx_segments *g, tx_hits *out)
{
    const tx_lexicon *lx = m->lx;
    out->n = 0;
    if (n->len == 0)
        return 0;
    txl_ctx c = {m, lx, n, g, out, &m->a, 0};
    m->npending = 0;
    uint32_t words = n->len / 64 + 1;
    if (tx_grow(&m->a, (void **)&m->tstart, &m->captstart, words, sizeof *m->tstart))
        return -1;
    memset(m->tstart, 0, words * sizeof *m->tstart);
    hs_error_t rc = lx->db ? hs_scan(lx->db, n->s, n->len, 0, m->scratch, txl_on_match, &c)
                           : HS_SUCCESS;
    if (rc == HS_SUCCESS && lx->redb)
        rc = hs_scan(lx->redb, n->s, n->len, 0, m->scratch, txl_on_match, &c);
    if (c.oom || (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED))
        return -1;
    for (uint32_t i = 0; i < m->npending; i++)
        if (txl_confirm(&c, m->pending[i]))
            return -1;
    if (txl_slips(&c))
        return -1;
    /* by start, the longest first (hits come nearly sorted: by end) */
    tx_hit *v = out->v;
    for (uint32_t i = 1; i < out->n; i++) {
        tx_hit x = v[i];
        uint32_t j = i;
        while (j > 0 && (v[j - 1].start > x.start ||
                         (v[j - 1].start == x.start && v[j - 1].end < x.end))) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    /* overlaps: a key's or a class's later overlapping hit goes, and so
    ** does a negation inside a suspicion or a "not a negation" phrase */
    uint32_t k = 0, maxend = 0;              /* the furthest end of the hits kept */
    for (uint32_t i = 0; i < out->n; i++) {
        const tx_hit *x = &v[i];
        const tx_entry *ex = &lx->entry[x->entry];
        int keep = 1;
        for (uint32_t j = maxend > x->start ? k : 0; j > 0 && keep; j--) {
            const tx_hit *y = &v[j - 1];
            if (y->start + TXL_MAX_SPAN < x->start)
                break;
            if (y->end <= x->start)
                continue;
            const tx_entry *ey = &lx->entry[y->entry];
            if (x->cls == TX_TERM && y->cls == TX_TERM) {
                if (ex->key == ey->key)
                    keep = 0;
            } else if (x->cls == y->cls && x->cls != TX_TERM) {
                keep = 0;
            } else if (txl_hides(y->cls, x->cls) && y->end >= x->end) {
                keep = 0;
            }
        }
        if (keep) {
            if (x->end > maxend)
                maxend = x->end;
            v[k++] = *x;
        }
    }
    out->n = k;
    return 0;
}

void txl_hits_free(tx_hits *h, const tx_alloc *a)
{
    tx_free(a, h->v, (size_t)h->cap * sizeof *h->v);
    memset(h, 0, sizeof *h);
}
