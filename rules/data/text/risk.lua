-- data/text/risk.lua — the risk flags in text (policy: self_harm,
-- suicidal_ideation, suicide_attempt, suicide_plan, psychosis; substance
-- misuse). history_months: a mention whose sentence dates it only longer
-- ago than this is history, not current (policy step 1: a suicide attempt
-- more than 3 months before received). Terms and phrases as in groups.lua;
-- own_words = true: a negation word inside the phrase is its own ("ingen
-- livslyst" is suicidal ideation).

-- Ways of taking one's life, shared by attempt, plan and ideation wording.
local SUICIDE = {
  "selvmord", "begå selvmord", "tage sit liv", "tage sit eget liv", "tage mit liv",
  "tage mit eget liv", "slå sig selv ihjel", "slå mig selv ihjel", "hænge sig", "hænge mig",
  "dræbe sig selv", "dræbe mig selv", "kaste sig ud foran", "kaste sig ud fra",
  "springe ud foran", "springe ud fra", "hoppe ud foran", "hoppe ud fra", "drukne sig",
  "skyde sig", "kvæle sig", "tage en overdosis", "tage overdosis",
}
local function with(...)            -- SUICIDE and more words
  local t = {}
  for _, w in ipairs(SUICIDE) do t[#t + 1] = w end
  for _, w in ipairs({ ... }) do t[#t + 1] = w end
  return t
end
local TO_DIE = with("dø", "døden")

-- Ways of hurting oneself: a verb, then "sig"/"mig", or where on the body.
local CUTS = { "skærer", "skære", "skar", "skåret", "risper", "rispe", "rispet", "ridser",
               "ridse", "ridset", "snitter", "snittet", "cutter" }
local HURTS = { "skærer", "skære", "skar", "skåret", "risper", "rispe", "rispet", "ridser",
                "ridse", "ridset", "kradser", "kradse", "kradset", "brænder", "brændt",
                "snitter", "snittet" }
local BODY = { "armene", "armen", "arme", "benene", "benet", "huden", "håndled", "lårene",
               "låret", "maven", "underarm", "kroppen" }

return {
  suicide_attempt = { history_months = 3, terms = {
    "selvmordsforsøg", "suicidforsøg", "suicidalforsøg", "selvmordshensigt",
    "selvmordsøjemed", "selvmordsintoksikation", "suicidalt forsøg", "suicidal forsøg",
    { phrase = { { "forsøgt", "forsøgte", "forsøger", "forsøg" }, SUICIDE }, within = 5 },
    { phrase = { { "tog", "taget", "indtaget", "indtog" }, "overdosis" }, within = 3 },
    { phrase = { { "indtaget", "indtog", "tog", "taget", "slugt", "slugte" },
                 { "med henblik på at", "med ønske om at", "med hensigt om at", "med det formål at" },
                 TO_DIE }, within = { 5, 0 } },
    { phrase = { "suicidal", { "hensigt", "intoksikation", "øjemed" } } },
  } },
  suicide_plan = { terms = {
    "selvmordsplan", "suicidplan", "suicidalplan", "afskedsbrev",
    { phrase = { "plan", { "om", "for" }, TO_DIE }, within = { 0, 1 } },
    { phrase = { "plan", "for hvordan", TO_DIE }, within = { 0, 3 } },
    { phrase = { { "planlæg", "planlag" }, SUICIDE }, within = 2 },
  } },
  suicidal_ideation = { terms = {
    "selvmordstank", "selvmordstanke", "selvmordsovervej", "selvmordsrisiko",
    { "selvmordstruende", ending = "word" }, "suicidal", "suicidtank", "suicidrisiko",
    "dødsønsk", "dødstank", "livslede",
    { phrase = { { "tanker", "taler", "talt", "snakker", "snakket", "skriver", "skrevet",
                   "udtaler", "udtalt" }, "om",
                 with("dø", "døden", "at dø", "ikke at leve", "ikke at ville leve") },
      within = { 2, 1 } },
    { phrase = { "vil", { "tage sit liv", "tage mit liv", "tage sit eget liv", "tage mit eget liv",
                          "begå selvmord", "slå sig selv ihjel", "slå mig selv ihjel" } },
      within = 1 },
    { phrase = { { "lyst til at", "trang til at" }, TO_DIE } },
    { phrase = { { "overvejer", "overvejede", "overvejet", "overvejelse" },
                 with("dø", "selvmordet") }, within = 3 },
    { phrase = { { "truer", "truede", "truet", "trusler", "truslet", "truende" }, "med",
                 TO_DIE }, within = { 1, 1 } },
    { phrase = { { "tænker", "tænkte", "tænkt" }, "på", TO_DIE }, within = { 2, 1 } },
    { phrase = { "ønske", { "om at dø", "at dø", "om at være død", "at være død",
                            "om ikke at leve", "ikke at leve", "om ikke at være her",
                            "ikke at være her" } }, own_words = true },
    { phrase = { "vil", { "ikke leve", "dø", "være død" } }, within = 1, own_words = true },
    { "ikke vil leve", own_words = true }, { "ikke længere vil leve", own_words = true },
    { "ikke ønsker at leve", own_words = true }, { "ikke orker at leve", own_words = true },
    { phrase = { { "ikke", "ingen" }, { "lyst til at leve", "livslyst", "grund til at leve" } },
      within = 2, own_words = true },
  } },
  self_harm = { terms = {
    "selvskad", "selvmutil", { "cutter", ending = "word" }, { "cutting", ending = "word" },
    { "cuttede", ending = "word" }, { "cuttet", ending = "word" }, "self-harm",
    "selvdestruktiv",
    { phrase = { HURTS, { "sig", "mig" } }, ending = "word" },
    { phrase = { CUTS, { "i", "på" }, BODY }, within = { 2, 0 }, ending = "any" },
    { phrase = { { "skærer", "skære", "skar", "skåret", "snitter", "snittet", "ridser",
                   "ridset", "brænder", "brændt" }, { "i sig selv", "i mig selv" } },
      ending = "word" },
    { phrase = { { "slår", "slog", "slået" }, { "sig selv", "mig selv" } }, ending = "word" },
    { phrase = { { "skade", "skader", "skadet", "skadede" }, { "sig selv", "mig selv" } },
      ending = "word" },
    { "gør skade på sig selv", ending = "word" },
  } },
  -- Psychotic symptoms and substance misuse are read with their groups' words.
  psychosis = { same_as = "PSYCHOSIS" },
  substance_misuse = { same_as = "SUBSTANCE" },
}
