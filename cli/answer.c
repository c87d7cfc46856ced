/*
** answer.c — `triage answer ID`: the answer to the referrer as text. Once
** the referrer has been answered, the letter as it was sent (from the
** review log); before, the letter the rule set writes for the decision in
** force — a person's, or (a draft) the rules' suggestion.
*/
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "triage.h"

static const char HELP[] =
    "usage: triage answer ID [--db FILE] [--rules DIR] [--date YYYY-MM-DD]\n"
    "\n"
    "Print the answer to the referrer of referral ID: the letter as sent when\n"
    "the referrer has been answered; else the letter for a person's decision,\n"
    "or, while no person has decided, a draft from the rules' suggestion (said\n"
    "on standard error). Its wording and places are the rule set's\n"
    "(lib/answer.lua, data/answers.lua, data/places.lua).\n"
    "\n"
    "  --db FILE     database (default: $TRIAGE_DB or triage.db)\n"
    "  --rules DIR   rule set directory (default: rules)\n"
    "  --date DAY    the letter's date (default: today)\n";

typedef struct an_sent { char *text, at[32]; } an_sent;

static int an_last_sent(void *ud, const triage_audit_entry *e)
{
    an_sent *s = ud;
    if (!strcmp(e->action, "answer") && e->text) {
        free(s->text);
        s->text = strdup(e->text);
        snprintf(s->at, sizeof s->at, "%s", e->at);
    }
    return 0;
}

/* The letter for the decision in force, printed; 0, or an exit status. */
static int an_write(triage_store *st, const char *rules, const char *id,
                    const triage_review_state *s, triage_day date)
{
    const triage_decision *d = s->decision ? s->decision : s->suggestion;
    if (!d || triage_decision_outcome(d) == TRIAGE_MANUAL_REVIEW) {
        fprintf(stderr, "triage answer: %s: nothing to answer yet: a person must decide "
                        "the referral first\n", id);
        return EXIT_USAGE;
    }
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(rules, NULL, &err);
    triage_decider *dc = rs ? triage_decider_new(rs, st, &err) : NULL;
    triage_referral *r = dc ? triage_store_get(st, id, &err) : NULL;
    char *text = r ? triage_answer(dc, r, d, s->decision ? TRIAGE_BY_PERSON : 0, date, &err)
                   : NULL;
    json_t *letter = text ? json_loads(text, 0, NULL) : NULL;
    triage_referral_free(r);
    triage_decider_free(dc);
    if (rs) triage_ruleset_release(rs);
    free(text);
    if (!letter) {
        fprintf(stderr, "triage answer: %s\n", err.text);
        return EXIT_USAGE;
    }
    if (!s->decision)
        fprintf(stderr, "triage answer: %s: a draft from the rules' suggestion; no person "
                        "has decided yet\n", id);
    printf("Til: %s\nEmne: %s\n\n%s\n", json_string_value(json_object_get(letter, "recipient")),
           json_string_value(json_object_get(letter, "subject")),
           json_string_value(json_object_get(letter, "body")));
    json_decref(letter);
    return EXIT_DONE;
}

int cli_answer(int argc, char **argv)
{
    const char *db = cli_default_db(), *rules = cli_default_rules(), *day = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"rules", required_argument, 0, 'r'},
                                         {"date", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': rules = optarg; break;
        case 't': day = optarg; break;
        case 'h': fputs(HELP, stdout); return EXIT_DONE;
        default: fputs(HELP, stderr); return EXIT_USAGE;
        }
    }
    triage_day date = TRIAGE_NO_DAY;
    if (argc - optind != 1 || (day && !triage_date_parse(day, strlen(day), &date))) {
        fprintf(stderr, "triage answer: give one referral id (and --date as YYYY-MM-DD)\n");
        return EXIT_USAGE;
    }
    const char *id = argv[optind];
    triage_error err;
    triage_store *st = triage_store_open(db, &err);
    triage_review_state s;
    triage_code rc = st ? triage_review_state_get(st, id, &s, &err) : err.code;
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "triage answer: %s\n", err.text);
        triage_store_close(st);
        return EXIT_USAGE;
    }
    an_sent sent = {NULL, ""};
    int status = EXIT_DONE;
    if (s.status == TRIAGE_ANSWERED &&
        triage_audit(st, id, an_last_sent, &sent, &err) == TRIAGE_OK && sent.text) {
        fprintf(stderr, "triage answer: %s: the letter as sent at %s\n", id, sent.at);
        printf("%s\n", sent.text);
    } else {
        status = an_write(st, rules, id, &s, date);
    }
    free(sent.text);
    triage_review_state_clear(&s);
    triage_store_close(st);
    return status;
}
