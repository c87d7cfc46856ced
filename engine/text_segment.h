/*
** text_segment.h — a normalised letter split as policy v1.1 says: sentences
** end at . ! ? or a line break, but not at a dot inside a number or date
** ("d. 4.3.2019", "BMI 16.2"), after a common abbreviation ("ca.", "f.eks.")
** or after an ordinal ("går i 8. klasse", "den 9. september"); clauses end
** at , and ; as well (contrast words are the scope's business). The same
** pass lists every run of digits, for dates and measurements.
*/
#ifndef TRIAGE_TEXT_SEGMENT_H
#define TRIAGE_TEXT_SEGMENT_H
#include "text.h"
#include "text_norm.h"
#include "text_words.h"

/* A run of digits: its span and value (capped at 999,999,999). */
typedef struct tx_number {
    uint32_t start, end;
    uint32_t value;
} tx_number;

typedef struct tx_sentence {
    uint32_t start, end;
    uint32_t clause;        /* its first clause */
} tx_sentence;

typedef struct tx_clause {
    uint32_t start, end;
    uint32_t sent;          /* the sentence it is in */
} tx_clause;

typedef struct tx_segments {
    tx_sentence *sent;      /* sentences, in order; none is empty */
    tx_clause *clause;      /* clauses, in order; each inside one sentence */
    tx_number *num;
    uint32_t nsent, nclause, nnum;
    uint32_t capsent, capclause, capnum;
    uint32_t ncolon;        /* colons in the letter (labels: "Selvskade: nej") */
} tx_segments;

/* What the split needs from the rule set's data: words whose dot ends no
** sentence (folded, without their last dot: "ca", "f.eks") and month names
** (after an ordinal's dot). */
typedef struct tx_segmenter {
    const tx_words *abbreviations;
    const tx_words *months;
    int wrapped_lines;      /* beyond the policy's letter: a line break followed by a
                            ** small letter goes on with the sentence (a hard-wrapped
                            ** letter) unless either line reads "label: value" */
} tx_segmenter;

/* Split n (text: the original it came from, for letter case) into g,
** reusing its arrays. 0 ok, -1 not enough memory. */
int txs_run(tx_segments *g, const tx_segmenter *cfg, const tx_norm *n, const char *text,
            const tx_alloc *a);

void txs_free(tx_segments *g, const tx_alloc *a);

/* The sentence (clause) holding normalised offset pos: the last one that
** starts at or before it. */
uint32_t txs_sentence_at(const tx_segments *g, uint32_t pos);
uint32_t txs_clause_at(const tx_segments *g, uint32_t pos);
/* Whether txs_sentence_at says the same of x and y (x <= y): one search. */
int txs_same_sentence(const tx_segments *g, uint32_t x, uint32_t y);
#endif
