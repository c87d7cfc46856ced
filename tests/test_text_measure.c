/*
** test_text_measure.c — measurements in prose (policy v1.1): weight and
** height with a decimal comma or point, metres as centimetres, BMI stated
** or computed exactly (13.96 < 14.0; 14.00 exactly), IQ, weight loss in
** percent, in kilograms lost, or from an earlier to a later weight (54.5 ->
** 43.6 kg is exactly 20%) with its period; another person's not the child's.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "text_testutil.h"

static const tx_somatic *read_(const char *text)
{
    const tx_evidence *ev = tt_read(tt_r, text, "2024-05-10");
    assert_non_null(ev);
    return ev->somatic;
}

static void test_weight_and_height_in_prose_with_either_decimal_mark(void **state)
{
    (void)state;
    const tx_somatic *s = read_("Vejer 39,5 kg og er 163 cm høj.");
    assert_true(s->has_weight && s->has_height);
    assert_true(s->weight_kg == 39.5);
    assert_true(s->height_cm == 163.0);
    s = read_("Måler 1,63 m, vægt 41.2 kg.");
    assert_true(s->height_cm == 163.0);
    assert_true(s->weight_kg == 41.2);
    s = read_("Højde: 158, vægt: 36");
    assert_true(s->has_height && s->height_cm == 158.0);
    assert_true(s->has_weight && s->weight_kg == 36.0);
    s = read_("Vægt og højde er ikke målt. Snit på 3 cm.");
    assert_false(s->has_weight || s->has_height || s->has_bmi);
}

static void test_bmi_is_stated_or_computed_exactly(void **state)
{
    (void)state;
    const tx_somatic *s = read_("BMI 16,2 ved indlæggelsen.");
    assert_true(s->bmi_stated && s->bmi == 16.2);
    s = read_("BMI beregnet til 12.8");
    assert_true(s->bmi == 12.8);
    s = read_("Vægt 38 kg ved højde 165 cm.");
    assert_false(s->bmi_stated);
    assert_true(s->bmi < 14.0);
    assert_true(s->bmi > 13.95);
    s = read_("Vægt 37,2 kg, højde 163 cm.");       /* 14.0012: 14.00 to two decimals */
    assert_true(s->bmi > 14.0 && s->bmi < 14.005);
    s = read_("Vægt 36 kg, højde 150 cm.");         /* 36 / 1.5² is 16 exactly */
    assert_true(s->bmi == 16.0);
    s = read_("Vægt 40 kg ved 169 cm.");
    assert_true(s->bmi > 14.0);
}

static void test_a_full_scale_iq_and_nothing_else_counts_as_iq(void **state)
{
    (void)state;
    const tx_somatic *s = read_("WISC-V: samlet IK 82, arbejdshukommelse 70.");
    assert_true(s->has_iq && s->iq == 82.0);
    s = read_("IQ 96. FSIQ 58.");
    assert_true(s->iq == 58.0);                   /* the lowest */
    s = read_("Pt. har ikke 100 % fremmøde.");
    assert_false(s->has_iq);
}

static void test_weight_loss_in_each_of_its_forms(void **state)
{
    (void)state;
    const tx_somatic *s = read_("Vægten er faldet fra 54,5 kg til 43,6 kg på 10 uger.");
    assert_true(s->has_loss && s->loss_pct == 20.0);   /* exact */
    assert_true(s->loss_months > 2.29 && s->loss_months < 2.31);
    assert_true(s->weight_kg == 43.6);
    s = read_("Har tabt 10 kg på 6 uger og vejer nu 40 kg.");
    assert_true(s->loss_pct == 20.0);
    assert_true(s->weight_kg == 40.0);
    s = read_("Vægttab på 12 % det seneste halve år.");
    assert_true(s->loss_pct == 12.0);
    assert_true(s->loss_months == 6.0);
    s = read_("Vejede 50 kg i januar, vejer nu 40 kg.");
    assert_true(s->loss_pct == 20.0);
    s = read_("Tabt sig fra 60 kg til 51 kg.");
    assert_true(s->loss_pct == 15.0 && s->weight_kg == 51.0);
    s = read_("Vægten er stabil over de sidste 3 måneder.");
    assert_false(s->has_loss);
}

static void test_another_persons_measurements_are_not_the_childs(void **state)
{
    (void)state;
    const tx_somatic *s = read_("Mor vejer 80 kg. Pigen vejer 39 kg.");
    assert_true(s->weight_kg == 39.0);
    const tx_evidence *ev = tt_read(tt_r, "Mor vejer 80 kg. Pigen vejer 39 kg.", "2024-05-10");
    assert_int_equal(ev->nmeasure, 2);
    assert_true(ev->measure[0].other);
    assert_false(ev->measure[1].other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight_and_height_in_prose_with_either_decimal_mark),
        cmocka_unit_test(test_bmi_is_stated_or_computed_exactly),
        cmocka_unit_test(test_a_full_scale_iq_and_nothing_else_counts_as_iq),
        cmocka_unit_test(test_weight_loss_in_each_of_its_forms),
        cmocka_unit_test(test_another_persons_measurements_are_not_the_childs),
    };
    return cmocka_run_group_tests(tests, tt_setup, tt_teardown);
}
