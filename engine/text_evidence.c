/*
** text_evidence.c — one letter through every step, then each key's verdict:
** counted when any mention counts, otherwise why its first mention did not;
** a key with a history limit ("suicide_attempt": 3 months) is history when
** every counted mention's sentence dates it before that. Explanations are
** the data's templates with the cue word as the letter writes it.
*/
#include "text_evidence.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

struct tx_reader {
    tx_alloc a;
    const tx_lexicon *lx;
    tx_matcher *m;
    tx_norm norm;
    tx_segments seg;
    tx_hits hits;
    tx_scope scope;
    tx_dates dates;
    tx_measures meas;
    tx_keyev *key;
    uint32_t nkey;
    tx_evidence ev;
    /* the keys a letter's verdicts need more than their mentions for, listed
    ** once per reader: keys[0 .. nhist) with a history limit, then
    ** [nhist .. nhist + nsame) with same_as, then the rest: IQ keys */
    uint16_t *special;
    uint32_t nhist, nsame, niq;
    tx_keyev *blank;            /* every key with no mention */
    uint16_t *touched;          /* the keys not blank now (ev.touched), each once */
    uint32_t ntouched;
};

tx_reader *txe_new(const tx_lexicon *lx, const tx_alloc *a)
{
    tx_reader *r = tx_new(a, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->a = *a;
    r->lx = lx;
    r->nkey = txl_nkeys(lx);
    r->m = txl_matcher_new(lx, &r->a);
    size_t nk = r->nkey ? r->nkey : 1;
    r->key = tx_new(&r->a, nk * sizeof *r->key);
    r->blank = tx_new(&r->a, nk * sizeof *r->blank);
    r->special = tx_new(&r->a, nk * 3 * sizeof *r->special);
    r->touched = tx_new(&r->a, nk * sizeof *r->touched);
    if (!r->m || !r->key || !r->blank || !r->special || !r->touched) {
        txe_free(r);
        return NULL;
    }
    memset(r->blank, 0, nk * sizeof *r->blank);
    for (uint32_t k = 0; k < r->nkey; k++) {
        const tx_key *key = txl_key_at(lx, k);
        r->blank[k].mention = -1;
        r->blank[k].date = DT_NONE;
        if (key->history_months)
            r->special[r->nhist++] = (uint16_t)k;
    }
    for (uint32_t k = 0; k < r->nkey; k++) {
        int16_t as = txl_key_at(lx, k)->same_as;
        if (as >= 0 && (uint32_t)as < r->nkey && as != (int16_t)k)
            r->special[r->nhist + r->nsame++] = (uint16_t)k;
    }
    for (uint32_t k = 0; k < r->nkey; k++)
        if (txl_key_at(lx, k)->from_iq)
            r->special[r->nhist + r->nsame + r->niq++] = (uint16_t)k;
    memcpy(r->key, r->blank, nk * sizeof *r->key);
    return r;
}

void txe_free(tx_reader *r)
{
    if (!r)
        return;
    tx_alloc a = r->a;
    txl_matcher_free(r->m);
    txn_free(&r->norm, &a);
    txs_free(&r->seg, &a);
    txl_hits_free(&r->hits, &a);
    txc_free(&r->scope, &a);
    txd_free(&r->dates, &a);
    txm_free(&r->meas, &a);
    size_t nk = r->nkey ? r->nkey : 1;
    tx_free(&a, r->key, nk * sizeof *r->key);
    tx_free(&a, r->blank, nk * sizeof *r->blank);
    tx_free(&a, r->special, nk * 3 * sizeof *r->special);
    tx_free(&a, r->touched, nk * sizeof *r->touched);
    tx_free(&a, r, sizeof *r);
}

/* Whether every date in mention m's sentence is before limit (and it has one). */
static int txe_all_before(const tx_reader *r, const tx_mention *m, int32_t limit, int32_t *newest)
{
    int dated = 0;
    for (uint32_t i = 0; i < r->dates.n; i++) {
        const tx_date *d = &r->dates.v[i];
        if (d->sent != m->sent)
            continue;
        if (d->day >= limit)
            return 0;
        dated = 1;
        if (*newest == DT_NONE || d->day > *newest)
            *newest = d->day;
    }
    return dated;
}

static int txe_counts(uint8_t why) { return why == TX_WHY_COUNTED || why == TX_WHY_SUSPECTED; }

/* a stated IQ is a mention of the keys it is evidence of ("IQ 62" is a
** cognitive assessment's result) */
static int txe_iq_mentions(tx_reader *r)
{
    const tx_alloc *a = &r->a;
    const tx_somatic *sm = &r->meas.sum;
    const uint16_t *iqkeys = r->special + r->nhist + r->nsame;
    for (uint32_t q = 0; q < r->niq && sm->has_iq; q++) {
        uint32_t k = iqkeys[q];
        for (uint32_t i = 0; i < r->meas.n; i++) {
            const tx_measure *x = &r->meas.v[i];
            if (x->kind != TX_MK_IQ || x->other)
                continue;
            if (tx_grow(a, (void **)&r->scope.m, &r->scope.capm, r->scope.nm + 1,
                        sizeof *r->scope.m))
                return -1;
            tx_mention *m = &r->scope.m[r->scope.nm++];
            memset(m, 0, sizeof *m);
            m->start = x->start;
            m->end = x->end;
            m->key = (uint16_t)k;
            m->hit = UINT32_MAX;
            m->sent = x->sent;
            m->clause = txs_clause_at(&r->seg, x->start);
            m->why = TX_WHY_COUNTED;
            m->cue = m->suspicion = m->date = -1;
        }
    }
    return 0;
}

/* each mention: its original bytes and the date nearest it in its sentence */
static void txe_mention_dates(tx_reader *r)
{
    for (uint32_t i = 0; i < r->scope.nm; i++) {
        tx_mention *m = &r->scope.m[i];
        tx_span o = txn_orig(&r->norm, m->start, m->end);
        m->ostart = o.start;
        m->oend = o.end;
        uint32_t best = UINT32_MAX;
        for (uint32_t j = 0; j < r->dates.n; j++) {
            const tx_date *d = &r->dates.v[j];
            if (d->sent != m->sent)
                continue;
            uint32_t dist = d->end <= m->start ? m->start - d->end
                            : d->start >= m->end ? d->start - m->end : 0;
            if (dist < best) {
                best = dist;
                m->date = (int32_t)j;
            }
        }
    }
}

/* each key: from its mentions, then those with a history limit (counted only
** if a mention is recent), then those the same as another key */
static void txe_keys(tx_reader *r, int32_t received)
{
    const tx_lexicon *lx = r->lx;
    /* only the keys the last letter touched are not blank: they go back */
    for (uint32_t q = 0; q < r->ntouched; q++)
        r->key[r->touched[q]] = r->blank[r->touched[q]];
    r->ntouched = 0;
    for (uint32_t i = 0; i < r->scope.nm; i++) {
        const tx_mention *m = &r->scope.m[i];
        tx_keyev *kv = &r->key[m->key];
        if (kv->nmention++ == 0)
            r->touched[r->ntouched++] = m->key;
        if (txe_counts(m->why)) {
            if (!kv->counted || (kv->why == TX_WHY_SUSPECTED && m->why == TX_WHY_COUNTED) ||
                (kv->typo && !(m->flags & TX_H_TYPO))) {
                kv->why = m->why;
                kv->mention = (int32_t)i;
                kv->typo = (m->flags & TX_H_TYPO) != 0;
            }
            kv->counted = 1;
            if (m->date >= 0) {
                int32_t day = r->dates.v[m->date].day;
                if (kv->date == DT_NONE || day > kv->date)
                    kv->date = day;
            }
        } else if (kv->mention < 0) {
            kv->why = m->why;
            kv->mention = (int32_t)i;
        }
    }
    for (uint32_t q = 0; q < r->nhist; q++) {
        uint32_t k = r->special[q];
        const tx_key *key = txl_key_at(lx, k);
        tx_keyev *kv = &r->key[k];
        if (!kv->counted)
            continue;
        int32_t limit = dt_add_months(received, -(int)key->history_months), newest = DT_NONE;
        int past = 1;
        for (uint32_t i = 0; i < r->scope.nm && past; i++) {
            const tx_mention *m = &r->scope.m[i];
            if (m->key == k && txe_counts(m->why) && !txe_all_before(r, m, limit, &newest))
                past = 0;
        }
        if (past) {
            kv->counted = 0;
            kv->why = TX_WHY_HISTORY;
            kv->when = TX_WHEN_PAST;
            kv->date = newest;
        } else {
            kv->when = TX_WHEN_CURRENT;
        }
    }
    for (uint32_t q = 0; q < r->nsame; q++) {
        uint32_t k = r->special[r->nhist + q];
        const tx_keyev *as = &r->key[txl_key_at(lx, k)->same_as];
        if (r->key[k].nmention == 0 && as->nmention > 0)
            r->touched[r->ntouched++] = (uint16_t)k;     /* blank before, not now */
        r->key[k] = *as;
    }
}

const tx_evidence *txe_read(tx_reader *r, const char *text, size_t len, int32_t received)
{
    const tx_alloc *a = &r->a;
    const tx_lexicon *lx = r->lx;
    tx_segmenter cfg = {txl_table_c(lx, TX_T_ABBREV), txl_table_c(lx, TX_T_MONTH), txl_wraps(lx)};
    if (txn_run(&r->norm, text, len, a) || txs_run(&r->seg, &cfg, &r->norm, text, a) ||
        txl_match(r->m, &r->norm, &r->seg, &r->hits) ||
        txc_run(&r->scope, lx, &r->norm, &r->seg, &r->hits, a) ||
        txd_run(&r->dates, lx, &r->norm, &r->seg, &r->hits, received, a) ||
        txm_run(&r->meas, lx, &r->norm, &r->seg, &r->hits, &r->dates, &r->scope, a))
        return NULL;
    if (txe_iq_mentions(r))
        return NULL;
    txe_mention_dates(r);
    txe_keys(r, received);

    tx_evidence *ev = &r->ev;
    ev->text = text;
    ev->len = (uint32_t)len;
    ev->received = received;
    ev->key = r->key;
    ev->nkey = r->nkey;
    ev->touched = r->touched;
    ev->ntouched = r->ntouched;
    ev->mention = r->scope.m;
    ev->nmention = r->scope.nm;
    ev->date = r->dates.v;
    ev->ndate = r->dates.n;
    ev->measure = r->meas.v;
    ev->nmeasure = r->meas.n;
    ev->somatic = &r->meas.sum;
    ev->sentence = r->seg.sent;
    ev->nsentence = r->seg.nsent;
    return ev;
}

tx_span txe_orig(const tx_reader *r, uint32_t start, uint32_t end)
{
    return txn_orig(&r->norm, start, end);
}

/* The letter's bytes o, in lower case, into buf. */
static size_t txe_lower(const tx_reader *r, tx_span o, char *buf, size_t cap)
{
    const unsigned char *t = (const unsigned char *)r->ev.text;
    size_t k = 0;
    for (uint32_t i = o.start; i < o.end && k + 1 < cap; i++) {
        unsigned char c = t[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        else if (i > o.start && t[i - 1] == 0xC3 && c >= 0x80 && c < 0x9F && c != 0x97)
            c = (unsigned char)(c + 0x20);   /* Æ Ø Å ... */
        buf[k++] = (char)(c == '\n' ? ' ' : c);
    }
    if (k > 0 && (buf[k - 1] & 0xC0) == 0xC0)
        k--;                                 /* never half a character */
    buf[k] = 0;
    return k;
}

size_t txe_cue(const tx_reader *r, int32_t h, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    buf[0] = 0;
    if (h < 0 || (uint32_t)h >= r->hits.n)
        return 0;
    const tx_hit *x = &r->hits.v[h];
    return txe_lower(r, txn_orig(&r->norm, x->start, x->wend), buf, cap);
}

/* Put template tmpl into buf with {cue}, {term}, {date} and {months} filled in. */
static size_t txe_fill(const char *tmpl, const char *cue, const char *term, int32_t date,
                       int months, char *buf, size_t cap)
{
    size_t k = 0;
    char day[11] = "";
    if (date != DT_NONE)
        dt_format(date, day);
    for (const char *p = tmpl; p && *p;) {
        const char *put = NULL;
        char num[16];
        size_t skip = 0;
        if (!strncmp(p, "{cue}", 5))
            put = cue, skip = 5;
        else if (!strncmp(p, "{term}", 6))
            put = term, skip = 6;
        else if (!strncmp(p, "{date}", 6))
            put = day, skip = 6;
        else if (!strncmp(p, "{months}", 8))
            snprintf(num, sizeof num, "%d", months), put = num, skip = 8;
        if (put) {
            for (; *put; put++, k++)
                if (k + 1 < cap)
                    buf[k] = *put;
            p += skip;
        } else {
            if (k + 1 < cap)
                buf[k] = *p;
            k++;
            p++;
        }
    }
    if (cap)
        buf[k < cap ? k : cap - 1] = 0;
    return k;
}

/* No explanation: an empty text. */
static size_t txe_none(char *buf, size_t cap)
{
    if (cap)
        buf[0] = 0;
    return 0;
}

size_t txe_explain(const tx_reader *r, uint32_t i, char *buf, size_t cap)
{
    if (i >= r->scope.nm)
        return txe_none(buf, cap);
    const tx_mention *m = &r->scope.m[i];
    char cue[96], term[160];
    txe_cue(r, m->why == TX_WHY_SUSPECTED ? m->suspicion : m->cue, cue, sizeof cue);
    txe_lower(r, (tx_span){m->ostart, m->oend}, term, sizeof term);
    const tx_key *k = txl_key_at(r->lx, m->key);
    return txe_fill(txl_template_of(r->lx, (enum tx_why)m->why), cue, term,
                    m->date >= 0 ? r->dates.v[m->date].day : DT_NONE, k->history_months, buf,
                    cap);
}

size_t txe_explain_key(const tx_reader *r, uint32_t k, char *buf, size_t cap)
{
    if (k >= r->nkey || r->key[k].mention < 0)
        return txe_none(buf, cap);
    const tx_keyev *kv = &r->key[k];
    if (kv->why == TX_WHY_HISTORY)
        return txe_fill(txl_template_of(r->lx, TX_WHY_HISTORY), "", "", kv->date,
                        txl_key_at(r->lx, k)->history_months, buf, cap);
    return txe_explain(r, (uint32_t)kv->mention, buf, cap);
}

size_t txe_explain_measure(const tx_reader *r, uint32_t i, char *buf, size_t cap)
{
    if (i >= r->meas.n)
        return txe_none(buf, cap);
    const tx_measure *x = &r->meas.v[i];
    char term[160];
    txe_lower(r, txn_orig(&r->norm, x->start, x->end), term, sizeof term);
    return txe_fill(txl_template_of(r->lx, TX_WHY_COUNTED), "", term, DT_NONE, 0, buf, cap);
}

const tx_lexicon *txe_lexicon(const tx_reader *r) { return r->lx; }
const tx_norm *txe_norm(const tx_reader *r) { return &r->norm; }
const tx_hits *txe_hits(const tx_reader *r) { return &r->hits; }
const tx_segments *txe_segments(const tx_reader *r) { return &r->seg; }

size_t txe_bytes(const tx_reader *r)
{
    return sizeof *r + (size_t)r->norm.cap * (1 + sizeof *r->norm.mark + sizeof *r->norm.shift) +
           (r->norm.cap ? ((size_t)r->norm.cap / 64 + 1) * sizeof *r->norm.wbits +
                              (size_t)r->norm.cap + 16 : 0) +
           (size_t)r->seg.capsent * sizeof *r->seg.sent +
           (size_t)r->seg.capclause * sizeof *r->seg.clause +
           (size_t)r->seg.capnum * sizeof *r->seg.num + (size_t)r->hits.cap * sizeof *r->hits.v +
           (size_t)r->scope.capm * sizeof *r->scope.m + (size_t)r->scope.capp * sizeof *r->scope.p +
           (size_t)r->scope.caph * sizeof *r->scope.hpos + (size_t)r->dates.cap * sizeof *r->dates.v +
           r->dates.capused + (size_t)r->meas.cap * sizeof *r->meas.v +
           (size_t)(r->nkey ? r->nkey : 1) *
               (2 * sizeof *r->key + 4 * sizeof *r->special);
}
