/*
** cds.c — HL7 CDS Hooks 2.0 over HTTP (docs/cds.md): discovery lists the
** rule set's services; a call is the engine's (triage_cds_call: the
** request parsed once, each draft read, decided with the active rules and
** answered with cards; the draft never stored), told in HTTP here.
** Feedback is recorded per card. Every reply has CORS headers.
*/
#include <string.h>

#include "cds.h"
#include "fhir.h"

#define CDS_JSON "application/json; charset=utf-8"

int cds_path(const char *url)
{
    return !strncmp(url, "/cds-services", 13) && (url[13] == '\0' || url[13] == '/');
}

void cds_cors(sv_call *c, struct MHD_Response *r)
{
    /* Without trusted clients configured the service is for this machine
    ** (and the same-origin page /henvis): no other site's script may read
    ** its answers, or it could probe what the store knows of a child. */
    if (!sv_cds(c->srv)) return;
    const char *origin = sv_header(c, "Origin");
    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin && *origin ? origin : "*");
    if (origin && *origin) MHD_add_response_header(r, "Vary", "Origin");
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers",
                            "Authorization, Content-Type, Accept");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "WWW-Authenticate");
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
}

sv_result cds_preflight(sv_call *c)
{
    return sv_send(c, 204, "text/plain", "", 0, MHD_RESPMEM_PERSISTENT);
}

/* The card writer on the worker's active rule set, made again after a
** reload; NULL with *e when the rule set has no valid data/cds.json. */
static triage_cds *cds_writer(sv_worker *w, triage_error *e)
{
    triage_ruleset *rs = triage_decider_ruleset(w->dc_db);
    if (w->cds && w->cds_rs == rs) return w->cds;
    triage_cds_close(w->cds);
    triage_ruleset_release(w->cds_rs);
    w->cds_rs = NULL;
    if ((w->cds = triage_cds_open(w->dc_db, e))) w->cds_rs = triage_ruleset_retain(rs);
    return w->cds;
}

/* ------------------------------------------------------------ discovery */

sv_result cds_discovery(sv_call *c)
{
    triage_error e;
    triage_cds *cds = cds_writer(c->w, &e);
    char *text = cds ? triage_cds_services(cds, &e) : NULL;
    return text ? sv_text(c, 200, CDS_JSON, text) : sv_error(c, 500, e.text, NULL);
}

/* ---------------------------------------------------------------- calls */

/* A call answered by dc, its cards recorded in st (NULL: not recorded). */
static sv_result cds_answer(sv_call *c, triage_decider *dc, triage_store *st)
{
    triage_error e;
    triage_cds *cds = cds_writer(c->w, &e);
    if (!cds) return sv_error(c, 500, e.text, NULL);
    if (!triage_cds_service_hook(cds, c->tail)) return sv_error(c, 404, "no such CDS service", NULL);
    int status;
    char *text = triage_cds_call(cds, dc, st, c->tail, c->body, c->len, &status, &e);
    if (text)
        return sv_text(c, status, status == 412 ? "application/fhir+json; charset=utf-8"
                                                : CDS_JSON, text);
    if (e.code == TRIAGE_EINVAL)      /* a malformed request: 400 naming the field */
        return sv_error(c, 400, e.text, json_pack("{s:s}", "field", e.field));
    return sv_error(c, sv_status(e.code), e.text, NULL);
}

sv_result cds_call(sv_call *c)
{
    return cds_answer(c, c->w->dc_db, c->w->db);
}

/* The page /henvis asks the same service, as anyone who can open the page
** may (a referrer's browser has no JWT): so that the answer can tell
** nothing of what the store knows, the draft is decided on the worker's
** empty in-memory store (no child's history), and its cards are not
** recorded (the page sends no feedback). The page is same-origin: no CORS
** headers here, and auth.c refuses a POST from another site. */
sv_result cds_page_call(sv_call *c)
{
    return cds_answer(c, c->w->dc_mem, NULL);
}

/* ------------------------------------------------------------- feedback */

sv_result cds_feedback(sv_call *c)
{
    triage_error e;
    triage_cds *cds = cds_writer(c->w, &e);
    if (!cds) return sv_error(c, 500, e.text, NULL);
    if (!triage_cds_service_hook(cds, c->tail)) return sv_error(c, 404, "no such CDS service", NULL);
    long n = 0;
    triage_code rc = triage_cds_feedback(c->w->db, c->tail, c->body, c->len, &n, &e);
    if (rc == TRIAGE_OK) return sv_json(c, 200, json_pack("{s:I}", "recorded", (json_int_t)n));
    int status = rc == TRIAGE_EINVAL || rc == TRIAGE_EJSON ? 400 : rc == TRIAGE_ENOTFOUND ? 404
               : rc == TRIAGE_ESTORE ? 503 : 500;
    return sv_error(c, status, e.text, e.field[0] ? json_pack("{s:s}", "field", e.field) : NULL);
}
