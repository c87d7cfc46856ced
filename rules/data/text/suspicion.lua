-- data/text/suspicion.lua — a suspicion still counts as evidence (policy
-- v1.1: "Det kan ikke udelukkes, at ..." and "kan ikke afvises" state a
-- suspicion; what follows is evidence, as after "mistanke om"). The
-- negation words inside these phrases negate nothing. Entries as in
-- negation.lua; "inflection" is the default ending.
return {
  "mistanke", "mistænk", "formodet", "formodning", "obs", "spørgsmål om",
  "ikke usandsynligt", "muligvis", "sandsynligvis",
  { re = [[kan( \w+)? ikke (udelukkes|afvises|udelukke|afvise)]] },
  { re = [[ikke kan (udelukkes|afvises)]] },
}
