/*
** test_fhir.c — FHIR R4 in and out (docs/fhir.md). Every hand-written
** referral in tests/data/fhir maps to its native record and decides as
** expected; every fail_* file gives its exact error line; native referrals
** (the examples, the pass files, the whole corpus) survive the trip to FHIR
** and back unchanged; the answer has what fhir.md's table gives per outcome.
** With TRIAGE_FHIR_NDJSON set, every Bundle written is also appended there
** (one a line) for tests/fhir/run.sh to validate with FHIR.js.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <dirent.h>
#include <cmocka.h>
#include <jansson.h>

#include "testutil.h"
#include "date.h"
#include "decision.h"
#include "fhir.h"
#include "fhir_out.h"
#include "referral.h"
#include "referral_json.h"

#define DATA TRIAGE_SOURCE_DIR "/tests/data/fhir"
#define RULES TRIAGE_SOURCE_DIR "/rules"
#define DECIDED_AT "2020-12-01T09:30:00.000Z"

typedef struct fixture {
    triage_ruleset *rs;
    triage_decider *dc;
    fx_texts *texts;
    FILE *ndjson;               /* TRIAGE_FHIR_NDJSON, or NULL */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    triage_error err;
    f->rs = triage_ruleset_load(RULES, NULL, &err);
    if (!f->rs) fail_msg("%s", err.text);
    f->dc = triage_decider_new(f->rs, NULL, &err);
    f->texts = fx_texts_load(f->rs, &err);
    if (!f->dc || !f->texts) fail_msg("%s", err.text);
    const char *nd = getenv("TRIAGE_FHIR_NDJSON");
    if (nd && *nd && !(f->ndjson = fopen(nd, "a"))) fail_msg("cannot write %s", nd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->ndjson) fclose(f->ndjson);
    fx_texts_free(f->texts);
    triage_decider_free(f->dc);
    triage_ruleset_release(f->rs);
    free(f);
    return 0;
}

/* Keep a Bundle for the FHIR.js check (one line each). */
static void keep(fixture *f, const json_t *bundle)
{
    if (!f->ndjson) return;
    char *s = json_dumps(bundle, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(f->ndjson, "%s\n", s);
    free(s);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = tu_slurp(path, len);
    if (!s) fail_msg("cannot read %s", path);
    return s;
}

/* Sorted names in DATA that start with prefix and end with suffix. */
static int names(const char *prefix, const char *suffix, char out[][128], int max)
{
    DIR *d = opendir(DATA);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) && n < max) {
        size_t l = strlen(e->d_name), s = strlen(suffix);
        if (strncmp(e->d_name, prefix, strlen(prefix)) || l <= s || strcmp(e->d_name + l - s, suffix))
            continue;
        snprintf(out[n++], 128, "%s", e->d_name);
    }
    closedir(d);
    qsort(out, (size_t)n, 128, (int (*)(const void *, const void *))strcmp);
    return n;
}

/* No run of six or more digits: nothing that could be (part of) a CPR. */
static void assert_no_cpr(const char *s)
{
    int run = 0;
    for (const char *p = s; *p; p++) {
        run = *p >= '0' && *p <= '9' ? run + 1 : 0;
        if (run >= 6) fail_msg("digit run in \"%s\"", s);
    }
}

static triage_referral *read_case(const char *name, fx_origin **o, int *rc)
{
    size_t len;
    triage_error err;
    triage_referral *r = NULL;
    char *s = slurp(DATA, name, &len);
    *rc = fx_parse(s, len, name, 1, &r, o, &err);
    free(s);
    if (*rc < 0) fail_msg("%s: %s", name, err.text);
    return r;
}

/* The name of the case files that go with NN-name.fhir.json. */
static void sibling(const char *fhir, const char *ext, char out[160])
{
    snprintf(out, 160, "%.*s%s", (int)(strlen(fhir) - strlen(".fhir.json")), fhir, ext);
}

/* ------------------------------------------------------------ reading */

static void test_fhir_cases_map_to_their_native_record(void **state)
{
    (void)state;
    char files[64][128], exp[160];
    int n = names("", ".fhir.json", files, 64), records = 0, cancels = 0;
    assert_true(n >= 12);
    for (int i = 0; i < n; i++) {
        fx_origin *o;
        int rc;
        triage_referral *r = read_case(files[i], &o, &rc);
        json_error_t je;
        if (rc == FX_CANCEL) {
            sibling(files[i], ".expected.json", exp);
            char path[512];
            snprintf(path, sizeof path, "%s/%s", DATA, exp);
            json_t *want = json_load_file(path, 0, &je);
            assert_non_null(want);
            assert_null(r);
            assert_int_equal(o->event, FX_EVENT_CANCEL);
            assert_string_equal(o->referral_id, json_string_value(json_object_get(want, "id")));
            assert_string_equal(o->message_id, json_string_value(json_object_get(want, "message_id")));
            json_decref(want);
            fx_origin_free(o);
            cancels++;
            continue;
        }
        sibling(files[i], ".referral.json", exp);
        size_t len;
        char *text = slurp(DATA, exp, &len);
        json_t *want = json_loads(text, 0, &je);
        free(text);
        assert_non_null(want);
        if (!json_equal(r->raw, want)) {
            char *got = json_dumps(r->raw, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fail_msg("%s: mapped to %s", files[i], got);
        }
        /* And it is a native record: the native parser takes it as it is. */
        char *again = json_dumps(r->raw, JSON_COMPACT);
        triage_error err;
        triage_referral *native = triage_referral_parse(again, strlen(again), exp, 1, &err);
        if (!native) fail_msg("%s: %s", exp, err.text);
        assert_string_equal(triage_referral_id(native), triage_referral_id(r));
        assert_string_equal(o->referral_id, triage_referral_id(r));
        assert_non_null(o->request);
        assert_non_null(o->patient);
        triage_referral_free(native);
        free(again);
        json_decref(want);
        triage_referral_free(r);
        fx_origin_free(o);
        records++;
    }
    assert_true(records >= 12);
    assert_int_equal(cancels, 1);
}

static void test_fhir_message_events_and_ids_reach_the_caller(void **state)
{
    (void)state;
    fx_origin *o;
    int rc;
    triage_referral *r = read_case("01-gp-adhd-autism-message-new.fhir.json", &o, &rc);
    assert_int_equal(rc, FX_REFERRAL);
    assert_int_equal(o->event, FX_EVENT_NEW);
    assert_string_equal(o->message_id, "0b6a9c1e-5f4d-4e3c-8b2a-1c0d9e8f7a10");
    assert_non_null(o->header);
    assert_string_equal(o->request_url, "https://fhir.xmo-laege.dk/fhir/ServiceRequest/"
                                        "7f3d0c2a-6a51-4c1e-9a47-1b2f6c0d9e11");
    assert_string_equal(json_string_value(json_object_get(o->requester, "resourceType")),
                        "PractitionerRole");
    triage_referral_free(r);
    fx_origin_free(o);

    r = read_case("02-gp-adhd-autism-message-update.fhir.json", &o, &rc);
    assert_int_equal(o->event, FX_EVENT_UPDATE);
    assert_string_equal(o->referral_id, "HENV-2020-0914-0042");
    triage_referral_free(r);
    fx_origin_free(o);

    r = read_case("04-ppr-anxiety-contained.fhir.json", &o, &rc);
    assert_int_equal(o->event, FX_EVENT_NONE);
    assert_string_equal(o->message_id, "");
    assert_string_equal(o->request_url, "");
    assert_null(o->header);
    triage_referral_free(r);
    fx_origin_free(o);
}

static json_t *decide_json(fixture *f, const triage_referral *r, triage_decision **out)
{
    triage_decision *d = triage_decide(f->dc, r, 0);
    assert_non_null(d);
    char *s = triage_decision_json(d);
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    free(s);
    if (out) *out = d;
    else triage_decision_free(d);
    return j;
}

static void test_fhir_cases_decide_as_expected(void **state)
{
    fixture *f = *state;
    char files[64][128], exp[160], path[512];
    int n = names("", ".fhir.json", files, 64), checked = 0;
    static const char *const fields[] = {"id", "outcome", "target", "unit", "priority",
                                         "deadline", "missing", "request_from", NULL};
    for (int i = 0; i < n; i++) {
        fx_origin *o;
        int rc;
        triage_referral *r = read_case(files[i], &o, &rc);
        fx_origin_free(o);
        if (rc == FX_CANCEL) continue;
        sibling(files[i], ".expected.json", exp);
        snprintf(path, sizeof path, "%s/%s", DATA, exp);
        json_error_t je;
        json_t *want = json_load_file(path, 0, &je), *got = decide_json(f, r, NULL);
        assert_non_null(want);
        for (int k = 0; fields[k]; k++) {
            json_t *w = json_object_get(want, fields[k]);
            if (!w) continue;
            if (!json_equal(w, json_object_get(got, fields[k]))) {
                char *ws = json_dumps(w, JSON_ENCODE_ANY), *gs = json_dumps(
                    json_object_get(got, fields[k]), JSON_ENCODE_ANY);
                fail_msg("%s: %s: expected %s, got %s", files[i], fields[k], ws, gs ? gs : "absent");
            }
        }
        json_decref(want);
        json_decref(got);
        triage_referral_free(r);
        checked++;
    }
    assert_true(checked >= 12);
}

static void test_fhir_fail_cases_give_their_exact_error(void **state)
{
    (void)state;
    char files[64][128], exp[160];
    int n = names("fail_", ".json", files, 64);
    assert_true(n >= 20);
    for (int i = 0; i < n; i++) {
        size_t len, elen;
        char *s = slurp(DATA, files[i], &len);
        snprintf(exp, sizeof exp, "%.*s.error", (int)(strlen(files[i]) - 5), files[i]);
        char *want = slurp(DATA, exp, &elen);
        while (elen && (want[elen - 1] == '\n' || want[elen - 1] == '\r')) want[--elen] = '\0';
        triage_referral *r = (triage_referral *)1;
        fx_origin *o = (fx_origin *)1;
        triage_error err;
        int rc = fx_parse(s, len, files[i], 1, &r, &o, &err);
        assert_int_equal(rc, -1);
        assert_null(r);
        assert_null(o);
        if (strcmp(err.text, want)) fail_msg("%s:\n  expected %s\n  got      %s", files[i], want, err.text);
        assert_true(err.code == TRIAGE_EINVAL || err.code == TRIAGE_EJSON);
        assert_string_equal(err.file, files[i]);
        assert_int_equal(err.line, 1);
        /* The field is the FHIRPath in the message. */
        if (err.field[0]) assert_non_null(strstr(err.text, err.field));
        assert_no_cpr(err.text);
        free(s);
        free(want);
    }
}

/* Every kind of bad FHIR the issue names has its fail_ file. */
static void test_fhir_fail_cases_cover_every_kind_of_bad_fhir(void **state)
{
    (void)state;
    static const char *const kinds[] = {
        "fail_unresolved_reference.json", "fail_unresolved_contained.json",
        "fail_stu3_referralrequest.json", "fail_r5_reason.json", "fail_r5_profile.json",
        "fail_fhirversion.json", "fail_no_servicerequest.json", "fail_two_servicerequests.json",
        "fail_birthdate_not_a_string.json", "fail_birthdate_missing.json", "fail_truncated.json",
        "fail_note_not_an_array.json", "fail_duplicate_fullurl.json", NULL};
    for (int i = 0; kinds[i]; i++) {
        size_t len;
        free(slurp(DATA, kinds[i], &len));
    }
}

static void test_fhir_errors_never_show_a_cpr(void **state)
{
    (void)state;
    static const char *const docs[] = {
        /* a reference that is a CPR number */
        "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":"
        "{\"resourceType\":\"ServiceRequest\",\"id\":\"s\",\"subject\":{\"reference\":"
        "\"Patient/1406114321\"}}}]}",
        /* a CPR as the referral id, and a bad CPR */
        "{\"resourceType\":\"ServiceRequest\",\"id\":\"1406114321\",\"authoredOn\":\"2020-03-02\","
        "\"subject\":{\"reference\":\"#p\"},\"requester\":{\"reference\":\"#p\"},\"contained\":"
        "[{\"resourceType\":\"Patient\",\"id\":\"p\",\"identifier\":[{\"system\":"
        "\"urn:oid:1.2.208.176.1.2\",\"value\":\"3102111234\"}],\"address\":[{\"district\":\"X\"}]}]}",
        /* a CPR in a code */
        "{\"resourceType\":\"ServiceRequest\",\"id\":\"s\",\"priority\":\"140611-4321\"}",
        /* a CPR in the municipality code */
        "{\"resourceType\":\"ServiceRequest\",\"id\":\"s\",\"authoredOn\":\"2020-03-02\",\"subject\":"
        "{\"reference\":\"#p\"},\"requester\":{\"reference\":\"#p\"},\"contained\":[{\"resourceType\":"
        "\"Patient\",\"id\":\"p\",\"birthDate\":\"2011-06-14\",\"address\":[{\"extension\":[{\"url\":"
        "\"" FX_EXT_KOMMUNE "\",\"valueCodeableConcept\":{\"coding\":[{\"code\":\"1406114321\"}]}}]}]}]}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        triage_referral *r;
        triage_error err;
        assert_int_equal(fx_parse(docs[i], strlen(docs[i]), "in.json", 3, &r, NULL, &err), -1);
        assert_no_cpr(err.text);
        assert_no_cpr(err.id);
        assert_no_cpr(err.field);
    }
}

static void test_fhir_native_json_is_not_fhir(void **state)
{
    (void)state;
    const char *native = "{\"id\":\"A\",\"received\":\"2020-03-02\"}";
    triage_referral *r;
    triage_error err;
    json_error_t je;
    json_t *v = json_loads(native, 0, &je);
    assert_false(fx_is_fhir(v));
    json_decref(v);
    assert_int_equal(fx_parse(native, strlen(native), "n.json", 1, &r, NULL, &err), -1);
    assert_string_equal(err.text, "n.json:1: resourceType: missing: not a FHIR resource");
}

static void test_fhir_municipality_codes_are_dk_core(void **state)
{
    (void)state;
    assert_string_equal(fx_kommune_name("0101", 4), "København");
    assert_string_equal(fx_kommune_name("101", 3), "København");
    assert_string_equal(fx_kommune_name("0400", 4), "Bornholm");
    assert_string_equal(fx_kommune_name("0860", 4), "Hjørring");
    assert_null(fx_kommune_name("0999", 4));
    assert_null(fx_kommune_name("01011", 5));
    assert_null(fx_kommune_name("01a1", 4));
    assert_string_equal(fx_kommune_code("Lyngby-Taarbæk"), "0173");
    assert_null(fx_kommune_code("Lyngby"));
    /* every code reads back to its name, and the list is DK Core's 99 */
    int n = 0;
    for (int c = 0; c < 1000; c++) {
        char code[5];
        snprintf(code, sizeof code, "%04d", c);
        const char *name = fx_kommune_name(code, 4);
        if (!name) continue;
        assert_string_equal(fx_kommune_code(name), code);
        n++;
    }
    assert_int_equal(n, 99);
}

static void test_fhir_referrer_kind_from_danish_type_words(void **state)
{
    (void)state;
    assert_int_equal(fx_kind_of_text("Almen Praksis"), RK_GP);
    assert_int_equal(fx_kind_of_text("Speciallægepraksis i psykiatri"), RK_SPECIALIST);
    assert_int_equal(fx_kind_of_text("SUNDHEDSPLEJEN"), RK_HEALTH_VISITOR);
    assert_int_equal(fx_kind_of_text("PPR"), RK_MUNICIPALITY);
    assert_int_equal(fx_kind_of_text("Familieafdelingen"), RK_MUNICIPALITY);
    assert_int_equal(fx_kind_of_text("Regionshospitalet, Børneafdeling"), RK_HOSPITAL);
    assert_int_equal(fx_kind_of_text("Opprettet af klinik"), -1);   /* not PPR */
    assert_int_equal(fx_kind_of_coding(FX_SYS_SNOMED, "394761003"), RK_GP);
    assert_int_equal(fx_kind_of_coding(FX_CS("referrer-kind"), "health_visitor"), RK_HEALTH_VISITOR);
    assert_int_equal(fx_kind_of_coding(FX_CS("referrer-kind"), "nurse"), -1);
    assert_int_equal(fx_assessment_of_text("Pædagogisk-psykologisk vurdering (PPV)"), AK_PPV);
    assert_int_equal(fx_assessment_of_text("Skoleudtalelse"), AK_SCHOOL_STATEMENT);
    assert_int_equal(fx_assessment_of_text("Børnefaglig undersøgelse (§50)"), AK_CHILD_WELFARE);
    assert_int_equal(fx_assessment_of_text("WISC-V"), AK_COGNITIVE);
    assert_int_equal(fx_assessment_of_text("Epikrise"), -1);
}

/* -------------------------------------------------------- round trips */

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_num(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(1, fabs(a));
}

/* Every field a rule can read. */
static const char *differs(const triage_referral *a, const triage_referral *b)
{
    if (!same_str(a->id, b->id)) return "id";
    if (a->received != b->received) return "received";
    if (a->priority != b->priority) return "priority";
    if (a->referrer_kind != b->referrer_kind) return "referrer.kind";
    if (!same_str(a->referrer_name, b->referrer_name)) return "referrer.name";
    if (strcmp(a->cpr, b->cpr)) return "patient.cpr";
    if (a->birth != b->birth || a->age != b->age) return "patient.birth_date";
    if (a->sex != b->sex) return "patient.sex";
    if (!same_str(a->municipality, b->municipality)) return "patient.municipality";
    if (a->custody != b->custody) return "patient.custody";
    if (a->consent_both != b->consent_both) return "consent";
    if (a->ndiag != b->ndiag) return "diagnoses";
    for (int i = 0; i < a->ndiag; i++) if (strcmp(a->diag[i], b->diag[i])) return "diagnoses";
    if (a->text_len != b->text_len || memcmp(a->text, b->text, a->text_len)) return "text";
    if (a->gapd != b->gapd) return "gapd";
    if (a->nassess != b->nassess) return "assessments";
    for (int i = 0; i < a->nassess; i++) {
        const rf_assessment_t *x = &a->assess[i], *y = &b->assess[i];
        if (x->kind != y->kind || !same_str(x->instrument, y->instrument) ||
            x->date != y->date || x->fsiq != y->fsiq || !same_str(x->by, y->by))
            return "assessments";
    }
    if (a->nprior != b->nprior) return "prior_interventions";
    for (int i = 0; i < a->nprior; i++) if (strcmp(a->prior[i], b->prior[i])) return "prior_interventions";
    for (int i = 0; i < RISK__N; i++) if (a->risk[i] != b->risk[i]) return "risk";
    for (int i = 0; i < 4; i++) if (!same_num(a->somatic[i], b->somatic[i])) return "somatic";
    if (a->nmed != b->nmed) return "medication";
    for (int i = 0; i < a->nmed; i++) if (strcmp(a->med[i], b->med[i])) return "medication";
    if (a->previous_buc != b->previous_buc) return "previous_buc_contact";
    return NULL;
}

/* r to FHIR in each form and back: the same referral, the same decision. */
static void round_trip(fixture *f, const triage_referral *r, int keep_every)
{
    static const struct { const char *type; fx_event ev; } forms[] = {
        {"collection", FX_EVENT_NONE}, {"transaction", FX_EVENT_NONE},
        {"searchset", FX_EVENT_NONE}, {NULL, FX_EVENT_NEW}};
    json_t *native = decide_json(f, r, NULL);
    for (size_t k = 0; k < sizeof forms / sizeof *forms; k++) {
        json_t *b = fx_export(r, forms[k].type, forms[k].ev);
        assert_non_null(b);
        if (keep_every) keep(f, b);
        char *s = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        triage_referral *back;
        fx_origin *o;
        triage_error err;
        int rc = fx_parse(s, strlen(s), "export", 1, &back, &o, &err);
        if (rc != FX_REFERRAL) fail_msg("%s: %s", r->id, err.text);
        const char *what = differs(r, back);
        if (what) fail_msg("%s (%s): %s differs after the trip", r->id,
                           forms[k].type ? forms[k].type : "message", what);
        json_t *again = decide_json(f, back, NULL);
        if (!json_equal(native, again)) fail_msg("%s: decided differently from FHIR", r->id);
        json_decref(again);
        free(s);
        fx_origin_free(o);
        triage_referral_free(back);
    }
    json_decref(native);
}

static void test_fhir_native_files_round_trip(void **state)
{
    fixture *f = *state;
    static const char *const dirs[] = {TRIAGE_SOURCE_DIR "/tests/spec/examples",
                                       TRIAGE_SOURCE_DIR "/tests/data/referral", DATA};
    static const char *const prefix[] = {"", "pass_", ""};
    static const char *const suffix[] = {".referral.json", ".json", ".referral.json"};
    int n = 0;
    for (int k = 0; k < 3; k++) {
        DIR *d = opendir(dirs[k]);
        struct dirent *e;
        assert_non_null(d);
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name), sl = strlen(suffix[k]);
            if (strncmp(e->d_name, prefix[k], strlen(prefix[k])) || l <= sl ||
                strcmp(e->d_name + l - sl, suffix[k]))
                continue;
            size_t len;
            triage_error err;
            char *s = slurp(dirs[k], e->d_name, &len);
            triage_referral *r = triage_referral_parse(s, len, e->d_name, 1, &err);
            if (!r) fail_msg("%s: %s", e->d_name, err.text);
            round_trip(f, r, 1);
            triage_referral_free(r);
            free(s);
            n++;
        }
        closedir(d);
    }
    assert_true(n >= 30);
}

/* The whole default corpus (4,753) to FHIR and back. */
static void test_fhir_corpus_round_trips_unchanged(void **state)
{
    fixture *f = *state;
    char *dir = tu_tmpdir(), cmd[1024], path[1024];
    snprintf(cmd, sizeof cmd, "'%s' corpus --out '%s' > /dev/null", TRIAGE_EXE, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/referrals.jsonl", dir);
    triage_error err;
    triage_reader *rd = triage_reader_open(path, &err);
    assert_non_null(rd);
    triage_referral *r;
    long n = 0;
    while (triage_reader_next(rd, &r, &err, NULL, NULL) == 1) {
        round_trip(f, r, n % 50 == 0);   /* a sample for FHIR.js, all for the trip */
        triage_referral_free(r);
        n++;
    }
    triage_reader_close(rd);
    assert_int_equal(n, 4753);
    tu_rmtree(dir);
    free(dir);
}

/* ------------------------------------------------------------- writing */

static json_t *entry_of(const json_t *bundle, const char *type, int nth)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(bundle, "entry"), i, e) {
        json_t *r = json_object_get(e, "resource");
        if (!strcmp(json_string_value(json_object_get(r, "resourceType")), type) && nth-- == 0)
            return e;
    }
    return NULL;
}

static json_t *resource_of(const json_t *bundle, const char *type, int nth)
{
    return json_object_get(entry_of(bundle, type, nth), "resource");
}

/* The entry whose fullUrl the reference at ref names. */
static json_t *target_of(const json_t *bundle, const json_t *ref)
{
    const char *url = json_string_value(json_object_get(ref, "reference"));
    size_t i;
    json_t *e;
    assert_non_null(url);
    json_array_foreach(json_object_get(bundle, "entry"), i, e)
        if (!strcmp(json_string_value(json_object_get(e, "fullUrl")), url))
            return json_object_get(e, "resource");
    fail_msg("reference %s is not in the answer", url);
    return NULL;
}

static const char *str(const json_t *o, const char *path)
{
    char key[64];
    const char *dot;
    while ((dot = strchr(path, '.'))) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
        o = json_object_get(o, key);
        path = dot + 1;
    }
    return json_string_value(json_object_get(o, path));
}

/* What fhir.md's table says the answer holds, for decision d on r. */
static void check_answer(fixture *f, const json_t *b, const triage_decision *d,
                         const triage_referral *r, const fx_origin *o)
{
    static const char *const task_status[] = {"accepted", "on-hold", "completed", "rejected", "received"};
    static const char *const sr_status[] = {"active", "on-hold", "completed", "revoked", "active"};
    const char *outcome = triage_outcome_name(d->outcome);
    json_t *task = resource_of(b, "Task", 0);
    assert_non_null(task);
    int message = o && o->event != FX_EVENT_NONE;
    assert_string_equal(str(b, "type"), message ? "message" : "collection");
    assert_string_equal(str(task, "status"), task_status[d->outcome]);
    assert_string_equal(str(task, "intent"), "order");
    assert_string_equal(str(task, "lastModified"), DECIDED_AT);
    json_t *coding = json_array_get(json_object_get(json_object_get(task, "code"), "coding"), 0);
    assert_string_equal(str(coding, "system"), FX_CS("outcome"));
    assert_string_equal(str(coding, "code"), outcome);
    assert_non_null(str(coding, "display"));
    assert_true(strlen(str(coding, "display")) > 5);
    json_t *tag = json_array_get(json_object_get(json_object_get(task, "meta"), "tag"), 0);
    assert_string_equal(str(tag, "code"), d->ruleset);
    /* focus -> the ServiceRequest with its new status, for -> the Patient */
    json_t *sr = target_of(b, json_object_get(task, "focus"));
    assert_string_equal(str(sr, "resourceType"), "ServiceRequest");
    assert_string_equal(str(sr, "status"), sr_status[d->outcome]);
    json_t *pat = target_of(b, json_object_get(task, "for"));
    assert_string_equal(str(pat, "resourceType"), "Patient");
    if (o && o->request) {       /* the original, as sent, with its new status */
        json_t *sent = json_deep_copy(o->request);
        json_object_set_new(sent, "status", json_string(sr_status[d->outcome]));
        if (!json_object_get(sent, "id")) {   /* sent without: the id the server gives it */
            assert_int_equal(strlen(str(sr, "id")), 36);
            json_object_set_new(sent, "id", json_string(str(sr, "id")));
        }
        assert_true(json_equal(sr, sent));
        json_decref(sent);
        assert_true(json_equal(pat, o->patient));
    }
    /* Danish reasons as notes */
    json_t *notes = json_object_get(task, "note");
    assert_int_equal(json_array_size(notes), (size_t)d->nreasons);
    for (int i = 0; i < d->nreasons; i++) {
        assert_string_equal(str(json_array_get(notes, (size_t)i), "text"), d->reasons[i].text);
        assert_string_equal(str(json_array_get(notes, (size_t)i), "authorString"), d->reasons[i].rule);
    }
    char day[11];
    if (d->outcome == TRIAGE_ACCEPT) {
        assert_string_equal(str(task, "owner.identifier.value"), d->unit);
        assert_non_null(strstr(str(task, "owner.display"), d->unit));
        assert_string_equal(str(task, "priority"), d->priority == 0 ? "stat" : d->priority == 1
                            ? "urgent" : "routine");
        dt_format(d->deadline, day);
        assert_string_equal(str(task, "restriction.period.end"), day);
    } else
        assert_null(json_object_get(task, "owner"));
    if (d->outcome == TRIAGE_REQUEST_INFO) {
        assert_string_equal(str(json_array_get(json_object_get(json_object_get(task,
                            "statusReason"), "coding"), 0), "code"), "info-needed");
        json_t *c = resource_of(b, "Communication", 0);
        assert_non_null(c);
        assert_string_equal(str(json_array_get(json_object_get(json_array_get(
            json_object_get(c, "category"), 0), "coding"), 0), "code"), "referral-info-request");
        json_t *payload = json_object_get(c, "payload");
        int k = 0;
        for (int i = 0; i < MI__N; i++)
            if (d->missing & (1u << i))
                assert_string_equal(str(json_array_get(payload, (size_t)k++), "contentString"),
                                    fxt(f->texts, "missing", dc_missing_names[i]));
        assert_int_equal(json_array_size(payload), (size_t)k);
        json_t *to = target_of(b, json_array_get(json_object_get(c, "recipient"), 0));
        if (d->request_from == 1) {          /* the municipality's PPR */
            assert_string_equal(str(to, "resourceType"), "Organization");
            assert_non_null(strstr(str(to, "name"), r->municipality));
        } else if (o && o->requester)
            assert_true(json_equal(to, o->requester));
        int32_t when;
        assert_true(dt_parse_iso(DECIDED_AT, 10, &when));
        dt_format(when + 30, day);
        assert_string_equal(str(task, "restriction.period.end"), day);
        assert_true(target_of(b, json_object_get(json_array_get(json_object_get(task, "output"), 0),
                                                 "valueReference")) == c);
    } else
        assert_null(entry_of(b, "Communication", 0));
    if (d->outcome == TRIAGE_REDIRECT) {
        assert_string_equal(str(task, "businessStatus.text"), "videresendelse");
        json_t *out = target_of(b, json_object_get(json_array_get(json_object_get(task, "output"), 0),
                                                   "valueReference"));
        assert_string_equal(str(out, "resourceType"), "ServiceRequest");
        assert_true(target_of(b, json_array_get(json_object_get(out, "replaces"), 0)) == sr);
        json_t *perf = target_of(b, json_array_get(json_object_get(out, "performer"), 0));
        assert_string_equal(str(perf, "resourceType"), "Organization");
        const char *target = triage_decision_target(d);
        assert_string_equal(str(json_array_get(json_object_get(json_object_get(out, "code"),
                            "coding"), 0), "code"), target);
        if (d->target != 2) assert_string_equal(str(perf, "name"), fxt(f->texts, "target", target));
    }
    if (d->outcome == TRIAGE_REJECT)
        assert_non_null(strstr(str(task, "statusReason.text"), d->reasons[0].text));
    if (message) {
        json_t *h = resource_of(b, "MessageHeader", 0);
        assert_true(json_array_get(json_object_get(b, "entry"), 0) == entry_of(b, "MessageHeader", 0));
        assert_string_equal(str(h, "response.identifier"), o->message_id);
        assert_string_equal(str(h, "response.code"), "ok");
        assert_true(json_equal(json_object_get(h, "eventCoding"),
                               json_object_get(o->header, "eventCoding")));
        assert_true(target_of(b, json_array_get(json_object_get(h, "focus"), 0)) == task);
    }
}

static void test_fhir_answer_has_what_the_table_gives_per_outcome(void **state)
{
    fixture *f = *state;
    char files[64][128];
    int n = names("", ".fhir.json", files, 64), seen[5] = {0};
    for (int i = 0; i < n; i++) {
        fx_origin *o;
        int rc;
        triage_referral *r = read_case(files[i], &o, &rc);
        if (rc == FX_CANCEL) { fx_origin_free(o); continue; }
        triage_decision *d;
        json_decref(decide_json(f, r, &d));
        triage_error err;
        json_t *b = fx_answer(d, r, o, f->texts, DECIDED_AT, &err);
        if (!b) fail_msg("%s: %s", files[i], err.text);
        check_answer(f, b, d, r, o);
        keep(f, b);
        /* the same call gives the same Bundle */
        json_t *again = fx_answer(d, r, o, f->texts, DECIDED_AT, &err);
        assert_true(json_equal(b, again));
        json_decref(again);
        /* and a native referral gets one too, written from the record */
        json_t *nb = fx_answer(d, r, NULL, f->texts, DECIDED_AT, &err);
        check_answer(f, nb, d, r, NULL);
        keep(f, nb);
        json_decref(nb);
        seen[d->outcome]++;
        json_decref(b);
        triage_decision_free(d);
        triage_referral_free(r);
        fx_origin_free(o);
    }
    for (int k = 0; k < 4; k++) assert_true(seen[k] > 0);   /* all but manual_review */
}

static void test_fhir_answer_for_manual_review_is_received(void **state)
{
    fixture *f = *state;
    fx_origin *o;
    int rc;
    triage_referral *r = read_case("07-specialist-depression-searchset.fhir.json", &o, &rc);
    triage_decision *d = dc_new(r->id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0);
    dc_manual_review(d, "ACC-02", "Regel ACC-02 fejlede: instruktionsgrænsen er nået.");
    triage_error err;
    json_t *b = fx_answer(d, r, o, f->texts, DECIDED_AT, &err);
    assert_non_null(b);
    check_answer(f, b, d, r, o);
    json_t *task = resource_of(b, "Task", 0);
    assert_string_equal(str(task, "status"), "received");
    assert_null(json_object_get(task, "priority"));
    keep(f, b);
    json_decref(b);
    triage_decision_free(d);
    triage_referral_free(r);
    fx_origin_free(o);
}

static void test_fhir_texts_name_what_is_missing(void **state)
{
    (void)state;
    triage_error err;
    const char *no_ppv = "{\"sender\":{\"name\":\"a\",\"endpoint\":\"b\"}}";
    assert_null(fx_texts_parse(no_ppv, strlen(no_ppv), "rules/data/fhir.json", &err));
    assert_string_equal(err.text, "rules/data/fhir.json: outcome.accept: missing");
    const char *bad = "[1]";
    assert_null(fx_texts_parse(bad, strlen(bad), "t.json", &err));
    assert_string_equal(err.text, "t.json: must be a JSON object");
    char *dir = tu_rules("rule { id = 'X', title = 'x', when = function() return true end,"
                         " action = function(r, f, d) d:decide{ outcome = 'reject' } end }");
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    assert_non_null(rs);
    assert_null(fx_texts_load(rs, &err));
    assert_non_null(strstr(err.text, "has no data/fhir.json"));
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fhir_cases_map_to_their_native_record),
        cmocka_unit_test(test_fhir_message_events_and_ids_reach_the_caller),
        cmocka_unit_test(test_fhir_cases_decide_as_expected),
        cmocka_unit_test(test_fhir_fail_cases_give_their_exact_error),
        cmocka_unit_test(test_fhir_fail_cases_cover_every_kind_of_bad_fhir),
        cmocka_unit_test(test_fhir_errors_never_show_a_cpr),
        cmocka_unit_test(test_fhir_native_json_is_not_fhir),
        cmocka_unit_test(test_fhir_municipality_codes_are_dk_core),
        cmocka_unit_test(test_fhir_referrer_kind_from_danish_type_words),
        cmocka_unit_test(test_fhir_native_files_round_trip),
        cmocka_unit_test(test_fhir_corpus_round_trips_unchanged),
        cmocka_unit_test(test_fhir_answer_has_what_the_table_gives_per_outcome),
        cmocka_unit_test(test_fhir_answer_for_manual_review_is_received),
        cmocka_unit_test(test_fhir_texts_name_what_is_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
