/*
** fhir_read.c — a FHIR R4 referral mapped onto the native record (docs/fhir.md
** is the table) and validated by the native validator itself, so that both
** forms obey one set of rules. Each native field remembers the FHIRPath it
** came from; a native error is reported at that path, in the words of the
** native message.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fhir_doc.h"
#include "referral_json.h"

typedef struct fx_prov { char native[40]; char fhir[FX_PATH_MAX]; } fx_prov;

typedef struct fx_map {
    fx_doc *d;
    json_t *rec;                  /* the native record being built */
    json_t *patient, *consent, *risk, *somatic;   /* its objects, once made */
    json_t *diagnoses, *assessments, *prior, *medication;
    fx_prov *prov;                /* native path -> FHIRPath */
    int nprov, capprov;
    int requester;                /* resource indices, -1 when absent */
    int subject;
} fx_map;

/* --------------------------------------------------------- provenance */

static int fxm_note(fx_map *m, const char *native, const char *fhir)
{
    if (m->nprov == m->capprov) {
        int cap = m->capprov ? 2 * m->capprov : 32;
        fx_prov *n = realloc(m->prov, (size_t)cap * sizeof *n);
        if (!n) {
            triage_error_set(m->d->err, TRIAGE_ENOMEM, m->d->file, m->d->line, NULL, NULL,
                     "out of memory");
            return -1;
        }
        m->prov = n;
        m->capprov = cap;
    }
    snprintf(m->prov[m->nprov].native, sizeof m->prov->native, "%s", native);
    snprintf(m->prov[m->nprov].fhir, sizeof m->prov->fhir, "%s", fhir);
    m->nprov++;
    return 0;
}

/* The FHIRPath a native path came from: the longest recorded prefix
** ("assessments[1].date", else "assessments[1]", else "assessments"). */
static const char *fxm_where(const fx_map *m, const char *native)
{
    char p[96];
    snprintf(p, sizeof p, "%s", native);
    for (;;) {
        for (int i = m->nprov - 1; i >= 0; i--)
            if (strcmp(m->prov[i].native, p) == 0) return m->prov[i].fhir;
        char *cut = strrchr(p, '.'), *br = strrchr(p, '[');
        if (br && (!cut || br > cut)) cut = br;
        if (!cut) return m->d->res[m->d->sr].path;
        *cut = '\0';
    }
}

/* Set obj.key = v (stolen), remembering where it came from. */
static int fxm_set(fx_map *m, json_t *obj, const char *key, json_t *v,
                   const char *native, const char *fhir)
{
    if (!v || json_object_set_new(obj, key, v)) {
        triage_error_set(m->d->err, TRIAGE_ENOMEM, m->d->file, m->d->line, NULL, NULL, "out of memory");
        return -1;
    }
    return fxm_note(m, native, fhir);
}

/* Append v (stolen) to the native array *arr (made on first use) as
** name[i], remembering where it came from; returns the index or -1. */
static int fxm_push(fx_map *m, json_t **arr, const char *name, json_t *v, const char *fhir)
{
    char native[40];
    if (!*arr && (!(*arr = json_array()) || json_object_set_new(m->rec, name, *arr))) v = NULL;
    int i = *arr ? (int)json_array_size(*arr) : 0;
    if (!v || json_array_append_new(*arr, v)) {
        triage_error_set(m->d->err, TRIAGE_ENOMEM, m->d->file, m->d->line, NULL, NULL, "out of memory");
        return -1;
    }
    snprintf(native, sizeof native, "%s[%d]", name, i);
    return fxm_note(m, native, fhir) ? -1 : i;
}

/* The native object rec.name, made on first use. */
static json_t *fxm_obj(fx_map *m, json_t **o, const char *name)
{
    if (!*o && (*o = json_object())) json_object_set_new(m->rec, name, *o);
    return *o;
}

/* ------------------------------------------------------------ helpers */

static const json_t *fxm_get(fx_map *m, int res, const char *key)
{
    return json_object_get(m->d->res[res].r, key);
}

static const char *fxm_path(fx_map *m, int res, char *out, const char *sub)
{
    return fxd_path(out, m->d->res[res].path, "%s", sub);
}

/* A FHIR date or dateTime as the native YYYY-MM-DD: its date part, as
** written. Anything else goes on as it is, for the native check to name. */
static json_t *fxm_day(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;
    if (s && n > 10 && s[10] == 'T') return json_stringn(s, 10);
    return json_deep_copy(v);
}

/* Does the CodeableConcept cc carry system|code? */
static int fxm_has_code(const json_t *cc, const char *system, const char *code)
{
    const json_t *c = json_object_get(cc, "coding");
    for (size_t i = 0; i < json_array_size(c); i++) {
        const json_t *x = json_array_get(c, i);
        const char *s = fxd_str(x, "system"), *k = fxd_str(x, "code");
        if (s && k && !strcmp(s, system) && !strcmp(k, code)) return 1;
    }
    return 0;
}

/* The code cc carries from one of our CodeSystems (name), or NULL; *at
** receives its coding index. */
static const char *fxm_our_code(const json_t *cc, const char *cs, size_t *at)
{
    const json_t *c = json_object_get(cc, "coding");
    for (size_t i = 0; i < json_array_size(c); i++) {
        const char *s = fxd_str(json_array_get(c, i), "system");
        if (s && !strcmp(s, cs)) {
            if (at) *at = i;
            return fxd_str(json_array_get(c, i), "code");
        }
    }
    return NULL;
}

/* A CodeableConcept's words for a person: its text, else the first
** coding's display, else its code (our own codes are not shown). */
static const json_t *fxm_cc_text(const json_t *cc, char *sub, size_t cap)
{
    const json_t *c = json_object_get(cc, "coding");
    if (json_object_get(cc, "text")) {
        snprintf(sub, cap, "text");
        return json_object_get(cc, "text");
    }
    for (size_t i = 0; i < json_array_size(c); i++) {
        const json_t *x = json_array_get(c, i);
        const char *s = fxd_str(x, "system");
        if (s && !strncmp(s, FX_BASE, strlen(FX_BASE))) continue;
        snprintf(sub, cap, "coding[%zu].%s", i, json_object_get(x, "display") ? "display" : "code");
        if (json_object_get(x, "display")) return json_object_get(x, "display");
        if (json_object_get(x, "code")) return json_object_get(x, "code");
    }
    return NULL;
}

/* A HumanName array as one string ("text", else given names and family). */
static json_t *fxm_name(const json_t *names)
{
    const json_t *n = json_array_get(names, 0);
    char buf[256];
    size_t o = 0;
    if (!n) return NULL;
    if (fxd_str(n, "text")) return json_string(fxd_str(n, "text"));
    const json_t *g = json_object_get(n, "given");
    for (size_t i = 0; i <= json_array_size(g); i++) {
        const char *s = i < json_array_size(g) ? json_string_value(json_array_get(g, i))
                                                : fxd_str(n, "family");
        if (s && o < sizeof buf)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? " " : "", s);
    }
    return o ? json_string(buf) : NULL;
}

/* The words a person reads for a Reference: its display, else the name of
** the resource it points at (resolved, so a bad reference is an error).
** Returns a new reference, NULL when there is none, or -1 via *bad. */
static json_t *fxm_who(fx_map *m, int from, const json_t *ref, const char *path,
                       char *fhir, int *bad)
{
    *bad = 0;
    if (!ref) return NULL;
    if (json_object_get(ref, "display")) {
        fxd_path(fhir, path, "display");
        return json_deep_copy(json_object_get(ref, "display"));
    }
    int i = fxd_resolve(m->d, from, ref, path, NULL);
    if (i < 0) { *bad = 1; return NULL; }
    const json_t *name = json_object_get(m->d->res[i].r, "name");
    fxm_path(m, i, fhir, "name");
    return json_is_array(name) ? fxm_name(name) : json_deep_copy(name);
}

/* ---------------------------------------------------------- the request */

static const char *const fxm_priorities[][2] = {
    {"routine", "routine"}, {"urgent", "urgent"}, {"asap", "asap"}, {"stat", "asap"}};

static int fxm_request(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    char p[FX_PATH_MAX], q[RF_QUOTE_MAX];
    const json_t *v;

    if ((v = fxm_get(m, sr, "authoredOn"))) {
        if (fxm_set(m, m->rec, "received", fxm_day(v), "received",
                    fxm_path(m, sr, p, "authoredOn")))
            return -1;
    } else
        return fxd_fail(d, fxm_path(m, sr, p, "authoredOn"),
                        "missing (the day the referral was written is its received date)");
    if ((v = fxm_get(m, sr, "priority"))) {
        const char *s = json_string_value(v);
        int k = -1;
        for (int i = 0; s && i < 4; i++)
            if (!strcmp(s, fxm_priorities[i][0])) k = i;
        fxm_path(m, sr, p, "priority");
        if (k < 0)
            return fxd_fail(d, p, s ? "%s is not one of routine, urgent, asap, stat"
                                    : "must be a code (a string), not %s",
                            s ? rf_quote(q, s, strlen(s)) : rf_typename(v));
        if (fxm_set(m, m->rec, "priority", json_string(fxm_priorities[k][1]), "priority", p))
            return -1;
    }
    /* The letter: every note's text, in order, a blank line between. */
    const json_t *notes = fxm_get(m, sr, "note");
    size_t len = 0;
    for (size_t i = 0; i < json_array_size(notes); i++) {
        const json_t *t = json_object_get(json_array_get(notes, i), "text");
        if (!json_is_string(t))
            return fxd_fail(d, fxd_path(p, d->res[sr].path, "note[%zu].text", i),
                            t ? "must be a string, not %s" : "missing%s",
                            t ? rf_typename(t) : "");
        len += json_string_length(t) + 2;
    }
    if (len) {
        char *text = malloc(len), *o = text;
        if (!text) return fxd_fail(d, NULL, "out of memory");
        for (size_t i = 0; i < json_array_size(notes); i++) {
            const json_t *t = json_object_get(json_array_get(notes, i), "text");
            if (i) { memcpy(o, "\n\n", 2); o += 2; }
            memcpy(o, json_string_value(t), json_string_length(t));
            o += json_string_length(t);
        }
        json_t *s = json_stringn(text, (size_t)(o - text));
        free(text);
        if (!s) return fxd_fail(d, fxm_path(m, sr, p, "note"), "is not valid UTF-8");
        if (fxm_set(m, m->rec, "text", s, "text", fxm_path(m, sr, p, "note"))) return -1;
    }
    return 0;
}

/* Diagnoses from one CodeableConcept: its first SKS or ICD-10 coding. A
** Condition (once) repeats no code already given, however it is written
** (DF900 and F90.0 are one diagnosis). */
static int fxm_diagnosis(fx_map *m, const json_t *cc, const char *path, int once)
{
    const json_t *c = json_object_get(cc, "coding");
    char p[FX_PATH_MAX], norm[8], other[8];
    for (size_t j = 0; j < json_array_size(c); j++) {
        const json_t *x = json_array_get(c, j);
        const char *s = fxd_str(x, "system");
        if (!s || (strcmp(s, FX_SYS_SKS) && strcmp(s, FX_SYS_ICD10))) continue;
        const json_t *code = json_object_get(x, "code");
        fxd_path(p, path, "coding[%zu].code", j);
        if (!code) return fxd_fail(m->d, p, "missing");
        if (once && json_is_string(code) && rf_icd_normalise(json_string_value(code), norm))
            for (size_t k = 0; k < json_array_size(m->diagnoses); k++)
                if (rf_icd_normalise(json_string_value(json_array_get(m->diagnoses, k)), other) &&
                    !strcmp(norm, other))
                    return 0;
        return fxm_push(m, &m->diagnoses, "diagnoses", json_deep_copy(code), p) < 0 ? -1 : 0;
    }
    return 0;
}

static int fxm_diagnoses(fx_map *m)
{
    int sr = m->d->sr;
    char p[FX_PATH_MAX];
    const json_t *rc = fxm_get(m, sr, "reasonCode"), *rr = fxm_get(m, sr, "reasonReference");
    for (size_t i = 0; i < json_array_size(rc); i++)
        if (fxm_diagnosis(m, json_array_get(rc, i),
                          fxd_path(p, m->d->res[sr].path, "reasonCode[%zu]", i), 0))
            return -1;
    for (size_t i = 0; i < json_array_size(rr); i++) {
        fxd_path(p, m->d->res[sr].path, "reasonReference[%zu]", i);
        int c = fxd_resolve(m->d, sr, json_array_get(rr, i), p,
                            "|Condition|Observation|DiagnosticReport|DocumentReference|");
        if (c < 0) return -1;
        const json_t *vs = fxm_get(m, c, "verificationStatus");
        if (strcmp(m->d->res[c].type, "Condition") ||
            fxm_has_code(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted") ||
            fxm_has_code(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                         "entered-in-error"))
            continue;
        if (fxm_diagnosis(m, fxm_get(m, c, "code"), fxm_path(m, c, p, "code"), 1)) return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- the referrer */

/* The referrer kind a list of CodeableConcepts names: a coding first,
** then the texts and displays. -1 when none does. */
static int fxm_kind_of(const json_t *ccs)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < json_array_size(ccs); i++) {
            const json_t *cc = json_array_get(ccs, i), *c = json_object_get(cc, "coding");
            int k = pass ? fx_kind_of_text(fxd_str(cc, "text")) : -1;
            for (size_t j = 0; k < 0 && j < json_array_size(c); j++) {
                const json_t *x = json_array_get(c, j);
                k = pass ? fx_kind_of_text(fxd_str(x, "display"))
                         : fx_kind_of_coding(fxd_str(x, "system"), fxd_str(x, "code"));
            }
            if (k >= 0) return k;
        }
    return -1;
}

static int fxm_org_kind(const json_t *org)
{
    int k = fxm_kind_of(json_object_get(org, "type"));
    const json_t *ids = json_object_get(org, "identifier");
    for (size_t i = 0; k < 0 && i < json_array_size(ids); i++) {
        const char *s = fxd_str(json_array_get(ids, i), "system");
        if (s && !strcmp(s, FX_SYS_KOMMUNE)) k = RK_MUNICIPALITY;   /* a municipality's own code */
    }
    return k >= 0 ? k : fx_kind_of_text(fxd_str(org, "name"));
}

/* A PractitionerRole's kind: its code and specialty, else its organisation
** (*org receives that organisation's index, or -1). */
static int fxm_role_kind(fx_map *m, int role, int *org, int *bad)
{
    char p[FX_PATH_MAX];
    const json_t *ref = fxm_get(m, role, "organization");
    int k = fxm_kind_of(fxm_get(m, role, "code"));
    if (k < 0) k = fxm_kind_of(fxm_get(m, role, "specialty"));
    *org = -1;
    *bad = 0;
    if (ref && json_object_get(ref, "reference")) {
        *org = fxd_resolve(m->d, role, ref, fxm_path(m, role, p, "organization"), "|Organization|");
        if (*org < 0) { *bad = 1; return -1; }
        if (k < 0) k = fxm_org_kind(m->d->res[*org].r);
    }
    return k;
}

static int fxm_referrer(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr, k = -1, org = -1, bad = 0;
    char p[FX_PATH_MAX], np[FX_PATH_MAX] = "";
    const json_t *ref = fxm_get(m, sr, "requester");
    json_t *name = NULL;

    fxm_path(m, sr, p, "requester");
    if (!ref) return fxd_fail(d, p, "missing (who refers: a GP, a hospital, the municipality ...)");
    int r = fxd_resolve(d, sr, ref, p, "|Practitioner|PractitionerRole|Organization|"
                        "RelatedPerson|Patient|");
    if (r < 0) return -1;
    m->requester = r;
    const char *type = d->res[r].type;
    json_t *res = d->res[r].r;
    if (!strcmp(type, "RelatedPerson")) {
        k = RK_SELF;
        name = fxm_name(json_object_get(res, "name"));
        fxm_path(m, r, np, "name");
    } else if (!strcmp(type, "Patient")) {
        k = RK_SELF;                 /* the child's own name stays out of the record */
    } else if (!strcmp(type, "Organization")) {
        k = fxm_org_kind(res);
        name = json_deep_copy(json_object_get(res, "name"));
        fxm_path(m, r, np, "name");
    } else if (!strcmp(type, "PractitionerRole")) {
        k = fxm_role_kind(m, r, &org, &bad);
        if (bad) return -1;
        if (org >= 0) {
            name = json_deep_copy(fxm_get(m, org, "name"));
            fxm_path(m, org, np, "name");
        }
        if (!name) {
            const json_t *pr = fxm_get(m, r, "practitioner");
            name = fxm_who(m, r, pr, fxm_path(m, r, p, "practitioner"), np, &bad);
            if (bad) return -1;
        }
    } else {                         /* a Practitioner: the role that names them */
        for (int i = 0; k < 0 && i < d->nres; i++) {
            const char *pr = fxd_str(json_object_get(d->res[i].r, "practitioner"), "reference");
            if (d->res[i].host < 0 && !strcmp(d->res[i].type, "PractitionerRole") && pr &&
                fxd_find(d, pr, i) == r) {
                k = fxm_role_kind(m, i, &org, &bad);
                if (bad) return -1;
            }
        }
        if (k < 0 && d->header >= 0) {   /* else the organisation that sent the message */
            const json_t *snd = json_object_get(d->res[d->header].r, "sender");
            int s = snd ? fxd_resolve(d, d->header, snd,
                                      fxm_path(m, d->header, p, "sender"), NULL) : -1;
            if (snd && s < 0) return -1;
            if (s >= 0 && !strcmp(d->res[s].type, "Organization"))
                k = fxm_org_kind(d->res[s].r);
        }
        name = fxm_name(json_object_get(res, "name"));
        fxm_path(m, r, np, "name");
    }
    if (k < 0) {
        json_decref(name);
        return fxd_fail(d, fxm_path(m, sr, p, "requester"),
                        "cannot tell what kind of referrer the %s (%s) is: give Organization.type"
                        " or PractitionerRole.code as almen praksis, speciallæge, sygehus, "
                        "kommune/PPR or sundhedsplejerske, or a code of %s", type,
                        d->res[r].path, FX_CS("referrer-kind"));
    }
    json_t *o = json_object();
    if (!o || fxm_set(m, m->rec, "referrer", o, "referrer", fxm_path(m, sr, p, "requester")) ||
        fxm_set(m, o, "kind", json_string(rf_referrer_names[k]), "referrer.kind", p)) {
        json_decref(name);
        return -1;
    }
    return name ? fxm_set(m, o, "name", name, "referrer.name", np) : 0;
}

/* ----------------------------------------------------------- the patient */

static const char *const fxm_genders[][2] = {
    {"female", "F"}, {"male", "M"}, {"other", "U"}, {"unknown", "U"}};

/* The home address (else the first that is not old): its municipality
** code (DK Core extension) as the municipality's name, else its district. */
static int fxm_municipality(fx_map *m, int pat, json_t *po)
{
    char p[FX_PATH_MAX], q[RF_QUOTE_MAX];
    const json_t *addrs = fxm_get(m, pat, "address");
    size_t a = json_array_size(addrs);
    for (size_t i = 0; i < json_array_size(addrs); i++) {
        const char *use = fxd_str(json_array_get(addrs, i), "use");
        if (use && !strcmp(use, "home")) { a = i; break; }
        if (a == json_array_size(addrs) && (!use || strcmp(use, "old"))) a = i;
    }
    const json_t *addr = json_array_get(addrs, a), *ext = json_object_get(addr, "extension");
    for (size_t e = 0; e < json_array_size(ext); e++) {
        const json_t *x = json_array_get(ext, e);
        const char *url = fxd_str(x, "url");
        if (!url || strcmp(url, FX_EXT_KOMMUNE)) continue;
        const json_t *c = json_object_get(json_object_get(x, "valueCodeableConcept"), "coding");
        for (size_t j = 0; j < json_array_size(c); j++) {
            const char *sys = fxd_str(json_array_get(c, j), "system");
            const char *code = fxd_str(json_array_get(c, j), "code");
            if (sys && strcmp(sys, FX_SYS_KOMMUNE)) continue;
            fxd_path(p, m->d->res[pat].path,
                     "address[%zu].extension[%zu].valueCodeableConcept.coding[%zu].code", a, e, j);
            const char *name = code ? fx_kommune_name(code, strlen(code)) : NULL;
            if (!name)
                return fxd_fail(m->d, p, code ? "%s is not a Danish municipality code "
                                "(DK Core dk-core-municipality-codes)" : "missing%s",
                                code ? rf_quote(q, code, strlen(code)) : "");
            return fxm_set(m, po, "municipality", json_string(name), "patient.municipality", p);
        }
    }
    if (json_object_get(addr, "district"))
        return fxm_set(m, po, "municipality", json_deep_copy(json_object_get(addr, "district")),
                       "patient.municipality",
                       fxd_path(p, m->d->res[pat].path, "address[%zu].district", a));
    return fxd_fail(m->d, fxm_path(m, pat, p, "address"),
                    "no municipality: give the home address's district, or DK Core's "
                    "municipality code (kommunekode)");
}

static int fxm_patient(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    char p[FX_PATH_MAX], q[RF_QUOTE_MAX];
    const json_t *ref = fxm_get(m, sr, "subject"), *v;
    if (!ref) return fxd_fail(d, fxm_path(m, sr, p, "subject"), "missing (the child referred)");
    int pat = fxd_resolve(d, sr, ref, fxm_path(m, sr, p, "subject"), "|Patient|");
    if (pat < 0) return -1;
    m->subject = pat;
    json_t *po = fxm_obj(m, &m->patient, "patient");
    if (!po || fxm_note(m, "patient", d->res[pat].path)) return fxd_fail(d, NULL, "out of memory");

    const json_t *ids = fxm_get(m, pat, "identifier");
    int cpr = 0;
    for (size_t i = 0; !cpr && i < json_array_size(ids); i++) {
        const char *s = fxd_str(json_array_get(ids, i), "system");
        if (!s || strcmp(s, FX_SYS_CPR)) continue;
        fxd_path(p, d->res[pat].path, "identifier[%zu].value", i);
        if (!(v = json_object_get(json_array_get(ids, i), "value")))
            return fxd_fail(d, p, "missing (a CPR identifier without its number)");
        if (fxm_set(m, po, "cpr", json_deep_copy(v), "patient.cpr", p)) return -1;
        cpr = 1;
    }
    if ((v = fxm_get(m, pat, "birthDate"))) {
        if (fxm_set(m, po, "birth_date", json_deep_copy(v), "patient.birth_date",
                    fxm_path(m, pat, p, "birthDate")))
            return -1;
    } else if (!cpr)
        return fxd_fail(d, fxm_path(m, pat, p, "birthDate"),
                        "missing, and there is no CPR identifier (%s)", FX_SYS_CPR);
    if ((v = fxm_get(m, pat, "gender"))) {
        const char *s = json_string_value(v);
        int k = -1;
        for (int i = 0; s && i < 4; i++)
            if (!strcmp(s, fxm_genders[i][0])) k = i;
        fxm_path(m, pat, p, "gender");
        if (k < 0)
            return fxd_fail(d, p, s ? "%s is not one of male, female, other, unknown"
                                    : "must be a code (a string), not %s",
                            s ? rf_quote(q, s, strlen(s)) : rf_typename(v));
        if (fxm_set(m, po, "sex", json_string(fxm_genders[k][1]), "patient.sex", p)) return -1;
    }
    return fxm_municipality(m, pat, po);
}

/* ---------------------------------------------------- supporting information */

/* value[x] of an Observation: the member's name in *name, its JSON. */
static const json_t *fxm_value(const json_t *obs, const char **name)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obs, k, v)
        if (!strncmp(k, "value", 5)) { *name = k; return v; }
    return NULL;
}

/* A number from value[x] (valueQuantity.value, valueInteger, valueDecimal):
** its JSON, the element's FHIRPath in p. NULL when the value is not one. */
static const json_t *fxm_number(const json_t *holder, const char *base, char *p)
{
    const char *k = NULL;
    const json_t *v = fxm_value(holder, &k);
    if (!v) return NULL;
    if (!strcmp(k, "valueQuantity")) {
        fxd_path(p, base, "valueQuantity.value");
        return json_object_get(v, "value");
    }
    if (!strcmp(k, "valueInteger") || !strcmp(k, "valueDecimal")) {
        fxd_path(p, base, "%s", k);
        return v;
    }
    return NULL;
}

/* A measurement in the unit native wants: cm from cm or m, kg from kg or g. */
static int fxm_measure(fx_map *m, int res, const char *key, const char *unit,
                       const char *alt, double factor)
{
    char p[FX_PATH_MAX], q[RF_QUOTE_MAX];
    const json_t *qty = fxm_get(m, res, "valueQuantity");
    const json_t *num = fxm_number(m->d->res[res].r, m->d->res[res].path, p);
    if (!num) return 0;
    const char *u = fxd_str(qty, "code") ? fxd_str(qty, "code") : fxd_str(qty, "unit");
    double f = 1;
    if (u && alt && !strcmp(u, alt)) f = factor;
    else if (u && unit && strcmp(u, unit)) {
        char up[FX_PATH_MAX];
        return fxd_fail(m->d, fxd_path(up, m->d->res[res].path, "valueQuantity.%s",
                                       fxd_str(qty, "code") ? "code" : "unit"),
                        "%s is not a unit read here (%s%s%s)", rf_quote(q, u, strlen(u)),
                        unit, alt ? " or " : "", alt ? alt : "");
    }
    char native[40];
    snprintf(native, sizeof native, "somatic.%s", key);
    json_t *v = f != 1 && json_is_number(num) ? json_real(json_number_value(num) * f)
                                              : json_deep_copy(num);
    return fxm_set(m, fxm_obj(m, &m->somatic, "somatic"), key, v, native, p);
}

/* An assessment: kind, instrument, date, fsiq, by — whichever are given. */
static int fxm_assessment(fx_map *m, int res, int kind, const json_t *instr, const char *ipath,
                          const json_t *date, const char *dpath, const json_t *fsiq,
                          const char *fpath, const json_t *by, const char *bpath)
{
    char native[48];
    json_t *a = json_object();
    int i = a ? fxm_push(m, &m->assessments, "assessments", a, m->d->res[res].path) : -1;
    if (i < 0) return -1;
    json_object_set_new(a, "kind", json_string(rf_assessment_names[kind]));
    struct { const char *key; const json_t *v; const char *path; } f[] = {
        {"instrument", instr, ipath}, {"date", date, dpath}, {"fsiq", fsiq, fpath}, {"by", by, bpath}};
    for (int k = 0; k < 4; k++) {
        if (!f[k].v) continue;
        snprintf(native, sizeof native, "assessments[%d].%s", i, f[k].key);
        if (fxm_set(m, a, f[k].key, k == 1 ? fxm_day(f[k].v) : json_deep_copy(f[k].v),
                    native, f[k].path))
            return -1;
    }
    return 0;
}

/* The first of several date elements a resource has. */
static const json_t *fxm_date(fx_map *m, int res, const char *const *keys, char *p)
{
    for (; *keys; keys++) {
        const json_t *v = fxm_get(m, res, *keys);
        if (!strcmp(*keys, "effectivePeriod") || !strcmp(*keys, "context")) {
            v = json_object_get(!strcmp(*keys, "context") ? json_object_get(v, "period") : v,
                                "start");
            if (v) fxd_path(p, m->d->res[res].path, "%s.start",
                            !strcmp(*keys, "context") ? "context.period" : *keys);
        } else if (v)
            fxd_path(p, m->d->res[res].path, "%s", *keys);
        if (v) return v;
    }
    return NULL;
}

/* An Observation that is a test: a cognitive test unless its category
** says another kind (fhir.md: instrument in code, date in effective[x],
** full-scale IQ in valueQuantity or a component). */
static int fxm_test(fx_map *m, int res)
{
    static const char *const dates[] = {"effectiveDateTime", "effectivePeriod",
                                        "effectiveInstant", "issued", NULL};
    char ip[FX_PATH_MAX] = "", dp[FX_PATH_MAX] = "", fp[FX_PATH_MAX] = "", bp[FX_PATH_MAX] = "";
    char sub[48];
    const json_t *cat = fxm_get(m, res, "category"), *code = fxm_get(m, res, "code");
    int kind = -1, bad;
    for (size_t i = 0; kind < 0 && i < json_array_size(cat); i++) {
        const char *c = fxm_our_code(json_array_get(cat, i), FX_CS("assessment-kind"), NULL);
        kind = c ? fx_assessment_of_coding(FX_CS("assessment-kind"), c) : -1;
    }
    if (kind < 0) kind = AK_COGNITIVE;
    const json_t *instr = fxm_cc_text(code, sub, sizeof sub);
    if (instr) fxd_path(ip, m->d->res[res].path, "code.%s", sub);
    const json_t *date = fxm_date(m, res, dates, dp);
    const json_t *fsiq = fxm_number(m->d->res[res].r, m->d->res[res].path, fp);
    const json_t *comp = fxm_get(m, res, "component");
    for (size_t i = 0; !fsiq && i < json_array_size(comp); i++) {
        const json_t *c = json_array_get(comp, i);
        char base[FX_PATH_MAX];
        if (!fxm_has_code(json_object_get(c, "code"), FX_CS("finding"), "fsiq")) continue;
        fsiq = fxm_number(c, fxd_path(base, m->d->res[res].path, "component[%zu]", i), fp);
    }
    char pp[FX_PATH_MAX];
    json_t *by = fxm_who(m, res, json_array_get(fxm_get(m, res, "performer"), 0),
                         fxm_path(m, res, pp, "performer[0]"), bp, &bad);
    if (bad) return -1;
    int rc = fxm_assessment(m, res, kind, instr, ip, date, dp, fsiq, fp, by, bp);
    json_decref(by);
    return rc;
}

/* A DocumentReference or DiagnosticReport: PPV, a school statement, a
** child-welfare report ... by its type (our code, else its words). */
static int fxm_document(fx_map *m, int res)
{
    static const char *const dr_dates[] = {"date", "context", NULL};
    static const char *const rep_dates[] = {"effectiveDateTime", "effectivePeriod", "issued", NULL};
    int doc = !strcmp(m->d->res[res].type, "DocumentReference"), kind = -1, bad;
    char ip[FX_PATH_MAX] = "", dp[FX_PATH_MAX] = "", bp[FX_PATH_MAX] = "", pp[FX_PATH_MAX];
    const json_t *types[2] = {fxm_get(m, res, doc ? "type" : "code"), NULL};
    const json_t *cats = fxm_get(m, res, "category");
    for (size_t i = 0; i < json_array_size(cats) && i < 1; i++) types[1] = json_array_get(cats, i);
    for (int t = 0; kind < 0 && t < 2; t++) {
        const json_t *cc = types[t], *c = json_object_get(cc, "coding");
        const char *our = fxm_our_code(cc, FX_CS("assessment-kind"), NULL);
        kind = our ? fx_assessment_of_coding(FX_CS("assessment-kind"), our) : -1;
        if (kind < 0) kind = fx_assessment_of_text(fxd_str(cc, "text"));
        for (size_t j = 0; kind < 0 && j < json_array_size(c); j++)
            kind = fx_assessment_of_text(fxd_str(json_array_get(c, j), "display"));
    }
    if (kind < 0) kind = AK_OTHER;
    const json_t *instr = doc ? fxm_get(m, res, "description") : NULL;
    if (instr) fxm_path(m, res, ip, "description");
    const json_t *date = fxm_date(m, res, doc ? dr_dates : rep_dates, dp);
    const char *who = doc ? "author[0]" : "performer[0]";
    json_t *by = fxm_who(m, res, json_array_get(fxm_get(m, res, doc ? "author" : "performer"), 0),
                         fxm_path(m, res, pp, who), bp, &bad);
    if (bad) return -1;
    int rc = fxm_assessment(m, res, kind, instr, ip, date, dp, NULL, NULL, by, bp);
    json_decref(by);
    return rc;
}

/* Our finding codes (FX_CS("finding")) and where each goes. */
enum { FF_BOOL_RISK, FF_CUSTODY, FF_GAPD, FF_PREVIOUS, FF_LOSS, FF_TEST };

static int fxm_finding(const json_t *code, int *risk)
{
    const char *c = fxm_our_code(code, FX_CS("finding"), NULL);
    if (!c) return -1;
    for (int i = 0; i < RISK__N; i++)
        if (!strcmp(c, rf_risk_names[i])) { *risk = i; return FF_BOOL_RISK; }
    if (!strcmp(c, "custody")) return FF_CUSTODY;
    if (!strcmp(c, "gapd")) return FF_GAPD;
    if (!strcmp(c, "previous_buc_contact")) return FF_PREVIOUS;
    if (!strcmp(c, "weight_loss_pct_3m")) return FF_LOSS;
    if (!strcmp(c, "cognitive_test")) return FF_TEST;
    return -1;
}

/* Set a field from value[x] as it is (the native check names a wrong type
** at value[x]'s path); first one wins, later ones are kept as sent only. */
static int fxm_from_value(fx_map *m, int res, json_t *obj, const char *key, const char *native,
                          const char *want)
{
    const char *k = NULL;
    char p[FX_PATH_MAX];
    const json_t *v = fxm_value(m->d->res[res].r, &k);
    if (!v || !obj || json_object_get(obj, key)) return 0;
    if (want && !strcmp(want, "code") && !strcmp(k, "valueCodeableConcept")) {
        size_t at = 0;
        const char *c = fxm_our_code(v, FX_CS("custody"), &at);
        fxd_path(p, m->d->res[res].path, "valueCodeableConcept.coding[%zu].code", at);
        return fxm_set(m, obj, key, c ? json_string(c) : json_deep_copy(v), native, p);
    }
    if (!strcmp(k, "valueQuantity")) {
        v = json_object_get(v, "value");
        fxd_path(p, m->d->res[res].path, "valueQuantity.value");
    } else
        fxd_path(p, m->d->res[res].path, "%s", k);
    return v ? fxm_set(m, obj, key, json_deep_copy(v), native, p) : 0;
}

static int fxm_observation(fx_map *m, int res)
{
    const json_t *code = fxm_get(m, res, "code"), *cat = fxm_get(m, res, "category");
    char native[48];
    int risk = 0;
    if (fxm_has_code(code, FX_SYS_LOINC, "8302-2"))
        return fxm_measure(m, res, "height_cm", "cm", "m", 100);
    if (fxm_has_code(code, FX_SYS_LOINC, "29463-7"))
        return fxm_measure(m, res, "weight_kg", "kg", "g", 0.001);
    if (fxm_has_code(code, FX_SYS_LOINC, "39156-5"))
        return fxm_measure(m, res, "bmi", "kg/m2", NULL, 1);
    switch (fxm_finding(code, &risk)) {
    case FF_BOOL_RISK:
        snprintf(native, sizeof native, "risk.%s", rf_risk_names[risk]);
        return fxm_from_value(m, res, fxm_obj(m, &m->risk, "risk"), rf_risk_names[risk],
                              native, NULL);
    case FF_CUSTODY:
        return fxm_from_value(m, res, m->patient, "custody", "patient.custody", "code");
    case FF_GAPD:
        return fxm_from_value(m, res, m->rec, "gapd", "gapd", NULL);
    case FF_PREVIOUS:
        return fxm_from_value(m, res, m->rec, "previous_buc_contact", "previous_buc_contact", NULL);
    case FF_LOSS:
        return fxm_measure(m, res, "weight_loss_pct_3m", "%", NULL, 1);
    case FF_TEST:
        return fxm_test(m, res);
    }
    /* Laboratory results, vital signs and imaging are not tests of the child's mind. */
    static const char *const skip[] = {"laboratory", "vital-signs", "imaging"};
    for (size_t i = 0; i < json_array_size(cat); i++)
        for (int s = 0; s < 3; s++)
            if (fxm_has_code(json_array_get(cat, i),
                             "http://terminology.hl7.org/CodeSystem/observation-category", skip[s]))
                return 0;
    return fxm_test(m, res);
}

/* Consent: both custodians agreed (active), or refused (rejected, inactive,
** a deny provision). Only a Consent about both custodians counts: our
** code, or two or more performers. */
static int fxm_consent(fx_map *m, int res)
{
    char p[FX_PATH_MAX];
    const json_t *cats = fxm_get(m, res, "category");
    const char *status = json_string_value(fxm_get(m, res, "status"));
    int ours = json_array_size(fxm_get(m, res, "performer")) >= 2;
    for (size_t i = 0; !ours && i < json_array_size(cats); i++)
        ours = fxm_has_code(json_array_get(cats, i), FX_CS("consent"), "both_custodians");
    if (!ours || !status || !strcmp(status, "entered-in-error") || (m->consent &&
        json_object_get(m->consent, "both_custodians")))
        return 0;
    const char *prov = fxd_str(fxm_get(m, res, "provision"), "type");
    json_t *v = !strcmp(status, "active") ? json_boolean(!prov || strcmp(prov, "deny"))
              : !strcmp(status, "rejected") || !strcmp(status, "inactive") ? json_false()
              : json_null();
    return fxm_set(m, fxm_obj(m, &m->consent, "consent"), "both_custodians", v,
                   "consent.both_custodians", fxm_path(m, res, p, "status"));
}

/* A Condition with one of our risk codes: the risk is there, unless refuted. */
static int fxm_condition(fx_map *m, int res)
{
    char p[FX_PATH_MAX], native[48];
    int risk = 0;
    const json_t *vs = fxm_get(m, res, "verificationStatus");
    const char *vsys = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    if (fxm_finding(fxm_get(m, res, "code"), &risk) != FF_BOOL_RISK ||
        fxm_has_code(vs, vsys, "entered-in-error"))
        return 0;
    json_t *o = fxm_obj(m, &m->risk, "risk");
    if (!o || json_object_get(o, rf_risk_names[risk])) return 0;
    snprintf(native, sizeof native, "risk.%s", rf_risk_names[risk]);
    return fxm_set(m, o, rf_risk_names[risk], json_boolean(!fxm_has_code(vs, vsys, "refuted")),
                   native, fxm_path(m, res, p, "code"));
}

/* An effort already tried (Procedure) or a medicine taken: its words. */
static int fxm_listed(fx_map *m, int res, const json_t *cc, const char *ccpath,
                      json_t **arr, const char *name, const char *cs)
{
    char sub[48], p[FX_PATH_MAX];
    size_t at = 0;
    const char *our = cs ? fxm_our_code(cc, cs, &at) : NULL;
    const json_t *v = fxm_cc_text(cc, sub, sizeof sub);
    (void)res;
    if (our) {
        fxd_path(p, ccpath, "coding[%zu].code", at);
        return fxm_push(m, arr, name, json_string(our), p) < 0 ? -1 : 0;
    }
    if (!v) return 0;
    return fxm_push(m, arr, name, json_deep_copy(v), fxd_path(p, ccpath, "%s", sub)) < 0 ? -1 : 0;
}

static int fxm_support(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    char p[FX_PATH_MAX];
    const json_t *si = fxm_get(m, sr, "supportingInfo");
    if (si && fxm_note(m, "assessments", fxm_path(m, sr, p, "supportingInfo"))) return -1;
    for (size_t i = 0; i < json_array_size(si); i++) {
        fxd_path(p, d->res[sr].path, "supportingInfo[%zu]", i);
        int r = fxd_resolve(d, sr, json_array_get(si, i), p, NULL);
        if (r < 0) return -1;
        const char *t = d->res[r].type, *status = json_string_value(fxm_get(m, r, "status"));
        if (status && (!strcmp(status, "entered-in-error") || !strcmp(status, "cancelled") ||
                       !strcmp(status, "not-done") || !strcmp(status, "not-taken")))
            continue;
        int rc = 0;
        if (!strcmp(t, "Observation")) rc = fxm_observation(m, r);
        else if (!strcmp(t, "DocumentReference") || !strcmp(t, "DiagnosticReport"))
            rc = fxm_document(m, r);
        else if (!strcmp(t, "Consent")) rc = fxm_consent(m, r);
        else if (!strcmp(t, "Condition")) rc = fxm_condition(m, r);
        else if (!strcmp(t, "Procedure"))
            rc = fxm_listed(m, r, fxm_get(m, r, "code"), fxm_path(m, r, p, "code"), &m->prior,
                            "prior_interventions", FX_CS("prior-intervention"));
        else if (!strcmp(t, "MedicationStatement") || !strcmp(t, "MedicationRequest"))
            rc = fxm_listed(m, r, fxm_get(m, r, "medicationCodeableConcept"),
                            fxm_path(m, r, p, "medicationCodeableConcept"), &m->medication,
                            "medication", NULL);
        if (rc) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- errors */

/* Replace a native field name inside a native message by its FHIRPath
** ("does not agree with the birth date in patient.cpr"). */
static void fxm_reword(const fx_map *m, char *what, size_t cap)
{
    static const char *const names[] = {"patient.cpr", "received"};
    for (int i = 0; i < 2; i++) {
        char *at = strstr(what, names[i]);
        if (!at) continue;
        const char *fhir = fxm_where(m, names[i]);
        char tail[512];
        snprintf(tail, sizeof tail, "%s", at + strlen(names[i]));
        snprintf(at, cap - (size_t)(at - what), "%s%s", fhir, tail);
    }
}

/* The native validator's error, said at the FHIRPath the field came from. */
static void fxm_translate(fx_map *m, triage_error *err, const char *id)
{
    char field[sizeof err->field], what[512], key[sizeof err->field + 4];
    if (!err || err->code != TRIAGE_EINVAL || !err->field[0]) return;
    snprintf(field, sizeof field, "%s", err->field);
    snprintf(key, sizeof key, ": %s: ", field);
    const char *at = strstr(err->text, key);
    snprintf(what, sizeof what, "%s", at ? at + strlen(key) : err->text);
    fxm_reword(m, what, sizeof what);
    triage_error_set(err, TRIAGE_EINVAL, m->d->file, m->d->line, id, fxm_where(m, field), "%s", what);
}

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

/* The record with its members in the schema's order (as a native record
** is written), for whoever reads the stored JSON. A new reference. */
static json_t *fxm_ordered(json_t *rec)
{
    static const char *const keys[] = {
        "id", "received", "priority", "referrer", "patient", "consent", "diagnoses", "text",
        "gapd", "assessments", "prior_interventions", "risk", "somatic", "medication",
        "previous_buc_contact"};
    json_t *o = json_object();
    for (size_t i = 0; o && i < sizeof keys / sizeof *keys; i++) {
        json_t *v = json_object_get(rec, keys[i]);
        if (v) json_object_set(o, keys[i], v);
    }
    return o;
}

/* The referral id: ServiceRequest.identifier[0].value, else its id. */
static int fxm_id(fx_map *m)
{
    char p[FX_PATH_MAX];
    int sr = m->d->sr;
    const json_t *ids = fxm_get(m, sr, "identifier"), *v = NULL;
    if (json_array_size(ids)) {
        v = json_object_get(json_array_get(ids, 0), "value");
        fxm_path(m, sr, p, "identifier[0].value");
        if (!v) return fxd_fail(m->d, p, "missing (the referral's id, henvisningsId)");
    } else if ((v = fxm_get(m, sr, "id")))
        fxm_path(m, sr, p, "id");
    else
        return fxd_fail(m->d, fxm_path(m, sr, p, "identifier"),
                        "missing, and the ServiceRequest has no id: the referral needs an id");
    if (json_is_string(v) && json_string_length(v) <= 64) m->d->id = json_string_value(v);
    return fxm_set(m, m->rec, "id", json_deep_copy(v), "id", p);
}

int fx_read(json_t *doc, const char *file, long line, triage_referral **out,
            fx_origin **origin, triage_error *err)
{
    fx_doc d;
    fx_map m = {.d = &d, .requester = -1, .subject = -1};
    fx_origin *o = NULL;
    int rc = -1;
    *out = NULL;
    if (origin) *origin = NULL;
    if (fxd_open(&d, doc, file, line, err) || !(m.rec = json_object()) || fxm_id(&m))
        goto done;
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
    if (fxm_request(&m) || fxm_referrer(&m) || fxm_patient(&m) || fxm_diagnoses(&m) ||
        fxm_support(&m))
        goto done;
    char id[72];
    snprintf(id, sizeof id, "%s", d.id ? d.id : "");
    if (!(o = fxm_origin(&d, m.requester, m.subject, id))) {
        triage_error_set(err, TRIAGE_ENOMEM, file, line, id, NULL, "out of memory");
        goto done;
    }
    if (!(*out = rf_from_json(fxm_ordered(m.rec), file, line, err))) {
        fxm_translate(&m, err, id);
        fx_origin_free(o);
        goto done;
    }
    (*out)->origin = o;                      /* the referral holds what was sent */
    if (origin) *origin = fx_origin_retain(o);
    rc = FX_REFERRAL;
done:
    json_decref(m.rec);
    free(m.prov);
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
