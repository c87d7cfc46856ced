/*
** fuzz_parse.c — libFuzzer target for the small parsers: ICD-10 codes
** (rf_icd_normalise), CPR birth dates (cpr_birth), ISO dates
** (dt_parse_iso) and CPR masking (cpr_mask). Besides not crashing, each
** answer must be self-consistent: a normalised code normalises to itself, a
** parsed date formats back to its input, a masked text holds no CPR.
*/
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "cpr.h"
#include "fuzz_util.h"
#include "referral.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[256];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = '\0';

    char out[8], again[8];
    if (rf_icd_normalise(s, out)) {
        if (strlen(out) < 3 || strlen(out) > 7)
            fz_fail("normalised code of %zu chars", strlen(out));
        if (!rf_icd_normalise(out, again) || strcmp(out, again) != 0)
            fz_fail("normalising '%s' is not idempotent", out);
    }

    if (size >= 10) {
        int32_t birth;
        if (cpr_birth((const char *)data, &birth)) {
            int y, m, d;
            dt_to_ymd(birth, &y, &m, &d);
            if (!dt_valid_ymd(y, m, d) || y < 1858 || y > 2057)
                fz_fail("CPR birth %d-%d-%d", y, m, d);
        }
    }

    int32_t day;
    if (dt_parse_iso((const char *)data, size, &day)) {
        char back[11];
        dt_format(day, back);
        if (size != 10 || memcmp(back, data, 10) != 0)
            fz_fail("date does not format back to its input");
        int32_t later = dt_add_months(day, (int)(size * 7) - 40);
        (void)dt_age_years(day, later);
    }

    char masked[300];
    cpr_mask(masked, sizeof masked, s);
    if (!memchr(masked, '\0', sizeof masked))
        fz_fail("mask did not terminate");
    if (fz_has_cpr(masked))
        fz_fail("masked text still holds a CPR-like number");
    return 0;
}
