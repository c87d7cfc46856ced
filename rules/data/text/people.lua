-- data/text/people.lua — whose a mention is (policy "family history", v1.1
-- "other people"): a term about a parent, sibling, half-sibling,
-- grandparent, friend, classmate or partner is not evidence about the
-- child. A person is the subject of what follows when a verb of `verbs`
-- follows them ("far har ADHD", "morbror med skizofreni", "kæresten ryger
-- hash") or a term does ("storebror går i BUC", "far ADHD"); their
-- possessive ("mors depression") and "ADHD hos far" are theirs too; a
-- `clause` word makes its whole clause someone else's ("i familien").
-- Their reach ends at the clause's end (a list of terms goes on: "far har
-- ADHD, autisme og depression"), at a contrast, or where the child is the
-- subject again (`child`). persons and clause are word lists (entries as in
-- negation.lua); the others are read next to those words: plain words and
-- phrases of up to three words, as written.
return {
  -- People other than the child; "inflection" is the default ending
  -- (faren, søsteren, kæresten) and a possessive s makes "mors", "fars".
  persons = {
    "mor", "far", "moder", "fader", "forælder", "forældre", "mødre", "fædre",
    "bror", "broder", "brødre", "søster", "søstre", "søskende",
    "storebror", "lillebror", "storesøster", "lillesøster", "storebrødre",
    "halvbror", "halvbroder", "halvsøster", "halvsøskende", "halvsøstre", "halvbrødre",
    "tvillingebror", "tvillingesøster", "tvilling", "stedsøskende", "bonussøskende",
    "bedstemor", "bedstefar", "bedsteforældre", "mormor", "morfar", "farmor", "farfar",
    "oldemor", "oldefar", "morbror", "farbror", "moster", "faster", "onkel", "onklen",
    "tante", "fætter", "kusine", "stedfar", "stedmor", "papfar", "papmor", "bonusfar",
    "bonusmor", "plejebror", "plejesøster",
    "ven", "venner", "veninde", "veninder", "kammerat", "klassekammerat",
    "skolekammerat", "kæreste", "kærester", "boyfriend", "girlfriend",
  },
  -- What makes a person the subject of what follows.
  verbs = {
    "har", "havde", "har haft", "med", "lider", "led", "fik", "får", "tager", "tog",
    "ryger", "drikker", "bruger", "døde", "begik",
    "er diagnosticeret", "er kendt med", "er udredt", "er i behandling", "er behandlet",
    "blev diagnosticeret", "blev udredt", "blev behandlet", "behandles", "diagnosticeret",
    "går i", "gik i", "går på", "gik på", "følges i", "følges på",
    "var indlagt", "er indlagt", "var psykisk syg", "er psykisk syg", "vejer", "vejede",
    "måler",
  },
  -- What makes them the one who tells, sees or asks instead ("mor
  -- beskriver, at ...", "far har oplevet selvskade"): not the subject.
  reporting = {
    "har bemærket", "har observeret", "har oplevet", "har set", "har beskrevet",
    "har fortalt", "har berettet", "har noteret", "har registreret", "har henvendt",
    "har søgt", "har kontaktet", "har været bekymret", "har udtrykt", "har givet",
    "har meldt", "har ringet", "har haft kontakt", "har mistanke", "har spurgt",
    "har bedt", "har ønsket", "har samtykket", "har underskrevet", "har skrevet",
    "har talt", "har fundet", "fortæller", "beskriver", "oplyser", "oplever",
    "bemærker", "mener", "siger", "ser", "fandt", "vurderer", "ønsker",
    "er bekymret", "er bekymrede", "viser", "tyder",
  },
  -- A clause holding one of these is about someone else as a whole.
  clause = {
    "i familien", "i familie", "i den nære familie", "i nærmeste familie",
    "i den nærmeste familie", "i den biologiske familie", "i slægten",
    "familiær", "familiært", "arvelig", "disposition", "disponeret", "hereditet",
    "familiehistorie", "familieanamnese", "familiebelastning", "familiedisposition",
    "på mors side", "på fars side", "på moderens side", "på faderens side",
    "på mødrene side", "på fædrene side",
  },
  -- The child as subject again: a person's reach ends here.
  child = {
    "drengen", "pigen", "barnet", "sønnen", "datteren", "eleven", "patienten", "pt",
    "han", "hun", "hans", "hendes", "drengens", "pigens", "barnets", "sønnens",
    "datterens", "elevens", "vedkommende", "den unge",
  },
  -- Words the text may hold between a person and their verb or term.
  joins = { "og", "eller", "samt", "og/eller" },
  fillers = { "også", "selv", "tidligere", "formentlig", "muligvis", "sandsynligvis",
              "angiveligt", "vist", "begge", "nu", "er", "var", "blev", "ligeledes",
              "både", "bedste", "en", "et", "min", "sin", "sine" },
  relative = { "som", "der" },
  -- After a term, names whose it is: "ADHD hos far".
  after = { "hos" },
}
