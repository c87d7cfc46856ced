/*
** text_measure.c — a measurement is a number (decimal comma or point) with
** a unit after it or a cue word before it: the cue (from the hits) says
** what it measures, the unit how to read it. The words between a cue and
** its number, the units and "fra"/"til" are the data's keyword tables.
*/
#include "text_measure.h"

#include <string.h>

#define TXM_REACH 40   /* bytes a cue may stand before its number */

/* The nearest measurement cue before pos in its sentence, if only filler
** words and marks (: = ( ) -) stand between; -1 otherwise. */
static int32_t txm_cue(const tx_lexicon *lx, const tx_norm *n, const tx_hits *h,
                       const tx_segments *g, uint32_t pos, uint32_t sent, int *colon)
{
    const char *s = n->s;
    int32_t best = -1;
    for (uint32_t j = 0; j < h->n && h->v[j].start < pos; j++)
        if (h->v[j].cls == TX_MEASURE && h->v[j].wend <= pos && h->v[j].wend + TXM_REACH >= pos &&
            txs_sentence_at(g, h->v[j].start) == sent)
            best = (int32_t)j;
    if (best < 0)
        return -1;
    *colon = 0;
    for (uint32_t i = h->v[best].wend; i < pos;) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '|' || c == '.') {
            i++;
        } else if (c == '\'' && i == h->v[best].wend) {   /* the cue's ending: "IQ'en" */
            for (i++; i < pos && txn_letter((unsigned char)s[i]); i++)
                ;
        } else if (c == ':' || c == '=') {
            *colon = 1;
            i++;
        } else if (txn_letter(c)) {
            uint32_t e = i;
            while (e < pos && txn_letter((unsigned char)s[e]))
                e++;
            if (!txw_get(txl_table_c(lx, TX_T_MFILL), s + i, e - i, 0) &&
                !txw_get(txl_table_c(lx, TX_T_MUNIT), s + i, e - i, 0) &&
                !txw_get(txl_table_c(lx, TX_T_APPROX), s + i, e - i, 0))
                return -1;
            i = e;
        } else {
            return -1;
        }
    }
    return best;
}

static int txm_push(tx_measures *m, const tx_alloc *a, const tx_measure *x)
{
    if (tx_grow(a, (void **)&m->v, &m->cap, m->n + 1, sizeof *m->v))
        return -1;
    m->v[m->n++] = *x;
    return 0;
}

/* The period a loss took, from the words after it in its sentence: a
** number (or number word) and a time unit not followed by "siden". */
static double txm_period(const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
                         uint32_t from, uint32_t sent)
{
    const char *s = n->s;
    uint32_t end = g->sent[sent].end;
    for (uint32_t i = from; i < end;) {
        if (!txn_letter((unsigned char)s[i])) {
            i++;
            continue;
        }
        uint32_t e = i;
        while (e < end && txn_letter((unsigned char)s[e]))
            e++;
        int32_t unit = txw_get(txl_table_c(lx, TX_T_TUNIT), s + i, e - i, 0);
        if (unit) {
            /* the number before it */
            uint32_t b = i;
            while (b > from && s[b - 1] == ' ')
                b--;
            uint32_t ne = b;
            int64_t halves = -1;
            while (b > from && txn_digit((unsigned char)s[b - 1]))
                b--;
            if (b < ne) {
                int64_t v = 0;
                for (uint32_t q = b; q < ne && v < 100000; q++)   /* no period is longer */
                    v = v * 10 + (s[q] - '0');
                halves = 2 * v;
            } else {
                while (b > from && txn_letter((unsigned char)s[b - 1]))
                    b--;
                int32_t v = b < ne ? txw_get(txl_table_c(lx, TX_T_NUMBER), s + b, ne - b, 0) : 0;
                if (!v && b > from + 1 && s[b - 1] == ' ') {    /* "et halvt" */
                    uint32_t b2 = b - 1;
                    while (b2 > from && txn_letter((unsigned char)s[b2 - 1]))
                        b2--;
                    v = txw_get(txl_table_c(lx, TX_T_NUMBER), s + b2, ne - b2, 0);
                }
                if (v > 0)
                    halves = v;
            }
            if (halves > 0)
                return unit < 0 ? (double)halves * -unit / 2.0
                                : (double)halves * unit / 2.0 / (365.25 / 12.0);
        }
        i = e;
    }
    return -1;
}

/* Each number in the letter that a unit or a cue makes a measurement, in
** order (a date's numbers are not). */
static int txm_find(tx_measures *m, const tx_lexicon *lx, const tx_norm *n,
                    const tx_segments *g, const tx_hits *h, const tx_dates *d,
                    const tx_scope *sc, const tx_alloc *a)
{
    const char *s = n->s;
    uint32_t len = n->len;
    for (uint32_t k = 0; k < g->nnum; k++) {
        if (d->used[k])
            continue;
        const tx_number *t = &g->num[k];
        int64_t v100 = (int64_t)t->value * 100;
        uint32_t end = t->end;
        int decimals = 0;
        if (end + 1 < len && (s[end] == ',' || s[end] == '.') && k + 1 < g->nnum &&
            g->num[k + 1].start == end + 1 && g->num[k + 1].end - g->num[k + 1].start <= 2 &&
            !d->used[k + 1]) {
            const tx_number *f = &g->num[k + 1];
            v100 += f->end - f->start == 1 ? (int64_t)f->value * 10 : f->value;
            end = f->end;
            decimals = 1;
            k++;
        }
        /* the unit after it */
        uint32_t p = end, ue = end;
        while (p < len && s[p] == ' ')
            p++;
        int32_t unit = 0;
        if (p < len && s[p] == '%') {
            unit = TX_U_PCT;
            ue = p + 1;
        } else if (p < len && txn_letter((unsigned char)s[p])) {
            uint32_t e = p;
            while (e < len && txn_letter((unsigned char)s[e]))
                e++;
            unit = txw_get(txl_table_c(lx, TX_T_MUNIT), s + p, e - p, 0);
            if (unit)
                ue = e;
        }
        uint32_t sent = txs_sentence_at(g, t->start);
        int colon = 0;
        int32_t cue = txm_cue(lx, n, h, g, t->start, sent, &colon);
        int ck = cue >= 0 ? txl_entry(lx, h->v[cue].entry)->value : 0;
        /* "fra 54,5 kg til 43,6 kg" */
        int32_t prep = 0;
        {
            uint32_t e = t->start;
            while (e > 0 && s[e - 1] == ' ')
                e--;
            uint32_t b = e;
            while (b > 0 && txn_letter((unsigned char)s[b - 1]))
                b--;
            if (b < e)
                prep = txw_get(txl_table_c(lx, TX_T_MPREP), s + b, e - b, 0);
        }
        tx_measure x;
        memset(&x, 0, sizeof x);
        x.kind = TX_NMKIND;
        x.v100 = v100;
        x.period_months = -1;
        x.start = cue >= 0 ? h->v[cue].start : t->start;
        x.end = ue;
        x.sent = sent;
        x.cue = cue;
        if (ck == TX_MC_TAKEN) {       /* "taget 10 kg af" is a loss; "taget 5 kg på" none */
            uint32_t w = ue;
            while (w < len && s[w] == ' ')
                w++;
            uint32_t e = w;
            while (e < len && txn_letter((unsigned char)s[e]))
                e++;
            if (unit != TX_U_KG || e == w || !txw_get(txl_table_c(lx, TX_T_MOFF), s + w, e - w, 0))
                continue;
            ck = TX_MC_LOSS;
        }
        switch (unit) {
        case TX_U_KG:
            if (v100 < 100 || v100 > 30000)
                break;
            x.kind = ck == TX_MC_LOSS ? TX_MK_LOSS_KG
                     : ck == TX_MC_EARLIER || prep == TX_P_FROM ? TX_MK_EARLIER
                                                                  : TX_MK_WEIGHT;
            break;
        case TX_U_CM:
            if (v100 >= 4000 && v100 <= 23000)
                x.kind = TX_MK_HEIGHT;
            break;
        case TX_U_M:
            if (v100 >= 40 && v100 <= 230 && decimals) {
                x.kind = TX_MK_HEIGHT;
                x.v100 = v100 * 100;
            }
            break;
        case TX_U_PCT:
            if (ck == TX_MC_LOSS && v100 <= 10000)
                x.kind = TX_MK_LOSS_PCT;
            break;
        default:
            x.end = end;
            if (ck == TX_MC_BMI && v100 >= 500 && v100 <= 8000)
                x.kind = TX_MK_BMI;
            else if (ck == TX_MC_IQ && !decimals && v100 >= 2000 && v100 <= 18000)
                x.kind = TX_MK_IQ;
            else if (ck == TX_MC_WEIGHT && colon && v100 >= 100 && v100 <= 30000)
                x.kind = TX_MK_WEIGHT;
            else if (ck == TX_MC_HEIGHT && colon && v100 >= 4000 && v100 <= 23000)
                x.kind = TX_MK_HEIGHT;
            break;
        }
        if (x.kind == TX_NMKIND)
            continue;
        if (x.kind == TX_MK_LOSS_PCT || x.kind == TX_MK_LOSS_KG)
            x.period_months = txm_period(lx, n, g, x.end, sent);
        x.other = txc_person_at(sc, x.start) >= 0 || txc_person_at(sc, t->start) >= 0;
        if (txm_push(m, a, &x))
            return -1;
    }
    return 0;
}

/* the child's figures, all taken together */
static void txm_figures(tx_measures *m)
{
    tx_somatic *sm = &m->sum;
    for (uint32_t i = 0; i < m->n; i++) {
        const tx_measure *x = &m->v[i];
        if (x->other)
            continue;
        switch (x->kind) {
        case TX_MK_WEIGHT:
            sm->weight = (int32_t)i;         /* the last one stated is now */
            break;
        case TX_MK_HEIGHT:
            if (sm->height < 0)
                sm->height = (int32_t)i;
            break;
        case TX_MK_BMI:
            if (sm->bmi_at < 0 || x->v100 < m->v[sm->bmi_at].v100)
                sm->bmi_at = (int32_t)i;
            break;
        case TX_MK_IQ:
            if (sm->iq_at < 0 || x->v100 < m->v[sm->iq_at].v100)
                sm->iq_at = (int32_t)i;
            break;
        default:
            break;
        }
    }
    if (sm->weight >= 0) {
        sm->has_weight = 1;
        sm->weight_kg = (double)m->v[sm->weight].v100 / 100.0;
    }
    if (sm->height >= 0) {
        sm->has_height = 1;
        sm->height_cm = (double)m->v[sm->height].v100 / 100.0;
    }
    if (sm->iq_at >= 0) {
        sm->has_iq = 1;
        sm->iq = (double)m->v[sm->iq_at].v100 / 100.0;
    }
    if (sm->bmi_at >= 0) {
        sm->has_bmi = sm->bmi_stated = 1;
        sm->bmi = (double)m->v[sm->bmi_at].v100 / 100.0;
    } else if (sm->has_weight && sm->has_height) {
        int64_t w = m->v[sm->weight].v100, hh = m->v[sm->height].v100;
        sm->has_bmi = 1;
        sm->bmi = (double)(w * 1000000) / (double)(hh * hh);   /* kg / m², exact */
    }
}

/* losses: stated in percent, kilograms lost of the weight now, or an
** earlier weight and a later one in the same sentence */
static void txm_losses(tx_measures *m, const tx_lexicon *lx, const tx_norm *n,
                       const tx_segments *g)
{
    tx_somatic *sm = &m->sum;
    for (uint32_t i = 0; i < m->n; i++) {
        const tx_measure *x = &m->v[i];
        if (x->other)
            continue;
        double pct = -1, months = x->period_months;
        if (x->kind == TX_MK_LOSS_PCT) {
            pct = (double)x->v100 / 100.0;
        } else if (x->kind == TX_MK_LOSS_KG && sm->has_weight) {
            int64_t w = m->v[sm->weight].v100;
            pct = (double)(x->v100 * 100) / (double)(w + x->v100);
        } else if (x->kind == TX_MK_EARLIER) {
            for (uint32_t j = i + 1; j < m->n; j++)
                if (m->v[j].kind == TX_MK_WEIGHT && m->v[j].sent == x->sent && !m->v[j].other &&
                    m->v[j].v100 < x->v100) {
                    pct = (double)((x->v100 - m->v[j].v100) * 100) / (double)x->v100;
                    months = txm_period(lx, n, g, m->v[j].end, x->sent);
                    break;
                }
        }
        if (pct >= 0 && (!sm->has_loss || pct > sm->loss_pct)) {
            sm->has_loss = 1;
            sm->loss_pct = pct;
            sm->loss_months = months;
            sm->loss = (int32_t)i;
        }
    }
}

int txm_run(tx_measures *m, const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
            const tx_hits *h, const tx_dates *d, const tx_scope *sc, const tx_alloc *a)
{
    m->n = 0;
    memset(&m->sum, 0, sizeof m->sum);
    m->sum.weight = m->sum.height = m->sum.bmi_at = m->sum.loss = m->sum.iq_at = -1;
    if (txm_find(m, lx, n, g, h, d, sc, a))
        return -1;
    txm_figures(m);
    txm_losses(m, lx, n, g);
    return 0;
}

void txm_free(tx_measures *m, const tx_alloc *a)
{
    tx_free(a, m->v, (size_t)m->cap * sizeof *m->v);
    memset(m, 0, sizeof *m);
}
