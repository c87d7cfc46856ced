/*
** error.c — the API's one error struct and its one constructor. Every part
** of the engine that reports a failure fills a triage_error here, so each
** message has the same shape ("FILE:LINE: ID: FIELD: what") and the same
** guarantees: one line, whole UTF-8 characters, no CPR number.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpr.h"
#include "triage.h"

const char *triage_strerror(triage_code code)
{
    switch (code) {
    case TRIAGE_OK:         return "success";
    case TRIAGE_EINVAL:     return "invalid referral";
    case TRIAGE_EJSON:      return "invalid JSON";
    case TRIAGE_EIO:        return "input/output error";
    case TRIAGE_ENOMEM:     return "out of memory";
    case TRIAGE_ERULES:     return "rule set failed to load";
    case TRIAGE_ESTORE:     return "store failed";
    case TRIAGE_EDUPLICATE: return "referral already stored";
    case TRIAGE_ENOTFOUND:  return "no such referral";
    case TRIAGE_EUSAGE:     return "unusable argument";
    case TRIAGE_EAUTH:      return "not authenticated";
    case TRIAGE_EDENIED:    return "not allowed for this role";
    case TRIAGE_ECONFLICT:  return "not possible in the referral's present state";
    case TRIAGE_EREPEATED:  return "message received before";
    case TRIAGE_EWITHDRAWN: return "referral withdrawn";
    }
    return "unknown error";
}

/* Copy src into dst[cap] masked (cpr_mask: never cut inside a character,
** bad UTF-8 as '?'), then control bytes as '?' so that a message stays one
** line. */
static void er_copy(char *dst, size_t cap, const char *src)
{
    cpr_mask(dst, cap, src);
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/* Append len bytes of s to text[*n..cap), as much as fits; the NUL is
** written by the caller. */
static void er_put(char *text, size_t cap, size_t *n, const char *s, size_t len)
{
    if (*n + len >= cap)
        len = *n + 1 < cap ? cap - 1 - *n : 0;
    memcpy(text + *n, s, len);
    *n += len;
}

/* A file name too long for err->file keeps its end, which names the file:
** "…" and the last bytes, from a character boundary and past any digits
** the cut fell among (so no part of a number is left to escape masking). */
static void er_copy_file(char *dst, size_t cap, const char *file)
{
    size_t n = file ? strlen(file) : 0;
    if (n < cap) {
        er_copy(dst, cap, file);
        return;
    }
    const char *t = file + n - (cap - 4);
    while (((unsigned char)*t & 0xC0) == 0x80)
        t++;
    while (*t >= '0' && *t <= '9' && t[-1] >= '0' && t[-1] <= '9')   /* inside a run */
        t++;
    char buf[1024];
    snprintf(buf, sizeof buf, "\xE2\x80\xA6%s", t);   /* "…" */
    er_copy(dst, cap, buf);
}

triage_code triage_error_set(triage_error *err, triage_code code, const char *file,
                             long line, const char *id, const char *field,
                             const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->msg = triage_strerror(code);
    err->line = line;
    er_copy_file(err->file, sizeof err->file, file);
    er_copy(err->id, sizeof err->id, id);
    er_copy(err->field, sizeof err->field, field);
    if (!fmt && code == TRIAGE_OK) {
        err->text[0] = '\0';
        return code;
    }
    char what[512];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
    } else {
        snprintf(what, sizeof what, "%s", err->msg);
    }
    /* The prefix is built from the fields' copies, except the id: the text
    ** has room for more of it than err->id holds. er_copy masks the whole. */
    char text[sizeof err->text + 512], idbuf[320], num[24];
    size_t n = 0;
    er_copy(idbuf, sizeof idbuf, id);
    if (*err->file) {
        er_put(text, sizeof text, &n, err->file, strlen(err->file));
        if (line > 0)
            er_put(text, sizeof text, &n, num, (size_t)snprintf(num, sizeof num, ":%ld", line));
        er_put(text, sizeof text, &n, ": ", 2);
    }
    if (*idbuf) {
        er_put(text, sizeof text, &n, idbuf, strlen(idbuf));
        er_put(text, sizeof text, &n, ": ", 2);
    }
    if (*err->field) {
        er_put(text, sizeof text, &n, err->field, strlen(err->field));
        er_put(text, sizeof text, &n, ": ", 2);
    }
    er_put(text, sizeof text, &n, what, strlen(what));
    text[n] = '\0';
    er_copy(err->text, sizeof err->text, text);
    return code;
}
