/*
** cds_feedback.c — what the store keeps of the CDS Hooks service: each card
** given (so that feedback can name it and the report can count it by
** kind), the referrers' feedback (accepted or overridden, and why), and the
** report of both. The drafts themselves are never kept.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cds.h"
#include "date.h"
#include "store.h"

static const char CF_GIVE[] =
    "INSERT INTO cds_card(uuid, service, hook_instance, kind, item, ruleset, given_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char CF_CARD[] = "SELECT service FROM cds_card WHERE uuid = ?1";
static const char CF_PUT[] =
    "INSERT INTO cds_feedback(card, outcome, suggestions, reason_system, reason_code,"
    " reason_display, comment, outcome_at, received_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
/* Each card with its latest feedback (NULL: none), by kind and item. */
static const char CF_REPORT[] =
    "SELECT c.kind, c.item, count(*),"
    " sum(f.outcome = 'accepted'), sum(f.outcome = 'overridden')"
    " FROM cds_card c LEFT JOIN cds_feedback f ON f.seq ="
    " (SELECT max(seq) FROM cds_feedback g WHERE g.card = c.uuid)"
    " GROUP BY c.kind, c.item ORDER BY c.kind, c.item";
static const char CF_REASONS[] =
    "SELECT c.kind, f.reason_code, max(f.reason_display), count(*)"
    " FROM cds_card c JOIN cds_feedback f ON f.seq ="
    " (SELECT max(seq) FROM cds_feedback g WHERE g.card = c.uuid)"
    " WHERE f.outcome = 'overridden'"
    " GROUP BY c.kind, f.reason_code ORDER BY c.kind, count(*) DESC, f.reason_code";

static triage_code cf_dberr(triage_store *st, triage_error *err, const char *doing)
{
    return st_dberr(st, err, doing);
}

/* ------------------------------------------------------------ giving */

typedef struct cf_give {
    triage_store *st;
    sqlite3_stmt *s;
    const char *service, *hook_instance, *ruleset;
    char at[32];
    int failed;                 /* the store refused a card */
} cf_give;

static int cf_give_one(void *ud, const char *uuid, const char *kind, const char *item)
{
    cf_give *g = ud;
    st_text(g->s, 1, uuid);
    st_text(g->s, 2, g->service);
    st_text(g->s, 3, g->hook_instance);
    st_text(g->s, 4, kind);
    st_text(g->s, 5, item);
    st_text(g->s, 6, g->ruleset);
    st_text(g->s, 7, g->at);
    if (st_run(g->s) == SQLITE_DONE) return 0;
    g->failed = 1;
    return -1;
}

char *triage_cds_cards(const triage_cds *c, triage_store *st, const char *service,
                       const char *hook_instance, const triage_decision *d,
                       const triage_referral *r, const triage_error *why, triage_error *err)
{
    if (!c || (!d && !why)) {
        triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no writer, or nothing to say");
        return NULL;
    }
    cf_give g = {st, NULL, service ? service : "", hook_instance ? hook_instance : "",
                 triage_cds_ruleset(c), "", 0};
    dt_now_iso(g.at);
    if (st && (!(g.s = st_prepared(st, CF_GIVE)) || st_write_begin(st) != 0)) {
        cf_dberr(st, err, "record the cards given");
        return NULL;
    }
    char *text = d ? cds_cards(c, d, r, st ? cf_give_one : NULL, &g, err)
                   : cds_unreadable(c, why, st ? cf_give_one : NULL, &g, err);
    if (st) {
        if (g.failed) cf_dberr(st, err, "record the cards given");
        if (st_write_end(st, text != NULL) != 0 && text) {
            free(text);
            cf_dberr(st, err, "record the cards given");
            return NULL;
        }
    }
    return text;
}

/* ------------------------------------------------------------ feedback */

static triage_code cf_bad(triage_error *err, triage_code code, size_t i, const char *field,
                          const char *what)
{
    char f[96];
    if (field) snprintf(f, sizeof f, "feedback[%zu].%s", i, field);
    else snprintf(f, sizeof f, "feedback");
    return triage_error_set(err, code, NULL, 0, NULL, f, "%s", what);
}

/* Whether s is an ISO-8601 date-time with a zone ("2026-12-06T10:00:00Z"). */
static int cf_instant(const char *s)
{
    triage_day day;
    size_t n = s ? strlen(s) : 0;
    if (n < 20 || !triage_date_parse(s, 10, &day) || s[10] != 'T') return 0;
    return s[n - 1] == 'Z' || ((s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':');
}

/* Check one entry; 0, or an error naming its field. */
static triage_code cf_check(const json_t *e, size_t i, triage_error *err)
{
    if (!json_is_object(e)) return cf_bad(err, TRIAGE_EINVAL, i, "card", "each entry must be an object");
    const char *card = json_string_value(json_object_get(e, "card"));
    const char *outcome = json_string_value(json_object_get(e, "outcome"));
    if (!card || strlen(card) != 36)
        return cf_bad(err, TRIAGE_EINVAL, i, "card", "missing, or not the uuid of a card");
    if (!outcome || (strcmp(outcome, "accepted") && strcmp(outcome, "overridden")))
        return cf_bad(err, TRIAGE_EINVAL, i, "outcome", "must be accepted or overridden");
    if (!cf_instant(json_string_value(json_object_get(e, "outcomeTimestamp"))))
        return cf_bad(err, TRIAGE_EINVAL, i, "outcomeTimestamp",
                      "missing, or not an ISO-8601 date-time with a time zone");
    const json_t *acc = json_object_get(e, "acceptedSuggestions"), *s;
    const json_t *why = json_object_get(e, "overrideReason");
    size_t k;
    if (acc && !json_is_array(acc))
        return cf_bad(err, TRIAGE_EINVAL, i, "acceptedSuggestions", "must be an array");
    json_array_foreach(acc, k, s)
        if (!json_string_value(json_object_get(s, "id")))
            return cf_bad(err, TRIAGE_EINVAL, i, "acceptedSuggestions",
                          "each accepted suggestion needs its id");
    if (acc && strcmp(outcome, "accepted"))
        return cf_bad(err, TRIAGE_EINVAL, i, "acceptedSuggestions",
                      "only an accepted card has accepted suggestions");
    if (why && strcmp(outcome, "overridden"))
        return cf_bad(err, TRIAGE_EINVAL, i, "overrideReason",
                      "only an overridden card has an override reason");
    if (why && !json_is_object(why))
        return cf_bad(err, TRIAGE_EINVAL, i, "overrideReason", "must be an object");
    const json_t *r = json_object_get(why, "reason");
    if (r && (!json_is_object(r) || !json_string_value(json_object_get(r, "code"))))
        return cf_bad(err, TRIAGE_EINVAL, i, "overrideReason.reason", "must be a Coding with a code");
    const json_t *cm = json_object_get(why, "userComment");
    if (cm && !json_is_string(cm))
        return cf_bad(err, TRIAGE_EINVAL, i, "overrideReason.userComment", "must be a text");
    return TRIAGE_OK;
}

static triage_code cf_put(triage_store *st, const char *service, const json_t *e, size_t i,
                          const char *now, triage_error *err)
{
    sqlite3_stmt *q = st_prepared(st, CF_CARD), *p = st_prepared(st, CF_PUT);
    if (!q || !p) return cf_dberr(st, err, "record feedback");
    const char *card = json_string_value(json_object_get(e, "card"));
    st_text(q, 1, card);
    int rc = sqlite3_step(q);
    int ours = rc == SQLITE_ROW && !strcmp(st_col(q, 0) ? st_col(q, 0) : "", service);
    st_done(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return cf_dberr(st, err, "record feedback");
    if (!ours) return cf_bad(err, TRIAGE_ENOTFOUND, i, "card", "no card with this uuid was "
                             "given by this service");
    const json_t *why = json_object_get(e, "overrideReason");
    const json_t *reason = json_object_get(why, "reason");
    const char *comment = json_string_value(json_object_get(why, "userComment"));
    char *masked = NULL, *sugg = NULL;
    if (comment) {
        size_t cap = strlen(comment) + 1;
        if ((masked = malloc(cap))) triage_mask_cpr(masked, cap, comment);
    }
    const json_t *acc = json_object_get(e, "acceptedSuggestions");
    if (acc) {
        json_t *ids = json_array();
        const json_t *s;
        size_t k;
        json_array_foreach(acc, k, s) json_array_append(ids, json_object_get(s, "id"));
        sugg = json_dumps(ids, JSON_COMPACT);
        json_decref(ids);
    }
    if ((comment && !masked) || (acc && !sugg)) {
        free(masked);
        free(sugg);
        return triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
    }
    st_text(p, 1, card);
    st_text(p, 2, json_string_value(json_object_get(e, "outcome")));
    st_text(p, 3, sugg);
    st_text(p, 4, json_string_value(json_object_get(reason, "system")));
    st_text(p, 5, json_string_value(json_object_get(reason, "code")));
    st_text(p, 6, json_string_value(json_object_get(reason, "display")));
    st_text(p, 7, masked);
    st_text(p, 8, json_string_value(json_object_get(e, "outcomeTimestamp")));
    st_text(p, 9, now);
    rc = st_run(p);
    free(masked);
    free(sugg);
    return rc == SQLITE_DONE ? TRIAGE_OK : cf_dberr(st, err, "record feedback");
}

triage_code triage_cds_feedback(triage_store *st, const char *service, const char *json,
                                size_t len, long *n, triage_error *err)
{
    if (n) *n = 0;
    if (!st || !service)
        return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or service");
    json_error_t je;
    json_t *body = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!body)
        return triage_error_set(err, TRIAGE_EJSON, NULL, je.line, NULL, NULL,
                                "not valid JSON: %s", je.text);
    const json_t *list = json_object_get(body, "feedback"), *e;
    size_t i;
    triage_code rc = TRIAGE_OK;
    if (!json_is_array(list) || !json_array_size(list))
        rc = cf_bad(err, TRIAGE_EINVAL, 0, NULL, "must be a non-empty array of feedback entries");
    json_array_foreach(list, i, e)
        if (rc == TRIAGE_OK) rc = cf_check(e, i, err);
    if (rc == TRIAGE_OK && st_write_begin(st) != 0) rc = cf_dberr(st, err, "record feedback");
    else if (rc == TRIAGE_OK) {
        char now[32];
        dt_now_iso(now);
        json_array_foreach(list, i, e)
            if (rc == TRIAGE_OK) rc = cf_put(st, service, e, i, now, err);
        if (st_write_end(st, rc == TRIAGE_OK) != 0 && rc == TRIAGE_OK)
            rc = cf_dberr(st, err, "record feedback");
    }
    if (rc == TRIAGE_OK && n) *n = (long)json_array_size(list);
    json_decref(body);
    return rc;
}

/* -------------------------------------------------------------- report */

/* The entry of kind in kinds, made when new. */
static json_t *cf_kind(json_t *kinds, const char *kind)
{
    json_t *k;
    size_t i;
    json_array_foreach(kinds, i, k)
        if (!strcmp(json_string_value(json_object_get(k, "kind")), kind)) return k;
    k = json_pack("{s:s, s:I, s:I, s:I, s:I, s:[], s:[]}", "kind", kind, "given",
                  (json_int_t)0, "accepted", (json_int_t)0, "overridden", (json_int_t)0,
                  "no_feedback", (json_int_t)0, "items", "reasons");
    json_array_append_new(kinds, k);
    return k;
}

static void cf_add(json_t *o, const char *key, json_int_t v)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + v));
}

char *triage_cds_report(triage_store *st, triage_error *err)
{
    sqlite3_stmt *s = st ? st_prepared(st, CF_REPORT) : NULL;
    sqlite3_stmt *r = st ? st_prepared(st, CF_REASONS) : NULL;
    if (!s || !r) {
        if (st) cf_dberr(st, err, "report");
        else triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store");
        return NULL;
    }
    json_t *out = json_pack("{s:I, s:I, s:I, s:[]}", "given", (json_int_t)0, "accepted",
                            (json_int_t)0, "overridden", (json_int_t)0, "kinds");
    json_t *kinds = json_object_get(out, "kinds");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_int_t given = sqlite3_column_int64(s, 2), acc = sqlite3_column_int64(s, 3),
                   ovr = sqlite3_column_int64(s, 4);
        json_t *k = cf_kind(kinds, st_col(s, 0));
        cf_add(k, "given", given);
        cf_add(k, "accepted", acc);
        cf_add(k, "overridden", ovr);
        cf_add(k, "no_feedback", given - acc - ovr);
        cf_add(out, "given", given);
        cf_add(out, "accepted", acc);
        cf_add(out, "overridden", ovr);
        if (st_col(s, 1))
            json_array_append_new(json_object_get(k, "items"), json_pack(
                "{s:s, s:I, s:I, s:I, s:I}", "item", st_col(s, 1), "given", given,
                "accepted", acc, "overridden", ovr, "no_feedback", given - acc - ovr));
    }
    st_done(s);
    int rc2 = rc == SQLITE_DONE ? SQLITE_DONE : rc;
    while (rc2 == SQLITE_DONE && (rc = sqlite3_step(r)) == SQLITE_ROW)
        json_array_append_new(json_object_get(cf_kind(kinds, st_col(r, 0)), "reasons"),
            json_pack("{s:s?, s:s?, s:I}", "code", st_col(r, 1), "display", st_col(r, 2),
                      "count", (json_int_t)sqlite3_column_int64(r, 3)));
    st_done(r);
    if (rc2 != SQLITE_DONE || rc != SQLITE_DONE) {
        json_decref(out);
        cf_dberr(st, err, "report");
        return NULL;
    }
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    if (!text) triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, "out of memory");
    return text;
}
