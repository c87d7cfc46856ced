/*
** test_cds.c — HL7 CDS Hooks 2.0 (server/cds.c, engine/cds.c), in-process
** with the shipped rules on a loopback port: discovery, order-sign and
** order-select calls shaped as the standard's examples (draftOrders Bundle,
** selections, prefetch), each answer checked field by field against the
** standard's response (cards, indicator, summary length, suggestions,
** actions, overrideReasons), 412 without prefetch, 400 naming the field of
** a malformed request, feedback recorded and reported, CORS, the draft
** never stored, and the JWT a configured client must sign (bad, expired,
** wrong audience, replayed, symmetric, unknown key). What prefetch lacks
** is read from fhirServer: a mock FHIR server on loopback here. The page
** /henvis asks through its own route: without a JWT, same origin only, never
** with the store's history, nothing recorded.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <jwt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <time.h>

#include "servefix.h"
#include "http_client.h"

#define FHIR TRIAGE_SOURCE_DIR "/tests/data/fhir/"
#define KEYS TRIAGE_SOURCE_DIR "/tests/data/cds/"
#define SIGN "/cds-services/buc-henvisning"
#define SELECT "/cds-services/buc-henvisning-valg"

/* One request with extra header lines (each ending "\r\n"); whole answer. */
static resp call(int port, const char *method, const char *path, const char *headers,
                 const char *body)
{
    hc_client c = {.port = port};
    hc_resp h = hc_send(&c, method, path, body, headers);
    assert_true(h.status > 0);
    resp r = {.status = h.status, .body = h.body};
    snprintf(r.head, sizeof r.head, "%s", h.head);
    json_decref(h.json);
    return r;
}

static json_t *body_of(const resp *r)
{
    json_t *j = json_loads(r->body, 0, NULL);
    if (!j) fail_msg("not JSON: %s", r->body);
    return j;
}

static json_t *load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, FHIR "%s", name);
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    return j;
}

/* A CDS Hooks request for hook carrying the fixture's ServiceRequest as the
** draft: a contained one is taken apart as an EHR sends it (the Patient and
** requester prefetched, unless no_prefetch); a Bundle goes as draftOrders. */
static char *request(const char *fixture, const char *hook, int no_prefetch)
{
    json_t *f = load(fixture), *draft, *prefetch = json_object();
    char moved[2][2][80];       /* "#id" -> "Type/id" of what went to prefetch */
    int nmoved = 0;
    const char *type = json_string_value(json_object_get(f, "resourceType"));
    if (!strcmp(type, "ServiceRequest")) {
        json_t *keep = json_array(), *c;
        size_t i;
        json_array_foreach(json_object_get(f, "contained"), i, c) {
            const char *t = json_string_value(json_object_get(c, "resourceType"));
            char ref[80];
            snprintf(ref, sizeof ref, "%s/%s", t, json_string_value(json_object_get(c, "id")));
            if (!strcmp(t, "Patient") || !strcmp(t, "PractitionerRole") || !strcmp(t, "Organization")) {
                snprintf(moved[nmoved][0], 80, "\"#%s\"", json_string_value(json_object_get(c, "id")));
                snprintf(moved[nmoved++][1], 80, "\"%s\"", ref);
            }
            if (!strcmp(t, "Patient")) {
                json_object_set(prefetch, "patient", c);
                json_object_set_new(f, "subject", json_pack("{s:s}", "reference", ref));
            } else if (!strcmp(t, "PractitionerRole") || !strcmp(t, "Organization")) {
                json_object_set(prefetch, "requester", c);
                json_object_set_new(f, "requester", json_pack("{s:s}", "reference", ref));
            } else {
                json_array_append(keep, c);
            }
        }
        json_object_set_new(f, "contained", keep);
        json_object_set_new(f, "status", json_string("draft"));
        draft = json_pack("{s:s, s:s, s:[{s:o}]}", "resourceType", "Bundle", "type",
                          "collection", "entry", "resource", f);
    } else {
        draft = f;
    }
    json_t *req = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:o}}", "hook", hook,
                            "hookInstance", "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
                            "fhirServer", "https://fhir.example.org",
                            "context", "userId", "PractitionerRole/123", "patientId", "p",
                            "encounterId", "89284", "draftOrders", draft);
    if (!strcmp(hook, "order-select")) {
        json_t *ctx = json_object_get(req, "context");
        json_t *sr = json_object_get(json_array_get(json_object_get(draft, "entry"), 0), "resource");
        char sel[120];
        snprintf(sel, sizeof sel, "ServiceRequest/%s", json_string_value(json_object_get(sr, "id")));
        json_object_set_new(ctx, "selections", json_pack("[s]", sel));
    }
    if (no_prefetch) json_object_del(req, "fhirServer");
    if (!no_prefetch && json_object_size(prefetch)) json_object_set(req, "prefetch", prefetch);
    json_decref(prefetch);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    /* what the moved resources were referred to by, within the draft */
    for (int m = 0; m < nmoved; m++)
        for (char *at; (at = strstr(text, moved[m][0]));) {
            size_t a = strlen(moved[m][0]), b = strlen(moved[m][1]), n = strlen(text);
            char *t = malloc(n - a + b + 1);
            memcpy(t, text, (size_t)(at - text));
            memcpy(t + (at - text), moved[m][1], b);
            strcpy(t + (at - text) + b, at + a);
            free(text);
            text = t;
        }
    return text;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static const char *kind(const json_t *card)
{
    return json_string_value(json_object_get(json_object_get(card, "extension"), "dk.triage.kind"));
}

static const char *item(const json_t *card)
{
    return json_string_value(json_object_get(json_object_get(card, "extension"), "dk.triage.item"));
}

/* Every card as CDS Hooks 2.0 says a card is; returns the cards. */
static json_t *check_cards(const json_t *answer)
{
    json_t *cards = json_object_get(answer, "cards"), *c;
    size_t i;
    assert_true(json_is_array(cards));
    json_array_foreach(cards, i, c) {
        const char *uuid = json_string_value(json_object_get(c, "uuid"));
        assert_non_null(uuid);
        assert_int_equal(strlen(uuid), 36);
        assert_int_equal(uuid[14], '4');                       /* version 4 */
        const char *summary = json_string_value(json_object_get(c, "summary"));
        assert_non_null(summary);
        assert_true(chars(summary) > 0 && chars(summary) < 140);
        const char *ind = json_string_value(json_object_get(c, "indicator"));
        assert_non_null(ind);
        assert_true(!strcmp(ind, "info") || !strcmp(ind, "warning") || !strcmp(ind, "critical"));
        assert_true(json_is_string(json_object_get(c, "detail")));
        const char *label = json_string_value(json_object_get(json_object_get(c, "source"), "label"));
        assert_non_null(label);
        assert_non_null(strstr(label, "visitationspolitik"));
        assert_non_null(strstr(label, "regelsæt "));
        json_t *sugg = json_object_get(c, "suggestions"), *s;
        size_t k;
        if (sugg) {                                            /* then selectionBehavior */
            const char *sb = json_string_value(json_object_get(c, "selectionBehavior"));
            assert_non_null(sb);
            assert_true(!strcmp(sb, "at-most-one") || !strcmp(sb, "any"));
        }
        json_array_foreach(sugg, k, s) {
            assert_non_null(json_string_value(json_object_get(s, "label")));
            assert_int_equal(strlen(json_string_value(json_object_get(s, "uuid"))), 36);
            json_t *act = json_object_get(s, "actions"), *a;
            size_t m;
            assert_true(json_array_size(act) > 0);
            json_array_foreach(act, m, a) {
                const char *t = json_string_value(json_object_get(a, "type"));
                assert_true(!strcmp(t, "create") || !strcmp(t, "update") || !strcmp(t, "delete"));
                assert_non_null(json_string_value(json_object_get(a, "description")));
                assert_non_null(json_string_value(json_object_get(json_object_get(a, "resource"),
                                                                  "resourceType")));
            }
        }
        json_t *or = json_object_get(c, "overrideReasons"), *o;
        if (strcmp(ind, "info")) assert_true(json_array_size(or) > 0);
        json_array_foreach(or, k, o) {                         /* Codings with display */
            assert_non_null(json_string_value(json_object_get(o, "code")));
            assert_non_null(json_string_value(json_object_get(o, "system")));
            assert_non_null(json_string_value(json_object_get(o, "display")));
        }
        json_t *links = json_object_get(c, "links"), *l;
        json_array_foreach(links, k, l) {
            assert_non_null(json_string_value(json_object_get(l, "label")));
            assert_non_null(json_string_value(json_object_get(l, "url")));
            const char *t = json_string_value(json_object_get(l, "type"));
            assert_true(!strcmp(t, "absolute") || !strcmp(t, "smart"));
        }
    }
    return cards;
}

/* ------------------------------------------------------------------ fixture */

static sf_server fx;

static int setup(void **state)
{
    return sf_start(&fx, NULL, NULL, NULL);
}

static int teardown(void **state)
{
    sf_stop(&fx);
    return 0;
}

/* POST a request to path; the parsed answer, status in *status. */
static json_t *post(const char *path, const char *body, int *status)
{
    resp r = call(fx.port, "POST", path, NULL, body);
    *status = r.status;
    json_t *j = body_of(&r);
    free(r.body);
    return j;
}

/* The fixture sent to order-sign (with prefetch): the answer (200), its
** cards checked as the standard says a card is. */
static json_t *signed_answer(const char *fixture)
{
    char *req = request(fixture, "order-sign", 0);
    int status;
    json_t *j = post(SIGN, req, &status);
    free(req);
    if (status != 200) fail_msg("%s: %d", fixture, status);
    check_cards(j);
    return j;
}

/* Request text sent to order-sign, answered 412 with an OperationOutcome
** whose expression is the one given; the answer, *diag its diagnostics. */
static json_t *refused(const char *text, const char *expression, const char **diag)
{
    int status;
    json_t *j = post(SIGN, text, &status);
    assert_int_equal(status, 412);
    assert_string_equal(json_string_value(json_object_get(j, "resourceType")), "OperationOutcome");
    json_t *issue = json_array_get(json_object_get(j, "issue"), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(issue, "expression"), 0)),
                        expression);
    *diag = json_string_value(json_object_get(issue, "diagnostics"));
    assert_non_null(*diag);
    return j;
}

/* --------------------------------------------------------------- discovery */

static void test_discovery_lists_order_sign_and_order_select_with_prefetch(void **state)
{
    resp r = call(fx.port, "GET", "/cds-services", NULL, NULL);
    assert_int_equal(r.status, 200);
    json_t *j = body_of(&r), *s;
    json_t *services = json_object_get(j, "services");
    assert_int_equal(json_array_size(services), 2);
    int sign = 0, select = 0;
    size_t i;
    json_array_foreach(services, i, s) {
        const char *hook = json_string_value(json_object_get(s, "hook"));
        sign += !strcmp(hook, "order-sign");
        select += !strcmp(hook, "order-select");
        assert_non_null(json_string_value(json_object_get(s, "id")));
        assert_non_null(strstr(json_string_value(json_object_get(s, "title")), "henvisning"));
        assert_non_null(json_string_value(json_object_get(s, "description")));
        json_t *pf = json_object_get(s, "prefetch");
        assert_string_equal(json_string_value(json_object_get(pf, "patient")),
                            "Patient/{{context.patientId}}");
        assert_string_equal(json_string_value(json_object_get(pf, "requester")),
                            "{{context.userId}}");
    }
    assert_int_equal(sign, 1);
    assert_int_equal(select, 1);
    json_decref(j);
    free(r.body);
}

/* ------------------------------------------------------------------- calls */

static void test_order_sign_gives_one_warning_per_missing_item(void **state)
{
    json_t *j = signed_answer("14-gp-outdated-cognitive-contained.fhir.json");
    json_t *cards = json_object_get(j, "cards");
    assert_int_equal(json_array_size(cards), 1);
    json_t *c = json_array_get(cards, 0);
    assert_string_equal(json_string_value(json_object_get(c, "indicator")), "warning");
    assert_string_equal(kind(c), "missing");
    assert_string_equal(item(c), "updated_cognitive_assessment");
    /* the item named as data/fhir.json names it */
    assert_non_null(strstr(json_string_value(json_object_get(c, "summary")),
                           "den vedlagte er mere end 24 måneder gammel"));
    assert_null(json_object_get(c, "suggestions"));
    /* and a CPR number is never in the answer */
    char *all = json_dumps(j, 0);
    assert_null(strstr(all, "2208094631"));
    free(all);
    json_decref(j);
}

static void test_order_sign_with_two_missing_items_gives_two_warnings(void **state)
{
    json_t *j = signed_answer("01-gp-adhd-autism-message-new.fhir.json");
    json_t *cards = json_object_get(j, "cards");
    assert_int_equal(json_array_size(cards), 2);
    assert_string_equal(item(json_array_get(cards, 0)), "cognitive_assessment");
    assert_string_equal(item(json_array_get(cards, 1)), "ppv");
    json_decref(j);
}

static void test_redirect_card_suggests_updating_the_performer(void **state)
{
    json_t *j = signed_answer("04-ppr-anxiety-contained.fhir.json");
    json_t *cards = json_object_get(j, "cards");
    assert_int_equal(json_array_size(cards), 1);
    json_t *c = json_array_get(cards, 0);
    assert_string_equal(json_string_value(json_object_get(c, "indicator")), "warning");
    assert_string_equal(kind(c), "redirect");
    assert_string_equal(item(c), "specialist_practice");
    assert_string_equal(json_string_value(json_object_get(c, "selectionBehavior")), "at-most-one");
    json_t *s = json_array_get(json_object_get(c, "suggestions"), 0);
    assert_true(json_is_true(json_object_get(s, "isRecommended")));
    json_t *a = json_array_get(json_object_get(s, "actions"), 0);
    assert_string_equal(json_string_value(json_object_get(a, "type")), "update");
    json_t *sr = json_object_get(a, "resource");
    assert_string_equal(json_string_value(json_object_get(sr, "resourceType")), "ServiceRequest");
    assert_string_equal(json_string_value(json_object_get(sr, "id")), "ppr-helsingoer-2020-118");
    const char *to = json_string_value(json_object_get(json_array_get(json_object_get(sr, "performer"), 0),
                                                       "display"));
    assert_string_equal(to, "Praktiserende speciallæge i børne- og ungdomspsykiatri");
    json_decref(j);
}

static void test_acute_referral_gets_a_critical_card_with_the_acute_line(void **state)
{
    json_t *j = signed_answer("05-hospital-anorexia-collection.fhir.json");
    json_t *cards = json_object_get(j, "cards");
    json_t *c = json_array_get(cards, 0);
    assert_string_equal(json_string_value(json_object_get(c, "indicator")), "critical");
    assert_string_equal(kind(c), "acute");
    assert_non_null(strstr(json_string_value(json_object_get(c, "summary")), "1813"));
    json_t *link = json_array_get(json_object_get(c, "links"), 0);
    assert_string_equal(json_string_value(json_object_get(link, "url")), "tel:1813");
    /* accepted as acute: the info card with the unit too, and no warning */
    assert_int_equal(json_array_size(cards), 2);
    assert_string_equal(kind(json_array_get(cards, 1)), "accept");
    json_decref(j);
}

static void test_accepted_draft_gets_only_an_info_card_with_unit_and_deadline(void **state)
{
    json_t *j = signed_answer("07-specialist-depression-searchset.fhir.json");
    json_t *cards = json_object_get(j, "cards");
    assert_int_equal(json_array_size(cards), 1);
    json_t *c = json_array_get(cards, 0);
    assert_string_equal(json_string_value(json_object_get(c, "indicator")), "info");
    assert_string_equal(kind(c), "accept");
    const char *summary = json_string_value(json_object_get(c, "summary"));
    assert_non_null(strstr(summary, "Klar til afsendelse"));
    assert_non_null(strstr(summary, "hastende"));
    json_decref(j);
}

static void test_order_select_decides_only_the_selected_draft(void **state)
{
    /* two drafts: the selected one redirects, the other would need a test */
    json_t *a = load("04-ppr-anxiety-contained.fhir.json");
    char *one = request("04-ppr-anxiety-contained.fhir.json", "order-select", 0);
    char *two = request("14-gp-outdated-cognitive-contained.fhir.json", "order-sign", 0);
    json_t *r1 = json_loads(one, 0, NULL), *r2 = json_loads(two, 0, NULL);
    json_t *entries = json_object_get(json_object_get(json_object_get(r1, "context"), "draftOrders"),
                                      "entry");
    json_array_extend(entries, json_object_get(json_object_get(json_object_get(r2, "context"),
                                                               "draftOrders"), "entry"));
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(r2, "prefetch"), key, v)   /* the other's, as entries */
        json_array_append_new(entries, json_pack("{s:O}", "resource", v));
    char *req = json_dumps(r1, JSON_COMPACT);
    int status;
    json_t *j = post(SELECT, req, &status);
    assert_int_equal(status, 200);
    json_t *cards = check_cards(j);
    assert_int_equal(json_array_size(cards), 1);
    assert_string_equal(kind(json_array_get(cards, 0)), "redirect");
    /* the same to order-sign's service is refused: its hook differs */
    json_t *bad = post(SIGN, req, &status);
    assert_int_equal(status, 400);
    assert_string_equal(json_string_value(json_object_get(bad, "field")), "hook");
    json_decref(bad);
    json_decref(j);
    json_decref(r1);
    json_decref(r2);
    json_decref(a);
    free(req);
    free(one);
    free(two);
}

static void test_request_without_prefetch_or_patient_is_412(void **state)
{
    char *req = request("14-gp-outdated-cognitive-contained.fhir.json", "order-sign", 1);
    const char *diag;
    json_t *j = refused(req, "ServiceRequest.subject", &diag);
    assert_non_null(strstr(diag, "send the prefetch"));
    json_decref(j);
    free(req);
}

/* ------------------------------------------------------ a mock FHIR server */

/* The client's FHIR server: GET /fhir/{Type}/{id} answers the resource put
** there (as it is, or with another resourceType when wrong_type), else 404;
** it keeps the Authorization and Accept headers of the last request. */
typedef struct mock_fhir {
    struct MHD_Daemon *d;
    int port;
    json_t *resources;          /* "Type/id" -> resource */
    int wrong_type;
    pthread_mutex_t mu;
    int hits;
    char auth[200], accept[100];
} mock_fhir;

static enum MHD_Result mock_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *data,
                                   size_t *size, void **con_cls)
{
    mock_fhir *m = cls;
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char *acc = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
    pthread_mutex_lock(&m->mu);
    m->hits++;
    snprintf(m->auth, sizeof m->auth, "%s", auth ? auth : "");
    snprintf(m->accept, sizeof m->accept, "%s", acc ? acc : "");
    json_t *res = strncmp(url, "/fhir/", 6) ? NULL : json_object_get(m->resources, url + 6);
    char *text = NULL;
    if (res) {
        json_t *copy = json_deep_copy(res);
        if (m->wrong_type) json_object_set_new(copy, "resourceType", json_string("Organization"));
        text = json_dumps(copy, JSON_COMPACT);
        json_decref(copy);
    }
    pthread_mutex_unlock(&m->mu);
    const char *nf = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                     "\"code\":\"not-found\"}]}";
    struct MHD_Response *r =
        text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(strlen(nf), (void *)nf, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/fhir+json");
    enum MHD_Result ok = MHD_queue_response(conn, text ? 200 : 404, r);
    MHD_destroy_response(r);
    return ok;
}

static void mock_start(mock_fhir *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    m->resources = json_object();
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
                            mock_answer, m, MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_END);
    assert_non_null(m->d);
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(i);
    m->port = i->port;
    assert_true(m->port > 0);
}

static void mock_stop(mock_fhir *m)
{
    MHD_stop_daemon(m->d);
    json_decref(m->resources);
    pthread_mutex_destroy(&m->mu);
}

/* The fixture's order-sign request as an EHR sends it that does not
** prefetch: the Patient and requester it would have prefetched put on mock
** m instead (unless put is 0), the context naming them, fhirServer the
** mock and fhirAuthorization a Bearer token. The request, as text. */
static char *fetching_request(const char *fixture, mock_fhir *m, int put)
{
    char *text = request(fixture, "order-sign", 0);
    json_t *req = json_loads(text, 0, NULL), *ctx = json_object_get(req, "context");
    free(text);
    json_t *pre = json_object_get(req, "prefetch");
    json_t *pat = json_object_get(pre, "patient"), *who = json_object_get(pre, "requester");
    assert_non_null(pat);
    assert_non_null(who);
    char ref[2][120], url[80];
    snprintf(ref[0], sizeof ref[0], "Patient/%s", json_string_value(json_object_get(pat, "id")));
    snprintf(ref[1], sizeof ref[1], "%s/%s",
             json_string_value(json_object_get(who, "resourceType")),
             json_string_value(json_object_get(who, "id")));
    if (put) {
        json_object_set(m->resources, ref[0], pat);
        json_object_set(m->resources, ref[1], who);
    }
    json_object_set_new(ctx, "patientId", json_string(ref[0] + 8));
    json_object_set_new(ctx, "userId", json_string(ref[1]));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/fhir", m->port);
    json_object_set_new(req, "fhirServer", json_string(url));
    json_object_set_new(req, "fhirAuthorization",
                        json_pack("{s:s, s:s, s:i, s:s, s:s}", "access_token", "tok-7a1b9c",
                                  "token_type", "Bearer", "expires_in", 300, "scope",
                                  "user/Patient.read user/PractitionerRole.read", "subject",
                                  "cds-service"));
    json_object_del(req, "prefetch");
    text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return text;
}

/* Request text with field key (of context when in_context) set to value
** (taken); the text given is freed. */
static char *with(char *text, int in_context, const char *key, json_t *value)
{
    json_t *req = json_loads(text, 0, NULL);
    assert_non_null(req);
    free(text);
    json_object_set_new(in_context ? json_object_get(req, "context") : req, key, value);
    text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return text;
}

/* The cards' kinds, items and summaries, one line each: what two answers
** to the same draft share (their uuids differ). */
static char *card_lines(const json_t *answer)
{
    json_t *c;
    size_t i;
    char *out = calloc(1, 1);
    json_array_foreach(json_object_get(answer, "cards"), i, c) {
        const char *it = item(c), *su = json_string_value(json_object_get(c, "summary"));
        size_t n = strlen(out) + strlen(kind(c)) + (it ? strlen(it) : 0) + strlen(su) + 4;
        char *t = malloc(n);
        snprintf(t, n, "%s%s|%s|%s\n", out, kind(c), it ? it : "", su);
        free(out);
        out = t;
    }
    return out;
}

static void test_without_prefetch_the_patient_and_requester_are_read_from_fhir_server(void **state)
{
    mock_fhir m;
    mock_start(&m);
    json_t *want = signed_answer("14-gp-outdated-cognitive-contained.fhir.json");
    char *req = fetching_request("14-gp-outdated-cognitive-contained.fhir.json", &m, 1);
    int status;
    json_t *got = post(SIGN, req, &status);
    assert_int_equal(status, 200);
    check_cards(got);
    char *a = card_lines(want), *b = card_lines(got);
    assert_true(strlen(a) > 0);
    assert_string_equal(b, a);
    assert_int_equal(m.hits, 2);                        /* the Patient and the requester */
    assert_string_equal(m.auth, "Bearer tok-7a1b9c");
    assert_string_equal(m.accept, "application/fhir+json");
    char *log = sf_log(&fx);                            /* the token is in no log */
    assert_null(strstr(log, "tok-7a1b9c"));
    free(log);
    free(a);
    free(b);
    free(req);
    json_decref(want);
    json_decref(got);
    mock_stop(&m);
}

static void test_a_patient_fhir_server_does_not_have_is_412_naming_it_without_its_id(void **state)
{
    mock_fhir m;
    mock_start(&m);
    char *text = with(fetching_request("14-gp-outdated-cognitive-contained.fhir.json", &m, 0),
                      1, "patientId", json_string("pt-gone-4711"));
    const char *diag;
    json_t *j = refused(text, "ServiceRequest.subject", &diag);
    assert_non_null(strstr(diag, "Patient (context.patientId)"));
    assert_non_null(strstr(diag, "HTTP 404"));
    assert_null(strstr(diag, "pt-gone-4711"));
    assert_null(strstr(diag, "tok-7a1b9c"));
    assert_int_equal(m.hits, 1);
    char *log = sf_log(&fx);
    assert_null(strstr(log, "tok-7a1b9c"));
    free(log);
    json_decref(j);
    free(text);
    mock_stop(&m);
}

/* A CPR number is never put in a URL: a Patient id shaped like one is not
** fetched, and the answer asks for it in prefetch without repeating it. */
static void test_a_cpr_shaped_patient_id_is_never_fetched(void **state)
{
    mock_fhir m;
    mock_start(&m);
    char *text = with(fetching_request("14-gp-outdated-cognitive-contained.fhir.json", &m, 0),
                      1, "patientId", json_string("0101104321"));
    const char *diag;
    json_t *j = refused(text, "ServiceRequest.subject", &diag);
    assert_non_null(strstr(diag, "Patient (context.patientId)"));
    assert_non_null(strstr(diag, "never sent in a URL"));
    assert_null(strstr(diag, "0101104321"));
    assert_int_equal(m.hits, 0);
    char *log = sf_log(&fx);
    assert_null(strstr(log, "0101104321"));
    free(log);
    json_decref(j);
    free(text);
    mock_stop(&m);
}

static void test_a_fetched_resource_of_the_wrong_type_is_412(void **state)
{
    mock_fhir m;
    mock_start(&m);
    m.wrong_type = 1;
    char *req = fetching_request("14-gp-outdated-cognitive-contained.fhir.json", &m, 1);
    const char *diag;
    json_t *j = refused(req, "ServiceRequest.subject", &diag);
    assert_non_null(strstr(diag, "answered a Organization, not a Patient"));
    json_decref(j);
    free(req);
    mock_stop(&m);
}

static void test_an_unreachable_fhir_server_is_412_naming_the_requester(void **state)
{
    mock_fhir m;
    mock_start(&m);
    char *text = fetching_request("14-gp-outdated-cognitive-contained.fhir.json", &m, 1);
    /* the Patient prefetched, the requester to be read from a closed port */
    char *full = request("14-gp-outdated-cognitive-contained.fhir.json", "order-sign", 0);
    json_t *w = json_loads(full, 0, NULL);
    free(full);
    text = with(text, 0, "prefetch", json_pack("{s:O}", "patient",
                json_object_get(json_object_get(w, "prefetch"), "patient")));
    json_decref(w);
    mock_stop(&m);                                      /* its port now closed */
    const char *diag;
    json_t *j = refused(text, "ServiceRequest.requester", &diag);
    assert_non_null(strstr(diag, "requester (context.userId, a PractitionerRole)"));
    assert_non_null(strstr(diag, "could not be fetched"));
    json_decref(j);
    free(text);
}

static void test_a_user_id_that_is_no_fhir_reference_is_412_without_it(void **state)
{
    mock_fhir m;
    mock_start(&m);
    char *text = with(fetching_request("14-gp-outdated-cognitive-contained.fhir.json", &m, 1),
                      1, "userId", json_string("0101104321"));
    const char *diag;
    json_t *j = refused(text, "ServiceRequest.requester", &diag);
    assert_non_null(strstr(diag, "requester (context.userId)"));
    assert_non_null(strstr(diag, "not a FHIR Type/id"));
    assert_null(strstr(diag, "0101104321"));
    assert_int_equal(m.hits, 1);                        /* the Patient only */
    json_decref(j);
    free(text);
    mock_stop(&m);
}

static void test_a_fhir_server_that_is_not_http_is_412(void **state)
{
    mock_fhir m;
    mock_start(&m);
    char *text = with(fetching_request("14-gp-outdated-cognitive-contained.fhir.json", &m, 1),
                      0, "fhirServer", json_string("file:///etc"));
    const char *diag;
    json_t *j = refused(text, "ServiceRequest.subject", &diag);
    assert_non_null(strstr(diag, "not an http or https URL"));
    assert_int_equal(m.hits, 0);
    json_decref(j);
    free(text);
    mock_stop(&m);
}

static void test_draft_that_cannot_be_read_gets_a_warning_naming_the_field(void **state)
{
    char *req = request("14-gp-outdated-cognitive-contained.fhir.json", "order-sign", 0);
    json_t *r = json_loads(req, 0, NULL);
    json_t *p = json_object_get(json_object_get(r, "prefetch"), "patient");
    json_object_del(p, "identifier");                /* no CPR and no birth date */
    char *text = json_dumps(r, JSON_COMPACT);
    int status;
    json_t *j = post(SIGN, text, &status);
    assert_int_equal(status, 200);
    json_t *cards = check_cards(j);
    assert_int_equal(json_array_size(cards), 1);
    json_t *c = json_array_get(cards, 0);
    assert_string_equal(kind(c), "unreadable");
    assert_string_equal(json_string_value(json_object_get(c, "indicator")), "warning");
    const char *detail = json_string_value(json_object_get(c, "detail"));
    assert_non_null(strstr(detail, "resource.birthDate"));      /* the FHIRPath */
    assert_null(strstr(detail, "2208094631"));
    json_decref(j);
    json_decref(r);
    free(text);
    free(req);
}

static void test_malformed_requests_are_400_naming_the_field(void **state)
{
    static const struct { const char *body, *field; } cases[] = {
        {"{\"hookInstance\":\"x\",\"context\":{}}", "hook"},
        {"{\"hook\":\"patient-view\",\"hookInstance\":\"x\",\"context\":{}}", "hook"},
        {"{\"hook\":\"order-sign\",\"context\":{}}", "hookInstance"},
        {"{\"hook\":\"order-sign\",\"hookInstance\":\"x\"}", "context"},
        {"{\"hook\":\"order-sign\",\"hookInstance\":\"x\",\"context\":{\"userId\":\"Practitioner/1\","
         "\"patientId\":\"p\",\"draftOrders\":{\"resourceType\":\"ServiceRequest\"}}}",
         "context.draftOrders"},
        {"{\"hook\":\"order-sign\",\"hookInstance\":\"x\",\"context\":{\"patientId\":\"p\","
         "\"draftOrders\":{\"resourceType\":\"Bundle\"}}}", "context.userId"},
        {"{\"hook\":\"order-sign\",\"hookInstance\":\"x\",\"context\":{\"userId\":\"Practitioner/1\","
         "\"patientId\":\"p\",\"draftOrders\":{\"resourceType\":\"Bundle\"}},"
         "\"fhirServer\":\"http://127.0.0.1:1/fhir\",\"fhirAuthorization\":{\"token_type\":\"Bearer\"}}",
         "fhirAuthorization.access_token"},
        {"{\"hook\":\"order-sign\",\"hookInstance\":\"x\",\"context\":{\"userId\":\"Practitioner/1\","
         "\"patientId\":\"p\",\"draftOrders\":{\"resourceType\":\"Bundle\"}},"
         "\"fhirAuthorization\":{\"access_token\":\"t\"}}", "fhirServer"},
        {"{\"hook\":\"order-sign\"", "body"},
        {"[1]", "body"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int status;
        json_t *j = post(SIGN, cases[i].body, &status);
        if (status != 400) fail_msg("case %zu: %d", i, status);
        assert_string_equal(json_string_value(json_object_get(j, "field")), cases[i].field);
        json_decref(j);
    }
    int status;
    json_t *j = post(SELECT, "{\"hook\":\"order-select\",\"hookInstance\":\"x\",\"context\":{"
                     "\"userId\":\"Practitioner/1\",\"patientId\":\"p\",\"draftOrders\":"
                     "{\"resourceType\":\"Bundle\",\"entry\":[]}}}", &status);
    assert_int_equal(status, 400);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "context.selections");
    json_decref(j);
    j = post("/cds-services/no-such-service", "{}", &status);
    assert_int_equal(status, 404);
    json_decref(j);
}

static void test_drafts_are_never_stored(void **state)
{
    char *req = request("04-ppr-anxiety-contained.fhir.json", "order-sign", 0);
    int status;
    for (int i = 0; i < 3; i++) json_decref(post(SIGN, req, &status));
    assert_int_equal(status, 200);
    assert_int_equal(sf_count(&fx, "SELECT count(*) FROM referrals"), 0);
    assert_int_equal(sf_count(&fx, "SELECT count(*) FROM decisions"), 0);
    assert_true(sf_count(&fx, "SELECT count(*) FROM cds_card") >= 3);
    free(req);
}

/* ------------------------------------------------------------ the page */

/* How many of the answer's cards are of kind k. */
static int cards_of_kind(const json_t *answer, const char *k)
{
    json_t *c;
    size_t i;
    int n = 0;
    json_array_foreach(json_object_get(answer, "cards"), i, c)
        n += kind(c) && !strcmp(kind(c), k);
    return n;
}

static void test_henvis_page_decides_without_the_stores_history_and_records_nothing(void **state)
{
    (void)state;
    sf_server f;
    assert_int_equal(sf_start(&f, NULL, NULL, NULL), 0);
    /* a mild case (TG-02 sends it to the municipality), whose child was
    ** sent there 62 days before: the repeat rule (TG-03) then keeps it in BUC */
    json_t *earlier = load("../cds/mild-municipality.referral.json");
    json_object_set_new(earlier, "id", json_string("R2020-EARLIER"));
    json_object_set_new(earlier, "received", json_string("2019-11-01"));
    char *body = json_dumps(earlier, JSON_COMPACT);
    json_decref(earlier);
    resp r = call(f.port, "POST", "/api/referrals", NULL, body);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"municipality\""));
    free(r.body);
    free(body);

    char *req = request("../cds/mild-municipality.fhir.json", "order-sign", 0);
    r = call(f.port, "POST", SIGN, NULL, req);              /* the service: with history */
    assert_int_equal(r.status, 200);
    json_t *service = body_of(&r);
    free(r.body);
    check_cards(service);
    assert_int_equal(cards_of_kind(service, "redirect"), 0);
    long recorded = sf_count(&f, "SELECT count(*) FROM cds_card");
    assert_true(recorded > 0);

    r = call(f.port, "POST", "/henvis" SIGN, NULL, req);    /* the page: without */
    assert_int_equal(r.status, 200);
    json_t *page = body_of(&r);
    free(r.body);
    check_cards(page);
    assert_int_equal(cards_of_kind(page, "redirect"), 1);
    assert_int_equal(sf_count(&f, "SELECT count(*) FROM cds_card"), recorded);
    assert_int_equal(sf_count(&f, "SELECT count(*) FROM referrals"), 1);
    /* the page has no CORS headers: it is for its own origin only */
    r = call(f.port, "POST", "/henvis" SIGN, "Origin: https://evil.example\r\n", req);
    assert_int_equal(r.status, 403);
    assert_null(strstr(r.head, "Access-Control-Allow-Origin"));
    free(r.body);
    json_decref(service);
    json_decref(page);
    free(req);
    sf_stop(&f);
}

/* ---------------------------------------------------------------- feedback */

static void test_feedback_is_recorded_and_reported_per_card_kind(void **state)
{
    int status;
    char *req = request("01-gp-adhd-autism-message-new.fhir.json", "order-sign", 0);
    json_t *j = post(SIGN, req, &status);
    const char *c1 = json_string_value(json_object_get(json_array_get(json_object_get(j, "cards"), 0), "uuid"));
    const char *c2 = json_string_value(json_object_get(json_array_get(json_object_get(j, "cards"), 1), "uuid"));
    char body[2048];
    snprintf(body, sizeof body, "{\"feedback\":[{\"card\":\"%s\",\"outcome\":\"accepted\","
             "\"outcomeTimestamp\":\"2026-12-06T10:05:31Z\"},{\"card\":\"%s\",\"outcome\":"
             "\"overridden\",\"overrideReason\":{\"reason\":{\"code\":\"sent-separately\","
             "\"system\":\"https://triage.example/cds/override-reason\",\"display\":"
             "\"Oplysningen sendes separat\"},\"userComment\":\"PPV fra PPR, barnet 220809-4631\"},"
             "\"outcomeTimestamp\":\"2026-12-06T10:06:00Z\"}]}", c1, c2);
    json_t *f = post(SIGN "/feedback", body, &status);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(f, "recorded")), 2);
    json_decref(f);
    /* the comment is kept without the CPR number */
    assert_int_equal(sf_count(&fx, "SELECT count(*) FROM cds_feedback WHERE comment LIKE '%4631%'"), 0);
    assert_int_equal(sf_count(&fx, "SELECT count(*) FROM cds_feedback"), 2);

    /* a card this service never gave; an outcome the standard lacks */
    f = post(SIGN "/feedback", "{\"feedback\":[{\"card\":\"00000000-0000-4000-8000-000000000000\","
             "\"outcome\":\"accepted\",\"outcomeTimestamp\":\"2026-12-06T10:05:31Z\"}]}", &status);
    assert_int_equal(status, 404);
    json_decref(f);
    snprintf(body, sizeof body, "{\"feedback\":[{\"card\":\"%s\",\"outcome\":\"ignored\","
             "\"outcomeTimestamp\":\"2026-12-06T10:05:31Z\"}]}", c1);
    f = post(SIGN "/feedback", body, &status);
    assert_int_equal(status, 400);
    assert_string_equal(json_string_value(json_object_get(f, "field")), "feedback[0].outcome");
    json_decref(f);
    assert_int_equal(sf_count(&fx, "SELECT count(*) FROM cds_feedback"), 2);

    /* the report, through the public API */
    triage_error err;
    triage_store *st = triage_store_open(fx.db, &err);
    assert_non_null(st);
    char *rep = triage_cds_report(st, &err);
    assert_non_null(rep);
    json_t *r = json_loads(rep, 0, NULL), *k, *missing = NULL;
    size_t i;
    json_array_foreach(json_object_get(r, "kinds"), i, k)
        if (!strcmp(json_string_value(json_object_get(k, "kind")), "missing")) missing = k;
    assert_non_null(missing);
    assert_true(json_integer_value(json_object_get(missing, "given")) >= 2);
    assert_int_equal(json_integer_value(json_object_get(missing, "accepted")), 1);
    assert_int_equal(json_integer_value(json_object_get(missing, "overridden")), 1);
    json_t *reason = json_array_get(json_object_get(missing, "reasons"), 0);
    assert_string_equal(json_string_value(json_object_get(reason, "code")), "sent-separately");
    assert_int_equal(json_integer_value(json_object_get(reason, "count")), 1);
    json_decref(r);
    free(rep);
    triage_store_close(st);

    /* and through the command, as text and as JSON */
    char cmd[1400], out[8192];
    snprintf(cmd, sizeof cmd, "%s cds-report --db %s", TRIAGE_EXE, fx.db);
    assert_int_equal(tu_run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "missing"));
    assert_non_null(strstr(out, "overridden because sent-separately (Oplysningen sendes separat): 1"));
    snprintf(cmd, sizeof cmd, "%s cds-report --db %s --format json", TRIAGE_EXE, fx.db);
    assert_int_equal(tu_run(cmd, out, sizeof out), 0);
    r = json_loads(out, 0, NULL);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 1);
    assert_int_equal(json_integer_value(json_object_get(r, "overridden")), 1);
    json_decref(r);
    snprintf(cmd, sizeof cmd, "%s cds-report --db %s --format xml 2>/dev/null", TRIAGE_EXE, fx.db);
    assert_int_equal(tu_run(cmd, out, sizeof out), 1);
    json_decref(j);
    free(req);
}

/* -------------------------------------------------------------------- CORS */

static void test_without_trusted_clients_no_other_site_may_read_or_post(void **state)
{
    resp r = call(fx.port, "GET", "/cds-services", "Origin: https://evil.example\r\n", NULL);
    assert_int_equal(r.status, 200);                      /* loopback: answered ... */
    assert_null(strstr(r.head, "Access-Control-Allow-Origin"));   /* ... but not to a script */
    free(r.body);
    r = http(fx.port, "POST", SIGN "/feedback", NULL, "{}", 2);   /* not JSON: a form's post */
    assert_int_equal(r.status, 415);
    free(r.body);
}

static sf_server jx;
static char *token(const char *keyfile, jwt_alg_t alg, const char *kid, const char *aud_path,
                   long exp, const char *jti);

static void test_cors_preflight_allows_authorization_and_content_type(void **state)
{
    resp r = call(jx.port, "OPTIONS", SIGN, "Origin: https://ehr.example.com\r\n"
                  "Access-Control-Request-Method: POST\r\n"
                  "Access-Control-Request-Headers: authorization, content-type\r\n", NULL);
    assert_true(r.status == 204 || r.status == 200);
    assert_non_null(strstr(r.head, "Access-Control-Allow-Origin: https://ehr.example.com"));
    assert_non_null(strstr(r.head, "Access-Control-Allow-Headers: Authorization, Content-Type"));
    assert_non_null(strstr(r.head, "Access-Control-Allow-Methods: GET, POST, OPTIONS"));
    free(r.body);
    char *h = token("client-test.key", JWT_ALG_RS384, "k1", "/cds-services", 300, "jti-cors");
    char *hdr = malloc(strlen(h) + 64);
    sprintf(hdr, "%sOrigin: https://ehr.example.com\r\n", h);
    r = call(jx.port, "GET", "/cds-services", hdr, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "Access-Control-Allow-Origin: https://ehr.example.com"));
    free(r.body);
    free(hdr);
    free(h);
}

/* --------------------------------------------------------------------- JWT */

#define BASE "https://cds.example.org"
#define ISS "https://fhir-ehr.example.com/"

static int jwt_setup(void **state)
{
    char *dir = tu_tmpdir();
    char cfg[2048];
    snprintf(cfg, sizeof cfg, "{\"url\": \"" BASE "/\", \"issuers\": [{\"iss\": \"" ISS "\", "
             "\"keys\": [{\"kid\": \"k1\", \"alg\": \"RS384\", \"pem\": \"" KEYS
             "client-test.pem\"}]}]}");
    tu_write(dir, "cds.json", cfg);
    static char path[1100];
    snprintf(path, sizeof path, "%s/cds.json", dir);
    triage_server_opts o = {.cds_config = path};
    int rc = sf_start(&jx, NULL, NULL, &o);
    *state = dir;
    return rc;
}

static int jwt_teardown(void **state)
{
    sf_stop(&jx);
    tu_rmtree(*state);
    free(*state);
    return 0;
}

/* A token for path: signed with keyfile under alg, exp seconds from now. */
static char *token(const char *keyfile, jwt_alg_t alg, const char *kid, const char *aud_path,
                   long exp, const char *jti)
{
    jwt_t *jwt;
    assert_int_equal(jwt_new(&jwt), 0);
    size_t len = 0;
    unsigned char *key = NULL;
    char path[1024];
    if (keyfile) {
        snprintf(path, sizeof path, KEYS "%s", keyfile);
        key = (unsigned char *)tu_slurp(path, &len);
        assert_non_null(key);
    } else {
        key = (unsigned char *)strdup("a-shared-secret-nobody-should-use");
        len = strlen((char *)key);
    }
    char aud[400];
    snprintf(aud, sizeof aud, BASE "%s", aud_path);
    jwt_add_grant(jwt, "iss", ISS);
    jwt_add_grant(jwt, "aud", aud);
    jwt_add_grant(jwt, "jti", jti);
    jwt_add_grant_int(jwt, "iat", (long)time(NULL));
    jwt_add_grant_int(jwt, "exp", (long)time(NULL) + exp);
    jwt_add_header(jwt, "kid", kid);
    assert_int_equal(jwt_set_alg(jwt, alg, key, (int)len), 0);
    char *t = jwt_encode_str(jwt);
    assert_non_null(t);
    jwt_free(jwt);
    free(key);
    char *h = malloc(strlen(t) + 40);
    sprintf(h, "Authorization: Bearer %s\r\n", t);
    free(t);
    return h;
}

static int jwt_call(const char *headers)
{
    resp r = call(jx.port, "GET", "/cds-services", headers, NULL);
    free(r.body);
    return r.status;
}

static void test_jwt_of_a_configured_client_is_accepted_once(void **state)
{
    char *h = token("client-test.key", JWT_ALG_RS384, "k1", "/cds-services", 300, "jti-once-1");
    assert_int_equal(jwt_call(h), 200);
    assert_int_equal(jwt_call(h), 401);                   /* the same jti again: a replay */
    free(h);
    /* a call to a service: aud is that service's URL */
    char *req = request("14-gp-outdated-cognitive-contained.fhir.json", "order-sign", 0);
    h = token("client-test.key", JWT_ALG_RS384, "k1", SIGN, 300, "jti-once-2");
    resp r = call(jx.port, "POST", SIGN, h, req);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"cards\""));
    free(r.body);
    free(h);
    free(req);
}

static void test_henvis_page_asks_the_service_without_a_jwt_when_clients_are_configured(void **state)
{
    (void)state;
    char *req = request("14-gp-outdated-cognitive-contained.fhir.json", "order-sign", 0);
    resp r = call(jx.port, "POST", SIGN, NULL, req);        /* the service needs its JWT */
    assert_int_equal(r.status, 401);
    free(r.body);
    r = call(jx.port, "GET", "/henvis/cds-services", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "buc-henvisning"));
    free(r.body);
    r = call(jx.port, "POST", "/henvis" SIGN, NULL, req);   /* the page's call needs none */
    assert_int_equal(r.status, 200);
    json_t *j = body_of(&r);
    free(r.body);
    check_cards(j);
    assert_true(cards_of_kind(j, "missing") >= 1);
    json_decref(j);
    free(req);
}

static void test_jwt_that_is_missing_bad_or_expired_is_refused(void **state)
{
    assert_int_equal(jwt_call(NULL), 401);
    assert_int_equal(jwt_call("Authorization: Bearer not.a.jwt\r\n"), 401);
    char *h = token("client-test.key", JWT_ALG_RS384, "k1", "/cds-services", -3600, "jti-old");
    assert_int_equal(jwt_call(h), 401);                   /* expired an hour ago */
    free(h);
    h = token("client-test.key", JWT_ALG_RS384, "k1", SIGN, 300, "jti-aud");
    assert_int_equal(jwt_call(h), 401);                   /* aud: another endpoint */
    free(h);
    h = token("other-test.key", JWT_ALG_RS384, "k1", "/cds-services", 300, "jti-other");
    assert_int_equal(jwt_call(h), 401);                   /* a key nobody trusts */
    free(h);
    h = token("client-test.key", JWT_ALG_RS384, "k2", "/cds-services", 300, "jti-kid");
    assert_int_equal(jwt_call(h), 401);                   /* an unknown kid */
    free(h);
    h = token(NULL, JWT_ALG_HS256, "k1", "/cds-services", 300, "jti-hs");
    assert_int_equal(jwt_call(h), 401);                   /* symmetric: forbidden */
    free(h);
    /* a preflight needs no token */
    resp r = call(jx.port, "OPTIONS", SIGN, "Origin: https://ehr.example.com\r\n", NULL);
    assert_int_equal(r.status, 204);
    free(r.body);
}

static void test_bad_cds_config_stops_the_server_from_starting(void **state)
{
    char *dir = tu_tmpdir();
    tu_write(dir, "cds.json", "{\"url\": \"" BASE "\", \"issuers\": [{\"iss\": \"" ISS "\", "
             "\"keys\": [{\"kid\": \"k1\", \"alg\": \"HS256\", \"pem\": \"x.pem\"}]}]}");
    char path[1100];
    snprintf(path, sizeof path, "%s/cds.json", dir);
    triage_error err;
    triage_host *h = triage_host_open(TRIAGE_SOURCE_DIR "/rules", NULL, &err);
    char db[1200];
    snprintf(db, sizeof db, "%s/x.db", dir);
    triage_server_opts o = {.listen = "127.0.0.1:0", .db = db, .host = h, .cds_config = path,
                            .quiet = 1};
    assert_null(triage_server_start(&o, &err));
    assert_non_null(strstr(err.text, "symmetric"));
    triage_host_close(h);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest open[] = {
        cmocka_unit_test(test_discovery_lists_order_sign_and_order_select_with_prefetch),
        cmocka_unit_test(test_order_sign_gives_one_warning_per_missing_item),
        cmocka_unit_test(test_order_sign_with_two_missing_items_gives_two_warnings),
        cmocka_unit_test(test_redirect_card_suggests_updating_the_performer),
        cmocka_unit_test(test_acute_referral_gets_a_critical_card_with_the_acute_line),
        cmocka_unit_test(test_accepted_draft_gets_only_an_info_card_with_unit_and_deadline),
        cmocka_unit_test(test_order_select_decides_only_the_selected_draft),
        cmocka_unit_test(test_request_without_prefetch_or_patient_is_412),
        cmocka_unit_test(test_without_prefetch_the_patient_and_requester_are_read_from_fhir_server),
        cmocka_unit_test(test_a_patient_fhir_server_does_not_have_is_412_naming_it_without_its_id),
        cmocka_unit_test(test_a_cpr_shaped_patient_id_is_never_fetched),
        cmocka_unit_test(test_a_fetched_resource_of_the_wrong_type_is_412),
        cmocka_unit_test(test_an_unreachable_fhir_server_is_412_naming_the_requester),
        cmocka_unit_test(test_a_user_id_that_is_no_fhir_reference_is_412_without_it),
        cmocka_unit_test(test_a_fhir_server_that_is_not_http_is_412),
        cmocka_unit_test(test_draft_that_cannot_be_read_gets_a_warning_naming_the_field),
        cmocka_unit_test(test_malformed_requests_are_400_naming_the_field),
        cmocka_unit_test(test_drafts_are_never_stored),
        cmocka_unit_test(test_feedback_is_recorded_and_reported_per_card_kind),
        cmocka_unit_test(test_without_trusted_clients_no_other_site_may_read_or_post),
        cmocka_unit_test(test_henvis_page_decides_without_the_stores_history_and_records_nothing),
    };
    const struct CMUnitTest jwt[] = {
        cmocka_unit_test(test_jwt_of_a_configured_client_is_accepted_once),
        cmocka_unit_test(test_henvis_page_asks_the_service_without_a_jwt_when_clients_are_configured),
        cmocka_unit_test(test_jwt_that_is_missing_bad_or_expired_is_refused),
        cmocka_unit_test(test_bad_cds_config_stops_the_server_from_starting),
        cmocka_unit_test(test_cors_preflight_allows_authorization_and_content_type),
    };
    return cmocka_run_group_tests_name("cds", open, setup, teardown) |
           cmocka_run_group_tests_name("cds_jwt", jwt, jwt_setup, jwt_teardown);
}
