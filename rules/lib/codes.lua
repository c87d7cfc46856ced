-- lib/codes.lua — what a referral's diagnosis codes say (policy.md "codes"
-- and the group table), from the prefixes in data/groups.lua: the longest
-- prefix decides, so F43.1 is TRAUMA while the rest of F43 is WELLBEING.
--   codes.of(code) -> { group = name or false, severe = bool, psychotic = bool }
--   codes.read(list) -> the codes of a referral taken together, one table
--     refilled by each call: [group] = true for each group a code names
--     (WELLBEING included), .groups (those names, in the codes' order),
--     .severe and .psychotic (a severe, a psychotic depression).
-- What a code says is kept (codes repeat; bounded).
local G = include("data/groups.lua")

local sub = string.sub
local PREFIX = {}               -- ICD prefix -> group
for group, prefixes in pairs(G.icd) do
  for _, p in ipairs(prefixes) do PREFIX[p] = group end
end

local known, nknown = {}, 0
local codes = {}

local function of(c)
  local info = known[c]
  if info then return info end
  local five = sub(c, 1, 5)
  info = {
    group = PREFIX[five] or PREFIX[sub(c, 1, 3)] or PREFIX[sub(c, 1, 2)] or PREFIX[sub(c, 1, 1)] or false,
    severe = G.severe_depression_codes[five] or false,
    psychotic = G.psychotic_depression_codes[five] or false,
  }
  if nknown < 4000 then known[c] = info; nknown = nknown + 1 end
  return info
end
codes.of = of

local LIST = {}
local CODED = { groups = LIST, severe = false, psychotic = false }
local nlist = 0

function codes.read(dx)
  local coded, list = CODED, LIST
  for i = 1, nlist do coded[list[i]] = nil; list[i] = nil end
  local n, severe, psychotic = 0, false, false
  for i = 1, #dx do
    local code = dx[i]
    local c = known[code] or of(code)
    local g = c.group
    if g and not coded[g] then n = n + 1; list[n] = g; coded[g] = true end
    if c.severe then severe = true end
    if c.psychotic then psychotic = true end
  end
  nlist = n
  coded.severe, coded.psychotic = severe, psychotic
  return coded
end

return codes
