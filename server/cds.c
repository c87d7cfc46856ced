/*
** cds.c — HL7 CDS Hooks 2.0 over HTTP (docs/cds.md): discovery lists the
** rule set's services; a call maps each draft ServiceRequest of
** context.draftOrders (with the Patient and requester from the Bundle or
** prefetch) onto a referral with the engine's FHIR reader, decides it with
** the active rules and answers the cards (triage_cds_cards); the draft is
** never stored. Feedback is recorded per card. Every reply has CORS headers.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cds.h"
#include "fhir.h"

#define CDS_JSON "application/json; charset=utf-8"

int cds_path(const char *url)
{
    return !strncmp(url, "/cds-services", 13) && (url[13] == '\0' || url[13] == '/');
}

void cds_cors(sv_call *c, struct MHD_Response *r)
{
    /* Without trusted clients configured the service is for this machine
    ** (and the same-origin page /henvis): no other site's script may read
    ** its answers, or it could probe what the store knows of a child. */
    if (!sv_cds(c->srv)) return;
    const char *origin = sv_header(c, "Origin");
    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin && *origin ? origin : "*");
    if (origin && *origin) MHD_add_response_header(r, "Vary", "Origin");
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers",
                            "Authorization, Content-Type, Accept");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "WWW-Authenticate");
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
}

sv_result cds_preflight(sv_call *c)
{
    return sv_send(c, 204, "text/plain", "", 0, MHD_RESPMEM_PERSISTENT);
}

/* An OperationOutcome (412: what the service could not get). */
static sv_result cds_outcome(sv_call *c, int status, const char *path, const char *msg)
{
    triage_error e;
    triage_error_set(&e, TRIAGE_EINVAL, NULL, 0, NULL, path, "%s", msg);
    return sv_text(c, status, "application/fhir+json; charset=utf-8",
                   triage_fhir_outcome(&e, "processing"));
}

/* A malformed request: 400 naming the field. */
static sv_result cds_bad(sv_call *c, const char *field, const char *msg)
{
    char m[300];
    snprintf(m, sizeof m, "%s: %s", field, msg);
    return sv_error(c, 400, m, json_pack("{s:s}", "field", field));
}

/* The card writer on the worker's active rule set, made again after a
** reload; NULL with *e when the rule set has no valid data/cds.json. */
static triage_cds *cds_writer(sv_worker *w, triage_error *e)
{
    triage_ruleset *rs = triage_decider_ruleset(w->dc_db);
    if (w->cds && w->cds_rs == rs) return w->cds;
    triage_cds_close(w->cds);
    triage_ruleset_release(w->cds_rs);
    w->cds_rs = NULL;
    if ((w->cds = triage_cds_open(w->dc_db, e))) w->cds_rs = triage_ruleset_retain(rs);
    return w->cds;
}

/* ------------------------------------------------------------ discovery */

sv_result cds_discovery(sv_call *c)
{
    triage_error e;
    triage_cds *cds = cds_writer(c->w, &e);
    char *text = cds ? triage_cds_services(cds, &e) : NULL;
    return text ? sv_text(c, 200, CDS_JSON, text) : sv_error(c, 500, e.text, NULL);
}

/* ---------------------------------------------------------------- calls */

static const char *cds_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Whether resource res is type/id as reference ref names it ("Patient/1",
** a full URL ending so), or the entry's fullUrl is ref. */
static int cds_is(const json_t *entry, const char *ref)
{
    const json_t *res = json_object_get(entry, "resource");
    const char *url = cds_str(entry, "fullUrl"), *type = cds_str(res, "resourceType"),
               *id = cds_str(res, "id");
    if (url && !strcmp(url, ref)) return 1;
    if (!type || !id) return 0;
    size_t tl = strlen(type), il = strlen(id), rl = strlen(ref);
    if (rl < tl + il + 1) return 0;
    const char *tail = ref + rl - (tl + il + 1);
    return (tail == ref || tail[-1] == '/') && !strncmp(tail, type, tl) && tail[tl] == '/' &&
           !strcmp(tail + tl + 1, id);
}

/* Whether reference ref of sr can be found: contained, or an entry. */
static int cds_found(const json_t *sr, const json_t *entries, const char *ref)
{
    const json_t *e;
    size_t i;
    if (ref[0] == '#') {
        json_array_foreach(json_object_get(sr, "contained"), i, e) {
            const char *id = cds_str(e, "id");
            if (id && !strcmp(id, ref + 1)) return 1;
        }
        return 0;
    }
    json_array_foreach(entries, i, e)
        if (cds_is(e, ref)) return 1;
    return 0;
}

/* Add prefetch value v (a resource, or a searchset Bundle of them) to entries. */
static void cds_prefetched(json_t *entries, const json_t *v)
{
    const char *type = cds_str(v, "resourceType");
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
static void cds_today(char out[11])
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

/* What one call is: the request, and the cards so far. */
typedef struct cds_req {
    sv_call *c;
    triage_cds *cds;
    const char *service, *hook_instance;
    json_t *cards;              /* the cards of every draft, once there are two */
    char *text;                 /* the answer while there is one draft */
    int n;                      /* drafts answered */
    int status;                 /* 0, or the error already answered */
    sv_result answer;
} cds_req;

/* Decide one draft ServiceRequest sr and add its cards. */
static void cds_one(cds_req *q, const json_t *sr, const json_t *draft, const json_t *prefetch,
                    int has_server)
{
    json_t *entries = json_array(), *copy = json_deep_copy(sr);
    const json_t *e;
    const char *key;
    size_t i;
    char today[11];
    if (!cds_str(copy, "authoredOn")) {          /* a draft is written today */
        cds_today(today);
        json_object_set_new(copy, "authoredOn", json_string(today));
    }
    if (!cds_str(copy, "id") && !json_object_get(copy, "identifier"))
        json_object_set_new(copy, "id", json_string("draft"));
    json_array_append_new(entries, json_pack("{s:o}", "resource", copy));
    json_array_foreach(json_object_get(draft, "entry"), i, e) {
        const char *type = cds_str(json_object_get(e, "resource"), "resourceType");
        if (type && strcmp(type, "ServiceRequest")) json_array_append(entries, (json_t *)e);
    }
    json_object_foreach((json_t *)prefetch, key, e)
        if (json_is_object(e)) cds_prefetched(entries, e);
    /* The Patient and the requester must be at hand: in the draft or prefetched. */
    static const char *const need[][2] = {{"subject", "Patient"}, {"requester", "requester"}};
    for (int k = 0; k < 2; k++) {
        const char *ref = cds_str(json_object_get(sr, need[k][0]), "reference");
        if (!ref || cds_found(copy, entries, ref)) continue;
        char path[64], m[400];
        snprintf(path, sizeof path, "ServiceRequest.%s", need[k][0]);
        snprintf(m, sizeof m, "the draft's %s is neither in context.draftOrders nor in "
                 "prefetch (key %s)%s", need[k][1], k ? "requester" : "patient",
                 has_server ? "; this service reads only what the request carries and does "
                              "not query fhirServer: send the prefetch" : "");
        json_decref(entries);
        q->status = 412;
        q->answer = cds_outcome(q->c, 412, path, m);
        return;
    }
    json_t *bundle = json_pack("{s:s, s:s, s:o}", "resourceType", "Bundle", "type",
                               "collection", "entry", entries);
    char *text = bundle ? json_dumps(bundle, JSON_COMPACT) : NULL;
    json_decref(bundle);
    triage_error err = {0}, why;
    triage_reader *rd = text ? triage_reader_open_memory(text, strlen(text), NULL, &err) : NULL;
    free(text);
    triage_referral *r = NULL;
    char *cards = NULL;
    if (rd && triage_reader_next(rd, &r, &why, NULL, NULL) == 1) {
        triage_decision *d = triage_decide(q->c->w->dc_db, r, 0);
        cards = d ? triage_cds_cards(q->cds, q->c->w->db, q->service, q->hook_instance, d, r,
                                     NULL, &err) : NULL;
        triage_decision_free(d);
    } else if (rd) {
        cards = triage_cds_cards(q->cds, q->c->w->db, q->service, q->hook_instance, NULL, NULL,
                                 &why, &err);
    }
    triage_referral_free(r);
    triage_reader_close(rd);
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
        q->status = 500;
        char m[600];
        snprintf(m, sizeof m, "the cards could not be made: %s", err.text);
        q->answer = sv_error(q->c, err.code == TRIAGE_ESTORE ? 503 : 500, m, NULL);
        return;
    }
    json_array_extend(q->cards, json_object_get(got, "cards"));
    json_decref(got);
}

/* Whether ServiceRequest sr is among selections ("ServiceRequest/ID"). */
static int cds_selected(const json_t *sr, const json_t *selections)
{
    const char *id = cds_str(sr, "id");
    const json_t *s;
    size_t i;
    char want[160];
    if (!id) return 0;
    snprintf(want, sizeof want, "ServiceRequest/%s", id);
    json_array_foreach(selections, i, s)
        if (json_string_value(s) && !strcmp(json_string_value(s), want)) return 1;
    return 0;
}

sv_result cds_call(sv_call *c)
{
    triage_error e;
    triage_cds *cds = cds_writer(c->w, &e);
    if (!cds) return sv_error(c, 500, e.text, NULL);
    const char *service = c->tail, *offered = triage_cds_service_hook(cds, service);
    if (!offered) return sv_error(c, 404, "no such CDS service", NULL);
    json_error_t je;
    json_t *body = json_loadb(c->body, c->len, 0, &je);
    if (!json_is_object(body)) {
        json_decref(body);
        char m[200];
        snprintf(m, sizeof m, "the request is not a JSON object%s%s", body ? "" : ": ",
                 body ? "" : je.text);
        return cds_bad(c, "body", m);
    }
    sv_result answer;
    const char *hook = cds_str(body, "hook"), *instance = cds_str(body, "hookInstance");
    const json_t *ctx = json_object_get(body, "context"), *prefetch = json_object_get(body, "prefetch");
    const json_t *draft = json_object_get(ctx, "draftOrders");
    const json_t *sel = json_object_get(ctx, "selections");
    const json_t *server = json_object_get(body, "fhirServer");
    int select = hook && !strcmp(hook, "order-select");
    if (!hook) answer = cds_bad(c, "hook", "missing, or not a text");
    else if (strcmp(hook, offered)) {
        char m[160];
        snprintf(m, sizeof m, "'%.40s' is not this service's hook (%s)", hook, offered);
        answer = cds_bad(c, "hook", m);
    } else if (!instance || !*instance) answer = cds_bad(c, "hookInstance", "missing, or not a text");
    else if (!json_is_object(ctx)) answer = cds_bad(c, "context", "missing, or not an object");
    else if (!cds_str(ctx, "userId")) answer = cds_bad(c, "context.userId", "missing, or not a text");
    else if (!cds_str(ctx, "patientId"))
        answer = cds_bad(c, "context.patientId", "missing, or not a text");
    else if (!draft || strcmp(cds_str(draft, "resourceType") ? cds_str(draft, "resourceType") : "",
                              "Bundle"))
        answer = cds_bad(c, "context.draftOrders", "missing, or not a FHIR Bundle");
    else if (!json_is_array(json_object_get(draft, "entry")) && json_object_get(draft, "entry"))
        answer = cds_bad(c, "context.draftOrders.entry", "must be an array");
    else if (select && (!json_is_array(sel) || !json_array_size(sel)))
        answer = cds_bad(c, "context.selections", "order-select needs the selected orders, "
                         "e.g. [\"ServiceRequest/1\"]");
    else if (prefetch && !json_is_object(prefetch))
        answer = cds_bad(c, "prefetch", "must be an object");
    else if (server && !json_is_string(server))
        answer = cds_bad(c, "fhirServer", "must be a URL");
    else if (json_object_get(body, "fhirAuthorization") && !server)
        answer = cds_bad(c, "fhirServer", "required with fhirAuthorization");
    else {
        cds_req q = {c, cds, service, instance, json_array(), NULL, 0, 0, MHD_NO};
        const json_t *en;
        size_t i;
        json_array_foreach(json_object_get(draft, "entry"), i, en) {
            const json_t *res = json_object_get(en, "resource");
            const char *type = cds_str(res, "resourceType");
            if (!type || strcmp(type, "ServiceRequest") || (select && !cds_selected(res, sel)))
                continue;
            cds_one(&q, res, draft, prefetch, server != NULL);
            if (q.status) break;
        }
        if (q.status) {
            answer = q.answer;
            json_decref(q.cards);
            free(q.text);
        } else if (q.n == 1) {
            json_decref(q.cards);
            answer = sv_text(c, 200, CDS_JSON, q.text);
        } else {
            answer = sv_json(c, 200, json_pack("{s:o}", "cards", q.cards));
        }
    }
    json_decref(body);
    return answer;
}

/* ------------------------------------------------------------- feedback */

sv_result cds_feedback(sv_call *c)
{
    triage_error e;
    triage_cds *cds = cds_writer(c->w, &e);
    if (!cds) return sv_error(c, 500, e.text, NULL);
    if (!triage_cds_service_hook(cds, c->tail)) return sv_error(c, 404, "no such CDS service", NULL);
    long n = 0;
    triage_code rc = triage_cds_feedback(c->w->db, c->tail, c->body, c->len, &n, &e);
    if (rc == TRIAGE_OK) return sv_json(c, 200, json_pack("{s:I}", "recorded", (json_int_t)n));
    int status = rc == TRIAGE_EINVAL || rc == TRIAGE_EJSON ? 400 : rc == TRIAGE_ENOTFOUND ? 404
               : rc == TRIAGE_ESTORE ? 503 : 500;
    return sv_error(c, status, e.text, e.field[0] ? json_pack("{s:s}", "field", e.field) : NULL);
}
