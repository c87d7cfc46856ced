/*
** server.c — the intake service: JSON API and the embedded page over
** libmicrohttpd's thread pool. Each pool thread owns a worker (a store handle
** on the database, an in-memory store for /api/check, and a decider on each),
** rebuilt when the host swaps in a new rule set. Bodies are read whole, up
** to a limit, and answered once complete.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "decision.h"
#include "cpr.h"
#include "referral_json.h"
#include "server.h"
#include "triage.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

typedef struct sv_worker {
    int used;
    triage_store *db, *mem;        /* mem: /api/check's own history */
    triage_decider *dc_db, *dc_mem;
} sv_worker;

struct tr_server {
    struct MHD_Daemon *mhd;
    triage_host *host;
    char *db, *token;
    size_t max_body;
    FILE *log;
    int quiet, port, nworkers;
    unsigned gen;                  /* tells this server's workers from a past one's */
    pthread_mutex_t lock;          /* guards handing out workers */
    sv_worker *workers;
};

typedef struct sv_req {
    struct timespec t0;
    char *body;
    size_t len, cap, seen;
    int too_big;
} sv_req;

static atomic_uint sv_generation;
static __thread sv_worker *sv_tls;
static __thread unsigned sv_tls_gen;

/* ------------------------------------------------------------- replies */

/* Path and query keys (never query values, which could hold a CPR), with
** CPR-like runs masked and control characters replaced. */
typedef struct sv_logline { char buf[256]; size_t n; } sv_logline;

static MHD_Result_t sv_log_key(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    sv_logline *l = cls;
    int w = snprintf(l->buf + l->n, sizeof l->buf - l->n, "%c%s",
                     strchr(l->buf, '?') ? '&' : '?', key);
    if (w > 0 && l->n + (size_t)w < sizeof l->buf) l->n += (size_t)w;
    return MHD_YES;
}

static void sv_log(tr_server *s, struct MHD_Connection *c, const char *method,
                   const char *url, int status, const sv_req *rq)
{
    if (s->quiet) return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long us = (long)((t1.tv_sec - rq->t0.tv_sec) * 1000000L +
                     (t1.tv_nsec - rq->t0.tv_nsec) / 1000L);
    sv_logline l;
    l.n = (size_t)snprintf(l.buf, sizeof l.buf, "%.200s", url);
    if (l.n >= sizeof l.buf) l.n = sizeof l.buf - 1;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, sv_log_key, &l);
    char safe[256];
    cpr_mask(safe, sizeof safe, l.buf);
    for (char *p = safe; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    fprintf(s->log, "%s %s %d %ldus\n", method, safe, status, us);
}

static MHD_Result_t sv_send(tr_server *s, struct MHD_Connection *c, const char *method,
                            const char *url, sv_req *rq, int status, const char *type,
                            void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"triage\"");
    MHD_Result_t ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    sv_log(s, c, method, url, status, rq);
    return ok;
}

/* A JSON reply from a malloc'd string (taken over). */
static MHD_Result_t sv_json(tr_server *s, struct MHD_Connection *c, const char *method,
                            const char *url, sv_req *rq, int status, char *text,
                            const char *type)
{
    if (!text) {
        static const char oom[] = "{\"error\":\"out of memory\"}";
        return sv_send(s, c, method, url, rq, 500, "application/json", (void *)oom,
                       sizeof oom - 1, MHD_RESPMEM_PERSISTENT);
    }
    return sv_send(s, c, method, url, rq, status, type ? type : "application/json", text,
                   strlen(text), MHD_RESPMEM_MUST_FREE);
}

/* {"error": msg, ...more} — more (may be NULL) is merged and released. */
static MHD_Result_t sv_error(tr_server *s, struct MHD_Connection *c, const char *method,
                             const char *url, sv_req *rq, int status, const char *msg,
                             json_t *more)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(msg));
    if (more) {
        json_object_update(o, more);
        json_decref(more);
    }
    char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return sv_json(s, c, method, url, rq, status, t, NULL);
}

/* A triage_error as JSON: the message and whichever of line, column, field
** and id are known. */
static json_t *sv_err_json(const triage_error *e, long col)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(e->text[0] ? e->text : e->msg));
    if (e->line > 0) json_object_set_new(o, "line", json_integer(e->line));
    if (col > 0) json_object_set_new(o, "column", json_integer(col));
    if (e->field[0]) json_object_set_new(o, "field", json_string(e->field));
    if (e->id[0]) json_object_set_new(o, "id", json_string(e->id));
    return o;
}

/* ------------------------------------------------------------- workers */

static void sv_worker_drop_deciders(sv_worker *w)
{
    triage_decider_free(w->dc_db);
    triage_decider_free(w->dc_mem);
    w->dc_db = w->dc_mem = NULL;
}

/* This thread's worker, with deciders on the host's active rule set when
** deciding. Returns NULL with msg set when it cannot be made ready. */
static sv_worker *sv_worker_get(tr_server *s, int deciding, const char **msg)
{
    sv_worker *w = sv_tls_gen == s->gen ? sv_tls : NULL;
    triage_error err;
    if (!w) {
        pthread_mutex_lock(&s->lock);
        for (int i = 0; i < s->nworkers && !w; i++)
            if (!s->workers[i].used) {
                w = &s->workers[i];
                w->used = 1;
            }
        pthread_mutex_unlock(&s->lock);
        if (!w) { *msg = "no worker free"; return NULL; }
        sv_tls = w;
        sv_tls_gen = s->gen;
    }
    if (!w->db && !(w->db = triage_store_open(s->db, &err))) { *msg = "store unavailable"; return NULL; }
    if (!w->mem && !(w->mem = triage_store_open(":memory:", &err))) { *msg = "out of memory"; return NULL; }
    if (!deciding) return w;
    triage_ruleset *rs = triage_host_acquire(s->host);
    if (!w->dc_db || triage_decider_ruleset(w->dc_db) != rs) {
        sv_worker_drop_deciders(w);
        w->dc_db = triage_decider_new(rs, w->db, &err);
        w->dc_mem = w->dc_db ? triage_decider_new(rs, w->mem, &err) : NULL;
        if (!w->dc_mem) sv_worker_drop_deciders(w);
    }
    triage_ruleset_release(rs);
    if (!w->dc_db) { *msg = "the rule set could not be started"; return NULL; }
    return w;
}

/* ------------------------------------------------------------ requests */

typedef struct sv_recs {
    triage_referral **r;
    int n, cap;
} sv_recs;

static void sv_recs_free(sv_recs *v)
{
    for (int i = 0; i < v->n; i++) triage_referral_free(v->r[i]);
    free(v->r);
}

static int sv_recs_add(sv_recs *v, triage_referral *r)
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

/* Split a body of JSON values (one object, JSON Lines, objects over several
** lines, or an array of objects) into referrals. Malformed JSON stops with
** *bad set to an error object naming line and column; invalid records are
** collected in *bad as {"errors": [...]} and reading goes on. */
static int sv_parse_body(const char *b, size_t len, sv_recs *out, json_t **bad)
{
    const int flags = JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES;
    size_t pos = 0, line_start = 0;
    long line = 1;
    json_t *errors = json_array();
    *bad = NULL;
    if (len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) pos = line_start = 3;
    const char *nul = memchr(b, '\0', len);
    for (;;) {
        while (pos < len && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\r' || b[pos] == '\n'))
            if (b[pos++] == '\n') { line++; line_start = pos; }
        if (pos >= len) break;
        long col = 1;
        for (size_t i = line_start; i < pos; i++) col += ((unsigned char)b[i] & 0xC0) != 0x80;
        json_error_t je;
        json_t *j = nul && (size_t)(nul - b) >= pos ? NULL
                  : json_loadb(b + pos, len - pos, flags, &je);
        if (!j) {
            triage_error e;
            memset(&e, 0, sizeof e);
            long l, c;
            if (nul && (size_t)(nul - b) >= pos) {
                l = line, c = col;
                for (size_t i = pos; i < (size_t)(nul - b); i++)
                    if (b[i] == '\n') l++, c = 1; else c++;
                triage_error_set(&e, TRIAGE_EJSON, NULL, line, NULL, NULL,
                         "invalid JSON: a NUL byte in the input (line %ld, column %ld)", l, c);
            } else {
                l = line + (je.line > 0 ? je.line : 1) - 1;
                c = je.column > 0 ? je.column : 1;
                if (je.line <= 1) c += col - 1;
                rf_json_error(&e, NULL, line, (int)col, &je);
            }
            json_decref(errors);
            *bad = sv_err_json(&e, 0);
            json_object_set_new(*bad, "line", json_integer(l));
            json_object_set_new(*bad, "column", json_integer(c));
            return -1;
        }
        size_t next = pos + (size_t)(je.position > 0 ? je.position : 1);
        if (next > len) next = len;
        json_t *items = json_is_array(j) ? j : NULL;
        size_t n = items ? json_array_size(items) : 1;
        for (size_t i = 0; i < n; i++) {
            json_t *o = items ? json_incref(json_array_get(items, i)) : j;
            triage_error e;
            memset(&e, 0, sizeof e);
            triage_referral *r = rf_from_json(o, NULL, line, &e);
            if (!r) json_array_append_new(errors, sv_err_json(&e, 0));
            else if (sv_recs_add(out, r) != 0) { json_decref(errors); json_decref(items); return -1; }
        }
        json_decref(items);
        for (size_t i = pos; i < next; i++)
            if (b[i] == '\n') { line++; line_start = i + 1; }
        pos = next;
    }
    if (json_array_size(errors)) {
        *bad = json_pack("{s:o}", "errors", errors);
        return -1;
    }
    json_decref(errors);
    return 0;
}

static int sv_flag(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
}

/* Several errors answer with the first one's message and all of them. */
static MHD_Result_t sv_bad_body(tr_server *s, struct MHD_Connection *c, const char *method,
                                const char *url, sv_req *rq, json_t *bad)
{
    json_t *errs = json_object_get(bad, "errors");
    const char *msg = errs ? json_string_value(json_object_get(json_array_get(errs, 0), "error"))
                           : json_string_value(json_object_get(bad, "error"));
    char m[600];
    snprintf(m, sizeof m, "%s", msg ? msg : "invalid request body");
    if (errs && json_array_size(errs) == 1) {
        json_t *one = json_incref(json_array_get(errs, 0));
        json_decref(bad);
        bad = one;
    }
    json_object_del(bad, "error");
    return sv_error(s, c, method, url, rq, 400, m, bad);
}

static MHD_Result_t sv_check(tr_server *s, sv_worker *w, struct MHD_Connection *c,
                             const char *method, const char *url, sv_req *rq)
{
    sv_recs v = {0};
    json_t *bad;
    if (sv_parse_body(rq->body, rq->len, &v, &bad) != 0) {
        sv_recs_free(&v);
        return bad ? sv_bad_body(s, c, method, url, rq, bad)
                   : sv_error(s, c, method, url, rq, 500, "out of memory", NULL);
    }
    if (v.n == 0) {
        sv_recs_free(&v);
        return sv_error(s, c, method, url, rq, 400, "the body holds no referral", NULL);
    }
    unsigned flags = sv_flag(c, "explain") ? TRIAGE_EXPLAIN : 0;
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    int lines = v.n > 1 || (ctype && strstr(ctype, "ndjson"));
    char *out = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    triage_error err;
    /* history within the body, in its order, and nothing kept afterwards */
    triage_store_begin(w->mem, &err);
    for (int i = 0; i < v.n && !oom; i++) {
        triage_store_put(w->mem, v.r[i], NULL, 0, &err);
        triage_decision *d = triage_decide(w->dc_mem, v.r[i], flags);
        char *j = d ? triage_decision_json(d) : NULL;
        if (d) triage_store_put_decision(w->mem, d, &err);
        triage_decision_free(d);
        if (!j) { oom = 1; break; }
        size_t l = strlen(j);
        if (n + l + 2 > cap) {
            cap = (n + l + 2) * 2;
            char *p = realloc(out, cap);
            if (!p) { free(j); oom = 1; break; }
            out = p;
        }
        memcpy(out + n, j, l);
        n += l;
        if (lines) out[n++] = '\n';
        out[n] = '\0';
        free(j);
    }
    triage_store_rollback(w->mem);
    sv_recs_free(&v);
    if (oom) {
        free(out);
        out = NULL;
    }
    return sv_json(s, c, method, url, rq, 200, out, lines ? "application/x-ndjson" : NULL);
}

static MHD_Result_t sv_create(tr_server *s, sv_worker *w, struct MHD_Connection *c,
                              const char *method, const char *url, sv_req *rq)
{
    sv_recs v = {0};
    json_t *bad;
    triage_error err;
    if (sv_parse_body(rq->body, rq->len, &v, &bad) != 0) {
        sv_recs_free(&v);
        return bad ? sv_bad_body(s, c, method, url, rq, bad)
                   : sv_error(s, c, method, url, rq, 500, "out of memory", NULL);
    }
    if (v.n != 1) {
        sv_recs_free(&v);
        return sv_error(s, c, method, url, rq, 400,
                        v.n ? "post one referral at a time" : "the body holds no referral", NULL);
    }
    triage_referral *r = v.r[0];
    if (triage_store_begin(w->db, &err) != TRIAGE_OK) {
        sv_recs_free(&v);
        return sv_error(s, c, method, url, rq, 503, "the store is busy; try again", NULL);
    }
    triage_code rc = triage_store_put(w->db, r, "api", 0, &err);
    if (rc != TRIAGE_OK) {
        triage_store_rollback(w->db);
        sv_recs_free(&v);
        if (rc == TRIAGE_EDUPLICATE) {
            char m[200];
            snprintf(m, sizeof m, "id: a referral with id '%s' is already stored", err.id);
            return sv_error(s, c, method, url, rq, 409, m, json_pack("{s:s}", "field", "id"));
        }
        return sv_error(s, c, method, url, rq, 500, err.text, NULL);
    }
    triage_decision *d = triage_decide(w->dc_db, r, sv_flag(c, "explain") ? TRIAGE_EXPLAIN : 0);
    char *j = d ? triage_decision_json(d) : NULL;
    if (!d || !j || triage_store_put_decision(w->db, d, &err) != TRIAGE_OK ||
        triage_store_commit(w->db, &err) != TRIAGE_OK) {
        triage_store_rollback(w->db);
        triage_decision_free(d);
        free(j);
        sv_recs_free(&v);
        return sv_error(s, c, method, url, rq, 500, "the referral could not be stored", NULL);
    }
    triage_decision_free(d);
    sv_recs_free(&v);
    return sv_json(s, c, method, url, rq, 201, j, NULL);
}

static int sv_is_date(const char *v)
{
    if (!v) return 1;
    if (strlen(v) != 10 || v[4] != '-' || v[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) return 0;
    return 1;
}

static int sv_is_count(const char *v, long *out)
{
    char *end;
    if (!v) return 1;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || errno) return 0;
    *out = n;
    return 1;
}

static int sv_in(const char *v, const char *const *set)
{
    if (!v) return 1;
    for (; *set; set++)
        if (!strcmp(v, *set)) return 1;
    return 0;
}

static MHD_Result_t sv_list(tr_server *s, sv_worker *w, struct MHD_Connection *c,
                            const char *method, const char *url, sv_req *rq)
{
    static const char *const outcomes[] = {"accept", "request_info", "redirect", "reject",
                                           "manual_review", "new", NULL};
    static const char *const targets[] = {"buc", "specialist_practice", "municipality",
                                          "adult_psychiatry", "other_region", NULL};
    static const char *const priorities[] = {"acute", "urgent", "routine", NULL};
    triage_query q;
    memset(&q, 0, sizeof q);
#define ARG(name) MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name)
    q.outcome = ARG("outcome"); q.target = ARG("target"); q.unit = ARG("unit");
    q.priority = ARG("priority"); q.from = ARG("from"); q.to = ARG("to");
    q.due = ARG("due"); q.q = ARG("q");
    const char *limit = ARG("limit"), *offset = ARG("offset");
#undef ARG
    const char *field = NULL, *what = NULL;
    if (q.outcome && !*q.outcome) q.outcome = NULL;
    if (q.target && !*q.target) q.target = NULL;
    if (q.priority && !*q.priority) q.priority = NULL;
    if (!sv_in(q.outcome, outcomes)) field = "outcome", what = "outcome: not one of accept, request_info, redirect, reject, manual_review, new";
    else if (!sv_in(q.target, targets)) field = "target", what = "target: not a known target";
    else if (!sv_in(q.priority, priorities)) field = "priority", what = "priority: not acute, urgent or routine";
    else if (!sv_is_date(q.from && *q.from ? q.from : NULL)) field = "from", what = "from: not a date (YYYY-MM-DD)";
    else if (!sv_is_date(q.to && *q.to ? q.to : NULL)) field = "to", what = "to: not a date (YYYY-MM-DD)";
    else if (!sv_is_date(q.due && *q.due ? q.due : NULL)) field = "due", what = "due: not a date (YYYY-MM-DD)";
    else if (!sv_is_count(limit, &q.limit)) field = "limit", what = "limit: not a whole number";
    else if (!sv_is_count(offset, &q.offset)) field = "offset", what = "offset: not a whole number";
    if (field)
        return sv_error(s, c, method, url, rq, 400, what, json_pack("{s:s}", "field", field));
    triage_error err;
    char *out = triage_store_list(w->db, &q, &err);
    if (!out) return sv_error(s, c, method, url, rq, 500, err.text, NULL);
    return sv_json(s, c, method, url, rq, 200, out, NULL);
}

static MHD_Result_t sv_show(tr_server *s, sv_worker *w, struct MHD_Connection *c,
                            const char *method, const char *url, sv_req *rq, const char *id)
{
    triage_error err;
    char *rec = triage_store_record(w->db, id, &err);
    if (!rec)
        return sv_error(s, c, method, url, rq, err.code == TRIAGE_ENOTFOUND ? 404 : 500,
                        err.code == TRIAGE_ENOTFOUND ? "no referral with this id is stored"
                                                     : err.text, NULL);
    if (sv_flag(c, "explain")) {
        /* the trace is not kept: decide again now, with history from the store */
        triage_referral *r = triage_store_get(w->db, id, &err);
        triage_decision *d = r ? triage_decide(w->dc_db, r, TRIAGE_EXPLAIN) : NULL;
        char *j = d ? triage_decision_json(d) : NULL;
        size_t rl = strlen(rec), jl = j ? strlen(j) : 0;
        char *both = j ? malloc(rl + jl + 16) : NULL;
        if (both) {
            memcpy(both, rec, rl - 1);
            memcpy(both + rl - 1, ",\"explain\":", 11);
            memcpy(both + rl + 10, j, jl);
            strcpy(both + rl + 10 + jl, "}");
            free(rec);
            rec = both;
        }
        free(j);
        triage_decision_free(d);
        triage_referral_free(r);
    }
    return sv_json(s, c, method, url, rq, 200, rec, NULL);
}

static MHD_Result_t sv_status(tr_server *s, sv_worker *w, struct MHD_Connection *c,
                              const char *method, const char *url, sv_req *rq)
{
    triage_host_status hs;
    triage_host_status_get(s->host, &hs);
    json_t *o = json_pack("{s:s, s:s, s:o, s:I, s:I, s:i, s:I, s:s}",
        "ruleset", hs.ruleset, "loaded_at", hs.loaded_at,
        "last_error", hs.has_error
            ? json_pack("{s:s, s:I, s:s}", "file", hs.last_error.file, "line",
                        (json_int_t)hs.last_error.line, "message", hs.last_error.text)
            : json_null(),
        "reloads", (json_int_t)hs.reloads, "failures", (json_int_t)hs.failures,
        "threads", s->nworkers, "max_body", (json_int_t)s->max_body,
        "version", TRIAGE_VERSION);
    json_t *counts = json_object();
    static const char *const what[] = {"referrals", "decisions", "quarantine", "undecided"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(counts, what[i],
            json_integer(triage_store_count(w->db, what[i], hs.ruleset)));
    json_object_set_new(o, "counts", counts);
    char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return sv_json(s, c, method, url, rq, 200, t, NULL);
}

/* Constant time, so that the token cannot be guessed byte by byte. */
static int sv_token_ok(const tr_server *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!s->token) return 1;
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return 0;
    h += 7;
    size_t a = strlen(h), b = strlen(s->token);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a; i++) diff |= (unsigned char)h[i] ^ (unsigned char)s->token[i % (b ? b : 1)];
    return diff == 0;
}

static MHD_Result_t sv_route(tr_server *s, struct MHD_Connection *c, const char *url,
                             const char *method, sv_req *rq)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    if (strncmp(url, "/api/", 5) != 0) {
        const char *path = !strcmp(url, "/") ? "/index.html" : url;
        for (int i = 0; i < tr_web_nassets; i++)
            if (!strcmp(path, tr_web_assets[i].path)) {
                if (!get) return sv_error(s, c, method, url, rq, 405, "method not allowed", NULL);
                return sv_send(s, c, method, url, rq, 200, tr_web_assets[i].type,
                               (void *)tr_web_assets[i].data, tr_web_assets[i].len,
                               MHD_RESPMEM_PERSISTENT);
            }
        return sv_error(s, c, method, url, rq, 404, "not found", NULL);
    }
    if (!sv_token_ok(s, c))
        return sv_error(s, c, method, url, rq, 401, "a valid access token is required "
                        "(Authorization: Bearer TOKEN)", NULL);
    if (rq->too_big) {
        char m[120];
        snprintf(m, sizeof m, "the request body is over the limit of %zu bytes", s->max_body);
        return sv_error(s, c, method, url, rq, 413, m,
                        json_pack("{s:I}", "limit", (json_int_t)s->max_body));
    }
    int check = !strcmp(url, "/api/check"), refs = !strcmp(url, "/api/referrals");
    int one = !strncmp(url, "/api/referrals/", 15) && url[15];
    int status = !strcmp(url, "/api/status");
    if (!check && !refs && !one && !status)
        return sv_error(s, c, method, url, rq, 404, "no such API route", NULL);
    if ((check && !post) || (refs && !post && !get) || ((one || status) && !get))
        return sv_error(s, c, method, url, rq, 405, "method not allowed", NULL);
    const char *why = NULL;
    sv_worker *w = sv_worker_get(s, !status && !(refs && get), &why);
    if (!w) return sv_error(s, c, method, url, rq, 503, why, NULL);
    if (check) return sv_check(s, w, c, method, url, rq);
    if (refs) return post ? sv_create(s, w, c, method, url, rq) : sv_list(s, w, c, method, url, rq);
    if (one) return sv_show(s, w, c, method, url, rq, url + 15);
    return sv_status(s, w, c, method, url, rq);
}

static MHD_Result_t sv_handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version,
                               const char *upload, size_t *upload_size, void **con_cls)
{
    tr_server *s = cls;
    sv_req *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->t0);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        rq->seen += n;
        if (rq->too_big || rq->len + n > s->max_body) {
            /* read on to the end so that the 413 reaches the client, but
            ** not forever: far past the limit, answer and close */
            rq->too_big = 1;
            free(rq->body);
            rq->body = NULL;
            rq->len = rq->cap = 0;
            if (rq->seen > 16 * s->max_body)
                return sv_route(s, c, url, method, rq);
            return MHD_YES;
        }
        if (rq->len + n + 1 > rq->cap) {
            size_t cap = rq->cap ? rq->cap : 4096;
            while (cap < rq->len + n + 1) cap *= 2;
            char *p = realloc(rq->body, cap);
            if (!p) return MHD_NO;
            rq->body = p;
            rq->cap = cap;
        }
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        rq->body[rq->len] = '\0';
        return MHD_YES;
    }
    if (!rq->body) rq->body = calloc(1, 1);
    return rq->body || rq->too_big ? sv_route(s, c, url, method, rq) : MHD_NO;
}

static void sv_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    sv_req *rq = *con_cls;
    if (rq) {
        free(rq->body);
        free(rq);
        *con_cls = NULL;
    }
}

/* ---------------------------------------------------------- start/stop */

static triage_code sv_fail(triage_error *err, triage_code code, const char *what)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = code;
        err->msg = triage_strerror(code);
        cpr_mask(err->text, sizeof err->text, what);
    }
    return code;
}

static int sv_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a)) return 1;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return 0;
}

/* Resolve "HOST:PORT" / "[V6]:PORT", check it, bind and listen. */
static int sv_listen(const char *spec, int has_token, int *port, triage_error *err)
{
    char host[256], what[400];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1] || (size_t)(colon - spec) >= sizeof host) {
        snprintf(what, sizeof what, "--listen: '%s' is not HOST:PORT", spec);
        sv_fail(err, TRIAGE_EUSAGE, what);
        return -1;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf(what, sizeof what, "--listen: cannot resolve '%s': %s", spec, gai_strerror(rc));
        sv_fail(err, TRIAGE_EUSAGE, what);
        return -1;
    }
    if (!has_token && !sv_loopback(ai->ai_addr)) {
        freeaddrinfo(ai);
        snprintf(what, sizeof what, "--listen: %s is not a loopback address; serving it "
                 "needs an access token (--token-file FILE or $TRIAGE_TOKEN)", spec);
        sv_fail(err, TRIAGE_EUSAGE, what);
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        snprintf(what, sizeof what, "--listen: cannot listen on %s: %s", spec, strerror(errno));
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        sv_fail(err, TRIAGE_EIO, what);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

tr_server *tr_server_start(const tr_server_opts *o, triage_error *err)
{
    if (!o || !o->host || !o->db) {
        sv_fail(err, TRIAGE_EUSAGE, "serve: a rule host and a database are needed");
        return NULL;
    }
    int has_token = o->token && *o->token;
    tr_server *s = calloc(1, sizeof *s);
    if (!s) { sv_fail(err, TRIAGE_ENOMEM, "serve: out of memory"); return NULL; }
    s->host = o->host;
    s->db = strdup(o->db);
    s->token = has_token ? strdup(o->token) : NULL;
    s->max_body = o->max_body ? o->max_body : TR_SERVER_MAX_BODY;
    s->log = o->log ? o->log : stderr;
    s->quiet = o->quiet;
    s->nworkers = o->threads > 0 ? o->threads : 4;
    s->gen = atomic_fetch_add(&sv_generation, 1) + 1;
    s->workers = calloc((size_t)s->nworkers, sizeof *s->workers);
    pthread_mutex_init(&s->lock, NULL);
    if (!s->db || (has_token && !s->token) || !s->workers) {
        sv_fail(err, TRIAGE_ENOMEM, "serve: out of memory");
        tr_server_stop(s);
        return NULL;
    }
    /* Open the store once here so that a bad path fails at start, not per request. */
    triage_store *st = triage_store_open(s->db, err);
    if (!st) { tr_server_stop(s); return NULL; }
    triage_store_close(st);
    int fd = sv_listen(o->listen ? o->listen : "127.0.0.1:8080", has_token, &s->port, err);
    if (fd < 0) { tr_server_stop(s); return NULL; }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
                     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, sv_handler, s,
                              MHD_OPTION_LISTEN_SOCKET, fd,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->nworkers,
                              MHD_OPTION_NOTIFY_COMPLETED, sv_completed, s,
                              MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                              MHD_OPTION_END);
    if (!s->mhd) {
        close(fd);
        sv_fail(err, TRIAGE_EIO, "serve: the HTTP server could not start");
        tr_server_stop(s);
        return NULL;
    }
    return s;
}

int tr_server_port(const tr_server *s) { return s ? s->port : 0; }

void tr_server_stop(tr_server *s)
{
    if (!s) return;
    if (s->mhd) MHD_stop_daemon(s->mhd);   /* joins the pool: workers are idle now */
    for (int i = 0; s->workers && i < s->nworkers; i++) {
        sv_worker_drop_deciders(&s->workers[i]);
        triage_store_close(s->workers[i].db);
        triage_store_close(s->workers[i].mem);
    }
    pthread_mutex_destroy(&s->lock);
    free(s->workers);
    free(s->db);
    free(s->token);
    free(s);
}
