-- data/reading.lua — what the rules read. The shipped policy reads the free
-- text as well as the structured fields; the structured-only comparison set
-- (corpus/make-strict) turns text off here and nowhere else.
return {
  text = true,
}
