/*
** text_lexicon_match.c — a normalised letter read with the lexicon: one
** Vectorscan pass; at each hit word starts, endings and compound ends are
** checked, a phrase's other parts read around its anchor, a regex confirmed
** by PCRE2; then a long term's slips at each long word, and overlaps resolved.
*/
#include "text_lexicon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    /* the scan copy is one byte ahead of the letter (its leading space) */
    uint32_t end = (uint32_t)to - 1, w = lx->roles[pi->role].width;
    if (pi->verify && (to <= w || memcmp(c->n->s + end - w, lx->pstr + lx->pat[pi->role].expr, w)))
        return 0;                            /* other bytes than the literal's, made spaces */
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
    if (c->g && a > 0 && !txs_same_sentence(c->g, a - 1, b))
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
    /* the first two letters decide most: one compare, no call for them
    ** (s[ws + 1] is there: the text ends with a NUL) */
    unsigned h2 = s[ws] | (unsigned)s[ws + 1] << 8;
    for (uint32_t w = en->pw[p]; w < en->pw[p] + en->npw[p]; w++) {
        const txl_pw *x = &lx->pw[w];
        if ((x->len > 1 ? h2 : h2 & 0xFF) != x->head || ws + x->len > len ||
            (x->len > 2 && memcmp(s + ws + 2, lx->str + x->text + 2, x->len - 2u)))
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

/* The start of the word before pos, or UINT32_MAX when there is none: the
** last word bit before pos whose bit before it is clear. */
static uint32_t txl_word_back(const tx_norm *n, uint32_t pos)
{
    const uint64_t *wb = n->wbits;
    for (uint32_t i = pos; i > 0;) {
        uint32_t q = (i - 1) >> 6;
        uint64_t x = wb[q] & ~((wb[q] << 1) | (q ? wb[q - 1] >> 63 : 0)) & txn_upto((i - 1) & 63);
        if (x)
            return (q << 6) + 63 - (uint32_t)__builtin_clzll(x);
        i = q << 6;
    }
    return UINT32_MAX;
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
static inline size_t txl_unit(const char *t, size_t i, size_t n)
{
    if (i + 1 < n && ((t[i] == 'a' && (t[i + 1] == 'e' || t[i + 1] == 'a')) ||
                      (t[i] == 'o' && t[i + 1] == 'e')))
        return 2;
    return 1;
}

/* Whether a[0..n) and b[0..n) are the same: most differ at their first
** byte, where a loop knows it sooner than a call to memcmp. */
static inline int txl_same(const char *a, const char *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (a[k] != b[k])
            return 0;
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
        if (tn - u <= sn && txl_same(s + i, t + i + u, tn - i - u))
            return tn - u;
    if (i + ua < tn && tn <= sn) {           /* two letters swapped */
        size_t ub = txl_unit(t, i + ua, tn);
        for (int k = 0; k < 2; k++) {
            size_t a = k ? 1 : ua, b = k ? 1 : ub;
            if (i + a + b <= tn && txl_same(s + i, t + i + a, b) && txl_same(s + i + b, t + i, a) &&
                txl_same(s + i + a + b, t + i + a + b, tn - i - a - b))
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
    ** that many word bytes follow, 64 places at a time (bit i of lo: the
    ** have bytes from i on are word bytes, hi the same for the next 64;
    ** have doubles) */
    uint32_t need = lx->slipmin - 2 < 63 ? lx->slipmin - 2 : 63;
    for (uint32_t q = 0; q < nw; q++) {
        uint64_t x = wb[q] & ~((wb[q] << 1) | (q ? wb[q - 1] >> 63 : 0));
        if (!x)
            continue;
        uint64_t lo = wb[q], hi = q + 1 < nw ? wb[q + 1] : 0;
        for (uint32_t have = 1; have < need;) {
            uint32_t sh = have < need - have ? have : need - have;
            lo &= (lo >> sh) | (hi << (64 - sh));
            hi &= hi >> sh;
            have += sh;
        }
        for (x &= lo; x; x &= x - 1)
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
    hs_error_t rc = HS_SUCCESS;
    if (lx->db)
        rc = hs_scan(lx->db, n->scan, n->len + 1, 0, m->scratch, txl_on_match, &c);
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
