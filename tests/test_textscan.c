/*
** test_textscan.c — the text scanner rules share: sentence ends ("d. 4.3.2019",
** "BMI 16.2", "9. klasse"), negation scopes cut by contrast words, family
** clauses, caseless Danish æøå, and mentions equal to a plain regex scan.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "decision.h"
#include "testutil.h"

/* A small phrase set in the shape of rules/data/phrases.lua. */
static const char *SCANNER =
    "local S = scanner{\n"
    "  negation = regex[[\\b(?:ikke|ingen|uden|aldrig)\\b]],\n"
    "  negation_doc = regex[[\\b(?:mangler|afventer)\\b]],\n"
    "  contrast = regex[[\\b(?:men|dog)\\b|;]],\n"
    "  post_clin = regex[[\\G\\s*(?:er\\s+)?afkræftet\\b]],\n"
    "  post_doc = regex[[\\G\\s+(?:mangler|foreligger\\s+ikke)\\b]],\n"
    "  family_start = regex[[\\b(?:far|mor|morbror)\\s+(?:har|med)\\b|\\b(?:fars|mors)\\s]],\n"
    "  family_clause = regex[[\\bi\\s+familien\\b]],\n"
    "  family_end = regex[=[\\b(?:men|drengen|pigen|han|hun)\\b|[;:(]]=],\n"
    "  family_post = regex[[\\G\\s*hos\\s+(?:far|mor)\\b]], family_reach = 90,\n"
    "  abbreviations = { d = true, ca = true },\n"
    "}\n"
    "local ADHD, ANGST, PPV = regex[[\\badhd\\b]], regex[[\\bangst\\w*]], regex[[\\bppv\\b]]\n"
    "local SPISE = regex[[\\bspiseforstyr\\w*]]\n"
    "local BEHIND = regex[[(?:\\b|(?<=s)|(?<=ial))angst\\w*]]   -- looks further back than \\b\n"
    "local BEHIND_PLAIN = regex[[(?:\\b|(?<=s)|(?<=ial))angst\\w*]]\n"
    "local ALT = regex[[\\b(?:mo|mor|morbror)\\w{0,2}]]   -- an earlier branch matches shorter\n"
    "local LIST = regex[[\\b(?:øre|ØREN|æble|åen|åens)\\b]]\n"
    "S.terms(ADHD, { ANGST, PPV }, SPISE, BEHIND, ALT, LIST)\n"
    "local OTHER = regex[[\\bskolevægr\\w*]]   -- not declared: scanned on its own\n"
    "local function all(re, kind)\n"
    "  local t = {}\n"
    "  for s, e in S.each(nil, re, kind) do t[#t + 1] = s .. '-' .. e end\n"
    "  return table.concat(t, ',')\n"
    "end\n"
    "local function first(re, kind) return tostring((S.first(nil, re, kind))) end\n"
    "local function plain(re, text)   -- a plain regex scan from left to right\n"
    "  local t, pos = {}, 1\n"
    "  while pos <= #text + 1 do\n"
    "    local s, e = re:find(text, pos)\n"
    "    if not s then break end\n"
    "    t[#t + 1] = s .. '-' .. e\n"
    "    pos = e >= s and e + 1 or s + 1\n"
    "  end\n"
    "  return table.concat(t, ',')\n"
    "end\n"
    "local function sentences(text)\n"
    "  local t, pos = {}, 1\n"
    "  while pos <= #text do\n"
    "    local s, e = S.sentence(nil, pos)\n"
    "    t[#t + 1] = s .. '-' .. e\n"
    "    pos = e + 1\n"
    "  end\n"
    "  return table.concat(t, ',')\n"
    "end\n";

/* Run `expr` (Lua returning a value, with S reset to the referral's text)
** on a referral whose text is `text`; return it as a string. */
static char *eval(const char *expr, const char *text)
{
    char lua[8192], extra[2048];
    snprintf(lua, sizeof lua,
             "%s\nrule{ id='TS', when=function() return true end, action=function(r, f, d)\n"
             "  S.reset(r.text)\n"
             "  d:reason(tostring((function() %s end)()))\n"
             "  d:decide{outcome='accept', target='buc'} end }\n", SCANNER, expr);
    snprintf(extra, sizeof extra, ",\"text\":\"%s\"", text);
    return tu_first_reason(lua, extra);
}

static void expect(const char *expr, const char *text, const char *want)
{
    char *got = eval(expr, text);
    if (strcmp(got, want) != 0)
        fail_msg("%s on \"%s\": got \"%s\", want \"%s\"", expr, text, got, want);
    free(got);
}

static void test_sentences_end_at_terminators_not_abbreviations_decimals_or_ordinals(void **state)
{
    (void)state;
    /* "d." is an abbreviation, "4.3.2019" a date: one sentence, then another */
    expect("return sentences(r.text)", "Set d. 4.3.2019 af egen læge. Nu bedre.",
           "1-30,31-40");
    /* a decimal point is no end; "9. klasse" is an ordinal */
    expect("return sentences(r.text)", "BMI 16.2 i 9. klasse! Hvad nu?", "1-21,22-30");
    /* a line break ends a sentence; "ca." does not */
    expect("return sentences(r.text)", "Vejer ca. 40 kg\\nHøjde 150", "1-16,17-27");
    /* after "9." a capital letter starts a new sentence */
    expect("return sentences(r.text)", "Går i 9. Klasse", "1-9,10-17");
}

static void test_negation_reaches_to_a_contrast_or_the_sentence_end(void **state)
{
    (void)state;
    expect("return first(ADHD)", "Ingen tegn på ADHD.", "nil");
    /* a contrast word ends the negation's reach */
    expect("return first(ADHD)", "Ikke angst, men ADHD.", "17");
    expect("return first(ANGST)", "Ikke angst, men ADHD.", "nil");
    /* the reach ends with the sentence */
    expect("return first(ADHD)", "Ingen angst. ADHD er kendt.", "14");
    /* a clause after the term negates it */
    expect("return first(ADHD)", "ADHD er afkræftet. Angst.", "nil");
    expect("return all(ANGST)", "Angst i skolen; ikke angstanfald. Angsten fylder.", "1-5,35-41");
    /* document negations only count for kind doc */
    expect("return first(PPV, 'doc')", "PPV mangler.", "nil");
    expect("return first(PPV, 'doc')", "Mangler PPV.", "nil");
    expect("return first(PPV)", "Mangler PPV.", "9");
    expect("return first(PPV, 'doc')", "PPV vedlagt.", "1");
}

static void test_mentions_about_a_relative_do_not_count(void **state)
{
    (void)state;
    expect("return first(ADHD)", "Far har ADHD.", "nil");
    expect("return first(ADHD, 'nofam')", "Far har ADHD.", "9");
    /* the child as subject again ends the clause */
    expect("return first(ADHD)", "Far har angst, men drengen har ADHD.", "32");
    expect("return first(ANGST)", "Far har angst, men drengen har ADHD.", "nil");
    expect("return first(ADHD)", "Der er ADHD i familien.", "nil");
    expect("return first(ADHD)", "Mistanke om ADHD hos far.", "nil");
    /* a possessive starts a clause; ":" ends it (ø is two bytes) */
    expect("return first(ADHD)", "Mors søster har ADHD. Pigen har ADHD.", "34");
    expect("return first(ADHD)", "Mors søster: ADHD.", "15");
    /* a relative's clause reaches family_reach (90) bytes at most */
    expect("return first(ADHD)", "Far har mange problemer gennem livet og store bekymringer for alt og alle i mange lange år, og ADHD.", "97");
    expect("return first(ADHD)", "Far har mange problemer gennem livet og store bekymringer for alt og alle, og ADHD.", "nil");
}

static void test_terms_match_caseless_with_danish_letters(void **state)
{
    (void)state;
    expect("return all(SPISE)", "SPISEFORSTYRRELSE og spiseforstyrret adfærd.", "1-17,22-36");
    expect("return all(ANGST)", "ANGSTEN; ængstelig, Angst.", "1-7,22-26");
    /* æøå and other letters next to a term: \\b as in PCRE2 */
    expect("return all(ADHD)", "øADHD ADHDø æ ADHD – ADHD", "18-21,27-30");
    /* an undeclared pattern works the same way */
    expect("return first(OTHER)", "Ingen skolevægring. Skolevægring siden maj.", "22");
    expect("return first(ADHD)", "", "nil");
}

/* S.from: raw mentions (negated ones too) from a position on; false when a
** mention runs over the position, for both declared and plain patterns. */
static void test_from_gives_raw_mentions_from_a_position(void **state)
{
    (void)state;
    static const char *const fr =
        "local s, e = S.from(nil, %s, %d); return tostring(s) .. '-' .. tostring(e)";
    char expr[256];
    const char *text = "Ingen ADHD. Dato 4.3.2019 og skolevægring; ADHD igen.";
    struct { const char *re; int pos; const char *want; } cases[] = {
        {"ADHD", 1, "7-10"},            /* negated, still a mention */
        {"ADHD", 7, "7-10"},
        {"ADHD", 8, "false-nil"},       /* inside the first mention */
        {"ADHD", 11, "45-48"},
        {"ADHD", 49, "nil-nil"},
        {"OTHER", 1, "30-42"},          /* not declared: scanned on its own */
        {"OTHER", 31, "false-nil"},
        {"OTHER", 43, "nil-nil"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(expr, sizeof expr, fr, cases[i].re, cases[i].pos);
        expect(expr, text, cases[i].want);
    }
    expect("return tostring((S.from(nil, ADHD, 1)))", "", "nil");
}

/* S.set/S.which: one call answers first() for every pattern of a set; each()
** iterates without state of its own, so two loops over one term interleave. */
static void test_which_answers_first_for_every_pattern_of_a_set(void **state)
{
    (void)state;
    static const char *const w =
        "local set = S.set{ ADHD, ANGST, PPV, OTHER }\n"
        "local t = {}\n"
        "for _, kind in ipairs{ 'clin', 'doc', 'nofam' } do\n"
        "  local bits, want = S.which(nil, set, kind), 0\n"
        "  for i, re in ipairs{ ADHD, ANGST, PPV, OTHER } do\n"
        "    if S.first(nil, re, kind) then want = want | (1 << (i - 1)) end\n"
        "  end\n"
        "  t[#t + 1] = bits .. (bits == want and '' or '!')\n"
        "end\n"
        "return table.concat(t, ',')";
    expect(w, "Far har ADHD. Ingen angst, men PPV mangler. Skolevægring.", "12,9,13");
    expect(w, "ADHD og angst; PPV vedlagt.", "7,7,7");
    expect(w, "", "0,0,0");
    expect("local ok, e = pcall(S.which, nil, 99); return tostring(ok) .. ': ' .. e", "ADHD",
           "false: scanner: no set 99 (S.set makes them)");
    /* nested loops over the same term; a stale iterator yields nothing */
    expect("local t = {}\n"
           "for s in S.each(nil, ANGST) do for s2 in S.each(nil, ANGST) do t[#t + 1] = s .. ':' .. s2 end end\n"
           "local it, st, c = S.each(nil, ANGST); S.reset('angst'); t[#t + 1] = tostring((it(st, c)))\n"
           "return table.concat(t, ',')",
           "Angst og angst.", "1:1,1:10,10:1,10:10,nil");
}

/* A declared term with lookbehinds is prefiltered by a copy without them,
** and still finds exactly what a plain scan of the pattern finds. */
static void test_lookbehind_terms_find_what_a_plain_scan_finds(void **state)
{
    (void)state;
    const char *text = "Separationsangst, socialangst og tvangstanker; fangst. Angst, xangst.";
    expect("return all(BEHIND)", text, "12-16,25-29,56-60");
    expect("return all(BEHIND_PLAIN)", text, "12-16,25-29,56-60");
    expect("return all(BEHIND)", "Tvangstanker og fangst.", "");
}

/* The prefilter's gates: the first character after its left context, the
** next one, then the next bytes (asked of PCRE2 once, remembered). Each case
** is compared with a plain scan, and with the mentions written out. */
static void test_prefilter_finds_exactly_what_a_plain_scan_finds(void **state)
{
    (void)state;
    static const char *const cmp =
        "local a, b = all(%s), plain(%s, r.text); return a == b and a or (a .. ' != ' .. b)";
    struct { const char *re, *text, *want; } cases[] = {
        /* "ang", "spise" start candidates that the longer prefix rejects */
        {"ANGST", "Angiver angivelig angst; Angstfyldt.", "19-23,26-35"},
        {"SPISE", "Spisevaner, spiseforstyrrelse, spisefors.", "13-29"},
        /* the text ends inside a candidate, or just after a mention */
        {"SPISE", "spiseforstyr", "1-12"},
        {"SPISE", "spiseforsty", ""},
        {"ANGST", "angs", ""},
        {"ADHD", "ADH", ""},
        {"ADHD", "adhd", "1-4"},
        /* æøå at the edges: letters, so no \\b; multibyte bytes in the prefix */
        {"ADHD", "æADHD ADHDå", ""},
        {"ADHD", "ø ADHD å", "4-7"},
        {"ANGST", "ængstelig angstø", "12-18"},
        {"ANGST", "angstæøå æøå angst", "1-11,20-24"},
        /* a character outside the tested classes before and inside a term */
        {"ADHD", "€ADHD, ADHD€ 中ADHD", "4-7,10-13"},
        {"ANGST", "angst中 angst€x", "1-8,10-14"},
        /* the lookbehind term: prefiltered by a copy without them */
        {"BEHIND", "tvangstanker, socialangst, angs", "21-25"},
    };
    char expr[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(expr, sizeof expr, cmp, cases[i].re, cases[i].re);
        expect(expr, cases[i].text, cases[i].want);
    }
    /* the same prefixes met again, answered from the scanner's memory */
    expect("local t = {}\n"
           "for _, x in ipairs{ 'angiver angst', 'angst angiver', 'angiver angst' } do\n"
           "  S.reset(x); t[#t + 1] = all(ANGST)\n"
           "end\n"
           "return table.concat(t, ';')", "", "9-13;1-5;9-13");
}

/* More terms than the prefilter has bits: the rest are scanned plainly,
** and terms declared after texts were read still find what a scan finds. */
static void test_terms_past_64_bits_find_what_a_plain_scan_finds(void **state)
{
    (void)state;
    expect("local res = {}\n"
           "for i = 1, 80 do res[i] = regex('\\\\bord' .. i .. '\\\\b') end\n"
           "S.terms(res)\n"
           "local t = {}\n"
           "for _, i in ipairs{ 1, 40, 63, 64, 65, 80 } do\n"
           "  t[#t + 1] = i .. ':' .. all(res[i]) .. '=' .. plain(res[i], r.text)\n"
           "end\n"
           "local late = regex[[\\bordet\\b]]\n"
           "S.terms(late)\n"
           "t[#t + 1] = all(late) .. ',' .. all(ANGST)\n"
           "return table.concat(t, ';')",
           "ord1 ord40 ord63 ord64 ord65 ord80 ord8 ordet angst ord1",
           "1:1-4,53-56=1-4,53-56;40:6-10=6-10;63:12-16=12-16;64:18-22=18-22;"
           "65:24-28=24-28;80:30-34=30-34;41-45,47-51");
}

/* A term's confirming code is JIT-compiled when first needed and shared by
** every scanner declaring the same pattern: a second scanner (another
** thread's, a reloaded rule set's) with terms the first one already
** confirmed, or never did, finds what a plain scan finds; with and without
** a lookbehind (whose prefilter asks a relaxed copy rather than the code). */
static void test_a_second_scanner_finds_the_same_mentions(void **state)
{
    (void)state;
    expect("local A2 = regex[[\\badhd\\b]]\n"
           "local B2 = regex[[(?:\\b|(?<=s)|(?<=ial))angst\\w*]]\n"
           "local N2 = regex[[\\bnyterm\\w*]]   -- confirmed by no scanner before\n"
           "local S2 = scanner{ negation = regex[[\\bikke\\b]], negation_doc = regex[[\\bx\\b]],\n"
           "  contrast = regex[[\\bmen\\b]], post_clin = regex[[\\Gy]], post_doc = regex[[\\Gy]],\n"
           "  family_start = regex[[\\bfar\\s+har\\b]], family_clause = regex[[\\bi\\s+familien\\b]],\n"
           "  family_end = regex[[\\bmen\\b]], family_post = regex[[\\Gy]], family_reach = 90,\n"
           "  abbreviations = {} }\n"
           "S2.terms(A2, B2, N2)\n"
           "local one = all(ADHD) .. '/' .. all(BEHIND)\n"
           "S2.reset(r.text)\n"
           "local t = {}\n"
           "for _, re in ipairs{ A2, B2, N2 } do\n"
           "  local got = {}\n"
           "  for s, e in S2.each(nil, re) do got[#got + 1] = s .. '-' .. e end\n"
           "  got = table.concat(got, ',')\n"
           "  t[#t + 1] = got == plain(re, r.text) and got or (got .. ' != ' .. plain(re, r.text))\n"
           "end\n"
           "return one .. ';' .. table.concat(t, ';')",
           "ADHD, socialangst og nytermer; adhd", "1-4,32-35/13-17;1-4,32-35;13-17;22-29");
}

/* Mentions are found as they are asked for: first() stops at the first
** that counts; each(), from() and which() asked later still find all, in
** order, the same as a plain scan. */
static void test_mentions_found_lazily_equal_a_full_scan(void **state)
{
    (void)state;
    expect("local a = first(ANGST); local b = all(ANGST)\n"
           "local s, e = S.from(nil, ANGST, 20)\n"
           "return a .. ';' .. b .. ';' .. tostring(s) .. '-' .. tostring(e)",
           "Ingen angst. Angst her, angst der.", "14;14-18,25-29;25-29");
    /* from() first (all found), then first() */
    expect("local s = S.from(nil, ANGST, 1); return tostring(s) .. ';' .. first(ANGST)",
           "Ingen angst. Angst her.", "7;14");
    /* the iterator resumes a scan that first() left half done */
    expect("local a = first(ADHD); local t = {}\n"
           "for s in S.each(nil, ADHD) do t[#t + 1] = s end\n"
           "return a .. ';' .. table.concat(t, ',')",
           "ADHD, ingen ADHD; ADHD og ADHD.", "1;1,19,27");
    static const char *const cmp =
        "local a, b = all(%s), plain(%s, r.text); return a == b and a or (a .. ' != ' .. b)";
    struct { const char *re, *text, *want; } cases[] = {
        /* leftmost-first alternation: "mo" wins, then \\w{0,2} */
        {"ALT", "morbror, mor, moster, morfar", "1-4,10-12,15-18,23-26"},
        {"ALT", "Morbroren MOR mo", "1-4,11-13,15-16"},
        /* caseless æøå in a word list; a word that is a prefix of another */
        {"LIST", "ØRE øren Åens ÅEN æble ÆBLER", "1-4,6-10,12-16,18-21,23-27"},
        {"LIST", "øre, ørene, åen.", "1-4,15-18"},
        {"BEHIND", "Angst, social-angst, separationsangst", "1-5,15-19,33-37"},
    };
    char expr[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(expr, sizeof expr, cmp, cases[i].re, cases[i].re);
        expect(expr, cases[i].text, cases[i].want);
    }
}

/* Family clauses are looked for only as far as a mention asks; a clause
** marked later ("i familien") still covers a term before it. */
static void test_family_clauses_found_lazily_in_any_order(void **state)
{
    (void)state;
    const char *text = "Pigen har ADHD. Far har angst. ADHD og angst i familien.";
    expect("return first(ADHD) .. ',' .. first(ANGST)", text, "11,nil");
    expect("return first(ANGST) .. ',' .. first(ADHD)", text, "nil,11");
    expect("return all(ADHD, 'nofam') .. ';' .. first(ANGST, 'nofam')", text, "11-14,32-35;25");
    expect("local t = {}\n"
           "for s in S.each(nil, ANGST) do t[#t + 1] = s end\n"
           "for s in S.each(nil, ADHD) do t[#t + 1] = s end\n"
           "return table.concat(t, ',')", "Far har angst. Angst og ADHD; far har ADHD.", "16,25");
}

/* The post checks' prefilter: the bytes after a mention rule most checks
** out; where they cannot, the check itself answers (and is remembered by
** bytes only as "maybe", never as a match). */
static void test_post_checks_negate_the_mention_before_them(void **state)
{
    (void)state;
    expect("return first(ADHD)", "ADHD er afkræftet.", "nil");
    expect("return first(ADHD)", "ADHD er aktuel. ADHD er afkræftet.", "1");
    expect("return first(ADHD)", "ADHD afkræftet", "nil");
    expect("return first(ADHD)", "ADHD", "1");
    expect("return first(ADHD)", "ADHD ", "1");
    expect("return first(ADHD)", "ADHD æ afkræftet", "1");
    /* one window, two endings: " hos fa" then "r" or "rmor" */
    expect("local t = {}\n"
           "for _, x in ipairs{ 'ADHD hos far.', 'ADHD hos farmor.', 'ADHD hos far', 'ADHD hos' } do\n"
           "  S.reset(x); t[#t + 1] = first(ADHD)\n"
           "end\n"
           "return table.concat(t, ',')", "", "nil,1,nil,1");
    expect("return first(PPV, 'doc') .. ',' .. first(PPV)", "PPV foreligger ikke.", "nil,1");
    expect("return first(PPV, 'doc')", "PPV foreligger.", "1");
}

/* Sentence ends found 8 bytes at a time: terminators at every offset. */
static void test_sentence_ends_found_at_every_byte_offset(void **state)
{
    (void)state;
    expect("return sentences(r.text)", "Langt ord uden stop her. Kort! Ja? Nej\\nslut",
           "1-24,25-30,31-34,35-39,40-44");
    expect("return sentences(r.text)", "a.b!c?x.efghijklmnopq.", "1-2,3-4,5-6,7-8,9-22");
    expect("return sentences(r.text)", "Set ca. 4.3.2019 af lægen, ikke d. 5.", "1-38");   /* æ: 2 bytes */
    expect("return first(ADHD)", "ADHD\\tog\\tADHD", "1");
}

/* The scanner's text is checked once (u8_valid) and then matched without
** PCRE2's check, so anything that is not UTF-8 must be refused first. */
static void test_text_that_is_not_utf8_is_refused_before_matching(void **state)
{
    (void)state;
    static const char *bad[] = {"\\xc3", "a\\xff", "\\xc0\\x80", "\\xe0\\x80\\xaf",
                                "\\xed\\xa0\\x80", "\\xf4\\x90\\x80\\x80",
                                "ok \\x80 ok"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char expr[200];
        snprintf(expr, sizeof expr, "local ok, e = pcall(S.reset, '%s'); "
                 "return tostring(ok) .. ': ' .. tostring(e)", bad[i]);
        expect(expr, "", "false: scanner: text is not valid UTF-8");
    }
    expect("local ok = pcall(S.reset, 'æøå \\u{10FFFF} \\xe2\\x82\\xac'); return ok", "", "true");
}

static void test_misuse_raises_an_error_saying_what(void **state)
{
    (void)state;
    expect("local ok, e = pcall(S.first, nil, 'adhd'); return tostring(ok) .. ': ' .. e", "ADHD",
           "false: bad argument #2 to '?' (triage.regex expected, got string)");
    /* a spec without its patterns (the message does not yet name the key) */
    expect("local ok, e = pcall(scanner, {}); "
           "return tostring(ok) .. ': ' .. tostring(e:find('triage.regex expected, got nil', 1, true))",
           "", "false: 32");
    expect("local t = {} for i = 1, 65 do t[i] = ADHD end\n"
           "local ok, e = pcall(S.set, t); return tostring(ok) .. ': ' .. e", "",
           "false: scanner: a set holds at most 64 patterns");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentences_end_at_terminators_not_abbreviations_decimals_or_ordinals),
        cmocka_unit_test(test_negation_reaches_to_a_contrast_or_the_sentence_end),
        cmocka_unit_test(test_mentions_about_a_relative_do_not_count),
        cmocka_unit_test(test_terms_match_caseless_with_danish_letters),
        cmocka_unit_test(test_from_gives_raw_mentions_from_a_position),
        cmocka_unit_test(test_which_answers_first_for_every_pattern_of_a_set),
        cmocka_unit_test(test_lookbehind_terms_find_what_a_plain_scan_finds),
        cmocka_unit_test(test_prefilter_finds_exactly_what_a_plain_scan_finds),
        cmocka_unit_test(test_terms_past_64_bits_find_what_a_plain_scan_finds),
        cmocka_unit_test(test_a_second_scanner_finds_the_same_mentions),
        cmocka_unit_test(test_mentions_found_lazily_equal_a_full_scan),
        cmocka_unit_test(test_family_clauses_found_lazily_in_any_order),
        cmocka_unit_test(test_post_checks_negate_the_mention_before_them),
        cmocka_unit_test(test_sentence_ends_found_at_every_byte_offset),
        cmocka_unit_test(test_text_that_is_not_utf8_is_refused_before_matching),
        cmocka_unit_test(test_misuse_raises_an_error_saying_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
