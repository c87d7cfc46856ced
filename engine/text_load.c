/*
** text_load.c — reads the text layer's data (plain Lua tables, raw access
** only) into a lexicon: each word list into entries of its class, the small
** tables into keyword tables, each evidence key with its terms (keys in
** name order, so that ids do not depend on Lua's hash order).
*/
#include "text_load.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_dates.h"
#include "text_measure.h"

typedef struct txo_ctx {
    lua_State *L;
    tx_lexicon *lx;
    char *err;
    size_t errlen;
    char path[160];            /* where in the data we are */
} txo_ctx;

static int txo_fail(txo_ctx *c, const char *fmt, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, what ? what : "");
    snprintf(c->err, c->errlen, "text data %s: %s", c->path, msg);
    return -1;
}

/* Push t[name] (raw); its type. */
static int txo_field(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    return lua_rawget(L, t < 0 ? t - 1 : t);
}

static int txo_bool(lua_State *L, int t, const char *name, int def)
{
    int ty = txo_field(L, t, name);
    int v = ty == LUA_TNIL ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Every string-named field of the table at t is one of names: a misspelt
** option ("ownwords") would otherwise read as absent, and the term or key
** load without it unseen. Numbered fields are the table's list. */
static int txo_known(txo_ctx *c, int t, const char *const *names)
{
    lua_State *L = c->L;
    t = lua_absindex(L, t);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            continue;
        const char *k = lua_tostring(L, -1);
        int known = 0;
        for (int i = 0; names[i] && !known; i++)
            known = !strcmp(names[i], k);
        if (!known) {
            int rc = txo_fail(c, "unknown option '%s'", k);
            lua_pop(L, 1);
            return rc;
        }
    }
    return 0;
}

/* A phrase's gap: a whole number of words, 0 or more. */
static int txo_within(txo_ctx *c, int idx, int *out)
{
    lua_State *L = c->L;
    int ok = 0;
    lua_Integer n = lua_tointegerx(L, idx, &ok);
    if (lua_type(L, idx) != LUA_TNUMBER || !ok || n < 0 || n > 1000)
        return txo_fail(c, "within is a whole number of words, 0 or more%s", NULL);
    *out = (int)n;
    return 0;
}

/* A phrase (its table on top of the stack): { phrase = { part, part, ... },
** within = n | { n, ... } }; a part is a word or a list of words (the table
** keeps the strings). words and name are the caller's: d points into them. */
static int txo_phrase(txo_ctx *c, int idx, tx_decl *d, const char *words[][64], char *name,
                      size_t namesize)
{
    lua_State *L = c->L;
    int pt = lua_gettop(L);
    size_t np = lua_rawlen(L, pt);
    if (np < 2 || np > TX_MAX_PARTS) {
        lua_pop(L, 1);
        return txo_fail(c, "a phrase has 2 to 4 parts%s", NULL);
    }
    d->nparts = (int)np;
    for (size_t p = 0; p < np; p++) {
        lua_rawgeti(L, pt, (lua_Integer)p + 1);
        size_t nw = 0;
        if (lua_type(L, -1) == LUA_TSTRING) {
            words[p][nw++] = lua_tostring(L, -1);
        } else if (lua_type(L, -1) == LUA_TTABLE) {
            size_t n = lua_rawlen(L, -1);
            for (size_t w = 1; w <= n && nw < 64; w++) {
                lua_rawgeti(L, -1, (lua_Integer)w);
                words[p][nw] = lua_tostring(L, -1);
                lua_pop(L, 1);
                if (words[p][nw])
                    nw++;
            }
        }
        lua_pop(L, 1);
        if (!nw) {
            lua_pop(L, 1);
            return txo_fail(c, "a phrase's part is a word or a list of words%s", NULL);
        }
        d->part[p].words = words[p];
        d->part[p].n = nw;
        size_t nl = strlen(name);
        snprintf(name + nl, namesize - nl, "%s%s%s", p ? " ... " : "", words[p][0],
                 nw > 1 ? "/..." : "");
    }
    d->name = name;
    for (int g = 0; g < TX_MAX_PARTS - 1; g++)
        d->within[g] = 0;
    int wt = txo_field(L, idx, "within"), rc = 0;
    if (wt == LUA_TTABLE) {
        size_t ng = lua_rawlen(L, -1);
        for (size_t g = 0; g < ng && g < TX_MAX_PARTS - 1 && !rc; g++) {
            lua_rawgeti(L, -1, (lua_Integer)g + 1);
            rc = txo_within(c, -1, &d->within[g]);
            lua_pop(L, 1);
        }
    } else if (wt != LUA_TNIL) {
        for (int g = 0; g < TX_MAX_PARTS - 1 && !rc; g++)
            rc = txo_within(c, -1, &d->within[g]);
    }
    lua_pop(L, 1);
    if (rc) {
        lua_pop(L, 1);
        return rc;
    }
    d->commas = txo_bool(L, idx, "commas", 0);
    if (txo_field(L, idx, "anchor") == LUA_TNUMBER)
        d->anchor = (int)lua_tointeger(L, -1) - 1;
    lua_pop(L, 1);
    return 0;
}

/* One entry of a word list: a string, or a table {text | re = ..., ...}. */
static int txo_entry(txo_ctx *c, int idx, tx_decl base)
{
    lua_State *L = c->L;
    idx = lua_absindex(L, idx);
    tx_decl d = base;
    const char *except[32];
    d.except = except;
    if (lua_type(L, idx) == LUA_TSTRING) {
        d.text = lua_tostring(L, idx);
        return txl_add(c->lx, &d, c->err, c->errlen) ? txo_fail(c, "%s", c->err) : 0;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        return txo_fail(c, "a word is a string or a table%s", NULL);
    static const char *const options[] = {"re", "phrase", "within", "commas", "anchor",
                                          "ending", "inside", "typo", "upper", "own_words",
                                          "documents", "except", NULL};
    if (txo_known(c, idx, options))
        return -1;
    lua_rawgeti(L, idx, 1);
    if (lua_type(L, -1) == LUA_TSTRING)
        d.text = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (txo_field(L, idx, "re") == LUA_TSTRING)
        d.regex = lua_tostring(L, -1);
    lua_pop(L, 1);
    const char *words[TX_MAX_PARTS][64];
    char name[128] = "";
    if (txo_field(L, idx, "phrase") == LUA_TTABLE &&
        txo_phrase(c, idx, &d, words, name, sizeof name))
        return -1;
    lua_pop(L, 1);
    if ((d.text != NULL) + (d.regex != NULL) + (d.nparts > 0) != 1)
        return txo_fail(c, "a word table holds its word first, re = a pattern, or phrase = "
                           "its parts%s", NULL);
    if (txo_field(L, idx, "ending") == LUA_TSTRING) {
        const char *e = lua_tostring(L, -1);
        d.ending = !strcmp(e, "any")          ? TX_END_ANY
                   : !strcmp(e, "inflection") ? TX_END_INFLECT
                   : !strcmp(e, "word")       ? TX_END_WORD
                                              : -2;
        if (d.ending == -2) {
            lua_pop(L, 1);
            return txo_fail(c, "ending is \"any\", \"inflection\" or \"word\", not \"%s\"", e);
        }
    }
    lua_pop(L, 1);
    if (txo_field(L, idx, "inside") != LUA_TNIL)
        d.inside = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (txo_field(L, idx, "typo") != LUA_TNIL)
        d.typo = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (txo_bool(L, idx, "upper", 0))
        d.flags |= TX_F_UPPER;
    if (txo_bool(L, idx, "own_words", 0))
        d.flags |= TX_F_NEGATIVE;
    if (txo_bool(L, idx, "documents", 0))
        d.flags |= TX_F_DOCS;
    if (txo_field(L, idx, "except") == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        if (n > sizeof except / sizeof *except) {
            lua_pop(L, 1);
            return txo_fail(c, "at most 32 except words%s", NULL);
        }
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            except[i] = lua_tostring(L, -1);   /* kept alive by the table */
            lua_pop(L, 1);
            if (!except[i]) {
                lua_pop(L, 1);
                return txo_fail(c, "except words are strings%s", NULL);
            }
        }
        d.nexcept = n;
    }
    int rc = txl_add(c->lx, &d, c->err, c->errlen) ? txo_fail(c, "%s", c->err) : 0;
    lua_pop(L, 1);
    return rc;
}

static tx_decl txo_decl(enum tx_class cls, int key, int32_t value, unsigned flags)
{
    tx_decl d;
    memset(&d, 0, sizeof d);
    d.cls = cls;
    d.key = key;
    d.value = value;
    d.ending = -1;
    d.inside = -1;
    d.typo = -1;
    d.anchor = -1;
    d.flags = flags;
    return d;
}

/* The word list t[name] (an array), each word of class cls. A missing list
** is empty unless required. */
static int txo_list(txo_ctx *c, int t, const char *name, tx_decl base, int required)
{
    lua_State *L = c->L;
    size_t plen = strlen(c->path);
    snprintf(c->path + plen, sizeof c->path - plen, ".%s", name);
    int ty = txo_field(L, t, name);
    int rc = 0;
    if (ty == LUA_TNIL && !required) {
        lua_pop(L, 1);
        c->path[plen] = 0;
        return 0;
    }
    if (ty != LUA_TTABLE) {
        rc = txo_fail(c, "a list of words is missing%s", NULL);
    } else {
        size_t n = lua_rawlen(L, -1);
        for (size_t i = 1; i <= n && !rc; i++) {
            size_t p2 = strlen(c->path);
            snprintf(c->path + p2, sizeof c->path - p2, "[%zu]", i);
            lua_rawgeti(L, -1, (lua_Integer)i);
            rc = txo_entry(c, -1, base);
            lua_pop(L, 1);
            c->path[p2] = 0;
        }
    }
    lua_pop(L, 1);
    c->path[plen] = 0;
    return rc;
}

/* The keyword table t[name]: an array of words (value 1), or a map of
** words to numbers (scaled by scale) or to one of names (its index + 1). */
static int txo_table(txo_ctx *c, int t, const char *name, enum tx_table which, double scale,
                     const char *const *names)
{
    lua_State *L = c->L;
    size_t plen = strlen(c->path);
    snprintf(c->path + plen, sizeof c->path - plen, ".%s", name);
    int rc = 0;
    if (txo_field(L, t, name) == LUA_TTABLE) {
        lua_pushnil(L);
        while (!rc && lua_next(L, -2)) {
            const char *word = NULL;
            int32_t v = 1;
            if (lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TSTRING) {
                word = lua_tostring(L, -1);
            } else if (lua_type(L, -2) == LUA_TSTRING) {
                word = lua_tostring(L, -2);
                if (lua_type(L, -1) == LUA_TNUMBER) {
                    v = (int32_t)lround(lua_tonumber(L, -1) * scale);
                } else if (lua_type(L, -1) == LUA_TSTRING && names) {
                    const char *s = lua_tostring(L, -1);
                    v = 0;
                    for (int i = 0; names[i] && !v; i++)
                        if (!strcmp(names[i], s))
                            v = i + 1;
                    if (!v)
                        rc = txo_fail(c, "unknown value \"%s\"", s);
                } else if (lua_type(L, -1) != LUA_TBOOLEAN) {
                    rc = txo_fail(c, "values are numbers%s", NULL);
                }
            }
            if (!rc && !word)
                rc = txo_fail(c, "a list of words or a map of words%s", NULL);
            if (!rc) {
                char f[TX_WORD_MAX + 1];
                size_t n = strlen(word);
                if (n > TX_WORD_MAX) {
                    rc = txo_fail(c, "word too long: %s", word);
                } else {
                    n = txn_fold(f, word, n);
                    /* a trailing dot is the text's, not the word's ("mdr.") */
                    while (n > 1 && f[n - 1] == '.')
                        n--;
                    if (txw_put(txl_table(c->lx, which), txl_alloc(c->lx), f, n, v))
                        rc = txo_fail(c, "not enough memory%s", NULL);
                }
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    c->path[plen] = 0;
    return rc;
}

/* Enter the sub-table t[name] (pushed); 0 ok, -1 missing. */
static int txo_enter(txo_ctx *c, int t, const char *name, size_t *plen)
{
    *plen = strlen(c->path);
    snprintf(c->path + *plen, sizeof c->path - *plen, ".%s", name);
    if (txo_field(c->L, t, name) != LUA_TTABLE) {
        lua_pop(c->L, 1);
        return txo_fail(c, "missing (a table)%s", NULL);
    }
    return 0;
}

static void txo_leave(txo_ctx *c, size_t plen)
{
    lua_pop(c->L, 1);
    c->path[plen] = 0;
}

static int txo_keyname_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int txo_keys(txo_ctx *c, int t)
{
    lua_State *L = c->L;
    size_t plen;
    if (txo_enter(c, t, "keys", &plen))
        return -1;
    int kt = lua_gettop(L);
    /* names first, sorted */
    const char *names[1024];
    size_t nk = 0;
    lua_pushnil(L);
    while (lua_next(L, kt)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING || nk == sizeof names / sizeof *names) {
            lua_pop(L, 1);
            txo_leave(c, plen);
            return txo_fail(c, "keys are named by strings (at most 1024)%s", NULL);
        }
        names[nk++] = lua_tostring(L, -1);    /* the table keeps it alive */
    }
    qsort(names, nk, sizeof *names, txo_keyname_cmp);
    static const char *const kinds[] = {"clinical", "document", NULL};
    for (size_t i = 0; i < nk; i++) {
        lua_pushstring(L, names[i]);
        if (lua_rawget(L, kt) != LUA_TTABLE) {
            lua_pop(L, 1);
            snprintf(c->path + plen, sizeof c->path - plen, ".keys.%s", names[i]);
            txo_leave(c, plen);
            return txo_fail(c, "a key is a table%s", NULL);
        }
        int kt2 = lua_gettop(L);
        size_t p2 = strlen(c->path);
        snprintf(c->path + p2, sizeof c->path - p2, ".%s", names[i]);
        static const char *const options[] = {"terms", "kind", "person", "hos", "iq",
                                              "history_months", "same_as", NULL};
        if (txo_known(c, kt2, options)) {
            lua_pop(L, 1);
            txo_leave(c, plen);
            return -1;
        }
        int kind = TX_KIND_CLINICAL;
        if (txo_field(L, kt2, "kind") == LUA_TSTRING) {
            const char *k = lua_tostring(L, -1);
            kind = -1;
            for (int j = 0; kinds[j]; j++)
                if (!strcmp(kinds[j], k))
                    kind = j;
        }
        lua_pop(L, 1);
        int hist = 0;
        if (txo_field(L, kt2, "history_months") == LUA_TNUMBER)
            hist = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
        int rc = 0;
        int id = kind < 0 ? -1
                          : txl_key(c->lx, names[i], (enum tx_kind)kind,
                                    txo_bool(L, kt2, "person", 1), hist);
        if (kind < 0)
            rc = txo_fail(c, "kind is \"clinical\" or \"document\"%s", NULL);
        else if (id < 0)
            rc = txo_fail(c, "bad key name or too many keys%s", NULL);
        if (!rc)
            txl_key_options(c->lx, id, txo_bool(L, kt2, "hos", 1), txo_bool(L, kt2, "iq", 0));
        if (!rc) {
            /* a key with same_as has that key's terms: resolved below */
            int same = txo_field(L, kt2, "same_as") == LUA_TSTRING;
            lua_pop(L, 1);
            if (!same)
                rc = txo_list(c, kt2, "terms", txo_decl(TX_TERM, id, 0, 0), 1);
        }
        lua_pop(L, 1);
        c->path[p2] = 0;
        if (rc) {
            txo_leave(c, plen);
            return -1;
        }
    }
    for (size_t i = 0; i < nk; i++) {
        lua_pushstring(L, names[i]);
        lua_rawget(L, kt);
        if (txo_field(L, -1, "same_as") == LUA_TSTRING) {
            int as = txl_key_id(c->lx, lua_tostring(L, -1));
            if (as < 0) {
                snprintf(c->path + plen, sizeof c->path - plen, ".keys.%s.same_as", names[i]);
                int rc = txo_fail(c, "no key named %s", lua_tostring(L, -1));
                lua_pop(L, 3);
                return rc;
            }
            txl_key_same(c->lx, txl_key_id(c->lx, names[i]), as);
        }
        lua_pop(L, 2);
    }
    txo_leave(c, plen);
    return 0;
}

static const char *const TXO_WHY[TX_NWHY] = {
    "counted", "suspected", "negated", "negated_after", "label", "other_person", "history", "dated",
};

/* spelling: compound_end, typo_letters, the inflections */
static int txo_spelling(txo_ctx *c, int t)
{
    lua_State *L = c->L;
    tx_lexicon *lx = c->lx;
    size_t plen;
    if (txo_enter(c, t, "spelling", &plen))
        return -1;
    {
        int st = lua_gettop(L);
        int ce = 5, tl = 0;
        if (txo_field(L, st, "compound_end") == LUA_TNUMBER)
            ce = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (txo_field(L, st, "typo_letters") == LUA_TNUMBER)
            tl = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
        txl_spelling(lx, ce, tl);
        if (txo_field(L, st, "inflections") != LUA_TTABLE) {
            lua_pop(L, 1);
            txo_leave(c, plen);
            return txo_fail(c, ".inflections: a list of endings is missing%s", NULL);
        }
        size_t n = lua_rawlen(L, -1);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            const char *e = lua_tostring(L, -1);
            int rc = e ? txl_inflection(lx, e) : -2;
            lua_pop(L, 1);
            if (rc) {
                lua_pop(L, 1);
                txo_leave(c, plen);
                return txo_fail(c, ".inflections: endings are short strings%s", NULL);
            }
        }
        lua_pop(L, 1);
    }
    txo_leave(c, plen);
    return 0;
}

/* negation, contrast, suspicion */
static int txo_negation(txo_ctx *c, int t)
{
    size_t plen;
    if (txo_enter(c, t, "negation", &plen))
        return -1;
    int rc = txo_list(c, -1, "before", txo_decl(TX_NEG, 0, 0, 0), 1) ||
             txo_list(c, -1, "after", txo_decl(TX_POSTNEG, 0, 0, 0), 1) ||
             txo_list(c, -1, "values", txo_decl(TX_NEGVALUE, 0, 0, 0), 0) ||
             txo_list(c, -1, "not_negation", txo_decl(TX_NOTNEG, 0, 0, 0), 0);
    txo_leave(c, plen);
    if (rc)
        return -1;
    if (txo_enter(c, t, "contrast", &plen))
        return -1;
    rc = txo_list(c, -1, "words", txo_decl(TX_CONTRAST, 0, 0, 0), 1) ||
         txo_table(c, -1, "new_clause", TX_T_CLAUSE, 1, NULL);
    txo_leave(c, plen);
    if (rc || txo_list(c, t, "suspicion", txo_decl(TX_SUSPICION, 0, 0, 0), 1))
        return -1;
    return 0;
}

/* people */
static int txo_people(txo_ctx *c, int t)
{
    size_t plen;
    if (txo_enter(c, t, "people", &plen))
        return -1;
    int rc = txo_list(c, -1, "persons", txo_decl(TX_PERSON, 0, 0, 0), 1) ||
             txo_list(c, -1, "clause", txo_decl(TX_PERSON_CLAUSE, 0, 0, 0), 0) ||
             txo_table(c, -1, "verbs", TX_T_VERB, 1, NULL) ||
             txo_table(c, -1, "reporting", TX_T_REPORT, 1, NULL) ||
             txo_table(c, -1, "child", TX_T_CHILD, 1, NULL) ||
             txo_table(c, -1, "joins", TX_T_JOIN, 1, NULL) ||
             txo_table(c, -1, "fillers", TX_T_FILL, 1, NULL) ||
             txo_table(c, -1, "relative", TX_T_RELATIVE, 1, NULL) ||
             txo_table(c, -1, "after", TX_T_AFTER, 1, NULL);
    txo_leave(c, plen);
    return rc ? -1 : 0;
}

/* sentences */
static int txo_sentences(txo_ctx *c, int t)
{
    lua_State *L = c->L;
    tx_lexicon *lx = c->lx;
    size_t plen;
    if (txo_enter(c, t, "sentences", &plen))
        return -1;
    int rc = txo_table(c, -1, "abbreviations", TX_T_ABBREV, 1, NULL);
    txl_wrapped_lines(lx, txo_bool(L, -1, "wrapped_lines", 0));
    txo_leave(c, plen);
    return rc ? -1 : 0;
}

/* time: months, seasons, numbers (in halves), units, hedges, phrases */
static int txo_time(txo_ctx *c, int t)
{
    lua_State *L = c->L;
    size_t plen;
    if (txo_enter(c, t, "time", &plen))
        return -1;
    int rc = txo_table(c, -1, "months", TX_T_MONTH, 1, NULL) ||
             txo_table(c, -1, "seasons", TX_T_SEASON, 1, NULL) ||
             txo_table(c, -1, "numbers", TX_T_NUMBER, 2, NULL) ||
             txo_table(c, -1, "days", TX_T_TUNIT, 1, NULL) ||
             txo_table(c, -1, "months_of", TX_T_TUNIT, -1, NULL) ||
             txo_table(c, -1, "approx", TX_T_APPROX, 1, NULL) ||
             txo_list(c, -1, "ago", txo_decl(TX_AGO, 0, 0, 0), 1) ||
             txo_list(c, -1, "last_year", txo_decl(TX_TIME, 0, TX_TIME_LAST_YEAR, 0), 0);
    if (!rc && txo_field(L, -1, "days_from_received") == LUA_TTABLE) {
        /* phrase -> days from received ("i går" = -1) */
        int dt = lua_gettop(L);
        size_t p2 = strlen(c->path);
        snprintf(c->path + p2, sizeof c->path - p2, ".days_from_received");
        lua_pushnil(L);
        while (!rc && lua_next(L, dt)) {
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TNUMBER) {
                rc = txo_fail(c, "phrase = days%s", NULL);
            } else {
                tx_decl d = txo_decl(TX_TIME, 0, (int32_t)lua_tointeger(L, -1), 0);
                lua_pushvalue(L, -2);
                rc = txo_entry(c, -1, d);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        c->path[p2] = 0;
    }
    lua_pop(L, 1);
    txo_leave(c, plen);
    return rc ? -1 : 0;
}

/* measures */
static int txo_measures(txo_ctx *c, int t)
{
    size_t plen;
    if (txo_enter(c, t, "measures", &plen))
        return -1;
    static const char *const units[] = {"kg", "cm", "m", "%", NULL};
    static const char *const preps[] = {"from", "to", NULL};
    int rc = txo_list(c, -1, "weight", txo_decl(TX_MEASURE, 0, TX_MC_WEIGHT, 0), 1) ||
             txo_list(c, -1, "earlier", txo_decl(TX_MEASURE, 0, TX_MC_EARLIER, 0), 0) ||
             txo_list(c, -1, "height", txo_decl(TX_MEASURE, 0, TX_MC_HEIGHT, 0), 1) ||
             txo_list(c, -1, "bmi", txo_decl(TX_MEASURE, 0, TX_MC_BMI, 0), 1) ||
             txo_list(c, -1, "iq", txo_decl(TX_MEASURE, 0, TX_MC_IQ, 0), 1) ||
             txo_list(c, -1, "loss", txo_decl(TX_MEASURE, 0, TX_MC_LOSS, 0), 1) ||
             txo_list(c, -1, "taken", txo_decl(TX_MEASURE, 0, TX_MC_TAKEN, 0), 0) ||
             txo_table(c, -1, "off", TX_T_MOFF, 1, NULL) ||
             txo_table(c, -1, "units", TX_T_MUNIT, 1, units) ||
             txo_table(c, -1, "fillers", TX_T_MFILL, 1, NULL) ||
             txo_table(c, -1, "from_to", TX_T_MPREP, 1, preps);
    txo_leave(c, plen);
    return rc ? -1 : 0;
}

/* explanations */
static int txo_explain(txo_ctx *c, int t)
{
    lua_State *L = c->L;
    tx_lexicon *lx = c->lx;
    size_t plen;
    int rc;
    if (txo_enter(c, t, "explain", &plen))
        return -1;
    for (int w = 0; w < TX_NWHY; w++) {
        if (txo_field(L, -1, TXO_WHY[w]) != LUA_TSTRING) {
            lua_pop(L, 1);
            txo_leave(c, plen);
            return txo_fail(c, "no text for \"%s\"", TXO_WHY[w]);
        }
        rc = txl_template(lx, (enum tx_why)w, lua_tostring(L, -1));
        lua_pop(L, 1);
        if (rc) {
            txo_leave(c, plen);
            return txo_fail(c, "not enough memory%s", NULL);
        }
    }
    txo_leave(c, plen);
    return 0;
}

static int txo_all(txo_ctx *c, int t)
{
    if (txo_spelling(c, t) || txo_negation(c, t) || txo_people(c, t) ||
        txo_sentences(c, t) || txo_time(c, t) || txo_measures(c, t))
        return -1;
    if (txo_keys(c, t))
        return -1;
    return txo_explain(c, t);
}

tx_lexicon *txl_load(lua_State *L, int idx, const tx_alloc *a, char *err, size_t errlen)
{
    return txl_load_reusing(L, idx, a, NULL, err, errlen);
}

tx_lexicon *txl_load_reusing(lua_State *L, int idx, const tx_alloc *a, const tx_lexicon *prev,
                             char *err, size_t errlen)
{
    idx = lua_absindex(L, idx);
    txo_ctx c = {L, NULL, err, errlen, ""};
    if (lua_type(L, idx) != LUA_TTABLE) {
        snprintf(err, errlen, "text data: not a table");
        return NULL;
    }
    c.lx = txl_new(a);
    if (!c.lx) {
        snprintf(err, errlen, "text data: not enough memory");
        return NULL;
    }
    int top = lua_gettop(L);
    if (!lua_checkstack(L, 16) || txo_all(&c, idx) || txl_compile_like(c.lx, prev, err, errlen)) {
        lua_settop(L, top);
        txl_free(c.lx);
        return NULL;
    }
    lua_settop(L, top);
    return c.lx;
}

/* include(path) for txl_load_dir: runs dir/path once, returns its value. */
static int txo_include(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (strstr(path, ".."))
        return luaL_error(L, "include: '%s' leaves the rule set", path);
    lua_getfield(L, LUA_REGISTRYINDEX, "txo.included");
    if (lua_getfield(L, -1, path) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", lua_tostring(L, lua_upvalueindex(1)), path);
    if (luaL_loadfilex(L, full, "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, path);
    return 1;
}

static int txo_run_dir(lua_State *L)
{
    const char *dir = lua_tostring(L, 1);
    const tx_alloc *a = lua_touserdata(L, 2);
    char *err = lua_touserdata(L, 3);
    size_t errlen = (size_t)lua_tointeger(L, 4);
    const tx_lexicon *prev = lua_touserdata(L, 5);
    luaL_openlibs(L);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "txo.included");
    lua_pushstring(L, dir);
    lua_pushcclosure(L, txo_include, 1);
    lua_setglobal(L, "include");
    lua_getglobal(L, "include");
    lua_pushstring(L, "data/text.lua");
    lua_call(L, 1, 1);
    tx_lexicon *lx = txl_load_reusing(L, -1, a, prev, err, errlen);
    lua_pushlightuserdata(L, lx);
    return 1;
}

tx_lexicon *txl_load_dir(const char *dir, const tx_alloc *a, char *err, size_t errlen)
{
    return txl_load_dir_reusing(dir, a, NULL, err, errlen);
}

tx_lexicon *txl_load_dir_reusing(const char *dir, const tx_alloc *a, const tx_lexicon *prev,
                                 char *err, size_t errlen)
{
    lua_State *L = luaL_newstate();
    if (!L) {
        snprintf(err, errlen, "text data: not enough memory");
        return NULL;
    }
    lua_pushcfunction(L, txo_run_dir);
    lua_pushstring(L, dir);
    lua_pushlightuserdata(L, (void *)a);
    lua_pushlightuserdata(L, err);
    lua_pushinteger(L, (lua_Integer)errlen);
    lua_pushlightuserdata(L, (void *)prev);
    tx_lexicon *lx = NULL;
    if (lua_pcall(L, 5, 1, 0) != LUA_OK)
        snprintf(err, errlen, "text data: %s", lua_tostring(L, -1));
    else
        lx = lua_touserdata(L, -1);
    lua_close(L);
    return lx;
}
