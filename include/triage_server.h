/*
** server.h — the intake service behind `triage serve`: a JSON API over
** HTTP (libmicrohttpd, thread pool) and the intake page, embedded at build
** time. Each worker thread keeps its own store handles and deciders.
*/
#ifndef TRIAGE_SERVER_H
#define TRIAGE_SERVER_H
#include <stddef.h>
#include <stdio.h>
#include "triage.h"

#define TR_SERVER_MAX_BODY (1024 * 1024)  /* default request body limit: 1 MiB */

typedef struct tr_server_opts {
    const char *listen;   /* "HOST:PORT" or "[V6]:PORT"; port 0 picks a free one;
                             NULL = "127.0.0.1:8080" */
    const char *db;       /* store path (each worker opens its own handle) */
    triage_host *host;    /* active rule set; borrowed, must outlive the server */
    const char *token;    /* bearer token every /api call must carry; NULL or ""
                             = none, allowed on a loopback address only */
    int threads;          /* worker threads; 0 = 4 */
    size_t max_body;      /* bytes; 0 = TR_SERVER_MAX_BODY */
    FILE *log;            /* one line per request; NULL = stderr */
    int quiet;            /* no request log */
} tr_server_opts;

typedef struct tr_server tr_server;

/* Listen and serve in the background. Returns NULL with err filled when the
** address is unusable, not loopback without a token, or the store fails. */
tr_server *tr_server_start(const tr_server_opts *opts, triage_error *err);

/* The port the server listens on (useful after port 0). */
int tr_server_port(const tr_server *s);

/* Stop serving, wait for requests in progress, and free everything. */
void tr_server_stop(tr_server *s);

/* The page's files, embedded by the build (web_assets.c, from web/). */
typedef struct tr_web_asset {
    const char *path;           /* "/index.html" */
    const char *type;           /* Content-Type */
    const unsigned char *data;
    size_t len;
} tr_web_asset;
extern const tr_web_asset tr_web_assets[];
extern const int tr_web_nassets;
#endif
