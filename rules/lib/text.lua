-- lib/text.lua — reading Danish referral text as policy.md asks: sentences,
-- negation, family history and dates. T.context(text, received_day) points
-- the engine's scanner at a referral; what it finds is shared by all facts.
local P = include("data/phrases.lua")

local T = {}
local lower, gsub, find, sub = string.lower, string.gsub, string.find, string.sub

-- The engine's text scanner reads each referral's text once for every rule:
-- sentence ends, negation scopes (to the sentence's end or the next contrast
-- word), family clauses, and the mentions of every term, all from the
-- patterns and word lists in data/phrases.lua. A mention counts unless it is
-- negated ("ingen selvskade", "ADHD er afkræftet") or, unless kind is "doc"
-- or "nofam", about a relative; kind "doc" also uses the document negations.
local S = scanner{
  negation = P.negation, negation_doc = P.negation_doc, contrast = P.contrast,
  post_clin = P.post_clin, post_doc = P.post_doc,
  family_start = P.family_start, family_clause = P.family_clause,
  family_end = P.family_end, family_post = P.family_post, family_reach = P.family_reach,
  abbreviations = P.abbreviations,
}

-- T.terms(...): the patterns rules read with first/each (regexes or tables
-- of them). Declared at load, they are found in one pass over each text;
-- any other pattern still works, scanned on its own.
T.terms = S.terms
-- T.set{re, ...}: a set of declared patterns (at most 64) that ctx:which
-- asks about all at once, in one call instead of one first() per pattern.
T.set = S.set
S.terms(P.date)           -- dates are read sentence by sentence: Ctx:dates

local Ctx = {
  first = S.first,         -- ctx:first(re [, kind]) -> start, end of the first mention that counts
  each = S.each,           -- ctx:each(re [, kind]) -> iterator over those mentions
  sentence = S.sentence,   -- ctx:sentence(pos) -> first byte, terminator (exclusive end)
  which = S.which,         -- ctx:which(set [, kind]) -> bit i - 1 set: set[i] has a mention that counts
}
Ctx.__index = Ctx

-- One context per referral, reused: the fact cache holds it for one referral.
local ctx = setmetatable({}, Ctx)
function T.context(text, received_day)
  S.reset(text)
  ctx.text, ctx.received, ctx.empty = text, received_day, (text == "")
  return ctx
end

-- "16,2" or "16.2" as a number.
function T.number(s)
  if not s then return nil end
  return tonumber((gsub(s, ",", ".")))
end

local function count(word)
  local n = tonumber(word)
  if n then return n end
  return P.numbers[lower(gsub(word, "%s+", " "))]
end
T.count = count

-- Months in a span like "3 måneder", "to uger", "et halvt år".
function T.span_months(num, unit)
  local n = count(num)
  if not n then return nil end
  unit = lower(unit)
  if find(unit, "^uge") then return n * 12 / 52 end
  if find(unit, "^m") then return n end
  return n * 12
end

local function year(y, recv_y)
  local v = tonumber(y)
  if #y == 2 then return (v <= recv_y % 100) and 2000 + v or 1900 + v end
  return v
end

-- Day number of the date captured by P.date, relative to the received day.
function T.resolve(c, recv)
  local ry = date.parts(recv)
  if c[1] then return date.ymd(tonumber(c[1]), tonumber(c[2]), tonumber(c[3])) end
  if c[4] then return date.ymd(year(c[6], ry), tonumber(c[5]), tonumber(c[4])) end
  if c[7] then return date.ymd(year(c[9], ry), tonumber(c[8]), tonumber(c[7])) end
  if c[10] then return date.ymd(tonumber(c[12]), P.months[lower(sub(c[11], 1, 3))], tonumber(c[10])) end
  if c[13] then return date.ymd(tonumber(c[14]), P.months[lower(sub(c[13], 1, 3))], 15) end
  if c[15] then return date.ymd(tonumber(c[16]), tonumber(c[15]), 15) end
  if c[17] then return date.ymd(tonumber(c[17]), 7, 1) end
  if c[18] then
    local n, unit = count(c[18]), lower(c[19])
    if not n then return nil end
    if find(unit, "^å") then return date.add_months(recv, -math.floor(n * 12 + 0.5)) end
    if find(unit, "^m") then return date.add_months(recv, -math.floor(n + 0.5)) end
    if find(unit, "^u") then return recv - math.floor(7 * n + 0.5) end
    return recv - math.floor(n + 0.5)
  end
  if c[20] then return recv end
  if c[21] then return date.ymd(ry - 1, 7, 1) end
  return nil
end

-- Calls fn(day, start) for each date in text[from..to): the dates a search
-- from `from` finds, taken from the scanner's one pass over the text unless
-- a date found there runs over `from` (then the regex searches itself).
local DATE, from_scan = P.date, S.from
function Ctx:dates(from, to, fn)
  local text, pos = self.text, from
  while pos < to do
    local s, e = from_scan(self, DATE, pos)
    if s == nil or (s and s >= to) then return end
    local caps, _
    if s then _, _, caps = DATE:captures(text, s)
    else s, e, caps = DATE:captures(text, pos)
         if not s or s >= to then return end end
    local day = T.resolve(caps, self.received)
    if day then fn(day, s) end
    pos = e + 1
  end
end

-- The date in the mention's sentence nearest to it, or nil.
function Ctx:date_near(s, e)
  local ss, se = self:sentence(s)
  local best, dist
  self:dates(ss, se, function(day, at)
    local d = at < s and s - at or at - e
    if not dist or d < dist then best, dist = day, d end
  end)
  return best
end

return T
