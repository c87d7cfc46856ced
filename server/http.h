/*
** http.h — the server's core, shared by its files: one request being
** answered (sv_call), the replies, the routing table's shape, and the
** per-thread worker that holds store handles and deciders. A new route is
** a handler in its own file and one line in routes.c.
*/
#ifndef TRIAGE_SV_HTTP_H
#define TRIAGE_SV_HTTP_H
#include <stddef.h>
#include <jansson.h>
#include <microhttpd.h>
#include "triage.h"
#include "triage_server.h"

#if MHD_VERSION < 0x00097002
typedef int sv_result;
#else
typedef enum MHD_Result sv_result;
#endif

/* A pool thread's own handles: the store, an in-memory store that gives
** /api/check its history, and a decider on each. */
typedef struct sv_worker {
    int used;
    triage_store *db, *mem;
    triage_decider *dc_db, *dc_mem;
    triage_fhir *fw;            /* FHIR answers, with the texts of fw_rs (fhir.c) */
    triage_ruleset *fw_rs;
} sv_worker;

/* One request being answered. body is the whole request body (NUL-ended). */
typedef struct sv_call {
    triage_server *srv;
    struct MHD_Connection *conn;
    const char *method, *url;
    const char *body;
    size_t len;
    const char *tail;           /* after a prefix route's path: "/api/referrals/ID" -> "ID" */
    sv_worker *w;               /* set when the route asks for one */
    void *req;                  /* the connection's state (http.c) */
} sv_call;

/* What a route needs before its handler runs. */
enum { SV_PUBLIC = 0,           /* nothing: the page */
       SV_STORE = 1,            /* /api: the token, a worker and its store */
       SV_DECIDE = 2 };         /* SV_STORE and deciders on the active rules */

typedef struct sv_route {
    const char *method;         /* "GET" (HEAD too) or "POST"; NULL: any (the
                                   handler answers 405 itself) */
    const char *path;
    int under;                  /* 0: the path exactly; 1: the path followed by
                                   more, handed to the handler as tail */
    int needs;                  /* SV_PUBLIC, SV_STORE or SV_DECIDE */
    sv_result (*fn)(sv_call *c);
} sv_route;

/* The routing table (routes.c), ended by a NULL path. */
extern const sv_route sv_routes[];

/* Replies (http.c). Each logs the request; bodies given as text are taken
** over (freed by the server). */
sv_result sv_send(sv_call *c, int status, const char *type, const void *body, size_t len,
                  enum MHD_ResponseMemoryMode mode);
/* A malloc'd text as the body; NULL answers 500 out of memory. */
sv_result sv_text(sv_call *c, int status, const char *type, char *text);
/* A JSON value as the body (its reference is taken). */
sv_result sv_json(sv_call *c, int status, json_t *body);
/* {"error": msg} with more's keys merged in (more may be NULL; taken). */
sv_result sv_error(sv_call *c, int status, const char *msg, json_t *more);

/* The request's query argument, or NULL. */
const char *sv_arg(sv_call *c, const char *name);
/* A query flag: present and not "0" or "false". */
int sv_flag(sv_call *c, const char *name);
/* A request header, or NULL. */
const char *sv_header(sv_call *c, const char *name);
/* The store path and the rule host the server was started with, and how
** it runs: threads and the body limit. */
const char *sv_db(const triage_server *s);
triage_host *sv_host(const triage_server *s);
int sv_threads(const triage_server *s);
size_t sv_max_body(const triage_server *s);

/* This thread's worker (worker.c): its store handles, and with deciding
** also deciders on the host's active rule set. NULL with *why set when it
** cannot be made ready. */
typedef struct sv_pool sv_pool;
sv_pool *sv_pool_new(int nworkers);
sv_worker *sv_pool_get(sv_pool *p, const char *db, triage_host *host, int deciding,
                       const char **why);
void sv_pool_free(sv_pool *p);
#endif
