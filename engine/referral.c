/*
** referral.c — parse and validate one referral against referral.schema.json.
** Every schema limit is an error, never a truncation; the first error found
** is reported as "FILE:LINE: ID: FIELD: what is wrong", and no message ever
** carries a CPR number. Strings stay inside the jansson object (no copies).
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpr.h"
#include "date.h"
#include "fhir.h"
#include "referral.h"
#include "referral_json.h"

/* ------------------------------------------------------------ name tables */

const char *const rf_referrer_names[RK__N] = {
    "gp", "specialist", "hospital", "municipality", "health_visitor", "self",
    "other"};
const char *const rf_custody_names[4] = {"joint", "sole", "placed", "unknown"};
const char *const rf_assessment_names[AK__N] = {
    "cognitive", "ppv", "school_statement", "child_welfare", "somatic", "other"};
const char *const rf_risk_names[RISK__N] = {
    "suicide_attempt", "suicide_plan", "suicidal_ideation", "self_harm",
    "psychosis", "substance_misuse"};
const char *const rf_priority_names[3] = {"routine", "urgent", "asap"};
const char *const rf_sex_names[3] = {"F", "M", "U"};

static const char *const rf_somatic_names[4] = {
    "height_cm", "weight_kg", "bmi", "weight_loss_pct_3m"};
static const double rf_somatic_range[4][2] = {
    {30, 230}, {1, 300}, {5, 80}, {0, 100}};

/* ---------------------------------------------------------------- errors */

static int rf_isdigit(int c) { return c >= '0' && c <= '9'; }

/* jansson's messages end in " near 'TOKEN'", quoting the input. Keep that
** context only when it is whole and short; masking then removes CPR runs. */
void rf_json_error(triage_error *err, const char *file, long line, int col,
                   const json_error_t *je)
{
    char what[200];
    const char *t = je->text;
    unsigned byte;
    if (sscanf(t, "unable to decode byte 0x%x", &byte) == 1) {
        snprintf(what, sizeof what, "not valid UTF-8 (byte 0x%02x)", byte & 0xffu);
    } else if (strncmp(t, "\\u0000 is not allowed", 21) == 0) {
        snprintf(what, sizeof what, "\\u0000 (NUL) is not allowed in a string");
    } else {
        const char *near = strstr(t, " near '");
        size_t keep = near ? (size_t)(near - t) : strlen(t);
        if (near) {
            size_t nl = strlen(near);
            if (nl <= 48 && near[nl - 1] == '\'') keep += nl;
        }
        if (keep >= sizeof what) keep = sizeof what - 1;
        memcpy(what, t, keep);
        what[keep] = '\0';
    }
    long l = je->line > 0 ? je->line : 1;
    long c = je->column > 0 ? je->column : 1;
    if (l == 1) c += col > 1 ? col - 1 : 0;
    if (line > 0) l += line - 1;
    triage_error_set(err, TRIAGE_EJSON, file, line, NULL, NULL,
             "invalid JSON: %s (line %ld, column %ld)", what, l, c);
}

/* ------------------------------------------------------------ validation */

typedef struct rf_ctx {
    triage_error *err;
    const char *file;
    long line;
    const char *id;           /* once it is known to be valid */
} rf_ctx;

/* Where a value sits: base, then "[index]" when index >= 0, then ".leaf"
** when leaf is set ("patient.cpr", "assessments[2].kind", "risk.psychosis").
** Spelled out only when something is wrong, never for a good record. */
typedef struct rf_path {
    const char *base;
    int index;
    const char *leaf;
} rf_path;
#define RF_AT(s) ((rf_path){(s), -1, NULL})

static const char *rf_path_text(rf_path p, char *buf, size_t cap)
{
    if (p.index < 0 && !p.leaf) return p.base;
    int n = snprintf(buf, cap, "%s", p.base);
    if (p.index >= 0 && n >= 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, "[%d]", p.index);
    if (p.leaf && n >= 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, ".%s", p.leaf);
    return buf;
}

/* Report a schema error at path; returns 0 so that checks read
** "return rf_fail(...)". */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int rf_fail(rf_ctx *c, rf_path path, const char *fmt, ...)
{
    char what[512], where[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    triage_error_set(c->err, TRIAGE_EINVAL, c->file, c->line, c->id,
                     rf_path_text(path, where, sizeof where), "%s", what);
    return 0;
}

const char *rf_typename(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER:
    case JSON_REAL:    return "a number";
    case JSON_TRUE:
    case JSON_FALSE:   return "a boolean";
    case JSON_NULL:    return "null";
    }
    return "a value";
}

const char *rf_quote(char out[RF_QUOTE_MAX], const char *s, size_t len)
{
    size_t i = 0, n = 1, chars = 0;
    out[0] = '"';
    while (i < len && chars < 40) {
        unsigned char ch = (unsigned char)s[i];
        size_t w = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        if (i + w > len) break;
        if (ch == '"' || ch == '\\') { out[n++] = '\\'; out[n++] = (char)ch; }
        else if (ch < 0x20 || ch == 0x7f) out[n++] = '?';
        else { memcpy(out + n, s + i, w); n += w; }
        i += w;
        chars++;
    }
    if (i < len) {
        /* A cut inside a run of digits could show part of a CPR number. */
        while (n > 1 && (rf_isdigit((unsigned char)out[n - 1]) ||
                         out[n - 1] == '-' || out[n - 1] == ' '))
            n--;
        memcpy(out + n, "\xE2\x80\xA6", 3);   /* … */
        n += 3;
    }
    out[n++] = '"';
    out[n] = '\0';
    return out;
}

/* Characters, i.e. UTF-8 code points (jansson has checked the encoding). */
static size_t rf_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int rf_string(rf_ctx *c, const json_t *v, rf_path path,
                     size_t minlen, size_t maxlen, const char **out, size_t *outlen)
{
    if (!json_is_string(v))
        return rf_fail(c, path, "must be a string, not %s", rf_typename(v));
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len < minlen)
        return rf_fail(c, path, "must not be empty");
    if (len > maxlen) {   /* bytes >= characters: count only when it matters */
        size_t n = rf_chars(s, len);
        if (n > maxlen)
            return rf_fail(c, path, "is too long (%zu characters, at most %zu)", n, maxlen);
    }
    *out = s;
    if (outlen) *outlen = len;
    return 1;
}

/* One of names[0..n); *out = index, or -1 for null when allow_null. */
static int rf_enum(rf_ctx *c, const json_t *v, rf_path path,
                   const char *const *names, int n, int allow_null, int *out)
{
    char list[160], q[RF_QUOTE_MAX];
    size_t k = 0;
    if (allow_null && json_is_null(v)) { *out = -1; return 1; }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        for (int i = 0; i < n; i++)
            if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
                *out = i;
                return 1;
            }
    }
    for (int i = 0; i < n && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", names[i]);
    if (allow_null && k < sizeof list)
        snprintf(list + k, sizeof list - k, ", null");
    if (!json_is_string(v))
        return rf_fail(c, path, "must be one of %s, not %s", list, rf_typename(v));
    return rf_fail(c, path, "%s is not one of %s",
                   rf_quote(q, json_string_value(v), json_string_length(v)), list);
}

static int rf_date(rf_ctx *c, const json_t *v, rf_path path, int32_t *out)
{
    const char *s;
    size_t len;
    char q[RF_QUOTE_MAX];
    if (!rf_string(c, v, path, 0, 64, &s, &len)) {
        if (json_is_string(v))   /* too long to be a date: say that instead */
            return rf_fail(c, path, "is not a date (YYYY-MM-DD)");
        return 0;
    }
    if (!dt_parse_iso(s, len, out))
        return rf_fail(c, path, "%s is not a date (YYYY-MM-DD)", rf_quote(q, s, len));
    return 1;
}

/* An integer in [lo, hi], or null (-1). JSON Schema counts 3.0 as an integer. */
static int rf_int(rf_ctx *c, const json_t *v, rf_path path, int lo, int hi,
                  int *out)
{
    double d;
    if (json_is_null(v)) { *out = -1; return 1; }
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < lo || i > hi)
            return rf_fail(c, path, "%" JSON_INTEGER_FORMAT " is out of range (%d to %d)",
                           i, lo, hi);
        *out = (int)i;
        return 1;
    }
    if (!json_is_real(v))
        return rf_fail(c, path, "must be an integer or null, not %s", rf_typename(v));
    d = json_real_value(v);
    if (d != floor(d))
        return rf_fail(c, path, "%g is not an integer", d);
    if (d < lo || d > hi)
        return rf_fail(c, path, "%g is out of range (%d to %d)", d, lo, hi);
    *out = (int)d;
    return 1;
}

static int rf_number(rf_ctx *c, const json_t *v, rf_path path, double lo,
                     double hi, double *out)
{
    if (json_is_null(v)) { *out = NAN; return 1; }
    if (!json_is_number(v))
        return rf_fail(c, path, "must be a number or null, not %s", rf_typename(v));
    double d = json_number_value(v);
    if (!(d >= lo && d <= hi))
        return rf_fail(c, path, "%g is out of range (%g to %g)", d, lo, hi);
    *out = d;
    return 1;
}

/* Boolean or null; absent also gives TRI_NULL. */
static int rf_tri(rf_ctx *c, const json_t *v, rf_path path, int *out)
{
    if (!v || json_is_null(v)) { *out = TRI_NULL; return 1; }
    if (!json_is_boolean(v))
        return rf_fail(c, path, "must be true, false or null, not %s", rf_typename(v));
    *out = json_is_true(v) ? TRI_TRUE : TRI_FALSE;
    return 1;
}

static int rf_object(rf_ctx *c, const json_t *v, rf_path path)
{
    if (json_is_object(v)) return 1;
    return rf_fail(c, path, "must be an object, not %s", rf_typename(v));
}

/* An optional array of at most max items; *n = its size (0 when absent). */
static int rf_array(rf_ctx *c, const json_t *v, rf_path path, size_t max, int *n)
{
    *n = 0;
    if (!v) return 1;
    if (!json_is_array(v))
        return rf_fail(c, path, "must be an array, not %s", rf_typename(v));
    if (json_array_size(v) > max)
        return rf_fail(c, path, "has %zu items, at most %zu", json_array_size(v), max);
    *n = (int)json_array_size(v);
    return 1;
}

/* ------------------------------------------------------------ ICD and CPR */

static int rf_upper(int ch) { return ch >= 'a' && ch <= 'z' ? ch - 32 : ch; }
static int rf_isupper(int ch) { return ch >= 'A' && ch <= 'Z'; }

int rf_icd_normalise(const char *code, char out[8])
{
    char s[16];
    size_t n = 0, i = 0;
    if (!code) return 0;
    for (; code[n]; n++) {
        if (n >= sizeof s - 1) return 0;
        s[n] = (char)rf_upper((unsigned char)code[n]);
    }
    s[n] = '\0';
    /* "D" then a letter is SKS's prefix; "D50" alone is WHO's chapter D. */
    if (n >= 2 && s[0] == 'D' && rf_isupper((unsigned char)s[1])) i = 1;
    if (n - i < 3 || !rf_isupper((unsigned char)s[i]) ||
        !rf_isdigit((unsigned char)s[i + 1]) || !rf_isdigit((unsigned char)s[i + 2]))
        return 0;
    memcpy(out, s + i, 3);
    i += 3;
    if (i == n) { out[3] = '\0'; return 1; }
    if (s[i] == '.') i++;
    size_t m = n - i;
    if (m < 1 || m > 3) return 0;
    for (size_t k = i; k < n; k++)
        if (!rf_isdigit((unsigned char)s[k]) && !rf_isupper((unsigned char)s[k])) return 0;
    out[3] = '.';
    memcpy(out + 4, s + i, m);
    out[4 + m] = '\0';
    return 1;
}

/* -------------------------------------------------------------- sections */

static int rf_patient(rf_ctx *c, const json_t *p, triage_referral *r)
{
    const json_t *v;
    int32_t bd = DT_NONE, cb = DT_NONE;

    if (!p) return rf_fail(c, RF_AT("patient"), "is required");
    if (!rf_object(c, p, RF_AT("patient"))) return 0;
    if ((v = json_object_get(p, "cpr"))) {
        if (!json_is_string(v))
            return rf_fail(c, RF_AT("patient.cpr"), "must be a string, not %s", rf_typename(v));
        switch (cpr_parse(json_string_value(v), json_string_length(v), r->cpr, &cb)) {
        case CPR_SHAPE:
            return rf_fail(c, RF_AT("patient.cpr"), "is not a CPR number (DDMMYY-SSSS)");
        case CPR_DATE:
            return rf_fail(c, RF_AT("patient.cpr"), "is not a valid CPR number (DDMMYY is not a date)");
        }
    }
    if ((v = json_object_get(p, "birth_date")) &&
        !rf_date(c, v, RF_AT("patient.birth_date"), &bd))
        return 0;
    if ((v = json_object_get(p, "sex")) &&
        !rf_enum(c, v, RF_AT("patient.sex"), rf_sex_names, 3, 0, &r->sex))
        return 0;
    if (!(v = json_object_get(p, "municipality")))
        return rf_fail(c, RF_AT("patient.municipality"), "is required");
    if (!rf_string(c, v, RF_AT("patient.municipality"), 1, 100, &r->municipality, NULL))
        return 0;
    if ((v = json_object_get(p, "custody")) &&
        !rf_enum(c, v, RF_AT("patient.custody"), rf_custody_names, 4, 1, &r->custody))
        return 0;

    if (bd == DT_NONE && cb == DT_NONE)
        return rf_fail(c, RF_AT("patient"), "needs cpr or birth_date");
    if (bd != DT_NONE && cb != DT_NONE && bd != cb)
        return rf_fail(c, RF_AT("patient.birth_date"), "does not agree with the birth date in patient.cpr");
    r->birth = bd != DT_NONE ? bd : cb;
    if (r->birth > r->received)
        return bd != DT_NONE
            ? rf_fail(c, RF_AT("patient.birth_date"), "is after received (born after the referral)")
            : rf_fail(c, RF_AT("patient.cpr"), "gives a birth date after received");
    r->age = dt_age_years(r->birth, r->received);
    return 1;
}

static int rf_assessment(rf_ctx *c, const json_t *a, int i, rf_assessment_t *out)
{
    const json_t *v;
    rf_path at = {"assessments", i, NULL};
    if (!rf_object(c, a, at)) return 0;
    out->instrument = out->by = NULL;
    out->date = DT_NONE;
    out->fsiq = -1;
    at.leaf = "kind";
    if (!(v = json_object_get(a, "kind"))) return rf_fail(c, at, "is required");
    if (!rf_enum(c, v, at, rf_assessment_names, AK__N, 0, &out->kind)) return 0;
    at.leaf = "instrument";
    if ((v = json_object_get(a, "instrument")) &&
        !rf_string(c, v, at, 0, 100, &out->instrument, NULL))
        return 0;
    at.leaf = "date";
    if ((v = json_object_get(a, "date")) && !rf_date(c, v, at, &out->date)) return 0;
    at.leaf = "fsiq";
    if ((v = json_object_get(a, "fsiq")) && !rf_int(c, v, at, 20, 180, &out->fsiq))
        return 0;
    at.leaf = "by";
    if ((v = json_object_get(a, "by")) && !rf_string(c, v, at, 0, 200, &out->by, NULL))
        return 0;
    return 1;
}

static int rf_strings(rf_ctx *c, const json_t *arr, const char *name, int n,
                      const char **out)
{
    for (int i = 0; i < n; i++) {
        rf_path at = {name, i, NULL};
        if (!rf_string(c, json_array_get(arr, (size_t)i), at, 0, 100, &out[i], NULL))
            return 0;
    }
    return 1;
}

/* Everything but the four arrays, into the stack copy t. */
static int rf_scalars(rf_ctx *c, json_t *o, triage_referral *t)
{
    const json_t *v, *sub;
    if (!(v = json_object_get(o, "received"))) return rf_fail(c, RF_AT("received"), "is required");
    if (!rf_date(c, v, RF_AT("received"), &t->received)) return 0;
    if ((v = json_object_get(o, "priority")) &&
        !rf_enum(c, v, RF_AT("priority"), rf_priority_names, 3, 0, &t->priority))
        return 0;

    if (!(sub = json_object_get(o, "referrer"))) return rf_fail(c, RF_AT("referrer"), "is required");
    if (!rf_object(c, sub, RF_AT("referrer"))) return 0;
    if (!(v = json_object_get(sub, "kind"))) return rf_fail(c, RF_AT("referrer.kind"), "is required");
    if (!rf_enum(c, v, RF_AT("referrer.kind"), rf_referrer_names, RK__N, 0, &t->referrer_kind))
        return 0;
    if ((v = json_object_get(sub, "name")) &&
        !rf_string(c, v, RF_AT("referrer.name"), 0, 200, &t->referrer_name, NULL))
        return 0;

    if (!rf_patient(c, json_object_get(o, "patient"), t)) return 0;

    if ((sub = json_object_get(o, "consent"))) {
        if (!rf_object(c, sub, RF_AT("consent"))) return 0;
        if (!rf_tri(c, json_object_get(sub, "both_custodians"),
                    RF_AT("consent.both_custodians"), &t->consent_both))
            return 0;
    }
    if ((v = json_object_get(o, "text")) &&
        !rf_string(c, v, RF_AT("text"), 0, 65536, &t->text, &t->text_len))
        return 0;
    if ((v = json_object_get(o, "gapd")) && !rf_int(c, v, RF_AT("gapd"), 0, 8, &t->gapd))
        return 0;
    if ((sub = json_object_get(o, "risk"))) {
        if (!rf_object(c, sub, RF_AT("risk"))) return 0;
        for (int i = 0; i < RISK__N; i++) {
            rf_path at = {"risk", -1, rf_risk_names[i]};
            if (!rf_tri(c, json_object_get(sub, rf_risk_names[i]), at, &t->risk[i]))
                return 0;
        }
    }
    if ((sub = json_object_get(o, "somatic"))) {
        if (!rf_object(c, sub, RF_AT("somatic"))) return 0;
        for (int i = 0; i < 4; i++) {
            rf_path at = {"somatic", -1, rf_somatic_names[i]};
            if ((v = json_object_get(sub, rf_somatic_names[i])) &&
                !rf_number(c, v, at, rf_somatic_range[i][0], rf_somatic_range[i][1],
                           &t->somatic[i]))
                return 0;
        }
    }
    return rf_tri(c, json_object_get(o, "previous_buc_contact"), RF_AT("previous_buc_contact"),
                  &t->previous_buc);
}

triage_referral *rf_from_json(json_t *o, const char *file, long line, triage_error *err)
{
    return rf_from_json_text(o, NULL, 0, file, line, err);
}

/* JSON's blanks, which may stand around a value. */
static int rf_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

triage_referral *rf_from_json_text(json_t *o, const char *text, size_t text_len,
                                   const char *file, long line, triage_error *err)
{
    rf_ctx c = {err, file, line, NULL};
    triage_referral t, *r = NULL;
    const json_t *v, *diag, *assess, *prior, *med;

    memset(&t, 0, sizeof t);
    t.raw = o;
    t.priority = t.sex = -1;
    t.custody = CU_NONE;
    t.consent_both = t.previous_buc = TRI_NULL;
    t.gapd = -1;
    t.text = "";
    for (int i = 0; i < RISK__N; i++) t.risk[i] = TRI_NULL;
    for (int i = 0; i < 4; i++) t.somatic[i] = NAN;

    if (!json_is_object(o)) {
        triage_error_set(err, TRIAGE_EINVAL, file, line, NULL, NULL,
                 "record is %s, not an object", o ? rf_typename(o) : "missing");
        goto fail;
    }
    if (!(v = json_object_get(o, "id"))) {
        rf_fail(&c, RF_AT("id"), "is required");
        goto fail;
    }
    if (!rf_string(&c, v, RF_AT("id"), 1, 64, &t.id, NULL)) goto fail;
    c.id = t.id;
    if (!rf_scalars(&c, o, &t)) goto fail;

    diag = json_object_get(o, "diagnoses");
    assess = json_object_get(o, "assessments");
    prior = json_object_get(o, "prior_interventions");
    med = json_object_get(o, "medication");
    if (!rf_array(&c, diag, RF_AT("diagnoses"), 20, &t.ndiag) ||
        !rf_array(&c, assess, RF_AT("assessments"), 50, &t.nassess) ||
        !rf_array(&c, prior, RF_AT("prior_interventions"), 50, &t.nprior) ||
        !rf_array(&c, med, RF_AT("medication"), 30, &t.nmed))
        goto fail;

    while (text && text_len && rf_blank(text[0])) { text++; text_len--; }
    while (text && text_len && rf_blank(text[text_len - 1])) text_len--;

    /* One block: the referral, then its arrays (all 8-byte multiples), then
    ** the text it was read from. */
    size_t sz = sizeof *r + (size_t)t.nassess * sizeof *t.assess +
                (size_t)(t.nprior + t.nmed) * sizeof(char *) + (size_t)t.ndiag * 8 +
                (text ? text_len + 1 : 0);
    char *blk = malloc(sz);
    if (!blk) {
        triage_error_set(err, TRIAGE_ENOMEM, file, line, t.id, NULL, "out of memory");
        goto fail;
    }
    r = (triage_referral *)blk;
    *r = t;
    blk += sizeof *r;
    r->assess = t.nassess ? (rf_assessment_t *)blk : NULL;
    blk += (size_t)t.nassess * sizeof *t.assess;
    r->prior = t.nprior ? (const char **)blk : NULL;
    blk += (size_t)t.nprior * sizeof(char *);
    r->med = t.nmed ? (const char **)blk : NULL;
    blk += (size_t)t.nmed * sizeof(char *);
    r->diag = t.ndiag ? (char (*)[8])blk : NULL;
    blk += (size_t)t.ndiag * 8;
    if (text) {
        memcpy(blk, text, text_len);
        blk[text_len] = '\0';
        r->json = blk;
        r->json_len = text_len;
    }

    for (int i = 0; i < t.ndiag; i++) {
        char q[RF_QUOTE_MAX];
        const char *s;
        size_t len;
        rf_path path = {"diagnoses", i, NULL};
        if (!rf_string(&c, json_array_get(diag, (size_t)i), path, 0, 16, &s, &len)) {
            if (json_is_string(json_array_get(diag, (size_t)i)))
                rf_fail(&c, path, "is not an ICD-10 code (e.g. F90.0 or DF900)");
            goto fail;
        }
        int lower = 0;   /* the schema's pattern is upper case only */
        for (size_t k = 0; k < len; k++) lower |= s[k] >= 'a' && s[k] <= 'z';
        if (lower || !rf_icd_normalise(s, r->diag[i])) {
            rf_fail(&c, path, "%s is not an ICD-10 code (e.g. F90.0 or DF900)",
                    rf_quote(q, s, len));
            goto fail;
        }
    }
    for (int i = 0; i < t.nassess; i++)
        if (!rf_assessment(&c, json_array_get(assess, (size_t)i), i, &r->assess[i]))
            goto fail;
    if (!rf_strings(&c, prior, "prior_interventions", t.nprior, r->prior) ||
        !rf_strings(&c, med, "medication", t.nmed, r->med))
        goto fail;
    triage_error_set(err, TRIAGE_OK, file, line, NULL, NULL, NULL);   /* where it came from */
    return r;
fail:
    free(r);
    json_decref(o);
    return NULL;
}

/* ------------------------------------------------------------ public API */

json_t *rf_load(const char *json, size_t len, const char *file, long line,
                triage_error *err)
{
    json_error_t je;
    json_t *o;
    if (!json) {
        triage_error_set(err, TRIAGE_EUSAGE, file, line, NULL, NULL, "no JSON text given");
        return NULL;
    }
    if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0) { json += 3; len -= 3; }
    const char *nul = memchr(json, '\0', len);
    if (nul) {   /* jansson would read it as the end, or step over it */
        long l = 1;
        const char *ls = json, *nl;
        for (const char *q = json; (nl = memchr(q, '\n', (size_t)(nul - q))); q = nl + 1) {
            l++;
            ls = nl + 1;
        }
        triage_error_set(err, TRIAGE_EJSON, file, line, NULL, NULL,
                 "invalid JSON: a NUL byte in the input (line %ld, column %ld)",
                 line > 0 ? line + l - 1 : l, (long)(nul - ls) + 1);
        return NULL;
    }
    if (!(o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je)))
        rf_json_error(err, file, line, 1, &je);
    return o;
}

triage_referral *triage_referral_parse(const char *json, size_t len,
                                       const char *file, long line,
                                       triage_error *err)
{
    json_t *o = rf_load(json, len, file, line, err);
    if (o && len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0) { json += 3; len -= 3; }
    if (o && fx_is_fhir(o)) return fx_referral(o, json, len, file, line, err);
    return o ? rf_from_json_text(o, json, len, file, line, err) : NULL;
}

void triage_referral_free(triage_referral *r)
{
    if (!r) return;
    json_decref(r->raw);
    fx_origin_free(r->origin);
    free(r);
}

const char *triage_referral_id(const triage_referral *r)
{
    return r ? r->id : NULL;
}

const char *triage_referral_text(const triage_referral *r, size_t *len)
{
    if (len)
        *len = r ? r->text_len : 0;
    return r ? r->text : "";
}
