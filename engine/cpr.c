/*
** cpr.c — parse a CPR number, date it by the century rule, and mask any
** number shaped like one. Every text that leaves the engine (errors,
** reasons, traces, logs, a rule's print) is masked here, with one mask.
*/
#include "cpr.h"
#include "triage.h"

#include <string.h>

#include "date.h"
#include "utf8.h"

#define CPR_DIGIT(c) ((unsigned char)((c) - '0') < 10)
#define CPR_ONES 0x0101010101010101ull
#define CPR_HIGH 0x8080808080808080ull

/* The high bit of each of the eight bytes of x that is a digit: bytes
** above '/' and below ':' ("hasbetween", Bit Twiddling Hacks); no byte
** carries into the next, and a byte of 0x80 or above gives 0. */
static inline uint64_t cpr_has_digit(uint64_t x)
{
    uint64_t low = x & (CPR_ONES * 127);
    return (CPR_ONES * (127 + ':') - low) & ~x & (low + CPR_ONES * (127 - '/')) & CPR_HIGH;
}

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

void cpr_mask(char *out, size_t cap, const char *s)
{
    static const char written[] = "XXXXXX-XXXX";
    size_t o = 0, i = 0, n;
    if (!out || cap == 0) return;
    if (!s) { out[0] = '\0'; return; }
    /* Both nets need a run of six digits before anything is masked, so text
    ** whose digit runs are all shorter (no digits, dates, ages) can change
    ** only by the UTF-8 repair: valid text that fits is copied as it is.
    ** Of eight bytes, those before the first digit or non-ASCII byte go in
    ** one step; that byte alone (non-ASCII checked as UTF-8). */
    size_t len = strlen(s);
    for (i = 0, n = 0; i < len; ) {
        if (i + 8 <= len) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            uint64_t stop = (x & CPR_HIGH) | cpr_has_digit(x);
            if (!stop) {
                n = 0;
                i += 8;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            size_t clean = (size_t)__builtin_ctzll(stop) / 8;   /* s[i] is the low byte */
#else
            size_t clean = 0;
#endif
            if (clean) {
                n = 0;
                i += clean;
            }
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            n = CPR_DIGIT(c) ? n + 1 : 0;
            if (n == 6) break;
            i++;
        } else {
            size_t w = u8_char((const unsigned char *)s + i, len - i);
            if (!w) break;
            n = 0;
            i += w;
        }
    }
    if (i == len && len < cap) { memcpy(out, s, len + 1); return; }
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
