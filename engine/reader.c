/*
** reader.c — split an input of JSON values into referral records, native
** or FHIR (a value with "resourceType", mapped by fhir_read.c).
** The input streams through a sliding window (a few MiB however large the
** file); jansson parses one value at a time (JSON_DISABLE_EOF_CHECK tells how
** many bytes it took) and a value cut by the window's end is parsed again
** once more is read. A top-level array is stepped into so that each element
** is labelled with its own line. After malformed JSON, reading resumes at
** the next line that starts with { or [.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cpr.h"
#include "fhir.h"
#include "referral_json.h"

#define RD_CHUNK ((size_t)1 << 20)   /* bytes read at a time */

struct triage_reader {
    size_t chunk;         /* bytes read at a time: RD_CHUNK, less for a small file */
    FILE *f;              /* NULL once the input is exhausted and closed */
    int is_stdin, eof, io_error;
    char *buf;            /* the window: bytes [0, len) of the input from `base` */
    size_t len, cap, pos;
    long line;            /* line number of the byte at line_at */
    size_t line_at;       /* positions only move forward */
    size_t line_start;    /* offset where that line begins (or the window's start) */
    int col_carry;        /* characters of that line already slid out of the window */
    int in_array;         /* inside a top-level [ ... ] */
    int need_sep;         /* in the array, after an element: want , or ] */
    int started;          /* the byte order mark check is done */
    fx_origin *origin;    /* of the FHIR record last returned, or NULL */
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
        rd->col_carry = 0;
    }
    rd->line_at = off;
    return rd->line;
}

/* 1-based column of off in characters, as jansson counts them. */
static int rd_col(const triage_reader *rd, size_t off)
{
    int col = 1 + rd->col_carry;
    for (size_t i = rd->line_start; i < off; i++)
        col += ((unsigned char)rd->buf[i] & 0xC0) != 0x80;
    return col;
}

/* Slide out what lies before the current record, then read up to one more
** chunk. Returns 1 when bytes were added, 0 at the end of the input. */
static int rd_more(triage_reader *rd)
{
    if (rd->eof)
        return 0;
    size_t drop = rd->pos < rd->line_at ? rd->pos : rd->line_at;
    if (drop > rd->len / 2 || drop >= rd->chunk) {
        if (rd->line_start < drop) {           /* keep the column right */
            for (size_t i = rd->line_start; i < drop; i++)
                rd->col_carry += ((unsigned char)rd->buf[i] & 0xC0) != 0x80;
            rd->line_start = drop;
        }
        memmove(rd->buf, rd->buf + drop, rd->len - drop);
        rd->len -= drop;
        rd->pos -= drop;
        rd->line_at -= drop;
        rd->line_start -= drop;
    }
    if (rd->cap - rd->len < rd->chunk + 1) {
        size_t ncap = rd->cap ? rd->cap : rd->chunk + 1;
        while (ncap - rd->len < rd->chunk + 1)
            ncap *= 2;
        char *nb = realloc(rd->buf, ncap);
        if (!nb) {
            rd->io_error = ENOMEM;
            rd->eof = 1;
            return 0;
        }
        rd->buf = nb;
        rd->cap = ncap;
    }
    size_t n = fread(rd->buf + rd->len, 1, rd->chunk, rd->f);
    rd->len += n;
    rd->buf[rd->len] = '\0';
    if (n == 0) {
        if (ferror(rd->f))
            rd->io_error = errno ? errno : EIO;
        rd->eof = 1;
    }
    return n > 0;
}

/* Where to go on after a bad record that starts at rd->pos: the first later
** line whose first non-blank character is { or [, indented no deeper than
** the record itself (inside a pretty-printed Bundle cut short, its own
** nested objects are not records), else the end. The window may slide
** meanwhile; rd->pos stays on the record's first byte. */
static size_t rd_resync(triage_reader *rd)
{
    size_t i = rd->pos;
    size_t indent = (size_t)rd->col_carry +
                    (rd->pos >= rd->line_start ? rd->pos - rd->line_start : 0);
    for (;;) {
        const char *nl = memchr(rd->buf + i, '\n', rd->len - i);
        if (!nl) {
            size_t keep = i - rd->pos;
            if (!rd_more(rd))
                return rd->len;
            i = rd->pos + keep;
            continue;
        }
        size_t ls = (size_t)(nl - rd->buf) + 1, k;
        for (;;) {                              /* the line may go on past the window */
            k = ls;
            while (k < rd->len && (rd->buf[k] == ' ' || rd->buf[k] == '\t' || rd->buf[k] == '\r'))
                k++;
            if (k < rd->len || rd->eof)
                break;
            size_t keep = ls - rd->pos;
            rd_more(rd);
            ls = rd->pos + keep;
        }
        if (k < rd->len && (rd->buf[k] == '{' || rd->buf[k] == '[') && k - ls <= indent)
            return ls;
        i = ls;
    }
}

triage_reader *triage_reader_open(const char *path, triage_error *err)
{
    triage_reader *rd;
    int is_stdin = path && strcmp(path, "-") == 0;
    const char *label = is_stdin ? "<stdin>" : path;

    if (!path || !*path) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no input file given");
        return NULL;
    }
    if (!(rd = calloc(1, sizeof *rd))) {
        triage_error_set(err, TRIAGE_ENOMEM, label, 0, NULL, NULL, "out of memory");
        return NULL;
    }
    cpr_mask(rd->name, sizeof rd->name, label);
    rd->line = 1;
    rd->is_stdin = is_stdin;
    if (!(rd->f = is_stdin ? stdin : fopen(path, "rb"))) {
        triage_error_set(err, TRIAGE_EIO, label, 0, NULL, NULL, "cannot open: %s", strerror(errno));
        free(rd);
        return NULL;
    }
    struct stat st;                         /* a small file needs a small window */
    rd->chunk = RD_CHUNK;
    if (fstat(fileno(rd->f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size < RD_CHUNK)
        rd->chunk = (size_t)st.st_size + 1;
    errno = 0;
    rd_more(rd);
    if (rd->io_error) {
        triage_error_set(err, rd->io_error == ENOMEM ? TRIAGE_ENOMEM : TRIAGE_EIO, label, 0, NULL,
                 NULL, "cannot read: %s", strerror(rd->io_error));
        triage_reader_close(rd);
        return NULL;
    }
    return rd;
}

/* The whole input is the window from the start, and there is no more. */
triage_reader *triage_reader_open_memory(const char *data, size_t len, const char *label,
                                         triage_error *err)
{
    triage_reader *rd = calloc(1, sizeof *rd);
    if (!rd || !(rd->buf = malloc(len + 1))) {
        free(rd);
        triage_error_set(err, TRIAGE_ENOMEM, label, 0, NULL, NULL, "out of memory");
        return NULL;
    }
    cpr_mask(rd->name, sizeof rd->name, label);
    if (len) memcpy(rd->buf, data, len);
    rd->buf[len] = '\0';
    rd->len = len;
    rd->cap = rd->chunk = len + 1;
    rd->line = 1;
    rd->eof = 1;
    return rd;
}

void triage_reader_close(triage_reader *rd)
{
    if (!rd) return;
    if (rd->f && !rd->is_stdin) fclose(rd->f);
    fx_origin_free(rd->origin);
    free(rd->buf);
    free(rd);
}

/* Skip blanks, reading more as needed; 1 when a byte is at pos. */
static int rd_skip_blank(triage_reader *rd)
{
    for (;;) {
        while (rd->pos < rd->len && (rd->buf[rd->pos] == ' ' || rd->buf[rd->pos] == '\t' ||
                                     rd->buf[rd->pos] == '\r' || rd->buf[rd->pos] == '\n'))
            rd->pos++;
        if (rd->pos < rd->len)
            return 1;
        if (!rd_more(rd))
            return 0;
    }
}

/* A FHIR value (j, its bytes from start to rd->pos): the referral mapped
** from it, or a cancel message; its origin keeps the bytes as sent. */
static int rd_fhir(triage_reader *rd, json_t *j, size_t start, long line,
                   triage_referral **out, triage_error *err, const char **raw, size_t *raw_len)
{
    fx_origin *o;
    int rc = fx_read(j, rd->name, line, out, &o, err);
    if (rc < 0) return -1;
    if (fx_origin_keep_text(o, rd->buf + start, rd->pos - start)) {
        triage_referral_free(*out);
        *out = NULL;
        fx_origin_free(o);
        triage_error_set(err, TRIAGE_ENOMEM, rd->name, line, NULL, NULL, "out of memory");
        return -1;
    }
    rd->origin = o;
    if (rc == FX_CANCEL) return TRIAGE_READ_CANCEL;   /* raw stays: its bytes */
    if (raw) { *raw = NULL; *raw_len = 0; }
    return 1;
}

const triage_origin *triage_reader_origin(const triage_reader *rd)
{
    return rd ? rd->origin : NULL;
}

int triage_reader_next(triage_reader *rd, triage_referral **out,
                       triage_error *err, const char **raw, size_t *raw_len)
{
    const int flags = JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES;
    size_t start;
    long line;

    *out = NULL;
    if (raw) { *raw = NULL; *raw_len = 0; }
    fx_origin_free(rd->origin);
    rd->origin = NULL;
    if (!rd->started) {
        rd->started = 1;
        while (rd->len < 3 && rd_more(rd)) {}
        if (rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0)
            rd->pos = rd->line_at = rd->line_start = 3;   /* a UTF-8 byte order mark */
    }
    for (;;) {
        if (!rd_skip_blank(rd)) {
            if (rd->io_error) {
                triage_error_set(err, TRIAGE_EIO, rd->name, rd_line(rd, rd->len), NULL, NULL,
                         "cannot read: %s", strerror(rd->io_error));
                rd->io_error = 0;
                return -1;
            }
            if (!rd->in_array) return 0;
            rd->in_array = 0;
            triage_error_set(err, TRIAGE_EJSON, rd->name, rd_line(rd, rd->len), NULL, NULL,
                     "invalid JSON: the array is not closed with ']'");
            return -1;
        }
        const char *b = rd->buf;
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
        triage_error_set(err, TRIAGE_EJSON, rd->name, line, NULL, NULL,
                 "invalid JSON: ',' or ']' expected in the array (line %ld, column %d)",
                 line, rd_col(rd, start));
        goto resync;
    }

    start = rd->pos;
    line = rd_line(rd, start);
    json_error_t je;
    json_t *j;
    for (;;) {
        j = json_loadb(rd->buf + start, rd->len - start, flags, &je);
        /* A value cut by the window's end fails as premature end, or — a
        ** literal such as "fals|e" — as a bad token right at the end. */
        if (j || rd->eof ||
            (json_error_code(&je) != json_error_premature_end_of_input &&
             (size_t)je.position + 64 < rd->len - start))
            break;
        rd->pos = start;                       /* the value runs past the window */
        int more = rd_more(rd);
        start = rd->pos;
        if (!more)
            break;
    }
    const char *b = rd->buf;
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
        triage_error_set(err, TRIAGE_EJSON, rd->name, line, NULL, NULL,
                 "invalid JSON: a NUL byte in the input (line %ld, column %ld)",
                 l, (long)(nul - ls) + 1 + (l == line ? rd->col_carry : 0));
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
    if (raw) { *raw = rd->buf + start; *raw_len = rd->pos - start; }
    if (fx_is_fhir(j)) return rd_fhir(rd, j, start, line, out, err, raw, raw_len);
    if (!(*out = rf_from_json_text(j, rd->buf + start, rd->pos - start, rd->name, line, err)))
        return -1;
    if (raw) { *raw = NULL; *raw_len = 0; }
    return 1;

resync:
    rd->pos = start;
    {
        size_t next = rd_resync(rd);
        start = rd->pos;                         /* the window may have slid */
        rd->pos = next;
    }
    rd->need_sep = 0;
    if (raw) { *raw = rd->buf + start; *raw_len = rd->pos - start; }
    return -1;
}

long triage_reader_line(const triage_reader *rd)
{
    return rd->line;   /* rd_line ran at the record's first byte */
}
