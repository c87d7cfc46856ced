/*
** budget.h — the byte budget of one rule-set state (after Suricata's
** util-lua-sandbox.c): the Lua heap and every byte C code holds on the rule
** set's behalf are charged to the same budget, so the memory limit a rule
** author reads in rules/README.md is the memory the rule set can cost.
*/
#ifndef TRIAGE_BUDGET_H
#define TRIAGE_BUDGET_H
#include <lua.h>
#include <stddef.h>

struct pcre2_real_general_context_8;

/* One budget per Lua state a rule set runs in (sandbox.c embeds it, first in
** its sb_state, and gives it to lua_newstate as the allocator's userdata).
** A state is used by one thread at a time, and so is its budget: plain
** counters, as cheap as Lua's own allocator was without one. */
typedef struct bg_budget {
    size_t used;                  /* bytes charged now */
    size_t limit;                 /* bytes allowed */
    int over;                     /* the last allocation refused was over the limit */
    struct pcre2_real_general_context_8 *pcre2;   /* bg_pcre2's, made on first use */
    struct bg_budget *next, **prev;               /* every open budget (bg_process_used) */
} bg_budget;

/* ------------------------------------------------- how C code uses it
**
** Code that allocates on a rule set's behalf — a Lua binding, the regex
** binding, the text layer's lexicons, matchers, caches and evidence tables —
** takes the state's budget with bg_of(L) and then, for every byte it holds:
**
**   - allocates through bg_alloc (the lua_Alloc shape, which is also the text
**     layer's tx_alloc: {bg_alloc, bg_of(L)}), giving back each block's size
**     when it frees or grows it; or
**   - for PCRE2, passes bg_pcre2(b) as the general context (compile, match
**     and JIT-stack contexts made from it charge every block); or
**   - for memory another allocator holds — PCRE2's JIT code and JIT stacks
**     (sljit's own mmap), Vectorscan databases and scratch (its allocator is
**     process-wide), an entry of a cache shared between states — charges its
**     size with bg_charge when it takes it and bg_uncharge when it lets go.
**     A shared entry is charged to every state that holds it.
**
** A refusal (NULL from bg_alloc, -1 from bg_charge) means the rule set is
** over its budget. Where it is safe to run the collector (no Lua object held
** only by a C pointer) the binding may collect, lua_gc(L, LUA_GCCOLLECT), and
** try once more; else, or if that fails too, it raises sb_raise_memory(L)
** (sandbox.h): the memory-limit error, which ends the run — no pcall in the
** rule can catch it — and, at load, fails the rule set naming file and line.
** Memory that lives with a Lua object (a userdata's __gc frees it) should
** also tell the collector it is there, lua_gc(L, LUA_GCSTEP, kbytes), so
** that garbage holding much C memory is collected soon. */

/* Start b with a limit of `limit` bytes and register it; bg_close gives back
** what bg_pcre2 made and unregisters it. */
void bg_init(bg_budget *b, size_t limit);
void bg_close(bg_budget *b);

/* The budget of a state made by the sandbox (its allocator's userdata). */
static inline bg_budget *bg_of(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* Allocate, grow, shrink or free, charging the budget ud (a bg_budget *):
** ptr NULL and osize 0 for a new block; else osize is the block's size.
** nsize 0 frees and returns NULL. Returns NULL, with b->over set, when the
** block would take the budget over its limit (ptr is then left as it was),
** and NULL when malloc fails. */
void *bg_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Charge n bytes held elsewhere. Returns 0, or -1 when the budget is now
** over its limit (b->over set); the bytes are charged either way, so the
** holder always uncharges exactly what it charged. */
int bg_charge(bg_budget *b, size_t n);
void bg_uncharge(bg_budget *b, size_t n);

/* A PCRE2 general context whose every block is charged to b (a 16-byte
** header keeps each block's size). Owned by b; NULL when out of memory. */
struct pcre2_real_general_context_8 *bg_pcre2(bg_budget *b);

/* Bytes charged now to every open budget of the process together (each
** state's heap, garbage not yet collected included), plus what closed
** budgets were left charged with — 0 unless some charge was never undone, so
** that a test sees such a leak of the accounting. For tests and tools,
** called while no rule set state is running. */
size_t bg_process_used(void);
#endif
