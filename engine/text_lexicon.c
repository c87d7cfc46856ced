/*
** text_lexicon.c — the lexicon, every word the text layer reads: made,
** freed and read back here, its keys, inflections, word tables and
** explanation templates; the memory Vectorscan and PCRE2 take for it, through
** its allocator. Words are declared in text_lexicon_add.c, compiled to
** Vectorscan databases in text_lexicon_compile.c, matched in text_lexicon_match.c.
*/
#include "text_lexicon_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the lexicon reads a letter (the design its files share): every
** declared word becomes a literal of one Vectorscan block-mode literal
** database (with its hyphen spellings; the literal compiler builds it some
** twenty times faster than the regex one), matched exactly, once however
** many entries share it. A literal's width is fixed, so its start is its end
** less that width: no start-of-match tracking, which doubles the scan's cost.
** A phrase ("hører" ... "stemmer") is looked for by its part of longest
** words (its anchor); its other parts are read around each anchor found,
** word by word: short, common words ("om", "har") cost the scan far more
** than they cost read so. A long term's slips (a letter left out, two
** swapped) are checked by the matcher at the start of each long word: as
** thousands of literals they cost the scan more than the whole rest of the
** lexicon. A data regex, rarely needed, is matched in Vectorscan's prefilter
** mode and confirmed by PCRE2 JIT. Word starts, endings and compound ends
** are checked at each hit. Vectorscan's and PCRE2's allocations go through
** the lexicon's or the matcher's hook.
*/

/* ------------------------------------------------------- library memory */

/* Vectorscan takes one process-wide allocator; it hands each block to the
** hook of whoever asked (a thread-local set around each call), and the
** block remembers that hook and its size for the free. PCRE2 takes its
** allocator per general context: the same blocks. */
_Thread_local const tx_alloc *txl_cur;

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

void txl_unblock(void *q)
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
void *txl_p2_alloc(size_t n, void *ud) { return txl_block(n, ud); }
void txl_p2_free(void *q, void *ud)
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
