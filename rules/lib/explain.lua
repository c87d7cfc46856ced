-- lib/explain.lua — words for reasons and for what `triage check --explain`
-- shows of each rule. X.say puts the policy's numbers (data/policy.lua) into
-- a text once, at load, so that a reason never restates a number the data
-- holds; the rest are small helpers for the trace, which rules build only
-- when it is recorded (a rule's `explain` function).
local G = include("data/groups.lua")
local P = include("data/policy.lua")

local X = {}

-- A number as Danish writes it: 18, 14,0.
local function danish(v)
  if math.type(v) == "integer" then return tostring(v) end
  return (("%.1f"):format(v):gsub("%.", ","))
end

local function lookup(root, path)
  local v = root
  for part in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    v = v[part]
  end
  return v
end

-- text with every "{name}" or "{a.b.c}" replaced by that value of more
-- (optional), else of data/policy.lua; an unknown name is an error, so a
-- typo fails the rule set's load. Made once, at load: the result is a
-- constant string (format directives such as %s stay for d:reason).
function X.say(text, more)
  return (text:gsub("{([%w_.]+)}", function(path)
    local v = more and lookup(more, path)
    if v == nil then v = lookup(P, path) end
    if type(v) == "number" then return danish(v) end
    if type(v) == "string" then return v end
    error(("X.say: no value for {%s} in data/policy.lua"):format(path), 3)
  end))
end

function X.yes(v) return v and "ja" or "nej" end

-- The diagnostic groups found, in Danish, sorted: "ADHD, autisme" or "ingen".
function X.groups(f)
  local out = {}
  for g in pairs(f.groups) do out[#out + 1] = G.names[g] or g end
  if #out == 0 then return "ingen" end
  table.sort(out)
  return table.concat(out, ", ")
end

-- A number with one decimal, or "ikke oplyst".
function X.num(v, unit)
  if not v then return "ikke oplyst" end
  return ("%.1f%s"):format(v, unit or "")
end

return X
