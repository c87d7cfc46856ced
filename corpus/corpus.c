/*
** corpus.c — the deterministic synthetic referral corpus (tests/spec/corpus.md).
** Per referral: draw the child's truth, derive the gold decision from it by
** policy v1 (cp_decide), then render the referral as a referrer writes it —
** structured fields, Danish free text, both, or (as counted noise) neither.
** One PRNG stream (xoshiro256**) and day-by-day generation keep the output
** byte-identical per seed, sorted by (received, id), in bounded memory.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "triage_corpus.h"
#include "date.h"

#define CP_NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ PRNG */

typedef struct cp_rng { uint64_t s[4]; } cp_rng;

static uint64_t cp_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void cp_seed(cp_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = cp_splitmix(&seed);
}

static uint64_t cp_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t cp_next(cp_rng *r)
{
    uint64_t *s = r->s, out = cp_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = cp_rotl(s[3], 45);
    return out;
}

static double cp_u01(cp_rng *r) { return (double)(cp_next(r) >> 11) * 0x1.0p-53; }
static int cp_below(cp_rng *r, int n) { return (int)(((cp_next(r) >> 32) * (uint64_t)n) >> 32); }
static int cp_range(cp_rng *r, int lo, int hi) { return lo + cp_below(r, hi - lo + 1); }
static int cp_chance(cp_rng *r, double p) { return cp_u01(r) < p; }

/* Index drawn by weights (need not sum to 1). */
static int cp_pickw(cp_rng *r, const double *w, int n)
{
    double sum = 0, x;
    for (int i = 0; i < n; i++) sum += w[i];
    x = cp_u01(r) * sum;
    for (int i = 0; i < n - 1; i++) { if (x < w[i]) return i; x -= w[i]; }
    return n - 1;
}
#define CP_PICK(r, a) ((a)[cp_below((r), CP_NELEM(a))])

/* Roughly normal: sum of three uniforms. */
static double cp_normal(cp_rng *r, double mean, double sd)
{
    return mean + sd * ((cp_u01(r) + cp_u01(r) + cp_u01(r) - 1.5) * 2.0);
}

/* ------------------------------------------------------------ the domain */

enum { G_PSYCHOSIS, G_BIPOLAR, G_DEPRESSION, G_ANXIETY, G_OCD, G_TRAUMA, G_EATING,
       G_AUTISM, G_ADHD, G_TICS, G_ID, G_LEARNING, G_CONDUCT, G_SUBSTANCE,
       G_WELLBEING, G__N };
#define GB(g) (1u << (g))
#define CP_CORE (GB(G_ID) - 1u)

enum { MP_ADHD, MP_AUTISM, MP_ANXIETY, MP_DEPRESSION, MP_EATING, MP_PSYCHOSIS, MP_OTHER };
/* Referrer kinds in schema order. */
enum { R_GP, R_SPECIALIST, R_HOSPITAL, R_MUNICIPALITY, R_HV, R_SELF, R_OTHER };
static const char *const cp_referrer_names[] = {
    "gp", "specialist", "hospital", "municipality", "health_visitor", "self", "other" };
enum { CU_JOINT, CU_SOLE, CU_PLACED, CU_UNKNOWN };

enum { SITE_GLOSTRUP, SITE_BISPEBJERG, SITE_HILLEROED, SITE_BORNHOLM, SITE_OUT };

typedef struct cp_muni {
    const char *name;
    int site, pop;                    /* population in thousands (2020, rounded) */
    const char *alt[6];               /* other spellings a referrer writes */
    const char *garbled;              /* an unrepairable typo (noise only) */
} cp_muni;

static const cp_muni cp_munis[] = {
    {"København", SITE_BISPEBJERG, 632, {"Københavns Kommune", "Kobenhavn", "Koebenhavn", "Kbh.", "Kbh", "KØBENHAVN"}, "Købehavn"},
    {"Frederiksberg", SITE_BISPEBJERG, 104, {"Frederiksberg Kommune", "frederiksberg"}, "Frederiksbjerg"},
    {"Dragør", SITE_BISPEBJERG, 14, {"Dragoer", "Dragør Kommune", "Dragor"}, "Dragøe"},
    {"Tårnby", SITE_BISPEBJERG, 43, {"Taarnby", "Tårnby Kommune", "Tarnby"}, "Tårby"},
    {"Albertslund", SITE_GLOSTRUP, 28, {"Albertslund Kommune"}, "Albertlsund"},
    {"Ballerup", SITE_GLOSTRUP, 48, {"Ballerup Kommune"}, "Balerup"},
    {"Brøndby", SITE_GLOSTRUP, 35, {"Broendby", "Brondby", "Brøndby Kommune"}, "Brønby"},
    {"Gentofte", SITE_GLOSTRUP, 75, {"Gentofte Kommune"}, "Gentoft"},
    {"Gladsaxe", SITE_GLOSTRUP, 69, {"Gladsaxe Kommune", "GLADSAXE"}, "Gladsakse"},
    {"Glostrup", SITE_GLOSTRUP, 23, {"Glostrup Kommune"}, "Glostup"},
    {"Herlev", SITE_GLOSTRUP, 29, {"Herlev Kommune"}, "Herlew"},
    {"Hvidovre", SITE_GLOSTRUP, 53, {"Hvidovre Kommune"}, "Hvidore"},
    {"Høje-Taastrup", SITE_GLOSTRUP, 51, {"Hoeje-Taastrup", "Høje Taastrup", "Hoje-Taastrup Kommune", "Høje-Taastrup Kommune"}, "Høje-Tastrup"},
    {"Ishøj", SITE_GLOSTRUP, 23, {"Ishoej", "Ishoj", "Ishøj Kommune"}, "Ishøi"},
    {"Lyngby-Taarbæk", SITE_GLOSTRUP, 56, {"Lyngby", "Lyngby-Taarbaek", "Lyngby-Taarbæk Kommune", "Lyngby Taarbæk"}, "Lyngbye"},
    {"Rødovre", SITE_GLOSTRUP, 40, {"Roedovre", "Rodovre", "Rødovre Kommune"}, "Rødore"},
    {"Vallensbæk", SITE_GLOSTRUP, 16, {"Vallensbaek", "Vallensbæk Kommune"}, "Valensbæk"},
    {"Allerød", SITE_HILLEROED, 25, {"Alleroed", "Allerod", "Allerød Kommune"}, "Alerød"},
    {"Egedal", SITE_HILLEROED, 43, {"Egedal Kommune"}, "Egdal"},
    {"Fredensborg", SITE_HILLEROED, 41, {"Fredensborg Kommune"}, "Fredensbor"},
    {"Frederikssund", SITE_HILLEROED, 45, {"Frederikssund Kommune", "FREDERIKSSUND"}, "Frederiksand"},
    {"Furesø", SITE_HILLEROED, 41, {"Furesoe", "Furesø Kommune", "Fureso"}, "Furesæ"},
    {"Gribskov", SITE_HILLEROED, 41, {"Gribskov Kommune"}, "Gripskov"},
    {"Halsnæs", SITE_HILLEROED, 31, {"Halsnæs Kommune", "Halsnaes"}, "Halsnes"},
    {"Helsingør", SITE_HILLEROED, 63, {"Helsingoer", "Helsingør Kommune", "Helsingor"}, "Helsingøe"},
    {"Hillerød", SITE_HILLEROED, 51, {"Hilleroed", "Hillerød Kommune", "Hillerod"}, "Hilerød"},
    {"Hørsholm", SITE_HILLEROED, 25, {"Hoersholm", "Horsholm", "Hørsholm Kommune"}, "Hørsolm"},
    {"Rudersdal", SITE_HILLEROED, 56, {"Rudersdal Kommune"}, "Rudesdal"},
    {"Bornholm", SITE_BORNHOLM, 39, {"Bornholms Regionskommune", "Bornholms Kommune"}, "Bornhom"},
    /* outside Region Hovedstaden */
    {"Roskilde", SITE_OUT, 0, {"Roskilde Kommune"}, NULL},
    {"Køge", SITE_OUT, 0, {"Koege", "Køge Kommune"}, NULL},
    {"Greve", SITE_OUT, 0, {"Greve Kommune"}, NULL},
    {"Holbæk", SITE_OUT, 0, {"Holbaek"}, NULL},
    {"Næstved", SITE_OUT, 0, {"Naestved"}, NULL},
    {"Odense", SITE_OUT, 0, {"Odense Kommune"}, NULL},
    {"Aarhus", SITE_OUT, 0, {"Århus"}, NULL},
    {"Slagelse", SITE_OUT, 0, {"Slagelse Kommune"}, NULL},
    {"Solrød", SITE_OUT, 0, {"Solroed"}, NULL},
};
#define CP_NIN 29                 /* the first 29 are the region's */
#define CP_NMUNI CP_NELEM(cp_munis)

static const char *const cp_units[3][3] = {
    {"B192", "B193", "B195"}, {"B291", "B294", "B295"}, {"B391", "B393", "B395"} };

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

static const char *const cp_outcome_names[] = { "accept", "request_info", "redirect", "reject" };
static const char *const cp_target_names[] = { "buc", "specialist_practice", "municipality",
                                               "adult_psychiatry", "other_region" };
static const char *const cp_priority_names[] = { "acute", "urgent", "routine" };
static const char *const cp_missing_names[] = { "cognitive_assessment", "updated_cognitive_assessment",
                                                "ppv", "consent_both_custodians", "somatic_measurements" };

typedef struct cp_gold {
    int outcome, target, priority, request_from;
    const char *unit;
    int32_t deadline;
    unsigned missing;
} cp_gold;

/* --------------------------------------------------------------- policy */

static int cp_popcount(unsigned x) { int n = 0; for (; x; x &= x - 1) n++; return n; }

static int cp_risk_flag(const cp_child *c)
{
    return c->self_harm || c->ideation || c->attempt_now || c->attempt_past ||
           c->plan || c->psychotic;
}

static int cp_eating_risk(const cp_child *c)
{
    if (c->meas && c->eff >= 12 && c->eff <= 17 && c->bmi < 14.0) return 1;
    if (c->meas && c->eff >= 6 && c->eff <= 11 && c->bmi < 13.0) return 1;
    return c->wloss >= 20;
}

static int cp_outdated(int32_t date, int32_t received)
{
    return date != DT_NONE && date < dt_add_months(received, -24);
}

/* Policy v1's nine steps, on the truth. */
static void cp_decide(const cp_child *c, cp_gold *g)
{
    int risk = cp_risk_flag(c);
    unsigned g2 = c->groups & ~GB(G_WELLBEING);
    int comorbid = cp_popcount(g2) >= 2;
    g->outcome = O_ACCEPT; g->target = T_NULL; g->priority = P_NULL;
    g->request_from = RQ_NULL; g->unit = NULL; g->deadline = DT_NONE; g->missing = 0;

    if (c->attempt_now || c->plan || c->psychotic || (c->groups & GB(G_PSYCHOSIS)) ||
        c->dep_psychotic || cp_eating_risk(c)) {
        g->priority = P_ACUTE; g->deadline = c->received;
        if (c->eff >= 18) { g->outcome = O_REDIRECT; g->target = T_ADULT; }
        else { g->target = T_BUC; g->unit = "B205"; }
        return;
    }
    if (c->referrer == R_SELF || c->referrer == R_OTHER) { g->outcome = O_REJECT; return; }
    if (c->eff >= 18) { g->outcome = O_REDIRECT; g->target = T_ADULT; return; }
    if (c->muni < 0 || cp_munis[c->muni].site == SITE_OUT) {
        g->outcome = O_REDIRECT; g->target = T_OTHER_REGION; return;
    }
    if ((!(c->groups & CP_CORE) && !risk && c->med_psy < 0) ||
        (c->gapd >= 0 && c->gapd <= 2 && !comorbid && !risk && c->med_psy < 0 && !c->repeat)) {
        g->outcome = O_REDIRECT; g->target = T_MUNICIPALITY; return;
    }
    if (c->custody == CU_JOINT && !c->consent) g->missing |= M_CONSENT;
    if ((c->groups & (GB(G_ADHD) | GB(G_AUTISM))) && c->eff >= 6 && !c->prev_buc) {
        if (!c->cog) g->missing |= M_COG;
        else if (cp_outdated(c->cog_date, c->received)) g->missing |= M_UPD;
        if (!c->ppv) g->missing |= M_PPV;
    }
    if ((c->groups & GB(G_EATING)) && !c->meas) g->missing |= M_SOMATIC;
    if (g->missing) {
        g->outcome = O_REQUEST_INFO;
        g->request_from = c->referrer == R_GP && !(g->missing & ~(unsigned)(M_COG | M_UPD | M_PPV))
                          ? RQ_MUNICIPALITY : RQ_REFERRER;
        return;
    }
    int idf = (c->fsiq >= 0 && c->fsiq < 70) || (c->groups & GB(G_ID));
    if (c->eff >= 6 && c->eff <= 17 && !comorbid &&
        (g2 == GB(G_ADHD) || g2 == GB(G_ANXIETY) || (g2 == GB(G_DEPRESSION) && !c->dep_severe)) &&
        !risk && !(c->groups & GB(G_SUBSTANCE)) && c->custody != CU_PLACED && !idf &&
        !c->prev_buc && !c->repeat && c->gapd <= 4) {
        g->outcome = O_REDIRECT; g->target = T_SPECIALIST; return;
    }
    g->target = T_BUC;
    if (c->groups & GB(G_EATING)) g->unit = "B132";
    else if (cp_munis[c->muni].site == SITE_BORNHOLM) g->unit = "B377";
    else {
        int band = c->eff <= 7 ? 0 : c->eff <= 13 ? 1 : 2, site = cp_munis[c->muni].site;
        g->unit = site == SITE_BISPEBJERG && c->eff <= 2 ? "B290" : cp_units[site][band];
    }
    g->priority = c->self_harm || c->ideation || c->attempt_past || (c->groups & GB(G_BIPOLAR)) ||
                  c->dep_severe ? P_URGENT : P_ROUTINE;
    g->deadline = c->received + (g->priority == P_URGENT ? 7 : 30);
}

static int cp_gold_eq(const cp_gold *a, const cp_gold *b)
{
    return a->outcome == b->outcome && a->target == b->target && a->priority == b->priority &&
           a->request_from == b->request_from && a->deadline == b->deadline &&
           a->missing == b->missing && (a->unit == b->unit || (a->unit && b->unit && !strcmp(a->unit, b->unit)));
}

/* ------------------------------------------------------------ generator */

typedef struct cp_prev {           /* a child redirected to the municipality */
    int32_t received, birth;
    int male, muni, custody;
    char cpr[12];
} cp_prev;
#define CP_POOL 4096
#define CP_SERIAL_BASE_YEAR 1998
#define CP_SERIAL_DAYS (366 * 24)

typedef struct cp_sb { char *p; size_t n, cap; } cp_sb;

#define CP_MAXSENT 48
#define CP_SENTLEN 480

typedef struct cp_gen {
    cp_rng rng;
    cp_prev pool[CP_POOL];
    int npool;
    uint16_t serial[CP_SERIAL_DAYS][2];   /* CPR serials used per birth day and sex */
    int32_t serial_base;
    cp_sb line;
    char sent[CP_MAXSENT][CP_SENTLEN];
    int nsent;
} cp_gen;

static const double cp_main_w[] = { .30, .25, .15, .15, .05, .02, .08 };
static const double cp_age_w[7][4] = {
    {.12, .54, .32, .02}, {.25, .40, .33, .02}, {.05, .38, .55, .02}, {.00, .20, .77, .03},
    {.00, .25, .73, .02}, {.00, .05, .90, .05}, {.15, .45, .38, .02} };
static const double cp_male_p[] = { .72, .75, .40, .30, .10, .50, .55 };
static const double cp_comorbid_p[] = { .45, .50, .40, .40, .35, .40, .25 };

/* Comorbid partners per main problem (group, weight). */
typedef struct cp_gw { int g; double w; } cp_gw;
static const cp_gw cp_partners[7][9] = {
    {{G_AUTISM, .2}, {G_ANXIETY, .12}, {G_CONDUCT, .2}, {G_LEARNING, .18}, {G_TICS, .1},
     {G_DEPRESSION, .05}, {G_SUBSTANCE, .05}, {G_ID, .05}, {G_OCD, .05}},
    {{G_ADHD, .35}, {G_ANXIETY, .25}, {G_ID, .12}, {G_OCD, .08}, {G_DEPRESSION, .08},
     {G_LEARNING, .07}, {G_TICS, .05}, {-1, 0}, {-1, 0}},
    {{G_DEPRESSION, .35}, {G_OCD, .15}, {G_AUTISM, .15}, {G_ADHD, .15}, {G_TRAUMA, .1},
     {G_EATING, .05}, {G_TICS, .05}, {-1, 0}, {-1, 0}},
    {{G_ANXIETY, .4}, {G_ADHD, .1}, {G_AUTISM, .1}, {G_EATING, .1}, {G_SUBSTANCE, .1},
     {G_TRAUMA, .15}, {G_OCD, .05}, {-1, 0}, {-1, 0}},
    {{G_DEPRESSION, .45}, {G_ANXIETY, .35}, {G_OCD, .2}, {-1, 0}, {-1, 0}, {-1, 0},
     {-1, 0}, {-1, 0}, {-1, 0}},
    {{G_SUBSTANCE, .5}, {G_DEPRESSION, .2}, {G_ADHD, .15}, {G_AUTISM, .15}, {-1, 0},
     {-1, 0}, {-1, 0}, {-1, 0}, {-1, 0}},
    {{G_LEARNING, .4}, {G_CONDUCT, .35}, {G_SUBSTANCE, .15}, {G_ID, .1}, {-1, 0},
     {-1, 0}, {-1, 0}, {-1, 0}, {-1, 0}},
};

static int cp_partner(cp_gen *G, int main)
{
    double w[9];
    for (int i = 0; i < 9; i++) w[i] = cp_partners[main][i].w;
    return cp_partners[main][cp_pickw(&G->rng, w, 9)].g;
}

/* Psychotropic drugs (structured spelling); the first four are for ADHD, the
** next three SSRIs, the last three antipsychotics. */
static const char *const cp_psy_meds[] = {
    "Methylphenidat", "Lisdexamfetamin", "Atomoxetin", "Guanfacin",
    "Sertralin", "Fluoxetin", "Escitalopram", "Aripiprazol", "Quetiapin", "Risperidon" };
static const char *const cp_other_meds[] = { "Melatonin", "Ventoline", "Panodil", "Cetirizin" };

static int32_t cp_workdays[366];
static int cp_nworkdays;

/* Working days of 2020: weekdays less the Danish public holidays. */
static void cp_init_days(void)
{
    static const int hol[][2] = { {1,1}, {4,9}, {4,10}, {4,13}, {5,8}, {5,21}, {6,1},
                                  {6,5}, {12,24}, {12,25}, {12,31} };
    if (cp_nworkdays) return;
    int n = 0;
    for (int32_t d = dt_from_ymd(2020, 1, 1); d <= dt_from_ymd(2020, 12, 31); d++) {
        int y, m, dd, skip = 0;
        int wd = (int)((d % 7 + 7 + 3) % 7);   /* 1970-01-01 was a Thursday: 0 = Monday */
        if (wd >= 5) continue;
        dt_to_ymd(d, &y, &m, &dd);
        for (int i = 0; i < CP_NELEM(hol); i++) if (hol[i][0] == m && hol[i][1] == dd) skip = 1;
        if (!skip) cp_workdays[n++] = d;
    }
    cp_nworkdays = n;
}

static void cp_make_cpr(cp_gen *G, cp_child *c)
{
    int y, m, d;
    int idx = c->birth - G->serial_base;
    unsigned k = 0;
    if (idx >= 0 && idx < CP_SERIAL_DAYS) k = G->serial[idx][c->male]++;
    /* 7th digit 4-9 is 20YY for YY <= 36; the last digit's parity is the sex. */
    /* k -> serial is one-to-one for k < 3000 per birth day and sex (367 is prime to 600) */
    unsigned s = (400 + ((k / 5) * 367 + (unsigned)idx * 11) % 600) * 10 + 2 * ((k + (unsigned)idx) % 5) + (unsigned)c->male;
    dt_to_ymd(c->birth, &y, &m, &d);
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%02d%02d%02d%s%04u", d, m, y % 100,
             cp_chance(&G->rng, .7) ? "-" : "", s % 10000);
    memcpy(c->cpr, tmp, sizeof c->cpr - 1);
    c->cpr[sizeof c->cpr - 1] = 0;
}

static int cp_pick_muni(cp_gen *G)
{
    static double w[CP_NIN];
    if (cp_chance(&G->rng, .02)) return CP_NIN + cp_below(&G->rng, CP_NMUNI - CP_NIN);
    if (w[0] == 0) for (int i = 0; i < CP_NIN; i++) w[i] = cp_munis[i].pop;
    return cp_pickw(&G->rng, w, CP_NIN);
}

static void cp_set_age(cp_gen *G, cp_child *c, int age)
{
    c->birth = c->received - (int32_t)((age + cp_u01(&G->rng)) * 365.2425);
    if (c->birth > c->received) c->birth = c->received;
    c->age = dt_age_years(c->birth, c->received);
}

/* The clinical picture: groups, risk, measurements, medication, documents. */
static void cp_draw_clinical(cp_gen *G, cp_child *c, int mild_repeat)
{
    cp_rng *r = &G->rng;
    int m = c->main, a = c->age;
    c->groups = 0; c->dep_severe = c->dep_psychotic = 0;
    c->self_harm = c->ideation = c->attempt_now = c->attempt_past = c->plan = c->psychotic = 0;
    c->attempt_past_date = DT_NONE;
    c->meas = 0; c->wloss = -1; c->med_psy = c->med_other = -1; c->gapd = -1;
    c->cog = 0; c->cog_where = 0; c->cog_date = DT_NONE; c->fsiq = -1; c->cog_instr = 0;
    c->ppv = 0;

    switch (m) {
    case MP_ADHD: c->groups = GB(G_ADHD); break;
    case MP_AUTISM: c->groups = GB(G_AUTISM); break;
    case MP_ANXIETY: c->groups = cp_chance(r, .8) ? GB(G_ANXIETY) : GB(G_OCD); break;
    case MP_DEPRESSION:
        if (cp_chance(r, .85)) c->groups = GB(G_DEPRESSION);
        else { c->groups = GB(G_WELLBEING); c->self_harm = 1; }
        break;
    case MP_EATING: c->groups = GB(G_EATING); break;
    case MP_PSYCHOSIS: c->groups = cp_chance(r, .6) ? GB(G_PSYCHOSIS) : GB(G_BIPOLAR); break;
    default: {
        static const double w[] = { .30, .40, .10, .20 };
        static const int gs[] = { G_CONDUCT, G_WELLBEING, G_ID, G_LEARNING };
        c->groups = GB(gs[cp_pickw(r, w, 4)]);
    } }
    if (!mild_repeat && cp_chance(r, cp_comorbid_p[m])) {
        for (int k = 0; k < 2; k++) {
            int p = cp_partner(G, m);
            if (p == G_SUBSTANCE && a < 13) p = m == MP_OTHER ? G_LEARNING : G_ANXIETY;
            if (p == G_EATING && a < 10) p = G_ANXIETY;
            c->groups |= GB(p);
            if (!cp_chance(r, .2)) break;
        }
    }
    if (cp_chance(r, .15)) c->groups |= GB(G_WELLBEING);
    if (c->groups & GB(G_DEPRESSION))
        c->dep_severe = cp_chance(r, m == MP_DEPRESSION ? .22 : .08);

    if (!mild_repeat) {
        double sh = .02, id = .02, now = 0, plan = 0, past = 0;
        switch (m) {
        case MP_DEPRESSION: sh = .40; id = .50; now = .035; plan = .025; past = .07; break;
        case MP_ANXIETY: sh = .08; id = .10; now = .004; break;
        case MP_EATING: sh = .20; id = .15; now = .01; break;
        case MP_ADHD: case MP_AUTISM: sh = .03; id = .04; now = .003; break;
        case MP_PSYCHOSIS: sh = .1; id = .3; break;
        }
        if (a >= 10) {
            c->self_harm |= cp_chance(r, sh);
            c->ideation = cp_chance(r, id);
            c->attempt_now = cp_chance(r, now);
            c->plan = cp_chance(r, plan);
            c->attempt_past = !c->attempt_now && cp_chance(r, past);
            if (c->attempt_past)
                c->attempt_past_date = c->received - cp_range(r, 200, 1100);
        } else if (a >= 6) c->self_harm |= cp_chance(r, sh / 3);
        if (c->groups & GB(G_PSYCHOSIS)) c->psychotic = 1;
        if ((c->groups & GB(G_DEPRESSION)) && m == MP_DEPRESSION && a >= 12 && cp_chance(r, .012)) {
            c->dep_psychotic = 1; c->dep_severe = 1;
        }
    }

    /* Measurements: eating disorders, and now and then anyone. */
    if ((c->groups & GB(G_EATING)) || cp_chance(r, .03)) {
        int eat = (c->groups & GB(G_EATING)) != 0;
        if (!eat || cp_chance(r, .85)) {
            int acute = eat && a >= 6 && a <= 17 && cp_chance(r, a >= 12 ? .10 : .05);
            double thr = a >= 12 ? 14.0 : 13.0, bmi;
            c->meas = 1 + cp_below(r, 3);
            if (a >= 16) c->height = cp_range(r, 156, 182);
            else if (a >= 12) c->height = cp_range(r, 145, 175);
            else c->height = cp_range(r, 105 + 5 * (a > 6 ? a - 6 : 0), 130 + 5 * (a > 6 ? a - 6 : 0));
            for (int tries = 0; ; tries++) {
                if (acute) bmi = thr - 0.3 - cp_u01(r) * 1.5;
                else if (eat) bmi = thr + 0.4 + cp_u01(r) * 4.0;
                else bmi = thr + 2.5 + cp_u01(r) * 7.0;
                if (a < 6) bmi = 15 + cp_u01(r) * 3;
                double h = c->height / 100.0;
                c->weight = (int)(bmi * h * h * 10 + 0.5) / 10.0;
                bmi = c->weight / (h * h);
                c->bmi = (int)(bmi * 10 + 0.5) / 10.0;
                /* keep BMI (raw or rounded) clear of both thresholds */
                if ((bmi < 12.8 || bmi > 13.2) && (bmi < 13.8 || bmi > 14.2)) break;
                if (tries > 20) { acute = 0; }
            }
        }
        if (eat && cp_chance(r, .3)) c->wloss = cp_chance(r, .17) && a < 18 ? cp_range(r, 21, 30)
                                                                        : cp_range(r, 5, 17);
    }

    /* Medication. */
    double pm = 0;
    switch (m) {
    case MP_ADHD: pm = c->prev_buc ? .6 : .04; break;
    case MP_DEPRESSION: pm = .12; break;
    case MP_ANXIETY: pm = .05; break;
    case MP_PSYCHOSIS: pm = .2; break;
    case MP_OTHER: pm = .02; break;
    default: pm = c->prev_buc ? .2 : .01;
    }
    if (!mild_repeat && cp_chance(r, pm)) {
        if (m == MP_ADHD || (m == MP_AUTISM && (c->groups & GB(G_ADHD)))) c->med_psy = cp_below(r, 4);
        else if (m == MP_PSYCHOSIS) c->med_psy = 7 + cp_below(r, 3);
        else c->med_psy = 4 + cp_below(r, 3);
    }
    if (cp_chance(r, (c->groups & (GB(G_ADHD) | GB(G_AUTISM))) ? .12 : .03))
        c->med_other = cp_chance(r, .75) ? 0 : 1 + cp_below(r, 3);

    /* GAPD. */
    if (mild_repeat) c->gapd = cp_range(r, 1, 2);
    else if (cp_chance(r, .62)) {
        static const double w[] = { .01, .05, .16, .15, .20, .21, .14, .06, .03 };
        c->gapd = cp_pickw(r, w, 9);
        if ((m == MP_DEPRESSION || m == MP_PSYCHOSIS || m == MP_EATING) && c->gapd < 8) c->gapd++;
        if (m == MP_OTHER && c->gapd > 0 && cp_chance(r, .5)) c->gapd--;
        if ((m == MP_ADHD || m == MP_ANXIETY) && (c->gapd == 3 || c->gapd == 4) && cp_chance(r, .3)) c->gapd = 5;
    }

    /* Documents: cognitive assessment and PPV. */
    int adhdaut = (c->groups & (GB(G_ADHD) | GB(G_AUTISM))) != 0;
    double pc;
    if (c->groups & GB(G_ID)) pc = .9;
    else if (adhdaut && a >= 6)
        pc = c->prev_buc ? .62 : c->referrer == R_MUNICIPALITY ? .92 : c->referrer == R_GP ? .77 : .82;
    else if (c->groups & GB(G_LEARNING)) pc = .5;
    else pc = a >= 6 ? .12 : .03;
    if (cp_chance(r, pc)) {
        int old = cp_chance(r, .10);
        c->cog = 1;
        c->cog_where = cp_pickw(r, (const double[]){ .55, .33, .12 }, 3);
        c->cog_date = old ? c->received - cp_range(r, 27 * 31, 60 * 30)
                          : c->received - cp_range(r, 7, 22 * 30);
        if (!old && cp_chance(r, .1)) c->cog_date = DT_NONE;
        c->cog_instr = a < 6 ? 1 : a >= 17 ? 2 : 0;
        if ((c->groups & GB(G_AUTISM)) && cp_chance(r, .05)) c->cog_instr = 3;
        if (cp_chance(r, .85) || (c->groups & GB(G_ID))) {
            double mean = (c->groups & GB(G_AUTISM)) ? 92 : 97, sd = (c->groups & GB(G_AUTISM)) ? 17 : 13;
            int iq = (int)cp_normal(r, mean, sd);
            if (c->groups & GB(G_ID)) iq = cp_range(r, 48, 68);
            c->fsiq = iq < 45 ? 45 : iq > 140 ? 140 : iq;
        }
    }
    if (adhdaut && a >= 6) c->ppv = cp_chance(r, c->cog ? .97 : .6);
    else c->ppv = cp_chance(r, a >= 6 ? .25 : .08);
}

/* A fresh child, or a repeat referral of one redirected to the municipality. */
static void cp_draw_child(cp_gen *G, cp_child *c, int32_t received)
{
    cp_rng *r = &G->rng;
    memset(c, 0, sizeof *c);
    c->received = received;
    c->referrer = cp_pickw(r, (const double[]){ .55, .04, .04, .35, .01, .006, .004 }, 7);

    /* Repeat referral: a child from the pool, redirected 0-180 days ago. */
    if (G->npool && cp_chance(r, .034)) {
        for (int tries = 0; tries < 4 && G->npool; tries++) {
            int i = cp_below(r, G->npool);
            cp_prev p = G->pool[i];
            G->pool[i] = G->pool[--G->npool];
            if (received - p.received > 180 || p.received > received) continue;
            c->repeat = 1;
            c->birth = p.birth; c->age = dt_age_years(p.birth, received);
            c->male = p.male; c->muni = p.muni; c->custody = p.custody;
            memcpy(c->cpr, p.cpr, sizeof c->cpr);
            break;
        }
    }
    if (c->repeat) {
        int mild = cp_chance(r, .7);
        if (c->referrer >= R_SELF) c->referrer = R_GP;
        c->main = mild ? cp_pickw(r, (const double[]){ .3, 0, .4, .3, 0, 0, 0 }, 7)
                       : cp_pickw(r, cp_main_w, 7);
        c->prev_buc = 0;
        c->eff = c->age;
        cp_draw_clinical(G, c, mild);
        c->consent = !cp_chance(r, .1);
        c->birth_field = cp_chance(r, .15);
        return;
    }

    if (c->referrer == R_HV) {
        c->main = cp_pickw(r, (const double[]){ 0, .45, .1, 0, 0, 0, .45 }, 7);
        cp_set_age(G, c, cp_range(r, 0, 4));
    } else {
        c->main = cp_pickw(r, cp_main_w, 7);
        int band = cp_pickw(r, cp_age_w[c->main], 4), age;
        switch (band) {
        case 0: age = c->main == MP_ADHD ? cp_range(r, 4, 7) : c->main == MP_AUTISM ? cp_range(r, 1, 7)
                                                                                : cp_range(r, 3, 7); break;
        case 1: age = cp_range(r, 8, 13); break;
        case 2: age = cp_range(r, 14, 17); break;
        default: age = cp_chance(r, .8) ? 18 : 19;
        }
        cp_set_age(G, c, age);
    }
    c->male = cp_chance(r, cp_male_p[c->main]);
    c->muni = cp_pick_muni(G);
    c->prev_buc = cp_chance(r, c->age >= 18 ? .5 : (c->main == MP_ADHD || c->main == MP_AUTISM) && c->age >= 6
                               ? .22 : c->age >= 14 ? .15 : .08);
    c->eff = c->age == 18 && c->prev_buc ? 17 : c->age;
    {
        double w[4] = { .60, .31, .05, .04 };
        if (c->main == MP_OTHER) w[2] = .15;
        c->custody = cp_pickw(r, w, 4);
    }
    cp_draw_clinical(G, c, 0);
    /* a letter that lacks one paper often lacks another */
    c->consent = !cp_chance(r, (c->groups & (GB(G_ADHD) | GB(G_AUTISM))) && c->age >= 6 &&
                                (!c->cog || !c->ppv) ? .3 : .06);
    if (cp_chance(r, .9)) { cp_make_cpr(G, c); c->birth_field = cp_chance(r, .15); }
    else c->birth_field = 1;
}

/* Noise: what the referrer failed to write. Changes the child as rendered. */
static void cp_noise(cp_gen *G, cp_child *a)
{
    cp_rng *r = &G->rng;
    double x = cp_u01(r);
    if (x < .004) {
        if (a->muni >= 0 && a->muni < CP_NIN) { a->garbled_of = a->muni; a->muni = -1; }
    } else if (x < .010) {
        unsigned gs = a->groups & ~GB(G_WELLBEING);
        if (gs) {
            int k = cp_below(r, cp_popcount(gs));
            for (int g = 0; g < G__N; g++)
                if ((gs & GB(g)) && k-- == 0) { a->groups &= ~GB(g); break; }
            if (!(a->groups & GB(G_DEPRESSION))) a->dep_severe = a->dep_psychotic = 0;
        }
    } else if (x < .014) {
        a->self_harm = a->ideation = 0;
    } else if (x < .017) {
        a->consent = 0;
    }
}

/* ------------------------------------------------------- string builders */

static void sb_grow(cp_sb *b, size_t need)
{
    if (b->n + need + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + need + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { perror("triage corpus"); exit(1); }
    b->p = p; b->cap = cap;
}

static void sb_put(cp_sb *b, const char *s)
{
    size_t n = strlen(s);
    sb_grow(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void sb_fmt(cp_sb *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[256];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
    sb_grow(b, (size_t)n);
    memcpy(b->p + b->n, tmp, (size_t)n);
    b->n += (size_t)n;
}

/* JSON string contents: quotes, backslashes and control characters escaped;
** UTF-8 passes through as it is. */
static void sb_esc(cp_sb *b, const char *s)
{
    sb_grow(b, strlen(s) * 2 + 2);
    char *o = b->p + b->n;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') { *o++ = '\\'; *o++ = (char)ch; }
        else if (ch == '\n') { *o++ = '\\'; *o++ = 'n'; }
        else if (ch < 0x20) { *o++ = ' '; }
        else *o++ = (char)ch;
    }
    b->n = (size_t)(o - b->p);
}

static void sb_str(cp_sb *b, const char *s)
{
    sb_put(b, "\"");
    sb_esc(b, s);
    sb_put(b, "\"");
}

static void sb_date(cp_sb *b, int32_t d)
{
    char s[11];
    dt_format(d, s);
    sb_grow(b, 12);
    b->p[b->n++] = '"';
    memcpy(b->p + b->n, s, 10);
    b->n += 10;
    b->p[b->n++] = '"';
}

/* Sentences of the free text, one slot each. */
static char *cp_sent(cp_gen *G)
{
    if (G->nsent >= CP_MAXSENT) G->nsent = CP_MAXSENT - 1;
    return G->sent[G->nsent++];
}

#define SENT(G, ...) snprintf(cp_sent(G), CP_SENTLEN, __VA_ARGS__)

/* ----------------------------------------------------------------- dates */

static const char *const cp_months[] = { "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december" };

/* Months between d and received, counted as "for N måneder siden" reads. */
static int cp_months_before(int32_t d, int32_t received)
{
    int y1, m1, d1, y2, m2, d2;
    dt_to_ymd(d, &y1, &m1, &d1);
    dt_to_ymd(received, &y2, &m2, &d2);
    int n = (y2 - y1) * 12 + (m2 - m1);
    if (d2 < d1) n--;
    return n;
}

/* Write date d in one of the ways letters do, into out, as a phrase that
** follows a verb ("i marts 2019", "d. 4/3-2019", "for 8 måneder siden").
** The chosen form must read as a date on the same side of cutoff as d (and
** more than 3 months back when cutoff is DT_NONE and recent is set);
** otherwise a full date is written. */
static void cp_date_phrase(cp_gen *G, char *out, size_t cap, int32_t d, int32_t received,
                           int32_t cutoff, int allow_year)
{
    int y, m, dd;
    dt_to_ymd(d, &y, &m, &dd);
    for (int tries = 0; tries < 3; tries++) {
        int f = cp_below(&G->rng, allow_year ? 9 : 8);
        int32_t read;
        int n = cp_months_before(d, received);
        switch (f) {
        case 0: case 1: case 2: read = dt_from_ymd(y, m, 15); break;
        case 7: read = dt_add_months(received, -n); break;
        case 8: read = dt_from_ymd(y, 7, 1); break;
        default: read = d;
        }
        if (f == 7 && n < 1) continue;
        if (cutoff != DT_NONE && ((read < cutoff) != (d < cutoff))) continue;
        if (read > received) continue;
        switch (f) {
        case 0: snprintf(out, cap, "i %s %d", cp_months[m - 1], y); return;
        case 1: snprintf(out, cap, "i %02d.%d", m, y); return;
        case 2: snprintf(out, cap, "i %d/%d", m, y); return;
        case 3: snprintf(out, cap, "d. %d/%d-%d", dd, m, y); return;
        case 4: snprintf(out, cap, "den %04d-%02d-%02d", y, m, dd); return;
        case 5: snprintf(out, cap, "d. %d.%d.%d", dd, m, y); return;
        case 6: snprintf(out, cap, "d. %d. %s %d", dd, cp_months[m - 1], y); return;
        case 7:
            if (n >= 24 && n % 12 == 0) snprintf(out, cap, "for %d år siden", n / 12);
            else snprintf(out, cap, "for %d måneder siden", n);
            return;
        case 8: snprintf(out, cap, "i %d", y); return;
        }
    }
    snprintf(out, cap, "den %04d-%02d-%02d", y, m, dd);
}

/* ---------------------------------------------------------------- render */

static const char *const cp_codes[G__N][5] = {
    [G_PSYCHOSIS] = {"F20.0", "F23.9", "F29.9", "F23.1", NULL},
    [G_BIPOLAR] = {"F31.1", "F31.9", "F30.1", NULL},
    [G_DEPRESSION] = {"F32.1", "F32.0", "F33.1", "F32.9", "F34.1"},
    [G_ANXIETY] = {"F41.1", "F41.9", "F40.1", "F93.0", "F41.0"},
    [G_OCD] = {"F42.2", "F42.0", NULL},
    [G_TRAUMA] = {"F43.1", NULL},
    [G_EATING] = {"F50.0", "F50.2", "F50.9", NULL},
    [G_AUTISM] = {"F84.0", "F84.1", "F84.5", "F84.9", NULL},
    [G_ADHD] = {"F90.0", "F90.1", "F90.9", "F90.8", NULL},
    [G_TICS] = {"F95.2", "F95.1", NULL},
    [G_ID] = {"F70.0", "F71.0", "F70.9", NULL},
    [G_LEARNING] = {"F81.0", "F80.1", "F81.3", NULL},
    [G_CONDUCT] = {"F91.3", "F91.9", "F92.8", NULL},
    [G_SUBSTANCE] = {"F12.1", "F10.1", NULL},
    [G_WELLBEING] = {"Z03.2", "Z63.8", "R45.8", "F43.2", NULL},
};

/* Positive sentences naming a group, and short noun phrases for an opening. */
static const char *const cp_group_sent[G__N][5] = {
    [G_PSYCHOSIS] = {"Hører stemmer og har vrangforestillinger.", "Psykotiske symptomer med hallucinationer.",
                     "Fremstår psykotisk med vrangforestillinger om at blive forfulgt.", NULL},
    [G_BIPOLAR] = {"Mistanke om bipolar lidelse.", "Perioder med mani og nedsat søvnbehov.",
                   "Der har været maniske episoder med meget lidt søvn.", NULL},
    [G_DEPRESSION] = {"Nedtrykt gennem flere måneder.", "Depressive symptomer med tristhed og søvnbesvær.",
                      "Mistanke om depression.", "Vedvarende depressiv stemning og manglende lyst.", NULL},
    [G_ANXIETY] = {"Betydelig angst gennem det seneste år.", "Panikanfald flere gange om ugen.",
                   "Udtalt separationsangst.", "Social angst med undgåelsesadfærd.", "Generaliseret angst."},
    [G_OCD] = {"Tvangstanker og tvangshandlinger, der fylder flere timer dagligt.", "Mistanke om OCD.",
               "Omfattende tvangshandlinger med vask og kontrol.", NULL},
    [G_TRAUMA] = {"PTSD efter voldsom hændelse.", "Posttraumatisk belastningsreaktion efter trafikulykke.", NULL},
    [G_EATING] = {"Spiseforstyrrelse med restriktiv spisning.", "Mistanke om anoreksi.",
                  "Bulimi med overspisning og opkastninger.", "Mistanke om anoreksi (anorexia nervosa).", NULL},
    [G_AUTISM] = {"Mistanke om autisme.", "Mistanke om autismespektrumforstyrrelse.",
                  "Henvises til udredning for ASF.", "Mistanke om Aspergers syndrom.",
                  "Symptomer forenelige med autisme."},
    [G_ADHD] = {"Mistanke om ADHD.", "Henvises med henblik på udredning for ADHD.",
                "Betydelige ADHD-symptomer med uro, impulsivitet og koncentrationsbesvær.",
                "Mistanke om opmærksomhedsforstyrrelse (ADD).", "Symptombilledet tyder på adhd."},
    [G_TICS] = {"Motoriske og vokale tics.", "Mistanke om Tourette.", NULL},
    [G_ID] = {"Kendt udviklingshæmning.", "Let mental retardering.", NULL},
    [G_LEARNING] = {"Ordblind.", "Indlæringsvanskeligheder.", "Sprogforstyrrelse.", NULL},
    [G_CONDUCT] = {"Adfærdsforstyrrelse med aggression.", "Mistanke om adfærdsforstyrrelse.", NULL},
    [G_SUBSTANCE] = {"Ryger dagligt hash.", "Misbrug af hash og alkohol.", "Misbrug af alkohol i weekenderne.", NULL},
    [G_WELLBEING] = {"Mistrivsel i skolen.", "Højt skolefravær.", "Mange konflikter i hjemmet.", NULL},
};
static const char *const cp_group_np[G__N][3] = {
    [G_PSYCHOSIS] = {"psykotiske symptomer", "hallucinationer", NULL},
    [G_BIPOLAR] = {"mistanke om bipolar lidelse", NULL},
    [G_DEPRESSION] = {"depressive symptomer", "mistanke om depression", NULL},
    [G_ANXIETY] = {"angst", "panikanfald", NULL},
    [G_OCD] = {"tvangstanker", "OCD", NULL},
    [G_TRAUMA] = {"PTSD", NULL},
    [G_EATING] = {"spiseforstyrrelse", "mistanke om anoreksi", NULL},
    [G_AUTISM] = {"mistanke om autisme", "mistanke om autismespektrumforstyrrelse", "spørgsmål om ASF"},
    [G_ADHD] = {"mistanke om ADHD", "ADHD-symptomer", "opmærksomhedsforstyrrelse"},
    [G_TICS] = {"tics", "Tourette", NULL},
    [G_ID] = {"udviklingshæmning", NULL},
    [G_LEARNING] = {"indlæringsvanskeligheder", "sprogforstyrrelse", NULL},
    [G_CONDUCT] = {"adfærdsforstyrrelse", NULL},
    [G_SUBSTANCE] = {"hashmisbrug", NULL},
    [G_WELLBEING] = {"mistrivsel", "skolefravær", NULL},
};

static const char *cp_pick_list(cp_rng *r, const char *const *l, int cap)
{
    int n = 0;
    while (n < cap && l[n]) n++;
    return l[cp_below(r, n)];
}

/* Family history and neutral filler: nothing here is evidence about the child. */
static const char *const cp_family[] = {
    "Far har ADHD.", "Mor har haft depression.", "Morbror med skizofreni.",
    "Der er autisme i familien.", "Mor har angst.", "Farmor havde bipolar lidelse.",
    "Far har selv haft en spiseforstyrrelse som ung.", "Der er ADHD og ordblindhed i familien." };
static const char *const cp_filler[] = {
    "Forældrene er bekymrede.", "Skolen har forsøgt støtte i klassen.",
    "Der er iværksat støtte fra en pædagog.", "God kontakt til forældrene.",
    "Har svært ved at falde i søvn.", "Trives bedst med faste rammer.", "Har få venner.",
    "Familien ønsker en udredning.", "Forældrene er skilt og barnet bor skiftevis hos begge.",
    "Har mange konflikter med kammeraterne.", "Lærerne beskriver et barn, der let bliver overvældet.",
    "Går til fodbold to gange om ugen.", "Er somatisk rask.", "Normal psykomotorisk udvikling.",
    "Forældrene har deltaget i forældrekursus.", "Der har været samtaler med skolens AKT-lærer.",
    /* with typos */
    "Foreldrene er bekymrede.", "Skolen har forsøgt støtte i klasen.", "Hr svært ved at falde i søvn.",
    "Familjen ønsker en udredning." };

static const char *const cp_instr[] = { "WISC-V", "WPPSI-IV", "WAIS-IV", "Leiter-3" };

static void cp_render_cog_text(cp_gen *G, const cp_child *a)
{
    cp_rng *r = &G->rng;
    char dp[64], iq[48] = "";
    const char *ins = cp_instr[a->cog_instr];
    if (a->fsiq >= 0) {
        static const char *const f[] = { "samlet IK %d", "FSIQ %d", "IQ %d", "IK %d" };
        snprintf(iq, sizeof iq, CP_PICK(r, f), a->fsiq);
    }
    if (a->cog_date == DT_NONE) {
        if (iq[0] && cp_chance(r, .5)) SENT(G, "Kognitiv undersøgelse vedlagt (%s).", iq);
        else if (iq[0]) SENT(G, "%s vedlagt med %s.", ins, iq);
        else SENT(G, cp_chance(r, .5) ? "%s vedlagt." : "Kognitiv vurdering (%s) foreligger.", ins);
        return;
    }
    cp_date_phrase(G, dp, sizeof dp, a->cog_date, a->received, dt_add_months(a->received, -24), 1);
    switch (cp_below(r, 5)) {
    case 0:
        if (iq[0]) SENT(G, "%s udført af PPR %s med %s.", ins, dp, iq);
        else SENT(G, "%s udført af PPR %s.", ins, dp);
        break;
    case 1:
        if (iq[0]) SENT(G, "Kognitiv undersøgelse (%s) foretaget %s: %s.", ins, dp, iq);
        else SENT(G, "Kognitiv undersøgelse (%s) foretaget %s.", ins, dp);
        break;
    case 2:
        if (iq[0]) SENT(G, "Evnetest %s viste %s.", dp, iq);
        else SENT(G, "Evnetest foretaget %s.", dp);
        break;
    case 3:
        /* the result stays in the dated sentence: alone it would be undated evidence */
        if (iq[0]) SENT(G, "Der er lavet kognitiv test %s, som viste %s.", dp, iq);
        else SENT(G, "Der er lavet kognitiv test %s.", dp);
        break;
    default:
        SENT(G, "Kognitiv vurdering foretaget %s%s%s.", dp, iq[0] ? ", " : "", iq);
    }
}

/* The free text and the JSON record of the child as rendered. */
static void cp_render(cp_gen *G, const cp_child *a, const char *id)
{
    cp_rng *r = &G->rng;
    cp_sb *b = &G->line;
    int style = cp_pickw(r, (const double[]){ .2, .55, .25 }, 3);   /* short, normal, long */
    int sks = cp_chance(r, .45), mixed = cp_chance(r, .1);
    int gmode[G__N];                 /* 1 code, 2 text, 3 both */
    char codes[G__N + 2][8];
    int ncodes = 0;
    char dp[64];

    G->nsent = 0;
    /* How each group is shown. */
    for (int g = 0; g < G__N; g++) {
        gmode[g] = 0;
        if (!(a->groups & GB(g))) continue;
        gmode[g] = 1 + cp_pickw(r, (const double[]){ .30, .35, .35 }, 3);
        if (g == G_WELLBEING && gmode[g] == 1 && cp_chance(r, .5)) gmode[g] = 2;
    }
    for (int g = 0; g < G__N; g++) {
        if (!(gmode[g] & 1)) continue;
        const char *code = cp_pick_list(r, cp_codes[g], 5);
        if (g == G_DEPRESSION && a->dep_psychotic) code = cp_chance(r, .7) ? "F32.3" : "F33.3";
        else if (g == G_DEPRESSION && a->dep_severe) code = cp_chance(r, .7) ? "F32.2" : "F33.2";
        int s = mixed ? cp_chance(r, .5) : sks;
        char *o = codes[ncodes++];
        if (s) {                     /* SKS: D + letter + digits, no dot */
            int k = 0;
            o[k++] = 'D';
            for (const char *p = code; *p; p++) if (*p != '.') o[k++] = *p;
            o[k] = 0;
        } else snprintf(o, 8, "%s", code);
    }

    /* Opening. */
    {
        char who[64];
        const char *kid = a->male ? "dreng" : "pige";
        if (a->age == 0) snprintf(who, sizeof who, "spædbarn (%s)", kid);
        else if (a->age >= 18) snprintf(who, sizeof who, "%d-årig %s", a->age, a->male ? "ung mand" : "ung kvinde");
        else snprintf(who, sizeof who, "%d-årig %s", a->age, kid);
        int mg = -1;
        for (int g = 0; g < G__N; g++)
            if ((gmode[g] & 2) && g != G_WELLBEING && !(g == G_DEPRESSION && a->dep_severe) &&
                (mg < 0 || cp_chance(r, .3))) mg = g;
        if (mg >= 0 && cp_chance(r, .5)) {
            const char *np = cp_pick_list(r, cp_group_np[mg], 3);
            if (cp_chance(r, .5)) SENT(G, "%c%s henvises med %s.", who[0], who + 1, np);
            else SENT(G, "Henvisning af %s med %s.", who, np);
            gmode[mg] &= ~2;         /* mentioned */
        } else {
            static const char *const f[] = { "%s henvises til udredning.", "Vedr. %s.",
                "%s henvises til børne- og ungdomspsykiatrisk vurdering.", "Jeg henviser hermed %s." };
            SENT(G, CP_PICK(r, f), who);
        }
    }
    int first_free = G->nsent;

    for (int g = 0; g < G__N; g++) {
        if (!(gmode[g] & 2)) continue;
        if (g == G_DEPRESSION && a->dep_psychotic)
            SENT(G, "Svær depression med psykotiske symptomer.");
        else if (g == G_DEPRESSION && a->dep_severe)
            SENT(G, cp_chance(r, .5) ? "Svær depression med markant funktionsfald." : "Der er tale om en svær depression.");
        else SENT(G, "%s", cp_pick_list(r, cp_group_sent[g], 5));
    }

    /* Risk: structured, text, or both. Values: -2 absent, -1 null, 0/1. */
    int rk[6] = { -2, -2, -2, -2, -2, -2 };  /* attempt plan ideation self_harm psychosis substance */
    int any_risk_struct = cp_chance(r, .3);
    if (any_risk_struct) for (int i = 0; i < 6; i++) rk[i] = cp_chance(r, .85) ? 0 : -1;
    if (a->attempt_now) {
        int w = cp_below(r, 3);      /* 0 structured, 1 text, 2 both */
        if (w != 1) rk[0] = 1; else if (cp_chance(r, .15)) rk[0] = 0;
        if (w != 0) {
            static const char *const f[] = { "Indlagt efter selvmordsforsøg med overdosis paracetamol i går.",
                "Selvmordsforsøg i weekenden.", "Forsøgte i sidste uge at tage sit liv (selvmordsforsøg).",
                "Har i går forsøgt selvmord ved hængning og er indlagt." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    }
    if (a->attempt_past) {
        cp_date_phrase(G, dp, sizeof dp, a->attempt_past_date, a->received, a->received - 120, 1);
        if (cp_chance(r, .4) && rk[0] != 1) rk[0] = 1;
        SENT(G, cp_chance(r, .5) ? "Selvmordsforsøg %s." : "Tidligere selvmordsforsøg %s.", dp);
    }
    if (a->plan) {
        int w = cp_below(r, 3);
        if (w != 1) rk[1] = 1;
        if (w != 0) SENT(G, "%s", cp_chance(r, .5) ? "Har en konkret selvmordsplan." : "Beskriver konkrete planer om selvmord.");
    }
    if (a->ideation) {
        int w = cp_below(r, 3);
        if (w != 1) rk[2] = 1;
        if (w != 0) {
            static const char *const f[] = { "Selvmordstanker.", "Udtrykker tanker om at dø.",
                                             "Passive selvmordstanker uden plan.", "Har tanker om selvmord." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    } else if (!a->plan && !a->attempt_now && a->age >= 10 && cp_chance(r, .12))
        SENT(G, "%s", cp_chance(r, .5) ? "Ingen selvmordstanker." : "Der er ikke selvmordstanker.");
    if (a->self_harm) {
        int w = cp_below(r, 3);
        if (w != 1) rk[3] = 1;
        if (w != 0) {
            static const char *const f[] = { "Cutter sig på armene.", "Selvskadende adfærd med snitsår.",
                "Skærer i armene flere gange om ugen.", "Selvskade gennem et halvt år." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    } else if (a->age >= 10 && cp_chance(r, .15))
        SENT(G, "%s", cp_chance(r, .6) ? "Ingen selvskade." : "Ikke selvskadende.");
    if (a->psychotic) {
        /* a PSYCHOSIS code or sentence already shows it; the flag now and then too */
        if (!(gmode[G_PSYCHOSIS]) || cp_chance(r, .4)) rk[4] = 1;
        else if (cp_chance(r, .1)) rk[4] = 0;
    } else if (!a->dep_psychotic && a->age >= 10 && cp_chance(r, .1))
        SENT(G, "%s", cp_chance(r, .5) ? "Ingen psykotiske symptomer." : "Ikke psykotisk.");
    if (a->groups & GB(G_SUBSTANCE)) {
        if (cp_chance(r, .4)) rk[5] = 1;
    } else if (a->age >= 13 && cp_chance(r, .08))
        SENT(G, "%s", cp_chance(r, .5) ? "Intet misbrug." : "Ingen misbrug af hash eller alkohol.");
    /* Structured false beats text except for acute facts: a fact shown only in
    ** the text must not sit beside a structured false. */
    if (a->attempt_past && rk[0] == 0) rk[0] = -1;
    if (a->ideation && rk[2] == 0) rk[2] = -1;
    if (a->self_harm && rk[3] == 0) rk[3] = -1;
    if ((a->groups & GB(G_SUBSTANCE)) && rk[5] == 0) rk[5] = -1;
    if (!(a->groups & GB(G_EATING)) && a->age >= 10 && cp_chance(r, .03))
        SENT(G, "Ikke tegn på spiseforstyrrelse.");
    if (!(a->attempt_now || a->attempt_past) && a->age >= 12 && cp_chance(r, .04))
        SENT(G, "Har aldrig forsøgt selvmord.");

    /* Measurements. */
    int s_h = 0, s_w = 0, s_b = 0, s_l = 0;
    if (a->meas) {
        int st = cp_chance(r, .5);
        char num[16], wnum[16];
        int comma = cp_chance(r, .6);
        snprintf(num, sizeof num, "%.1f", a->bmi);
        snprintf(wnum, sizeof wnum, "%.1f", a->weight);
        if (comma) { char *p = strchr(num, '.'); if (p) *p = ','; p = strchr(wnum, '.'); if (p) *p = ','; }
        if (a->meas & 1) { if (st) s_b = 1; else SENT(G, "BMI %s.", num); }
        if (a->meas & 2) {
            if (st || (a->meas == 3 && cp_chance(r, .5))) s_h = s_w = 1;
            else if (cp_chance(r, .5)) SENT(G, "Vægt %s kg, højde %d cm.", wnum, a->height);
            else SENT(G, "Højde %d cm og vægt %s kg.", a->height, wnum);
        }
    } else if ((a->groups & GB(G_EATING)) && cp_chance(r, .3))
        SENT(G, "Højde og vægt er ikke målt.");
    if (a->wloss >= 0) {
        if (cp_chance(r, .5)) s_l = 1;
        else if (cp_chance(r, .5)) SENT(G, "Vægttab på %d %% over de seneste 3 måneder.", a->wloss);
        else SENT(G, "Har tabt %d%% af kropsvægten på 2 måneder.", a->wloss);
    }

    /* Medication. */
    int med_struct = cp_chance(r, .6);
    if (a->med_psy >= 0 && !med_struct) {
        static const char *const f[] = { "Behandles med %s.", "Er sat i behandling med %s af egen læge.", "Får %s dagligt." };
        char low[32];
        snprintf(low, sizeof low, "%s", cp_psy_meds[a->med_psy]);
        low[0] = (char)(low[0] - 'A' + 'a');
        SENT(G, CP_PICK(r, f), low);
    }
    if (a->med_other >= 0 && !med_struct) SENT(G, a->med_other == 0 ? "Får melatonin for søvnen." : "Bruger %s efter behov.",
                                               cp_other_meds[a->med_other]);
    if (a->med_psy < 0 && a->med_other < 0 && cp_chance(r, .08)) SENT(G, "Ingen medicin.");

    /* Documents. */
    int cog_struct = a->cog && a->cog_where != 1, ppv_where = 0;
    if (a->cog && a->cog_where != 0) cp_render_cog_text(G, a);
    if (!a->cog && (a->groups & (GB(G_ADHD) | GB(G_AUTISM))) && a->age >= 6 && cp_chance(r, .4)) {
        static const char *const f[] = { "Ikke kognitivt testet.", "Der er ikke foretaget kognitiv undersøgelse.",
                                         "Afventer kognitiv vurdering.", "Kognitiv undersøgelse mangler." };
        SENT(G, "%s", CP_PICK(r, f));
    }
    if (a->ppv) {
        ppv_where = cp_pickw(r, (const double[]){ .5, .35, .15 }, 3);
        if (ppv_where != 0) {
            static const char *const f[] = { "PPV vedlagt.", "Pædagogisk-psykologisk vurdering fra PPR vedlægges.",
                                             "PPR-udtalelse vedlagt.", "PPR har vurderet barnet, se vedlagte.",
                                             "Der foreligger PPV fra skolen." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    } else if ((a->groups & (GB(G_ADHD) | GB(G_AUTISM))) && a->age >= 6 && cp_chance(r, .35)) {
        static const char *const f[] = { "PPV foreligger endnu ikke.", "PPV mangler.",
                                         "Der er ikke udarbejdet PPV.", "Afventer PPV fra PPR." };
        SENT(G, "%s", CP_PICK(r, f));
    }

    /* Custody and consent. */
    int cust_field = -2, cons_field = -2;     /* -2 absent, -1 null */
    switch (a->custody) {
    case CU_JOINT: {
        int w = cp_pickw(r, (const double[]){ .65, .30, .05 }, 3);
        if (w != 1) cust_field = CU_JOINT; else if (cp_chance(r, .3)) cust_field = -1;
        if (w != 0) {
            static const char *const f[] = { "Fælles forældremyndighed.", "Forældrene har fælles forældremyndighed.",
                                             "Forældrene er skilt og har fælles forældremyndighed." };
            SENT(G, "%s", CP_PICK(r, f));
        }
        if (a->consent) {
            int cw = cp_pickw(r, (const double[]){ .6, .3, .1 }, 3);
            if (cw != 1) cons_field = 1;
            if (cw != 0) {
                static const char *const f[] = { "Begge forældre er indforståede med henvisningen.",
                    "Begge forældremyndighedsindehavere har givet samtykke.", "Samtykke fra begge forældre foreligger." };
                SENT(G, "%s", CP_PICK(r, f));
            }
        } else {
            int cw = cp_pickw(r, (const double[]){ .3, .4, .3 }, 3);
            if (cw == 0) cons_field = 0;
            else if (cw == 1) { if (cp_chance(r, .3)) cons_field = -1; }
            else {
                static const char *const f[] = { "Far har ikke givet samtykke.",
                    "Mor er indforstået, men far har ikke givet samtykke.", "Samtykke fra far mangler.",
                    "Der foreligger ikke samtykke fra begge forældre." };
                SENT(G, "%s", CP_PICK(r, f));
            }
        }
        break;
    }
    case CU_SOLE: {
        int w = cp_pickw(r, (const double[]){ .5, .3, .2 }, 3);
        if (w == 0) cust_field = CU_SOLE;
        else if (w == 2) SENT(G, "%s", cp_chance(r, .5) ? "Mor har forældremyndigheden alene." : "Mor har eneforældremyndighed.");
        if (cp_chance(r, .3)) cons_field = 1;
        break;
    }
    case CU_PLACED:
        if (cp_chance(r, .6)) cust_field = CU_PLACED;
        else {
            static const char *const f[] = { "Anbragt i plejefamilie.", "Anbragt på døgninstitution siden 2018.",
                                             "Bor i plejefamilie (anbragt uden for hjemmet)." };
            SENT(G, "%s", CP_PICK(r, f));
        }
        break;
    default:
        if (cp_chance(r, .5)) cust_field = CU_UNKNOWN;
    }

    /* Previous contact. */
    int prev_field = -2;
    if (a->prev_buc) {
        int w = cp_pickw(r, (const double[]){ .5, .4, .1 }, 3);
        if (w != 1) prev_field = 1;
        if (w != 0) {
            static const char *const f[] = { "Tidligere udredt i BUC i 2017.",
                "Har tidligere været i kontakt med børne- og ungdomspsykiatrien.",
                "Kendt i børne- og ungdomspsykiatrien siden 2016.", "Tidligere forløb i BUC." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    } else {
        double x = cp_u01(r);
        if (x < .3) prev_field = 0;
        else if (x < .45) SENT(G, "%s", cp_chance(r, .5) ? "Ingen tidligere psykiatrisk kontakt."
                                                          : "Ikke tidligere kendt i børne- og ungdomspsykiatrien.");
    }

    /* Distractors and filler. */
    if (style != 0 && cp_chance(r, .12)) SENT(G, "%s", CP_PICK(r, cp_family));
    if (style != 0) {
        int nf = style == 2 ? cp_range(r, 3, 8) : cp_range(r, 0, 2);
        unsigned used = 0;       /* no filler twice */
        for (int i = 0; i < nf; i++) {
            int k = cp_below(r, CP_NELEM(cp_filler));
            if (used & (1u << k)) continue;
            used |= 1u << k;
            SENT(G, "%s", cp_filler[k]);
        }
        if (a->age >= 7 && a->age <= 17 && cp_chance(r, .3)) SENT(G, "Går i %d. klasse.", a->age - 6);
    }
    /* Sentences stand alone, so their order is free. */
    if (cp_chance(r, .6))
        for (int i = G->nsent - 1; i > first_free; i--) {
            int j = first_free + cp_below(r, i - first_free + 1);
            char tmp[CP_SENTLEN];
            memcpy(tmp, G->sent[i], CP_SENTLEN); memcpy(G->sent[i], G->sent[j], CP_SENTLEN);
            memcpy(G->sent[j], tmp, CP_SENTLEN);
        }

    /* ---- the record */
    b->n = 0;
    sb_put(b, "{\"id\":"); sb_str(b, id);
    sb_put(b, ",\"received\":"); sb_date(b, a->received);
    {
        double x = cp_u01(r);
        const char *pr = x < .6 ? "routine" : x < .75 ? "urgent" : x < .78 ? "asap" : NULL;
        if (a->attempt_now || a->plan || a->psychotic) pr = cp_chance(r, .5) ? "asap" : "urgent";
        if (pr) { sb_put(b, ",\"priority\":"); sb_str(b, pr); }
    }
    sb_put(b, ",\"referrer\":{\"kind\":"); sb_str(b, cp_referrer_names[a->referrer]);
    if (cp_chance(r, .8)) {
        const char *mn = cp_munis[a->muni >= 0 ? a->muni : a->garbled_of].name;
        char nm[160];
        switch (a->referrer) {
        case R_GP: {
            static const char *const f[] = { "Lægerne i %s", "Lægehuset %s", "Praktiserende læge, %s" };
            snprintf(nm, sizeof nm, CP_PICK(r, f), mn); break;
        }
        case R_MUNICIPALITY: {
            static const char *const f[] = { "PPR %s Kommune", "Familieafdelingen, %s Kommune", "Børn og Unge, %s" };
            snprintf(nm, sizeof nm, CP_PICK(r, f), mn); break;
        }
        case R_SPECIALIST: snprintf(nm, sizeof nm, "Speciallæge i børne- og ungdomspsykiatri, %s", mn); break;
        case R_HOSPITAL: {
            static const char *const f[] = { "Børneafdelingen, Herlev", "Børne- og Ungeafdelingen, Hvidovre Hospital",
                                             "Akutmodtagelsen, Rigshospitalet", "Børneafdelingen, Hillerød" };
            snprintf(nm, sizeof nm, "%s", CP_PICK(r, f)); break;
        }
        case R_HV: snprintf(nm, sizeof nm, "Sundhedsplejen, %s Kommune", mn); break;
        case R_SELF: snprintf(nm, sizeof nm, "%s", a->male ? "Forældre til drengen" : "Forældre til pigen"); break;
        default: snprintf(nm, sizeof nm, "%s", cp_chance(r, .5) ? "Skolens AKT-team" : "Fritidsklubben"); break;
        }
        sb_put(b, ",\"name\":"); sb_str(b, nm);
    }
    sb_put(b, "},\"patient\":{");
    int comma = 0;
    if (a->cpr[0]) { sb_put(b, "\"cpr\":"); sb_str(b, a->cpr); comma = 1; }
    if (a->birth_field) { sb_put(b, comma ? ",\"birth_date\":" : "\"birth_date\":"); sb_date(b, a->birth); }
    if (cp_chance(r, .9)) { sb_put(b, ",\"sex\":"); sb_str(b, a->male ? "M" : "F"); }
    sb_put(b, ",\"municipality\":");
    if (a->muni < 0) sb_str(b, cp_munis[a->garbled_of].garbled);
    else {
        const cp_muni *m = &cp_munis[a->muni];
        int nalt = 0;
        while (nalt < 6 && m->alt[nalt]) nalt++;
        sb_str(b, nalt && cp_chance(r, .45) ? m->alt[cp_below(r, nalt)] : m->name);
    }
    if (cust_field != -2) {
        static const char *const cn[] = { "joint", "sole", "placed", "unknown" };
        sb_put(b, ",\"custody\":");
        if (cust_field == -1) sb_put(b, "null"); else sb_str(b, cn[cust_field]);
    }
    sb_put(b, "}");
    if (cons_field != -2)
        sb_put(b, cons_field == -1 ? ",\"consent\":{\"both_custodians\":null}"
                  : cons_field ? ",\"consent\":{\"both_custodians\":true}" : ",\"consent\":{\"both_custodians\":false}");
    if (ncodes) {
        sb_put(b, ",\"diagnoses\":[");
        for (int i = 0; i < ncodes; i++) { if (i) sb_put(b, ","); sb_str(b, codes[i]); }
        sb_put(b, "]");
    }
    /* the text */
    sb_put(b, ",\"text\":\"");
    {
        size_t start = b->n;
        for (int i = 0; i < G->nsent; i++) {
            if (i) sb_put(b, style == 2 && cp_chance(r, .25) ? "\\n" : " ");
            sb_esc(b, G->sent[i]);
        }
        if (style == 0 && b->n > start && b->p[b->n - 1] == '.' && cp_chance(r, .3)) b->n--;  /* no final dot */
    }
    sb_put(b, "\"");
    if (a->gapd >= 0) sb_fmt(b, ",\"gapd\":%d", a->gapd);
    else if (cp_chance(r, .2)) sb_put(b, ",\"gapd\":null");

    int nas = 0;
    if (cog_struct || (a->ppv && ppv_where != 1)) {
        sb_put(b, ",\"assessments\":[");
        if (cog_struct) {
            sb_put(b, "{\"kind\":\"cognitive\"");
            if (cp_chance(r, .85)) { sb_put(b, ",\"instrument\":"); sb_str(b, cp_instr[a->cog_instr]); }
            if (a->cog_date != DT_NONE) { sb_put(b, ",\"date\":"); sb_date(b, a->cog_date); }
            if (a->fsiq >= 0) sb_fmt(b, ",\"fsiq\":%d", a->fsiq);
            if (cp_chance(r, .6)) sb_put(b, ",\"by\":\"PPR\"");
            sb_put(b, "}");
            nas++;
        }
        if (a->ppv && ppv_where != 1) {
            if (nas++) sb_put(b, ",");
            sb_put(b, "{\"kind\":\"ppv\"");
            if (cp_chance(r, .5)) sb_put(b, ",\"by\":\"PPR\"");
            sb_put(b, "}");
        }
        if (cp_chance(r, .15)) sb_put(b, ",{\"kind\":\"school_statement\"}");
        sb_put(b, "]");
    }
    if (style != 0 && cp_chance(r, .2)) {
        static const char *const pi[] = { "ppr", "section_126a", "family_support", "special_education" };
        int k = cp_range(r, 1, 2), base = cp_below(r, 4);
        sb_put(b, ",\"prior_interventions\":[");
        for (int i = 0; i < k; i++) { if (i) sb_put(b, ","); sb_str(b, pi[(base + i) % 4]); }
        sb_put(b, "]");
    }
    {
        static const char *const rn[] = { "suicide_attempt", "suicide_plan", "suicidal_ideation",
                                          "self_harm", "psychosis", "substance_misuse" };
        int any = 0;
        for (int i = 0; i < 6; i++) {
            if (rk[i] == -2) continue;
            sb_put(b, any++ ? ",\"" : ",\"risk\":{\"");
            sb_put(b, rn[i]);
            sb_put(b, rk[i] == -1 ? "\":null" : rk[i] ? "\":true" : "\":false");
        }
        if (any) sb_put(b, "}");
    }
    if (s_h || s_b || s_l) {
        int any = 0;
        sb_put(b, ",\"somatic\":{");
        if (s_h) { sb_fmt(b, "\"height_cm\":%d,\"weight_kg\":%.1f", a->height, a->weight); any = 1; }
        if (s_b) { sb_fmt(b, "%s\"bmi\":%.1f", any ? "," : "", a->bmi); any = 1; }
        if (s_l) sb_fmt(b, "%s\"weight_loss_pct_3m\":%d", any ? "," : "", a->wloss);
        sb_put(b, "}");
    }
    (void)s_w;
    if (med_struct && (a->med_psy >= 0 || a->med_other >= 0)) {
        sb_put(b, ",\"medication\":[");
        if (a->med_psy >= 0) sb_str(b, cp_psy_meds[a->med_psy]);
        if (a->med_other >= 0) { if (a->med_psy >= 0) sb_put(b, ","); sb_str(b, cp_other_meds[a->med_other]); }
        sb_put(b, "]");
    }
    if (prev_field != -2) sb_put(b, prev_field ? ",\"previous_buc_contact\":true" : ",\"previous_buc_contact\":false");
    sb_put(b, "}\n");
}

static void cp_gold_line(cp_sb *b, const cp_gold *g, const char *id)
{
    b->n = 0;
    sb_put(b, "{\"id\":"); sb_str(b, id);
    sb_put(b, ",\"outcome\":"); sb_str(b, cp_outcome_names[g->outcome]);
    sb_put(b, ",\"target\":"); if (g->target < 0) sb_put(b, "null"); else sb_str(b, cp_target_names[g->target]);
    sb_put(b, ",\"unit\":"); if (!g->unit) sb_put(b, "null"); else sb_str(b, g->unit);
    sb_put(b, ",\"priority\":"); if (g->priority < 0) sb_put(b, "null"); else sb_str(b, cp_priority_names[g->priority]);
    sb_put(b, ",\"deadline\":"); if (g->deadline == DT_NONE) sb_put(b, "null"); else sb_date(b, g->deadline);
    sb_put(b, ",\"missing\":");
    if (g->outcome != O_REQUEST_INFO) sb_put(b, "null");
    else {
        int k = 0;
        sb_put(b, "[");
        for (int i = 0; i < 5; i++)
            if (g->missing & (1u << i)) { if (k++) sb_put(b, ","); sb_str(b, cp_missing_names[i]); }
        sb_put(b, "]");
    }
    sb_put(b, ",\"request_from\":");
    if (g->request_from < 0) sb_put(b, "null");
    else sb_str(b, g->request_from == RQ_MUNICIPALITY ? "municipality" : "referrer");
    sb_put(b, "}\n");
}

static void cp_count(corpus_stats *st, const cp_child *c, const cp_gold *g)
{
    st->n++;
    st->age_band[c->age <= 7 ? 0 : c->age <= 13 ? 1 : c->age <= 17 ? 2 : 3]++;
    st->referrer[c->referrer]++;
    st->main_problem[c->main]++;
    st->comorbid += cp_popcount(c->groups & ~GB(G_WELLBEING)) >= 2;
    st->out_of_region += cp_munis[c->muni].site == SITE_OUT;
    st->acute += g->priority == P_ACUTE;
    if (c->age >= 6 && c->age <= 17 && (c->groups & (GB(G_ADHD) | GB(G_AUTISM)))) {
        st->school_adhd_autism++;
        if (c->cog) {
            st->cog_exists++;
            st->cog_text_only += c->cog_where == 1;
            st->cog_old += cp_outdated(c->cog_date, c->received);
        }
    }
    if (c->custody == CU_JOINT) { st->joint++; st->joint_no_consent += !c->consent; }
    st->cpr += c->cpr[0] != 0;
    st->repeat += c->repeat;
    switch (g->outcome) {
    case O_ACCEPT: st->gold[CS_ACCEPT]++; st->gold[CS_ACCEPT_ACUTE] += g->priority == P_ACUTE; break;
    case O_REQUEST_INFO:
        st->gold[CS_REQUEST_INFO]++;
        for (int i = 0; i < 5; i++) st->missing[i] += (g->missing >> i) & 1;
        st->request_from_municipality += g->request_from == RQ_MUNICIPALITY;
        break;
    case O_REJECT: st->gold[CS_REJECT]++; break;
    default:
        st->gold[g->target == T_MUNICIPALITY ? CS_REDIR_MUNICIPALITY : g->target == T_SPECIALIST
                 ? CS_REDIR_SPECIALIST : g->target == T_ADULT ? CS_REDIR_ADULT : CS_REDIR_OTHER_REGION]++;
    }
}

int corpus_generate(const corpus_opts *o, FILE *referrals, FILE *gold, corpus_stats *st)
{
    corpus_stats local;
    cp_gen *G = calloc(1, sizeof *G);
    cp_sb gl = {0};
    long count = o->count;
    int width = 6, rc = 0;
    if (!G) return -1;
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    cp_init_days();
    cp_seed(&G->rng, o->seed);
    G->serial_base = dt_from_ymd(CP_SERIAL_BASE_YEAR, 1, 1);
    for (long x = count; x >= 1000000; x /= 10) width++;

    for (long i = 0; i < count; i++) {
        /* referral i falls on working day floor(i * D / count): by day, in id order */
        int32_t day = cp_workdays[(int)((int64_t)i * cp_nworkdays / count)];
        char id[48];
        cp_child c, a;
        cp_gold g, ga;
        snprintf(id, sizeof id, "R2020-%0*ld", width & 31, (i + 1) % 100000000000L);
        cp_draw_child(G, &c, day);
        cp_decide(&c, &g);
        a = c;
        cp_noise(G, &a);
        cp_decide(&a, &ga);
        if (!cp_gold_eq(&g, &ga)) {
            st->noise++;
#ifdef CP_DEBUG_NOISE
            fprintf(stderr, "noise %s\n", id);
#endif
        }
        cp_render(G, &a, id);
        cp_count(st, &c, &g);
        if (referrals && fwrite(G->line.p, 1, G->line.n, referrals) != G->line.n) rc = -1;
        if (gold) {
            cp_gold_line(&gl, &g, id);
            if (fwrite(gl.p, 1, gl.n, gold) != gl.n) rc = -1;
        }
        if (rc) break;
        /* a child redirected to the municipality may come back */
        if (c.cpr[0] && g.outcome == O_REDIRECT && g.target == T_MUNICIPALITY &&
            ga.outcome == O_REDIRECT && ga.target == T_MUNICIPALITY) {
            cp_prev p = { c.received, c.birth, c.male, c.muni, c.custody, {0} };
            memcpy(p.cpr, c.cpr, sizeof p.cpr);
            if (G->npool < CP_POOL) G->pool[G->npool++] = p;
            else G->pool[cp_below(&G->rng, CP_POOL)] = p;
        }
    }
    free(G->line.p);
    free(gl.p);
    free(G);
    return rc;
}

/* ----------------------------------------------------------------- stats */

static void cp_share(FILE *out, const char *label, long k, long n)
{
    fprintf(out, "  %-34s %8ld  %5.1f%%\n", label, k, n ? 100.0 * (double)k / (double)n : 0.0);
}

void corpus_print_stats(const corpus_stats *st, FILE *out)
{
    static const char *const ages[] = { "age 0-7", "age 8-13", "age 14-17", "age 18+" };
    static const char *const mains[] = { "ADHD", "autism", "anxiety or OCD", "depression or self-harm",
                                         "eating", "psychosis or bipolar", "other" };
    static const char *const golds[] = { "accept", "request_info", "redirect municipality",
        "redirect specialist_practice", "redirect adult_psychiatry", "redirect other_region",
        "reject", "  of accept: acute (B205)" };
    long n = st->n;
    fprintf(out, "referrals: %ld\n", n);
    fprintf(out, "age bands:\n");
    for (int i = 0; i < CS_AGE_N; i++) cp_share(out, ages[i], st->age_band[i], n);
    fprintf(out, "referrers:\n");
    for (int i = 0; i < CS_REF_N; i++) cp_share(out, cp_referrer_names[i], st->referrer[i], n);
    fprintf(out, "main problem:\n");
    for (int i = 0; i < CS_MAIN_N; i++) cp_share(out, mains[i], st->main_problem[i], n);
    fprintf(out, "facts:\n");
    cp_share(out, "comorbidity (2+ groups)", st->comorbid, n);
    cp_share(out, "out-of-region residence", st->out_of_region, n);
    cp_share(out, "acute", st->acute, n);
    cp_share(out, "school-age ADHD/autism", st->school_adhd_autism, n);
    cp_share(out, "  with cognitive assessment", st->cog_exists, st->school_adhd_autism);
    cp_share(out, "    of those only in text", st->cog_text_only, st->cog_exists);
    cp_share(out, "    of those older than 24 months", st->cog_old, st->cog_exists);
    cp_share(out, "joint custody", st->joint, n);
    cp_share(out, "  without both-custodian consent", st->joint_no_consent, st->joint);
    cp_share(out, "carries a CPR number", st->cpr, n);
    cp_share(out, "repeat referral", st->repeat, n);
    fprintf(out, "gold decisions:\n");
    for (int i = 0; i < CS_OUT_N; i++) cp_share(out, golds[i], st->gold[i], n);
    fprintf(out, "request_info items:\n");
    for (int i = 0; i < 5; i++) cp_share(out, cp_missing_names[i], st->missing[i], st->gold[CS_REQUEST_INFO]);
    cp_share(out, "asked of the municipality", st->request_from_municipality, st->gold[CS_REQUEST_INFO]);
    fprintf(out, "noise: %ld gold labels (%.2f%%) not derivable from the rendered record\n",
            st->noise, n ? 100.0 * (double)st->noise / (double)n : 0.0);
}
