/*
** textsuite.h — the text suite: short passages written the way referrers
** write (rules/tests/text/ *.jsonl, format in its README.md), each with the
** evidence policy v1.1 says it gives; a passage passes when the text layer,
** reading it with the rule set's words, gives every evidence it expects.
** `triage test` and every reload run it with the rule set's own cases.
*/
#ifndef TRIAGE_TEXTSUITE_H
#define TRIAGE_TEXTSUITE_H
#include <jansson.h>
#include <stdio.h>

#include "text_evidence.h"

typedef struct tt_result {
    int passages, passed;
    int expectations, failed_expectations;
    char first[320];         /* the first failure: "LINE: ID: what differs", or "" */
} tt_result;

/* Run the passages of one file, len bytes of JSON Lines, with reader r;
** label names the file in messages. Each failure is printed to out (may be
** NULL) as "LABEL:LINE: ID: what differs" (the key, what was wanted and
** what the layer read, with its Danish why), every passage when verbose.
** ids holds the ids met so far over the whole suite (id -> "LABEL:LINE"),
** the caller's, filled in here: a passage whose id is there fails naming
** where; NULL checks nothing. Adds to res. Returns 0, or -1 when a line is
** not a passage (printed as a failure too). */
int tt_run(tx_reader *r, const char *label, const char *data, size_t len, FILE *out,
           int verbose, json_t *ids, tt_result *res);
#endif
