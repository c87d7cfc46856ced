-- 60-documentation.lua — step 6: collect everything missing, then put the
-- referral on hold once (request_info), never turn the child away for it.
-- A GP cannot attach municipal material: cognitive/PPV alone are asked of
-- the municipality.
local X = include("lib/explain.lua")
rule {
  id = "DOC-01",
  title = "Samtykke fra begge forældremyndighedsindehavere",
  when = function(r, f, d)
    return f.effective_age < 18 and f.custody_joint and not f.consent, d.explain
      and ("fælles forældremyndighed: %s; samtykke fra begge: %s"):format(X.yes(f.custody_joint), X.yes(f.consent)) or nil
  end,
  action = function(r, f, d)
    d:missing("consent_both_custodians")
    d:reason("Der er fælles forældremyndighed, men samtykke fra begge forældremyndighedsindehavere fremgår ikke.")
  end,
}

rule {
  id = "DOC-02",
  title = "Kognitiv vurdering ved ADHD/autisme fra 6 år",
  when = function(r, f, d)
    return f.needs_cognitive and f.cognitive == nil, d.explain and ("krav (ADHD/autisme, 6-17 år, ingen tidligere kontakt): %s; kognitiv vurdering: %s")
      :format(X.yes(f.needs_cognitive), f.cognitive == nil and "ikke fundet" or f.cognitive == "outdated" and "ældre end 24 måneder" or "fundet, under 24 måneder") or nil
  end,
  action = function(r, f, d)
    d:missing("cognitive_assessment")
    d:reason("Ved udredning for ADHD eller autisme fra 6 år skal en kognitiv vurdering (fx WISC) vedlægges.")
  end,
}

rule {
  id = "DOC-03",
  title = "Kognitiv vurdering ældre end 24 måneder",
  when = function(r, f, d)
    return f.needs_cognitive and f.cognitive == "outdated", d.explain and ("krav: %s; kognitiv vurdering: %s")
      :format(X.yes(f.needs_cognitive), f.cognitive == nil and "ikke fundet" or f.cognitive == "outdated" and "ældre end 24 måneder" or "fundet, under 24 måneder") or nil
  end,
  action = function(r, f, d)
    d:missing("updated_cognitive_assessment")
    d:reason("Den kognitive vurdering er mere end 24 måneder gammel; en opdateret vurdering skal vedlægges.")
  end,
}

rule {
  id = "DOC-04",
  title = "Pædagogisk-psykologisk vurdering (PPV) ved ADHD/autisme fra 6 år",
  when = function(r, f, d)
    return f.needs_cognitive and not f.ppv, d.explain and ("krav: %s; PPV: %s")
      :format(X.yes(f.needs_cognitive), f.ppv and "fundet" or "ikke fundet") or nil
  end,
  action = function(r, f, d)
    d:missing("ppv")
    d:reason("Ved udredning for ADHD eller autisme fra 6 år skal en pædagogisk-psykologisk vurdering (PPV) fra PPR vedlægges.")
  end,
}

rule {
  id = "DOC-05",
  title = "Højde og vægt ved spiseforstyrrelse",
  when = function(r, f, d)
    local s = f.somatic
    return f.groups.EATING and not s.bmi and not (s.height and s.weight), d.explain
      and ("spiseforstyrrelse: %s; BMI %s, højde %s, vægt %s"):format(X.yes(f.groups.EATING), X.num(s.bmi),
        X.num(s.height, " cm"), X.num(s.weight, " kg")) or nil
  end,
  action = function(r, f, d)
    d:missing("somatic_measurements")
    d:reason("Ved spiseforstyrrelse skal BMI eller højde og vægt oplyses.")
  end,
}

local MUNICIPAL = { cognitive_assessment = true, updated_cognitive_assessment = true, ppv = true }

rule {
  id = "DOC-06",
  title = "Manglende oplysninger indhentes",
  when = function(r, f, d)
    local items = d:missing_items()
    return #items > 0, d.explain and ("mangler: %s"):format(#items > 0 and table.concat(items, ", ") or "intet") or nil
  end,
  action = function(r, f, d)
    local from = "referrer"
    if r.referrer_kind == "gp" then
      from = "municipality"
      for _, item in ipairs(d:missing_items()) do
        if not MUNICIPAL[item] then from = "referrer"; break end
      end
    end
    if from == "municipality" then
      d:reason("Henvisningen afventer de manglende oplysninger, som indhentes hos kommunens PPR.")
    else
      d:reason("Henvisningen afventer de manglende oplysninger, som indhentes hos henviser.")
    end
    d:decide{ outcome = "request_info", request_from = from }
  end,
}
