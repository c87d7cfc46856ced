/*
** decision.h — the decision being built while rules run, and as returned.
** Fixed-size fields, and every string it holds in its own arena (a first
** block inside it, more blocks only for long texts), keep a decision to one
** allocation — none at all when the thread freed one before; JSON is
** produced only on request.
*/
#ifndef TRIAGE_DECISION_H
#define TRIAGE_DECISION_H
#include <stdint.h>
#include "triage.h"

/* Missing items, in the order of the schema's enum (the output order). */
enum dc_missing { MI_COGNITIVE, MI_UPDATED_COGNITIVE, MI_PPV, MI_CONSENT,
                  MI_SOMATIC, MI__N };
extern const char *const dc_missing_names[MI__N];
extern const char *const dc_target_names[5];  /* buc specialist_practice municipality adult_psychiatry other_region */
extern const char *const dc_priority_names[3]; /* acute urgent routine */
extern const char *const dc_request_names[2];  /* referrer municipality */

typedef struct dc_reason {
    char *rule; char *text;
    char *keys;                   /* explain: the evidence keys it rests on, each ending in a
                                  ** NUL, the list in an empty one; NULL: none */
    int nkeys;
} dc_reason;
typedef struct dc_evidence {      /* one mention in the letter (explain) */
    char *key; char *why;         /* one allocation */
    int counted;
    uint32_t start, end;          /* bytes of the referral's text */
} dc_evidence;
typedef struct dc_step {          /* one trace entry */
    char *rule; int applied; char *why;
} dc_step;

/* A block of the arena beyond the one inside the decision. */
typedef struct dc_block {
    struct dc_block *next;
    size_t used, cap;
    char bytes[];
} dc_block;

#define DC_ARENA 640              /* bytes of strings inside the decision */
#define DC_REASONS 4              /* reasons inside the decision */

struct triage_decision {
    char id[72];
    char ruleset[65];
    int outcome;                  /* triage_outcome; -1 while undecided */
    int target;                   /* index in dc_target_names, -1 = null */
    char unit[16];                /* "" = null */
    int priority;                 /* index in dc_priority_names, -1 = null */
    int32_t deadline;             /* day number, DT_NONE = null */
    unsigned missing;             /* bit set of enum dc_missing */
    int request_from;             /* index in dc_request_names, -1 = null */
    int nreasons, capreasons;
    dc_reason *reasons;
    int explain;                  /* trace recorded */
    int nsteps, capsteps;
    dc_step *steps;
    int nevidence, capevidence;
    dc_evidence *evidence;
    dc_block *blocks;             /* the arena's further blocks, newest first */
    size_t used;                  /* bytes of arena taken */
    dc_reason reason0[DC_REASONS];/* reasons live here until there are more */
    char arena[DC_ARENA];         /* strings: reasons, trace, evidence (masked) */
};

triage_decision *dc_new(const char *id, const char *ruleset, int explain);
/* Append; strings are copied and CPR-like digit runs masked. 0 ok, -1 OOM. */
int dc_add_reason(triage_decision *d, const char *rule, const char *text);
int dc_add_step(triage_decision *d, const char *rule, int applied, const char *why);
/* The evidence keys the last reason added rests on (copied). 0 ok, -1 OOM. */
int dc_reason_keys(triage_decision *d, const char *const *keys, int n);
/* A mention of evidence key in the letter, counted or dropped and why,
** at bytes [start, end) of the referral's text. 0 ok, -1 OOM. */
int dc_add_evidence(triage_decision *d, const char *key, int counted, const char *why,
                    uint32_t start, uint32_t end);
/* Replace whatever was decided by manual_review with one reason. */
void dc_manual_review(triage_decision *d, const char *rule, const char *why);
/* Lookups by schema spelling; -1 when unknown. */
int dc_outcome_index(const char *s);
int dc_target_index(const char *s);
int dc_priority_index(const char *s);
int dc_missing_index(const char *s);
int dc_request_index(const char *s);
/* JSON fragments for the store: missing as a JSON array, reasons as a JSON
** array of {rule,text}. Caller frees with free(). */
char *dc_missing_json(const triage_decision *d);
char *dc_reasons_json(const triage_decision *d);
/* A decision as the store's audit log keeps it: one text per column, NULL
** where the column has none; missing and reasons as dc_missing_json and
** dc_reasons_json wrote them. */
typedef struct dc_logged {
    const char *id, *ruleset, *outcome, *target, *unit, *priority, *deadline;
    const char *missing, *request_from, *reasons;
} dc_logged;
/* The decision again, without a trace; NULL when out of memory or when a
** column does not read as the writer left it. Free with triage_decision_free. */
triage_decision *dc_from_log(const dc_logged *c);
#endif
