/*
** levidence.c — `evidence` and `text` in a decider's Lua state. The letter
** is read once per referral (txe_read) and what it gives is written into one
** table made at load with every field already there (false until stated),
** so a rule's read is one table lookup and never a call; only the fields
** that changed since the previous referral are written. Rules reach it
** through an empty proxy whose __index is that table: they cannot write it
** (the proxy's __newindex raises, __metatable hides the table), and a field
** that does not exist raises instead of reading as nil.
*/
#include "levidence.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "referral.h"
#include "text_evidence.h"

/* The child's measurements, after the keys' fields. */
enum { LM_WEIGHT, LM_HEIGHT, LM_BMI, LM_LOSS, LM_LOSS_MONTHS, LM_IQ, LM__N };
static const char *const le_measure_names[LM__N] = {
    "weight_kg", "height_cm", "bmi", "weight_loss_pct", "weight_loss_months", "iq"};

/* Each key has three fields: KEY (counted), KEY_date, KEY_past (keys with a
** history limit only). */
enum { LF_COUNTED, LF_DATE, LF_PAST, LF__N };
#define LE_FALSE UINT64_MAX      /* a field's value "false" (cur[]) */

struct le_state {
    lua_State *L;
    const tx_lexicon *lx;
    tx_alloc a;                  /* L's allocator: the reader is charged to the state */
    tx_reader *rd;               /* each referral's letter */
    tx_reader *aside;            /* text.states(), made on first use */
    const tx_evidence *ev;       /* the letter last read, NULL before the first */
    uint32_t nkey, nfield;
    uint64_t *cur;               /* [field]: what the table holds now (0/1, a day, a double's bits) */
    uint8_t *keyset;             /* [key]: one of its fields holds something but false */
    uint16_t *set, *was;         /* the keys keyset holds, now and before this letter */
    uint32_t nset;
    uint32_t *seen;              /* [key]: gen when this letter touched it */
    uint32_t gen;
    uint8_t *history;            /* [key]: it has a history limit (a KEY_past field) */
    int vals_ref;                /* the table behind the proxy */
    int names_ref;               /* field id + 1 -> its name (a Lua string, kept) */
    int counted_ref;             /* evidence.counted: the keys counted, by name */
    uint32_t ncounted;           /* entries it holds */
};

static uint32_t le_field(uint32_t key, int which) { return key * LF__N + (uint32_t)which; }
static uint32_t le_measure_field(const le_state *e, int m) { return e->nkey * LF__N + (uint32_t)m; }

static int le_has_field(const le_state *e, uint32_t f)
{
    return f >= e->nkey * LF__N || f % LF__N != LF_PAST || e->history[f / LF__N];
}

/* The name of field f into buf ("" for a field that does not exist). */
static const char *le_name(const le_state *e, uint32_t f, char *buf, size_t cap)
{
    if (!le_has_field(e, f))
        return "";
    if (f >= e->nkey * LF__N)
        return le_measure_names[f - e->nkey * LF__N];
    static const char *const suffix[LF__N] = {"", "_date", "_past"};
    snprintf(buf, cap, "%s%s", txl_key_at(e->lx, f / LF__N)->name, suffix[f % LF__N]);
    return buf;
}

static int le_unknown(lua_State *L)
{
    const char *k = lua_tostring(L, 2);
    return luaL_error(L, "evidence has no field '%s' (keys are declared in data/text/*.lua)",
                      k ? k : "?");
}

static int le_readonly(lua_State *L)
{
    return luaL_error(L, "evidence is read only (declare a fact instead)");
}

/* Push field f's value as cur[f] encodes it. */
static void le_push(const le_state *e, uint32_t f, uint64_t v)
{
    lua_State *L = e->L;
    if (v == LE_FALSE) {
        lua_pushboolean(L, 0);
    } else if (f < e->nkey * LF__N && f % LF__N != LF_DATE) {
        lua_pushboolean(L, (int)v);
    } else if (f < e->nkey * LF__N) {
        lua_pushinteger(L, (int32_t)(uint32_t)v);
    } else {
        double d;
        memcpy(&d, &v, sizeof d);
        if (d == floor(d) && fabs(d) < 1e15)
            lua_pushinteger(L, (lua_Integer)d);
        else
            lua_pushnumber(L, d);
    }
}

static uint64_t le_num(int has, double d)
{
    uint64_t v = LE_FALSE;
    if (has)
        memcpy(&v, &d, sizeof v);
    return v;
}

/* Set field f to v in the table at index -2 (the names at -1), if it
** changed. */
static void le_set(le_state *e, uint32_t f, uint64_t v)
{
    if (e->cur[f] == v)
        return;
    e->cur[f] = v;
    lua_rawgeti(e->L, -1, (lua_Integer)f + 1);            /* +1 name */
    le_push(e, f, v);                                     /* +2 */
    lua_rawset(e->L, -4);                                 /* 0 */
}

/* Key k's fields as kv has them, in the table at -2 (the names at -1). */
static void le_key(le_state *e, uint32_t k, const tx_keyev *kv)
{
    le_set(e, le_field(k, LF_COUNTED), kv->counted != 0);
    le_set(e, le_field(k, LF_DATE), kv->date == DT_NONE ? LE_FALSE : (uint32_t)kv->date);
    if (e->history[k])
        le_set(e, le_field(k, LF_PAST), kv->when == TX_WHEN_PAST);
}

int le_read(le_state *e, const triage_referral *r)
{
    const tx_evidence *ev = txe_read(e->rd, r->text, r->text_len, r->received);
    e->ev = ev;
    if (!ev)
        return -1;
    lua_State *L = e->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->vals_ref);       /* +1 vals */
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->names_ref);      /* +2 names */
    /* Only keys the letter touched can hold something now, and only keys
    ** that held something before need setting back to false: the rest of
    ** the keys (most of them) are not looked at. */
    uint16_t *was = e->set;                               /* set before this letter */
    uint32_t nwas = e->nset;
    e->set = e->was;
    e->was = was;
    e->nset = 0;
    e->gen++;
    for (uint32_t q = 0; q < ev->ntouched; q++) {
        uint32_t k = ev->touched[q];
        const tx_keyev *kv = &ev->key[k];
        int set = kv->counted || kv->date != DT_NONE || kv->when == TX_WHEN_PAST;
        e->seen[k] = e->gen;
        if (set || e->keyset[k])
            le_key(e, k, kv);
        e->keyset[k] = (uint8_t)set;
        if (set)
            e->set[e->nset++] = (uint16_t)k;
    }
    static const tx_keyev blank = {.mention = -1, .date = DT_NONE};
    for (uint32_t q = 0; q < nwas; q++) {
        uint32_t k = was[q];
        if (e->seen[k] != e->gen) {                       /* held something, blank now */
            le_key(e, k, &blank);
            e->keyset[k] = 0;
        }
    }
    /* evidence.counted, refilled whole: a rule set that wrote into it
    ** changes nothing beyond this referral; in key order, as before */
    for (uint32_t q = 1; q < e->nset; q++)               /* a handful: insertion */
        for (uint32_t i = q; i > 0 && e->set[i - 1] > e->set[i]; i--) {
            uint16_t t = e->set[i];
            e->set[i] = e->set[i - 1];
            e->set[i - 1] = t;
        }
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->counted_ref);    /* +3 counted */
    lua_insert(L, -2);                                    /* +2 counted, +3 names */
    uint32_t n = 0;
    for (uint32_t q = 0; q < e->nset; q++)
        if (ev->key[e->set[q]].counted) {
            lua_rawgeti(L, -1, (lua_Integer)le_field(e->set[q], LF_COUNTED) + 1);
            lua_rawseti(L, -3, ++n);
        }
    uint32_t old = (uint32_t)lua_rawlen(L, -2);
    for (uint32_t i = n + 1; i <= old || i <= e->ncounted; i++) {
        lua_pushnil(L);
        lua_rawseti(L, -3, i);
    }
    e->ncounted = n;
    lua_remove(L, -2);                                    /* +1 vals, +2 names */
    const tx_somatic *s = ev->somatic;
    le_set(e, le_measure_field(e, LM_WEIGHT), le_num(s->has_weight, s->weight_kg));
    le_set(e, le_measure_field(e, LM_HEIGHT), le_num(s->has_height, s->height_cm));
    le_set(e, le_measure_field(e, LM_BMI), le_num(s->has_bmi && s->bmi_stated, s->bmi));
    le_set(e, le_measure_field(e, LM_LOSS), le_num(s->has_loss, s->loss_pct));
    le_set(e, le_measure_field(e, LM_LOSS_MONTHS),
           le_num(s->has_loss && s->loss_months >= 0, s->loss_months));
    le_set(e, le_measure_field(e, LM_IQ), le_num(s->has_iq, s->iq));
    lua_pop(L, 2);
    return 0;
}

int le_known(const le_state *e, const char *name)
{
    char buf[64];
    for (uint32_t f = 0; f < e->nfield; f++)
        if (!strcmp(le_name(e, f, buf, sizeof buf), name) && *name)
            return 1;
    return 0;
}

/* text.states(s, key [, received_day]): whether the text layer reads key in
** s as stated (counted), with the rule set's words; for short strings a rule
** set holds apart from the letter (a medication's name). */
static int le_states(lua_State *L)
{
    le_state *e = lua_touserdata(L, lua_upvalueindex(1));
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *key = luaL_checkstring(L, 2);
    lua_Integer day = luaL_optinteger(L, 3, 0);
    int k = txl_key_id(e->lx, key);
    if (k < 0)
        return luaL_error(L, "text.states: no evidence key '%s' (data/text/*.lua)", key);
    if (!e->aside && !(e->aside = txe_new(e->lx, &e->a)))
        return luaL_error(L, "not enough memory");
    const tx_evidence *ev = txe_read(e->aside, s, len, (int32_t)day);
    if (!ev)
        return luaL_error(L, "not enough memory");
    lua_pushboolean(L, ev->key[k].counted);
    return 1;
}

le_state *le_open(lua_State *L, const tx_lexicon *lx)
{
    tx_alloc a;
    a.fn = lua_getallocf(L, &a.ud);
    le_state *e = tx_new(&a, sizeof *e);
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    e->L = L;
    e->lx = lx;
    e->a = a;
    e->nkey = txl_nkeys(lx);
    e->nfield = e->nkey * LF__N + LM__N;
    e->vals_ref = e->names_ref = e->counted_ref = LUA_NOREF;
    e->cur = tx_new(&a, (size_t)e->nfield * sizeof *e->cur);
    e->keyset = tx_new(&a, (size_t)e->nkey + 1);
    e->history = tx_new(&a, (size_t)e->nkey + 1);
    e->set = tx_new(&a, ((size_t)e->nkey + 1) * sizeof *e->set);
    e->was = tx_new(&a, ((size_t)e->nkey + 1) * sizeof *e->was);
    e->seen = tx_new(&a, ((size_t)e->nkey + 1) * sizeof *e->seen);
    if (!e->cur || !e->keyset || !e->history || !e->set || !e->was || !e->seen ||
        !(e->rd = txe_new(lx, &e->a))) {
        le_free(e);
        return NULL;
    }
    for (uint32_t k = 0; k < e->nkey; k++) {
        e->keyset[k] = 0;
        e->seen[k] = 0;
        e->history[k] = txl_key_at(lx, k)->history_months > 0;
    }
    /* every field there from the start, false until a letter states it */
    lua_createtable(L, (int)e->nfield, 0);                /* +1 names */
    lua_createtable(L, 0, (int)e->nfield);                /* +2 vals */
    char buf[64];
    for (uint32_t f = 0; f < e->nfield; f++) {
        e->cur[f] = LE_FALSE;
        const char *name = le_name(e, f, buf, sizeof buf);
        if (!*name)
            continue;
        lua_pushstring(L, name);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -4, (lua_Integer)f + 1);
        lua_pushboolean(L, 0);
        lua_rawset(L, -3);
    }
    lua_createtable(L, 8, 0);                             /* +3 counted */
    lua_createtable(L, 0, 2);        /* it outlives the referral: it refuses new keys */
    lua_pushcfunction(L, le_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "evidence");                       /* and rawset (sandbox_lock.c) */
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    e->counted_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setfield(L, -2, "counted");                       /* +2 */
    lua_createtable(L, 0, 1);                             /* +3 vals' meta */
    lua_pushcfunction(L, le_unknown);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);                              /* +2 */
    lua_newtable(L);                                      /* +3 evidence (proxy) */
    lua_createtable(L, 0, 3);                             /* +4 its meta */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, le_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "evidence");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                              /* +3 */
    lua_setglobal(L, "evidence");                         /* +2 */
    e->vals_ref = luaL_ref(L, LUA_REGISTRYINDEX);         /* +1 */
    e->names_ref = luaL_ref(L, LUA_REGISTRYINDEX);        /* 0 */
    lua_createtable(L, 0, 1);                             /* +1 text */
    lua_pushlightuserdata(L, e);
    lua_pushcclosure(L, le_states, 1);
    lua_setfield(L, -2, "states");
    lua_setglobal(L, "text");                             /* 0 */
    return e;
}

void le_locked(le_state *e)
{
    lua_State *L = e->L;
    lua_getglobal(L, "evidence");                         /* +1 the proxy */
    if (lua_getmetatable(L, -1)) {                        /* +2 the lock's */
        lua_rawgeti(L, LUA_REGISTRYINDEX, e->vals_ref);
        lua_setfield(L, -2, "__index");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void le_free(le_state *e)
{
    if (!e)
        return;
    tx_alloc a = e->a;
    txe_free(e->rd);
    txe_free(e->aside);
    tx_free(&a, e->cur, (size_t)e->nfield * sizeof *e->cur);
    tx_free(&a, e->keyset, (size_t)e->nkey + 1);
    tx_free(&a, e->history, (size_t)e->nkey + 1);
    tx_free(&a, e->set, ((size_t)e->nkey + 1) * sizeof *e->set);
    tx_free(&a, e->was, ((size_t)e->nkey + 1) * sizeof *e->was);
    tx_free(&a, e->seen, ((size_t)e->nkey + 1) * sizeof *e->seen);
    tx_free(&a, e, sizeof *e);
}

/* Evidence keys of the measurements, by kind (enum tx_mkind). */
static const char *le_measure_key(int kind)
{
    switch (kind) {
    case TX_MK_WEIGHT: return "weight_kg";
    case TX_MK_HEIGHT: return "height_cm";
    case TX_MK_BMI: return "bmi";
    case TX_MK_IQ: return "iq";
    default: return "weight_loss_pct";   /* the loss, and the earlier weight it is from */
    }
}

static int le_span_cmp(const void *a, const void *b)
{
    const dc_evidence *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return strcmp(x->key, y->key);
}

int le_explain(le_state *e, triage_decision *d)
{
    const tx_evidence *ev = e->ev;
    if (!ev)
        return 0;
    char why[256];
    for (uint32_t i = 0; i < ev->nmention; i++) {
        const tx_mention *m = &ev->mention[i];
        int counted = m->why == TX_WHY_COUNTED || m->why == TX_WHY_SUSPECTED;
        if (counted && ev->key[m->key].why == TX_WHY_HISTORY) {
            counted = 0;               /* its key reads as history: "dateret 2017-07-01 ..." */
            txe_explain_key(e->rd, m->key, why, sizeof why);
        } else {
            txe_explain(e->rd, i, why, sizeof why);
        }
        if (dc_add_evidence(d, txl_key_at(e->lx, m->key)->name, counted, why, m->ostart,
                            m->oend) != 0)
            return -1;
    }
    for (uint32_t i = 0; i < ev->nmeasure; i++) {
        const tx_measure *x = &ev->measure[i];
        if (x->other)
            continue;
        tx_span o = txe_orig(e->rd, x->start, x->end);
        txe_explain_measure(e->rd, i, why, sizeof why);
        if (dc_add_evidence(d, le_measure_key(x->kind), 1, why, o.start, o.end) != 0)
            return -1;
    }
    /* in text order: the measurements, and mentions the layer adds from
    ** others (a stated IQ is a cognitive assessment), come after the rest */
    if (d->nevidence > 1)
        qsort(d->evidence, (size_t)d->nevidence, sizeof *d->evidence, le_span_cmp);
    return 0;
}
