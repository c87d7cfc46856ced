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

/* The same for a record read from the JSON text text[0..len): the referral
** keeps a copy of it, blanks around it trimmed (json, json_len), which the
** store keeps as the record received instead of writing the tree out again. */
triage_referral *rf_from_json_text(json_t *obj, const char *text, size_t len,
                                   const char *file, long line, triage_error *err);

/* Fill err for a jansson failure in a record that starts at line/col (both
** 1-based) of file: "invalid JSON: what (line L, column C)". */
void rf_json_error(triage_error *err, const char *file, long line, int col,
                   const json_error_t *je);

/* Parse one JSON value from text (a UTF-8 byte order mark skipped, a NUL
** byte refused). NULL with err filled as the reader fills it. */
json_t *rf_load(const char *json, size_t len, const char *file, long line,
                triage_error *err);

/* "an object", "a string", ... for "must be X, not Y" messages. */
const char *rf_typename(const json_t *v);

/* 40 characters of up to 4 bytes, the quotes, "…" and the NUL. */
#define RF_QUOTE_MAX 192

/* Quote a string value for a message: at most 40 characters, escaped, and
** cut before any digit run so that no part of a CPR number survives (whole
** CPR-like runs in the part shown are masked with the rest of the message
** by triage_error_set). */
const char *rf_quote(char out[RF_QUOTE_MAX], const char *s, size_t len);

#endif
