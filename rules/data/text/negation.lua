-- data/text/negation.lua — the words that negate a term (policy "negation"
-- and v1.1). A word list entry is a string, or a table:
--   { "word", ending = "any" | "inflection" | "word", documents = true,
--     own_words = true, except = { ... } }, a phrase (groups.lua), or
--   { re = [[pattern]], ... } (a regex costs the rule set's build ~40 ms and
--   every letter a second scan: write a phrase or literals where one will do)
-- "inflection" (the default here) lets a word run on with an ending of
-- spelling.inflections ("afvent" matches afventer, afventes); documents =
-- true: it only negates documents and consent (cognitive assessment, PPV,
-- consent), as "afventer ADHD-udredning" still names ADHD.
return {
  -- Before the term in its sentence, with no contrast word between.
  before = {
    "ikke", "ingen", "intet", "uden", "aldrig", "hverken", { "ej", ending = "word" },
    "næppe", "afvis", "benægt", "nægt", "fravær af",
    { "mangl", documents = true }, { "mangel på", documents = true },
    { "afvent", documents = true }, { "savn", documents = true },
    { "ønsk", documents = true }, { "planlæg", documents = true },
    { "planlagt", documents = true }, { "bestil", documents = true },
    { phrase = { "skal", { "laves", "foretages", "udføres", "gennemføres", "testes", "undersøges",
                           "udredes", "have lavet" } }, within = 2, documents = true },
    { "vil blive lavet", documents = true }, { "vil blive foretaget", documents = true },
    { "vil blive udført", documents = true }, { "vil blive gennemført", documents = true },
    { "vil blive testet", documents = true }, { "vil blive undersøgt", documents = true },
  },
  -- Later in the term's clause: the clause goes on to negate it ("PPV
  -- foreligger ikke", "ADHD er afkræftet", "udtalelsen fra PPR er stadig
  -- ikke modtaget"). Words may stand between; not another term (unless in
  -- a list with it: "PPV og kognitiv test mangler"), a new subject ("han",
  -- "som"), an "og" that starts a new clause, or a reporting verb
  -- ("viser", "beskriver": the negation is then the document's finding).
  after = {
    "ikke", { "ej", ending = "word" }, "aldrig",
    "afkræft", "udelukket", { "udelukkes", ending = "word" }, "afvist", "afvises",
    "benægtes", "benægtet", "usandsynlig",
    { "mangl", documents = true }, { "afvent", documents = true },
    { "eftersend", documents = true }, { "bestil", documents = true },
    { "bestilt", documents = true }, { "planlæg", documents = true },
    { "planlagt", documents = true }, { "under udarbejdelse", documents = true },
    { "undervejs", documents = true }, { "på vej", documents = true },
    { "ønskes", documents = true },
  },
  -- A label's value that negates it: "Selvskade: nej", "PPV: mangler"
  -- (the words above count there too).
  values = { "nej", "negativ" },
  -- Phrases that hold a negation word but negate nothing.
  not_negation = {
    "ikke kun", "ikke blot", "ikke bare", "ikke alene", "ikke mindst", "uden for",
    "udenfor", "ingen tvivl", "ikke i tvivl", "ikke usandsynlig",
  },
}
