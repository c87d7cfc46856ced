/*
** draw.c — the child as it really is, drawn from the shares of
** tests/spec/corpus.md: age, referrer, problems, risk, measurements,
** medication, papers; now and then a child referred again after being
** redirected to the municipality. Then the noise: what a referrer failed to
** write, which changes the child as rendered but not the gold decision.
*/
#include <stdio.h>
#include <string.h>

#include "corpus.h"

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

/* Working days of 2020: weekdays less the Danish public holidays. */
static void cp_init_days(cp_gen *G)
{
    static const int hol[][2] = { {1,1}, {4,9}, {4,10}, {4,13}, {5,8}, {5,21}, {6,1},
                                  {6,5}, {12,24}, {12,25}, {12,31} };
    int n = 0;
    for (int32_t d = triage_date_from_ymd(2020, 1, 1); d <= triage_date_from_ymd(2020, 12, 31); d++) {
        int y, m, dd, skip = 0;
        int wd = (int)((d % 7 + 7 + 3) % 7);   /* 1970-01-01 was a Thursday: 0 = Monday */
        if (wd >= 5) continue;
        triage_date_to_ymd(d, &y, &m, &dd);
        for (int i = 0; i < CP_NELEM(hol); i++) if (hol[i][0] == m && hol[i][1] == dd) skip = 1;
        if (!skip) G->workdays[n++] = d;
    }
    G->nworkdays = n;
}

void cp_gen_init(cp_gen *G, uint64_t seed)
{
    cp_init_days(G);
    for (int i = 0; i < CP_NIN; i++) G->muni_w[i] = cp_munis[i].pop;
    cp_seed(&G->rng, seed);
    G->serial_base = triage_date_from_ymd(CP_SERIAL_BASE_YEAR, 1, 1);
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
    triage_date_to_ymd(c->birth, &y, &m, &d);
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%02d%02d%02d%s%04u", d, m, y % 100,
             cp_chance(&G->rng, .7) ? "-" : "", s % 10000);
    memcpy(c->cpr, tmp, sizeof c->cpr - 1);
    c->cpr[sizeof c->cpr - 1] = 0;
}

static int cp_pick_muni(cp_gen *G)
{
    if (cp_chance(&G->rng, .02)) return CP_NIN + cp_below(&G->rng, CP_NMUNI - CP_NIN);
    return cp_pickw(&G->rng, G->muni_w, CP_NIN);
}


static void cp_set_age(cp_gen *G, cp_child *c, int age)
{
    c->birth = c->received - (int32_t)((age + cp_u01(&G->rng)) * 365.2425);
    if (c->birth > c->received) c->birth = c->received;
    c->age = triage_date_age(c->birth, c->received);
}

/* The problems: the main one's group, comorbid partners, wellbeing. */
static void cp_draw_groups(cp_gen *G, cp_child *c, int mild_repeat)
{
    cp_rng *r = &G->rng;
    int m = c->main, a = c->age;
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
}

/* Self-harm, suicidality and psychosis; none on a mild repeat referral. */
static void cp_draw_risk(cp_gen *G, cp_child *c)
{
    cp_rng *r = &G->rng;
    int m = c->main, a = c->age;
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
static void cp_draw_measurements(cp_gen *G, cp_child *c)
{
    cp_rng *r = &G->rng;
    int a = c->age;
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
}

static void cp_draw_medication(cp_gen *G, cp_child *c, int mild_repeat)
{
    cp_rng *r = &G->rng;
    int m = c->main;
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
}

static void cp_draw_gapd(cp_gen *G, cp_child *c, int mild_repeat)
{
    cp_rng *r = &G->rng;
    int m = c->main;
    if (mild_repeat) c->gapd = cp_range(r, 1, 2);
    else if (cp_chance(r, .62)) {
        static const double w[] = { .01, .05, .16, .15, .20, .21, .14, .06, .03 };
        c->gapd = cp_pickw(r, w, 9);
        if ((m == MP_DEPRESSION || m == MP_PSYCHOSIS || m == MP_EATING) && c->gapd < 8) c->gapd++;
        if (m == MP_OTHER && c->gapd > 0 && cp_chance(r, .5)) c->gapd--;
        if ((m == MP_ADHD || m == MP_ANXIETY) && (c->gapd == 3 || c->gapd == 4) && cp_chance(r, .3)) c->gapd = 5;
    }
}

/* Papers: cognitive assessment and PPV. */
static void cp_draw_documents(cp_gen *G, cp_child *c)
{
    cp_rng *r = &G->rng;
    int a = c->age;
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
        if (!old && cp_chance(r, .1)) c->cog_date = TRIAGE_NO_DAY;
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

/* The clinical picture: groups, risk, measurements, medication, documents. */
static void cp_draw_clinical(cp_gen *G, cp_child *c, int mild_repeat)
{
    c->groups = 0; c->dep_severe = c->dep_psychotic = 0;
    c->self_harm = c->ideation = c->attempt_now = c->attempt_past = c->plan = c->psychotic = 0;
    c->attempt_past_date = TRIAGE_NO_DAY;
    c->meas = 0; c->wloss = -1; c->med_psy = c->med_other = -1; c->gapd = -1;
    c->cog = 0; c->cog_where = 0; c->cog_date = TRIAGE_NO_DAY; c->fsiq = -1; c->cog_instr = 0;
    c->ppv = 0;
    cp_draw_groups(G, c, mild_repeat);
    if (!mild_repeat) cp_draw_risk(G, c);
    cp_draw_measurements(G, c);
    cp_draw_medication(G, c, mild_repeat);
    cp_draw_gapd(G, c, mild_repeat);
    cp_draw_documents(G, c);
}

/* A fresh child, or a repeat referral of one redirected to the municipality. */
void cp_draw_child(cp_gen *G, cp_child *c, int32_t received)
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
            c->birth = p.birth; c->age = triage_date_age(p.birth, received);
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


void cp_noise(cp_gen *G, cp_child *a)
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

