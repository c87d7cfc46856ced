/*
** fuzz_fhir.c — libFuzzer target for the FHIR reader: arbitrary bytes as
** one FHIR referral (triage_referral_parse) and as a whole input file
** (triage_reader: referrals, cancel messages, errors). Never a crash; a
** failure has an error whose text and FHIRPath carry no CPR number; a
** referral read has its origin, and written back as a sender's Bundle
** (triage_fhir_export) it reads again to the same id; a cancel names a
** referral.
*/
#define _GNU_SOURCE          /* memfd_create */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "triage.h"

static void fz_check_error(const triage_error *err)
{
    if (err->code == TRIAGE_OK)
        fz_fail("a failure left err.code TRIAGE_OK");
    if (!err->msg || !memchr(err->text, '\0', sizeof err->text) ||
        !memchr(err->field, '\0', sizeof err->field))
        fz_fail("error text not terminated");
    if (fz_has_cpr(err->text) || fz_has_cpr(err->id) || fz_has_cpr(err->field))
        fz_fail("a CPR-like number in an error: %s", err->text);
}

/* A referral read from FHIR: its origin, and its way back. */
static void fz_check_referral(const triage_referral *r, int fhir)
{
    triage_error err;
    if (!triage_referral_id(r)) fz_fail("a referral without id");
    if (fhir && !triage_referral_origin(r)) fz_fail("a FHIR referral without its origin");
    char *b = triage_fhir_export(r, &err);
    if (!b) fz_fail("export failed: %s", err.text);
    triage_referral *again = triage_referral_parse(b, strlen(b), "export", 1, &err);
    if (!again) fz_fail("the exported Bundle does not read back: %s", err.text);
    if (strcmp(triage_referral_id(again), triage_referral_id(r)))
        fz_fail("the exported Bundle reads back to another id");
    triage_referral_free(again);
    free(b);
    char *sr = triage_fhir_request(r, &err);
    if (!sr) fz_fail("no ServiceRequest: %s", err.text);
    free(sr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    triage_error err;
    int fhir = memmem(data, size, "resourceType", 12) != NULL;
    triage_referral *r = triage_referral_parse((const char *)data, size, "fuzz", 1, &err);
    if (r) {
        fz_check_referral(r, 0);
        triage_referral_free(r);
    } else {
        fz_check_error(&err);
        char *o = triage_fhir_outcome(&err, NULL);
        if (!o || fz_has_cpr(o)) fz_fail("OperationOutcome: %s", o ? o : "none");
        free(o);
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
        const triage_origin *o = triage_reader_origin(rd);
        if (got == TRIAGE_READ_CANCEL) {
            if (r || !o || !triage_origin_referral_id(o)[0])
                fz_fail("a cancel without the referral it withdraws");
            continue;
        }
        if (got > 0) {
            fz_check_referral(r, fhir && o);
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
