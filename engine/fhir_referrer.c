/*
** fhir_referrer.c — who refers, from ServiceRequest.requester: the native
** referrer's kind (GP, specialist, hospital, municipality, self ...) from
** codes or words of the role, organisation or message sender, and a name.
*/
#include <string.h>
#include "fhir_map.h"

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

int fxm_referrer(fx_map *m)
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
