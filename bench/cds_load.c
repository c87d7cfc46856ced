/*
** cds_load.c — open-loop load for the CDS Hooks service: requests sent at a
** fixed rate (not as fast as answers come back), spread over C keep-alive
** connections, each timed from the moment it was due to be sent to its
** last byte back, so that a slow answer delays the ones behind it and
** shows in the percentiles (no coordinated omission). The bodies are the
** lines of FILE (one CDS Hooks request each), taken in turn.
** Usage: triage-cds-load [-c CONN] [-r RATE] [-d SECONDS] [-p PATH] PORT FILE
** Prints rate achieved, p50/p90/p99/p99.9/max latency in ms, and errors.
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

static int port, conns = 4, seconds = 30;
static double rate = 200;
static const char *path = "/cds-services/buc-henvisning";
static char **bodies;
static size_t nbodies;

typedef struct cl_conn {
    pthread_t th;
    int k;
    double *lat;
    size_t n;
    long errors, cards;
} cl_conn;

static void *cl_run(void *arg)
{
    cl_conn *c = arg;
    size_t cap = 1 << 20;
    char *buf = malloc(cap), *head = malloc(512);
    int fd = hw_connect(port);
    double per = (double)conns / rate, t0 = hw_now() + 0.05 + c->k / rate;
    size_t total = (size_t)(seconds * rate / conns);
    c->lat = malloc(total * sizeof *c->lat);
    for (size_t i = 0; i < total; i++) {
        double due = t0 + (double)i * per, now = hw_now();
        if (due > now) {
            struct timespec ts = {(time_t)(due - now), (long)((due - now - (time_t)(due - now)) * 1e9)};
            nanosleep(&ts, NULL);
        }
        const char *body = bodies[(i * (size_t)conns + (size_t)c->k) % nbodies];
        size_t len = strlen(body);
        int n = snprintf(head, 512, "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                         "application/json\r\nContent-Length: %zu\r\n\r\n", path, len);
        int status = -1;
        const char *answer = "";
        if (fd >= 0 && write(fd, head, (size_t)n) == n && write(fd, body, len) == (ssize_t)len)
            status = hw_response(fd, buf, cap, &answer);
        if (status != 200) {
            c->errors++;
            if (fd >= 0) close(fd);
            fd = hw_connect(port);
            continue;
        }
        c->cards += strstr(answer, "\"uuid\"") != NULL;
        c->lat[c->n++] = (hw_now() - due) * 1000.0;
    }
    if (fd >= 0) close(fd);
    free(buf);
    free(head);
    return NULL;
}

static int cl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int o;
    while ((o = getopt(argc, argv, "c:r:d:p:")) != -1) {
        switch (o) {
        case 'c': conns = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'd': seconds = atoi(optarg); break;
        case 'p': path = optarg; break;
        default: goto usage;
        }
    }
    if (argc - optind != 2 || conns < 1 || rate <= 0 || seconds < 1) {
    usage:
        fprintf(stderr, "usage: triage-cds-load [-c CONN] [-r RATE] [-d SECONDS] [-p PATH] PORT FILE\n");
        return 1;
    }
    port = atoi(argv[optind]);
    FILE *f = fopen(argv[optind + 1], "r");
    if (!f) { perror(argv[optind + 1]); return 1; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[--n] = 0;
        if (!n) continue;
        bodies = realloc(bodies, (nbodies + 1) * sizeof *bodies);
        bodies[nbodies++] = strdup(line);
    }
    fclose(f);
    free(line);
    if (!nbodies) { fprintf(stderr, "no requests in %s\n", argv[optind + 1]); return 1; }
    cl_conn *c = calloc((size_t)conns, sizeof *c);
    double t = hw_now();
    for (int k = 0; k < conns; k++) {
        c[k].k = k;
        pthread_create(&c[k].th, NULL, cl_run, &c[k]);
    }
    size_t total = 0;
    long errors = 0, cards = 0;
    for (int k = 0; k < conns; k++) {
        pthread_join(c[k].th, NULL);
        total += c[k].n;
        errors += c[k].errors;
        cards += c[k].cards;
    }
    t = hw_now() - t;
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t at = 0;
    for (int k = 0; k < conns; k++) {
        memcpy(all + at, c[k].lat, c[k].n * sizeof *all);
        at += c[k].n;
    }
    qsort(all, total, sizeof *all, cl_cmp);
#define PCT(p) (total ? all[(size_t)((double)(total - 1) * (p))] : 0)
    printf("{\"rate_asked\": %.0f, \"rate\": %.1f, \"requests\": %zu, \"errors\": %ld, "
           "\"with_cards\": %ld, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, "
           "\"p999_ms\": %.3f, \"max_ms\": %.3f, \"connections\": %d, \"seconds\": %d}\n",
           rate, (double)total / t, total, errors, cards, PCT(0.50), PCT(0.90), PCT(0.99),
           PCT(0.999), total ? all[total - 1] : 0, conns, seconds);
    return errors ? 2 : 0;
}
