/*
** corpus.h — the deterministic synthetic referral corpus (tests/spec/corpus.md).
** Each child's truth is drawn first, the gold decision is derived from it by
** policy v1, and only then is the referral rendered as a referrer writes it.
*/
#ifndef TRIAGE_CORPUS_H
#define TRIAGE_CORPUS_H
#include <stdint.h>
#include <stdio.h>

#define CORPUS_DEFAULT_SEED 2020u
#define CORPUS_DEFAULT_COUNT 4753L

typedef struct corpus_opts {
    uint64_t seed;
    long count;              /* referrals to write (> 0) */
} corpus_opts;

/* Counts behind the printed shares; every count is of referrals. */
enum { CS_AGE_N = 4, CS_REF_N = 7, CS_MAIN_N = 7, CS_OUT_N = 8 };
/* Gold outcome classes, in the order printed. */
enum { CS_ACCEPT, CS_REQUEST_INFO, CS_REDIR_MUNICIPALITY, CS_REDIR_SPECIALIST,
       CS_REDIR_ADULT, CS_REDIR_OTHER_REGION, CS_REJECT, CS_ACCEPT_ACUTE };

typedef struct corpus_stats {
    long n;
    long age_band[CS_AGE_N];       /* 0-7, 8-13, 14-17, 18+ */
    long referrer[CS_REF_N];       /* schema order: gp specialist hospital municipality health_visitor self other */
    long main_problem[CS_MAIN_N];  /* adhd autism anxiety/ocd depression/self-harm eating psychosis/bipolar other */
    long comorbid;                 /* two or more groups other than WELLBEING */
    long out_of_region;
    long acute;                    /* gold priority acute */
    long school_adhd_autism;       /* age 6-17 with ADHD or autism */
    long cog_exists, cog_text_only, cog_old;   /* of school_adhd_autism */
    long joint, joint_no_consent;
    long cpr;
    long repeat;
    long gold[CS_OUT_N];           /* CS_ACCEPT..CS_REJECT; CS_ACCEPT_ACUTE is within CS_ACCEPT */
    long missing[5];               /* request_info items, schema order */
    long request_from_municipality;
    long noise;                    /* gold labels not derivable from the rendered record */
} corpus_stats;

/* Write o->count referrals (JSON Lines, sorted by received then id) to
** referrals and their gold decisions (same order) to gold. Either stream may
** be NULL to skip it. st (may be NULL) receives the counts. Memory is bounded
** whatever the count. Returns 0, or -1 when writing failed. */
int corpus_generate(const corpus_opts *o, FILE *referrals, FILE *gold,
                    corpus_stats *st);

/* The shares as a readable table. */
void corpus_print_stats(const corpus_stats *st, FILE *out);

#endif
