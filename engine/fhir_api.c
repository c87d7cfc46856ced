/*
** fhir_api.c — FHIR in the public API (include/triage.h): a referral's
** origin as sent, and the writers as text — the answer to a decision or a
** withdrawal, a native referral as a sender's Bundle, an OperationOutcome.
*/
#include <stdlib.h>
#include <string.h>
#include "fhir.h"
#include "fhir_out.h"

struct triage_fhir { fx_texts *texts; };

static const char *const fa_events[] = {NULL, "new-referral", "update-referral",
                                        "cancel-referral"};

const char *triage_event_name(triage_event e)
{
    return e > TRIAGE_EVENT_NONE && e <= TRIAGE_EVENT_CANCEL ? fa_events[e] : NULL;
}

const triage_origin *triage_referral_origin(const triage_referral *r)
{
    return r ? r->origin : NULL;
}

triage_event triage_origin_event(const triage_origin *o)
{
    return (triage_event)o->event;
}

const char *triage_origin_message_id(const triage_origin *o)
{
    return o->message_id[0] ? o->message_id : NULL;
}

const char *triage_origin_referral_id(const triage_origin *o)
{
    return o->referral_id;
}

const char *triage_origin_fhir(const triage_origin *o, size_t *len)
{
    if (len) *len = o->text ? o->text_len : 0;
    return o->text;
}

/* ------------------------------------------------------------- writers */

triage_fhir *triage_fhir_open(const triage_ruleset *rs, triage_error *err)
{
    fx_texts *t = fx_texts_load(rs, err);
    triage_fhir *fw = t ? malloc(sizeof *fw) : NULL;
    if (!fw) {
        if (t) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
        fx_texts_free(t);
        return NULL;
    }
    fw->texts = t;
    return fw;
}

void triage_fhir_close(triage_fhir *fw)
{
    if (!fw) return;
    fx_texts_free(fw->texts);
    free(fw);
}

/* One line of compact JSON, members in the order written; b is taken. */
static char *fa_text(json_t *b, const char *id, triage_error *err)
{
    char *s = b ? json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (b && !s) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, id, NULL, "out of memory");
    json_decref(b);
    return s;
}

char *triage_fhir_answer(const triage_fhir *fw, const triage_decision *d,
                         const triage_referral *r, const char *decided_at, unsigned flags,
                         triage_error *err)
{
    if (!fw) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no FHIR writer");
        return NULL;
    }
    return fa_text(fx_answer_as(d, r, r ? r->origin : NULL, fw->texts, decided_at,
                                !(flags & TRIAGE_FHIR_COLLECTION), err),
                   d ? d->id : NULL, err);
}

char *triage_fhir_withdrawn(const triage_fhir *fw, const triage_referral *r,
                            const triage_origin *cancel, const char *withdrawn_at,
                            unsigned flags, triage_error *err)
{
    if (!fw || (!r && !cancel)) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL,
                         "a FHIR writer and the referral or its cancel message are needed");
        return NULL;
    }
    return fa_text(fx_withdrawn(r, cancel, fw->texts, withdrawn_at,
                                !(flags & TRIAGE_FHIR_COLLECTION), err),
                   r ? r->id : cancel->referral_id, err);
}

char *triage_fhir_export(const triage_referral *r, triage_error *err)
{
    if (!r) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no referral");
        return NULL;
    }
    json_t *b = fx_export(r, "collection", FX_EVENT_NONE);
    if (!b) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, r->id, NULL, "out of memory");
    return fa_text(b, r->id, err);
}

char *triage_fhir_request(const triage_referral *r, triage_error *err)
{
    json_t *parts = r && !r->origin ? fx_parts(r) : NULL;
    const json_t *sr = !r ? NULL : r->origin ? r->origin->request
                     : json_object_get(json_array_get(parts, 0), "resource");
    if (!sr) {
        json_decref(parts);
        triage_error_set(err, r ? TRIAGE_ENOMEM : TRIAGE_EUSAGE, NULL, 0, r ? r->id : NULL, NULL,
                         r ? "out of memory" : "no referral");
        return NULL;
    }
    char *s = json_dumps(sr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, r->id, NULL, "out of memory");
    json_decref(parts);
    return s;
}

char *triage_fhir_outcome(const triage_error *e, const char *issue)
{
    /* FHIR's issue-type codes (http://hl7.org/fhir/issue-type) */
    const char *code = "exception";
    switch (e ? e->code : TRIAGE_ENOMEM) {
    case TRIAGE_EINVAL: case TRIAGE_EUSAGE: code = "invalid"; break;
    case TRIAGE_EJSON: code = "structure"; break;
    case TRIAGE_ENOTFOUND: code = "not-found"; break;
    case TRIAGE_EDUPLICATE: case TRIAGE_EREPEATED: code = "duplicate"; break;
    case TRIAGE_EWITHDRAWN: code = "conflict"; break;
    default: break;
    }
    if (issue) code = issue;
    const char *text = !e ? "out of memory" : e->text[0] ? e->text : e->msg;
    json_t *one = json_pack("{s:s, s:s, s:s}", "severity", "error", "code", code,
                            "diagnostics", text ? text : "error");
    if (one && e && e->field[0])
        json_object_set_new(one, "expression", json_pack("[s]", e->field));
    return fa_text(json_pack("{s:s, s:[o]}", "resourceType", "OperationOutcome", "issue", one),
                   NULL, NULL);
}
