-- 10-acute.lua — step 1: acute need overrides everything else, paperwork,
-- referrer and residence included. ACUTE-01..03 name the criteria that hold;
-- ACUTE-04 decides (B205 today, or adult psychiatry today from 18).
local X = include("lib/explain.lua")
local U = include("data/units.lua")

rule {
  id = "ACUTE-01",
  title = "Aktuelt selvmordsforsøg eller selvmordsplan",
  when = function(r, f, d)
    local applies = f.suicide_attempt == "current" or f.suicide_plan
    if not d.explain then return applies end
    local a = f.suicide_attempt
    return applies, ("selvmordsforsøg: %s; selvmordsplan: %s"):format(
      a == "current" and "aktuelt" or a == "past" and "tidligere (over 3 måneder før modtagelsen)" or "intet",
      X.yes(f.suicide_plan))
  end,
  action = function(r, f, d)
    if f.suicide_plan then
      d:reason("Henvisningen beskriver en selvmordsplan; det kræver akut vurdering.")
    else
      d:reason("Henvisningen beskriver et aktuelt selvmordsforsøg; det kræver akut vurdering.")
    end
  end,
}

rule {
  id = "ACUTE-02",
  title = "Psykotiske symptomer",
  when = function(r, f, d)
    return f.psychotic, d.explain and ("psykotiske symptomer (flag, kode F2x/F32.3/F33.3 eller tekst): %s")
      :format(X.yes(f.psychotic)) or nil
  end,
  action = function(r, f, d)
    d:reason("Henvisningen beskriver psykotiske symptomer; det kræver akut vurdering.")
  end,
}

rule {
  id = "ACUTE-03",
  title = "Medicinsk risiko ved spiseforstyrrelse",
  when = function(r, f, d)
    if not d.explain then return f.eating_risk end
    local s = f.somatic
    return f.eating_risk, ("BMI %s (grænse 14,0 ved 12-17 år, 13,0 ved 6-11 år), vægttab %s inden for 3 måneder, effektiv alder %d år")
      :format(X.num(s.bmi), X.num(s.loss, " %"), f.effective_age)
  end,
  action = function(r, f, d)
    local s = f.somatic
    if s.loss and s.loss >= 20 then
      d:reason(("Vægttab på %.0f %% inden for 3 måneder giver medicinsk risiko; det kræver akut vurdering."):format(s.loss))
    else
      d:reason(("BMI %.1f er under grænsen for alderen og giver medicinsk risiko; det kræver akut vurdering."):format(s.bmi))
    end
  end,
}

rule {
  id = "ACUTE-04",
  title = "Akut behov afgør henvisningen",
  when = function(r, f, d)
    return f.acute, d.explain and ("akut behov: %s"):format(X.yes(f.acute)) or nil
  end,
  action = function(r, f, d)
    if f.effective_age >= 18 then
      d:reason("Den unge er fyldt 18 år og har akut behov; henvisningen sendes i dag til voksenpsykiatriens akutmodtagelse.")
      d:decide{ outcome = "redirect", target = "adult_psychiatry", priority = "acute", deadline = r.received_day }
      return
    end
    if not f.municipality then
      d:reason("Barnet bor uden for Region Hovedstaden, men modtages akut; hjemregionens børne- og ungdomspsykiatri orienteres.")
    end
    if r.referrer_kind == "self" or r.referrer_kind == "other" then
      d:reason("Henvisningen kommer ikke fra en læge eller kommunen, men akut behov går forud; barnet modtages akut.")
    end
    d:reason(("Barnet modtages akut i BUC's akutmodtagelse (%s) i dag."):format(U.acute))
    d:decide{ outcome = "accept", target = "buc", unit = U.acute, priority = "acute", deadline = r.received_day }
  end,
}
