-- data/text.lua — everything the engine's text layer reads letters with,
-- gathered from data/text/: the spelling rules, the word classes (negation,
-- contrast, suspicion, people, sentences, time, measures), the terms of
-- every evidence key and the Danish explanations. The engine compiles it
-- once per rule set into one matcher; edit the files, not this one.
local keys = {}
for _, part in ipairs({ "groups", "risk", "documents", "family", "medication" }) do
  for name, key in pairs(include("data/text/" .. part .. ".lua")) do
    assert(keys[name] == nil, "data/text: key " .. name .. " declared twice")
    keys[name] = key
  end
end

return {
  spelling = include("data/text/spelling.lua"),
  negation = include("data/text/negation.lua"),
  contrast = include("data/text/contrast.lua"),
  suspicion = include("data/text/suspicion.lua"),
  people = include("data/text/people.lua"),
  sentences = include("data/text/sentences.lua"),
  time = include("data/text/time.lua"),
  measures = include("data/text/measures.lua"),
  explain = include("data/text/explain.lua"),
  keys = keys,
}
