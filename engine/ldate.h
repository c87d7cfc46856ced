/*
** ldate.h — the `date` table of the rule API (rules/README.md, Helpers):
** parse, ymd, format, parts, add_months and age on day numbers.
*/
#ifndef TRIAGE_LDATE_H
#define TRIAGE_LDATE_H
#include <lua.h>

/* Set the global `date` in L. */
void ld_open(lua_State *L);
#endif
