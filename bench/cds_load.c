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

static double cl_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cl_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    return fd;
}

/* One response: its status, or -1 when the connection broke; *cards is set
** when the body holds a card. */
static int cl_response(int fd, char *buf, size_t cap, int *cards)
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
    *cards = strstr(end, "\"uuid\"") != NULL;
    while ((long)have < len) {
        ssize_t k = read(fd, buf, cap - 1);
        if (k <= 0) return -1;
        buf[k] = 0;
        if (strstr(buf, "\"uuid\"")) *cards = 1;
        have += (size_t)k;
    }
    return status;
}

static void *cl_run(void *arg)
{
    cl_conn *c = arg;
    size_t cap = 1 << 20;
    char *buf = malloc(cap), *head = malloc(512);
    int fd = cl_connect();
    double per = (double)conns / rate, t0 = cl_now() + 0.05 + c->k / rate;
    size_t total = (size_t)(seconds * rate / conns);
    c->lat = malloc(total * sizeof *c->lat);
    for (size_t i = 0; i < total; i++) {
        double due = t0 + (double)i * per, now = cl_now();
        if (due > now) {
            struct timespec ts = {(time_t)(due - now), (long)((due - now - (time_t)(due - now)) * 1e9)};
            nanosleep(&ts, NULL);
        }
        const char *body = bodies[(i * (size_t)conns + (size_t)c->k) % nbodies];
        size_t len = strlen(body);
        int n = snprintf(head, 512, "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                         "application/json\r\nContent-Length: %zu\r\n\r\n", path, len);
        int cards = 0, status = -1;
        if (fd >= 0 && write(fd, head, (size_t)n) == n && write(fd, body, len) == (ssize_t)len)
            status = cl_response(fd, buf, cap, &cards);
        if (status != 200) {
            c->errors++;
            if (fd >= 0) close(fd);
            fd = cl_connect();
            continue;
        }
        c->cards += cards;
        c->lat[c->n++] = (cl_now() - due) * 1000.0;
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
    double t = cl_now();
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
    t = cl_now() - t;
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
