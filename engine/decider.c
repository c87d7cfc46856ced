/*
** decider.c — a decider: one sandboxed Lua state built from a rule set, for
** one thread. Loading runs the rule files (rule(), fact(), include()); then
** each referral is read once by the text layer (`evidence`), its facts are
** computed in the order they are declared, and every rule runs in order
** until one decides — all in one protected call. A rule that fails or runs
** away sends the referral to a person.
*/
#include "decider_internal.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "ldate.h"
#include "ldecision.h"
#include "referral.h"
#include "regex.h"

int rl_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    luaL_where(L, 1);
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, 2);
    return lua_error(L);
}

triage_decision *rl_decision(lua_State *L)
{
    return rl_self(L)->dec;
}

const char *rl_rule_id(lua_State *L)
{
    const rl_rule *ru = rl_current(L, rl_self(L));
    return ru ? ru->id : NULL;
}

int rl_rule_evidence(lua_State *L, const char *const **keys)
{
    const rl_rule *ru = rl_current(L, rl_self(L));
    *keys = ru ? (const char *const *)ru->keys : NULL;
    return ru ? ru->nkeys : 0;
}

/* ------------------------------------------------------------ building */

static int rl_default_history(void *ud, const triage_referral *r, st_prior *out, int max)
{
    triage_decider *dc = ud;
    if (dc->hist)
        return dc->hist(dc->hist_ud, r, triage_ruleset_hash(dc->rs), out, max);
    if (!dc->store)
        return 0;
    return st_history(dc->store, r->cpr, r->received, r->id, triage_ruleset_hash(dc->rs),
                      out, max);
}

/* Fill err from a load failure: "path:line: message" when Lua says where,
** "path: message" when a message names a file of the rule set. */
void rl_load_error(triage_decider *dc, const char *msg, triage_error *err)
{
    const char *dir = rl_dir(dc->rs), *c1 = strchr(msg, ':');
    if (!err)
        return;
    if (c1) {
        char *end, *file;
        long line = strtol(c1 + 1, &end, 10);
        if (*end != ':' || line <= 0) {
            line = 0;
            end = (char *)c1;
        }
        char path[1024];
        size_t n = (size_t)(c1 - msg);
        if (n < sizeof path) {
            memcpy(path, msg, n);
            path[n] = '\0';
        }
        if ((line > 0 || (n < sizeof path && rl_find(dc->rs, path) >= 0)) &&
            (file = malloc(strlen(dir) + n + 2))) {
            sprintf(file, "%s/%.*s", dir, (int)n, msg);
            triage_error_set(err, TRIAGE_ERULES, file, line, NULL, NULL, "%s",
                             end + (end[1] == ' ' ? 2 : 1));
            free(file);
            return;
        }
    }
    triage_error_set(err, TRIAGE_ERULES, dir, 0, NULL, NULL, "%s", msg);
}

/* The tables behind fact(): name -> id, id -> function, id -> name. */
static void rl_facts_open(lua_State *L, triage_decider *dc)
{
    lua_newtable(L);
    dc->facts_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 64, 0);
    dc->ffn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 64, 0);
    dc->fname_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Run in a protected call at load: the rule set's texts, if it has them. */
static int rl_messages(lua_State *L)
{
    lua_pushcfunction(L, rl_include);
    lua_pushliteral(L, MS_FILE);
    lua_call(L, 1, 1);
    ms_read(L, -1, &rl_self(L)->msg);
    return 0;
}

/* Run in a protected call at load, by the first state of a rule set with
** text data: the lexicon, from the table data/text.lua returns and every
** file it reads (so a reload can tell whether they changed). */
static int rl_text_load(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    dc->tracking = 1;
    lua_pushcfunction(L, rl_include);
    lua_pushliteral(L, RL_TEXT_FILE);
    lua_call(L, 1, 1);
    dc->tracking = 0;
    char err[512];
    if (rl_text_build(dc->rs, L, -1, dc->track, dc->ntrack, err, sizeof err) != 0)
        return luaL_error(L, "%s: %s", RL_TEXT_FILE, err);
    return 0;
}

/* A load that failed: the sandbox settled, whether it failed where its
** error cannot say (rl_new then loads again, noting lines), err filled. */
static int rl_load_failed(triage_decider *dc, int st, triage_error *err)
{
    sb_settle(dc->sb, st);
    dc->unlocated = sb_unlocated(dc->sb, st);
    rl_load_error(dc, sb_error_text(dc->sb, st), err);
    lua_settop(dc->L, 0);
    return -1;
}

/* The text layer for this state: the rule set's lexicon (built by its first
** state, or taken over on reload), `evidence` and `text`, and the lexicon's
** bytes charged to this state. */
static int rl_text_open(triage_decider *dc, triage_error *err)
{
    lua_State *L = dc->L;
    if (!rl_lexicon(dc->rs) && rl_find(dc->rs, RL_TEXT_FILE) >= 0 && !rl_text_adopt(dc->rs)) {
        sb_rearm_load(dc->sb);
        lua_pushcfunction(L, rl_text_load);
        int st = lua_pcall(L, 0, 0, 0);
        dc->tracking = 0;
        if (st != LUA_OK)
            return rl_load_failed(dc, st, err);
    }
    const tx_lexicon *lx = rl_lexicon(dc->rs);
    if (!lx)
        return 0;
    dc->charged = rl_text_bytes(dc->rs);
    if (bg_charge(bg_of(L), dc->charged) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: memory limit exceeded (%zu MiB) by the text lexicon "
                 "(%zu KiB)", RL_TEXT_FILE, rl_limits(dc->rs)->memory_bytes >> 20,
                 dc->charged >> 10);
        rl_load_error(dc, msg, err);
        return -1;
    }
    if (!(dc->ev = le_open(L, lx))) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* Run the rule files in order (they declare rules and facts), then read the
** engine's texts. On failure err says where. */
static int rl_load_files(triage_decider *dc, triage_error *err)
{
    lua_State *L = dc->L;
    int st = LUA_OK;
    dc->loading = 1;
    for (int i = 0; st == LUA_OK && i < rl_file_count(dc->rs); i++) {
        const char *path, *data;
        size_t len;
        rl_file(dc->rs, i, &path, &data, &len);
        if (!rl_is_rule_file(path))
            continue;
        sb_rearm_load(dc->sb);
        st = rl_load_chunk(L, path, data, len);
        if (st == LUA_OK)
            st = lua_pcall(L, 0, 0, 0);
    }
    dc->loading = 0;
    if (st == LUA_OK && rl_find(dc->rs, MS_FILE) >= 0) {
        sb_rearm_load(dc->sb);
        lua_pushcfunction(L, rl_messages);
        st = lua_pcall(L, 0, 0, 0);
    }
    if (st != LUA_OK)
        return rl_load_failed(dc, st, err);
    return 0;
}

static int rl_run(lua_State *L);

static int rl_build(triage_decider *dc, triage_error *err)
{
    const triage_limits *lim = rl_limits(dc->rs);
    if (ms_init(&dc->msg) != 0 || !(dc->sb = sb_open(lim))) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    lua_State *L = dc->L = dc->sb->L;
    dc->sb->locate = dc->locate;
    *(triage_decider **)lua_getextraspace(L) = dc;
    rx_open(L);
    ld_open(L);
    dc->lr = lr_open(L);
    lr_set_history(dc->lr, rl_default_history, dc);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "triage.included");
    rl_facts_open(L, dc);
    dc->d_ref = dd_open(L, &dc->dm_ref);
    lua_pushcfunction(L, rl_run);
    dc->run_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushcfunction(L, rl_rule_decl);
    lua_setglobal(L, "rule");
    lua_pushcfunction(L, rl_fact_decl);
    lua_setglobal(L, "fact");
    lua_pushcfunction(L, rl_include);
    lua_setglobal(L, "include");

    if (rl_text_open(dc, err) != 0 || rl_load_files(dc, err) != 0)
        return -1;
    if (dc->nrules == 0) {
        rl_load_error(dc, "the rule set declares no rule (rule{...} in a *.lua file)", err);
        return -1;
    }
    if (rl_driver(dc, err) != 0)
        return -1;
    sb_lock(dc->sb);            /* from here on the globals are read only */
    if (dc->ev)
        le_locked(dc->ev);
    lua_gc(L, LUA_GCCOLLECT);
    lua_gc(L, LUA_GCGEN, 0, 0);
    return 0;
}

/* A decider built from rs; NULL with err filled when it cannot be, and
** *again set when the load ran out of memory where its error does not say
** (a load that notes each line would: rl_load_files). */
static triage_decider *rl_new(triage_ruleset *rs, triage_store *store, int locate,
                              triage_error *err, int *again)
{
    triage_decider *dc = calloc(1, sizeof *dc);
    if (!dc) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return NULL;
    }
    dc->rs = triage_ruleset_retain(rs);
    dc->store = store;
    dc->locate = locate;
    if (rl_build(dc, err) != 0) {
        *again = !locate && dc->unlocated;
        triage_decider_free(dc);
        return NULL;
    }
    return dc;
}

triage_decider *triage_decider_new(triage_ruleset *rs, triage_store *store,
                                   triage_error *err)
{
    triage_decider *dc = rl_take_spare(rs);
    if (dc) {
        dc->store = store;
        return dc;
    }
    /* A rule set over its memory at load fails the same way each time: the
    ** second load, noting each line as it runs (slower), says where. */
    int again = 0;
    dc = rl_new(rs, store, 0, err, &again);
    if (!dc && again)
        dc = rl_new(rs, store, 1, err, &again);
    return dc;
}

void triage_decider_free(triage_decider *dc)
{
    if (!dc)
        return;
    le_free(dc->ev);
    if (dc->sb && dc->charged)
        bg_uncharge(bg_of(dc->L), dc->charged);
    sb_close(dc->sb);
    for (int i = 0; i < dc->nrules; i++)
        rl_rule_free(&dc->rules[i]);
    free(dc->rules);
    free(dc->fgen);
    free(dc->fbusy);
    free(dc->fup[0]);
    free(dc->fup[1]);
    free(dc->track);
    ms_free(&dc->msg);
    triage_ruleset_release(dc->rs);
    free(dc);
}

void rl_free_spare(triage_decider *dc)
{
    dc->rs = NULL;
    triage_decider_free(dc);
}

int rl_rule_count(const triage_decider *dc)
{
    return dc->nrules;
}

int rl_rule_known(const triage_decider *dc, const char *id)
{
    for (int i = 0; id && i < dc->nrules; i++)
        if (!strcmp(dc->rules[i].id, id))
            return 1;
    return 0;
}

triage_ruleset *triage_decider_ruleset(const triage_decider *dc)
{
    return dc->rs;
}

void rl_set_history(triage_decider *dc, rl_history_fn fn, void *ud)
{
    dc->hist = fn;
    dc->hist_ud = ud;
}

/* ------------------------------------------------------------- deciding */

/* A rule failed: the referral goes to a person, naming the rule, in the
** rule set's words (data/messages.lua). */
static void rl_fail(triage_decider *dc, triage_decision *d, const char *rule,
                    const char *error)
{
    char *why = ms_format(dc->msg.rule_failed, rule, error);
    if (d->explain)
        dc_add_step(d, rule, 0, why ? why : error);
    dc_manual_review(d, rule, why ? why : error);
    free(why);
}

/* Why the run failed, in words (the limit it hit, by name). */
static const char *rl_status_text(triage_decider *dc, int status)
{
    sb_settle(dc->sb, status);
    return sb_error_text(dc->sb, status);
}

/* why, after "fact 'name': " when a fact raised (rl_fact_on_error noted
** which), in buf (C's memory: the run may have ended at the memory limit). */
static const char *rl_fact_failed(lua_State *L, triage_decider *dc, const char *why,
                                  char *buf, size_t cap)
{
    if (!dc->ffailed)
        return why;
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fname_ref);
    lua_rawgeti(L, -1, dc->ffailed);
    snprintf(buf, cap, "fact '%s': %s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?", why);
    lua_pop(L, 2);
    return buf;
}

/* The referral's protected run: r, the evidence, then the driver. */
static int rl_run(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lr_set(dc->lr, dc->ref);
    if (dc->ev && le_read(dc->ev, dc->ref) != 0)
        return luaL_error(L, "not enough memory to read the letter");
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->dec->explain ? dc->xdriver_ref : dc->driver_ref);
    lr_push(dc->lr);                                          /* r */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);             /* f, for the facts */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->d_ref);             /* d */
    lua_call(L, 3, 0);
    return 0;
}

/* A run on this state begins: the sandbox's limits from now, facts of the
** last referral stale (gen), d the decision rules write, r the referral. */
static void rl_begin(triage_decider *dc, triage_decision *d, const triage_referral *r)
{
    sb_rearm(dc->sb);
    dc->gen++;
    dc->wrote[0] = '\0';
    dc->fearly = dc->ffailed = 0;
    dc->dec = d;
    dc->ref = r;
}

triage_decision *triage_decide(triage_decider *dc, const triage_referral *r,
                               unsigned flags)
{
    triage_decision *d = dc_new(r->id, triage_ruleset_hash(dc->rs), (flags & TRIAGE_EXPLAIN) != 0);
    if (!d)
        return NULL;
    lua_State *L = dc->L;
    rl_begin(dc, d, r);
    if (dc->dexplain != d->explain) {
        dc->dexplain = d->explain;
        dd_set_explain(L, dc->dm_ref, d->explain);
    }
    lua_pushcfunction(L, rl_fact_on_error);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->run_ref);
    int st = lua_pcall(L, 0, 0, 1);
    char buf[sizeof dc->wrote];
    const char *wrote;
    if (st != LUA_OK) {
        const rl_rule *ru = rl_current(L, dc);
        char why[512];
        rl_fail(dc, d, ru ? ru->id : "ENGINE",
                rl_fact_failed(L, dc, rl_status_text(dc, st), why, sizeof why));
        rl_driver_idle(L, dc);
        rl_facts_clear(L, dc);
    } else if ((wrote = rl_facts_written(L, dc, buf, sizeof buf)) != NULL) {
        rl_fail(dc, d, wrote, buf);
        rl_facts_clear(L, dc);
    } else if (d->outcome < 0) {
        dc_manual_review(d, "ENGINE", dc->msg.no_decision);
    }
    rl_facts_restore(L, dc);
    if (d->explain && dc->ev && le_explain(dc->ev, d) != 0) {
        triage_decision_free(d);
        d = NULL;
    }
    lua_settop(L, 0);
    dc->dec = NULL;
    dc->ref = NULL;
    lr_set(dc->lr, NULL);
    if (st != LUA_OK)
        lua_gc(L, LUA_GCCOLLECT);     /* give back what a runaway rule took */
    return d;
}


/* --------------------------------------------------- beside the rules */

/* rl_call's protected part: r, the evidence and f (facts computed as they
** are read, as rl_fact_index does for a fact read before its turn), then fn. */
typedef struct rl_callee {
    lua_CFunction fn;
    void *ud;
} rl_callee;

static int rl_call_run(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    const rl_callee *c = lua_touserdata(L, 1);
    lua_pushcfunction(L, c->fn);
    if (dc->ref) {
        lr_set(dc->lr, dc->ref);
        if (dc->ev && le_read(dc->ev, dc->ref) != 0)
            return luaL_error(L, "not enough memory to read the letter");
        lr_push(dc->lr);
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);
    } else {
        lua_pushnil(L);
        lua_pushnil(L);
    }
    lua_pushlightuserdata(L, c->ud);
    lua_call(L, 3, 0);
    return 0;
}

int rl_call(triage_decider *dc, const triage_referral *r, lua_CFunction fn, void *ud,
            triage_error *err)
{
    triage_decision *scratch = dc_new(r ? r->id : "", triage_ruleset_hash(dc->rs), 0);
    if (!scratch) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    lua_State *L = dc->L;
    rl_begin(dc, scratch, r);
    rl_callee c = {fn, ud};
    lua_pushcfunction(L, rl_call_run);
    lua_pushlightuserdata(L, &c);
    int st = lua_pcall(L, 1, 0, 0);
    if (st != LUA_OK) {
        sb_settle(dc->sb, st);
        rl_load_error(dc, sb_error_text(dc->sb, st), err);
    }
    lua_settop(L, 0);
    rl_facts_clear(L, dc);      /* f holds this referral's facts: none outlives it */
    dc->dec = NULL;
    dc->ref = NULL;
    lr_set(dc->lr, NULL);
    triage_decision_free(scratch);
    if (st != LUA_OK)
        lua_gc(L, LUA_GCCOLLECT);
    return st == LUA_OK ? 0 : -1;
}
