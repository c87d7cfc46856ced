-- data/text/sentences.lua — where sentences end (policy v1.1 "sentences"):
-- a dot after one of these words ends no sentence ("ca.", "f.eks."), nor
-- does one inside a number or date, or after an ordinal ("8. klasse", "9.
-- september": the engine reads that). Written without their last dot.
return {
  -- A line break ends a sentence (policy). true would read a line break
  -- followed by a small letter as a hard-wrapped sentence going on ("Der er
  -- ikke\nudarbejdet PPV"), unless either line reads "label: value".
  wrapped_lines = false,
  abbreviations = {
    "ca", "pga", "f.eks", "eks", "bl.a", "bla", "evt", "mdr", "md", "kl", "nr", "vedr",
    "jf", "d", "f", "a", "mht", "mhp", "dvs", "ift", "inkl", "pt", "dr", "hhv", "iflg",
    "ifm", "mv", "tlf", "ang", "el", "ex", "mg", "ml", "stk", "gl", "tidl", "sml", "iht",
    "obs", "beh", "dgl", "afd", "amb", "spec", "psyk", "indl", "m", "ds", "udr",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec",
  },
}
