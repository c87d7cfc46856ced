/*
** cli.c — `triage`: the entry point. It names the subcommands and hands
** each its arguments; every subcommand lives in its own cli_<name>.c and is
** a thin user of the public API in triage.h.
*/
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "triage.h"


static const char USAGE[] =
    "usage: triage <command> [options]\n"
    "\n"
    "Referral triage for child and adolescent psychiatry: Lua rules decide\n"
    "referrals (JSON) into decisions (accept, request_info, redirect, reject,\n"
    "manual_review) with Danish reasons.\n"
    "\n"
    "commands:\n"
    "  check    decide referral files without a database\n"
    "  import   validate referrals and store them in a database\n"
    "  run      decide every undecided referral in a database\n"
    "  test     run the rule set's own test cases\n"
    "  corpus   generate the synthetic referral corpus with gold decisions\n"
    "  watch    re-decide referrals on every save of the rules (for rule authors)\n"
    "  status   the rule set, whether it loads and passes its tests, and the store\n"
    "  serve    the intake service: JSON API and web page over HTTP\n"
    "  regress  measure a rule set against gold decisions; a gate for CI\n"
    "  diff     the decisions two rule sets make differently, and why\n"
    "\n"
    "'triage <command> --help' tells more. --rules defaults to rules/ in the\n"
    "current directory, --db to $TRIAGE_DB or triage.db.\n"
    "\n"
    "exit status: 0 done (manual_review counts as done); 1 usage or set-up\n"
    "error; 2 a check failed; 3 some input records were invalid (the valid\n"
    "ones were still handled).\n";

const char *cli_default_rules(void) { return "rules"; }

const char *cli_default_db(void)
{
    const char *db = getenv("TRIAGE_DB");
    return db && *db ? db : "triage.db";
}

int cli_is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    char c = sig == SIGHUP ? 'H' : 'Q';
    int saved = errno;
    if (write(sig_pipe[1], &c, 1) < 0) { /* full: a signal is already waiting */ }
    errno = saved;
}

int cli_signals_open(void)
{
    if (sig_pipe[0] >= 0)
        return sig_pipe[0];
    if (pipe(sig_pipe) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK), fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return sig_pipe[0];
}

int cli_signal_take(void)
{
    char c = 0, got = 0;
    while (read(sig_pipe[0], &c, 1) == 1)
        if (got != 'Q')
            got = c;               /* a stop outranks a reload */
    return got;
}

void cli_publish_status(triage_store *st, triage_host *h, const char *command)
{
    triage_host_status s;
    triage_host_status_get(h, &s);
    json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:i, s:i}", "pid", (int)getpid(), "command",
                          command, "ruleset", s.ruleset, "loaded_at", s.loaded_at, "reloads",
                          (int)s.reloads, "failures", (int)s.failures);
    if (!o)
        return;
    json_object_set_new(o, "last_error", s.has_error
        ? json_pack("{s:s, s:i, s:s}", "file", s.last_error.file, "line",
                    (int)s.last_error.line, "message", s.last_error.text)
        : json_null());
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text)
        triage_store_meta_set(st, "active", text, NULL);
    free(text);
    json_decref(o);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"check", cli_check}, {"import", cli_import}, {"run", cli_run},
                {"test", cli_test},   {"corpus", cli_corpus}, {"watch", cli_watch},
                {"status", cli_status}, {"serve", cli_serve}, {"regress", cli_regress}, {"diff", cli_diff}};
    /* A batch frees and reallocates the same few MB for every chunk: keep
    ** them instead of giving them back to the kernel each time (brk calls
    ** and page faults were a fifth of `triage run`'s system time). */
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    if (argc < 2 || cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_DONE;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("triage %s\n", TRIAGE_VERSION);
        return EXIT_DONE;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "triage: unknown command '%s'; 'triage --help' lists them\n", argv[1]);
    return EXIT_USAGE;
}
