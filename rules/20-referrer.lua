-- 20-referrer.lua — step 2: a referral must come from a doctor (GP,
-- specialist, hospital) or the municipality, health visitors included.
local REJECT = { outcome = "reject" }

rule {
  id = "REF-01",
  title = "Henvisning fra familien selv eller en anden end læge/kommune",
  when = function(r, f, d)
    local kind = r.referrer_kind
    return kind == "self" or kind == "other"
  end,
  explain = function(r, f, d) return "henviser: " .. tostring(r.referrer_kind) end,
  action = function(r, f, d)
    d:reason("BUC kan kun modtage henvisninger fra en læge eller fra kommunen. Kontakt egen læge, "
      .. "eller kommunens PPR / §126a-tilbud, som kan vurdere barnet og henvise.")
    d:decide(REJECT)
  end,
}
