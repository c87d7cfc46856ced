/*
** date.c — calendar days as integers (days since 1970-01-01).
** The civil <-> day conversions are Howard Hinnant's era-based algorithms:
** exact for the whole proleptic Gregorian calendar, no tables, no loops.
*/
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "date.h"
#include "triage.h"

/* Floor division for the 400-year eras, so negative years work too. */
static int dt_era(int y) { return (y >= 0 ? y : y - 399) / 400; }

int32_t dt_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = dt_era(y);
    int yoe = y - era * 400;                                 /* [0, 399] */
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* [0, 146096] */
    return (int32_t)era * 146097 + doe - 719468;
}

void dt_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = (int)(z - era * 146097);
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int dd = doy - (153 * mp + 2) / 5 + 1;
    int mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (mm <= 2);
    *m = mm;
    *d = dd;
}

static int dt_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int dt_mdays(int y, int m)
{
    static const unsigned char n[12] = {31,28,31,30,31,30,31,31,30,31,30,31};
    return m == 2 && dt_leap(y) ? 29 : n[m - 1];
}

int dt_valid_ymd(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= dt_mdays(y, m);
}

int dt_parse_iso(const char *s, size_t len, int32_t *out)
{
    static const char shape[] = "dddd-dd-dd";
    int v[3] = {0, 0, 0}, k = 0;
    if (len != 10) return 0;
    for (size_t i = 0; i < 10; i++) {
        if (shape[i] == '-') {
            if (s[i] != '-') return 0;
            k++;
        } else {
            if (s[i] < '0' || s[i] > '9') return 0;
            v[k] = v[k] * 10 + (s[i] - '0');
        }
    }
    if (!dt_valid_ymd(v[0], v[1], v[2])) return 0;
    *out = dt_from_ymd(v[0], v[1], v[2]);
    return 1;
}

void dt_format(int32_t day, char out[11])
{
    int y, m, d;
    dt_to_ymd(day, &y, &m, &d);
    if (y < 0 || y > 9999) y = 0;   /* outside ISO's four digits: never for real data */
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int32_t dt_add_months(int32_t day, int n)
{
    int y, m, d;
    dt_to_ymd(day, &y, &m, &d);
    int t = y * 12 + (m - 1) + n;          /* months since year 0 */
    y = (t >= 0 ? t : t - 11) / 12;
    m = t - y * 12 + 1;
    int last = dt_mdays(y, m);
    return dt_from_ymd(y, m, d > last ? last : d);
}

/* A birthday on 29 February is reached on 1 March in common years, which is
** what comparing (month, day) pairs gives. */
int dt_age_years(int32_t birth, int32_t at)
{
    int by, bm, bd, ay, am, ad;
    dt_to_ymd(birth, &by, &bm, &bd);
    dt_to_ymd(at, &ay, &am, &ad);
    int age = ay - by;
    if (am < bm || (am == bm && ad < bd)) age--;
    return age;
}

/* Every stored decision and referral is stamped: the calendar part is
** worked out once a second per thread, the milliseconds each time. */
void dt_now_iso(char out[32])
{
    static _Thread_local time_t sec = (time_t)-1;
    static _Thread_local char base[24];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        if (strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0) base[0] = '\0';
        sec = ts.tv_sec;
    }
    size_t n = strlen(base);                    /* 19 until the year 10000 */
    unsigned ms = (unsigned)(ts.tv_nsec / 1000000) % 1000u;
    memcpy(out, base, n);
    out[n] = '.';
    out[n + 1] = (char)('0' + ms / 100);
    out[n + 2] = (char)('0' + ms / 10 % 10);
    out[n + 3] = (char)('0' + ms % 10);
    out[n + 4] = 'Z';
    out[n + 5] = '\0';
}

/* ------------------------------------------------------------------ public */

int triage_date_parse(const char *s, size_t len, triage_day *out)
{
    int32_t day;
    if (!s || !dt_parse_iso(s, len, &day)) return 0;
    if (out) *out = day;
    return 1;
}

void triage_date_format(triage_day day, char out[11]) { dt_format(day, out); }

triage_day triage_date_from_ymd(int y, int m, int d) { return dt_from_ymd(y, m, d); }

void triage_date_to_ymd(triage_day day, int *y, int *m, int *d) { dt_to_ymd(day, y, m, d); }

triage_day triage_date_add_months(triage_day day, int n) { return dt_add_months(day, n); }

int triage_date_age(triage_day birth, triage_day at) { return dt_age_years(birth, at); }
