/*
** text_dates.h — every date and relative time of policy v1.1, resolved
** against the referral's received day: "2019-03-04", "4/3-2019", "d.
** 4.3.2019", "3. april 2019" and "3 april 2019" are that day; "marts 2019",
** "03.2019", "3/2019" the 15th; a year alone, or a season with a year
** ("foråret 2019"), 1 July; a two-digit year is 20YY unless that day is
** after received (then 19YY); "for N dage/uger/måneder/år siden" counts
** back; "sidste år"/"i fjor" is 1 July the year before; the data's other
** relative words ("i går") are days from received.
*/
#ifndef TRIAGE_TEXT_DATES_H
#define TRIAGE_TEXT_DATES_H
#include "text.h"
#include "text_lexicon.h"
#include "text_segment.h"

/* A TX_TIME entry's value: days from received, or this for "last year". */
#define TX_TIME_LAST_YEAR 1000000

enum tx_date_form {
    TX_D_DAY,         /* a day */
    TX_D_MONTH,       /* a month and year: the 15th */
    TX_D_YEAR,        /* a year alone (or a season with one): 1 July */
    TX_D_AGO,         /* "for N ... siden" */
    TX_D_LAST_YEAR,   /* "sidste år", "i fjor" */
    TX_D_RELATIVE,    /* "i går", "i dag" ... */
};

typedef struct tx_date {
    int32_t day;              /* days since 1970-01-01 */
    uint32_t start, end;      /* normalised */
    uint32_t sent;
    uint8_t form;             /* enum tx_date_form */
} tx_date;

typedef struct tx_dates {
    tx_date *v;
    uint8_t *used;            /* per digit run of the segments: part of a date */
    uint32_t n, cap, capused;
} tx_dates;

/* Find the dates of n (its digit runs in g, its time words in h). 0 ok,
** -1 not enough memory. */
int txd_run(tx_dates *d, const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
            const tx_hits *h, int32_t received, const tx_alloc *a);

void txd_free(tx_dates *d, const tx_alloc *a);
#endif
