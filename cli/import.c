/*
** import.c — `triage import`: validate referral files and store them.
** What cannot be imported (bad JSON, a schema error, a duplicate id) goes
** to the quarantine table with its error, so no record is ever lost.
*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage import [--db FILE] INPUT...\n"
    "\n"
    "Validate the referrals in each INPUT ('-' for standard input) and store\n"
    "them. Invalid records and duplicate ids are kept in the quarantine table\n"
    "with their error and reported on standard error as FILE:LINE: ID: FIELD:\n"
    "what. Prints the counts imported and quarantined.\n"
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
    long imported = 0, quarantined = 0, inbatch = 0;
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
                rc = triage_store_put(st, r, argv[i], triage_reader_line(rd), &perr);
                triage_referral_free(r);
                if (rc == TRIAGE_OK) {
                    imported++;
                } else if (rc == TRIAGE_EDUPLICATE) {
                    err = perr;
                } else {
                    err = perr;
                    goto store_failed_rd;
                }
            }
            if (got < 0 || rc == TRIAGE_EDUPLICATE) {
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
    printf("imported %ld, quarantined %ld (%s: %ld referrals, %ld in quarantine)\n",
           imported, quarantined, db, triage_store_count(st, "referrals", NULL),
           triage_store_count(st, "quarantine", NULL));
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
