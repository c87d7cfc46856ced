/*
** cpr.h — the Danish CPR number, in one place: its shape, its birth date by
** the 7th-digit century rule (policy.md, Definitions), and the mask that
** keeps it out of every text that leaves the engine.
*/
#ifndef TRIAGE_CPR_H
#define TRIAGE_CPR_H
#include <stddef.h>
#include <stdint.h>

/* What cpr_parse found. */
enum { CPR_OK, CPR_SHAPE /* not DDMMYYSSSS or DDMMYY-SSSS */, CPR_DATE /* DDMMYY is no date */ };

/* Parse s[0..len) ("DDMMYYSSSS" or "DDMMYY-SSSS") into digits (the ten
** digits and a NUL) and *birth (day number). Returns CPR_OK, or CPR_SHAPE /
** CPR_DATE with digits set to "". */
int cpr_parse(const char *s, size_t len, char digits[11], int32_t *birth);

/* Birth day of ten digits (no hyphen) by the century rule: 7th digit 0-3 →
** 19YY; 4 or 9 → 20YY if YY <= 36, else 19YY; 5-8 → 20YY if YY <= 57, else
** 18YY. Returns 1, or 0 when they are not ten digits or DDMMYY is no date. */
int cpr_birth(const char cpr[10], int32_t *birth);

/* The mask character: each digit of a CPR-like run becomes 'X'. */
#define CPR_MASK 'X'

/* Copy s (NULL taken as "") into out[cap], always NUL-terminated, with
** every CPR-like run masked:
**  - six digits, an optional '-', four digits, with no digit either side
**    (a CPR number as written) becomes "XXXXXX-XXXX", so the mask does not
**    even tell whether it had a hyphen;
**  - then, the wider net: any run of ten or more digits, or of six or more,
**    a '-' or ' ', and four or more, has each digit replaced by 'X' (a typo
**    must not leak a number).
** Bytes that are not UTF-8 become '?' (the result is always valid UTF-8,
** fit for JSON). When out is too small the copy ends early, never inside a
** character or a digit run. A CPR grows by one byte at most (its hyphen):
** cap = strlen(s) + strlen(s) / 10 + 2 always holds the whole. */
void cpr_mask(char *out, size_t cap, const char *s);
#endif
