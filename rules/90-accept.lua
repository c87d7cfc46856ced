-- 90-accept.lua — step 9: accepted by BUC. Unit: eating disorders B132,
-- Bornholm B377, otherwise the site's unit for the age band. Priority urgent
-- (the fact `urgent`: self-harm, suicidal ideation, a past attempt, bipolar
-- or severe depression); the referrer's requested priority does not change it.
local X = include("lib/explain.lua")
local U = include("data/units.lua")
local P = include("data/policy.lua")

-- Each site's unit by age, from its bands (made once, at load): the first
-- band that holds an age gives its unit, as data/units.lua says.
local BY_AGE = {}
for site, bands in pairs(U.sites) do
  local units = {}
  for _, band in ipairs(bands) do
    for age = band[1], band[2] do
      if units[age] == nil then units[age] = band[3] end
    end
  end
  BY_AGE[site] = units
end

local function unit(f)
  if f.groups.EATING then return U.eating end
  local site = f.site
  if site == "bornholm" then return U.bornholm end
  return BY_AGE[site][f.effective_age]
end

local URGENT = X.say("Henvisningen prioriteres som hastende på grund af %s (frist {deadline_days.urgent} dage).")

-- The policy's causes of urgency (the fact `urgent` holds them), each named
-- by its own condition: a criterion added to `urgent` is a rule of its own,
-- with its own reason (rules/README, "Worked example"), and this one then
-- neither applies for it nor names a cause that does not hold.
local function cause(f)
  if f.suicide_attempt == "past" then return "et tidligere selvmordsforsøg" end
  if f.self_harm then return "selvskade" end
  if f.suicidal_ideation then return "selvmordstanker" end
  if f.groups.BIPOLAR then return "bipolar lidelse" end
  if f.groups.DEPRESSION and f.severe_depression then return "svær depression" end
  return nil
end

rule {
  id = "ACC-01",
  title = "Hastende prioritet",
  evidence = { "self_harm", "suicidal_ideation", "suicide_attempt", "BIPOLAR", "DEPRESSION",
               "severe_depression" },
  when = function(r, f, d) return f.urgent and cause(f) ~= nil end,
  explain = function(r, f, d)
    return ("selvskade: %s; selvmordstanker: %s; bipolar: %s; svær depression: %s")
      :format(X.yes(f.self_harm), X.yes(f.suicidal_ideation), X.yes(f.groups.BIPOLAR),
              X.yes(f.groups.DEPRESSION and f.severe_depression))
  end,
  action = function(r, f, d) d:reason(URGENT, cause(f)) end,
}

local ACCEPT = { outcome = "accept", target = "buc" }

rule {
  id = "ACC-02",
  title = "Modtaget i BUC",
  when = function(r, f, d) return true end,
  explain = function(r, f, d)
    return ("enhed %s: %s, effektiv alder %d år"):format(unit(f) or "?",
      f.groups.EATING and "spiseforstyrrelse" or (U.site_names[f.site] or "?"), f.effective_age)
  end,
  action = function(r, f, d)
    local priority = f.urgent and "urgent" or "routine"
    local deadline = r.received_day + P.deadline_days[priority]
    ACCEPT.unit, ACCEPT.priority, ACCEPT.deadline = unit(f), priority, deadline
    d:reason("Henvisningen er modtaget i BUC, enhed %s, med frist %D.", ACCEPT.unit, deadline)
    d:decide(ACCEPT)
  end,
}
