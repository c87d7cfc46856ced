/*
** text_lexicon_internal.h — the lexicon's insides, for its own files
** (text_lexicon.c: the lexicon, its memory and keys; text_lexicon_add.c:
** declaring words; text_lexicon_compile.c: the Vectorscan databases;
** text_lexicon_match.c: reading a letter) and no others.
*/
#ifndef TRIAGE_TEXT_LEXICON_INTERNAL_H
#define TRIAGE_TEXT_LEXICON_INTERNAL_H
#include "text_lexicon.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>

#define TXL_MAX_KEYS 1024
#define TXL_MAX_ENTRIES 65535
#define TXL_MAX_SPAN 512        /* no hit is longer: overlap checks look no further back */
#define TXL_PHRASE_REACH 240    /* bytes a phrase's part looks back for the part before */
#define TXL_MATCH_LIMIT 100000u /* PCRE2: a runaway pattern stops; the letter reads on */

typedef struct txl_pat {
    uint32_t expr;              /* offset of the expression in pstr */
    uint16_t entry;
    uint16_t width;             /* a literal's width; 0 for a regex */
    uint8_t part;               /* a phrase's part + 1, or 0 */
    uint8_t regex;
    uint8_t ending;             /* enum tx_ending of this word */
    uint8_t inside;             /* may end a compound */
} txl_pat;

typedef struct txl_role {       /* one entry's use of a pattern */
    uint16_t entry;
    uint16_t width;
    uint8_t part;               /* a phrase's anchor part + 1, or 0 */
    uint8_t ending;
    uint8_t inside;
} txl_role;

typedef struct txl_id {         /* what a pattern id stands for, once compiled */
    uint32_t role, nrole;       /* its roles: roles[role .. role + nrole) */
    uint32_t scan;              /* offset in pstr of what Vectorscan looks for: a literal's
                                ** scan form (text_lexicon_compile.c), a regex as it is */
    uint8_t verify;             /* a literal with bytes other than word characters: its
                                ** scan form also finds other bytes there, so each find is
                                ** compared with the literal itself */
} txl_id;

typedef struct txl_pw {         /* a spelling of a phrase's part that is read, not scanned */
    uint32_t text;              /* offset in str (folded) */
    uint16_t len;
    uint16_t head;              /* its first two bytes (little-endian; one: the first) */
    uint32_t pairs;             /* its part's first-two-letter bits: ppairs[pairs ..] */
} txl_pw;

#define TXL_PAIRS (TX_WORD_PAIRS + 63) / 64   /* words of one part's pair bits */

typedef struct txl_slip {       /* a long term's spelling, for the slip check */
    uint32_t text;              /* offset in str (folded) */
    uint16_t len;
    uint16_t entry;
    uint8_t word;               /* one word (no space) */
    uint16_t pair[4];           /* the letter's second and third bytes, if it is a slip of
                                ** this: as written, or a slip at one of them */
} txl_slip;

struct tx_lexicon {
    tx_alloc a;
    tx_key *key;
    tx_entry *entry;
    char *str;                  /* sources, except words, slips: NUL-terminated each */
    uint32_t *except;           /* offsets in str */
    txl_pat *pat;
    char *pstr;                 /* expressions, NUL-terminated each */
    txl_slip *slip;             /* by first letter, then length */
    txl_pw *pw;                 /* phrase parts' spellings */
    txl_role *roles;
    uint32_t npw, cappw, nroles;
    uint64_t *ppairs;           /* for each phrase part read around its anchor: the first
                                ** two letters (txw_pair) its spellings start with */
    uint32_t nppairs, capppairs;
    tx_words slipkey;           /* a long word's first three bytes -> its bucket of slips */
    uint64_t slipbloom[64];     /* the same keys, hashed to 4096 bits: most words start
                                ** with none, and this says so without a lookup */
    uint32_t *slipbucket;       /* bucket b: sliplist[slipbucket[b] .. slipbucket[b + 1]) */
    uint16_t *sliplist;         /* slips by bucket */
    uint32_t nslipbucket, nsliplist;
    uint32_t nkey, capkey, nentry, capentry, nstr, capstr, nexcept, capexcept;
    uint32_t npat, cappat, npstr, cappstr, nslip, capslip;
    uint32_t slipmin;           /* the shortest slip spelling */
    tx_words infl;              /* inflections */
    uint32_t maxinfl;           /* the longest */
    int compound_end, typo_letters, wraps;
    tx_words table[TX_NTABLE];
    char *tmpl[TX_NWHY];
    hs_database_t *db;          /* the literals */
    hs_database_t *redb;        /* the data's regexes, when it has any */
    txl_id *ids;                /* by pattern id: the literals first, then the regexes */
    uint32_t nids, nlit;
    size_t dbsize;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    pcre2_code **re;            /* per pattern id: a regex's exact matcher, or NULL */
    size_t rebytes;             /* their compiled and JIT code */
    int nregex;
    int reused;                 /* the databases were copied from a previous lexicon's */
};

struct tx_matcher {
    tx_alloc a;
    const tx_lexicon *lx;
    hs_scratch_t *scratch;
    pcre2_general_context *gctx;
    pcre2_match_context *mctx;
    pcre2_match_data *md;
    uint32_t *pending;          /* regex roles the prefilter reported in this letter */
    uint32_t npending, cappending;
    uint64_t *tstart;           /* bit i: a term's hit starts at i (this letter) */
    uint32_t captstart;
};

/* Vectorscan's and PCRE2's allocations go to the hook of whoever asked:
** txl_cur, set around each Vectorscan call (text_lexicon.c). */
extern _Thread_local const tx_alloc *txl_cur;
void txl_unblock(void *q);
void *txl_p2_alloc(size_t n, void *ud);
void txl_p2_free(void *q, void *ud);

/* A slip index key's bit in the lexicon's slipbloom. */
static inline uint32_t txl_bloom3(const char *k)
{
    return (((uint32_t)(unsigned char)k[0] * 709u) ^ ((uint32_t)(unsigned char)k[1] * 31u) ^
            (unsigned char)k[2]) & 4095u;
}
#endif
