-- 70-intellectual-disability.lua — step 7: intellectual disability never
-- stops acceptance; it asks for an adapted assessment and keeps the child
-- out of specialist practice (80-specialist-practice.lua reads the same fact).
local X = include("lib/explain.lua")
rule {
  id = "ID-01",
  title = "IQ under 70 eller udviklingshæmning",
  when = function(r, f, d)
    return f.intellectual_disability, d.explain and ("IQ %s; udviklingshæmning: %s")
      :format(f.iq and tostring(f.iq) or "ikke oplyst", X.yes(f.groups.ID)) or nil
  end,
  action = function(r, f, d)
    d:reason("Barnet har en intellektuel funktionsnedsættelse (IQ under 70 eller udviklingshæmning); "
      .. "der planlægges tilpasset udredning.")
  end,
}
