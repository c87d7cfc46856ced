/*
** fhir_datatypes.c — FHIR R4 data types read for the native record: a date
** or dateTime as a day, a CodeableConcept's codes and words, a HumanName,
** and the words a Reference stands for. The mapping's files share them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fhir_map.h"

/* A FHIR date or dateTime as the native YYYY-MM-DD: its date part, as
** written. Anything else goes on as it is, for the native check to name. */
json_t *fxm_day(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;
    if (s && n > 10 && s[10] == 'T') return json_stringn_nocheck(s, 10);
    return fxm_share(v);
}

/* Does the CodeableConcept cc carry system|code? */
int fxm_has_code(const json_t *cc, const char *system, const char *code)
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
const char *fxm_our_code(const json_t *cc, const char *cs, size_t *at)
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
const json_t *fxm_cc_text(const json_t *cc, fx_at *at)
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
json_t *fxm_name(const json_t *names)
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
json_t *fxm_who(fx_map *m, const json_t *ref, const fx_at *at, fx_at *where, int *bad)
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
