/*
** text_lexicon_add.c — declaring the lexicon's words (txl_add): every word
** becomes literals of the Vectorscan literal database, with its hyphen
** spellings; a phrase is looked for by its anchor part, the others kept to be
** read around it; a long term's spelling is kept for the slip check; a data
** regex is checked by both engines and kept for Vectorscan's prefilter mode.
*/
#include "text_lexicon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* txl_add's error when an allocation failed: -1. */
static int txl_oom(char *err, size_t errlen)
{
    snprintf(err, errlen, "not enough memory");
    return -1;
}

/* The words that are not entry en (d->except), folded. */
static int txl_add_excepts(tx_lexicon *lx, tx_entry *en, const tx_decl *d, char *err,
                           size_t errlen)
{
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
            return txl_oom(err, errlen);
        lx->nexcept++;
    }
    en->nexcept = lx->nexcept - en->except;
    return 0;
}

/* A phrase's anchor: the part the data names, else the part of longest
** words (the longest shortest word; the last of equals). -1: a part
** without words. */
static int txl_anchor(const tx_decl *d)
{
    int best = -1, anchor = 0;
    for (int p = 0; p < d->nparts; p++) {
        if (d->anchor >= 0 && d->anchor < d->nparts) {
            anchor = d->anchor;
            break;
        }
        if (!d->part[p].n)
            return -1;
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
    return anchor;
}

/* Part p of entry en, read around its anchor: the first letters and the
** first two letters its spellings start with, and the most words one has.
** 0 ok, -1 no memory. */
static int txl_part_pairs(tx_lexicon *lx, tx_entry *en, int p)
{
    uint32_t pb = lx->nppairs;
    if (en->npw[p]) {
        if (tx_grow(&lx->a, (void **)&lx->ppairs, &lx->capppairs, pb + TXL_PAIRS,
                    sizeof *lx->ppairs))
            return -1;
        memset(lx->ppairs + pb, 0, TXL_PAIRS * sizeof *lx->ppairs);
        lx->nppairs += TXL_PAIRS;
    }
    for (uint32_t w = en->pw[p]; w < lx->npw; w++) {
        const char *t = lx->str + lx->pw[w].text;
        en->first[p] |= txl_letter_bit((unsigned char)t[0]);
        lx->pw[w].pairs = pb;
        lx->pw[w].head = (uint16_t)((unsigned char)t[0] |
                                    (lx->pw[w].len > 1 ? (unsigned char)t[1] << 8 : 0));
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
    return 0;
}

/* A phrase: the part of longest words is its anchor, looked for by the
** matcher; the others are kept to be read around it. Inner parts run on
** with an inflection, the last as the entry says. */
static int txl_add_phrase(tx_lexicon *lx, tx_entry *en, const tx_decl *d, txl_pat *like,
                          char *err, size_t errlen)
{
    en->flags |= TX_F_PHRASE | (d->commas ? TX_F_COMMAS : 0);
    en->nparts = (uint8_t)d->nparts;
    for (int p = 0; p + 1 < d->nparts; p++)
        en->within[p] = (uint8_t)(d->within[p] < 0 ? 0 : d->within[p] > 30 ? 30 : d->within[p]);
    int anchor = txl_anchor(d);
    if (anchor < 0) {
        snprintf(err, errlen, "a phrase part without words");
        return -1;
    }
    en->anchor = (uint8_t)anchor;
    for (int p = 0; p < d->nparts; p++) {
        en->pw[p] = lx->npw;
        for (size_t w = 0; w < d->part[p].n; w++) {
            const char *word = d->part[p].words[w];
            like->part = (uint8_t)(p + 1);
            like->ending = p + 1 == d->nparts ? en->ending : TX_END_INFLECT;
            like->inside = d->inside > 0 && txl_letters(word) >= lx->compound_end;
            int rc = p == anchor ? txl_spelled(lx, word, strlen(word), like)
                                 : txl_part_word(lx, word);
            if (rc == -2) {
                snprintf(err, errlen, "word too long: %s", word);
                return -1;
            }
            if (rc)
                return txl_oom(err, errlen);
        }
        en->npw[p] = (uint16_t)(lx->npw - en->pw[p]);
        if (txl_part_pairs(lx, en, p))
            return txl_oom(err, errlen);
    }
    return 0;
}

/* A literal, entry e; capitals only (two letters or more) make it an
** abbreviation: a whole word (an ending only after "-" or "'"), never a
** compound's end. */
static int txl_add_literal(tx_lexicon *lx, tx_entry *en, uint32_t e, const tx_decl *d,
                           const char *src, txl_pat *like, char *err, size_t errlen)
{
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
    like->ending = en->ending;
    like->inside = inside && !abbr;
    int rc = txl_spelled(lx, src, strlen(src), like);
    if (rc == -2) {
        snprintf(err, errlen, "word too long: %s", src);
        return -1;
    }
    if (rc || (typo && txl_add_slip(lx, src, e)))
        return txl_oom(err, errlen);
    return 0;
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
        return txl_oom(err, errlen);
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
        return txl_oom(err, errlen);
    if (txl_add_excepts(lx, en, d, err, errlen))
        return -1;
    txl_pat like = {0, (uint16_t)e, 0, 0, 0, en->ending, 0};
    int rc;
    if (d->regex) {
        like.inside = d->inside > 0;
        rc = txl_regex(lx, d->regex, &like, err, errlen);
    } else if (d->nparts) {
        rc = txl_add_phrase(lx, en, d, &like, err, errlen);
    } else {
        rc = txl_add_literal(lx, en, e, d, src, &like, err, errlen);
    }
    if (rc)
        return -1;
    if (d->cls == TX_TERM && (uint32_t)d->key < lx->nkey)
        lx->key[d->key].nentries++;
    lx->nentry++;
    return 0;
}
