/*
** text_scope.c — the verdict on each mention, from the hits around it and
** the words between: the sentence's negation words before it (up to a
** contrast or a new clause about the child), its clause's negations after
** it (the nearest term's, or a list's joined by "og"), a label's value,
** suspicion phrases, and the stretches of text that are about other people,
** worked out once per letter. Words that only matter next to a hit (verbs,
** "han", "og har") are looked up in the data's keyword tables there, so the
** matcher never scans for them.
*/
#include "text_scope.h"

#include <string.h>

enum { TXC_COMMA = 1, TXC_JOIN = 2, TXC_FILL = 4, TXC_REL = 8, TXC_AFTER = 16 };
enum { TXC_CHILD = 1, TXC_REPORT = 2, TXC_RELWORD = 4, TXC_CLAUSE = 8 };

/* The word at s[i..) (i at a word character; "og/eller" is one): its end,
** b at most. */
static uint32_t txc_word_end(const tx_norm *n, uint32_t i, uint32_t b)
{
    uint32_t e = txn_wend(n, i);
    while (e < b && n->s[e] == '/')
        e = txn_wend(n, e + 1);
    return e < b ? e : b;
}

/* The longest phrase of table t (one to three words) at s[i..b): its
** length in bytes, or 0. */
static uint32_t txc_phrase(const tx_words *t, const tx_norm *n, uint32_t i, uint32_t b)
{
    const char *s = n->s;
    if (!txw_may_start(t, s + i, b - i))
        return 0;                            /* no key starts so */
    uint32_t ends[3], k = 0, e = i;
    while (k < 3 && e < b && txn_word((unsigned char)s[e])) {
        e = txc_word_end(n, e, b);
        ends[k++] = e;
        if (e >= b || s[e] != ' ')
            break;
        e++;
    }
    while (k > 0) {
        k--;
        if (txw_get(t, s + i, ends[k] - i, 0))
            return ends[k] - i;
    }
    return 0;
}

/* Whether s[a..b) holds only spaces and what allow lets through (commas,
** words of the tables); *seen gets what it held. */
static int txc_gap(const tx_lexicon *lx, const tx_norm *n, uint32_t a, uint32_t b,
                   unsigned allow, unsigned *seen)
{
    static const enum tx_table tab[] = {TX_T_JOIN, TX_T_FILL, TX_T_RELATIVE, TX_T_AFTER};
    static const unsigned bit[] = {TXC_JOIN, TXC_FILL, TXC_REL, TXC_AFTER};
    const char *s = n->s;
    unsigned got = 0;
    for (uint32_t i = a; i < b;) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ') {
            i++;
        } else if (c == ',' && (allow & TXC_COMMA)) {
            got |= TXC_COMMA;
            i++;
        } else if (txn_word(c)) {
            uint32_t j = txc_word_end(n, i, b);
            unsigned hit = 0;
            for (int k = 0; k < 4 && !hit; k++)
                if ((allow & bit[k]) && txw_get(txl_table_c(lx, tab[k]), s + i, j - i, 0))
                    hit = bit[k];
            if (!hit)
                return 0;
            got |= hit;
            i = j;
        } else {
            return 0;
        }
    }
    if (seen)
        *seen = got;
    return 1;
}

/* The first place in s[a..b) where what (TXC_CHILD, TXC_REPORT, TXC_RELWORD,
** TXC_CLAUSE) stands: the child as subject again, a reporting verb, a
** relative pronoun, a new clause ("og har", ", hun"); b when none. Word by
** word (at a, what is left of a word counts as one). */
static uint32_t txc_stop(const tx_lexicon *lx, const tx_norm *n, uint32_t a, uint32_t b,
                         unsigned what)
{
    const char *s = n->s;
    for (uint32_t i = a; i < b;) {
        if (!txn_word((unsigned char)s[i])) {
            /* up to the next word: ", hun" starts a new clause; its word may be
            ** where b is: "sover ikke og hører stemmer" (the term's own verb
            ** starts the clause) */
            uint32_t w = txn_wnext(n, i);
            if (w > b)
                w = b;
            for (; (what & TXC_CLAUSE) && i < w; i++)
                if (s[i] == ',' && i + 2 <= b && s[i + 1] == ' ' &&
                    txn_word((unsigned char)s[i + 2])) {
                    uint32_t e = txc_word_end(n, i + 2, UINT32_MAX);
                    if (txw_get(txl_table_c(lx, TX_T_CLAUSE), s + i, e - i, 0))
                        return i;
                }
            i = w;
            continue;
        }
        uint32_t e = txc_word_end(n, i, b);
        if (((what & TXC_CHILD) && txc_phrase(txl_table_c(lx, TX_T_CHILD), n, i, b)) ||
            ((what & TXC_REPORT) && txc_phrase(txl_table_c(lx, TX_T_REPORT), n, i, b)) ||
            ((what & TXC_RELWORD) && txw_get(txl_table_c(lx, TX_T_RELATIVE), s + i, e - i, 0)))
            return i;
        if ((what & TXC_CLAUSE) && e + 1 <= b && s[e] == ' ' &&
            txw_get(txl_table_c(lx, TX_T_JOIN), s + i, e - i, 0)) {
            uint32_t e2 = txc_word_end(n, e + 1, UINT32_MAX);
            if (e2 > e + 1 && txw_get(txl_table_c(lx, TX_T_CLAUSE), s + i, e2 - i, 0))
                return i;
        }
        i = e;
    }
    return b;
}

static int txc_applies(const tx_lexicon *lx, const tx_hit *neg, const tx_key *k)
{
    return !(txl_entry(lx, neg->entry)->flags & TX_F_DOCS) || k->kind == TX_KIND_DOCUMENT;
}

/* The first hit at or after normalised offset pos, or h->n. */
static uint32_t txc_hit_from(const tx_hits *h, uint32_t pos)
{
    uint32_t lo = 0, hi = h->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (h->v[mid].start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether a term hit starts at pos. */
static int txc_term_at(const tx_hits *h, uint32_t pos)
{
    for (uint32_t j = txc_hit_from(h, pos); j < h->n && h->v[j].start == pos; j++)
        if (h->v[j].cls == TX_TERM)
            return 1;
    return 0;
}

/* Where talk about someone else that begins at from ends: its clause's end,
** or further while the next clause of the sentence is a list item (it
** starts with a term: "far har ADHD, autisme og depression"); sooner at
** the child as subject again or a contrast. */
static uint32_t txc_reach(const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
                          const tx_hits *h, uint32_t from)
{
    uint32_t c = txs_clause_at(g, from), end = g->clause[c].end;
    while (c + 1 < g->nclause && g->clause[c + 1].sent == g->clause[c].sent &&
           txc_term_at(h, g->clause[c + 1].start)) {
        c++;
        end = g->clause[c].end;
    }
    for (uint32_t j = txc_hit_from(h, from + 1); j < h->n && h->v[j].start < end; j++)
        if (h->v[j].cls == TX_CONTRAST) {
            end = h->v[j].start;
            break;
        }
    return txc_stop(lx, n, from, end, TXC_CHILD);
}

static int txc_add_person(tx_scope *sc, const tx_alloc *a, uint32_t s, uint32_t e, uint32_t cue)
{
    if (e <= s)
        return 0;
    if (tx_grow(a, (void **)&sc->p, &sc->capp, sc->np + 1, sizeof *sc->p))
        return -1;
    sc->p[sc->np].start = s;
    sc->p[sc->np].end = e;
    sc->p[sc->np].cue = cue;
    sc->np++;
    return 0;
}

/* Where a clause marker's ("i familien") stretch begins: its clause's start
** (taking in the list items before it, one clause each: "ADHD, autisme og
** depression i familien"), or later where an "og" joins a new clause (not a
** list of terms) or the child was the subject. */
static uint32_t txc_clause_start(const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
                                 const tx_hits *h, uint32_t at)
{
    uint32_t c = txs_clause_at(g, h->v[at].start), start = g->clause[c].start;
    while (c > 0 && g->clause[c - 1].sent == g->clause[c].sent) {
        uint32_t j = txc_hit_from(h, g->clause[c - 1].start);
        if (j >= h->n || h->v[j].cls != TX_TERM || h->v[j].start != g->clause[c - 1].start ||
            h->v[j].wend + 1 < g->clause[c - 1].end)
            break;
        c--;
        start = g->clause[c].start;
    }
    const char *s = n->s;
    uint32_t from = start, mark = h->v[at].start;
    for (uint32_t i = start; (i = txc_stop(lx, n, i, mark, TXC_CHILD)) < mark;) {
        i = txc_word_end(n, i, mark);
        from = i;
    }
    for (uint32_t i = mark; i >= from + 4; i--)
        if (!memcmp(s + i - 4, " og ", 4) && !txc_term_at(h, i))
            return i;
    return from;
}

/* Whether the person at hit i is the subject of what follows: a verb of
** the data follows (after fillers, more persons, ", som"), or a term does
** ("far ADHD", "storebror går i BUC"); a reporting verb makes them the
** teller instead. Returns where what they are the subject of begins, or
** UINT32_MAX. */
static uint32_t txc_subject(const tx_lexicon *lx, const tx_norm *n, const tx_hits *h, uint32_t i,
                            uint32_t lim)
{
    const char *s = n->s;
    uint32_t pos = h->v[i].wend;
    uint32_t j = i + 1;
    int joined = 0;
    while (pos < lim) {
        unsigned char c = (unsigned char)s[pos];
        if (c == ' ' || c == ',') {
            pos++;
            continue;
        }
        if (!txn_word(c))
            return UINT32_MAX;
        while (j < h->n && h->v[j].start < pos)
            j++;
        if (j < h->n && h->v[j].start == pos) {
            if (h->v[j].cls == TX_PERSON) {      /* "mor og far har" */
                pos = h->v[j].wend;
                joined = 0;
                continue;
            }
            if (h->v[j].cls == TX_TERM)
                return joined ? UINT32_MAX : pos;
        }
        uint32_t rep = txc_phrase(txl_table_c(lx, TX_T_REPORT), n, pos, lim);
        uint32_t verb = txc_phrase(txl_table_c(lx, TX_T_VERB), n, pos, lim);
        if (rep && rep >= verb)
            return UINT32_MAX;
        if (verb)
            return joined ? UINT32_MAX : pos;
        uint32_t e = txc_word_end(n, pos, lim);
        if (txw_get(txl_table_c(lx, TX_T_JOIN), s + pos, e - pos, 0))
            joined = 1;                          /* "bor hos far og har": the child goes on */
        else if (!txw_get(txl_table_c(lx, TX_T_FILL), s + pos, e - pos, 0) &&
                 !txw_get(txl_table_c(lx, TX_T_RELATIVE), s + pos, e - pos, 0))
            return UINT32_MAX;
        pos = e;
    }
    return UINT32_MAX;
}

/* The stretches about other people, once per letter. */
static int txc_persons(tx_scope *sc, const tx_lexicon *lx, const tx_norm *n,
                       const tx_segments *g, const tx_hits *h, const tx_alloc *a)
{
    const char *s = n->s;
    sc->np = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        const tx_hit *p = &h->v[i];
        if (p->cls == TX_PERSON_CLAUSE) {
            if (txc_add_person(sc, a, txc_clause_start(lx, n, g, h, i),
                               txc_reach(lx, n, g, h, p->start), i))
                return -1;
            continue;
        }
        if (p->cls != TX_PERSON)
            continue;
        uint32_t sent = sc->hpos[i].sent;
        /* "ADHD hos far": a term (and the list it ends) just before "hos" */
        if (i > 0 && h->v[i - 1].cls == TX_TERM && sc->hpos[i - 1].sent == sent &&
            txl_key_at(lx, txl_entry(lx, h->v[i - 1].entry)->key)->hos) {
            unsigned seen = 0;
            if (txc_gap(lx, n, h->v[i - 1].wend, p->start, TXC_AFTER | TXC_FILL, &seen) &&
                (seen & TXC_AFTER)) {
                uint32_t f = i - 1;
                while (f > 0 && h->v[f - 1].cls == TX_TERM && sc->hpos[f - 1].sent == sent &&
                       txc_gap(lx, n, h->v[f - 1].wend, h->v[f].start, TXC_JOIN | TXC_COMMA, NULL))
                    f--;
                if (txc_add_person(sc, a, h->v[f].start, p->wend, i))
                    return -1;
                continue;
            }
        }
        /* "mors depression": a possessive, to its clause's end */
        uint32_t pe = p->wend;
        if ((pe > p->end && s[pe - 1] == 's') ||
            (pe + 1 < n->len && s[pe] == '\'' && s[pe + 1] == 's')) {
            if (txc_add_person(sc, a, p->start, txc_reach(lx, n, g, h, pe), i))
                return -1;
            continue;
        }
        /* "far (og mor) (, som) (også) har ...", or "far ADHD" */
        uint32_t at = txc_subject(lx, n, h, i, g->sent[sent].end);
        if (at != UINT32_MAX && txc_add_person(sc, a, p->start, txc_reach(lx, n, g, h, at), i))
            return -1;
    }
    return 0;
}

int txc_person_at(const tx_scope *sc, uint32_t pos)
{
    for (uint32_t i = 0; i < sc->np; i++)
        if (sc->p[i].start <= pos && pos < sc->p[i].end)
            return (int)i;
    return -1;
}

/* Whether the clause after the mention goes on to negate it: a negation
** after it with no contrast between, no new subject, reporting verb,
** relative clause or new clause about the child ("og spiser ikke"), and no
** other term between that is not joined to it in a list (the negation is
** then that term's). Returns the negation's hit, or -1. */
static int32_t txc_after(const tx_scope *sc, const tx_lexicon *lx, const tx_norm *n,
                         const tx_hits *h, uint32_t i, const tx_key *k)
{
    const tx_hit *t = &h->v[i];
    uint32_t clause = sc->hpos[i].clause, chain = t->wend;
    int blocked_all = 0, blocked_doc = 0;
    for (uint32_t j = i + 1; j < h->n && sc->hpos[j].clause == clause; j++) {
        const tx_hit *x = &h->v[j];
        if (x->start < t->end)
            continue;
        if (x->cls == TX_CONTRAST)
            return -1;
        if (x->cls == TX_TERM) {
            if (x->start < chain)
                continue;                    /* overlapping another term */
            if (txc_gap(lx, n, chain, x->start, TXC_JOIN | TXC_COMMA, NULL)) {
                chain = x->wend;
            } else {
                blocked_all = 1;
                if (txl_key_at(lx, txl_entry(lx, x->entry)->key)->kind == TX_KIND_DOCUMENT)
                    blocked_doc = 1;
                chain = UINT32_MAX;
            }
            continue;
        }
        if (x->cls == TX_POSTNEG) {
            int docs = (txl_entry(lx, x->entry)->flags & TX_F_DOCS) != 0;
            if (docs ? k->kind == TX_KIND_DOCUMENT && !blocked_doc : !blocked_all) {
                if (txc_stop(lx, n, t->wend, x->start,
                             TXC_CHILD | TXC_REPORT | TXC_RELWORD | TXC_CLAUSE) < x->start)
                    return -1;
                return (int32_t)j;
            }
        }
    }
    return -1;
}

/* "Selvskade: ingen": the mention in a label whose value negates it. */
static int32_t txc_label(const tx_scope *sc, const tx_lexicon *lx, const tx_norm *n,
                         const tx_segments *g, const tx_hits *h, uint32_t i, const tx_key *k)
{
    if (!g->ncolon)
        return -1;                           /* no label in the letter */
    const tx_hit *t = &h->v[i];
    const tx_sentence *st = &g->sent[sc->hpos[i].sent];
    if (memchr(n->s + st->start, ':', t->start - st->start))
        return -1;                           /* the term is in a value, not a label */
    uint32_t lim = st->end;
    if (lim > t->wend + 48)
        lim = t->wend + 48;
    for (uint32_t j = i + 1; j < h->n && h->v[j].start < lim; j++)
        if (h->v[j].cls == TX_TERM && h->v[j].start >= t->end) {
            lim = h->v[j].start;
            break;
        }
    const char *colon = t->wend < lim ? memchr(n->s + t->wend, ':', lim - t->wend) : NULL;
    if (!colon)
        return -1;
    uint32_t v = (uint32_t)(colon - n->s) + 1;
    while (v < st->end && (n->s[v] == ' ' || n->s[v] == '-'))
        v++;
    for (uint32_t j = txc_hit_from(h, v); j < h->n && h->v[j].start == v; j++) {
        uint8_t c = h->v[j].cls;
        if ((c == TX_NEG || c == TX_POSTNEG || c == TX_NEGVALUE) && txc_applies(lx, &h->v[j], k))
            return (int32_t)j;
    }
    return -1;
}

/* A negation word before hit i in its sentence that reaches it: no contrast
** and no new clause about the child between; a negative term's own word
** ("ingen" of "ingen livslyst") negates nothing else. -1 when none. */
static int32_t txc_before(const tx_scope *sc, const tx_lexicon *lx, const tx_norm *n,
                          const tx_hits *h, uint32_t i, const tx_key *k)
{
    const tx_hit *t = &h->v[i];
    uint32_t own_s = 0, own_e = 0;
    for (uint32_t j = i; j > 0 && sc->hpos[j - 1].sent == sc->hpos[i].sent; j--) {
        const tx_hit *x = &h->v[j - 1];
        if (x->cls == TX_CONTRAST)
            return -1;
        if (x->cls == TX_TERM && (txl_entry(lx, x->entry)->flags & TX_F_NEGATIVE)) {
            own_s = x->start;
            own_e = x->end;
        }
        if (x->cls == TX_NEG && x->end <= t->start && txc_applies(lx, x, k) &&
            !(x->start >= own_s && x->end <= own_e)) {
            if (txc_stop(lx, n, x->wend, t->start, TXC_CLAUSE) < t->start)
                return -1;
            return (int32_t)(j - 1);
        }
    }
    return -1;
}

int txc_run(tx_scope *sc, const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
            const tx_hits *h, const tx_alloc *a)
{
    sc->nm = sc->np = 0;
    if (h->n == 0)
        return 0;
    if (tx_grow(a, (void **)&sc->hpos, &sc->caph, h->n, sizeof *sc->hpos))
        return -1;
    /* each hit's sentence and clause: both lists are in order */
    uint32_t s = 0, c = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        uint32_t pos = h->v[i].start;
        while (s + 1 < g->nsent && g->sent[s + 1].start <= pos)
            s++;
        while (c + 1 < g->nclause && g->clause[c + 1].start <= pos)
            c++;
        sc->hpos[i].sent = s;
        sc->hpos[i].clause = c;
    }
    if (txc_persons(sc, lx, n, g, h, a))
        return -1;

    for (uint32_t i = 0; i < h->n; i++) {
        const tx_hit *t = &h->v[i];
        if (t->cls != TX_TERM)
            continue;
        const tx_entry *en = txl_entry(lx, t->entry);
        const tx_key *k = txl_key_at(lx, en->key);
        if (tx_grow(a, (void **)&sc->m, &sc->capm, sc->nm + 1, sizeof *sc->m))
            return -1;
        tx_mention *m = &sc->m[sc->nm++];
        memset(m, 0, sizeof *m);
        m->start = t->start;
        m->end = t->wend;              /* the whole word: "selvmordstankerne" */
        m->key = en->key;
        m->entry = t->entry;
        m->hit = i;
        m->sent = sc->hpos[i].sent;
        m->clause = sc->hpos[i].clause;
        m->flags = t->flags;
        m->why = TX_WHY_COUNTED;
        m->cue = m->suspicion = m->date = -1;
        int32_t j;

        /* a negation inside the term ("hører ikke stemmer"), unless the
        ** term holds its own ("ingen livslyst") */
        if (!(en->flags & TX_F_NEGATIVE))
            for (uint32_t q = i + 1; q < h->n && h->v[q].start < t->end; q++)
                if (h->v[q].cls == TX_NEG && txc_applies(lx, &h->v[q], k)) {
                    m->why = TX_WHY_NEGATED;
                    m->cue = (int32_t)q;
                    break;
                }
        if (m->why == TX_WHY_COUNTED && (j = txc_before(sc, lx, n, h, i, k)) >= 0) {
            m->why = TX_WHY_NEGATED;
            m->cue = j;
        }
        if (m->why == TX_WHY_COUNTED && (j = txc_label(sc, lx, n, g, h, i, k)) >= 0) {
            m->why = TX_WHY_LABEL;
            m->cue = j;
        }
        if (m->why == TX_WHY_COUNTED && (j = txc_after(sc, lx, n, h, i, k)) >= 0) {
            m->why = TX_WHY_NEGATED_AFTER;
            m->cue = j;
        }
        /* a suspicion before it (to a contrast) or after it in its clause */
        for (uint32_t q = i; q > 0 && sc->hpos[q - 1].sent == m->sent; q--) {
            const tx_hit *x = &h->v[q - 1];
            if (x->cls == TX_CONTRAST)
                break;
            if (x->cls == TX_SUSPICION && x->end <= t->start + 1) {
                m->suspicion = (int32_t)(q - 1);
                break;
            }
        }
        for (uint32_t q = i + 1; m->suspicion < 0 && q < h->n && sc->hpos[q].clause == m->clause;
             q++) {
            if (h->v[q].cls == TX_CONTRAST)
                break;
            if (h->v[q].cls == TX_SUSPICION && h->v[q].start >= t->end)
                m->suspicion = (int32_t)q;
        }
        if (m->suspicion >= 0) {
            m->flags |= TX_M_SUSPECTED;
            if (m->why == TX_WHY_COUNTED)
                m->why = TX_WHY_SUSPECTED;
        }
        if (k->person && (m->why == TX_WHY_COUNTED || m->why == TX_WHY_SUSPECTED)) {
            int p = txc_person_at(sc, t->start);
            if (p >= 0) {
                m->why = TX_WHY_OTHER_PERSON;
                m->cue = (int32_t)sc->p[p].cue;
            }
        }
    }
    return 0;
}

void txc_free(tx_scope *sc, const tx_alloc *a)
{
    tx_free(a, sc->m, (size_t)sc->capm * sizeof *sc->m);
    tx_free(a, sc->p, (size_t)sc->capp * sizeof *sc->p);
    tx_free(a, sc->hpos, (size_t)sc->caph * sizeof *sc->hpos);
    memset(sc, 0, sizeof *sc);
}
