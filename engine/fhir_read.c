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

/* A native field's name: a, [i] when i >= 0, .b when b ("assessments[1].date",
** "patient.cpr", "received"). */
typedef struct fx_nat { const char *a; int i; const char *b; } fx_nat;
#define FX_NAT(a) ((fx_nat){(a), -1, NULL})
#define FX_NAT2(a, b) ((fx_nat){(a), -1, (b)})

/* Where a native field came from, kept for every field, written out only
** for an error. */
typedef struct fx_prov { fx_nat nat; fx_at at; } fx_prov;

/* The native record's members in the schema's order: the mapping fills
** the slots, and the record is made of them at the end, in this order, as a
** native record is written. */
enum { K_ID, K_RECEIVED, K_PRIORITY, K_REFERRER, K_PATIENT, K_CONSENT, K_DIAGNOSES, K_TEXT,
       K_GAPD, K_ASSESSMENTS, K_PRIOR, K_RISK, K_SOMATIC, K_MEDICATION, K_PREVIOUS, K__N };
static const char *const fxm_keys[K__N] = {
    "id", "received", "priority", "referrer", "patient", "consent", "diagnoses", "text",
    "gapd", "assessments", "prior_interventions", "risk", "somatic", "medication",
    "previous_buc_contact"};

typedef struct fx_map {
    fx_doc *d;
    json_t *slot[K__N];           /* the record's members, once made */
    fx_prov *prov;                /* native field -> where it came from */
    int nprov, capprov;
    fx_prov local[48];
    int requester;                /* resource indices, -1 when absent */
    int subject;
} fx_map;

/* --------------------------------------------------------- provenance */

static int fxm_oom(fx_map *m)
{
    triage_error_set(m->d->err, TRIAGE_ENOMEM, m->d->file, m->d->line, NULL, NULL, "out of memory");
    return -1;
}

static int fxm_note(fx_map *m, fx_nat nat, const fx_at *at)
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
static int fxm_set(fx_map *m, json_t *obj, const char *key, json_t *v, fx_nat nat,
                   const fx_at *at)
{
    if (!v || json_object_set_new_nocheck(obj, key, v)) return fxm_oom(m);
    return fxm_note(m, nat, at);
}

/* Set the record's member k = v (stolen). */
static int fxm_top(fx_map *m, int k, json_t *v, const fx_at *at)
{
    if (!v) return fxm_oom(m);
    json_decref(m->slot[k]);
    m->slot[k] = v;
    return fxm_note(m, FX_NAT(fxm_keys[k]), at);
}

/* Append v (stolen) to the record's array member k (made on first use);
** returns its index or -1. */
static int fxm_push(fx_map *m, int k, json_t *v, const fx_at *at)
{
    if (!m->slot[k]) m->slot[k] = json_array();
    int i = m->slot[k] ? (int)json_array_size(m->slot[k]) : 0;
    if (!v || !m->slot[k] || json_array_append_new(m->slot[k], v)) return fxm_oom(m);
    return fxm_note(m, (fx_nat){fxm_keys[k], i, NULL}, at) ? -1 : i;
}

/* The record's object member k, made on first use. */
static json_t *fxm_obj(fx_map *m, int k)
{
    if (!m->slot[k]) m->slot[k] = json_object();
    return m->slot[k];
}

/* ------------------------------------------------------------ helpers */

static const json_t *fxm_get(fx_map *m, int res, const char *key)
{
    return json_object_get(m->d->res[res].r, key);
}

/* The element key of resource res. */
static fx_at fxm_at(int res, const char *seg)
{
    return fx_in(fx_at_res(res), seg, 0);
}

/* A value of the document for the record: the same value, shared (the
** document is read, never changed), so that nothing is copied. */
static json_t *fxm_share(const json_t *v)
{
    return json_incref((json_t *)v);
}

/* A FHIR date or dateTime as the native YYYY-MM-DD: its date part, as
** written. Anything else goes on as it is, for the native check to name. */
static json_t *fxm_day(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;
    if (s && n > 10 && s[10] == 'T') return json_stringn_nocheck(s, 10);
    return fxm_share(v);
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
** coding's display, else its code (our own codes are not shown); *at (the
** concept's place) becomes the element's. */
static const json_t *fxm_cc_text(const json_t *cc, fx_at *at)
{
    const json_t *c = json_object_get(cc, "coding"), *t = json_object_get(cc, "text");
    if (t) {
        *at = fx_in(*at, ".text", 0);
        return t;
    }
    for (size_t i = 0; i < json_array_size(c); i++) {
        const json_t *x = json_array_get(c, i);
        const char *s = fxd_str(x, "system");
        if (s && !strncmp(s, FX_BASE, sizeof FX_BASE - 1)) continue;
        const json_t *v = json_object_get(x, "display");
        const char *seg = ".coding[%d].display";
        if (!v) {
            v = json_object_get(x, "code");
            seg = ".coding[%d].code";
        }
        *at = fx_in(*at, seg, (int)i);
        if (v) return v;
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
    if (fxd_str(n, "text")) return fxm_share(json_object_get(n, "text"));
    const json_t *g = json_object_get(n, "given");
    for (size_t i = 0; i <= json_array_size(g); i++) {
        const char *s = i < json_array_size(g) ? json_string_value(json_array_get(g, i))
                                                : fxd_str(n, "family");
        if (s && o < sizeof buf)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? " " : "", s);
    }
    return o ? json_string(buf) : NULL;
}

/* The words a person reads for the Reference ref (at): its display, else
** the name of the resource it points at (resolved, so a bad reference is an
** error); *where becomes the words' element. Returns a new reference, NULL
** when there is none, or -1 via *bad. */
static json_t *fxm_who(fx_map *m, const json_t *ref, const fx_at *at, fx_at *where, int *bad)
{
    *bad = 0;
    if (!ref) return NULL;
    const json_t *display = json_object_get(ref, "display");
    if (display) {
        *where = fx_in(*at, ".display", 0);
        return fxm_share(display);
    }
    int i = fxd_resolve(m->d, ref, at, NULL);
    if (i < 0) { *bad = 1; return NULL; }
    const json_t *name = json_object_get(m->d->res[i].r, "name");
    *where = fxm_at(i, ".name");
    return json_is_array(name) ? fxm_name(name) : name ? fxm_share(name) : NULL;
}

/* ---------------------------------------------------------- the request */

static const char *const fxm_priorities[][2] = {
    {"routine", "routine"}, {"urgent", "urgent"}, {"asap", "asap"}, {"stat", "asap"}};

static int fxm_request(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    char q[RF_QUOTE_MAX];
    const json_t *v;
    fx_at at = fxm_at(sr, ".authoredOn");
    if (!(v = fxm_get(m, sr, "authoredOn")))
        return fxd_fail_at(d, &at, "missing (the day the referral was written is its received "
                           "date)");
    if (fxm_top(m, K_RECEIVED, fxm_day(v), &at)) return -1;
    if ((v = fxm_get(m, sr, "priority"))) {
        const char *s = json_string_value(v);
        int k = -1;
        for (int i = 0; s && i < 4; i++)
            if (!strcmp(s, fxm_priorities[i][0])) k = i;
        at = fxm_at(sr, ".priority");
        if (k < 0)
            return fxd_fail_at(d, &at, s ? "%s is not one of routine, urgent, asap, stat"
                                         : "must be a code (a string), not %s",
                               s ? rf_quote(q, s, strlen(s)) : rf_typename(v));
        if (fxm_top(m, K_PRIORITY, k == 3 ? json_string_nocheck("asap") : fxm_share(v), &at))
            return -1;
    }
    return 0;
}

/* The letter: every note's text, in order, a blank line between (one
** note's text is shared as it is). */
static int fxm_text(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    const json_t *notes = fxm_get(m, sr, "note");
    size_t len = 0, n = json_array_size(notes);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_object_get(json_array_get(notes, i), "text");
        if (!json_is_string(t)) {
            fx_at at = fx_in(fx_in(fx_at_res(sr), ".note[%d]", (int)i), ".text", 0);
            return fxd_fail_at(d, &at, t ? "must be a string, not %s" : "missing%s",
                               t ? rf_typename(t) : "");
        }
        len += json_string_length(t) + 2;
    }
    if (!n) return 0;
    fx_at at = fxm_at(sr, ".note");
    if (n == 1)
        return fxm_top(m, K_TEXT, fxm_share(json_object_get(json_array_get(notes, 0), "text")),
                       &at);
    char *text = malloc(len), *o = text;
    if (!text) return fxm_oom(m);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_object_get(json_array_get(notes, i), "text");
        if (i) { memcpy(o, "\n\n", 2); o += 2; }
        memcpy(o, json_string_value(t), json_string_length(t));
        o += json_string_length(t);
    }
    json_t *s = json_stringn_nocheck(text, (size_t)(o - text));   /* UTF-8 pieces and "\n\n" */
    free(text);
    return fxm_top(m, K_TEXT, s, &at);
}

/* Diagnoses from one CodeableConcept (at): its first SKS or ICD-10
** coding. A Condition (once) repeats no code already given, however it is
** written (DF900 and F90.0 are one diagnosis). */
static int fxm_diagnosis(fx_map *m, const json_t *cc, const fx_at *at, int once)
{
    const json_t *c = json_object_get(cc, "coding");
    char norm[8], other[8];
    for (size_t j = 0; j < json_array_size(c); j++) {
        const json_t *x = json_array_get(c, j);
        const char *s = fxd_str(x, "system");
        if (!s || (strcmp(s, FX_SYS_SKS) && strcmp(s, FX_SYS_ICD10))) continue;
        const json_t *code = json_object_get(x, "code");
        fx_at p = fx_in(fx_in(*at, ".coding[%d]", (int)j), ".code", 0);
        if (!code) return fxd_fail_at(m->d, &p, "missing");
        const json_t *have = m->slot[K_DIAGNOSES];
        if (once && json_is_string(code) && rf_icd_normalise(json_string_value(code), norm))
            for (size_t k = 0; k < json_array_size(have); k++)
                if (rf_icd_normalise(json_string_value(json_array_get(have, k)), other) &&
                    !strcmp(norm, other))
                    return 0;
        return fxm_push(m, K_DIAGNOSES, fxm_share(code), &p) < 0 ? -1 : 0;
    }
    return 0;
}

static int fxm_diagnoses(fx_map *m)
{
    int sr = m->d->sr;
    const json_t *rc = fxm_get(m, sr, "reasonCode"), *rr = fxm_get(m, sr, "reasonReference");
    for (size_t i = 0; i < json_array_size(rc); i++) {
        fx_at at = fx_in(fx_at_res(sr), ".reasonCode[%d]", (int)i);
        if (fxm_diagnosis(m, json_array_get(rc, i), &at, 0)) return -1;
    }
    for (size_t i = 0; i < json_array_size(rr); i++) {
        fx_at at = fx_in(fx_at_res(sr), ".reasonReference[%d]", (int)i);
        int c = fxd_resolve(m->d, json_array_get(rr, i), &at,
                            "|Condition|Observation|DiagnosticReport|DocumentReference|");
        if (c < 0) return -1;
        const json_t *vs = fxm_get(m, c, "verificationStatus");
        if (strcmp(m->d->res[c].type, "Condition") ||
            fxm_has_code(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted") ||
            fxm_has_code(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                         "entered-in-error"))
            continue;
        fx_at code = fxm_at(c, ".code");
        if (fxm_diagnosis(m, fxm_get(m, c, "code"), &code, 1)) return -1;
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
    const json_t *ref = fxm_get(m, role, "organization");
    int k = fxm_kind_of(fxm_get(m, role, "code"));
    if (k < 0) k = fxm_kind_of(fxm_get(m, role, "specialty"));
    *org = -1;
    *bad = 0;
    if (ref && json_object_get(ref, "reference")) {
        fx_at at = fxm_at(role, ".organization");
        *org = fxd_resolve(m->d, ref, &at, "|Organization|");
        if (*org < 0) { *bad = 1; return -1; }
        if (k < 0) k = fxm_org_kind(m->d->res[*org].r);
    }
    return k;
}

static int fxm_referrer(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr, k = -1, org = -1, bad = 0;
    char where[FX_PATH_MAX];
    const json_t *ref = fxm_get(m, sr, "requester");
    json_t *name = NULL;
    fx_at at = fxm_at(sr, ".requester"), np = at;

    if (!ref)
        return fxd_fail_at(d, &at, "missing (who refers: a GP, a hospital, the municipality ...)");
    int r = fxd_resolve(d, ref, &at, "|Practitioner|PractitionerRole|Organization|"
                        "RelatedPerson|Patient|");
    if (r < 0) return -1;
    m->requester = r;
    const char *type = d->res[r].type;
    json_t *res = d->res[r].r;
    if (!strcmp(type, "RelatedPerson")) {
        k = RK_SELF;
        name = fxm_name(json_object_get(res, "name"));
        np = fxm_at(r, ".name");
    } else if (!strcmp(type, "Patient")) {
        k = RK_SELF;                 /* the child's own name stays out of the record */
    } else if (!strcmp(type, "Organization")) {
        k = fxm_org_kind(res);
        const json_t *n = json_object_get(res, "name");
        name = n ? fxm_share(n) : NULL;
        np = fxm_at(r, ".name");
    } else if (!strcmp(type, "PractitionerRole")) {
        k = fxm_role_kind(m, r, &org, &bad);
        if (bad) return -1;
        if (org >= 0 && fxm_get(m, org, "name")) {
            name = fxm_share(fxm_get(m, org, "name"));
            np = fxm_at(org, ".name");
        }
        if (!name) {
            fx_at pr = fxm_at(r, ".practitioner");
            name = fxm_who(m, fxm_get(m, r, "practitioner"), &pr, &np, &bad);
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
            fx_at sp = fxm_at(d->header, ".sender");
            int s = snd ? fxd_resolve(d, snd, &sp, NULL) : -1;
            if (snd && s < 0) return -1;
            if (s >= 0 && !strcmp(d->res[s].type, "Organization"))
                k = fxm_org_kind(d->res[s].r);
        }
        name = fxm_name(json_object_get(res, "name"));
        np = fxm_at(r, ".name");
    }
    if (k < 0) {
        json_decref(name);
        return fxd_fail_at(d, &at, "cannot tell what kind of referrer the %s (%s) is: give "
                           "Organization.type or PractitionerRole.code as almen praksis, "
                           "speciallæge, sygehus, kommune/PPR or sundhedsplejerske, or a code "
                           "of %s", type, fxd_res_path(d, r, where), FX_CS("referrer-kind"));
    }
    json_t *o = json_object();
    if (!o || fxm_top(m, K_REFERRER, o, &at) ||
        fxm_set(m, o, "kind", json_string_nocheck(rf_referrer_names[k]), FX_NAT2("referrer", "kind"),
                &at)) {
        json_decref(name);
        return -1;
    }
    return name ? fxm_set(m, o, "name", name, FX_NAT2("referrer", "name"), &np) : 0;
}

/* ----------------------------------------------------------- the patient */

static const char *const fxm_genders[][2] = {
    {"female", "F"}, {"male", "M"}, {"other", "U"}, {"unknown", "U"}};

/* The home address (else the first that is not old): its municipality
** code (DK Core extension) as the municipality's name, else its district. */
static int fxm_municipality(fx_map *m, int pat, json_t *po)
{
    char q[RF_QUOTE_MAX];
    const json_t *addrs = fxm_get(m, pat, "address");
    size_t a = json_array_size(addrs);
    for (size_t i = 0; i < json_array_size(addrs); i++) {
        const char *use = fxd_str(json_array_get(addrs, i), "use");
        if (use && !strcmp(use, "home")) { a = i; break; }
        if (a == json_array_size(addrs) && (!use || strcmp(use, "old"))) a = i;
    }
    const json_t *addr = json_array_get(addrs, a), *ext = json_object_get(addr, "extension");
    fx_at at = fx_in(fx_at_res(pat), ".address[%d]", (int)a);
    for (size_t e = 0; e < json_array_size(ext); e++) {
        const json_t *x = json_array_get(ext, e);
        const char *url = fxd_str(x, "url");
        if (!url || strcmp(url, FX_EXT_KOMMUNE)) continue;
        const json_t *c = json_object_get(json_object_get(x, "valueCodeableConcept"), "coding");
        for (size_t j = 0; j < json_array_size(c); j++) {
            const char *sys = fxd_str(json_array_get(c, j), "system");
            const char *code = fxd_str(json_array_get(c, j), "code");
            if (sys && strcmp(sys, FX_SYS_KOMMUNE)) continue;
            fx_at p = fx_in(fx_in(fx_in(fx_in(at, ".extension[%d]", (int)e),
                                        ".valueCodeableConcept", 0), ".coding[%d]", (int)j),
                            ".code", 0);
            const char *name = code ? fx_kommune_name(code, strlen(code)) : NULL;
            if (!name)
                return fxd_fail_at(m->d, &p, code ? "%s is not a Danish municipality code "
                                   "(DK Core dk-core-municipality-codes)" : "missing%s",
                                   code ? rf_quote(q, code, strlen(code)) : "");
            return fxm_set(m, po, "municipality", json_string_nocheck(name),
                           FX_NAT2("patient", "municipality"), &p);
        }
    }
    const json_t *district = json_object_get(addr, "district");
    if (district) {
        fx_at p = fx_in(at, ".district", 0);
        return fxm_set(m, po, "municipality", fxm_share(district),
                       FX_NAT2("patient", "municipality"), &p);
    }
    fx_at p = fxm_at(pat, ".address");
    return fxd_fail_at(m->d, &p, "no municipality: give the home address's district, or DK "
                       "Core's municipality code (kommunekode)");
}

static int fxm_patient(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    char q[RF_QUOTE_MAX];
    const json_t *ref = fxm_get(m, sr, "subject"), *v;
    fx_at at = fxm_at(sr, ".subject");
    if (!ref) return fxd_fail_at(d, &at, "missing (the child referred)");
    int pat = fxd_resolve(d, ref, &at, "|Patient|");
    if (pat < 0) return -1;
    m->subject = pat;
    json_t *po = fxm_obj(m, K_PATIENT);
    fx_at whole = fx_at_res(pat);
    if (!po || fxm_note(m, FX_NAT("patient"), &whole)) return fxm_oom(m);

    const json_t *ids = fxm_get(m, pat, "identifier");
    int cpr = 0;
    for (size_t i = 0; !cpr && i < json_array_size(ids); i++) {
        const char *s = fxd_str(json_array_get(ids, i), "system");
        if (!s || strcmp(s, FX_SYS_CPR)) continue;
        fx_at p = fx_in(fx_in(whole, ".identifier[%d]", (int)i), ".value", 0);
        if (!(v = json_object_get(json_array_get(ids, i), "value")))
            return fxd_fail_at(d, &p, "missing (a CPR identifier without its number)");
        if (fxm_set(m, po, "cpr", fxm_share(v), FX_NAT2("patient", "cpr"), &p)) return -1;
        cpr = 1;
    }
    fx_at p = fxm_at(pat, ".birthDate");
    if ((v = fxm_get(m, pat, "birthDate"))) {
        if (fxm_set(m, po, "birth_date", fxm_share(v), FX_NAT2("patient", "birth_date"), &p))
            return -1;
    } else if (!cpr)
        return fxd_fail_at(d, &p, "missing, and there is no CPR identifier (%s)", FX_SYS_CPR);
    if ((v = fxm_get(m, pat, "gender"))) {
        const char *s = json_string_value(v);
        int k = -1;
        for (int i = 0; s && i < 4; i++)
            if (!strcmp(s, fxm_genders[i][0])) k = i;
        p = fxm_at(pat, ".gender");
        if (k < 0)
            return fxd_fail_at(d, &p, s ? "%s is not one of male, female, other, unknown"
                                        : "must be a code (a string), not %s",
                               s ? rf_quote(q, s, strlen(s)) : rf_typename(v));
        if (fxm_set(m, po, "sex", json_string_nocheck(fxm_genders[k][1]),
                    FX_NAT2("patient", "sex"), &p))
            return -1;
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

/* value[x]'s element (valueInteger, valueQuantity ...) of at: the name is
** the document's own key (it lives as long as the document), a literal
** never read as a format. */
static fx_at fxm_at_value(fx_at at, const char *name)
{
    at = fx_in(at, ".", 0);
    return fx_in(at, name, FX_LIT);
}

/* A number from value[x] (valueQuantity.value, valueInteger, valueDecimal)
** of holder (at): its JSON and its element (*p). NULL when the value is
** not one. */
static const json_t *fxm_number(const json_t *holder, const fx_at *at, fx_at *p)
{
    const char *k = NULL;
    const json_t *v = fxm_value(holder, &k);
    if (!v) return NULL;
    if (!strcmp(k, "valueQuantity")) {
        *p = fx_in(*at, ".valueQuantity.value", 0);
        return json_object_get(v, "value");
    }
    if (!strcmp(k, "valueInteger") || !strcmp(k, "valueDecimal")) {
        *p = fxm_at_value(*at, k);
        return v;
    }
    return NULL;
}

/* A measurement in the unit native wants: cm from cm or m, kg from kg or g. */
static int fxm_measure(fx_map *m, int res, const char *key, const char *unit,
                       const char *alt, double factor)
{
    char q[RF_QUOTE_MAX];
    const json_t *qty = fxm_get(m, res, "valueQuantity");
    fx_at at = fx_at_res(res), p;
    const json_t *num = fxm_number(m->d->res[res].r, &at, &p);
    if (!num) return 0;
    const char *u = fxd_str(qty, "code") ? fxd_str(qty, "code") : fxd_str(qty, "unit");
    double f = 1;
    if (u && alt && !strcmp(u, alt)) f = factor;
    else if (u && unit && strcmp(u, unit)) {
        fx_at up = fxm_at(res, fxd_str(qty, "code") ? ".valueQuantity.code" : ".valueQuantity.unit");
        return fxd_fail_at(m->d, &up, "%s is not a unit read here (%s%s%s)",
                           rf_quote(q, u, strlen(u)), unit, alt ? " or " : "", alt ? alt : "");
    }
    json_t *v = f != 1 && json_is_number(num) ? json_real(json_number_value(num) * f)
                                              : fxm_share(num);
    json_t *o = fxm_obj(m, K_SOMATIC);
    return o ? fxm_set(m, o, key, v, FX_NAT2("somatic", key), &p) : fxm_oom(m);
}

/* An assessment: kind, instrument, date, fsiq, by — whichever are given
** (NULL otherwise), each with its element. */
typedef struct fx_part { const json_t *v; fx_at at; } fx_part;

static int fxm_assessment(fx_map *m, int res, int kind, fx_part instr, fx_part date,
                          fx_part fsiq, json_t *by, const fx_at *byat)
{
    json_t *a = json_object();
    fx_at whole = fx_at_res(res);
    int i = a ? fxm_push(m, K_ASSESSMENTS, a, &whole) : -1;
    if (i < 0) return -1;
    if (json_object_set_new_nocheck(a, "kind", json_string_nocheck(rf_assessment_names[kind])))
        return fxm_oom(m);
    if (instr.v && fxm_set(m, a, "instrument", fxm_share(instr.v),
                           (fx_nat){"assessments", i, "instrument"}, &instr.at))
        return -1;
    if (date.v && fxm_set(m, a, "date", fxm_day(date.v), (fx_nat){"assessments", i, "date"},
                          &date.at))
        return -1;
    if (fsiq.v && fxm_set(m, a, "fsiq", fxm_share(fsiq.v), (fx_nat){"assessments", i, "fsiq"},
                          &fsiq.at))
        return -1;
    if (by && fxm_set(m, a, "by", json_incref(by), (fx_nat){"assessments", i, "by"}, byat))
        return -1;
    return 0;
}

/* The first of several date elements a resource has. */
static fx_part fxm_date(fx_map *m, int res, const char *const *keys)
{
    fx_part p = {NULL, fx_at_res(res)};
    for (; *keys; keys++) {
        const json_t *v = fxm_get(m, res, *keys);
        if (!strcmp(*keys, "effectivePeriod") || !strcmp(*keys, "context")) {
            int ctx = !strcmp(*keys, "context");
            v = json_object_get(ctx ? json_object_get(v, "period") : v, "start");
            if (v) p.at = fxm_at(res, ctx ? ".context.period.start" : ".effectivePeriod.start");
        } else if (v)
            p.at = fxm_at_value(fx_at_res(res), *keys);
        if (v) {
            p.v = v;
            return p;
        }
    }
    return p;
}

/* An Observation that is a test: a cognitive test unless its category
** says another kind (fhir.md: instrument in code, date in effective[x],
** full-scale IQ in valueQuantity or a component). */
static int fxm_test(fx_map *m, int res)
{
    static const char *const dates[] = {"effectiveDateTime", "effectivePeriod",
                                        "effectiveInstant", "issued", NULL};
    const json_t *cat = fxm_get(m, res, "category"), *code = fxm_get(m, res, "code");
    int kind = -1, bad;
    for (size_t i = 0; kind < 0 && i < json_array_size(cat); i++) {
        const char *c = fxm_our_code(json_array_get(cat, i), FX_CS("assessment-kind"), NULL);
        kind = c ? fx_assessment_of_coding(FX_CS("assessment-kind"), c) : -1;
    }
    if (kind < 0) kind = AK_COGNITIVE;
    fx_part instr = {NULL, fxm_at(res, ".code")};
    instr.v = fxm_cc_text(code, &instr.at);
    fx_part date = fxm_date(m, res, dates);
    fx_at whole = fx_at_res(res);
    fx_part fsiq = {NULL, whole};
    fsiq.v = fxm_number(m->d->res[res].r, &whole, &fsiq.at);
    const json_t *comp = fxm_get(m, res, "component");
    for (size_t i = 0; !fsiq.v && i < json_array_size(comp); i++) {
        const json_t *c = json_array_get(comp, i);
        if (!fxm_has_code(json_object_get(c, "code"), FX_CS("finding"), "fsiq")) continue;
        fx_at base = fx_in(whole, ".component[%d]", (int)i);
        fsiq.v = fxm_number(c, &base, &fsiq.at);
    }
    fx_at perf = fx_in(whole, ".performer[%d]", 0), byat = perf;
    json_t *by = fxm_who(m, json_array_get(fxm_get(m, res, "performer"), 0), &perf, &byat, &bad);
    if (bad) return -1;
    int rc = fxm_assessment(m, res, kind, instr, date, fsiq, by, &byat);
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
    const json_t *types[2] = {fxm_get(m, res, doc ? "type" : "code"), NULL};
    const json_t *cats = fxm_get(m, res, "category");
    if (json_array_size(cats)) types[1] = json_array_get(cats, 0);
    for (int t = 0; kind < 0 && t < 2; t++) {
        const json_t *cc = types[t], *c = json_object_get(cc, "coding");
        const char *our = fxm_our_code(cc, FX_CS("assessment-kind"), NULL);
        kind = our ? fx_assessment_of_coding(FX_CS("assessment-kind"), our) : -1;
        if (kind < 0) kind = fx_assessment_of_text(fxd_str(cc, "text"));
        for (size_t j = 0; kind < 0 && j < json_array_size(c); j++)
            kind = fx_assessment_of_text(fxd_str(json_array_get(c, j), "display"));
    }
    if (kind < 0) kind = AK_OTHER;
    fx_part instr = {doc ? fxm_get(m, res, "description") : NULL, fxm_at(res, ".description")};
    fx_part date = fxm_date(m, res, doc ? dr_dates : rep_dates);
    fx_part none = {NULL, fx_at_res(res)};
    fx_at who = fx_in(fx_at_res(res), doc ? ".author[%d]" : ".performer[%d]", 0), byat = who;
    json_t *by = fxm_who(m, json_array_get(fxm_get(m, res, doc ? "author" : "performer"), 0),
                         &who, &byat, &bad);
    if (bad) return -1;
    int rc = fxm_assessment(m, res, kind, instr, date, none, by, &byat);
    json_decref(by);
    return rc;
}

/* Our finding codes (FX_CS("finding")) and where each goes. */
enum { FF_BOOL_RISK, FF_CUSTODY, FF_GAPD, FF_PREVIOUS, FF_LOSS, FF_TEST };

/* The measurement a LOINC coding of code names: 0 height, 1 weight, 2 BMI;
** -1 for none (one pass over the codings). */
static int fxm_loinc(const json_t *code)
{
    static const char *const codes[] = {"8302-2", "29463-7", "39156-5"};
    const json_t *c = json_object_get(code, "coding");
    for (size_t i = 0; i < json_array_size(c); i++) {
        const json_t *x = json_array_get(c, i);
        const char *s = fxd_str(x, "system"), *k;
        if (!s || strcmp(s, FX_SYS_LOINC) || !(k = fxd_str(x, "code"))) continue;
        for (int j = 0; j < 3; j++)
            if (!strcmp(k, codes[j])) return j;
    }
    return -1;
}

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
** at value[x]'s element); the first one wins, later ones are kept as sent
** only. obj NULL: the record's member k. */
static int fxm_from_value(fx_map *m, int res, json_t *obj, const char *key, int k, fx_nat nat,
                          int code)
{
    const char *name = NULL;
    const json_t *v = fxm_value(m->d->res[res].r, &name);
    if (!v || (obj ? json_object_get(obj, key) != NULL : m->slot[k] != NULL)) return 0;
    fx_at at = fx_at_res(res);
    json_t *val;
    if (code && !strcmp(name, "valueCodeableConcept")) {
        size_t i = 0;
        const char *c = fxm_our_code(v, FX_CS("custody"), &i);
        at = fx_in(fx_in(fx_in(at, ".valueCodeableConcept", 0), ".coding[%d]", (int)i), ".code", 0);
        val = c ? json_string(c) : fxm_share(v);
    } else if (!strcmp(name, "valueQuantity")) {
        if (!(v = json_object_get(v, "value"))) return 0;
        at = fx_in(at, ".valueQuantity.value", 0);
        val = fxm_share(v);
    } else {
        at = fxm_at_value(at, name);
        val = fxm_share(v);
    }
    return obj ? fxm_set(m, obj, key, val, nat, &at) : fxm_top(m, k, val, &at);
}

static int fxm_observation(fx_map *m, int res)
{
    const json_t *code = fxm_get(m, res, "code"), *cat = fxm_get(m, res, "category");
    int risk = 0, loinc = fxm_loinc(code);
    if (loinc == 0) return fxm_measure(m, res, "height_cm", "cm", "m", 100);
    if (loinc == 1) return fxm_measure(m, res, "weight_kg", "kg", "g", 0.001);
    if (loinc == 2) return fxm_measure(m, res, "bmi", "kg/m2", NULL, 1);
    switch (fxm_finding(code, &risk)) {
    case FF_BOOL_RISK: {
        json_t *o = fxm_obj(m, K_RISK);
        return o ? fxm_from_value(m, res, o, rf_risk_names[risk], 0,
                                  FX_NAT2("risk", rf_risk_names[risk]), 0) : fxm_oom(m);
    }
    case FF_CUSTODY:
        return fxm_from_value(m, res, m->slot[K_PATIENT], "custody", 0,
                              FX_NAT2("patient", "custody"), 1);
    case FF_GAPD:
        return fxm_from_value(m, res, NULL, NULL, K_GAPD, FX_NAT("gapd"), 0);
    case FF_PREVIOUS:
        return fxm_from_value(m, res, NULL, NULL, K_PREVIOUS, FX_NAT("previous_buc_contact"), 0);
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
    const json_t *cats = fxm_get(m, res, "category");
    const char *status = json_string_value(fxm_get(m, res, "status"));
    int ours = json_array_size(fxm_get(m, res, "performer")) >= 2;
    for (size_t i = 0; !ours && i < json_array_size(cats); i++)
        ours = fxm_has_code(json_array_get(cats, i), FX_CS("consent"), "both_custodians");
    if (!ours || !status || !strcmp(status, "entered-in-error") ||
        (m->slot[K_CONSENT] && json_object_get(m->slot[K_CONSENT], "both_custodians")))
        return 0;
    const char *prov = fxd_str(fxm_get(m, res, "provision"), "type");
    json_t *v = !strcmp(status, "active") ? json_boolean(!prov || strcmp(prov, "deny"))
              : !strcmp(status, "rejected") || !strcmp(status, "inactive") ? json_false()
              : json_null();
    json_t *o = fxm_obj(m, K_CONSENT);
    fx_at at = fxm_at(res, ".status");
    return o ? fxm_set(m, o, "both_custodians", v, FX_NAT2("consent", "both_custodians"), &at)
             : fxm_oom(m);
}

/* A Condition with one of our risk codes: the risk is there, unless refuted. */
static int fxm_condition(fx_map *m, int res)
{
    int risk = 0;
    const json_t *vs = fxm_get(m, res, "verificationStatus");
    const char *vsys = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    if (fxm_finding(fxm_get(m, res, "code"), &risk) != FF_BOOL_RISK ||
        fxm_has_code(vs, vsys, "entered-in-error"))
        return 0;
    json_t *o = fxm_obj(m, K_RISK);
    if (!o) return fxm_oom(m);
    if (json_object_get(o, rf_risk_names[risk])) return 0;
    fx_at at = fxm_at(res, ".code");
    return fxm_set(m, o, rf_risk_names[risk], json_boolean(!fxm_has_code(vs, vsys, "refuted")),
                   FX_NAT2("risk", rf_risk_names[risk]), &at);
}

/* An effort already tried (Procedure) or a medicine taken: its words. */
static int fxm_listed(fx_map *m, const json_t *cc, fx_at at, int k, const char *cs)
{
    size_t i = 0;
    const char *our = cs ? fxm_our_code(cc, cs, &i) : NULL;
    if (our) {
        at = fx_in(fx_in(at, ".coding[%d]", (int)i), ".code", 0);
        return fxm_push(m, k, json_string(our), &at) < 0 ? -1 : 0;
    }
    const json_t *v = fxm_cc_text(cc, &at);
    if (!v) return 0;
    return fxm_push(m, k, fxm_share(v), &at) < 0 ? -1 : 0;
}

static int fxm_support(fx_map *m)
{
    fx_doc *d = m->d;
    int sr = d->sr;
    const json_t *si = fxm_get(m, sr, "supportingInfo");
    fx_at all = fxm_at(sr, ".supportingInfo");
    if (si && fxm_note(m, FX_NAT("assessments"), &all)) return -1;
    for (size_t i = 0; i < json_array_size(si); i++) {
        fx_at at = fx_in(fx_at_res(sr), ".supportingInfo[%d]", (int)i);
        int r = fxd_resolve(d, json_array_get(si, i), &at, NULL);
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
            rc = fxm_listed(m, fxm_get(m, r, "code"), fxm_at(r, ".code"), K_PRIOR,
                            FX_CS("prior-intervention"));
        else if (!strcmp(t, "MedicationStatement") || !strcmp(t, "MedicationRequest"))
            rc = fxm_listed(m, fxm_get(m, r, "medicationCodeableConcept"),
                            fxm_at(r, ".medicationCodeableConcept"), K_MEDICATION, NULL);
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
static void fxm_translate(fx_map *m, triage_error *err, const char *id)
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

/* The record, its members in the schema's order (as a native record is
** written), for whoever reads the stored JSON. Takes the slots over. */
static json_t *fxm_record(fx_map *m)
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

/* The referral id: ServiceRequest.identifier[0].value, else its id. */
static int fxm_id(fx_map *m)
{
    int sr = m->d->sr;
    const json_t *ids = fxm_get(m, sr, "identifier"), *v = NULL;
    fx_at at;
    if (json_array_size(ids)) {
        v = json_object_get(json_array_get(ids, 0), "value");
        at = fxm_at(sr, ".identifier[0].value");
        if (!v) return fxd_fail_at(m->d, &at, "missing (the referral's id, henvisningsId)");
    } else if ((v = fxm_get(m, sr, "id")))
        at = fxm_at(sr, ".id");
    else {
        at = fxm_at(sr, ".identifier");
        return fxd_fail_at(m->d, &at, "missing, and the ServiceRequest has no id: the "
                           "referral needs an id");
    }
    if (json_is_string(v) && json_string_length(v) <= 64) m->d->id = json_string_value(v);
    return fxm_top(m, K_ID, fxm_share(v), &at);
}

static void fxm_close(fx_map *m)
{
    for (int k = 0; k < K__N; k++) json_decref(m->slot[k]);
    if (m->prov != m->local) free(m->prov);
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
    if (fxm_request(&m) || fxm_referrer(&m) || fxm_patient(&m) || !fxm_obj(&m, K_CONSENT) ||
        fxm_diagnoses(&m) || fxm_text(&m) || fxm_support(&m))
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
