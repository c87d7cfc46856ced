/*
** text_evidence.h — the text layer's front: a reader reads one referral's
** letter at a time (normalise, segment, match, scope, dates, measures) and
** hands back the evidence for every key the rule set declares, with each
** mention's original byte offsets and why it counted or was dropped. A
** reader belongs to one thread; its buffers are reused, so once it has read
** its longest letter, reading allocates nothing.
*/
#ifndef TRIAGE_TEXT_EVIDENCE_H
#define TRIAGE_TEXT_EVIDENCE_H
#include "text.h"
#include "text_dates.h"
#include "text_lexicon.h"
#include "text_measure.h"
#include "text_norm.h"
#include "text_scope.h"
#include "text_segment.h"

enum tx_when { TX_WHEN_NONE, TX_WHEN_CURRENT, TX_WHEN_PAST };

/* One key's evidence in this letter. */
typedef struct tx_keyev {
    uint8_t counted;     /* the letter states it (a suspicion included) */
    uint8_t why;         /* enum tx_why: COUNTED or SUSPECTED when counted; else why its
                         ** mentions were dropped (the first's), HISTORY for a key whose
                         ** every counted mention is dated too long ago */
    uint8_t when;        /* keys with a history limit: CURRENT, PAST, or NONE */
    uint8_t typo;        /* counted only through a slip's spelling */
    uint16_t nmention;   /* its mentions, counted or not */
    int32_t mention;     /* the mention that decided (first counted, else first), -1 */
    int32_t date;        /* the newest date of its counted mentions (HISTORY: of the past
                         ** ones), DT_NONE when undated */
} tx_keyev;

/* Everything read from one letter; valid until the reader reads the next. */
typedef struct tx_evidence {
    const char *text;            /* the letter (the caller's) */
    uint32_t len;
    int32_t received;
    const tx_keyev *key;         /* by key id: txl_nkeys(lexicon) of them */
    uint32_t nkey;
    const uint16_t *touched;     /* the keys with a mention (or same_as one), each once, in
                                 ** no order: every other key is as with no mention */
    uint32_t ntouched;
    const tx_mention *mention;   /* in order of where they stand */
    uint32_t nmention;
    const tx_date *date;
    uint32_t ndate;
    const tx_measure *measure;
    uint32_t nmeasure;
    const tx_somatic *somatic;
    const tx_sentence *sentence; /* normalised offsets: txe_orig maps them */
    uint32_t nsentence;
} tx_evidence;

typedef struct tx_reader tx_reader;

/* A reader of letters with lx (which must outlive it), allocating with a.
** NULL without memory. */
tx_reader *txe_new(const tx_lexicon *lx, const tx_alloc *a);
void txe_free(tx_reader *r);

/* Read text[0..len) (valid UTF-8), received on day received (days since
** 1970-01-01). The evidence, or NULL without memory (or over TX_MAX_TEXT). */
const tx_evidence *txe_read(tx_reader *r, const char *text, size_t len, int32_t received);

/* The original byte range of a normalised one of the last letter read. */
tx_span txe_orig(const tx_reader *r, uint32_t start, uint32_t end);

/* The word (or phrase) of hit h as the letter writes it, in lower case,
** NUL-terminated into buf; its length. What explanations quote. */
size_t txe_cue(const tx_reader *r, int32_t h, char *buf, size_t cap);

/* Why mention i counted or was dropped, in the rule set's Danish
** (rules/data/text/explain.lua), NUL-terminated into buf; its length
** (snprintf's: the whole length even when cut). */
size_t txe_explain(const tx_reader *r, uint32_t i, char *buf, size_t cap);

/* The same for key k as a whole (its deciding mention; HISTORY with its date). */
size_t txe_explain_key(const tx_reader *r, uint32_t k, char *buf, size_t cap);

/* The same for measurement i of the last letter ("nævnt: '39,5 kg'"). */
size_t txe_explain_measure(const tx_reader *r, uint32_t i, char *buf, size_t cap);

/* The lexicon, norm and hits of the last letter (tests and tools). */
const tx_lexicon *txe_lexicon(const tx_reader *r);
const tx_norm *txe_norm(const tx_reader *r);
const tx_hits *txe_hits(const tx_reader *r);
const tx_segments *txe_segments(const tx_reader *r);

/* Bytes the reader holds now. */
size_t txe_bytes(const tx_reader *r);
#endif
