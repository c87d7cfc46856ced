/*
** messages.h — the texts the engine itself writes into a decision: a rule
** failed, or no rule decided. They are policy (Danish, read by staff), so
** the rule set owns them, in data/messages.lua; the engine has only a plain
** English fallback for a rule set without that file.
*/
#ifndef TRIAGE_MESSAGES_H
#define TRIAGE_MESSAGES_H
#include <lua.h>

#define MS_FILE "data/messages.lua"

typedef struct ms_texts {
    char *rule_failed;   /* a rule raised an error or hit a limit: {rule}, {error} */
    char *no_decision;   /* every rule ran and none decided */
} ms_texts;

/* The fallbacks, copied into t. 0, or -1 when out of memory. */
int ms_init(ms_texts *t);

/* Take the texts from the table at idx (what MS_FILE returned) into t; a
** key it lacks keeps its text. Raises a Lua error naming MS_FILE, the key
** and what is wrong: an unknown key, a value that is not a string, or a
** placeholder the text cannot have. */
void ms_read(lua_State *L, int idx, ms_texts *t);

void ms_free(ms_texts *t);

/* tmpl with {rule} and {error} replaced; a new string (free with free()),
** or NULL when out of memory. */
char *ms_format(const char *tmpl, const char *rule, const char *error);
#endif
