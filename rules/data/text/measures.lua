-- data/text/measures.lua — measurements in prose (policy v1.1
-- "measurements"): a number with a unit after it ("39,5 kg", "163 cm",
-- "1,63 m", "20 %"), or with a cue word before it ("BMI 16,2", "IQ 62",
-- "vægt: 41"). The cue says what a number measures; a weight after "fra"
-- is the earlier one, after "til" the one now ("fra 54,5 kg til 43,6 kg").
-- Entries as in negation.lua ("inflection" is the default ending).
return {
  weight = { "vægt", "vejer", "kropsvægt", "vgt", "vægten" },
  earlier = { "vejede", "tidligere vægt", "oprindelig vægt", "habituel vægt" },
  height = { "højde", "måler", { "høj", ending = "word" } },
  bmi = { { "bmi", ending = "word" } },
  iq = {
    { "iq", ending = "word" }, { "ik", ending = "word" }, { "fsiq", ending = "word" },
    { "samlet ik", ending = "word" }, { "samlet iq", ending = "word" },
    { "total-ik", ending = "word" }, { "totalik", ending = "word" },
    { "helheds-ik", ending = "word" }, { "fuldskala-iq", ending = "word" },
    "intelligenskvotient",
  },
  loss = { "vægttab", "tabt", "vægtfald", "vægtreduktion", { "tab", ending = "word" } },
  units = { kg = "kg", kilo = "kg", kilogram = "kg", cm = "cm", centimeter = "cm",
            m = "m", meter = "m", procent = "%", pct = "%" },
  -- Words that may stand between a cue and its number ("BMI på 15,4",
  -- "vægten er nu 40 kg", "IQ-niveau omkring 70", "tabt sig 8 kg").
  fillers = { "på", "er", "var", "nu", "ca", "cirka", "omkring", "kun", "aktuelt",
              "målt", "til", "af", "blot", "lige", "senest", "sidst", "ligger", "lå",
              "nede", "faldet", "beregnet", "udregnet", "niveau", "niveauet", "score",
              "værdi", "i", "ved", "sig", "med", "over", "hele", "svarende", "lig",
              "området", "intervallet", "samlet", "seneste", "sidste", "kontrol", "den",
              "har", "hun", "han" },
  from_to = { fra = "from", til = "to" },
}
