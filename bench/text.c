/*
** text.c — triage-text-bench: the Danish text layer alone, on the letters of
** a referrals file. Times reading every letter (normalise, segment, match,
** scope, dates, measures) once warm, each step apart, the lexicon's build,
** and compares the one-pass Vectorscan matcher with PCRE2 (one alternation
** of every pattern, and one pattern at a time). See bench/README.md.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include <getopt.h>
#include <jansson.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "text_evidence.h"
#include "text_load.h"

static const char HELP[] =
    "usage: triage-text-bench [--rules DIR] [--reps N] [--steps] [--pcre2] [--json]\n"
    "                         [--signatures | --dump] REFERRALS.jsonl\n"
    "\n"
    "Read the free text of every referral of a JSON Lines file (untimed), build\n"
    "the text layer's lexicon from DIR/data/text.lua (timed), load it again as a\n"
    "reload of the same words does (the database copied, not compiled; timed),\n"
    "read every letter once to warm up, then time reading them all N times\n"
    "(median per letter).\n"
    "\n"
    "  --rules DIR  rule set (default: rules)\n"
    "  --reps N     timed passes (default 5)\n"
    "  --steps      also time each step apart (normalise, segment, match, scope,\n"
    "               dates, measures; a clock read between steps adds ~20 ns each)\n"
    "  --pcre2      also time PCRE2 matching the same patterns: one alternation\n"
    "               of all of them (leftmost match at each start), and each\n"
    "               pattern on its own (every match), against Vectorscan\n"
    "  --json       last line: the figures as one flat JSON object\n"
    "  --signatures instead of timing, print each letter's evidence as the shipped\n"
    "               rules' facts read it from text alone (id TAB signature), for\n"
    "               bench/text-compare against the rules' own text reading\n"
    "  --dump       instead of timing, print everything the layer reads from each\n"
    "               letter (keys, mentions with their cues and explanations, dates,\n"
    "               measurements, sentences): diff two builds' dumps to show that a\n"
    "               change to the layer keeps its results\n"
    "\n"
    "Instruction counts per step: valgrind --tool=callgrind on --reps 1, then\n"
    "callgrind_annotate --inclusive=yes (txn_run, txs_run, txl_match, txc_run,\n"
    "txd_run, txm_run, txe_read), divided by twice the letters (warm-up + pass).\n";

typedef struct letter {
    char *id;
    char *text;
    size_t len;
    int32_t received;
} letter;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static letter *load(const char *path, size_t *n, size_t *bytes)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return NULL;
    }
    letter *v = NULL;
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    *n = *bytes = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        if (!o)
            continue;
        const char *t = json_string_value(json_object_get(o, "text"));
        const char *r = json_string_value(json_object_get(o, "received"));
        int32_t day;
        if (r && dt_parse_iso(r, strlen(r), &day)) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 1024;
                v = realloc(v, cap * sizeof *v);
            }
            const char *id = json_string_value(json_object_get(o, "id"));
            v[*n].id = strdup(id ? id : "");
            v[*n].text = strdup(t ? t : "");
            v[*n].len = strlen(v[*n].text);
            v[*n].received = day;
            *bytes += v[*n].len;
            (*n)++;
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return v;
}

static void free_letters(letter *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].text);
    }
    free(v);
}

/* PCRE2 over the normalised letters: one alternation of every pattern
** (the leftmost match at each start), and each pattern on its own. */
static void bench_pcre2(const tx_lexicon *lx, tx_reader *r, letter *v, size_t n, int reps,
                        double *alt_ns, double *each_ns, double *vs_ns, long *alt_hits,
                        long *vs_hits)
{
    uint32_t np = txl_npatterns(lx);
    size_t cap = 64;
    char *big = malloc(cap);
    size_t k = 0;
    pcre2_code **each = calloc(np, sizeof *each);
    for (uint32_t i = 0; i < np; i++) {
        int literal = 0;
        const char *raw = txl_expression(lx, i, &literal, NULL);
        char e[1024];                        /* a literal, escaped for PCRE2 */
        size_t el = 0;
        for (const char *q = raw; *q && el + 4 < sizeof e; q++) {
            if (literal && strchr("\\^$.|?*+()[]{}", *q))
                e[el++] = '\\';
            e[el++] = *q;
        }
        e[el] = 0;
        while (k + el + 32 > cap)
            big = realloc(big, cap *= 2);
        k += (size_t)sprintf(big + k, "%s(?:%s)(*MARK:%u)", i ? "|" : "", e, i);
        int err;
        PCRE2_SIZE off;
        each[i] = pcre2_compile((PCRE2_SPTR)e, el, 0, &err, &off, NULL);
        if (each[i])
            pcre2_jit_compile(each[i], PCRE2_JIT_COMPLETE);
    }
    int err;
    PCRE2_SIZE off;
    pcre2_code *alt = pcre2_compile((PCRE2_SPTR)big, k, 0, &err, &off, NULL);
    if (!alt) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(err, msg, sizeof msg);
        fprintf(stderr, "pcre2: the alternation does not compile: %s at %zu\n", (char *)msg,
                (size_t)off);
        return;
    }
    pcre2_jit_compile(alt, PCRE2_JIT_COMPLETE);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    /* the normalised letters, once */
    char **norm = malloc(n * sizeof *norm);
    size_t *nlen = malloc(n * sizeof *nlen);
    for (size_t i = 0; i < n; i++) {
        txe_read(r, v[i].text, v[i].len, v[i].received);
        nlen[i] = txe_norm(r)->len;
        norm[i] = malloc(nlen[i] + 1);
        memcpy(norm[i], txe_norm(r)->s, nlen[i] + 1);
    }
    double *t = malloc((size_t)reps * sizeof *t);
    for (int rep = 0; rep < reps; rep++) {
        double t0 = now();
        long hits = 0;
        for (size_t i = 0; i < n; i++) {
            PCRE2_SIZE start = 0;
            while (start <= nlen[i] &&
                   pcre2_jit_match(alt, (PCRE2_SPTR)norm[i], nlen[i], start, 0, md, NULL) > 0) {
                hits++;
                start = pcre2_get_ovector_pointer(md)[0] + 1;
            }
        }
        t[rep] = (now() - t0) / (double)n * 1e9;
        *alt_hits = hits;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    *alt_ns = t[reps / 2];
    {
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            for (uint32_t p = 0; p < np; p++) {
                if (!each[p])
                    continue;
                PCRE2_SIZE start = 0;
                while (start <= nlen[i] && pcre2_jit_match(each[p], (PCRE2_SPTR)norm[i], nlen[i],
                                                           start, 0, md, NULL) > 0)
                    start = pcre2_get_ovector_pointer(md)[0] + 1;
            }
        *each_ns = (now() - t0) / (double)n * 1e9;
    }
    /* Vectorscan over the same normalised letters, the hits checked as the
    ** layer checks them (word starts, endings) */
    tx_matcher *m = txl_matcher_new(lx, &tx_malloc);
    tx_hits hits = {0};
    /* each normalised letter normalised again (it stays as it is), untimed */
    tx_norm *nn = calloc(n, sizeof *nn);
    for (size_t i = 0; i < n; i++)
        txn_run(&nn[i], norm[i], nlen[i], &tx_malloc);
    for (int rep = 0; rep < reps; rep++) {
        long hn = 0;
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            txl_match(m, &nn[i], NULL, &hits);
            hn += hits.n;
        }
        t[rep] = (now() - t0) / (double)n * 1e9;
        *vs_hits = hn;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    *vs_ns = t[reps / 2];
    txl_hits_free(&hits, &tx_malloc);
    txl_matcher_free(m);
    for (size_t i = 0; i < n; i++) {
        txn_free(&nn[i], &tx_malloc);
        free(norm[i]);
    }
    free(nn);
    free(norm);
    free(nlen);
    free(t);
    for (uint32_t i = 0; i < np; i++)
        pcre2_code_free(each[i]);
    free(each);
    pcre2_code_free(alt);
    pcre2_match_data_free(md);
    free(big);
}

/* A key's verdict, by name. */
static const tx_keyev *key(const tx_lexicon *lx, const tx_evidence *ev, const char *name)
{
    static const tx_keyev none = {0, 0, 0, 0, 0, -1, DT_NONE};
    int id = txl_key_id(lx, name);
    return id < 0 ? &none : &ev->key[id];
}

/* The evidence as the shipped rules' facts (rules/00-facts.lua) read it
** from a letter alone, in the form bench/text-compare's rule prints. */
static void signature(const tx_lexicon *lx, const tx_evidence *ev, int32_t received, char *out,
                      size_t cap)
{
    static const char *const groups[] = {"PSYCHOSIS", "BIPOLAR", "DEPRESSION", "ANXIETY", "OCD",
                                         "TRAUMA",    "EATING",  "AUTISM",     "ADHD",    "TICS",
                                         "ID",        "LEARNING", "CONDUCT",   "SUBSTANCE"};
    char g[256] = "";
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
        if (key(lx, ev, groups[i])->counted) {
            size_t k = strlen(g);
            snprintf(g + k, sizeof g - k, "%s%s", k ? "," : "", groups[i]);
        }
    const tx_keyev *sa = key(lx, ev, "suicide_attempt"), *cog = key(lx, ev,
                                                                   "cognitive_assessment");
    const char *att = sa->counted ? "current" : sa->when == TX_WHEN_PAST ? "past" : "nil";
    const char *cg = !cog->counted ? "nil"
                     : cog->date != DT_NONE && cog->date < dt_add_months(received, -24)
                         ? "outdated"
                         : "current";
    const tx_somatic *s = ev->somatic;
    char iq[16] = "-", bmi[16] = "-", w[16] = "-", h[16] = "-", loss[16] = "-";
    if (s->has_iq)
        snprintf(iq, sizeof iq, "%.2f", s->iq);
    if (s->has_bmi)
        snprintf(bmi, sizeof bmi, "%.2f", s->bmi);
    if (s->has_weight)
        snprintf(w, sizeof w, "%.2f", s->weight_kg);
    if (s->has_height)
        snprintf(h, sizeof h, "%.2f", s->height_cm);
    if (s->has_loss && s->loss_months <= 3)
        snprintf(loss, sizeof loss, "%.2f", s->loss_pct);
#define B(name) (key(lx, ev, name)->counted ? 1 : 0)
    snprintf(out, cap,
             "G=%s;SA=%s;SP=%d;SI=%d;SH=%d;PSY=%d;SEV=%d;CJ=%d;CP=%d;CON=%d;PREV=%d;MED=%d;"
             "COG=%s;PPV=%d;IQ=%s;BMI=%s;W=%s;H=%s;LOSS=%s",
             g, att, B("suicide_plan"), B("suicidal_ideation"),
             B("self_harm") || sa->when == TX_WHEN_PAST, B("psychosis"), B("severe_depression"),
             B("custody_joint"), B("custody_placed"), B("consent_both"),
             B("previous_buc_contact"), B("psychotropic"), cg, B("ppv"), iq, bmi, w, h, loss);
#undef B
}

/* Everything read from one letter, in a form that does not depend on how
** the layer found it (hits are named by their place, not their index). */
static void dump(const tx_lexicon *lx, const tx_reader *r, const tx_evidence *ev, const char *id)
{
    const tx_hits *h = txe_hits(r);
    char buf[512];
    printf("L %s\n", id);
    for (uint32_t k = 0; k < ev->nkey; k++) {
        const tx_keyev *kv = &ev->key[k];
        if (!kv->nmention && !kv->counted && kv->why == 0 && kv->when == 0)
            continue;
        txe_explain_key(r, k, buf, sizeof buf);
        printf("K %s c%u w%u t%u y%u n%u m%d d%d | %s\n", txl_key_at(lx, k)->name, kv->counted,
               kv->why, kv->when, kv->typo, kv->nmention, kv->mention, kv->date, buf);
    }
    for (uint32_t i = 0; i < ev->nmention; i++) {
        const tx_mention *m = &ev->mention[i];
        char cue[256] = "-", sus[128] = "-";
        if (m->cue >= 0 && (uint32_t)m->cue < h->n) {
            const tx_hit *x = &h->v[m->cue];
            char w[96];
            txe_cue(r, m->cue, w, sizeof w);
            snprintf(cue, sizeof cue, "%u-%u/%u:%u:[%s]'%s'", x->start, x->end, x->wend, x->cls,
                     txl_source(lx, x->entry), w);
        }
        if (m->suspicion >= 0 && (uint32_t)m->suspicion < h->n)
            snprintf(sus, sizeof sus, "%u-%u/%u:[%s]", h->v[m->suspicion].start,
                     h->v[m->suspicion].end, h->v[m->suspicion].wend,
                     txl_source(lx, h->v[m->suspicion].entry));
        txe_explain(r, i, buf, sizeof buf);
        printf("M %u-%u o%u-%u k%u e[%s] s%u c%u w%u f%u d%d cue=%s sus=%s | %s\n", m->start,
               m->end, m->ostart, m->oend, m->key, txl_source(lx, m->entry), m->sent, m->clause, m->why,
               m->flags, m->date, cue, sus, buf);
    }
    for (uint32_t i = 0; i < ev->ndate; i++)
        printf("D %d %u-%u s%u f%u\n", ev->date[i].day, ev->date[i].start, ev->date[i].end,
               ev->date[i].sent, ev->date[i].form);
    for (uint32_t i = 0; i < ev->nmeasure; i++) {
        const tx_measure *x = &ev->measure[i];
        char cue[96] = "-";
        if (x->cue >= 0 && (uint32_t)x->cue < h->n)
            snprintf(cue, sizeof cue, "%u-%u:[%s]", h->v[x->cue].start, h->v[x->cue].end,
                     txl_source(lx, h->v[x->cue].entry));
        printf("X k%u o%u %lld p%.4f %u-%u s%u cue=%s\n", x->kind, x->other, (long long)x->v100,
               x->period_months, x->start, x->end, x->sent, cue);
    }
    const tx_somatic *sm = ev->somatic;
    printf("S w%u:%.4f:%d h%u:%.4f:%d b%u%u:%.6f:%d l%u:%.6f:%.4f:%d i%u:%.2f:%d\n",
           sm->has_weight, sm->weight_kg, sm->weight, sm->has_height, sm->height_cm, sm->height,
           sm->has_bmi, sm->bmi_stated, sm->bmi, sm->bmi_at, sm->has_loss, sm->loss_pct,
           sm->loss_months, sm->loss, sm->has_iq, sm->iq, sm->iq_at);
    printf("T");
    for (uint32_t i = 0; i < ev->nsentence; i++)
        printf(" %u-%u:%u", ev->sentence[i].start, ev->sentence[i].end, ev->sentence[i].clause);
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *rules = "rules";
    int reps = 5, steps = 0, pcre = 0, json = 0, sigs = 0, dumps = 0;
    static const struct option opts[] = {
        {"rules", required_argument, 0, 'r'}, {"reps", required_argument, 0, 'n'},
        {"steps", no_argument, 0, 's'},       {"pcre2", no_argument, 0, 'p'},
        {"json", no_argument, 0, 'j'},        {"help", no_argument, 0, 'h'},
        {"signatures", no_argument, 0, 'g'}, {"dump", no_argument, 0, 'd'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'n': reps = atoi(optarg); break;
        case 's': steps = 1; break;
        case 'p': pcre = 1; break;
        case 'j': json = 1; break;
        case 'g': sigs = 1; break;
        case 'd': dumps = 1; break;
        case 'h': fputs(HELP, stdout); return 0;
        default: fputs(HELP, stderr); return 2;
        }
    }
    if (optind != argc - 1 || reps < 1) {
        fputs(HELP, stderr);
        return 2;
    }
    size_t n, bytes;
    letter *v = load(argv[optind], &n, &bytes);
    if (!v || !n) {
        fprintf(stderr, "%s: no referrals\n", argv[optind]);
        return 1;
    }
    char err[512];
    double t0 = now();
    tx_lexicon *lx = txl_load_dir(rules, &tx_malloc, err, sizeof err);
    double build_ms = (now() - t0) * 1e3;
    if (!lx) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* a reload of the same data: the database copied, not compiled */
    t0 = now();
    tx_lexicon *again = txl_load_dir_reusing(rules, &tx_malloc, lx, err, sizeof err);
    double reload_ms = (now() - t0) * 1e3;
    if (!again || !txl_reused(again)) {
        fprintf(stderr, "reload: %s\n", again ? "compiled again" : err);
        return 1;
    }
    txl_free(again);
    if (sigs || dumps) {
        tx_reader *sr = txe_new(lx, &tx_malloc);
        for (size_t i = 0; i < n; i++) {
            const tx_evidence *ev = txe_read(sr, v[i].text, v[i].len, v[i].received);
            if (!ev)
                return 1;
            if (dumps) {
                dump(lx, sr, ev, v[i].id);
                continue;
            }
            char sig[1024];
            signature(lx, ev, v[i].received, sig, sizeof sig);
            printf("%s\t%s\n", v[i].id, sig);
        }
        txe_free(sr);
        txl_free(lx);
        free_letters(v, n);
        return 0;
    }
    t0 = now();
    tx_reader *r = txe_new(lx, &tx_malloc);
    double reader_ms = (now() - t0) * 1e3;
    long mentions = 0, counted = 0;
    for (size_t i = 0; i < n; i++) {           /* warm: buffers reach their size */
        const tx_evidence *ev = txe_read(r, v[i].text, v[i].len, v[i].received);
        if (!ev) {
            fprintf(stderr, "letter %zu: not read\n", i + 1);
            return 1;
        }
        mentions += ev->nmention;
        for (uint32_t k = 0; k < ev->nkey; k++)
            counted += ev->key[k].counted;
    }
    double *t = malloc((size_t)reps * sizeof *t);
    for (int rep = 0; rep < reps; rep++) {
        t0 = now();
        for (size_t i = 0; i < n; i++)
            txe_read(r, v[i].text, v[i].len, v[i].received);
        t[rep] = (now() - t0) / (double)n * 1e9;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    double ns = t[reps / 2];
    printf("letters %zu (%.0f bytes each), patterns %u, lexicon %.1f MB, reader %.1f KB\n", n,
           (double)bytes / (double)n, txl_npatterns(lx), (double)txl_bytes(lx) / 1e6,
           (double)txe_bytes(r) / 1e3);
    printf("lexicon build %.1f ms, reload of the same words %.1f ms, reader %.2f ms; %ld "
           "mentions, %ld keys counted\n",
           build_ms, reload_ms, reader_ms, mentions, counted);
    printf("read: %.0f ns per letter median (%.0f-%.0f), %.0f letters/s\n", ns, t[0],
           t[reps - 1], 1e9 / ns);

    double step[6] = {0};
    static const char *const names[6] = {"normalise", "segment", "match",
                                         "scope",     "dates",   "measures"};
    if (steps) {
        /* the steps one by one, on the reader's own state */
        const tx_lexicon *L = lx;
        tx_norm nm = {0};
        tx_segments g = {0};
        tx_hits h = {0};
        tx_scope sc = {0};
        tx_dates d = {0};
        tx_measures ms = {0};
        tx_matcher *m = txl_matcher_new(L, &tx_malloc);
        tx_segmenter cfg = {txl_table_c(L, TX_T_ABBREV), txl_table_c(L, TX_T_MONTH), txl_wraps(L)};
        for (int rep = 0; rep < 2; rep++) {
            double acc[6] = {0};
            for (size_t i = 0; i < n; i++) {
                double a = now();
                txn_run(&nm, v[i].text, v[i].len, &tx_malloc);
                double b = now();
                txs_run(&g, &cfg, &nm, v[i].text, &tx_malloc);
                double c2 = now();
                txl_match(m, &nm, &g, &h);
                double d2 = now();
                txc_run(&sc, L, &nm, &g, &h, &tx_malloc);
                double e = now();
                txd_run(&d, L, &nm, &g, &h, v[i].received, &tx_malloc);
                double f = now();
                txm_run(&ms, L, &nm, &g, &h, &d, &sc, &tx_malloc);
                double gg = now();
                acc[0] += b - a, acc[1] += c2 - b, acc[2] += d2 - c2;
                acc[3] += e - d2, acc[4] += f - e, acc[5] += gg - f;
            }
            for (int s = 0; s < 6; s++)
                step[s] = acc[s] / (double)n * 1e9;
        }
        printf("steps (ns per letter):");
        for (int s = 0; s < 6; s++)
            printf(" %s %.0f", names[s], step[s]);
        printf("\n");
        txn_free(&nm, &tx_malloc);
        txs_free(&g, &tx_malloc);
        txl_hits_free(&h, &tx_malloc);
        txc_free(&sc, &tx_malloc);
        txd_free(&d, &tx_malloc);
        txm_free(&ms, &tx_malloc);
        txl_matcher_free(m);
    }
    double alt_ns = 0, each_ns = 0, vs_ns = 0;
    long alt_hits = 0, vs_hits = 0;
    if (pcre) {
        bench_pcre2(lx, r, v, n, reps, &alt_ns, &each_ns, &vs_ns, &alt_hits, &vs_hits);
        printf("matching the normalised letters: Vectorscan %.0f ns (%ld hits kept), PCRE2 one "
               "alternation %.0f ns (%ld matches), PCRE2 pattern by pattern %.0f ns\n",
               vs_ns, vs_hits, alt_ns, alt_hits, each_ns);
    }
    if (json) {
        printf("{\"letters\":%zu,\"patterns\":%u,\"lexicon_bytes\":%zu,\"build_ms\":%.2f,"
               "\"reload_ms\":%.2f,\"read_ns\":%.1f,\"read_per_s\":%.0f",
               n, txl_npatterns(lx), txl_bytes(lx), build_ms, reload_ms, ns, 1e9 / ns);
        if (steps)
            for (int s = 0; s < 6; s++)
                printf(",\"%s_ns\":%.1f", names[s], step[s]);
        if (pcre)
            printf(",\"vectorscan_ns\":%.1f,\"pcre2_alternation_ns\":%.1f,"
                   "\"pcre2_each_ns\":%.1f",
                   vs_ns, alt_ns, each_ns);
        printf("}\n");
    }
    txe_free(r);
    txl_free(lx);
    free_letters(v, n);
    free(t);
    return 0;
}
