-- data/text/documents.lua — the documents of policy step 6: a cognitive
-- assessment (WISC, WPPSI, WAIS, Leiter, "kognitiv vurdering/undersøgelse/
-- test", "evnetest", an IQ/IK result) and a PPV. kind = "document": the
-- negations marked documents = true ("mangler", "afventes") apply to them.
-- iq = true: a full-scale IQ stated in the letter ("IQ 62", "samlet IK 65";
-- measures.lua) is evidence of it too. Terms and phrases as in groups.lua.
return {
  cognitive_assessment = { kind = "document", iq = true, terms = {
    "wisc", "wppsi", "wais", "leiter",
    { phrase = { "kognitiv", { "vurdering", "undersøgelse", "udredning", "test", "testning",
                               "screening", "profil", "evnevurdering" } },
      within = 1, ending = "any" },
    { phrase = { "kognitivt", { "testet", "undersøgt", "vurderet", "udredt" } } },
    "evnetest", "evneundersøgelse", "evnemåling", "evnevurdering",
    "intelligenstest", "intelligensmåling", "intelligensundersøgelse", "psykologisk test",
    "psykologtest", "intelligenskvotient",
  } },
  ppv = { kind = "document", terms = {
    "PPV",
    { phrase = { { "pædagogisk", "pædagogiske", "pæd" }, { "psykologisk", "psykologiske", "psyk" },
                 { "vurdering", "udtalelse" } }, ending = "any" },
    { phrase = { "ppr", { "udtalelse", "vurdering", "rapport", "beskrivelse", "notat",
                          "statusbeskrivelse" } }, within = 1, ending = "any" },
    { phrase = { { "udtalelse", "vurdering", "rapport", "beskrivelse" },
                 { "fra", "af", "udarbejdet af" }, "ppr" }, within = { 0, 1 } },
    { phrase = { "ppr", "har", { "vurderet", "udarbejdet", "beskrevet", "lavet", "foretaget",
                                 "udfærdiget", "skrevet" } }, within = { 2, 2 } },
  } },
}
