-- 60-documentation.lua — step 6: collect everything missing, then put the
-- referral on hold once (request_info), never turn the child away for it.
-- A GP cannot attach municipal material: cognitive/PPV alone are asked of
-- the municipality.
local X = include("lib/explain.lua")

local P = include("data/policy.lua")

local OUTDATED = X.say("ældre end {cognitive.max_age_months} måneder")
local CURRENT = X.say("fundet, under {cognitive.max_age_months} måneder")
local function cognitive(f)
  local c = f.cognitive
  return not c and "ikke fundet" or c == "outdated" and OUTDATED or CURRENT
end

rule {
  id = "DOC-01",
  title = "Samtykke fra begge forældremyndighedsindehavere",
  evidence = { "custody_joint", "consent_both" },
  when = function(r, f, d) return f.effective_age < P.age.adult and f.custody_joint and not f.consent end,
  explain = function(r, f, d)
    return ("fælles forældremyndighed: %s; samtykke fra begge: %s"):format(X.yes(f.custody_joint), X.yes(f.consent))
  end,
  action = function(r, f, d)
    d:missing("consent_both_custodians")
    d:reason("Der er fælles forældremyndighed, men samtykke fra begge forældremyndighedsindehavere fremgår ikke.")
  end,
}

local NEED_COGNITIVE = X.say("Ved udredning for ADHD eller autisme fra {cognitive.from_age} år skal en "
  .. "kognitiv vurdering (fx WISC) vedlægges.")
local NEED_UPDATE = X.say("Den kognitive vurdering er mere end {cognitive.max_age_months} måneder gammel; "
  .. "en opdateret vurdering skal vedlægges.")
local NEED_PPV = X.say("Ved udredning for ADHD eller autisme fra {cognitive.from_age} år skal en "
  .. "pædagogisk-psykologisk vurdering (PPV) fra PPR vedlægges.")
local NEEDS = X.say("krav (ADHD/autisme, {cognitive.from_age}-{age.transition} år, ingen tidligere kontakt): %s; kognitiv vurdering: %s")

rule {
  id = "DOC-02",
  title = X.say("Kognitiv vurdering ved ADHD/autisme fra {cognitive.from_age} år"),
  evidence = { "cognitive_assessment", "iq" },
  when = function(r, f, d) return f.needs_cognitive and not f.cognitive end,
  explain = function(r, f, d) return NEEDS:format(X.yes(f.needs_cognitive), cognitive(f)) end,
  action = function(r, f, d)
    d:missing("cognitive_assessment")
    d:reason(NEED_COGNITIVE)
  end,
}

rule {
  id = "DOC-03",
  title = X.say("Kognitiv vurdering ældre end {cognitive.max_age_months} måneder"),
  evidence = { "cognitive_assessment", "iq" },
  when = function(r, f, d) return f.needs_cognitive and f.cognitive == "outdated" end,
  explain = function(r, f, d)
    return ("krav: %s; kognitiv vurdering: %s"):format(X.yes(f.needs_cognitive), cognitive(f))
  end,
  action = function(r, f, d)
    d:missing("updated_cognitive_assessment")
    d:reason(NEED_UPDATE)
  end,
}

rule {
  id = "DOC-04",
  title = X.say("Pædagogisk-psykologisk vurdering (PPV) ved ADHD/autisme fra {cognitive.from_age} år"),
  evidence = { "ppv" },
  when = function(r, f, d) return f.needs_cognitive and not f.ppv end,
  explain = function(r, f, d)
    return ("krav: %s; PPV: %s"):format(X.yes(f.needs_cognitive), f.ppv and "fundet" or "ikke fundet")
  end,
  action = function(r, f, d)
    d:missing("ppv")
    d:reason(NEED_PPV)
  end,
}

rule {
  id = "DOC-05",
  title = "Højde og vægt ved spiseforstyrrelse",
  evidence = { "EATING", "bmi", "weight_kg", "height_cm" },
  when = function(r, f, d)
    if not f.groups.EATING then return false end
    local s = f.somatic
    return not s.bmi and not (s.height and s.weight)
  end,
  explain = function(r, f, d)
    local s = f.somatic
    return ("spiseforstyrrelse: %s; BMI %s, højde %s, vægt %s"):format(X.yes(f.groups.EATING), X.num(s.bmi),
      X.num(s.height, " cm"), X.num(s.weight, " kg"))
  end,
  action = function(r, f, d)
    d:missing("somatic_measurements")
    d:reason("Ved spiseforstyrrelse skal BMI eller højde og vægt oplyses.")
  end,
}

local MUNICIPAL = { cognitive_assessment = true, updated_cognitive_assessment = true, ppv = true }
local FROM_REFERRER = { outcome = "request_info", request_from = "referrer" }
local FROM_MUNICIPALITY = { outcome = "request_info", request_from = "municipality" }

rule {
  id = "DOC-06",
  title = "Manglende oplysninger indhentes",
  when = function(r, f, d) return d:missing_count() > 0 end,
  explain = function(r, f, d)
    local items = d:missing_items()
    return ("mangler: %s"):format(#items > 0 and table.concat(items, ", ") or "intet")
  end,
  action = function(r, f, d)
    local municipal = r.referrer_kind == "gp"
    if municipal then
      for _, item in ipairs(d:missing_items()) do
        if not MUNICIPAL[item] then municipal = false; break end
      end
    end
    if municipal then
      d:reason("Henvisningen afventer de manglende oplysninger, som indhentes hos kommunens PPR.")
      d:decide(FROM_MUNICIPALITY)
    else
      d:reason("Henvisningen afventer de manglende oplysninger, som indhentes hos henviser.")
      d:decide(FROM_REFERRER)
    end
  end,
}
