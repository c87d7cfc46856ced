/*
** corpus.c — the generator's loop (triage_corpus.h): per referral, draw
** the child's truth, derive the gold decision by policy v1, add the noise,
** render the referral as a referrer writes it, and count. One PRNG stream
** and day-by-day generation keep the output byte-identical per seed,
** sorted by (received, id), in bounded memory.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "triage_corpus.h"

/* Reals as written by hand before: one decimal (weights, BMI) prints the
** same with 15 significant digits, jansson dropping the trailing zeros. */
#define CP_DUMP (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static void cp_count(triage_corpus_stats *st, const cp_child *c, const cp_gold *g)
{
    st->n++;
    st->age_band[c->age <= 7 ? 0 : c->age <= 13 ? 1 : c->age <= 17 ? 2 : 3]++;
    st->referrer[c->referrer]++;
    st->main_problem[c->main]++;
    st->comorbid += cp_popcount(c->groups & ~GB(G_WELLBEING)) >= 2;
    st->out_of_region += cp_munis[c->muni].site == SITE_OUT;
    st->acute += g->priority == P_ACUTE;
    if (c->age >= 6 && c->age <= 17 && (c->groups & (GB(G_ADHD) | GB(G_AUTISM)))) {
        st->school_adhd_autism++;
        if (c->cog) {
            st->cog_exists++;
            st->cog_text_only += c->cog_where == 1;
            st->cog_old += cp_outdated(c->cog_date, c->received);
        }
    }
    if (c->custody == CU_JOINT) { st->joint++; st->joint_no_consent += !c->consent; }
    st->cpr += c->cpr[0] != 0;
    st->repeat += c->repeat;
    switch (g->outcome) {
    case O_ACCEPT: st->gold[TRIAGE_GOLD_ACCEPT]++; st->gold[TRIAGE_GOLD_ACCEPT_ACUTE] += g->priority == P_ACUTE; break;
    case O_REQUEST_INFO:
        st->gold[TRIAGE_GOLD_REQUEST_INFO]++;
        for (int i = 0; i < 5; i++) st->missing[i] += (g->missing >> i) & 1;
        st->request_from_municipality += g->request_from == RQ_MUNICIPALITY;
        break;
    case O_REJECT: st->gold[TRIAGE_GOLD_REJECT]++; break;
    default:
        st->gold[g->target == T_MUNICIPALITY ? TRIAGE_GOLD_REDIRECT_MUNICIPALITY : g->target == T_SPECIALIST
                 ? TRIAGE_GOLD_REDIRECT_SPECIALIST : g->target == T_ADULT ? TRIAGE_GOLD_REDIRECT_ADULT : TRIAGE_GOLD_REDIRECT_OTHER_REGION]++;
    }
}

/* One JSON value and a newline to f; -1 when it could not be written. */
static int cp_write(FILE *f, json_t *v)
{
    if (!v) {
        errno = ENOMEM;
        return -1;
    }
    int rc = json_dumpf(v, f, CP_DUMP) == 0 && fputc('\n', f) != EOF ? 0 : -1;
    json_decref(v);
    return rc;
}

/* A child redirected to the municipality may come back. */
static void cp_remember(cp_gen *G, const cp_child *c)
{
    cp_prev p = { c->received, c->birth, c->male, c->muni, c->custody, {0} };
    memcpy(p.cpr, c->cpr, sizeof p.cpr);
    if (G->npool < CP_POOL) G->pool[G->npool++] = p;
    else G->pool[cp_below(&G->rng, CP_POOL)] = p;
}

/* Referral i of count, on its working day; its lines to the streams. */
static int cp_one(cp_gen *G, long i, long count, int width, FILE *referrals, FILE *gold,
                  triage_corpus_stats *st)
{
    /* referral i falls on working day floor(i * D / count): by day, in id order */
    int32_t day = G->workdays[(int)((int64_t)i * G->nworkdays / count)];
    char id[48];
    cp_child c, a;
    cp_gold g, ga;
    cp_shown sh;
    snprintf(id, sizeof id, "R2020-%0*ld", width & 31, (i + 1) % 100000000000L);
    cp_draw_child(G, &c, day);
    cp_decide(&c, &g);
    a = c;
    cp_noise(G, &a);
    cp_decide(&a, &ga);
    st->noise += !cp_gold_eq(&g, &ga);
    cp_say(G, &a, &sh);
    json_t *record = cp_record(G, &a, id, &sh);
    cp_count(st, &c, &g);
    if (G->oom) {
        json_decref(record);
        errno = ENOMEM;
        return -1;
    }
    if (!referrals)
        json_decref(record);
    else if (cp_write(referrals, record) != 0)
        return -1;
    if (gold && cp_write(gold, cp_gold_json(&g, id)) != 0)
        return -1;
    if (c.cpr[0] && g.outcome == O_REDIRECT && g.target == T_MUNICIPALITY &&
        ga.outcome == O_REDIRECT && ga.target == T_MUNICIPALITY)
        cp_remember(G, &c);
    return 0;
}

int triage_corpus_generate(const triage_corpus_opts *o, FILE *referrals, FILE *gold,
                           triage_corpus_stats *st)
{
    triage_corpus_stats local;
    cp_gen *G = calloc(1, sizeof *G);
    int width = 6, rc = 0;
    if (!G) return -1;
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    cp_gen_init(G, o->seed);
    for (long x = o->count; x >= 1000000; x /= 10) width++;
    for (long i = 0; i < o->count && rc == 0; i++)
        rc = cp_one(G, i, o->count, width, referrals, gold, st);
    free(G);
    return rc;
}

/* ----------------------------------------------------------------- stats */

static void cp_share(FILE *out, const char *label, long k, long n)
{
    fprintf(out, "  %-34s %8ld  %5.1f%%\n", label, k, n ? 100.0 * (double)k / (double)n : 0.0);
}

void triage_corpus_print_stats(const triage_corpus_stats *st, FILE *out)
{
    static const char *const ages[] = { "age 0-7", "age 8-13", "age 14-17", "age 18+" };
    static const char *const mains[] = { "ADHD", "autism", "anxiety or OCD", "depression or self-harm",
                                         "eating", "psychosis or bipolar", "other" };
    static const char *const golds[] = { "accept", "request_info", "redirect municipality",
        "redirect specialist_practice", "redirect adult_psychiatry", "redirect other_region",
        "reject", "  of accept: acute (B205)" };
    long n = st->n;
    fprintf(out, "referrals: %ld\n", n);
    fprintf(out, "age bands:\n");
    for (int i = 0; i < 4; i++) cp_share(out, ages[i], st->age_band[i], n);
    fprintf(out, "referrers:\n");
    for (int i = 0; i < 7; i++) cp_share(out, cp_referrer_names[i], st->referrer[i], n);
    fprintf(out, "main problem:\n");
    for (int i = 0; i < 7; i++) cp_share(out, mains[i], st->main_problem[i], n);
    fprintf(out, "facts:\n");
    cp_share(out, "comorbidity (2+ groups)", st->comorbid, n);
    cp_share(out, "out-of-region residence", st->out_of_region, n);
    cp_share(out, "acute", st->acute, n);
    cp_share(out, "school-age ADHD/autism", st->school_adhd_autism, n);
    cp_share(out, "  with cognitive assessment", st->cog_exists, st->school_adhd_autism);
    cp_share(out, "    of those only in text", st->cog_text_only, st->cog_exists);
    cp_share(out, "    of those older than 24 months", st->cog_old, st->cog_exists);
    cp_share(out, "joint custody", st->joint, n);
    cp_share(out, "  without both-custodian consent", st->joint_no_consent, st->joint);
    cp_share(out, "carries a CPR number", st->cpr, n);
    cp_share(out, "repeat referral", st->repeat, n);
    fprintf(out, "gold decisions:\n");
    for (int i = 0; i < TRIAGE_GOLD_N; i++) cp_share(out, golds[i], st->gold[i], n);
    fprintf(out, "request_info items:\n");
    for (int i = 0; i < 5; i++) cp_share(out, cp_missing_names[i], st->missing[i], st->gold[TRIAGE_GOLD_REQUEST_INFO]);
    cp_share(out, "asked of the municipality", st->request_from_municipality, st->gold[TRIAGE_GOLD_REQUEST_INFO]);
    fprintf(out, "noise: %ld gold labels (%.2f%%) not derivable from the rendered record\n",
            st->noise, n ? 100.0 * (double)st->noise / (double)n : 0.0);
}
