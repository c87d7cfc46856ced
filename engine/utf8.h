/*
** utf8.h — the one UTF-8 check. Text is checked once where it enters (the
** referral's fields as parsed, a string masked on its way out) and then
** trusted, so PCRE2 can skip its own check (PCRE2_NO_UTF_CHECK).
*/
#ifndef TRIAGE_UTF8_H
#define TRIAGE_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the valid UTF-8 character at s, of which n >= 1 bytes may
** be read, or 0 when the bytes there are not one: a stray continuation byte,
** an overlong form, a surrogate, beyond U+10FFFF, or cut short. In a
** NUL-terminated string n may be taken as 4: the NUL ends any sequence. */
static inline size_t u8_char(const unsigned char *s, size_t n)
{
    size_t w;
    uint32_t cp;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) { w = 2; cp = s[0] & 0x1f; }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) { w = 3; cp = s[0] & 0x0f; }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) { w = 4; cp = s[0] & 0x07; }
    else return 0;
    if (w > n) return 0;
    for (size_t i = 1; i < w; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((w == 3 && cp < 0x800) || (w == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return w;
}
#endif
