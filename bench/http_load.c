/*
** http_load.c — load client for `triage serve`: C connections, each on its
** own thread with HTTP/1.1 keep-alive, POST one referral file to a path for
** a number of seconds; prints requests/s, latency percentiles and errors.
** Build: cc -O2 -pthread bench/http_load.c -o http_load
** Usage: http_load [-c CONN] [-d SECONDS] [-p PATH] [-t TOKEN_FILE] PORT FILE
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_wire.h"

typedef struct hl_conn {
    pthread_t th;
    double *lat;          /* microseconds per request */
    size_t n, cap;
    long errors;
} hl_conn;

static int port, seconds = 60;
static const char *path = "/api/check";
static char *req;
static size_t req_len;
static double t_end;

static void *hl_run(void *arg)
{
    hl_conn *c = arg;
    char *buf = malloc(1 << 20);
    int fd = hw_connect(port);
    while (hw_now() < t_end) {
        if (fd < 0 && (fd = hw_connect(port)) < 0) { c->errors++; usleep(1000); continue; }
        double t0 = hw_now();
        if (write(fd, req, req_len) != (ssize_t)req_len) { c->errors++; close(fd); fd = -1; continue; }
        int st = hw_response(fd, buf, 1 << 20, NULL);
        double us = (hw_now() - t0) * 1e6;
        if (st != 200) {
            c->errors++;
            if (st < 0) { close(fd); fd = -1; }
            continue;
        }
        if (c->n == c->cap) c->lat = realloc(c->lat, (c->cap = c->cap ? 2 * c->cap : 65536) * sizeof *c->lat);
        c->lat[c->n++] = us;
    }
    if (fd >= 0) close(fd);
    free(buf);
    return NULL;
}

static int hl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int conns = 4, o;
    char token[512] = "";
    while ((o = getopt(argc, argv, "c:d:p:t:")) != -1) {
        if (o == 'c') conns = atoi(optarg);
        else if (o == 'd') seconds = atoi(optarg);
        else if (o == 'p') path = optarg;
        else if (o == 't') {
            FILE *f = fopen(optarg, "r");
            if (!f || !fgets(token, sizeof token, f)) { fprintf(stderr, "http_load: no token in %s\n", optarg); return 1; }
            fclose(f);
            token[strcspn(token, "\r\n")] = 0;
        } else { fprintf(stderr, "usage: http_load [-c CONN] [-d SECONDS] [-p PATH] [-t TOKEN_FILE] PORT FILE\n"); return 1; }
    }
    if (argc - optind != 2 || conns < 1) { fprintf(stderr, "usage: http_load [-c CONN] [-d SECONDS] [-p PATH] [-t TOKEN_FILE] PORT FILE\n"); return 1; }
    port = atoi(argv[optind]);
    FILE *f = fopen(argv[optind + 1], "rb");
    if (!f) { perror(argv[optind + 1]); return 1; }
    static char body[1 << 20];
    size_t blen = fread(body, 1, sizeof body, f);
    fclose(f);
    req = malloc(blen + 1024);
    req_len = (size_t)sprintf(req, "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                              "%s%s%sContent-Length: %zu\r\n\r\n", path, *token ? "Authorization: Bearer " : "",
                              token, *token ? "\r\n" : "", blen);
    memcpy(req + req_len, body, blen);
    req_len += blen;

    hl_conn *cs = calloc((size_t)conns, sizeof *cs);
    double t0 = hw_now();
    t_end = t0 + seconds;
    for (int i = 0; i < conns; i++) pthread_create(&cs[i].th, NULL, hl_run, &cs[i]);
    size_t total = 0;
    long errors = 0;
    for (int i = 0; i < conns; i++) { pthread_join(cs[i].th, NULL); total += cs[i].n; errors += cs[i].errors; }
    double wall = hw_now() - t0;
    double *all = malloc((total + 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < conns; i++) { memcpy(all + k, cs[i].lat, cs[i].n * sizeof *all); k += cs[i].n; free(cs[i].lat); }
    qsort(all, total, sizeof *all, hl_cmp);
#define PCT(p) (total ? all[(size_t)((double)(total - 1) * (p))] : 0.0)
    printf("{\"path\":\"%s\",\"connections\":%d,\"seconds\":%.1f,\"requests\":%zu,\"errors\":%ld,"
           "\"req_per_s\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%.0f}\n",
           path, conns, wall, total, errors, (double)total / wall, PCT(0.50), PCT(0.99), PCT(1.0));
    free(all);
    free(cs);
    free(req);
    return errors ? 2 : 0;
}
