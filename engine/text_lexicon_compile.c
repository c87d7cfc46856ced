/*
** text_lexicon_compile.c — the lexicon compiled, once per rule set: the
** patterns deduplicated into Vectorscan's literal database (and a
** prefilter one for the data's regexes, confirmed by PCRE2 JIT), the slips
** indexed; a rule set with the same words reuses its predecessor's databases.
*/
#define _GNU_SOURCE             /* qsort_r */
#include "text_lexicon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (p->regex != (i >= lx->nlit) || strcmp(prev->pstr + prev->ids[i].scan, exprs[i]))
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

/* One role per spelling, entry and part; one pattern per spelling: the
** patterns sorted, duplicates dropped. Returns how many are left. */
static uint32_t txl_dedupe(tx_lexicon *lx)
{
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
    return k;
}

/* The k patterns' ids: the literals first (txl_pat_cmp sorts them so), then
** the regexes; a literal's roles share its id. Fills each id's expression,
** length, flags and first pattern, and lx->roles and lx->ids; returns how
** many ids. */
static uint32_t txl_number(tx_lexicon *lx, uint32_t k, const char **exprs, size_t *lens,
                           unsigned *flags, unsigned *ids, uint32_t *first)
{
    uint32_t nid = 0;
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
        lx->ids[nid] = (txl_id){i, 1, 0, 0};
        nid++;
        if (!p->regex)
            lx->nlit = nid;
    }
    return nid;
}

/* What Vectorscan looks for, for each of the nid ids, into exprs and lens.
** The literals are scanned in a copy of the letter in which every byte
** that is no word character is a space, behind one space more
** (text_lexicon_match.c): a literal's scan form is the literal with the
** same bytes made spaces, and with a space in front when each of its roles
** wants a word start (not a compound's end, not "anywhere"). Vectorscan
** then reports only the finds at a word start, where the roles would have
** turned the rest away one by one, and the short words ("ej", "ik", "far")
** are three bytes long to it, which makes its scan cheaper. A literal with
** such bytes of its own ("b&u", "post-traumatisk", "mistanke om") is
** compared with the letter at each find. A regex is scanned as it is.
** 0 ok, -1 no memory. */
static int txl_scan_forms(tx_lexicon *lx, const char **exprs, size_t *lens, uint32_t nid)
{
    for (uint32_t i = 0; i < nid; i++) {
        txl_id *id = &lx->ids[i];
        const txl_pat *p = &lx->pat[id->role];
        id->scan = p->expr;
        if (p->regex)
            continue;
        int start = 1;
        for (uint32_t r = id->role; r < id->role + id->nrole; r++)
            if (lx->roles[r].inside || (lx->entry[lx->roles[r].entry].flags & TX_F_ANYWHERE))
                start = 0;
        uint32_t n = (uint32_t)strlen(lx->pstr + p->expr);
        if (tx_grow(&lx->a, (void **)&lx->pstr, &lx->cappstr, lx->npstr + n + 2, 1))
            return -1;
        const unsigned char *x = (const unsigned char *)lx->pstr + p->expr;
        char *o = lx->pstr + lx->npstr;
        id->scan = lx->npstr;
        if (start)
            *o++ = ' ';
        for (uint32_t k = 0; k < n; k++) {
            o[k] = txn_word(x[k]) ? (char)x[k] : ' ';
            id->verify |= !txn_word(x[k]);
        }
        o[n] = 0;
        lx->npstr += n + (uint32_t)start + 1;
    }
    for (uint32_t i = 0; i < nid; i++) {     /* pstr may have moved */
        exprs[i] = lx->pstr + lx->ids[i].scan;
        lens[i] = strlen(exprs[i]);
    }
    return 0;
}

/* The Vectorscan databases of the nid ids: prev's copied where they were
** compiled from the same expressions, else compiled (the literals with the
** literal compiler). On failure err says which word. */
static hs_error_t txl_databases(tx_lexicon *lx, const tx_lexicon *prev, const char **exprs,
                                const size_t *lens, const unsigned *flags, const unsigned *ids,
                                const uint32_t *first, uint32_t nid, char *err, size_t errlen)
{
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
    return hr;
}

/* Each regex's exact matcher, JIT-compiled. 0 ok, -1 with err set. */
static int txl_regexes(tx_lexicon *lx, const char **exprs, const uint32_t *first, uint32_t nid,
                       char *err, size_t errlen)
{
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
            return -1;
        }
        pcre2_jit_compile(lx->re[i], PCRE2_JIT_COMPLETE);   /* failing: pcre2_match runs */
        size_t sz = 0, jsz = 0;
        pcre2_pattern_info(lx->re[i], PCRE2_INFO_SIZE, &sz);
        pcre2_pattern_info(lx->re[i], PCRE2_INFO_JITSIZE, &jsz);
        lx->rebytes += sz + jsz;
    }
    return 0;
}

int txl_compile_like(tx_lexicon *lx, const tx_lexicon *prev, char *err, size_t errlen)
{
    if (lx->ids)
        return 0;
    if (lx->npat == 0) {
        snprintf(err, errlen, "no words to read letters with");
        return -1;
    }
    uint32_t k = txl_dedupe(lx);
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
    uint32_t nid = txl_number(lx, k, exprs, lens, flags, ids, first);
    lx->nids = nid;
    if (txl_scan_forms(lx, exprs, lens, nid)) {
        tx_free(a, lens, (size_t)k * sizeof *lens);
        snprintf(err, errlen, "not enough memory");
        goto done;
    }
    hs_error_t hr = txl_databases(lx, prev, exprs, lens, flags, ids, first, nid, err, errlen);
    tx_free(a, lens, (size_t)k * sizeof *lens);
    if (hr != HS_SUCCESS || txl_regexes(lx, exprs, first, nid, err, errlen))
        goto done;
    rc = 0;
done:
    tx_free(a, exprs, (size_t)k * sizeof *exprs);
    tx_free(a, flags, (size_t)k * sizeof *flags);
    tx_free(a, ids, (size_t)k * sizeof *ids);
    tx_free(a, first, (size_t)k * sizeof *first);
    return rc;
}
