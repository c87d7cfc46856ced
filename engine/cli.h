/*
** cli.h — the `triage` command's subcommands, one file each (cli_<name>.c).
** Each takes the arguments after its name (argv[0] is the subcommand) and
** returns the process exit status: 0 done, 1 usage or set-up error,
** 2 a check failed, 3 some input records invalid.
*/
#ifndef TRIAGE_CLI_H
#define TRIAGE_CLI_H

enum { EXIT_DONE = 0, EXIT_USAGE = 1, EXIT_CHECK = 2, EXIT_INVALID = 3 };

int cli_check(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_test(int argc, char **argv);
int cli_corpus(int argc, char **argv);

/* Shared helpers (cli.c). */
const char *cli_default_rules(void);   /* "rules" */
const char *cli_default_db(void);      /* $TRIAGE_DB or "triage.db" */
/* True when argv[i] is "--help" or "-h". */
int cli_is_help(const char *arg);
#endif
