/*
** serve.c — `triage serve`: the intake service (server/) with hot
** reload from the rules directory on change or SIGHUP, publishing what it
** has active in the store's meta table like `run --watch` does.
*/
#include <ctype.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "triage_server.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage serve [--db FILE] [--rules DIR] [--listen HOST:PORT]\n"
    "                    [--threads N] [--token-file FILE] [--max-body BYTES]\n"
    "                    [--session-idle MINUTES] [--shadow DIR] [--cds-config FILE]\n"
    "\n"
    "Serve the intake page (/) and the JSON API:\n"
    "  POST /api/check[?explain=1]   decide referrals (one object, JSON Lines or an\n"
    "                                array), nothing stored\n"
    "  POST /api/referrals           validate, store and decide one referral (201);\n"
    "                                400 names the fields (the record is kept in\n"
    "                                quarantine), 409 for a known id\n"
    "  GET  /api/referrals?outcome=&target=&unit=&priority=&from=&to=&due=&q=\n"
    "       &limit=&offset=          the work list, latest decision per referral\n"
    "  GET  /api/referrals/ID[?explain=1]  a referral and its decision history\n"
    "  GET  /api/status              rule set, when loaded, last reload error, counts\n"
    "People (accounts: triage user add) log in on the page; their session is an\n"
    "HttpOnly cookie, and every request that changes something carries the\n"
    "session's CSRF token (X-CSRF-Token):\n"
    "  POST /api/login  {name, password}; POST /api/logout; GET /api/session\n"
    "  POST /api/referrals/ID/review   (intake) {action: confirm | override\n"
    "       (outcome, target, unit, priority, deadline, missing, request_from,\n"
    "       reason) | assign (assignee) | note (text) | answer}\n"
    "  GET  /api/referrals/ID/audit    the review log; .../answer the letter\n"
    "  GET  /api/policy, /api/agreement; GET/POST /api/users (admin)\n"
    "HL7 CDS Hooks 2.0 (docs/cds.md), for a referrer's system, and the pre-check\n"
    "page /henvis that uses it:\n"
    "  GET  /cds-services                 discovery (order-sign, order-select)\n"
    "  POST /cds-services/ID              a draft referral -> cards, never stored\n"
    "  POST /cds-services/ID/feedback     accepted / overridden, per card\n"
    "The rules are reloaded when their files change, or on SIGHUP; a rule set\n"
    "that fails to load or to pass its tests leaves the active one in force.\n"
    "\n"
    "  --db FILE          database (default: $TRIAGE_DB or triage.db)\n"
    "  --rules DIR        rule set directory (default: rules)\n"
    "  --listen HOST:PORT address (default: 127.0.0.1:8080; port 0 picks one)\n"
    "  --threads N        worker threads (default: 4)\n"
    "  --token-file FILE  access token every /api call must carry as\n"
    "                     'Authorization: Bearer TOKEN' (else $TRIAGE_TOKEN);\n"
    "                     required to listen on a non-loopback address\n"
    "  --max-body BYTES   request body limit (default: 1048576); larger gets 413\n"
    "  --session-idle MIN minutes without a request that end a person's session\n"
    "                     (default: 30)\n"
    "  --shadow DIR       a candidate rule set: it decides every referral too, in\n"
    "                     the background, kept beside the active suggestion and\n"
    "                     never shown as it (see triage agreement); reloaded like\n"
    "                     the active one\n"
    "  --cds-config FILE  the CDS Hooks clients' issuers and public keys (JSON,\n"
    "                     README 'CDS Hooks'): every /cds-services call must then\n"
    "                     carry a JWT one of them signed; without it those routes\n"
    "                     answer clients on this machine only\n"
    "\n"
    "One line per request goes to standard error: method, path, query keys\n"
    "(never their values), status, microseconds.\n";

/* The token file's first line, without surrounding blanks; NULL if unreadable. */
static char *sv_read_token(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[1024];
    if (!f) return NULL;
    if (!fgets(buf, sizeof buf, f)) buf[0] = '\0';
    fclose(f);
    char *p = buf, *e;
    while (isspace((unsigned char)*p)) p++;
    e = p + strlen(p);
    while (e > p && isspace((unsigned char)e[-1])) *--e = '\0';
    return strdup(p);
}

/* Reload on SIGHUP (and as the host watches), say and publish what each
** reload did, until SIGINT or SIGTERM. */
static void serve_until_stopped(triage_host *h, triage_store *st, int sigfd)
{
    triage_host_status hs;
    triage_host_status_get(h, &hs);
    cli_publish_status(st, h, "serve");
    long seen_reloads = hs.reloads, seen_failures = hs.failures;
    for (;;) {
        struct pollfd pfd = {sigfd, POLLIN, 0};
        if (poll(&pfd, 1, 1000) > 0) {
            int sig = cli_signal_take();
            if (sig == 'Q')
                break;
            if (sig == 'H')
                triage_host_reload(h, NULL);   /* reported below like a watched one */
        }
        triage_host_status_get(h, &hs);
        if (hs.reloads == seen_reloads && hs.failures == seen_failures)
            continue;
        if (hs.failures > seen_failures)
            fprintf(stderr, "triage serve: reload failed, the active rules stay: %s\n",
                    hs.last_error.text);
        else
            fprintf(stderr, "triage serve: rule set %.12s active\n", hs.ruleset);
        seen_reloads = hs.reloads;
        seen_failures = hs.failures;
        cli_publish_status(st, h, "serve");
    }
}

int cli_serve(int argc, char **argv)
{
    const char *db = cli_default_db(), *rules = cli_default_rules();
    const char *listen = "127.0.0.1:8080", *token_file = NULL, *shadow = NULL,
               *cds_config = NULL;
    long threads = 4, max_body = TRIAGE_SERVER_MAX_BODY, idle_min = TRIAGE_SESSION_IDLE / 60;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"rules", required_argument, 0, 'r'},
                                         {"listen", required_argument, 0, 'l'},
                                         {"threads", required_argument, 0, 't'},
                                         {"token-file", required_argument, 0, 'k'},
                                         {"max-body", required_argument, 0, 'b'},
                                         {"session-idle", required_argument, 0, 'i'},
                                         {"shadow", required_argument, 0, 's'},
                                         {"cds-config", required_argument, 0, 'c'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:l:t:k:b:i:s:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': rules = optarg; break;
        case 'l': listen = optarg; break;
        case 't': threads = atol(optarg); break;
        case 'k': token_file = optarg; break;
        case 'b': max_body = atol(optarg); break;
        case 'i': idle_min = atol(optarg); break;
        case 's': shadow = optarg; break;
        case 'c': cds_config = optarg; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "triage serve: unexpected argument '%s' (a token goes in "
                        "--token-file or $TRIAGE_TOKEN, never on the command line)\n",
                argv[optind]);
        return EXIT_USAGE;
    }
    if (threads < 1 || threads > 256 || max_body < 1 || idle_min < 1 || idle_min > 24 * 60) {
        fprintf(stderr, "triage serve: --threads must be 1..256, --max-body positive and "
                        "--session-idle 1..1440 minutes\n");
        return EXIT_USAGE;
    }
    char *token = NULL;
    if (token_file) {
        if (!(token = sv_read_token(token_file)) || !*token) {
            fprintf(stderr, "triage serve: cannot read a token from %s\n", token_file);
            free(token);
            return EXIT_USAGE;
        }
    } else if (getenv("TRIAGE_TOKEN") && *getenv("TRIAGE_TOKEN"))
        token = strdup(getenv("TRIAGE_TOKEN"));

    triage_error err;
    triage_host *h = triage_host_open(rules, cli_limits(), &err);
    if (!h) {
        fprintf(stderr, "triage serve: %s\n", err.text);
        free(token);
        return EXIT_USAGE;
    }
    triage_host *cand = NULL;
    if (shadow && !(cand = triage_host_open(shadow, NULL, &err))) {
        fprintf(stderr, "triage serve: --shadow: %s\n", err.text);
        free(token);
        triage_host_close(h);
        return EXIT_USAGE;
    }
    triage_store *st = triage_store_open(db, &err);
    triage_server_opts o = {.listen = listen, .db = db, .host = h, .token = token,
                        .threads = (int)threads, .max_body = (size_t)max_body,
                        .session_idle = idle_min * 60, .shadow = cand,
                        .cds_config = cds_config};
    triage_server *srv = st ? triage_server_start(&o, &err) : NULL;
    int has_token = token != NULL;
    free(token);
    if (!srv) {
        fprintf(stderr, "triage serve: %s\n", err.text);
        triage_store_close(st);
        triage_host_close(cand);
        triage_host_close(h);
        return EXIT_USAGE;
    }
    int sigfd = cli_signals_open();    /* before anyone is told where to send them */
    if (triage_host_watch(h, &err) != TRIAGE_OK)
        fprintf(stderr, "triage serve: %s (reload with SIGHUP)\n", err.text);
    if (cand && triage_host_watch(cand, &err) != TRIAGE_OK)
        fprintf(stderr, "triage serve: --shadow: %s\n", err.text);
    triage_host_status hs;
    triage_host_status_get(h, &hs);
    fprintf(stderr, "triage serve: listening on %s (port %d), rule set %.12s, %ld threads%s\n",
            listen, triage_server_port(srv), hs.ruleset, threads,
            has_token ? ", token required" : "");
    if (cand) {
        triage_host_status cs;
        triage_host_status_get(cand, &cs);
        fprintf(stderr, "triage serve: shadow rule set %.12s from %s decides beside it\n",
                cs.ruleset, shadow);
    }
    serve_until_stopped(h, st, sigfd);
    fprintf(stderr, "triage serve: stopping\n");
    triage_server_stop(srv);
    triage_store_close(st);
    triage_host_close(cand);
    triage_host_close(h);
    return EXIT_DONE;
}
