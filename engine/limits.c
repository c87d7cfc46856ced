/*
** limits.c — the sandbox limits as a person writes them:
** "memory=128M,instructions=50M,time=20s,string=8M" (triage_limits_parse),
** what $TRIAGE_LIMITS holds for the `triage` command.
*/
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"

/* The number at s with an optional unit: scale[i] for units[i]. Returns the
** end, or NULL when it is not a positive number with a known unit. */
static const char *lm_number(const char *s, const char *const *units, const uint64_t *scale,
                             uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return NULL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || v == 0)
        return NULL;
    size_t ulen = strcspn(end, ",");
    uint64_t k = 0;
    for (int i = 0; units[i]; i++)
        if (strlen(units[i]) == ulen && !strncmp(end, units[i], ulen))
            k = scale[i];
    if (!k || v > UINT64_MAX / k)
        return NULL;
    *out = (uint64_t)v * k;
    return end + ulen;
}

triage_code triage_limits_parse(const char *spec, triage_limits *out, triage_error *err)
{
    static const char *const bytes_u[] = {"", "K", "M", "G", NULL};
    static const uint64_t bytes_k[] = {1, 1u << 10, 1u << 20, 1u << 30};
    static const char *const count_u[] = {"", "k", "K", "M", "G", NULL};
    static const uint64_t count_k[] = {1, 1000, 1000, 1000000, 1000000000};
    static const char *const time_u[] = {"ms", "s", NULL};
    static const uint64_t time_k[] = {1, 1000};
    triage_limits lim = *out;
    const char *p = spec;
    while (p && *p) {
        size_t klen = strcspn(p, "=,");
        if (p[klen] != '=')
            return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL,
                                    "limits: '%.*s' is not KEY=VALUE (keys: memory, "
                                    "instructions, time, string)", (int)strcspn(p, ","), p);
        const char *v = p + klen + 1, *end = NULL;
        uint64_t n = 0;
        if (klen == 6 && !strncmp(p, "memory", 6)) {
            end = lm_number(v, bytes_u, bytes_k, &n);
            if (end && n < (1u << 20))
                end = NULL;
            lim.memory_bytes = (size_t)n;
        } else if (klen == 12 && !strncmp(p, "instructions", 12)) {
            end = lm_number(v, count_u, count_k, &n);
            lim.instructions = n;
        } else if (klen == 4 && !strncmp(p, "time", 4)) {
            end = lm_number(v, time_u, time_k, &n);
            if (end && n > UINT32_MAX)
                end = NULL;
            lim.time_ms = (uint32_t)n;
        } else if (klen == 6 && !strncmp(p, "string", 6)) {
            end = lm_number(v, bytes_u, bytes_k, &n);
            lim.string_bytes = (size_t)n;
        } else {
            return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL,
                                    "limits: unknown limit '%.*s' (memory, instructions, "
                                    "time, string)", (int)klen, p);
        }
        if (!end)
            return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL,
                                    "limits: %.*s: '%.*s' is not a valid value (e.g. "
                                    "memory=128M, instructions=50M, time=20s, string=8M; "
                                    "memory at least 1M)", (int)klen, p,
                                    (int)strcspn(v, ","), v);
        p = *end == ',' ? end + 1 : end;
    }
    *out = lim;
    return TRIAGE_OK;
}
