-- data/answers.lua — the wording of the answer to the referrer, one part per
-- outcome, and the names a person deciding chooses from. lib/answer.lua puts
-- a letter together from these; {name} is filled in there:
--   {id} {received} {date}          the referral, when it came, the letter's date
--   {unit} {code} {place} {address} where the child is seen (the unit and its
--                                   code) or sent
--   {priority} {deadline} {reply}   how soon; the reply date of a request
--   {municipality} {how} {contact}  the child's municipality; what to do; whom to ask
return {
  -- Days the referrer has to send what is missing, from the letter's date.
  reply_days = 14,

  months = { "januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december" },

  dateline = "Dato: {date}",
  subject = "Svar på henvisning {id}, modtaget {received}",
  recipient = {
    referrer = "Henviser",
    municipality = "PPR, {municipality} (kopi til henviser)",
  },
  greeting = "Tak for henvisningen.",
  reasons = "Begrundelse:",
  by_person = "Afgørelsen er truffet af visitationen i BUC.",
  signature = "Med venlig hilsen\nVisitationen\nBørne- og Ungdomspsykiatrisk Center, Region Hovedstaden",

  accept = {
    lead = "Henvisningen er modtaget og visiteret til udredning i {unit} (enhed {code}).",
    priority = "Henvisningen er prioriteret som {priority}.",
    deadline = "Barnet og familien får besked om første samtale senest {deadline}.",
    where = "Sted: {place}, {address}.",
  },
  request_info = {
    lead = "Vi har modtaget henvisningen, men kan ikke visitere barnet, før vi har følgende:",
    reply = "Send venligst oplysningerne senest {reply}. Henvisningen afventer dem hos os; "
      .. "barnet mister ikke sin plads i køen.",
    from_municipality = "Oplysningerne indhentes hos PPR i {municipality}, da de kommer fra "
      .. "kommunens eget materiale.",
  },
  redirect = {
    lead = "Henvisningen hører ikke til i BUC og er sendt videre til {place}.",
    acute = "Barnet skal ses akut, senest {deadline}.",
    how = "Sådan kommer barnet videre: {how}",
    contact = "Kontakt: {contact}",
  },
  reject = {
    lead = "Vi kan desværre ikke modtage henvisningen.",
    help = "Andre muligheder: en henvisning fra barnets egen læge, eller kommunens tilbud "
      .. "(PPR og rådgivning efter § 126a). Ved akut behov: ring til Akuttelefonen 1813 "
      .. "eller 112.",
  },

  -- What a person deciding chooses from (the override form), in this order.
  outcomes = {
    { code = "accept", label = "Visitér til BUC" },
    { code = "request_info", label = "Bed om flere oplysninger" },
    { code = "redirect", label = "Send videre" },
    { code = "reject", label = "Afvis" },
  },
  priorities = {
    { code = "acute", label = "akut" },
    { code = "urgent", label = "hastende" },
    { code = "routine", label = "rutine" },
  },
  missing = {
    { code = "cognitive_assessment", label = "en kognitiv vurdering af barnet (fx WISC-V)" },
    { code = "updated_cognitive_assessment",
      label = "en opdateret kognitiv vurdering (den vedlagte er over 24 måneder gammel)" },
    { code = "ppv", label = "en pædagogisk-psykologisk vurdering (PPV) fra PPR" },
    { code = "consent_both_custodians",
      label = "samtykke fra begge forældremyndighedsindehavere" },
    { code = "somatic_measurements", label = "højde og vægt eller BMI" },
  },
  request_from = {
    { code = "referrer", label = "henviser" },
    { code = "municipality", label = "kommunens PPR" },
  },
}
