-- data/text/spelling.lua — how the text layer matches words as letters write
-- them (policy v1.1 "spelling"). Case, æ/ø/å against ae/oe/aa, whitespace,
-- no-break and soft hyphens, quotes and dashes are folded by the engine
-- before any word is compared; what is left to say is here.
return {
  -- Endings a word may run on with: a word of a list whose ending is
  -- "inflection" matches "afvent" + "es", "mangl" + "ende"; a term of
  -- compound_end letters or more matches as a compound's last part only
  -- when nothing or one of these follows ("skoleangst", "skoleangsten",
  -- not "tvangstanker").
  inflections = {
    "e", "en", "er", "et", "es", "s", "t", "r", "n", "ne", "ene", "erne", "ernes",
    "ens", "ets", "ers", "te", "de", "ede", "ende", "ste", "else", "elsen", "elser",
    "sk", "ske", "skt", "ere", "eres", "ets",
  },
  -- A term of this many letters or more also ends a compound.
  compound_end = 5,
  -- A term of this many letters or more (æ, ø, å one letter each) also
  -- matches with one letter missing or two neighbouring letters swapped
  -- ("selvmordsforøsg", "spiseforstyrelse"), unless its entry says typo =
  -- false. The first letter is always as written.
  typo_letters = 10,
}
