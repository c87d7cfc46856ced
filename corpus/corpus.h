/*
** corpus.h — the corpus generator's insides, shared by its files: the
** domain (groups, municipalities, units), the child as drawn, the gold
** decision, what a referral shows, and the generator's state. The public
** side is include/triage_corpus.h.
**   draw.c    the child's truth, drawn      gold.c    policy v1 on the truth
**   text.c    the letter's sentences        record.c  the referral as JSON
**   domain.c  the tables all of them read   corpus.c  the loop and the counts
**   rng.h     the one PRNG stream
*/
#ifndef TRIAGE_CP_CORPUS_H
#define TRIAGE_CP_CORPUS_H
#include <stdint.h>
#include <jansson.h>
#include "triage.h"
#include "rng.h"

/* ------------------------------------------------------------ the domain */

enum { G_PSYCHOSIS, G_BIPOLAR, G_DEPRESSION, G_ANXIETY, G_OCD, G_TRAUMA, G_EATING,
       G_AUTISM, G_ADHD, G_TICS, G_ID, G_LEARNING, G_CONDUCT, G_SUBSTANCE,
       G_WELLBEING, G__N };
#define GB(g) (1u << (g))
#define CP_CORE (GB(G_ID) - 1u)

enum { MP_ADHD, MP_AUTISM, MP_ANXIETY, MP_DEPRESSION, MP_EATING, MP_PSYCHOSIS, MP_OTHER };
/* Referrer kinds in schema order. */
enum { R_GP, R_SPECIALIST, R_HOSPITAL, R_MUNICIPALITY, R_HV, R_SELF, R_OTHER };
extern const char *const cp_referrer_names[7];
enum { CU_JOINT, CU_SOLE, CU_PLACED, CU_UNKNOWN };

enum { SITE_GLOSTRUP, SITE_BISPEBJERG, SITE_HILLEROED, SITE_BORNHOLM, SITE_OUT };

typedef struct cp_muni {
    const char *name;
    int site, pop;                    /* population in thousands (2020, rounded) */
    const char *alt[6];               /* other spellings a referrer writes */
    const char *garbled;              /* an unrepairable typo (noise only) */
} cp_muni;
#define CP_NIN 29                     /* the first 29 are the region's */
#define CP_NMUNI 38
extern const cp_muni cp_munis[CP_NMUNI];

extern const char *const cp_units[3][3];          /* by site (not Bornholm) and age band */
/* Psychotropic drugs (structured spelling); the first four are for ADHD, the
** next three SSRIs, the last three antipsychotics. */
extern const char *const cp_psy_meds[10];
extern const char *const cp_other_meds[4];
extern const char *const cp_instr[4];             /* cognitive assessment instruments */

/* The child as it really is: everything the gold decision is derived from. */
typedef struct cp_child {
    int32_t received, birth;
    int age, eff;              /* whole years at received; effective age */
    int male;
    int muni;                  /* index in cp_munis; -1 = garbled in writing */
    int garbled_of;            /* the municipality a garbled name was meant as */
    int referrer, main;
    unsigned groups;
    int dep_severe, dep_psychotic;
    int self_harm, ideation, attempt_now, attempt_past, plan, psychotic;
    int32_t attempt_past_date;
    int meas;                  /* 1 BMI, 2 height and weight, 3 both; 0 none */
    int height; double weight, bmi;
    int wloss;                 /* % weight lost within 3 months; -1 none */
    int med_psy, med_other;    /* index in the drug lists; -1 none */
    int gapd;                  /* -1 not given */
    int custody, consent;
    int cog, cog_where;        /* cog_where: 0 structured, 1 text only, 2 both */
    int32_t cog_date;          /* DT_NONE = undated */
    int fsiq, cog_instr;
    int ppv, prev_buc, repeat;
    char cpr[12];              /* "" = none */
    int birth_field;           /* birth_date written too */
} cp_child;

enum { O_ACCEPT, O_REQUEST_INFO, O_REDIRECT, O_REJECT };
enum { T_NULL = -1, T_BUC, T_SPECIALIST, T_MUNICIPALITY, T_ADULT, T_OTHER_REGION };
enum { P_NULL = -1, P_ACUTE, P_URGENT, P_ROUTINE };
enum { M_COG = 1, M_UPD = 2, M_PPV = 4, M_CONSENT = 8, M_SOMATIC = 16 };
enum { RQ_NULL = -1, RQ_REFERRER, RQ_MUNICIPALITY };
extern const char *const cp_missing_names[5];

typedef struct cp_gold {
    int outcome, target, priority, request_from;
    const char *unit;
    int32_t deadline;
    unsigned missing;
} cp_gold;

/* How a referral shows its child: the letter's sentences are in the
** generator; these say what the record carries as structured fields. */
typedef struct cp_shown {
    int style;                 /* 0 short, 1 normal, 2 long letter */
    int gmode[G__N];           /* per group: 1 code, 2 text, 3 both */
    char codes[G__N + 2][8];   /* diagnosis codes, WHO or SKS form */
    int ncodes;
    int first_free;            /* sentences from here on stand alone */
    int rk[6];                 /* risk fields: attempt plan ideation self_harm psychosis
                                  substance; -2 absent, -1 null, 0 or 1 */
    int s_h, s_b, s_l;         /* somatic fields: height and weight, bmi, weight loss */
    int med_struct;            /* medication as a field */
    int cog_struct, ppv_where; /* cognitive assessment as a field; PPV: 0 field,
                                  1 text, 2 both */
    int cust_field, cons_field;   /* -2 absent, -1 null, else the value */
    int prev_field;               /* previous_buc_contact: -2 absent, 0 or 1 */
} cp_shown;

/* ------------------------------------------------------------- generator */

typedef struct cp_prev {           /* a child redirected to the municipality */
    int32_t received, birth;
    int male, muni, custody;
    char cpr[12];
} cp_prev;
#define CP_POOL 4096
#define CP_SERIAL_BASE_YEAR 1998
#define CP_SERIAL_DAYS (366 * 24)
#define CP_MAXSENT 48
#define CP_SENTLEN 480

/* Everything one run of the generator keeps: nothing lives outside it. */
typedef struct cp_gen {
    cp_rng rng;
    cp_prev pool[CP_POOL];
    int npool;
    uint16_t serial[CP_SERIAL_DAYS][2];   /* CPR serials used per birth day and sex */
    int32_t serial_base;
    int32_t workdays[366];                /* the working days of 2020 */
    int nworkdays;
    double muni_w[CP_NIN];                /* the region's municipalities by population */
    char sent[CP_MAXSENT][CP_SENTLEN];    /* the letter, a sentence a slot */
    int nsent;
    char text[CP_MAXSENT * (CP_SENTLEN + 2)];
    int oom;                              /* a JSON value could not be made */
} cp_gen;

/* draw.c */
void cp_gen_init(cp_gen *G, uint64_t seed);
void cp_draw_child(cp_gen *G, cp_child *c, int32_t received);
void cp_noise(cp_gen *G, cp_child *a);

/* gold.c */
int cp_popcount(unsigned x);
int cp_outdated(int32_t date, int32_t received);
void cp_decide(const cp_child *c, cp_gold *g);
int cp_gold_eq(const cp_gold *a, const cp_gold *b);
json_t *cp_gold_json(const cp_gold *g, const char *id);

/* text.c: the letter's sentences into G->sent, and sh filled. */
void cp_say(cp_gen *G, const cp_child *a, cp_shown *sh);

/* record.c: the referral as JSON (NULL when out of memory). */
json_t *cp_record(cp_gen *G, const cp_child *a, const char *id, const cp_shown *sh);
#endif
