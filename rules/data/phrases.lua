-- data/phrases.lua — the Danish phrasings the rules read in free text, each
-- compiled once at load: negation, contrast, family history, dates, and the
-- wording of documents, consent, custody, earlier contact and measurements.
-- Patterns are PCRE2, caseless and UTF-8 (regex() defaults), "x" = extended.

-- Relatives; possessive forms start a family clause on their own ("mors bror").
local REL = [[(?:fa(?:r|ren|der|deren)|mo(?:r|ren|der|deren)
  |(?:store|lille|halv|tvilling)?(?:bro(?:r|ren|deren)|søst(?:er|eren|re|rene))|brødre(?:ne)?|(?:halv)?søskende(?:ne)?
  |(?:mor|far)(?:bro(?:r|ren|deren)|fa(?:r|ren|deren)|mo(?:r|ren|deren))|(?:mo|fa)ste(?:r|ren)
  |bedste(?:mo(?:r|ren|deren)|fa(?:r|ren|deren)|forældre(?:ne)?)|olde(?:mor|far)(?:en)?
  |onkel|onklen|tante(?:n)?|fætte(?:r|ren)|kusine(?:n)?|(?:sted|pap|bonus)(?:far|faren|mor|moren)
  |biologiske?\s+(?:far|faren|mor|moren|forældre))]]
local RELPOSS = [[(?:fa(?:rs|rens|ders|derens)|mo(?:rs|rens|ders|derens)
  |(?:store|lille|halv)?(?:bro(?:rs|rens|derens)|søst(?:ers|erens))|søskendes
  |(?:mor|far)(?:bro(?:rs|rens|derens)|fa(?:rs|rens|derens)|mo(?:rs|rens|derens))|(?:mo|fa)ste(?:rs|rens)
  |forældrenes|forældres|bedsteforældrenes|familiens|onkels|tantes|fætters|kusines)]]
local BUC = [[(?:buc|bup|b&u|bu-?psykiatri\w*|børne-?\s*og\s+ungdomspsykiatri\w*|børne-?\s*og\s+ungdomspsykiatrisk\w*(?:\s+(?:center|afdeling|ambulatorium)\w*)?|børnepsykiatri\w*|ungdomspsykiatri\w*|psykiatrisk\w*\s+(?:afdeling|ambulatorium|center)\w*\s+for\s+børn\s+og\s+unge)]]
local NUMW = [[(?:\d+½?|en|et|ét|to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|et\s+par|nogle|få|et\s+halvt|halve|halvandet|det\s+(?:seneste|sidste))]]

return {
  -- Words before a term that negate it (policy: ikke, ingen, intet, uden,
  -- aldrig, hverken ...). "ikke kun", "uden for" are not negations.
  negation = regex([[
    \b(?: ikke(?!\s+(?:kun|blot|bare|alene|mindst)\b) | ingen | intet | uden(?!\s+for\b) | aldrig
        | hverken | ej | næppe | benægter | benægtede | afviser | afviste | nægter | fravær\s+af )\b ]], "x"),
  -- Further negations that only concern documents and consent: "mangler
  -- PPV", "afventer kognitiv test" (but "afventer udredning for ADHD" still
  -- names ADHD, so these do not negate clinical terms).
  negation_doc = regex([[
    \b(?: mangler | manglende | mangel\s+på | afventer | afventes | savner | savnes | ønsker | ønskes
        | planlægges | planlagt | bestilt | bestilles | endnu\s+ikke
        | skal\s+(?:\w+\s+){0,2}?(?:laves|foretages|udføres|gennemføres|testes|undersøges|udredes|have\s+lavet)
        | vil\s+blive\s+(?:lavet|foretaget|udført|gennemført|testet|undersøgt) )\b ]], "x"),
  -- What ends a negation's reach inside a sentence: a contrast word (men,
  -- dog ...), a new finite clause ("og har ...", ", hun ..."), a semicolon.
  contrast = regex([[
      \b(?: (?:men|dog|derimod|imidlertid|alligevel|bortset|undtagen|udover)\b
         | og\s+(?:har|er|var|får|fik|viser|beskriver|beskrives|fremstår|virker|lider|oplever|udviser|ses|hun|han|nu|hører|siger|fortæller|tænker)\b )
    | ,\s*(?:har|er|var|hvor|da|fordi|mens|og|hun|han|som|nu)\b
    | ; ]], "x"),
  -- The clause after a clinical term negates it: "ADHD er afkræftet",
  -- "Selvskade: nej". Anchored at the end of the term (\G).
  post_clin = regex([[
      \G(?:\s+(?:symptom|træk|tegn|tank|adfærd|oplevels|episod|lidelse|problem)\w*)?[\s,]*(?:\([^)]{0,30}\)\s*)?
        (?:(?:er|blev|bliver|var|kan|kunne|må|anses|vurderes|synes|findes|nu|dog|tidligere|senere|efterfølgende|sidenhen)\s+(?:for\s+)?){0,3}
        (?:afkræftet|afkræftes|udelukket|udelukkes|afvist|afvises|benægtes|benægtet|usandsynlig\w*
          |ikke\s+(?:til\s+stede|aktuel\w*|mistænkt|påvist|sandsynlig\w*|længere\s+aktuel\w*))\b
    | \G(?:\s+(?:symptom|træk|tegn|tank|adfærd|oplevels|episod|lidelse|problem)\w*)?\s*[:=–-]\s*(?:nej|ingen|ikke|negativ|0)\b ]], "x"),
  -- The clause after a document term negates it: "PPV foreligger ikke",
  -- "PPV mangler", "er ikke foretaget/udarbejdet/givet", "er bestilt".
  post_doc = regex([[
      \G[\s,]*(?:\([^)]{0,40}\)\s*)?
        (?:(?:er|blev|bliver|var|foreligger|findes|haves|har|været|endnu|stadig|desværre|fortsat|heller|kan|kunne|dog|ligeledes|skal|først|vil)\s+){0,3}
        (?:ikke|ej|nej|ingen|mangler|manglende|afventes|afventer|bestilt|bestilles|eftersendes|ønskes|planlagt|planlægges
          |laves|foretages|udføres|gennemføres
          |under\s+udarbejdelse|undervejs|på\s+vej)\b
    | \G\s*[:=–-]\s*(?:nej|ingen|ikke|mangler|afventes|0)\b ]], "x"),

  -- Family history. A relative followed by what they have ("far har ADHD",
  -- "morbror med skizofreni", "mors depression") starts a clause about them.
  family_start = regex([[
    \b(?:
        ]] .. REL .. [[(?:\s*(?:,|og|samt)?\s*]] .. REL .. [[)*
        (?:\s+(?:også|selv|tidligere|formentlig|muligvis|ligeledes|sandsynligvis|angiveligt|vist|begge|i\s+mange\s+år))*
        \s+(?:(?:har|havde)\b(?!\s+(?:(?:også|selv|flere\s+gange|tidligere|længe)\s+)?(?:bemærket|observeret|oplevet|set|beskrevet|fortalt|berettet|noteret|registreret
                 |henvendt|søgt|kontaktet|været\s+bekymret|udtrykt|givet|meldt|ringet|haft\s+kontakt|mistanke|spurgt|bedt|ønsket|samtykket|underskrevet|skrevet|talt)\b)
             |var\s+(?:psykisk\s+syg|diagnosticeret|alkoholiker|misbruger|indlagt|kendt)|med|lider|led|fik|får|tager|diagnosticeret|behandles|behandlet
             |er\s+(?:diagnosticeret|kendt|i\s+behandling|behandlet|udredt|tidligere|selv|også)
             |blev\s+(?:diagnosticeret|udredt|behandlet))\b
      | ]] .. REL .. [[,?\s+(?:der|som)\s+(?:selv\s+|også\s+|tidligere\s+)?(?:har|havde|lider|led|er\s+diagnosticeret|er\s+udredt|fik)\b
      | ]] .. RELPOSS .. [[\s
      | (?:begge\s+forældre(?:ne)?\s+(?:har|havde|er|var|lider|med)|forældrene\s+(?:har|er|lider)\s+begge|en\s+af\s+forældrene|den\s+ene\s+forælder)\b ) ]], "x"),
  -- How far (in bytes) a clause begun by a relative reaches at most, when no
  -- family_end word or the sentence's end comes first.
  family_reach = 90,
  -- Markers that make their whole clause family history ("i familien").
  family_clause = regex([[
      \b(?: (?:familiær\s+disposition|familie(?:anamnese|historie|belastning|disposition)|arvelige\s+forhold|disposition|hereditet)\s*:   # a heading: "Familiær disposition: far ADHD"
         | i\s+(?:den\s+)?(?:nære\s+|nærmeste\s+|biologiske\s+)?famili(?:en|e)\b
         | familiær\w*
         | familiært\b
         | arvelig\w*
         | disposition\w*
         | disponeret\b
         | familie(?:historie|anamnese|belastning)\w*
         | hereditet\w*
         | i\s+slægten\b
         | på\s+(?:mors|fars|moderens|faderens|mødrene|fædrene)\s+side\b ) ]], "x"),
  -- What ends a family clause: the child becomes the subject again.
  family_end = regex([[
      \b(?: (?:men|dog|mens|hvorimod|derimod|at|om|hvordan|fordi|pga|grundet|idet|drengen|pigen|barnet|sønnen|datteren
          |hans|hendes|drengens|pigens|barnets|sønnens|datterens|han|hun|patienten|pt|vedkommende)\b
         | den\s+unge\b )
    | [;:(] ]], "x"),
  -- A term followed by where it sits in the family: "ADHD hos far",
  -- "depression og angst i familien". Anchored at the end of the term.
  family_post = regex([[
      \G(?:[\s,]+(?:og|samt|eller)?\s*[\w-]+){0,2}?\s*
        (?:hos\s+(?:både\s+)?(?:]] .. REL .. [[|flere\s+i\s+familien|forældre(?:ne)?)
          |i\s+(?:den\s+)?(?:nære\s+|nærmeste\s+|biologiske\s+)?famili(?:en|e)\b
          |på\s+(?:mors|fars|moderens|faderens|mødrene|fædrene)\s+side) ]], "x"),

  -- Dates. Captures: 1-3 ISO y m d; 4-6 d/m-y; 7-9 d.m.y; 10-12 "3. maj
  -- 2018"; 13-14 month-name year; 15-16 m.yyyy or m/yyyy; 17 year; 18-19
  -- "for N år/måneder siden"; 20 just now ("i går", "for nylig"); 21
  -- "sidste år".
  date = regex([[
      \b(\d{4})-(\d{1,2})-(\d{1,2})\b
    | \b(\d{1,2})/(\d{1,2})\s*-\s*(\d{4}|\d{2})\b
    | (?:\bd\.\s*)?\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})\b
    | (?:\bd\.\s*)?\b(\d{1,2})\.?\s+(jan(?:uar)?|feb(?:ruar)?|mar(?:ts)?|apr(?:il)?|maj|jun(?:i)?|jul(?:i)?|aug(?:ust)?|sep(?:t|tember)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(\d{4})\b
    | \b(jan(?:uar)?|feb(?:ruar)?|mar(?:ts)?|apr(?:il)?|maj|jun(?:i)?|jul(?:i)?|aug(?:ust)?|sep(?:t|tember)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(\d{4})\b
    | \b(\d{1,2})[./](\d{4})\b
    | \b((?:19|20)\d\d)\b
    | \b(?:for\s+)?(]] .. NUMW .. [[)\s+(år|års|måned\w*|mdr\.?|uge\w*|dag\w*)\s+siden\b
    | \b(i\s+går|i\s+dag|i\s+nat|i\s+morges|i\s+aftes|i\s+forgårs|forleden|i\s+weekenden|sidste\s+uge|i\s+sidste\s+uge|denne\s+uge|for\s+nylig|nyligt?|netop|lige\s+nu|aktuelt)\b
    | \b(sidste\s+år|sidste\s+sommer|sidste\s+vinter|sidste\s+forår|sidste\s+efterår)\b ]], "x"),
  -- A time span ("på 2 måneder", "over tre uger") for weight loss.
  span = regex([[\b(]] .. NUMW .. [[)\s+(år|måned\w*|mdr\.?|uge\w*)\b]], "x"),
  numbers = { en = 1, et = 1, ["ét"] = 1, to = 2, tre = 3, fire = 4, fem = 5, seks = 6, syv = 7,
              otte = 8, ni = 9, ti = 10, elleve = 11, tolv = 12, ["et par"] = 2, nogle = 3,
              ["få"] = 2, ["et halvt"] = 0.5, halve = 0.5, halvandet = 1.5, ["½"] = 0.5, ["1½"] = 1.5,
              ["2½"] = 2.5, ["3½"] = 3.5, ["det seneste"] = 1, ["det sidste"] = 1 },
  months = { jan = 1, feb = 2, mar = 3, apr = 4, maj = 5, jun = 6, jul = 7, aug = 8,
             sep = 9, okt = 10, nov = 11, dec = 12 },
  -- Words that end with a dot without ending the sentence ("d. 4.3.2019").
  abbreviations = { d = true, ca = true, f = true, eks = true, bl = true, a = true, evt = true,
                    pga = true, mht = true, jf = true, dvs = true, kl = true, nr = true, ift = true,
                    inkl = true, vedr = true, pt = true, mdr = true, dr = true, hhv = true,
                    iflg = true, ifm = true, mv = true, tlf = true, ang = true, el = true,
                    bla = true, ex = true, mg = true, stk = true, gl = true, tidl = true, sml = true,
                    iht = true, obs = true, beh = true, dgl = true, afd = true, amb = true, spec = true,
                    psyk = true, jan = true, feb = true, apr = true, jun = true,
                    jul = true, aug = true, sep = true, sept = true, okt = true, nov = true, dec = true },

  -- Documents (step 6).
  cognitive = regex([[
      \b(?: (?:wisc|wppsi|wais|leiter)\w*(?:-\s?(?:[ivx]{1,4}|\d|r)\b|\s+(?:iv|iii|v|[2-5])\b)?
         | kognitiv\w*\s+(?:\w+\s+)?(?:vurdering|undersøgelse|udredning|test|testning|screening|profil|evnevurdering)\w*
         | kognitivt?\s+(?:testet|undersøgt|vurderet|udredt)
         | evne(?:test|undersøgelse|måling|vurdering|testning)\w*
         | intelligens(?:test|måling|undersøgelse|testning)\w*
         | psykolog(?:isk)?\s*test\w*
         | intelligenskvotient\w*
         | (?:fsiq|iq|ik)(?:'?en|-?(?:niveau|score|værdi)\w*)?\b[\s:=]*(?:(?:på|er|var|af|ca\.?|omkring|målt\s+til|svarende\s+til|i\s+(?:området|intervallet|niveauet))\s*)*\d{2,3}\b ) ]], "x"),
  ppv = regex([[
      \b(?: ppv(?:'?en|'?et)?\b
         | p(?:æ|ae)d(?:agogisk(?:e)?)?\.?\s*[-–/]?\s*psyk(?:ologisk(?:e)?)?\.?\s+(?:vurdering|udtalelse)\w*
         | ppr[-\s]*(?:psykolog\w*\s+)?(?:udtalelse|vurdering|rapport|beskrivelse|notat|statusbeskrivelse)\w*
         | (?:udtalelse|vurdering|rapport|beskrivelse)\w*\s+(?:fra|af|udarbejdet\s+af)\s+(?:kommunens\s+)?ppr\b
         | ppr\s*(?:'s|s)\s+(?:vurdering|udtalelse|beskrivelse)\w*
         | ppr(?:\s*'?s)?(?:[-\s]*psykolog\w*)?\s+har\s+(?:(?!(?:ikke|ej|aldrig|endnu)\b)\w+\s+){0,2}?(?:vurderet|udarbejdet|beskrevet|lavet|foretaget|udfærdiget|skrevet) ) ]], "x"),
  -- IQ value; capture 1 is the number (policy step 7: "IQ 62", "samlet IK 65").
  iq = regex([[
      \b(?:fsiq|iq|ik|samlet\s+ik|samlet\s+iq|total[-\s]?ik|totalik|helheds-?ik|fuldskala[-\s]?iq|intelligenskvotient)(?:'?en|-?(?:niveau|score|værdi)\w*)?\b
        [\s:=]*(?:(?:på|er|var|af|ca\.?|omkring|målt\s+til|svarende\s+til|lig\s+med|i\s+(?:området|intervallet|niveauet))\s*)*(\d{2,3})\b ]], "x"),

  -- Consent of both custodians, stated positively; "ikke/kun/mangler" inside
  -- the phrase breaks it ("kun mor har givet samtykke" is no consent).
  consent = regex([[
      \b(?: (?:begge|både\s+mor\s+og\s+far|både\s+far\s+og\s+mor|mor\s+og\s+far|far\s+og\s+mor|forældremyndighedsindehaverne|forældrene)\b
        (?:(?!\b(?:ikke|ej|uden|kun|mangler|alene|uenige?)\b)[^.!?\n]){0,80}?
        \b(?:indforstå\w*|samtyk\w*|enig(?:e|t)?\b|accept\w*|godkend\w*|giver\s+lov|givet\s+lov|tilslut\w*|underskrevet|underskrevne|underskrift\w*|skrevet\s+under|skriver\s+under|tilladelse|tilsagn|bakker\s+op|er\s+med\s+på|informeret\s+og\s+enige)
         | samtykke\w*(?:\s+(?:\w+\s+){0,3}?(?:fra|af)|\s*[:=]\s*(?:fra\s+)?)\s*(?:begge|både)\b(?:\s+(?:forældre\w*|forældremyndighedsindehavere|parter|indehavere\s+af\s+forældremyndigheden|mor\s+og\s+far|far\s+og\s+mor))?
         | (?:indforstå\w*|enige)\s+(?:\w+\s+){0,2}?(?:begge|både)\b
         | begge\s+(?:forældre\w*|forældremyndighedsindehavere|parter|indehavere\s+af\s+forældremyndigheden)\s+(?:\w+\s+){0,2}?ønsker\b ) ]], "x"),
  custody_joint = regex([[
      \b(?: fælles\s+(?:forældre)?myndighed\w*
         | forældremyndighed(?:en)?\s*(?:[:=–-]\s*|\s+)(?:er\s+)?(?:fælles|delt)\b
         | forældremyndigheden\s+deles\b
         | deler\s+forældremyndighed\w*
         | begge\s+forældre\s+har\s+forældremyndighed\w* ) ]], "x"),
  custody_placed = regex([[
      \b(?: (?:døgn|tvangs|netværks|slægts|institutions|frivilligt\s+)?anbragt\w*(?:\s+(?:hos|ved)\s+(?:sin\s+|sine\s+)?\w+)?   # "anbragt hos mormor" is the child's placement, not family history
         | (?:netværks|slægts)?pleje(?:familie|forældre|barn|mor|far)\w*
         | (?:netværks|slægts)pleje\b
         | børnehjem\w*
         | anbringelse\w*
         | opholdssted\w*
         | døgninstitution\w*
         | familiepleje\w* ) ]], "x"),
  -- Earlier contact with child and adolescent psychiatry.
  previous_contact = regex([[
      \b(?: (?:(?:tidligere|kendt|tilknyttet|været|forløb|udredt|afsluttet|indlagt|behandlet|fulgt|følges|set|vurderet|diagnosticeret)\b|tidl\.)
        (?:[^\S\n]+[^\s,.;:!?]+){0,5}?[^\S\n]+(?:(?:i|på|ved|hos|af|til|med|fra|i\s+regi\s+af)[^\S\n]+(?:\w+[^\S\n]+)?)?]] .. BUC .. [[\b
         | (?:tidligere|tidl\.)\s+(?:\w+\s+){0,2}?(?:kontakt|forløb)\w*\s*[:=-]?\s*(?:med\s+|til\s+|i\s+|på\s+)?]] .. BUC .. [[\b
         | ]] .. BUC .. [[[-\s]*(?:kontakt|forløb)\w*\s+(?:tidligere|i\s+(?:19|20)\d\d|fra\s+(?:19|20)\d\d)
         | tidligere\s+(?:\w+\s+)?(?:børne-?\s*og\s+ungdoms|børne)?psykiatrisk\w*\s+(?:kontakt|forløb|udredning|behandling|indlæggelse|vurdering)
         | kendt\s+(?:i|på|af|ved|hos)\s+(?:\w+\s+)?(?:børne\w*\s+)?psykiatri\w* ) ]], "x"),

  -- Measurements; capture 1 (and 2 for metres) is the value, decimal comma or dot.
  bmi = regex([[\bbmi\b[\s:=|]*(?:(?:på|er|var|nu|ca\.?|af|omkring|kun|aktuelt|målt\s+til|beregnet\s+til|udregnet\s+til|faldet\s+til|ligger|lå|nede|blot|senest|sidst)\s*)*(\d{1,2}(?:[.,]\d{1,2})?)]], "x"),
  weight = regex([[
      \b(?: (?| (?:vægt(?:en)?|vejer|vejede|kropsvægt(?:en)?|vgt|v(?=\s*[:=]))\b[\s:=.|]*(?:(?:er|var|på|nu|ca\.?|kun|omkring|aktuelt|målt\s+til|lige|blot)\s*)*(\d{1,3}(?:[.,]\d{1,2})?)\s*k(?:g|ilo)\b
                | (?:vægt(?:en)?|kropsvægt(?:en)?)\s*\(\s*kg\s*\)[\s:=|]*(\d{1,3}(?:[.,]\d{1,2})?)(?!\s*(?:cm|m|%)) ) ) ]], "x"),
  height = regex([[
      \b(?: (?| (?:højde(?:n)?|måler|er)\b[\s:=|]*(?:(?:er|var|på|nu|ca\.?|omkring|målt\s+til)\s*)*(\d{2,3}(?:[.,]\d)?)\s*cm\b
             | højde(?:n)?\s*\(\s*cm\s*\)[\s:=|]*(\d{2,3}(?:[.,]\d)?)\b )
         | (\d{2,3}(?:[.,]\d)?)\s*cm\s+høj\b
         | (?| (?:højde(?:n)?|måler|er)\b[\s:=]*(?:(?:er|var|på|nu|ca\.?|omkring)\s*)*([12][.,]\d{1,2})\s*m\b
             | ([12][.,]\d{1,2})\s*m\s+høj\b )
         | (1\d\d(?:[.,]\d)?)\s*cm\b ) ]], "x"),
  -- Weight loss in percent (capture 1) or kilograms (capture 2).
  weight_loss = regex([[
      \b(?: (?:vægttab(?:et)?|tabt\s+sig|tabt|vægtreduktion|taget\s+af|vægtfald)\b[\s:=]*(?:(?:på|sig|med|ca\.?|omkring|over|hele)\s*)*(\d{1,2}(?:[.,]\d)?)\s*(?:%|procent)
         | (?| (?:vægttab(?:et)?|tabt\s+sig|tabt|taget\s+af|vægtfald)\b[\s:=]*(?:(?:på|sig|med|ca\.?|omkring|over)\s*)*(\d{1,2}(?:[.,]\d)?)\s*k(?:g|ilo)\b
             | taget\s+(?:ca\.?\s*|omkring\s+)?(\d{1,2}(?:[.,]\d)?)\s*k(?:g|ilo)\s+af\b ) ) ]], "x"),
}
