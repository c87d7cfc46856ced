-- data/text/explain.lua — how each mention explains itself in the trace
-- and on the intake page. {cue} is the word that decided (as the letter
-- writes it, lower case), {term} the mention, {date} YYYY-MM-DD, {months}
-- the key's history limit.
return {
  counted = "nævnt: '{term}'",
  suspected = "mistanke: '{cue}'",
  negated = "negeret af '{cue}'",
  negated_after = "negeret af '{cue}' senere i sætningen",
  label = "negeret i feltet: '{cue}'",
  other_person = "om en anden person: '{cue}'",
  history = "historik: dateret {date}, mere end {months} måneder før modtagelse",
  dated = "dateret {date}",
}
