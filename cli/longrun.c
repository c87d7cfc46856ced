/*
** longrun.c — what the long-running commands (run --watch, serve, watch)
** share: signals as a readable descriptor (SIGHUP reload, SIGINT/SIGTERM
** stop), and what they have active, published in the store for `status`.
*/
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
