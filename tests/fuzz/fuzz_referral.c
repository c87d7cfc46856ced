/*
** fuzz_referral.c — libFuzzer target: arbitrary bytes as one referral
** (triage_referral_parse) and as a whole input file (triage_reader), which
** must end in a referral or an error, never a crash, and never an error
** message that carries a CPR number.
*/
#define _GNU_SOURCE          /* memfd_create */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "triage.h"

static void fz_check_error(const triage_error *err)
{
    if (err->code == TRIAGE_OK)
        fz_fail("a failure left err.code TRIAGE_OK");
    if (!err->msg || !memchr(err->text, '\0', sizeof err->text))
        fz_fail("error text not terminated");
    if (fz_has_cpr(err->text) || fz_has_cpr(err->id) || fz_has_cpr(err->field))
        fz_fail("a CPR-like number in an error: %s", err->text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    triage_error err;
    triage_referral *r = triage_referral_parse((const char *)data, size, "fuzz", 1, &err);
    if (r) {
        if (!triage_referral_id(r))
            fz_fail("a referral without id");
        triage_referral_free(r);
    } else {
        fz_check_error(&err);
    }

    /* The same bytes as a file. */
    const char *path = fz_memfile(data, size);
    if (!path)
        return 0;
    triage_reader *rd = triage_reader_open(path, &err);
    if (!rd)
        fz_fail("reader_open failed on a readable file: %s", err.text);
    const char *raw;
    size_t raw_len;
    int got;
    long records = 0;
    while ((got = triage_reader_next(rd, &r, &err, &raw, &raw_len)) != 0) {
        if (++records > (long)size + 2)
            fz_fail("reader does not advance (%ld records from %zu bytes)", records, size);
        if (got > 0) {
            triage_referral_free(r);
            continue;
        }
        if (r)
            fz_fail("-1 with a referral");
        fz_check_error(&err);
        if (raw && raw_len > size)
            fz_fail("raw record longer than the input");
    }
    triage_reader_close(rd);
    return 0;
}
