-- 50-target-group.lua — step 5: BUC's target group is a core diagnostic
-- group, a risk flag or psychotropic medication. Mild difficulties in one
-- area (GAPD mild_gapd or less) belong with the municipality — except on a
-- repeat referral after the municipality was already tried (TG-03).
local X = include("lib/explain.lua")
local P = include("data/policy.lua")

local TO_MUNICIPALITY = { outcome = "redirect", target = "municipality" }
local GROUPS = { "PSYCHOSIS", "BIPOLAR", "DEPRESSION", "ANXIETY", "OCD", "TRAUMA", "EATING",
                 "AUTISM", "ADHD", "TICS", "self_harm", "suicidal_ideation", "suicide_attempt",
                 "suicide_plan", "psychotropic", "SUBSTANCE" }

rule {
  id = "TG-01",
  title = "Uden for målgruppen",
  evidence = GROUPS,
  when = function(r, f, d) return not f.target_group end,
  explain = function(r, f, d)
    return ("diagnosegrupper: %s; risiko: %s; psykofarmaka: %s")
      :format(X.groups(f), X.yes(f.risk_flag), X.yes(f.psychotropic))
  end,
  action = function(r, f, d)
    if f.groups.SUBSTANCE and f.group_count == 1 then
      d:reason("Henvisningen beskriver rusmiddelproblemer uden psykiatrisk lidelse i BUC's målgruppe; "
        .. "henvisningen sendes til kommunens rusmiddelbehandling for unge.")
    else
      d:reason("Henvisningen beskriver ikke en tilstand i BUC's målgruppe (fx ADHD, autisme, angst, "
        .. "depression, spiseforstyrrelse eller risiko for selvskade); henvisningen sendes til kommunens "
        .. "PPR / §126a-tilbud, specialundervisning eller familiestøtte.")
    end
    d:decide(TO_MUNICIPALITY)
  end,
}

-- Mild: GAPD given and at most mild_gapd, one area, no risk, no medication.
local function mild(r, f)
  local gapd = r.gapd
  return gapd ~= nil and gapd <= P.mild_gapd and not f.comorbid and not f.risk_flag
    and not f.psychotropic
end

rule {
  id = "TG-02",
  title = X.say("Lette vanskeligheder på ét område (GAPD {mild_gapd} eller derunder)"),
  when = function(r, f, d) return mild(r, f) and not f.repeat_referral end,
  explain = function(r, f, d)
    return ("GAPD %s; komorbiditet: %s; risiko: %s; psykofarmaka: %s; gentagen henvisning: %s")
      :format(r.gapd and tostring(r.gapd) or "ikke oplyst", X.yes(f.comorbid), X.yes(f.risk_flag),
              X.yes(f.psychotropic), X.yes(f.repeat_referral))
  end,
  action = function(r, f, d)
    d:reason("Lette vanskeligheder på ét område (GAPD %d) uden komorbiditet, risiko eller psykofarmaka; "
      .. "henvisningen sendes til kommunens PPR / §126a-tilbud.", r.gapd)
    d:decide(TO_MUNICIPALITY)
  end,
}

local REPEAT = X.say("Barnet er inden for de seneste {repeat_days} dage sendt videre til kommunen; "
  .. "henvisningen behandles derfor i BUC og sendes ikke tilbage.")
local REPEAT_WHY = X.say("sendt til kommunen inden for {repeat_days} dage: %s (%d tidligere henvisninger)")

rule {
  id = "TG-03",
  title = "Gentagen henvisning efter henvisning til kommunen",
  when = function(r, f, d) return f.repeat_referral end,
  explain = function(r, f, d) return REPEAT_WHY:format(X.yes(f.repeat_referral), #r:history()) end,
  action = function(r, f, d) d:reason(REPEAT) end,
}
