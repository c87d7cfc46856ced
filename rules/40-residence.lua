-- 40-residence.lua — step 4: BUC Region Hovedstaden serves the region's 29
-- municipalities (data/municipalities.lua); others go to their home region.
rule {
  id = "RES-01",
  title = "Bopælskommune uden for Region Hovedstaden",
  when = function(r, f, d)
    return f.municipality == nil, d.explain and ("kommune: %s (%s)"):format(r.municipality,
      f.municipality and ("= " .. f.municipality) or "ikke en af regionens 29 kommuner") or nil
  end,
  action = function(r, f, d)
    d:reason(("%s er ikke en af Region Hovedstadens 29 kommuner; henvisningen sendes til "
      .. "hjemregionens børne- og ungdomspsykiatri."):format(r.municipality))
    d:decide{ outcome = "redirect", target = "other_region" }
  end,
}
