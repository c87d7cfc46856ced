/*
** test_text_scope.c — each mention's verdict with the shipped word lists
** (policy "negation", "family history", v1.1 "other people"): negated by a
** word before it up to a contrast or a new clause, by its clause going on
** to negate it, by its label's value; a suspicion counts; about another
** person by a verb, a possessive, "hos", "i familien" — and the child's own
** mention where the child is the subject again. Each names its cue.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "text_testutil.h"

/* key's verdict in text: "counted", "suspected", a why with its cue
** ("negated:ikke", "other_person:far"), or "none". */
static const char *verdict(const char *text, const char *key)
{
    static char out[160];
    static const char *const why[] = {"counted", "suspected", "negated",  "negated_after",
                                      "label",   "other",     "history", "dated"};
    const tx_evidence *ev = tt_read(tt_r, text, "2024-05-10");
    assert_non_null(ev);
    const tx_keyev *k = tt_key(tt_r, ev, key);
    assert_non_null(k);
    if (!k->nmention && !k->counted)
        return "none";
    if (k->counted)
        snprintf(out, sizeof out, "%s", why[k->why]);
    else
        snprintf(out, sizeof out, "%s:%s", why[k->why], tt_cue(tt_r, ev, key));
    return out;
}

static void test_a_negation_before_the_term_reaches_it_up_to_a_contrast(void **state)
{
    (void)state;
    assert_string_equal(verdict("Ingen selvmordstanker.", "suicidal_ideation"), "negated:ingen");
    assert_string_equal(verdict("Hverken selvskade eller selvmordstanker.", "suicidal_ideation"),
                        "negated:hverken");
    assert_string_equal(verdict("Afviste ved indlæggelsen selvmordsplaner.", "suicide_plan"),
                        "negated:afviste");
    assert_string_equal(verdict("Ingen selvskade, men selvmordstanker.", "suicidal_ideation"),
                        "counted");
    /* "og har" starts a new clause about the child: the negation stops */
    assert_string_equal(verdict("Vil ikke i skole og har selvmordstanker.", "suicidal_ideation"),
                        "counted");
    /* the nearest negation word is the cue */
    assert_string_equal(verdict("Pigen afviser selvskade og benægter selvmordsplaner.",
                                "suicide_plan"),
                        "negated:benægter");
}

static void test_document_negations_do_not_negate_clinical_terms(void **state)
{
    (void)state;
    assert_string_equal(verdict("Afventer PPV fra kommunen.", "ppv"), "negated:afventer");
    assert_string_equal(verdict("Afventer ADHD-udredning.", "ADHD"), "counted");
    assert_string_equal(verdict("Manglende samtykke fra begge forældre.", "consent_both"),
                        "negated:manglende");
}

static void test_the_clause_may_go_on_to_negate_the_term(void **state)
{
    (void)state;
    assert_string_equal(verdict("Udtalelsen fra PPR er stadig ikke modtaget.", "ppv"),
                        "negated_after:ikke");
    assert_string_equal(verdict("ADHD er afkræftet ved tidligere udredning.", "ADHD"),
                        "negated_after:afkræftet");
    assert_string_equal(verdict("PPV og kognitiv test er ikke foretaget.", "ppv"),
                        "negated_after:ikke");
    assert_string_equal(verdict("PPV og kognitiv test er ikke foretaget.", "cognitive_assessment"),
                        "negated_after:ikke");
    /* another term between takes the negation; a new clause, a new subject
    ** or a reporting verb keeps it from the term */
    assert_string_equal(verdict("PPV foreligger, kognitiv test mangler.", "ppv"), "counted");
    assert_string_equal(verdict("Har selvmordstanker og spiser ikke.", "suicidal_ideation"),
                        "counted");
    assert_string_equal(verdict("Selvmordstanker, som hun ikke vil tale om.", "suicidal_ideation"),
                        "counted");
    assert_string_equal(verdict("PPV viser ikke tegn på ordblindhed.", "ppv"), "counted");
    assert_string_equal(verdict("Tics ses ikke kun i skolen.", "TICS"), "counted");
}

static void test_a_label_is_negated_by_its_value(void **state)
{
    (void)state;
    assert_string_equal(verdict("Selvskade: ingen", "self_harm"), "label:ingen");
    assert_string_equal(verdict("- PPV: mangler\n- WISC: vedlagt", "ppv"), "label:mangler");
    assert_string_equal(verdict("Samtykke fra begge forældre: nej", "consent_both"), "label:nej");
    assert_string_equal(verdict("Selvmordstanker: ja, dagligt", "suicidal_ideation"), "counted");
    assert_string_equal(verdict("Diagnose: ADHD", "ADHD"), "counted");
}

static void test_a_suspicion_counts_and_a_negated_one_does_not(void **state)
{
    (void)state;
    assert_string_equal(verdict("Mistanke om ADHD.", "ADHD"), "suspected");
    assert_string_equal(verdict("Det kan ikke udelukkes, at eleven har autisme.", "AUTISM"),
                        "suspected");
    assert_string_equal(verdict("Der er ingen mistanke om psykose.", "PSYCHOSIS"), "negated:ingen");
    assert_string_equal(verdict("Mistanke om ADHD er afkræftet.", "ADHD"),
                        "negated_after:afkræftet");
}

static void test_talk_about_another_person_is_not_the_childs(void **state)
{
    (void)state;
    assert_string_equal(verdict("Far har ADHD.", "ADHD"), "other:far");
    assert_string_equal(verdict("Morbror med skizofreni.", "PSYCHOSIS"), "other:morbror");
    assert_string_equal(verdict("Mors depression fylder meget.", "DEPRESSION"), "other:mors");
    assert_string_equal(verdict("Der er ADHD og autisme i familien.", "AUTISM"),
                        "other:i familien");
    assert_string_equal(verdict("Der er ADHD og autisme i familien.", "ADHD"), "other:i familien");
    assert_string_equal(verdict("Angst hos mor.", "ANXIETY"), "other:mor");
    assert_string_equal(verdict("Storebror går i BUC.", "previous_buc_contact"), "other:storebror");
    assert_string_equal(verdict("Kæresten ryger hash.", "SUBSTANCE"), "other:kæresten");
    assert_string_equal(verdict("Far har ADHD, autisme og depression.", "DEPRESSION"), "other:far");
    assert_string_equal(verdict("Hun bor hos far, som har depression.", "DEPRESSION"), "other:far");
}

static void test_the_child_as_subject_again_keeps_the_childs_mentions(void **state)
{
    (void)state;
    assert_string_equal(verdict("Far har ADHD, men pt. har også ADHD-symptomer.", "ADHD"),
                        "counted");
    assert_string_equal(verdict("Mor har angst og drengen har depression.", "DEPRESSION"),
                        "counted");
    assert_string_equal(verdict("Mor beskriver, at pigen hører stemmer.", "psychosis"), "counted");
    assert_string_equal(verdict("Mor fortæller om selvskade.", "self_harm"), "counted");
    assert_string_equal(verdict("Drengen bor hos far og har ADHD.", "ADHD"), "counted");
    /* custody is the parents' by nature; a placement "hos mormor" the child's */
    assert_string_equal(verdict("Forældrene har fælles forældremyndighed.", "custody_joint"),
                        "counted");
    assert_string_equal(verdict("Anbragt hos mormor siden 2021.", "custody_placed"), "counted");
    assert_string_equal(verdict("Lillebror er anbragt på børnehjem.", "custody_placed"),
                        "other:lillebror");
}

static void test_a_term_that_holds_its_own_negation_is_not_negated_by_it(void **state)
{
    (void)state;
    assert_string_equal(verdict("Har ingen livslyst.", "suicidal_ideation"), "counted");
    assert_string_equal(verdict("Hører ikke stemmer.", "psychosis"), "negated:ikke");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_negation_before_the_term_reaches_it_up_to_a_contrast),
        cmocka_unit_test(test_document_negations_do_not_negate_clinical_terms),
        cmocka_unit_test(test_the_clause_may_go_on_to_negate_the_term),
        cmocka_unit_test(test_a_label_is_negated_by_its_value),
        cmocka_unit_test(test_a_suspicion_counts_and_a_negated_one_does_not),
        cmocka_unit_test(test_talk_about_another_person_is_not_the_childs),
        cmocka_unit_test(test_the_child_as_subject_again_keeps_the_childs_mentions),
        cmocka_unit_test(test_a_term_that_holds_its_own_negation_is_not_negated_by_it),
    };
    return cmocka_run_group_tests(tests, tt_setup, tt_teardown);
}
