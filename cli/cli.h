/*
** cli.h — the `triage` command's subcommands, one file each (cli/<name>.c),
** and the little they share. Each takes the arguments after its name
** (argv[0] is the subcommand) and returns the process exit status: 0 done,
** 1 usage or set-up error, 2 a check failed, 3 some input records invalid.
** Everything here is a user of the public API (include/).
*/
#ifndef TRIAGE_CLI_H
#define TRIAGE_CLI_H
#include <stddef.h>
#include <jansson.h>
#include "triage.h"

enum { EXIT_DONE = 0, EXIT_USAGE = 1, EXIT_CHECK = 2, EXIT_INVALID = 3 };

int cli_check(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_test(int argc, char **argv);
int cli_corpus(int argc, char **argv);
int cli_watch(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_regress(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_answer(int argc, char **argv);
int cli_agreement(int argc, char **argv);
int cli_overrides(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_cds_report(int argc, char **argv);

/* Defaults and options (main.c). */
const char *cli_default_rules(void);   /* "rules" */
const char *cli_default_db(void);      /* $TRIAGE_DB or "triage.db" */

/* report.c: --db FILE --format text|json; the report make() writes from the
** store (JSON, freed here), printed as is or by write_text. An exit code. */
int cli_report(int argc, char **argv, const char *name, const char *help,
               char *(*make)(triage_store *, triage_error *), void (*write_text)(json_t *));
/* The sandbox limits from $TRIAGE_LIMITS ("memory=128M,time=20s", see
** triage_limits_parse), or NULL for the defaults; main() checks it. */
const triage_limits *cli_limits(void);
/* True when argv[i] is "--help" or "-h". */
int cli_is_help(const char *arg);

/* Referral files (input.c): called with each valid record of each file, in
** order; takes r over. A FHIR cancel-referral message comes as r NULL and
** cancel (borrowed for the call) naming the referral withdrawn. Return 0 to
** go on, anything else to stop. */
typedef int (*cli_referral_fn)(void *ud, triage_referral *r, const triage_origin *cancel,
                               const char *file, long line);
/* Read files ("-" = standard input) one after another. Invalid records are
** printed to standard error as FILE:LINE: ID: FIELD: what and counted in
** *invalid. Returns 0 when every file was read (or fn stopped), -1 when one
** could not be opened (said on standard error, after "triage CMD: "). */
int cli_read_referrals(const char *cmd, char *const *files, int nfiles,
                       cli_referral_fn fn, void *ud, long *invalid);

/* A decision in one line for people (describe.c): outcome, target, unit,
** priority, the deadline when with_deadline, "-item" per missing item and
** "(from WHOM)"; e.g. "request_info -ppv (from municipality)". */
void cli_describe(const triage_decision *d, int with_deadline, char *buf, size_t cap);

/* Long-running commands (longrun.c): SIGHUP asks for a reload, SIGINT and
** SIGTERM to stop. Returns a descriptor that becomes readable when a signal
** came; read it with cli_signal_take, which returns 'H' (reload), 'Q' (stop)
** or 0. */
int cli_signals_open(void);
int cli_signal_take(void);
/* Record what a long-running process has active in the store's meta table
** ("active"), so that `triage status` can show it. */
void cli_publish_status(triage_store *st, triage_host *h, const char *command);
#endif
