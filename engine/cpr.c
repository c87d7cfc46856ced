/*
** cpr.c — parse a CPR number, date it by the century rule, and mask any
** number shaped like one. Every text that leaves the engine (errors,
** reasons, traces, logs, a rule's print) is masked here, with one mask.
*/
#include "cpr.h"
#include "triage.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "date.h"
#include "utf8.h"

#define CPR_DIGIT(c) ((unsigned char)((c) - '0') < 10)
int cpr_birth(const char cpr[10], int32_t *birth)
{
    for (int i = 0; i < 10; i++)
        if (!CPR_DIGIT(cpr[i])) return 0;
    int d = (cpr[0] - '0') * 10 + cpr[1] - '0';
    int m = (cpr[2] - '0') * 10 + cpr[3] - '0';
    int yy = (cpr[4] - '0') * 10 + cpr[5] - '0';
    int c7 = cpr[6] - '0', y;
    if (c7 <= 3) y = 1900 + yy;
    else if (c7 == 4 || c7 == 9) y = (yy <= 36 ? 2000 : 1900) + yy;
    else y = (yy <= 57 ? 2000 : 1800) + yy;
    if (!dt_valid_ymd(y, m, d)) return 0;
    *birth = dt_from_ymd(y, m, d);
    return 1;
}

int cpr_parse(const char *s, size_t len, char digits[11], int32_t *birth)
{
    int ok = len == 10 || (len == 11 && s[6] == '-');
    size_t k = 0;
    for (size_t i = 0; ok && i < len; i++) {
        if (len == 11 && i == 6) continue;
        if (!CPR_DIGIT(s[i])) ok = 0;
        else digits[k++] = s[i];
    }
    digits[ok ? 10 : 0] = '\0';
    if (!ok) return CPR_SHAPE;
    if (!cpr_birth(digits, birth)) {
        digits[0] = '\0';
        return CPR_DATE;
    }
    return CPR_OK;
}

/* ---------------------------------------------------------------- masking */

/* Length of a CPR as written at s (s[0] a digit not preceded by one): six
** digits, an optional hyphen, four digits, then no further digit. 0 if none. */
static size_t cpr_at(const char *s)
{
    size_t i = 0;
    for (; i < 6; i++) if (!CPR_DIGIT(s[i])) return 0;
    if (s[i] == '-') i++;
    for (int k = 0; k < 4; k++, i++) if (!CPR_DIGIT(s[i])) return 0;
    return CPR_DIGIT(s[i]) ? 0 : i;
}

/* The wider net, in place over s[0..n): ten or more digits, or six or more,
** a separator and four or more. */
static void cpr_mask_runs(char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (!CPR_DIGIT(s[i])) { i++; continue; }
        size_t a = i;
        while (i < n && CPR_DIGIT(s[i])) i++;
        size_t b = i, e = b;
        if (b - a >= 6 && b + 1 < n && (s[b] == '-' || s[b] == ' ')) {
            size_t c = b + 1;
            while (c < n && CPR_DIGIT(s[c])) c++;
            if (c - (b + 1) >= 4) e = c;
        }
        if (e - a >= 10)
            for (size_t k = a; k < e; k++)
                if (CPR_DIGIT(s[k])) s[k] = CPR_MASK;
        i = e > b ? e : b;
    }
}

/* Whether s[0..len) is valid UTF-8 without a run of six ASCII digits. Both
** nets need such a run before anything is masked, so text whose digit runs
** are all shorter (no digits, dates, ages) can change only by the UTF-8
** repair: valid text that fits is copied as it is. */
#if defined(__SSE2__)
/* Sixteen bytes at a time (the last ones from a copy padded with NULs):
** the ASCII bytes before the first other one as two bit masks, digit runs
** found with shifts (n: the digits that ended the bytes before), then that
** byte alone, checked as UTF-8. */
static int cpr_clean(const char *s, size_t len)
{
    const __m128i below = _mm_set1_epi8('0' - 1), above = _mm_set1_epi8('9' + 1);
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned char pad[16];
        const unsigned char *p = (const unsigned char *)s + i;
        if (len - i < 16) {
            memset(pad, 0, sizeof pad);
            memcpy(pad, p, len - i);
            p = pad;
        }
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        unsigned high = (unsigned)_mm_movemask_epi8(v);
        unsigned dig = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(v, below), _mm_cmplt_epi8(v, above)));
        unsigned k = high ? (unsigned)__builtin_ctz(high) : 16;   /* ASCII bytes first */
        unsigned in = (1u << k) - 1;
        dig &= in;
        if (!dig) {
            n = 0;
        } else {
            /* the n digits before as the five bits below these (n < 6 here) */
            uint32_t run = dig << 5 | (((1u << n) - 1) << (5 - n) & 0x1f);
            if (run & run >> 1 & run >> 2 & run >> 3 & run >> 4 & run >> 5)
                return 0;
            unsigned non = ~dig & in;
            n = non ? k - 1 - (unsigned)(31 - __builtin_clz(non)) : n + k;
        }
        i += k;
        if (k == 16 || i >= len)
            continue;
        size_t w = u8_char((const unsigned char *)s + i, len - i);
        if (!w)
            return 0;
        n = 0;
        i += w;
    }
    return 1;
}
#else
static int cpr_clean(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; ) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            n = CPR_DIGIT(c) ? n + 1 : 0;
            if (n == 6) return 0;
            i++;
        } else {
            size_t w = u8_char((const unsigned char *)s + i, len - i);
            if (!w) return 0;
            n = 0;
            i += w;
        }
    }
    return 1;
}
#endif

void cpr_mask(char *out, size_t cap, const char *s)
{
    static const char written[] = "XXXXXX-XXXX";
    size_t o = 0, i = 0, n;
    if (!out || cap == 0) return;
    if (!s) { out[0] = '\0'; return; }
    size_t len = strlen(s);
    if (len < cap && cpr_clean(s, len)) { memcpy(out, s, len + 1); return; }
    i = 0;
    while (s[i]) {
        const char *piece = s + i;
        n = 0;
        if (CPR_DIGIT(s[i]) && (i == 0 || !CPR_DIGIT(s[i - 1])) && (n = cpr_at(s + i))) {
            if (o + sizeof written - 1 >= cap) break;
            memcpy(out + o, written, sizeof written - 1);
            o += sizeof written - 1;
            i += n;
            continue;
        }
        n = u8_char((const unsigned char *)s + i, 4);
        if (n == 0) { piece = "?"; n = 1; }
        if (o + n >= cap) {
            /* out of room: drop a digit run that the cut would leave partial */
            if (CPR_DIGIT(s[i]))
                while (o > 0 && CPR_DIGIT(out[o - 1]) && i > 0 && CPR_DIGIT(s[i - 1]))
                    o--, i--;
            break;
        }
        memcpy(out + o, piece, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    cpr_mask_runs(out, o);
}

void triage_mask_cpr(char *out, size_t cap, const char *s) { cpr_mask(out, cap, s); }
