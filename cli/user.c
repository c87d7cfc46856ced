/*
** user.c — `triage user add|list|disable`: the local accounts of the
** intake page. A password is read from standard input or asked for on the
** terminal without echo, never taken from the command line (where other
** users and the shell's history would see it).
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage user add NAME --role intake|author|admin [--db FILE]\n"
    "       triage user list [--db FILE]\n"
    "       triage user disable NAME [--db FILE]\n"
    "\n"
    "Accounts of the intake page (triage serve). intake staff review referrals;\n"
    "rule authors read them and try referrals; admins manage accounts. A name is\n"
    "an ASCII letter, then letters, digits, '.', '_' or '-' (at most 32).\n"
    "\n"
    "add reads the password (10 to 1024 characters) from standard input, its\n"
    "first line, or asks for it twice on the terminal; never from an argument.\n"
    "It is kept only as an Argon2id hash. disable ends the account's sessions\n"
    "and its logins; the account and what it did stay in the review log.\n"
    "\n"
    "  --db FILE     database (default: $TRIAGE_DB or triage.db)\n"
    "  --role ROLE   intake, author or admin (add)\n";

/* One line from f into buf, without its line end; 0 at end of input. */
static int us_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f)) return 0;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 1;
}

/* Ask on the terminal with echo off. */
static int us_ask(FILE *tty, const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    int fd = fileno(tty), echo_off = tcgetattr(fd, &old) == 0;
    fputs(prompt, stderr);
    fflush(stderr);
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    int ok = us_line(tty, buf, cap);
    if (echo_off) tcsetattr(fd, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return ok;
}

/* The new password: standard input's first line, or asked twice. */
static int us_password(char *buf, size_t cap)
{
    if (!isatty(STDIN_FILENO)) return us_line(stdin, buf, cap);
    FILE *tty = fopen("/dev/tty", "r+");
    char again[TRIAGE_PASSWORD_MAX + 2];
    int ok = tty && us_ask(tty, "password: ", buf, cap) &&
             us_ask(tty, "again: ", again, sizeof again);
    if (tty) fclose(tty);
    if (ok && strcmp(buf, again) != 0) {
        fprintf(stderr, "triage user: the two passwords differ\n");
        ok = 0;
    }
    memset(again, 0, sizeof again);
    return ok;
}

static int us_print(void *ud, const triage_user *u)
{
    printf("%-32s %-7s %-9s %s\n", u->name, triage_role_name(u->role),
           u->disabled ? "disabled" : "active", u->created_at);
    return 0;
}

int cli_user(int argc, char **argv)
{
    const char *db = cli_default_db(), *role_name = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"role", required_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': role_name = optarg; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    const char *verb = optind < argc ? argv[optind] : NULL;
    const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
    int want = verb && !strcmp(verb, "list") ? 1 : 2;
    if (!verb || (strcmp(verb, "add") && strcmp(verb, "list") && strcmp(verb, "disable")) ||
        argc - optind != want) {
        fprintf(stderr, "triage user: say add NAME --role ROLE, list, or disable NAME "
                        "(a password is never an argument: it is read from standard input)\n");
        return EXIT_USAGE;
    }
    triage_role role = TRIAGE_ROLE_INTAKE;
    if (!strcmp(verb, "add") && !triage_role_parse(role_name, &role)) {
        fprintf(stderr, "triage user: --role intake, author or admin is needed\n");
        return EXIT_USAGE;
    }
    triage_error err;
    triage_store *st = triage_store_open(db, &err);
    if (!st) {
        fprintf(stderr, "triage user: %s\n", err.text);
        return EXIT_USAGE;
    }
    triage_code rc;
    if (!strcmp(verb, "list")) {
        rc = triage_user_list(st, us_print, NULL, &err);
    } else if (!strcmp(verb, "disable")) {
        if ((rc = triage_user_disable(st, name, NULL, &err)) == TRIAGE_OK)
            fprintf(stderr, "triage user: %s is disabled\n", name);
    } else {
        char pw[TRIAGE_PASSWORD_MAX + 2];
        if (!us_password(pw, sizeof pw))
            rc = triage_error_set(&err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL,
                                  "no password given (standard input, or the terminal)");
        else if ((rc = triage_user_add(st, name, role, pw, NULL, &err)) == TRIAGE_OK)
            fprintf(stderr, "triage user: %s added as %s\n", name, triage_role_name(role));
        memset(pw, 0, sizeof pw);
    }
    triage_store_close(st);
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "triage user: %s\n", err.text);
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}
