-- lib/places.lua — which of the region's municipalities a referral names
-- (policy.md: folded æ/ø/å, no hyphens, spaces or dots, the suffixes
-- "Kommune" ...), from the lists in data/municipalities.lua. Beyond the
-- policy's letter, a name one typo away from exactly one municipality is
-- taken as that one ("Frederiksund", "Bornhom"; the corpus holds such
-- typos), and so is a postal address's town ("2200 København N").
--   places.find(name) -> the official name, or false
--   places.site(name) -> "glostrup" | "bispebjerg" | "hilleroed" | "bornholm"
--   places.count      -> how many municipalities the region has
local M = include("data/municipalities.lua")

local lower, gsub, sub, byte = string.lower, string.gsub, string.sub, string.byte

-- Two foldings (æ/ø/å to ae/oe/aa and to a/o/a); x is read as ks (Gladsakse).
local UPPER = { ["Æ"] = "æ", ["Ø"] = "ø", ["Å"] = "å", ["Ä"] = "æ", ["Ö"] = "ø", ["ä"] = "æ", ["ö"] = "ø",
                ["É"] = "e", ["é"] = "e", ["Ü"] = "u", ["ü"] = "u" }
local LONG = { ["æ"] = "ae", ["ø"] = "oe", ["å"] = "aa" }
local SHORT = { ["æ"] = "a", ["ø"] = "o", ["å"] = "a" }
local FOLDS = { LONG, SHORT }
local function fold(s, map)
  s = gsub(lower(s), "\195[\128-\191]", UPPER)
  s = gsub(s, "\195[\128-\191]", map)
  s = gsub(s, "x", "ks")
  return (gsub(s, "[%s%-%.]", ""))
end

-- Whether a and b differ by at most one edit (insert, delete, substitute,
-- swap of neighbours).
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

local NAME, SITE, count = {}, {}, 0   -- folded spelling -> official name; name -> site
for site, names in pairs(M.sites) do
  for _, name in ipairs(names) do
    SITE[name] = site
    count = count + 1
    for _, map in ipairs(FOLDS) do NAME[fold(name, map)] = name end
  end
end
for alias, name in pairs(M.aliases) do
  for _, map in ipairs(FOLDS) do NAME[fold(alias, map)] = name end
end
local SUFFIXES = {}
for i, s in ipairs(M.suffixes) do SUFFIXES[i] = fold(s, LONG) end

local function lookup(raw)
  for _, map in ipairs(FOLDS) do
    local k = fold(raw, map)
    if NAME[k] then return NAME[k] end
    for _, suf in ipairs(SUFFIXES) do
      if #k > #suf and sub(k, -#suf) == suf and NAME[sub(k, 1, -#suf - 1)] then
        return NAME[sub(k, 1, -#suf - 1)]
      end
    end
  end
  local town = raw:match("%d%d%d%d%s+([^,]+)$")   -- "Nørrebrogade 12, 2200 København N"
  if town then
    town = town:gsub("%s+[NSVCK]+$", ""):gsub("%s+S?\195\152$", "")
    local hit = lookup(town)
    if hit then return hit end
  end
  local hit = false                               -- one typo from exactly one name
  for _, map in ipairs(FOLDS) do
    local k = fold(raw, map)
    if #k >= 5 then
      for key, name in pairs(NAME) do
        if #key >= 5 and near(k, key) then
          if hit and hit ~= name then hit = false; break end
          hit = name
        end
      end
    end
    if hit then return hit end
  end
  return false
end

-- Spellings already looked up (a referral's municipality is read once per
-- referral; the spellings repeat), bounded.
local seen, nseen = {}, 0

local places = { count = count }

function places.find(raw)
  local hit = seen[raw]
  if hit == nil then
    hit = lookup(raw)
    if nseen < 2000 then seen[raw] = hit; nseen = nseen + 1 end
  end
  return hit
end

function places.site(name) return name and SITE[name] or false end

return places
