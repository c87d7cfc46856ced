/*
** ldate.c — the `date` table rules use: date.c's calendar on day numbers
** (days since 1970-01-01), so that rules do date arithmetic with integers
** and never parse or format dates themselves.
*/
#include "ldate.h"

#include <lauxlib.h>
#include <stdint.h>

#include "date.h"

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

void ld_open(lua_State *L)
{
    static const luaL_Reg datelib[] = {{"parse", ld_parse}, {"ymd", ld_ymd},
                                       {"format", ld_format}, {"parts", ld_parts},
                                       {"add_months", ld_add_months}, {"age", ld_age},
                                       {NULL, NULL}};
    luaL_newlib(L, datelib);
    lua_setglobal(L, "date");
}
