/*
** referral_json.h — internal seams between the referral validator and the
** input reader: build a referral from an already parsed jansson object, and
** report jansson's failures in the project's one message format.
*/
#ifndef TRIAGE_REFERRAL_JSON_H
#define TRIAGE_REFERRAL_JSON_H
#include <jansson.h>
#include "referral.h"

/* Validate obj against referral.schema.json and build a referral from it.
** Steals the reference to obj (the referral keeps it as raw, or it is freed
** on failure). file/line label error messages (may be NULL/0); on success
** err (may be NULL) is TRIAGE_OK with them: where the record came from. */
triage_referral *rf_from_json(json_t *obj, const char *file, long line,
                              triage_error *err);

/* Fill err for a jansson failure in a record that starts at line/col (both
** 1-based) of file: "invalid JSON: what (line L, column C)". */
void rf_json_error(triage_error *err, const char *file, long line, int col,
                   const json_error_t *je);
#endif
