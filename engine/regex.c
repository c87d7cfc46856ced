/*
** regex.c — the PCRE2 binding rules use to read Danish free text.
** Compiled code, JIT code and match data live in one userdata per pattern,
** cached in the registry by flags and pattern; matches run under a match
** limit so catastrophic backtracking fails fast instead of eating the CPU.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <lauxlib.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define RX_META "triage.regex"
#define RX_CACHE "triage.regex.cache"
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

/* Per-state context: match limits and the trusted (pre-validated) subject. */
typedef struct rx_ctx {
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    const char *trusted;
    size_t trusted_len;
} rx_ctx;

static rx_ctx *rx_context(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "triage.regex.ctx");    /* +1 */
    rx_ctx *c = lua_touserdata(L, -1);
    lua_pop(L, 1);                                             /* 0 */
    return c;
}

static int rx_ctx_gc(lua_State *L)
{
    rx_ctx *c = lua_touserdata(L, 1);
    pcre2_match_context_free(c->mctx);
    pcre2_jit_stack_free(c->jstack);
    c->mctx = NULL;
    c->jstack = NULL;
    return 0;
}

static int rx_gc(lua_State *L)
{
    rx_pat *p = luaL_checkudata(L, 1, RX_META);
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
        pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);   /* else the interpreter runs */
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

static int rx_find(lua_State *L)
{
    rx_pat *p = luaL_checkudata(L, 1, RX_META);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    long start = rx_start(L, 3, len);
    if (start < 0 || rx_exec(L, p, s, len, (size_t)start) == 0) {
        lua_pushnil(L);
        return 1;
    }
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
    rx_pat *p = luaL_checkudata(L, 1, RX_META);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    long start = rx_start(L, 3, len);
    if (start < 0 || rx_exec(L, p, s, len, (size_t)start) == 0) {
        lua_pushnil(L);
        return 1;
    }
    return rx_push_captures(L, p, s);
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
    lua_getfield(L, LUA_REGISTRYINDEX, RX_CACHE);             /* +1 cache */
    lua_pushstring(L, flags);
    lua_pushliteral(L, "/");
    lua_pushvalue(L, 1);
    lua_concat(L, 3);                                         /* +2 key */
    lua_pushvalue(L, -1);
    if (lua_rawget(L, -3) != LUA_TNIL)                        /* +3 hit? */
        return 1;
    lua_pop(L, 1);                                            /* +2 */

    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, plen, opts, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof msg);
        return luaL_error(L, "regex: %s at offset %d in /%s/", (const char *)msg,
                          (int)off, pat);
    }
    rx_pat *p = lua_newuserdatauv(L, sizeof *p, 0);           /* +3 pattern */
    memset(p, 0, sizeof *p);
    p->code = code;
    p->opts = opts;
    luaL_setmetatable(L, RX_META);
    uint32_t ncap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
    p->ncap = (int)ncap;
    p->md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!p->md)
        return luaL_error(L, "regex: not enough memory");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, -5);                                        /* cache[key] = p */
    return 1;
}

void rx_trust(lua_State *L, const char *s, size_t len)
{
    rx_ctx *c = rx_context(L);
    c->trusted = s;
    c->trusted_len = len;
}

void rx_open(lua_State *L)
{
    rx_ctx *c = lua_newuserdatauv(L, sizeof *c, 0);           /* +1 ctx */
    memset(c, 0, sizeof *c);
    c->mctx = pcre2_match_context_create(NULL);
    c->jstack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
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
    lua_setfield(L, LUA_REGISTRYINDEX, "triage.regex.ctx");   /* 0 */

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
    lua_pop(L, 1);                                            /* 0 */
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, RX_CACHE);
    lua_pushcfunction(L, rx_new);
    lua_setglobal(L, "regex");
}
