/*
** review.c — the review API: a person confirms, overrides, assigns,
** notes on and answers a referral (POST /api/referrals/ID/review); its
** review log (GET .../audit); the answer to the referrer (GET .../answer);
** what a person deciding chooses from (GET /api/policy); how the rules
** agree with the people (GET /api/agreement). The engine checks and keeps;
** this file reads the request and says what happened.
*/
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "review.h"

/* ------------------------------------------------------------- helpers */

static sv_result rev_fail(sv_call *c, triage_code code, const triage_error *err)
{
    const char *msg = err->text[0] ? err->text : err->msg;
    return sv_error(c, sv_status(code), msg,
                    err->field[0] ? json_pack("{s:s}", "field", err->field) : NULL);
}

static json_t *rev_decision(const triage_decision *d)
{
    char *text = d ? triage_decision_json(d) : NULL;
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j ? j : json_null();
}

static json_t *rev_text(const char *v) { return v ? json_string(v) : json_null(); }

/* The letter for the decision in force: the person's, else the rules'
** suggestion (a draft); NULL with the request answered. */
static json_t *rev_letter(sv_call *c, const triage_review_state *s, triage_day date,
                          int *by_person, sv_result *answer)
{
    triage_error err;
    const triage_decision *d = s->decision ? s->decision : s->suggestion;
    *by_person = s->decision != NULL;
    if (!d || triage_decision_outcome(d) == TRIAGE_MANUAL_REVIEW) {
        *answer = sv_error(c, 409, "nothing to answer yet: a person must decide the referral first",
                           NULL);
        return NULL;
    }
    triage_referral *r = triage_store_get(c->w->db, c->tail, &err);
    char *text = r ? triage_answer(c->w->dc_db, r, d, *by_person ? TRIAGE_BY_PERSON : 0, date, &err)
                   : NULL;
    triage_referral_free(r);
    json_t *letter = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!letter) *answer = sv_error(c, 500, err.text, NULL);
    return letter;
}

/* The letter as sent: "Til: ...", "Emne: ...", a blank line and the body. */
static char *rev_letter_text(json_t *letter)
{
    const char *to = json_string_value(json_object_get(letter, "recipient"));
    const char *subject = json_string_value(json_object_get(letter, "subject"));
    const char *body = json_string_value(json_object_get(letter, "body"));
    size_t n = strlen(to ? to : "") + strlen(subject ? subject : "") + strlen(body ? body : "") + 32;
    char *text = malloc(n);
    if (text) snprintf(text, n, "Til: %s\nEmne: %s\n\n%s", to ? to : "", subject ? subject : "",
                       body ? body : "");
    return text;
}

/* ---------------------------------------------------------- the action */

/* The person's decision from the body's fields, checked against the schema
** and the policy's units; NULL with err filled. */
static triage_decision *rev_override(sv_call *c, json_t *body, triage_error *err)
{
    static const char *const fields[] = {"outcome", "target", "unit", "priority", "deadline",
                                         "missing", "request_from", NULL};
    json_t *o = json_pack("{s:s, s:[], s:s}", "id", c->tail, "reasons", "ruleset", "");
    for (int i = 0; fields[i]; i++) {
        json_t *v = json_object_get(body, fields[i]);
        if (v) json_object_set(o, fields[i], v);
    }
    if (!json_object_get(body, "outcome"))
        json_object_set_new(o, "outcome", json_string(""));   /* the parser names it */
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    triage_decision *d = text ? triage_decision_parse(text, strlen(text), err) : NULL;
    free(text);
    const char *unit = d ? triage_decision_unit(d) : NULL;
    if (unit) {   /* a unit the policy has */
        char *policy = triage_policy(c->w->dc_db, err);
        json_t *p = policy ? json_loads(policy, 0, NULL) : NULL, *u;
        size_t i;
        int known = 0;
        free(policy);
        json_array_foreach(json_object_get(p, "units"), i, u)
            known |= !strcmp(json_string_value(json_object_get(u, "code")) ?: "", unit);
        json_decref(p);
        if (!known) {
            triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, c->tail, "unit",
                             "not a unit of the policy");
            triage_decision_free(d);
            d = NULL;
        }
    }
    return d;
}

/* A body key the action does not know, or NULL. */
static const char *rev_unknown_key(json_t *body)
{
    static const char *const keys[] = {"action", "key", "seen", "suggestion", "outcome",
        "target", "unit", "priority", "deadline", "missing", "request_from", "reason",
        "assignee", "text", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) {
        int known = 0;
        for (int i = 0; keys[i]; i++) known |= !strcmp(k, keys[i]);
        if (!known) return k;
    }
    return NULL;
}

/* A log position the person saw, or -1 when the body gives none. */
static long rev_seq(json_t *body, const char *key)
{
    json_t *v = json_object_get(body, key);
    return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
}

sv_result rev_review(sv_call *c)
{
    sv_result answer;
    json_t *body = auth_body(c, &answer), *letter = NULL;
    if (!body) return answer;
    const char *unknown = rev_unknown_key(body);
    if (unknown) {
        char m[200];
        snprintf(m, sizeof m, "%.64s: not a field of a review", unknown);
        json_t *more = json_pack("{s:s}", "field", unknown);
        json_decref(body);
        return sv_error(c, 400, m, more);
    }
    json_t *assignee = json_object_get(body, "assignee");
    triage_action a = {
        .kind = json_string_value(json_object_get(body, "action")),
        .actor = c->session.user.name,
        .text = json_string_value(json_object_get(body, "text")),
        .assignee = json_string_value(assignee),
        .seen = rev_seq(body, "seen"),
        .suggestion = rev_seq(body, "suggestion"),
        .key = json_string_value(json_object_get(body, "key")),
    };
    triage_error err;
    triage_code code = TRIAGE_OK;
    triage_decision *d = NULL;
    char *sent = NULL;
    if (assignee && !json_is_null(assignee) && !json_is_string(assignee))
        code = triage_error_set(&err, TRIAGE_EUSAGE, NULL, 0, c->tail, "assignee",
                                "a user name, or null for nobody");
    else if (a.kind && !strcmp(a.kind, "override")) {
        a.text = json_string_value(json_object_get(body, "reason"));
        if (!(d = rev_override(c, body, &err))) code = err.code;
        a.decision = d;
    } else if (a.kind && !strcmp(a.kind, "answer")) {
        triage_review_state s;
        int by_person;
        code = triage_review_state_get(c->w->db, c->tail, &s, &err);
        if (code == TRIAGE_OK && !s.decision)
            code = triage_error_set(&err, TRIAGE_ECONFLICT, NULL, 0, c->tail, NULL,
                                    "a person must confirm or override the decision before "
                                    "the referrer is answered");
        if (code == TRIAGE_OK &&
            (letter = rev_letter(c, &s, TRIAGE_NO_DAY, &by_person, &answer)) == NULL) {
            triage_review_state_clear(&s);
            json_decref(body);
            return answer;
        }
        triage_review_state_clear(&s);
        a.text = sent = letter ? rev_letter_text(letter) : NULL;
        if (code == TRIAGE_OK && letter && !sent)
            code = triage_error_set(&err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
    }
    triage_action_result res;
    if (code == TRIAGE_OK) code = triage_review(c->w->db, c->tail, &a, &res, &err);
    triage_decision_free(d);
    free(sent);
    json_decref(body);
    if (code != TRIAGE_OK) {
        json_decref(letter);
        return rev_fail(c, code, &err);
    }
    json_t *o = json_pack("{s:I, s:s, s:b}", "seq", (json_int_t)res.seq, "status",
                          triage_review_status_name(res.status), "repeated", res.repeated);
    if (letter) json_object_set_new(o, "letter", letter);
    return sv_json(c, res.repeated ? 200 : 201, o);
}

/* ------------------------------------------------------------ the log */

static int rev_entry(void *ud, const triage_audit_entry *e)
{
    return json_array_append_new(ud, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "seq", (json_int_t)e->seq, "at", e->at, "actor", e->actor, "action", e->action,
        "status", rev_text(e->status), "text", rev_text(e->text),
        "assignee", rev_text(e->assignee), "decision", rev_decision(e->decision),
        "suggestion_seq", e->suggestion_seq ? json_integer(e->suggestion_seq) : json_null(),
        "suggestion", rev_decision(e->suggestion), "ruleset", rev_text(e->ruleset))) != 0;
}

sv_result rev_audit(sv_call *c)
{
    triage_error err;
    triage_review_state s;
    triage_code code = triage_review_state_get(c->w->db, c->tail, &s, &err);
    if (code != TRIAGE_OK) return rev_fail(c, code, &err);
    json_t *entries = json_array();
    code = triage_audit(c->w->db, c->tail, rev_entry, entries, &err);
    json_t *o = code != TRIAGE_OK ? NULL : json_pack(
        "{s:s, s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
        "id", c->tail, "status", triage_review_status_name(s.status),
        "assignee", s.assignee[0] ? json_string(s.assignee) : json_null(),
        "last_seq", (json_int_t)s.last_seq, "suggestion_seq", (json_int_t)s.suggestion_seq,
        "suggestion", rev_decision(s.suggestion), "decision", rev_decision(s.decision),
        "decided_by", s.decided_by[0] ? json_string(s.decided_by) : json_null(),
        "decided_at", s.decided_at[0] ? json_string(s.decided_at) : json_null(),
        "entries", json_incref(entries));
    json_decref(entries);
    triage_review_state_clear(&s);
    if (code != TRIAGE_OK) return rev_fail(c, code, &err);
    return sv_json(c, 200, o);
}

/* ---------------------------------------------------------- the answer */

static int rev_sent(void *ud, const triage_audit_entry *e)
{
    json_t **sent = ud;
    if (!strcmp(e->action, "answer")) {
        json_decref(*sent);
        *sent = json_pack("{s:s, s:s, s:o}", "at", e->at, "by", e->actor, "text", rev_text(e->text));
    }
    return 0;
}

sv_result rev_answer(sv_call *c)
{
    triage_error err;
    triage_review_state s;
    triage_day date = TRIAGE_NO_DAY;
    const char *day = sv_arg(c, "date");
    if (day && !triage_date_parse(day, strlen(day), &date))
        return sv_error(c, 400, "date: not a date (YYYY-MM-DD)", json_pack("{s:s}", "field", "date"));
    triage_code code = triage_review_state_get(c->w->db, c->tail, &s, &err);
    if (code != TRIAGE_OK) return rev_fail(c, code, &err);
    sv_result answer;
    int by_person;
    json_t *letter = rev_letter(c, &s, date, &by_person, &answer), *sent = NULL;
    const char *status = triage_review_status_name(s.status);
    triage_review_state_clear(&s);
    if (!letter) return answer;
    if (triage_audit(c->w->db, c->tail, rev_sent, &sent, &err) != TRIAGE_OK) {
        json_decref(letter);
        json_decref(sent);
        return rev_fail(c, err.code, &err);
    }
    return sv_json(c, 200, json_pack("{s:s, s:s, s:b, s:o, s:o}", "id", c->tail, "status", status,
                                     "by_person", by_person, "letter", letter,
                                     "sent", sent ? sent : json_null()));
}

/* ---------------------------------------------------- policy, agreement */

sv_result rev_policy(sv_call *c)
{
    triage_error err;
    char *text = triage_policy(c->w->dc_db, &err);
    return text ? sv_text(c, 200, "application/json", text) : sv_error(c, 500, err.text, NULL);
}

sv_result rev_agreement(sv_call *c)
{
    triage_error err;
    char *text = triage_agreement_json(c->w->db, &err);
    return text ? sv_text(c, 200, "application/json", text) : rev_fail(c, err.code, &err);
}
