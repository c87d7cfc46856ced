-- 00-facts.lua — facts about the child and the referral, shared by every rule
-- (policy.md "Definitions"). Each is computed at most once per referral; text
-- is read through lib/text.lua so negations and family history never count.
-- Structured true/false beats text, except for the acute criteria (step 1).
local T = include("lib/text.lua")
local P = include("data/phrases.lua")
local G = include("data/groups.lua")
local M = include("data/municipalities.lua")

local EMPTY = {}
local lower, gsub, sub, byte = string.lower, string.gsub, string.sub, string.byte

-- ---------------------------------------------------------------- text

local READING = include("data/reading.lua")
-- Every pattern read with first/each below, found in one pass over the text.
T.terms(G.text, G.risk, G.severe_depression_text, G.psychotropic,
        P.previous_contact, P.custody_joint, P.custody_placed, P.consent,
        P.cognitive, P.ppv, P.iq, P.bmi, P.weight, P.height, P.weight_loss)
fact("text", function(r, f) return T.context(READING.text and r.text or "", r.received_day) end)

-- ------------------------------------------------------------- age, history

fact("previous_contact", function(r, f)
  local v = r.previous_buc_contact
  if v ~= nil then return v end
  return f.text:first(P.previous_contact) ~= nil
end)

-- The transition right: an 18-year-old with previous BUC contact counts as 17.
fact("effective_age", function(r, f)
  if r.age == 18 and f.previous_contact then return 17 end
  return r.age
end)

-- An earlier referral of the same child, received 0-180 days before this one,
-- that was redirected to the municipality.
fact("repeat_referral", function(r, f)
  local hist = r:history()
  for i = 1, #hist do
    local h = hist[i]
    if h.outcome == "redirect" and h.target == "municipality" and h.received_day then
      local days = r.received_day - h.received_day
      if days >= 0 and days <= 180 then return true end
    end
  end
  return false
end)

-- ------------------------------------------------------------- residence

-- Two foldings (æ/ø/å to ae/oe/aa and to a/o/a), no hyphens, spaces or dots
-- (policy.md); beyond the policy, a name one typo away from exactly one
-- municipality is taken as that municipality (corpus letters hold such typos).
local UPPER = { ["Æ"] = "æ", ["Ø"] = "ø", ["Å"] = "å", ["Ä"] = "æ", ["Ö"] = "ø", ["ä"] = "æ", ["ö"] = "ø",
                ["É"] = "e", ["é"] = "e", ["Ü"] = "u", ["ü"] = "u" }
local LONG = { ["æ"] = "ae", ["ø"] = "oe", ["å"] = "aa" }
local SHORT = { ["æ"] = "a", ["ø"] = "o", ["å"] = "a" }
local function fold(s, map)
  s = gsub(lower(s), "\195[\128-\191]", UPPER)
  s = gsub(s, "\195[\128-\191]", map)
  s = gsub(s, "x", "ks")           -- Gladsaxe / Gladsakse
  return (gsub(s, "[%s%-%.]", ""))
end

-- Whether a and b differ by at most one edit (insert, delete, substitute,
-- swap of neighbours): the cheap typo repair ("Frederiksund", "Bornhom").
local function near(a, b)
  local la, lb = #a, #b
  if la > lb then a, b, la, lb = b, a, lb, la end
  if lb - la > 1 then return false end
  local i = 1
  while i <= la and byte(a, i) == byte(b, i) do i = i + 1 end
  if i > la then return true end
  if la == lb then
    if sub(a, i + 1) == sub(b, i + 1) then return true end
    return byte(a, i) == byte(b, i + 1) and byte(a, i + 1) == byte(b, i) and sub(a, i + 2) == sub(b, i + 2)
  end
  return sub(a, i) == sub(b, i + 1)
end

local MUNI, SITE = {}, {}       -- folded spelling -> official name; name -> site
for site, names in pairs(M.sites) do
  for _, name in ipairs(names) do
    SITE[name] = site
    MUNI[fold(name, LONG)] = name
    MUNI[fold(name, SHORT)] = name
  end
end
for alias, name in pairs(M.aliases) do
  MUNI[fold(alias, LONG)] = name
  MUNI[fold(alias, SHORT)] = name
end
local SUFFIXES = {}
for i, s in ipairs(M.suffixes) do SUFFIXES[i] = fold(s, LONG) end

local seen, nseen = {}, 0         -- spellings already looked up, bounded
local function municipality(raw)
  local hit = seen[raw]
  if hit ~= nil then return hit or nil end
  hit = false
  for _, map in ipairs({ LONG, SHORT }) do
    local k = fold(raw, map)
    if MUNI[k] then hit = MUNI[k]; break end
    for _, suf in ipairs(SUFFIXES) do
      if #k > #suf and sub(k, -#suf) == suf and MUNI[sub(k, 1, -#suf - 1)] then
        hit = MUNI[sub(k, 1, -#suf - 1)]; break
      end
    end
    if hit then break end
  end
  if not hit then                -- an address: "Nørrebrogade 12, 2200 København N"
    local town = raw:match("%d%d%d%d%s+([^,]+)$")
    if town then
      town = town:gsub("%s+[NSVCK]+$", ""):gsub("%s+S?\195\152$", "")
      hit = municipality(town) or false
    end
  end
  if not hit then                -- one typo away from exactly one name
    for _, map in ipairs({ LONG, SHORT }) do
      local k = fold(raw, map)
      if #k >= 5 then
        for key, name in pairs(MUNI) do
          if #key >= 5 and near(k, key) then
            if hit and hit ~= name then hit = false; break end
            hit = name
          end
        end
      end
      if hit then break end
    end
  end
  if nseen < 2000 then seen[raw] = hit; nseen = nseen + 1 end
  return hit or nil
end

fact("municipality", function(r, f) return municipality(r.municipality) end)
fact("site", function(r, f) local m = f.municipality; return m and SITE[m] end)

-- ------------------------------------------------------- custody, consent

fact("custody_joint", function(r, f)
  if r.custody ~= nil then return r.custody == "joint" end
  return f.text:first(P.custody_joint, "nofam") ~= nil
end)

fact("custody_placed", function(r, f)
  if r.custody ~= nil then return r.custody == "placed" end
  return f.text:first(P.custody_placed, "nofam") ~= nil
end)

fact("consent", function(r, f)
  local v = r.consent_both
  if v ~= nil then return v end
  return f.text:first(P.consent, "doc") ~= nil
end)

-- ------------------------------------------------------------- groups

local PREFIX = {}               -- ICD prefix -> group
for group, prefixes in pairs(G.icd) do
  for _, p in ipairs(prefixes) do PREFIX[p] = group end
end
local function code_group(code)
  return PREFIX[sub(code, 1, 5)] or PREFIX[sub(code, 1, 3)] or PREFIX[sub(code, 1, 2)] or PREFIX[sub(code, 1, 1)]
end

-- What a diagnosis code says, by code, kept across referrals (the codes
-- are few; the table is bounded): {group or false, severe depression,
-- psychotic depression}.
local CODES, ncodes = {}, 0
local function code_info(c)
  local info = CODES[c]
  if info then return info end
  local five = sub(c, 1, 5)
  info = { code_group(c) or false, G.severe_depression_codes[five] or false,
           G.psychotic_depression_codes[five] or false }
  if ncodes < 4000 then CODES[c] = info; ncodes = ncodes + 1 end
  return info
end

-- Groups from codes: set of group names (WELLBEING included).
fact("code_groups", function(r, f)
  local g, dx = {}, r.diagnoses
  for i = 1, #dx do
    local grp = code_info(dx[i])[1]
    if grp then g[grp] = true end
  end
  return g
end)

fact("substance", function(r, f)
  if f.code_groups.SUBSTANCE then return true end
  local rk = r.risk
  local v = rk and rk.substance_misuse
  if v ~= nil then return v end
  return f.text:first(G.text.SUBSTANCE) ~= nil
end)

-- Every group from codes and text (policy: "Groups come from codes and from
-- text"); SUBSTANCE follows the substance-misuse evidence.
-- The groups' words are looked for in one scanner call (tx:which): bit
-- i - 1 of its answer says whether GROUP_TEXT[i] has a mention that counts;
-- only the bits set are visited.
local ORDER, GROUP_TEXT, BIT_GROUP, IN_ORDER = G.order, {}, {}, {}
for _, name in ipairs(ORDER) do
  if name ~= "SUBSTANCE" then
    IN_ORDER[name] = true
    assert(G.text[name], "data/groups.lua: no text for " .. name)
    GROUP_TEXT[#GROUP_TEXT + 1] = G.text[name]
    BIT_GROUP[1 << (#GROUP_TEXT - 1)] = name
  end
end
local GROUP_SET = T.set(GROUP_TEXT)

fact("groups", function(r, f)
  local g = {}
  for name in pairs(f.code_groups) do
    if IN_ORDER[name] then g[name] = true end
  end
  local found = f.text:which(GROUP_SET)
  while found ~= 0 do
    local bit = found & -found
    g[BIT_GROUP[bit]] = true
    found = found ~ bit
  end
  if f.substance then g.SUBSTANCE = true end
  return g
end)

-- Distinct groups other than WELLBEING.
fact("group_count", function(r, f)
  local n = 0
  for _ in pairs(f.groups) do n = n + 1 end
  return n
end)

fact("comorbid", function(r, f) return f.group_count >= 2 end)

local CORE = {}                 -- the core groups, in G.order
for _, name in ipairs(ORDER) do
  if G.core[name] then CORE[#CORE + 1] = name end
end

fact("core_group", function(r, f)
  local g = f.groups
  for i = 1, #CORE do
    if g[CORE[i]] then return CORE[i] end
  end
  return nil
end)

fact("severe_depression", function(r, f)
  local dx = r.diagnoses
  for i = 1, #dx do
    if code_info(dx[i])[2] then return true end
  end
  return f.text:first(G.severe_depression_text) ~= nil
end)

local MEDS, nmeds = {}, 0         -- medication name -> psychotropic, bounded
fact("psychotropic", function(r, f)
  local meds = r.medication
  for i = 1, #meds do
    local m = meds[i]
    local hit = MEDS[m]
    if hit == nil then
      hit = G.psychotropic:match(m)
      if nmeds < 4000 then MEDS[m] = hit; nmeds = nmeds + 1 end
    end
    if hit then return true end
  end
  return f.text:first(G.psychotropic) ~= nil
end)

-- ------------------------------------------------------------- risk

-- Suicide attempt: "current", "past" (every text mention placed more than
-- 3 months before received) or nil. Structured true with only past mentions
-- is past; structured false does not cancel a current mention (acute).
fact("suicide_attempt", function(r, f)
  local tx, limit = f.text, nil
  local current, past = false, false
  for s, e in tx:each(G.risk.suicide_attempt) do
    limit = limit or date.add_months(r.received_day, -3)
    local ss, se = tx:sentence(s)
    local dated, recent = false, false
    tx:dates(ss, se, function(day)
      dated = true
      if day >= limit then recent = true end
    end)
    if dated and not recent then past = true else current = true; break end
  end
  if current then return "current" end
  local rk = r.risk
  local v = rk and rk.suicide_attempt
  if past then
    if v == false then return nil end
    return "past"
  end
  if v then return "current" end
  return nil
end)

fact("suicide_plan", function(r, f)
  local rk = r.risk
  if rk and rk.suicide_plan then return true end
  return f.text:first(G.risk.suicide_plan) ~= nil
end)

-- Psychotic symptoms (acute): flag, PSYCHOSIS code, F32.3/F33.3, or text.
fact("psychotic", function(r, f)
  local rk = r.risk
  if rk and rk.psychosis then return true end
  if f.code_groups.PSYCHOSIS then return true end
  local dx = r.diagnoses
  for i = 1, #dx do
    if code_info(dx[i])[3] then return true end
  end
  return f.text:first(G.text.PSYCHOSIS) ~= nil
end)

fact("suicidal_ideation", function(r, f)
  local rk = r.risk
  local v = rk and rk.suicidal_ideation
  if v ~= nil then return v end
  return f.text:first(G.risk.suicidal_ideation) ~= nil
end)

-- Self-harm; a past suicide attempt counts as self-harm.
fact("self_harm", function(r, f)
  if f.suicide_attempt == "past" then return true end
  local rk = r.risk
  local v = rk and rk.self_harm
  if v ~= nil then return v end
  return f.text:first(G.risk.self_harm) ~= nil
end)

fact("risk_flag", function(r, f)
  return f.self_harm or f.suicidal_ideation or f.suicide_attempt ~= nil or f.suicide_plan or f.psychotic
end)

-- ------------------------------------------------------------- somatic

-- {bmi, height, weight, loss} from structured fields, else text. Most
-- texts state none of them: one scanner call says which are there.
local MEASURES = T.set({ P.bmi, P.weight, P.height, P.weight_loss })
fact("somatic", function(r, f)
  local s = r.somatic or EMPTY
  local tx = f.text
  local bmi, h, w, loss = s.bmi, s.height_cm, s.weight_kg, s.weight_loss_pct_3m
  local stated = 0
  if not tx.empty and not (bmi and h and w and loss) then stated = tx:which(MEASURES, "nofam") end
  if stated ~= 0 then
    local text = r.text
    if not bmi then
      for st in tx:each(P.bmi, "nofam") do
        local _, _, c = P.bmi:captures(text, st)
        local v = T.number(c[1])
        if v and v >= 5 and v <= 80 and (not bmi or v < bmi) then bmi = v end
      end
    end
    if not w then
      for st in tx:each(P.weight, "nofam") do
        local _, _, c = P.weight:captures(text, st)
        w = T.number(c[1]) or w
      end
    end
    if not h then
      local st = tx:first(P.height, "nofam")
      if st then
        local _, _, c = P.height:captures(text, st)
        if c[3] then h = T.number(c[3]) * 100 else h = T.number(c[1] or c[2] or c[4]) end
      end
    end
    if not loss then
      for st in tx:each(P.weight_loss, "nofam") do
        local _, e, c = P.weight_loss:captures(text, st)
        local ss, se = tx:sentence(st)
        local months
        local _, _, sc = P.span:captures(sub(text, 1, se - 1), ss)
        if sc then months = T.span_months(sc[1], sc[2]) end
        if not months or months <= 3 then
          local v
          if c[1] then v = T.number(c[1])
          elseif c[2] and w then local kg = T.number(c[2]); v = 100 * kg / (w + kg) end
          if v and (not loss or v > loss) then loss = v end
        end
      end
    end
  end
  if not bmi and h and w and h > 0 then bmi = w / ((h / 100) ^ 2) end
  return { bmi = bmi, height = h, weight = w, loss = loss }
end)

-- Eating-disorder medical risk (acute), whatever the group.
fact("eating_risk", function(r, f)
  local s, age = f.somatic, f.effective_age
  if s.loss and s.loss >= 20 then return true end
  if s.bmi then
    if age >= 12 and age <= 17 and s.bmi < 14.0 then return true end
    if age >= 6 and age <= 11 and s.bmi < 13.0 then return true end
  end
  return false
end)

fact("acute", function(r, f)
  return f.suicide_attempt == "current" or f.suicide_plan or f.psychotic or f.eating_risk
end)

-- ------------------------------------------------------------- documents

-- Full-scale IQ: the lowest structured value, else the lowest in text.
fact("iq", function(r, f)
  local iq
  local as = r.assessments
  for i = 1, #as do
    local a = as[i]
    if a.fsiq and (not iq or a.fsiq < iq) then iq = a.fsiq end
  end
  if iq then return iq end
  local tx = f.text
  for st in tx:each(P.iq, "nofam") do
    local _, _, c = P.iq:captures(r.text, st)
    local v = tonumber(c[1])
    if v and v >= 20 and v <= 180 and (not iq or v < iq) then iq = v end
  end
  return iq
end)

fact("low_iq", function(r, f) local iq = f.iq; return iq ~= nil and iq < 70 end)

-- Cognitive assessment: nil (none), "current" or "outdated" (newest dated
-- before received minus 24 months). Undated evidence counts as current when
-- nothing is dated; when some evidence is dated, that date is the one used
-- (a text line repeating a dated test's result adds no newer test).
fact("cognitive", function(r, f)
  local newest, any = nil, false
  local as = r.assessments
  for i = 1, #as do
    local a = as[i]
    if a.kind == "cognitive" or a.fsiq then
      any = true
      if a.date_day and (not newest or a.date_day > newest) then newest = a.date_day end
    end
  end
  local tx = f.text
  local recv = r.received_day
  for s, e in tx:each(P.cognitive, "doc") do
    any = true
    local day = tx:date_near(s, e)
    if day and day <= recv and (not newest or day > newest) then newest = day end
  end
  if not any then return nil end
  if not newest then return "current" end
  if newest < date.add_months(recv, -24) then return "outdated" end
  return "current"
end)

fact("ppv", function(r, f)
  local as = r.assessments
  for i = 1, #as do
    if as[i].kind == "ppv" then return true end
  end
  return f.text:first(P.ppv, "doc") ~= nil
end)

fact("needs_cognitive", function(r, f)
  return (f.groups.ADHD or f.groups.AUTISM) and f.effective_age >= 6 and not f.previous_contact
end)

-- ------------------------------------------------------------- target group

fact("target_group", function(r, f)
  return f.core_group ~= nil or f.risk_flag or f.psychotropic
end)

fact("intellectual_disability", function(r, f)
  return f.low_iq or f.groups.ID == true
end)
