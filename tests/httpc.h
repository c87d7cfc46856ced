/*
** httpc.h — a small HTTP client for the tests of `triage serve` that act
** as people: each client keeps its session cookie (from Set-Cookie) and its
** CSRF token (from the login's answer) and sends them as a browser would.
** One request per connection; the whole response is read.
*/
#ifndef TRIAGE_HTTPC_H
#define TRIAGE_HTTPC_H
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct hc_client {
    int port;
    char cookie[160];           /* "triage_session=..." or "" */
    char csrf[80];              /* sent as X-CSRF-Token on POST, or "" */
    char origin[80];            /* sent as Origin when set */
    char bearer[128];           /* sent as Authorization: Bearer when set */
} hc_client;

typedef struct hc_resp {
    int status;                 /* 0 when the server could not be reached */
    char head[4096];
    char *body;
    json_t *json;               /* the body as JSON, or NULL */
} hc_resp;

static inline void hc_free(hc_resp *r)
{
    free(r->body);
    json_decref(r->json);
    r->body = NULL;
    r->json = NULL;
}

/* The value of header name in r's head (into out), or NULL. */
static inline const char *hc_header(const hc_resp *r, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n, *e = strstr(v, "\r\n");
            while (*v == ' ') v++;
            size_t l = e ? (size_t)(e - v) : strlen(v);
            if (l >= cap) l = cap - 1;
            memcpy(out, v, l);
            out[l] = '\0';
            return out;
        }
    }
    return NULL;
}

/* method path with body (NULL: none) as JSON; extra is more header lines
** ("Name: value\r\n", or NULL). */
static inline hc_resp hc_send(hc_client *c, const char *method, const char *path,
                              const char *body, const char *extra)
{
    hc_resp r = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        r.body = strdup("");
        return r;
    }
    size_t blen = body ? strlen(body) : 0, cap = blen + 2048;
    char *req = malloc(cap);
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                     "%s%s%s" "%s%s%s" "%s%s%s" "%s%s%s" "%s%sContent-Length: %zu\r\n\r\n",
                     method, path, c->port,
                     c->cookie[0] ? "Cookie: " : "", c->cookie, c->cookie[0] ? "\r\n" : "",
                     c->csrf[0] && strcmp(method, "GET") ? "X-CSRF-Token: " : "",
                     c->csrf[0] && strcmp(method, "GET") ? c->csrf : "",
                     c->csrf[0] && strcmp(method, "GET") ? "\r\n" : "",
                     c->origin[0] ? "Origin: " : "", c->origin, c->origin[0] ? "\r\n" : "",
                     c->bearer[0] ? "Authorization: Bearer " : "", c->bearer,
                     c->bearer[0] ? "\r\n" : "",
                     body ? "Content-Type: application/json\r\n" : "", extra ? extra : "", blen);
    if (body) memcpy(req + n, body, blen);
    size_t left = (size_t)n + blen, off = 0;
    while (off < left) {
        ssize_t w = write(fd, req + off, left - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    free(req);
    size_t bcap = 65536, got = 0;
    char *buf = malloc(bcap);
    ssize_t k;
    while ((k = read(fd, buf + got, bcap - got - 1)) > 0) {
        got += (size_t)k;
        if (got + 1 == bcap) buf = realloc(buf, bcap *= 2);
    }
    buf[got] = '\0';
    close(fd);
    char *sep = strstr(buf, "\r\n\r\n");
    if (sscanf(buf, "HTTP/1.%*d %d", &r.status) != 1 || !sep) {
        r.status = 0;
        r.body = buf;
        return r;
    }
    size_t hl = (size_t)(sep - buf) < sizeof r.head - 1 ? (size_t)(sep - buf) : sizeof r.head - 1;
    memcpy(r.head, buf, hl);
    r.body = strdup(sep + 4);
    free(buf);
    r.json = json_loads(r.body, 0, NULL);
    char cookie[256];
    if (hc_header(&r, "Set-Cookie", cookie, sizeof cookie)) {
        size_t l = strcspn(cookie, ";");
        if (strstr(cookie, "Max-Age=0")) c->cookie[0] = '\0';
        else if (l < sizeof c->cookie) {
            memcpy(c->cookie, cookie, l);
            c->cookie[l] = '\0';
        }
    }
    return r;
}

static inline hc_resp hc_get(hc_client *c, const char *path)
{
    return hc_send(c, "GET", path, NULL, NULL);
}

static inline hc_resp hc_post(hc_client *c, const char *path, const char *body)
{
    return hc_send(c, "POST", path, body, NULL);
}

/* Log in as name: the status; on 200 the client keeps the cookie and CSRF. */
static inline int hc_login(hc_client *c, const char *name, const char *password)
{
    char body[512];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, password);
    hc_resp r = hc_post(c, "/api/login", body);
    const char *csrf = json_string_value(json_object_get(r.json, "csrf"));
    if (r.status == 200 && csrf) snprintf(c->csrf, sizeof c->csrf, "%s", csrf);
    int status = r.status;
    hc_free(&r);
    return status;
}

static inline const char *hc_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}
#endif
