/*
** utf8.c — whole-text UTF-8 validation on top of u8_char (utf8.h): the
** per-referral check of the scanner's text, fast on ASCII.
*/
#include "utf8.h"

#include <string.h>

size_t u8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            i++;
            for (uint64_t x; i + 8 <= n; i += 8) {    /* ASCII runs, 8 bytes a step */
                memcpy(&x, s + i, 8);
                if (x & 0x8080808080808080u)
                    break;
            }
            continue;
        }
        size_t w = u8_char((const unsigned char *)s + i, n - i);
        if (!w)
            return i;
        i += w;
    }
    return n;
}
