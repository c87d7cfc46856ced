-- data/municipalities.lua — the region's 29 municipalities by BUC site, with
-- the spellings policy.md allows (suffixes, aliases). Folding and lookup are
-- in 00-facts.lua; this file is only the lists.
return {
  sites = {
    glostrup = {
      "Albertslund", "Ballerup", "Brøndby", "Gentofte", "Gladsaxe", "Glostrup",
      "Herlev", "Hvidovre", "Høje-Taastrup", "Ishøj", "Lyngby-Taarbæk",
      "Rødovre", "Vallensbæk",
    },
    bispebjerg = { "København", "Frederiksberg", "Dragør", "Tårnby" },
    hilleroed = {
      "Allerød", "Egedal", "Fredensborg", "Frederikssund", "Furesø", "Gribskov",
      "Halsnæs", "Helsingør", "Hillerød", "Hørsholm", "Rudersdal",
    },
    bornholm = { "Bornholm" },
  },
  -- Short forms in everyday use, mapped to the official name.
  aliases = { Lyngby = "Lyngby-Taarbæk", Kbh = "København", ["Kongens Lyngby"] = "Lyngby-Taarbæk",
              -- postal districts written as the municipality ("København NV")
              ["København NV"] = "København", ["København SV"] = "København" },
  -- Tried removed from the end of the (folded) name, each on its own.
  suffixes = { "Kommune", "s Kommune", "Regionskommune", "s Regionskommune" },
}
