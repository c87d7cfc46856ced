/*
** cli.h — the `triage` command's subcommands, one file each (cli_<name>.c).
** Each takes the arguments after its name (argv[0] is the subcommand) and
** returns the process exit status: 0 done, 1 usage or set-up error,
** 2 a check failed, 3 some input records invalid.
*/
#ifndef TRIAGE_CLI_H
#define TRIAGE_CLI_H
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

/* Shared helpers (cli.c). */
const char *cli_default_rules(void);   /* "rules" */
const char *cli_default_db(void);      /* $TRIAGE_DB or "triage.db" */
/* True when argv[i] is "--help" or "-h". */
int cli_is_help(const char *arg);

/* Long-running commands: SIGHUP asks for a reload, SIGINT/SIGTERM to stop.
** Returns a descriptor that becomes readable when a signal came; read it
** with cli_signal_take, which returns 'H' (reload), 'Q' (stop) or 0. */
int cli_signals_open(void);
int cli_signal_take(void);
/* Record what a long-running process has active in the store's meta table
** ("active"), so that `triage status` can show it. */
void cli_publish_status(triage_store *st, triage_host *h, const char *command);
#endif
