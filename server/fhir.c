/*
** fhir.c — HL7 FHIR R4 over HTTP (docs/fhir.md): POST /fhir takes one
** referral as a sender sends it (a ServiceRequest, a Bundle, a MedCom
** message), stores it with its lifecycle, decides it and answers with the
** Bundle; GET /fhir/Task/ID and /fhir/ServiceRequest/ID read what was
** answered; GET /fhir/metadata says all this in a CapabilityStatement.
** Every reply is application/fhir+json; every error an OperationOutcome.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhir.h"

#define FHIR_TYPE "application/fhir+json; charset=utf-8"

int fhir_path(const char *url)
{
    return !strncmp(url, "/fhir", 5) && (url[5] == '\0' || url[5] == '/');
}

static sv_result fhir_reply(sv_call *c, int status, char *text)
{
    return sv_text(c, status, FHIR_TYPE, text);
}

/* The issue type an HTTP status stands for (http://hl7.org/fhir/issue-type). */
static const char *fhir_issue(int status)
{
    switch (status) {
    case 401: return "login";
    case 404: return "not-found";
    case 405: return "not-supported";
    case 409: return "conflict";
    case 413: return "too-long";
    case 503: return "transient";
    default: return status >= 500 ? "exception" : "invalid";
    }
}

sv_result fhir_error(sv_call *c, int status, const char *msg)
{
    triage_error e;
    triage_error_set(&e, TRIAGE_EINVAL, NULL, 0, NULL, NULL, "%s", msg);
    return fhir_reply(c, status, triage_fhir_outcome(&e, fhir_issue(status)));
}

/* A record's or the store's error: its own issue type, the FHIRPath. */
static sv_result fhir_refuse(sv_call *c, int status, const triage_error *e)
{
    return fhir_reply(c, status, triage_fhir_outcome(e, status == 409 ? "conflict" : NULL));
}

/* ------------------------------------------------------------- metadata */

sv_result fhir_metadata(sv_call *c)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    json_t *read = json_pack("[{s:s}]", "code", "read");
    json_t *cs = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s}, s:s, s:[s, s],"
        " s:[{s:s, s:s, s:{s:s}, s:[{s:s, s:s, s:O}, {s:s, s:s, s:O}],"
        " s:[{s:s, s:s, s:s}]}]}",
        "resourceType", "CapabilityStatement", "status", "active", "date", now,
        "publisher", "triage", "kind", "instance",
        "software", "name", "triage", "version", TRIAGE_VERSION,
        "implementation", "description",
        "triage: referral triage for child and adolescent psychiatry (BUC, Region Hovedstaden)",
        "fhirVersion", "4.0.1", "format", "application/fhir+json", "json",
        "rest", "mode", "server",
        "documentation",
        "POST [base] takes one referral as a sender sends it: a ServiceRequest with its "
        "contained resources, a Bundle of type collection, transaction or searchset, or a "
        "MedCom message Bundle (new-referral, update-referral, cancel-referral). The "
        "referral is stored, decided and answered with a Bundle whose first entry is the "
        "Task (one per referral) with the decision; a message gets a response message. "
        "This is not FHIR's transaction interaction: the Bundle sent is one referral. A "
        "message id received before changes nothing and gets the answer as it stands. "
        "Invalid input is answered 422 with an OperationOutcome whose issue.expression is "
        "the FHIRPath of the element in the document sent. JSON only; no search, no "
        "history, no write but POST [base].",
        "security", "description",
        "When the server has an access token, every interaction needs it: "
        "Authorization: Bearer TOKEN.",
        "resource", "type", "Task", "documentation",
        "The triage Task of a referral received as FHIR, with its latest decision "
        "(status cancelled once withdrawn)", "interaction", read,
        "type", "ServiceRequest", "documentation",
        "A referral received as FHIR, by the id it was sent with, with the status its "
        "latest decision gave it", "interaction", read,
        "operation", "name", "process-message", "definition",
        "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message",
        "documentation", "POST [base]/$process-message: the same as POST [base], for "
        "message Bundles only; answered synchronously");
    json_decref(read);
    char *text = cs ? json_dumps(cs, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(cs);
    return fhir_reply(c, 200, text);
}

/* ------------------------------------------------------------- answers */

/* The FHIR writer on the worker's active rule set (its Danish texts),
** made again after a reload. NULL with *e filled when the rule set has no
** data/fhir.json. */
static triage_fhir *fhir_writer(sv_worker *w, triage_error *e)
{
    triage_ruleset *rs = triage_decider_ruleset(w->dc_db);
    if (w->fw && w->fw_rs == rs) return w->fw;
    triage_fhir_close(w->fw);
    triage_ruleset_release(w->fw_rs);
    w->fw_rs = NULL;
    if ((w->fw = triage_fhir_open(rs, e))) w->fw_rs = triage_ruleset_retain(rs);
    return w->fw;
}

/* What a referral's answer is made of, as it stands in the store. */
typedef struct fhir_now {
    triage_fhir *fw;
    const triage_origin *cancel;  /* the cancel message being answered, or NULL */
    unsigned flags;
    char *bundle;                 /* the answer, or NULL */
    int undecided;
    triage_error err;
} fhir_now;

static int fhir_now_fn(void *ud, const triage_current *c)
{
    fhir_now *n = ud;
    if (c->withdrawn_at)
        n->bundle = triage_fhir_withdrawn(n->fw, c->referral, n->cancel, c->withdrawn_at,
                                          n->flags, &n->err);
    else if (c->decision)
        n->bundle = triage_fhir_answer(n->fw, c->decision, c->referral, c->decided_at,
                                       n->flags, &n->err);
    else {
        char *sr = triage_fhir_request(c->referral, &n->err);   /* only for a ServiceRequest */
        n->undecided = 1;
        n->bundle = sr;
    }
    return 0;
}

/* The answer for referral id as it stands: the Bundle (status), or an
** error reply. */
static sv_result fhir_answer(sv_call *c, triage_fhir *fw, const char *id,
                             const triage_origin *cancel, int status)
{
    fhir_now n = {fw, cancel, 0, NULL, 0, {0}};
    triage_code rc = triage_store_current(c->w->db, id, fhir_now_fn, &n, &n.err);
    if (rc != TRIAGE_OK || !n.bundle || n.undecided) {
        free(n.bundle);
        return rc == TRIAGE_ENOTFOUND ? fhir_refuse(c, 404, &n.err)
                                      : fhir_error(c, 500, n.err.text[0] ? n.err.text
                                                                         : "the answer failed");
    }
    return fhir_reply(c, status, n.bundle);
}

/* Store (put, or update for update-referral) and decide r, in one transaction. */
static triage_code fhir_store(sv_worker *w, const triage_referral *r, triage_error *e)
{
    const triage_origin *o = triage_referral_origin(r);
    if (triage_store_begin(w->db, e) != TRIAGE_OK) return e->code;
    triage_code rc = triage_origin_event(o) == TRIAGE_EVENT_UPDATE
                   ? triage_store_update(w->db, r, "fhir", 0, e)
                   : triage_store_put(w->db, r, "fhir", 0, e);
    triage_decision *d = rc == TRIAGE_OK ? triage_decide(w->dc_db, r, 0) : NULL;
    if (rc == TRIAGE_OK && !d)
        rc = triage_error_set(e, TRIAGE_ENOMEM, NULL, 0, triage_referral_id(r), NULL,
                              "out of memory");
    if (d) rc = triage_store_put_decision(w->db, d, e);
    triage_decision_free(d);
    if (rc == TRIAGE_OK) rc = triage_store_commit(w->db, e);
    else triage_store_rollback(w->db);
    return rc;
}

static int fhir_status_of(triage_code rc)
{
    switch (rc) {
    case TRIAGE_ENOTFOUND: return 404;
    case TRIAGE_EDUPLICATE: case TRIAGE_EWITHDRAWN: return 409;
    case TRIAGE_ESTORE: return 503;
    default: return 500;
    }
}

/* A referral that cannot be read is refused (422) and kept, as `import`
** keeps it: in quarantine with its error, so that a sender that does not
** act on the answer loses no child's referral. When even that fails, 503:
** the sender is to send it again. */
static sv_result fhir_keep(sv_call *c, const char *raw, size_t len, const triage_error *why)
{
    triage_error qe;
    if (triage_store_quarantine(c->w->db, raw, len, why, &qe) != TRIAGE_OK)
        return fhir_refuse(c, 503, &qe);
    return fhir_refuse(c, 422, why);
}

static sv_result fhir_take(sv_call *c, int messages_only)
{
    triage_error e;
    triage_fhir *fw = fhir_writer(c->w, &e);
    if (!fw) return fhir_error(c, 500, e.text);
    triage_reader *rd = triage_reader_open_memory(c->body, c->len, NULL, &e);
    if (!rd) return fhir_error(c, 500, "out of memory");
    triage_referral *r = NULL, *more = NULL;
    sv_result answer;
    const char *raw = NULL;
    size_t raw_len = 0;
    int got = triage_reader_next(rd, &r, &e, &raw, &raw_len);
    const triage_origin *o = triage_reader_origin(rd);
    if (got < 0) {
        answer = fhir_keep(c, raw, raw_len, &e);
        goto out;
    }
    if (got == 0 || !o) {
        answer = fhir_error(c, 422, got == 0 ? "the body holds no FHIR resource"
                            : "not a FHIR resource (no resourceType): a native referral goes "
                              "to POST /api/referrals");
        goto out;
    }
    if (messages_only && triage_origin_event(o) == TRIAGE_EVENT_NONE) {
        answer = fhir_error(c, 422, "$process-message takes a message Bundle (its first entry "
                            "a MessageHeader); POST other referrals to /fhir");
        goto out;
    }
    char id[72];
    snprintf(id, sizeof id, "%s", triage_origin_referral_id(o));
    /* One referral or message a request: the rest of the body would be lost.
    ** A cancel's origin lasts only until rd's next read, so its rest is read
    ** by a reader of its own, past the first record. */
    triage_reader *rest = got == TRIAGE_READ_CANCEL
                          ? triage_reader_open_memory(c->body, c->len, NULL, &e) : rd;
    if (!rest) {
        answer = fhir_error(c, 500, "out of memory");
        goto out;
    }
    triage_error e2;
    if (rest != rd) triage_reader_next(rest, &more, &e2, NULL, NULL);   /* the cancel again */
    int next = triage_reader_next(rest, &more, &e2, NULL, NULL);
    if (rest != rd) triage_reader_close(rest);
    if (next < 0 && e2.code == TRIAGE_EJSON) {   /* bytes after it that are no JSON */
        answer = fhir_keep(c, c->body, c->len, &e2);
        goto out;
    }
    if (next != 0) {
        answer = fhir_error(c, 400, "the body holds more than one referral: send one a request");
        goto out;
    }
    triage_code rc;
    if (got == TRIAGE_READ_CANCEL) {
        rc = triage_store_withdraw(c->w->db, o, "fhir", 0, &e);
        if (rc == TRIAGE_OK || rc == TRIAGE_EREPEATED) {
            answer = fhir_answer(c, fw, id, o, 200);
            goto out;
        }
    } else {
        rc = fhir_store(c->w, r, &e);
        if (rc == TRIAGE_OK || rc == TRIAGE_EREPEATED) {
            answer = fhir_answer(c, fw, id, NULL, rc == TRIAGE_OK &&
                                 triage_origin_event(triage_referral_origin(r)) != TRIAGE_EVENT_UPDATE
                                 ? 201 : 200);
            goto out;
        }
    }
    if (rc == TRIAGE_EDUPLICATE) e.field[0] = '\0';   /* "id": no FHIRPath, the text says */
    answer = fhir_refuse(c, fhir_status_of(rc), &e);
out:
    triage_referral_free(r);
    triage_referral_free(more);
    triage_reader_close(rd);
    return answer;
}

sv_result fhir_post(sv_call *c) { return fhir_take(c, 0); }
sv_result fhir_message(sv_call *c) { return fhir_take(c, 1); }

/* ---------------------------------------------------------------- reads */

static int fhir_is(const json_t *o, const char *key, const char *want)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && !strcmp(v, want);
}

/* The entry of bundle (text) that is a type with id (NULL: any): its
** resource, as text. */
static char *fhir_pick(const char *bundle, const char *type, const char *id)
{
    json_t *b = json_loads(bundle, 0, NULL), *e;
    size_t i;
    char *out = NULL;
    json_array_foreach(json_object_get(b, "entry"), i, e) {
        json_t *res = json_object_get(e, "resource");
        if (fhir_is(res, "resourceType", type) && (!id || fhir_is(res, "id", id))) {
            out = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
            break;
        }
    }
    json_decref(b);
    return out;
}

/* GET /fhir/TYPE/ID: the resource as the referral's answer has it now. */
static sv_result fhir_read(sv_call *c, const char *type)
{
    triage_error e;
    char id[72];
    const char *rid = c->tail;
    if (!*rid || strchr(rid, '/') || strlen(rid) > 64)
        return fhir_error(c, 404, "no such resource");
    triage_fhir *fw = fhir_writer(c->w, &e);
    if (!fw) return fhir_error(c, 500, e.text);
    triage_code rc = triage_store_fhir_find(c->w->db, type, rid, id, &e);
    if (rc != TRIAGE_OK)
        return rc == TRIAGE_ENOTFOUND ? fhir_error(c, 404, !strcmp(type, "Task")
                                                   ? "no Task with this id" :
                                                   "no ServiceRequest with this id")
                                      : fhir_error(c, 503, e.text);
    fhir_now n = {fw, NULL, TRIAGE_FHIR_COLLECTION, NULL, 0, {0}};
    rc = triage_store_current(c->w->db, id, fhir_now_fn, &n, &n.err);
    if (rc != TRIAGE_OK || !n.bundle) {
        free(n.bundle);
        return fhir_error(c, 500, n.err.text[0] ? n.err.text : "the answer failed");
    }
    char *res;
    if (n.undecided) {
        if (!strcmp(type, "Task")) {
            free(n.bundle);
            return fhir_error(c, 404, "the referral is not decided yet: it has no Task");
        }
        res = n.bundle;                  /* the ServiceRequest as sent */
    } else {
        res = fhir_pick(n.bundle, type, !strcmp(type, "Task") ? NULL : rid);
        free(n.bundle);
    }
    return res ? fhir_reply(c, 200, res) : fhir_error(c, 500, "the answer failed");
}

sv_result fhir_task(sv_call *c) { return fhir_read(c, "Task"); }
sv_result fhir_request(sv_call *c) { return fhir_read(c, "ServiceRequest"); }
