/*
** cds.h — the CDS Hooks card writer (cds.c) and what the store keeps of
** it (cds_feedback.c): each card given, by its uuid and kind, and what the
** referrer did with it. The public side is include/triage.h's triage_cds_*.
*/
#ifndef TRIAGE_CDS_H
#define TRIAGE_CDS_H
#include <jansson.h>

#include "triage.h"

/* The kinds of card, as the store and the report name them (cds_kind_name). */
enum { CDS_ACUTE, CDS_MISSING, CDS_REDIRECT, CDS_REJECT, CDS_ACCEPT, CDS_MANUAL_REVIEW,
       CDS_UNREADABLE, CDS__KINDS };
const char *cds_kind_name(int k);

/* Told of each card as it is made: its uuid, kind and item (the missing
** item, the target, the unit; NULL when none). Nonzero stops the answer. */
typedef int (*cds_sink)(void *ud, const char *uuid, const char *kind, const char *item);

/* {"cards": [...]} for d (r's decision), or for a draft that could not be
** read (why); sink (may be NULL) is told of each card. NULL with err. */
char *cds_cards(const triage_cds *c, const triage_decision *d, const triage_referral *r,
                cds_sink sink, void *ud, triage_error *err);
char *cds_unreadable(const triage_cds *c, const triage_error *why, cds_sink sink, void *ud,
                     triage_error *err);

/* GET {server}/{ref} (ref "Type/id") as CDS Hooks' "FHIR Resource Access"
** says (cds_fetch.c): Accept application/fhir+json, "Authorization: Bearer
** token" when token is not NULL; http or https only, no redirect, 2 s in
** all, 1 MiB at most. The resource (the caller owns it), checked to be of
** ref's type and id; NULL with why (never naming the id or the token). */
json_t *cds_fetch(const char *server, const char *token, const char *ref, char *why,
                  size_t cap);

/* The store's schema step for the cards given and their feedback (schema_cds.c). */
extern const char cds_schema[];
#endif
