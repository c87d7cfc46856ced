/*
** regex.c — the PCRE2 binding rules use to read Danish free text.
** Compiled code, JIT code and match data live in one userdata per pattern,
** cached in the registry by flags and pattern; matches run under a match
** limit so catastrophic backtracking fails fast instead of eating the CPU.
** Every byte of it is the rule set's: PCRE2 allocates through a general
** context on the state's budget, and JIT code and stacks are charged there.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <lauxlib.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "sandbox.h"

#define RX_META "triage.regex"
#define RX_CACHE "triage.regex.cache"
#define RX_RUN_CACHE "triage.regex.run"   /* patterns first asked for while deciding */
#define RX_JIT_STACK_MAX (512 * 1024)     /* charged whole: sljit maps it at once */
#define RX_MATCH_LIMIT 1000000u   /* backtracking steps per match */
#define RX_DEPTH_LIMIT 10000u
/* JIT-compiling a pattern costs as much as thousands of interpreted matches
** of a short text, and many of a rule set's patterns are matched rarely: a
** pattern is compiled when it has been matched this many times. */
#define RX_JIT_AFTER 8

typedef struct rx_pat {
    pcre2_code *code;
    pcre2_match_data *md;
    int ncap;                 /* capture groups */
    int uses;                 /* matches run here, up to RX_JIT_AFTER */
    uint32_t opts;            /* compile options */
} rx_pat;

/* Per-state context: the budget's contexts, match limits, the trusted
** (pre-validated) subject, and whether this referral compiled patterns. */
typedef struct rx_ctx {
    bg_budget *budget;
    pcre2_compile_context *cctx;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    const char *trusted;
    size_t trusted_len;
    int run_cache;
} rx_ctx;

/* The registry key of a state's rx_ctx: an address, so that finding it
** (every match, every referral) hashes no string. */
static const char rx_ctx_key = 0;

static rx_ctx *rx_context(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &rx_ctx_key);            /* +1 */
    rx_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);                                             /* 0 */
    return c;
}

static int rx_ctx_gc(lua_State *L)
{
    rx_ctx *c = lua_touserdata(L, 1);
    pcre2_compile_context_free(c->cctx);
    pcre2_match_context_free(c->mctx);
    if (c->jstack)
        bg_uncharge(c->budget, RX_JIT_STACK_MAX);
    pcre2_jit_stack_free(c->jstack);
    c->cctx = NULL;
    c->mctx = NULL;
    c->jstack = NULL;
    return 0;
}

/* The JIT code of a pattern: charged when compiled, given back when freed. */
static size_t rx_jit_size(const pcre2_code *code)
{
    size_t size = 0;
    if (pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &size) != 0)
        size = 0;
    return size;
}

static void rx_jit_compile(lua_State *L, pcre2_code *code)
{
    size_t before = rx_jit_size(code);
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);   /* failing: the interpreter runs */
    size_t after = rx_jit_size(code);
    if (after > before && bg_charge(bg_of(L), after - before) != 0)
        sb_raise_memory(L);                         /* given back by rx_gc */
}

static int rx_gc(lua_State *L)
{
    rx_pat *p = luaL_checkudata(L, 1, RX_META);
    if (p->code)
        bg_uncharge(bg_of(L), rx_jit_size(p->code));
    pcre2_match_data_free(p->md);
    pcre2_code_free(p->code);
    p->md = NULL;
    p->code = NULL;
    return 0;
}

/* Run the pattern on s from byte offset start; returns matched groups or
** 0 for no match; raises for limits and other failures. */
static int rx_exec(lua_State *L, rx_pat *p, const char *s, size_t len, size_t start)
{
    if (p->uses < RX_JIT_AFTER && ++p->uses == RX_JIT_AFTER)
        rx_jit_compile(L, p->code);                   /* till then the interpreter runs */
    rx_ctx *c = rx_context(L);
    uint32_t opts = (s == c->trusted && len == c->trusted_len) ? PCRE2_NO_UTF_CHECK : 0;
    /* pcre2_match runs the JIT code when there is some; pcre2_jit_match
    ** would skip the UTF-8 check that untrusted subjects need. */
    int rc = pcre2_match(p->code, (PCRE2_SPTR)s, len, start, opts, p->md, c->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return luaL_error(L, "regex: %s", (const char *)msg);
    }
    return rc;
}

/* Lua's 1-based init (negative counts from the end) to a byte offset, or
** -1 when it lies past the end. */
static long rx_start(lua_State *L, int arg, size_t len)
{
    lua_Integer init = luaL_optinteger(L, arg, 1);
    if (init < 0)
        init = (lua_Integer)len + init + 1;
    if (init < 1)
        init = 1;
    if ((size_t)init > len + 1)
        return -1;
    return (long)init - 1;
}

static int rx_match(lua_State *L)
{
    rx_pat *p = luaL_checkudata(L, 1, RX_META);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    long start = rx_start(L, 3, len);
    lua_pushboolean(L, start >= 0 && rx_exec(L, p, s, len, (size_t)start) > 0);
    return 1;
}

/* p:find(s [, init]) and p:captures(s [, init]) both match first: the
** pattern, with *s the subject; NULL (nil pushed) when it does not match. */
static rx_pat *rx_matched(lua_State *L, const char **s)
{
    rx_pat *p = luaL_checkudata(L, 1, RX_META);
    size_t len;
    *s = luaL_checklstring(L, 2, &len);
    long start = rx_start(L, 3, len);
    if (start < 0 || rx_exec(L, p, *s, len, (size_t)start) == 0) {
        lua_pushnil(L);
        return NULL;
    }
    return p;
}

static int rx_find(lua_State *L)
{
    const char *s;
    rx_pat *p = rx_matched(L, &s);
    if (!p)
        return 1;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
    lua_pushinteger(L, (lua_Integer)ov[0] + 1);
    lua_pushinteger(L, (lua_Integer)ov[1]);
    return 2;
}

/* Push start, end and a table of the captures (named ones by name too). */
static int rx_push_captures(lua_State *L, rx_pat *p, const char *s)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
    lua_pushinteger(L, (lua_Integer)ov[0] + 1);               /* +1 start */
    lua_pushinteger(L, (lua_Integer)ov[1]);                   /* +2 end */
    lua_createtable(L, p->ncap, 0);                           /* +3 caps */
    for (int i = 1; i <= p->ncap; i++) {
        if (ov[2 * i] == PCRE2_UNSET)
            lua_pushboolean(L, 0);
        else
            lua_pushlstring(L, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
        lua_rawseti(L, -2, i);
    }
    uint32_t count, size;
    PCRE2_SPTR table;
    pcre2_pattern_info(p->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(p->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(p->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count; i++, table += size) {
        int n = (table[0] << 8) | table[1];
        lua_rawgeti(L, -1, n);                                /* +4 value */
        lua_setfield(L, -2, (const char *)table + 2);         /* +3 */
    }
    return 3;
}

static int rx_captures(lua_State *L)
{
    const char *s;
    rx_pat *p = rx_matched(L, &s);
    return p ? rx_push_captures(L, p, s) : 1;
}

/* gmatch iterator; upvalues: pattern, subject, next offset. */
static int rx_gmatch_next(lua_State *L)
{
    rx_pat *p = lua_touserdata(L, lua_upvalueindex(1));
    size_t len;
    const char *s = lua_tolstring(L, lua_upvalueindex(2), &len);
    lua_Integer at = lua_tointeger(L, lua_upvalueindex(3));
    if (at < 0 || (size_t)at > len || rx_exec(L, p, s, len, (size_t)at) == 0)
        return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
    /* An empty match must still move on, or the loop never ends. */
    lua_Integer next = ov[1] > ov[0] ? (lua_Integer)ov[1] : (lua_Integer)ov[1] + 1;
    lua_pushinteger(L, next);
    lua_replace(L, lua_upvalueindex(3));
    lua_pushinteger(L, (lua_Integer)ov[0] + 1);
    lua_pushinteger(L, (lua_Integer)ov[1]);
    return 2;
}

static int rx_gmatch(lua_State *L)
{
    luaL_checkudata(L, 1, RX_META);
    size_t len;
    luaL_checklstring(L, 2, &len);
    long start = rx_start(L, 3, len);
    lua_settop(L, 2);
    lua_pushinteger(L, start);                  /* pattern, subject, offset */
    lua_pushcclosure(L, rx_gmatch_next, 3);
    return 1;
}

static int rx_tostring(lua_State *L)
{
    luaL_checkudata(L, 1, RX_META);
    lua_pushstring(L, "regex");
    return 1;
}

/* regex(pattern [, flags]) */
static int rx_new(lua_State *L)
{
    size_t plen;
    const char *pat = luaL_checklstring(L, 1, &plen);
    const char *flags = luaL_optstring(L, 2, "");
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS;
    for (const char *f = flags; *f; f++) {
        switch (*f) {
        case 'c': opts &= ~PCRE2_CASELESS; break;
        case 'i': opts |= PCRE2_CASELESS; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 's': opts |= PCRE2_DOTALL; break;
        default: return luaL_error(L, "regex: unknown flag '%c' (use c, i, x, m, s)", *f);
        }
    }
    rx_ctx *c = rx_context(L);
    int deciding = sb_of(L)->locked;
    lua_getfield(L, LUA_REGISTRYINDEX, RX_CACHE);             /* +1 cache */
    lua_pushstring(L, flags);
    lua_pushliteral(L, "/");
    lua_pushvalue(L, 1);
    lua_concat(L, 3);                                         /* +2 key */
    lua_pushvalue(L, -1);
    if (lua_rawget(L, -3) != LUA_TNIL)                        /* +3 hit? */
        return 1;
    lua_pop(L, 1);                                            /* +2 */
    if (deciding) {
        /* A pattern first asked for while deciding lives as long as the
        ** referral: what one referral compiles never fills the state for
        ** the next (the cache is dropped between referrals: rx_trust). */
        if (lua_getfield(L, LUA_REGISTRYINDEX, RX_RUN_CACHE) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_setfield(L, LUA_REGISTRYINDEX, RX_RUN_CACHE);
            c->run_cache = 1;
        }
        lua_replace(L, -3);                                   /* +2 cache, key */
        lua_pushvalue(L, -1);
        if (lua_rawget(L, -3) != LUA_TNIL)
            return 1;
        lua_pop(L, 1);
    }

    rx_pat *p = lua_newuserdatauv(L, sizeof *p, 0);           /* +3 pattern */
    memset(p, 0, sizeof *p);
    luaL_setmetatable(L, RX_META);
    int err = 0;
    PCRE2_SIZE off = 0;
    for (int attempt = 0; attempt < 2 && !p->code; attempt++) {
        c->budget->over = 0;
        p->code = pcre2_compile((PCRE2_SPTR)pat, plen, opts, &err, &off, c->cctx);
        /* a refused block fails the compile as PCRE2_ERROR_NOMEMORY or as
        ** its "failed to allocate heap memory" (ERR21): the budget says which */
        if (!p->code && c->budget->over && attempt == 0)
            lua_gc(L, LUA_GCCOLLECT);                         /* garbage may hold patterns */
    }
    if (!p->code) {
        if (c->budget->over)
            return sb_raise_memory(L);
        if (err == PCRE2_ERROR_NOMEMORY)
            return luaL_error(L, "regex: out of memory");
        PCRE2_UCHAR msg[160];
        char text[400];       /* a long pattern is named by its start */
        pcre2_get_error_message(err, msg, sizeof msg);
        snprintf(text, sizeof text, "regex: %s at offset %d in /%.80s%s/", (const char *)msg,
                 (int)off, pat, plen > 80 ? "..." : "");
        return luaL_error(L, "%s", text);
    }
    p->opts = opts;
    uint32_t ncap = 0;
    pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &ncap);
    p->ncap = (int)ncap;
    p->md = pcre2_match_data_create_from_pattern(p->code, NULL);   /* the code's allocator */
    if (!p->md)
        return c->budget->over ? sb_raise_memory(L) : luaL_error(L, "regex: out of memory");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, -5);                                        /* cache[key] = p */
    if (deciding) {           /* the collector cannot see the C memory garbage holds */
        size_t size = 0;
        pcre2_pattern_info(p->code, PCRE2_INFO_SIZE, &size);
        lua_gc(L, LUA_GCSTEP, (int)((size + plen) >> 10) + 1);
    }
    return 1;
}

void rx_trust(lua_State *L, const char *s, size_t len)
{
    rx_ctx *c = rx_context(L);
    c->trusted = s;
    c->trusted_len = len;
    if (!s && c->run_cache) {
        lua_pushnil(L);
        lua_setfield(L, LUA_REGISTRYINDEX, RX_RUN_CACHE);
        c->run_cache = 0;
    }
}

void rx_open(lua_State *L)
{
    rx_ctx *c = lua_newuserdatauv(L, sizeof *c, 0);           /* +1 ctx */
    memset(c, 0, sizeof *c);
    c->budget = bg_of(L);
    pcre2_general_context *g = bg_pcre2(c->budget);
    c->cctx = pcre2_compile_context_create(g);
    c->mctx = pcre2_match_context_create(g);
    c->jstack = pcre2_jit_stack_create(32 * 1024, RX_JIT_STACK_MAX, g);
    if (c->jstack)
        bg_charge(c->budget, RX_JIT_STACK_MAX);
    if (c->mctx) {
        pcre2_set_match_limit(c->mctx, RX_MATCH_LIMIT);
        pcre2_set_depth_limit(c->mctx, RX_DEPTH_LIMIT);
        if (c->jstack)
            pcre2_jit_stack_assign(c->mctx, NULL, c->jstack);
    }
    lua_newtable(L);
    lua_pushcfunction(L, rx_ctx_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &rx_ctx_key);            /* 0 */

    static const luaL_Reg methods[] = {
        {"match", rx_match}, {"find", rx_find}, {"captures", rx_captures},
        {"gmatch", rx_gmatch}, {NULL, NULL}};
    luaL_newmetatable(L, RX_META);                            /* +1 meta */
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, rx_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, rx_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "regex");                              /* methods out of reach */
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);                                            /* 0 */
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, RX_CACHE);
    lua_pushcfunction(L, rx_new);
    lua_setglobal(L, "regex");
}
