/*
** decider_internal.h — a decider's insides, for its own files (decider.c:
** building, freeing, deciding, rl_call; decider_decl.c: rule(), fact(),
** include(); decider_facts.c: f and its facts; decider_driver.c: the
** generated driver) and no others.
*/
#ifndef TRIAGE_DECIDER_INTERNAL_H
#define TRIAGE_DECIDER_INTERNAL_H
#include <lua.h>

#include "levidence.h"
#include "lreferral.h"
#include "messages.h"
#include "rules.h"
#include "sandbox.h"

#define RL_TEXT_FILE "data/text.lua"
#define RL_MAX_EVIDENCE 16          /* evidence keys one rule may name */

typedef struct rl_rule {
    char *id, *title;
    int when, action, explain;      /* registry refs; action, explain may be LUA_NOREF */
    int nkeys;                      /* evidence = { ... }: the keys its reasons rest on */
    char **keys;
} rl_rule;

#define RL_MAX_FACTS 180        /* each fact's value is a local of the driver (200 at most) */

struct triage_decider {
    triage_ruleset *rs;
    triage_store *store;
    sb_state *sb;
    lua_State *L;
    int nrules;
    rl_rule *rules;
    lr_state *lr;                   /* `r` */
    le_state *ev;                   /* `evidence`, NULL without text data */
    size_t charged;                 /* the lexicon's bytes, charged to this state */
    int d_ref, dm_ref, facts_ref, ffn_ref, fname_ref;
    int f_ref, fview_ref;           /* f, and F: the rules' view of it (decider_driver.c) */
    int run_ref;                    /* rl_run, as a Lua value */
    int driver_ref, xdriver_ref;    /* the facts and rules, without and with explain */
    int cur_up;                     /* the drivers' upvalue `cur`: the rule running */
    int *fup[2];                    /* [explain][id]: the upvalue holding fact id's function */
    int fnup[2];                    /* [explain]: the upvalue FN, where fup is 0 */
    int nskip;                      /* facts the running driver skips (computed early) */
    const rl_rule *wrote_rule;      /* the rule that assigned f in this referral, */
    char wrote[200];                /* and the error it got ("" when none did) */
    int fact_line;                  /* the drivers' line of fact 1 (one line per fact) */
    int dexplain;                   /* d.explain as set in the methods table */
    int nfacts;                     /* facts declared: ids 1..nfacts */
    unsigned *fgen;                 /* [id]: the referral a fact read early was computed for */
    unsigned char *fbusy;           /* [id]: being computed early (a cycle if read again) */
    int fearly;                     /* the fact being computed early, innermost; 0 none */
    int ffailed;                    /* the fact that raised in this referral; 0 none */
    unsigned gen;                   /* referrals decided */
    int loading;                    /* rule() and fact() are allowed */
    int locate;                     /* load noting the line running (a second try) */
    int unlocated;                  /* the load failed at a limit its error does not place */
    int *track;                     /* files include() read while tracking (the text data) */
    int ntrack, captrack, tracking;
    triage_decision *dec;           /* being decided, NULL between referrals */
    const triage_referral *ref;     /* likewise */
    ms_texts msg;                   /* the engine's own texts (data/messages.lua) */
    rl_history_fn hist;
    void *hist_ud;
};

static inline triage_decider *rl_self(lua_State *L)
{
    return *(triage_decider **)lua_getextraspace(L);
}

/* decider.c: fill err from a load failure, placed in the rule set's files. */
void rl_load_error(triage_decider *dc, const char *msg, triage_error *err);

/* decider_decl.c: the load-time API, and the chunk loader every rule file
** goes through. */
int rl_load_chunk(lua_State *L, const char *path, const char *data, size_t len);
void rl_rule_free(rl_rule *ru);
int rl_rule_decl(lua_State *L);
int rl_fact_decl(lua_State *L);
int rl_include(lua_State *L);

/* decider_facts.c */
int rl_fact_index(lua_State *L);      /* f's __index: a fact not there (computed early) */
int rl_fact_newindex(lua_State *L);   /* F's __newindex: a rule assigned f (raises) */
void rl_facts_clear(lua_State *L, triage_decider *dc);   /* f and F emptied */
/* After a referral's run: whether a rule assigned f (even one that caught the
** error) or a fact gave f a name no fact has: the rule's id or "ENGINE", and
** why in why; NULL when neither. */
const char *rl_facts_written(lua_State *L, triage_decider *dc, char *why, size_t cap);
void rl_facts_restore(lua_State *L, triage_decider *dc);  /* the drivers' early facts put back */
/* The message handler of a referral's run: notes in ffailed the fact that
** raised (none when a rule did), while the stack still shows it. */
int rl_fact_on_error(lua_State *L);

/* decider_driver.c: the rule running now, none (after a failed run), the
** running driver's function for fact id replaced by the function on top of
** the stack (popped), and the drivers, f and F built. */
const rl_rule *rl_current(lua_State *L, triage_decider *dc);
void rl_driver_idle(lua_State *L, triage_decider *dc);
void rl_driver_fact(lua_State *L, triage_decider *dc, int id);
int rl_driver(triage_decider *dc, triage_error *err);
#endif
