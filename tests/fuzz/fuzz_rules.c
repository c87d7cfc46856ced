/*
** fuzz_rules.c — libFuzzer target for the Lua-facing API: the input is a
** rule file, loaded into a sandbox with small limits and run on one full
** referral. Load errors, rule errors and limits are all fine; a crash, a
** hang, a decision that is not valid JSON, or a byte left charged to a
** budget once the rule set is freed (budget.h: every charge given back) is
** not.
*/
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "budget.h"
#include "fuzz_util.h"
#include "triage.h"

static const char REFERRAL[] =
    "{\"id\":\"FZ-1\",\"received\":\"2020-03-02\",\"priority\":\"urgent\","
    "\"referrer\":{\"kind\":\"gp\",\"name\":\"Lægehuset\"},"
    "\"patient\":{\"cpr\":\"140611-4321\",\"sex\":\"F\",\"municipality\":\"Gladsaxe\","
    "\"custody\":\"joint\"},\"consent\":{\"both_custodians\":false},"
    "\"diagnoses\":[\"DF900\",\"F41.1\"],\"gapd\":4,"
    "\"text\":\"Pige på 8 år, selvmordstanker. WISC-V FSIQ 85 (2019). Æøå.\","
    "\"assessments\":[{\"kind\":\"cognitive\",\"instrument\":\"WISC-V\","
    "\"date\":\"2019-05-01\",\"fsiq\":85,\"by\":\"PPR\"},{\"kind\":\"ppv\"}],"
    "\"prior_interventions\":[\"PPR\"],\"risk\":{\"suicidal_ideation\":true},"
    "\"somatic\":{\"height_cm\":130,\"weight_kg\":25},\"medication\":[\"melatonin\"],"
    "\"previous_buc_contact\":false}";

static char dir[64], file[96];
static triage_referral *ref;
static size_t charged;           /* bytes charged to budgets between inputs */
static triage_ruleset *keep;     /* kept open for the process's life (below) */
static triage_decider *keep_dc;

static void fz_ignore(int sig) { (void)sig; }

static void fz_cleanup(void)
{
    unlink(file);
    rmdir(dir);
}

static int fz_setup(void)
{
    if (ref)
        return 1;
    /* tmpfs where there is one: on ext4 each input's truncate-and-rewrite
    ** of the rule file starts a block write at close (auto_da_alloc), a
    ** fifth of the run's time. */
    snprintf(dir, sizeof dir, "/dev/shm/triage-fuzz-rules-XXXXXX");
    if (!mkdtemp(dir)) {
        snprintf(dir, sizeof dir, "/tmp/triage-fuzz-rules-XXXXXX");
        if (!mkdtemp(dir))
            return 0;
    }
    snprintf(file, sizeof file, "%s/10-fuzz.lua", dir);
    atexit(fz_cleanup);
    triage_error err;
    ref = triage_referral_parse(REFERRAL, sizeof REFERRAL - 1, NULL, 0, &err);
    if (!ref)
        fz_fail("the fixed referral does not parse: %s", err.text);
    /* A program that handles SIGURG itself runs every sandbox with its
    ** count hook on from the first instruction (sandbox.c): a looping input
    ** then stops after its 200k instructions, not after the watchdog's
    ** 4-8 ms, and no watchdog thread starts and stops for each input. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fz_ignore;
    sigaction(SIGURG, &sa, NULL);
    /* One state open for the process's life, as in any real process. */
    FILE *f = fopen(file, "wb");
    if (!f)
        return 0;
    fputs("rule{ id='KEEP', when=function() return true end }\n", f);
    fclose(f);
    keep = triage_ruleset_load(dir, NULL, &err);
    if (!keep || !(keep_dc = triage_decider_new(keep, NULL, &err)))
        fz_fail("the keep-alive rule set does not load: %s", err.text);
    charged = bg_process_used();
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_setup())
        return 0;
    FILE *f = fopen(file, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);

    triage_limits lim = {.memory_bytes = 8u << 20, .instructions = 200000};
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, &lim, &err);
    if (!rs) {
        if (err.code == TRIAGE_OK || !memchr(err.text, '\0', sizeof err.text))
            fz_fail("a failed load without an error");
        return 0;
    }
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    if (dc) {
        for (int round = 0; round < 2; round++) {   /* the state must recover */
            triage_decision *d = triage_decide(dc, ref, round ? 0 : TRIAGE_EXPLAIN);
            if (!d)
                fz_fail("triage_decide returned NULL");
            char *js = triage_decision_json(d);
            json_error_t je;
            json_t *j = js ? json_loads(js, 0, &je) : NULL;
            if (!j)
                fz_fail("decision is not JSON: %s", js ? js : "(null)");
            json_decref(j);
            free(js);
            triage_decision_free(d);
        }
        triage_decider_free(dc);
    }
    triage_ruleset_release(rs);
    if (bg_process_used() != charged)
        fz_fail("%zu bytes still charged once the rule set was freed",
                bg_process_used() - charged);
    return 0;
}
