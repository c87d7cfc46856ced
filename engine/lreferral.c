/*
** lreferral.c — the referral userdata rules read (`r.age`, `r.text`, ...).
** The userdata's __index is a value table, fresh per referral: a field is
** built by lr_index the first time it is read (composites included) and
** kept there, so every later read is a plain table lookup, never a C call.
*/
#include "lreferral.h"

#include <lauxlib.h>
#include <math.h>
#include <string.h>

#include "date.h"
#include "referral.h"
#include "regex.h"

#define LR_META "triage.referral"
#define LR_REG "triage.referral.view"
#define LR_HISTORY_MAX 64

typedef struct lr_view {
    const triage_referral *r;
    int vmeta_ref;             /* the value tables' metatable (__index = lr_index) */
    lr_history_fn hist;
    void *hist_ud;
} lr_view;

enum lr_field {
    F_ID = 1, F_RECEIVED, F_RECEIVED_DAY, F_BIRTH_DATE, F_BIRTH_DAY, F_AGE,
    F_HAS_CPR, F_PRIORITY, F_REFERRER_KIND, F_REFERRER_NAME, F_SEX,
    F_MUNICIPALITY, F_CUSTODY, F_CONSENT_BOTH, F_PREVIOUS_BUC, F_GAPD, F_TEXT,
    F_DIAGNOSES, F_ASSESSMENTS, F_PRIOR, F_MEDICATION, F_RISK, F_SOMATIC,
    F_HISTORY
};

static const char *const lr_names[] = {
    NULL, "id", "received", "received_day", "birth_date", "birth_day", "age",
    "has_cpr", "priority", "referrer_kind", "referrer_name", "sex",
    "municipality", "custody", "consent_both", "previous_buc_contact", "gapd",
    "text", "diagnoses", "assessments", "prior_interventions", "medication",
    "risk", "somatic", "history", NULL};

static const char *const lr_somatic_names[4] = {"height_cm", "weight_kg", "bmi",
                                                "weight_loss_pct_3m"};

static lr_view *lr_check(lua_State *L)
{
    return luaL_checkudata(L, 1, LR_META);
}

/* Push this referral's value table (the view's metatable's __index). */
static void lr_values(lua_State *L, int view)
{
    lua_getmetatable(L, view);                                /* +1 meta */
    lua_pushliteral(L, "__index");
    lua_rawget(L, -2);                                        /* +2 values */
    lua_remove(L, -2);                                        /* +1 */
}

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
    lua_pushstring(L, buf);
}

static void lr_push_strings(lua_State *L, const char *const *v, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* r:history() — the child's earlier referrals, oldest first. */
static int lr_history(lua_State *L)
{
    lr_view *v = lr_check(L);
    lr_values(L, 1);                                          /* +1 values */
    if (lua_rawgeti(L, -1, F_HISTORY) == LUA_TTABLE)          /* +2 */
        return 1;
    lua_pop(L, 1);                                            /* +1 */
    st_prior prior[LR_HISTORY_MAX];
    int n = 0;
    if (v->r && v->r->cpr[0] && v->hist) {
        n = v->hist(v->hist_ud, v->r, prior, LR_HISTORY_MAX);
        if (n < 0)
            return luaL_error(L, "history: the store could not be read");
        if (n > LR_HISTORY_MAX)
            n = LR_HISTORY_MAX;   /* the newest matter most: keep the last */
    }
    lua_createtable(L, n, 0);                                 /* +2 list */
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);                             /* +3 entry */
        lua_pushstring(L, prior[i].id);
        lua_setfield(L, -2, "id");
        lr_push_day(L, prior[i].received);
        lua_setfield(L, -2, "received");
        lua_pushinteger(L, prior[i].received);
        lua_setfield(L, -2, "received_day");
        if (prior[i].outcome[0]) {
            lua_pushstring(L, prior[i].outcome);
            lua_setfield(L, -2, "outcome");
        }
        if (prior[i].target[0]) {
            lua_pushstring(L, prior[i].target);
            lua_setfield(L, -2, "target");
        }
        lua_rawseti(L, -2, i + 1);                            /* +2 */
    }
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, F_HISTORY);                            /* keep it */
    return 1;
}

/* Build a composite field; leaves it on the stack. */
static void lr_build(lua_State *L, const triage_referral *r, int f)
{
    switch (f) {
    case F_TEXT:
        lua_pushlstring(L, r->text, r->text_len);
        {   /* this copy was validated as UTF-8 at parse: regexes may skip it */
            size_t len;
            const char *s = lua_tolstring(L, -1, &len);
            rx_trust(L, s, len);
        }
        break;
    case F_DIAGNOSES:
        lua_createtable(L, r->ndiag, 0);
        for (int i = 0; i < r->ndiag; i++) {
            lua_pushstring(L, r->diag[i]);
            lua_rawseti(L, -2, i + 1);
        }
        break;
    case F_ASSESSMENTS:
        lua_createtable(L, r->nassess, 0);
        for (int i = 0; i < r->nassess; i++) {
            const rf_assessment_t *a = &r->assess[i];
            lua_createtable(L, 0, 6);
            lua_pushstring(L, rf_assessment_names[a->kind]);
            lua_setfield(L, -2, "kind");
            if (a->instrument) {
                lua_pushstring(L, a->instrument);
                lua_setfield(L, -2, "instrument");
            }
            if (a->date != DT_NONE) {
                lr_push_day(L, a->date);
                lua_setfield(L, -2, "date");
                lua_pushinteger(L, a->date);
                lua_setfield(L, -2, "date_day");
            }
            if (a->fsiq >= 0) {
                lua_pushinteger(L, a->fsiq);
                lua_setfield(L, -2, "fsiq");
            }
            if (a->by) {
                lua_pushstring(L, a->by);
                lua_setfield(L, -2, "by");
            }
            lua_rawseti(L, -2, i + 1);
        }
        break;
    case F_PRIOR:
        lr_push_strings(L, r->prior, r->nprior);
        break;
    case F_MEDICATION:
        lr_push_strings(L, r->med, r->nmed);
        break;
    case F_RISK:
        lua_createtable(L, 0, RISK__N);
        for (int i = 0; i < RISK__N; i++) {
            lr_push_tri(L, r->risk[i]);
            lua_setfield(L, -2, rf_risk_names[i]);
        }
        break;
    case F_SOMATIC:
        lua_createtable(L, 0, 4);
        for (int i = 0; i < 4; i++) {
            if (isnan(r->somatic[i]))
                continue;
            lua_pushnumber(L, r->somatic[i]);
            lua_setfield(L, -2, lr_somatic_names[i]);
        }
        break;
    default:
        lua_pushnil(L);
    }
}

/* Push field f of r: a value, nil, or a composite built now. */
static void lr_field(lua_State *L, const triage_referral *r, int f)
{
    switch (f) {
    case F_ID: lua_pushstring(L, r->id); break;
    case F_RECEIVED: lr_push_day(L, r->received); break;
    case F_RECEIVED_DAY: lua_pushinteger(L, r->received); break;
    case F_BIRTH_DATE: lr_push_day(L, r->birth); break;
    case F_BIRTH_DAY: lua_pushinteger(L, r->birth); break;
    case F_AGE: lua_pushinteger(L, r->age); break;
    case F_HAS_CPR: lua_pushboolean(L, r->cpr[0] != 0); break;
    case F_PRIORITY:
        if (r->priority < 0) lua_pushnil(L);
        else lua_pushstring(L, rf_priority_names[r->priority]);
        break;
    case F_REFERRER_KIND: lua_pushstring(L, rf_referrer_names[r->referrer_kind]); break;
    case F_REFERRER_NAME: lua_pushstring(L, r->referrer_name); break;
    case F_SEX:
        if (r->sex < 0) lua_pushnil(L);
        else lua_pushstring(L, rf_sex_names[r->sex]);
        break;
    case F_MUNICIPALITY: lua_pushstring(L, r->municipality); break;
    case F_CUSTODY:
        if (r->custody == CU_NONE) lua_pushnil(L);
        else lua_pushstring(L, rf_custody_names[r->custody]);
        break;
    case F_CONSENT_BOTH: lr_push_tri(L, r->consent_both); break;
    case F_PREVIOUS_BUC: lr_push_tri(L, r->previous_buc); break;
    case F_GAPD:
        if (r->gapd < 0) lua_pushnil(L);
        else lua_pushinteger(L, r->gapd);
        break;
    case F_HISTORY: lua_pushcfunction(L, lr_history); break;
    default: lr_build(L, r, f); break;
    }
}

/* values[name], the first time it is read this referral: upvalue 1 maps
** names to fields, upvalue 2 is the view. A nil field is not kept (it
** comes here each time: cheap). */
static int lr_index(lua_State *L)
{
    lr_view *v = lua_touserdata(L, lua_upvalueindex(2));
    lua_settop(L, 2);                                         /* 1 values, 2 name */
    lua_pushvalue(L, 2);
    int f = lua_rawget(L, lua_upvalueindex(1)) == LUA_TNUMBER ? (int)lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    if (!f) {
        const char *k = lua_tostring(L, 2);
        return luaL_error(L, "referral has no field '%s'", k ? k : "?");
    }
    if (!v->r)
        return luaL_error(L, "no referral is being decided");
    lr_field(L, v->r, f);                                     /* 3 value */
    if (!lua_isnil(L, 3)) {
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 3);
        lua_rawset(L, 1);
    }
    return 1;
}

static int lr_newindex(lua_State *L)
{
    return luaL_error(L, "the referral is read only (set a fact instead)");
}

static int lr_tostring(lua_State *L)
{
    lr_view *v = lr_check(L);
    lua_pushfstring(L, "referral %s", v->r ? v->r->id : "(none)");
    return 1;
}

static lr_view *lr_get(lua_State *L)
{
    lr_push(L);                                               /* +1 */
    lr_view *v = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return v;
}

void lr_push(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, LR_REG) == LUA_TUSERDATA)
        return;
    lua_pop(L, 1);
    lr_view *v = lua_newuserdatauv(L, sizeof *v, 0);          /* +1 view */
    memset(v, 0, sizeof *v);
    lua_createtable(L, 0, 1);                                 /* +2 values' meta */
    lua_createtable(L, 0, (int)(sizeof lr_names / sizeof *lr_names));  /* +3 names */
    for (int i = 1; lr_names[i]; i++) {
        lua_pushinteger(L, i);
        lua_setfield(L, -2, lr_names[i]);
    }
    lua_pushvalue(L, -3);
    lua_pushcclosure(L, lr_index, 2);                         /* +3 */
    lua_setfield(L, -2, "__index");
    v->vmeta_ref = luaL_ref(L, LUA_REGISTRYINDEX);            /* +1 */
    if (luaL_newmetatable(L, LR_META)) {                      /* +2 meta */
        lua_newtable(L);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, lr_newindex);
        lua_setfield(L, -2, "__newindex");
        lua_pushcfunction(L, lr_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushliteral(L, "referral");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);                                  /* +1 */
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, LR_REG);               /* +1 view */
}

/* A fresh value table per referral: the old one, with what this referral's
** rules read, is garbage. */
void lr_set(lua_State *L, const triage_referral *r)
{
    lr_push(L);                                               /* +1 view */
    lr_view *v = lua_touserdata(L, -1);
    v->r = r;
    if (!r) {   /* between referrals: a field not yet read raises, the rest
                ** stay until the next referral replaces them */
        lua_pop(L, 1);
        rx_trust(L, NULL, 0);
        return;
    }
    lua_getmetatable(L, -1);                                  /* +2 meta */
    lua_pushliteral(L, "__index");                            /* +3 */
    lua_createtable(L, 0, 16);                                /* +4 values */
    /* The scalars nearly every rule set reads, set now: one C call instead
    ** of a metamethod call each. Nil ones stay out (lr_index answers). */
    static const int eager[] = {F_RECEIVED_DAY, F_AGE, F_REFERRER_KIND, F_MUNICIPALITY,
                                F_GAPD, F_CUSTODY, F_CONSENT_BOTH, F_PREVIOUS_BUC};
    for (size_t i = 0; i < sizeof eager / sizeof *eager; i++) {
        lr_field(L, r, eager[i]);                             /* +5 */
        if (lua_isnil(L, -1))
            lua_pop(L, 1);
        else
            lua_setfield(L, -2, lr_names[eager[i]]);          /* +4 */
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, v->vmeta_ref);
    lua_setmetatable(L, -2);                                  /* +4 */
    lua_rawset(L, -3);                                        /* +2 */
    lua_pop(L, 2);                                            /* 0 */
    rx_trust(L, NULL, 0);
}

void lr_set_history(lua_State *L, lr_history_fn fn, void *ud)
{
    lr_view *v = lr_get(L);
    v->hist = fn;
    v->hist_ud = ud;
}
