-- data/groups.lua — the diagnostic groups of policy.md: their order, which
-- are core, their Danish names and their ICD-10 prefixes. The words that name
-- them in a letter are the text layer's (data/text/groups.lua, one key per
-- group, same names).

return {
  -- Evaluation and reporting order.
  order = { "PSYCHOSIS", "BIPOLAR", "DEPRESSION", "ANXIETY", "OCD", "TRAUMA", "EATING",
            "AUTISM", "ADHD", "TICS", "ID", "LEARNING", "CONDUCT", "SUBSTANCE" },
  core = { PSYCHOSIS = true, BIPOLAR = true, DEPRESSION = true, ANXIETY = true, OCD = true,
           TRAUMA = true, EATING = true, AUTISM = true, ADHD = true, TICS = true },
  -- Danish names for reasons.
  names = { PSYCHOSIS = "psykose", BIPOLAR = "bipolar lidelse", DEPRESSION = "depression",
            ANXIETY = "angst", OCD = "OCD", TRAUMA = "PTSD", EATING = "spiseforstyrrelse",
            AUTISM = "autisme", ADHD = "ADHD", TICS = "tics/Tourette", ID = "udviklingshæmning",
            LEARNING = "indlæringsvanskeligheder", CONDUCT = "adfærdsforstyrrelse",
            SUBSTANCE = "rusmiddelproblemer", WELLBEING = "mistrivsel" },

  -- ICD-10 prefixes (WHO form); the longest matching prefix decides, so
  -- F43.1 is TRAUMA while the rest of F43 is WELLBEING.
  icd = {
    PSYCHOSIS = { "F2" }, BIPOLAR = { "F30", "F31" },
    DEPRESSION = { "F32", "F33", "F34", "F38", "F39" },
    ANXIETY = { "F40", "F41", "F93" }, OCD = { "F42" }, TRAUMA = { "F43.1" },
    EATING = { "F50" }, AUTISM = { "F84" }, ADHD = { "F90" }, TICS = { "F95" },
    ID = { "F7" }, LEARNING = { "F80", "F81", "F82", "F83" }, CONDUCT = { "F91", "F92" },
    SUBSTANCE = { "F1" }, WELLBEING = { "F43", "Z", "R" },
  },
  severe_depression_codes = { ["F32.2"] = true, ["F32.3"] = true, ["F33.2"] = true, ["F33.3"] = true },
  psychotic_depression_codes = { ["F32.3"] = true, ["F33.3"] = true },
}
