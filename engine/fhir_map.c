/*
** fhir_map.c — the native record as the FHIR mapping builds it: its members
** in the schema's order, each native field with the FHIRPath it came from,
** and a native validator's error said again at that FHIRPath.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fhir_map.h"

/* The record's member names, by slot. */
static const char *const fxm_keys[K__N] = {
    "id", "received", "priority", "referrer", "patient", "consent", "diagnoses", "text",
    "gapd", "assessments", "prior_interventions", "risk", "somatic", "medication",
    "previous_buc_contact"};

/* --------------------------------------------------------- provenance */

int fxm_oom(fx_map *m)
{
    triage_error_set(m->d->err, TRIAGE_ENOMEM, m->d->file, m->d->line, NULL, NULL, "out of memory");
    return -1;
}

int fxm_note(fx_map *m, fx_nat nat, const fx_at *at)
{
    if (m->nprov == m->capprov) {
        int cap = 2 * m->capprov;
        fx_prov *n = m->prov == m->local ? malloc((size_t)cap * sizeof *n)
                                         : realloc(m->prov, (size_t)cap * sizeof *n);
        if (!n) return fxm_oom(m);
        if (m->prov == m->local) memcpy(n, m->local, sizeof m->local);
        m->prov = n;
        m->capprov = cap;
    }
    m->prov[m->nprov].nat = nat;
    m->prov[m->nprov].at = *at;
    m->nprov++;
    return 0;
}

static const char *fxm_nat_name(fx_nat n, char out[96])
{
    int w = snprintf(out, 96, "%s", n.a);
    if (n.i >= 0 && w >= 0 && w < 96) w += snprintf(out + w, 96 - (size_t)w, "[%d]", n.i);
    if (n.b && w >= 0 && w < 96) snprintf(out + w, 96 - (size_t)w, ".%s", n.b);
    return out;
}

/* The FHIRPath a native field came from: the longest recorded prefix
** ("assessments[1].date", else "assessments[1]", else "assessments"), else
** the ServiceRequest. */
static const char *fxm_where(const fx_map *m, const char *native, char out[FX_PATH_MAX])
{
    char p[96], name[96];
    snprintf(p, sizeof p, "%s", native);
    for (;;) {
        for (int i = m->nprov - 1; i >= 0; i--)
            if (strcmp(fxm_nat_name(m->prov[i].nat, name), p) == 0)
                return fxd_at_path(m->d, &m->prov[i].at, out);
        char *cut = strrchr(p, '.'), *br = strrchr(p, '[');
        if (br && (!cut || br > cut)) cut = br;
        if (!cut) return fxd_res_path(m->d, m->d->sr, out);
        *cut = '\0';
    }
}

/* Set obj.key = v (stolen; a key of ours, so unchecked), remembering where
** it came from. */
int fxm_set(fx_map *m, json_t *obj, const char *key, json_t *v, fx_nat nat,
                   const fx_at *at)
{
    if (!v || json_object_set_new_nocheck(obj, key, v)) return fxm_oom(m);
    return fxm_note(m, nat, at);
}

/* Set the record's member k = v (stolen). */
int fxm_top(fx_map *m, int k, json_t *v, const fx_at *at)
{
    if (!v) return fxm_oom(m);
    json_decref(m->slot[k]);
    m->slot[k] = v;
    return fxm_note(m, FX_NAT(fxm_keys[k]), at);
}

/* Append v (stolen) to the record's array member k (made on first use);
** returns its index or -1. */
int fxm_push(fx_map *m, int k, json_t *v, const fx_at *at)
{
    if (!m->slot[k]) m->slot[k] = json_array();
    int i = m->slot[k] ? (int)json_array_size(m->slot[k]) : 0;
    if (!v || !m->slot[k] || json_array_append_new(m->slot[k], v)) return fxm_oom(m);
    return fxm_note(m, (fx_nat){fxm_keys[k], i, NULL}, at) ? -1 : i;
}

/* The record's object member k, made on first use. */
json_t *fxm_obj(fx_map *m, int k)
{
    if (!m->slot[k]) m->slot[k] = json_object();
    return m->slot[k];
}

/* ------------------------------------------------------------- errors */

/* Replace a native field name inside a native message by its FHIRPath
** ("does not agree with the birth date in patient.cpr"). */
static void fxm_reword(const fx_map *m, char *what, size_t cap)
{
    static const char *const names[] = {"patient.cpr", "received"};
    char fhir[FX_PATH_MAX], tail[512];
    for (int i = 0; i < 2; i++) {
        char *at = strstr(what, names[i]);
        if (!at) continue;
        fxm_where(m, names[i], fhir);
        snprintf(tail, sizeof tail, "%s", at + strlen(names[i]));
        snprintf(at, cap - (size_t)(at - what), "%s%s", fhir, tail);
    }
}

/* The native validator's error, said at the FHIRPath the field came from. */
void fxm_translate(fx_map *m, triage_error *err, const char *id)
{
    char field[sizeof err->field], what[512], key[sizeof err->field + 4], fhir[FX_PATH_MAX];
    if (!err || err->code != TRIAGE_EINVAL || !err->field[0]) return;
    snprintf(field, sizeof field, "%s", err->field);
    snprintf(key, sizeof key, ": %s: ", field);
    const char *at = strstr(err->text, key);
    snprintf(what, sizeof what, "%s", at ? at + strlen(key) : err->text);
    fxm_reword(m, what, sizeof what);
    triage_error_set(err, TRIAGE_EINVAL, m->d->file, m->d->line, id, fxm_where(m, field, fhir),
                     "%s", what);
}

/* ------------------------------------------------------------ the record */

/* The record, its members in the schema's order (as a native record is
** written), for whoever reads the stored JSON. Takes the slots over. */
json_t *fxm_record(fx_map *m)
{
    json_t *o = json_object();
    for (int k = 0; k < K__N; k++) {
        json_t *v = m->slot[k];
        m->slot[k] = NULL;
        if (!v) continue;
        if (k == K_CONSENT && !json_object_size(v)) {   /* nothing read about consent */
            json_decref(v);
            continue;
        }
        if (o && json_object_set_new_nocheck(o, fxm_keys[k], v)) {
            json_decref(o);
            o = NULL;
        } else if (!o)
            json_decref(v);
    }
    return o;
}

void fxm_close(fx_map *m)
{
    for (int k = 0; k < K__N; k++) json_decref(m->slot[k]);
    if (m->prov != m->local) free(m->prov);
}
