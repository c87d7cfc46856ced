/*
** cds_call.c — one CDS Hooks call (docs/cds.md, "A call"): the request is
** parsed once and checked; each draft ServiceRequest goes, with the other
** draftOrders entries and the prefetch, into a collection Bundle built from
** the parsed values and handed to the FHIR reader as it is (never written
** out as text and parsed again); decided, and answered with its cards.
** A Patient or requester that neither carries is read from the request's
** fhirServer (cds_fetch.c), once a call.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cds.h"
#include "fhir.h"

static const char *cc_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A malformed request: TRIAGE_EINVAL naming the field (a 400). */
static int cc_bad(triage_error *err, const char *field, const char *msg)
{
    triage_error_set(err, TRIAGE_EINVAL, NULL, 0, NULL, field, "%s", msg);
    return -1;
}

/* Whether resource res is type/id as reference ref names it ("Patient/1",
** a full URL ending so), or the entry's fullUrl is ref. */
static int cc_is(const json_t *entry, const char *ref)
{
    const json_t *res = json_object_get(entry, "resource");
    const char *url = cc_str(entry, "fullUrl"), *type = cc_str(res, "resourceType"),
               *id = cc_str(res, "id");
    if (url && !strcmp(url, ref)) return 1;
    if (!type || !id) return 0;
    size_t tl = strlen(type), il = strlen(id), rl = strlen(ref);
    if (rl < tl + il + 1) return 0;
    const char *tail = ref + rl - (tl + il + 1);
    return (tail == ref || tail[-1] == '/') && !strncmp(tail, type, tl) && tail[tl] == '/' &&
           !strcmp(tail + tl + 1, id);
}

/* Whether reference ref of sr can be found: contained, or an entry. */
static int cc_found(const json_t *sr, const json_t *entries, const char *ref)
{
    const json_t *e;
    size_t i;
    if (ref[0] == '#') {
        json_array_foreach(json_object_get(sr, "contained"), i, e) {
            const char *id = cc_str(e, "id");
            if (id && !strcmp(id, ref + 1)) return 1;
        }
        return 0;
    }
    json_array_foreach(entries, i, e)
        if (cc_is(e, ref)) return 1;
    return 0;
}

/* Add prefetch value v (a resource, or a searchset Bundle of them) to entries. */
static void cc_prefetched(json_t *entries, const json_t *v)
{
    const char *type = cc_str(v, "resourceType");
    if (!type) return;
    if (!strcmp(type, "Bundle")) {
        const json_t *e;
        size_t i;
        json_array_foreach(json_object_get(v, "entry"), i, e)
            if (json_object_get(e, "resource")) json_array_append(entries, (json_t *)e);
        return;
    }
    json_array_append_new(entries, json_pack("{s:O}", "resource", v));
}

/* Today in Europe/Copenhagen, for a draft without authoredOn. */
static void cc_today(char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    /* Copenhagen: UTC+1, +2 from the last Sunday of March to the last of October, 01:00 UTC */
    gmtime_r(&t, &tm);
    int y = tm.tm_year + 1900;
    struct tm a = {0}, b = {0};
    a.tm_year = b.tm_year = y - 1900;
    a.tm_mon = 2; a.tm_mday = 31; a.tm_hour = 1;
    b.tm_mon = 9; b.tm_mday = 31; b.tm_hour = 1;
    time_t ta = timegm(&a), tb = timegm(&b);
    struct tm wa, wb;
    gmtime_r(&ta, &wa);
    gmtime_r(&tb, &wb);
    ta -= (time_t)wa.tm_wday * 86400;       /* back to the last Sunday */
    tb -= (time_t)wb.tm_wday * 86400;
    t += t >= ta && t < tb ? 7200 : 3600;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* What one call is: where it is answered from, and the cards so far. */
typedef struct cc_call {
    const triage_cds *cds;
    triage_decider *dc;
    triage_store *st;
    const char *service, *hook_instance;
    json_t *cards;              /* the cards of every draft, once there are two */
    char *text;                 /* the answer while there is one draft */
    int n;                      /* drafts answered */
    int status;                 /* 0, 412 (text is the OperationOutcome), or -1 (err) */
    triage_error *err;
    const char *server, *token; /* fhirServer and fhirAuthorization's token, or NULL */
    char want[2][128];          /* what prefetch stands for: Patient/{patientId}, {userId} */
    json_t *fetched;            /* entries read from fhirServer, once per call */
} cc_call;

/* A 412: the OperationOutcome naming the draft's field (expression path). */
static void cc_412(cc_call *q, const char *path, const char *msg)
{
    triage_error e412;
    triage_error_set(&e412, TRIAGE_EINVAL, NULL, 0, NULL, path, "%s", msg);
    free(q->text);
    q->text = triage_fhir_outcome(&e412, "processing");
    q->status = q->text ? 412 : -1;
    if (!q->text) triage_error_set(q->err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
}

/* Read what prefetch key k stands for from fhirServer into entries (and
** q->fetched, for the call's other drafts): 0, or -1 with the 412 set. */
static int cc_fetch(cc_call *q, json_t *entries, int k, const char *path)
{
    char why[200], m[400];
    json_t *res = cds_fetch(q->server, q->token, q->want[k], why, sizeof why);
    if (!res) {
        /* the requester's type, when userId has a plain one: never anything else of it */
        size_t t = strspn(q->want[k], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        int typed = k && t && q->want[k][t] == '/';
        snprintf(m, sizeof m, "the draft's %s (context.%s%s%.*s) is neither in "
                 "context.draftOrders nor in prefetch, and could not be fetched: %s",
                 k ? "requester" : "Patient", k ? "userId" : "patientId", typed ? ", a " : "",
                 typed ? (int)t : 0, q->want[k], why);
        cc_412(q, path, m);
        return -1;
    }
    json_t *entry = json_pack("{s:o}", "resource", res);
    if (!entry || json_array_append(q->fetched, entry) || json_array_append(entries, entry)) {
        json_decref(entry);
        q->status = -1;
        triage_error_set(q->err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
        return -1;
    }
    json_decref(entry);
    return 0;
}

/* The collection Bundle the reader reads for draft ServiceRequest sr: sr
** (with authoredOn and an id when it has none), the other draftOrders
** entries and every prefetched resource, each shared with the request, not
** copied (the reader only reads them). NULL with q->status 412 (the Patient
** or requester is not at hand) or -1 (out of memory). */
static json_t *cc_bundle(cc_call *q, const json_t *sr, const json_t *draft,
                         const json_t *prefetch)
{
    json_t *entries = json_array(), *copy = json_deep_copy(sr);
    const json_t *e;
    const char *key;
    size_t i;
    char today[11];
    if (!entries || !copy) {
        json_decref(entries);
        json_decref(copy);
        q->status = -1;
        triage_error_set(q->err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
        return NULL;
    }
    if (!cc_str(copy, "authoredOn")) {           /* a draft is written today */
        cc_today(today);
        json_object_set_new(copy, "authoredOn", json_string(today));
    }
    if (!cc_str(copy, "id") && !json_object_get(copy, "identifier"))
        json_object_set_new(copy, "id", json_string("draft"));
    json_array_append_new(entries, json_pack("{s:o}", "resource", copy));
    json_array_foreach(json_object_get(draft, "entry"), i, e) {
        const char *type = cc_str(json_object_get(e, "resource"), "resourceType");
        if (type && strcmp(type, "ServiceRequest")) json_array_append(entries, (json_t *)e);
    }
    json_object_foreach((json_t *)prefetch, key, e)
        if (json_is_object(e)) cc_prefetched(entries, e);
    json_array_extend(entries, q->fetched);
    /* The Patient and the requester must be at hand: in the draft, prefetched,
    ** or (with fhirServer) fetched from the client's FHIR server. */
    static const char *const need[][2] = {{"subject", "Patient"}, {"requester", "requester"}};
    for (int k = 0; k < 2; k++) {
        const char *ref = cc_str(json_object_get(sr, need[k][0]), "reference");
        if (!ref || cc_found(copy, entries, ref)) continue;
        char path[64], m[400];
        snprintf(path, sizeof path, "ServiceRequest.%s", need[k][0]);
        if (q->server) {
            if (cc_fetch(q, entries, k, path)) {
                json_decref(entries);
                return NULL;
            }
            if (cc_found(copy, entries, ref)) continue;
        }
        snprintf(m, sizeof m, "the draft's %s is neither in context.draftOrders nor in "
                 "prefetch (key %s)%s", need[k][1], k ? "requester" : "patient",
                 q->server ? ", and what fhirServer has for the context's "
                             "(context.patientId, context.userId) is not what the draft names"
                           : ": send the prefetch, or fhirServer to read it from");
        json_decref(entries);
        cc_412(q, path, m);
        return NULL;
    }
    json_t *bundle = json_pack("{s:s, s:s, s:o}", "resourceType", "Bundle", "type",
                               "collection", "entry", entries);
    if (!bundle) {
        q->status = -1;
        triage_error_set(q->err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
    }
    return bundle;
}

/* Decide one draft ServiceRequest sr and add its cards. */
static void cc_one(cc_call *q, const json_t *sr, const json_t *draft, const json_t *prefetch)
{
    json_t *bundle = cc_bundle(q, sr, draft, prefetch);
    if (!bundle) return;
    /* Read as the in-memory reader read the Bundle's text before (no file
    ** label, line 1), so that an unreadable draft's card says the same. */
    triage_error err = {0}, why;
    triage_referral *r = NULL;
    char *cards = NULL;
    if (fx_read(bundle, "", 1, &r, NULL, &why) == FX_REFERRAL) {
        triage_decision *d = triage_decide(q->dc, r, 0);
        cards = d ? triage_cds_cards(q->cds, q->st, q->service, q->hook_instance, d, r, NULL,
                                     &err) : NULL;
        triage_decision_free(d);
    } else {
        cards = triage_cds_cards(q->cds, q->st, q->service, q->hook_instance, NULL, NULL, &why,
                                 &err);
    }
    triage_referral_free(r);
    if (cards && !q->n++) {             /* one draft, the usual: its answer as it is */
        q->text = cards;
        return;
    }
    if (cards && q->n == 2) {           /* a second: the first's cards into the list */
        json_t *first = json_loads(q->text, 0, NULL);
        json_array_extend(q->cards, json_object_get(first, "cards"));
        json_decref(first);
        free(q->text);
        q->text = NULL;
    }
    json_t *got = cards ? json_loads(cards, 0, NULL) : NULL;
    free(cards);
    if (!got) {
        q->status = -1;
        triage_error_set(q->err, err.code == TRIAGE_ESTORE ? TRIAGE_ESTORE : TRIAGE_ENOMEM,
                         NULL, 0, NULL, NULL, "the cards could not be made: %s", err.text);
        return;
    }
    json_array_extend(q->cards, json_object_get(got, "cards"));
    json_decref(got);
}

/* Whether ServiceRequest sr is among selections ("ServiceRequest/ID"). */
static int cc_selected(const json_t *sr, const json_t *selections)
{
    const char *id = cc_str(sr, "id");
    const json_t *s;
    size_t i;
    char want[160];
    if (!id) return 0;
    snprintf(want, sizeof want, "ServiceRequest/%s", id);
    json_array_foreach(selections, i, s)
        if (json_string_value(s) && !strcmp(json_string_value(s), want)) return 1;
    return 0;
}

/* The request's fields checked in the order docs/cds.md lists them: -1
** with err naming the first one wrong, 0 when all are well. */
static int cc_check(const json_t *body, const char *offered, triage_error *err)
{
    const char *hook = cc_str(body, "hook"), *instance = cc_str(body, "hookInstance");
    const json_t *ctx = json_object_get(body, "context"), *prefetch = json_object_get(body, "prefetch");
    const json_t *draft = json_object_get(ctx, "draftOrders");
    const json_t *sel = json_object_get(ctx, "selections");
    const json_t *server = json_object_get(body, "fhirServer");
    int select = hook && !strcmp(hook, "order-select");
    if (!hook) return cc_bad(err, "hook", "missing, or not a text");
    if (strcmp(hook, offered)) {
        char m[160];
        snprintf(m, sizeof m, "'%.40s' is not this service's hook (%s)", hook, offered);
        return cc_bad(err, "hook", m);
    }
    if (!instance || !*instance) return cc_bad(err, "hookInstance", "missing, or not a text");
    if (!json_is_object(ctx)) return cc_bad(err, "context", "missing, or not an object");
    if (!cc_str(ctx, "userId")) return cc_bad(err, "context.userId", "missing, or not a text");
    if (!cc_str(ctx, "patientId"))
        return cc_bad(err, "context.patientId", "missing, or not a text");
    if (!draft || strcmp(cc_str(draft, "resourceType") ? cc_str(draft, "resourceType") : "",
                         "Bundle"))
        return cc_bad(err, "context.draftOrders", "missing, or not a FHIR Bundle");
    if (!json_is_array(json_object_get(draft, "entry")) && json_object_get(draft, "entry"))
        return cc_bad(err, "context.draftOrders.entry", "must be an array");
    if (select && (!json_is_array(sel) || !json_array_size(sel)))
        return cc_bad(err, "context.selections", "order-select needs the selected orders, "
                      "e.g. [\"ServiceRequest/1\"]");
    if (prefetch && !json_is_object(prefetch)) return cc_bad(err, "prefetch", "must be an object");
    if (server && !json_is_string(server)) return cc_bad(err, "fhirServer", "must be a URL");
    const json_t *auth = json_object_get(body, "fhirAuthorization");
    if (auth && !server) return cc_bad(err, "fhirServer", "required with fhirAuthorization");
    if (auth && (!json_is_object(auth) || !cc_str(auth, "access_token")))
        return cc_bad(err, "fhirAuthorization.access_token", "missing, or not a text");
    if (auth && cc_str(auth, "token_type") && strcmp(cc_str(auth, "token_type"), "Bearer"))
        return cc_bad(err, "fhirAuthorization.token_type", "must be Bearer");
    return 0;
}

char *triage_cds_call(const triage_cds *c, triage_decider *dc, triage_store *st,
                      const char *service, const char *json, size_t len, int *status,
                      triage_error *err)
{
    const char *offered = c ? triage_cds_service_hook(c, service) : NULL;
    *status = 0;
    if (!offered || !dc) {
        triage_error_set(err, c && dc ? TRIAGE_ENOTFOUND : TRIAGE_EUSAGE, NULL, 0, NULL, NULL,
                         c && dc ? "no such CDS service" : "no writer or no decider");
        return NULL;
    }
    json_error_t je;
    json_t *body = json_loadb(json, len, 0, &je);
    if (!json_is_object(body)) {
        json_decref(body);
        char m[200];
        snprintf(m, sizeof m, "the request is not a JSON object%s%s", body ? "" : ": ",
                 body ? "" : je.text);
        cc_bad(err, "body", m);
        return NULL;
    }
    if (cc_check(body, offered, err)) {
        json_decref(body);
        return NULL;
    }
    const json_t *ctx = json_object_get(body, "context");
    const json_t *draft = json_object_get(ctx, "draftOrders"), *sel = json_object_get(ctx, "selections");
    const json_t *prefetch = json_object_get(body, "prefetch"), *en;
    int select = !strcmp(cc_str(body, "hook"), "order-select");
    cc_call q = {c, dc, st, service, cc_str(body, "hookInstance"), json_array(), NULL, 0, 0, err,
                 cc_str(body, "fhirServer"),
                 cc_str(json_object_get(body, "fhirAuthorization"), "access_token"), {{0}},
                 json_array()};
    /* One too long for want is no FHIR Type/id: left empty, cds_fetch says so. */
    if (snprintf(q.want[0], sizeof q.want[0], "Patient/%s", cc_str(ctx, "patientId")) >=
        (int)sizeof q.want[0])
        q.want[0][0] = '\0';
    if (snprintf(q.want[1], sizeof q.want[1], "%s", cc_str(ctx, "userId")) >=
        (int)sizeof q.want[1])
        q.want[1][0] = '\0';
    size_t i;
    json_array_foreach(json_object_get(draft, "entry"), i, en) {
        const json_t *res = json_object_get(en, "resource");
        const char *type = cc_str(res, "resourceType");
        if (!type || strcmp(type, "ServiceRequest") || (select && !cc_selected(res, sel)))
            continue;
        cc_one(&q, res, draft, prefetch);
        if (q.status) break;
    }
    char *text = NULL;
    if (q.status) {                     /* 412: its OperationOutcome; -1: err says */
        text = q.status > 0 ? q.text : (free(q.text), NULL);
        *status = q.status > 0 ? q.status : 0;
    } else if (q.n == 1) {
        text = q.text;
        *status = 200;
    } else {
        json_t *o = json_pack("{s:O}", "cards", q.cards);
        text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        *status = text ? 200 : 0;
        if (!text) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
    }
    json_decref(q.cards);
    json_decref(q.fetched);
    json_decref(body);
    return text;
}
