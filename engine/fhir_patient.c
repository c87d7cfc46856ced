/*
** fhir_patient.c — the child referred, from ServiceRequest.subject: the CPR
** identifier, birth date, sex and home municipality (DK Core's kommunekode
** or the address's district).
*/
#include <string.h>
#include "fhir_map.h"

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

int fxm_patient(fx_map *m)
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
