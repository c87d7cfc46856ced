-- 40-residence.lua — step 4: BUC Region Hovedstaden serves the region's
-- municipalities (data/municipalities.lua); others go to their home region.
local X = include("lib/explain.lua")
local places = include("lib/places.lua")

local REASON = X.say("%s er ikke en af Region Hovedstadens {count} kommuner; henvisningen sendes til "
  .. "hjemregionens børne- og ungdomspsykiatri.", places)
local NOT_OURS = X.say("ikke en af regionens {count} kommuner", places)
local OTHER_REGION = { outcome = "redirect", target = "other_region" }

rule {
  id = "RES-01",
  title = "Bopælskommune uden for Region Hovedstaden",
  when = function(r, f, d) return not f.municipality end,
  explain = function(r, f, d)
    return ("kommune: %s (%s)"):format(r.municipality, f.municipality and ("= " .. f.municipality) or NOT_OURS)
  end,
  action = function(r, f, d)
    d:reason(REASON, r.municipality)
    d:decide(OTHER_REGION)
  end,
}
