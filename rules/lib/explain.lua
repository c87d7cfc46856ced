-- lib/explain.lua — the words `triage check --explain` shows for each rule:
-- what the rule looked at and what it found, built only when the trace is
-- recorded (d.explain), so deciding without --explain pays nothing for them.
local G = include("data/groups.lua")

local X = {}

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
  if v == nil then return "ikke oplyst" end
  return ("%.1f%s"):format(v, unit or "")
end

return X
