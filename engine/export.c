/*
** export.c — the people's corrections as rule test cases: each referral
** whose decision in force is a person's override becomes a case of
** `triage test` (the referral, and the person's decision as what is
** expected), so a rule author sees which corrections the rules still get
** wrong. No CPR goes into the file: the birth date stands in for it.
*/
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "cpr.h"
#include "date.h"
#include "triage.h"

typedef struct ex_ctx {
    triage_store *st;
    json_t *cases;
    triage_error *err;
    triage_code code;
} ex_ctx;

/* Every string in v masked, in place. */
static void ex_mask(json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t cap = strlen(s) + strlen(s) / 10 + 2;
        char *m = malloc(cap);
        if (m) {
            cpr_mask(m, cap, s);
            json_string_set(v, m);
            free(m);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) ex_mask(x);
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, x) ex_mask(x);
    }
}

/* The referral as received, its CPR replaced by the birth date it gives. */
static json_t *ex_referral(const char *json)
{
    json_t *r = json ? json_loads(json, 0, NULL) : NULL;
    json_t *p = json_object_get(r, "patient");
    const char *cpr = json_string_value(json_object_get(p, "cpr"));
    if (cpr) {
        char digits[11];
        int32_t birth;
        if (!json_object_get(p, "birth_date") &&
            cpr_parse(cpr, strlen(cpr), digits, &birth) == CPR_OK) {
            char day[11];
            dt_format(birth, day);
            json_object_set_new(p, "birth_date", json_string(day));
        }
        json_object_del(p, "cpr");
    }
    ex_mask(r);
    return r;
}

static int ex_json_of(void *ud, const triage_row *row, const triage_logged *log, int n)
{
    *(json_t **)ud = ex_referral(row->json);
    return 0;
}

static int ex_case(void *ud, const triage_audit_entry *e)
{
    ex_ctx *c = ud;
    json_t *referral = NULL;
    triage_code code = triage_store_record(c->st, e->referral_id, ex_json_of, &referral, c->err);
    if (code != TRIAGE_OK || !referral) {
        c->code = code != TRIAGE_OK ? code : TRIAGE_ENOMEM;
        json_decref(referral);
        return 1;
    }
    char name[600];
    snprintf(name, sizeof name, "override of %s by %s (%.10s): %s", e->referral_id, e->actor,
             e->at, e->text ? e->text : "");
    json_t *tc = json_pack("{s:s, s:o, s:o}", "name", name, "referral", referral,
                           "expect", au_fields(e->decision));
    ex_mask(tc);
    if (!tc || json_array_append_new(c->cases, tc) != 0) {
        c->code = triage_error_set(c->err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
        return 1;
    }
    return 0;
}

triage_code triage_overrides_export(triage_store *st, const char *dir, long *n,
                                    triage_error *err)
{
    char path[4096];
    if (n) *n = 0;
    if (!st || !dir || !*dir)
        return triage_error_set(err, TRIAGE_EUSAGE, NULL, 0, NULL, NULL, "no store or directory");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return triage_error_set(err, TRIAGE_EIO, dir, 0, NULL, NULL, "cannot make the directory: %s",
                                strerror(errno));
    if ((size_t)snprintf(path, sizeof path, "%s/overrides.json", dir) >= sizeof path)
        return triage_error_set(err, TRIAGE_EUSAGE, dir, 0, NULL, NULL, "the path is too long");
    ex_ctx c = {st, json_array(), err, TRIAGE_OK};
    if (!c.cases) return triage_error_set(err, TRIAGE_ENOMEM, NULL, 0, NULL, NULL, NULL);
    triage_code code = triage_overrides(st, ex_case, &c, err);
    if (code == TRIAGE_OK) code = c.code;
    if (code == TRIAGE_OK) {
        /* health data: the file is the owner's only, like the database */
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        int ok = f && json_dumpf(c.cases, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
                 fputc('\n', f) != EOF;
        if (f) ok = fclose(f) == 0 && ok;
        else if (fd >= 0) close(fd);
        if (!ok)
            code = triage_error_set(err, TRIAGE_EIO, path, 0, NULL, NULL, "cannot write: %s",
                                    strerror(errno));
    }
    if (code == TRIAGE_OK && n) *n = (long)json_array_size(c.cases);
    json_decref(c.cases);
    return code;
}
