/*
** levidence.h — the text layer's evidence as rules see it: `evidence`, one
** read-only table per Lua state whose plain fields the engine sets from each
** referral's letter (one txe_read), and `text.states(s, key)` for other
** strings. With explain, every mention goes into the decision with its
** offsets and its Danish why.
*/
#ifndef TRIAGE_LEVIDENCE_H
#define TRIAGE_LEVIDENCE_H
#include <lua.h>

#include "decision.h"
#include "text_lexicon.h"
#include "triage.h"

typedef struct le_state le_state;

/* Make `evidence` and `text` in L for lexicon lx (which must outlive the
** state). The reader's memory is charged to L's allocator. NULL when out of
** memory. Free with le_free before L is closed. */
le_state *le_open(lua_State *L, const tx_lexicon *lx);
void le_free(le_state *e);

/* After sb_lock made `evidence` read only (its writes raise naming it):
** its reads go straight to the values again, one step as before the lock. */
void le_locked(le_state *e);

/* Read r's letter and set `evidence` to it: only the fields that changed
** since the last referral are written, and evidence.counted (the names of
** the keys counted, in order of name) anew. 0, or -1 when out of memory.
** Call it in a protected call: the list may grow. */
int le_read(le_state *e, const triage_referral *r);

/* Whether name is a field of `evidence` (a key, KEY_date, KEY_past or a
** measurement): rules name the evidence their reasons rest on by these. */
int le_known(const le_state *e, const char *name);

/* Put every mention of the letter last read (and the child's measurements)
** into d's evidence, with original byte offsets and the Danish why. 0, or
** -1 when out of memory. */
int le_explain(le_state *e, triage_decision *d);
#endif
