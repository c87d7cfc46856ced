/*
** http_client.h — the server tests' HTTP client: one request over a fresh
** loopback connection, the whole response read to EOF (status, head, body).
** Included after cmocka.h: it asserts.
*/
#ifndef TRIAGE_TEST_HTTP_CLIENT_H
#define TRIAGE_TEST_HTTP_CLIENT_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct resp {
    int status;
    char head[2048];
    char *body;
} resp;

/* One request over a fresh connection; the whole response is read to EOF. */
static inline resp http(int port, const char *method, const char *path, const char *auth,
                        const char *body, size_t len)
{
    resp r = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "%s%s%sContent-Length: %zu\r\n\r\n", method, path,
                     auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "",
                     body ? len : 0);
    assert_true(write(fd, head, (size_t)n) == n);
    for (size_t off = 0; body && off < len;) {
        ssize_t w = write(fd, body + off, len - off);
        if (w <= 0) break;       /* the server may answer before reading it all */
        off += (size_t)w;
    }
    size_t cap = 65536, got = 0;
    char *buf = malloc(cap);
    ssize_t k;
    while ((k = read(fd, buf + got, cap - got - 1)) > 0) {
        got += (size_t)k;
        if (got + 1 == cap) buf = realloc(buf, cap *= 2);
    }
    buf[got] = 0;
    close(fd);
    assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &r.status), 1);
    char *sep = strstr(buf, "\r\n\r\n");
    assert_non_null(sep);
    size_t hl = (size_t)(sep - buf) < sizeof r.head - 1 ? (size_t)(sep - buf) : sizeof r.head - 1;
    memcpy(r.head, buf, hl);
    r.body = strdup(sep + 4);
    free(buf);
    return r;
}

#endif
