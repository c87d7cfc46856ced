/*
** fhir_doc.c — the shape of a FHIR referral as sent: a ServiceRequest with
** contained resources, a Bundle (collection, transaction, searchset) or a
** MedCom-style message; FHIR R4 only (STU3 and R5 markers are refused by
** name); references resolved by fullUrl, Type/id or #id; each resource
** knows where it is (its entry, its place among the contained), so that an
** error can say it as a FHIRPath, written only then.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fhir_doc.h"
#include "referral_json.h"

const char *fxd_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int fxd_fail(fx_doc *d, const char *path, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    triage_error_set(d->err, TRIAGE_EINVAL, d->file, d->line, d->id, path, "%s", what);
    return -1;
}

const char *fxd_res_path(const fx_doc *d, int i, char out[FX_PATH_MAX])
{
    if (i < 0) {
        snprintf(out, FX_PATH_MAX, "Bundle");
        return out;
    }
    const fx_res *x = &d->res[i];
    int n = x->entry < 0 ? snprintf(out, FX_PATH_MAX, "ServiceRequest")
                         : snprintf(out, FX_PATH_MAX, "Bundle.entry[%d].resource", x->entry);
    if (x->contained >= 0 && n > 0 && n < FX_PATH_MAX)
        snprintf(out + n, FX_PATH_MAX - (size_t)n, ".contained[%d]", x->contained);
    return out;
}

const char *fxd_at_path(const fx_doc *d, const fx_at *at, char out[FX_PATH_MAX])
{
    fxd_res_path(d, at->res, out);
    size_t n = strlen(out);
    for (int k = 0; k < at->n && n < FX_PATH_MAX - 1; k++) {
        int w = at->idx[k] != FX_LIT && strstr(at->seg[k], "%d")
                ? snprintf(out + n, FX_PATH_MAX - n, at->seg[k], at->idx[k])
                : snprintf(out + n, FX_PATH_MAX - n, "%s", at->seg[k]);
        if (w < 0) break;
        n += (size_t)w < FX_PATH_MAX - n ? (size_t)w : FX_PATH_MAX - n - 1;
    }
    return out;
}

int fxd_fail_at(fx_doc *d, const fx_at *at, const char *fmt, ...)
{
    char what[400], path[FX_PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return fxd_fail(d, fxd_at_path(d, at, path), "%s", what);
}

static int fxd_add(fx_doc *d, json_t *r, int entry, int contained, const char *url,
                   int host, int include)
{
    if (d->nres == d->capres) {
        int cap = 2 * d->capres;
        fx_res *n = d->res == d->local ? malloc((size_t)cap * sizeof *n)
                                       : realloc(d->res, (size_t)cap * sizeof *n);
        if (!n) {
            triage_error_set(d->err, TRIAGE_ENOMEM, d->file, d->line, NULL, NULL, "out of memory");
            return -1;
        }
        if (d->res == d->local) memcpy(n, d->local, sizeof d->local);
        d->res = n;
        d->capres = cap;
    }
    fx_res *x = &d->res[d->nres++];
    x->r = r;
    x->type = fxd_str(r, "resourceType");
    x->id = fxd_str(r, "id");
    x->url = url;
    x->host = host;
    x->include = include;
    x->entry = entry;
    x->contained = contained;
    return d->nres - 1;
}

/* ------------------------------------------------------- FHIR R4 only */

/* Version segments of a profile URL ("http://hl7.org/fhir/R5/...",
** "http://hl7.org/fhir/STU3/StructureDefinition/..."). */
static const struct { const char *seg, *version; } fxd_versions[] = {
    {"/DSTU2/", "DSTU2"}, {"/STU3/", "STU3"}, {"/R4B/", "R4B"}, {"/R5/", "R5"},
    {"/R6/", "R6"}, {"/fhir/1.0", "DSTU2"}, {"/fhir/3.0", "STU3"},
    {"/fhir/4.3", "R4B"}, {"/fhir/5.0", "R5"}, {"/fhir/6.0", "R6"},
};

/* Elements that exist in another version only, where a referral is read. */
static const struct { const char *type, *member, *sub, *path, *version, *instead; } fxd_markers[] = {
    {"ServiceRequest", "reason", NULL, ".reason", "R5", "R4 has reasonCode and reasonReference"},
    {"ServiceRequest", "code", "concept", ".code.concept", "R5", "R4's code is a CodeableConcept"},
    {"ServiceRequest", "requester", "agent", ".requester.agent", "STU3",
     "R4's requester is a Reference"},
    {"MessageHeader", "eventCanonical", NULL, ".eventCanonical", "R5", "R4 has eventCoding"},
    {"MessageHeader", "event", NULL, ".event", "STU3", "R4 has eventCoding"},
    {"Bundle", "issues", NULL, ".issues", "R5", "R4 has no Bundle.issues"},
};

/* Resource i (-1: the Bundle itself, x) is FHIR R4 as far as can be told. */
static int fxd_version(fx_doc *d, const fx_res *x, int i)
{
    char q[RF_QUOTE_MAX];
    fx_at at = fx_at_res(i);
    const char *v = fxd_str(x->r, "fhirVersion");
    if (v && strncmp(v, "4.0", 3) != 0) {
        fx_at p = fx_in(at, ".fhirVersion", 0);
        return fxd_fail_at(d, &p, "%s is not FHIR R4 (4.0.x); only FHIR R4 is read",
                           rf_quote(q, v, strlen(v)));
    }
    const json_t *meta = json_object_get(x->r, "meta");
    const json_t *prof = meta ? json_object_get(meta, "profile") : NULL;
    for (size_t k = 0; k < json_array_size(prof); k++) {
        const char *u = json_string_value(json_array_get(prof, k));
        for (size_t j = 0; u && j < sizeof fxd_versions / sizeof *fxd_versions; j++)
            if (strstr(u, fxd_versions[j].seg)) {
                fx_at p = fx_in(at, ".meta.profile[%d]", (int)k);
                return fxd_fail_at(d, &p, "is a FHIR %s profile; only FHIR R4 is read",
                                   fxd_versions[j].version);
            }
    }
    if (!x->type) return 0;
    int sr = !strcmp(x->type, "ServiceRequest");
    if (!sr && strcmp(x->type, "MessageHeader") && strcmp(x->type, "Bundle")) return 0;
    for (size_t j = 0; j < sizeof fxd_markers / sizeof *fxd_markers; j++) {
        const json_t *m;
        if (strcmp(x->type, fxd_markers[j].type) != 0 ||
            !(m = json_object_get(x->r, fxd_markers[j].member)))
            continue;
        if (fxd_markers[j].sub && !json_object_get(m, fxd_markers[j].sub)) continue;
        fx_at p = fx_in(at, fxd_markers[j].path, 0);
        return fxd_fail_at(d, &p, "is FHIR %s (%s); only FHIR R4 is read",
                           fxd_markers[j].version, fxd_markers[j].instead);
    }
    /* R5's supportingInfo is a CodeableReference: {"reference": {...}} */
    if (sr) {
        const json_t *si = json_object_get(x->r, "supportingInfo");
        for (size_t k = 0; k < json_array_size(si); k++)
            if (json_is_object(json_object_get(json_array_get(si, k), "reference")) ||
                json_object_get(json_array_get(si, k), "concept")) {
                fx_at p = fx_in(at, ".supportingInfo[%d]", (int)k);
                return fxd_fail_at(d, &p, "is FHIR R5 (a CodeableReference); only FHIR R4 "
                                   "is read");
            }
    }
    return 0;
}

/* ------------------------------------------------------------- opening */

/* Add resource r (Bundle entry entry, or -1: sent alone) and the
** resources it contains; its index, or -1. */
static int fxd_take(fx_doc *d, json_t *r, int entry, const char *url, int include)
{
    if (!json_is_string(json_object_get(r, "resourceType"))) {
        char p[FX_PATH_MAX];
        if (entry < 0) snprintf(p, sizeof p, "ServiceRequest.resourceType");
        else snprintf(p, sizeof p, "Bundle.entry[%d].resource.resourceType", entry);
        return fxd_fail(d, p, "%s", json_object_get(r, "resourceType") ? "must be a string"
                                                                       : "missing");
    }
    int host = fxd_add(d, r, entry, -1, url, -1, include);
    if (host < 0 || fxd_version(d, &d->res[host], host)) return -1;
    const json_t *c = json_object_get(r, "contained");
    if (c && !json_is_array(c)) {
        fx_at at = fx_in(fx_at_res(host), ".contained", 0);
        return fxd_fail_list(d, &at, c);
    }
    for (size_t k = 0; k < json_array_size(c); k++) {
        json_t *cr = json_array_get(c, k);
        fx_at at = fx_in(fx_at_res(host), ".contained[%d]", (int)k);
        if (!json_is_object(cr))
            return fxd_fail_at(d, &at, "must be a resource (an object), not %s", rf_typename(cr));
        if (!json_is_string(json_object_get(cr, "resourceType"))) {
            at = fx_in(at, ".resourceType", 0);
            return fxd_fail_at(d, &at, "missing");
        }
        int i = fxd_add(d, cr, entry, (int)k, NULL, host, 0);
        if (i < 0 || fxd_version(d, &d->res[i], i)) return -1;
    }
    return host;
}

static const char *const fxd_events[] = {NULL, "new-referral", "update-referral", "cancel-referral"};

static int fxd_message(fx_doc *d)
{
    char q[RF_QUOTE_MAX];
    if (d->nres == 0 || strcmp(d->res[0].type, "MessageHeader") != 0)
        return fxd_fail(d, "Bundle.entry[0].resource",
                        "a message Bundle starts with a MessageHeader, not %s",
                        d->nres ? d->res[0].type : "nothing");
    d->header = 0;
    const fx_res *h = &d->res[0];
    fx_at at = fx_at_res(0), p;
    if (!h->id)
        return p = fx_in(at, ".id", 0),
               fxd_fail_at(d, &p, "missing (the answer names the message it answers)");
    if (json_object_get(h->r, "eventUri"))
        return p = fx_in(at, ".eventUri", 0),
               fxd_fail_at(d, &p, "is not read: a referral message has eventCoding (%s)",
                           FX_SYS_EVENT);
    const json_t *ev = json_object_get(h->r, "eventCoding");
    if (!json_is_object(ev)) return p = fx_in(at, ".eventCoding", 0), fxd_fail_at(d, &p, "missing");
    const char *sys = fxd_str(ev, "system"), *code = fxd_str(ev, "code");
    if (sys && strcmp(sys, FX_SYS_EVENT) != 0)
        return p = fx_in(at, ".eventCoding.system", 0),
               fxd_fail_at(d, &p, "%s is not MedCom's referral events (%s)",
                           rf_quote(q, sys, strlen(sys)), FX_SYS_EVENT);
    for (int e = FX_EVENT_NEW; code && e <= FX_EVENT_CANCEL; e++)
        if (strcmp(code, fxd_events[e]) == 0) d->event = (fx_event)e;
    if (d->event == FX_EVENT_NONE)
        return p = fx_in(at, ".eventCoding.code", 0),
               fxd_fail_at(d, &p, code ? "%s is not a referral event (new-referral, "
                           "update-referral, cancel-referral)" : "missing%s",
                           code ? rf_quote(q, code, strlen(code)) : "");
    return 0;
}

static int fxd_bundle(fx_doc *d, json_t *b)
{
    char p[FX_PATH_MAX], p2[FX_PATH_MAX], q[RF_QUOTE_MAX];
    const char *type = fxd_str(b, "type");
    static const char *const types[] = {"collection", "transaction", "searchset", "message"};
    int t = -1;
    for (int i = 0; type && i < 4; i++)
        if (strcmp(type, types[i]) == 0) t = i;
    if (t < 0)
        return fxd_fail(d, "Bundle.type", type ? "%s is not read (collection, transaction, "
                        "searchset or message)" : "missing%s",
                        type ? rf_quote(q, type, strlen(type)) : "");
    const json_t *entries = json_object_get(b, "entry");
    if (entries && !json_is_array(entries))
        return fxd_fail(d, "Bundle.entry", "must be an array, not %s", rf_typename(entries));
    for (size_t i = 0; i < json_array_size(entries); i++) {
        json_t *e = json_array_get(entries, i), *r;
        if (!json_is_object(e)) {
            snprintf(p, sizeof p, "Bundle.entry[%zu]", i);
            return fxd_fail(d, p, "must be an object, not %s", rf_typename(e));
        }
        if (!(r = json_object_get(e, "resource"))) continue;   /* a DELETE in a transaction */
        const json_t *search = json_object_get(e, "search");
        const char *mode = search ? fxd_str(search, "mode") : NULL;
        if (!json_is_object(r)) {
            snprintf(p, sizeof p, "Bundle.entry[%zu].resource", i);
            return fxd_fail(d, p, "must be an object, not %s", rf_typename(r));
        }
        if (fxd_take(d, r, (int)i, fxd_str(e, "fullUrl"), mode && !strcmp(mode, "include")) < 0)
            return -1;
    }
    if (t == 3 && fxd_message(d)) return -1;
    for (int i = 0; i < d->nres; i++) {
        if (d->res[i].host >= 0 || d->res[i].include ||
            strcmp(d->res[i].type, "ServiceRequest") != 0)
            continue;
        if (d->sr >= 0)
            return fxd_fail(d, fxd_res_path(d, i, p), "a second ServiceRequest (the first is "
                            "%s): send one referral per Bundle", fxd_res_path(d, d->sr, p2));
        d->sr = i;
    }
    if (d->sr < 0) return fxd_fail(d, "Bundle", "holds no ServiceRequest (the referral)");
    if (d->header >= 0) {   /* the message is about this referral */
        const json_t *focus = json_object_get(d->res[d->header].r, "focus");
        for (size_t k = 0; k < json_array_size(focus); k++) {
            fx_at at = fx_in(fx_at_res(d->header), ".focus[%d]", (int)k);
            int f = fxd_resolve(d, json_array_get(focus, k), &at, NULL);
            if (f < 0) return -1;
            if (f != d->sr)
                return fxd_fail_at(d, &at, "points at %s (a %s), not at the ServiceRequest",
                                   fxd_res_path(d, f, p), d->res[f].type);
        }
    }
    return 0;
}

int fxd_open(fx_doc *d, json_t *doc, const char *file, long line, triage_error *err)
{
    char q[RF_QUOTE_MAX];
    d->root = doc;
    d->res = d->local;
    d->nres = 0;
    d->capres = (int)(sizeof d->local / sizeof *d->local);
    d->alone = 0;
    d->sr = d->header = -1;
    d->event = FX_EVENT_NONE;
    d->err = err;
    d->file = file;
    d->line = line;
    d->id = NULL;
    const char *rt = fxd_str(doc, "resourceType");
    if (!rt) return fxd_fail(d, "resourceType", "must be a string");
    if (strcmp(rt, "Bundle") == 0) {
        fx_res b = {.r = doc, .type = rt, .host = -1, .entry = -1, .contained = -1};
        return fxd_version(d, &b, -1) ? -1 : fxd_bundle(d, doc);
    }
    if (strcmp(rt, "ServiceRequest") == 0) {
        d->alone = 1;
        return (d->sr = fxd_take(d, doc, -1, NULL, 0)) < 0 ? -1 : 0;
    }
    if (strcmp(rt, "ReferralRequest") == 0 || strcmp(rt, "ProcedureRequest") == 0)
        return fxd_fail(d, "resourceType", "%s is FHIR STU3; only FHIR R4 (a ServiceRequest)"
                        " is read", rf_quote(q, rt, strlen(rt)));
    return fxd_fail(d, "resourceType", "%s is not a referral: send a ServiceRequest, or a "
                    "Bundle that holds one", rf_quote(q, rt, strlen(rt)));
}

void fxd_close(fx_doc *d)
{
    if (d->res != d->local) free(d->res);
    d->res = NULL;
    d->nres = d->capres = 0;
}

/* ---------------------------------------------------------- references */

static int fxd_same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* "Type/id" (with an optional "/_history/v") into type and id. */
static int fxd_split(const char *s, char *type, size_t tcap, char *id, size_t icap)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || (size_t)(slash - s) >= tcap) return 0;
    memcpy(type, s, (size_t)(slash - s));
    type[slash - s] = '\0';
    const char *end = strstr(slash + 1, "/_history/");
    size_t n = end ? (size_t)(end - slash - 1) : strlen(slash + 1);
    if (n == 0 || n >= icap || memchr(slash + 1, '/', n)) return 0;
    memcpy(id, slash + 1, n);
    id[n] = '\0';
    return 1;
}

/* Resource i matches: the first goes to two[0], the second to two[1]; a
** reference that two resources answer to is ambiguous, never the first's. */
static int fxd_match(int two[2], int i)
{
    two[two[0] < 0 ? 0 : 1] = i;
    return two[1] >= 0;
}

/* What ref resolves to from resource from: two[0] (-1: nothing); two[1] a
** second resource that answers to it as well, else -1. */
static void fxd_lookup(const fx_doc *d, const char *ref, int from, int two[2])
{
    char type[64], id[128], url[512];
    two[0] = two[1] = -1;
    if (ref[0] == '#') {                         /* contained in the same host */
        int host = d->res[from].host >= 0 ? d->res[from].host : from;
        if (!ref[1]) {
            two[0] = host;
            return;
        }
        for (int i = 0; i < d->nres; i++)
            if (d->res[i].host == host && fxd_same(d->res[i].id, ref + 1) && fxd_match(two, i))
                return;
        return;
    }
    if (d->alone) return;                        /* alone: only #id resolves */
    for (int i = 0; i < d->nres; i++)            /* 1. a fullUrl */
        if (d->res[i].host < 0 && fxd_same(d->res[i].url, ref) && fxd_match(two, i)) return;
    if (two[0] >= 0) return;
    if (strstr(ref, "://")) {                    /* else its Type/id tail, as below */
        const char *h = strstr(ref, "/_history/"), *end = h ? h : ref + strlen(ref);
        const char *t = end;
        for (int slashes = 0; t > ref; t--)
            if (t[-1] == '/' && ++slashes == 2) break;
        ref = t;
    }
    if (!fxd_split(ref, type, sizeof type, id, sizeof id)) return;
    const char *base = d->res[from].host >= 0 ? d->res[d->res[from].host].url
                                               : d->res[from].url;
    if (base) {                                  /* 2. relative to the entry's base */
        const char *ft = d->res[from].host >= 0 ? d->res[d->res[from].host].type
                                                : d->res[from].type;
        const char *at = strstr(base, ft);
        if (at && at > base && at[-1] == '/') {
            snprintf(url, sizeof url, "%.*s%s/%s", (int)(at - base), base, type, id);
            for (int i = 0; i < d->nres; i++)
                if (d->res[i].host < 0 && fxd_same(d->res[i].url, url) && fxd_match(two, i))
                    return;
            if (two[0] >= 0) return;
        }
    }
    for (int i = 0; i < d->nres; i++)            /* 3. Type/id */
        if (d->res[i].host < 0 && fxd_same(d->res[i].type, type) &&
            fxd_same(d->res[i].id, id) && fxd_match(two, i))
            return;
}

int fxd_find(const fx_doc *d, const char *ref, int from)
{
    int two[2];
    fxd_lookup(d, ref, from, two);
    return two[1] >= 0 ? -2 : two[0];
}

int fxd_resolve(fx_doc *d, const json_t *ref, const fx_at *at, const char *want)
{
    char q[RF_QUOTE_MAX], list[96];
    if (!json_is_object(ref))
        return fxd_fail_at(d, at, "must be a Reference (an object), not %s", rf_typename(ref));
    const char *s = fxd_str(ref, "reference");
    if (!s)
        return fxd_fail_at(d, at, json_object_get(ref, "reference")
                           ? "reference must be a string" : "has no reference%s: the resource "
                           "must be sent with the referral", json_object_get(ref, "display")
                           ? " (only a display)" : json_object_get(ref, "identifier")
                           ? " (only an identifier)" : "");
    int two[2];
    fxd_lookup(d, s, at->res, two);
    int i = two[0];
    if (two[1] >= 0) {
        char p1[FX_PATH_MAX], p2[FX_PATH_MAX];
        fx_at p = fx_in(*at, ".reference", 0);
        return fxd_fail_at(d, &p, "%s is ambiguous: %s and %s both answer to it",
                           rf_quote(q, s, strlen(s)), fxd_res_path(d, two[0], p1),
                           fxd_res_path(d, two[1], p2));
    }
    if (i < 0) {
        fx_at p = fx_in(*at, ".reference", 0);
        return fxd_fail_at(d, &p, "%s is not %s", rf_quote(q, s, strlen(s)),
                           s[0] == '#' || d->alone
                           ? "among the contained resources (a ServiceRequest sent alone "
                             "contains what it refers to)"
                           : "in the Bundle (no entry has that fullUrl or Type/id)");
    }
    if (!want) return i;
    /* the type between bars in want: "|Patient|Group|" */
    size_t tl = strlen(d->res[i].type);
    for (const char *w = strstr(want, d->res[i].type); w; w = strstr(w + 1, d->res[i].type))
        if (w[-1] == '|' && w[tl] == '|') return i;
    snprintf(list, sizeof list, "%s", want + 1);
    list[strlen(list) - 1] = '\0';
    for (char *c = list; *c; c++) if (*c == '|') *c = '/';
    char where[FX_PATH_MAX];
    return fxd_fail_at(d, at, "points at a %s (%s), not a %s", d->res[i].type,
                       fxd_res_path(d, i, where), list);
}
