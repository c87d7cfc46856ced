-- 30-age.lua — step 3: from age.adult (effective age) the adult services take
-- over. An 18-year-old already known in child psychiatry counts as 17.
local X = include("lib/explain.lua")
local P = include("data/policy.lua")

local REASON = X.say("Den unge er fyldt {age.adult} år; henvisningen sendes til voksenpsykiatrien.")
local ADULT = { outcome = "redirect", target = "adult_psychiatry" }

rule {
  id = "AGE-01",
  title = X.say("Effektiv alder {age.adult} år eller derover"),
  when = function(r, f, d) return f.effective_age >= P.age.adult end,
  explain = function(r, f, d)
    return ("alder %d år, effektiv alder %d år"):format(r.age, f.effective_age)
  end,
  action = function(r, f, d)
    d:reason(REASON)
    d:decide(ADULT)
  end,
}
