-- 70-intellectual-disability.lua — step 7: intellectual disability never
-- stops acceptance; it asks for an adapted assessment and keeps the child
-- out of specialist practice (80-specialist-practice.lua reads the same fact).
local X = include("lib/explain.lua")

local REASON = X.say("Barnet har en intellektuel funktionsnedsættelse (IQ under {iq_below} eller "
  .. "udviklingshæmning); der planlægges tilpasset udredning.")

rule {
  id = "ID-01",
  title = X.say("IQ under {iq_below} eller udviklingshæmning"),
  evidence = { "iq", "ID" },
  when = function(r, f, d) return f.intellectual_disability end,
  explain = function(r, f, d)
    return ("IQ %s; udviklingshæmning: %s"):format(f.iq and tostring(f.iq) or "ikke oplyst",
      X.yes(f.groups.ID))
  end,
  action = function(r, f, d) d:reason(REASON) end,
}
