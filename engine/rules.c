/*
** rules.c — rule sets and deciders. A rule set is the immutable bytes of a
** rules directory and their hash; a decider is one sandboxed Lua state built
** from it, for one thread, which runs every rule in order on each referral
** until one decides. The policy lives entirely in the Lua files.
*/
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <lauxlib.h>
#include <nettle/base16.h>
#include <nettle/sha2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "decision.h"
#include "lreferral.h"
#include "referral.h"
#include "regex.h"
#include "sandbox.h"
#include "textscan.h"

#define RL_MEMORY_DEFAULT ((size_t)64 << 20)
#define RL_INSTR_DEFAULT 20000000ull
#define RL_MAX_FILES 4096
#define RL_MAX_FILE_BYTES ((size_t)16 << 20)

typedef struct rl_file_t {
    char *path;                 /* relative, '/'-separated */
    char *data;
    size_t len;
} rl_file_t;

struct triage_ruleset {
    atomic_int refs;
    char hash[65];
    char *dir;
    int nfiles;
    rl_file_t *files;
    triage_limits lim;
    int nrules;
    /* The state built to verify the rule set, kept for the first decider
    ** asked for so that it is not built twice; it holds no reference. */
    _Atomic(struct triage_decider *) spare;
};

typedef struct rl_rule {
    char *id, *title;
    int when, action;           /* registry refs; action may be LUA_NOREF */
} rl_rule;

struct triage_decider {
    triage_ruleset *rs;
    triage_store *store;
    sb_state *sb;
    lua_State *L;
    int nrules;
    rl_rule *rules;
    int d_ref, dm_ref, f_ref, fm_ref, fvm_ref, facts_ref, ffn_ref;
    int driver_ref, cur_up;     /* the rule loop; its upvalue `cur` */
    int dexplain;               /* d.explain as set in the methods table */
    int nfacts;                 /* facts declared: ids 1..nfacts */
    unsigned char *fstate;      /* [id]: FS_* this referral */
    int *fdone;                 /* ids of the facts begun this referral */
    int ndone;
    int loading;                /* rule() and fact() are allowed */
    triage_decision *dec;       /* being decided, NULL between referrals */
    rl_history_fn hist;
    void *hist_ud;
};

static void rl_load_error(triage_decider *dc, const char *msg, triage_error *err);
static const struct rl_rule *rl_current(lua_State *L, triage_decider *dc);

static char FX_BUSY;            /* include() marker: running */
enum { FS_NONE, FS_BUSY, FS_NIL, FS_VALUE };   /* a fact, this referral */

static triage_decider *rl_self(lua_State *L)
{
    return *(triage_decider **)lua_getextraspace(L);
}

/* Raise an error located at the Lua code that called the C function. */
static int rl_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    luaL_where(L, 1);
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, 2);
    return lua_error(L);
}

/* ------------------------------------------------------------ rule files */

static int rl_path_cmp(const void *a, const void *b)
{
    return strcmp(((const rl_file_t *)a)->path, ((const rl_file_t *)b)->path);
}

static int rl_read_file(const char *full, rl_file_t *f, triage_error *err)
{
    FILE *fp = fopen(full, "rb");
    struct stat st;
    const char *why = NULL;
    char big[40];
    if (!fp || fstat(fileno(fp), &st) != 0)
        why = strerror(errno);
    else if ((size_t)st.st_size > RL_MAX_FILE_BYTES)
        snprintf(big, sizeof big, "larger than %zu MiB", RL_MAX_FILE_BYTES >> 20), why = big;
    else if (!(f->data = malloc((size_t)st.st_size + 1)))
        why = "out of memory";
    else if ((f->len = fread(f->data, 1, (size_t)st.st_size, fp)) != (size_t)st.st_size)
        why = ferror(fp) ? strerror(errno) : "it changed while read";
    if (fp)
        fclose(fp);
    if (why) {
        triage_error_set(err, TRIAGE_EIO, full, 0, NULL, NULL, "cannot read rule file (%s)",
                         why);
        return -1;
    }
    f->data[f->len] = '\0';
    return 0;
}

/* "a/b", or b alone when a is empty; NULL when out of memory. Paths are
** built to their full length, never cut into fixed buffers: a cut path
** would read another file, or none, and silently change the hash. */
static char *rl_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + (la ? la + 1 : 0), b, lb + 1);
    return p;
}

/* Add the regular file rel (full path full) to the rule set and read it. */
static int rl_add_file(triage_ruleset *rs, const char *rel, const char *full, int *cap,
                       triage_error *err)
{
    if (rs->nfiles == RL_MAX_FILES) {
        triage_error_set(err, TRIAGE_ERULES, rs->dir, 0, NULL, NULL,
                         "more than %d files in the rule set", RL_MAX_FILES);
        return -1;
    }
    if (rs->nfiles == *cap) {
        int ncap = *cap ? *cap * 2 : 32;
        rl_file_t *nf = realloc(rs->files, (size_t)ncap * sizeof *nf);
        if (!nf) {
            triage_error_set(err, TRIAGE_ENOMEM, full, 0, NULL, NULL, NULL);
            return -1;
        }
        rs->files = nf;
        *cap = ncap;
    }
    rl_file_t *f = &rs->files[rs->nfiles];
    memset(f, 0, sizeof *f);
    if (!(f->path = strdup(rel))) {
        triage_error_set(err, TRIAGE_ENOMEM, full, 0, NULL, NULL, NULL);
        return -1;
    }
    rs->nfiles++;
    return rl_read_file(full, f, err);
}

/* Collect every regular file under dir/rel, recursively. Anything that
** cannot be read is an error naming it (a path too long included); only a
** dangling link, which holds nothing, is passed over. */
static int rl_walk(triage_ruleset *rs, const char *rel, int *cap, triage_error *err)
{
    char *path = *rel ? rl_join(rs->dir, rel) : strdup(rs->dir);
    if (!path) {
        triage_error_set(err, TRIAGE_ENOMEM, rs->dir, 0, NULL, NULL, NULL);
        return -1;
    }
    DIR *d = opendir(path);
    if (!d) {
        triage_error_set(err, TRIAGE_ERULES, path, 0, NULL, NULL,
                         *rel ? "cannot open the directory (%s)"
                              : "cannot open the rules directory (%s); pass --rules DIR",
                         strerror(errno));
        free(path);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (errno = 0, e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *relp = rl_join(rel, e->d_name), *full = relp ? rl_join(rs->dir, relp) : NULL;
        struct stat st;
        if (!full) {
            rc = -1;
            triage_error_set(err, TRIAGE_ENOMEM, path, 0, NULL, NULL, NULL);
        } else if (stat(full, &st) != 0) {
            if (errno != ENOENT || lstat(full, &st) != 0) {
                rc = -1;
                triage_error_set(err, TRIAGE_ERULES, full, 0, NULL, NULL, "cannot read (%s)",
                                 strerror(errno));
            }
        } else if (S_ISDIR(st.st_mode)) {
            rc = rl_walk(rs, relp, cap, err);
        } else if (S_ISREG(st.st_mode)) {
            rc = rl_add_file(rs, relp, full, cap, err);
        }
        free(relp);
        free(full);
    }
    if (rc == 0 && errno != 0) {
        rc = -1;
        triage_error_set(err, TRIAGE_ERULES, path, 0, NULL, NULL, "cannot list (%s)",
                         strerror(errno));
    }
    closedir(d);
    free(path);
    return rc;
}

static int rl_is_rule_file(const char *path)
{
    size_t n = strlen(path);
    return !strchr(path, '/') && n > 4 && !strcmp(path + n - 4, ".lua");
}

static const rl_file_t *rl_find(const triage_ruleset *rs, const char *path)
{
    for (int i = 0; i < rs->nfiles; i++)
        if (!strcmp(rs->files[i].path, path))
            return &rs->files[i];
    return NULL;
}

/* ------------------------------------------------------- load-time API */

/* rule{ id=, title=, when=, action= } */
static int rl_rule_decl(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    if (!dc->loading)
        return rl_error(L, "rule(): rules are declared when the rule set loads, not while deciding");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "id");                                 /* +1 */
    const char *id = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING || !*id)
        return rl_error(L, "rule(): 'id' must be a non-empty string");
    lua_getfield(L, 1, "when");                               /* +2 */
    if (lua_type(L, -1) != LUA_TFUNCTION)
        return rl_error(L, "rule %s: 'when' must be a function(r, f, d)", id);
    lua_getfield(L, 1, "action");                             /* +3 */
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TFUNCTION)
        return rl_error(L, "rule %s: 'action' must be a function(r, f, d)", id);
    lua_getfield(L, 1, "title");                              /* +4 */
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        return rl_error(L, "rule %s: 'title' must be a string", id);
    for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {     /* typos in keys */
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (strcmp(k, "id") && strcmp(k, "when") && strcmp(k, "action") && strcmp(k, "title"))
            return rl_error(L, "rule %s: unknown key '%s' (id, title, when, action)", id, k);
    }
    for (int i = 0; i < dc->nrules; i++)
        if (!strcmp(dc->rules[i].id, id))
            return rl_error(L, "rule %s: the id is declared twice", id);
    rl_rule *nr = realloc(dc->rules, (size_t)(dc->nrules + 1) * sizeof *nr);
    if (!nr)
        return luaL_error(L, "not enough memory");
    dc->rules = nr;
    rl_rule *ru = &dc->rules[dc->nrules];
    ru->id = strdup(id);
    ru->title = strdup(lua_isnil(L, -1) ? id : lua_tostring(L, -1));
    if (!ru->id || !ru->title) {
        free(ru->id);
        free(ru->title);
        return luaL_error(L, "not enough memory");
    }
    lua_pop(L, 1);                                            /* +3 */
    ru->action = lua_isnil(L, -1) ? (lua_pop(L, 1), LUA_NOREF) : luaL_ref(L, LUA_REGISTRYINDEX);
    ru->when = luaL_ref(L, LUA_REGISTRYINDEX);                /* +1 */
    dc->nrules++;
    return 0;
}

/* fact(name, fn): the name gets an id; the function is ffn[id], the name
** ffn[-id], and this referral's state fstate[id] (values: fv[name]). */
static int rl_fact_decl(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    if (!dc->loading)
        return rl_error(L, "fact(): facts are declared when the rule set loads, not while deciding");
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->facts_ref);         /* +1 facts */
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return rl_error(L, "fact '%s' is declared twice", name);
    lua_pop(L, 1);
    int id = dc->nfacts + 1;
    unsigned char *st = realloc(dc->fstate, (size_t)id + 1);
    if (st)
        dc->fstate = st;
    int *done = realloc(dc->fdone, (size_t)id * sizeof *done);
    if (done)
        dc->fdone = done;
    if (!st || !done)
        return luaL_error(L, "not enough memory");
    st[id] = FS_NONE;
    dc->nfacts = id;
    lua_pushinteger(L, id);
    lua_setfield(L, -2, name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);           /* +2 ffn */
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, id);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, -id);
    return 0;
}

/* include(path): run another file of the rule set once; return its value. */
static int rl_include(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    const char *path = luaL_checkstring(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "triage.included");    /* +1 */
    int t = lua_getfield(L, -1, path);                        /* +2 */
    if (t == LUA_TLIGHTUSERDATA)
        return rl_error(L, "include: '%s' includes itself", path);
    if (t != LUA_TNIL)
        return 1;
    lua_pop(L, 1);                                            /* +1 */
    const rl_file_t *f = rl_find(dc->rs, path);
    if (!f)
        return rl_error(L, "include: no file '%s' in the rule set", path);
    lua_pushlightuserdata(L, &FX_BUSY);
    lua_setfield(L, -2, path);
    char chunk[300];
    snprintf(chunk, sizeof chunk, "@%s", path);
    if (luaL_loadbufferx(L, f->data, f->len, chunk, "t") != LUA_OK)  /* +2 */
        return lua_error(L);
    lua_call(L, 0, 1);                                        /* +2 value */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, path);                                /* remember */
    return 1;
}

/* ------------------------------------------------------------------ date */

static int ld_parse(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int32_t day;
    if (dt_parse_iso(s, len, &day))
        lua_pushinteger(L, day);
    else
        lua_pushnil(L);
    return 1;
}

static int ld_ymd(lua_State *L)
{
    lua_Integer y = luaL_checkinteger(L, 1), m = luaL_checkinteger(L, 2),
                d = luaL_checkinteger(L, 3);
    if (y < 1 || y > 9999 || !dt_valid_ymd((int)y, (int)m, (int)d))
        lua_pushnil(L);
    else
        lua_pushinteger(L, dt_from_ymd((int)y, (int)m, (int)d));
    return 1;
}

static int32_t ld_day(lua_State *L, int arg)
{
    lua_Integer d = luaL_checkinteger(L, arg);
    luaL_argcheck(L, d > -1000000 && d < 3000000, arg, "not a day number");
    return (int32_t)d;
}

static int ld_format(lua_State *L)
{
    char buf[11];
    dt_format(ld_day(L, 1), buf);
    lua_pushstring(L, buf);
    return 1;
}

static int ld_parts(lua_State *L)
{
    int y, m, d;
    dt_to_ymd(ld_day(L, 1), &y, &m, &d);
    lua_pushinteger(L, y);
    lua_pushinteger(L, m);
    lua_pushinteger(L, d);
    return 3;
}

static int ld_add_months(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n > -120000 && n < 120000, 2, "too many months");
    lua_pushinteger(L, dt_add_months(ld_day(L, 1), (int)n));
    return 1;
}

static int ld_age(lua_State *L)
{
    lua_pushinteger(L, dt_age_years(ld_day(L, 1), ld_day(L, 2)));
    return 1;
}

/* ------------------------------------------------------------- decision */

static triage_decision *dd_current(lua_State *L, triage_decider *dc)
{
    if (!dc->dec)
        rl_error(L, "no referral is being decided");
    return dc->dec;
}

/* The value of a decide{} key (at index 4) as an enum index. */
static int dd_enum(lua_State *L, const char *key, int (*lookup)(const char *),
                   const char *allowed)
{
    const char *s = lua_type(L, 4) == LUA_TSTRING ? lua_tostring(L, 4) : NULL;
    int v = s ? lookup(s) : -1;
    if (v < 0)
        rl_error(L, "d:decide: %s '%s' is not one of %s", key, s ? s : luaL_typename(L, 4),
                 allowed);
    return v;
}

enum { DK_OUTCOME = 1, DK_TARGET, DK_UNIT, DK_PRIORITY, DK_DEADLINE, DK_REQUEST };
static const char *const dd_keys[] = {NULL, "outcome", "target", "unit", "priority",
                                      "deadline", "request_from", NULL};

/* d:decide{...}: one pass over the table; upvalue 1 maps its keys to DK_*. */
static int dd_decide(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    triage_decision *d = dd_current(L, dc);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    if (d->outcome >= 0)
        return rl_error(L, "d:decide: already decided in this rule");
    int outcome = -1, target = -1, priority = -1, request = -1;
    char unit[sizeof d->unit] = "";
    int32_t deadline = DT_NONE;
    for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) {    /* 3 key, 4 value */
        int k = 0;
        if (lua_type(L, 3) == LUA_TSTRING) {
            lua_pushvalue(L, 3);
            if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNUMBER)
                k = (int)lua_tointeger(L, -1);
            lua_pop(L, 1);
        }
        size_t n;
        const char *s;
        switch (k) {
        case DK_OUTCOME:
            outcome = dd_enum(L, "outcome", dc_outcome_index,
                              "accept, request_info, redirect, reject, manual_review");
            break;
        case DK_TARGET:
            target = dd_enum(L, "target", dc_target_index, "buc, specialist_practice, "
                             "municipality, adult_psychiatry, other_region");
            break;
        case DK_PRIORITY:
            priority = dd_enum(L, "priority", dc_priority_index, "acute, urgent, routine");
            break;
        case DK_REQUEST:
            request = dd_enum(L, "request_from", dc_request_index, "referrer, municipality");
            break;
        case DK_UNIT:
            s = lua_type(L, 4) == LUA_TSTRING ? lua_tolstring(L, 4, &n) : NULL;
            if (!s || n == 0 || n >= sizeof unit)
                return rl_error(L, "d:decide: unit must be a short string such as 'B193'");
            memcpy(unit, s, n + 1);
            break;
        case DK_DEADLINE:
            if (lua_type(L, 4) == LUA_TNUMBER && lua_isinteger(L, 4)) {
                deadline = (int32_t)lua_tointeger(L, 4);
            } else if (lua_type(L, 4) == LUA_TSTRING) {
                s = lua_tolstring(L, 4, &n);
                if (!dt_parse_iso(s, n, &deadline))
                    return rl_error(L, "d:decide: deadline '%s' is not a date (YYYY-MM-DD)", s);
            } else {
                return rl_error(L, "d:decide: deadline must be a day number or 'YYYY-MM-DD'");
            }
            break;
        default:
            return rl_error(L, "d:decide: unknown key '%s' (outcome, target, unit, "
                               "priority, deadline, request_from)",
                            lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : "?");
        }
    }
    if (outcome < 0)
        return rl_error(L, "d:decide: 'outcome' is required");
    d->outcome = outcome;
    d->target = target;
    memcpy(d->unit, unit, sizeof unit);
    d->priority = priority;
    d->deadline = deadline;
    d->request_from = request;
    return 0;
}

static int dd_reason(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    triage_decision *d = dd_current(L, dc);
    const char *text = luaL_checkstring(L, 2);
    const rl_rule *ru = rl_current(L, dc);
    if (dc_add_reason(d, ru ? ru->id : NULL, text) != 0)
        return luaL_error(L, "not enough memory");
    return 0;
}

static int dd_missing(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    triage_decision *d = dd_current(L, dc);
    const char *item = luaL_checkstring(L, 2);
    int i = dc_missing_index(item);
    if (i < 0)
        return rl_error(L, "d:missing: '%s' is not one of cognitive_assessment, "
                           "updated_cognitive_assessment, ppv, consent_both_custodians, "
                           "somatic_measurements", item);
    d->missing |= 1u << i;
    return 0;
}

static int dd_missing_items(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    triage_decision *d = dd_current(L, dc);
    lua_createtable(L, MI__N, 0);
    int n = 0;
    for (int i = 0; i < MI__N; i++)
        if (d->missing & (1u << i)) {
            lua_pushstring(L, dc_missing_names[i]);
            lua_rawseti(L, -2, ++n);
        }
    return 1;
}

/* What the methods table (d's __index) lacks: d.outcome, else an error.
** d.explain lives in the methods table itself, set per referral (true when
** the trace is recorded: only then is a `why` from `when` shown, so rules
** build those strings only then); method calls and d.explain are thus plain
** table reads. */
static int dd_index(lua_State *L)
{
    const char *k = lua_tostring(L, 2);
    if (k && !strcmp(k, "outcome")) {
        triage_decider *dc = rl_self(L);
        if (dc->dec && dc->dec->outcome >= 0)
            lua_pushstring(L, triage_outcome_name((triage_outcome)dc->dec->outcome));
        else
            lua_pushnil(L);
        return 1;
    }
    return luaL_error(L, "the decision has no field '%s'", k ? k : "?");
}

/* ----------------------------------------------------------------- facts */

/* Rules see f, an empty proxy: its metatable's __index is this referral's
** value table fv (a fresh one per referral), and its __newindex raises, so
** facts are read only by construction and a read of a computed fact is one
** table lookup in fv. fv's own __index is fx_index, which computes a fact
** the first time it is read. Upvalues: the fact ids (name -> id), ffn (id ->
** function), r and f. Whether a fact is begun or nil this referral is
** dc->fstate[id] (a nil value cannot live in fv), and the ids begun are
** dc->fdone, so the end of a referral resets those few bytes and drops fv. */
static int fx_index(lua_State *L)
{
    lua_settop(L, 2);                                         /* 1 fv, 2 name */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER)    /* 3 id */
        return luaL_error(L, "unknown fact '%s'", lua_tostring(L, 2));
    int id = (int)lua_tointeger(L, 3);
    triage_decider *dc = rl_self(L);
    switch (dc->fstate[id]) {
    case FS_BUSY:
        return luaL_error(L, "fact '%s' depends on itself", lua_tostring(L, 2));
    case FS_NIL:
        lua_pushnil(L);
        return 1;
    default:              /* FS_NONE; an FS_VALUE fact is read from fv, never here */
        break;
    }
    dc->fstate[id] = FS_BUSY;
    dc->fdone[dc->ndone++] = id;
    lua_rawgeti(L, lua_upvalueindex(2), id);                  /* 4 fn */
    lua_pushvalue(L, lua_upvalueindex(3));                    /* 5 r */
    lua_pushvalue(L, lua_upvalueindex(4));                    /* 6 f */
    lua_call(L, 2, 1);                                        /* 4 value */
    if (lua_isnil(L, 4)) {
        dc->fstate[id] = FS_NIL;
        return 1;
    }
    dc->fstate[id] = FS_VALUE;
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 4);
    lua_rawset(L, 1);                                         /* fv[name] = value */
    return 1;
}

/* Before a referral: a fresh, presized fv behind f (the old one is garbage). */
static void rl_facts_begin(lua_State *L, triage_decider *dc)
{
    for (int i = 0; i < dc->ndone; i++)
        dc->fstate[dc->fdone[i]] = FS_NONE;
    dc->ndone = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fm_ref);            /* +1 f's meta */
    lua_pushliteral(L, "__index");                            /* +2 */
    lua_createtable(L, 0, dc->nfacts < 32 ? dc->nfacts : 32); /* +3 fv */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->fvm_ref);           /* +4 fv's meta */
    lua_setmetatable(L, -2);                                  /* +3 */
    lua_rawset(L, -3);                                        /* +1 */
    lua_pop(L, 1);                                            /* 0 */
}

static int fx_newindex(lua_State *L)
{
    return luaL_error(L, "facts are read only: declare fact('%s', function(r, f) ... end)",
                      lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

/* -------------------------------------------------------------- the driver */

/* The rule loop runs in Lua, inside one protected call per referral: a
** pcall per rule from C cost more than most rules do. `cur` is the rule
** running (C reads it, as an upvalue, to name the rule in a reason or a
** failure); decided() and step() are C (rl_decided, rl_step). */
static const char rl_driver_src[] =
    "local WHEN, ACTION, N, decided, step = ...\n"
    "local cur = 0\n"
    "return function(r, f, d, explain)\n"
    "  for i = 1, N do\n"
    "    cur = i\n"
    "    local ok, why = WHEN[i](r, f, d)\n"
    "    if explain then step(i, ok, why) end\n"
    "    if ok then\n"
    "      local act = ACTION[i]\n"
    "      if act then\n"
    "        act(r, f, d)\n"
    "        if decided() then return end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n";

/* The rule running now (its index is the driver's upvalue `cur`), or NULL. */
static const rl_rule *rl_current(lua_State *L, triage_decider *dc)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->driver_ref);        /* +1 driver */
    lua_getupvalue(L, -1, dc->cur_up);                        /* +2 cur */
    lua_Integer i = lua_tointeger(L, -1);
    lua_pop(L, 2);                                            /* 0 */
    return i >= 1 && i <= dc->nrules ? &dc->rules[i - 1] : NULL;
}

static int rl_decided(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_pushboolean(L, dc->dec && dc->dec->outcome >= 0);
    return 1;
}

/* step(i, applied, why): the trace line of rule i (explain only). */
static int rl_step(lua_State *L)
{
    triage_decider *dc = rl_self(L);
    lua_Integer i = lua_tointeger(L, 1);
    if (!dc->dec || i < 1 || i > dc->nrules)
        return 0;
    const rl_rule *ru = &dc->rules[i - 1];
    const char *why = lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : ru->title;
    if (dc_add_step(dc->dec, ru->id, lua_toboolean(L, 2), why) != 0)
        return luaL_error(L, "not enough memory");
    return 0;
}

/* Compile the driver over the rules declared (after the files load). */
static int rl_driver(triage_decider *dc, triage_error *err)
{
    lua_State *L = dc->L;
    if (luaL_loadbufferx(L, rl_driver_src, sizeof rl_driver_src - 1, "=driver", "t")) {
        rl_load_error(dc, lua_tostring(L, -1), err);
        lua_settop(L, 0);
        return -1;
    }                                                         /* +1 chunk */
    lua_createtable(L, dc->nrules, 0);                        /* +2 WHEN */
    lua_createtable(L, dc->nrules, 0);                        /* +3 ACTION */
    for (int i = 0; i < dc->nrules; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->rules[i].when);
        lua_rawseti(L, -3, i + 1);
        if (dc->rules[i].action != LUA_NOREF) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, dc->rules[i].action);
            lua_rawseti(L, -2, i + 1);
        }
    }
    lua_pushinteger(L, dc->nrules);                           /* +4 N */
    lua_pushcfunction(L, rl_decided);                         /* +5 */
    lua_pushcfunction(L, rl_step);                            /* +6 */
    sb_rearm(dc->sb);
    if (lua_pcall(L, 5, 1, 0) != LUA_OK) {                    /* +1 driver */
        rl_load_error(dc, sb_error_text(dc->sb, LUA_ERRRUN), err);
        lua_settop(L, 0);
        return -1;
    }
    const char *name;
    for (int n = 1; (name = lua_getupvalue(L, -1, n)) != NULL; n++) {
        lua_pop(L, 1);
        if (!strcmp(name, "cur"))
            dc->cur_up = n;
    }
    dc->driver_ref = luaL_ref(L, LUA_REGISTRYINDEX);          /* 0 */
    return 0;
}

/* ------------------------------------------------------------ building */

static int rl_default_history(void *ud, const triage_referral *r, st_prior *out, int max)
{
    triage_decider *dc = ud;
    if (dc->hist)
        return dc->hist(dc->hist_ud, r, dc->rs->hash, out, max);
    if (!dc->store)
        return 0;
    return st_history(dc->store, r->cpr, r->received, r->id, dc->rs->hash, out, max);
}

/* Fill err from a load failure: "path:line: message" when Lua says where. */
static void rl_load_error(triage_decider *dc, const char *msg, triage_error *err)
{
    if (!err)
        return;
    const char *c1 = strchr(msg, ':');
    if (c1) {
        char *end;
        long line = strtol(c1 + 1, &end, 10);
        if (*end == ':' && line > 0) {
            char file[4096 + 300];
            snprintf(file, sizeof file, "%s/%.*s", dc->rs->dir, (int)(c1 - msg), msg);
            triage_error_set(err, TRIAGE_ERULES, file, line, NULL, NULL, "%s",
                             end + (end[1] == ' ' ? 2 : 1));
            return;
        }
    }
    triage_error_set(err, TRIAGE_ERULES, dc->rs->dir, 0, NULL, NULL, "%s", msg);
}

static int rl_build(triage_decider *dc, triage_error *err)
{
    const triage_limits *lim = &dc->rs->lim;
    dc->sb = sb_open(lim->memory_bytes, lim->instructions);
    if (!dc->sb) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return -1;
    }
    lua_State *L = dc->L = dc->sb->L;
    *(triage_decider **)lua_getextraspace(L) = dc;
    rx_open(L);
    ts_open(L);
    lr_push(L);
    lua_pop(L, 1);
    lr_set_history(L, rl_default_history, dc);

    lua_newtable(L);
    dc->facts_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, 64, 0);
    dc->ffn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "triage.included");

    lua_newtable(L);                                          /* +1 f */
    lua_createtable(L, 0, 3);                                 /* +2 f's meta */
    lua_pushcfunction(L, fx_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "facts");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    dc->fm_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setmetatable(L, -2);                                  /* +1 f */
    lua_createtable(L, 0, 1);                                 /* +2 fv's meta */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->facts_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->ffn_ref);
    lr_push(L);
    lua_pushvalue(L, -5);                                     /* f */
    lua_pushcclosure(L, fx_index, 4);
    lua_setfield(L, -2, "__index");
    dc->fvm_ref = luaL_ref(L, LUA_REGISTRYINDEX);             /* +1 */
    dc->f_ref = luaL_ref(L, LUA_REGISTRYINDEX);               /* 0 */

    lua_newuserdatauv(L, 1, 0);                               /* +1 d */
    lua_newtable(L);                                          /* +2 meta */
    static const luaL_Reg dmethods[] = {{"reason", dd_reason}, {"missing", dd_missing},
                                        {"missing_items", dd_missing_items}, {NULL, NULL}};
    luaL_newlib(L, dmethods);                                 /* +3 methods */
    lua_createtable(L, 0, 6);                                 /* +4 decide's keys */
    for (int i = 1; dd_keys[i]; i++) {
        lua_pushinteger(L, i);
        lua_setfield(L, -2, dd_keys[i]);
    }
    lua_pushcclosure(L, dd_decide, 1);                        /* +4 */
    lua_setfield(L, -2, "decide");                            /* +3 */
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "explain");
    lua_createtable(L, 0, 2);                                 /* +4 its meta */
    lua_pushcfunction(L, dd_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "decision");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                                  /* +3 */
    lua_pushvalue(L, -1);
    dc->dm_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "decision");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                                  /* +1 */
    dc->d_ref = luaL_ref(L, LUA_REGISTRYINDEX);               /* 0 */

    lua_pushcfunction(L, rl_rule_decl);
    lua_setglobal(L, "rule");
    lua_pushcfunction(L, rl_fact_decl);
    lua_setglobal(L, "fact");
    lua_pushcfunction(L, rl_include);
    lua_setglobal(L, "include");
    static const luaL_Reg datelib[] = {{"parse", ld_parse}, {"ymd", ld_ymd},
                                       {"format", ld_format}, {"parts", ld_parts},
                                       {"add_months", ld_add_months}, {"age", ld_age},
                                       {NULL, NULL}};
    luaL_newlib(L, datelib);
    lua_setglobal(L, "date");

    dc->loading = 1;
    for (int i = 0; i < dc->rs->nfiles; i++) {
        const rl_file_t *f = &dc->rs->files[i];
        if (!rl_is_rule_file(f->path))
            continue;
        char chunk[300];
        snprintf(chunk, sizeof chunk, "@%s", f->path);
        sb_rearm(dc->sb);
        int st = luaL_loadbufferx(L, f->data, f->len, chunk, "t");
        if (st == LUA_OK)
            st = lua_pcall(L, 0, 0, 0);
        if (st != LUA_OK) {
            rl_load_error(dc, sb_error_text(dc->sb, st), err);
            lua_settop(L, 0);
            dc->loading = 0;
            return -1;
        }
    }
    dc->loading = 0;
    if (dc->nrules == 0) {
        rl_load_error(dc, "the rule set declares no rule (rule{...} in a *.lua file)", err);
        return -1;
    }
    if (rl_driver(dc, err) != 0)
        return -1;
    lua_gc(L, LUA_GCCOLLECT);
    lua_gc(L, LUA_GCGEN, 0, 0);
    return 0;
}

triage_decider *triage_decider_new(triage_ruleset *rs, triage_store *store,
                                   triage_error *err)
{
    triage_decider *dc = atomic_exchange(&rs->spare, NULL);
    if (dc) {
        triage_ruleset_retain(rs);
        dc->store = store;
        return dc;
    }
    dc = calloc(1, sizeof *dc);
    if (!dc) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return NULL;
    }
    dc->rs = triage_ruleset_retain(rs);
    dc->store = store;
    if (rl_build(dc, err) != 0) {
        triage_decider_free(dc);
        return NULL;
    }
    return dc;
}

void triage_decider_free(triage_decider *dc)
{
    if (!dc)
        return;
    sb_close(dc->sb);
    for (int i = 0; i < dc->nrules; i++) {
        free(dc->rules[i].id);
        free(dc->rules[i].title);
    }
    free(dc->rules);
    free(dc->fstate);
    free(dc->fdone);
    triage_ruleset_release(dc->rs);
    free(dc);
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

/* A rule failed: the referral goes to a person, naming the rule. */
static void rl_fail(triage_decider *dc, triage_decision *d, const rl_rule *ru, int status)
{
    char why[600];
    const char *msg = sb_error_text(dc->sb, status);
    if (status == LUA_ERRMEM && dc->sb->over_memory)
        snprintf(why, sizeof why, "Regel %s fejlede: memory limit exceeded (%zu MiB); "
                 "en medarbejder skal vurdere henvisningen.", ru->id,
                 dc->rs->lim.memory_bytes >> 20);
    else
        snprintf(why, sizeof why, "Regel %s fejlede: %s; en medarbejder skal vurdere "
                 "henvisningen.", ru->id, msg);
    if (d->explain)
        dc_add_step(d, ru->id, 0, why);
    dc_manual_review(d, ru->id, why);
}

triage_decision *triage_decide(triage_decider *dc, const triage_referral *r,
                               unsigned flags)
{
    triage_decision *d = dc_new(r->id, dc->rs->hash, (flags & TRIAGE_EXPLAIN) != 0);
    if (!d)
        return NULL;
    lua_State *L = dc->L;
    sb_rearm(dc->sb);
    lr_set(L, r);
    rl_facts_begin(L, dc);
    dc->dec = d;
    if (dc->dexplain != d->explain) {
        dc->dexplain = d->explain;
        lua_rawgeti(L, LUA_REGISTRYINDEX, dc->dm_ref);
        lua_pushboolean(L, d->explain);
        lua_setfield(L, -2, "explain");
        lua_pop(L, 1);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->driver_ref);        /* 1 driver */
    lr_push(L);                                               /* 2 r */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->f_ref);             /* 3 f */
    lua_rawgeti(L, LUA_REGISTRYINDEX, dc->d_ref);             /* 4 d */
    lua_pushboolean(L, d->explain);                           /* 5 explain */
    int st = lua_pcall(L, 4, 0, 0);                           /* 0, or 1 error */
    int failed = st != LUA_OK;
    if (failed) {
        const rl_rule *ru = rl_current(L, dc);
        static const rl_rule engine = {(char *)"ENGINE", (char *)"ENGINE", LUA_NOREF, LUA_NOREF};
        rl_fail(dc, d, ru ? ru : &engine, st);
    } else if (d->outcome < 0) {
        dc_manual_review(d, "ENGINE", "Ingen regel traf en afgørelse; en medarbejder "
                                      "skal vurdere henvisningen.");
    }
    lua_settop(L, 0);
    dc->dec = NULL;
    lr_set(L, NULL);
    if (failed)
        lua_gc(L, LUA_GCCOLLECT);     /* give back what a runaway rule took */
    return d;
}

/* -------------------------------------------------------------- rule sets */

static void rl_free_files(triage_ruleset *rs)
{
    for (int i = 0; i < rs->nfiles; i++) {
        free(rs->files[i].path);
        free(rs->files[i].data);
    }
    free(rs->files);
}

triage_ruleset *triage_ruleset_load(const char *dir, const triage_limits *limits,
                                    triage_error *err)
{
    triage_error_set(err, TRIAGE_OK, NULL, 0, NULL, NULL, NULL);
    triage_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs || !(rs->dir = strdup(dir))) {
        free(rs);
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return NULL;
    }
    size_t dl = strlen(rs->dir);
    while (dl > 1 && rs->dir[dl - 1] == '/')
        rs->dir[--dl] = 0;
    atomic_init(&rs->refs, 1);
    rs->lim.memory_bytes = limits && limits->memory_bytes ? limits->memory_bytes : RL_MEMORY_DEFAULT;
    rs->lim.instructions = limits && limits->instructions ? limits->instructions : RL_INSTR_DEFAULT;
    int cap = 0;
    if (rl_walk(rs, "", &cap, err) != 0) {
        triage_ruleset_release(rs);
        return NULL;
    }
    qsort(rs->files, (size_t)rs->nfiles, sizeof *rs->files, rl_path_cmp);
    /* The hash: for each file in byte order of relative path, the path, a
    ** NUL, the content and a NUL. */
    struct sha256_ctx h;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&h);
    for (int i = 0; i < rs->nfiles; i++) {
        const rl_file_t *f = &rs->files[i];
        sha256_update(&h, strlen(f->path) + 1, (const uint8_t *)f->path);
        sha256_update(&h, f->len, (const uint8_t *)f->data);
        sha256_update(&h, 1, (const uint8_t *)"");
    }
    sha256_digest(&h, sizeof digest, digest);
    base16_encode_update(rs->hash, sizeof digest, digest);   /* lowercase hex */
    rs->hash[2 * sizeof digest] = '\0';
    /* Verify by building one state: a rule set that cannot load never runs. */
    triage_decider *probe = triage_decider_new(rs, NULL, err);
    if (!probe) {
        triage_ruleset_release(rs);
        return NULL;
    }
    rs->nrules = probe->nrules;
    atomic_fetch_sub(&rs->refs, 1);          /* the spare borrows its rule set */
    atomic_store(&rs->spare, probe);
    return rs;
}

const char *triage_ruleset_hash(const triage_ruleset *rs) { return rs->hash; }
int triage_ruleset_rule_count(const triage_ruleset *rs) { return rs->nrules; }
int rl_file_count(const triage_ruleset *rs) { return rs->nfiles; }
const char *rl_dir(const triage_ruleset *rs) { return rs->dir; }

void rl_file(const triage_ruleset *rs, int i, const char **path, const char **data,
             size_t *len)
{
    *path = rs->files[i].path;
    *data = rs->files[i].data;
    *len = rs->files[i].len;
}

triage_ruleset *triage_ruleset_retain(triage_ruleset *rs)
{
    atomic_fetch_add(&rs->refs, 1);
    return rs;
}

void triage_ruleset_release(triage_ruleset *rs)
{
    if (!rs || atomic_fetch_sub(&rs->refs, 1) != 1)
        return;
    triage_decider *spare = atomic_exchange(&rs->spare, NULL);
    if (spare) {
        spare->rs = NULL;                    /* it held no reference */
        triage_decider_free(spare);
    }
    rl_free_files(rs);
    free(rs->dir);
    free(rs);
}
