/*
** input.c — referral files for the commands that read them (check, watch):
** every file through the engine's reader, one after another (native and
** FHIR records alike), the invalid records reported as they come and
** counted, FHIR cancel messages handed on.
*/
#include <stdio.h>

#include "cli.h"

int cli_read_referrals(const char *cmd, char *const *files, int nfiles,
                       cli_referral_fn fn, void *ud, long *invalid)
{
    triage_error err;
    for (int i = 0; i < nfiles; i++) {
        triage_reader *rd = triage_reader_open(files[i], &err);
        if (!rd) {
            fprintf(stderr, "triage %s: %s\n", cmd, err.text);
            return -1;
        }
        triage_referral *r;
        int got, stop = 0;
        while (!stop && (got = triage_reader_next(rd, &r, &err, NULL, NULL)) != 0) {
            if (got < 0) {
                fprintf(stderr, "%s\n", err.text);
                ++*invalid;
                continue;
            }
            stop = fn(ud, r, got == TRIAGE_READ_CANCEL ? triage_reader_origin(rd) : NULL,
                      files[i], triage_reader_line(rd)) != 0;
        }
        triage_reader_close(rd);
        if (stop)
            break;
    }
    return 0;
}
