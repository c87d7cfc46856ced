-- lib/answer.lua — the answer to the referrer, and what a person deciding
-- chooses from. Not a rule file: the engine includes it beside the rules
-- (`triage answer`, the intake page), with the referral r and its facts f as
-- rules see them. The words are data/answers.lua's, the places
-- data/places.lua's, the units data/units.lua's, the deadlines
-- data/policy.lua's.
--
-- letter(r, f, a): a is the decision answered, {id, outcome, target, unit,
-- priority, deadline ("YYYY-MM-DD" or nil), deadline_day, missing = {items},
-- request_from, reasons = {{rule, text}}, by_person (a person decided),
-- date, date_day (the letter's)}. Returns {subject, body (the letter as
-- text), recipient, municipality (its proper name, or nil), place (where the
-- child goes: {name, address, contact, how}, or nil)}.
-- catalog(): {outcomes, priorities, missing, request_from, targets, units =
-- {{code, label}, ...} in the order a form shows them, deadline_days}.
local A = include("data/answers.lua")
local P = include("data/places.lua")
local U = include("data/units.lua")
local POLICY = include("data/policy.lua")

local function fill(s, v)
  return (s:gsub("{(%w+)}", function(k)
    local x = v[k]
    return x ~= nil and tostring(x) or "{" .. k .. "}"
  end))
end

-- "2020-03-02" as "2. marts 2020".
local function day(iso)
  local d = iso and date.parse(iso)
  if not d then return iso end
  local y, m, dd = date.parts(d)
  return ("%d. %s %d"):format(dd, A.months[m], y)
end

local function label(list, code)
  for _, it in ipairs(list) do
    if it.code == code then return it.label end
  end
  return code
end

-- ------------------------------------------------------------ places

local function proper(name)
  return P.municipality_names[name] or (name .. " Kommune")
end

-- Folded for lookup: lower case, ÆØÅ too, no "Kommune", no blanks.
local function fold(s)
  s = s:lower():gsub("\195\134", "\195\166"):gsub("\195\152", "\195\184"):gsub("\195\133", "\195\165")
  s = s:gsub("%s*regionskommune%s*$", ""):gsub("%s*kommune%s*$", "")
  return (s:gsub("[%s%.]", ""))
end

local REGION = {}
for region, names in pairs(P.region_of) do
  for _, name in ipairs(names) do
    REGION[fold(name)] = { region = region, name = name }
  end
end

-- The region and official name of a municipality outside the capital
-- region, as the referrer wrote it ("Aarhus Kommune", "8000 Aarhus C").
local function elsewhere(raw)
  local k = fold(raw)
  local hit = REGION[k] or (k:sub(-1) == "s" and REGION[k:sub(1, -2)])
  if not hit then
    local town = raw:match("%d%d%d%d%s+([^,]+)$")
    if town then hit = REGION[fold((town:gsub("%s+[NSVCKØ]+$", "")))] end
  end
  return hit
end

local function unit_place(code)
  local u = P.units[code]
  if u then
    local site = u.site and P.sites[u.site]
    return { name = u.name, address = site and site.address or nil }
  end
  for _, site in ipairs(P.site_order) do
    for _, band in ipairs(U.sites[site] or {}) do
      if band[3] == code then
        return { name = fill(P.unit_band, { site = P.sites[site].name, from = band[1], to = band[2] }),
                 address = P.sites[site].address }
      end
    end
  end
  return { name = code }
end

-- Where the child goes for decision a.
local function place(r, f, a, muni)
  if a.outcome == "accept" and a.unit then
    local p = unit_place(a.unit)
    p.contact = P.buc.contact
    return p
  end
  if a.outcome ~= "redirect" or not a.target then return nil end
  local t = P.targets[a.target]
  if not t then return nil end
  local v = { municipality = muni or r.municipality }
  if a.target == "other_region" then
    local hit = elsewhere(r.municipality)
    local region = hit and P.regions[hit.region]
    v.region = region and region.name or P.home_region_unknown
    v.contact = region and region.contact or P.home_region_unknown
  end
  return { name = fill(t.name, v), how = fill(t.how, v), contact = fill(t.contact, v) }
end

-- ------------------------------------------------------------ letters

local function letter(r, f, a)
  local muni = f.municipality and proper(f.municipality) or nil
  local where = place(r, f, a, muni)
  local v = {
    id = a.id, received = day(r.received), date = day(a.date),
    municipality = muni or r.municipality,
    unit = where and where.name, code = a.unit, place = where and where.name,
    address = where and where.address, how = where and where.how,
    contact = where and where.contact,
    priority = a.priority and label(A.priorities, a.priority),
    deadline = day(a.deadline),
    reply = day(date.format(a.date_day + A.reply_days)),
  }
  local out = {}
  local function say(s) out[#out + 1] = fill(s, v) end
  local function blank() out[#out + 1] = "" end

  say(A.dateline)
  blank()
  say(A.greeting)
  blank()
  local o = a.outcome
  if o == "accept" then
    say(A.accept.lead)
    if a.priority then say(A.accept.priority) end
    if a.deadline then say(A.accept.deadline) end
    if where and where.address then say(A.accept.where) end
  elseif o == "request_info" then
    say(A.request_info.lead)
    for _, item in ipairs(a.missing or {}) do
      out[#out + 1] = "  - " .. label(A.missing, item)
    end
    blank()
    say(A.request_info.reply)
    if a.request_from == "municipality" then say(A.request_info.from_municipality) end
  elseif o == "redirect" then
    say(A.redirect.lead)
    if a.deadline then say(A.redirect.acute) end
    if where then
      blank()
      say(A.redirect.how)
      say(A.redirect.contact)
    end
  else
    say(A.reject.lead)
  end
  if a.reasons and #a.reasons > 0 then
    blank()
    say(A.reasons)
    for _, reason in ipairs(a.reasons) do out[#out + 1] = "  - " .. reason.text end
  end
  if o == "reject" then
    blank()
    say(A.reject.help)
  end
  if a.by_person then
    blank()
    say(A.by_person)
  end
  blank()
  out[#out + 1] = A.signature
  local to = o == "request_info" and a.request_from == "municipality" and "municipality" or "referrer"
  local recipient = fill(A.recipient[to], v)
  if to == "referrer" and r.referrer_name then recipient = recipient .. ": " .. r.referrer_name end
  return {
    subject = fill(A.subject, v),
    recipient = recipient,
    body = table.concat(out, "\n"),
    municipality = muni,
    place = where,
  }
end

-- ------------------------------------------------------------ the form

local function catalog()
  local units = {}
  for code, u in pairs(P.units) do units[#units + 1] = { code = code, label = u.name } end
  table.sort(units, function(x, y) return x.code < y.code end)
  for _, site in ipairs(P.site_order) do
    for _, band in ipairs(U.sites[site] or {}) do
      units[#units + 1] = { code = band[3], label = unit_place(band[3]).name }
    end
  end
  local targets = {}
  for _, t in ipairs({ "specialist_practice", "municipality", "adult_psychiatry", "other_region" }) do
    targets[#targets + 1] = { code = t, label = fill(P.targets[t].name,
      { municipality = "barnets kommune", region = P.home_region_unknown }) }
  end
  return {
    outcomes = A.outcomes, priorities = A.priorities, missing = A.missing,
    request_from = A.request_from, targets = targets, units = units,
    deadline_days = POLICY.deadline_days,
  }
end

return { letter = letter, catalog = catalog }
