/*
** test_hostile.c — hostile rule sets: 20,000 text terms, 3,000 regexes, one
** giant regex, 100 reloads each with new words, and rules that rewrite
** the libraries, the globals, _ENV or a metatable. Each gets its clear error
** (file and line at load, the rule at decide), the referrals after it decide
** as without it, memory comes back by the allocator's own accounting, and
** `triage run` decides the same with one thread and with two.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <malloc.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "budget.h"
#include "decision.h"
#include "testutil.h"

#define ACCEPT                                                                          \
    "rule{ id='ACC', when=function() return true end, action=function(r, f, d)\n"        \
    "  d:reason(('modtaget %s, %s'):format(date.format(r.received_day), string.lower('OK')))\n" \
    "  d:decide{outcome='accept', target='buc', unit='B193'} end }\n"

/* A rule set in dir: the shipped data (the text layer's words among them)
** with `extra` run in data/text.lua before it returns (it may add to
** `keys`), and `lua` as 10-rules.lua. */
static void write_text_rules(const char *dir, const char *extra, const char *lua)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp -r '%s/rules/data' '%s/'", TRIAGE_SOURCE_DIR, dir);
    assert_int_equal(system(cmd), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/data/text.lua", dir);
    char *text = tu_slurp(path, NULL);
    assert_non_null(text);
    char *ret = strstr(text, "\nreturn {");
    assert_non_null(ret);
    size_t cap = strlen(text) + strlen(extra) + 16;
    char *out = malloc(cap);
    snprintf(out, cap, "%.*s\n%s%s", (int)(ret - text), text, extra, ret);
    tu_write(dir, "data/text.lua", out);
    free(out);
    free(text);
    tu_write(dir, "10-rules.lua", lua);
}

/* 40 keys of 500 made-up words each: 20,000 terms for the lexicon. */
#define TERMS_20000                                                                     \
    "for k = 1, 40 do local t = {}\n"                                                   \
    "  for i = 1, 500 do t[i] = 'ord' .. k .. 'nummer' .. i .. 'vers' end\n"            \
    "  keys['W' .. k] = { terms = t } end\n"

/* Bytes in use by malloc (the allocator's own accounting) and charged to
** every open rule-set budget. */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Load `lua` as 10-rules.lua; expect it to fail at `line` with `text`. */
static void expect_load_error(const char *lua, const triage_limits *lim, int line,
                              const char *text)
{
    size_t budgets = bg_process_used(), heap = heap_in_use();
    char *dir = tu_rules(lua);
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, lim, &err);
    if (rs)
        fail_msg("the rule set loaded; expected '%s' at line %d", text, line);
    assert_int_equal(err.code, TRIAGE_ERULES);
    assert_non_null(strstr(err.file, "10-rules.lua"));
    if (err.line != line || !strstr(err.text, text))
        fail_msg("got line %ld '%s'; expected line %d '%s'", err.line, err.text, line, text);
    /* A failed load keeps nothing: every budget's bytes, and malloc's. */
    assert_int_equal(bg_process_used(), budgets);
    if (!TU_ASAN && heap_in_use() > heap + (1u << 20))
        fail_msg("a failed load kept %zu bytes", heap_in_use() - heap);
    tu_rmtree(dir);
    free(dir);
}

/* Decide `ids` (comma-separated) with rs, each referral's outcome and first
** reason as "outcome:rule:text|..." into out. */
static void decide_all(triage_ruleset *rs, const char *ids, char *out, size_t cap)
{
    triage_error err;
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    char list[256], *save;
    snprintf(list, sizeof list, "%s", ids);
    size_t n = 0;
    out[0] = '\0';
    for (char *id = strtok_r(list, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        triage_referral *r = tu_referral(id, ",\"text\":\"ADHD, ikke autisme.\"");
        triage_decision *d = triage_decide(dc, r, 0);
        assert_non_null(d);
        n += (size_t)snprintf(out + n, cap - n, "%s:%s:%s|", triage_outcome_name(d->outcome),
                              d->nreasons ? d->reasons[0].rule : "",
                              d->nreasons ? d->reasons[0].text : "");
        triage_decision_free(d);
        triage_referral_free(r);
    }
    triage_decider_free(dc);
}

/* ---------------------------------------------------- too big to load */

static void test_20000_text_terms_are_charged_and_fail_to_load_over_the_budget(void **state)
{
    (void)state;
    /* Within the default budget they load, and every state is charged the
    ** lexicon (Vectorscan's database of them, the layer's tables). */
    size_t before = bg_process_used(), heap = heap_in_use();
    char *dir = tu_tmpdir();
    write_text_rules(dir, TERMS_20000, ACCEPT);
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fail_msg("%s", err.text);
    size_t charged = bg_process_used() - before;
    fprintf(stderr, "test_hostile: 20,000 text terms: %zu KB charged to the rule set\n",
            charged >> 10);
    assert_true(charged > 20000u * 100);
    char got[512];
    decide_all(rs, "A,B", got, sizeof got);
    assert_string_equal(got, "accept:ACC:modtaget 2020-03-02, ok|accept:ACC:modtaget 2020-03-02, ok|");
    triage_ruleset_release(rs);
    assert_int_equal(bg_process_used(), before);
    /* Under a 4 MiB budget they do not load: the error names the text data
    ** and the limit, and the failed load keeps nothing. */
    triage_limits small = {.memory_bytes = 4u << 20};
    assert_null(triage_ruleset_load(dir, &small, &err));
    assert_int_equal(err.code, TRIAGE_ERULES);
    if (!strstr(err.text, "data/text.lua") ||
        !strstr(err.text, "memory limit exceeded (4 MiB) building the text lexicon"))
        fail_msg("got '%s'", err.text);
    assert_int_equal(bg_process_used(), before);
    if (!TU_ASAN && heap_in_use() > heap + (2u << 20))
        fail_msg("a failed load kept %zu bytes", heap_in_use() - heap);
    tu_rmtree(dir);
    free(dir);
}

static void test_3000_regexes_are_charged_and_load_or_fail_at_their_line(void **state)
{
    (void)state;
    static const char LUA[] =
        "local R = {}\n"
        "for i = 1, 3000 do R[i] = regex('(?:tilstand|symptom)\\\\s+nr\\\\.?\\\\s*' .. i .. '\\\\b') end\n"
        "rule{ id='R', when=function(r) local n = 0\n"
        "  for i = 1, #R do if R[i]:match('symptom nr ' .. i) then n = n + 1 end end\n"
        "  return n == #R end,\n"
        "  action=function(r, f, d) d:decide{outcome='accept', target='buc'} end }\n";
    /* Within the default budget they load, and the budget sees them: the
    ** compiled code and match data of 3,000 patterns, not only the Lua side. */
    size_t before = bg_process_used();
    char *dir = tu_rules(LUA);
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fail_msg("%s", err.text);
    size_t charged = bg_process_used() - before;
    fprintf(stderr, "test_hostile: 3,000 regexes: %zu KB charged to the rule set\n", charged >> 10);
    assert_true(charged > 3000u * 600);
    char got[512];
    decide_all(rs, "A,B", got, sizeof got);   /* each matched: the JIT code charged too */
    assert_string_equal(got, "accept::|accept::|");
    triage_ruleset_release(rs);
    assert_int_equal(bg_process_used(), before);
    tu_rmtree(dir);
    free(dir);
    /* Under a 2 MiB budget they do not load, and the error says where. */
    triage_limits small = {.memory_bytes = 2u << 20};
    expect_load_error(LUA, &small, 2, "memory limit exceeded (2 MiB)");
}

static void test_a_giant_regex_fails_to_load_at_its_line(void **state)
{
    (void)state;
    /* 1.1 MB of alternatives: more than PCRE2 compiles (and charged while it tries). */
    expect_load_error("local x = 1\n"
                      "local GIANT = regex(('(?:abc|def)'):rep(100000))\n" ACCEPT,
                      NULL, 2, "regular expression is too large");
    /* Past the string length limit the pattern is never even built. */
    expect_load_error("local x = 1\n\n"
                      "local GIANT = regex(('(?:abc|def)'):rep(1000000))\n" ACCEPT,
                      NULL, 3, "string length limit exceeded");
}

/* ------------------------------------------------ a cache-filling reload */

/* Version v: a text key of 60 words of its own, and a rule reading it. */
static void write_patterns_version(const char *dir, int v)
{
    char extra[8192], lua[1024];
    int n = snprintf(extra, sizeof extra, "keys.V%d = { terms = {\n", v);
    for (int i = 0; i < 60; i++)
        n += snprintf(extra + n, sizeof extra - (size_t)n, "  'ord%dv%d',\n", i, v);
    snprintf(extra + n, sizeof extra - (size_t)n, "} }\n");
    snprintf(lua, sizeof lua,
             "rule{ id='V%d', when=function(r) return not evidence.V%d end,\n"
             "  action=function(r, f, d) d:decide{outcome='accept', target='buc', unit='V%d'} end }\n",
             v, v, v);
    write_text_rules(dir, extra, lua);
}

static void test_100_reloads_with_new_words_leave_the_process_as_it_was(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    write_patterns_version(dir, 0);
    triage_error err;
    triage_host *h = triage_host_open(dir, NULL, &err);
    if (!h)
        fail_msg("%s", err.text);
    size_t budgets = bg_process_used(), heap = heap_in_use();
    for (int v = 1; v <= 100; v++) {
        write_patterns_version(dir, v);
        if (triage_host_reload(h, &err) != TRIAGE_OK)
            fail_msg("version %d: %s", v, err.text);
    }
    triage_ruleset *rs = triage_host_acquire(h);
    char got[256];
    decide_all(rs, "A", got, sizeof got);
    assert_string_equal(got, "accept::|");          /* version 100 is active */
    triage_ruleset_release(rs);
    size_t b2 = bg_process_used(), h2 = heap_in_use();
    fprintf(stderr, "test_hostile: 100 reloads, 6,000 new words: budgets %+ld KB, "
                    "malloc in use %+ld KB\n",
            ((long)b2 - (long)budgets) / 1024, ((long)h2 - (long)heap) / 1024);
    assert_true(b2 < budgets + (20u << 20));
    if (!TU_ASAN)
        assert_true(h2 < heap + (20u << 20));
    triage_host_close(h);
    tu_rmtree(dir);
    free(dir);
}

/* The same, with a host serving: a version over the budget is refused
** naming file and line, and the old version decides on. */
static void test_a_reload_over_the_budget_keeps_the_old_rule_set(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    write_patterns_version(dir, 1);
    triage_error err;
    triage_limits small = {.memory_bytes = 4u << 20};
    triage_host *h = triage_host_open(dir, &small, &err);
    if (!h)
        fail_msg("%s", err.text);
    write_text_rules(dir, TERMS_20000, ACCEPT);
    assert_int_equal(triage_host_reload(h, &err), TRIAGE_ERULES);
    if (!strstr(err.text, "data/text.lua: memory limit exceeded (4 MiB)"))
        fail_msg("got '%s'", err.text);
    triage_host_status st;
    triage_host_status_get(h, &st);
    assert_true(st.has_error);
    assert_non_null(strstr(st.last_error.text, "memory limit exceeded"));
    /* and one over the budget in a rule file is refused at its line */
    write_patterns_version(dir, 2);
    tu_write(dir, "10-rules.lua", "local S = {}\n"
                                  "for i = 1, 1e6 do S[i] = ('x'):rep(64) .. i end\n" ACCEPT);
    assert_int_equal(triage_host_reload(h, &err), TRIAGE_ERULES);
    if (!strstr(err.text, "10-rules.lua:2: memory limit exceeded (4 MiB)"))
        fail_msg("got '%s'", err.text);
    triage_ruleset *rs = triage_host_acquire(h);
    char got[256];
    decide_all(rs, "A", got, sizeof got);
    assert_string_equal(got, "accept::|");
    triage_ruleset_release(rs);
    triage_host_close(h);
    tu_rmtree(dir);
    free(dir);
}

/* ------------------------------------------------------ rewriting rules */

/* A rule set whose first rule runs `body` on referral BAD, then ACCEPT. */
static char *rewrite_rules(const char *body)
{
    static char lua[2048];
    snprintf(lua, sizeof lua,
             "rule{ id='EVIL', when=function(r)\n"
             "  if r.id == 'BAD' then %s end\n"
             "  return false end }\n%s", body, ACCEPT);
    return lua;
}

/* BAD goes to manual_review naming EVIL and `why`; the referrals after it
** decide exactly as they do with a rule set that never ran the rewrite. */
static void expect_rewrite_refused(const char *body, const char *why)
{
    char want[1024], got[2048];
    char *clean = tu_rules(ACCEPT), *dir = tu_rules(rewrite_rules(body));
    triage_error err;
    triage_ruleset *ref = triage_ruleset_load(clean, NULL, &err);
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fail_msg("%s: %s", body, err.text);
    decide_all(ref, "A,B", want, sizeof want);
    decide_all(rs, "BAD,A,B,BAD,A", got, sizeof got);
    const char *bad = strstr(got, "manual_review:EVIL:");
    if (bad != got || !strstr(got, why))
        fail_msg("%s: got '%s'; expected manual_review by EVIL with '%s'", body, got, why);
    const char *after = strchr(got, '|') + 1;
    if (strncmp(after, want, strlen(want)) != 0)
        fail_msg("%s: the referrals after it decided '%s', not '%s'", body, after, want);
    triage_ruleset_release(ref);
    triage_ruleset_release(rs);
    tu_rmtree(clean);
    tu_rmtree(dir);
    free(clean);
    free(dir);
}

static void test_rewriting_a_library_a_global_or_a_metatable_is_refused_naming_it(void **state)
{
    (void)state;
    expect_rewrite_refused("date.format = function() return 'X' end",
                           "cannot change 'date.format': 'date' is read only");
    expect_rewrite_refused("string.lower = string.upper",
                           "cannot change 'string.lower'");
    expect_rewrite_refused("local s = string; s.format = nil", "cannot change 'string.format'");
    expect_rewrite_refused("rawset(string, 'lower', string.upper)", "cannot change 'string.lower'");
    expect_rewrite_refused("table.insert(math, 1)", "cannot change 'math.1'");
    expect_rewrite_refused("local f, s = pairs(string) s.lower = string.upper",
                           "cannot change 'string.lower'");
    expect_rewrite_refused("for k, v in pairs(date) do date[k] = nil end",
                           "cannot change 'date.");
    expect_rewrite_refused("_G.date = {}", "cannot set global 'date'");
    expect_rewrite_refused("_G = {}", "cannot set global '_G'");
    expect_rewrite_refused("counter = (counter or 0) + 1", "cannot set global 'counter'");
    expect_rewrite_refused("load('x = 1')()", "cannot set global 'x'");
    expect_rewrite_refused("setmetatable(_G, {})", "cannot change a protected metatable");
    expect_rewrite_refused("getmetatable('').__index = {}", "attempt to index a string value");
    expect_rewrite_refused("getmetatable(regex('x')).__index = {}",
                           "attempt to index a string value");
    expect_rewrite_refused("getmetatable(string).__index = {}", "attempt to index a string value");
    expect_rewrite_refused("setmetatable({}, {__gc = function() while true do end end})",
                           "__gc metamethods are not available");
    expect_rewrite_refused("math.randomseed(1)", "'math.randomseed' is not available");
}

/* Locked, the libraries and globals read as before: pairs sees their
** contents, methods and fields work, metatables have names. */
/* r is one table refilled for every referral: what a rule writes into it,
** its lists or their entries is refused or refilled, never seen by the next. */
static void test_a_rule_writing_into_r_changes_no_later_referral(void **state)
{
    (void)state;
    char *dir = tu_rules(
        "rule{ id='EVIL', when=function(r)\n"
        "  if r.id == 'BAD' then\n"
        "    pcall(function() r.diagnoses[#r.diagnoses + 1] = 'F32' end)\n"
        "    pcall(function() r.medication[5] = 'x' end)\n"
        "    pcall(function() r.assessments[1].extra = 1 end)\n"
        "    pcall(function() r.risk.suicide_attempt = true end)\n"
        "    pcall(function() r.gapd = 1 end)\n"
        "    r.assessments[1].kind = 'other'\n"
        "  end\n"
        "  return false end }\n"
        "rule{ id='ACC', when=function() return true end, action=function(r, f, d)\n"
        "  d:reason(('%d %s %s %s %s %s'):format(#r.diagnoses, tostring(r.medication[5]),\n"
        "    tostring(r.assessments[1].extra), tostring(r.assessments[1].kind),\n"
        "    tostring(r.risk.suicide_attempt), tostring(r.gapd)))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n");
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fail_msg("%s", err.text);
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    static const char *const ids[] = {"A", "BAD", "B"};
    char got[3][256];
    for (int i = 0; i < 3; i++) {
        triage_referral *r = tu_referral(ids[i], ",\"assessments\":[{\"kind\":\"ppv\"}]");
        triage_decision *d = triage_decide(dc, r, 0);
        assert_non_null(d);
        snprintf(got[i], sizeof got[i], "%s", d->nreasons ? d->reasons[d->nreasons - 1].text : "");
        triage_decision_free(d);
        triage_referral_free(r);
    }
    assert_string_equal(got[0], "0 nil nil ppv nil nil");
    assert_string_equal(got[1], "0 nil nil other nil nil");   /* a filled key: its own referral */
    assert_string_equal(got[2], got[0]);
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
}

/* The referrals of the isolation cases: A (every field given), then BAD and
** B with fields left out (custody, gapd, risk.psychosis, somatic but bmi),
** BAD with more list entries than B. */
static triage_referral *isolation_referral(const char *id)
{
    static const char *const a =
        "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"Gladsaxe\","
        "\"sex\":\"M\",\"custody\":\"sole\"},\"consent\":{\"both_custodians\":true},\"gapd\":4,"
        "\"diagnoses\":[\"F90.0\",\"F84.0\",\"F32.1\"],\"medication\":[\"Ritalin\",\"Melatonin\"],"
        "\"assessments\":[{\"kind\":\"cognitive\",\"date\":\"2019-03-04\",\"fsiq\":65},"
        "{\"kind\":\"ppv\",\"by\":\"PPR\"},{\"kind\":\"other\"}],"
        "\"risk\":{\"self_harm\":true,\"psychosis\":false,\"suicide_plan\":false},"
        "\"somatic\":{\"height_cm\":140,\"weight_kg\":30,\"bmi\":15.3,\"weight_loss_pct_3m\":2},"
        "\"text\":\"Dreng med ADHD og angst, selvskade.\"";
    static const char *const bad =
        "\"patient\":{\"birth_date\":\"2010-01-02\",\"municipality\":\"Herlev\"},"
        "\"diagnoses\":[\"F90.0\",\"F84.0\"],\"medication\":[\"Ritalin\"],"
        "\"assessments\":[{\"kind\":\"ppv\"},{\"kind\":\"cognitive\",\"fsiq\":80}],"
        "\"risk\":{\"self_harm\":false},\"somatic\":{\"bmi\":17.5},"
        "\"text\":\"Pige med ADHD og autisme.\"";
    static const char *const b =
        "\"patient\":{\"birth_date\":\"2012-05-06\",\"municipality\":\"Ballerup\"},"
        "\"diagnoses\":[\"F41.1\"],\"assessments\":[{\"kind\":\"ppv\",\"by\":\"PPR\"}],"
        "\"risk\":{\"self_harm\":false},\"somatic\":{\"bmi\":16.5},"
        "\"text\":\"Angst.\"";
    char json[2048];
    snprintf(json, sizeof json,
             "{\"id\":\"%s\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},%s}", id,
             !strcmp(id, "A") ? a : !strcmp(id, "BAD") ? bad : b);
    triage_error err;
    triage_referral *r = triage_referral_parse(json, strlen(json), NULL, 0, &err);
    if (!r)
        fail_msg("%s: %s", id, err.text);
    return r;
}

/* The rule set of an isolation case: EVIL runs `body` on BAD inside a
** pcall (what it tries is refused or allowed, never the referral's end),
** SHOW then writes everything of r, f and d a rule can reach, keys sorted,
** a reason per field of r. */
static const char *isolation_rules(const char *body)
{
    static char lua[4096];
    snprintf(lua, sizeof lua,
        "local function show(v, depth)\n"
        "  if type(v) == 'function' then return 'function' end\n"
        "  if type(v) == 'userdata' then return 'userdata ' .. tostring(getmetatable(v)) end\n"
        "  if type(v) ~= 'table' then return tostring(v) end\n"
        "  if depth > 3 then return 'table' end\n"
        "  local keys, out = {}, {}\n"
        "  for k in next, v do keys[#keys + 1] = k end\n"
        "  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)\n"
        "  for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. '=' .. show(v[k], depth + 1) end\n"
        "  return tostring(getmetatable(v)) .. '{' .. table.concat(out, ',') .. '}' .. #v\n"
        "end\n"
        "rule{ id='EVIL', when=function(r, f, d)\n"
        "  if r.id == 'BAD' then pcall(function() %s end) end\n"
        "  return false end }\n"
        "rule{ id='SHOW', when=function() return true end, action=function(r, f, d)\n"
        "  local keys = {}\n"
        "  for k in next, r do keys[#keys + 1] = k end\n"
        "  for _, k in ipairs({'custody', 'consent_both', 'gapd', 'sex', 'priority', 'text'}) do\n"
        "    if rawget(r, k) == nil then keys[#keys + 1] = k end end\n"
        "  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)\n"
        "  for _, k in ipairs(keys) do d:reason('%%s', tostring(k) .. '=' .. show(r[k], 1)) end\n"
        "  d:reason('%%s', 'history=' .. type(r.history) .. show(r:history(), 1))\n"
        "  d:reason('%%s', 'r=' .. tostring(r) .. ' ' .. tostring(getmetatable(r)))\n"
        "  d:reason('%%s', 'f=' .. show(f, 1) .. ' d=' .. show(d, 1))\n"
        "  d:reason('%%s', 'evidence.counted=' .. show(evidence.counted, 1))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n", body);
    return lua;
}

/* Every reason of d, one a line, after its outcome (free with free()). */
static char *all_reasons(const triage_decision *d)
{
    size_t cap = 64, n = 0;
    for (int i = 0; i < d->nreasons; i++)
        cap += strlen(d->reasons[i].text) + 1;
    char *out = malloc(cap);
    n += (size_t)snprintf(out, cap, "%s\n", triage_outcome_name(d->outcome));
    for (int i = 0; i < d->nreasons; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s\n", d->reasons[i].text);
    return out;
}

/* Decide `ids` (comma-separated isolation referrals) with a new decider
** of rs; the last one's reasons (free with free()). */
static char *decide_isolation(triage_ruleset *rs, const char *ids)
{
    triage_error err;
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    char list[64], *save, *last = NULL;
    snprintf(list, sizeof list, "%s", ids);
    for (char *id = strtok_r(list, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        triage_referral *r = isolation_referral(id);
        triage_decision *d = triage_decide(dc, r, 0);
        assert_non_null(d);
        free(last);
        last = all_reasons(d);
        triage_decision_free(d);
        triage_referral_free(r);
    }
    triage_decider_free(dc);
    return last;
}

/* B, after A and BAD (whose EVIL ran `body`), decides as after A alone,
** and A after BAD as A alone; if not, says so on stderr and returns 0. */
static int isolated(const char *body)
{
    char *dir = tu_tmpdir();
    write_text_rules(dir, "", isolation_rules(body));        /* evidence reads the text */
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fail_msg("%s: %s", body, err.text);
    char *want = decide_isolation(rs, "A,B"), *got = decide_isolation(rs, "A,BAD,B");
    char *alone = decide_isolation(rs, "A"), *again = decide_isolation(rs, "BAD,A,BAD,B,A");
    int ok = 1;
    if (strncmp(want, "accept\n", 7) != 0)
        fail_msg("`%s`: SHOW did not decide: %s", body, want);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "after BAD ran `%s`, B decided\n%s\nnot\n%s\n", body, got, want);
        ok = 0;
    } else if (strcmp(again, alone) != 0) {
        fprintf(stderr, "after BAD ran `%s`, A decided\n%s\nnot\n%s\n", body, again, alone);
        ok = 0;
    }
    free(want);
    free(got);
    free(again);
    free(alone);
    triage_ruleset_release(rs);
    tu_rmtree(dir);
    free(dir);
    return ok;
}

/* Nothing a rule does to r, its tables and their entries, f, d or
** evidence.counted, allowed or refused, is seen by a later referral: each
** decides as with a fresh decider. rawset fills no empty field, a
** replaced table comes back. */
static void test_nothing_a_rule_does_to_r_is_seen_by_a_later_referral(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        /* rawset into what holds nothing */
        "rawset(r, 'custody', 'joint')", "rawset(r, 'gapd', 2)", "rawset(r, 'foo', 1)",
        "rawset(r.risk, 'psychosis', true)", "rawset(r.somatic, 'height_cm', 150)",
        "rawset(r.assessments[1], 'extra', 1)", "rawset(r.assessments[1], 'fsiq', 1)",
        "rawset(r.diagnoses, 5, 'F32')", "rawset(r.medication, 3, 'x')",
        "rawset(r.assessments, 3, {})", "rawset(r.risk, 'foo', true)",
        "local h = r:history() rawset(h, 1, {id = 'X'})",
        "rawset(f, 'x', 1)", "rawset(d, 'x', 1)",
        /* r's tables replaced */
        "r.diagnoses = {'F32'}", "r.risk = nil", "r.risk = {psychosis = true}",
        "r.assessments = {}", "r.assessments = nil", "r.medication = {'x'}",
        "r.somatic = {bmi = 1}", "r.history = nil",
        "r.history = function() return {{id = 'X'}} end",
        "r.diagnoses, r.risk, r.somatic = r.medication, r.somatic, r.risk",
        /* new keys, filled fields, entries beyond the count, metatables */
        "r.foo = 1", "r.risk.foo = 1", "r.risk.self_harm = true", "r.risk.self_harm = nil",
        "r.risk.psychosis = true", "r.somatic.bmi = 99", "r.somatic.bmi = nil",
        "r.somatic.height_cm = 150", "r.assessments[1].kind = 'other'",
        "r.assessments[1].extra = 1", "r.assessments[2].fsiq = nil",
        "r.assessments[1] = {kind = 'x'}", "r.assessments[3] = {}", "r.assessments[2] = nil",
        "r.diagnoses[5] = 'x'", "r.diagnoses[3] = 'x'", "r.diagnoses[2] = nil",
        "r.diagnoses[1] = 'F99'", "table.remove(r.diagnoses, 1)",
        "table.insert(r.diagnoses, 'x')", "table.move({1, 2, 3, 4}, 1, 4, 1, r.diagnoses)",
        "table.sort(r.diagnoses, function(a, b) return a > b end)",
        "setmetatable(r, {})", "setmetatable(r.risk, nil)", "setmetatable(r.assessments[1], {})",
        "r.age = 99", "r.municipality = nil", "r.custody = 'joint'", "r.gapd = 1",
        "r.sex = 'F'", "local t = r.text r.text = 'x'", "r.text = 'x'",
        "local t = r.id r.id = 'B'", "local t = r.prior_interventions t[1] = 'x'",
        "load('custody = 1 diagnoses = 2', 'x', 't', r)()",
        "f.x = 1", "d.explain = true",
        /* evidence.counted, refilled for each referral */
        "evidence.counted.foo = 1", "evidence.counted[50] = 'x'",
        "evidence.counted[#evidence.counted + 1] = 'x'", "rawset(evidence.counted, 'foo', 1)",
        "evidence.counted[1] = nil",
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
        failed += !isolated(bodies[i]);
    if (failed)
        fail_msg("%d of %zu cases were seen by a later referral", failed,
                 sizeof bodies / sizeof *bodies);
}

/* rawset on r, its tables and f is refused naming the rule, as a write
** into the globals is (d is no table: rawset refuses it anyway). */
static void test_rawset_into_r_or_f_is_refused_naming_the_rule(void **state)
{
    (void)state;
    expect_rewrite_refused("rawset(r, 'custody', 'joint')",
                           "cannot change 'referral.custody': 'referral' is read only (rawset too)");
    expect_rewrite_refused("rawset(r.risk, 'psychosis', true)",
                           "cannot change 'referral.psychosis'");
    expect_rewrite_refused("rawset(r.diagnoses, 5, 'F32')", "cannot change 'referral.5'");
    expect_rewrite_refused("rawset(r.assessments[1] or r.risk, 'x', 1)",
                           "cannot change 'referral.x'");
    expect_rewrite_refused("rawset(r, 'age', 1)", "cannot change 'referral.age'");
    /* f too; a rule's own tables, with a metatable or without, take rawset */
    char *got = tu_first_reason(
        "rule{ id='R', when=function() return true end, action=function(r, f, d)\n"
        "  local ok, err = pcall(rawset, f, 'x', 1)\n"
        "  local own, t = setmetatable({}, {__newindex = function() error('no') end}), {}\n"
        "  rawset(own, 'a', 1) rawset(t, 1, 'b')\n"
        "  d:reason('%s', tostring(ok) .. ' ' .. err .. ' ' .. own.a .. t[1])\n"
        "  d:decide{outcome='accept', target='buc'} end }\n", "");
    assert_string_equal(got, "false cannot change 'facts.x': 'facts' is read only (rawset too) 1b");
    free(got);
}

static void test_locked_libraries_and_globals_read_as_before(void **state)
{
    (void)state;
    char *got = tu_first_reason(
        "rule{ id='R', when=function() return true end, action=function(r, f, d)\n"
        "  local n, m = 0, 0\n"
        "  for k, v in pairs(string) do n = n + 1 end\n"
        "  for k, v in pairs(_G) do m = m + 1 end\n"
        "  d:reason(('%s %s %s %s %s %s %s %s'):format(n > 15, m > 20, type(string.lower),\n"
        "    getmetatable(string), getmetatable(''), getmetatable(regex('x')), ('A'):lower(),\n"
        "    _G.date == date and _G._G == _G))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n", "");
    assert_string_equal(got, "true true function locked string regex a true");
    free(got);
}

/* _ENV is a constant of every rule file: rebinding it cannot even load. */
static void test_assigning_env_fails_to_load_at_its_line(void **state)
{
    (void)state;
    expect_load_error("local x = 1\n"
                      "rule{ id='EVIL', when=function(r) _ENV = {} return false end }\n" ACCEPT,
                      NULL, 2, "attempt to assign to const variable '_ENV'");
    expect_load_error("local x = 1\ntostring = nil\n" ACCEPT, NULL, 2,
                      "attempt to assign to const variable 'tostring'");
}

/* ------------------------------------------------- the accounting itself */

/* The shipped rule set, deciding letters (regexes JIT-compiled, the scanner
** confirming mentions), charges its budget, and once freed has given back
** every byte: no charge is left undone. */
static void test_the_shipped_rules_give_back_every_byte_they_were_charged(void **state)
{
    (void)state;
    size_t before = bg_process_used();
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(TRIAGE_SOURCE_DIR "/rules", NULL, &err);
    if (!rs)
        fail_msg("%s", err.text);
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    assert_non_null(dc);
    size_t loaded = bg_process_used() - before;
    static const char *const texts[] = {
        "Pige på 14 år med selvmordstanker og selvskade. Ingen psykose. WISC-V 2019, "
        "FSIQ 85. PPV foreligger ikke endnu. Far har ADHD.",
        "Dreng 9 år, mistanke om autisme og ADHD; udredt af PPR 3. marts 2020. "
        "Spiseforstyrrelse afkræftet, BMI 16,2.",
        "Angst og tvangstanker gennem 6 måneder, ikke bedret trods samtaler."};
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
            char extra[1024], id[16];
            snprintf(extra, sizeof extra, ",\"text\":\"%s\"", texts[i]);
            snprintf(id, sizeof id, "R%d", round * 3 + (int)i);
            triage_referral *r = tu_referral(id, extra);
            triage_decision *d = triage_decide(dc, r, TRIAGE_EXPLAIN);
            assert_non_null(d);
            triage_decision_free(d);
            triage_referral_free(r);
        }
    size_t deciding = bg_process_used() - before;
    fprintf(stderr, "test_hostile: the shipped rules: %zu KB charged loaded (one state), "
                    "%zu KB having decided\n", loaded >> 10, deciding >> 10);
    assert_true(loaded > (1u << 20));
    triage_decider_free(dc);
    triage_ruleset_release(rs);
    assert_int_equal(bg_process_used(), before);
}

/* ---------------------------------------- the same with 1 and 2 threads */

static char *tmp;

static int run_cmd(char *const argv[], const char *out)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every decision of a database, one line each, in id order. */
static char *decisions_of(const char *db)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT referral_id, outcome, reasons FROM decisions"
                                           " ORDER BY referral_id", -1, &s, NULL), SQLITE_OK);
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *row[3];
        for (int i = 0; i < 3; i++)
            row[i] = (const char *)sqlite3_column_text(s, i);
        size_t need = strlen(row[0]) + strlen(row[1]) + strlen(row[2]) + 4;
        if (n + need >= cap)
            out = realloc(out, cap = 2 * (cap + need));
        n += (size_t)sprintf(out + n, "%s %s %s\n", row[0], row[1], row[2]);
    }
    sqlite3_finalize(s);
    sqlite3_close(h);
    return out;
}

static void test_hostile_rules_decide_the_same_with_one_thread_and_two(void **state)
{
    (void)state;
    char rules[1100], corpus[1100], input[1100], db[2][1100];
    snprintf(rules, sizeof rules, "%s/rules", tmp);
    snprintf(corpus, sizeof corpus, "%s/c", tmp);
    snprintf(input, sizeof input, "%s/c/referrals.jsonl", tmp);
    /* Every tenth referral tries a rewrite; the rest would see it. */
    tu_write(tmp, "rules/10-rules.lua",
             "rule{ id='EVIL', when=function(r)\n"
             "  local n = tonumber(r.id:sub(-4)) % 50\n"
             "  if n == 0 then date.format = function() return 'X' end end\n"
             "  if n == 10 then string.lower = string.upper end\n"
             "  if n == 20 then seen = (seen or 0) + 1 end\n"
             "  if n == 30 then getmetatable('').__index.lower = string.upper end\n"
             "  if n == 40 then rawset(_G, 'date', {}) end\n"
             "  return false end }\n"
             "rule{ id='ACC', when=function() return true end, action=function(r, f, d)\n"
             "  d:reason(('%s %s %s'):format(date.format(r.received_day), ('ABC'):lower(),\n"
             "    tostring(rawget(_G, 'seen'))))\n"
             "  d:decide{outcome='accept', target='buc'} end }\n");
    char *gen[] = {TRIAGE_EXE, "corpus", "--count", "500", "--out", corpus, NULL};
    assert_int_equal(run_cmd(gen, NULL), 0);
    char *got[2];
    for (int k = 0; k < 2; k++) {
        snprintf(db[k], sizeof db[k], "%s/t%d.db", tmp, k + 1);
        char *imp[] = {TRIAGE_EXE, "import", "--db", db[k], input, NULL};
        assert_int_equal(run_cmd(imp, NULL), 0);
        char *rn[] = {TRIAGE_EXE, "run", "--db", db[k], "--rules", rules, "--threads",
                      k ? "2" : "1", NULL};
        assert_int_equal(run_cmd(rn, NULL), 0);
        got[k] = decisions_of(db[k]);
    }
    assert_string_equal(got[0], got[1]);
    /* and the rewrites were refused, the rest decided with the real libraries */
    int refused = 0, accepted = 0;
    for (char *line = got[0], *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        *end = '\0';
        if (strstr(line, " manual_review ") && strstr(line, "\"EVIL\"") &&
            (strstr(line, "cannot change") || strstr(line, "cannot set global") ||
             strstr(line, "attempt to index a nil value")))
            refused++;
        else if (strstr(line, " accept ") && strstr(line, "abc nil") && !strstr(line, "X abc"))
            accepted++;
        else
            fail_msg("unexpected decision: %.300s", line);
        *end = '\n';
    }
    fprintf(stderr, "test_hostile: --threads 1 and 2 agree: %d rewrites refused, %d accepted\n",
            refused, accepted);
    assert_int_equal(refused, 50);
    assert_int_equal(accepted, 450);
    free(got[0]);
    free(got[1]);
}

static int setup(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_20000_text_terms_are_charged_and_fail_to_load_over_the_budget),
        cmocka_unit_test(test_3000_regexes_are_charged_and_load_or_fail_at_their_line),
        cmocka_unit_test(test_a_giant_regex_fails_to_load_at_its_line),
        cmocka_unit_test(test_100_reloads_with_new_words_leave_the_process_as_it_was),
        cmocka_unit_test(test_a_reload_over_the_budget_keeps_the_old_rule_set),
        cmocka_unit_test(test_rewriting_a_library_a_global_or_a_metatable_is_refused_naming_it),
        cmocka_unit_test(test_a_rule_writing_into_r_changes_no_later_referral),
        cmocka_unit_test(test_nothing_a_rule_does_to_r_is_seen_by_a_later_referral),
        cmocka_unit_test(test_rawset_into_r_or_f_is_refused_naming_the_rule),
        cmocka_unit_test(test_locked_libraries_and_globals_read_as_before),
        cmocka_unit_test(test_assigning_env_fails_to_load_at_its_line),
        cmocka_unit_test(test_the_shipped_rules_give_back_every_byte_they_were_charged),
        cmocka_unit_test(test_hostile_rules_decide_the_same_with_one_thread_and_two),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
