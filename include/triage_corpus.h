/*
** triage_corpus.h — the deterministic synthetic referral corpus
** (tests/spec/corpus.md), a library of its own (corpus/) on the public API.
** Each child's truth is drawn first, the gold decision is derived from it
** by policy v1, and only then is the referral rendered as a referrer
** writes it. No global state: any number may run at once.
*/
#ifndef TRIAGE_CORPUS_H
#define TRIAGE_CORPUS_H
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRIAGE_CORPUS_SEED 2020u     /* the default seed */
#define TRIAGE_CORPUS_COUNT 4753L    /* the default size: BUC's referrals of 2020 */

typedef struct triage_corpus_opts {
    uint64_t seed;
    long count;              /* referrals to write (> 0) */
} triage_corpus_opts;

/* Gold outcome classes, in the order printed: triage_corpus_stats.gold. */
enum { TRIAGE_GOLD_ACCEPT, TRIAGE_GOLD_REQUEST_INFO, TRIAGE_GOLD_REDIRECT_MUNICIPALITY,
       TRIAGE_GOLD_REDIRECT_SPECIALIST, TRIAGE_GOLD_REDIRECT_ADULT,
       TRIAGE_GOLD_REDIRECT_OTHER_REGION, TRIAGE_GOLD_REJECT,
       TRIAGE_GOLD_ACCEPT_ACUTE,    /* within TRIAGE_GOLD_ACCEPT */
       TRIAGE_GOLD_N };

/* Counts behind the printed shares; every count is of referrals. */
typedef struct triage_corpus_stats {
    long n;
    long age_band[4];              /* 0-7, 8-13, 14-17, 18+ */
    long referrer[7];              /* schema order: gp specialist hospital municipality
                                      health_visitor self other */
    long main_problem[7];          /* adhd autism anxiety/ocd depression/self-harm eating
                                      psychosis/bipolar other */
    long comorbid;                 /* two or more groups other than wellbeing */
    long out_of_region;
    long acute;                    /* gold priority acute */
    long school_adhd_autism;       /* age 6-17 with ADHD or autism */
    long cog_exists, cog_text_only, cog_old;   /* of school_adhd_autism */
    long joint, joint_no_consent;
    long cpr;
    long repeat;
    long gold[TRIAGE_GOLD_N];
    long missing[5];               /* request_info items, schema order */
    long request_from_municipality;
    long noise;                    /* gold labels not derivable from the rendered record */
} triage_corpus_stats;

/* Write o->count referrals (JSON Lines, sorted by received then id) to
** referrals and their gold decisions (same order) to gold. Either stream may
** be NULL to skip it. st (may be NULL) receives the counts. Memory is bounded
** whatever the count. Returns 0, or -1 when writing failed or memory ran out
** (errno says which). */
int triage_corpus_generate(const triage_corpus_opts *o, FILE *referrals, FILE *gold,
                           triage_corpus_stats *st);

/* The shares as a readable table. */
void triage_corpus_print_stats(const triage_corpus_stats *st, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
