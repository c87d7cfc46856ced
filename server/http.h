/*
** http.h — the server's core, shared by its files: one request being
** answered (sv_call), the replies, the routing table's shape, and the
** per-thread worker that holds store handles and deciders. A new route is
** a handler in its own file and one line in routes.c.
*/
#ifndef TRIAGE_SV_HTTP_H
#define TRIAGE_SV_HTTP_H
#include <stddef.h>
#include <stdio.h>
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
    triage_cds *cds;            /* CDS Hooks cards, with the texts of cds_rs (cds.c) */
    triage_ruleset *cds_rs;
} sv_worker;

/* Who is calling (auth.c): nobody known, a machine client with the access
** token, or a person with a session. */
enum { SV_ANON = 0, SV_MACHINE, SV_PERSON };

/* One request being answered. body is the whole request body (NUL-ended). */
typedef struct sv_call {
    triage_server *srv;
    struct MHD_Connection *conn;
    const char *method, *url;
    const char *body;
    size_t len;
    const char *tail;           /* after a prefix route's path: "/api/referrals/ID" -> "ID";
                                   for a path with "{}", what stood there */
    sv_worker *w;               /* set when the route asks for one */
    void *req;                  /* the connection's state (http.c) */
    int who;                    /* SV_ANON, SV_MACHINE or SV_PERSON */
    triage_session session;     /* the person's, when who is SV_PERSON */
    const char *extra;          /* one more header for the reply (Set-Cookie,
                                   Retry-After), or NULL ... */
    char extra_value[160];      /* ... and its value */
    char tail_buf[256];         /* tail's storage for a "{}" path */
} sv_call;

/* What a route needs before its handler runs. */
enum { SV_PUBLIC = 0,           /* nothing: the page */
       SV_STORE = 1,            /* /api: a worker and its store (the guard, auth.c,
                                   has checked who calls) */
       SV_DECIDE = 2 };         /* SV_STORE and deciders on the active rules */

/* Who may call a route (auth.c). SV_ANY, the default: the access token,
** any person's session, or anyone when the server has no token. */
enum { SV_ANY = 0,
       SV_OPEN,                 /* anyone: logging in */
       SV_PEOPLE,               /* a person's session, whatever the role */
       SV_INTAKE,               /* an intake person's session */
       SV_ADMIN,                /* an admin's session */
       SV_CDS };                /* a CDS client: its JWT, or loopback (cds_auth.c) */

typedef struct sv_route {
    const char *method;         /* "GET" (HEAD too), "POST" or "OPTIONS"; NULL: any (the
                                   handler answers 405 itself) */
    const char *path;           /* may hold one "{}": a part of the path (an id,
                                   '/' and all), handed to the handler as tail */
    int under;                  /* 0: the path exactly; 1: the path followed by
                                   more, handed to the handler as tail */
    int needs;                  /* SV_PUBLIC, SV_STORE or SV_DECIDE */
    sv_result (*fn)(sv_call *c);
    int allow;                  /* SV_ANY, SV_OPEN, SV_PEOPLE, SV_INTAKE, SV_ADMIN */
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
/* The HTTP status that answers an engine error code: 400 for what the
** request got wrong, 401, 403, 404, 409, 503 for the store, 500 else. */
int sv_status(triage_code code);

/* The request's query argument, or NULL. */
const char *sv_arg(sv_call *c, const char *name);
/* A query flag: present and not "0" or "false". */
int sv_flag(sv_call *c, const char *name);
/* A request header, or NULL. */
const char *sv_header(sv_call *c, const char *name);
/* The store path and the rule host the server was started with, and how
** it runs: threads and the body limit. */
const char *sv_db(const triage_server *s);
const char *sv_token(const triage_server *s);   /* NULL when none */
/* The CDS Hooks issuers and keys, NULL when none are configured. */
struct sv_cds_auth *sv_cds(const triage_server *s);
triage_host *sv_host(const triage_server *s);
int sv_threads(const triage_server *s);
size_t sv_max_body(const triage_server *s);

/* The idle time that ends a session, in seconds; the candidate rule set's
** host, or NULL when none runs in the shadow. */
long sv_session_idle(const triage_server *s);
triage_host *sv_shadow_host(const triage_server *s);

/* Who calls, and may they (auth.c): with a worker's store at hand, find
** the caller (token, session cookie), check route r's allow (r NULL: an
** unknown route, as SV_ANY), and for a person's request that changes state
** its CSRF token and where it comes from. 0 to go on, or -1 with the
** request answered (401, 403) in *answer. */
int sv_guard(sv_call *c, const sv_route *r, sv_result *answer);
/* Login attempts (auth.c): the limiter's state, made and freed with the
** server. */
typedef struct sv_limiter sv_limiter;
sv_limiter *sv_limiter_new(void);
void sv_limiter_free(sv_limiter *l);
sv_limiter *sv_limiter_of(const triage_server *s);
/* A background thread (background.c): fn(bg, arg) runs on it, and loops
** while sv_bg_wait (ms, or less when asked to stop) returns 0; sv_bg_stop
** asks it to stop, joins it and frees bg (NULL is fine). */
typedef struct sv_bg sv_bg;
sv_bg *sv_bg_start(void (*fn)(sv_bg *bg, void *arg), void *arg);
int sv_bg_wait(sv_bg *bg, long ms);
void sv_bg_stop(sv_bg *bg);
/* The store's checkpoints, run every second on their own thread and
** handle (checkpoint.c); a failure is said on log. */
typedef struct sv_checkpoints sv_checkpoints;
sv_checkpoints *sv_checkpoints_start(const char *db, FILE *log);
void sv_checkpoints_stop(sv_checkpoints *ck);
/* The candidate rule set deciding in the background (shadow.c). */
typedef struct sv_shadow sv_shadow;
sv_shadow *sv_shadow_start(const char *db, triage_host *candidate);
void sv_shadow_stop(sv_shadow *sh);

/* This thread's worker (worker.c): its store handles, and with deciding
** also deciders on the host's active rule set. NULL with *why set when it
** cannot be made ready. */
typedef struct sv_pool sv_pool;
sv_pool *sv_pool_new(int nworkers);
sv_worker *sv_pool_get(sv_pool *p, const char *db, triage_host *host, int deciding,
                       const char **why);
void sv_pool_free(sv_pool *p);
#endif
