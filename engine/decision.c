/*
** decision.c — the decision: building it while rules run (reasons, trace,
** manual review), CPR masking of every string it takes in, and its JSON in
** the key order of decision.schema.json.
*/
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "decision.h"
#include "cpr.h"
#include "date.h"

const char *const dc_missing_names[MI__N] = {
    "cognitive_assessment", "updated_cognitive_assessment", "ppv",
    "consent_both_custodians", "somatic_measurements"
};
const char *const dc_target_names[5] = {
    "buc", "specialist_practice", "municipality", "adult_psychiatry", "other_region"
};
const char *const dc_priority_names[3] = { "acute", "urgent", "routine" };
const char *const dc_request_names[2] = { "referrer", "municipality" };
static const char *const dc_outcome_names[5] = {
    "accept", "request_info", "redirect", "reject", "manual_review"
};

#define DC_NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* ---------------------------------------------------------------- masking */

/* Room for a masked copy of s (NULL taken as ""): each ten-digit CPR grows
** by one byte. */
static size_t dc_masked_cap(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    return len + len / 10 + 2;
}

/* n bytes of d's arena, which never move: NULL when out of memory. */
static char *dc_take(triage_decision *d, size_t n)
{
    if (d->used + n <= DC_ARENA) {
        char *p = d->arena + d->used;
        d->used += n;
        return p;
    }
    dc_block *b = d->blocks;
    if (!b || b->used + n > b->cap) {
        size_t cap = n > 2048 ? n : 2048;
        if (!(b = malloc(sizeof *b + cap))) return NULL;
        b->next = d->blocks;
        b->used = 0;
        b->cap = cap;
        d->blocks = b;
    }
    char *p = b->bytes + b->used;
    b->used += n;
    return p;
}

/* Masked copies of a and b in d's arena. */
static int dc_masked_pair(triage_decision *d, const char *a, const char *b, char **pa, char **pb)
{
    size_t ca = dc_masked_cap(a), cb = dc_masked_cap(b);
    char *p = dc_take(d, ca + cb);
    if (!p) return -1;
    cpr_mask(p, ca, a);
    cpr_mask(p + ca, cb, b);
    *pa = p;
    *pb = p + ca;
    return 0;
}

/* ------------------------------------------------------------- building */

/* A decision the thread freed, kept for its next one: deciding then takes
** no allocation at all. Freed when the thread ends. */
static pthread_key_t dc_spare_key;
static pthread_once_t dc_spare_once = PTHREAD_ONCE_INIT;
static void dc_spare_init(void) { pthread_key_create(&dc_spare_key, free); }

triage_decision *dc_new(const char *id, const char *ruleset, int explain)
{
    pthread_once(&dc_spare_once, dc_spare_init);
    triage_decision *d = pthread_getspecific(dc_spare_key);
    if (d)
        pthread_setspecific(dc_spare_key, NULL);
    else if (!(d = malloc(sizeof *d)))
        return NULL;
    memset(d, 0, offsetof(triage_decision, reason0));
    d->reasons = d->reason0;
    d->capreasons = DC_REASONS;
    size_t n = id ? strlen(id) : 0;
    if (n >= sizeof d->id) {           /* cut only between UTF-8 characters */
        n = sizeof d->id - 1;
        while (n > 0 && ((unsigned char)id[n] & 0xc0) == 0x80) n--;
    }
    memcpy(d->id, id ? id : "", n);
    d->id[n] = '\0';
    n = ruleset ? strlen(ruleset) : 0;
    if (n >= sizeof d->ruleset) n = sizeof d->ruleset - 1;
    memcpy(d->ruleset, ruleset ? ruleset : "", n);
    d->ruleset[n] = '\0';
    d->outcome = -1;
    d->target = -1;
    d->priority = -1;
    d->deadline = DT_NONE;
    d->request_from = -1;
    d->explain = explain != 0;
    return d;
}

int dc_add_reason(triage_decision *d, const char *rule, const char *text)
{
    char *r, *t;
    if (!d) return -1;
    if (d->nreasons == d->capreasons) {
        int cap = 2 * d->capreasons;
        dc_reason *nr = malloc((size_t)cap * sizeof *nr);
        if (!nr) return -1;
        memcpy(nr, d->reasons, (size_t)d->nreasons * sizeof *nr);
        if (d->reasons != d->reason0) free(d->reasons);
        d->reasons = nr;
        d->capreasons = cap;
    }
    if (dc_masked_pair(d, rule, text, &r, &t)) return -1;
    d->reasons[d->nreasons].rule = r;
    d->reasons[d->nreasons].text = t;
    d->reasons[d->nreasons].keys = NULL;
    d->reasons[d->nreasons].nkeys = 0;
    d->nreasons++;
    return 0;
}

int dc_reason_keys(triage_decision *d, const char *const *keys, int n)
{
    if (!d || !d->nreasons || n <= 0) return d ? 0 : -1;
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(keys[i]) + 1;
    char *p = dc_take(d, len), *q = p;
    if (!p) return -1;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(keys[i]) + 1;
        memcpy(q, keys[i], k);
        q += k;
    }
    *q = '\0';
    dc_reason *r = &d->reasons[d->nreasons - 1];
    r->keys = p;
    r->nkeys = n;
    return 0;
}

int dc_add_evidence(triage_decision *d, const char *key, int counted, const char *why,
                    uint32_t start, uint32_t end)
{
    char *k, *w;
    if (!d) return -1;
    if (d->nevidence == d->capevidence) {
        int cap = d->capevidence ? 2 * d->capevidence : 8;
        dc_evidence *ne = realloc(d->evidence, (size_t)cap * sizeof *ne);
        if (!ne) return -1;
        d->evidence = ne;
        d->capevidence = cap;
    }
    if (dc_masked_pair(d, key, why, &k, &w)) return -1;
    dc_evidence *e = &d->evidence[d->nevidence++];
    e->key = k;
    e->why = w;
    e->counted = counted != 0;
    e->start = start;
    e->end = end;
    return 0;
}

int dc_add_step(triage_decision *d, const char *rule, int applied, const char *why)
{
    char *r, *w;
    if (!d) return -1;
    if (d->nsteps == d->capsteps) {
        int cap = d->capsteps ? 2 * d->capsteps : 16;
        dc_step *ns = realloc(d->steps, (size_t)cap * sizeof *ns);
        if (!ns) return -1;
        d->steps = ns;
        d->capsteps = cap;
    }
    if (dc_masked_pair(d, rule, why, &r, &w)) return -1;
    d->steps[d->nsteps].rule = r;
    d->steps[d->nsteps].applied = applied != 0;
    d->steps[d->nsteps].why = w;
    d->nsteps++;
    return 0;
}

/* Their strings stay in the arena until the decision goes. */
static void dc_clear_reasons(triage_decision *d)
{
    d->nreasons = 0;
}

/* The trace is kept: it shows how far the rules got before giving up. */
void dc_manual_review(triage_decision *d, const char *rule, const char *why)
{
    if (!d) return;
    d->outcome = TRIAGE_MANUAL_REVIEW;
    d->target = -1;
    d->unit[0] = '\0';
    d->priority = -1;
    d->deadline = DT_NONE;
    d->missing = 0;
    d->request_from = -1;
    dc_clear_reasons(d);
    dc_add_reason(d, rule ? rule : "", why ? why : "");
}

/* -------------------------------------------------------------- lookups */

static int dc_find(const char *const *names, int n, const char *s)
{
    if (!s) return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

int dc_outcome_index(const char *s) { return dc_find(dc_outcome_names, DC_NELEM(dc_outcome_names), s); }
int dc_target_index(const char *s) { return dc_find(dc_target_names, DC_NELEM(dc_target_names), s); }
int dc_priority_index(const char *s) { return dc_find(dc_priority_names, DC_NELEM(dc_priority_names), s); }
int dc_missing_index(const char *s) { return dc_find(dc_missing_names, MI__N, s); }
int dc_request_index(const char *s) { return dc_find(dc_request_names, DC_NELEM(dc_request_names), s); }

/* --------------------------------------------------------------- public */

triage_outcome triage_decision_outcome(const triage_decision *d)
{
    return d && d->outcome >= 0 && d->outcome < 5 ? (triage_outcome)d->outcome
                                                  : TRIAGE_MANUAL_REVIEW;
}

const char *triage_outcome_name(triage_outcome o)
{
    return (int)o >= 0 && (int)o < 5 ? dc_outcome_names[o] : "undecided";
}

const char *triage_target_name(int i)
{
    return i >= 0 && i < DC_NELEM(dc_target_names) ? dc_target_names[i] : NULL;
}

const char *triage_decision_target(const triage_decision *d)
{
    return d ? triage_target_name(d->target) : NULL;
}

const char *triage_decision_id(const triage_decision *d) { return d->id; }

const char *triage_decision_ruleset(const triage_decision *d) { return d->ruleset; }

const char *triage_decision_unit(const triage_decision *d)
{
    return d->unit[0] ? d->unit : NULL;
}

const char *triage_decision_priority(const triage_decision *d)
{
    return d->priority >= 0 && d->priority < DC_NELEM(dc_priority_names)
           ? dc_priority_names[d->priority] : NULL;
}

triage_day triage_decision_deadline(const triage_decision *d) { return d->deadline; }

const char *triage_decision_request_from(const triage_decision *d)
{
    return d->request_from >= 0 && d->request_from < DC_NELEM(dc_request_names)
           ? dc_request_names[d->request_from] : NULL;
}

int triage_decision_missing_count(const triage_decision *d)
{
    int n = 0;
    for (int i = 0; i < MI__N; i++)
        n += (d->missing >> i) & 1u;
    return n;
}

const char *triage_decision_missing(const triage_decision *d, int i)
{
    for (int k = 0; k < MI__N && i >= 0; k++)
        if ((d->missing & (1u << k)) && i-- == 0)
            return dc_missing_names[k];
    return NULL;
}

int triage_decision_reason_count(const triage_decision *d) { return d->nreasons; }

int triage_decision_reason(const triage_decision *d, int i, const char **rule,
                           const char **text)
{
    int ok = i >= 0 && i < d->nreasons;
    if (rule) *rule = ok ? d->reasons[i].rule : NULL;
    if (text) *text = ok ? d->reasons[i].text : NULL;
    return ok ? 0 : -1;
}

int triage_decision_reason_evidence_count(const triage_decision *d, int i)
{
    return i >= 0 && i < d->nreasons ? d->reasons[i].nkeys : 0;
}

const char *triage_decision_reason_evidence(const triage_decision *d, int i, int j)
{
    if (i < 0 || i >= d->nreasons || j < 0 || j >= d->reasons[i].nkeys) return NULL;
    const char *k = d->reasons[i].keys;
    while (j-- > 0) k += strlen(k) + 1;
    return k;
}

int triage_decision_evidence_count(const triage_decision *d) { return d->explain ? d->nevidence : 0; }

int triage_decision_evidence(const triage_decision *d, int i, const char **key, int *counted,
                             const char **why, size_t *start, size_t *end)
{
    int ok = i >= 0 && i < triage_decision_evidence_count(d);
    const dc_evidence *e = ok ? &d->evidence[i] : NULL;
    if (key) *key = ok ? e->key : NULL;
    if (counted) *counted = ok ? e->counted : 0;
    if (why) *why = ok ? e->why : NULL;
    if (start) *start = ok ? e->start : 0;
    if (end) *end = ok ? e->end : 0;
    return ok ? 0 : -1;
}

int triage_decision_explained(const triage_decision *d) { return d->explain; }

int triage_decision_step_count(const triage_decision *d) { return d->explain ? d->nsteps : 0; }

int triage_decision_step(const triage_decision *d, int i, const char **rule, int *applied,
                         const char **why)
{
    int ok = i >= 0 && i < triage_decision_step_count(d);
    if (rule) *rule = ok ? d->steps[i].rule : NULL;
    if (applied) *applied = ok ? d->steps[i].applied : 0;
    if (why) *why = ok ? d->steps[i].why : NULL;
    return ok ? 0 : -1;
}

const char *triage_decision_deciding_rule(const triage_decision *d)
{
    if (d->outcome == TRIAGE_MANUAL_REVIEW && d->nreasons)
        return d->reasons[0].rule;           /* the rule that failed, or ENGINE */
    for (int i = triage_decision_step_count(d) - 1; i >= 0; i--)
        if (d->steps[i].applied)
            return d->steps[i].rule;
    return d->nreasons ? d->reasons[0].rule : "";
}

/* ----------------------------------------------------------------- JSON */

static json_t *dc_name(const char *const *names, int n, int i)
{
    return i >= 0 && i < n ? json_string(names[i]) : json_null();
}

static json_t *dc_missing_array(const triage_decision *d)
{
    json_t *a = json_array();
    for (int i = 0; a && i < MI__N; i++)
        if (d->missing & (1u << i))
            json_array_append_new(a, json_string(dc_missing_names[i]));
    return a;
}

/* Reasons were masked on the way in, which also repaired any bad UTF-8:
** jansson need not check them again (this runs for every decision stored). */
static json_t *dc_reasons_array(const triage_decision *d)
{
    json_t *a = json_array();
    for (int i = 0; a && i < d->nreasons; i++) {
        json_t *o = json_object();
        json_object_set_new_nocheck(o, "rule", json_string_nocheck(d->reasons[i].rule));
        json_object_set_new_nocheck(o, "text", json_string_nocheck(d->reasons[i].text));
        if (d->reasons[i].nkeys) {
            json_t *k = json_array();
            for (int j = 0; j < d->reasons[i].nkeys; j++)
                json_array_append_new(k, json_string(triage_decision_reason_evidence(d, i, j)));
            json_object_set_new_nocheck(o, "evidence", k);
        }
        json_array_append_new(a, o);
    }
    return a;
}

static char *dc_dump(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(v);
    return s;
}

char *dc_missing_json(const triage_decision *d)
{
    return d ? dc_dump(dc_missing_array(d)) : NULL;
}

char *dc_reasons_json(const triage_decision *d)
{
    return d ? dc_dump(dc_reasons_array(d)) : NULL;
}

/* The readers of what dc_missing_json and dc_reasons_json wrote. */
static int dc_parse_missing(triage_decision *d, const char *text)
{
    json_t *a = json_loads(text, 0, NULL), *v;
    size_t i;
    int rc = json_is_array(a) ? 0 : -1;
    json_array_foreach(a, i, v) {
        int k = dc_missing_index(json_string_value(v));
        if (k < 0) rc = -1;
        else d->missing |= 1u << k;
    }
    json_decref(a);
    return rc;
}

static int dc_parse_reasons(triage_decision *d, const char *text)
{
    json_t *a = json_loads(text, 0, NULL), *v;
    size_t i;
    int rc = json_is_array(a) ? 0 : -1;
    json_array_foreach(a, i, v) {
        const char *rule = json_string_value(json_object_get(v, "rule"));
        const char *why = json_string_value(json_object_get(v, "text"));
        if (!rule || !why || dc_add_reason(d, rule, why) != 0) {
            rc = -1;
            continue;
        }
        json_t *keys = json_object_get(v, "evidence"), *k;
        const char *names[32];
        int n = 0;
        size_t j;
        json_array_foreach(keys, j, k)
            if (json_is_string(k) && n < 32) names[n++] = json_string_value(k);
        if (dc_reason_keys(d, names, n) != 0) rc = -1;
    }
    json_decref(a);
    return rc;
}

triage_decision *dc_from_log(const dc_logged *c)
{
    triage_decision *d = dc_new(c->id, c->ruleset, 0);
    if (!d) return NULL;
    d->outcome = dc_outcome_index(c->outcome);
    d->target = dc_target_index(c->target);
    if (c->unit) snprintf(d->unit, sizeof d->unit, "%s", c->unit);
    d->priority = dc_priority_index(c->priority);
    if (!c->deadline || !dt_parse_iso(c->deadline, strlen(c->deadline), &d->deadline))
        d->deadline = DT_NONE;
    d->request_from = dc_request_index(c->request_from);
    if (d->outcome < 0 || (c->missing && dc_parse_missing(d, c->missing) != 0) ||
        !c->reasons || dc_parse_reasons(d, c->reasons) != 0) {
        triage_decision_free(d);
        return NULL;
    }
    return d;
}

/* Objects keep insertion order (jansson >= 2.8), so keys are set in the
** order the schema and the README list them. */
char *triage_decision_json(const triage_decision *d)
{
    json_t *o, *v;
    char day[11];
    if (!d || !(o = json_object())) return NULL;
    json_object_set_new(o, "id", json_string(d->id));
    json_object_set_new(o, "outcome", json_string(triage_outcome_name(d->outcome)));
    json_object_set_new(o, "target", dc_name(dc_target_names, DC_NELEM(dc_target_names), d->target));
    json_object_set_new(o, "unit", d->unit[0] ? json_string(d->unit) : json_null());
    json_object_set_new(o, "priority", dc_name(dc_priority_names, DC_NELEM(dc_priority_names), d->priority));
    if (d->deadline != DT_NONE) {
        dt_format(d->deadline, day);
        v = json_string(day);
    } else
        v = json_null();
    json_object_set_new(o, "deadline", v);
    if (d->outcome == TRIAGE_REQUEST_INFO)
        json_object_set_new(o, "missing", dc_missing_array(d));
    json_object_set_new(o, "request_from", dc_name(dc_request_names, DC_NELEM(dc_request_names), d->request_from));
    json_object_set_new(o, "reasons", dc_reasons_array(d));
    json_object_set_new(o, "ruleset", json_string(d->ruleset));
    if (d->explain) {
        json_t *t = json_array();
        for (int i = 0; t && i < d->nsteps; i++)
            json_array_append_new(t, json_pack("{s:s, s:b, s:s}", "rule", d->steps[i].rule,
                                               "applied", d->steps[i].applied,
                                               "why", d->steps[i].why));
        json_object_set_new(o, "trace", t);
        json_t *ev = json_array();
        for (int i = 0; ev && i < d->nevidence; i++)
            json_array_append_new(ev, json_pack("{s:s, s:b, s:s, s:I, s:I}", "key",
                                                d->evidence[i].key, "counted",
                                                d->evidence[i].counted, "why", d->evidence[i].why,
                                                "start", (json_int_t)d->evidence[i].start,
                                                "end", (json_int_t)d->evidence[i].end));
        json_object_set_new(o, "evidence", ev);
    }
    return dc_dump(o);
}

void triage_decision_free(triage_decision *d)
{
    if (!d) return;
    if (d->reasons != d->reason0) free(d->reasons);
    free(d->steps);
    free(d->evidence);
    for (dc_block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    pthread_once(&dc_spare_once, dc_spare_init);
    if (!pthread_getspecific(dc_spare_key) && pthread_setspecific(dc_spare_key, d) == 0)
        return;                     /* kept for this thread's next decision */
    free(d);
}
