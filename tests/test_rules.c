/*
** test_rules.c — how rules combine into a decision (precedence, collected
** missing items and reasons, manual_review when nothing or something bad
** happens), facts computed once per referral, the referral as Lua sees it,
** history through the store (the rule set hash: test_sha256.c).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decision.h"
#include "testutil.h"

typedef struct fixture {
    char *dir;
    triage_ruleset *rs;
    triage_decider *dc;
} fixture;

static void setup_rules(fixture *fx, const char *lua, triage_store *st)
{
    fx->dir = tu_rules(lua);
    triage_error err;
    fx->rs = triage_ruleset_load(fx->dir, NULL, &err);
    if (!fx->rs)
        fail_msg("%s", err.text);
    fx->dc = triage_decider_new(fx->rs, st, &err);
    assert_non_null(fx->dc);
}

static void teardown_rules(fixture *fx)
{
    triage_decider_free(fx->dc);
    triage_ruleset_release(fx->rs);
    tu_rmtree(fx->dir);
    free(fx->dir);
}

static triage_decision *decide(fixture *fx, const char *id, const char *extra)
{
    triage_referral *r = tu_referral(id, extra);
    assert_non_null(r);
    triage_decision *d = triage_decide(fx->dc, r, TRIAGE_EXPLAIN);
    triage_referral_free(r);
    assert_non_null(d);
    return d;
}

/* Decide r (freed here; flags as triage_decide's): its first reason says
** want. The outcome, for the caller to check. */
static triage_outcome decide_saying(fixture *fx, triage_referral *r, unsigned flags,
                                    const char *want)
{
    assert_non_null(r);
    triage_decision *d = triage_decide(fx->dc, r, flags);
    triage_referral_free(r);
    assert_non_null(d);
    assert_string_equal(d->reasons[0].text, want);
    triage_outcome o = d->outcome;
    triage_decision_free(d);
    return o;
}

static void test_first_deciding_rule_wins_after_earlier_rules_collect(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "rule{ id='DOC-01', when=function() return true end,\n"
        "  action=function(r, f, d) d:missing('ppv') d:reason('PPV mangler.') end }\n"
        "rule{ id='DOC-02', when=function() return true end,\n"
        "  action=function(r, f, d) d:missing('cognitive_assessment') end }\n"
        "rule{ id='DOC-99', when=function(r, f, d) return #d:missing_items() > 0, 'noget mangler' end,\n"
        "  action=function(r, f, d) d:decide{outcome='request_info', request_from='municipality'} end }\n"
        "rule{ id='ACC-01', when=function() error('never reached') end }\n", NULL);
    triage_decision *d = decide(&fx, "R1", "");
    assert_int_equal(d->outcome, TRIAGE_REQUEST_INFO);
    assert_int_equal(d->missing, (1u << MI_COGNITIVE) | (1u << MI_PPV));
    assert_string_equal(dc_request_names[d->request_from], "municipality");
    assert_int_equal(d->nreasons, 1);
    assert_string_equal(d->reasons[0].rule, "DOC-01");
    assert_int_equal(d->nsteps, 3);                    /* ACC-01 never ran */
    assert_string_equal(d->steps[2].why, "noget mangler");
    assert_true(d->steps[2].applied);
    char *json = triage_decision_json(d);
    /* missing comes out in the schema's order, whatever order rules used */
    assert_non_null(strstr(json, "\"missing\":[\"cognitive_assessment\",\"ppv\"]"));
    assert_non_null(strstr(json, "\"trace\":[{\"rule\":\"DOC-01\",\"applied\":true"));
    free(json);
    triage_decision_free(d);
    teardown_rules(&fx);
}

/* d.explain: true exactly when the trace is recorded, so a rule builds its
** `why` only then; it is read only, like the rest of d. */
static void test_d_explain_is_true_only_when_the_trace_is_recorded(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "rule{ id='X-01', when=function(r, f, d) return false, d.explain and 'why ' .. r.id or nil end }\n"
        "rule{ id='X-02', when=function() return true end, action=function(r, f, d)\n"
        "  d:reason(tostring(d.explain) .. ' ' .. tostring(pcall(function() d.explain = 1 end)))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n", NULL);
    for (int round = 0; round < 2; round++) {         /* it follows each call's flags */
        triage_decision *d = decide(&fx, "R1", "");
        assert_int_equal(d->nsteps, 2);
        assert_string_equal(d->steps[0].why, "why R1");
        assert_string_equal(d->reasons[0].text, "true false");
        triage_decision_free(d);
        triage_referral *r = tu_referral("R2", "");
        d = triage_decide(fx.dc, r, 0);
        triage_referral_free(r);
        assert_int_equal(d->nsteps, 0);
        assert_string_equal(d->reasons[0].text, "false false");
        triage_decision_free(d);
    }
    teardown_rules(&fx);
}

static void test_manual_review_names_the_rule_when_none_decides_or_one_errs(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "rule{ id='X-01', when=function(r) return r.id == 'BADOUT' end,\n"
        "  action=function(r, f, d) d:decide{outcome='maybe'} end }\n"
        "rule{ id='X-02', when=function(r) return r.id == 'BADKEY' end,\n"
        "  action=function(r, f, d) d:decide{outcome='accept', taget='buc'} end }\n"
        "rule{ id='X-03', when=function(r) return r.id == 'BADMISS' end,\n"
        "  action=function(r, f, d) d:missing('xray') end }\n"
        "rule{ id='X-04', when=function(r) return r.id == 'TYPO' end,\n"
        "  action=function(r, f, d) local a = r.agee end }\n"
        "rule{ id='X-05', when=function(r) return r.id == 'TYPONUM' end,\n"
        "  action=function(r, f, d) local a = r[1] end }\n"
        "rule{ id='X-06', when=function(r) return r.id == 'TYPOBOOL' end,\n"
        "  action=function(r, f, d) local a = r[true] end }\n", NULL);
    struct { const char *id, *rule, *text; } cases[] = {
        {"NONE", "ENGINE", "No rule decided; a person must assess the referral."},
        {"BADOUT", "X-01", "outcome 'maybe' is not one of"},
        {"BADKEY", "X-02", "unknown key 'taget'"},
        {"BADMISS", "X-03", "'xray' is not one of"},
        {"TYPO", "X-04", "referral has no field 'agee'"},
        {"TYPONUM", "X-05", "referral has no field '1'"},
        {"TYPOBOOL", "X-06", "referral has no field '?'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        triage_decision *d = decide(&fx, cases[i].id, "");
        assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
        assert_int_equal(d->target, -1);
        assert_string_equal(d->reasons[0].rule, cases[i].rule);
        if (!strstr(d->reasons[0].text, cases[i].text))
            fail_msg("%s: '%s' lacks '%s'", cases[i].id, d->reasons[0].text, cases[i].text);
        triage_decision_free(d);
    }
    teardown_rules(&fx);
}

/* d:reason's text is copied between its conversions in runs; what is put
** in, and a text past the limit, are as string.format would have them. */
static void test_reason_formats_its_values_and_refuses_a_text_too_long(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "rule{ id='T-01', when=function(r) return r.id == 'FMT' end, action=function(r, f, d)\n"
        "  d:reason('enhed %s, frist %D; 100%% sikker: %d år (%5.1f) %s', 'B193', 18353, 12, 2.25,\n"
        "           true)\n"
        "  d:reason('uden værdier: 100%') d:decide{outcome='accept'} end }\n"
        "rule{ id='T-02', when=function(r) return r.id == 'LONG' end, action=function(r, f, d)\n"
        "  d:reason(('æ'):rep(1100) .. '%s', 'x') end }\n"
        "rule{ id='T-03', when=function(r) return r.id == 'FITS' end, action=function(r, f, d)\n"
        "  d:reason(('a'):rep(2040) .. '%s', 'bcdefg') d:decide{outcome='accept'} end }\n",
        NULL);
    triage_decision *d = decide(&fx, "FMT", "");
    assert_int_equal(d->outcome, TRIAGE_ACCEPT);
    assert_string_equal(d->reasons[0].text,
                        "enhed B193, frist 2020-04-01; 100% sikker: 12 år (  2.2) true");
    assert_string_equal(d->reasons[1].text, "uden værdier: 100%");
    triage_decision_free(d);
    d = decide(&fx, "LONG", "");
    assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
    assert_string_equal(d->reasons[0].rule, "T-02");
    assert_non_null(strstr(d->reasons[0].text, "longer than 2047 bytes"));
    triage_decision_free(d);
    d = decide(&fx, "FITS", "");                /* 2,046 bytes and its end */
    assert_int_equal(d->outcome, TRIAGE_ACCEPT);
    assert_int_equal(strlen(d->reasons[0].text), 2046);
    assert_string_equal(d->reasons[0].text + 2040, "bcdefg");
    triage_decision_free(d);
    teardown_rules(&fx);
}

static void test_facts_are_computed_once_per_referral(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "local calls = 0\n"
        "fact('n', function(r, f) calls = calls + 1 return nil end)\n"
        "fact('twice', function(r, f) return (f.n == nil) and r.age * 2 end)\n"
        "rule{ id='F-01', when=function(r, f) return f.twice == f.twice and f.n == nil end }\n"
        "rule{ id='F-02', when=function(r, f) return f.twice > 0 end, action=function(r, f, d)\n"
        "  d:reason(('calls=%d twice=%d'):format(calls, f.twice)) calls = 0\n"
        "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
        "           deadline=r.received_day + 30} end }\n"
        "rule{ id='F-03', when=function(r, f) return f.nope end }\n", NULL);
    for (int round = 0; round < 2; round++) {
        triage_decision *d = decide(&fx, "R1", "");
        assert_string_equal(d->reasons[0].text, "calls=1 twice=16");
        char *json = triage_decision_json(d);
        assert_non_null(strstr(json, "\"deadline\":\"2020-04-01\""));
        free(json);
        triage_decision_free(d);
    }
    teardown_rules(&fx);
}

/* A fact that reads a later one gets it computed then, once: the driver
** does not compute it again at its turn, and the next referral computes it
** afresh; with and without explain, and in a rule set too large for the
** driver to hold each fact's function as an upvalue. */
static void test_a_fact_read_before_its_turn_is_computed_then_and_only_then(void **state)
{
    (void)state;
    for (int many = 0; many < 2; many++) {
        char lua[2048];
        snprintf(lua, sizeof lua,
            "local calls, order = 0, ''\n"
            "fact('early', function(r, f) order = order .. 'e' return f.later .. '!' end)\n"
            "fact('none', function(r, f) order = order .. 'n' return f.nothing end)\n"
            "fact('later', function(r, f) order = order .. 'l' calls = calls + 1\n"
            "  return r.id .. '#' .. calls end)\n"
            "fact('nothing', function(r, f) order = order .. 'o' return nil end)\n"
            "for i = 1, %d do rule{ id='X-' .. i, when=function() return false end } end\n"
            "rule{ id='E-01', when=function() return true end, action=function(r, f, d)\n"
            "  d:reason(('%%s %%s %%s %%s'):format(f.early, f.later, tostring(f.nothing), order))\n"
            "  order = ''\n"
            "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
            "           deadline=r.received_day + 30} end }\n", many ? 130 : 1);
        fixture fx;
        setup_rules(&fx, lua, NULL);
        for (int i = 1; i <= 4; i++) {
            char id[8], want[64];
            snprintf(id, sizeof id, "R%d", i);
            snprintf(want, sizeof want, "R%d#%d! R%d#%d nil elno", i, i, i, i);
            assert_int_equal(decide_saying(&fx, tu_referral(id, ""), i % 2 ? TRIAGE_EXPLAIN : 0,
                                           want), TRIAGE_ACCEPT);
        }
        teardown_rules(&fx);
    }
}

/* A fact sees only the facts of its own referral: f is empty when the first
** fact runs, whatever the referral before computed. */
static void test_no_fact_outlives_its_referral(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "local seen = ''\n"
        "fact('first', function(r, f) local k = next(f) seen = tostring(k) return r.id end)\n"
        "fact('second', function(r, f) local n = 0 for _ in pairs(f) do n = n + 1 end\n"
        "  return n end)\n"
        "rule{ id='N-01', when=function() return true end, action=function(r, f, d)\n"
        "  d:reason(('%s %s %d'):format(seen, f.first, f.second))\n"
        "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
        "           deadline=r.received_day + 30} end }\n", NULL);
    for (int round = 0; round < 3; round++) {
        triage_decision *d = decide(&fx, round ? "R2" : "R1", "");
        assert_string_equal(d->reasons[0].text, round ? "nil R2 1" : "nil R1 1");
        triage_decision_free(d);
    }
    teardown_rules(&fx);
}

/* Referral bad goes to a person under rule, its reason saying says; the one
** decided after it (next) is accepted with reason want, as if bad had not been. */
static void assert_to_a_person_then_clean(fixture *fx, const char *bad, const char *rule,
                                          const char *says, const char *next, const char *want)
{
    triage_decision *d = decide(fx, bad, "");
    assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
    assert_string_equal(d->reasons[0].rule, rule);
    if (!strstr(d->reasons[0].text, says))
        fail_msg("%s: '%s' lacks '%s'", bad, d->reasons[0].text, says);
    triage_decision_free(d);
    d = decide(fx, next, "");
    assert_int_equal(d->outcome, TRIAGE_ACCEPT);
    assert_string_equal(d->reasons[0].text, want);
    triage_decision_free(d);
}

/* A fact that gives f a name no fact has (f.k = v) sends its referral to a
** person, and the next referral's facts do not see the name. */
static void test_a_fact_that_writes_f_sends_the_referral_to_a_person(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "fact('first', function(r, f) local k = next(f) local s = tostring(k)\n"
        "  if r.id == 'BAD' then f.junk = r.id end return s end)\n"
        "rule{ id='N-01', when=function() return true end, action=function(r, f, d)\n"
        "  d:reason(f.first)\n"
        "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
        "           deadline=r.received_day + 30} end }\n", NULL);
    for (int round = 0; round < 2; round++)
        assert_to_a_person_then_clean(&fx, "BAD", "ENGINE",
                                      "a fact assigned to 'junk', which is no fact", "R2", "nil");
    teardown_rules(&fx);
}

/* A rule that assigns to a fact (one that holds a value, the same value, nil
** or no fact at all) fails there, naming itself, and the referral goes to a
** person, even when the rule catches the error; rawset on f is refused the
** same way, naming the rule.
** The next referral's facts are its own, and pairs(f) still lists them. */
static void test_a_rule_that_assigns_a_fact_sends_the_referral_to_a_person(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "fact('age2', function(r, f) return r.age * 2 end)\n"
        "fact('none', function(r, f) return nil end)\n"
        "fact('nan', function(r, f) return 0/0 end)\n"
        "rule{ id='W-01', when=function(r) return r.id == 'SET' end, action=function(r, f)\n"
        "  f.age2 = 1 end }\n"
        "rule{ id='W-02', when=function(r) return r.id == 'NIL' end, action=function(r, f)\n"
        "  f.none = 1 end }\n"
        "rule{ id='W-03', when=function(r) return r.id == 'NEW' end, action=function(r, f)\n"
        "  f.brand_new = 1 end }\n"
        "rule{ id='W-04', when=function(r, f) if r.id == 'CLR' then f.age2 = nil end end }\n"
        "rule{ id='W-05', when=function(r, f) if r.id == 'SAME' then f.age2 = f.age2 end end }\n"
        "rule{ id='W-06', when=function(r, f)\n"
        "  if r.id == 'RAW' then local _, t = pairs(f) rawset(t, 'age2', 1) end end }\n"
        "rule{ id='W-07', when=function(r, f)\n"
        "  if r.id == 'CATCH' then pcall(function() f.age2 = 1 end) end end }\n"
        "rule{ id='W-09', when=function() return true end, action=function(r, f, d)\n"
        "  local names = {} for k in pairs(f) do names[#names + 1] = k end table.sort(names)\n"
        "  d:reason(('%s %s %s %s'):format(f.age2, tostring(f.none), tostring(f.nan ~= f.nan),\n"
        "    table.concat(names, ',')))\n"
        "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
        "           deadline=r.received_day + 30} end }\n", NULL);
    static const struct {
        const char *id, *rule, *says;
    } cases[] = {
        {"SET", "W-01", "a rule assigned to fact 'age2'"},
        {"NIL", "W-02", "a rule assigned to fact 'none'"},
        {"NEW", "W-03", "facts are read only: declare fact('brand_new'"},
        {"CLR", "W-04", "a rule assigned to fact 'age2'"},
        {"SAME", "W-05", "a rule assigned to fact 'age2'"},
        {"RAW", "W-06", "cannot change 'facts.age2': 'facts' is read only (rawset too)"},
        {"CATCH", "W-07", "a rule assigned to fact 'age2'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_to_a_person_then_clean(&fx, cases[i].id, cases[i].rule, cases[i].says, "OK",
                                      "16 nil true age2,nan");
    teardown_rules(&fx);
}

/* A fact that depends on itself is an error; a name no fact has raises, in
** a fact or in a rule. */
static void test_a_fact_that_depends_on_itself_or_an_unknown_name_fails(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "fact('a', function(r, f) if r.id == 'CYC' then return f.b end return 1 end)\n"
        "fact('b', function(r, f) return f.a end)\n"
        "fact('c', function(r, f) if r.id == 'TYPO' then return f.nope end return 2 end)\n"
        "rule{ id='C-00', when=function(r, f) if r.id == 'RTYPO' then return f.nope end end }\n"
        "rule{ id='C-01', when=function() return true end, action=function(r, f, d)\n"
        "  d:reason(('%s %s %s'):format(f.a, f.b, f.c))\n"
        "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
        "           deadline=r.received_day + 30} end }\n", NULL);
    static const char *const ids[] = {"CYC", "OK", "TYPO", "OK", "RTYPO", "OK"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        triage_decision *d = decide(&fx, ids[i], "");
        if (!strcmp(ids[i], "OK")) {
            assert_int_equal(d->outcome, TRIAGE_ACCEPT);
            assert_string_equal(d->reasons[0].text, "1 1 2");
        } else {
            assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
            /* a fact fails as the engine's, a rule as its own */
            assert_string_equal(d->reasons[0].rule, i == 4 ? "C-00" : "ENGINE");
            assert_non_null(strstr(d->reasons[0].text, i ? "unknown fact 'nope'"
                                                         : "depends on itself"));
        }
        triage_decision_free(d);
    }
    teardown_rules(&fx);
}

/* A fact that raises sends the referral to a person under ENGINE (no rule
** ran), its error naming the fact a rule author is to look at: also a fact
** an earlier one read before its turn, and one that ran away. */
static void test_a_fact_that_raises_is_named_in_the_manual_review_reason(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "fact('a', function(r, f) if r.id == 'EARLY' then return f.c end return 1 end)\n"
        "fact('b', function(r, f) if r.id == 'B' then error('b broke') end\n"
        "  if r.id == 'LOOP' then while true do end end return 2 end)\n"
        "fact('c', function(r, f) if r.id == 'C' or r.id == 'EARLY' then return r.age + nil end\n"
        "  return 3 end)\n"
        "rule{ id='C-01', when=function() return true end, action=function(r, f, d)\n"
        "  d:reason(('%s %s %s'):format(f.a, f.b, f.c))\n"
        "  d:decide{outcome='accept', target='buc', unit='B193', priority='routine',\n"
        "           deadline=r.received_day + 30} end }\n", NULL);
    struct { const char *id, *text; } cases[] = {
        {"B", "fact 'b': "}, {"C", "fact 'c': "}, {"EARLY", "fact 'c': "},
        {"LOOP", "fact 'b': "}, {"OK", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        triage_decision *d = decide(&fx, cases[i].id, "");
        if (!cases[i].text) {
            assert_int_equal(d->outcome, TRIAGE_ACCEPT);
            assert_string_equal(d->reasons[0].text, "1 2 3");
        } else {
            assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
            assert_string_equal(d->reasons[0].rule, "ENGINE");
            if (!strstr(d->reasons[0].text, cases[i].text))
                fail_msg("%s: '%s' lacks '%s'", cases[i].id, d->reasons[0].text, cases[i].text);
        }
        triage_decision_free(d);
    }
    teardown_rules(&fx);
}

static void test_rules_see_the_referrals_fields_read_only(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "rule{ id='V-01', when=function() return true end, action=function(r, f, d)\n"
        "  local a = r.assessments[1]\n"
        "  d:reason(table.concat({r.id, r.received, r.birth_date, r.age, tostring(r.has_cpr),\n"
        "    table.concat(r.diagnoses, '+'), r.referrer_kind, tostring(r.custody),\n"
        "    tostring(r.consent_both), tostring(r.gapd), a.kind, a.date, tostring(a.fsiq),\n"
        "    tostring(r.risk.self_harm), tostring(r.risk.psychosis), tostring(r.somatic.bmi),\n"
        "    #r.text, #r:history()}, '|'))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n", NULL);
    triage_decision *d = decide(&fx, "R-7",
        ",\"diagnoses\":[\"DF900\",\"F84.0\",\"DZ032\"],\"consent\":{\"both_custodians\":false},"
        "\"gapd\":3,\"assessments\":[{\"kind\":\"cognitive\",\"date\":\"2019-03-04\",\"fsiq\":65}],"
        "\"risk\":{\"self_harm\":true,\"psychosis\":null},\"somatic\":{\"bmi\":15.5},"
        "\"text\":\"Dreng på 8 år\"");
    assert_string_equal(d->reasons[0].text,
        "R-7|2020-03-02|2011-06-14|8|false|F90.0+F84.0+Z03.2|gp|nil|false|3|cognitive|"
        "2019-03-04|65|true|nil|15.5|15|0");
    triage_decision_free(d);
    teardown_rules(&fx);
}

/* The strings r's fields take are kept from referral to referral (a slot
** per string, the first to come keeping it): each referral still reads its
** own, with more of them than there are slots, and ones too long to keep. */
static void test_rules_read_each_referrals_own_strings_however_many(void **state)
{
    (void)state;
    fixture fx;
    setup_rules(&fx,
        "rule{ id='S-01', when=function() return true end, action=function(r, f, d)\n"
        "  d:reason(r.municipality .. '|' .. table.concat(r.diagnoses, '+') .. '|' ..\n"
        "    tostring(r.assessments[1] and r.assessments[1].by))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n", NULL);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 700; i++) {
            char json[1024], want[256], muni[64];
            if (i % 7 == 0)
                snprintf(muni, sizeof muni, "Kommunen med et navn der er alt for langt %d", i);
            else
                snprintf(muni, sizeof muni, "Kommune %d", i % 3 ? i : i / 3);
            snprintf(json, sizeof json,
                     "{\"id\":\"S\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},"
                     "\"patient\":{\"birth_date\":\"2011-06-14\",\"municipality\":\"%s\"},"
                     "\"diagnoses\":[\"F90.%d\",\"F8%d.0\"]%s}",
                     muni, i % 10, i % 5, i % 2 ? ",\"assessments\":[{\"kind\":\"ppv\",\"by\":\"PPR\"}]" : "");
            snprintf(want, sizeof want, "%s|F90.%d+F8%d.0|%s", muni, i % 10, i % 5,
                     i % 2 ? "PPR" : "nil");
            triage_error err;
            triage_referral *r = triage_referral_parse(json, strlen(json), NULL, 0, &err);
            if (!r)
                fail_msg("%s", err.text);
            decide_saying(&fx, r, 0, want);
        }
    teardown_rules(&fx);
}

/* A store in memory, and the rule set lua deciding with its history. */
static triage_store *setup_history(fixture *fx, const char *lua)
{
    triage_error err;
    triage_store *st = triage_store_open(":memory:", &err);
    assert_non_null(st);
    setup_rules(fx, lua, st);
    return st;
}

static void test_history_lists_the_same_childs_earlier_referrals(void **state)
{
    (void)state;
    triage_error err;
    fixture fx;
    triage_store *st = setup_history(&fx,
        "rule{ id='H-01', when=function(r) return #r:history() > 0 end, action=function(r, f, d)\n"
        "  local h = r:history()[1]\n"
        "  d:reason(h.id .. ' ' .. h.received .. ' ' .. h.outcome .. ' ' .. tostring(h.target))\n"
        "  d:decide{outcome='accept', target='buc'} end }\n"
        "rule{ id='H-02', when=function() return true end, action=function(r, f, d)\n"
        "  d:decide{outcome='redirect', target='municipality'} end }\n");
    const char *cpr = ",\"patient\":{\"cpr\":\"140611-4321\",\"municipality\":\"Gladsaxe\"}";
    char a[2048], b[2048];
    snprintf(a, sizeof a, "{\"id\":\"A\",\"received\":\"2020-01-10\",\"referrer\":{\"kind\":\"gp\"}%s}", cpr);
    snprintf(b, sizeof b, "{\"id\":\"B\",\"received\":\"2020-03-10\",\"referrer\":{\"kind\":\"gp\"}%s}", cpr);
    triage_referral *ra = triage_referral_parse(a, strlen(a), NULL, 0, &err);
    triage_referral *rb = triage_referral_parse(b, strlen(b), NULL, 0, &err);
    assert_non_null(ra);
    assert_non_null(rb);
    assert_int_equal(triage_store_put(st, ra, "t", 1, &err), TRIAGE_OK);
    triage_decision *da = triage_decide(fx.dc, ra, 0);
    assert_int_equal(da->outcome, TRIAGE_REDIRECT);
    assert_int_equal(triage_store_put_decision(st, da, &err), TRIAGE_OK);
    assert_int_equal(triage_store_put(st, rb, "t", 2, &err), TRIAGE_OK);
    triage_decision *db = triage_decide(fx.dc, rb, 0);
    assert_int_equal(db->outcome, TRIAGE_ACCEPT);
    assert_string_equal(db->reasons[0].text, "A 2020-01-10 redirect municipality");
    /* The CPR never reaches rules: no field, no history entry shows it. */
    char *json = triage_decision_json(db);
    assert_null(strstr(json, "4321"));
    free(json);
    triage_decision_free(da);
    triage_decision_free(db);
    triage_referral_free(ra);
    triage_referral_free(rb);
    teardown_rules(&fx);
    triage_store_close(st);
}

/* r:history()'s list is refilled for each referral that asks: entries a
** rule cleared in it (holes: its length is then any of several borders)
** leave no entry of one child's history for the next child. */
static void test_history_shows_no_entry_of_an_earlier_referrals_child(void **state)
{
    (void)state;
    triage_error err;
    fixture fx;
    triage_store *st = setup_history(&fx,
        "rule{ id='H-01', when=function() return true end, action=function(r, f, d)\n"
        "  local h, ids = r:history(), {}\n"
        "  for k, e in next, h do ids[#ids + 1] = k .. ':' .. e.id end\n"
        "  table.sort(ids)\n"
        "  d:reason('%s', r.id .. ' ' .. #h .. ' ' .. table.concat(ids, ' '))\n"
        "  if r.id == 'BAD' then h[2] = nil h[4] = nil h[5] = nil end\n"
        "  d:decide{outcome='accept', target='buc'} end }\n");
    static const char *const ids[] = {"X1", "X2", "X3", "X4", "X5", "BAD", "B"};
    char got[7][128];
    for (int i = 0; i < 7; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"id\":\"%s\",\"received\":\"2020-0%d-10\",\"referrer\":{\"kind\":\"gp\"},"
                 "\"patient\":{\"cpr\":\"%s\",\"municipality\":\"Gladsaxe\"}}",
                 ids[i], i + 1, i < 6 ? "140611-4321" : "020312-1234");
        triage_referral *r = triage_referral_parse(json, strlen(json), NULL, 0, &err);
        if (!r)
            fail_msg("%s", err.text);
        assert_int_equal(triage_store_put(st, r, "t", i + 1, &err), TRIAGE_OK);
        triage_decision *d = triage_decide(fx.dc, r, 0);
        assert_int_equal(d->outcome, TRIAGE_ACCEPT);
        snprintf(got[i], sizeof got[i], "%s", d->reasons[0].text);
        triage_decision_free(d);
        triage_referral_free(r);
    }
    assert_string_equal(got[5], "BAD 5 1:X1 2:X2 3:X3 4:X4 5:X5");
    assert_string_equal(got[6], "B 0 ");                /* the other child: nothing */
    teardown_rules(&fx);
    triage_store_close(st);
}

/* Decide referral id with the rule set in dir: its first reason must be
** text, under rule. */
static void first_reason_is(const char *dir, const char *id, const char *rule,
                            const char *text)
{
    triage_error err;
    triage_ruleset *rs = triage_ruleset_load(dir, NULL, &err);
    if (!rs)
        fail_msg("%s", err.text);
    triage_decider *dc = triage_decider_new(rs, NULL, &err);
    triage_referral *r = tu_referral(id, "");
    triage_decision *d = triage_decide(dc, r, 0);
    assert_int_equal(d->outcome, TRIAGE_MANUAL_REVIEW);
    assert_string_equal(d->reasons[0].rule, rule);
    assert_string_equal(d->reasons[0].text, text);
    triage_decision_free(d);
    triage_referral_free(r);
    triage_decider_free(dc);
    triage_ruleset_release(rs);
}

/* The engine's own texts are the rule set's: data/messages.lua, with
** {rule} and {error} filled in; the shipped file gives the Danish ones;
** without the file, plain English. */
static void test_engine_texts_come_from_the_rule_sets_messages_file(void **state)
{
    (void)state;
    char *dir = tu_rules("rule{ id='X-01', when=function(r) return r.id == 'BOOM' end,\n"
                         "  action=function(r, f, d) error('boom', 0) end }\n");
    first_reason_is(dir, "BOOM", "X-01", "Rule X-01 failed: boom; a person must assess the referral.");
    first_reason_is(dir, "CALM", "ENGINE", "No rule decided; a person must assess the referral.");

    tu_write(dir, "data/messages.lua",
             "return { rule_failed = '{rule} broke ({error}), {rule} again',\n"
             "         no_decision = 'nobody decided' }\n");
    first_reason_is(dir, "BOOM", "X-01", "X-01 broke (boom), X-01 again");
    first_reason_is(dir, "CALM", "ENGINE", "nobody decided");

    char *shipped = tu_slurp(TRIAGE_SOURCE_DIR "/rules/data/messages.lua", NULL);
    assert_non_null(shipped);
    tu_write(dir, "data/messages.lua", shipped);
    free(shipped);
    first_reason_is(dir, "BOOM", "X-01",
                    "Regel X-01 fejlede: boom; en medarbejder skal vurdere henvisningen.");
    first_reason_is(dir, "CALM", "ENGINE",
                    "Ingen regel traf en afgørelse; en medarbejder skal vurdere henvisningen.");
    tu_rmtree(dir);
    free(dir);
}

static void test_load_refuses_a_bad_messages_file_naming_it(void **state)
{
    (void)state;
    static const struct { const char *lua, *want; long line; } cases[] = {
        {"return { rule_faild = 'x' }", "unknown text 'rule_faild' (rule_failed, no_decision)", 0},
        {"return { rule_failed = 'Regel {regel} fejlede' }",
         "rule_failed: '{regel}' is not a placeholder it can have ({rule} {error})", 0},
        {"return { no_decision = 'Ingen {rule}' }",
         "no_decision: '{rule}' is not a placeholder it can have (none)", 0},
        {"return { no_decision = 7 }", "no_decision must be a text of 1 to 1000 bytes", 0},
        {"return 'Ingen regel'", "must return a table of texts (rule_failed, no_decision)", 0},
        {"return {\n  no_decision = 'x' .. nil }", "attempt to concatenate a nil value", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = tu_rules("rule{ id='A', when=function() return false end }\n");
        tu_write(dir, "data/messages.lua", cases[i].lua);
        triage_error err;
        assert_null(triage_ruleset_load(dir, NULL, &err));
        assert_int_equal(err.code, TRIAGE_ERULES);
        if (!strstr(err.text, cases[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.text, cases[i].want);
        char want_file[1100];
        snprintf(want_file, sizeof want_file, "%s/data/messages.lua", dir);
        assert_string_equal(err.file, want_file);
        assert_int_equal(err.line, cases[i].line);
        tu_rmtree(dir);
        free(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_deciding_rule_wins_after_earlier_rules_collect),
        cmocka_unit_test(test_d_explain_is_true_only_when_the_trace_is_recorded),
        cmocka_unit_test(test_manual_review_names_the_rule_when_none_decides_or_one_errs),
        cmocka_unit_test(test_reason_formats_its_values_and_refuses_a_text_too_long),
        cmocka_unit_test(test_facts_are_computed_once_per_referral),
        cmocka_unit_test(test_a_fact_read_before_its_turn_is_computed_then_and_only_then),
        cmocka_unit_test(test_no_fact_outlives_its_referral),
        cmocka_unit_test(test_a_fact_that_writes_f_sends_the_referral_to_a_person),
        cmocka_unit_test(test_a_rule_that_assigns_a_fact_sends_the_referral_to_a_person),
        cmocka_unit_test(test_a_fact_that_depends_on_itself_or_an_unknown_name_fails),
        cmocka_unit_test(test_a_fact_that_raises_is_named_in_the_manual_review_reason),
        cmocka_unit_test(test_rules_see_the_referrals_fields_read_only),
        cmocka_unit_test(test_history_shows_no_entry_of_an_earlier_referrals_child),
        cmocka_unit_test(test_rules_read_each_referrals_own_strings_however_many),
        cmocka_unit_test(test_history_lists_the_same_childs_earlier_referrals),
        cmocka_unit_test(test_engine_texts_come_from_the_rule_sets_messages_file),
        cmocka_unit_test(test_load_refuses_a_bad_messages_file_naming_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
