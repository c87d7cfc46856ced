/*
** domain.c — the tables the generator's files share: referrer kinds,
** the municipalities (the region's 29 with population and site, and some
** outside), BUC's units, drugs and test instruments, the missing items.
*/
#include "corpus.h"

const char *const cp_referrer_names[7] = {
    "gp", "specialist", "hospital", "municipality", "health_visitor", "self", "other" };

const cp_muni cp_munis[CP_NMUNI] = {
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

const char *const cp_units[3][3] = {
    {"B192", "B193", "B195"}, {"B291", "B294", "B295"}, {"B391", "B393", "B395"} };

const char *const cp_psy_meds[10] = {
    "Methylphenidat", "Lisdexamfetamin", "Atomoxetin", "Guanfacin",
    "Sertralin", "Fluoxetin", "Escitalopram", "Aripiprazol", "Quetiapin", "Risperidon" };
const char *const cp_other_meds[4] = { "Melatonin", "Ventoline", "Panodil", "Cetirizin" };

const char *const cp_instr[4] = { "WISC-V", "WPPSI-IV", "WAIS-IV", "Leiter-3" };

const char *const cp_missing_names[5] = { "cognitive_assessment", "updated_cognitive_assessment",
                                          "ppv", "consent_both_custodians", "somatic_measurements" };
