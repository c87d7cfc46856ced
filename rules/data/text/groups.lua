-- data/text/groups.lua — the words of each diagnostic group (policy table
-- "text examples", not exhaustive) and of severe depression. Each key:
--   KEY = { terms = { ... }, kind = "clinical" | "document", person = true }
-- A term is a string or a table as in negation.lua. A plain word matches at
-- a word's start and runs on into inflections and compounds ("angst" in
-- "angstsymptomer"), and, of compound_end letters or more, as a compound's
-- last part ("skoleangst"); a word in capitals is an abbreviation: a whole
-- word, with an ending after "-" or "'" ("ADHD-udredning", "PPV'en");
-- upper = true: only when written in capitals (or the whole letter is);
-- except = words that start with the term but are not it.
-- A phrase is parts with words between: { phrase = { A, B }, within = 3 }
-- matches A, then at most 3 words, then B, in one clause (commas = true:
-- across commas too); a part is a word or a list of words, any of which
-- will do; within may be a list, one number per gap. Inner parts run on
-- with an inflection; the last as `ending` says (default "inflection");
-- parts match at word starts (inside = true: long ones at compound ends too).
return {
  PSYCHOSIS = { terms = {
    { "psykose", except = { "psykoserisiko" } }, "psykotisk", "psykosenær",
    "stemmehøring", "vrangforestilling", "skizofren", "skizoaffektiv", "paranoi",
    "ser syner", "forfølgelsesforestilling", "forfølgelsesidé", "forfølgelseside",
    "forfølgelsestanke", "forfølgelsesvanvid", "tankeforstyrrelse",
    { "hallucin", except = { "hallucinogen" } }, "hallucination",
    { phrase = { { "hører", "hørte", "hørt", "hørende", "horer", "hørtes" }, "stemme" },
      within = 3 },
  } },
  BIPOLAR = { terms = {
    "bipolar", { "mani", ending = "inflection" }, { "manisk", inside = false },
    { "hypomani", ending = "inflection" }, "maniodepressiv",
  } },
  DEPRESSION = { terms = {
    { "depres", inside = false }, "depression", "deprimer", "nedtrykt", "nedstemt",
    "tungsind", "dystymi",
    { phrase = { { "nedsat", "lavt", "sænket" }, "stemningsleje" } },
    { phrase = { "stemningsleje", { "sænket", "nedsat", "lavt", "depressivt" } }, within = 3 },
  } },
  severe_depression = { terms = {
    { phrase = { { "svær", "alvorlig", "dyb", "massiv" }, { "depres", "deprimer" } },
      within = 3, ending = "any" },
    { phrase = { { "depres", "deprimer" }, { "af", "i" }, { "svær grad", "alvorlig grad", "høj grad" } },
      within = { 1, 0 } },
  } },
  ANXIETY = { terms = {
    { "angst", except = { "fangst" } }, "panikanfald", "paniklidelse", "panic-attack",
    "ængstel", { "fobi", ending = "inflection" }, "socialfobi", "skolefobi",
    "separationsangst", "præstationsangst", "socialangst", "eksamensangst",
  } },
  OCD = { terms = {
    "OCD", "tvangstank", "tvangshandl", "tvangssymptom", "tvangslidelse", "tvangsritual",
    "tvangspræg", "tvangsadfærd", "tvangsforestilling", "tvangsmæssig", "tvangssyndrom",
    "tvangsneuros", "tvangsfænomen", "tvangstøns", "obsessiv", "kompulsiv",
  } },
  TRAUMA = { terms = { "PTSD", "PTSS", "post-traumatisk" } },
  EATING = { terms = {
    "spise-forstyr", "spiseforstyrrelse", "anorek", "anorex", "anorec", "bulimi",
    "ARFID", "binge-eating", "binge-spis", "spisevægring", "selektiv spisning",
  } },
  AUTISM = { terms = {
    "autis", "autisme", "ASF", "ASD", "asperger", "asberger",
    "gennemgribende udviklingsforstyr",
  } },
  ADHD = { terms = {
    "ADHD", "AHDH", "ADHS", { "ADD", upper = true }, "opmærksomhedsforstyr",
    "opmærksomhedsforstyrrelse", "hyperkinetisk",
    "opmærksomheds- og aktivitetsforstyr", "opmærksomheds og aktivitetsforstyr",
    "aktivitets- og opmærksomhedsforstyr", "aktivitets og opmærksomhedsforstyr",
    { phrase = { "forstyrrelse", "af", { "aktivitet og opmærksomhed", "opmærksomhed og aktivitet" } } },
  } },
  TICS = { terms = { "tics", { "tic", ending = "word" }, "tourette" } },
  ID = { terms = {
    "udviklingshæm", "udviklingshæmning", "retarder",
    { phrase = { "mental", "retard" }, ending = "any" },
    { phrase = { "intellektuel", { "funktionsnedsættelse", "handicap", "udviklingshæmning" } },
      ending = "any" },
  } },
  LEARNING = { terms = {
    "ordblind", "dysleksi", "dyskalkuli", "talblind", "sprogforstyr", "sprogforstyrrelse",
    "indlæringsvanskelighed", "indlæringsproblem", "læsevanskelighed",
    "læse- og stavevanskelighed", "læse og stavevanskelighed",
  } },
  CONDUCT = { terms = {
    "adfærdsforstyr", "adfærdsforstyrrelse", "oppositionel", "trodsforstyr",
  } },
  SUBSTANCE = { terms = {
    { "misbrug", except = { "misbrugt" } }, { "hash", except = { "hashtag" } },
    "cannabis", "kokain", { "amfetamin", ending = "word", inside = false },
    { "ecstasy", ending = "word" },
    "rusmid", "stofbrug", "euforiserende stof", "binge-drink",
    { phrase = { "drikker", { "dagligt", "meget", "alkohol", "sig fuld" } }, ending = "word" },
  } },
  WELLBEING = { terms = {
    "mistrivsel", "mistrives", "skolefravær", "skolevægring", "konflikt",
  } },
}
