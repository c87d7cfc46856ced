/*
** reload.c — `triage-reload-bench`: how long a rule author waits. It copies
** a rule set, watches it through the rule host (inotify), saves an edit N
** times and times each save until the new rule set is active (build, own
** tests, swap); and times triage_host_reload called directly.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "triage.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Append a comment to the first rule file: a new hash, the same rules. */
static void edit(const char *dir, int round)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/10-acute.lua", dir);
    FILE *f = fopen(path, "a");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "-- edit %d\n", round);
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *rules = argc > 1 ? argv[1] : "rules";
    int rounds = argc > 2 ? atoi(argv[2]) : 20;
    if (rounds < 1 || rounds > 1000) {
        fprintf(stderr, "usage: triage-reload-bench [RULES_DIR] [ROUNDS 1..1000]\n");
        return 1;
    }
    char tmpl[] = "/tmp/triage-reload-XXXXXX", cmd[2048];
    char *dir = mkdtemp(tmpl);
    snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s/'", rules, dir);
    if (!dir || system(cmd) != 0) {
        fprintf(stderr, "cannot copy %s\n", rules);
        return 1;
    }
    triage_error err;
    triage_host *h = triage_host_open(dir, NULL, &err);
    if (!h || triage_host_watch(h, &err) != TRIAGE_OK) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    double *lat = calloc((size_t)rounds, sizeof *lat), *direct = calloc((size_t)rounds, sizeof *direct);
    for (int i = 0; i < rounds; i++) {
        triage_ruleset *before = triage_host_acquire(h);
        edit(dir, i);
        double t0 = now_ms();
        for (;;) {
            triage_ruleset *rs = triage_host_acquire(h);
            int swapped = rs != before;
            triage_ruleset_release(rs);
            if (swapped || now_ms() - t0 > 10000)
                break;
            usleep(200);
        }
        lat[i] = now_ms() - t0;
        triage_ruleset_release(before);
    }
    triage_host_close(h);
    /* The same work without the watcher: build, test, swap. */
    h = triage_host_open(dir, NULL, &err);
    for (int i = 0; i < rounds; i++) {
        edit(dir, rounds + i);
        double t0 = now_ms();
        if (triage_host_reload(h, &err) != TRIAGE_OK) {
            fprintf(stderr, "%s\n", err.text);
            return 1;
        }
        direct[i] = now_ms() - t0;
    }
    triage_host_close(h);
    qsort(lat, (size_t)rounds, sizeof *lat, cmp_double);
    qsort(direct, (size_t)rounds, sizeof *direct, cmp_double);
    printf("edit to active (inotify, %d ms settle included): p50 %.1f ms, max %.1f ms\n", 40,
           lat[rounds / 2], lat[rounds - 1]);
    printf("triage_host_reload (load, rule tests, swap): p50 %.1f ms, max %.1f ms\n",
           direct[rounds / 2], direct[rounds - 1]);
    printf("{\"rounds\":%d,\"edit_to_active_ms_p50\":%.1f,\"edit_to_active_ms_max\":%.1f,"
           "\"host_reload_ms_p50\":%.1f,\"host_reload_ms_max\":%.1f}\n", rounds, lat[rounds / 2],
           lat[rounds - 1], direct[rounds / 2], direct[rounds - 1]);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(lat);
    free(direct);
    return 0;
}
