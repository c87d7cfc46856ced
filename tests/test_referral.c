/*
** test_referral.c — referral validation and the input reader.
** Data-driven: tests/data/referral/pass_*.json must parse; each
** fail_<field>__<what>.json must fail naming <field>, without a CPR in sight.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <dirent.h>
#include <cmocka.h>
#include "triage.h"
#include "referral.h"
#include "cpr.h"
#include "date.h"
#include "refpack.h"
#include "testutil.h"

#define DATA TRIAGE_SOURCE_DIR "/tests/data/referral"

static char *slurp(const char *path, size_t *len)
{
    char *s = tu_slurp(path, len);
    assert_non_null(s);
    return s;
}

static void spit(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
}

/* No run of six or more digits: nothing that could be (part of) a CPR. */
static void assert_no_cpr(const char *s)
{
    int run = 0;
    for (; *s; s++) {
        run = *s >= '0' && *s <= '9' ? run + 1 : 0;
        if (run >= 6) fail_msg("digit run in message: %s", s - 5);
    }
}

static int32_t D(const char *s)
{
    int32_t d;
    assert_true(dt_parse_iso(s, strlen(s), &d));
    return d;
}

/* ------------------------------------------------------------ CPR and ICD */

static void test_cpr_birth_follows_the_century_rule_and_parse_checks_shape_then_date(void **state)
{
    (void)state;
    struct { const char *cpr; const char *birth; } ok[] = {
        {"0101000000", "1900-01-01"}, {"0101991999", "1999-01-01"},
        {"0101362000", "1936-01-01"}, {"0101573999", "1957-01-01"},
        {"0101364000", "2036-01-01"}, {"0101374000", "1937-01-01"},
        {"0101009000", "2000-01-01"}, {"0101369999", "2036-01-01"},
        {"0101379999", "1937-01-01"}, {"0101994999", "1999-01-01"},
        {"0101575000", "2057-01-01"}, {"0101585000", "1858-01-01"},
        {"0101576000", "2057-01-01"}, {"0101587000", "1858-01-01"},
        {"0101578999", "2057-01-01"}, {"0101588999", "1858-01-01"},
        {"0101005000", "2000-01-01"}, {"0101998000", "1899-01-01"},
        {"2902004000", "2000-02-29"}, {"2902961234", "1996-02-29"},
        {"1406114321", "2011-06-14"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        int32_t b = DT_NONE;
        char s[11];
        assert_true(cpr_birth(ok[i].cpr, &b));
        dt_format(b, s);
        assert_string_equal(s, ok[i].birth);
    }
    static const char *bad[] = {
        "3102111234",   /* 31 February */
        "2902001234",   /* 1900 is not a leap year */
        "2902974000",   /* 1997 */
        "0013001234", "0001001234", "3204001234", "010100123x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int32_t b = 7;
        assert_false(cpr_birth(bad[i], &b));
        assert_int_equal(b, 7);
    }
    /* cpr_parse: the shape, then the date; the digits only when both hold */
    char digits[11];
    int32_t b = DT_NONE;
    assert_int_equal(cpr_parse("140611-4321", 11, digits, &b), CPR_OK);
    assert_string_equal(digits, "1406114321");
    assert_int_equal(b, D("2011-06-14"));
    assert_int_equal(cpr_parse("1406114321", 10, digits, &b), CPR_OK);
    assert_string_equal(digits, "1406114321");
    static const char *shape[] = {"140611 4321", "14061-14321", "140611-432", "14O6114321",
                                  "140611--4321", ""};
    for (size_t i = 0; i < sizeof shape / sizeof *shape; i++) {
        assert_int_equal(cpr_parse(shape[i], strlen(shape[i]), digits, &b), CPR_SHAPE);
        assert_string_equal(digits, "");
    }
    assert_int_equal(cpr_parse("310211-1234", 11, digits, &b), CPR_DATE);
    assert_string_equal(digits, "");
}

static void test_icd10_codes_in_who_or_sks_form_normalise_to_who(void **state)
{
    (void)state;
    struct { const char *in, *out; } t[] = {
        {"F90.0", "F90.0"}, {"DF900", "F90.0"}, {"DF90.0", "F90.0"},
        {"F900", "F90.0"}, {"f900", "F90.0"}, {"df90.0", "F90.0"},
        {"F41", "F41"}, {"DF41", "F41"}, {"DZ032", "Z03.2"}, {"Z03.2", "Z03.2"},
        {"F84.A1B", "F84.A1B"}, {"DF84A1B", "F84.A1B"},
        {"D50", "D50"}, {"D50.1", "D50.1"}, {"DD500", "D50.0"}, {"D501", "D50.1"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        char out[8] = "";
        assert_true(rf_icd_normalise(t[i].in, out));
        assert_string_equal(out, t[i].out);
    }
    static const char *bad[] = {
        "", "F", "F9", "F9.0", "F90.", "F90.1234", "F901234", "90.0", "DF9",
        "DDF900", "F90-0", "F90 0", "F90.0 ", " F90.0", "FF90", "F90..0",
        "F90.ø", "F90.0F90.0F90.0F90.0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char out[8];
        if (rf_icd_normalise(bad[i], out)) fail_msg("accepted \"%s\"", bad[i]);
    }
    char out[8];
    assert_false(rf_icd_normalise(NULL, out));
}

/* ------------------------------------------------------------ data files */

static triage_referral *parse_file(const char *name, triage_error *err)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", DATA, name);
    char *s = slurp(path, &len);
    triage_referral *r = triage_referral_parse(s, len, name, 1, err);
    free(s);
    return r;
}

static void test_every_pass_file_parses(void **state)
{
    (void)state;
    DIR *d = opendir(DATA);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "pass_", 5) != 0) continue;
        triage_error err;
        memset(&err, 0, sizeof err);
        triage_referral *r = parse_file(e->d_name, &err);
        if (!r) fail_msg("%s: %s", e->d_name, err.text);
        assert_int_equal(err.code, TRIAGE_OK);
        assert_non_null(triage_referral_id(r));
        assert_true(r->birth != DT_NONE && r->birth <= r->received);
        assert_int_equal(r->age, dt_age_years(r->birth, r->received));
        assert_non_null(r->municipality);
        assert_non_null(r->text);
        triage_referral_free(r);
        n++;
    }
    closedir(d);
    assert_true(n >= 10);
}

static void test_a_full_referral_fills_every_field(void **state)
{
    (void)state;
    triage_error err;
    triage_referral *r = parse_file("pass_full.json", &err);
    assert_non_null(r);
    assert_string_equal(triage_referral_id(r), "EX-FULL");
    assert_int_equal(r->received, D("2020-03-02"));
    assert_string_equal(rf_priority_names[r->priority], "urgent");
    assert_int_equal(r->referrer_kind, RK_SPECIALIST);
    assert_string_equal(r->referrer_name, "Speciallæge Ørsted");
    assert_string_equal(r->cpr, "1406114321");
    assert_int_equal(r->birth, D("2011-06-14"));
    assert_int_equal(r->age, 8);
    assert_string_equal(rf_sex_names[r->sex], "F");
    assert_string_equal(r->municipality, "Københavns Kommune");
    assert_int_equal(r->custody, CU_PLACED);
    assert_int_equal(r->consent_both, TRI_FALSE);
    assert_int_equal(r->ndiag, 4);
    assert_string_equal(r->diag[0], "F90.0");
    assert_string_equal(r->diag[1], "F41");
    assert_string_equal(r->diag[2], "Z03.2");
    assert_string_equal(r->diag[3], "F84.0");
    assert_int_equal(r->text_len, strlen(r->text));
    assert_non_null(strstr(r->text, "ønsker"));
    assert_int_equal(r->gapd, 3);
    assert_int_equal(r->nassess, 2);
    assert_int_equal(r->assess[0].kind, AK_COGNITIVE);
    assert_string_equal(r->assess[0].instrument, "WISC-V");
    assert_int_equal(r->assess[0].date, D("2019-11-20"));
    assert_int_equal(r->assess[0].fsiq, 68);
    assert_string_equal(r->assess[0].by, "PPR Gladsaxe");
    assert_int_equal(r->assess[1].kind, AK_SCHOOL_STATEMENT);
    assert_null(r->assess[1].instrument);
    assert_int_equal(r->assess[1].date, DT_NONE);
    assert_int_equal(r->assess[1].fsiq, -1);
    assert_int_equal(r->nprior, 2);
    assert_string_equal(r->prior[1], "family_support");
    assert_int_equal(r->risk[RISK_SUICIDE_ATTEMPT], TRI_FALSE);
    assert_int_equal(r->risk[RISK_SUICIDE_PLAN], TRI_NULL);
    assert_int_equal(r->risk[RISK_SUICIDAL_IDEATION], TRI_TRUE);
    assert_true(r->somatic[0] == 132.5 && r->somatic[1] == 28.0);
    assert_true(r->somatic[2] == 15.9 && r->somatic[3] == 0.0);
    assert_int_equal(r->nmed, 1);
    assert_string_equal(r->med[0], "melatonin");
    assert_int_equal(r->previous_buc, TRI_TRUE);
    triage_referral_free(r);

    /* The defaults of a minimal record. */
    r = parse_file("pass_minimal.json", &err);
    assert_non_null(r);
    assert_int_equal(r->priority, -1);
    assert_null(r->referrer_name);
    assert_string_equal(r->cpr, "");
    assert_int_equal(r->sex, -1);
    assert_int_equal(r->custody, CU_NONE);
    assert_int_equal(r->consent_both, TRI_NULL);
    assert_int_equal(r->ndiag + r->nassess + r->nprior + r->nmed, 0);
    assert_string_equal(r->text, "");
    assert_int_equal(r->text_len, 0);
    assert_int_equal(r->gapd, -1);
    for (int i = 0; i < RISK__N; i++) assert_int_equal(r->risk[i], TRI_NULL);
    for (int i = 0; i < 4; i++) assert_true(isnan(r->somatic[i]));
    assert_int_equal(r->previous_buc, TRI_NULL);
    triage_referral_free(r);

    r = parse_file("pass_cpr_only.json", &err);
    assert_non_null(r);
    assert_string_equal(r->cpr, "1406114321");
    assert_int_equal(r->birth, D("2011-06-14"));
    triage_referral_free(r);

    r = parse_file("pass_sks_codes.json", &err);
    assert_non_null(r);
    static const char *want[] = {"F90.0", "F90.0", "F90.0", "F90.0", "Z03.2", "F41",
                                 "D50", "D50.0", "F84.A1B"};
    assert_int_equal(r->ndiag, 9);
    for (int i = 0; i < 9; i++) assert_string_equal(r->diag[i], want[i]);
    triage_referral_free(r);

    r = parse_file("pass_nulls.json", &err);
    assert_non_null(r);
    assert_int_equal(r->gapd, -1);
    assert_int_equal(r->custody, CU_NONE);
    assert_int_equal(r->assess[0].fsiq, -1);
    triage_referral_free(r);

    r = parse_file("pass_integral_real.json", &err);
    assert_non_null(r);
    assert_int_equal(r->gapd, 3);
    assert_int_equal(r->assess[0].fsiq, 70);
    triage_referral_free(r);

    r = parse_file("pass_born_on_received.json", &err);
    assert_non_null(r);
    assert_int_equal(r->age, 0);
    triage_referral_free(r);
}

static void test_every_fail_file_fails_naming_its_field_without_a_cpr(void **state)
{
    (void)state;
    DIR *d = opendir(DATA);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        const char *name = e->d_name, *sep;
        if (strncmp(name, "fail_", 5) != 0) continue;
        sep = strstr(name, "__");
        if (!sep) fail_msg("%s: name it fail_<field>__<what>.json", name);
        char field[96], want[256];
        snprintf(field, sizeof field, "%.*s", (int)(sep - name - 5), name + 5);

        triage_error err;
        memset(&err, 0, sizeof err);
        triage_referral *r = parse_file(name, &err);
        if (r) fail_msg("%s: accepted", name);
        if (err.code != TRIAGE_EINVAL || strcmp(err.field, field) != 0)
            fail_msg("%s: code %d field \"%s\": %s", name, err.code, err.field, err.text);
        assert_string_equal(err.msg, triage_strerror(TRIAGE_EINVAL));
        assert_string_equal(err.file, name);
        assert_int_equal(err.line, 1);
        /* "FILE:LINE: ID: FIELD: what", the id once it is known good. */
        if (strcmp(field, "id") == 0) {
            assert_string_equal(err.id, "");
            snprintf(want, sizeof want, "%s:1: id: ", name);
        } else {
            assert_true(err.id[0] != '\0');
            snprintf(want, sizeof want, "%s:1: %s: %s: ", name, err.id, field);
        }
        if (strncmp(err.text, want, strlen(want)) != 0)
            fail_msg("%s: text \"%s\" does not start \"%s\"", name, err.text, want);
        assert_true(strlen(err.text) > strlen(want));
        assert_no_cpr(err.text);
        assert_no_cpr(err.id);
        n++;
    }
    closedir(d);
    assert_true(n >= 40);
}

/* The messages that quote values, exactly. */
static void test_messages_quote_bad_values_exactly(void **state)
{
    (void)state;
    struct { const char *file, *text; } t[] = {
        {"fail_patient.birth_date__not_a_date.json",
         "fail_patient.birth_date__not_a_date.json:1: T-1: patient.birth_date: "
         "\"2011-13-40\" is not a date (YYYY-MM-DD)"},
        {"fail_patient.cpr__impossible_date.json",
         "fail_patient.cpr__impossible_date.json:1: T-1: patient.cpr: "
         "is not a valid CPR number (DDMMYY is not a date)"},
        {"fail_referrer.kind__bad_enum.json",
         "fail_referrer.kind__bad_enum.json:1: T-1: referrer.kind: \"doctor\" is not one "
         "of gp, specialist, hospital, municipality, health_visitor, self, other"},
        {"fail_id__too_long.json",
         "fail_id__too_long.json:1: id: is too long (65 characters, at most 64)"},
        {"fail_diagnoses__too_many.json",
         "fail_diagnoses__too_many.json:1: T-1: diagnoses: has 21 items, at most 20"},
        {"fail_gapd__non_integer.json",
         "fail_gapd__non_integer.json:1: T-1: gapd: 2.5 is not an integer"},
        {"fail_assessments[1].kind__missing.json",
         "fail_assessments[1].kind__missing.json:1: T-1: assessments[1].kind: is required"},
        {"fail_received__cpr_in_id.json",
         "fail_received__cpr_in_id.json:1: R-XXXXXX-XXXX: received: "
         "\"13.03.2020\" is not a date (YYYY-MM-DD)"},
        {"fail_referrer.kind__cpr_in_value.json",
         "fail_referrer.kind__cpr_in_value.json:1: T-1: referrer.kind: \"gp XXXXXX-XXXX\" "
         "is not one of gp, specialist, hospital, municipality, health_visitor, self, other"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        triage_error err;
        assert_null(parse_file(t[i].file, &err));
        assert_string_equal(err.text, t[i].text);
    }
    /* Without a file the message starts at the id. */
    const char *j = "{\"id\":\"A\",\"received\":\"2020-01-01\",\"referrer\":{\"kind\":\"gp\"},"
                    "\"patient\":{\"municipality\":\"X\",\"birth_date\":\"2021-01-01\"}}";
    triage_error err;
    assert_null(triage_referral_parse(j, strlen(j), NULL, 0, &err));
    assert_string_equal(err.text, "A: patient.birth_date: is after received (born after the referral)");
    assert_string_equal(err.file, "");
    assert_int_equal(err.line, 0);
    /* err may be NULL. */
    assert_null(triage_referral_parse(j, strlen(j), NULL, 0, NULL));
}

/* Limits count characters (code points), not bytes; long quotes are cut. */
static void test_length_limits_count_characters_not_bytes(void **state)
{
    (void)state;
    const char *head = "{\"id\":\"T\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
                       "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"},"
                       "\"text\":\"";
    size_t hl = strlen(head), max = hl + 65537 * 2 + 8;
    char *j = malloc(max);
    triage_error err;
    assert_non_null(j);
    for (int chars = 65535; chars <= 65537; chars++) {
        size_t n = hl;
        memcpy(j, head, hl);
        for (int i = 0; i < chars; i++) { j[n++] = '\xC3'; j[n++] = '\xA6'; }  /* æ */
        memcpy(j + n, "\"}", 2);
        n += 2;
        triage_referral *r = triage_referral_parse(j, n, "t", 1, &err);
        if (chars <= 65536) {
            assert_non_null(r);
            assert_int_equal(r->text_len, (size_t)chars * 2);
            triage_referral_free(r);
        } else {
            assert_null(r);
            assert_string_equal(err.field, "text");
            assert_string_equal(err.text, "t:1: T: text: is too long (65537 characters, at most 65536)");
        }
    }
    free(j);

    /* A long bad value is quoted short, cut on a character, ending in "…". */
    char b[600];
    snprintf(b, sizeof b, "{\"id\":\"T\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"%s\"},"
             "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"}}",
             "øøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøø");
    assert_null(triage_referral_parse(b, strlen(b), NULL, 0, &err));
    assert_string_equal(err.text, "T: referrer.kind: \"øøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøø…\" "
                        "is not one of gp, specialist, hospital, municipality, health_visitor, self, other");
    /* Four-byte characters fit too. */
    char kind[256] = "", shown[200] = "\"";
    for (int i = 0; i < 50; i++) strcat(kind, "\xF0\x9F\x98\x80");
    for (int i = 0; i < 40; i++) strcat(shown, "\xF0\x9F\x98\x80");
    strcat(shown, "\xE2\x80\xA6\" is not one of");
    snprintf(b, sizeof b, "{\"id\":\"T\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"%s\"},"
             "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"}}", kind);
    assert_null(triage_referral_parse(b, strlen(b), NULL, 0, &err));
    assert_non_null(strstr(err.text, shown));
    /* ... and never ends in part of a digit run. */
    snprintf(b, sizeof b, "{\"id\":\"T\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"%s\"},"
             "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"}}",
             "a long kind that ends with the number 1406114321");
    assert_null(triage_referral_parse(b, strlen(b), NULL, 0, &err));
    assert_no_cpr(err.text);
    assert_non_null(strstr(err.text, "\"a long kind that ends with the number…\""));
}

static void test_bad_json_fails_with_line_and_column(void **state)
{
    (void)state;
    triage_error err;
    struct { const char *json; size_t len; const char *text; } t[] = {
        {"{\"id\":\"A\",", 0, "f:3: invalid JSON: string or '}' expected near end of file (line 3, column 10)"},
        {"{\"id\":\"A\",\"id\":\"B\"}", 0, "f:3: invalid JSON: duplicate object key near '\"id\"' (line 3, column 14)"},
        {"{\"id\":\"\xff\"}", 0, "f:3: invalid JSON: not valid UTF-8 (byte 0xff) (line 3, column 7)"},
        {"{\"id\":\"A\\u0000\"}", 0, "f:3: invalid JSON: \\u0000 (NUL) is not allowed in a string (line 3, column 15)"},
        {"{\"a\":\n 1} {}", 0, "f:3: invalid JSON: end of file expected near '{' (line 4, column 5)"},
        {"{\"cpr\":\"140611-4321", 0, NULL},
        {"{\"cpr\":140611-4321}", 0, NULL},
        {"", 0, NULL},
        {"{\"a\":1,\n\"b\":\"x\0\"}", 15, "f:3: invalid JSON: a NUL byte in the input (line 4, column 7)"},
        {"{\"a\":1\0}", 8, "f:3: invalid JSON: a NUL byte in the input (line 3, column 7)"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        size_t len = t[i].len ? t[i].len : strlen(t[i].json);
        assert_null(triage_referral_parse(t[i].json, len, "f", 3, &err));
        assert_int_equal(err.code, TRIAGE_EJSON);
        assert_string_equal(err.msg, "invalid JSON");
        assert_int_equal(err.line, 3);
        if (t[i].text) assert_string_equal(err.text, t[i].text);
        assert_non_null(strstr(err.text, "invalid JSON: "));
        assert_no_cpr(err.text);
    }
    /* Valid JSON, not an object. */
    assert_null(triage_referral_parse("[1]", 3, "f", 2, &err));
    assert_int_equal(err.code, TRIAGE_EINVAL);
    assert_string_equal(err.text, "f:2: record is an array, not an object");
    assert_null(triage_referral_parse(NULL, 0, "f", 2, &err));
    assert_int_equal(err.code, TRIAGE_EUSAGE);
    assert_string_equal(err.text, "f:2: no JSON text given");
}

static void test_every_code_has_a_description_and_names_follow_the_schema(void **state)
{
    (void)state;
    for (int c = TRIAGE_OK; c <= TRIAGE_EUSAGE; c++) {
        assert_non_null(triage_strerror((triage_code)c));
        assert_true(triage_strerror((triage_code)c)[0] != '\0');
    }
    assert_non_null(triage_strerror((triage_code)999));
    assert_string_equal(rf_referrer_names[RK_HEALTH_VISITOR], "health_visitor");
    assert_string_equal(rf_custody_names[CU_UNKNOWN], "unknown");
    assert_string_equal(rf_assessment_names[AK_CHILD_WELFARE], "child_welfare");
    assert_string_equal(rf_risk_names[RISK_SUBSTANCE_MISUSE], "substance_misuse");
    assert_string_equal(rf_priority_names[2], "asap");
    assert_string_equal(rf_sex_names[2], "U");
}

/* The one error constructor: every part, the message's shape, and what it
** guarantees (one line, whole characters, no CPR) whoever calls it. */
static void test_error_set_fills_every_field_in_one_shape(void **state)
{
    (void)state;
    triage_error err;
    memset(&err, 0x55, sizeof err);
    assert_int_equal(triage_error_set(&err, TRIAGE_EINVAL, "in.jsonl", 7, "R-1",
                                      "patient.sex", "'%s' is not one of F, M, U", "X"),
                     TRIAGE_EINVAL);
    assert_int_equal(err.code, TRIAGE_EINVAL);
    assert_string_equal(err.msg, triage_strerror(TRIAGE_EINVAL));
    assert_int_equal(err.line, 7);
    assert_string_equal(err.file, "in.jsonl");
    assert_string_equal(err.id, "R-1");
    assert_string_equal(err.field, "patient.sex");
    assert_string_equal(err.text, "in.jsonl:7: R-1: patient.sex: 'X' is not one of F, M, U");

    /* parts left out, fmt NULL: the code's description */
    triage_error_set(&err, TRIAGE_ENOMEM, NULL, 3, "", NULL, NULL);
    assert_string_equal(err.text, "out of memory");
    assert_string_equal(err.file, "");
    triage_error_set(&err, TRIAGE_EIO, "dir", 0, NULL, NULL, "cannot read");
    assert_string_equal(err.text, "dir: cannot read");

    /* TRIAGE_OK without fmt marks "no error, here" */
    triage_error_set(&err, TRIAGE_OK, "f", 4, NULL, NULL, NULL);
    assert_int_equal(err.code, TRIAGE_OK);
    assert_string_equal(err.text, "");
    assert_string_equal(err.file, "f");
    assert_int_equal(err.line, 4);

    /* a NULL err is allowed: the code is still returned */
    assert_int_equal(triage_error_set(NULL, TRIAGE_EIO, "f", 1, NULL, NULL, "x"), TRIAGE_EIO);
}

static void test_error_set_masks_cpr_and_keeps_one_line_of_whole_characters(void **state)
{
    (void)state;
    triage_error err;
    triage_error_set(&err, TRIAGE_EINVAL, "0102031234.json", 1, "ID-0102031234",
                     "text", "bad 010203-1234\nnext line %s", "2503X24567");
    assert_no_cpr(err.text);
    assert_no_cpr(err.file);
    assert_no_cpr(err.id);
    assert_null(strchr(err.text, '\n'));
    /* a file name longer than the field keeps its end, from a character */
    char longname[602];
    for (size_t i = 0; i < 590; i += 2)
        memcpy(longname + i, "\xC3\xA6", 2);                     /* æ */
    strcpy(longname + 590, "/0102031234");
    triage_error_set(&err, TRIAGE_EIO, longname, 0, NULL, NULL, "cannot open");
    size_t n = strlen(err.file);
    assert_true(n > 100 && n < sizeof err.file);
    assert_memory_equal(err.file, "\xE2\x80\xA6\xC3\xA6", 5);        /* "…æ" */
    assert_string_equal(err.file + n - 12, "/XXXXXX-XXXX");
    n = strlen(err.text);
    assert_true(n < sizeof err.text);
    assert_true(((unsigned char)err.text[n - 1] & 0xC0) != 0xC0);  /* no cut sequence */
    /* a cut among digits drops the rest of that run */
    memset(longname, '7', 601);
    longname[601] = '\0';
    triage_error_set(&err, TRIAGE_EIO, longname, 0, NULL, NULL, "x");
    assert_no_cpr(err.file);
}

/* ----------------------------------------------------------------- reader */

#define REC(id) "{\"id\":\"" id "\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"}," \
                "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"}}"

typedef struct { int rc; const char *id; long line; const char *raw; } want_t;

/* Read path to the end, checking each step against w (terminated by rc 0). */
static void read_expect(const char *path, const want_t *w)
{
    triage_error err;
    triage_reader *rd = triage_reader_open(path, &err);
    if (!rd) fail_msg("%s", err.text);
    for (int i = 0;; i++) {
        triage_referral *r = (triage_referral *)1;
        const char *raw = (const char *)1;
        size_t raw_len = 99;
        memset(&err, 0, sizeof err);
        int rc = triage_reader_next(rd, &r, &err, &raw, &raw_len);
        if (rc != w[i].rc)
            fail_msg("%s #%d: rc %d, want %d (%s)", path, i, rc, w[i].rc, err.text);
        if (rc == 0) {
            assert_null(r);
            /* End of input stays the end. */
            assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 0);
            break;
        }
        if (rc == 1) {
            assert_non_null(r);
            assert_string_equal(triage_referral_id(r), w[i].id);
            assert_int_equal(err.code, TRIAGE_OK);
            assert_string_equal(err.file, path);
            if (w[i].line) assert_int_equal(err.line, w[i].line);
            assert_int_equal(triage_reader_line(rd), err.line);
            triage_referral_free(r);
        } else {
            assert_null(r);
            assert_int_equal(err.line, w[i].line);
            assert_int_equal(triage_reader_line(rd), w[i].line);
            assert_true(err.code == TRIAGE_EJSON || err.code == TRIAGE_EINVAL);
            assert_true(strstr(err.text, path) == err.text);
            assert_no_cpr(err.text);
            if (w[i].raw) {
                assert_int_equal(raw_len, strlen(w[i].raw));
                assert_memory_equal(raw, w[i].raw, raw_len);
            }
        }
    }
    triage_reader_close(rd);
}

static char tmp[512];
static const char *tmpfile_with(const char *name, const char *s, size_t n)
{
    snprintf(tmp, sizeof tmp, "%s/test_referral_%s", TRIAGE_BINARY_DIR, name);
    spit(tmp, s, n);
    return tmp;
}

static void test_reader_goes_on_after_a_bad_json_line(void **state)
{
    (void)state;
    const char *s =
        REC("A") "\n"
        "{\"id\":\"B\",\"received\":\"2020-03-02\", broken\n"
        REC("C") "\n"
        "\n"
        REC("D") "\r\n"
        "{\"id\":\"E\",\"received\":\"2020-3-2\",\"referrer\":{\"kind\":\"gp\"},"
        "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"}}\n"
        "{\"id\":\"F\"\n"           /* missing '}' : the next line is a record */
        REC("G") "\n"
        "{\"id\":\"H\",\"patient\":{\"cpr\":\"140611-4321\n"   /* CPR in a broken string */
        REC("I") "  " REC("J") "\n"
        "42\n"
        REC("K");                   /* no final newline */
    want_t w[] = {
        {1, "A", 1, NULL},
        {-1, NULL, 2, "{\"id\":\"B\",\"received\":\"2020-03-02\", broken\n"},
        {1, "C", 3, NULL},
        {1, "D", 5, NULL},
        {-1, NULL, 6, "{\"id\":\"E\",\"received\":\"2020-3-2\",\"referrer\":{\"kind\":\"gp\"},"
                      "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"}}"},
        {-1, NULL, 7, "{\"id\":\"F\"\n"},
        {1, "G", 8, NULL},
        {-1, NULL, 9, NULL},
        {1, "I", 10, NULL},
        {1, "J", 10, NULL},
        {-1, NULL, 11, "42"},
        {1, "K", 12, NULL},
        {0, NULL, 0, NULL},
    };
    read_expect(tmpfile_with("jsonl.jsonl", s, strlen(s)), w);

    /* The message for the broken line names file, line and column. */
    triage_error err;
    triage_referral *r;
    triage_reader *rd = triage_reader_open(tmp, &err);
    assert_non_null(rd);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 1);
    triage_referral_free(r);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), -1);
    char want[600];
    snprintf(want, sizeof want, "%s:2: invalid JSON: string or '}' expected near 'broken' "
             "(line 2, column 41)", tmp);
    assert_string_equal(err.text, want);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 1);
    triage_referral_free(r);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 1);
    triage_referral_free(r);
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), -1);
    snprintf(want, sizeof want, "%s:6: E: received: \"2020-3-2\" is not a date (YYYY-MM-DD)", tmp);
    assert_string_equal(err.text, want);
    triage_reader_close(rd);
}

static void test_reader_reads_a_top_level_array_over_many_lines(void **state)
{
    (void)state;
    const char *s =
        "\xEF\xBB\xBF[\n"
        "  " REC("A") ",\n"
        "  {\n"
        "    \"id\": \"B\",\n"
        "    \"received\": \"2020-03-02\",\n"
        "    \"referrer\": {\"kind\": \"gp\"},\n"
        "    \"patient\": {\"birth_date\": \"2011-06-14\", \"municipality\": \"G\"}\n"
        "  },\n"
        "  {\n"
        "    \"id\": \"C\", oops\n"
        "  },\n"
        "  " REC("D") ", " REC("E") ",\n"
        "  \"not a record\"\n"
        "]\n"
        "[" REC("F") "]\n"
        REC("G") "\n";
    want_t w[] = {
        {1, "A", 2, NULL},
        {1, "B", 3, NULL},
        {-1, NULL, 9, "{\n    \"id\": \"C\", oops\n  },\n"},
        {1, "D", 12, NULL},
        {1, "E", 12, NULL},
        {-1, NULL, 13, "\"not a record\""},
        {1, "F", 15, NULL},
        {1, "G", 16, NULL},
        {0, NULL, 0, NULL},
    };
    read_expect(tmpfile_with("array.json", s, strlen(s)), w);

    /* A missing comma, and an array that is never closed. */
    const char *u = "[" REC("A") "\n" REC("B") ",\n" REC("C") "\n";
    want_t wu[] = {
        {1, "A", 0, NULL},
        {-1, NULL, 2, NULL},
        {1, "C", 0, NULL},
        {-1, NULL, 4, NULL},
        {0, NULL, 0, NULL},
    };
    read_expect(tmpfile_with("unclosed.json", u, strlen(u)), wu);
}

/* The spec's examples: objects over several lines, alone and one after another. */
static void test_reader_reads_every_spec_example(void **state)
{
    (void)state;
    static const char *ex[] = {"01-adhd-gp-missing-docs", "02-adhd-docs-in-text",
                               "03-acute-suicide-attempt", "04-wellbeing-only",
                               "05-anxiety-specialist"};
    char path[512];
    char *all = NULL;
    size_t alen = 0;
    long line = 1, lines[5];
    for (int i = 0; i < 5; i++) {
        size_t len;
        snprintf(path, sizeof path, "%s/tests/spec/examples/%s.referral.json",
                 TRIAGE_SOURCE_DIR, ex[i]);
        char *s = slurp(path, &len);
        triage_error err;
        triage_referral *r = triage_referral_parse(s, len, path, 1, &err);
        if (!r) fail_msg("%s", err.text);
        triage_referral_free(r);

        all = realloc(all, alen + len + 1);
        memcpy(all + alen, s, len);
        alen += len;
        lines[i] = line;
        for (size_t k = 0; k < len; k++) line += s[k] == '\n';
        if (len && s[len - 1] != '\n') { all[alen++] = '\n'; line++; }
        free(s);
    }
    const char *p = tmpfile_with("examples.json", all, alen);
    triage_error err;
    triage_reader *rd = triage_reader_open(p, &err);
    assert_non_null(rd);
    for (int i = 0; i < 5; i++) {
        triage_referral *r;
        int rc = triage_reader_next(rd, &r, &err, NULL, NULL);
        if (rc != 1) fail_msg("%s", err.text);
        assert_true(strncmp(triage_referral_id(r), "EX-0", 4) == 0);
        assert_int_equal(triage_referral_id(r)[4], '1' + i);
        assert_int_equal(err.code, TRIAGE_OK);   /* a record says where it starts */
        assert_int_equal(err.line, lines[i]);
        assert_string_equal(err.file, p);
        triage_referral_free(r);
    }
    triage_referral *r;
    assert_int_equal(triage_reader_next(rd, &r, &err, NULL, NULL), 0);
    triage_reader_close(rd);
    free(all);
}

/* Line labels: a record that starts on line N of a multi-line file. */
static void test_reader_labels_a_record_with_its_first_line(void **state)
{
    (void)state;
    const char *s = "\n\n  {\"id\":\"A\",\n\"received\":\"2020-13-02\",\"referrer\":{\"kind\":\"gp\"},"
                    "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"}}\n";
    want_t w[] = {{-1, NULL, 3, NULL}, {0, NULL, 0, NULL}};
    read_expect(tmpfile_with("lines.json", s, strlen(s)), w);
}

static void test_reader_handles_empty_bom_huge_and_missing_input(void **state)
{
    (void)state;
    want_t none[] = {{0, NULL, 0, NULL}};
    read_expect(tmpfile_with("empty.json", "", 0), none);
    read_expect(tmpfile_with("blank.json", " \n\t\r\n\n", 6), none);
    read_expect(tmpfile_with("bom.json", "\xEF\xBB\xBF", 3), none);
    read_expect(tmpfile_with("bom_empty_array.json", "\xEF\xBB\xBF[ ]\n[]", 9), none);

    /* Truncated input. */
    const char *t = REC("A") "\n{\"id\":\"B\",\"rec";
    want_t wt[] = {{1, "A", 0, NULL}, {-1, NULL, 2, "{\"id\":\"B\",\"rec"}, {0, NULL, 0, NULL}};
    read_expect(tmpfile_with("truncated.json", t, strlen(t)), wt);

    /* NUL bytes, between records and inside one. */
    char nul[600];
    size_t n = 0;
    const char *a = REC("A"), *b = REC("B");
    memcpy(nul + n, a, strlen(a)); n += strlen(a);
    nul[n++] = '\0';
    nul[n++] = '\n';
    memcpy(nul + n, "{\"id\":\"X\0\"}\n", 12); n += 12;
    memcpy(nul + n, b, strlen(b)); n += strlen(b);
    want_t wn[] = {{1, "A", 0, NULL}, {-1, NULL, 1, NULL}, {-1, NULL, 2, NULL},
                   {1, "B", 0, NULL}, {0, NULL, 0, NULL}};
    read_expect(tmpfile_with("nul.json", nul, n), wn);

    /* Garbage only, and a lone closing bracket: errors, never a loop. */
    want_t wg[] = {{-1, NULL, 1, NULL}, {0, NULL, 0, NULL}};
    read_expect(tmpfile_with("garbage.json", "hello world\nmore\n", 17), wg);
    read_expect(tmpfile_with("close.json", "]", 1), wg);
    want_t wg2[] = {{-1, NULL, 1, NULL}, {-1, NULL, 2, NULL}, {0, NULL, 0, NULL}};
    read_expect(tmpfile_with("brackets.json", "}\n{", 3), wg2);

    /* A huge string in an unknown field: kept and ignored. */
    size_t big = 3u << 20;
    char *h = malloc(big + 300);
    assert_non_null(h);
    n = (size_t)sprintf(h, "{\"id\":\"H\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
                           "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"G\"},\"x_scan\":\"");
    memset(h + n, 'x', big);
    n += big;
    n += (size_t)sprintf(h + n, "\"}\n" REC("I"));
    want_t wh[] = {{1, "H", 0, NULL}, {1, "I", 0, NULL}, {0, NULL, 0, NULL}};
    read_expect(tmpfile_with("huge.json", h, n), wh);
    free(h);

    /* A file that is not there. */
    triage_error err;
    assert_null(triage_reader_open(TRIAGE_BINARY_DIR "/no/such/file.json", &err));
    assert_int_equal(err.code, TRIAGE_EIO);
    assert_non_null(strstr(err.text, "cannot open"));
    assert_null(triage_reader_open(NULL, &err));
    assert_int_equal(err.code, TRIAGE_EUSAGE);
    assert_string_equal(err.text, "no input file given");
    triage_reader_close(NULL);
}

/* ------------------------------------------------------- packed referrals */

static void same_str(const char *a, const char *b)
{
    if (!a || !b) assert_ptr_equal(a, b);
    else assert_string_equal(a, b);
}

/* Every field the rules can see is the same in a and b. */
static void same_referral(const triage_referral *a, const triage_referral *b)
{
    assert_string_equal(a->id, b->id);
    assert_int_equal(a->received, b->received);
    assert_int_equal(a->priority, b->priority);
    assert_int_equal(a->referrer_kind, b->referrer_kind);
    same_str(a->referrer_name, b->referrer_name);
    assert_string_equal(a->cpr, b->cpr);
    assert_int_equal(a->birth, b->birth);
    assert_int_equal(a->age, b->age);
    assert_int_equal(a->sex, b->sex);
    assert_string_equal(a->municipality, b->municipality);
    assert_int_equal(a->custody, b->custody);
    assert_int_equal(a->consent_both, b->consent_both);
    assert_int_equal(a->ndiag, b->ndiag);
    for (int i = 0; i < a->ndiag; i++) assert_string_equal(a->diag[i], b->diag[i]);
    assert_int_equal(a->text_len, b->text_len);
    assert_memory_equal(a->text, b->text, a->text_len + 1);
    assert_int_equal(a->gapd, b->gapd);
    assert_int_equal(a->nassess, b->nassess);
    for (int i = 0; i < a->nassess; i++) {
        assert_int_equal(a->assess[i].kind, b->assess[i].kind);
        same_str(a->assess[i].instrument, b->assess[i].instrument);
        assert_int_equal(a->assess[i].date, b->assess[i].date);
        assert_int_equal(a->assess[i].fsiq, b->assess[i].fsiq);
        same_str(a->assess[i].by, b->assess[i].by);
    }
    assert_int_equal(a->nprior, b->nprior);
    for (int i = 0; i < a->nprior; i++) assert_string_equal(a->prior[i], b->prior[i]);
    assert_int_equal(a->nmed, b->nmed);
    for (int i = 0; i < a->nmed; i++) assert_string_equal(a->med[i], b->med[i]);
    for (int i = 0; i < RISK__N; i++) assert_int_equal(a->risk[i], b->risk[i]);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(isnan(a->somatic[i]), isnan(b->somatic[i]));
        if (!isnan(a->somatic[i])) assert_true(a->somatic[i] == b->somatic[i]);
    }
    assert_int_equal(a->previous_buc, b->previous_buc);
}

static const char PACK_FULL[] =
    "{\"id\":\"R-1\",\"received\":\"2024-03-01\",\"priority\":\"urgent\","
    "\"referrer\":{\"kind\":\"specialist\",\"name\":\"Dr. \\u00c6\"},"
    "\"patient\":{\"cpr\":\"010110-4123\",\"birth_date\":\"2010-01-01\",\"sex\":\"M\","
    "\"municipality\":\"K\\u00f8ge\",\"custody\":null},"
    "\"consent\":{\"both_custodians\":false},\"diagnoses\":[\"DF900\",\"F41\",\"F84.10\"],"
    "\"text\":\"Tekst med \\\"citat\\\", tal 12 og \\u00e6\\u00f8\\u00e5 \\ud83d\\ude00.\","
    "\"gapd\":null,\"assessments\":[{\"kind\":\"cognitive\",\"instrument\":\"WISC-V\","
    "\"date\":\"2023-01-02\",\"fsiq\":68,\"by\":\"PPR\"},{\"kind\":\"ppv\"},"
    "{\"kind\":\"other\",\"fsiq\":null}],\"prior_interventions\":[\"PMTO\",\"\"],"
    "\"risk\":{\"self_harm\":true,\"psychosis\":false},"
    "\"somatic\":{\"height_cm\":150.5,\"bmi\":null},\"medication\":[\"methylphenidat\"],"
    "\"previous_buc_contact\":true}";

static const char PACK_BARE[] =
    "{\"id\":\"x\",\"received\":\"2024-03-01\",\"referrer\":{\"kind\":\"self\"},"
    "\"patient\":{\"birth_date\":\"2008-02-29\",\"municipality\":\"A\"}}";

static void test_packed_referral_unpacks_to_the_same(void **state)
{
    const char *const cases[] = {PACK_FULL, PACK_BARE};
    for (int c = 0; c < 2; c++) {
        triage_error err;
        triage_referral *r = triage_referral_parse(cases[c], strlen(cases[c]), "p.json", 1, &err);
        if (!r) fail_msg("fixture: %s", err.text);
        size_t n;
        void *blob = rp_pack(r, cases[c], strlen(cases[c]), &n);
        assert_non_null(blob);
        triage_referral *u = rp_unpack(blob, n, cases[c], strlen(cases[c]));
        assert_non_null(u);
        assert_null(u->raw);
        same_referral(r, u);
        triage_referral_free(u);
        free(blob);
        triage_referral_free(r);
    }
}

/* Any change to the blob or to the JSON it was made from is refused (the
** store then parses the JSON); none of it may crash or read out of bounds. */
static void test_damaged_or_stale_pack_is_refused(void **state)
{
    triage_error err;
    size_t jn = strlen(PACK_FULL), n;
    triage_referral *r = triage_referral_parse(PACK_FULL, jn, "p.json", 1, &err);
    assert_non_null(r);
    unsigned char *blob = rp_pack(r, PACK_FULL, jn, &n);
    assert_non_null(blob);
    for (size_t cut = 0; cut < n; cut++)            /* every truncation */
        assert_null(rp_unpack(blob, cut, PACK_FULL, jn));
    for (size_t i = 0; i < n; i++) {                /* every byte changed */
        blob[i] ^= 0x20;
        assert_null(rp_unpack(blob, n, PACK_FULL, jn));
        blob[i] ^= 0x20;
    }
    char *other = strdup(PACK_FULL);                /* the JSON edited */
    other[jn - 3] = 'X';
    assert_null(rp_unpack(blob, n, other, jn));
    assert_null(rp_unpack(blob, n, PACK_FULL, jn - 1));
    assert_null(rp_unpack(NULL, 0, PACK_FULL, jn));
    triage_referral *u = rp_unpack(blob, n, PACK_FULL, jn);   /* still whole */
    assert_non_null(u);
    triage_referral_free(u);
    free(other);
    free(blob);
    triage_referral_free(r);
}

/* Every pass_*.json of the validation suite survives the round trip. */
static void test_every_pass_file_packs_and_unpacks_to_the_same(void **state)
{
    DIR *dir = opendir(DATA);
    struct dirent *e;
    int seen = 0;
    assert_non_null(dir);
    while ((e = readdir(dir))) {
        char path[1024];
        size_t len, n;
        triage_error err;
        if (strncmp(e->d_name, "pass_", 5) != 0) continue;
        snprintf(path, sizeof path, "%s/%s", DATA, e->d_name);
        char *json = slurp(path, &len);
        triage_referral *r = triage_referral_parse(json, len, e->d_name, 1, &err);
        if (!r) fail_msg("%s: %s", e->d_name, err.text);
        void *blob = rp_pack(r, json, len, &n);
        triage_referral *u = rp_unpack(blob, n, json, len);
        assert_non_null(u);
        same_referral(r, u);
        triage_referral_free(u);
        triage_referral_free(r);
        free(blob);
        free(json);
        seen++;
    }
    closedir(dir);
    assert_true(seen > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpr_birth_follows_the_century_rule_and_parse_checks_shape_then_date),
        cmocka_unit_test(test_icd10_codes_in_who_or_sks_form_normalise_to_who),
        cmocka_unit_test(test_every_pass_file_parses),
        cmocka_unit_test(test_a_full_referral_fills_every_field),
        cmocka_unit_test(test_every_fail_file_fails_naming_its_field_without_a_cpr),
        cmocka_unit_test(test_messages_quote_bad_values_exactly),
        cmocka_unit_test(test_length_limits_count_characters_not_bytes),
        cmocka_unit_test(test_bad_json_fails_with_line_and_column),
        cmocka_unit_test(test_every_code_has_a_description_and_names_follow_the_schema),
        cmocka_unit_test(test_error_set_fills_every_field_in_one_shape),
        cmocka_unit_test(test_error_set_masks_cpr_and_keeps_one_line_of_whole_characters),
        cmocka_unit_test(test_reader_goes_on_after_a_bad_json_line),
        cmocka_unit_test(test_reader_reads_a_top_level_array_over_many_lines),
        cmocka_unit_test(test_reader_reads_every_spec_example),
        cmocka_unit_test(test_reader_labels_a_record_with_its_first_line),
        cmocka_unit_test(test_reader_handles_empty_bom_huge_and_missing_input),
        cmocka_unit_test(test_packed_referral_unpacks_to_the_same),
        cmocka_unit_test(test_damaged_or_stale_pack_is_refused),
        cmocka_unit_test(test_every_pass_file_packs_and_unpacks_to_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
