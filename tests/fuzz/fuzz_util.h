/*
** fuzz_util.h — checks the fuzz targets share: a CPR-shaped digit run in
** text that must never hold one, and a crash that libFuzzer (or the replay
** driver) reports with the input that caused it.
*/
#ifndef TRIAGE_FUZZ_UTIL_H
#define TRIAGE_FUZZ_UTIL_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Stop here: libFuzzer saves the input as a crash. */
#define fz_fail(...) (fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__), \
                      fputc('\n', stderr), abort())

/* 1 when s holds a CPR-shaped run as the engine's masks define it: six
** digits, an optional '-', four digits, with no digit either side. */
static inline int fz_has_cpr(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || (p > s && p[-1] >= '0' && p[-1] <= '9'))
            continue;
        const char *q = p;
        int d = 0, e = 0;
        while (d < 6 && *q >= '0' && *q <= '9') q++, d++;
        if (d < 6) continue;
        if (*q == '-') q++;
        while (e < 4 && *q >= '0' && *q <= '9') q++, e++;
        if (e == 4 && !(*q >= '0' && *q <= '9')) return 1;
    }
    return 0;
}
#ifdef _GNU_SOURCE
/* The bytes as a file for triage_reader_open: one memfd per process,
** rewritten each time (a target that wants it defines _GNU_SOURCE, for
** memfd_create, before any include). Its path, or NULL when it cannot be
** had. */
static inline const char *fz_memfile(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-input", 0);
        if (fd < 0)
            return NULL;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return NULL;
    return path;
}
#endif
#endif
