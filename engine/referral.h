/*
** referral.h — the parsed, validated referral (internal layout).
** Strings point into the jansson object `raw`, which the referral owns, so a
** record costs one parse and no copies; derived values (birth day, age,
** normalised codes) are computed once at parse time.
*/
#ifndef TRIAGE_REFERRAL_H
#define TRIAGE_REFERRAL_H
#include <jansson.h>
#include <stdint.h>
#include "triage.h"

/* A tri-state from a boolean-or-null field. */
enum { TRI_NULL = -1, TRI_FALSE = 0, TRI_TRUE = 1 };

enum rf_referrer { RK_GP, RK_SPECIALIST, RK_HOSPITAL, RK_MUNICIPALITY,
                   RK_HEALTH_VISITOR, RK_SELF, RK_OTHER, RK__N };
enum rf_custody { CU_NONE = -1, CU_JOINT, CU_SOLE, CU_PLACED, CU_UNKNOWN };
enum rf_assessment { AK_COGNITIVE, AK_PPV, AK_SCHOOL_STATEMENT,
                     AK_CHILD_WELFARE, AK_SOMATIC, AK_OTHER, AK__N };
enum rf_risk { RISK_SUICIDE_ATTEMPT, RISK_SUICIDE_PLAN, RISK_SUICIDAL_IDEATION,
               RISK_SELF_HARM, RISK_PSYCHOSIS, RISK_SUBSTANCE_MISUSE, RISK__N };

/* Spellings as in the schema, indexed by the enums above. */
extern const char *const rf_referrer_names[RK__N];
extern const char *const rf_custody_names[4];
extern const char *const rf_assessment_names[AK__N];
extern const char *const rf_risk_names[RISK__N];
extern const char *const rf_priority_names[3]; /* routine urgent asap */
extern const char *const rf_sex_names[3];      /* F M U */

typedef struct rf_assessment_t {
    int kind;                 /* enum rf_assessment */
    const char *instrument;   /* NULL if absent */
    int32_t date;             /* DT_NONE if absent */
    int fsiq;                 /* -1 if absent or null */
    const char *by;           /* NULL if absent */
} rf_assessment_t;

struct triage_referral {
    json_t *raw;              /* the record as read; owns every string below */
    const char *json;         /* the JSON text it was read from (NUL-terminated,
                                 in this block); NULL when built otherwise */
    size_t json_len;
    const char *id;
    int32_t received;         /* day number */
    int priority;             /* index in rf_priority_names, -1 if absent */
    int referrer_kind;        /* enum rf_referrer */
    const char *referrer_name;/* NULL if absent */
    char cpr[11];             /* ten digits, no hyphen; "" if absent */
    int32_t birth;            /* from birth_date, else from the CPR */
    int age;                  /* whole years at received */
    int sex;                  /* index in rf_sex_names, -1 if absent */
    const char *municipality;
    int custody;              /* enum rf_custody; CU_NONE if absent/null */
    int consent_both;         /* TRI_* */
    int ndiag;
    char (*diag)[8];          /* normalised WHO form: "F90.0", "F41", "Z03.2" */
    const char *text;         /* "" if absent; valid UTF-8 (checked once) */
    size_t text_len;
    int gapd;                 /* -1 if absent or null */
    int nassess;
    rf_assessment_t *assess;
    int nprior;
    const char **prior;       /* prior_interventions */
    int risk[RISK__N];        /* TRI_* */
    double somatic[4];        /* height_cm weight_kg bmi weight_loss_pct_3m; NAN if absent */
    int nmed;
    const char **med;
    int previous_buc;         /* TRI_* */
    struct triage_origin *origin; /* FHIR: what was sent (fhir.h); NULL for a native record */
    int first_of_child;       /* 1: read by `run` from a store where no referral of
                                 this child sorts before it (has_earlier 0): its
                                 history there is empty; 0: ask */
};

/* Normalise an ICD-10 code in WHO or SKS form ("DF900", "F90.0", "f900")
** into out ("F90.0"). Returns 1, or 0 when it is not a code. */
int rf_icd_normalise(const char *code, char out[8]);

#endif
