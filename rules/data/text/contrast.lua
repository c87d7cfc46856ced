-- data/text/contrast.lua — what ends a negation's reach (policy: "no
-- contrast word (men, dog) in between"; v1.1: a clause ends at a contrast
-- word). Entries as in negation.lua; these match as whole words.
return {
  words = {
    "men", "dog", "derimod", "hvorimod", "imidlertid", "alligevel", "bortset",
    "undtagen", "udover",
  },
  -- A new clause about the child starts with "og" or a comma and one of
  -- these words: it ends a negation's reach as a contrast does ("Vil ikke i
  -- skole og har selvmordstanker"), but not talk about another person ("Far
  -- har ADHD og er i behandling"). Two words each, as written.
  new_clause = {
    "og har", "og er", "og var", "og får", "og fik", "og viser", "og beskriver",
    "og beskrives", "og fremstår", "og virker", "og lider", "og oplever",
    "og udviser", "og ses", "og hun", "og han", "og nu", "og hører", "og siger",
    "og fortæller", "og tænker", "og der", "og vil", "og kan", "og skal", "og må",
    "og spiser", "og sover", "og går", "og gør", "og tager", "og klarer", "og magter",
    "og orker", "og kommer", "og bliver", "og fungerer", "og trives", "og deltager",
    "og ser", "og taler", "og isolerer", "og ønsker", "og mangler", "og afviser",
    "og benægter", "og bor",
    ", har", ", er", ", var", ", hvor", ", da", ", fordi", ", mens", ", og",
    ", hun", ", han", ", nu",
  },
}
