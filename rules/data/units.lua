-- data/units.lua — BUC units: acute, eating disorders, Bornholm, and each
-- site's unit per age band (policy.md step 9). Bands are inclusive whole
-- years, each with both ends a number of years (90-accept.lua lists every
-- age of a band at load); where two bands hold an age, the first gives its
-- unit. The deadlines are data/policy.lua's.
return {
  acute = "B205",
  eating = "B132",
  bornholm = "B377",
  sites = {
    glostrup   = { { 0, 7, "B192" }, { 8, 13, "B193" }, { 14, 17, "B195" } },
    bispebjerg = { { 0, 2, "B290" }, { 3, 7, "B291" }, { 8, 13, "B294" }, { 14, 17, "B295" } },
    hilleroed  = { { 0, 7, "B391" }, { 8, 13, "B393" }, { 14, 17, "B395" } },
  },
  site_names = { glostrup = "Glostrup", bispebjerg = "Bispebjerg", hilleroed = "Hillerød", bornholm = "Bornholm" },
}
