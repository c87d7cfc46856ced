-- 80-specialist-practice.lua — step 8: one uncomplicated condition (ADHD,
-- anxiety, or depression that is not severe) at 6-17 is treated in
-- specialist practice, when nothing in the referral calls for BUC.
local X = include("lib/explain.lua")
local G = include("data/groups.lua")
local SIMPLE = { ADHD = true, ANXIETY = true, DEPRESSION = true }

local function only_group(f)
  if f.group_count ~= 1 then return nil end
  return next(f.groups)
end

-- For --explain: the first condition that keeps the referral in BUC.
local function blocker(r, f)
  local age, g = f.effective_age, only_group(f)
  if age < 6 or age > 17 then return ("effektiv alder %d år"):format(age) end
  if g == nil then return "diagnosegrupper: " .. X.groups(f) end
  if not SIMPLE[g] then return G.names[g] .. " behandles ikke i speciallægepraksis" end
  if g == "DEPRESSION" and f.severe_depression then return "svær depression" end
  if f.risk_flag then return "risiko (selvskade, selvmordstanker eller -forsøg, psykose)" end
  if f.substance then return "misbrug" end
  if f.custody_placed then return "anbragt uden for hjemmet" end
  if f.intellectual_disability then return "IQ under 70 eller udviklingshæmning" end
  if f.previous_contact then return "tidligere kontakt med børne- og ungdomspsykiatrien" end
  if f.repeat_referral then return "gentagen henvisning efter kommunen" end
  if r.gapd ~= nil and r.gapd > 4 then return ("GAPD %d"):format(r.gapd) end
  return nil
end

local function why_sp(r, f)
  local b = blocker(r, f)
  if b then return "bliver i BUC: " .. b end
  return ("afgrænset %s uden noget, der taler for BUC"):format(G.names[only_group(f)])
end

rule {
  id = "SP-01",
  title = "Afgrænset lidelse til speciallægepraksis",
  when = function(r, f, d)
    local age, g = f.effective_age, only_group(f)
    return age >= 6 and age <= 17
      and g ~= nil and SIMPLE[g] and not (g == "DEPRESSION" and f.severe_depression)
      and not f.risk_flag and not f.substance
      and not f.custody_placed
      and not f.intellectual_disability
      and not f.previous_contact
      and not f.repeat_referral
      and (r.gapd == nil or r.gapd <= 4), d.explain and why_sp(r, f) or nil
  end,
  action = function(r, f, d)
    d:reason(("Afgrænset %s uden komorbiditet, risiko eller tidligere kontakt; henvisningen sendes til "
      .. "speciallægepraksis i børne- og ungdomspsykiatri."):format(G.names[only_group(f)]))
    d:decide{ outcome = "redirect", target = "specialist_practice" }
  end,
}
