/*
** triage_server.h — the intake service behind `triage serve`, a library of
** its own (server/) on the public API: the JSON API over HTTP
** (libmicrohttpd's thread pool) and the intake page, embedded at build time.
** Each worker thread keeps its own store handles and deciders.
*/
#ifndef TRIAGE_SERVER_H
#define TRIAGE_SERVER_H
#include <stddef.h>
#include <stdio.h>
#include "triage.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRIAGE_SERVER_MAX_BODY (1024 * 1024)  /* default request body limit: 1 MiB */

typedef struct triage_server_opts {
    const char *listen;   /* "HOST:PORT" or "[V6]:PORT"; port 0 picks a free one;
                             NULL = "127.0.0.1:8080" */
    const char *db;       /* store path (each worker opens its own handle) */
    triage_host *host;    /* active rule set; borrowed, must outlive the server */
    const char *token;    /* bearer token every /api call must carry; NULL or ""
                             = none, allowed on a loopback address only */
    int threads;          /* worker threads; 0 = 4 */
    size_t max_body;      /* bytes; 0 = TRIAGE_SERVER_MAX_BODY */
    FILE *log;            /* one line per request; NULL = stderr */
    int quiet;            /* no request log */
    long session_idle;    /* seconds without a request that end a person's
                             session; 0 = TRIAGE_SESSION_IDLE */
    triage_host *shadow;  /* a candidate rule set that decides every referral
                             in the background, kept beside the active
                             suggestion and never shown as it; NULL = none.
                             Borrowed, must outlive the server */
    const char *cds_config; /* the CDS Hooks clients' issuers and keys, a JSON
                             file (README, "CDS Hooks"); NULL or "" = none:
                             /cds-services answers loopback clients only */
} triage_server_opts;

typedef struct triage_server triage_server;

/* Listen and serve in the background. The strings in opts are copied.
** Returns NULL with err filled when the address is unusable, not loopback
** without a token, or the store cannot be opened. Stop with
** triage_server_stop. */
triage_server *triage_server_start(const triage_server_opts *opts, triage_error *err);

/* The port the server listens on (useful after port 0); 0 for NULL. */
int triage_server_port(const triage_server *s);

/* Stop serving, wait for requests in progress, and free everything; NULL is
** a no-op. */
void triage_server_stop(triage_server *s);

#ifdef __cplusplus
}
#endif
#endif
