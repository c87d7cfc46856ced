-- lib/text.lua — reading Danish referral text as policy.md asks: sentences,
-- negation, family history and dates. T.context(text, received_day) makes the
-- per-referral state; scopes are computed lazily, once, and shared by facts.
local P = include("data/phrases.lua")

local T = {}
local byte, sub, find, lower, gsub = string.byte, string.sub, string.find, string.lower, string.gsub

local function letter(c) return c and ((c >= 65 and c <= 90) or (c >= 97 and c <= 122)) end
local function digit(c) return c and c >= 48 and c <= 57 end
-- A lower-case letter (ASCII or æ ø å) at byte i: after an ordinal ("9. klasse").
local function lowercase_at(s, i)
  local c = byte(s, i)
  if not c then return false end
  if c >= 97 and c <= 122 then return true end
  local c2 = byte(s, i + 1)
  return c == 195 and (c2 == 166 or c2 == 184 or c2 == 165)
end

-- Sentence ends: positions of ".", "!", "?" or a line break that end a
-- sentence; a dot between digits ("4.3.2019", "16.2"), after an ordinal
-- ("9. klasse", "3. maj") or after a short abbreviation ("d.", "ca.") does not. The text's end is the last entry.
local function sentence_ends(text)
  local ends, n, pos = {}, 0, 1
  while true do
    local i = find(text, "[%.!?\n]", pos)
    if not i then break end
    local stop = true
    if byte(text, i) == 46 then
      local nx = byte(text, i + 1)
      if digit(byte(text, i - 1)) and (digit(nx) or (nx == 32 and lowercase_at(text, i + 2))) then
        stop = false
      else
        local j = i - 1
        while j >= i - 5 and letter(byte(text, j)) do j = j - 1 end
        if j < i - 1 and not letter(byte(text, j)) and P.abbreviations[lower(sub(text, j + 1, i - 1))] then
          stop = false
        end
      end
    end
    if stop then n = n + 1; ends[n] = i end
    pos = i + 1
  end
  ends[n + 1] = #text + 1
  return ends
end

local Ctx = {}
Ctx.__index = Ctx

function T.context(text, received_day)
  return setmetatable({ text = text, received = received_day, empty = (text == "") }, Ctx)
end

function Ctx:ends()
  local e = self._ends
  if not e then e = sentence_ends(self.text); self._ends = e end
  return e
end

-- The sentence holding byte position pos: first byte, and the position of
-- its terminator (exclusive end).
function Ctx:sentence(pos)
  local ends, start = self:ends(), 1
  for i = 1, #ends do
    local e = ends[i]
    if e >= pos then return start, e end
    start = e + 1
  end
  return start, #self.text + 1
end

local function starts(re, text)
  local out, n = {}, 0
  for s in re:gmatch(text) do n = n + 1; out[n] = s end
  return out
end

-- Flat list {word_end, scope_end, ...}: each negation word reaches to the end
-- of its sentence or the next contrast word, whichever comes first.
function Ctx:scopes(re)
  local text, out, n = self.text, {}, 0
  local contrast = self._contrast
  if not contrast then contrast = starts(P.contrast, text); self._contrast = contrast end
  for _, e in re:gmatch(text) do
    local _, lim = self:sentence(e)
    for i = 1, #contrast do
      local c = contrast[i]
      if c > e then if c < lim then lim = c end break end
    end
    out[n + 1], out[n + 2] = e, lim
    n = n + 2
  end
  return out
end

function Ctx:neg()
  local s = self._neg
  if not s then s = self:scopes(P.negation); self._neg = s end
  return s
end

function Ctx:neg_doc()
  local s = self._negdoc
  if not s then s = self:scopes(P.negation_doc); self._negdoc = s end
  return s
end

local function inside(spans, s)
  for i = 1, #spans, 2 do
    if spans[i] < s and s < spans[i + 1] then return true end
  end
  return false
end

-- Family clauses as a flat list {start, end, ...}.
function Ctx:family()
  local f = self._fam
  if f then return f end
  local text, n = self.text, 0
  f = {}
  local fend
  local function clause_end(from, lim)
    fend = fend or starts(P.family_end, text)
    for i = 1, #fend do
      local c = fend[i]
      if c >= from then if c < lim then return c end break end
    end
    return lim
  end
  for s, e in P.family_start:gmatch(text) do
    local _, se = self:sentence(s)
    local lim = s + 90
    if se < lim then lim = se end
    f[n + 1], f[n + 2] = s, clause_end(e + 1, lim)
    n = n + 2
  end
  for s, e in P.family_clause:gmatch(text) do
    local ss, se = self:sentence(s)
    local cs = s
    while cs > ss do   -- back to the clause's start
      local c = byte(text, cs - 1)
      if c == 44 or c == 59 or c == 58 then break end
      cs = cs - 1
    end
    f[n + 1], f[n + 2] = cs, clause_end(e + 1, se)
    n = n + 2
  end
  self._fam = f
  return f
end

-- Whether the mention at s..e is not evidence: negated, or (unless kind is
-- "doc" or "nofam") about a relative. kind "doc" uses the document negations.
function Ctx:discounted(s, e, kind)
  local text = self.text
  if kind == "doc" then
    if inside(self:neg(), s) or inside(self:neg_doc(), s) then return true end
    if P.post_doc:find(text, e + 1) then return true end
    return false
  end
  if inside(self:neg(), s) or P.post_clin:find(text, e + 1) then return true end
  if kind == "nofam" then return false end
  local f = self:family()
  for i = 1, #f, 2 do
    if f[i] <= s and s < f[i + 1] then return true end
  end
  return P.family_post:find(text, e + 1) ~= nil
end

-- First mention of re that counts as evidence: start, end; or nil.
function Ctx:first(re, kind)
  if self.empty then return nil end
  for s, e in re:gmatch(self.text) do
    if not self:discounted(s, e, kind) then return s, e end
  end
  return nil
end

-- Iterator over the mentions of re that count as evidence.
function Ctx:each(re, kind)
  local text, pos = self.text, 1
  return function()
    if self.empty then return nil end
    while true do
      local s, e = re:find(text, pos)
      if not s then return nil end
      pos = e + 1
      if e < s then pos = s + 1 end
      if not self:discounted(s, e, kind) then return s, e end
    end
  end
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

-- Calls fn(day, start) for each date in text[from..to).
function Ctx:dates(from, to, fn)
  local text, pos = self.text, from
  while pos < to do
    local s, e, caps = P.date:captures(text, pos)
    if not s or s >= to then return end
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
