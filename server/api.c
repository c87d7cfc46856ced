/*
** api.c — the JSON API. POST /api/check decides referrals and keeps
** nothing; POST /api/referrals stores and decides one; GET /api/referrals
** is the intake work list; GET /api/referrals/ID one referral with its
** decision log; GET /api/status the rule set and the store's counts.
** Bodies go through the engine's reader, so every input shape the command
** line takes works here too; a decision's JSON is the engine's writer's.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* ---------------------------------------------------------------- bodies */

typedef struct api_recs {
    triage_referral **r;
    int n, cap;
} api_recs;

static void api_recs_free(api_recs *v)
{
    for (int i = 0; i < v->n; i++) triage_referral_free(v->r[i]);
    free(v->r);
}

static int api_recs_add(api_recs *v, triage_referral *r)
{
    if (v->n == v->cap) {
        int cap = v->cap ? 2 * v->cap : 8;
        triage_referral **p = realloc(v->r, (size_t)cap * sizeof *p);
        if (!p) { triage_referral_free(r); return -1; }
        v->r = p;
        v->cap = cap;
    }
    v->r[v->n++] = r;
    return 0;
}

/* A triage_error as JSON: the message and whichever of line, field and id
** are known. */
static json_t *api_err_json(const triage_error *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(e->text[0] ? e->text : e->msg));
    if (e->line > 0) json_object_set_new(o, "line", json_integer(e->line));
    if (e->field[0]) json_object_set_new(o, "field", json_string(e->field));
    if (e->id[0]) json_object_set_new(o, "id", json_string(e->id));
    return o;
}

/* 400 for the body's bad records: one answers with its own fields, several
** with the first one's message and all of them under "errors". */
static sv_result api_bad_body(sv_call *c, json_t *errors)
{
    char msg[600];
    json_t *first = json_array_get(errors, 0);
    snprintf(msg, sizeof msg, "%s", json_string_value(json_object_get(first, "error")));
    if (json_array_size(errors) > 1)
        return sv_error(c, 400, msg, json_pack("{s:o}", "errors", errors));
    json_incref(first);
    json_decref(errors);
    json_object_del(first, "error");
    return sv_error(c, 400, msg, first);
}

/* The body's referrals, all of them valid: 0 with v filled (at least one),
** or -1 when the request has been answered (*answer). With keep (a route
** that stores), each bad record is also kept in quarantine with its error,
** as `import` keeps it, so that a sender that does not act on the 400 loses
** no child's referral; when that fails the answer is 503 (send it again). */
static int api_body(sv_call *c, api_recs *v, int keep, sv_result *answer)
{
    triage_error err, qe;
    triage_reader *rd = triage_reader_open_memory(c->body, c->len, NULL, &err);
    json_t *errors = json_array();
    triage_referral *r;
    const char *raw;
    size_t raw_len;
    int got, oom = !rd || !errors, lost = 0;
    while (!oom && !lost && (got = triage_reader_next(rd, &r, &err, &raw, &raw_len)) != 0) {
        if (got < 0 && keep &&
            triage_store_quarantine(c->w->db, raw, raw_len, &err, &qe) != TRIAGE_OK)
            lost = 1;
        if (got == TRIAGE_READ_CANCEL)   /* not a referral: /fhir takes it */
            triage_error_set(&err, TRIAGE_EINVAL, NULL, triage_reader_line(rd),
                             triage_origin_referral_id(triage_reader_origin(rd)),
                             "MessageHeader.eventCoding", "a cancel-referral message withdraws "
                             "a referral and has no decision: POST it to /fhir");
        if (got < 0 || got == TRIAGE_READ_CANCEL) json_array_append_new(errors, api_err_json(&err));
        else oom = api_recs_add(v, r) != 0;
    }
    triage_reader_close(rd);
    if (lost) {
        json_decref(errors);
        *answer = sv_error(c, 503, qe.text, NULL);
        return -1;
    }
    if (!oom && json_array_size(errors)) {
        *answer = api_bad_body(c, errors);
        return -1;
    }
    json_decref(errors);
    if (oom) *answer = sv_error(c, 500, "out of memory", NULL);
    else if (!v->n) *answer = sv_error(c, 400, "the body holds no referral", NULL);
    return oom || !v->n ? -1 : 0;
}

/* The decision's JSON as the engine writes it, as a value; NULL when out of
** memory. */
static json_t *api_decision(const triage_decision *d)
{
    char *text = d ? triage_decision_json(d) : NULL;
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j;
}

/* ------------------------------------------------------------ /api/check */

/* Each referral decided in the body's order with history within the body,
** and nothing kept: the writes go to the worker's in-memory store and are
** rolled back. JSON Lines when lines, else the one decision. */
static char *api_decide_all(sv_worker *w, const api_recs *v, unsigned flags, int lines)
{
    char *out = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    triage_error err;
    triage_store_begin(w->mem, &err);
    for (int i = 0; i < v->n && !oom; i++) {
        triage_store_put(w->mem, v->r[i], NULL, 0, &err);
        triage_decision *d = triage_decide(w->dc_mem, v->r[i], flags);
        char *j = d ? triage_decision_json(d) : NULL;
        if (d) triage_store_put_decision(w->mem, d, &err);
        triage_decision_free(d);
        size_t l = j ? strlen(j) : 0;
        if (j && n + l + 2 > cap) {
            char *p = realloc(out, cap = (n + l + 2) * 2);
            if (p) out = p;
            else { free(j); j = NULL; }
        }
        if (!(oom = !j)) {
            memcpy(out + n, j, l);
            n += l;
            if (lines) out[n++] = '\n';
            out[n] = '\0';
        }
        free(j);
    }
    triage_store_rollback(w->mem);
    if (oom) {
        free(out);
        out = NULL;
    }
    return out;
}

sv_result api_check(sv_call *c)
{
    api_recs v = {0};
    sv_result answer;
    if (api_body(c, &v, 0, &answer) != 0) {
        api_recs_free(&v);
        return answer;
    }
    const char *ctype = sv_header(c, "Content-Type");
    int lines = v.n > 1 || (ctype && strstr(ctype, "ndjson"));
    char *out = api_decide_all(c->w, &v, sv_flag(c, "explain") ? TRIAGE_EXPLAIN : 0, lines);
    api_recs_free(&v);
    return sv_text(c, 200, lines ? "application/x-ndjson" : "application/json", out);
}

/* ------------------------------------------------------- /api/referrals */

/* Store r, decide it with the store's history and log the decision, in one
** transaction; the decision's JSON, or NULL with the request answered. */
static char *api_store_and_decide(sv_call *c, const triage_referral *r, sv_result *answer)
{
    sv_worker *w = c->w;
    triage_error err;
    if (triage_store_begin(w->db, &err) != TRIAGE_OK) {
        *answer = sv_error(c, 503, "the store is busy; try again", NULL);
        return NULL;
    }
    const triage_origin *o = triage_referral_origin(r);   /* FHIR: an update replaces */
    triage_code rc = o && triage_origin_event(o) == TRIAGE_EVENT_UPDATE
                   ? triage_store_update(w->db, r, "api", 0, &err)
                   : triage_store_put(w->db, r, "api", 0, &err);
    if (rc != TRIAGE_OK) {
        triage_store_rollback(w->db);
        char m[200];
        snprintf(m, sizeof m, "id: a referral with id '%s' is already stored", err.id);
        *answer = rc == TRIAGE_EDUPLICATE
            ? sv_error(c, 409, m, json_pack("{s:s}", "field", "id"))
            : rc == TRIAGE_ENOTFOUND ? sv_error(c, 404, err.text, NULL)
            : rc == TRIAGE_EREPEATED || rc == TRIAGE_EWITHDRAWN ? sv_error(c, 409, err.text, NULL)
            : sv_error(c, 500, err.text, NULL);
        return NULL;
    }
    triage_decision *d = triage_decide(w->dc_db, r, sv_flag(c, "explain") ? TRIAGE_EXPLAIN : 0);
    char *j = d ? triage_decision_json(d) : NULL;
    if (!j || triage_store_put_decision(w->db, d, &err) != TRIAGE_OK ||
        triage_store_commit(w->db, &err) != TRIAGE_OK) {
        triage_store_rollback(w->db);
        free(j);
        j = NULL;
        *answer = sv_error(c, 500, "the referral could not be stored", NULL);
    }
    triage_decision_free(d);
    return j;
}

sv_result api_create(sv_call *c)
{
    api_recs v = {0};
    sv_result answer;
    if (api_body(c, &v, 1, &answer) != 0) {
        api_recs_free(&v);
        return answer;
    }
    if (v.n != 1) {
        api_recs_free(&v);
        return sv_error(c, 400, "post one referral at a time", NULL);
    }
    char *j = api_store_and_decide(c, v.r[0], &answer);
    api_recs_free(&v);
    return j ? sv_text(c, 201, "application/json", j) : answer;
}

/* ------------------------------------------------------------ work list */

static int api_in(const char *v, const char *const *set)
{
    if (!v) return 1;
    for (; *set; set++)
        if (!strcmp(v, *set)) return 1;
    return 0;
}

static int api_count(const char *v, long *out)
{
    char *end;
    if (!v) return 1;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || errno) return 0;
    *out = n;
    return 1;
}

/* A real day, by the engine's date code (2020-13-45 is none). */
static int api_date(const char *v)
{
    return !v || triage_date_parse(v, strlen(v), NULL);
}

/* An empty filter is no filter. */
static const char *api_filter(sv_call *c, const char *name)
{
    const char *v = sv_arg(c, name);
    return v && *v ? v : NULL;
}

/* q from the query string; NULL, or the message of a 400 with *field named. */
static const char *api_query(sv_call *c, triage_query *q, const char **field)
{
    static const char *const outcomes[] = {"accept", "request_info", "redirect", "reject",
                                           "manual_review", "new", NULL};
    static const char *const targets[] = {"buc", "specialist_practice", "municipality",
                                          "adult_psychiatry", "other_region", NULL};
    static const char *const priorities[] = {"acute", "urgent", "routine", NULL};
    static const char *const reviews[] = {"new", "suggested", "confirmed", "overridden",
                                          "answered", NULL};
    memset(q, 0, sizeof *q);
    q->review = api_filter(c, "review");
    q->assignee = api_filter(c, "assignee");
    q->outcome = api_filter(c, "outcome");
    q->target = api_filter(c, "target");
    q->unit = api_filter(c, "unit");
    q->priority = api_filter(c, "priority");
    q->from = api_filter(c, "from");
    q->to = api_filter(c, "to");
    q->due = api_filter(c, "due");
    q->q = api_filter(c, "q");
    *field = NULL;
    if (!api_in(q->outcome, outcomes))
        return *field = "outcome", "outcome: not one of accept, request_info, redirect, "
                                   "reject, manual_review, new";
    if (!api_in(q->target, targets)) return *field = "target", "target: not a known target";
    if (!api_in(q->priority, priorities))
        return *field = "priority", "priority: not acute, urgent or routine";
    if (!api_in(q->review, reviews))
        return *field = "review", "review: not one of new, suggested, confirmed, overridden, answered";
    if (!api_date(q->from)) return *field = "from", "from: not a date (YYYY-MM-DD)";
    if (!api_date(q->to)) return *field = "to", "to: not a date (YYYY-MM-DD)";
    if (!api_date(q->due)) return *field = "due", "due: not a date (YYYY-MM-DD)";
    if (!api_count(sv_arg(c, "limit"), &q->limit))
        return *field = "limit", "limit: not a whole number";
    if (!api_count(sv_arg(c, "offset"), &q->offset))
        return *field = "offset", "offset: not a whole number";
    if (q->limit <= 0) q->limit = TRIAGE_LIST_LIMIT;
    if (q->limit > TRIAGE_LIST_LIMIT_MAX) q->limit = TRIAGE_LIST_LIMIT_MAX;
    return NULL;
}

static json_t *api_text(const char *v) { return v ? json_string(v) : json_null(); }

typedef struct api_items { json_t *items; int oom; } api_items;

/* A work-list item: the row, then the latest decision's fields. */
static int api_item(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    api_items *l = ud;
    static const char *const from_decision[] = {"outcome", "target", "unit", "priority",
        "deadline", "missing", "request_from", "ruleset"};
    json_t *it = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", api_text(row->id),
        "received", api_text(row->received), "municipality", api_text(row->municipality),
        "age_band", api_text(row->age_band), "referrer_kind", api_text(row->referrer_kind),
        "status", api_text(row->status), "review", api_text(row->review),
        "assignee", api_text(row->assignee));
    json_t *d = n ? api_decision(log[0].decision) : NULL;
    if (!it || (n && !d)) {
        json_decref(it);
        json_decref(d);
        return l->oom = 1;
    }
    for (size_t i = 0; i < sizeof from_decision / sizeof *from_decision; i++) {
        json_t *v = json_object_get(d, from_decision[i]);
        json_object_set_new(it, from_decision[i], v ? json_incref(v) : json_null());
    }
    json_object_set_new(it, "decided_at", api_text(n ? log[0].decided_at : NULL));
    json_decref(d);
    return l->oom = json_array_append_new(l->items, it) != 0;
}

sv_result api_list(sv_call *c)
{
    triage_query q;
    const char *field, *what = api_query(c, &q, &field);
    if (what)
        return sv_error(c, 400, what, json_pack("{s:s}", "field", field));
    triage_error err;
    long total = 0;
    api_items l = {json_array(), 0};
    triage_code rc = triage_store_list(c->w->db, &q, &total, api_item, &l, &err);
    if (rc != TRIAGE_OK || l.oom || !l.items) {
        json_decref(l.items);
        return sv_error(c, 500, rc != TRIAGE_OK ? err.text : "out of memory", NULL);
    }
    return sv_json(c, 200, json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total,
                                     "limit", (json_int_t)q.limit, "offset",
                                     (json_int_t)q.offset, "items", l.items));
}

/* --------------------------------------------------- one referral, status */

/* {"referral", "status", "imported_at", "decisions": [decision + seq and
** decided_at, oldest first]}. */
static int api_record(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    json_t **out = ud, *decisions = json_array();
    for (int i = 0; decisions && i < n; i++) {
        json_t *d = api_decision(log[i].decision);
        if (!d) {
            json_decref(decisions);
            return 1;
        }
        json_object_set_new(d, "seq", json_integer(log[i].seq));
        json_object_set_new(d, "decided_at", api_text(log[i].decided_at));
        json_array_append_new(decisions, d);
    }
    json_t *referral = json_loads(row->json, 0, NULL);
    *out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "referral", referral ? referral : json_null(),
                     "age_band", api_text(row->age_band),
                     "status", api_text(row->status), "review", api_text(row->review),
                     "assignee", api_text(row->assignee), "imported_at",
                     api_text(row->imported_at), "decisions", decisions);
    return 0;
}

sv_result api_show(sv_call *c)
{
    triage_error err;
    json_t *o = NULL;
    triage_code rc = triage_store_record(c->w->db, c->tail, api_record, &o, &err);
    if (rc == TRIAGE_ENOTFOUND)
        return sv_error(c, 404, "no referral with this id is stored", NULL);
    if (rc != TRIAGE_OK)
        return sv_error(c, 500, err.text, NULL);
    if (o && sv_flag(c, "explain")) {
        /* the trace is not kept: decide again now, with history from the store */
        triage_referral *r = triage_store_get(c->w->db, c->tail, &err);
        triage_decision *d = r ? triage_decide(c->w->dc_db, r, TRIAGE_EXPLAIN) : NULL;
        json_t *j = api_decision(d);
        if (j) json_object_set_new(o, "explain", j);
        triage_decision_free(d);
        triage_referral_free(r);
    }
    return o ? sv_json(c, 200, o) : sv_error(c, 500, "out of memory", NULL);
}

sv_result api_status(sv_call *c)
{
    static const char *const what[] = {"referrals", "decisions", "quarantine", "undecided"};
    triage_host_status hs;
    triage_host_status_get(sv_host(c->srv), &hs);
    json_t *counts = json_object();
    for (int i = 0; i < 4; i++)
        json_object_set_new(counts, what[i],
                            json_integer(triage_store_count(c->w->db, what[i], hs.ruleset)));
    return sv_json(c, 200, json_pack("{s:s, s:s, s:o, s:I, s:I, s:i, s:I, s:s, s:o}",
        "ruleset", hs.ruleset, "loaded_at", hs.loaded_at,
        "last_error", hs.has_error
            ? json_pack("{s:s, s:I, s:s}", "file", hs.last_error.file, "line",
                        (json_int_t)hs.last_error.line, "message", hs.last_error.text)
            : json_null(),
        "reloads", (json_int_t)hs.reloads, "failures", (json_int_t)hs.failures,
        "threads", sv_threads(c->srv), "max_body", (json_int_t)sv_max_body(c->srv),
        "version", TRIAGE_VERSION, "counts", counts));
}
