/*
** fhir_doc.h — a FHIR referral document as sent: its resources with the
** FHIRPath of each, the ServiceRequest and the MessageHeader found, and
** references resolved by fullUrl, Type/id or #id. Shared by the reader
** (fhir_read.c) and nothing else.
*/
#ifndef TRIAGE_FHIR_DOC_H
#define TRIAGE_FHIR_DOC_H
#include <jansson.h>
#include "fhir.h"

#define FX_PATH_MAX 96          /* as triage_error.field */

typedef struct fx_res {
    json_t *r;                  /* the resource (borrowed from the document) */
    const char *type;           /* its resourceType */
    const char *id;             /* its id, or NULL */
    const char *url;            /* its Bundle entry's fullUrl, or NULL */
    int host;                   /* index of the resource that contains it, or -1 */
    int include;                /* a searchset entry with search.mode include */
    char path[FX_PATH_MAX];     /* "ServiceRequest", "Bundle.entry[2].resource",
                                   "ServiceRequest.contained[0]" */
} fx_res;

typedef struct fx_doc {
    json_t *root;
    fx_res *res;                /* every resource: entries, then what they contain */
    int nres, capres;
    int alone;                  /* a ServiceRequest sent alone (not in a Bundle) */
    int sr;                     /* the ServiceRequest's index */
    int header;                 /* the MessageHeader's index, or -1 */
    fx_event event;
    /* for messages */
    triage_error *err;
    const char *file;
    long line;
    const char *id;             /* the referral id once known */
} fx_doc;

/* Take the document apart: its form (a ServiceRequest; a Bundle of type
** collection, transaction, searchset; a message), FHIR R4 only, exactly one
** ServiceRequest. 0, or -1 with d->err filled. doc stays the caller's. */
int fxd_open(fx_doc *d, json_t *doc, const char *file, long line, triage_error *err);
void fxd_close(fx_doc *d);

/* The resource the Reference ref (found at path in resource from) points
** at: its index, or -1 with the error filled (an unresolvable reference, or
** none of the resource types in want, a "|Patient|Group|" list; NULL for
** any). */
int fxd_resolve(fx_doc *d, int from, const json_t *ref, const char *path,
                const char *want);

/* The same without an error: the index, or -1 when ref (the reference
** string) does not resolve from resource from. */
int fxd_find(const fx_doc *d, const char *ref, int from);

/* Fill d->err for path (an element's FHIRPath) and return -1. */
int fxd_fail(fx_doc *d, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* path "BASE.SUB" into out[FX_PATH_MAX]; SUB is printf-formatted. */
const char *fxd_path(char *out, const char *base, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Member key of o as a string, or NULL when absent or not a string. */
const char *fxd_str(const json_t *o, const char *key);
#endif
