-- data/text/family.lua — consent, custody and earlier contact with child
-- and adolescent psychiatry (policy step 6 and "Definitions"). person =
-- false: custody and consent are the parents' by nature, so a clause about
-- the parents does not take them from the child; hos = false: "anbragt hos
-- mormor" says where the child lives, not whose the placement is. Terms
-- and phrases as in groups.lua.

-- Child and adolescent psychiatry, as letters name it.
local BUC = {
  "buc", "bup", "b&u", "bu-psykiatri", "børne- og ungdomspsykiatri", "børne og ungdomspsykiatri",
  "børne-og ungdomspsykiatri", "børnepsykiatri", "ungdomspsykiatri",
  "psykiatrisk afdeling for børn og unge", "psykiatrisk ambulatorium for børn og unge",
  "psykiatrisk center for børn og unge",
}

return {
  consent_both = { kind = "document", person = false, terms = {
    { phrase = { { "begge", "både mor og far", "både far og mor", "mor og far", "far og mor",
                   "forældremyndighedsindehaverne", "forældrene" },
                 { "indforstå", "samtyk", "enig", "accept", "godkend", "giver lov", "givet lov",
                   "tilslut", "underskrevet", "underskrevne", "underskrift", "skrevet under",
                   "skriver under", "tilladelse", "tilsagn", "bakker op", "er med på",
                   "informeret og enige" } },
      within = 6, commas = true, ending = "any", anchor = 2 },
    { phrase = { "samtykke", { "fra", "af" }, { "begge", "både" } }, within = { 3, 0 } },
    { phrase = { "samtykke", { "begge", "både" } }, within = 1 },
    { phrase = { { "indforstå", "enige" }, { "begge", "både" } }, within = 2 },
    { phrase = { "begge", { "forældre", "forældremyndighedsindehavere", "parter",
                            "indehavere af forældremyndigheden" }, "ønsker" },
      within = { 0, 2 }, own_words = true },
  } },
  custody_joint = { person = false, terms = {
    { phrase = { "fælles", { "forældremyndighed", "myndighed" } }, ending = "any" },
    { phrase = { "forældremyndighed", { "fælles", "delt" } }, within = 1, ending = "word" },
    "forældremyndigheden deles", "deler forældremyndighed",
    "begge forældre har forældremyndighed",
  } },
  custody_placed = { hos = false, terms = {
    "anbragt", "anbringelse", "plejefamilie", "plejeforældre", "plejebarn",
    "netværkspleje", "slægtspleje", "børnehjem", "opholdssted", "døgninstitution",
    "familiepleje",
  } },
  previous_buc_contact = { terms = {
    { phrase = { { "tidligere", "kendt", "tilknyttet", "været", "forløb", "udredt", "afsluttet",
                   "indlagt", "behandlet", "fulgt", "følges", "set", "vurderet",
                   "diagnosticeret", "går", "gik", "tidl" }, BUC },
      within = 7, ending = "any" },
    { phrase = { "tidligere", { "psykiatrisk", "børnepsykiatrisk", "ungdomspsykiatrisk" },
                 { "kontakt", "forløb", "udredning", "behandling", "indlæggelse", "vurdering" } },
      within = { 2, 0 }, ending = "any" },
    { phrase = { "kendt", { "i", "på", "af", "ved", "hos" }, "psykiatri" },
      within = { 0, 2 }, ending = "any" },
  } },
}
