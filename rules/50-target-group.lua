-- 50-target-group.lua — step 5: BUC's target group is a core diagnostic
-- group, a risk flag or psychotropic medication. Mild difficulties in one
-- area (GAPD 2 or less) belong with the municipality — except on a repeat
-- referral after the municipality was already tried (TG-03).
local X = include("lib/explain.lua")

rule {
  id = "TG-01",
  title = "Uden for målgruppen",
  when = function(r, f, d)
    return not f.target_group, d.explain and ("diagnosegrupper: %s; risiko: %s; psykofarmaka: %s")
      :format(X.groups(f), X.yes(f.risk_flag), X.yes(f.psychotropic)) or nil
  end,
  action = function(r, f, d)
    local only_substance = f.groups.SUBSTANCE and f.group_count == 1
    if only_substance then
      d:reason("Henvisningen beskriver rusmiddelproblemer uden psykiatrisk lidelse i BUC's målgruppe; "
        .. "henvisningen sendes til kommunens rusmiddelbehandling for unge.")
    else
      d:reason("Henvisningen beskriver ikke en tilstand i BUC's målgruppe (fx ADHD, autisme, angst, "
        .. "depression, spiseforstyrrelse eller risiko for selvskade); henvisningen sendes til kommunens "
        .. "PPR / §126a-tilbud, specialundervisning eller familiestøtte.")
    end
    d:decide{ outcome = "redirect", target = "municipality" }
  end,
}

local function mild(f, r)
  return r.gapd ~= nil and r.gapd <= 2 and not f.comorbid and not f.risk_flag and not f.psychotropic
end

rule {
  id = "TG-02",
  title = "Lette vanskeligheder på ét område (GAPD 2 eller derunder)",
  when = function(r, f, d)
    return mild(f, r) and not f.repeat_referral, d.explain
      and ("GAPD %s; komorbiditet: %s; risiko: %s; psykofarmaka: %s; gentagen henvisning: %s")
        :format(r.gapd and tostring(r.gapd) or "ikke oplyst", X.yes(f.comorbid), X.yes(f.risk_flag),
                X.yes(f.psychotropic), X.yes(f.repeat_referral)) or nil
  end,
  action = function(r, f, d)
    d:reason(("Lette vanskeligheder på ét område (GAPD %d) uden komorbiditet, risiko eller psykofarmaka; "
      .. "henvisningen sendes til kommunens PPR / §126a-tilbud."):format(r.gapd))
    d:decide{ outcome = "redirect", target = "municipality" }
  end,
}

rule {
  id = "TG-03",
  title = "Gentagen henvisning efter henvisning til kommunen",
  when = function(r, f, d)
    return f.repeat_referral, d.explain and ("sendt til kommunen inden for 180 dage: %s (%d tidligere henvisninger)")
      :format(X.yes(f.repeat_referral), #r:history()) or nil
  end,
  action = function(r, f, d)
    d:reason("Barnet er inden for de seneste 180 dage sendt videre til kommunen; henvisningen "
      .. "behandles derfor i BUC og sendes ikke tilbage.")
  end,
}
