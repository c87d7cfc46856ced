/*
** text_segment.c — sentences, clauses and digit runs from the marks the
** normaliser noted (. ! ? , ; : line breaks, digit runs): the bytes between
** are not read again. A dot is looked at closely (number, token,
** abbreviation, ordinal); a line break followed by a small letter continues
** a wrapped sentence unless either line is a "label: value" line.
*/
#include "text_segment.h"

#include <string.h>

enum { TXS_NONE, TXS_DIGIT, TXS_DOT, TXS_BANG, TXS_COMMA, TXS_COLON };

static const unsigned char TXS_KIND[256] = {
    ['0'] = TXS_DIGIT, ['1'] = TXS_DIGIT, ['2'] = TXS_DIGIT, ['3'] = TXS_DIGIT,
    ['4'] = TXS_DIGIT, ['5'] = TXS_DIGIT, ['6'] = TXS_DIGIT, ['7'] = TXS_DIGIT,
    ['8'] = TXS_DIGIT, ['9'] = TXS_DIGIT, ['.'] = TXS_DOT,   ['!'] = TXS_BANG,
    ['?'] = TXS_BANG,  [','] = TXS_COMMA, [';'] = TXS_COMMA,
    [':'] = TXS_COLON,
};

typedef struct txs_state {
    tx_segments *g;
    const tx_alloc *a;
    uint32_t sst, cst;       /* where the open sentence and clause start */
} txs_state;

static int txs_clause(txs_state *st, uint32_t end)
{
    tx_segments *g = st->g;
    if (end > st->cst) {
        if (g->nclause == g->capclause &&
            tx_grow(st->a, (void **)&g->clause, &g->capclause, g->nclause + 1, sizeof *g->clause))
            return -1;
        g->clause[g->nclause].start = st->cst;
        g->clause[g->nclause].end = end;
        g->clause[g->nclause].sent = g->nsent;   /* the sentence being closed or open */
        g->nclause++;
    }
    return 0;
}

/* Close the open sentence at end (exclusive); the next starts at next. */
static int txs_close(txs_state *st, uint32_t end, uint32_t next, const unsigned char *s)
{
    tx_segments *g = st->g;
    uint32_t b = st->sst;
    while (b < end && s[b] == ' ')
        b++;
    while (end > b && s[end - 1] == ' ')
        end--;
    if (b < end) {
        if (g->nsent == g->capsent &&
            tx_grow(st->a, (void **)&g->sent, &g->capsent, g->nsent + 1, sizeof *g->sent))
            return -1;
        if (st->cst < b)
            st->cst = b;
        if (st->cst >= end && (g->nclause == 0 || g->clause[g->nclause - 1].sent != g->nsent))
            st->cst = b;                     /* every sentence has a clause (", ." has one) */
        if (txs_clause(st, end))
            return -1;
        uint32_t first = g->nclause - 1;
        while (first > 0 && g->clause[first - 1].sent == g->nsent)
            first--;
        g->sent[g->nsent].start = b;
        g->sent[g->nsent].end = end;
        g->sent[g->nsent].clause = first;
        g->nsent++;
    }
    st->sst = st->cst = next;
    return 0;
}

/* Whether the dot at s[i] ends its sentence. */
static int txs_dot_ends(const tx_segmenter *cfg, const tx_norm *n, uint32_t i, int blind)
{
    const unsigned char *s = (const unsigned char *)n->s;
    uint32_t len = n->len;
    unsigned prev = i > 0 ? s[i - 1] : ' ', next = i + 1 < len ? s[i + 1] : ' ';
    if (txn_word((unsigned char)next))
        return 0;                            /* inside a token: 4.3.2019, f.eks, bl.a */
    if (txn_letter((unsigned char)prev)) {   /* an abbreviation: "ca.", "f.eks." */
        /* both words looked up below end where the dot is: most words end
        ** as no abbreviation does */
        if (!txw_may_end(cfg->abbreviations, n->s, i))
            return 1;
        /* the token before the dot ("f.eks") or its last part after a dot;
        ** none longer than the longest abbreviation is one: no further back */
        uint32_t most = cfg->abbreviations->maxlen, lim = i > most ? i - most : 0;
        uint32_t w = i, seg = i;
        while (w > lim && (txn_letter(s[w - 1]) || s[w - 1] == '.')) {
            w--;
            if (s[w] == '.' && seg == i)
                seg = w + 1;
        }
        int whole = w == 0 || !(txn_letter(s[w - 1]) || s[w - 1] == '.');
        if ((whole && txw_get(cfg->abbreviations, n->s + w, i - w, 0)) ||
            (seg < i && txw_get(cfg->abbreviations, n->s + seg, i - seg, 0)))
            return 0;
        return 1;
    }
    if (txn_digit((unsigned char)prev)) {    /* an ordinal: "8. klasse", "9. september" */
        uint32_t j = i + 1;
        while (j < len && s[j] == ' ')
            j++;
        if (j >= len || !txn_letter(s[j]))
            return 1;
        uint32_t k = j;
        while (k < len && txn_letter(s[k]))
            k++;
        if (txw_get(cfg->months, n->s + j, k - j, 0))
            return 0;
        if (!blind && !txn_upper(n, j))
            return 0;
        return 1;
    }
    return 1;
}

/* Whether the line break at s[i] (mark m) only wraps a sentence: a small
** letter goes on, and neither line reads "label: value". */
static int txs_wraps(const tx_norm *n, uint32_t m, uint32_t i, int colon_in_line, int blind)
{
    const unsigned char *s = (const unsigned char *)n->s;
    if (blind || colon_in_line || i + 1 >= n->len || !txn_letter(s[i + 1]) || txn_upper(n, i + 1))
        return 0;
    uint32_t lim = n->len;                   /* the next line ends at the next break */
    for (uint32_t k = m + 1; k < n->nmark; k++)
        if (n->mark[k] & TX_NL) {
            lim = TX_MARK_AT(n->mark[k]);
            break;
        }
    return memchr(n->s + i + 1, ':', lim - i - 1) == NULL;
}

int txs_run(tx_segments *g, const tx_segmenter *cfg, const tx_norm *n, const char *text,
            const tx_alloc *a)
{
    (void)text;
    g->nsent = g->nclause = g->nnum = g->ncolon = 0;
    txs_state st = {g, a, 0, 0};
    const unsigned char *s = (const unsigned char *)n->s;
    uint32_t len = n->len;
    int blind = txn_caseblind(n), colon = 0;
    /* only the marks the normaliser noted: . ! ? , ; : line breaks, digit runs */
    for (uint32_t m = 0; m < n->nmark; m++) {
        uint32_t i = TX_MARK_AT(n->mark[m]);
        g->ncolon += s[i] == ':';
        if (i < st.sst)
            continue;                        /* inside a sentence end already taken */
        if (n->mark[m] & TX_NL) {
            if (cfg->wrapped_lines && txs_wraps(n, m, i, colon, blind))
                continue;
            if (txs_close(&st, i, i + 1, s))
                return -1;
            colon = 0;
            continue;
        }
        switch (TXS_KIND[s[i]]) {
        case TXS_NONE:
            continue;
        case TXS_DIGIT: {
            uint32_t j = i;
            uint64_t v = 0;
            while (j < len && txn_digit(s[j])) {
                if (v < 1000000000u)
                    v = v * 10 + (uint64_t)(s[j] - '0');
                j++;
            }
            if (g->nnum == g->capnum &&
                tx_grow(a, (void **)&g->num, &g->capnum, g->nnum + 1, sizeof *g->num))
                return -1;
            g->num[g->nnum].start = i;
            g->num[g->nnum].end = j;
            g->num[g->nnum].value = v > 999999999u ? 999999999u : (uint32_t)v;
            g->nnum++;
            continue;
        }
        case TXS_COLON:
            colon = 1;
            continue;
        case TXS_COMMA:
            if (s[i] == ',' && i > 0 && i + 1 < len && txn_digit(s[i - 1]) && txn_digit(s[i + 1]))
                continue;                    /* a decimal comma: 39,5 kg */
            if (txs_clause(&st, i))
                return -1;
            st.cst = i + 1 < len && s[i + 1] == ' ' ? i + 2 : i + 1;
            continue;
        case TXS_DOT:
            if (!txs_dot_ends(cfg, n, i, blind))
                continue;
            /* fall through */
        case TXS_BANG: {
            uint32_t e = i + 1;
            while (e < len && (s[e] == '.' || s[e] == '!' || s[e] == '?' || s[e] == '"' ||
                               s[e] == '\'' || s[e] == ')'))
                e++;
            uint32_t next = e;
            while (next < len && s[next] == ' ')
                next++;
            if (txs_close(&st, e, next, s))
                return -1;
            colon = 0;
            continue;
        }
        }
    }
    return txs_close(&st, len, len, s);
}

void txs_free(tx_segments *g, const tx_alloc *a)
{
    tx_free(a, g->sent, (size_t)g->capsent * sizeof *g->sent);
    tx_free(a, g->clause, (size_t)g->capclause * sizeof *g->clause);
    tx_free(a, g->num, (size_t)g->capnum * sizeof *g->num);
    memset(g, 0, sizeof *g);
}

/* The last of n records (stride bytes apart, each starting with its start
** offset) that starts at or before pos; 0 when none does. */
static uint32_t txs_last_at(const void *v, size_t stride, uint32_t n, uint32_t pos)
{
    const unsigned char *b = v;
    uint32_t lo = 0, hi = n;                /* first record starting after pos */
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2, start;
        memcpy(&start, b + (size_t)mid * stride, sizeof start);
        if (start <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

uint32_t txs_sentence_at(const tx_segments *g, uint32_t pos)
{
    return txs_last_at(g->sent, sizeof *g->sent, g->nsent, pos);
}

int txs_same_sentence(const tx_segments *g, uint32_t x, uint32_t y)
{
    /* no sentence starts in (x, y]; before the second, all is the first's */
    uint32_t t = txs_sentence_at(g, y);
    return t == 0 || g->sent[t].start <= x;
}

uint32_t txs_clause_at(const tx_segments *g, uint32_t pos)
{
    return txs_last_at(g->clause, sizeof *g->clause, g->nclause, pos);
}
