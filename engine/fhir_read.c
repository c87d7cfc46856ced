/*
** fhir_read.c — a FHIR R4 referral read as a native one: the mapping's parts
** fill the native record in the schema's order (fhir_map.h; docs/fhir.md is
** the table), and the native validator checks it, so that both forms obey
** one set of rules; its error is said at the FHIRPath the field came from.
** What was sent stays with the referral (fx_origin).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fhir_map.h"

/* ---------------------------------------------------------- public API */

int fx_is_fhir(const json_t *v)
{
    return json_is_object(v) && json_object_get(v, "resourceType") != NULL;
}

void fx_origin_free(fx_origin *o)
{
    if (!o || --o->refs > 0) return;
    json_decref(o->header);
    json_decref(o->request);
    json_decref(o->patient);
    json_decref(o->requester);
    free(o->text);
    free(o);
}

fx_origin *fx_origin_retain(fx_origin *o)
{
    if (o) o->refs++;
    return o;
}

int fx_origin_keep_text(fx_origin *o, const char *text, size_t len)
{
    char *t = malloc(len + 1);
    if (!t) return -1;
    memcpy(t, text, len);
    t[len] = '\0';
    free(o->text);
    o->text = t;
    o->text_len = len;
    return 0;
}

static fx_origin *fxm_origin(const fx_doc *d, int requester, int subject, const char *id)
{
    fx_origin *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->refs = 1;
    o->event = d->event;
    if (d->header >= 0)
        snprintf(o->message_id, sizeof o->message_id, "%s", d->res[d->header].id);
    snprintf(o->referral_id, sizeof o->referral_id, "%s", id ? id : "");
    struct { json_t **r; char *url; int i; } parts[] = {
        {&o->header, NULL, d->header}, {&o->request, o->request_url, d->sr},
        {&o->patient, o->patient_url, subject}, {&o->requester, o->requester_url, requester}};
    for (int k = 0; k < 4; k++) {
        if (parts[k].i < 0) continue;
        *parts[k].r = json_incref(d->res[parts[k].i].r);
        if (parts[k].url && d->res[parts[k].i].url)
            snprintf(parts[k].url, sizeof o->request_url, "%s", d->res[parts[k].i].url);
    }
    return o;
}

int fx_read(json_t *doc, const char *file, long line, triage_referral **out,
            fx_origin **origin, triage_error *err)
{
    fx_doc d;
    fx_map m;
    fx_origin *o = NULL;
    int rc = -1;
    memset(m.slot, 0, sizeof m.slot);
    m.d = &d;
    m.prov = m.local;
    m.nprov = 0;
    m.capprov = (int)(sizeof m.local / sizeof *m.local);
    m.requester = m.subject = -1;
    *out = NULL;
    if (origin) *origin = NULL;
    if (fxd_open(&d, doc, file, line, err) || fxm_id(&m)) goto done;
    if (d.event == FX_EVENT_CANCEL) {        /* withdrawn: the id is all it takes */
        if (!(o = fxm_origin(&d, -1, -1, d.id))) {
            triage_error_set(err, TRIAGE_ENOMEM, file, line, d.id, NULL, "out of memory");
            goto done;
        }
        rc = FX_CANCEL;
        triage_error_set(err, TRIAGE_OK, file, line, d.id, NULL, NULL);
        if (origin) *origin = o;
        else fx_origin_free(o);
        goto done;
    }
    /* in the schema's order: consent is made early so that it comes there */
    if (fxd_lists(&d) || fxm_request(&m) || fxm_referrer(&m) || fxm_patient(&m) ||
        !fxm_obj(&m, K_CONSENT) || fxm_diagnoses(&m) || fxm_text(&m) || fxm_support(&m))
        goto done;
    char id[72];
    snprintf(id, sizeof id, "%s", d.id ? d.id : "");
    if (!(o = fxm_origin(&d, m.requester, m.subject, id))) {
        triage_error_set(err, TRIAGE_ENOMEM, file, line, id, NULL, "out of memory");
        goto done;
    }
    json_t *rec = fxm_record(&m);
    if (!rec || !(*out = rf_from_json(rec, file, line, err))) {
        if (!rec) triage_error_set(err, TRIAGE_ENOMEM, file, line, id, NULL, "out of memory");
        else fxm_translate(&m, err, id);
        fx_origin_free(o);
        goto done;
    }
    (*out)->origin = o;                      /* the referral holds what was sent */
    if (origin) *origin = fx_origin_retain(o);
    rc = FX_REFERRAL;
done:
    if (rc < 0 && err && err->code == TRIAGE_OK)
        triage_error_set(err, TRIAGE_ENOMEM, file, line, NULL, NULL, "out of memory");
    fxm_close(&m);
    fxd_close(&d);
    json_decref(doc);
    return rc;
}

int fx_parse(const char *json, size_t len, const char *file, long line,
             triage_referral **out, fx_origin **origin, triage_error *err)
{
    json_t *doc = rf_load(json, len, file, line, err);
    fx_origin *o = NULL;
    *out = NULL;
    if (origin) *origin = NULL;
    if (!doc) return -1;
    if (!fx_is_fhir(doc)) {
        json_decref(doc);
        triage_error_set(err, TRIAGE_EINVAL, file, line, NULL, "resourceType",
                 "missing: not a FHIR resource");
        return -1;
    }
    int rc = fx_read(doc, file, line, out, &o, err);
    if (rc > 0 && fx_origin_keep_text(o, json, len)) {
        triage_referral_free(*out);
        *out = NULL;
        fx_origin_free(o);
        return triage_error_set(err, TRIAGE_ENOMEM, file, line, NULL, NULL, "out of memory"), -1;
    }
    if (origin) *origin = o;
    else fx_origin_free(o);
    return rc;
}

triage_referral *fx_referral(json_t *doc, const char *json, size_t len, const char *file,
                             long line, triage_error *err)
{
    triage_referral *r = NULL;
    fx_origin *o = NULL;
    int rc = fx_read(doc, file, line, &r, &o, err);
    if (rc == FX_CANCEL) {
        triage_error_set(err, TRIAGE_EINVAL, file, line, o->referral_id, "MessageHeader.eventCoding",
                         "a cancel-referral message withdraws a referral; it is not one");
    } else if (rc == FX_REFERRAL && fx_origin_keep_text(o, json, len)) {
        triage_error_set(err, TRIAGE_ENOMEM, file, line, o->referral_id, NULL, "out of memory");
        triage_referral_free(r);
        r = NULL;
    }
    fx_origin_free(o);
    return rc == FX_REFERRAL ? r : NULL;
}
