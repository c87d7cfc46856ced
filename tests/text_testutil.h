/*
** text_testutil.h — what the text layer's tests share: a counting (and, on
** request, failing) allocator hook, the shipped rule set's lexicon, a small
** lexicon built from inline Lua data, and lookups of a key's evidence.
*/
#ifndef TRIAGE_TEXT_TESTUTIL_H
#define TRIAGE_TEXT_TESTUTIL_H
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "text_evidence.h"
#include "text_load.h"

/* An allocator hook that counts: blocks and bytes live, calls, and fails
** every call once fail_after more have succeeded (-1: never). */
typedef struct tt_counter {
    long calls, live_blocks, fail_after;
    size_t live_bytes, peak_bytes;
} tt_counter;

static void *tt_count_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    tt_counter *c = ud;
    if (nsize == 0) {
        if (ptr) {
            c->live_blocks--;
            c->live_bytes -= osize;
        }
        free(ptr);
        return NULL;
    }
    c->calls++;
    if (c->fail_after == 0)
        return NULL;
    if (c->fail_after > 0)
        c->fail_after--;
    void *q = realloc(ptr, nsize);
    if (!q)
        return NULL;
    if (!ptr)
        c->live_blocks++;
    c->live_bytes += nsize - (ptr ? osize : 0);
    if (c->live_bytes > c->peak_bytes)
        c->peak_bytes = c->live_bytes;
    return q;
}

static inline tx_alloc tt_counting(tt_counter *c)
{
    memset(c, 0, sizeof *c);
    c->fail_after = -1;
    tx_alloc a = {tt_count_fn, c};
    return a;
}

/* The shipped rule set's lexicon (built once per test program). */
static inline tx_lexicon *tt_shipped(void)
{
    static tx_lexicon *lx;
    if (!lx) {
        char err[512];
        lx = txl_load_dir(TRIAGE_SOURCE_DIR "/rules", &tx_malloc, err, sizeof err);
        if (!lx) {
            fprintf(stderr, "shipped text data: %s\n", err);
            abort();
        }
    }
    return lx;
}

/* A reader of the shipped lexicon, for a test group: tt_setup and
** tt_teardown are its cmocka group fixtures. */
static tx_reader *tt_r;

static inline int tt_setup(void **state)
{
    (void)state;
    tt_r = txe_new(tt_shipped(), &tx_malloc);
    return tt_r ? 0 : -1;
}

static inline int tt_teardown(void **state)
{
    (void)state;
    txe_free(tt_r);
    txl_free(tt_shipped());
    return 0;
}

/* The smallest complete data table, with `keys` (Lua, the inside of the
** keys table) and `extra` (Lua statements run first, e.g. to change D). */
static inline char *tt_data(const char *keys, const char *extra)
{
    static const char base[] =
        "local D = {\n"
        "  spelling = { inflections = { 'e', 'en', 'er', 'et', 'es', 's', 'r', 't', 'n', 'ne', 'erne',\n"
        "                               'ende' },\n"
        "               compound_end = 5, typo_letters = 10 },\n"
        "  negation = { before = { 'ikke', 'ingen', { 'afvent', documents = true } },\n"
        "               after = { 'ikke', 'afkræft', { 'mangl', documents = true } },\n"
        "               values = { 'nej' }, not_negation = { 'ikke kun', 'uden for' } },\n"
        "  contrast = { words = { 'men' }, new_clause = { 'og har', ', hun' } },\n"
        "  suspicion = { 'mistanke om', { re = [[kan ikke udelukkes]] } },\n"
        "  people = { persons = { 'far', 'mor', 'storebror' }, clause = { 'i familien' },\n"
        "             verbs = { 'har', 'med' }, reporting = { 'fortæller' },\n"
        "             child = { 'han', 'hun', 'drengen' }, joins = { 'og' },\n"
        "             fillers = { 'også' }, relative = { 'som' }, after = { 'hos' } },\n"
        "  sentences = { abbreviations = { 'ca', 'f.eks', 'd' } },\n"
        "  time = { months = { marts = 3, april = 4 }, seasons = { 'foråret' },\n"
        "           numbers = { to = 2, ['et halvt'] = 0.5 }, days = { uger = 7 },\n"
        "           months_of = { ['år'] = 12, ['måneder'] = 1 }, approx = { 'for', 'ca' },\n"
        "           ago = { 'siden' }, last_year = { 'i fjor' },\n"
        "           days_from_received = { ['i går'] = -1 } },\n"
        "  measures = { weight = { 'vægt', 'vejer' }, height = { 'højde' }, bmi = { 'bmi' },\n"
        "               iq = { { 'iq', ending = 'word' } }, loss = { 'tabt' },\n"
        "               units = { kg = 'kg', cm = 'cm', m = 'm', procent = '%' },\n"
        "               fillers = { 'på', 'er' }, from_to = { fra = 'from', til = 'to' } },\n"
        "  explain = { counted = 'nævnt: {term}', suspected = 'mistanke: {cue}',\n"
        "              negated = 'negeret af {cue}', negated_after = 'negeret senere af {cue}',\n"
        "              label = 'felt: {cue}', other_person = 'anden: {cue}',\n"
        "              history = 'historik {date} ({months} mdr.)', dated = 'dateret {date}' },\n"
        "}\n";
    size_t n = strlen(base) + strlen(keys) + strlen(extra) + 64;
    char *s = malloc(n);
    snprintf(s, n, "%s%s\nD.keys = { %s }\nreturn D\n", base, extra, keys);
    return s;
}

/* A lexicon from inline data (tt_data), allocating with a; NULL with err.
** prev: a previous lexicon to reuse what it can of (txl_load_reusing). */
static inline tx_lexicon *tt_lexicon_like(const char *keys, const char *extra, const tx_alloc *a,
                                          const tx_lexicon *prev, char *err, size_t errlen)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    char *src = tt_data(keys, extra);
    tx_lexicon *lx = NULL;
    if (luaL_dostring(L, src) != LUA_OK)
        snprintf(err, errlen, "lua: %s", lua_tostring(L, -1));
    else
        lx = txl_load_reusing(L, -1, a, prev, err, errlen);
    free(src);
    lua_close(L);
    return lx;
}

static inline tx_lexicon *tt_lexicon(const char *keys, const char *extra, const tx_alloc *a,
                                     char *err, size_t errlen)
{
    return tt_lexicon_like(keys, extra, a, NULL, err, errlen);
}

static inline int32_t tt_day(const char *iso)
{
    int32_t d = DT_NONE;
    dt_parse_iso(iso, strlen(iso), &d);
    return d;
}

static inline const tx_evidence *tt_read(tx_reader *r, const char *text, const char *received)
{
    return txe_read(r, text, strlen(text), tt_day(received));
}

/* A key's evidence by name (NULL: no such key). */
static inline const tx_keyev *tt_key(const tx_reader *r, const tx_evidence *ev, const char *name)
{
    int id = txl_key_id(txe_lexicon(r), name);
    return id < 0 ? NULL : &ev->key[id];
}

/* The cue of a key's deciding mention, as the letter writes it. */
static inline const char *tt_cue(const tx_reader *r, const tx_evidence *ev, const char *name)
{
    static char buf[128];
    const tx_keyev *k = tt_key(r, ev, name);
    buf[0] = 0;
    if (k && k->mention >= 0)
        txe_cue(r, ev->mention[k->mention].cue, buf, sizeof buf);
    return buf;
}

/* Whether the normalised text has a hit of an entry whose data text is
** src at normalised offset start. */
static inline int tt_hit(const tx_reader *r, const char *src, uint32_t start)
{
    const tx_hits *h = txe_hits(r);
    for (uint32_t i = 0; i < h->n; i++)
        if (h->v[i].start == start && !strcmp(txl_source(txe_lexicon(r), h->v[i].entry), src))
            return 1;
    return 0;
}
#endif
