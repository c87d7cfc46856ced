/*
** reader.c — split an input of JSON values into referral records.
** The whole input is read into memory; jansson parses one value at a time
** (JSON_DISABLE_EOF_CHECK tells how many bytes it took). A top-level array is
** stepped into so that each element is labelled with its own line. After
** malformed JSON, reading resumes at the next line that starts with { or [.
*/
#define _POSIX_C_SOURCE 200809L   /* fileno, fstat */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "referral_json.h"

struct triage_reader {
    char *buf;
    size_t len, pos;
    long line;            /* line number of the byte at line_at */
    size_t line_at;       /* positions only move forward */
    size_t line_start;    /* offset where that line begins */
    int in_array;         /* inside a top-level [ ... ] */
    int need_sep;         /* in the array, after an element: want , or ] */
    char name[256];       /* label for messages */
};

/* Line of byte off (off never goes backwards). */
static long rd_line(triage_reader *rd, size_t off)
{
    const char *p = rd->buf + rd->line_at, *end = rd->buf + off, *nl;
    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
        rd->line++;
        p = nl + 1;
        rd->line_start = (size_t)(p - rd->buf);
    }
    rd->line_at = off;
    return rd->line;
}

/* 1-based column of off in characters, as jansson counts them. */
static int rd_col(const triage_reader *rd, size_t off)
{
    int col = 1;
    for (size_t i = rd->line_start; i < off; i++)
        col += ((unsigned char)rd->buf[i] & 0xC0) != 0x80;
    return col;
}

/* Where to go on after a bad record that starts at from: the first later
** line whose first non-blank character is { or [, else the end. */
static size_t rd_resync(const triage_reader *rd, size_t from)
{
    const char *b = rd->buf, *nl;
    size_t i = from;
    while ((nl = memchr(b + i, '\n', rd->len - i))) {
        i = (size_t)(nl - b) + 1;
        size_t k = i;
        while (k < rd->len && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r')) k++;
        if (k < rd->len && (b[k] == '{' || b[k] == '[')) return i;
    }
    return rd->len;
}

static int rd_read_all(FILE *f, triage_reader *rd)
{
    struct stat st;
    size_t cap = 1 << 16;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (size_t)st.st_size + 1;
    rd->buf = malloc(cap);
    if (!rd->buf) return TRIAGE_ENOMEM;
    for (;;) {
        if (rd->len + 1 >= cap) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(rd->buf, cap * 2);
            if (!nb) return TRIAGE_ENOMEM;
            rd->buf = nb;
            cap *= 2;
        }
        size_t n = fread(rd->buf + rd->len, 1, cap - 1 - rd->len, f);
        rd->len += n;
        if (n == 0) break;
    }
    rd->buf[rd->len] = '\0';
    return ferror(f) ? TRIAGE_EIO : TRIAGE_OK;
}

triage_reader *triage_reader_open(const char *path, triage_error *err)
{
    triage_reader *rd;
    FILE *f;
    int is_stdin = path && strcmp(path, "-") == 0;
    const char *label = is_stdin ? "<stdin>" : path;

    if (!path || !*path) {
        rf_error(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no input file given");
        return NULL;
    }
    if (!(rd = calloc(1, sizeof *rd))) {
        rf_error(err, TRIAGE_ENOMEM, label, 0, NULL, NULL, "out of memory");
        return NULL;
    }
    snprintf(rd->name, sizeof rd->name, "%s", label);
    rf_mask_cpr(rd->name, strlen(rd->name));
    rd->line = 1;
    if (!(f = is_stdin ? stdin : fopen(path, "rb"))) {
        rf_error(err, TRIAGE_EIO, label, 0, NULL, NULL, "cannot open: %s", strerror(errno));
        free(rd);
        return NULL;
    }
    errno = 0;
    int rc = rd_read_all(f, rd);
    int e = errno;
    if (!is_stdin) fclose(f);
    if (rc != TRIAGE_OK) {
        rf_error(err, (triage_code)rc, label, 0, NULL, NULL, "cannot read: %s",
                 rc == TRIAGE_ENOMEM ? "out of memory" : strerror(e ? e : EIO));
        triage_reader_close(rd);
        return NULL;
    }
    if (rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0)
        rd->pos = rd->line_at = rd->line_start = 3;   /* a UTF-8 byte order mark */
    return rd;
}

void triage_reader_close(triage_reader *rd)
{
    if (!rd) return;
    free(rd->buf);
    free(rd);
}

int triage_reader_next(triage_reader *rd, triage_referral **out,
                       triage_error *err, const char **raw, size_t *raw_len)
{
    const int flags = JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES;
    const char *b = rd->buf;
    size_t start;
    long line;

    *out = NULL;
    if (raw) { *raw = NULL; *raw_len = 0; }
    for (;;) {
        while (rd->pos < rd->len && (b[rd->pos] == ' ' || b[rd->pos] == '\t' ||
                                     b[rd->pos] == '\r' || b[rd->pos] == '\n'))
            rd->pos++;
        if (rd->pos >= rd->len) {
            if (!rd->in_array) return 0;
            rd->in_array = 0;
            rf_error(err, TRIAGE_EJSON, rd->name, rd_line(rd, rd->len), NULL, NULL,
                     "invalid JSON: the array is not closed with ']'");
            return -1;
        }
        if (!rd->in_array) {
            if (b[rd->pos] == '[') {   /* step into a top-level array */
                rd->pos++;
                rd->in_array = 1;
                rd->need_sep = 0;
                continue;
            }
            break;
        }
        if (b[rd->pos] == ']') { rd->pos++; rd->in_array = 0; continue; }
        if (!rd->need_sep) break;
        if (b[rd->pos] == ',') { rd->pos++; rd->need_sep = 0; continue; }
        start = rd->pos;
        line = rd_line(rd, start);
        rf_error(err, TRIAGE_EJSON, rd->name, line, NULL, NULL,
                 "invalid JSON: ',' or ']' expected in the array (line %ld, column %d)",
                 line, rd_col(rd, start));
        goto resync;
    }

    start = rd->pos;
    line = rd_line(rd, start);
    json_error_t je;
    json_t *j = json_loadb(b + start, rd->len - start, flags, &je);
    /* jansson may step over a NUL byte as if it were not there: refuse it. */
    size_t span = je.position > 0 ? (size_t)je.position : 0;
    if (span > rd->len - start) span = rd->len - start;
    const char *nul = memchr(b + start, '\0', span ? span : 1);
    if (nul && (size_t)(nul - b) < rd->len) {
        long l = line;
        const char *ls = b + rd->line_start, *nl;
        for (const char *q = b + start; (nl = memchr(q, '\n', (size_t)(nul - q))); q = nl + 1) {
            l++;
            ls = nl + 1;
        }
        json_decref(j);
        rf_error(err, TRIAGE_EJSON, rd->name, line, NULL, NULL,
                 "invalid JSON: a NUL byte in the input (line %ld, column %ld)",
                 l, (long)(nul - ls) + 1);
        goto resync;
    }
    if (!j) {
        rf_json_error(err, rd->name, line, rd_col(rd, start), &je);
        goto resync;
    }
    rd->pos = start + (size_t)je.position;
    if (rd->pos <= start) rd->pos = start + 1;   /* never stand still */
    if (rd->pos > rd->len) rd->pos = rd->len;
    rd->need_sep = rd->in_array;
    if (raw) { *raw = b + start; *raw_len = rd->pos - start; }
    if (!(*out = rf_from_json(j, rd->name, line, err))) return -1;
    if (raw) { *raw = NULL; *raw_len = 0; }
    if (err) {   /* where the record came from, for the store */
        err->line = line;
        memcpy(err->file, rd->name, sizeof err->file);
    }
    return 1;

resync:
    rd->pos = rd_resync(rd, start);
    rd->need_sep = 0;
    if (raw) { *raw = b + start; *raw_len = rd->pos - start; }
    return -1;
}

long triage_reader_line(const triage_reader *rd)
{
    return rd->line;   /* rd_line ran at the record's first byte */
}
