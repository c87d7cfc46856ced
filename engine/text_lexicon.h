/*
** text_lexicon.h — every word the text layer reads, compiled once per rule
** set: the terms of each evidence key and the word classes (negation,
** contrast, suspicion, persons, times, measures), all matched together in
** one Vectorscan pass over the normalised letter. A term matches at a
** word's start and may run on (inflection, compound); a term of five letters
** or more also ends a compound when only an inflection follows; an
** abbreviation matches as a whole word with an ending ("ADHD-udredning",
** "PPV'en"); a long term also matches as professionals mistype it (a letter
** missing, two swapped, æ/ø/å written a/o/a) where its data allows.
*/
#ifndef TRIAGE_TEXT_LEXICON_H
#define TRIAGE_TEXT_LEXICON_H
#include "text.h"
#include "text_norm.h"
#include "text_segment.h"
#include "text_words.h"

/* How a word may go on after the matched letters. */
enum tx_ending {
    TX_END_ANY,       /* anything: inflections and compounds ("angstsymptomer") */
    TX_END_INFLECT,   /* nothing, or an inflection of spelling.inflections */
    TX_END_WORD,      /* nothing: the word ends here */
};

/* Entry flags. */
enum {
    TX_F_INSIDE = 1 << 0,   /* may also end a compound ("skoleangst") */
    TX_F_UPPER = 1 << 1,    /* only as written in capitals ("ADD"), unless the letter is */
    TX_F_NEGATIVE = 1 << 2, /* own_words: a negation inside is its own ("ingen livslyst") */
    TX_F_DOCS = 1 << 3,     /* a negation that only concerns documents ("afventer", "mangler") */
    TX_F_ABBR = 1 << 4,     /* an abbreviation: a whole word, never inside a compound */
    TX_F_ANYWHERE = 1 << 5, /* no word start needed (it begins with punctuation: ";") */
    TX_F_PHRASE = 1 << 6,   /* parts with words between ("hører" ... "stemmer") */
    TX_F_COMMAS = 1 << 7,   /* a phrase whose gaps may hold commas */
    TX_F_NO_HOS = 1 << 8,   /* (a key's) "hos X" after it is where, not whose ("anbragt hos mormor") */
};

#define TX_MAX_PARTS 4

/* Hit flags. */
enum {
    TX_H_TYPO = 1 << 0,     /* found as a slip ("selvmordsforsg") */
    TX_H_INSIDE = 1 << 1,   /* found as a compound's last part */
};

/* What a key is, for negation and attribution. */
enum tx_kind { TX_KIND_CLINICAL, TX_KIND_DOCUMENT };

typedef struct tx_key {
    char name[32];
    uint8_t kind;             /* enum tx_kind: document negations ("mangler") apply */
    uint8_t person;           /* whose it is matters (not for custody, consent) */
    uint8_t hos;              /* "ADHD hos far" names whose it is (not "anbragt hos mormor") */
    uint8_t from_iq;          /* a stated IQ is evidence of it (cognitive assessment) */
    uint8_t history_months;   /* > 0: dated older than this, it is history */
    int16_t same_as;          /* >= 0: its terms are that key's (psychosis = PSYCHOSIS) */
    uint16_t nentries;        /* entries declared for it */
} tx_key;

/* One word or phrase of the data, as declared. */
typedef struct tx_entry {
    uint8_t cls;              /* enum tx_class */
    uint8_t ending;           /* enum tx_ending */
    uint16_t flags;           /* TX_F_* */
    uint16_t key;             /* TX_TERM: the key; otherwise 0 */
    int32_t value;            /* class-specific (a measure's kind, a time's offset) */
    uint32_t except, nexcept; /* words that are not it: except[except .. +nexcept) */
    uint32_t source;          /* offset of its data text in the lexicon's strings */
    uint8_t nparts;           /* a phrase's parts (TX_F_PHRASE), else 0 */
    uint8_t within[TX_MAX_PARTS - 1];   /* words each gap may hold */
    uint8_t anchor;           /* the part the matcher looks for; the others are read
                              ** around it */
    uint32_t pw[TX_MAX_PARTS];/* each other part's spellings: lexicon words pw .. pw + npw */
    uint16_t npw[TX_MAX_PARTS];
    uint32_t first[TX_MAX_PARTS];   /* the letters (bit c - 'a') its spellings start with;
                                    ** bit 31: one starts with something else */
    uint8_t words[TX_MAX_PARTS];    /* the most words one of its spellings has */
} tx_entry;

/* One matched entry in the normalised text. */
typedef struct tx_hit {
    uint32_t start, end;
    uint32_t wend;            /* the end of the word its end is in (an inflection run on) */
    uint16_t entry;
    uint8_t cls;              /* the entry's class (copied: read often) */
    uint8_t flags;            /* TX_H_* */
} tx_hit;

typedef struct tx_hits {
    tx_hit *v;
    uint32_t n, cap;
} tx_hits;

/* The explanation templates (rules/data/text/explain.lua): Danish text with
** {cue}, {date} and {months} put in where they stand. */
enum tx_why {
    TX_WHY_COUNTED,      /* it counts */
    TX_WHY_SUSPECTED,    /* it counts, as a suspicion */
    TX_WHY_NEGATED,      /* a negation word before it */
    TX_WHY_NEGATED_AFTER,/* its clause goes on to negate it */
    TX_WHY_LABEL,        /* a label whose value negates it */
    TX_WHY_OTHER_PERSON, /* about someone other than the child */
    TX_WHY_HISTORY,      /* dated longer ago than its key allows */
    TX_WHY_DATED,        /* (a note: the date it was given) */
    TX_NWHY
};

typedef struct tx_lexicon tx_lexicon;

/* ---- building (text_load.c reads the rule set's data into these) ---- */

/* A new, empty lexicon whose every allocation goes through a (copied). */
tx_lexicon *txl_new(const tx_alloc *a);

/* Declare a key; returns its id, or -1 (no memory, more than 1024 keys,
** or a name over 31 bytes). */
int txl_key(tx_lexicon *lx, const char *name, enum tx_kind kind, int person,
            int history_months);
/* Find a key's id by name, or -1. */
int txl_key_id(const tx_lexicon *lx, const char *name);
void txl_key_same(tx_lexicon *lx, int key, int as);
/* hos: whether "hos X" after its term names whose it is (default 1);
** from_iq: whether a stated IQ is evidence of it (default 0). */
void txl_key_options(tx_lexicon *lx, int key, int hos, int from_iq);

/* One part of a phrase: its words, any of which will do. */
typedef struct tx_decl_part {
    const char *const *words;
    size_t n;
} tx_decl_part;

/* How an entry was declared. */
typedef struct tx_decl {
    enum tx_class cls;
    int key;                  /* TX_TERM */
    int32_t value;
    const char *text;         /* a literal word or phrase (UTF-8, any case), or */
    const char *regex;        /* a pattern over the normalised text (lower case,
                              ** æ/ø/å allowed outside [...]; a space is \s), or */
    tx_decl_part part[TX_MAX_PARTS];  /* a phrase: nparts parts, each after the one */
    int nparts;               /* before with at most within[i] words between */
    int within[TX_MAX_PARTS - 1];
    int commas;               /* a phrase's gaps may hold commas */
    int anchor;               /* the part to look for (0-based), or -1: the one of longest
                              ** words */
    const char *name;         /* a phrase's name in explanations and errors */
    int ending;               /* enum tx_ending, or -1 for the class's default */
    int inside;               /* -1 default (terms of compound_end letters), 0, 1 */
    int typo;                 /* -1 default (terms of typo_letters), 0, 1 */
    unsigned flags;           /* TX_F_UPPER, TX_F_NEGATIVE, TX_F_DOCS, TX_F_ANYWHERE */
    const char *const *except;/* words that are not it (folded as the text) */
    size_t nexcept;
} tx_decl;

/* Add one entry (with its spelling variants). 0 ok; -1 with a message in
** err (a bad pattern or word, no memory). */
int txl_add(tx_lexicon *lx, const tx_decl *d, char *err, size_t errlen);

/* Spelling: the endings a word may run on with, the compound-end length,
** the typo-tolerance length (0: none). */
int txl_inflection(tx_lexicon *lx, const char *ending);
void txl_spelling(tx_lexicon *lx, int compound_end, int typo_letters);
/* Whether a hard-wrapped line goes on with its sentence (tx_segmenter). */
void txl_wrapped_lines(tx_lexicon *lx, int on);
int txl_wraps(const tx_lexicon *lx);

/* The small keyword tables (abbreviations, months, ...), filled by the loader. */
enum tx_table {
    TX_T_ABBREV,    /* dots that end no sentence: "ca", "f.eks" */
    TX_T_MONTH,     /* month names -> 1..12 */
    TX_T_NUMBER,    /* number words -> value in halves ("to" 4, "halvandet" 3) */
    TX_T_TUNIT,     /* time units -> days (> 0) or months (< 0): "uger" 7, "år" -12 */
    TX_T_SEASON,    /* seasons with a year ("foråret") */
    TX_T_APPROX,    /* words before a number that only hedge it ("ca", "omkring") */
    TX_T_MUNIT,     /* measurement units -> enum tx_unit */
    TX_T_MFILL,     /* words between a measurement's cue and its number ("på", "er") */
    TX_T_MPREP,     /* "fra" (earlier) / "til" (now) before a weight */
    TX_T_MOFF,      /* after a "taken" cue's kilograms, what makes them a loss ("af") */
    TX_T_JOIN,      /* words joining a list ("og", "eller") */
    TX_T_FILL,      /* words between a person and their verb ("også", "begge") */
    TX_T_RELATIVE,  /* "som", "der": a relative clause goes on about a person */
    TX_T_AFTER,     /* "hos": after a term, names whose it is */
    TX_T_VERB,      /* makes a person the subject ("har", "lider af", "er i behandling") */
    TX_T_REPORT,    /* makes them the one who tells ("har oplevet", "fortæller") */
    TX_T_CHILD,     /* the child as subject again ("drengen", "han", "den unge") */
    TX_T_CLAUSE,    /* a new clause about the child: "og har", ", hun" */
    TX_NTABLE
};
tx_words *txl_table(tx_lexicon *lx, enum tx_table t);
const tx_words *txl_table_c(const tx_lexicon *lx, enum tx_table t);
const tx_alloc *txl_alloc(const tx_lexicon *lx);

/* An explanation template (copied). 0 ok, -1 no memory. */
int txl_template(tx_lexicon *lx, enum tx_why why, const char *text);
const char *txl_template_of(const tx_lexicon *lx, enum tx_why why);

/* Compile everything added into the one database. 0 ok; -1 with err. */
int txl_compile(tx_lexicon *lx, char *err, size_t errlen);
/* The same, but when prev (a compiled lexicon, or NULL) was compiled from
** exactly the same words, copy its databases instead of compiling them
** (a copy through lx's hook, not a share: prev is only read, and may be
** read on other threads meanwhile or freed afterwards). */
int txl_compile_like(tx_lexicon *lx, const tx_lexicon *prev, char *err, size_t errlen);
/* Whether lx's databases were copied from a previous lexicon. */
int txl_reused(const tx_lexicon *lx);

void txl_free(tx_lexicon *lx);

/* ---- reading ---- */

uint32_t txl_nkeys(const tx_lexicon *lx);
const tx_key *txl_key_at(const tx_lexicon *lx, uint32_t id);
const tx_entry *txl_entry(const tx_lexicon *lx, uint32_t id);
/* The entry's text as the data declared it. */
const char *txl_source(const tx_lexicon *lx, uint32_t id);
/* Patterns in the database (entries and their variants). */
uint32_t txl_npatterns(const tx_lexicon *lx);
/* Pattern id's Vectorscan expression (kept for tools and comparisons):
** *fixed says whether its width is fixed, *entry its entry. NULL past the
** last or before compiling. */
const char *txl_expression(const tx_lexicon *lx, uint32_t id, int *fixed, uint32_t *entry);
/* Bytes the lexicon holds (its database included). */
size_t txl_bytes(const tx_lexicon *lx);

/* Per-thread match state: Vectorscan's scratch space. */
typedef struct tx_matcher tx_matcher;
tx_matcher *txl_matcher_new(const tx_lexicon *lx, const tx_alloc *a);
void txl_matcher_free(tx_matcher *m);

/* Every entry in n, checked against its word-start and ending rules,
** sorted by start (longest first), overlaps settled: a suspicion or
** "not a negation" phrase hides the negation words inside it, and one key's
** or class's overlapping hits keep the first and longest. g: n's sentences
** (a phrase stays in one), or NULL. 0 ok, -1 not enough memory or a scan
** error. */
int txl_match(tx_matcher *m, const tx_norm *n, const tx_segments *g, tx_hits *out);

void txl_hits_free(tx_hits *h, const tx_alloc *a);
#endif
