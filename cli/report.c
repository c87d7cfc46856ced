/*
** report.c — what `agreement` and `cds-report` share: a report the engine
** writes from the store as JSON, printed as it is (--format json) or by the
** command's own text writer.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

int cli_report(int argc, char **argv, const char *name, const char *help,
               char *(*make)(triage_store *, triage_error *), void (*write_text)(json_t *))
{
    const char *db = cli_default_db(), *format = "text";
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f': format = optarg; break;
        case 'h': fputs(help, stdout); return EXIT_DONE;
        default: fputs(help, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc || (strcmp(format, "text") && strcmp(format, "json"))) {
        fprintf(stderr, "triage %s: --format text or json, and no other argument\n", name);
        return EXIT_USAGE;
    }
    triage_error err;
    triage_store *st = triage_store_open(db, &err);
    char *text = st ? make(st, &err) : NULL;
    triage_store_close(st);
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    if (!o) {
        fprintf(stderr, "triage %s: %s\n", name, err.text);
        free(text);
        return EXIT_USAGE;
    }
    if (!strcmp(format, "json")) printf("%s\n", text);
    else write_text(o);
    json_decref(o);
    free(text);
    return EXIT_DONE;
}
