/*
** fhir_codes.c — the code systems a FHIR referral is read with: DK Core's
** municipality codes (kommunekoder), and which referrer kind or assessment
** kind a coding or a type text names. This is the vocabulary of the input
** format, as fixed as ICD-10's code shape; which municipalities BUC serves,
** and every Danish text the engine writes, stay in rules/.
*/
#include <stdlib.h>
#include <string.h>
#include "fhir.h"

/* DK Core CodeSystem dk-core-municipality-codes (Danmarks Adresser's
** kommunekodeliste; unchanged since the 2007 reform), sorted by code. */
static const struct { char code[5]; const char *name; } fx_kommuner[] = {
    {"0101", "København"}, {"0147", "Frederiksberg"}, {"0151", "Ballerup"},
    {"0153", "Brøndby"}, {"0155", "Dragør"}, {"0157", "Gentofte"},
    {"0159", "Gladsaxe"}, {"0161", "Glostrup"}, {"0163", "Herlev"},
    {"0165", "Albertslund"}, {"0167", "Hvidovre"}, {"0169", "Høje-Taastrup"},
    {"0173", "Lyngby-Taarbæk"}, {"0175", "Rødovre"}, {"0183", "Ishøj"},
    {"0185", "Tårnby"}, {"0187", "Vallensbæk"}, {"0190", "Furesø"},
    {"0201", "Allerød"}, {"0210", "Fredensborg"}, {"0217", "Helsingør"},
    {"0219", "Hillerød"}, {"0223", "Hørsholm"}, {"0230", "Rudersdal"},
    {"0240", "Egedal"}, {"0250", "Frederikssund"}, {"0253", "Greve"},
    {"0259", "Køge"}, {"0260", "Halsnæs"}, {"0265", "Roskilde"},
    {"0269", "Solrød"}, {"0270", "Gribskov"}, {"0306", "Odsherred"},
    {"0316", "Holbæk"}, {"0320", "Faxe"}, {"0326", "Kalundborg"},
    {"0329", "Ringsted"}, {"0330", "Slagelse"}, {"0336", "Stevns"},
    {"0340", "Sorø"}, {"0350", "Lejre"}, {"0360", "Lolland"},
    {"0370", "Næstved"}, {"0376", "Guldborgsund"}, {"0390", "Vordingborg"},
    {"0400", "Bornholm"}, {"0410", "Middelfart"}, {"0411", "Christiansø"},
    {"0420", "Assens"}, {"0430", "Faaborg-Midtfyn"}, {"0440", "Kerteminde"},
    {"0450", "Nyborg"}, {"0461", "Odense"}, {"0479", "Svendborg"},
    {"0480", "Nordfyns"}, {"0482", "Langeland"}, {"0492", "Ærø"},
    {"0510", "Haderslev"}, {"0530", "Billund"}, {"0540", "Sønderborg"},
    {"0550", "Tønder"}, {"0561", "Esbjerg"}, {"0563", "Fanø"},
    {"0573", "Varde"}, {"0575", "Vejen"}, {"0580", "Aabenraa"},
    {"0607", "Fredericia"}, {"0615", "Horsens"}, {"0621", "Kolding"},
    {"0630", "Vejle"}, {"0657", "Herning"}, {"0661", "Holstebro"},
    {"0665", "Lemvig"}, {"0671", "Struer"}, {"0706", "Syddjurs"},
    {"0707", "Norddjurs"}, {"0710", "Favrskov"}, {"0727", "Odder"},
    {"0730", "Randers"}, {"0740", "Silkeborg"}, {"0741", "Samsø"},
    {"0746", "Skanderborg"}, {"0751", "Aarhus"}, {"0756", "Ikast-Brande"},
    {"0760", "Ringkøbing-Skjern"}, {"0766", "Hedensted"}, {"0773", "Morsø"},
    {"0779", "Skive"}, {"0787", "Thisted"}, {"0791", "Viborg"},
    {"0810", "Brønderslev"}, {"0813", "Frederikshavn"}, {"0820", "Vesthimmerland"},
    {"0825", "Læsø"}, {"0840", "Rebild"}, {"0846", "Mariagerfjord"},
    {"0849", "Jammerbugt"}, {"0851", "Aalborg"}, {"0860", "Hjørring"},
};
#define FX_NKOMMUNER (sizeof fx_kommuner / sizeof *fx_kommuner)

static int fx_kommune_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char (*)[5])elem);
}

const char *fx_kommune_name(const char *code, size_t len)
{
    char key[5];
    if (!code || len < 3 || len > 4) return NULL;
    for (size_t i = 0; i < len; i++)
        if (code[i] < '0' || code[i] > '9') return NULL;
    memset(key, '0', 4);                 /* "101" is "0101" */
    memcpy(key + 4 - len, code, len);
    key[4] = '\0';
    const char (*hit)[5] = bsearch(key, fx_kommuner, FX_NKOMMUNER, sizeof *fx_kommuner,
                                   fx_kommune_cmp);
    return hit ? fx_kommuner[((const char *)hit - (const char *)fx_kommuner) /
                             sizeof *fx_kommuner].name
               : NULL;
}

const char *fx_kommune_code(const char *name)
{
    for (size_t i = 0; name && i < FX_NKOMMUNER; i++)
        if (strcmp(fx_kommuner[i].name, name) == 0) return fx_kommuner[i].code;
    return NULL;
}

/* ------------------------------------------------------------ type texts */

/* Lower-case ASCII and Æ Ø Å (UTF-8) into out, so that "Almen Praksis" and
** "PÆDAGOGISK" match their lower-case spellings below. */
static void fx_fold(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 2 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z') c += 32;
        else if (c == 0xC3 && (s[1] == '\x86' || s[1] == '\x98' || s[1] == '\x85')) {
            out[o++] = (char)c;
            out[o++] = (char)(s[1] + 0x20);   /* Æ→æ Ø→ø Å→å */
            s++;
            continue;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
}

static int fx_letter(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

/* word found in folded text; a leading or trailing '|' asks for a word
** boundary there ("|ppr|" is PPR, not "opprettet"). */
static int fx_has(const char *text, const char *word)
{
    char w[64];
    int lb = word[0] == '|';
    size_t n = strlen(word + lb);
    int rb = n > 0 && word[lb + n - 1] == '|';
    n -= (size_t)rb;
    snprintf(w, sizeof w, "%.*s", (int)n, word + lb);
    for (const char *p = text; (p = strstr(p, w)); p++) {
        if (lb && p > text && fx_letter((unsigned char)p[-1])) continue;
        if (rb && fx_letter((unsigned char)p[n])) continue;
        return 1;
    }
    return 0;
}

/* First entry whose word the text holds; the order settles overlaps
** ("speciallægepraksis" before "lægepraksis", "familieafdeling" before
** "afdeling"). */
typedef struct fx_word { const char *word; int kind; } fx_word;

static int fx_lookup(const char *text, const fx_word *words)
{
    char f[512];
    if (!text) return -1;
    fx_fold(text, f, sizeof f);
    for (const fx_word *w = words; w->word; w++)
        if (fx_has(f, w->word)) return w->kind;
    return -1;
}

/* Danish names of the referrer's organisation or role type, as SOR and the
** sending systems write them (fhir.md: almen praksis, speciallæge, sygehus,
** kommune/PPR, sundhedsplejerske). */
static const fx_word fx_kind_words[] = {
    {"speciallæge", RK_SPECIALIST},
    {"sundhedspleje", RK_HEALTH_VISITOR},
    {"|ppr|", RK_MUNICIPALITY}, {"pædagogisk", RK_MUNICIPALITY},
    {"kommune", RK_MUNICIPALITY}, {"forvaltning", RK_MUNICIPALITY},
    {"familieafdeling", RK_MUNICIPALITY}, {"familiecent", RK_MUNICIPALITY},
    {"sygehus", RK_HOSPITAL}, {"hospital", RK_HOSPITAL}, {"afdeling", RK_HOSPITAL},
    {"ambulatori", RK_HOSPITAL}, {"psykiatri", RK_HOSPITAL},
    {"almen praksis", RK_GP}, {"almenpraksis", RK_GP}, {"almen medicin", RK_GP},
    {"alment praktiserende", RK_GP}, {"praktiserende læge", RK_GP},
    {"lægepraksis", RK_GP}, {"lægehus", RK_GP}, {"egen læge", RK_GP},
    {NULL, -1}};

/* Document types of the assessments a referral attaches. */
static const fx_word fx_assessment_words[] = {
    {"|ppv|", AK_PPV}, {"pædagogisk-psykologisk", AK_PPV},
    {"pædagogisk psykologisk", AK_PPV}, {"ppr-udtalelse", AK_PPV},
    {"børnefaglig", AK_CHILD_WELFARE},
    {"skoleudtalelse", AK_SCHOOL_STATEMENT}, {"skolens udtalelse", AK_SCHOOL_STATEMENT},
    {"kognitiv", AK_COGNITIVE}, {"|wisc", AK_COGNITIVE}, {"|wppsi", AK_COGNITIVE},
    {"|wais", AK_COGNITIVE}, {"|leiter", AK_COGNITIVE}, {"evnetest", AK_COGNITIVE},
    {"somatisk", AK_SOMATIC},
    {NULL, -1}};

int fx_kind_of_text(const char *text) { return fx_lookup(text, fx_kind_words); }
int fx_assessment_of_text(const char *text) { return fx_lookup(text, fx_assessment_words); }

/* ---------------------------------------------------------------- codings */

static int fx_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

int fx_kind_of_coding(const char *system, const char *code)
{
    if (!system || !code) return -1;
    if (strcmp(system, FX_CS("referrer-kind")) == 0)
        return fx_index(rf_referrer_names, RK__N, code);
    if (strcmp(system, FX_SYS_SNOMED) == 0) {   /* SOR's organisation types */
        if (strcmp(code, "394761003") == 0) return RK_GP;        /* almen lægepraksis */
        if (strcmp(code, "22232009") == 0) return RK_HOSPITAL;   /* hospital */
    }
    return -1;
}

int fx_assessment_of_coding(const char *system, const char *code)
{
    if (!system || !code || strcmp(system, FX_CS("assessment-kind")) != 0) return -1;
    return fx_index(rf_assessment_names, AK__N, code);
}
