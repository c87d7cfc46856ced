/*
** cds.c — HL7 CDS Hooks 2.0 cards for a draft referral (docs/cds.md): what
** the rules decided, told to the referrer before sending, in Danish. The
** wording is the rule set's (data/cds.json, with data/fhir.json's names of
** missing items and recipients and the policy catalog's units and
** priorities), checked once when the writer is made; C only chooses cards.
*/
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cds.h"
#include "decision.h"
#include "fhir_out.h"
#include "referral.h"
#include "referral_json.h"
#include "rules.h"

#define CDS_FILE "data/cds.json"
#define CDS_SUMMARY_MAX 139     /* characters: CDS Hooks wants under 140 */

struct triage_cds {
    json_t *t;                  /* data/cds.json */
    fx_texts *fx;               /* data/fhir.json: missing items, recipients */
    json_t *catalog;            /* triage_policy: units, priorities */
    char hash[65];
};

static const char *const cds_kinds[] = {"acute", "missing", "redirect", "reject", "accept",
                                        "manual_review", "unreadable"};

const char *cds_kind_name(int k)
{
    return k >= 0 && k < CDS__KINDS ? cds_kinds[k] : NULL;
}

/* texts[group][key] (key NULL: texts[group]); NULL when absent. */
static const char *cds_t(const triage_cds *c, const char *group, const char *key)
{
    const json_t *g = json_object_get(c->t, group);
    return json_string_value(key ? json_object_get(g, key) : g);
}

/* ------------------------------------------------------------ filling in */

typedef struct cds_buf { char *s; size_t n, cap; int oom; } cds_buf;

static void cds_put(cds_buf *b, const char *p, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) { b->oom = 1; return; }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->n, p, n);
    b->n += n;
    b->s[b->n] = '\0';
}

/* tmpl with each {name} of kv (name, value, ..., NULL) replaced; an unknown
** {name} is kept as written. A new string, or NULL when out of memory. */
static char *cds_fill(const char *tmpl, const char *const *kv)
{
    cds_buf b = {0};
    cds_put(&b, "", 0);
    for (const char *p = tmpl; *p;) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!close) { cds_put(&b, p, strlen(p)); break; }
        cds_put(&b, p, (size_t)(open - p));
        const char *v = NULL;
        for (int i = 0; kv[i]; i += 2)
            if (strlen(kv[i]) == (size_t)(close - open - 1) &&
                !memcmp(kv[i], open + 1, (size_t)(close - open - 1)))
                v = kv[i + 1] ? kv[i + 1] : "";
        if (v) cds_put(&b, v, strlen(v));
        else cds_put(&b, open, (size_t)(close - open + 1));
        p = close + 1;
    }
    if (b.oom) { free(b.s); return NULL; }
    return b.s;
}

/* Characters (UTF-8 code points) in s. */
static size_t cds_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* s cut to CDS_SUMMARY_MAX characters, ending in "…" when cut (in place). */
static void cds_cut(char *s)
{
    size_t n = 0;
    for (char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80) continue;
        if (++n == CDS_SUMMARY_MAX) {            /* room for the ellipsis */
            if (cds_chars(p) > 1) strcpy(p, "\xE2\x80\xA6");
            return;
        }
    }
}

/* ------------------------------------------------------------- loading */

static const char *const cds_required[] = {
    "policy", "source", "reasons", "override_system",
    "acute.summary", "acute.detail", "acute.phone", "acute.link_label", "acute.link",
    "missing.summary", "missing.detail", "missing.detail_municipality",
    "redirect.summary", "redirect.detail", "redirect.suggestion", "redirect.action",
    "reject.summary", "reject.detail", "accept.summary", "accept.summary_deadline",
    "accept.detail", "manual_review.summary", "manual_review.detail",
    "unreadable.summary", "unreadable.detail"};

static triage_cds *cds_bad(triage_cds *c, triage_error *err, const char *label,
                           const char *field, const char *what)
{
    triage_error_set(err, TRIAGE_EINVAL, label, 0, NULL, field, "%s", what);
    triage_cds_close(c);
    return NULL;
}

/* The fixed summaries (those with nothing filled in from the referral)
** under 140 characters, or the field that is not. */
static const char *cds_long_summary(const triage_cds *c)
{
    static const char *const fixed[] = {"reject", "manual_review", "unreadable"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (cds_chars(cds_t(c, fixed[i], "summary")) > CDS_SUMMARY_MAX) return fixed[i];
    const char *kv[] = {"phone", cds_t(c, "acute", "phone"), NULL};
    char *s = cds_fill(cds_t(c, "acute", "summary"), kv);
    int over = !s || cds_chars(s) > CDS_SUMMARY_MAX;
    free(s);
    if (over) return "acute";
    for (int i = 0; i < MI__N; i++) {
        const char *kv2[] = {"item", fxt(c->fx, "missing", dc_missing_names[i]), NULL};
        s = cds_fill(cds_t(c, "missing", "summary"), kv2);
        over = !s || cds_chars(s) > CDS_SUMMARY_MAX;
        free(s);
        if (over) return "missing";
    }
    return NULL;
}

triage_cds *triage_cds_open(triage_decider *dc, triage_error *err)
{
    triage_ruleset *rs = dc ? triage_decider_ruleset(dc) : NULL;
    if (!rs) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no decider");
        return NULL;
    }
    triage_cds *c = calloc(1, sizeof *c);
    if (!c) {
        triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
        return NULL;
    }
    snprintf(c->hash, sizeof c->hash, "%s", triage_ruleset_hash(rs));
    char label[300];
    snprintf(label, sizeof label, "%s/%s", rl_dir(rs), CDS_FILE);
    int at = rl_find(rs, CDS_FILE);
    if (at < 0) {
        triage_error_set(err, TRIAGE_EUSAGE, rl_dir(rs), 0, NULL, NULL,
                         "the rule set has no %s (the Danish texts of the CDS Hooks service)",
                         CDS_FILE);
        triage_cds_close(c);
        return NULL;
    }
    const char *path, *data;
    size_t len;
    rl_file(rs, at, &path, &data, &len);
    if (!(c->t = rf_load(data, len, label, 0, err))) { triage_cds_close(c); return NULL; }
    if (!json_is_object(c->t)) return cds_bad(c, err, label, NULL, "must be a JSON object");
    for (size_t i = 0; i < sizeof cds_required / sizeof *cds_required; i++) {
        char group[48];
        const char *dot = strchr(cds_required[i], '.');
        snprintf(group, sizeof group, "%.*s", dot ? (int)(dot - cds_required[i]) : 47,
                 cds_required[i]);
        const char *v = cds_t(c, group, dot ? dot + 1 : NULL);
        if (!v || !*v)
            return cds_bad(c, err, label, cds_required[i], "missing, or not a non-empty text");
    }
    const json_t *sv = json_object_get(c->t, "services"), *s;
    size_t i;
    if (!json_is_array(sv) || !json_array_size(sv))
        return cds_bad(c, err, label, "services", "must list at least one service");
    json_array_foreach(sv, i, s) {
        const char *hook = json_string_value(json_object_get(s, "hook"));
        const char *id = json_string_value(json_object_get(s, "id"));
        if (!id || !*id || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(id))
            return cds_bad(c, err, label, "services[].id", "must be a lowercase URL-safe name");
        if (!hook || (strcmp(hook, "order-sign") && strcmp(hook, "order-select")))
            return cds_bad(c, err, label, "services[].hook",
                           "must be order-sign or order-select");
        if (!json_string_value(json_object_get(s, "title")) ||
            !json_string_value(json_object_get(s, "description")))
            return cds_bad(c, err, label, "services[]", "needs a title and a description");
    }
    const json_t *or = json_object_get(c->t, "override_reasons");
    if (!json_is_array(or) || !json_array_size(or))
        return cds_bad(c, err, label, "override_reasons", "must list at least one reason");
    json_array_foreach(or, i, s)
        if (!json_string_value(json_object_get(s, "code")) ||
            !json_string_value(json_object_get(s, "display")))
            return cds_bad(c, err, label, "override_reasons[]", "needs a code and a display");
    if (!(c->fx = fx_texts_load(rs, err))) { triage_cds_close(c); return NULL; }
    char *catalog = triage_policy(dc, err);
    c->catalog = catalog ? json_loads(catalog, 0, NULL) : NULL;
    free(catalog);
    if (!c->catalog) {
        if (err && err->code == TRIAGE_OK)
            triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
        triage_cds_close(c);
        return NULL;
    }
    const char *longer = cds_long_summary(c);
    if (longer) {
        char field[64];
        snprintf(field, sizeof field, "%s.summary", longer);
        return cds_bad(c, err, label, field, "is 140 characters or more once filled in; "
                       "CDS Hooks wants a summary under 140");
    }
    return c;
}

void triage_cds_close(triage_cds *c)
{
    if (!c) return;
    json_decref(c->t);
    fx_texts_free(c->fx);
    json_decref(c->catalog);
    free(c);
}

const char *triage_cds_ruleset(const triage_cds *c)
{
    return c->hash;
}

/* ----------------------------------------------------------- discovery */

char *triage_cds_services(const triage_cds *c, triage_error *err)
{
    json_t *list = json_array();
    const json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->t, "services"), i, s) {
        json_t *one = json_pack("{s:O, s:O, s:O, s:O, s:{s:s, s:s}}",
            "hook", json_object_get(s, "hook"), "title", json_object_get(s, "title"),
            "description", json_object_get(s, "description"), "id", json_object_get(s, "id"),
            "prefetch", "patient", "Patient/{{context.patientId}}",
            "requester", "{{context.userId}}");
        json_array_append_new(list, one);
    }
    json_t *o = json_pack("{s:o}", "services", list);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
    return text;
}

const char *triage_cds_service_hook(const triage_cds *c, const char *id)
{
    const json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->t, "services"), i, s)
        if (id && !strcmp(id, json_string_value(json_object_get(s, "id"))))
            return json_string_value(json_object_get(s, "hook"));
    return NULL;
}

/* --------------------------------------------------------------- cards */

/* A random UUID (version 4). */
static void cds_uuid(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

/* The catalog's label of code in list ("units", "priorities"), else code. */
static const char *cds_label(const triage_cds *c, const char *list, const char *code)
{
    const json_t *e;
    size_t i;
    json_array_foreach(json_object_get(c->catalog, list), i, e)
        if (code && !strcmp(code, json_string_value(json_object_get(e, "code"))))
            return json_string_value(json_object_get(e, "label"));
    return code;
}

/* The decision's reasons as Markdown: the heading, then one line each; ""
** when there are none. */
static char *cds_reasons(const triage_cds *c, const triage_decision *d)
{
    cds_buf b = {0};
    cds_put(&b, "", 0);
    int n = d ? triage_decision_reason_count(d) : 0;
    for (int i = 0; i < n; i++) {
        const char *text;
        triage_decision_reason(d, i, NULL, &text);
        if (!text || !*text) continue;
        if (!b.n) {
            const char *h = cds_t(c, "reasons", NULL);
            cds_put(&b, h, strlen(h));
            cds_put(&b, "\n", 1);
        }
        cds_put(&b, "\n- ", 3);
        cds_put(&b, text, strlen(text));
    }
    if (b.oom) { free(b.s); return NULL; }
    return b.s;
}

/* What one answer is being made of. */
typedef struct cds_make {
    const triage_cds *c;
    json_t *cards;
    cds_sink sink;              /* told of each card (may be NULL) */
    void *ud;
    int oom;
} cds_make;

/* A card of kind k: summary and detail from the texts of group, filled in
** with kv; the indicator; the source. Added to m->cards and returned
** (borrowed), NULL when out of memory. */
static json_t *cds_card(cds_make *m, int k, const char *item, const char *indicator,
                        const char *group, const char *summary_key, const char *const *kv)
{
    const triage_cds *c = m->c;
    char uuid[37];
    cds_uuid(uuid);
    char *summary = cds_fill(cds_t(c, group, summary_key), kv);
    char *detail = cds_fill(cds_t(c, group, "detail"), kv);
    const char *skv[] = {"policy", cds_t(c, "policy", NULL), "ruleset", c->hash, NULL};
    char *source = cds_fill(cds_t(c, "source", NULL), skv);
    json_t *card = NULL;
    if (summary && detail && source) {
        cds_cut(summary);
        /* trailing blank lines where {reasons} was empty */
        for (size_t n = strlen(detail); n && (detail[n - 1] == '\n' || detail[n - 1] == ' ');)
            detail[--n] = '\0';
        card = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "uuid", uuid, "summary", summary,
                         "detail", detail, "indicator", indicator, "source", "label", source);
        /* What the card is about, for a client that acts on it (the page's
        ** "ready to send") and for feedback reports: CDS Hooks' extension. */
        if (card)
            json_object_set_new(card, "extension", item
                ? json_pack("{s:s, s:s}", "dk.triage.kind", cds_kind_name(k), "dk.triage.item", item)
                : json_pack("{s:s}", "dk.triage.kind", cds_kind_name(k)));
    }
    free(summary);
    free(detail);
    free(source);
    if (!card || json_array_append_new(m->cards, card)) { m->oom = 1; return NULL; }
    if (strcmp(indicator, "info")) {
        json_t *reasons = json_array();
        const json_t *r;
        size_t i;
        json_array_foreach(json_object_get(c->t, "override_reasons"), i, r)
            json_array_append_new(reasons, json_pack("{s:s, s:O, s:O}", "system",
                cds_t(c, "override_system", NULL), "code", json_object_get(r, "code"),
                "display", json_object_get(r, "display")));
        json_object_set_new(card, "overrideReasons", reasons);
    }
    if (m->sink && m->sink(m->ud, uuid, cds_kind_name(k), item) != 0) m->oom = 1;
    return card;
}

/* The draft ServiceRequest with its performer set to where the child belongs.
** A draft read from FHIR keeps its ServiceRequest (r->origin): copied, not
** written out as text and parsed again; a native referral's is made. */
static json_t *cds_redirected(const triage_referral *r, const char *target_text)
{
    json_t *sr = NULL;
    if (r->origin && r->origin->request) {
        sr = json_deep_copy(r->origin->request);
    } else {
        char *sent = triage_fhir_request(r, NULL);
        sr = sent ? json_loads(sent, 0, NULL) : NULL;
        free(sent);
    }
    if (!sr) return NULL;
    json_object_set_new(sr, "performer", json_pack("[{s:s, s:s}]", "type", "Organization",
                                                   "display", target_text));
    return sr;
}

static void cds_redirect(cds_make *m, const triage_decision *d, const triage_referral *r,
                         const char *reasons)
{
    const triage_cds *c = m->c;
    const char *target = triage_decision_target(d);
    json_t *t = json_string(fxt(c->fx, "target", target ? target : "municipality"));
    const char *mkv[] = {"municipality", r->municipality, NULL};
    char *where = cds_fill(json_string_value(t), mkv);
    json_decref(t);
    if (!where) { m->oom = 1; return; }
    const char *kv[] = {"target", where, "reasons", reasons, NULL};
    json_t *card = cds_card(m, CDS_REDIRECT, target, "warning", "redirect", "summary", kv);
    char *label = cds_fill(cds_t(c, "redirect", "suggestion"), kv);
    char *action = cds_fill(cds_t(c, "redirect", "action"), kv);
    json_t *sr = cds_redirected(r, where);
    char uuid[37];
    cds_uuid(uuid);
    if (card && label && action && sr) {
        json_object_set_new(card, "suggestions", json_pack("[{s:s, s:s, s:b, s:[{s:s, s:s, s:o}]}]",
            "label", label, "uuid", uuid, "isRecommended", 1, "actions", "type", "update",
            "description", action, "resource", sr));
        json_object_set_new(card, "selectionBehavior", json_string("at-most-one"));
    } else {
        json_decref(sr);
        if (card) m->oom = 1;   /* a draft always gives back its ServiceRequest */
    }
    free(label);
    free(action);
    free(where);
}

static void cds_acute(cds_make *m, const char *reasons)
{
    const triage_cds *c = m->c;
    const char *kv[] = {"phone", cds_t(c, "acute", "phone"), "reasons", reasons, NULL};
    json_t *card = cds_card(m, CDS_ACUTE, NULL, "critical", "acute", "summary", kv);
    char *label = cds_fill(cds_t(c, "acute", "link_label"), kv);
    if (card && label)
        json_object_set_new(card, "links", json_pack("[{s:s, s:s, s:s}]", "label", label, "url",
                                                     cds_t(c, "acute", "link"), "type",
                                                     "absolute"));
    free(label);
}

static void cds_accept(cds_make *m, const triage_decision *d, const char *reasons)
{
    char deadline[11] = "";
    if (triage_decision_deadline(d) != TRIAGE_NO_DAY)
        triage_date_format(triage_decision_deadline(d), deadline);
    const char *kv[] = {"unit", cds_label(m->c, "units", triage_decision_unit(d)),
                        "priority", cds_label(m->c, "priorities", triage_decision_priority(d)),
                        "deadline", deadline, "reasons", reasons, NULL};
    cds_card(m, CDS_ACCEPT, triage_decision_unit(d), "info", "accept",
             deadline[0] ? "summary_deadline" : "summary", kv);
}

char *cds_cards(const triage_cds *c, const triage_decision *d, const triage_referral *r,
                cds_sink sink, void *ud, triage_error *err)
{
    cds_make m = {c, json_array(), sink, ud, 0};
    char *reasons = cds_reasons(c, d);
    if (!m.cards || !reasons) m.oom = 1;
    const char *p = triage_decision_priority(d);
    if (!m.oom && p && !strcmp(p, "acute")) cds_acute(&m, reasons);
    switch (m.oom ? TRIAGE_MANUAL_REVIEW + 1 : (int)triage_decision_outcome(d)) {
    case TRIAGE_ACCEPT: cds_accept(&m, d, reasons); break;
    case TRIAGE_REQUEST_INFO: {
        const char *from = triage_decision_request_from(d);
        for (int i = 0; i < triage_decision_missing_count(d); i++) {
            const char *item = triage_decision_missing(d, i);
            const char *kv[] = {"item", fxt(c->fx, "missing", item), "reasons", reasons, NULL};
            json_t *card = cds_card(&m, CDS_MISSING, item, "warning", "missing", "summary", kv);
            if (card && from && !strcmp(from, "municipality")) {
                char *det = cds_fill(cds_t(c, "missing", "detail_municipality"), kv);
                if (det) json_object_set_new(card, "detail", json_string(det));
                free(det);
            }
        }
        break;
    }
    case TRIAGE_REDIRECT: cds_redirect(&m, d, r, reasons); break;
    case TRIAGE_REJECT: {
        const char *kv[] = {"reasons", reasons, NULL};
        cds_card(&m, CDS_REJECT, NULL, "warning", "reject", "summary", kv);
        break;
    }
    case TRIAGE_MANUAL_REVIEW: {
        const char *kv[] = {"reasons", reasons, NULL};
        cds_card(&m, CDS_MANUAL_REVIEW, NULL, "info", "manual_review", "summary", kv);
        break;
    }
    default: break;
    }
    free(reasons);
    json_t *o = m.oom ? NULL : json_pack("{s:o}", "cards", m.cards);
    if (m.oom) json_decref(m.cards);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
    return text;
}

char *cds_unreadable(const triage_cds *c, const triage_error *why, cds_sink sink, void *ud,
                     triage_error *err)
{
    const char *what = why->text;   /* it names the field (a FHIRPath), never a CPR */
    cds_make m = {c, json_array(), sink, ud, 0};
    const char *kv[] = {"error", what, NULL};
    if (m.cards) cds_card(&m, CDS_UNREADABLE, NULL, "warning", "unreadable", "summary", kv);
    json_t *o = m.cards && !m.oom ? json_pack("{s:o}", "cards", m.cards) : NULL;
    if (!o) json_decref(m.cards);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
    return text;
}
