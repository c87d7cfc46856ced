/*
** date.h — calendar days as plain integers (days since 1970-01-01), so that
** ages, deadlines and "24 months before" are integer arithmetic. Proleptic
** Gregorian; every function is thread-safe, and all but dt_now_iso pure.
*/
#ifndef TRIAGE_DATE_H
#define TRIAGE_DATE_H
#include <stdint.h>

#define DT_NONE INT32_MIN   /* "no date" */

int32_t dt_from_ymd(int y, int m, int d);            /* no range check */
void dt_to_ymd(int32_t day, int *y, int *m, int *d);
int dt_valid_ymd(int y, int m, int d);               /* 1 if a real date */
/* Strict "YYYY-MM-DD" of exactly len bytes, a real date. 1 ok, 0 not. */
int dt_parse_iso(const char *s, size_t len, int32_t *out);
void dt_format(int32_t day, char out[11]);           /* "YYYY-MM-DD" */
/* Same day n months later (n may be negative); the 31st clamps to the
** month's last day. */
int32_t dt_add_months(int32_t day, int n);
/* Whole years from birth to at (negative when at < birth). */
int dt_age_years(int32_t birth, int32_t at);
/* The time now, UTC, as "YYYY-MM-DDThh:mm:ss.fffZ" (what SQLite's
** strftime('%Y-%m-%dT%H:%M:%fZ','now') writes). */
void dt_now_iso(char out[32]);
#endif
