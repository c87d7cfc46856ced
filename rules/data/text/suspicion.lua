-- data/text/suspicion.lua — a suspicion still counts as evidence (policy
-- v1.1: "Det kan ikke udelukkes, at ..." and "kan ikke afvises" state a
-- suspicion; what follows is evidence, as after "mistanke om"). The
-- negation words inside these phrases negate nothing. Entries as in
-- negation.lua; "inflection" is the default ending.
return {
  "mistanke", "mistænk", "formodet", "formodning", "obs", "spørgsmål om",
  "ikke usandsynligt", "muligvis", "sandsynligvis",
  { phrase = { "kan", "ikke", { "udelukkes", "afvises", "udelukke", "afvise" } }, within = { 1, 0 } },
  "ikke kan udelukkes", "ikke kan afvises",
}
