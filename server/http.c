/*
** http.c — the server's core: libmicrohttpd's thread pool, request bodies
** read whole up to a limit, the routing table walked for each request (the
** guard, auth.c, first), replies and the request log, listening and
** stopping. The routes themselves are in routes.c; what they answer in
** api.c, auth.c, review.c and page.c.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cds.h"
#include "fhir.h"
#include "http.h"

struct triage_server {
    struct MHD_Daemon *mhd;
    triage_host *host, *shadow;
    char *db, *token;
    size_t max_body;
    FILE *log;
    int quiet, port, nworkers;
    long session_idle;
    sv_pool *pool;
    sv_limiter *limiter;
    sv_shadow *shadow_run;
    sv_checkpoints *checkpoints;
    sv_cds_auth *cds;           /* CDS Hooks issuers and keys; NULL: loopback only */
};

/* A connection's request: its start, for the log, and its body so far. */
typedef struct sv_req {
    struct timespec t0;
    char *body;
    size_t len, cap, seen;
    int too_big;
} sv_req;

const char *sv_db(const triage_server *s) { return s->db; }
triage_host *sv_host(const triage_server *s) { return s->host; }
int sv_threads(const triage_server *s) { return s->nworkers; }
size_t sv_max_body(const triage_server *s) { return s->max_body; }
const char *sv_token(const triage_server *s) { return s->token; }
long sv_session_idle(const triage_server *s) { return s->session_idle; }
triage_host *sv_shadow_host(const triage_server *s) { return s->shadow; }
sv_limiter *sv_limiter_of(const triage_server *s) { return s->limiter; }
sv_cds_auth *sv_cds(const triage_server *s) { return s->cds; }

const char *sv_arg(sv_call *c, const char *name)
{
    return MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, name);
}

int sv_flag(sv_call *c, const char *name)
{
    const char *v = sv_arg(c, name);
    return v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
}

const char *sv_header(sv_call *c, const char *name)
{
    return MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, name);
}

/* ------------------------------------------------------------------ log */

/* Path and query keys (never query values, which could hold a CPR), with
** CPR-like runs masked and control characters replaced. */
typedef struct sv_logline { char buf[256]; size_t n; } sv_logline;

static sv_result sv_log_key(void *cls, enum MHD_ValueKind kind, const char *key,
                            const char *value)
{
    sv_logline *l = cls;
    int w = snprintf(l->buf + l->n, sizeof l->buf - l->n, "%c%s",
                     strchr(l->buf, '?') ? '&' : '?', key);
    if (w > 0 && l->n + (size_t)w < sizeof l->buf) l->n += (size_t)w;
    return MHD_YES;
}

static void sv_log(sv_call *c, int status)
{
    triage_server *s = c->srv;
    sv_req *rq = c->req;
    if (s->quiet) return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long us = (long)((t1.tv_sec - rq->t0.tv_sec) * 1000000L +
                     (t1.tv_nsec - rq->t0.tv_nsec) / 1000L);
    sv_logline l;
    l.n = (size_t)snprintf(l.buf, sizeof l.buf, "%.200s", c->url);
    if (l.n >= sizeof l.buf) l.n = sizeof l.buf - 1;
    MHD_get_connection_values(c->conn, MHD_GET_ARGUMENT_KIND, sv_log_key, &l);
    char safe[256];
    triage_mask_cpr(safe, sizeof safe, l.buf);
    for (char *p = safe; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    fprintf(s->log, "%s %s %d %ldus\n", c->method, safe, status, us);
}

/* -------------------------------------------------------------- replies */

sv_result sv_send(sv_call *c, int status, const char *type, const void *body, size_t len,
                  enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, mode);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"triage\"");
    if (c->extra)
        MHD_add_response_header(r, c->extra, c->extra_value);
    if (cds_path(c->url)) cds_cors(c, r);
    sv_result ok = MHD_queue_response(c->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    sv_log(c, status);
    return ok;
}

sv_result sv_text(sv_call *c, int status, const char *type, char *text)
{
    if (!text) {
        static const char oom[] = "{\"error\":\"out of memory\"}";
        return sv_send(c, 500, "application/json", oom, sizeof oom - 1,
                       MHD_RESPMEM_PERSISTENT);
    }
    return sv_send(c, status, type, text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

sv_result sv_json(sv_call *c, int status, json_t *body)
{
    char *t = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    return sv_text(c, status, "application/json", t);
}

sv_result sv_error(sv_call *c, int status, const char *msg, json_t *more)
{
    if (fhir_path(c->url)) {             /* FHIR clients get an OperationOutcome */
        json_decref(more);
        return fhir_error(c, status, msg);
    }
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(msg));
    if (more) {
        json_object_update(o, more);
        json_decref(more);
    }
    return sv_json(c, status, o);
}

int sv_status(triage_code code)
{
    switch (code) {
    case TRIAGE_EINVAL: case TRIAGE_EJSON: case TRIAGE_EUSAGE: return 400;
    case TRIAGE_EAUTH: return 401;
    case TRIAGE_EDENIED: return 403;
    case TRIAGE_ENOTFOUND: return 404;
    case TRIAGE_EDUPLICATE: case TRIAGE_ECONFLICT: return 409;
    case TRIAGE_ESTORE: return 503;
    default: return 500;
    }
}

/* -------------------------------------------------------------- routing */

/* The path exactly, under it, or around its "{}": then the part there
** (not empty) becomes the tail. */
static int sv_path_is(const sv_route *r, sv_call *c)
{
    const char *url = c->url, *hole = strstr(r->path, "{}");
    size_t n = hole ? (size_t)(hole - r->path) : strlen(r->path);
    if (hole) {
        const char *after = hole + 2;
        size_t ul = strlen(url), al = strlen(after);
        if (strncmp(url, r->path, n) != 0 || ul <= n + al || strcmp(url + ul - al, after) != 0 ||
            ul - n - al >= sizeof c->tail_buf)
            return 0;
        memcpy(c->tail_buf, url + n, ul - n - al);
        c->tail_buf[ul - n - al] = '\0';
        return 1;
    }
    if (r->under)
        return strncmp(url, r->path, n) == 0 && url[n];
    return strcmp(url, r->path) == 0;
}

static int sv_method_is(const sv_route *r, const char *method)
{
    return !r->method || !strcmp(method, r->method) ||
           (!strcmp(r->method, "GET") && !strcmp(method, "HEAD"));
}

/* Everything under /api/, /fhir, /cds-services and /henvis/ (the page's own
** calls) has a worker (its store tells who calls), passes the guard and
** keeps to the body limit; the rest is the page. */
static sv_result sv_route_call(sv_call *c)
{
    sv_req *rq = c->req;
    int api = strncmp(c->url, "/api/", 5) == 0 || fhir_path(c->url) || cds_path(c->url) ||
              strncmp(c->url, "/henvis/", 8) == 0,
        path_known = 0;
    const sv_route *found = NULL;
    for (const sv_route *r = sv_routes; r->path && !found; r++) {
        if ((r->needs == SV_PUBLIC) == api || !sv_path_is(r, c))
            continue;
        path_known = 1;
        if (sv_method_is(r, c->method))
            found = r;
    }
    if (api) {
        const char *why = NULL;
        sv_result answer;
        if (!(c->w = sv_pool_get(c->srv->pool, c->srv->db, c->srv->host, 0, &why)))
            return sv_error(c, 503, why, NULL);
        if (sv_guard(c, found, &answer) != 0)
            return answer;
    }
    if (api && rq->too_big) {
        char m[120];
        snprintf(m, sizeof m, "the request body is over the limit of %zu bytes",
                 c->srv->max_body);
        return sv_error(c, 413, m, json_pack("{s:I}", "limit", (json_int_t)c->srv->max_body));
    }
    if (!found)
        return path_known ? sv_error(c, 405, "method not allowed", NULL)
                          : sv_error(c, 404, api ? "no such API route" : "not found", NULL);
    if (!strstr(found->path, "{}"))
        c->tail = c->url + strlen(found->path);
    else {
        sv_path_is(found, c);   /* the tail of the route that answers */
        c->tail = c->tail_buf;
    }
    if (found->needs == SV_DECIDE) {
        const char *why = NULL;
        if (!(c->w = sv_pool_get(c->srv->pool, c->srv->db, c->srv->host, 1, &why)))
            return sv_error(c, 503, why, NULL);
    }
    return found->fn(c);
}

/* ------------------------------------------------------------- requests */

static sv_result sv_answer(triage_server *s, struct MHD_Connection *conn, const char *url,
                           const char *method, sv_req *rq)
{
    sv_call c = {.srv = s, .conn = conn, .method = method, .url = url,
                 .body = rq->body ? rq->body : "", .len = rq->len, .tail = "", .req = rq};
    return sv_route_call(&c);
}

/* Add n bytes of body; far past the limit the request is answered (413)
** and the connection closed, else read on so that the 413 reaches the
** client. Returns 1 to read on, 0 to answer now, -1 when out of memory. */
static int sv_take_body(triage_server *s, sv_req *rq, const char *upload, size_t n)
{
    rq->seen += n;
    if (rq->too_big || rq->len + n > s->max_body) {
        rq->too_big = 1;
        free(rq->body);
        rq->body = NULL;
        rq->len = rq->cap = 0;
        return rq->seen > 16 * s->max_body ? 0 : 1;
    }
    if (rq->len + n + 1 > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 4096;
        while (cap < rq->len + n + 1) cap *= 2;
        char *p = realloc(rq->body, cap);
        if (!p) return -1;
        rq->body = p;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, upload, n);
    rq->len += n;
    rq->body[rq->len] = '\0';
    return 1;
}

static sv_result sv_handler(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version,
                            const char *upload, size_t *upload_size, void **con_cls)
{
    triage_server *s = cls;
    sv_req *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->t0);
        *con_cls = rq;
        /* A body declared over the limit is answered (413) before it is
        ** sent when the client waits to be told to send it ("Expect:
        ** 100-continue", as curl does for big uploads): it never uploads
        ** it. One already on its way is read on (sv_take_body), since a
        ** close with bytes unread resets the connection and may lose the
        ** answer, unless it is declared past where that reading stops. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_EXPECT);
        int waits = expect && !strcasecmp(expect, "100-continue");
        char *end;
        errno = 0;
        unsigned long long declared = cl ? strtoull(cl, &end, 10) : 0;
        if (cl && end != cl &&
            (errno == ERANGE || declared > 16ull * s->max_body ||
             (waits && declared > s->max_body))) {
            rq->too_big = 1;
            return sv_answer(s, conn, url, method, rq);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        int more = sv_take_body(s, rq, upload, n);
        if (more < 0) return MHD_NO;
        return more ? MHD_YES : sv_answer(s, conn, url, method, rq);
    }
    return sv_answer(s, conn, url, method, rq);
}

static void sv_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    sv_req *rq = *con_cls;
    if (rq) {
        free(rq->body);
        free(rq);
        *con_cls = NULL;
    }
}

/* ------------------------------------------------------------ listening */

static triage_code sv_fail(triage_error *err, triage_code code, const char *what)
{
    return triage_error_set(err, code, NULL, 0, NULL, NULL, "%s", what);
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

/* "HOST:PORT" / "[V6]:PORT" resolved; NULL with err filled. */
static struct addrinfo *sv_resolve(const char *spec, triage_error *err)
{
    char host[256], what[400];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1] || (size_t)(colon - spec) >= sizeof host) {
        snprintf(what, sizeof what, "--listen: '%s' is not HOST:PORT", spec);
        sv_fail(err, TRIAGE_EUSAGE, what);
        return NULL;
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
        return NULL;
    }
    return ai;
}

/* Resolve, check, bind and listen; the socket, or -1 with err filled. */
static int sv_listen(const char *spec, int has_token, int *port, triage_error *err)
{
    char what[400];
    struct addrinfo *ai = sv_resolve(spec, err);
    if (!ai) return -1;
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

/* The daemon on the listening socket fd, or -1 with err filled. */
static int sv_daemon(triage_server *s, int fd, triage_error *err)
{
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
    if (s->mhd) return 0;
    close(fd);
    sv_fail(err, TRIAGE_EIO, "serve: the HTTP server could not start");
    return -1;
}

/* -------------------------------------------------------------- public */

triage_server *triage_server_start(const triage_server_opts *o, triage_error *err)
{
    if (!o || !o->host || !o->db) {
        sv_fail(err, TRIAGE_EUSAGE, "serve: a rule host and a database are needed");
        return NULL;
    }
    int has_token = o->token && *o->token;
    triage_server *s = calloc(1, sizeof *s);
    if (!s) { sv_fail(err, TRIAGE_ENOMEM, "serve: out of memory"); return NULL; }
    s->host = o->host;
    s->db = strdup(o->db);
    s->token = has_token ? strdup(o->token) : NULL;
    s->max_body = o->max_body ? o->max_body : TRIAGE_SERVER_MAX_BODY;
    s->log = o->log ? o->log : stderr;
    s->quiet = o->quiet;
    s->nworkers = o->threads > 0 ? o->threads : 4;
    s->pool = sv_pool_new(s->nworkers);
    s->limiter = sv_limiter_new();
    s->session_idle = o->session_idle > 0 ? o->session_idle : TRIAGE_SESSION_IDLE;
    s->shadow = o->shadow;
    if (o->cds_config && *o->cds_config) {
        char why[400];
        if (!(s->cds = cds_auth_load(o->cds_config, why, sizeof why))) {
            sv_fail(err, TRIAGE_EUSAGE, why);
            triage_server_stop(s);
            return NULL;
        }
    }
    if (!s->db || (has_token && !s->token) || !s->pool || !s->limiter) {
        sv_fail(err, TRIAGE_ENOMEM, "serve: out of memory");
        triage_server_stop(s);
        return NULL;
    }
    /* Open the store once here so that a bad path fails at start, not per request. */
    triage_store *st = triage_store_open(s->db, err);
    if (!st) { triage_server_stop(s); return NULL; }
    triage_store_close(st);
    /* before the first request: the workers' handles leave checkpoints to it */
    if (!(s->checkpoints = sv_checkpoints_start(s->db, s->log))) {
        sv_fail(err, TRIAGE_ENOMEM, "serve: the checkpoint thread could not start");
        triage_server_stop(s);
        return NULL;
    }
    int fd = sv_listen(o->listen ? o->listen : "127.0.0.1:8080", has_token, &s->port, err);
    if (fd < 0 || sv_daemon(s, fd, err) != 0) {
        triage_server_stop(s);
        return NULL;
    }
    if (s->shadow && !(s->shadow_run = sv_shadow_start(s->db, s->shadow))) {
        sv_fail(err, TRIAGE_ENOMEM, "serve: the shadow rule set could not start");
        triage_server_stop(s);
        return NULL;
    }
    return s;
}

int triage_server_port(const triage_server *s) { return s ? s->port : 0; }

void triage_server_stop(triage_server *s)
{
    if (!s) return;
    sv_shadow_stop(s->shadow_run);
    if (s->mhd) MHD_stop_daemon(s->mhd);   /* joins the pool: workers are idle now */
    sv_checkpoints_stop(s->checkpoints);   /* after the workers' last commits */
    sv_pool_free(s->pool);
    sv_limiter_free(s->limiter);
    cds_auth_free(s->cds);
    free(s->db);
    free(s->token);
    free(s);
}
