-- 80-specialist-practice.lua — step 8: one uncomplicated condition (ADHD,
-- anxiety, or depression that is not severe) at the specialist ages is
-- treated in specialist practice, when nothing in the referral calls for BUC.
local X = include("lib/explain.lua")
local G = include("data/groups.lua")
local P = include("data/policy.lua")
local SP = P.specialist
local SIMPLE = { ADHD = true, ANXIETY = true, DEPRESSION = true }
local TO_SPECIALIST = { outcome = "redirect", target = "specialist_practice" }
local next = next

local function only_group(f)
  if f.group_count ~= 1 then return nil end
  return next(f.groups)
end

-- The first condition that keeps the referral in BUC, or nil: the rule's
-- condition and its trace, written once.
local IQ = X.say("IQ under {iq_below} eller udviklingshæmning")
local function blocker(r, f)
  local age, g = f.effective_age, only_group(f)
  if age < SP.from_age or age > SP.to_age then return ("effektiv alder %d år"):format(age) end
  if g == nil then return "diagnosegrupper: " .. X.groups(f) end
  if not SIMPLE[g] then return G.names[g] .. " behandles ikke i speciallægepraksis" end
  if g == "DEPRESSION" and f.severe_depression then return "svær depression" end
  if f.risk_flag then return "risiko (selvskade, selvmordstanker eller -forsøg, psykose)" end
  if f.substance then return "misbrug" end
  if f.custody_placed then return "anbragt uden for hjemmet" end
  if f.intellectual_disability then return IQ end
  if f.previous_contact then return "tidligere kontakt med børne- og ungdomspsykiatrien" end
  if f.repeat_referral then return "gentagen henvisning efter kommunen" end
  if r.gapd ~= nil and r.gapd > SP.max_gapd then return ("GAPD %d"):format(r.gapd) end
  return nil
end

rule {
  id = "SP-01",
  title = "Afgrænset lidelse til speciallægepraksis",
  evidence = { "ADHD", "ANXIETY", "DEPRESSION", "severe_depression" },
  when = function(r, f, d)
    local age = f.effective_age
    if age < SP.from_age or age > SP.to_age then return false end
    local g = only_group(f)
    return g ~= nil and SIMPLE[g] and not (g == "DEPRESSION" and f.severe_depression)
      and not f.risk_flag and not f.substance
      and not f.custody_placed
      and not f.intellectual_disability
      and not f.previous_contact
      and not f.repeat_referral
      and (r.gapd == nil or r.gapd <= SP.max_gapd)
  end,
  explain = function(r, f, d)
    local b = blocker(r, f)
    if b then return "bliver i BUC: " .. b end
    return ("afgrænset %s uden noget, der taler for BUC"):format(G.names[only_group(f)])
  end,
  action = function(r, f, d)
    d:reason("Afgrænset %s uden komorbiditet, risiko eller tidligere kontakt; henvisningen sendes til "
      .. "speciallægepraksis i børne- og ungdomspsykiatri.", G.names[only_group(f)])
    d:decide(TO_SPECIALIST)
  end,
}
