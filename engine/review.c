/*
** review.c — a person's actions on a referral: confirm the rules'
** suggestion, override it with a decision and a reason, assign it, note on
** it, answer the referrer. Each is checked against where the referral
** stands and appended to the review log in one write transaction, with the
** suggestion it was taken beside; a refused action stores nothing.
*/
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cpr.h"
#include "decision.h"
#include "store.h"

#define RV_TEXT_MAX 4000          /* bytes of a reason or a note */
#define RV_LETTER_MAX 65536       /* bytes of a letter as sent */
#define RV_KEY_MAX 64

static triage_code rv_fail(triage_error *err, triage_code code, const char *id,
                           const char *field, const char *what)
{
    return triage_error_set(err, code, NULL, 0, id, field, "%s", what);
}

/* A copy of s with CPR-like numbers masked (free with free()), or NULL. */
static char *rv_masked(const char *s)
{
    size_t cap = strlen(s) + strlen(s) / 10 + 2;
    char *m = malloc(cap);
    if (m) cpr_mask(m, cap, s);
    return m;
}

static int rv_blank(const char *s)
{
    while (s && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++;
    return !s || !*s;
}

/* The person's decision as the log keeps it: d's fields, the suggestion's
** rule set (what the person decided beside) and the reason as its one
** reason, under the rule id PERSON. */
static char *rv_person_json(const triage_decision *d, const char *ruleset, const char *reason)
{
    char *text = triage_decision_json(d);
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!o) return NULL;
    json_object_set_new(o, "ruleset", json_string(ruleset ? ruleset : ""));
    json_object_set_new(o, "reasons", json_pack("[{s:s, s:s}]", "rule", "PERSON", "text", reason));
    json_object_del(o, "trace");
    text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

/* The action's own checks, before the store is asked anything. */
static triage_code rv_check_action(const triage_action *a, const char *id, triage_error *err)
{
    static const char *const kinds[] = {"confirm", "override", "assign", "note", "answer"};
    int known = 0;
    for (int i = 0; a->kind && i < 5; i++) known |= !strcmp(a->kind, kinds[i]);
    if (!known)
        return rv_fail(err, TRIAGE_EUSAGE, id, "action",
                       "not one of confirm, override, assign, note, answer");
    if (!a->actor || !*a->actor) return rv_fail(err, TRIAGE_EDENIED, id, NULL, "no person named");
    if (a->key && (!*a->key || strlen(a->key) > RV_KEY_MAX))
        return rv_fail(err, TRIAGE_EUSAGE, id, "key", "1 to 64 bytes");
    if (!strcmp(a->kind, "override")) {
        if (rv_blank(a->text))
            return rv_fail(err, TRIAGE_EUSAGE, id, "reason",
                           "an override needs a reason (the decision's reason, in the "
                           "answer to the referrer)");
        if (!a->decision)
            return rv_fail(err, TRIAGE_EUSAGE, id, "outcome", "an override needs a decision");
        if (strcmp(triage_decision_id(a->decision), id) != 0)
            return rv_fail(err, TRIAGE_EUSAGE, id, "id", "the decision is for another referral");
        return triage_decision_check(a->decision, err);
    }
    if (!strcmp(a->kind, "note") && rv_blank(a->text))
        return rv_fail(err, TRIAGE_EUSAGE, id, "text", "a note needs a text");
    if (!strcmp(a->kind, "answer") && rv_blank(a->text))
        return rv_fail(err, TRIAGE_EUSAGE, id, "text", "the letter sent is kept with the answer");
    if (a->text && strlen(a->text) > (strcmp(a->kind, "answer") ? RV_TEXT_MAX : RV_LETTER_MAX))
        return rv_fail(err, TRIAGE_EUSAGE, id, strcmp(a->kind, "override") ? "text" : "reason",
                       "the text is too long");
    return TRIAGE_OK;
}

/* An enabled intake account, or the error that says why not. */
static triage_code rv_intake(triage_store *st, const char *name, const char *id,
                             const char *field, triage_error *err)
{
    triage_user u;
    triage_code code = triage_user_get(st, name, &u, err);
    if (code == TRIAGE_ENOTFOUND || (code == TRIAGE_OK && (u.disabled || u.role != TRIAGE_ROLE_INTAKE)))
        return field
            ? rv_fail(err, TRIAGE_EUSAGE, id, field, "not an active intake account")
            : rv_fail(err, TRIAGE_EDENIED, id, NULL, "only an active intake account may review");
    return code;
}

/* A person's deadline is a day from the one the referral came on: one
** before it (a slip of the year) would tell the referrer "at the latest" a
** day that had passed before anyone read the referral. */
static triage_code rv_check_deadline(const triage_decision *d, triage_day received,
                                     const char *id, triage_error *err)
{
    triage_day deadline = triage_decision_deadline(d);
    if (deadline == TRIAGE_NO_DAY || received == TRIAGE_NO_DAY || deadline >= received)
        return TRIAGE_OK;
    char day[11];
    triage_date_format(received, day);
    return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, id, "deadline",
                            "before the referral was received (%s)", day);
}

/* Fill row for a, given where the referral stands; the texts it points to
** live in *own (freed by the caller). */
static triage_code rv_row(const triage_action *a, const char *id, const triage_review_state *s,
                          long status_seq, au_row *row, char **own, triage_error *err)
{
    const char *k = a->kind;
    int decides = !strcmp(k, "confirm") || !strcmp(k, "override") || !strcmp(k, "answer");
    if (decides && a->seen >= 0 && status_seq > a->seen)
        return rv_fail(err, TRIAGE_ECONFLICT, id, "seen",
                       "someone has decided or answered this referral since you opened it; "
                       "look again");
    if ((!strcmp(k, "confirm") || !strcmp(k, "override")) && a->suggestion >= 0 &&
        s->suggestion_seq != a->suggestion)
        return rv_fail(err, TRIAGE_ECONFLICT, id, "suggestion",
                       "the rules' suggestion has changed since you opened the referral; "
                       "look again");
    row->referral_id = id;
    row->actor = a->actor;
    row->action = k;
    row->key = a->key;
    row->suggestion_seq = s->suggestion_seq;
    row->ruleset = s->suggestion ? triage_decision_ruleset(s->suggestion) : NULL;
    if (!strcmp(k, "confirm")) {
        if (!s->suggestion)
            return rv_fail(err, TRIAGE_ECONFLICT, id, NULL,
                           "the rules have not decided this referral yet: nothing to confirm");
        if (triage_decision_outcome(s->suggestion) == TRIAGE_MANUAL_REVIEW)
            return rv_fail(err, TRIAGE_ECONFLICT, id, NULL,
                           "the rules could not decide this referral (manual_review): "
                           "decide it with an override");
        row->status = "confirmed";
        row->outcome = triage_outcome_name(triage_decision_outcome(s->suggestion));
        own[0] = triage_decision_json(s->suggestion);
        if (!(row->decision = own[0])) return rv_fail(err, TRIAGE_ENOMEM, id, NULL, "out of memory");
        return TRIAGE_OK;
    }
    if (!strcmp(k, "answer") && s->status != TRIAGE_CONFIRMED && s->status != TRIAGE_OVERRIDDEN &&
        s->status != TRIAGE_ANSWERED)
        return rv_fail(err, TRIAGE_ECONFLICT, id, NULL,
                       "a person must confirm or override the decision before the referrer is answered");
    if (a->text && !(own[1] = rv_masked(a->text)))
        return rv_fail(err, TRIAGE_ENOMEM, id, NULL, "out of memory");
    row->text = own[1];
    if (!strcmp(k, "override")) {
        row->status = "overridden";
        row->outcome = triage_outcome_name(triage_decision_outcome(a->decision));
        own[0] = rv_person_json(a->decision, row->ruleset, own[1]);
        if (!(row->decision = own[0])) return rv_fail(err, TRIAGE_ENOMEM, id, NULL, "out of memory");
    } else if (!strcmp(k, "answer")) {
        row->status = "answered";
    } else if (!strcmp(k, "assign")) {
        row->assignee = a->assignee;
    }
    return TRIAGE_OK;
}

triage_code triage_review(triage_store *st, const char *id, const triage_action *a,
                          triage_action_result *res, triage_error *err)
{
    triage_action_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    if (!st || !id || !a) return rv_fail(err, TRIAGE_EUSAGE, id, NULL, "no store, referral or action");
    triage_code code = rv_check_action(a, id, err);
    if (code != TRIAGE_OK) return code;
    if (st_write_begin(st) != 0) return au_dberr(st, err, "review");

    triage_review_state s = {0};
    long status_seq = 0;
    triage_day received = TRIAGE_NO_DAY;
    char *own[2] = {NULL, NULL}, first[72];
    int had = a->key ? au_by_key(st, a->actor, a->key, &res->seq, first) : 0;
    if (had < 0)
        code = au_dberr(st, err, "review");
    else if (had && strcmp(first, id) != 0)
        code = rv_fail(err, TRIAGE_ECONFLICT, id, "key", "already used for another referral");
    else if ((code = au_state(st, id, &s, &status_seq, &received, err)) != TRIAGE_OK)
        ;
    else if (had)
        res->repeated = 1;
    else if ((code = rv_intake(st, a->actor, id, NULL, err)) != TRIAGE_OK)
        ;
    else if (!strcmp(a->kind, "assign") && a->assignee &&
             (code = rv_intake(st, a->assignee, id, "assignee", err)) != TRIAGE_OK)
        ;
    else if (!strcmp(a->kind, "override") &&
             (code = rv_check_deadline(a->decision, received, id, err)) != TRIAGE_OK)
        ;
    else {
        au_row row = {0};
        code = rv_row(a, id, &s, status_seq, &row, own, err);
        if (code == TRIAGE_OK) code = au_append(st, &row, &res->seq, err);
        if (code == TRIAGE_OK && row.status) {
            triage_review_status n = !strcmp(row.status, "confirmed") ? TRIAGE_CONFIRMED
                                   : !strcmp(row.status, "overridden") ? TRIAGE_OVERRIDDEN
                                   : TRIAGE_ANSWERED;
            s.status = n;
        }
    }
    res->status = s.status;
    triage_review_state_clear(&s);
    free(own[0]);
    free(own[1]);
    if (st_write_end(st, code == TRIAGE_OK) != 0 && code == TRIAGE_OK)
        code = au_dberr(st, err, "review");
    return code;
}
