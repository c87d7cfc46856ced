/*
** text_scope.h — what each term's mention means where it stands (policy
** v1.1 "negation", "other people"): negated by a word before it in its
** sentence with no contrast between, by its clause going on to negate it,
** or by its label's value ("Selvskade: ingen"); hedged by a suspicion
** ("mistanke om", "kan ikke udelukkes"), which still counts; about another
** person (a parent, sibling, friend, partner: "far har ADHD", "mors
** depression", "ADHD hos far", "i familien"). Each verdict names the hit
** (the cue word) that decided it.
*/
#ifndef TRIAGE_TEXT_SCOPE_H
#define TRIAGE_TEXT_SCOPE_H
#include "text.h"
#include "text_lexicon.h"
#include "text_segment.h"

enum {
    TX_M_SUSPECTED = 1 << 4,   /* mention flag, beside TX_H_TYPO and TX_H_INSIDE */
};

typedef struct tx_mention {
    uint32_t start, end;       /* normalised */
    uint32_t ostart, oend;     /* the original letter's bytes */
    uint16_t key;              /* the evidence key */
    uint16_t entry;            /* the lexicon entry that matched */
    uint32_t hit;              /* its hit */
    uint32_t sent, clause;
    uint8_t why;               /* enum tx_why: COUNTED, SUSPECTED, NEGATED, NEGATED_AFTER,
                               ** LABEL, OTHER_PERSON */
    uint8_t flags;             /* TX_H_TYPO, TX_H_INSIDE, TX_M_SUSPECTED */
    int32_t cue;               /* the hit that decided why (-1: none) */
    int32_t suspicion;         /* the suspicion's hit (-1: none) */
    int32_t date;              /* the date it is given (index in the dates), -1 none */
} tx_mention;

/* A stretch of the letter about another person, and the hit that says so. */
typedef struct tx_person {
    uint32_t start, end;       /* normalised */
    uint32_t cue;              /* the person's (or "i familien"'s) hit */
} tx_person;

typedef struct tx_scope {
    tx_mention *m;
    tx_person *p;
    struct tx_hitpos {
        uint32_t sent, clause;
    } *hpos;                   /* each hit's sentence and clause */
    uint32_t nm, np, capm, capp, caph;
} tx_scope;

/* Read every term hit of h in n as a mention. 0 ok, -1 not enough memory. */
int txc_run(tx_scope *sc, const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
            const tx_hits *h, const tx_alloc *a);

/* The person stretch holding normalised offset pos, or -1. */
int txc_person_at(const tx_scope *sc, uint32_t pos);

void txc_free(tx_scope *sc, const tx_alloc *a);
#endif
