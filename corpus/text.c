/*
** text.c — the letter: the Danish free text a referrer writes about the
** child, sentence by sentence, and with it the choice, fact by fact, of
** what goes in the text, in a structured field, both, or (as counted
** noise) neither. Sentences stand alone, so most may be shuffled.
*/
#include <stdio.h>
#include <string.h>

#include "corpus.h"


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
    triage_date_to_ymd(d, &y1, &m1, &d1);
    triage_date_to_ymd(received, &y2, &m2, &d2);
    int n = (y2 - y1) * 12 + (m2 - m1);
    if (d2 < d1) n--;
    return n;
}

/* Write date d in one of the ways letters do, into out, as a phrase that
** follows a verb ("i marts 2019", "d. 4/3-2019", "for 8 måneder siden").
** The chosen form must read as a date on the same side of cutoff as d (and
** more than 3 months back when cutoff is TRIAGE_NO_DAY and recent is set);
** otherwise a full date is written. */
static void cp_date_phrase(cp_gen *G, char *out, size_t cap, int32_t d, int32_t received,
                           int32_t cutoff, int allow_year)
{
    int y, m, dd;
    triage_date_to_ymd(d, &y, &m, &dd);
    for (int tries = 0; tries < 3; tries++) {
        int f = cp_below(&G->rng, allow_year ? 9 : 8);
        int32_t read;
        int n = cp_months_before(d, received);
        switch (f) {
        case 0: case 1: case 2: read = triage_date_from_ymd(y, m, 15); break;
        case 7: read = triage_date_add_months(received, -n); break;
        case 8: read = triage_date_from_ymd(y, 7, 1); break;
        default: read = d;
        }
        if (f == 7 && n < 1) continue;
        if (cutoff != TRIAGE_NO_DAY && ((read < cutoff) != (d < cutoff))) continue;
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


/* ---------------------------------------------------------------- phrases */

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


static void cp_say_cog(cp_gen *G, const cp_child *a)
{
    cp_rng *r = &G->rng;
    char dp[64], iq[48] = "";
    const char *ins = cp_instr[a->cog_instr];
    if (a->fsiq >= 0) {
        static const char *const f[] = { "samlet IK %d", "FSIQ %d", "IQ %d", "IK %d" };
        snprintf(iq, sizeof iq, CP_PICK(r, f), a->fsiq);
    }
    if (a->cog_date == TRIAGE_NO_DAY) {
        if (iq[0] && cp_chance(r, .5)) SENT(G, "Kognitiv undersøgelse vedlagt (%s).", iq);
        else if (iq[0]) SENT(G, "%s vedlagt med %s.", ins, iq);
        else SENT(G, cp_chance(r, .5) ? "%s vedlagt." : "Kognitiv vurdering (%s) foreligger.", ins);
        return;
    }
    cp_date_phrase(G, dp, sizeof dp, a->cog_date, a->received, triage_date_add_months(a->received, -24), 1);
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


/* How each group is shown (code, text, both) and its codes, WHO or SKS. */
static void cp_show_groups(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    int sks = cp_chance(r, .45), mixed = cp_chance(r, .1);
    sh->ncodes = 0;
    for (int g = 0; g < G__N; g++) {
        sh->gmode[g] = 0;
        if (!(a->groups & GB(g))) continue;
        sh->gmode[g] = 1 + cp_pickw(r, (const double[]){ .30, .35, .35 }, 3);
        if (g == G_WELLBEING && sh->gmode[g] == 1 && cp_chance(r, .5)) sh->gmode[g] = 2;
    }
    for (int g = 0; g < G__N; g++) {
        if (!(sh->gmode[g] & 1)) continue;
        const char *code = cp_pick_list(r, cp_codes[g], 5);
        if (g == G_DEPRESSION && a->dep_psychotic) code = cp_chance(r, .7) ? "F32.3" : "F33.3";
        else if (g == G_DEPRESSION && a->dep_severe) code = cp_chance(r, .7) ? "F32.2" : "F33.2";
        int s = mixed ? cp_chance(r, .5) : sks;
        char *o = sh->codes[sh->ncodes++];
        if (s) {                     /* SKS: D + letter + digits, no dot */
            int k = 0;
            o[k++] = 'D';
            for (const char *p = code; *p; p++) if (*p != '.') o[k++] = *p;
            o[k] = 0;
        } else snprintf(o, 8, "%s", code);
    }
}

/* The opening sentence: who is referred, maybe with what. */
static void cp_say_opening(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    char who[64];
    const char *kid = a->male ? "dreng" : "pige";
    if (a->age == 0) snprintf(who, sizeof who, "spædbarn (%s)", kid);
    else if (a->age >= 18) snprintf(who, sizeof who, "%d-årig %s", a->age, a->male ? "ung mand" : "ung kvinde");
    else snprintf(who, sizeof who, "%d-årig %s", a->age, kid);
    int mg = -1;
    for (int g = 0; g < G__N; g++)
        if ((sh->gmode[g] & 2) && g != G_WELLBEING && !(g == G_DEPRESSION && a->dep_severe) &&
            (mg < 0 || cp_chance(r, .3))) mg = g;
    if (mg >= 0 && cp_chance(r, .5)) {
        const char *np = cp_pick_list(r, cp_group_np[mg], 3);
        if (cp_chance(r, .5)) SENT(G, "%c%s henvises med %s.", who[0], who + 1, np);
        else SENT(G, "Henvisning af %s med %s.", who, np);
        sh->gmode[mg] &= ~2;         /* mentioned */
    } else {
        static const char *const f[] = { "%s henvises til udredning.", "Vedr. %s.",
            "%s henvises til børne- og ungdomspsykiatrisk vurdering.", "Jeg henviser hermed %s." };
        SENT(G, CP_PICK(r, f), who);
    }
}

/* A sentence per group the text shows. */
static void cp_say_groups(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    for (int g = 0; g < G__N; g++) {
        if (!(sh->gmode[g] & 2)) continue;
        if (g == G_DEPRESSION && a->dep_psychotic)
            SENT(G, "Svær depression med psykotiske symptomer.");
        else if (g == G_DEPRESSION && a->dep_severe)
            SENT(G, cp_chance(r, .5) ? "Svær depression med markant funktionsfald." : "Der er tale om en svær depression.");
        else SENT(G, "%s", cp_pick_list(r, cp_group_sent[g], 5));
    }
}

/* Risk: structured, text, or both. */
static void cp_say_risk(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    char dp[64];
    /* Risk: structured, text, or both. Values: -2 absent, -1 null, 0/1. */
    for (int i = 0; i < 6; i++) sh->rk[i] = -2;
    int any_risk_struct = cp_chance(r, .3);
    if (any_risk_struct) for (int i = 0; i < 6; i++) sh->rk[i] = cp_chance(r, .85) ? 0 : -1;
    if (a->attempt_now) {
        int w = cp_below(r, 3);      /* 0 structured, 1 text, 2 both */
        if (w != 1) sh->rk[0] = 1; else if (cp_chance(r, .15)) sh->rk[0] = 0;
        if (w != 0) {
            static const char *const f[] = { "Indlagt efter selvmordsforsøg med overdosis paracetamol i går.",
                "Selvmordsforsøg i weekenden.", "Forsøgte i sidste uge at tage sit liv (selvmordsforsøg).",
                "Har i går forsøgt selvmord ved hængning og er indlagt." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    }
    if (a->attempt_past) {
        cp_date_phrase(G, dp, sizeof dp, a->attempt_past_date, a->received, a->received - 120, 1);
        if (cp_chance(r, .4) && sh->rk[0] != 1) sh->rk[0] = 1;
        SENT(G, cp_chance(r, .5) ? "Selvmordsforsøg %s." : "Tidligere selvmordsforsøg %s.", dp);
    }
    if (a->plan) {
        int w = cp_below(r, 3);
        if (w != 1) sh->rk[1] = 1;
        if (w != 0) SENT(G, "%s", cp_chance(r, .5) ? "Har en konkret selvmordsplan." : "Beskriver konkrete planer om selvmord.");
    }
    if (a->ideation) {
        int w = cp_below(r, 3);
        if (w != 1) sh->rk[2] = 1;
        if (w != 0) {
            static const char *const f[] = { "Selvmordstanker.", "Udtrykker tanker om at dø.",
                                             "Passive selvmordstanker uden plan.", "Har tanker om selvmord." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    } else if (!a->plan && !a->attempt_now && a->age >= 10 && cp_chance(r, .12))
        SENT(G, "%s", cp_chance(r, .5) ? "Ingen selvmordstanker." : "Der er ikke selvmordstanker.");
    if (a->self_harm) {
        int w = cp_below(r, 3);
        if (w != 1) sh->rk[3] = 1;
        if (w != 0) {
            static const char *const f[] = { "Cutter sig på armene.", "Selvskadende adfærd med snitsår.",
                "Skærer i armene flere gange om ugen.", "Selvskade gennem et halvt år." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    } else if (a->age >= 10 && cp_chance(r, .15))
        SENT(G, "%s", cp_chance(r, .6) ? "Ingen selvskade." : "Ikke selvskadende.");
    if (a->psychotic) {
        /* a PSYCHOSIS code or sentence already shows it; the flag now and then too */
        if (!(sh->gmode[G_PSYCHOSIS]) || cp_chance(r, .4)) sh->rk[4] = 1;
        else if (cp_chance(r, .1)) sh->rk[4] = 0;
    } else if (!a->dep_psychotic && a->age >= 10 && cp_chance(r, .1))
        SENT(G, "%s", cp_chance(r, .5) ? "Ingen psykotiske symptomer." : "Ikke psykotisk.");
    if (a->groups & GB(G_SUBSTANCE)) {
        if (cp_chance(r, .4)) sh->rk[5] = 1;
    } else if (a->age >= 13 && cp_chance(r, .08))
        SENT(G, "%s", cp_chance(r, .5) ? "Intet misbrug." : "Ingen misbrug af hash eller alkohol.");
    /* Structured false beats text except for acute facts: a fact shown only in
    ** the text must not sit beside a structured false. */
    if (a->attempt_past && sh->rk[0] == 0) sh->rk[0] = -1;
    if (a->ideation && sh->rk[2] == 0) sh->rk[2] = -1;
    if (a->self_harm && sh->rk[3] == 0) sh->rk[3] = -1;
    if ((a->groups & GB(G_SUBSTANCE)) && sh->rk[5] == 0) sh->rk[5] = -1;
    if (!(a->groups & GB(G_EATING)) && a->age >= 10 && cp_chance(r, .03))
        SENT(G, "Ikke tegn på spiseforstyrrelse.");
    if (!(a->attempt_now || a->attempt_past) && a->age >= 12 && cp_chance(r, .04))
        SENT(G, "Har aldrig forsøgt selvmord.");
}

/* Measurements. */
static void cp_say_somatic(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    if (a->meas) {
        int st = cp_chance(r, .5);
        char num[16], wnum[16];
        int comma = cp_chance(r, .6);
        snprintf(num, sizeof num, "%.1f", a->bmi);
        snprintf(wnum, sizeof wnum, "%.1f", a->weight);
        if (comma) { char *p = strchr(num, '.'); if (p) *p = ','; p = strchr(wnum, '.'); if (p) *p = ','; }
        if (a->meas & 1) { if (st) sh->s_b = 1; else SENT(G, "BMI %s.", num); }
        if (a->meas & 2) {
            if (st || (a->meas == 3 && cp_chance(r, .5))) sh->s_h = 1;
            else if (cp_chance(r, .5)) SENT(G, "Vægt %s kg, højde %d cm.", wnum, a->height);
            else SENT(G, "Højde %d cm og vægt %s kg.", a->height, wnum);
        }
    } else if ((a->groups & GB(G_EATING)) && cp_chance(r, .3))
        SENT(G, "Højde og vægt er ikke målt.");
    if (a->wloss >= 0) {
        if (cp_chance(r, .5)) sh->s_l = 1;
        else if (cp_chance(r, .5)) SENT(G, "Vægttab på %d %% over de seneste 3 måneder.", a->wloss);
        else SENT(G, "Har tabt %d%% af kropsvægten på 2 måneder.", a->wloss);
    }
}

/* Medication. */
static void cp_say_medication(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    sh->med_struct = cp_chance(r, .6);
    if (a->med_psy >= 0 && !sh->med_struct) {
        static const char *const f[] = { "Behandles med %s.", "Er sat i behandling med %s af egen læge.", "Får %s dagligt." };
        char low[32];
        snprintf(low, sizeof low, "%s", cp_psy_meds[a->med_psy]);
        low[0] = (char)(low[0] - 'A' + 'a');
        SENT(G, CP_PICK(r, f), low);
    }
    if (a->med_other >= 0 && !sh->med_struct) SENT(G, a->med_other == 0 ? "Får melatonin for søvnen." : "Bruger %s efter behov.",
                                               cp_other_meds[a->med_other]);
    if (a->med_psy < 0 && a->med_other < 0 && cp_chance(r, .08)) SENT(G, "Ingen medicin.");
}

/* Papers: the cognitive assessment and the PPV. */
static void cp_say_documents(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    sh->cog_struct = a->cog && a->cog_where != 1;
    sh->ppv_where = 0;
    if (a->cog && a->cog_where != 0) cp_say_cog(G, a);
    if (!a->cog && (a->groups & (GB(G_ADHD) | GB(G_AUTISM))) && a->age >= 6 && cp_chance(r, .4)) {
        static const char *const f[] = { "Ikke kognitivt testet.", "Der er ikke foretaget kognitiv undersøgelse.",
                                         "Afventer kognitiv vurdering.", "Kognitiv undersøgelse mangler." };
        SENT(G, "%s", CP_PICK(r, f));
    }
    if (a->ppv) {
        sh->ppv_where = cp_pickw(r, (const double[]){ .5, .35, .15 }, 3);
        if (sh->ppv_where != 0) {
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
}

/* Custody and consent. */
static void cp_say_custody(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    sh->cust_field = sh->cons_field = -2;
    switch (a->custody) {
    case CU_JOINT: {
        int w = cp_pickw(r, (const double[]){ .65, .30, .05 }, 3);
        if (w != 1) sh->cust_field = CU_JOINT; else if (cp_chance(r, .3)) sh->cust_field = -1;
        if (w != 0) {
            static const char *const f[] = { "Fælles forældremyndighed.", "Forældrene har fælles forældremyndighed.",
                                             "Forældrene er skilt og har fælles forældremyndighed." };
            SENT(G, "%s", CP_PICK(r, f));
        }
        if (a->consent) {
            int cw = cp_pickw(r, (const double[]){ .6, .3, .1 }, 3);
            if (cw != 1) sh->cons_field = 1;
            if (cw != 0) {
                static const char *const f[] = { "Begge forældre er indforståede med henvisningen.",
                    "Begge forældremyndighedsindehavere har givet samtykke.", "Samtykke fra begge forældre foreligger." };
                SENT(G, "%s", CP_PICK(r, f));
            }
        } else {
            int cw = cp_pickw(r, (const double[]){ .3, .4, .3 }, 3);
            if (cw == 0) sh->cons_field = 0;
            else if (cw == 1) { if (cp_chance(r, .3)) sh->cons_field = -1; }
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
        if (w == 0) sh->cust_field = CU_SOLE;
        else if (w == 2) SENT(G, "%s", cp_chance(r, .5) ? "Mor har forældremyndigheden alene." : "Mor har eneforældremyndighed.");
        if (cp_chance(r, .3)) sh->cons_field = 1;
        break;
    }
    case CU_PLACED:
        if (cp_chance(r, .6)) sh->cust_field = CU_PLACED;
        else {
            static const char *const f[] = { "Anbragt i plejefamilie.", "Anbragt på døgninstitution siden 2018.",
                                             "Bor i plejefamilie (anbragt uden for hjemmet)." };
            SENT(G, "%s", CP_PICK(r, f));
        }
        break;
    default:
        if (cp_chance(r, .5)) sh->cust_field = CU_UNKNOWN;
    }
}

/* Previous contact with BUC. */
static void cp_say_previous(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    sh->prev_field = -2;
    if (a->prev_buc) {
        int w = cp_pickw(r, (const double[]){ .5, .4, .1 }, 3);
        if (w != 1) sh->prev_field = 1;
        if (w != 0) {
            static const char *const f[] = { "Tidligere udredt i BUC i 2017.",
                "Har tidligere været i kontakt med børne- og ungdomspsykiatrien.",
                "Kendt i børne- og ungdomspsykiatrien siden 2016.", "Tidligere forløb i BUC." };
            SENT(G, "%s", CP_PICK(r, f));
        }
    } else {
        double x = cp_u01(r);
        if (x < .3) sh->prev_field = 0;
        else if (x < .45) SENT(G, "%s", cp_chance(r, .5) ? "Ingen tidligere psykiatrisk kontakt."
                                                          : "Ikke tidligere kendt i børne- og ungdomspsykiatrien.");
    }
}

/* Distractors and filler, then the free sentences shuffled. */
static void cp_say_filler(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    cp_rng *r = &G->rng;
    if (sh->style != 0 && cp_chance(r, .12)) SENT(G, "%s", CP_PICK(r, cp_family));
    if (sh->style != 0) {
        int nf = sh->style == 2 ? cp_range(r, 3, 8) : cp_range(r, 0, 2);
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
        for (int i = G->nsent - 1; i > sh->first_free; i--) {
            int j = sh->first_free + cp_below(r, i - sh->first_free + 1);
            char tmp[CP_SENTLEN];
            memcpy(tmp, G->sent[i], CP_SENTLEN); memcpy(G->sent[i], G->sent[j], CP_SENTLEN);
            memcpy(G->sent[j], tmp, CP_SENTLEN);
        }
}

void cp_say(cp_gen *G, const cp_child *a, cp_shown *sh)
{
    memset(sh, 0, sizeof *sh);
    G->nsent = 0;
    sh->style = cp_pickw(&G->rng, (const double[]){ .2, .55, .25 }, 3);   /* short, normal, long */
    cp_show_groups(G, a, sh);
    cp_say_opening(G, a, sh);
    sh->first_free = G->nsent;
    cp_say_groups(G, a, sh);
    cp_say_risk(G, a, sh);
    cp_say_somatic(G, a, sh);
    cp_say_medication(G, a, sh);
    cp_say_documents(G, a, sh);
    cp_say_custody(G, a, sh);
    cp_say_previous(G, a, sh);
    cp_say_filler(G, a, sh);
}
