-- 00-facts.lua — facts about the child and the referral, shared by every rule
-- (policy.md "Definitions"). The engine computes them for every referral, in
-- the order they stand here, before any rule runs. What the letter says
-- comes from the engine's text layer as plain fields of `evidence` (one per
-- key of data/text/*.lua: negations and other people's conditions already
-- left out). Structured true/false beats text, except for the acute
-- criteria (step 1). The numbers are data/policy.lua's.
local P = include("data/policy.lua")
local G = include("data/groups.lua")
local READING = include("data/reading.lua")
local places = include("lib/places.lua")
local codes = include("lib/codes.lua")

-- The letter's evidence; for the structured-only comparison rule set
-- (data/reading.lua, corpus/make-strict) a letter that states nothing.
local ev = evidence
if not READING.text then
  ev = setmetatable({ counted = {} }, { __index = function() return false end })
end

-- ------------------------------------------------------------- age, history

fact("previous_contact", function(r, f)
  local v = r.previous_buc_contact
  if v ~= nil then return v end
  return ev.previous_buc_contact
end)

-- The transition right: an 18-year-old with previous BUC contact counts as 17.
fact("effective_age", function(r, f)
  if r.age == P.age.adult and f.previous_contact then return P.age.transition end
  return r.age
end)

-- An earlier referral of the same child, received 0 to repeat_days days before
-- this one, that was redirected to the municipality.
fact("repeat_referral", function(r, f)
  local hist = r:history()
  for i = 1, #hist do
    local h = hist[i]
    if h.outcome == "redirect" and h.target == "municipality" and h.received_day then
      local days = r.received_day - h.received_day
      if days >= 0 and days <= P.repeat_days then return true end
    end
  end
  return false
end)

-- ------------------------------------------------------------- residence

fact("municipality", function(r, f) return places.find(r.municipality) end)   -- or false
fact("site", function(r, f) return places.site(f.municipality) end)

-- ------------------------------------------------------- custody, consent

fact("custody_joint", function(r, f)
  local c = r.custody
  if c ~= nil then return c == "joint" end
  return ev.custody_joint
end)

fact("custody_placed", function(r, f)
  local c = r.custody
  if c ~= nil then return c == "placed" end
  return ev.custody_placed
end)

fact("consent", function(r, f)
  local v = r.consent_both
  if v ~= nil then return v end
  return ev.consent_both
end)

-- ------------------------------------------------------------- groups

-- What the diagnosis codes say (lib/codes.lua): the groups they name, and
-- whether one is a severe or a psychotic depression.
fact("coded", function(r, f) return codes.read(r.diagnoses) end)

-- Substance misuse: a SUBSTANCE code, the flag, else the letter.
fact("substance", function(r, f)
  if f.coded.SUBSTANCE then return true end
  local v = r.risk.substance_misuse
  if v ~= nil then return v end
  return ev.SUBSTANCE
end)

-- Every group from codes and text (policy: "Groups come from codes and from
-- text"), WELLBEING left out; SUBSTANCE follows the substance-misuse evidence.
-- One set, refilled for each referral; group_count counts it.
local GROUP = {}                -- the groups of G.order but SUBSTANCE
for _, name in ipairs(G.order) do
  if name ~= "SUBSTANCE" then GROUP[name] = true end
end
local GROUPS, MEMBERS, ngroups = {}, {}, 0
fact("groups", function(r, f)
  local set, members, n = GROUPS, MEMBERS, 0
  for i = 1, ngroups do set[members[i]] = nil end
  local coded = f.coded.groups          -- the codes' groups, then the letter's
  for i = 1, #coded do
    local g = coded[i]
    if GROUP[g] and not set[g] then n = n + 1; members[n] = g; set[g] = true end
  end
  local counted = ev.counted
  for i = 1, #counted do
    local g = counted[i]
    if GROUP[g] and not set[g] then n = n + 1; members[n] = g; set[g] = true end
  end
  if f.substance then n = n + 1; members[n] = "SUBSTANCE"; set.SUBSTANCE = true end
  ngroups = n
  return set
end)

-- Distinct groups other than WELLBEING.
fact("group_count", function(r, f)
  local _ = f.groups
  return ngroups
end)

fact("comorbid", function(r, f) return f.group_count >= 2 end)

fact("severe_depression", function(r, f)
  return f.coded.severe or ev.severe_depression
end)

-- Psychotropic medication: a drug in `medication` that the text layer reads
-- as one (data/text/medication.lua), or the letter.
local DRUG, ndrugs = {}, 0      -- medication name -> psychotropic, bounded
local states = text.states
fact("psychotropic", function(r, f)
  local meds = r.medication
  for i = 1, #meds do
    local m = meds[i]
    local hit = DRUG[m]
    if hit == nil then
      hit = states(m, "psychotropic")
      if ndrugs < 4000 then DRUG[m] = hit; ndrugs = ndrugs + 1 end
    end
    if hit then return true end
  end
  return ev.psychotropic
end)

-- ------------------------------------------------------------- risk

-- Suicide attempt: "current", "past" (every mention in the letter dated more
-- than attempt_history_months before received) or false. Structured true
-- with only past mentions is past; structured false does not cancel a
-- current mention (acute).
fact("suicide_attempt", function(r, f)
  if ev.suicide_attempt then return "current" end
  local v = r.risk.suicide_attempt
  if ev.suicide_attempt_past then
    if v == false then return false end
    return "past"
  end
  if v then return "current" end
  return false
end)

fact("suicide_plan", function(r, f)
  return r.risk.suicide_plan or ev.suicide_plan
end)

-- Psychotic symptoms (acute): flag, PSYCHOSIS code, F32.3/F33.3, or text.
fact("psychotic", function(r, f)
  local coded = f.coded
  return r.risk.psychosis or coded.PSYCHOSIS or coded.psychotic or ev.psychosis
end)

fact("suicidal_ideation", function(r, f)
  local v = r.risk.suicidal_ideation
  if v ~= nil then return v end
  return ev.suicidal_ideation
end)

-- Self-harm; a past suicide attempt counts as self-harm.
fact("self_harm", function(r, f)
  if f.suicide_attempt == "past" then return true end
  local v = r.risk.self_harm
  if v ~= nil then return v end
  return ev.self_harm
end)

fact("risk_flag", function(r, f)
  return f.self_harm or f.suicidal_ideation or f.suicide_attempt ~= false or f.suicide_plan
    or f.psychotic
end)

-- ------------------------------------------------------------- somatic

-- BMI computed exactly (policy v1.1): weight and height in hundredths, one
-- division of exact integers.
local floor = math.floor
local function bmi_of(kg, cm)
  local w, h = floor(kg * 100 + 0.5), floor(cm * 100 + 0.5)
  return w * 1000000 / (h * h)
end

-- {bmi, height, weight, loss} from the structured fields, else the letter
-- (a weight loss counts when stated within eating.loss_months, or with no
-- period); BMI computed from height and weight when none is given. One
-- table, refilled for each referral.
local SOMATIC = {}
fact("somatic", function(r, f)
  local s = r.somatic
  local bmi = s.bmi or ev.bmi or nil
  local h = s.height_cm or ev.height_cm or nil
  local w = s.weight_kg or ev.weight_kg or nil
  local loss = s.weight_loss_pct_3m
  if not loss and ev.weight_loss_pct then
    local months = ev.weight_loss_months
    if not months or months <= P.eating.loss_months then loss = ev.weight_loss_pct end
  end
  if not bmi and h and w and h > 0 then bmi = bmi_of(w, h) end
  SOMATIC.bmi, SOMATIC.height, SOMATIC.weight, SOMATIC.loss = bmi, h, w, loss
  return SOMATIC
end)

-- Eating-disorder medical risk (acute), whatever the group.
fact("eating_risk", function(r, f)
  local s, age, E = f.somatic, f.effective_age, P.eating
  if s.loss and s.loss >= E.loss_pct then return true end
  local bmi = s.bmi
  if bmi then
    for i = 1, #E.bmi do
      local band = E.bmi[i]
      if age >= band.from and age <= band.to and bmi < band.below then return true end
    end
  end
  return false
end)

fact("acute", function(r, f)
  return f.suicide_attempt == "current" or f.suicide_plan or f.psychotic or f.eating_risk
end)

-- ------------------------------------------------------------- documents

-- Full-scale IQ: the lowest structured value, else the lowest in the letter,
-- else false.
fact("iq", function(r, f)
  local iq
  local as = r.assessments
  for i = 1, #as do
    local v = as[i].fsiq
    if v and (not iq or v < iq) then iq = v end
  end
  return iq or ev.iq
end)


-- Cognitive assessment: false (none), "current" or "outdated" (the newest
-- dated before received minus cognitive.max_age_months). Undated evidence
-- counts as current when nothing is dated; when some evidence is dated, that
-- date is the one used (a text line repeating a dated test's result adds no
-- newer test).
local add_months = date.add_months
fact("cognitive", function(r, f)
  local newest, any = nil, false
  local as = r.assessments
  for i = 1, #as do
    local a = as[i]
    if a.kind == "cognitive" or a.fsiq then
      any = true
      local day = a.date_day
      if day and (not newest or day > newest) then newest = day end
    end
  end
  local recv = r.received_day
  if ev.cognitive_assessment then
    any = true
    local day = ev.cognitive_assessment_date
    if day and day <= recv and (not newest or day > newest) then newest = day end
  end
  if not any then return false end
  if newest and newest < add_months(recv, -P.cognitive.max_age_months) then return "outdated" end
  return "current"
end)

fact("ppv", function(r, f)
  local as = r.assessments
  for i = 1, #as do
    if as[i].kind == "ppv" then return true end
  end
  return ev.ppv
end)

fact("needs_cognitive", function(r, f)
  local g = f.groups
  return (g.ADHD or g.AUTISM) and f.effective_age >= P.cognitive.from_age
    and not f.previous_contact or false
end)

-- ------------------------------------------------------------- target group

-- In the target group: a core group, a risk flag or psychotropic medication.
local CORE = G.core
fact("target_group", function(r, f)
  if f.risk_flag or f.psychotropic then return true end
  local _, members = f.groups, MEMBERS
  for i = 1, ngroups do
    if CORE[members[i]] then return true end
  end
  return false
end)

-- Intellectual disability: IQ below iq_below, or the ID group.
fact("intellectual_disability", function(r, f)
  local iq = f.iq
  return iq and iq < P.iq_below or f.groups.ID or false
end)

-- ------------------------------------------------------------- priority

-- Urgent (step 9): self-harm, suicidal ideation or a past suicide attempt,
-- bipolar disorder, or severe depression.
fact("urgent", function(r, f)
  local g = f.groups
  return f.self_harm or f.suicidal_ideation or g.BIPOLAR or (g.DEPRESSION and f.severe_depression)
    or false
end)
