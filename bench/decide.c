/*
** decide.c — triage-bench: the decide phase of the engine, timed alone.
** Referrals are parsed into memory first (untimed, in chunks for big files);
** then only triage_decide runs, with history kept in memory, so that no
** JSON parsing and no SQLite I/O is in the figure. See bench/README.md.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <getopt.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <lua.h>

#include "decision.h"
#include "referral.h"
#include "rules.h"
#include "sandbox.h"
#include "store.h"
#include "strhash.h"
#include "triage.h"
#include "workshare.h"

#define BN_MAX_THREADS 64

static const char HELP[] =
    "usage: triage-bench [--rules DIR] [--reps N] [--threads N] [--chunk N]\n"
    "                    [--empty] [--breakdown] [--profile] [--end-to-end] [--json]\n"
    "                    REFERRALS.jsonl\n"
    "\n"
    "Parse every referral of a JSON Lines file into memory (untimed), then time\n"
    "triage_decide over all of them, one decider per thread, history kept in\n"
    "memory (a child's earlier decisions, as `triage run` would see them).\n"
    "Prints referrals/s (min/median/max over the repetitions), per-referral\n"
    "latency p50/p99, the rule set's reload time and peak RSS.\n"
    "\n"
    "  --rules DIR    rule set (default: rules)\n"
    "  --reps N       repetitions of the decide phase (default 5)\n"
    "  --threads N    deciders on N threads, each claiming parts of\n"
    "                 a chunk, a child in one part (default 1)\n"
    "  --chunk N      referrals held in memory at once (default 8192: the 2020\n"
    "                 corpus whole, bigger ones in cache-sized chunks as `triage\n"
    "                 run` reads them); a bigger file is re-read for every\n"
    "                 repetition (parsing stays untimed)\n"
    "  --empty        decide with a one-rule rule set instead (the engine's floor)\n"
    "  --breakdown    also measure where the time goes: empty rule set, regex,\n"
    "                 JSON parse, SQLite store/read/history/decision write\n"
    "  --profile      also time every Lua call once (hooks): which rules, facts\n"
    "                 and library functions the time per referral goes to\n"
    "  --end-to-end   also time reading and deciding together, one thread: each\n"
    "                 line parsed from its text (native or FHIR: the FHIR phase of\n"
    "                 bench/run) and decided, as `check` does it without a store;\n"
    "                 and the parse alone, in the same loop (e2e_* in the JSON)\n"
    "  --json         last line: the figures as one flat JSON object\n";

/* ------------------------------------------------------------------ time */

static double bn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bn_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bn_cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v. */
static double bn_median(double *v, int n)
{
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, bn_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double bn_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;   /* KiB on Linux */
}

/* ----------------------------------------------------------------- regex */

/* The engine's pcre2_match calls come here (linked with
** -Wl,--wrap=pcre2_match_8), so --breakdown can time regex matching without
** touching the engine. Off, it costs one branch per match. */
int __real_pcre2_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length,
                         PCRE2_SIZE offset, uint32_t options, pcre2_match_data *md,
                         pcre2_match_context *mc);
int __wrap_pcre2_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length,
                         PCRE2_SIZE offset, uint32_t options, pcre2_match_data *md,
                         pcre2_match_context *mc);

static int bn_rx_on;             /* timing enabled (single thread only) */
static double bn_rx_seconds;
static long bn_rx_calls;

int __wrap_pcre2_match_8(const pcre2_code *code, PCRE2_SPTR subject, PCRE2_SIZE length,
                         PCRE2_SIZE offset, uint32_t options, pcre2_match_data *md,
                         pcre2_match_context *mc)
{
    if (!bn_rx_on)
        return __real_pcre2_match_8(code, subject, length, offset, options, md, mc);
    double t0 = bn_now();
    int rc = __real_pcre2_match_8(code, subject, length, offset, options, md, mc);
    bn_rx_seconds += bn_now() - t0;
    bn_rx_calls++;
    return rc;
}

/* What one bn_now() pair costs, to take out of timed regions of a few
** hundred nanoseconds. */
static double bn_timer_cost(void)
{
    double best = 1;
    for (int k = 0; k < 5; k++) {
        double t0 = bn_now(), x = 0;
        for (int i = 0; i < 100000; i++)
            x += bn_now() - bn_now();
        double per = (bn_now() - t0) / 100000 / 2;
        if (per < best)
            best = per;
        (void)x;
    }
    return best;
}

/* ----------------------------------------------------------- Lua profile */

/* --profile: the sandbox sets its instruction-limit hook with lua_sethook
** (linked with -Wl,--wrap=lua_sethook); for the profiling decider only, call
** and return events are added and the count events still go to the
** sandbox. A shadow stack times every call: a rule's when/action or a fact
** (a Lua function entered from C or from the engine's rule loop) gets its
** time minus the other facts it evaluates; a C function called from Lua
** (string.gsub, re:find, text.states, field access) its time minus
** facts it runs. The hooks slow Lua
** down several times, so read shares, not absolute times. One thread. */
void __real_lua_sethook(lua_State *L, lua_Hook f, int mask, int count);
void __wrap_lua_sethook(lua_State *L, lua_Hook f, int mask, int count);

#define BP_SLOTS 4096
#define BP_DEPTH 1024
typedef struct bp_count { char key[96]; double secs; long calls; } bp_count;
typedef struct bp_frame { double t0, o0, nested; int key, entry, c, driver; } bp_frame;
static int bn_prof_next, bn_prof_on;
static lua_Hook bn_engine_hook;
static bp_count *bp_tab;
static bp_frame bp_stack[BP_DEPTH];
static int bp_depth;
static double bp_total;
static double bp_overhead;        /* time spent in the hook itself, so far */
static long bp_calls;

static int bp_slot(const char *key)
{
    uint64_t h = sh_hash(key);
    for (size_t i = 0; i < BP_SLOTS; i++) {
        size_t k = (h + i) & (BP_SLOTS - 1);
        if (!bp_tab[k].key[0])
            snprintf(bp_tab[k].key, sizeof bp_tab[k].key, "%s", key);
        if (!strcmp(bp_tab[k].key, key))
            return (int)k;
    }
    return 0;
}

static void bp_pop(double now)
{
    bp_frame *f = &bp_stack[--bp_depth];
    double dt = now - f->t0 - (bp_overhead - f->o0), own = dt - f->nested;
    if (f->entry || f->c) {
        bp_tab[f->key].secs += own;
        bp_tab[f->key].calls++;
    }
    if (bp_depth > 0)
        bp_stack[bp_depth - 1].nested += f->entry ? dt : f->nested;
    else
        bp_total += dt;
}

static void bn_prof_hook(lua_State *L, lua_Debug *ar)
{
    if (ar->event == LUA_HOOKCOUNT) {
        if (bn_engine_hook)
            bn_engine_hook(L, ar);
        return;
    }
    if (!bn_prof_on)
        return;
    double now = bn_now();
    if (ar->event == LUA_HOOKRET) {
        if (bp_depth > 0)
            bp_pop(now);
        bp_overhead += bn_now() - now;
        return;
    }
    int tail = ar->event == LUA_HOOKTAILCALL, entry_of_top = 0;
    if (tail && bp_depth > 0) {               /* the called frame replaces the top */
        entry_of_top = bp_stack[bp_depth - 1].entry;
        bp_pop(now);
    }
    if (bp_depth >= BP_DEPTH) {
        bp_overhead += bn_now() - now;
        return;
    }
    char key[96];
    lua_getinfo(L, "Sn", ar);
    int c = strcmp(ar->what, "C") == 0;
    if (c)
        snprintf(key, sizeof key, "[C] %s%s%s", ar->namewhat[0] ? ar->namewhat : "",
                 ar->namewhat[0] ? " " : "", ar->name ? ar->name : "?");
    else if (strcmp(ar->source, "=driver") == 0)
        snprintf(key, sizeof key, "(engine) the rule loop");
    else
        snprintf(key, sizeof key, "%s:%d%s%s", ar->short_src, ar->linedefined,
                 ar->name ? " " : "", ar->name ? ar->name : "");
    bp_frame *f = &bp_stack[bp_depth++];
    bp_calls++;
    f->t0 = now;
    f->nested = 0;
    f->c = c;
    f->driver = !c && strcmp(ar->source, "=driver") == 0;
    /* an entry: a Lua function called from C, or by the engine's rule loop */
    f->entry = !c && (tail ? entry_of_top : bp_depth == 1 || bp_stack[bp_depth - 2].c ||
                                                bp_stack[bp_depth - 2].driver);
    f->key = bp_slot(key);
    f->o0 = bp_overhead;
    bp_overhead += bn_now() - now;
}

void __wrap_lua_sethook(lua_State *L, lua_Hook f, int mask, int count)
{
    if (bn_prof_next && f && f != bn_prof_hook) {
        bn_engine_hook = f;
        f = bn_prof_hook;
        mask |= LUA_MASKCALL | LUA_MASKRET;
    }
    __real_lua_sethook(L, f, mask, count);
}

static int bp_cmp(const void *a, const void *b)
{
    double x = ((const bp_count *)a)->secs, y = ((const bp_count *)b)->secs;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* What a rule-file function is, from its first line: fact("name") or the
** rule id above a when/action. Best effort; "" when unknown. */
static void bp_label(const char *dir, const char *key, char *out, size_t cap)
{
    char file[96], path[512], *colon;
    out[0] = 0;
    snprintf(file, sizeof file, "%s", key);
    if (!(colon = strrchr(file, ':')))
        return;
    int line = atoi(colon + 1);
    *colon = 0;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[512], id[64] = "";
    const char *q;
    for (int n = 1; fgets(buf, sizeof buf, f) && n <= line; n++) {
        if ((q = strstr(buf, "id = \"")))
            sscanf(q + 6, "%63[^\"]", id);
        if (n < line)
            continue;
        if ((q = strstr(buf, "fact(\"")))
            snprintf(out, cap, "fact %.60s", q + 6);
        else if (id[0] && (q = strstr(buf, "when")) && q < strstr(buf, "function"))
            snprintf(out, cap, "rule %s when", id);
        else if (id[0] && (q = strstr(buf, "action")) && q < strstr(buf, "function"))
            snprintf(out, cap, "rule %s action", id);
    }
    fclose(f);
    char *e = strchr(out, '"');
    if (e)
        *e = 0;
}

/* us per referral of a row, less the hooks' own cost per call (cost_us),
** and its share of the unhooked decide time (plain_us). */
static void bp_print(int want_c, const char *title, long referrals, double cost_us,
                     double plain_us, const char *dir)
{
    printf("  %s\n", title);
    for (int i = 0, shown = 0; i < BP_SLOTS && shown < 15; i++) {
        if (!bp_tab[i].calls || (strncmp(bp_tab[i].key, "[C]", 3) == 0) != want_c)
            continue;
        double calls = (double)bp_tab[i].calls / referrals;
        double us = bp_tab[i].secs * 1e6 / referrals - calls * cost_us;
        if (us < 0)
            us = 0;
        char label[96] = "";
        if (!want_c)
            bp_label(dir, bp_tab[i].key, label, sizeof label);
        printf("    %5.1f%%  %7.2f us  %7.2f calls  %s%s%s\n", 100.0 * us / plain_us, us, calls,
               bp_tab[i].key, label[0] ? "  " : "", label);
        shown++;
    }
}

/* --------------------------------------------------- history in memory */

/* A child's decided referrals, newest first by chains through `prev`: what
** st_history would find in a store the run loop keeps writing to. With
** threads, each worker adds a chunk's decisions to a table of its own and
** reads it over `base`, the earlier chunks' (read only while a chunk is
** decided, merged after it, bh_merge): a child's next referral may be
** another worker's part, and must still see the earlier ones. */
typedef struct bh_entry {
    uint64_t key;                 /* the child's: its slot's */
    int32_t received;
    int8_t outcome, target;       /* triage_outcome; target index, -1 null */
    uint32_t prev;                /* index + 1 of the child's previous entry */
    uint32_t id;                  /* offset in ids */
} bh_entry;

typedef struct bh_slot {
    uint64_t key;                 /* CPR as a number + 1; 0 = empty */
    uint32_t last;                /* index + 1 of the newest entry */
} bh_slot;

typedef struct bn_hist {
    bh_slot *slots;
    size_t nslots, used;
    bh_entry *e;
    size_t ne, cape;
    char *ids;
    size_t nids, capids;
    long lookups;
    struct bn_hist *base;         /* earlier chunks', or NULL */
} bn_hist;

static uint64_t bh_key(const char *cpr)
{
    uint64_t k = 0;
    for (int i = 0; i < 10; i++)
        k = k * 10 + (uint64_t)(cpr[i] - '0');
    return k + 1;
}

static bh_slot *bh_find(bn_hist *h, uint64_t key)
{
    size_t s = sh_mix(key) & (h->nslots - 1);
    while (h->slots[s].key && h->slots[s].key != key)
        s = (s + 1) & (h->nslots - 1);
    return &h->slots[s];
}

static void bh_reset(bn_hist *h)
{
    if (h->slots && h->used)
        memset(h->slots, 0, h->nslots * sizeof *h->slots);
    h->used = h->ne = h->nids = 0;
    h->lookups = 0;
}

static void bh_free(bn_hist *h)
{
    free(h->slots);
    free(h->e);
    free(h->ids);
    bn_hist *base = h->base;
    memset(h, 0, sizeof *h);
    h->base = base;
}

static void *bh_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * size);
    if (!q) {
        fprintf(stderr, "triage-bench: out of memory\n");
        exit(1);
    }
    *cap = c;
    return q;
}

static void bh_put(bn_hist *h, uint64_t key, int32_t received, int8_t outcome, int8_t target,
                   const char *id)
{
    if ((h->used + 1) * 2 > h->nslots) {           /* rehash at half full */
        bh_slot *old = h->slots;
        size_t n = h->nslots;
        h->nslots = n ? n * 2 : 4096;
        h->slots = calloc(h->nslots, sizeof *h->slots);
        if (!h->slots) {
            fprintf(stderr, "triage-bench: out of memory\n");
            exit(1);
        }
        for (size_t i = 0; i < n; i++)
            if (old[i].key)
                *bh_find(h, old[i].key) = old[i];
        free(old);
    }
    size_t idlen = strlen(id) + 1;
    h->ids = bh_grow(h->ids, &h->capids, h->nids + idlen, 1);
    h->e = bh_grow(h->e, &h->cape, h->ne + 1, sizeof *h->e);
    bh_slot *s = bh_find(h, key);
    if (!s->key) {
        s->key = key;
        s->last = 0;
        h->used++;
    }
    bh_entry *e = &h->e[h->ne];
    e->key = key;
    e->received = received;
    e->outcome = outcome;
    e->target = target;
    e->prev = s->last;
    e->id = (uint32_t)h->nids;
    memcpy(h->ids + h->nids, id, idlen);
    h->nids += idlen;
    s->last = (uint32_t)++h->ne;
}

static void bh_add(bn_hist *h, const triage_referral *r, const triage_decision *d)
{
    if (r->cpr[0])
        bh_put(h, bh_key(r->cpr), r->received, (int8_t)d->outcome, (int8_t)d->target, r->id);
}

/* A chunk decided: h's decisions move to its base, in the order they came. */
static void bh_merge(bn_hist *h)
{
    if (!h->base)
        return;
    for (size_t i = 0; i < h->ne; i++) {
        const bh_entry *e = &h->e[i];
        bh_put(h->base, e->key, e->received, e->outcome, e->target, h->ids + e->id);
    }
    long lookups = h->lookups;
    bh_reset(h);
    h->lookups = lookups;
}

/* rl_history_fn: the same contract as st_history. */
static int bh_history(void *ud, const triage_referral *r, const char *hash,
                      st_prior *out, int max)
{
    bn_hist *h = ud;
    h->lookups++;
    if (!r->cpr[0])
        return 0;
    uint64_t key = bh_key(r->cpr);
    struct { const bh_entry *e; const char *ids; } pick[256];
    int n = 0;
    for (const bn_hist *t = h; t; t = t == h ? h->base : NULL) {   /* this chunk's, then before */
        bh_slot *s = t->slots ? bh_find((bn_hist *)t, key) : NULL;
        if (!s || !s->key)
            continue;
        for (uint32_t i = s->last; i; i = t->e[i - 1].prev) {
            const bh_entry *e = &t->e[i - 1];
            if (e->received < r->received ||
                (e->received == r->received && strcmp(t->ids + e->id, r->id) < 0)) {
                if (n < 256) {
                    pick[n].e = e;
                    pick[n].ids = t->ids;
                }
                n++;
            }
        }
    }
    /* pick[] is newest first; out[] is oldest first. */
    int k = n < 256 ? n : 256;
    for (int j = 0; j < k && j < max; j++) {
        const bh_entry *e = pick[k - 1 - j].e;
        snprintf(out[j].id, sizeof out[j].id, "%s", pick[k - 1 - j].ids + e->id);
        out[j].received = e->received;
        snprintf(out[j].outcome, sizeof out[j].outcome, "%s",
                 e->outcome >= 0 ? triage_outcome_name((triage_outcome)e->outcome) : "");
        snprintf(out[j].target, sizeof out[j].target, "%s",
                 e->target >= 0 ? dc_target_names[e->target] : "");
    }
    (void)hash;
    return n;
}

/* ------------------------------------------------------------ referrals */

typedef struct bn_input {
    const char *path;
    FILE *f;
    char *line;
    size_t cap;
    long lineno;
    triage_referral **r;
    ws_parts parts;               /* the chunk cut into parts for the workers */
    int n, max;
    long invalid;
    int whole;                    /* the chunk holds the whole file */
    double parse_seconds;         /* of the last fill */
} bn_input;

static void bn_input_clear(bn_input *in)
{
    for (int i = 0; i < in->n; i++)
        triage_referral_free(in->r[i]);
    in->n = 0;
}

static int bn_input_rewind(bn_input *in)
{
    if (in->f)
        fclose(in->f);
    in->f = fopen(in->path, "r");
    if (!in->f) {
        fprintf(stderr, "triage-bench: cannot read '%s': %s\n", in->path, strerror(errno));
        return -1;
    }
    in->lineno = 0;
    return 0;
}

/* Parse up to one chunk into memory. Returns how many referrals it holds. */
static int bn_input_fill(bn_input *in)
{
    bn_input_clear(in);
    double t0 = bn_now();
    ssize_t len;
    while (in->n < in->max && (len = getline(&in->line, &in->cap, in->f)) >= 0) {
        in->lineno++;
        while (len > 0 && (in->line[len - 1] == '\n' || in->line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        triage_error err;
        triage_referral *r = triage_referral_parse(in->line, (size_t)len, in->path,
                                                   in->lineno, &err);
        if (!r) {
            if (in->invalid++ < 3)
                fprintf(stderr, "triage-bench: skipped: %s\n", err.text);
            continue;
        }
        in->r[in->n++] = r;
    }
    in->parse_seconds = bn_now() - t0;
    return in->n;
}

/* ------------------------------------------------------------- deciding */

/* One cache line or more each: a worker writes its counts and history for
** every referral, and workers side by side in an array would otherwise
** share the line the other reads its decider from. */
typedef struct bn_worker {
    _Alignas(64) triage_decider *dc;
    bn_hist hist;
    bn_input *in;                 /* the chunk whose parts it claims */
    float *lat;                   /* per-referral µs, or NULL */
    long done, oom;
    long outcomes[5];
    triage_decision **keep;       /* decisions kept (breakdown), or NULL */
} bn_worker;

__attribute__((noinline)) static void *bn_work(void *arg)
{
    bn_worker *w = arg;
    ws_parts *p = &w->in->parts;
    for (int k; (k = ws_claim(p)) >= 0;)
    for (int j = p->start[k]; j < p->start[k + 1]; j++) {
        int i = p->order[j];
        const triage_referral *r = w->in->r[i];
        double t0 = w->lat ? bn_now() : 0;
        triage_decision *d = triage_decide(w->dc, r, 0);
        if (w->lat)
            w->lat[w->done] = (float)((bn_now() - t0) * 1e6);
        w->done++;
        if (!d) {
            w->oom++;
            continue;
        }
        w->outcomes[d->outcome]++;
        bh_add(&w->hist, r, d);
        if (w->keep)
            w->keep[i] = d;
        else
            triage_decision_free(d);
    }
    return NULL;
}

/* Cut the chunk into parts by child, as triage_run does, and decide it on
** nw workers, each claiming parts until none is left; then each worker's
** decisions join the history of the chunks before. Returns the wall time of
** deciding alone. */
static double bn_decide_chunk(bn_input *in, bn_worker *w, int nw)
{
    ws_split(&in->parts, (const triage_referral *const *)in->r, in->n, nw);   /* n <= chunk, its cap */
    for (int k = 0; k < nw; k++)
        w[k].in = in;
    pthread_t tid[BN_MAX_THREADS];
    double t0 = bn_now();
    for (int k = 1; k < nw; k++)
        if (pthread_create(&tid[k], NULL, bn_work, &w[k]) != 0) {
            fprintf(stderr, "triage-bench: cannot start a thread\n");
            exit(1);
        }
    bn_work(&w[0]);
    for (int k = 1; k < nw; k++)
        pthread_join(tid[k], NULL);
    double secs = bn_now() - t0;
    for (int k = 0; k < nw; k++)
        bh_merge(&w[k].hist);
    return secs;
}

/* ------------------------------------------------------------ rule sets */

/* A rule set of one rule that decides at once: what the engine costs with
** no policy in it (state reset, r/f/d, one when and one action call). */
static char bn_floor_dir[64];

static const char *bn_floor_rules(void)
{
    static const char rule[] =
        "-- 00-floor.lua: one rule that decides at once (triage-bench --empty)\n"
        "rule { id = \"FLOOR-01\", title = \"decide at once\",\n"
        "  when = function(r, f, d) return true end,\n"
        "  action = function(r, f, d) d:decide{ outcome = \"manual_review\" } end }\n";
    snprintf(bn_floor_dir, sizeof bn_floor_dir, "/tmp/triage-bench-floor-XXXXXX");
    if (!mkdtemp(bn_floor_dir))
        return NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/00-floor.lua", bn_floor_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(rule, f);
    fclose(f);
    return bn_floor_dir;
}

static void bn_floor_remove(void)
{
    if (!bn_floor_dir[0])
        return;
    char path[128];
    snprintf(path, sizeof path, "%s/00-floor.lua", bn_floor_dir);
    unlink(path);
    rmdir(bn_floor_dir);
    bn_floor_dir[0] = 0;
}

static triage_ruleset *bn_load(const char *dir)
{
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fprintf(stderr, "triage-bench: %s\n", err.text);
    return rs;
}

/* Milliseconds to load the rule set and build its first decider; median. */
static double bn_reload_ms(const char *dir, int reps)
{
    double v[32];
    int n = 0;
    for (int i = 0; i < reps && n < 32; i++) {
        double t0 = bn_now();
        triage_ruleset *rs = bn_load(dir);
        if (!rs)
            return -1;
        triage_error err;
        triage_decider *dc = triage_decider_new(rs, NULL, &err);
        double t = bn_now() - t0;
        if (!dc)
            return -1;
        triage_decider_free(dc);
        triage_ruleset_release(rs);
        v[n++] = t * 1e3;
    }
    return bn_median(v, n);
}

/* ---------------------------------------------------------------- passes */

typedef struct bn_pass {
    int reps;
    double *per_s;                /* referrals/s of each repetition */
    double *p50, *p99;            /* µs of each repetition (one thread) */
    double best_p50, best_p99;    /* of each referral's best over the repetitions */
    double warm_us;               /* per referral of the warm-up */
    long referrals;               /* per repetition */
    long outcomes[5];
} bn_pass;

static int bn_workers_new(bn_worker *w, int nw, triage_ruleset *rs)
{
    for (int k = 0; k < nw; k++) {
        memset(&w[k], 0, sizeof w[k]);
        triage_error err;
        w[k].dc = triage_decider_new(rs, NULL, &err);
        if (!w[k].dc) {
            fprintf(stderr, "triage-bench: %s\n", err.text);
            return -1;
        }
        rl_set_history(w[k].dc, bh_history, &w[k].hist);
    }
    return 0;
}

static void bn_workers_free(bn_worker *w, int nw)
{
    for (int k = 0; k < nw; k++) {
        triage_decider_free(w[k].dc);
        bh_free(&w[k].hist);
        free(w[k].lat);
    }
}

/* Before any timing, each decider decides the first BN_WARM referrals once:
** what a rule set does only once per process or per decider (JIT-compiling
** a pattern when it is first matched, the text reader's buffers growing to
** the longest letter, the rule set's memo tables filling) is not a
** per-referral cost. Returns µs per
** referral of it; a separate function, so callgrind does not collect it. */
#define BN_WARM 1000
__attribute__((noinline)) static double bn_warm(bn_input *in, bn_worker *w, int nw)
{
    if (!in->whole && (bn_input_rewind(in) != 0 || bn_input_fill(in) == 0))
        return 0;
    int n = in->n < BN_WARM ? in->n : BN_WARM;
    double t0 = bn_now();
    for (int k = 0; k < nw; k++)
        for (int i = 0; i < n; i++)
            triage_decision_free(triage_decide(w[k].dc, in->r[i], 0));
    return n > 0 ? (bn_now() - t0) * 1e6 / ((double)n * nw) : 0;
}

/* Decide the whole input reps times on nw threads. */
static int bn_run_pass(bn_input *in, triage_ruleset *rs, int nw, int reps, bn_pass *p)
{
    bn_worker w[BN_MAX_THREADS];
    bn_hist base;                 /* the decisions of the chunks before */
    memset(&base, 0, sizeof base);
    if (bn_workers_new(w, nw, rs) != 0)
        return -1;
    for (int k = 0; k < nw; k++)
        w[k].hist.base = &base;
    memset(p, 0, sizeof *p);
    p->warm_us = bn_warm(in, w, nw);
    p->reps = reps;
    p->per_s = calloc((size_t)reps, sizeof *p->per_s);
    p->p50 = calloc((size_t)reps, sizeof *p->p50);
    p->p99 = calloc((size_t)reps, sizeof *p->p99);
    float *lat = NULL, *best = NULL;
    size_t latcap = 0;
    for (int rep = 0; rep < reps; rep++) {
        double secs = 0;
        long n = 0;
        bh_reset(&base);
        for (int k = 0; k < nw; k++) {
            bh_reset(&w[k].hist);
            w[k].done = 0;
            memset(w[k].outcomes, 0, sizeof w[k].outcomes);
        }
        if (!in->whole && bn_input_rewind(in) != 0)
            return -1;
        for (;;) {
            if (!in->whole && bn_input_fill(in) == 0)
                break;
            if (nw == 1) {                      /* latency: one thread only */
                if (latcap < (size_t)(w[0].done + in->n)) {
                    latcap = (size_t)(w[0].done + in->n);
                    lat = realloc(lat, latcap * sizeof *lat);
                }
                w[0].lat = lat;
            }
            secs += bn_decide_chunk(in, w, nw);
            n += in->n;
            w[0].lat = NULL;
            if (in->whole)
                break;
        }
        p->referrals = n;
        p->per_s[rep] = secs > 0 ? n / secs : 0;
        if (nw == 1 && w[0].done > 0) {
            /* Each referral's best time over the repetitions (the input
            ** comes in the same order every time): a timer interrupt or a
            ** neighbour's burst on this shared machine hits a pass's p99
            ** but rarely the same referral twice. */
            if (rep == 0)
                best = malloc((size_t)w[0].done * sizeof *best);
            for (long i = 0; best && i < w[0].done; i++)
                best[i] = rep == 0 || lat[i] < best[i] ? lat[i] : best[i];
            qsort(lat, (size_t)w[0].done, sizeof *lat, bn_cmp_float);
            p->p50[rep] = lat[(size_t)(w[0].done * 50 / 100)];
            p->p99[rep] = lat[(size_t)(w[0].done * 99 / 100)];
        }
        memset(p->outcomes, 0, sizeof p->outcomes);
        for (int k = 0; k < nw; k++)
            for (int o = 0; o < 5; o++)
                p->outcomes[o] += w[k].outcomes[o];
    }
    if (best) {
        long n = w[0].done;
        qsort(best, (size_t)n, sizeof *best, bn_cmp_float);
        p->best_p50 = best[n * 50 / 100];
        p->best_p99 = best[n * 99 / 100];
    }
    free(best);
    free(lat);
    bn_workers_free(w, nw);
    bh_free(&base);
    return 0;
}

/* Median rate in referrals/s, min and max. */
static void bn_rates(bn_pass *p, double *mn, double *med, double *mx)
{
    double *v = malloc((size_t)p->reps * sizeof *v);
    memcpy(v, p->per_s, (size_t)p->reps * sizeof *v);
    *med = bn_median(v, p->reps);
    *mn = v[0];
    *mx = v[p->reps - 1];
    free(v);
}

static void bn_pass_free(bn_pass *p)
{
    free(p->per_s);
    free(p->p50);
    free(p->p99);
}

/* ------------------------------------------------------------- breakdown */

typedef struct bn_breakdown {
    long n;                       /* referrals measured (first chunk) */
    double parse_us;              /* JSON parse + validation */
    double empty_us;              /* decide, one-rule rule set */
    double full_us;               /* decide, the rule set, timing on */
    double regex_us, regex_calls; /* inside pcre2_match, per referral */
    double history_lookups;       /* r:history() calls per referral */
    double store_put_us;          /* triage_store_put, one transaction */
    double store_read_us;         /* triage_store_each_undecided (packed form) */
    double sqlite_decide_us;      /* decide with history from SQLite */
    double decision_write_us;     /* triage_store_put_decision, one transaction */
    double timer_ns;
} bn_breakdown;

static int bn_each(void *ud, triage_referral *r)
{
    (*(long *)ud)++;
    triage_referral_free(r);
    return 0;
}

/* Best of reps passes over the chunk with one decider; µs per referral. */
static double bn_decide_us(bn_input *in, triage_ruleset *rs, triage_store *st, int reps,
                           triage_decision **keep)
{
    double best = 1e30;
    for (int rep = 0; rep < reps; rep++) {
        bn_worker w;
        memset(&w, 0, sizeof w);
        triage_error err;
        w.dc = triage_decider_new(rs, st, &err);
        if (!w.dc) {
            fprintf(stderr, "triage-bench: %s\n", err.text);
            return -1;
        }
        if (!st)
            rl_set_history(w.dc, bh_history, &w.hist);
        w.keep = rep == reps - 1 ? keep : NULL;
        double t = bn_decide_chunk(in, &w, 1);
        if (t < best)
            best = t;
        bn_workers_free(&w, 1);
    }
    return best * 1e6 / in->n;
}

/* JSON parse + validation per referral in steady state (the first fill also
** pays for page faults): the first n lines read into memory, then parsed and
** freed; the best of two passes. */
static double bn_parse_us(bn_input *in, long n)
{
    if (bn_input_rewind(in) != 0)
        return -1;
    char **lines = calloc((size_t)n, sizeof *lines);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    long k = 0;
    ssize_t len;
    while (k < n && (len = getline(&in->line, &in->cap, in->f)) >= 0) {
        if (len > 1) {
            lens[k] = (size_t)len;
            lines[k++] = strndup(in->line, (size_t)len);
        }
    }
    double best = 1e30;
    for (int pass = 0; pass < 2; pass++) {
        double t0 = bn_now();
        for (long i = 0; i < k; i++)
            triage_referral_free(triage_referral_parse(lines[i], lens[i], in->path, i + 1, NULL));
        double t = bn_now() - t0;
        if (t < best)
            best = t;
    }
    for (long i = 0; i < k; i++)
        free(lines[i]);
    free(lines);
    free(lens);
    return k ? best * 1e6 / k : 0;
}

static int bn_breakdown_run(bn_input *in, triage_ruleset *rs, int reps, bn_breakdown *b)
{
    memset(b, 0, sizeof *b);
    if (!in->whole) {                          /* the first chunk stands for all */
        if (bn_input_rewind(in) != 0)
            return -1;
        bn_input_fill(in);
    }
    long n = b->n = in->n;
    if (n == 0)
        return -1;
    double tc = bn_timer_cost();
    b->timer_ns = tc * 1e9;
    b->parse_us = bn_parse_us(in, n);

    const char *fdir = bn_floor_rules();
    triage_ruleset *floor = fdir ? bn_load(fdir) : NULL;
    bn_floor_remove();
    if (!floor)
        return -1;
    b->empty_us = bn_decide_us(in, floor, NULL, reps, NULL);
    triage_ruleset_release(floor);

    /* Regex: one pass with the pcre2_match timers on; each timed call also
    ** pays for one timer pair, taken out again. */
    bn_worker w;
    memset(&w, 0, sizeof w);
    triage_error err;
    w.dc = triage_decider_new(rs, NULL, &err);
    if (!w.dc)
        return -1;
    rl_set_history(w.dc, bh_history, &w.hist);
    bn_rx_seconds = 0;
    bn_rx_calls = 0;
    bn_rx_on = 1;
    double t = bn_decide_chunk(in, &w, 1);
    bn_rx_on = 0;
    double rx = bn_rx_seconds - bn_rx_calls * tc;
    (void)t;
    b->full_us = bn_decide_us(in, rs, NULL, reps, NULL);
    b->regex_us = (rx > 0 ? rx : 0) * 1e6 / n;
    b->regex_calls = (double)bn_rx_calls / n;
    b->history_lookups = (double)w.hist.lookups / n;
    bn_workers_free(&w, 1);

    /* SQLite: a fresh file store, as `triage import` then `triage run` use it. */
    char dir[] = "/tmp/triage-bench-db-XXXXXX", path[64];
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/bench.db", dir);
    triage_store *st = triage_store_open(path, &err);
    if (!st)
        goto fail;
    double t0 = bn_now();
    triage_store_begin(st, &err);
    for (int i = 0; i < in->n; i++)
        triage_store_put(st, in->r[i], in->path, i + 1, &err);
    triage_store_commit(st, &err);
    b->store_put_us = (bn_now() - t0) * 1e6 / n;
    long got = 0;
    t0 = bn_now();
    triage_store_each_undecided(st, triage_ruleset_hash(rs), bn_each, &got, &err);
    b->store_read_us = (bn_now() - t0) * 1e6 / (got ? got : 1);

    triage_decision **keep = calloc((size_t)n, sizeof *keep);
    b->sqlite_decide_us = bn_decide_us(in, rs, st, reps, keep);
    t0 = bn_now();
    triage_store_begin(st, &err);
    for (long i = 0; i < n; i++)
        if (keep[i])
            triage_store_put_decision(st, keep[i], &err);
    triage_store_commit(st, &err);
    b->decision_write_us = (bn_now() - t0) * 1e6 / n;
    for (long i = 0; i < n; i++)
        triage_decision_free(keep[i]);
    free(keep);
    triage_store_close(st);
fail:
    for (int i = 0; i < 4; i++) {
        static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
        char p[96];
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
    rmdir(dir);
    return st ? 0 : -1;
}

/* ------------------------------------------------------------ end to end */

/* --end-to-end: the first chunk's lines as text, read into memory once. */
typedef struct bn_texts { char **s; size_t *len; long n; } bn_texts;

static int bn_texts_read(const char *path, long max, bn_texts *t)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    memset(t, 0, sizeof *t);
    if (!f) return -1;
    t->s = malloc((size_t)max * sizeof *t->s);
    t->len = malloc((size_t)max * sizeof *t->len);
    while (t->s && t->len && t->n < max && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (len == 0) continue;
        t->s[t->n] = malloc((size_t)len + 1);
        memcpy(t->s[t->n], line, (size_t)len);
        t->s[t->n][len] = '\0';
        t->len[t->n++] = (size_t)len;
    }
    free(line);
    fclose(f);
    return t->n > 0 ? 0 : -1;
}

static void bn_texts_free(bn_texts *t)
{
    for (long i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
    free(t->len);
}

/* Parse and decide every text once. Returns the seconds, and in *parse the
** seconds of the parses alone (timed inside the same loop). */
static inline __attribute__((always_inline)) double bn_e2e_loop(const bn_texts *t, bn_worker *w,
                                                                double *parse)
{
    double t0 = bn_now(), p = 0;
    for (long i = 0; i < t->n; i++) {
        triage_error err;
        double a = bn_now();
        triage_referral *r = triage_referral_parse(t->s[i], t->len[i], "bench", i + 1, &err);
        p += bn_now() - a;
        if (!r) continue;
        triage_decision *d = triage_decide(w->dc, r, 0);
        if (d) {
            w->outcomes[d->outcome]++;
            bh_add(&w->hist, r, d);
            triage_decision_free(d);
        }
        triage_referral_free(r);
    }
    *parse = p;
    return bn_now() - t0;
}

/* The warm-up pass and the timed ones, apart, so that callgrind counts the
** timed ones only (--toggle-collect=bn_e2e_pass: bench/run's FHIR phase);
** each counts its passes, so that the compiler cannot fold the two into one. */
static volatile long bn_e2e_warmed, bn_e2e_timed;

__attribute__((noinline)) static double bn_e2e_warm(const bn_texts *t, bn_worker *w, double *parse)
{
    bn_e2e_warmed++;
    return bn_e2e_loop(t, w, parse);
}

__attribute__((noinline)) static double bn_e2e_pass(const bn_texts *t, bn_worker *w, double *parse)
{
    bn_e2e_timed++;
    return bn_e2e_loop(t, w, parse);
}

typedef struct bn_e2e { double per_s, per_s_min, per_s_max, parse_us, us; long n; } bn_e2e;

/* Best-of-reps figures of text -> referral -> decision, one thread, after
** the decider's warm-up (as the decide phase has it). */
static int bn_e2e_run(const char *path, int max, triage_ruleset *rs, int reps, bn_e2e *e)
{
    bn_texts t;
    bn_worker w;
    if (bn_texts_read(path, max, &t) != 0) {
        fprintf(stderr, "triage-bench: cannot read '%s'\n", path);
        return -1;
    }
    if (bn_workers_new(&w, 1, rs) != 0) {
        bn_texts_free(&t);
        return -1;
    }
    double parse;
    bn_e2e_warm(&t, &w, &parse);                  /* warm-up: JIT, prefixes, allocator */
    double *rate = malloc((size_t)reps * sizeof *rate), best_parse = 1e30;
    for (int rep = 0; rep < reps; rep++) {
        bh_reset(&w.hist);
        double secs = bn_e2e_pass(&t, &w, &parse);
        rate[rep] = secs > 0 ? t.n / secs : 0;
        if (parse < best_parse) best_parse = parse;
    }
    e->n = t.n;
    e->per_s = bn_median(rate, reps);
    e->per_s_min = rate[0];
    e->per_s_max = rate[reps - 1];
    e->us = e->per_s > 0 ? 1e6 / e->per_s : 0;
    e->parse_us = best_parse * 1e6 / t.n;
    free(rate);
    bn_workers_free(&w, 1);
    bn_texts_free(&t);
    return 0;
}

/* ------------------------------------------------------------------ main */

static int bn_int(const char *s, const char *what, int lo, int hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi) {
        fprintf(stderr, "triage-bench: %s must be a number from %d to %d\n", what, lo, hi);
        exit(1);
    }
    return (int)v;
}

int main(int argc, char **argv)
{
    const char *rules = "rules";
    int reps = 5, threads = 1, chunk = 8192, empty = 0, breakdown = 0, json = 0, profile = 0;
    int e2e = 0;
    static const struct option opts[] = {
        {"rules", required_argument, 0, 'r'}, {"reps", required_argument, 0, 'n'},
        {"threads", required_argument, 0, 't'}, {"chunk", required_argument, 0, 'c'},
        {"empty", no_argument, 0, 'e'}, {"breakdown", no_argument, 0, 'b'},
        {"json", no_argument, 0, 'j'}, {"profile", no_argument, 0, 'p'},
        {"end-to-end", no_argument, 0, 'E'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "r:n:t:c:ebjpEh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'n': reps = bn_int(optarg, "--reps", 1, 1000); break;
        case 't': threads = bn_int(optarg, "--threads", 1, BN_MAX_THREADS); break;
        case 'c': chunk = bn_int(optarg, "--chunk", 1, 100000000); break;
        case 'e': empty = 1; break;
        case 'b': breakdown = 1; break;
        case 'j': json = 1; break;
        case 'p': profile = 1; break;
        case 'E': e2e = 1; break;
        case 'h': fputs(HELP, stdout); return 0;
        default: fputs(HELP, stderr); return 1;
        }
    }
    if (optind != argc - 1) {
        fputs(HELP, stderr);
        return 1;
    }
    bn_input in = {.path = argv[optind], .max = chunk};
    in.r = malloc((size_t)chunk * sizeof *in.r);
    if (!in.r || ws_init(&in.parts, chunk) != 0 || bn_input_rewind(&in) != 0)
        return 1;
    bn_input_fill(&in);
    if (in.n == 0) {
        fprintf(stderr, "triage-bench: no valid referral in '%s'\n", in.path);
        return 1;
    }
    in.whole = in.n < in.max || getc(in.f) == EOF;
    double parse_us = in.parse_seconds * 1e6 / in.n;

    const char *dir = rules;
    if (empty && !(dir = bn_floor_rules())) {
        fprintf(stderr, "triage-bench: cannot write the empty rule set under /tmp\n");
        return 1;
    }
    double reload_ms = bn_reload_ms(dir, reps < 3 ? 3 : reps);
    triage_ruleset *rs = bn_load(dir);
    if (!rs) {
        bn_floor_remove();
        return 1;
    }
    int nrules = triage_ruleset_rule_count(rs);
    bn_pass p;
    if (bn_run_pass(&in, rs, threads, reps, &p) != 0) {
        bn_floor_remove();
        return 1;
    }
    double mn, med, mx;
    bn_rates(&p, &mn, &med, &mx);
    double p50 = threads == 1 ? bn_median(p.p50, reps) : 0;
    double p99 = threads == 1 ? bn_median(p.p99, reps) : 0;

    bn_breakdown b;
    int have_b = breakdown && !empty && bn_breakdown_run(&in, rs, reps, &b) == 0;
    bn_e2e e;
    int have_e = e2e && bn_e2e_run(in.path, chunk, rs, reps, &e) == 0;
    bn_floor_remove();

    printf("triage-bench: %ld referrals%s, rule set %.12s (%d rules%s), %d thread%s, %d rep%s\n",
           p.referrals, in.whole ? "" : " (streamed in chunks)", triage_ruleset_hash(rs), nrules,
           empty ? ", empty floor" : "", threads, threads == 1 ? "" : "s", reps,
           reps == 1 ? "" : "s");
    printf("  decide        %10.0f referrals/s median  (min %.0f, max %.0f)  %.2f us/referral\n",
           med, mn, mx, med > 0 ? 1e6 / med : 0);
    if (threads == 1)
        printf("  latency       p50 %.2f us  p99 %.2f us  (each referral's best of %d: "
               "p50 %.2f, p99 %.2f)\n", p50, p99, reps, p.best_p50, p.best_p99);
    printf("  reload        %.1f ms (load + first decider, median)\n", reload_ms);
    printf("  warm-up       %.2f us/referral (the first %d, once per decider, untimed "
           "above: patterns JIT-compiled, buffers grown, memos filled)\n", p.warm_us, BN_WARM);
    printf("  parse         %.2f us/referral (JSON + validation; not in decide)\n", parse_us);
    printf("  outcomes      accept %ld  request_info %ld  redirect %ld  reject %ld  manual_review %ld\n",
           p.outcomes[0], p.outcomes[1], p.outcomes[2], p.outcomes[3], p.outcomes[4]);
    if (have_e)
        printf("  end to end    %10.0f referrals/s median  (min %.0f, max %.0f)  %.2f us/referral:"
               " text -> referral -> decision, %ld referrals; the parse %.2f us of it\n",
               e.per_s, e.per_s_min, e.per_s_max, e.us, e.n, e.parse_us);
    double rss = bn_peak_rss_mb();
    printf("  peak RSS      %.1f MB\n", rss);
    if (have_b) {
        double lua = b.full_us - b.empty_us - b.regex_us;
        printf("breakdown (us per referral, first %ld referrals; timer pair %.0f ns taken out):\n",
               b.n, b.timer_ns * 2);
        printf("  decide, full rule set      %8.2f  best of %d\n", b.full_us, reps);
        printf("    engine floor (1 rule)    %8.2f  state reset, r/f/d, one when + action\n", b.empty_us);
        printf("    regex (pcre2_match)      %8.2f  %.1f matches/referral\n", b.regex_us, b.regex_calls);
        printf("    the rest                 %8.2f  Lua rules/facts, C helpers they call, history (%.2f lookups)\n",
               lua, b.history_lookups);
        printf("  JSON parse + validate      %8.2f\n", b.parse_us);
        printf("  SQLite store (import)      %8.2f  triage_store_put, one transaction\n", b.store_put_us);
        printf("  SQLite read                %8.2f  each_undecided: the row and its packed form "
               "(no JSON parse)\n", b.store_read_us);
        printf("  decide, SQLite history     %8.2f  (+%.2f for st_history over the in-memory one)\n",
               b.sqlite_decide_us, b.sqlite_decide_us - b.full_us);
        printf("  decision write             %8.2f  triage_store_put_decision, one transaction\n",
               b.decision_write_us);
    }
    if (profile && !empty) {
        bp_tab = calloc(BP_SLOTS, sizeof *bp_tab);
        if (!in.whole && bn_input_rewind(&in) == 0)
            bn_input_fill(&in);
        double plain = bn_decide_us(&in, rs, NULL, 1, NULL);
        bn_prof_next = 1;                      /* the next decider is profiled */
        bn_worker w;
        memset(&w, 0, sizeof w);
        triage_error err;
        w.dc = triage_decider_new(rs, NULL, &err);
        bn_prof_next = 0;
        if (w.dc) {
            rl_set_history(w.dc, bh_history, &w.hist);
            bn_prof_on = 1;
            double t = bn_decide_chunk(&in, &w, 1);
            bn_prof_on = 0;
            bn_workers_free(&w, 1);
            qsort(bp_tab, BP_SLOTS, sizeof *bp_tab, bp_cmp);
            double hooked = t * 1e6 / in.n, calls = (double)bp_calls / in.n;
            double measured = bp_overhead * 1e6 / in.n;
            double cost = calls > 0 ? (hooked - plain - measured) / calls : 0;
            if (cost < 0)
                cost = 0;
            printf("Lua profile, %d referrals: %.1f Lua calls per referral, timed with hooks "
                   "(%.1f us/referral with them, %.1f without; the hooks' measured time and "
                   "%.3f us per call besides are taken out);\n"
                   "%% of the plain decide time, us and calls per referral:\n",
                   in.n, calls, hooked, plain, cost);
            bp_print(0, "rules and facts (a fact's time excludes other facts it uses):", in.n,
                     cost, plain, rules);
            bp_print(1, "C functions called from Lua (excluding facts they run):", in.n, cost,
                     plain, rules);
        }
        free(bp_tab);
    }
    if (json) {
        printf("{\"referrals\":%ld,\"threads\":%d,\"reps\":%d,\"rules\":%d,\"empty\":%d,"
               "\"decide_per_s\":%.0f,\"decide_per_s_min\":%.0f,\"decide_per_s_max\":%.0f,"
               "\"us_per_referral\":%.3f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"reload_ms\":%.2f,"
               "\"parse_us\":%.3f,\"peak_rss_mb\":%.1f,\"p50_best_us\":%.2f,"
               "\"p99_best_us\":%.2f,\"warmup_us\":%.2f",
               p.referrals, threads, reps, nrules, empty, med, mn, mx, med > 0 ? 1e6 / med : 0,
               p50, p99, reload_ms, parse_us, rss, p.best_p50, p.best_p99, p.warm_us);
        if (have_b)
            printf(",\"bd_full_us\":%.3f,\"bd_empty_us\":%.3f,\"bd_regex_us\":%.3f,"
                   "\"bd_regex_calls\":%.2f,\"bd_lua_us\":%.3f,\"bd_parse_us\":%.3f,"
                   "\"bd_store_put_us\":%.3f,\"bd_store_read_us\":%.3f,"
                   "\"bd_sqlite_decide_us\":%.3f,\"bd_decision_write_us\":%.3f",
                   b.full_us, b.empty_us, b.regex_us, b.regex_calls,
                   b.full_us - b.empty_us - b.regex_us, b.parse_us, b.store_put_us,
                   b.store_read_us, b.sqlite_decide_us, b.decision_write_us);
        if (have_e)
            printf(",\"e2e_per_s\":%.0f,\"e2e_per_s_min\":%.0f,\"e2e_per_s_max\":%.0f,"
                   "\"e2e_us\":%.3f,\"e2e_parse_us\":%.3f,\"e2e_referrals\":%ld",
                   e.per_s, e.per_s_min, e.per_s_max, e.us, e.parse_us, e.n);
        printf("}\n");
    }
    bn_pass_free(&p);
    triage_ruleset_release(rs);
    bn_input_clear(&in);
    free(in.r);
    ws_free(&in.parts);
    free(in.line);
    if (in.f)
        fclose(in.f);
    return p.referrals > 0 ? 0 : 1;
}
