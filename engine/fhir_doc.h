/*
** fhir_doc.h — a FHIR referral document as sent: its resources, the
** ServiceRequest and the MessageHeader found, references resolved by
** fullUrl, Type/id or #id, and where each element is (fx_at), written out
** as a FHIRPath only when an error needs it. Shared by the reader
** (fhir_read.c and the files of fhir_map.h) and nothing else.
*/
#ifndef TRIAGE_FHIR_DOC_H
#define TRIAGE_FHIR_DOC_H
#include <jansson.h>
#include "fhir.h"

#define FX_PATH_MAX 96          /* as triage_error.field */
#define FX_AT_MAX 6
#define FX_LIT (-1)

/* Where an element is: a resource, then up to FX_AT_MAX steps below it,
** each a literal (".authoredOn") or a format with one %d (".coding[%d]")
** and its index; a step with index FX_LIT is a literal whatever it holds
** (a key from the document). Made and copied for every field read, so nothing is
** formatted unless an error is reported (fxd_at_path). */
typedef struct fx_at {
    int res;                    /* the resource's index in the document */
    int n;
    const char *seg[FX_AT_MAX];
    int idx[FX_AT_MAX];
} fx_at;

static inline fx_at fx_at_res(int res)
{
    fx_at a;
    a.res = res;
    a.n = 0;
    return a;
}

static inline fx_at fx_in(fx_at a, const char *seg, int idx)
{
    if (a.n < FX_AT_MAX) {
        a.seg[a.n] = seg;
        a.idx[a.n++] = idx;
    }
    return a;
}

typedef struct fx_res {
    json_t *r;                  /* the resource (borrowed from the document) */
    const char *type;           /* its resourceType */
    const char *id;             /* its id, or NULL */
    const char *url;            /* its Bundle entry's fullUrl, or NULL */
    int host;                   /* index of the resource that contains it, or -1 */
    int include;                /* a searchset entry with search.mode include */
    int entry;                  /* its Bundle entry (the host's), or -1: sent alone */
    int contained;              /* its place in the host's contained, or -1 */
} fx_res;

typedef struct fx_doc {
    json_t *root;
    fx_res *res;                /* every resource: entries, then what they contain */
    int nres, capres;
    fx_res local[24];           /* res until a document has more */
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
/* Every repeating element the mapping reads is an array, every single one
** it goes into is not (fhir_lists.c): 0, or -1 with d->err filled. */
int fxd_lists(fx_doc *d);
/* Fill d->err for v at at, a repeating element sent as no array; -1. */
int fxd_fail_list(fx_doc *d, const fx_at *at, const json_t *v);

/* The resource the Reference ref (the element at) points at: its index, or
** -1 with the error filled (an unresolvable reference, or none of the
** resource types in want, a "|Patient|Group|" list; NULL for any). The
** reference resolves from at.res. */
int fxd_resolve(fx_doc *d, const json_t *ref, const fx_at *at, const char *want);

/* The same without an error: the index, -1 when ref (the reference
** string) does not resolve from resource from, or -2 when it names more
** than one resource (a fullUrl or a contained id sent twice). */
int fxd_find(const fx_doc *d, const char *ref, int from);

/* The FHIRPath of resource i, or of the element at, into out. */
const char *fxd_res_path(const fx_doc *d, int i, char out[FX_PATH_MAX]);
const char *fxd_at_path(const fx_doc *d, const fx_at *at, char out[FX_PATH_MAX]);

/* Fill d->err for path (an element's FHIRPath) and return -1. */
int fxd_fail(fx_doc *d, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The same at an element. */
int fxd_fail_at(fx_doc *d, const fx_at *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Member key of o as a string, or NULL when absent or not a string. */
const char *fxd_str(const json_t *o, const char *key);
#endif
