/*
** textscan.c — the text evidence every rule shares. At load, each term a rule
** set declares gets a bit in a table indexed by (left context, character,
** next character), filled by asking PCRE2 itself, with partial matching,
** whether a match can start so; per referral one pass over the text lists
** where each term can start, PCRE2-JIT confirms those places only (and
** only as far as a rule asks), and sentence ends, negation scopes and family
** clauses are computed once; the post checks get the same kind of gate.
** Results are exactly those of scanning each term with its regex from left
** to right; the policy (all patterns and word lists) stays in the rule set.
*/
#define _GNU_SOURCE                 /* memmem */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "textscan.h"

#include <lauxlib.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "regex.h"
#include "sandbox.h"
#include "strhash.h"
#include "utf8.h"

#define TS_META "triage.scanner"
#define TS_NC 193                 /* character classes: ASCII, U+00C0..U+00FF, other */
#define TS_OTHER 192
#define TS_BITS 64                /* prefiltered terms; more are scanned plainly */
#define TS_MATCH_LIMIT 1000000u   /* as regex.c */
#define TS_DEPTH_LIMIT 10000u
#define TS_DEEP_MAX (1u << 15)   /* longer-prefix answers kept per scanner */
#define TS_STOP 768               /* skip: this byte needs a closer look */
#define TS_K 7                    /* bytes a candidate's prefix test reads (< 8) */
#define TS_JIT_STACK (512 * 1024) /* a scanner's JIT stack, charged whole */

enum { TS_NEG, TS_NEGDOC, TS_CONTRAST, TS_FSTART, TS_FCLAUSE, TS_FEND, TS_NCTX };
enum { TS_POST_CLIN, TS_POST_DOC, TS_POST_FAM, TS_NPOST };
enum { TS_CLIN, TS_DOC, TS_NOFAM };

static const char *const ts_ctx_names[TS_NCTX] = {
    "negation", "negation_doc", "contrast", "family_start", "family_clause", "family_end"};
static const char *const ts_post_names[TS_NPOST] = {"post_clin", "post_doc", "family_post"};

typedef struct ts_vec { int *v; int n, cap; } ts_vec;

struct ts_shared;

typedef struct ts_term {
    const pcre2_code *code;       /* the rule set's (kept alive by the term table) */
    const pcre2_code *anch;       /* anchored copy confirming candidates, once ready */
    struct ts_shared *sh;         /* where anch comes from, when prefiltered */
    const pcre2_code *learn;      /* what the prefilter asks: anch, lookbehinds dropped */
    int bit;                      /* prefilter bit, or -1: scanned plainly */
    int jitted;                   /* code JIT-compiled (plain scans need it) */
    unsigned gen;                 /* referral the scan state belongs to */
    int chead, ctail;             /* candidate starts, a list in cand */
    int ck;                       /* the next candidate to confirm, or -1 */
    int done;                     /* every mention found */
    size_t next;                  /* where the scan goes on */
    ts_vec mv;                    /* mentions found so far: {1-based start, end} */
    size_t charged;               /* bytes of sh this scanner's budget is charged */
} ts_term;
typedef struct ts_deep { uint64_t key, mask; } ts_deep;
typedef struct ts_memo { ts_deep *t; uint32_t cap, n; bg_budget *b; } ts_memo;   /* open addressing */
typedef struct ts_ptr { const void *p; int t; } ts_ptr;

typedef struct ts_scanner {
    ts_term *terms;
    int nterms, capterms, nbits;
    int bitterm[TS_BITS];         /* bit -> term */
    uint64_t *tab;                /* [left 0/1][class][next class] -> terms */
    uint64_t live;                /* bits given to terms */
    int ctx[TS_NCTX];
    const pcre2_code *post[TS_NPOST];
    uint64_t *abbr;               /* abbreviations, packed, sorted */
    int nabbr;
    int *sets;                    /* term sets: [count, term...] each, at setat[i] */
    int nsets, setlen, setcap, *setat;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *js;
    uint64_t gate[3][TS_NC];      /* [left 0/1/either][class] -> terms that may start */
    unsigned char wordy[256];     /* class -> ts_wordness */
    uint16_t skip[3 * 256];       /* [left][byte]: 256 * next left, or TS_STOP */
    int skip_ok;                  /* skip matches gate and live */
    ts_memo deep;                 /* longer-prefix answers: terms that may start */
    ts_memo postm;                /* post checks: which may match after a window */
    pcre2_code *postl[TS_NPOST];  /* what the post prefilter asks, or NULL */
    ts_ptr *ptrs;                 /* regex userdata -> term, open addressing */
    uint32_t ptrcap, ptrn;
    size_t charged;               /* JIT stack and post-check code, charged to the budget */
    /* the referral being read */
    const char *s;
    size_t len;
    unsigned gen;
    int have_cand, have_ends, have_neg, have_negdoc, have_fam;
    int fam_fs;                   /* family_start mentions in fam so far */
    int fam_reach;                /* bytes a relative's clause reaches at most (policy) */
    ts_vec ends, neg, negdoc, fam, cand;
} ts_scanner;

/* ------------------------------------------------------------- helpers */

static void ts_push(lua_State *L, ts_vec *v, int a, int b)
{
    if (v->n + 2 > v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        int *nv = realloc(v->v, (size_t)cap * sizeof *nv);
        if (!nv)
            luaL_error(L, "scanner: not enough memory");
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = a;
    v->v[v->n++] = b;
}

/* Run code on the text from byte offset start: 1 match (offsets in md),
** 0 none; raises for the match limit and other failures. */
static int ts_exec(lua_State *L, ts_scanner *sc, const pcre2_code *code, size_t start)
{
    /* The text is valid UTF-8 (checked on input), so the JIT code may run
    ** directly, skipping pcre2_match's checks; a pattern without JIT code
    ** answers JIT_BADOPTION and goes through pcre2_match. */
    int rc = pcre2_jit_match(code, (PCRE2_SPTR)sc->s, sc->len, start, 0, sc->md, sc->mctx);
    if (rc == PCRE2_ERROR_JIT_BADOPTION)
        rc = pcre2_match(code, (PCRE2_SPTR)sc->s, sc->len, start, PCRE2_NO_UTF_CHECK,
                         sc->md, sc->mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return luaL_error(L, "regex: %s", (const char *)msg);
}

/* Class of the character at s[i] and its length in bytes (valid UTF-8). */
static int ts_class(const unsigned char *s, size_t n, size_t i, int *w)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *w = 1;
        return (int)c;
    }
    if (c == 0xC3 && i + 1 < n) {
        *w = 2;
        return 128 + (int)(s[i + 1] - 0x80);
    }
    *w = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    return TS_OTHER;
}

/* What a class says about \b after it: 0 not a word character, 1 one, 2 unknown. */
static int ts_wordness(int cls)
{
    if (cls < 128)
        return (cls >= 'a' && cls <= 'z') || (cls >= 'A' && cls <= 'Z') ||
               (cls >= '0' && cls <= '9') || cls == '_';
    if (cls < TS_OTHER)
        return cls != 128 + 0x17 && cls != 128 + 0x37;    /* all letters but × ÷ */
    return 2;
}

static size_t ts_put(unsigned char *b, int cls)
{
    if (cls < 128) {
        b[0] = (unsigned char)cls;
        return 1;
    }
    b[0] = 0xC3;
    b[1] = (unsigned char)(0x80 + cls - 128);
    return 2;
}

/* ------------------------------------------------------------- building */

/* Whether the two-character test may stand in for scanning with the
** pattern: it looks back no further than \b does (lookbehinds aside: the
** test asks a copy without them, see ts_relax), and has no anchors, verbs,
** callouts or subroutines the test could misjudge. Conservative. */
static int ts_filterable(const char *p, size_t n, uint32_t opts, int allow_g)
{
    int cls = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 < n && strchr("GAzZKQECgk", p[i + 1]) && p[i + 1] &&
                !(allow_g && p[i + 1] == 'G'))
                return 0;
            i++;
            continue;
        }
        if (cls) {
            if (c == ']')
                cls = 0;
            continue;
        }
        if (c == '[') {
            cls = 1;
            if (i + 1 < n && p[i + 1] == '^')
                i++;
            if (i + 1 < n && p[i + 1] == ']')
                i++;
        } else if (c == '#' && (opts & PCRE2_EXTENDED)) {
            while (i < n && p[i] != '\n')
                i++;
        } else if (c == '^' || c == '$') {
            return 0;
        } else if (c == '(' && i + 1 < n && p[i + 1] == '*') {
            return 0;
        } else if (c == '(' && i + 2 < n && p[i + 1] == '?') {
            char k = p[i + 2];
            if (k == '<' && i + 3 < n && (p[i + 3] == '=' || p[i + 3] == '!'))
                continue;                 /* lookbehind */
            if (!strchr(":>!=|#-^imnsxUJ", k) || !k)
                return 0;
        }
    }
    return 1;
}

/* The pattern with each lookbehind, (?<=...) or (?<!...), replaced by an
** empty group (malloc'd, its length in *outlen); NULL when there is none or
** the source is beyond this simple reading. Dropping an assertion only adds
** matches, so where the copy cannot start a match the pattern cannot
** either: the copy answers the prefilter's questions, the pattern itself
** still confirms every candidate (and reads before it as it always did). */
static char *ts_relax(const char *p, size_t n, uint32_t opts, size_t *outlen)
{
    char *out = malloc(n + 1);          /* "(?:)" is shorter than any lookbehind */
    size_t o = 0, i = 0;
    int cls = 0, dropped = 0;
    if (!out)
        return NULL;
    while (i < n) {
        char c = p[i];
        if (!cls && c == '(' && i + 3 < n && p[i + 1] == '?' && p[i + 2] == '<' &&
            (p[i + 3] == '=' || p[i + 3] == '!')) {
            size_t j = i + 4;
            int depth = 1, jcls = 0;
            for (; j < n && depth > 0; j++) {
                char d = p[j];
                if (d == '\\') {
                    j++;
                } else if (jcls) {
                    if (d == ']')
                        jcls = 0;
                } else if (d == '[') {
                    jcls = 1;
                    if (j + 1 < n && p[j + 1] == '^')
                        j++;
                    if (j + 1 < n && p[j + 1] == ']')
                        j++;
                } else if ((d == '#' && (opts & PCRE2_EXTENDED)) || d == '<') {
                    depth = -1;           /* comments, nested lookbehinds: not here */
                    break;
                } else if (d == '(') {
                    depth++;
                } else if (d == ')') {
                    depth--;
                }
            }
            if (depth != 0)
                break;
            memcpy(out + o, "(?:)", 4);
            o += 4;
            i = j;
            dropped = 1;
            continue;
        }
        size_t w = 1;
        if (c == '\\') {
            w = i + 1 < n ? 2 : 1;
        } else if (cls) {
            if (c == ']')
                cls = 0;
        } else if (c == '[') {
            cls = 1;
            if (i + 1 < n && p[i + 1] == '^')
                w++;
            if (i + w < n && p[i + w] == ']')
                w++;
        } else if (c == '#' && (opts & PCRE2_EXTENDED)) {
            while (i + w < n && p[i + w] != '\n')
                w++;
        }
        memcpy(out + o, p + i, w);
        o += w;
        i += w;
    }
    if (i < n || !dropped) {
        free(out);
        return NULL;
    }
    out[o] = 0;
    *outlen = o;
    return out;
}

/* Whether, after a left context (0: not a word character, 1: one), a
** match of the anchored code can start with the bytes p[0..n) (whole
** characters, valid UTF-8, n <= TS_K): partial matching says whether a
** longer text could still match, so a "no" is exact. The JIT code, when
** there is some for partial matching, runs without pcre2_match's checks. */
static int ts_partial(const pcre2_code *code, pcre2_match_data *md,
                      pcre2_match_context *mctx, int left, const unsigned char *p, size_t n)
{
    unsigned char b[1 + TS_K];
    b[0] = left ? 'a' : ' ';
    memcpy(b + 1, p, n);
    int rc = pcre2_jit_match(code, b, n + 1, 1, PCRE2_PARTIAL_SOFT, md, mctx);
    if (rc == PCRE2_ERROR_JIT_BADOPTION)
        rc = pcre2_match(code, b, n + 1, 1, PCRE2_PARTIAL_SOFT | PCRE2_NO_UTF_CHECK, md, mctx);
    return rc != PCRE2_ERROR_NOMATCH;     /* errors: a candidate, still exact */
}

/* ts_partial for the character of class c1 followed by c2 (-1: whatever):
** the build's question about a pair of classes. */
static int ts_could(const pcre2_code *code, pcre2_match_data *md, int left, int c1, int c2)
{
    unsigned char b[8];
    size_t n = ts_put(b, c1);
    if (c2 >= 0)
        n += ts_put(b + n, c2);
    return ts_partial(code, md, NULL, left, b, n);
}

/* Classes the build asks PCRE2 about; any other character is taken as one
** where every term may start or go on (exact, only slower, and rare). */
static int ts_tested(int cls)
{
    if (cls < 128)
        return (cls >= 32 && cls < 127) || cls == '\n' || cls == '\t' || cls == '\r';
    switch (cls - 128 + 0xC0) {
    case 0xC4: case 0xC5: case 0xC6: case 0xC9: case 0xD6: case 0xD8: case 0xDC:   /* ÄÅÆÉÖØÜ */
    case 0xE4: case 0xE5: case 0xE6: case 0xE9: case 0xF6: case 0xF8: case 0xFC:   /* äåæéöøü */
        return 1;
    default:
        return 0;
    }
}

/* What the build learns of one pattern, shared by every scanner (threads,
** reloads) that declares the same source with the same options, for as
** long as one of them holds it: the JIT-compiled anchored copy and, for
** each left context and tested first character, the next characters after
** which a match can start (untested classes are candidates for all terms,
** set once per scanner). Built once under ts_lock; read-only after. Each
** scanner holding it is charged its bytes; the last to let go frees it, so
** a reload that drops patterns gives their memory back. */
typedef struct ts_shared {
    struct ts_shared *next;
    int refs;                     /* scanners' terms holding it (under ts_lock) */
    size_t bytes;                 /* what one holder is charged */
    uint32_t opts;
    size_t len;
    char *src;
    pcre2_code *anch;             /* NULL: not prefiltered */
    pcre2_code *learn;            /* anch, or anch without its lookbehinds */
    _Atomic(const pcre2_code *) conf;   /* anch JIT-compiled for confirming, or NULL */
    uint64_t rows[2][TS_NC][(TS_NC + 63) / 64];
} ts_shared;

static pthread_mutex_t ts_lock = PTHREAD_MUTEX_INITIALIZER;
static ts_shared *ts_cache;

static void ts_learn(ts_shared *sh, pcre2_match_data *md)
{
    for (int left = 0; left < 2; left++)
        for (int c1 = 0; c1 < TS_NC; c1++) {
            if (c1 == TS_OTHER || !ts_tested(c1) || !ts_could(sh->learn, md, left, c1, -1))
                continue;
            for (int c2 = 0; c2 < TS_NC; c2++)   /* untested, none: as "could" */
                if (c2 == TS_OTHER || !ts_tested(c2) || ts_could(sh->learn, md, left, c1, c2))
                    sh->rows[left][c1][c2 >> 6] |= (uint64_t)1 << (c2 & 63);
        }
}

static size_t ts_code_bytes(const pcre2_code *c, uint32_t what)
{
    size_t n = 0;
    if (c && pcre2_pattern_info(c, what, &n) != 0)
        n = 0;
    return n;
}

/* The shared entry for a pattern, built when new, with a reference for the
** caller (ts_shared_release); NULL without memory. */
static const ts_shared *ts_shared_of(const pcre2_code *code, const char *src, size_t len,
                                     uint32_t opts, pcre2_match_data *md)
{
    pthread_mutex_lock(&ts_lock);
    ts_shared *sh;
    for (sh = ts_cache; sh; sh = sh->next)
        if (sh->opts == opts && sh->len == len && !memcmp(sh->src, src, len)) {
            sh->refs++;
            goto done;
        }
    sh = calloc(1, sizeof *sh);
    if (!sh || !(sh->src = malloc(len + 1))) {
        free(sh);
        sh = NULL;
        goto done;
    }
    memcpy(sh->src, src, len);
    sh->src[len] = 0;
    sh->len = len;
    sh->opts = opts;
    uint32_t empty = 1;
    pcre2_pattern_info(code, PCRE2_INFO_MATCHEMPTY, &empty);
    size_t rlen = 0;
    char *relaxed = ts_relax(src, len, opts, &rlen);
    int behind = memmem(src, len, "(?<=", 4) || memmem(src, len, "(?<!", 4);
    if (!empty && ts_filterable(src, len, opts, 0) && (relaxed || !behind)) {
        int err;
        PCRE2_SIZE off;
        pcre2_code *learn = NULL;
        if (relaxed) {
            learn = pcre2_compile((PCRE2_SPTR)relaxed, rlen, opts | PCRE2_ANCHORED, &err, &off,
                                  NULL);
            empty = 1;
            if (learn)
                pcre2_pattern_info(learn, PCRE2_INFO_MATCHEMPTY, &empty);
            if (learn && (empty || !ts_filterable(relaxed, rlen, opts, 0))) {
                pcre2_code_free(learn);
                learn = NULL;
            }
        }
        if (!relaxed || learn)
            sh->anch = pcre2_compile((PCRE2_SPTR)src, len, opts | PCRE2_ANCHORED, &err, &off,
                                     NULL);
        if (sh->anch) {
            /* only what learning asks is compiled now: the confirming
            ** code waits for its first candidate (ts_confirmer), as many
            ** terms are never confirmed in a process's life */
            pcre2_jit_compile(learn ? learn : sh->anch, PCRE2_JIT_PARTIAL_SOFT);
            sh->learn = learn ? learn : sh->anch;
            ts_learn(sh, md);
        } else {
            pcre2_code_free(learn);
        }
    }
    free(relaxed);
    sh->bytes = sizeof *sh + len + 1 + ts_code_bytes(sh->anch, PCRE2_INFO_SIZE) +
                (sh->learn != sh->anch ? ts_code_bytes(sh->learn, PCRE2_INFO_SIZE) : 0) +
                ts_code_bytes(sh->learn, PCRE2_INFO_JITSIZE);
    sh->refs = 1;
    sh->next = ts_cache;
    ts_cache = sh;
done:
    pthread_mutex_unlock(&ts_lock);
    return sh;
}

/* Let go of a reference from ts_shared_of: the last one frees the entry. */
static void ts_shared_release(ts_shared *sh)
{
    pthread_mutex_lock(&ts_lock);
    if (--sh->refs > 0) {
        pthread_mutex_unlock(&ts_lock);
        return;
    }
    for (ts_shared **p = &ts_cache; *p; p = &(*p)->next)
        if (*p == sh) {
            *p = sh->next;
            break;
        }
    pthread_mutex_unlock(&ts_lock);
    const pcre2_code *conf = atomic_load_explicit(&sh->conf, memory_order_relaxed);
    if (conf != sh->anch)
        pcre2_code_free((pcre2_code *)conf);   /* its own copy (ts_confirmer) */
    if (sh->learn != sh->anch)
        pcre2_code_free(sh->learn);
    pcre2_code_free(sh->anch);
    free(sh->src);
    free(sh);
}

static void ts_rows(ts_scanner *sc, const ts_shared *sh, int bit)
{
    uint64_t m = (uint64_t)1 << bit;
    for (int left = 0; left < 2; left++)
        for (int c1 = 0; c1 < TS_NC; c1++) {
            uint64_t *row = sc->tab + ((size_t)left * TS_NC + (size_t)c1) * TS_NC;
            for (int w = 0; w < (TS_NC + 63) / 64; w++)
                for (uint64_t b = sh->rows[left][c1][w]; b; b &= b - 1) {
                    row[w * 64 + __builtin_ctzll(b)] |= m;
                    sc->gate[left][c1] |= m;
                    sc->gate[2][c1] |= m;
                }
        }
    sc->skip_ok = 0;
    sc->deep.n = 0;               /* the answers lack the new term */
    if (sc->deep.t)
        memset(sc->deep.t, 0, (size_t)sc->deep.cap * sizeof *sc->deep.t);
}

static ts_scanner *ts_get(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

static int ts_term_slow(lua_State *L, ts_scanner *sc, int idx);

/* The term of the regex at idx, registered (plainly scanned) when new. */
static int ts_term_of(lua_State *L, ts_scanner *sc, int idx)
{
    /* Every call asks: a table of the userdata's addresses answers first.
    ** The term table keeps each regex alive, so an address is never reused
    ** by another object while it is listed here. */
    const void *p = lua_type(L, idx) == LUA_TUSERDATA ? lua_touserdata(L, idx) : NULL;
    uint32_t h = sh_mix((uintptr_t)p);
    if (p && sc->ptrs)
        for (uint32_t i = h & (sc->ptrcap - 1); sc->ptrs[i].p; i = (i + 1) & (sc->ptrcap - 1))
            if (sc->ptrs[i].p == p)
                return sc->ptrs[i].t;
    int t = ts_term_slow(L, sc, idx);
    if (p && (sc->ptrn + 1) * 2 > sc->ptrcap) {
        uint32_t cap = sc->ptrcap ? sc->ptrcap * 2 : 64;
        ts_ptr *np = calloc(cap, sizeof *np);
        if (!np)
            return t;             /* unlisted: still answered, more slowly */
        for (uint32_t k = 0; k < sc->ptrcap; k++) {
            if (!sc->ptrs[k].p)
                continue;
            uint32_t j = sh_mix((uintptr_t)sc->ptrs[k].p) & (cap - 1);
            while (np[j].p)
                j = (j + 1) & (cap - 1);
            np[j] = sc->ptrs[k];
        }
        free(sc->ptrs);
        sc->ptrs = np;
        sc->ptrcap = cap;
    }
    if (p) {
        uint32_t i = h & (sc->ptrcap - 1);
        while (sc->ptrs[i].p)
            i = (i + 1) & (sc->ptrcap - 1);
        sc->ptrs[i].p = p;
        sc->ptrs[i].t = t;
        sc->ptrn++;
    }
    return t;
}

static int ts_term_slow(lua_State *L, ts_scanner *sc, int idx)
{
    lua_getiuservalue(L, lua_upvalueindex(1), 1);             /* +1 terms */
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) == LUA_TNUMBER) {                   /* +2 */
        int t = (int)lua_tointeger(L, -1);
        lua_pop(L, 2);
        return t;
    }
    lua_pop(L, 1);                                            /* +1 */
    const char *src;
    size_t srclen;
    uint32_t opts;
    const pcre2_code *code = rx_check(L, idx, &src, &srclen, &opts);
    if (sc->nterms == sc->capterms) {
        int cap = sc->capterms ? sc->capterms * 2 : 32;
        ts_term *nt = realloc(sc->terms, (size_t)cap * sizeof *nt);
        if (!nt)
            return luaL_error(L, "scanner: not enough memory");
        sc->terms = nt;
        sc->capterms = cap;
    }
    int t = sc->nterms++;
    ts_term *tm = &sc->terms[t];
    memset(tm, 0, sizeof *tm);
    tm->gen = sc->gen - 1;        /* no scan state yet (gen 0 is never current) */
    tm->code = code;
    tm->bit = -1;
    tm->chead = tm->ctail = -1;
    lua_pushvalue(L, idx);
    lua_pushinteger(L, t);
    lua_rawset(L, -3);                                        /* +1 */
    lua_pop(L, 1);
    return t;
}

/* Give a term a prefilter bit when its pattern allows one and bits remain. */
static void ts_filter(lua_State *L, ts_scanner *sc, int idx)
{
    int t = ts_term_of(L, sc, idx);
    ts_term *tm = &sc->terms[t];
    if (tm->bit >= 0 || sc->nbits == TS_BITS)
        return;
    const char *src;
    size_t srclen;
    uint32_t opts;
    rx_check(L, idx, &src, &srclen, &opts);
    const ts_shared *sh = ts_shared_of(tm->code, src, srclen, opts, sc->md);
    if (sh && !sh->anch)
        ts_shared_release((ts_shared *)sh);
    if (!sh || !sh->anch)
        return;
    tm->sh = (ts_shared *)sh;
    tm->anch = NULL;              /* ts_confirmer sets it */
    tm->learn = sh->learn;
    tm->bit = sc->nbits++;
    sc->bitterm[tm->bit] = t;
    sc->live |= (uint64_t)1 << tm->bit;
    ts_rows(sc, sh, tm->bit);
    tm->charged = sh->bytes;      /* given back by ts_gc */
    if (bg_charge(bg_of(L), sh->bytes) != 0)
        sb_raise_memory(L);
}

/* Register every regex in the value at idx (tables: their values, deeply). */
static void ts_add(lua_State *L, ts_scanner *sc, int idx, int depth)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TUSERDATA) {
        ts_filter(L, sc, idx);
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE || depth > 8)
        return;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        ts_add(L, sc, -1, depth + 1);
        lua_pop(L, 1);
    }
}

/* ----------------------------------------------------------- per referral */

/* The remembered answer for key (never 0), or NULL. */
static inline ts_deep *ts_memo_get(const ts_memo *mo, uint64_t key)
{
    if (!mo->t)
        return NULL;
    for (uint32_t i = sh_mix(key) & (mo->cap - 1); mo->t[i].key; i = (i + 1) & (mo->cap - 1))
        if (mo->t[i].key == key)
            return &mo->t[i];
    return NULL;
}

/* Remember an answer (key not there yet): the table doubles up to
** TS_DEEP_MAX entries, then starts over. Without memory, nothing is kept. */
static void ts_memo_put(ts_memo *mo, uint64_t key, uint64_t mask)
{
    if (!mo->t || (mo->n + 1) * 2 > mo->cap) {
        uint32_t cap = mo->cap ? mo->cap * 2 : 1024;
        ts_deep *nd = cap <= TS_DEEP_MAX ? bg_alloc(mo->b, NULL, 0, cap * sizeof *nd) : NULL;
        if (nd) {
            memset(nd, 0, cap * sizeof *nd);
            for (uint32_t k = 0; k < mo->cap; k++) {
                if (!mo->t[k].key)
                    continue;
                uint32_t j = sh_mix(mo->t[k].key) & (cap - 1);
                while (nd[j].key)
                    j = (j + 1) & (cap - 1);
                nd[j] = mo->t[k];
            }
            if (mo->t)
                bg_alloc(mo->b, mo->t, mo->cap * sizeof *mo->t, 0);
            mo->t = nd;
            mo->cap = cap;
        } else if (mo->t) {
            memset(mo->t, 0, (size_t)mo->cap * sizeof *mo->t);
            mo->n = 0;
        }
    }
    if (!mo->t)
        return;
    uint32_t i = sh_mix(key) & (mo->cap - 1);
    while (mo->t[i].key)
        i = (i + 1) & (mo->cap - 1);
    mo->t[i].key = key;
    mo->t[i].mask = mask;
    mo->n++;
}

/* The next TS_K bytes at p (avail >= 1 left), whole characters, packed with
** the left context as a key that is never 0; their count in *n. */
static inline uint64_t ts_window(const unsigned char *p, size_t avail, int left, size_t *n)
{
    uint64_t x = 0;
    size_t k = avail;
    if (avail > TS_K) {
        memcpy(&x, p, 8);
        k = TS_K;
        while (k > 0 && (p[k] & 0xC0) == 0x80)     /* no character cut in two */
            k--;
    } else {
        memcpy(&x, p, avail);
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    x &= ((uint64_t)1 << (8 * k)) - 1;
    *n = k;
    return x << 8 | (uint64_t)left << 3 | (uint64_t)k;     /* k >= 1: never 0 */
}

/* Of the terms m that the table lets start at p (avail bytes left) after
** the left context (2: either), those that can still start there given the
** next TS_K bytes (whole characters; fewer at the text's end). The answer
** depends on the left context and those bytes only, so it is asked of PCRE2
** the first time a scanner meets them and remembered (cleared when terms
** are added). */
static uint64_t ts_deeper(ts_scanner *sc, uint64_t m, int left, const unsigned char *p,
                          size_t avail)
{
    size_t n;
    uint64_t key = ts_window(p, avail, left, &n);
    const ts_deep *d = ts_memo_get(&sc->deep, key);
    if (d)
        return d->mask;
    uint64_t out = 0;
    for (uint64_t r = m; r; r &= r - 1) {
        int b = __builtin_ctzll(r);
        const pcre2_code *learn = sc->terms[sc->bitterm[b]].learn;
        for (int l = left == 1; l <= (left != 0); l++)
            if (ts_partial(learn, sc->md, sc->mctx, l, p, n)) {
                out |= (uint64_t)1 << b;
                break;
            }
    }
    ts_memo_put(&sc->deep, key, out);
    return out;
}

/* The first byte from i on that skip stops at; *lx follows the left
** context. Apart, so that the loop keeps its few values in registers. */
static __attribute__((noinline)) size_t ts_skip(const uint16_t *skip, const unsigned char *s,
                                                size_t i, unsigned *lx)
{
    const unsigned char *p = s + i;
    unsigned x = *lx;
    for (unsigned y; (y = skip[x + *p]) < TS_STOP; p++)
        x = y;
    *lx = x;
    return (size_t)(p - s);
}

/* Where each prefiltered term can start: one pass over the text. Most
** characters start no term after their left context (the gate); the rest
** are looked up by their next character, then by the next TS_K bytes. */
static void ts_candidates(lua_State *L, ts_scanner *sc)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    size_t n = sc->len;
    for (int b = 0; b < sc->nbits; b++) {
        ts_term *tm = &sc->terms[sc->bitterm[b]];
        tm->chead = tm->ctail = -1;
    }
    sc->cand.n = 0;
    sc->have_cand = 1;
    const uint64_t live = sc->live;
    const uint64_t *t0 = sc->tab, *t1 = sc->tab + (size_t)TS_NC * TS_NC;
    const uint16_t *skip = sc->skip;
    if (!sc->skip_ok) {
        /* an ASCII byte that starts no term after its left context only
        ** passes the left context on; the rest, and the NUL after the text
        ** (Lua strings have one; s stays alive with the text), stop */
        for (int l = 0; l < 3; l++)
            for (int c = 0; c < 256; c++)
                sc->skip[l * 256 + c] = c == 0 || c >= 0x80 || (sc->gate[l][c] & live)
                                            ? TS_STOP
                                            : (uint16_t)(256 * sc->wordy[c]);
        sc->skip_ok = 1;
    }
    unsigned lx = 0;              /* 256 * left context */
    for (size_t i = 0;;) {
        i = ts_skip(skip, s, i, &lx);
        if (i >= n)
            break;
        int left = (int)(lx >> 8), c1 = s[i], w = 1;
        if (c1 >= 0x80)
            c1 = ts_class(s, n, i, &w);
        uint64_t m = sc->gate[left][c1] & live;
        if (m) {
            int w2, c2 = i + (size_t)w < n ? ts_class(s, n, i + (size_t)w, &w2) : TS_OTHER;
            size_t x = (size_t)c1 * TS_NC + (size_t)c2;
            m &= left == 0 ? t0[x] : left == 1 ? t1[x] : t0[x] | t1[x];
            if (m)
                m = ts_deeper(sc, m, left, s + i, n - i);
            while (m) {
                int b = __builtin_ctzll(m);
                m &= m - 1;
                ts_term *tm = &sc->terms[sc->bitterm[b]];
                int at = sc->cand.n;
                ts_push(L, &sc->cand, (int)i, -1);
                if (tm->ctail >= 0)
                    sc->cand.v[tm->ctail + 1] = at;
                else
                    tm->chead = at;
                tm->ctail = at;
            }
        }
        lx = 256u * sc->wordy[c1];
        i += (size_t)w;
    }
}

/* Term t, its scan of this referral started. Mentions are found as they
** are asked for, in order: a rule asking for the first mention that counts
** confirms no candidate past it. */
static ts_term *ts_begin(lua_State *L, ts_scanner *sc, int t)
{
    ts_term *tm = &sc->terms[t];
    if (tm->gen != sc->gen) {
        if (tm->bit >= 0 && !sc->have_cand)
            ts_candidates(L, sc);
        tm = &sc->terms[t];
        tm->gen = sc->gen;
        tm->mv.n = 0;
        tm->ck = tm->bit >= 0 ? tm->chead : -1;
        tm->next = 0;
        tm->done = 0;
    }
    return tm;
}

/* The term's confirming code: the shared anchored copy, JIT-compiled for
** complete matching the first time any scanner needs it. Other threads may
** be running the copy learning asks (anch itself when it has no relaxed
** copy) meanwhile, so that one is never compiled again: its complete mode
** goes to a copy of it. Published once, under ts_lock. */
static __attribute__((noinline)) const pcre2_code *ts_confirmer(lua_State *L, ts_term *tm)
{
    ts_shared *sh = tm->sh;
    const pcre2_code *c = atomic_load_explicit(&sh->conf, memory_order_acquire);
    if (!c) {
        pthread_mutex_lock(&ts_lock);
        c = atomic_load_explicit(&sh->conf, memory_order_relaxed);
        if (!c) {
            pcre2_code *k = sh->learn == sh->anch ? pcre2_code_copy(sh->anch) : sh->anch;
            if (k) {
                pcre2_jit_compile(k, PCRE2_JIT_COMPLETE);   /* failing: pcre2_match runs */
                atomic_store_explicit(&sh->conf, k, memory_order_release);
            }
            c = k;
        }
        pthread_mutex_unlock(&ts_lock);
        if (!c)
            luaL_error(L, "scanner: not enough memory");
    }
    tm->anch = c;
    /* this scanner holds the confirming code too: charged, given back by ts_gc */
    size_t more = ts_code_bytes(c, PCRE2_INFO_JITSIZE) +
                  (c != sh->anch ? ts_code_bytes(c, PCRE2_INFO_SIZE) : 0);
    tm->charged += more;
    if (bg_charge(bg_of(L), more) != 0)
        sb_raise_memory(L);
    return c;
}

/* Find the term's next mention, as a regex scan from left to right finds
** it (1-based start, inclusive end); 0 when there is none. */
static int ts_step(lua_State *L, ts_scanner *sc, ts_term *tm)
{
    if (tm->done)
        return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
    int found = 0;
#ifdef TS_VERIFY
    size_t from = tm->next;
#endif
    if (tm->bit >= 0) {
        int k = tm->ck;
        const pcre2_code *anch = tm->anch;
        if (!anch && k >= 0)
            anch = ts_confirmer(L, tm);
        for (; k >= 0; k = sc->cand.v[k + 1]) {
            size_t p = (size_t)sc->cand.v[k];
            if (p >= tm->next && ts_exec(L, sc, anch, p)) {
                found = 1;
                k = sc->cand.v[k + 1];
                break;
            }
        }
        tm->ck = k;
    } else {
        if (!tm->jitted) {        /* the rule's own regex: compiled lazily */
            rx_jit(L, tm->code);
            tm->jitted = 1;
        }
        found = tm->next <= sc->len && ts_exec(L, sc, tm->code, tm->next);
    }
    if (!found) {
        tm->done = 1;
    } else {
        ts_push(L, &tm->mv, (int)ov[0] + 1, (int)ov[1]);
        tm->next = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
#ifdef TS_VERIFY   /* the prefilter must find what a plain scan finds */
    if (tm->bit >= 0) {
        int plain = from <= sc->len && ts_exec(L, sc, tm->code, from);
        if (plain != found || (found && (tm->mv.v[tm->mv.n - 2] != (int)ov[0] + 1 ||
                                         tm->mv.v[tm->mv.n - 1] != (int)ov[1])))
            abort();
    }
#endif
    return found;
}

/* Mention i of term t ({start, end}, valid until the term finds more), or
** NULL when the term has fewer. */
static const int *ts_ment(lua_State *L, ts_scanner *sc, int t, int i)
{
    ts_term *tm = ts_begin(L, sc, t);
    while (tm->mv.n <= 2 * i)
        if (!ts_step(L, sc, tm))
            return NULL;
    return tm->mv.v + 2 * i;
}

/* Every mention of term t. */
static ts_term *ts_mentions(lua_State *L, ts_scanner *sc, int t)
{
    ts_term *tm = ts_begin(L, sc, t);
    while (ts_step(L, sc, tm))
        ;
    return tm;
}

/* Whether the term (begun) holds every mention that starts at or before
** 1-based pos: the next mention cannot start before its next candidate. */
static int ts_known(const ts_scanner *sc, const ts_term *tm, int pos)
{
    if (tm->done || (tm->mv.n > 0 && tm->mv.v[tm->mv.n - 2] > pos))
        return 1;
    return tm->bit >= 0 && (tm->ck < 0 || sc->cand.v[tm->ck] + 1 > pos);
}

static int ts_abbr_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int ts_is_abbr(const ts_scanner *sc, const char *w, int n)
{
    uint64_t k = 0;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        k = k << 8 | c;
    }
    return bsearch(&k, sc->abbr, (size_t)sc->nabbr, sizeof k, ts_abbr_cmp) != NULL;
}

static int ts_letter(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int ts_digit(int c) { return c >= '0' && c <= '9'; }

/* Sentence ends (1-based positions of the terminators, then len + 1): ".",
** "!", "?" or a line break; not a dot between digits ("4.3.2019", "16.2"),
** after an ordinal ("9. klasse") or after an abbreviation ("d.", "ca."). */
static void ts_ends(lua_State *L, ts_scanner *sc)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    int n = (int)sc->len;
    sc->ends.n = 0;
    sc->have_ends = 1;
#define B(i) ((i) >= 1 && (i) <= n ? (int)s[(i) - 1] : -1)   /* 1-based byte */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (int i = 1; i <= n; i++) {
        if (i + 7 <= n) {         /* 8 bytes at a time while none may end one */
            uint64_t x, a, b, c, d;
            memcpy(&x, s + i - 1, 8);
            a = x ^ (ones * '.');
            b = x ^ (ones * '!');
            c = x ^ (ones * '?');
            d = x ^ (ones * '\n');
            uint64_t hit = (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) |
                            ((d - ones) & ~d)) & highs;
            if (!hit) {
                i += 7;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            i += __builtin_ctzll(hit) >> 3;   /* the lowest flag is exact (no borrow below) */
#endif
        }
        int c = s[i - 1];
        if (c > '?' || !((0x8000400200000400u >> c) & 1))  /* . ! ? \n */
            continue;
        if (c == '.') {
            int nx = B(i + 1);
            if (ts_digit(B(i - 1))) {
                if (ts_digit(nx))
                    continue;
                if (nx == ' ') {
                    int a = B(i + 2), b2 = B(i + 3);
                    if ((a >= 'a' && a <= 'z') ||
                        (a == 195 && (b2 == 166 || b2 == 184 || b2 == 165)))
                        continue;
                }
            }
            int j = i - 1;
            while (j >= i - 5 && ts_letter(B(j)))
                j--;
            if (j < i - 1 && !ts_letter(B(j)) && ts_is_abbr(sc, sc->s + j, i - 1 - j))
                continue;
        }
        ts_push(L, &sc->ends, i, 0);
    }
#undef B
    ts_push(L, &sc->ends, n + 1, 0);
}

/* The sentence holding 1-based pos: its first byte and its terminator. */
static void ts_sentence(lua_State *L, ts_scanner *sc, int pos, int *start, int *end)
{
    if (!sc->have_ends)
        ts_ends(L, sc);
    int st = 1;
    for (int i = 0; i < sc->ends.n; i += 2) {
        int e = sc->ends.v[i];
        if (e >= pos) {
            *start = st;
            *end = e;
            return;
        }
        st = e + 1;
    }
    *start = st;
    *end = (int)sc->len + 1;
}

/* Negation scopes {word end, scope end}: to the sentence's end or the next
** contrast, whichever comes first. */
static void ts_scopes(lua_State *L, ts_scanner *sc, int which, ts_vec *out)
{
    out->n = 0;
    const ts_term *neg = ts_mentions(L, sc, sc->ctx[which]);
    const ts_term *con = ts_mentions(L, sc, sc->ctx[TS_CONTRAST]);
    for (int i = 0; i < neg->mv.n; i += 2) {
        int e = neg->mv.v[i + 1], ss, lim;
        ts_sentence(L, sc, e, &ss, &lim);
        for (int k = 0; k < con->mv.n; k += 2) {
            int c = con->mv.v[k];
            if (c > e) {
                if (c < lim)
                    lim = c;
                break;
            }
        }
        ts_push(L, out, e, lim);
    }
}

static int ts_clause_end(lua_State *L, ts_scanner *sc, int from, int lim)
{
    const int *m;
    for (int k = 0; (m = ts_ment(L, sc, sc->ctx[TS_FEND], k)) != NULL; k++)
        if (m[0] >= from)
            return m[0] < lim ? m[0] : lim;
    return lim;
}

/* Family clauses {start, end} that may hold 1-based pos: a relative who has
** something, up to where the child is the subject again; or a clause
** marked "i familien". A clause of the first kind starts at its relative,
** so only relatives up to pos are looked for (more as later positions ask). */
static void ts_family(lua_State *L, ts_scanner *sc, int pos)
{
    int ft = sc->ctx[TS_FSTART], fc = sc->ctx[TS_FCLAUSE];
    if (!sc->have_fam) {
        sc->fam.n = 0;
        sc->fam_fs = 0;
        const ts_term *cl = ts_mentions(L, sc, fc);
        for (int i = 0; i < cl->mv.n; i += 2) {
            int s = cl->mv.v[i], e = cl->mv.v[i + 1], ss, se;
            ts_sentence(L, sc, s, &ss, &se);
            int cs = s;
            while (cs > ss) {
                int c = (unsigned char)sc->s[cs - 2];
                if (c == ',' || c == ';' || c == ':')
                    break;
                cs--;
            }
            int ce = ts_clause_end(L, sc, e + 1, se);
            ts_push(L, &sc->fam, cs, ce);
        }
        sc->have_fam = 1;
    }
    ts_term *tm = ts_begin(L, sc, ft);
    for (;;) {
        if (tm->mv.n <= 2 * sc->fam_fs && (ts_known(sc, tm, pos) || !ts_step(L, sc, tm)))
            break;
        int s = tm->mv.v[2 * sc->fam_fs], e = tm->mv.v[2 * sc->fam_fs + 1], ss, se;
        if (s > pos)
            break;
        ts_sentence(L, sc, s, &ss, &se);
        int lim = s + sc->fam_reach < se ? s + sc->fam_reach : se;
        int ce = ts_clause_end(L, sc, e + 1, lim);
        ts_push(L, &sc->fam, s, ce);
        sc->fam_fs++;
    }
}

static int ts_inside(const ts_vec *v, int s)
{
    for (int i = 0; i < v->n; i += 2)
        if (v->v[i] < s && s < v->v[i + 1])
            return 1;
    return 0;
}

/* Whether post check k matches at byte offset e (a mention's end). Most
** mentions are followed by words no post check can begin with: the next
** TS_K bytes, asked of a copy with partial matching as for the terms, rule
** that out; the answer is remembered per bytes and left context. */
static int ts_post(lua_State *L, ts_scanner *sc, int k, int e)
{
    size_t at = (size_t)e;
    const unsigned char *s = (const unsigned char *)sc->s;
    if (sc->postl[k] && at < sc->len) {
        int left = 0, w;
        if (at > 0) {
            size_t j = at - 1;
            while (j > 0 && (s[j] & 0xC0) == 0x80)
                j--;
            left = sc->wordy[ts_class(s, sc->len, j, &w)];
        }
        size_t n;
        uint64_t key = ts_window(s + at, sc->len - at, left, &n);
        uint64_t known = (uint64_t)1 << k, yes = known << 8;
        ts_deep *d = ts_memo_get(&sc->postm, key);
        if (!d || !(d->mask & known)) {
            uint64_t v = known;
            for (int l = left == 1; l <= (left != 0); l++)
                if (ts_partial(sc->postl[k], sc->md, sc->mctx, l, s + at, n)) {
                    v |= yes;
                    break;
                }
            if (d)
                d->mask |= v;
            else
                ts_memo_put(&sc->postm, key, v);
            if (!(v & yes))
                goto none;
        } else if (!(d->mask & yes)) {
            goto none;
        }
    }
    return ts_exec(L, sc, sc->post[k], at);
none:
#ifdef TS_VERIFY   /* the prefilter must answer as the pattern does */
    if (ts_exec(L, sc, sc->post[k], at))
        abort();
#endif
    return 0;
}

/* Whether the mention s..e is no evidence: negated, or about a relative. */
static int ts_discounted(lua_State *L, ts_scanner *sc, int s, int e, int kind)
{
    if (!sc->have_neg) {
        ts_scopes(L, sc, TS_NEG, &sc->neg);
        sc->have_neg = 1;
    }
    if (ts_inside(&sc->neg, s))
        return 1;
    if (kind == TS_DOC) {
        if (!sc->have_negdoc) {
            ts_scopes(L, sc, TS_NEGDOC, &sc->negdoc);
            sc->have_negdoc = 1;
        }
        return ts_inside(&sc->negdoc, s) || ts_post(L, sc, TS_POST_DOC, e);
    }
    if (ts_post(L, sc, TS_POST_CLIN, e))
        return 1;
    if (kind == TS_NOFAM)
        return 0;
    ts_family(L, sc, s);
    for (int i = 0; i < sc->fam.n; i += 2)
        if (sc->fam.v[i] <= s && s < sc->fam.v[i + 1])
            return 1;
    return ts_post(L, sc, TS_POST_FAM, e);
}

static int ts_kind(lua_State *L, int idx)
{
    size_t n;
    const char *k = lua_tolstring(L, idx, &n);
    if (k && n == 3 && !memcmp(k, "doc", 3))
        return TS_DOC;
    if (k && n == 5 && !memcmp(k, "nofam", 5))
        return TS_NOFAM;
    return TS_CLIN;
}

/* ----------------------------------------------------------- Lua methods */

/* S.reset(text): read a new referral's text. */
static int ts_reset(lua_State *L)
{
    ts_scanner *sc = ts_get(L);
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    if (n > (size_t)1 << 30)
        return luaL_error(L, "scanner: text too long");
    /* only valid UTF-8 is matched without PCRE2's own check */
    if (u8_valid(s, n) != n)
        return luaL_error(L, "scanner: text is not valid UTF-8");
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, lua_upvalueindex(1), 2);             /* keep it alive */
    sc->s = s;
    sc->len = n;
    sc->gen++;
    if (sc->gen == 0)
        sc->gen = 1;
    sc->have_cand = sc->have_ends = sc->have_neg = sc->have_negdoc = sc->have_fam = 0;
    return 0;
}

static ts_scanner *ts_ready(lua_State *L)
{
    ts_scanner *sc = ts_get(L);
    if (!sc->s)
        luaL_error(L, "scanner: no text (call reset first)");
    return sc;
}

static int ts_next_counting(lua_State *L, ts_scanner *sc, int t, int kind, lua_Integer after);

/* S.first(self, re [, kind]) -> start, end of the first mention that counts. */
static int ts_first(lua_State *L)
{
    ts_scanner *sc = ts_ready(L);
    int t = ts_term_of(L, sc, 2), kind = ts_kind(L, 3);
    if (sc->len == 0)
        return 0;
    int k = ts_next_counting(L, sc, t, kind, 0);
    if (k < 0)
        return 0;
    lua_pushinteger(L, sc->terms[t].mv.v[2 * k]);
    lua_pushinteger(L, sc->terms[t].mv.v[2 * k + 1]);
    return 2;
}

/* The first mention of term t starting after `after` (1-based) that
** counts, as its index in the term's mentions, or -1. Mentions start at
** increasing positions and are found no further than this one. */
static int ts_next_counting(lua_State *L, ts_scanner *sc, int t, int kind, lua_Integer after)
{
    const int *m;
    for (int i = 0; (m = ts_ment(L, sc, t, i)) != NULL; i++) {
        if (m[0] <= after)        /* mentions are few: a linear walk */
            continue;
        if (!ts_discounted(L, sc, m[0], m[1], kind))    /* (may find more: m moves) */
            return i;
    }
    return -1;
}

/* The iterator each() returns, stateless so that a loop allocates nothing:
** the state packs the referral, term and kind; the control is the start of
** the mention returned last (0 first). Upvalue: the scanner. */
static int ts_each_next(lua_State *L)
{
    ts_scanner *sc = ts_get(L);
    lua_Integer st = lua_tointeger(L, 1);
    lua_Integer after = lua_tointeger(L, 2);
    int kind = (int)(st & 3), t = (int)((st >> 2) & 0xFFFFF);
    if ((unsigned)(st >> 22) != sc->gen || sc->len == 0 || t >= sc->nterms)
        return 0;
    int k = ts_next_counting(L, sc, t, kind, after);
    if (k < 0)
        return 0;
    lua_pushinteger(L, sc->terms[t].mv.v[2 * k]);
    lua_pushinteger(L, sc->terms[t].mv.v[2 * k + 1]);
    return 2;
}

/* S.each(self, re [, kind]) -> iterator over the mentions that count.
** Upvalues: the scanner, the iterator. */
static int ts_each(lua_State *L)
{
    ts_scanner *sc = ts_ready(L);
    int t = ts_term_of(L, sc, 2), kind = ts_kind(L, 3);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushinteger(L, (lua_Integer)sc->gen << 22 | (lua_Integer)t << 2 | kind);
    lua_pushinteger(L, 0);
    return 3;
}

/* S.set(list) -> a number naming the array of regexes list (at most 64),
** for which(): declared at load, like terms(), and prefiltered. */
static int ts_set(lua_State *L)
{
    ts_scanner *sc = ts_get(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    int n = (int)lua_rawlen(L, 1);
    if (n > 64)
        return luaL_error(L, "scanner: a set holds at most 64 patterns");
    if (sc->setlen + n + 1 > sc->setcap || sc->nsets % 16 == 0) {
        int cap = sc->setcap + n + 1 + 256;
        int *ns = realloc(sc->sets, (size_t)cap * sizeof *ns);
        int *na = realloc(sc->setat, (size_t)(sc->nsets + 16) * sizeof *na);
        if (ns)
            sc->sets = ns;
        if (na)
            sc->setat = na;
        if (!ns || !na)
            return luaL_error(L, "scanner: not enough memory");
        sc->setcap = cap;
    }
    int at = sc->setlen;
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        ts_add(L, sc, -1, 0);
        int t = ts_term_of(L, sc, lua_gettop(L));
        lua_pop(L, 1);
        sc->sets[at + i] = t;
    }
    sc->sets[at] = n;
    sc->setlen += n + 1;
    sc->setat[sc->nsets] = at;
    lua_pushinteger(L, ++sc->nsets);
    return 1;
}

/* S.which(self, set [, kind]) -> an integer with bit i - 1 set when the
** set's i-th pattern has a mention that counts (first() would find one). */
static int ts_which(lua_State *L)
{
    ts_scanner *sc = ts_ready(L);
    lua_Integer id = luaL_checkinteger(L, 2);
    int kind = ts_kind(L, 3);
    if (id < 1 || id > sc->nsets)
        return luaL_error(L, "scanner: no set %d (S.set makes them)", (int)id);
    lua_Integer bits = 0;
    if (sc->len > 0) {
        const int *set = sc->sets + sc->setat[id - 1];
        for (int i = 0; i < set[0]; i++)
            if (ts_next_counting(L, sc, set[1 + i], kind, 0) >= 0)
                bits |= (lua_Integer)1 << i;
    }
    lua_pushinteger(L, bits);
    return 1;
}

/* S.from(self, re, pos) -> start, end of the first mention, negated or not,
** that starts at pos or later; nil when none; false when a mention starts
** before pos and runs over it, so that a search from pos could find what
** the scan from the start did not (the caller then searches itself). */
static int ts_from(lua_State *L)
{
    ts_scanner *sc = ts_ready(L);
    int t = ts_term_of(L, sc, 2);
    lua_Integer pos = luaL_checkinteger(L, 3);
    if (sc->len == 0)
        return 0;
    ts_term *tm = ts_mentions(L, sc, t);
    const int *m = tm->mv.v;
    int lo = 0, hi = tm->mv.n / 2;    /* first mention reaching pos or later */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (m[2 * mid + 1] < pos && m[2 * mid] < pos)    /* empty: e = s - 1 */
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == tm->mv.n / 2)
        return 0;
    if (m[2 * lo] < pos) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushinteger(L, m[2 * lo]);
    lua_pushinteger(L, m[2 * lo + 1]);
    return 2;
}

/* S.sentence(self, pos) -> first byte, terminator of pos's sentence. */
static int ts_sentence_l(lua_State *L)
{
    ts_scanner *sc = ts_ready(L);
    int pos = (int)luaL_checkinteger(L, 2), st, e;
    ts_sentence(L, sc, pos, &st, &e);
    lua_pushinteger(L, st);
    lua_pushinteger(L, e);
    return 2;
}

/* S.terms(...): regexes (or tables of them) the rules read with first/each,
** prefiltered from now on. Call at load. */
static int ts_terms(lua_State *L)
{
    ts_scanner *sc = ts_get(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++)
        ts_add(L, sc, i, 0);
    return 0;
}

static int ts_gc(lua_State *L)
{
    ts_scanner *sc = lua_touserdata(L, 1);
    bg_budget *b = bg_of(L);
    for (int i = 0; i < sc->nterms; i++) {
        free(sc->terms[i].mv.v);
        if (sc->terms[i].sh) {
            bg_uncharge(b, sc->terms[i].charged);
            ts_shared_release(sc->terms[i].sh);
        }
    }
    free(sc->terms);
    if (sc->tab)
        bg_alloc(b, sc->tab, (size_t)2 * TS_NC * TS_NC * sizeof *sc->tab, 0);
    bg_uncharge(b, sc->charged);
    free(sc->abbr);
    free(sc->ends.v);
    free(sc->neg.v);
    free(sc->negdoc.v);
    free(sc->fam.v);
    free(sc->cand.v);
    free(sc->sets);
    free(sc->setat);
    pcre2_match_data_free(sc->md);
    pcre2_match_context_free(sc->mctx);
    pcre2_jit_stack_free(sc->js);
    if (sc->deep.t)
        bg_alloc(b, sc->deep.t, sc->deep.cap * sizeof *sc->deep.t, 0);
    if (sc->postm.t)
        bg_alloc(b, sc->postm.t, sc->postm.cap * sizeof *sc->postm.t, 0);
    for (int i = 0; i < TS_NPOST; i++)
        pcre2_code_free(sc->postl[i]);
    free(sc->ptrs);
    memset(sc, 0, sizeof *sc);
    return 0;
}

/* The copy of a post check its prefilter asks (anchored, \G allowed, as
** the check starts where a mention ends), or NULL: checked plainly. */
static pcre2_code *ts_post_learn(const char *src, size_t len, uint32_t opts)
{
    size_t rlen = 0;
    char *relaxed = ts_relax(src, len, opts, &rlen);
    int behind = memmem(src, len, "(?<=", 4) || memmem(src, len, "(?<!", 4);
    const char *q = relaxed ? relaxed : src;
    size_t qn = relaxed ? rlen : len;
    pcre2_code *code = NULL;
    if ((relaxed || !behind) && ts_filterable(q, qn, opts, 1)) {
        int err;
        PCRE2_SIZE off;
        code = pcre2_compile((PCRE2_SPTR)q, qn, opts | PCRE2_ANCHORED, &err, &off, NULL);
        if (code)
            pcre2_jit_compile(code, PCRE2_JIT_PARTIAL_SOFT);
    }
    free(relaxed);
    return code;
}

/* scanner{negation=, negation_doc=, contrast=, family_start=, family_clause=,
** family_end=, post_clin=, post_doc=, family_post=, family_reach=, abbreviations=} ->
** table of functions: reset, first, each, sentence, terms. */
static int ts_new(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    ts_scanner *sc = lua_newuserdatauv(L, sizeof *sc, 2);     /* 2 scanner */
    memset(sc, 0, sizeof *sc);
    luaL_setmetatable(L, TS_META);
    lua_newtable(L);
    lua_setiuservalue(L, 2, 1);                               /* regex -> term */
    /* Every byte the scanner holds is the rule set's (budget.h): what PCRE2
    ** allocates goes through the budget's context, the table through the
    ** budget, the JIT stack (mapped by sljit) is charged whole. */
    bg_budget *b = bg_of(L);
    pcre2_general_context *g = bg_pcre2(b);
    sc->deep.b = sc->postm.b = b;
    sc->md = pcre2_match_data_create(1, g);
    sc->mctx = pcre2_match_context_create(g);
    if ((sc->js = pcre2_jit_stack_create(32 * 1024, TS_JIT_STACK, g))) {
        sc->charged += TS_JIT_STACK;
        bg_charge(b, TS_JIT_STACK);
    }
    size_t tabsize = (size_t)2 * TS_NC * TS_NC * sizeof *sc->tab;
    if ((sc->tab = bg_alloc(b, NULL, 0, tabsize)))
        memset(sc->tab, 0, tabsize);
    if (!sc->md || !sc->mctx || !sc->js || !sc->tab || b->used > b->limit)
        return b->over ? sb_raise_memory(L) : luaL_error(L, "scanner: not enough memory");
    pcre2_set_match_limit(sc->mctx, TS_MATCH_LIMIT);
    pcre2_set_depth_limit(sc->mctx, TS_DEPTH_LIMIT);
    pcre2_jit_stack_assign(sc->mctx, NULL, sc->js);
    /* a character the build does not ask about may start or go on any term */
    for (int left = 0; left < 2; left++)
        for (int c1 = 0; c1 < TS_NC; c1++)
            if (c1 == TS_OTHER || !ts_tested(c1)) {
                memset(sc->tab + ((size_t)left * TS_NC + (size_t)c1) * TS_NC, 0xFF,
                       TS_NC * sizeof *sc->tab);
                sc->gate[left][c1] = sc->gate[2][c1] = ~(uint64_t)0;
            }
    for (int c = 0; c < TS_NC; c++) {
        sc->wordy[c] = (unsigned char)ts_wordness(c);
    }

    lua_pushvalue(L, 2);                                      /* 3 upvalue */
    for (int i = 0; i < TS_NPOST; i++) {
        lua_getfield(L, 1, ts_post_names[i]);
        const char *src;
        size_t srclen;
        uint32_t opts;
        sc->post[i] = rx_check(L, -1, &src, &srclen, &opts);
        rx_jit(L, sc->post[i]);       /* checked after most mentions */
        sc->postl[i] = ts_post_learn(src, srclen, opts);
        size_t more = ts_code_bytes(sc->postl[i], PCRE2_INFO_SIZE) +
                      ts_code_bytes(sc->postl[i], PCRE2_INFO_JITSIZE);
        sc->charged += more;
        if (bg_charge(b, more) != 0)
            sb_raise_memory(L);
        lua_getiuservalue(L, 2, 1);                           /* keep it alive */
        lua_pushvalue(L, -2);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
        lua_pop(L, 2);
    }
    lua_getfield(L, 1, "family_reach");                       /* 4 */
    lua_Integer reach = lua_isinteger(L, 4) ? lua_tointeger(L, 4) : 0;
    if (reach < 1 || reach > 100000)
        return luaL_error(L, "scanner: family_reach must be a whole number of bytes (1 to 100000)");
    sc->fam_reach = (int)reach;
    lua_settop(L, 3);
    lua_getfield(L, 1, "abbreviations");                      /* 4 */
    luaL_checktype(L, 4, LUA_TTABLE);
    int cap = 0;
    lua_pushnil(L);
    while (lua_next(L, 4)) {
        lua_pop(L, 1);
        size_t n;
        const char *w = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &n) : NULL;
        if (!w || n < 1 || n > 5)
            return luaL_error(L, "scanner: abbreviations are words of 1 to 5 letters");
        if (sc->nabbr == cap) {
            cap = cap ? cap * 2 : 32;
            uint64_t *na = realloc(sc->abbr, (size_t)cap * sizeof *na);
            if (!na)
                return luaL_error(L, "scanner: not enough memory");
            sc->abbr = na;
        }
        uint64_t k = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)w[i];
            if (!ts_letter(c))
                return luaL_error(L, "scanner: abbreviations are words of 1 to 5 letters");
            k = k << 8 | (unsigned char)(c | 32);
        }
        sc->abbr[sc->nabbr++] = k;
    }
    if (sc->nabbr)
        qsort(sc->abbr, (size_t)sc->nabbr, sizeof *sc->abbr, ts_abbr_cmp);
    lua_settop(L, 3);

    /* the methods see the scanner as upvalue 1: terms() needs it on the stack */
    lua_createtable(L, 0, 8);                                 /* 4 result */
    static const luaL_Reg fns[] = {{"reset", ts_reset}, {"first", ts_first},
                                   {"sentence", ts_sentence_l},
                                   {"from", ts_from}, {"set", ts_set}, {"which", ts_which},
                                   {"terms", ts_terms}, {NULL, NULL}};
    lua_pushvalue(L, 2);
    luaL_setfuncs(L, fns, 1);
    lua_pushvalue(L, 2);                                      /* each: scanner, iterator */
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, ts_each_next, 1);
    lua_pushcclosure(L, ts_each, 2);
    lua_setfield(L, 4, "each");

    /* context patterns: terms too, prefiltered */
    lua_getfield(L, 4, "terms");                              /* 5 */
    for (int i = 0; i < TS_NCTX; i++) {
        lua_pushvalue(L, 5);
        lua_getfield(L, 1, ts_ctx_names[i]);
        rx_check(L, -1, NULL, NULL, NULL);
        lua_pushvalue(L, -1);
        lua_insert(L, -3);                                    /* re, fn, re */
        lua_call(L, 1, 0);                                    /* re */
        lua_getiuservalue(L, 2, 1);
        lua_pushvalue(L, -2);
        lua_rawget(L, -2);
        sc->ctx[i] = (int)lua_tointeger(L, -1);
        lua_pop(L, 3);
    }
    lua_settop(L, 4);
    return 1;
}

void ts_open(lua_State *L)
{
    luaL_newmetatable(L, TS_META);
    lua_pushcfunction(L, ts_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, "scanner");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    lua_pushcfunction(L, ts_new);
    lua_setglobal(L, "scanner");
}
