/*
** text_measure.h — measurements stated in prose (policy v1.1): weight
** ("vejer 39 kg", "39,5 kg"), height ("er 163 cm høj", "måler 1,63 m"),
** BMI, full-scale IQ, and weight loss (stated in percent, in kilograms lost,
** or as "fra 54,5 kg til 43,6 kg") with the period it took. Values are
** kept in hundredths, so BMI and loss are computed exactly: a double from
** dividing two exact integers is the true value whenever that is one.
*/
#ifndef TRIAGE_TEXT_MEASURE_H
#define TRIAGE_TEXT_MEASURE_H
#include "text.h"
#include "text_dates.h"
#include "text_lexicon.h"
#include "text_scope.h"
#include "text_segment.h"

/* What a TX_MEASURE entry cues (its value). */
enum tx_mcue { TX_MC_WEIGHT = 1, TX_MC_HEIGHT, TX_MC_BMI, TX_MC_LOSS, TX_MC_IQ, TX_MC_EARLIER };
/* Measurement units (TX_T_MUNIT values) and the "fra"/"til" words (TX_T_MPREP). */
enum tx_unit { TX_U_KG = 1, TX_U_CM, TX_U_M, TX_U_PCT };
enum tx_prep { TX_P_FROM = 1, TX_P_TO };

enum tx_mkind {
    TX_MK_WEIGHT,      /* kg, now */
    TX_MK_EARLIER,     /* kg, before ("vejede", "fra 54,5 kg") */
    TX_MK_HEIGHT,      /* cm */
    TX_MK_BMI,
    TX_MK_IQ,
    TX_MK_LOSS_PCT,    /* percent of the earlier weight */
    TX_MK_LOSS_KG,     /* kg lost */
    TX_NMKIND
};

typedef struct tx_measure {
    uint8_t kind;              /* enum tx_mkind */
    uint8_t other;             /* about someone other than the child */
    int64_t v100;              /* the value in hundredths (cm for heights in metres) */
    double period_months;      /* a loss's period ("på 2 måneder"), or -1 */
    uint32_t start, end;       /* normalised: from its cue word to its unit */
    uint32_t sent;
    int32_t cue;               /* the cue's hit, or -1 */
} tx_measure;

/* What the letter says of the child, all measurements taken together. */
typedef struct tx_somatic {
    double weight_kg, height_cm, bmi, loss_pct, loss_months, iq;
    uint8_t has_weight, has_height, has_bmi, bmi_stated, has_loss, has_iq;
    int32_t weight, height, bmi_at, loss, iq_at;   /* the measures they come from, -1 */
} tx_somatic;

typedef struct tx_measures {
    tx_measure *v;
    uint32_t n, cap;
    tx_somatic sum;
} tx_measures;

/* Read the measurements of n: digit runs of g that no date in d took, cue
** words in h, other people's stretches in sc. 0 ok, -1 not enough memory. */
int txm_run(tx_measures *m, const tx_lexicon *lx, const tx_norm *n, const tx_segments *g,
            const tx_hits *h, const tx_dates *d, const tx_scope *sc, const tx_alloc *a);

void txm_free(tx_measures *m, const tx_alloc *a);
#endif
