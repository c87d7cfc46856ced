/*
** http_wire.h — what the load clients (http_load.c, cds_load.c) share: a
** monotonic clock, a keep-alive loopback connection, and reading one
** HTTP/1.1 response whole. Header-only, so each client stays one `cc` line.
*/
#ifndef TRIAGE_BENCH_HTTP_WIRE_H
#define TRIAGE_BENCH_HTTP_WIRE_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline double hw_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A TCP connection to 127.0.0.1:port without Nagle's delay, or -1. */
static inline int hw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    return fd;
}

/* Read one response into buf[cap]: headers, then Content-Length bytes (a
** body longer than buf holds is read and dropped). Returns the status, or
** -1 when the connection broke; *body (may be NULL) points at what of the
** body buf holds, NUL-ended. */
static inline int hw_response(int fd, char *buf, size_t cap, const char **body)
{
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        ssize_t k = read(fd, buf + got, cap - got - 1);
        if (k <= 0) return -1;
        got += (size_t)k;
        buf[got] = 0;
        end = strstr(buf, "\r\n\r\n");
        if (!end && got + 1 >= cap) return -1;
    }
    int status = 0;
    long len = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    for (char *h = strstr(buf, "\r\n"); h && h < end; h = strstr(h + 2, "\r\n"))
        if (!strncasecmp(h + 2, "Content-Length:", 15)) len = atol(h + 17);
    size_t have = got - (size_t)(end + 4 - buf);
    while ((long)have < len) {
        size_t at = got + 1 < cap ? got : 0;    /* keep the body while it fits */
        ssize_t k = read(fd, buf + at, cap - at - 1);
        if (k <= 0) return -1;
        got = at + (size_t)k;
        buf[got] = 0;
        have += (size_t)k;
    }
    if (body) *body = end + 4;
    return status;
}
#endif
