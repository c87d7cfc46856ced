-- 10-acute.lua — step 1: acute need overrides everything else, paperwork,
-- referrer and residence included. ACUTE-01..03 name the criteria that hold;
-- ACUTE-04 decides (B205 today, or adult psychiatry today from 18).
local X = include("lib/explain.lua")
local U = include("data/units.lua")
local P = include("data/policy.lua")

local ATTEMPT_PAST = X.say("tidligere (over {attempt_history_months} måneder før modtagelsen)")

rule {
  id = "ACUTE-01",
  title = "Aktuelt selvmordsforsøg eller selvmordsplan",
  evidence = { "suicide_attempt", "suicide_plan" },
  when = function(r, f, d) return f.suicide_attempt == "current" or f.suicide_plan end,
  explain = function(r, f, d)
    local a = f.suicide_attempt
    return ("selvmordsforsøg: %s; selvmordsplan: %s"):format(
      a == "current" and "aktuelt" or a == "past" and ATTEMPT_PAST or "intet", X.yes(f.suicide_plan))
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
  evidence = { "psychosis" },
  when = function(r, f, d) return f.psychotic end,
  explain = function(r, f, d)
    return ("psykotiske symptomer (flag, kode F2x/F32.3/F33.3 eller tekst): %s"):format(X.yes(f.psychotic))
  end,
  action = function(r, f, d)
    d:reason("Henvisningen beskriver psykotiske symptomer; det kræver akut vurdering.")
  end,
}

local BMI_LIMITS = {}
for i, band in ipairs(P.eating.bmi) do
  BMI_LIMITS[i] = X.say("{below} ved {from}-{to} år", band)
end
local EATING_WHY = "BMI %s (grænse " .. table.concat(BMI_LIMITS, ", ")
  .. X.say("), vægttab %s inden for {eating.loss_months} måneder, effektiv alder %d år")
local LOSS_REASON = X.say("Vægttab på %.0f %% inden for {eating.loss_months} måneder giver medicinsk "
  .. "risiko; det kræver akut vurdering.")

rule {
  id = "ACUTE-03",
  title = "Medicinsk risiko ved spiseforstyrrelse",
  evidence = { "bmi", "weight_kg", "height_cm", "weight_loss_pct" },
  when = function(r, f, d) return f.eating_risk end,
  explain = function(r, f, d)
    local s = f.somatic
    return EATING_WHY:format(X.num(s.bmi), X.num(s.loss, " %"), f.effective_age)
  end,
  action = function(r, f, d)
    local s = f.somatic
    if s.loss and s.loss >= P.eating.loss_pct then
      d:reason(LOSS_REASON, s.loss)
    else
      d:reason("BMI %.1f er under grænsen for alderen og giver medicinsk risiko; det kræver akut vurdering.", s.bmi)
    end
  end,
}

local ADULT_ACUTE = X.say("Den unge er fyldt {age.adult} år og har akut behov; henvisningen sendes i dag "
  .. "til voksenpsykiatriens akutmodtagelse.")
local ACUTE_ADULT = { outcome = "redirect", target = "adult_psychiatry", priority = "acute" }
local ACUTE_BUC = { outcome = "accept", target = "buc", unit = U.acute, priority = "acute" }

rule {
  id = "ACUTE-04",
  title = "Akut behov afgør henvisningen",
  when = function(r, f, d) return f.acute end,
  explain = function(r, f, d) return ("akut behov: %s"):format(X.yes(f.acute)) end,
  action = function(r, f, d)
    local deadline = r.received_day + P.deadline_days.acute
    if f.effective_age >= P.age.adult then
      d:reason(ADULT_ACUTE)
      ACUTE_ADULT.deadline = deadline
      d:decide(ACUTE_ADULT)
      return
    end
    if not f.municipality then
      d:reason("Barnet bor uden for Region Hovedstaden, men modtages akut; hjemregionens børne- og ungdomspsykiatri orienteres.")
    end
    if r.referrer_kind == "self" or r.referrer_kind == "other" then
      d:reason("Henvisningen kommer ikke fra en læge eller kommunen, men akut behov går forud; barnet modtages akut.")
    end
    d:reason("Barnet modtages akut i BUC's akutmodtagelse (%s) i dag.", U.acute)
    ACUTE_BUC.deadline = deadline
    d:decide(ACUTE_BUC)
  end,
}
