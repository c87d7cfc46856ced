-- 80-specialist-practice.lua — step 8: one uncomplicated condition (ADHD,
-- anxiety, or depression that is not severe) at 6-17 is treated in
-- specialist practice, when nothing in the referral calls for BUC.
local G = include("data/groups.lua")
local SIMPLE = { ADHD = true, ANXIETY = true, DEPRESSION = true }

local function only_group(f)
  if f.group_count ~= 1 then return nil end
  return next(f.groups)
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
      and (r.gapd == nil or r.gapd <= 4)
  end,
  action = function(r, f, d)
    d:reason(("Afgrænset %s uden komorbiditet, risiko eller tidligere kontakt; henvisningen sendes til "
      .. "speciallægepraksis i børne- og ungdomspsykiatri."):format(G.names[only_group(f)]))
    d:decide{ outcome = "redirect", target = "specialist_practice" }
  end,
}
