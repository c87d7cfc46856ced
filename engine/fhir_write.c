/*
** fhir_write.c — a decision as FHIR R4 (fhir.md, "out"): one Bundle with the
** Task (intent order, focus the ServiceRequest, for the Patient, status by
** outcome), the ServiceRequest with its new status, and per outcome a
** Communication asking for what is missing or a new ServiceRequest that
** replaces the original; and the answer to a withdrawal (the Task
** cancelled). Every Danish word comes from the rule set's data/fhir.json;
** JSON is built with jansson only.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "date.h"
#include "fhir_out.h"
#include "referral_json.h"

typedef struct fxw {
    const triage_decision *d;
    const triage_referral *r;
    const fx_texts *t;
    const char *at;                 /* decided_at */
    const char *ka, *kb;            /* with at, what the ids are derived from:
                                       the rule set and the referral id */
    json_t *entries;
    char sr[256], patient[256], requester[256], sender[46];
} fxw;

/* Task.status and ServiceRequest.status per outcome (fhir.md's table). */
static const char *const fxw_task_status[] = {"accepted", "on-hold", "completed", "rejected",
                                              "received"};
static const char *const fxw_sr_status[] = {"active", "on-hold", "completed", "revoked",
                                            "active"};
static const char *const fxw_priority[] = {"stat", "urgent", "routine"};   /* acute urgent routine */

/* A new resource with an id derived from the decision, as an entry. */
static json_t *fxw_add(fxw *w, const char *type, const char *role, char url[46])
{
    char id[37], u[46];
    if (!strcmp(type, "Task")) {      /* one Task per referral, whatever decides it */
        fx_task_id(w->kb, id);
        snprintf(u, sizeof u, "urn:uuid:%s", id);
    } else
        fx_uuid(u, id, w->ka, w->kb, w->at, role);
    json_t *res = json_pack("{s:s, s:s}", "resourceType", type, "id", id);
    if (url) memcpy(url, u, 46);
    json_array_append_new(w->entries, fx_entry(u, res));
    return res;
}

/* s with "{name}" replaced by value (a new JSON string). */
static json_t *fxw_fill(const char *s, const char *name, const char *value)
{
    char key[32], buf[512];
    snprintf(key, sizeof key, "{%s}", name);
    const char *at = strstr(s, key);
    if (!at) return json_string(s);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - s), s, value ? value : "", at + strlen(key));
    return json_string(buf);
}

void fx_task_id(const char *referral_id, char id[37])
{
    char url[46];
    fx_uuid(url, id, "referral", referral_id, NULL, "task");
}

const char *fx_request_id(const fx_origin *o, const char *referral_id, char id[37])
{
    const char *sent = o ? json_string_value(json_object_get(o->request, "id")) : NULL;
    char url[46];
    if (sent) return sent;
    fx_uuid(url, id, "referral", referral_id, NULL, "request");   /* as fx_parts names it */
    return id;
}

/* The resources the answer is about: as sent (o), else written from r;
** the ServiceRequest gets status. */
static int fxw_origin(fxw *w, const fx_origin *o, const char *status)
{
    json_t *parts = NULL, *sr, *patient, *req;
    const char *urls[3];
    char made[3][46];
    if (o && o->request) {
        char made_id[37];
        sr = json_deep_copy(o->request);
        if (!json_object_get(sr, "id"))   /* the id the server gives it (GET /fhir/ServiceRequest) */
            json_object_set_new(sr, "id", json_string(fx_request_id(o, w->kb, made_id)));
        patient = o->patient ? json_deep_copy(o->patient) : NULL;
        req = o->requester ? json_deep_copy(o->requester) : NULL;
        const char *sent[3] = {o->request_url, o->patient_url, o->requester_url};
        const char *roles[3] = {"request", "patient", "requester"};
        for (int i = 0; i < 3; i++) {
            fx_uuid(made[i], NULL, w->ka, w->kb, w->at, roles[i]);
            urls[i] = sent[i][0] ? sent[i] : made[i];
        }
    } else {
        if (!(parts = fx_parts(w->r))) return -1;
        sr = json_incref(json_object_get(json_array_get(parts, 0), "resource"));
        patient = json_incref(json_object_get(json_array_get(parts, 1), "resource"));
        req = json_incref(json_object_get(json_array_get(parts, 2), "resource"));
        for (int i = 0; i < 3; i++)
            urls[i] = json_string_value(json_object_get(json_array_get(parts, (size_t)i),
                                                        "fullUrl"));
    }
    snprintf(w->sr, sizeof w->sr, "%s", urls[0]);
    snprintf(w->patient, sizeof w->patient, "%s", urls[1]);
    snprintf(w->requester, sizeof w->requester, "%s", req ? urls[2] : "");
    /* The ServiceRequest's new status; a copy sent alone keeps what it contains. */
    json_object_set_new(sr, "status", json_string(status));
    json_array_append_new(w->entries, fx_entry(w->sr, sr));
    if (patient) json_array_append_new(w->entries, fx_entry(w->patient, patient));
    if (req) json_array_append_new(w->entries, fx_entry(w->requester, req));
    json_decref(parts);
    return 0;
}

/* An Organization we name (the intake, a redirect's destination, PPR). */
static void fxw_org(fxw *w, const char *role, json_t *name, const char *municipality,
                    char url[46])
{
    json_t *org = fxw_add(w, "Organization", role, url);
    const char *code = municipality ? fx_kommune_code(municipality) : NULL;
    if (code)
        json_object_set_new(org, "identifier", json_pack("[{s:s, s:s}]", "system",
                                                         FX_SYS_KOMMUNE, "value", code));
    json_object_set_new(org, "name", name);
}

static json_t *fxw_notes(const triage_decision *d)
{
    json_t *notes = json_array();
    for (int i = 0; i < d->nreasons; i++)
        json_array_append_new(notes, json_pack("{s:s, s:s}", "authorString", d->reasons[i].rule,
                                               "text", d->reasons[i].text));
    return notes;
}

/* request_info: one Communication, a payload per missing item, to whom
** request_from names. */
static void fxw_request(fxw *w, json_t *task, const char *day)
{
    const triage_decision *d = w->d;
    char url[46], to[46], reply[11];
    int32_t when;
    json_object_set_new(task, "statusReason", fx_concept(FX_CS("status-reason"), "info-needed",
                                                         fxt(w->t, "info_needed", NULL)));
    if (dt_parse_iso(day, 10, &when)) {
        dt_format(when + fxt_reply_days(w->t), reply);
        json_object_set_new(task, "restriction", json_pack("{s:{s:s}}", "period", "end", reply));
    }
    const char *who = d->request_from == 1 ? "municipality" : "referrer";
    if (d->request_from == 1 || !w->requester[0])
        fxw_org(w, "recipient", fxw_fill(fxt(w->t, "recipient", who), "municipality",
                                        w->r->municipality),
                d->request_from == 1 ? w->r->municipality : NULL, to);
    json_t *c = fxw_add(w, "Communication", "communication", url);
    json_t *payload = json_array();
    for (int i = 0; i < MI__N; i++)
        if (d->missing & (1u << i))
            json_array_append_new(payload, json_pack("{s:s}", "contentString",
                                                     fxt(w->t, "missing", dc_missing_names[i])));
    json_t *rcp = fx_ref(d->request_from == 1 || !w->requester[0] ? to : w->requester);
    json_object_set_new(rcp, "display", json_string(fxt(w->t, "recipient", who)));
    json_error_t je;
    json_t *body = json_pack_ex(&je, 0, "{s:s, s:[o], s:o, s:[o], s:[o], s:o, s:s, s:o, s:[o], s:o}",
        "status", "completed",
        "category", fx_concept(FX_CS("communication-category"), "referral-info-request",
                               fxt(w->t, "request_category", NULL)),
        "subject", fx_ref(w->patient), "basedOn", fx_ref(w->sr), "about", fx_ref(w->sr),
        "topic", json_pack("{s:s}", "text", fxt(w->t, "request_topic", NULL)),
        "sent", w->at, "sender", fx_ref(w->sender), "recipient", rcp, "payload", payload);
    json_object_update(c, body);
    json_decref(body);
    json_object_set_new(task, "output", json_pack("[{s:o, s:o}]", "type",
        fx_concept(FX_CS("communication-category"), "referral-info-request",
                   fxt(w->t, "request_category", NULL)), "valueReference", fx_ref(url)));
}

/* redirect: a new ServiceRequest that replaces the original, to where the
** child belongs. */
static void fxw_redirect(fxw *w, json_t *task, const json_t *sent)
{
    const triage_decision *d = w->d;
    const char *target = triage_decision_target(d);
    char url[46], to[46];
    fxw_org(w, "performer", fxw_fill(fxt(w->t, "target", target ? target : "municipality"),
                                     "municipality", w->r->municipality),
            d->target == 2 ? w->r->municipality : NULL, to);
    json_t *sr = fxw_add(w, "ServiceRequest", "redirect", url);
    json_t *body = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:[o], s:[o]}",
        "status", "active", "intent", "order", "code",
        fx_concept(FX_CS("target"), target ? target : "municipality", NULL),
        "subject", fx_ref(w->patient), "authoredOn", w->at, "requester", fx_ref(w->sender),
        "performer", fx_ref(to), "replaces", fx_ref(w->sr));
    json_object_update(sr, body);
    json_decref(body);
    if (d->priority >= 0) json_object_set_new(sr, "priority", json_string(fxw_priority[d->priority]));
    const json_t *rc = json_object_get(sent, "reasonCode");
    if (rc) json_object_set_new(sr, "reasonCode", json_deep_copy(rc));
    if (d->nreasons) json_object_set_new(sr, "note", fxw_notes(d));
    json_object_set_new(task, "output", json_pack("[{s:o, s:o}]", "type",
        fx_concept(FX_CS("target"), target ? target : "municipality", fxt(w->t, "redirected", NULL)),
        "valueReference", fx_ref(url)));
}

static json_t *fxw_task(fxw *w, const json_t *sent)
{
    const triage_decision *d = w->d;
    const char *outcome = triage_outcome_name(d->outcome);
    char day[11];
    snprintf(day, sizeof day, "%.10s", w->at);
    json_t *task = fxw_add(w, "Task", "task", NULL);
    json_t *body = json_pack("{s:{s:[{s:s, s:s}]}, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:{s:s}, s:o}",
        "meta", "tag", "system", FX_BASE "/sid/ruleset", "code", d->ruleset,
        "status", fxw_task_status[d->outcome], "intent", "order",
        "code", fx_concept(FX_CS("outcome"), outcome, fxt(w->t, "outcome", outcome)),
        "focus", fx_ref(w->sr), "for", fx_ref(w->patient),
        "authoredOn", w->at, "lastModified", w->at, "executionPeriod", "end", w->at,
        "requester", fx_ref(w->sender));
    json_object_update(task, body);
    json_decref(body);
    const char *medcom = fxt(w->t, "medcom_type", outcome);
    if (medcom) json_object_set_new(task, "businessStatus", json_pack("{s:s}", "text", medcom));
    if (d->priority >= 0) json_object_set_new(task, "priority", json_string(fxw_priority[d->priority]));
    if (d->unit[0])
        json_object_set_new(task, "owner", json_pack("{s:{s:s, s:s}, s:o}", "identifier", "system",
                            FX_BASE "/sid/unit", "value", d->unit, "display",
                            fxw_fill(fxt(w->t, "unit", NULL), "unit", d->unit)));
    if (d->deadline != DT_NONE) {
        char dl[11];
        dt_format(d->deadline, dl);
        json_object_set_new(task, "restriction", json_pack("{s:{s:s}}", "period", "end", dl));
    }
    if (d->outcome == TRIAGE_REJECT && d->nreasons) {
        char why[1024];
        size_t n = 0;
        for (int i = 0; i < d->nreasons && n < sizeof why; i++)
            n += (size_t)snprintf(why + n, sizeof why - n, "%s%s", i ? " " : "", d->reasons[i].text);
        json_object_set_new(task, "statusReason", json_pack("{s:s}", "text", why));
    }
    if (d->nreasons) json_object_set_new(task, "note", fxw_notes(d));
    if (d->outcome == TRIAGE_REQUEST_INFO) fxw_request(w, task, day);
    if (d->outcome == TRIAGE_REDIRECT) fxw_redirect(w, task, sent);
    return task;
}

/* The Task first (it is what the answer is), then the Bundle: a
** collection, or the response to the message o (MedCom: the incoming
** eventCoding, response.identifier its id). Takes w->entries. */
static json_t *fxw_bundle(fxw *w, json_t *task, const fx_origin *o, int message)
{
    char url[46], id[37];
    size_t ti;
    json_t *e;
    json_array_foreach(w->entries, ti, e)
        if (json_object_get(e, "resource") == task) break;
    json_incref(e);
    json_array_remove(w->entries, ti);
    json_array_insert_new(w->entries, 0, e);

    fx_uuid(url, id, w->ka, w->kb, w->at, "bundle");
    json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "resourceType", "Bundle", "id", id, "type",
                          message ? "message" : "collection", "timestamp", w->at);
    if (!b) return NULL;
    if (message) {
        char hurl[46], hid[37];
        fx_uuid(hurl, hid, w->ka, w->kb, w->at, "message");
        const json_t *in = o->header, *src = json_object_get(in, "source");
        json_t *h = json_pack("{s:s, s:s, s:O, s:{s:s, s:s}, s:o, s:[o], s:{s:s, s:s}}",
            "resourceType", "MessageHeader", "id", hid,
            "eventCoding", json_object_get(in, "eventCoding"),
            "source", "name", fxt(w->t, "sender", "name"), "endpoint", fxt(w->t, "sender", "endpoint"),
            "sender", fx_ref(w->sender), "focus", fx_ref(json_string_value(
                json_object_get(json_array_get(w->entries, 0), "fullUrl"))),
            "response", "identifier", o->message_id, "code", "ok");
        if (h && json_object_get(src, "endpoint")) {
            json_t *dst = json_pack("{s:O}", "endpoint", json_object_get(src, "endpoint"));
            if (json_object_get(in, "sender"))
                json_object_set(dst, "receiver", json_object_get(in, "sender"));
            json_object_set_new(h, "destination", json_pack("[o]", dst));
        }
        json_array_insert_new(w->entries, 0, fx_entry(hurl, h));
    }
    json_object_set_new(b, "entry", w->entries);
    w->entries = NULL;
    return b;
}

/* The intake's own Organization (the answer's sender), made first so that
** every resource can name it, and added last. */
static json_t *fxw_sender(fxw *w)
{
    fxw_org(w, "sender", json_string(fxt(w->t, "sender", "name")), NULL, w->sender);
    json_t *sender = json_incref(json_array_get(w->entries, 0));
    json_array_clear(w->entries);
    return sender;
}

json_t *fx_answer_as(const triage_decision *d, const triage_referral *r, const fx_origin *o,
                     const fx_texts *t, const char *decided_at, int message, triage_error *err)
{
    char now[32];
    fxw w = {.d = d, .r = r, .t = t};
    if (!d || !r || !t || d->outcome < 0 || d->outcome > TRIAGE_MANUAL_REVIEW) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, d ? d->id : NULL, NULL,
                 "a decided decision, its referral and the texts are needed");
        return NULL;
    }
    if (!decided_at) dt_now_iso(now);
    w.at = decided_at ? decided_at : now;
    w.ka = d->ruleset;
    w.kb = d->id;
    if (!(w.entries = json_array())) goto oom;
    json_t *sender = fxw_sender(&w);
    if (fxw_origin(&w, o, fxw_sr_status[d->outcome])) { json_decref(sender); goto oom; }
    json_t *task = fxw_task(&w, o ? o->request : NULL);
    json_array_append_new(w.entries, sender);
    json_t *b = fxw_bundle(&w, task, o, message && o && o->event != FX_EVENT_NONE);
    if (b) return b;
oom:
    json_decref(w.entries);
    triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, d->id, NULL, "out of memory");
    return NULL;
}

json_t *fx_answer(const triage_decision *d, const triage_referral *r, const fx_origin *o,
                  const fx_texts *t, const char *decided_at, triage_error *err)
{
    return fx_answer_as(d, r, o, t, decided_at, 1, err);
}

json_t *fx_withdrawn(const triage_referral *r, const fx_origin *cancel, const fx_texts *t,
                     const char *withdrawn_at, int message, triage_error *err)
{
    char now[32];
    const char *id = r ? r->id : cancel ? cancel->referral_id : NULL;
    fxw w = {.r = r, .t = t, .ka = "withdrawn"};
    if (!id || !t || (!r && !cancel->request)) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, id, NULL,
                         "the referral or its cancel message, and the texts, are needed");
        return NULL;
    }
    if (!withdrawn_at) dt_now_iso(now);
    w.at = withdrawn_at ? withdrawn_at : now;
    w.kb = id;
    if (!(w.entries = json_array())) goto oom;
    json_t *sender = fxw_sender(&w);
    /* What the Task is about: the referral as stored, else as the cancel sent it. */
    if (fxw_origin(&w, r ? r->origin : cancel, "revoked")) { json_decref(sender); goto oom; }
    json_t *task = fxw_add(&w, "Task", "task", NULL);
    json_t *body = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:o, s:s, s:s, s:o}",
        "status", "cancelled", "intent", "order",
        "statusReason", "text", fxt(t, "withdrawn", NULL),
        "businessStatus", "text", fxt(t, "withdrawn", NULL),
        "focus", fx_ref(w.sr), "authoredOn", w.at, "lastModified", w.at,
        "requester", fx_ref(w.sender));
    json_object_update(task, body);
    json_decref(body);
    if (w.patient[0] && (r || cancel->patient))
        json_object_set_new(task, "for", fx_ref(w.patient));
    json_array_append_new(w.entries, sender);
    json_t *b = fxw_bundle(&w, task, cancel, message && cancel && cancel->event != FX_EVENT_NONE);
    if (b) return b;
oom:
    json_decref(w.entries);
    triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, id, NULL, "out of memory");
    return NULL;
}
