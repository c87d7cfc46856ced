/*
** text_dates.c — dates read from the digit runs the segmenter listed and the
** separators between them; month, season, number and unit words come from
** the data's keyword tables, "siden" and relative phrases from the hits.
** Nothing here searches the letter again.
*/
#include "text_dates.h"

#include <string.h>

#include "date.h"

static int txd_digits(const tx_number *t) { return (int)(t->end - t->start); }

/* The word ending just before pos (spaces and one dot skipped), as [*ws, *we). */
static int txd_word_before(const char *s, uint32_t pos, uint32_t *ws, uint32_t *we)
{
    uint32_t e = pos;
    while (e > 0 && s[e - 1] == ' ')
        e--;
    if (e > 0 && s[e - 1] == '.')
        e--;
    uint32_t b = e;
    while (b > 0 && txn_letter((unsigned char)s[b - 1]))
        b--;
    if (b == e)
        return 0;
    *ws = b;
    *we = e;
    return 1;
}

/* The word starting at pos (spaces skipped), as [*ws, *we). */
static int txd_word_at(const char *s, uint32_t len, uint32_t pos, uint32_t *ws, uint32_t *we)
{
    while (pos < len && s[pos] == ' ')
        pos++;
    uint32_t e = pos;
    while (e < len && txn_letter((unsigned char)s[e]))
        e++;
    if (e == pos)
        return 0;
    *ws = pos;
    *we = e;
    return 1;
}

static int txd_push(tx_dates *d, const tx_alloc *a, int32_t day, uint32_t s, uint32_t e,
                    const tx_segments *g, int form)
{
    if (tx_grow(a, (void **)&d->v, &d->cap, d->n + 1, sizeof *d->v))
        return -1;
    tx_date *x = &d->v[d->n++];
    x->day = day;
    x->start = s;
    x->end = e;
    x->sent = txs_sentence_at(g, s);
    x->form = (uint8_t)form;
    return 0;
}

/* A full date from day, month and a year of two or four digits: a two-digit
** year is 20YY unless that day is after received, then 19YY. */
static int32_t txd_day(int y, int nd_y, int m, int dd, int32_t received)
{
    if (nd_y == 2) {
        if (!dt_valid_ymd(2000 + y, m, dd) && !dt_valid_ymd(1900 + y, m, dd))
            return DT_NONE;
        int32_t v = dt_valid_ymd(2000 + y, m, dd) ? dt_from_ymd(2000 + y, m, dd) : DT_NONE;
        if (v != DT_NONE && v <= received)
            return v;
        return dt_valid_ymd(1900 + y, m, dd) ? dt_from_ymd(1900 + y, m, dd) : DT_NONE;
    }
    return dt_valid_ymd(y, m, dd) ? dt_from_ymd(y, m, dd) : DT_NONE;
}

/* The digit run starting at pos, or -1. */
static int txd_num_at(const tx_segments *g, uint32_t k, uint32_t pos)
{
    return k < g->nnum && g->num[k].start == pos ? (int)k : -1;
}

/* Dates made of digit runs, starting with run k; returns runs used (0: none). */
static int txd_numeric(tx_dates *d, const tx_lexicon *lx, const tx_norm *n,
                       const tx_segments *g, uint32_t k, int32_t received, const tx_alloc *a,
                       int *err)
{
    const char *s = n->s;
    uint32_t len = n->len;
    const tx_number *t = &g->num[k];
    int nd = txd_digits(t);
    char sep = t->end < len ? s[t->end] : 0;
    /* 2019-03-04 */
    if (nd == 4 && sep == '-') {
        int b = txd_num_at(g, k + 1, t->end + 1);
        if (b >= 0 && txd_digits(&g->num[b]) <= 2 && g->num[b].end < len &&
            s[g->num[b].end] == '-') {
            int c = txd_num_at(g, k + 2, g->num[b].end + 1);
            if (c >= 0 && txd_digits(&g->num[c]) <= 2) {
                int32_t day = txd_day((int)t->value, 4, (int)g->num[b].value,
                                      (int)g->num[c].value, received);
                if (day != DT_NONE)
                    *err = txd_push(d, a, day, t->start, g->num[c].end, g, TX_D_DAY);
                return 3;                    /* an impossible day is no date at all */
            }
        }
    }
    if (nd > 2)
        return 0;
    /* 4/3-2019, 3/4-19, 4/3 2019; 3/2019 */
    if (sep == '/') {
        int b = txd_num_at(g, k + 1, t->end + 1);
        if (b < 0)
            return 0;
        if (txd_digits(&g->num[b]) == 4 && t->value >= 1 && t->value <= 12) {
            *err = txd_push(d, a, dt_from_ymd((int)g->num[b].value, (int)t->value, 15),
                            t->start, g->num[b].end, g, TX_D_MONTH);
            return 2;
        }
        if (txd_digits(&g->num[b]) > 2)
            return 0;
        uint32_t p = g->num[b].end;
        while (p < len && s[p] == ' ')
            p++;
        if (p < len && s[p] == '-')
            p++;
        while (p < len && s[p] == ' ')
            p++;
        int c = txd_num_at(g, k + 2, p);
        if (c < 0 || (txd_digits(&g->num[c]) != 2 && txd_digits(&g->num[c]) != 4))
            return 0;
        int32_t day = txd_day((int)g->num[c].value, txd_digits(&g->num[c]), (int)g->num[b].value,
                              (int)t->value, received);
        if (day != DT_NONE)
            *err = txd_push(d, a, day, t->start, g->num[c].end, g, TX_D_DAY);
        return 3;
    }
    if (sep == '.') {
        /* 4.3.2019, 04.03.19, 4. 3. 2019; 03.2019 */
        uint32_t p = t->end + 1;
        if (p < len && s[p] == ' ')
            p++;
        int b = txd_num_at(g, k + 1, p);
        if (b >= 0 && txd_digits(&g->num[b]) == 4 && p == t->end + 1 && t->value >= 1 &&
            t->value <= 12) {
            *err = txd_push(d, a, dt_from_ymd((int)g->num[b].value, (int)t->value, 15),
                            t->start, g->num[b].end, g, TX_D_MONTH);
            return 2;
        }
        if (b >= 0 && txd_digits(&g->num[b]) <= 2 && g->num[b].end < len &&
            s[g->num[b].end] == '.') {
            uint32_t q = g->num[b].end + 1;
            if (q < len && s[q] == ' ')
                q++;
            int c = txd_num_at(g, k + 2, q);
            if (c >= 0 && (txd_digits(&g->num[c]) == 2 || txd_digits(&g->num[c]) == 4)) {
                int32_t day = txd_day((int)g->num[c].value, txd_digits(&g->num[c]),
                                      (int)g->num[b].value, (int)t->value, received);
                if (day != DT_NONE)
                    *err = txd_push(d, a, day, t->start, g->num[c].end, g, TX_D_DAY);
                return 3;
            }
        }
    }
    /* 3. april 2019, 3 april 2019, 3. apr. 2019 */
    uint32_t p = t->end, ws, we;
    if (p < len && s[p] == '.')
        p++;
    if (txd_word_at(s, len, p, &ws, &we)) {
        int32_t month = txw_get(txl_table_c(lx, TX_T_MONTH), s + ws, we - ws, 0);
        if (month) {
            uint32_t q = we;
            if (q < len && s[q] == '.')
                q++;
            while (q < len && s[q] == ' ')
                q++;
            int c = txd_num_at(g, k + 1, q);
            if (c >= 0 && txd_digits(&g->num[c]) == 4) {
                int32_t day = txd_day((int)g->num[c].value, 4, month, (int)t->value, received);
                if (day != DT_NONE)
                    *err = txd_push(d, a, day, t->start, g->num[c].end, g, TX_D_DAY);
                return 2;
            }
        }
    }
    return 0;
}

int txd_run(tx_dates *d, const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
            const tx_hits *h, int32_t received, const tx_alloc *a)
{
    d->n = 0;
    if (tx_grow(a, (void **)&d->used, &d->capused, g->nnum + 1, 1))
        return -1;
    memset(d->used, 0, g->nnum);
    const char *s = n->s;
    for (uint32_t k = 0; k < g->nnum; k++) {
        if (d->used[k])
            continue;
        int err = 0, used = txd_numeric(d, lx, n, g, k, received, a, &err);
        if (err)
            return -1;
        if (used) {
            memset(d->used + k, 1, (size_t)used);
            k += (uint32_t)used - 1;
            continue;
        }
        const tx_number *t = &g->num[k];
        if (t->end - t->start != 4 || t->value < 1900 || t->value > 2099)
            continue;
        /* a year: after a month name ("marts 2019") the 15th of it; alone
        ** or after a season ("foråret 2019") 1 July */
        uint32_t ws, we, start = t->start;
        int form = TX_D_YEAR;
        int32_t day = dt_from_ymd((int)t->value, 7, 1);
        if (txd_word_before(s, t->start, &ws, &we)) {
            int32_t month = txw_get(txl_table_c(lx, TX_T_MONTH), s + ws, we - ws, 0);
            if (month) {
                day = dt_from_ymd((int)t->value, month, 15);
                form = TX_D_MONTH;
                start = ws;
            } else if (txw_get(txl_table_c(lx, TX_T_SEASON), s + ws, we - ws, 0)) {
                start = ws;
            }
        }
        if (txd_push(d, a, day, start, t->end, g, form))
            return -1;
        d->used[k] = 1;
    }
    /* "for 3 uger siden", "sidste år", "i går" */
    for (uint32_t i = 0; i < h->n; i++) {
        const tx_hit *x = &h->v[i];
        if (x->cls == TX_TIME) {
            int32_t v = txl_entry(lx, x->entry)->value, day = received + v;
            if (v == TX_TIME_LAST_YEAR) {
                int ry, rm, rd;
                dt_to_ymd(received, &ry, &rm, &rd);
                day = dt_from_ymd(ry - 1, 7, 1);
            }
            if (txd_push(d, a, day, x->start, x->wend, g,
                         v == TX_TIME_LAST_YEAR ? TX_D_LAST_YEAR : TX_D_RELATIVE))
                return -1;
            continue;
        }
        if (x->cls != TX_AGO)
            continue;
        uint32_t us, ue, ns, ne;
        if (!txd_word_before(s, x->start, &us, &ue))
            continue;
        int32_t unit = txw_get(txl_table_c(lx, TX_T_TUNIT), s + us, ue - us, 0);
        if (!unit)
            continue;
        int64_t halves = -1;
        uint32_t from = us;
        uint32_t e = us;
        while (e > 0 && s[e - 1] == ' ')
            e--;
        uint32_t b = e;
        while (b > 0 && txn_digit((unsigned char)s[b - 1]))
            b--;
        if (b < e && e - b <= 4) {
            int64_t v = 0;
            for (uint32_t q = b; q < e; q++)
                v = v * 10 + (s[q] - '0');
            halves = 2 * v;
            from = b;
        } else if (txd_word_before(s, us, &ns, &ne) && ne == e) {
            uint32_t ps, pe;
            int32_t v = 0;
            /* two words first ("et halvt"), then one ("to") */
            if (txd_word_before(s, ns, &ps, &pe) && pe + 1 == ns &&
                (v = txw_get(txl_table_c(lx, TX_T_NUMBER), s + ps, ne - ps, 0)) > 0) {
                halves = v;
                from = ps;
            } else if ((v = txw_get(txl_table_c(lx, TX_T_NUMBER), s + ns, ne - ns, 0)) > 0) {
                halves = v;
                from = ns;
            }
        }
        if (halves < 0)
            continue;
        /* "for (ca.) N ... siden": the span takes "for" and the hedge in */
        uint32_t ws, we;
        while (txd_word_before(s, from, &ws, &we) &&
               txw_get(txl_table_c(lx, TX_T_APPROX), s + ws, we - ws, 0))
            from = ws;
        int32_t day;
        if (unit > 0)
            day = received - (int32_t)((halves * unit + 1) / 2);
        else
            day = dt_add_months(received, -(int)((halves * -unit + 1) / 2));
        if (txd_push(d, a, day, from, x->wend, g, TX_D_AGO))
            return -1;
    }
    /* in order of where they stand */
    for (uint32_t i = 1; i < d->n; i++) {
        tx_date x = d->v[i];
        uint32_t j = i;
        while (j > 0 && d->v[j - 1].start > x.start) {
            d->v[j] = d->v[j - 1];
            j--;
        }
        d->v[j] = x;
    }
    return 0;
}

void txd_free(tx_dates *d, const tx_alloc *a)
{
    tx_free(a, d->v, (size_t)d->cap * sizeof *d->v);
    tx_free(a, d->used, d->capused);
    memset(d, 0, sizeof *d);
}
