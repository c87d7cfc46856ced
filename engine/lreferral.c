/*
** lreferral.c — `r`, the referral rules read: a plain table made once per
** Lua state and refilled for every referral, with the tables in it
** (diagnoses, assessments and their entries, medication, risk, somatic, the
** history) made once and refilled too, so that deciding allocates nothing
** for it once warm and every read is one table lookup. Its metatable only
** answers what is not there: a field that is nil this referral (nil), a
** field built on first read (the text, the id, the dates as strings), or a
** name that is no field (an error that catches typos); and refuses
** assignments to a field that holds nothing. A table of r's (or
** r.history) that a rule replaced is put back for the next referral.
*/
#include "lreferral.h"

#include <lauxlib.h>
#include <math.h>
#include <string.h>

#include "date.h"
#include "referral.h"
#include "regex.h"

#define LR_HISTORY_MAX 64

/* The fields, in the order of rules/README.md. The first ones are set for
** every referral; from F_ID on they are built when first read. */
enum lr_field {
    F_RECEIVED_DAY = 1, F_BIRTH_DAY, F_AGE, F_HAS_CPR, F_PRIORITY, F_REFERRER_KIND, F_SEX,
    F_MUNICIPALITY, F_CUSTODY, F_CONSENT_BOTH, F_PREVIOUS_BUC, F_GAPD,
    F_DIAGNOSES, F_ASSESSMENTS, F_MEDICATION, F_RISK, F_SOMATIC, F_HISTORY,
    F_ID, F_TEXT, F_RECEIVED, F_BIRTH_DATE, F_REFERRER_NAME, F_PRIOR, F__N
};
#define F_EAGER_END F_DIAGNOSES     /* scalars set per referral: F_RECEIVED_DAY .. */
#define F_LAZY F_ID

static const char *const lr_names[F__N] = {
    NULL, "received_day", "birth_day", "age", "has_cpr", "priority", "referrer_kind", "sex",
    "municipality", "custody", "consent_both", "previous_buc_contact", "gapd",
    "diagnoses", "assessments", "medication", "risk", "somatic", "history",
    "id", "text", "received", "birth_date", "referrer_name", "prior_interventions"};

static const char *const lr_somatic_names[4] = {"height_cm", "weight_kg", "bmi",
                                                "weight_loss_pct_3m"};
enum { AS_KIND = 1, AS_INSTRUMENT, AS_DATE, AS_DATE_DAY, AS_FSIQ, AS_BY, AS__N };
static const char *const lr_assess_names[AS__N] = {NULL, "kind", "instrument", "date",
                                                   "date_day", "fsiq", "by"};
enum { HI_ID = 1, HI_RECEIVED, HI_RECEIVED_DAY, HI_OUTCOME, HI_TARGET, HI__N };
static const char *const lr_hist_names[HI__N] = {NULL, "id", "received", "received_day",
                                                 "outcome", "target"};

/* Where each string is in the key list (made once, so that filling r
** pushes no string it has to hash): r's fields, an assessment's, a history
** entry's, r.risk's and r.somatic's fields, and the values of the enum
** fields (referrer kinds, priorities, sexes, custodies, assessment kinds). */
#define K_AS(f) (F__N + (f))
#define K_HI(f) (F__N + AS__N + (f))
#define K_RISK(i) (F__N + AS__N + HI__N + (i))
#define K_SOM(i) (K_RISK(RISK__N) + (i))
#define K_REFERRER(i) (K_SOM(4) + (i))
#define K_PRIORITY(i) (K_REFERRER(RK__N) + (i))
#define K_SEX(i) (K_PRIORITY(3) + (i))
#define K_CUSTODY(i) (K_SEX(3) + (i))
#define K_KIND(i) (K_CUSTODY(4) + (i))
#define K__N K_KIND(AK__N)

/* The registry's tables of one state, by index in lr_state.ref (T_HFN:
** r.history, the function). */
enum { T_R, T_KEYS, T_DIAG, T_ASSESS, T_MED, T_RISK, T_SOMATIC, T_HIST, T_POOL, T_STRS, T_HFN,
       T__N };

/* r's fields that hold what r was made with, and what: a rule may replace
** one, and the filler writes into its own tables, so it puts them back. */
static const unsigned char lr_made[][2] = {
    {F_DIAGNOSES, T_DIAG}, {F_ASSESSMENTS, T_ASSESS}, {F_MEDICATION, T_MED},
    {F_RISK, T_RISK},      {F_SOMATIC, T_SOMATIC},    {F_HISTORY, T_HFN}};

/* The strings r's fields take from referral to referral (municipalities,
** diagnosis codes, medications, instruments), kept: pushing one again is a
** hash of its bytes and a lua_rawgeti, where lua_pushstring hashed it too,
** made it anew when it had been collected, and stepped the collector.
** The first string to land in a slot keeps it (no eviction, nothing
** allocated once warm for the strings kept; one of 27 bytes or more, or one
** whose slot another holds, is pushed anew each referral); T_STRS holds
** them, slot i at [i + 1]. */
#define LR_STR_SLOTS 512
typedef struct lr_str {
    uint32_t hash;
    uint8_t len;                  /* length + 1; 0: the slot is free */
    char text[27];
} lr_str;

struct lr_state {
    lua_State *L;
    const triage_referral *r;     /* being decided, or NULL */
    lr_history_fn hist;
    void *hist_ud;
    int ref[T__N];
    int ro_ref;                   /* the metatable of r's tables: they refuse new keys */
    int fill_ref;                 /* lr_fill, with its upvalues */
    int ndiag, nassess, nmed, nhist; /* entries the reused arrays hold */
    const void *made[sizeof lr_made / sizeof *lr_made];  /* those, as lua_topointer gives */
    int history_read;             /* r:history() filled T_HIST this referral */
    unsigned built;               /* bit f - F_LAZY: lazy field f is in r now */
    /* Which fields hold nil now (bit per field): a nil that stays nil is not
    ** written again. Safe because nothing else can fill them: r, r.risk and
    ** r.somatic refuse assignments to what holds nothing, and the sandbox's
    ** rawset refuses tables with a protected metatable (sandbox_lock.c). */
    unsigned nil_field, nil_risk, nil_somatic;
    int trusted;                  /* the regex binding trusts r.text (rx_trust) */
    const char *name[F__N];       /* r's field names, as interned in the key list */
    lr_str str[LR_STR_SLOTS];     /* the strings kept (T_STRS) */
};

static void lr_push_tri(lua_State *L, int v)
{
    if (v == TRI_NULL)
        lua_pushnil(L);
    else
        lua_pushboolean(L, v);
}

static void lr_push_day(lua_State *L, int32_t day)
{
    if (day == DT_NONE) {
        lua_pushnil(L);
        return;
    }
    char buf[11];
    dt_format(day, buf);
    lua_pushlstring(L, buf, 10);
}

/* t[key] = the value on top (popped): key is field f of the key list at
** index keys. Raw: r's own metatable refuses assignments. */
static void lr_put(lua_State *L, int t, int keys, int f)
{
    lua_rawgeti(L, keys, f);
    lua_insert(L, -2);
    lua_rawset(L, t);
}

/* Whether a field (bit of *nils) that is nil now and was nil before may
** be left as it is; notes what it is now. */
static int lr_stays_nil(unsigned *nils, unsigned bit, int nil)
{
    if (nil && (*nils & bit))
        return 1;
    if (nil)
        *nils |= bit;
    else
        *nils &= ~bit;
    return 0;
}

/* Whether scalar f of r is nil. */
static int lr_scalar_nil(const triage_referral *r, int f)
{
    switch (f) {
    case F_PRIORITY: return r->priority < 0;
    case F_SEX: return r->sex < 0;
    case F_CUSTODY: return r->custody == CU_NONE;
    case F_CONSENT_BOTH: return r->consent_both == TRI_NULL;
    case F_PREVIOUS_BUC: return r->previous_buc == TRI_NULL;
    case F_GAPD: return r->gapd < 0;
    default: return 0;
    }
}

/* The filler: lr_set's work for one referral, as a C closure whose
** upvalues are the key list's strings (LR_KEY) and r's tables (LR_T): a
** key or a table is then one lua_pushvalue (or none: the API takes an
** upvalue's index) where the registry and the key list took a lua_rawgeti
** each: some 360 instructions a referral fewer, the call counted. Argument
** 1 is the state. Upvalues 1 .. K__N - 1 are the keys, then the tables. */
#define LR_KEY(k) lua_upvalueindex(k)
#define LR_T(t) lua_upvalueindex(K__N + (t))
#define LR_FILL_UPVALUES (K__N - 1 + T__N)

/* Push s (NULL: nil), as kept in T_STRS when it is there or its slot is free. */
static void lr_fill_str(lr_state *v, const char *s)
{
    lua_State *L = v->L;
    if (!s) {
        lua_pushnil(L);
        return;
    }
    size_t n = strlen(s);
    if (n >= sizeof v->str[0].text) {
        lua_pushlstring(L, s, n);
        return;
    }
    uint32_t h = 2166136261u;                                 /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    uint32_t slot = h % LR_STR_SLOTS;
    lr_str *c = &v->str[slot];
    if (c->len == n + 1 && c->hash == h && !memcmp(c->text, s, n)) {
        lua_rawgeti(L, LR_T(T_STRS), slot + 1);
        return;
    }
    lua_pushlstring(L, s, n);
    if (!c->len) {
        lua_pushvalue(L, -1);
        lua_rawseti(L, LR_T(T_STRS), slot + 1);
        c->hash = h;
        c->len = (uint8_t)(n + 1);
        memcpy(c->text, s, n);
    }
}

/* Key list entry k (an upvalue of the filler, lr_fill), or nil when i < 0. */
static void lr_push_key(lua_State *L, int i, int k)
{
    if (i < 0)
        lua_pushnil(L);
    else
        lua_pushvalue(L, LR_KEY(k));
}

/* Scalar f of r, pushed (enum values from the key list, in the filler). */
static void lr_scalar(lr_state *v, const triage_referral *r, int f)
{
    lua_State *L = v->L;
    switch (f) {
    case F_RECEIVED_DAY: lua_pushinteger(L, r->received); break;
    case F_BIRTH_DAY: lua_pushinteger(L, r->birth); break;
    case F_AGE: lua_pushinteger(L, r->age); break;
    case F_HAS_CPR: lua_pushboolean(L, r->cpr[0] != 0); break;
    case F_PRIORITY: lr_push_key(L, r->priority, K_PRIORITY(r->priority)); break;
    case F_REFERRER_KIND:
        lr_push_key(L, r->referrer_kind, K_REFERRER(r->referrer_kind));
        break;
    case F_SEX: lr_push_key(L, r->sex, K_SEX(r->sex)); break;
    case F_MUNICIPALITY: lr_fill_str(v, r->municipality); break;
    case F_CUSTODY:
        lr_push_key(L, r->custody == CU_NONE ? -1 : r->custody, K_CUSTODY(r->custody));
        break;
    case F_CONSENT_BOTH: lr_push_tri(L, r->consent_both); break;
    case F_PREVIOUS_BUC: lr_push_tri(L, r->previous_buc); break;
    case F_GAPD:
        if (r->gapd < 0)
            lua_pushnil(L);
        else
            lua_pushinteger(L, r->gapd);
        break;
    default: lua_pushnil(L); break;
    }
}

/* The array at index t ends at n: entries beyond (from the previous
** referral, or put there by a rule) go. */
static void lr_cut(lua_State *L, int t, int n, int *had)
{
    int old = (int)lua_rawlen(L, t);
    for (int i = n + 1; i <= old || i <= *had; i++) {
        lua_pushnil(L);
        lua_rawseti(L, t, i);
    }
    *had = n;
}

/* Push entry i (1-based) of a list whose entries are tables kept from
** referral to referral: pools[kind] holds them (pools and list: absolute
** or upvalue indices), the list shows the first n. */
static int lr_entry(lr_state *v, int pools, int list, int kind, int i, int nrec)
{
    lua_State *L = v->L;
    if (lua_rawgeti(L, pools, kind) != LUA_TTABLE) {          /* +1 this kind's */
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawseti(L, pools, kind);
    }
    if (lua_rawgeti(L, -1, i) != LUA_TTABLE) {                /* +2 entry */
        lua_pop(L, 1);
        lua_createtable(L, 0, nrec);
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ro_ref);         /* refuses new keys: */
        lua_setmetatable(L, -2);                              /* it outlives the referral */
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, i);
    }
    lua_remove(L, -2);                                        /* +1 entry */
    lua_pushvalue(L, -1);
    lua_rawseti(L, list, i);
    return lua_gettop(L);
}

/* t[key k] = the value on top (popped); t an upvalue of the filler. */
static void lr_fill_put(lua_State *L, int t, int k)
{
    lua_pushvalue(L, LR_KEY(k));
    lua_insert(L, -2);
    lua_rawset(L, t);
}

/* Refill r.assessments: entry i is the same table from referral to
** referral (pools[T_ASSESS][i]). */
static void lr_fill_assessments(lr_state *v, const triage_referral *r)
{
    lua_State *L = v->L;
    for (int i = 0; i < r->nassess; i++) {
        const rf_assessment_t *a = &r->assess[i];
        int e = lr_entry(v, LR_T(T_POOL), LR_T(T_ASSESS), T_ASSESS, i + 1, AS__N); /* +1 */
        lua_pushvalue(L, LR_KEY(K_AS(AS_KIND)));                  /* key, then value */
        lua_pushvalue(L, LR_KEY(K_KIND(a->kind)));
        lua_rawset(L, e);
        lua_pushvalue(L, LR_KEY(K_AS(AS_INSTRUMENT)));
        lr_fill_str(v, a->instrument);
        lua_rawset(L, e);
        lua_pushvalue(L, LR_KEY(K_AS(AS_DATE)));
        lr_push_day(L, a->date);
        lua_rawset(L, e);
        lua_pushvalue(L, LR_KEY(K_AS(AS_DATE_DAY)));
        if (a->date != DT_NONE) lua_pushinteger(L, a->date); else lua_pushnil(L);
        lua_rawset(L, e);
        lua_pushvalue(L, LR_KEY(K_AS(AS_FSIQ)));
        if (a->fsiq >= 0) lua_pushinteger(L, a->fsiq); else lua_pushnil(L);
        lua_rawset(L, e);
        lua_pushvalue(L, LR_KEY(K_AS(AS_BY)));
        lr_fill_str(v, a->by);
        lua_rawset(L, e);
        lua_pop(L, 1);                                            /* 0 */
    }
    lr_cut(L, LR_T(T_ASSESS), r->nassess, &v->nassess);
}

static int lr_fill(lua_State *L)
{
    lr_state *v = lua_touserdata(L, 1);
    const triage_referral *r = v->r;
    /* What a rule replaced in r (r.risk = nil, r.diagnoses = {...}: raw
    ** writes, the field holding a value) goes back. r at 2, what its
    ** fields hold at 3 ..: some 900 instructions a referral, the most
    ** of them the API's (a lua_rawget of r on the stack costs some 65). */
    enum { NMADE = sizeof lr_made / sizeof *lr_made };
    lua_pushvalue(L, LR_T(T_R));
    for (int i = 0; i < NMADE; i++) {
        lua_pushvalue(L, LR_KEY(lr_made[i][0]));
        lua_rawget(L, 2);
    }
    for (int i = 0; i < NMADE; i++)
        if (lua_topointer(L, 3 + i) != v->made[i]) {
            lua_pushvalue(L, LR_KEY(lr_made[i][0]));
            lua_pushvalue(L, LR_T(lr_made[i][1]));
            lua_rawset(L, 2);
        }
    lua_settop(L, 1);
    for (int f = F_LAZY; v->built; f++)                       /* if lr_set(NULL) was not called */
        if (v->built & (1u << (f - F_LAZY))) {
            v->built &= ~(1u << (f - F_LAZY));
            lua_pushnil(L);
            lr_fill_put(L, LR_T(T_R), f);
        }
    for (int f = F_RECEIVED_DAY; f < F_EAGER_END; f++) {
        if (lr_stays_nil(&v->nil_field, 1u << f, lr_scalar_nil(r, f)))
            continue;
        lua_pushvalue(L, LR_KEY(f));
        lr_scalar(v, r, f);
        lua_rawset(L, LR_T(T_R));
    }
    for (int i = 0; i < r->ndiag; i++) {
        lr_fill_str(v, r->diag[i]);
        lua_rawseti(L, LR_T(T_DIAG), i + 1);
    }
    lr_cut(L, LR_T(T_DIAG), r->ndiag, &v->ndiag);
    for (int i = 0; i < r->nmed; i++) {
        lr_fill_str(v, r->med[i]);
        lua_rawseti(L, LR_T(T_MED), i + 1);
    }
    lr_cut(L, LR_T(T_MED), r->nmed, &v->nmed);
    for (int i = 0; i < RISK__N; i++) {
        if (lr_stays_nil(&v->nil_risk, 1u << i, r->risk[i] == TRI_NULL))
            continue;
        lua_pushvalue(L, LR_KEY(K_RISK(i)));
        lr_push_tri(L, r->risk[i]);
        lua_rawset(L, LR_T(T_RISK));
    }
    for (int i = 0; i < 4; i++) {
        if (lr_stays_nil(&v->nil_somatic, 1u << i, isnan(r->somatic[i])))
            continue;
        lua_pushvalue(L, LR_KEY(K_SOM(i)));
        if (isnan(r->somatic[i]))
            lua_pushnil(L);
        else
            lua_pushnumber(L, r->somatic[i]);
        lua_rawset(L, LR_T(T_SOMATIC));
    }
    lr_fill_assessments(v, r);
    return 0;
}

void lr_set(lr_state *v, const triage_referral *r)
{
    lua_State *L = v->L;
    v->r = r;
    v->history_read = 0;
    if (!r) {
        if (v->built) {                                       /* last referral's */
            lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[T_R]);
            lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[T_KEYS]);
            int t = lua_gettop(L) - 1;
            for (int f = F_LAZY; v->built; f++)
                if (v->built & (1u << (f - F_LAZY))) {
                    v->built &= ~(1u << (f - F_LAZY));
                    lua_pushnil(L);
                    lr_put(L, t, t + 1, f);
                }
            lua_pop(L, 2);
        }
        /* always: it also drops the patterns compiled while deciding */
        rx_trust(L, NULL, 0);
        v->trusted = 0;
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, v->fill_ref);
    lua_pushlightuserdata(L, v);
    lua_call(L, 1, 0);
}

/* r:history() — the child's earlier referrals, oldest first: one list and
** its entries, refilled when first asked for in a referral. */
static int lr_history(lua_State *L)
{
    lr_state *v = lua_touserdata(L, lua_upvalueindex(1));
    if (!v->r)
        return luaL_error(L, "no referral is being decided");
    lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[T_HIST]);        /* +1 list */
    if (v->history_read)
        return 1;
    int list = lua_gettop(L);
    st_prior prior[LR_HISTORY_MAX];
    int n = 0;
    if (v->r->cpr[0] && v->hist) {
        n = v->hist(v->hist_ud, v->r, prior, LR_HISTORY_MAX);
        if (n < 0)
            return luaL_error(L, "history: the store could not be read");
        if (n > LR_HISTORY_MAX)
            n = LR_HISTORY_MAX;   /* the newest matter most: keep the last */
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[T_KEYS]);        /* +2 keys */
    lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[T_POOL]);        /* +3 pools */
    int keys = list + 1, pools = list + 2;
    for (int i = 0; i < n; i++) {
        int e = lr_entry(v, pools, list, T_HIST, i + 1, HI__N);   /* +4 entry */
        lua_pushstring(L, prior[i].id);
        lr_put(L, e, keys, K_HI(HI_ID));
        lr_push_day(L, prior[i].received);
        lr_put(L, e, keys, K_HI(HI_RECEIVED));
        lua_pushinteger(L, prior[i].received);
        lr_put(L, e, keys, K_HI(HI_RECEIVED_DAY));
        if (prior[i].outcome[0]) lua_pushstring(L, prior[i].outcome); else lua_pushnil(L);
        lr_put(L, e, keys, K_HI(HI_OUTCOME));
        if (prior[i].target[0]) lua_pushstring(L, prior[i].target); else lua_pushnil(L);
        lr_put(L, e, keys, K_HI(HI_TARGET));
        lua_pop(L, 1);
    }
    lr_cut(L, list, n, &v->nhist);       /* by the count: a rule may have made holes */
    lua_pop(L, 2);                                            /* +1 list */
    v->history_read = 1;
    return 1;
}

/* A field built on first read, pushed. */
static void lr_lazy(lua_State *L, lr_state *v, const triage_referral *r, int f)
{
    switch (f) {
    case F_ID: lua_pushstring(L, r->id); break;
    case F_TEXT: {
        lua_pushlstring(L, r->text, r->text_len);
        size_t len;   /* validated as UTF-8 at parse: regexes may skip the check */
        const char *s = lua_tolstring(L, -1, &len);
        rx_trust(L, s, len);
        v->trusted = 1;
        break;
    }
    case F_RECEIVED: lr_push_day(L, r->received); break;
    case F_BIRTH_DATE: lr_push_day(L, r->birth); break;
    case F_REFERRER_NAME:
        if (r->referrer_name) lua_pushstring(L, r->referrer_name); else lua_pushnil(L);
        break;
    case F_PRIOR:
        lua_createtable(L, r->nprior, 0);
        for (int i = 0; i < r->nprior; i++) {
            lua_pushstring(L, r->prior[i]);
            lua_rawseti(L, -2, i + 1);
        }
        break;
    default: lua_pushnil(L); break;
    }
}

/* r's __index: what r does not hold. A field that is nil this referral
** (custody, consent_both, gapd not given) reads as nil; a field built on
** first read is built and kept in r for the rest of the referral; a name
** that is no field raises (no position: the message is the same whoever
** reads). The names are found by pointer: r's field names are interned
** strings, kept in the key list (v->name), and the key a rule reads by is
** the same string. In C, where a Lua function took a call and four VM
** instructions more: some 250 machine instructions a read of a nil field,
** against 415. Upvalue 1 is the state. */
static int lr_index(lua_State *L)
{
    lr_state *v = lua_touserdata(L, lua_upvalueindex(1));
    int t = lua_type(L, 2);
    if (t == LUA_TSTRING) {
        const char *k = lua_tostring(L, 2);
        for (int f = 1; f < F_LAZY; f++)
            if (k == v->name[f])
                return 0;                                     /* nil this referral */
        for (int f = F_LAZY; f < F__N; f++)
            if (k == v->name[f]) {
                if (!v->r)
                    return luaL_error(L, "no referral is being decided");
                lua_settop(L, 2);                             /* 1 r, 2 name */
                lr_lazy(L, v, v->r, f);                       /* 3 value */
                if (!lua_isnil(L, 3)) {
                    lua_pushvalue(L, 2);
                    lua_pushvalue(L, 3);
                    lua_rawset(L, 1);
                    v->built |= 1u << (f - F_LAZY);
                }
                return 1;
            }
    }
    const char *name = "?";
    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        lua_pushvalue(L, 2);                                  /* a number, as tostring */
        name = lua_tostring(L, -1);
    }
    return luaL_error(L, "referral has no field '%s'", name);
}

static int lr_newindex(lua_State *L)
{
    return luaL_error(L, "the referral is read only (set a fact instead)");
}

static int lr_tostring(lua_State *L)
{
    lr_state *v = lua_touserdata(L, lua_upvalueindex(1));
    lua_pushfstring(L, "referral %s", v->r ? v->r->id : "(none)");
    return 1;
}

static int lr_ref_new(lua_State *L, int narr, int nrec)
{
    lua_createtable(L, narr, nrec);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

lr_state *lr_open(lua_State *L)
{
    lr_state *v = lua_newuserdatauv(L, sizeof *v, 0);         /* +1, kept below */
    memset(v, 0, sizeof *v);
    v->L = L;
    luaL_ref(L, LUA_REGISTRYINDEX);                           /* 0 */
    /* keys: r's fields, an assessment's, a history entry's, ... (K_*) */
    lua_createtable(L, K__N, 0);
    for (int f = 1; f < F__N; f++) {
        lua_pushstring(L, lr_names[f]);
        lua_rawseti(L, -2, f);
    }
    for (int f = 1; f < AS__N; f++) {
        lua_pushstring(L, lr_assess_names[f]);
        lua_rawseti(L, -2, K_AS(f));
    }
    for (int f = 1; f < HI__N; f++) {
        lua_pushstring(L, lr_hist_names[f]);
        lua_rawseti(L, -2, K_HI(f));
    }
    static const struct { const char *const *names; int n, at; } lists[] = {
        {rf_risk_names, RISK__N, K_RISK(0)}, {lr_somatic_names, 4, K_SOM(0)},
        {rf_referrer_names, RK__N, K_REFERRER(0)}, {rf_priority_names, 3, K_PRIORITY(0)},
        {rf_sex_names, 3, K_SEX(0)}, {rf_custody_names, 4, K_CUSTODY(0)},
        {rf_assessment_names, AK__N, K_KIND(0)}};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
        for (int i = 0; i < lists[l].n; i++) {
            lua_pushstring(L, lists[l].names[i]);
            lua_rawseti(L, -2, lists[l].at + i);
        }
    for (int f = 1; f < F__N; f++) {                         /* kept alive by the list */
        lua_rawgeti(L, -1, f);
        v->name[f] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    v->ref[T_KEYS] = luaL_ref(L, LUA_REGISTRYINDEX);
    v->ref[T_DIAG] = lr_ref_new(L, 4, 0);
    v->ref[T_ASSESS] = lr_ref_new(L, 4, 0);
    v->ref[T_MED] = lr_ref_new(L, 4, 0);
    v->ref[T_RISK] = lr_ref_new(L, 0, RISK__N);
    v->ref[T_SOMATIC] = lr_ref_new(L, 0, 4);
    v->ref[T_HIST] = lr_ref_new(L, 0, 0);
    v->nil_field = v->nil_risk = v->nil_somatic = ~0u;     /* nothing there yet */
    /* r's tables are kept from referral to referral, so they refuse new
    ** keys (r.diagnoses[#r.diagnoses + 1] = ..., an assessment's a.x = ...):
    ** what one referral's rules wrote would otherwise be there for the next.
    ** A key the engine filled may be overwritten; the engine refills it. */
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, lr_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "referral");
    lua_setfield(L, -2, "__metatable");
    v->ro_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    static const int ro[] = {T_DIAG, T_ASSESS, T_MED, T_RISK, T_SOMATIC, T_HIST};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[ro[i]]);
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ro_ref);
        lua_setmetatable(L, -2);
        lua_pop(L, 1);
    }
    v->ref[T_POOL] = lr_ref_new(L, T__N, 0);
    v->ref[T_STRS] = lr_ref_new(L, LR_STR_SLOTS, 0);

    lua_createtable(L, 0, F__N);                              /* +1 r */
    static const int tables[] = {F_DIAGNOSES, T_DIAG, F_ASSESSMENTS, T_ASSESS,
                                 F_MEDICATION, T_MED, F_RISK, T_RISK, F_SOMATIC, T_SOMATIC};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i += 2) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[tables[i + 1]]);
        lua_setfield(L, -2, lr_names[tables[i]]);
    }
    lua_pushlightuserdata(L, v);
    lua_pushcclosure(L, lr_history, 1);
    lua_pushvalue(L, -1);
    v->ref[T_HFN] = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setfield(L, -2, lr_names[F_HISTORY]);
    lua_createtable(L, 0, 4);                                 /* +2 meta */
    lua_pushlightuserdata(L, v);
    lua_pushcclosure(L, lr_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lr_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushlightuserdata(L, v);
    lua_pushcclosure(L, lr_tostring, 1);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "referral");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                                  /* +1 */
    v->ref[T_R] = luaL_ref(L, LUA_REGISTRYINDEX);             /* 0 */
    for (size_t i = 0; i < sizeof lr_made / sizeof *lr_made; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[lr_made[i][1]]);
        v->made[i] = lua_topointer(L, -1);                    /* kept alive by the registry */
        lua_pop(L, 1);
    }
    luaL_checkstack(L, LR_FILL_UPVALUES + 1, "referral");   /* the key list below them */
    lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[T_KEYS]);
    for (int k = 1; k < K__N; k++)
        lua_rawgeti(L, -k, k);                                /* the list stays below */
    for (int t = 0; t < T__N; t++)
        lua_rawgeti(L, LUA_REGISTRYINDEX, v->ref[t]);
    lua_pushcclosure(L, lr_fill, LR_FILL_UPVALUES);
    v->fill_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);                                            /* 0 */
    return v;
}

void lr_push(lr_state *v)
{
    lua_rawgeti(v->L, LUA_REGISTRYINDEX, v->ref[T_R]);
}

void lr_set_history(lr_state *v, lr_history_fn fn, void *ud)
{
    v->hist = fn;
    v->hist_ud = ud;
}
