/*
** import.c — `triage import`: validate referral files and store them.
** What cannot be imported (bad JSON, a schema error, a duplicate id) goes
** to the quarantine table with its error, so no record is ever lost. FHIR
** messages act on the store: an update replaces, a cancel withdraws, a
** message received before changes nothing.
*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage import [--db FILE] INPUT...\n"
    "\n"
    "Validate the referrals in each INPUT ('-' for standard input), native or\n"
    "FHIR R4 (docs/fhir.md), and store them. Invalid records and duplicate ids\n"
    "are kept in the quarantine table with their error and reported on standard\n"
    "error as FILE:LINE: ID: FIELD: what. FHIR messages: update-referral\n"
    "replaces the stored referral with its id (kept in its history; decided\n"
    "again by 'triage run'), cancel-referral withdraws it ('triage run' never\n"
    "decides it); either for an id not stored, or for a withdrawn referral, is\n"
    "an error and quarantined; a message received before changes nothing.\n"
    "Prints the counts.\n"
    "\n"
    "  --db FILE   database (default: $TRIAGE_DB or triage.db); created 0600\n"
    "\n"
    "exit status: 0 all imported; 1 usage or set-up error; 3 some records were\n"
    "quarantined (the valid ones are stored).\n";

#define IMPORT_BATCH 10000   /* records per transaction */

int cli_import(int argc, char **argv)
{
    const char *db = cli_default_db();
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "triage import: name at least one INPUT file ('-' for standard input)\n");
        return EXIT_USAGE;
    }
    triage_error err;
    triage_store *st = triage_store_open(db, &err);
    if (!st) {
        fprintf(stderr, "triage import: %s\n", err.text);
        return EXIT_USAGE;
    }
    long imported = 0, quarantined = 0, inbatch = 0, updated = 0, withdrawn = 0, repeated = 0;
    int status = EXIT_DONE;
    if (triage_store_begin(st, &err) != TRIAGE_OK)
        goto store_failed;
    for (int i = optind; i < argc; i++) {
        triage_reader *rd = triage_reader_open(argv[i], &err);
        if (!rd) {
            fprintf(stderr, "triage import: %s\n", err.text);
            status = EXIT_USAGE;
            break;
        }
        triage_referral *r;
        const char *raw;
        size_t raw_len;
        int got;
        while ((got = triage_reader_next(rd, &r, &err, &raw, &raw_len)) != 0) {
            triage_code rc = TRIAGE_OK;
            if (got > 0) {
                triage_error perr;
                const triage_origin *o = triage_reader_origin(rd);
                triage_event ev = o ? triage_origin_event(o) : TRIAGE_EVENT_NONE;
                long line = triage_reader_line(rd);
                rc = got == TRIAGE_READ_CANCEL ? triage_store_withdraw(st, o, argv[i], line, &perr)
                   : ev == TRIAGE_EVENT_UPDATE ? triage_store_update(st, r, argv[i], line, &perr)
                   : triage_store_put(st, r, argv[i], line, &perr);
                triage_referral_free(r);
                if (rc == TRIAGE_OK) {
                    ++*(got == TRIAGE_READ_CANCEL ? &withdrawn
                        : ev == TRIAGE_EVENT_UPDATE ? &updated : &imported);
                } else if (rc == TRIAGE_EREPEATED) {
                    repeated++;        /* said, not an error: the sender sent it again */
                    fprintf(stderr, "%s\n", perr.text);
                } else if (rc == TRIAGE_EDUPLICATE || rc == TRIAGE_ENOTFOUND ||
                           rc == TRIAGE_EWITHDRAWN) {
                    err = perr;
                } else {
                    err = perr;
                    goto store_failed_rd;
                }
            }
            if (got < 0 || rc == TRIAGE_EDUPLICATE || rc == TRIAGE_ENOTFOUND ||
                rc == TRIAGE_EWITHDRAWN) {
                fprintf(stderr, "%s\n", err.text);
                triage_error qerr;
                if (triage_store_quarantine(st, raw, raw_len, &err, &qerr) != TRIAGE_OK) {
                    err = qerr;
                    goto store_failed_rd;
                }
                quarantined++;
            }
            if (++inbatch == IMPORT_BATCH) {
                inbatch = 0;
                if (triage_store_commit(st, &err) != TRIAGE_OK ||
                    triage_store_begin(st, &err) != TRIAGE_OK)
                    goto store_failed_rd;
            }
            continue;
        store_failed_rd:
            triage_reader_close(rd);
            goto store_failed;
        }
        triage_reader_close(rd);
    }
    if (triage_store_commit(st, &err) != TRIAGE_OK)
        goto store_failed;
    printf("imported %ld, quarantined %ld (%s: %ld referrals, %ld in quarantine)",
           imported, quarantined, db, triage_store_count(st, "referrals", NULL),
           triage_store_count(st, "quarantine", NULL));
    if (updated || withdrawn || repeated)
        printf("; FHIR messages: %ld updated, %ld withdrawn, %ld received before",
               updated, withdrawn, repeated);
    putchar('\n');
    triage_store_close(st);
    if (status == EXIT_DONE && quarantined)
        status = EXIT_INVALID;
    return status;
store_failed:
    fprintf(stderr, "triage import: %s\n", err.text);
    triage_store_rollback(st);
    triage_store_close(st);
    return EXIT_USAGE;
}
