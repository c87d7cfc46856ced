-- data/groups.lua — the diagnostic groups of policy.md: ICD-10 prefixes, the
-- Danish words that name each group in free text, and psychotropic drugs.
-- Text patterns allow Danish endings (angst/angsten, depressionen ...).
return {
  -- Evaluation and reporting order.
  order = { "PSYCHOSIS", "BIPOLAR", "DEPRESSION", "ANXIETY", "OCD", "TRAUMA", "EATING",
            "AUTISM", "ADHD", "TICS", "ID", "LEARNING", "CONDUCT", "SUBSTANCE" },
  core = { PSYCHOSIS = true, BIPOLAR = true, DEPRESSION = true, ANXIETY = true, OCD = true,
           TRAUMA = true, EATING = true, AUTISM = true, ADHD = true, TICS = true },
  -- Danish names for reasons.
  names = { PSYCHOSIS = "psykose", BIPOLAR = "bipolar lidelse", DEPRESSION = "depression",
            ANXIETY = "angst", OCD = "OCD", TRAUMA = "PTSD", EATING = "spiseforstyrrelse",
            AUTISM = "autisme", ADHD = "ADHD", TICS = "tics/Tourette", ID = "udviklingshæmning",
            LEARNING = "indlæringsvanskeligheder", CONDUCT = "adfærdsforstyrrelse",
            SUBSTANCE = "rusmiddelproblemer", WELLBEING = "mistrivsel" },

  -- ICD-10 prefixes (WHO form); the longest matching prefix decides, so
  -- F43.1 is TRAUMA while the rest of F43 is WELLBEING.
  icd = {
    PSYCHOSIS = { "F2" }, BIPOLAR = { "F30", "F31" },
    DEPRESSION = { "F32", "F33", "F34", "F38", "F39" },
    ANXIETY = { "F40", "F41", "F93" }, OCD = { "F42" }, TRAUMA = { "F43.1" },
    EATING = { "F50" }, AUTISM = { "F84" }, ADHD = { "F90" }, TICS = { "F95" },
    ID = { "F7" }, LEARNING = { "F80", "F81", "F82", "F83" }, CONDUCT = { "F91", "F92" },
    SUBSTANCE = { "F1" }, WELLBEING = { "F43", "Z", "R" },
  },
  severe_depression_codes = { ["F32.2"] = true, ["F32.3"] = true, ["F33.2"] = true, ["F33.3"] = true },
  psychotic_depression_codes = { ["F32.3"] = true, ["F33.3"] = true },

  text = {
    PSYCHOSIS = regex([[
        \bpsykose(?:n|r|rne)?\b | \bpsykotisk\w* | \bpsykosenær\w*
      | \bh(?:ø|o|oe)r(?:er|te|t|ende)?\s+(?:\w+\s+)?stemme\w* | \bstemmehøring\w* | \w*hallucin\w*
      | \bvrangforestilling\w* | \bskizofren\w* | \bskizoaffektiv\w* | \bparanoi\w* | \bparanoid\w*
      | \bser\s+syner\b | \bforfølgelses(?:forestilling|idé|ide|tanke|vanvid)\w* | \btankeforstyrrelse\w* ]], "x"),
    BIPOLAR = regex([[
        \bbipolar\w* | \b(?:hypo)?mani(?:en|er|sk|ske|skt)?\b | \bmaniodepressiv\w* ]], "x"),
    DEPRESSION = regex([[
        \bdepres+i\w* | \bnedtrykt\w* | \bnedstemt\w* | \btungsind\w* | \bdystymi\w*
      | \b(?:nedsat|lavt|sænket)\s+stemningsleje ]], "x"),
    ANXIETY = regex([[
        \b(?:\w+s|social|panik|skole|eksamens)?angst\w* | \bpanikanfald\w* | \bpanikl(?:idelse)\w*
      | \b\w*fobi(?:en|er|sk|ske)?\b ]], "x"),
    OCD = regex([[
        \bocd\b | \btvangs(?:tank|handl|symptom|lidelse|ritual|præg|adfærd|forestilling|mæssig|syndrom|neuros|fænomen|tøns)\w*
      | \bobsessiv\w* | \bkompulsiv\w* ]], "x"),
    TRAUMA = regex([[ \bptsd\b | \bptss\b | \bpost[-\s]?traumatisk\w* ]], "x"),
    EATING = regex([[
        \bspise-?\s*forstyr\w* | \banore[kxc]\w* | \bbulimi\w* | \barfid\b | \bbinge[-\s]?eating\w*
      | \bspisevægring\w* | \bselektiv\s+spisning\w* ]], "x"),
    AUTISM = regex([[
        \bautis\w* | \basf\b | \basd\b | \basperger\w* | \bgennemgribende\s+udviklingsforstyr\w* ]], "x"),
    ADHD = regex([[
        \badhd\w* | \bahdh\b | \badhs\b | (?-i:\bADD\b) | \bopmærksomhedsforstyr\w* | \bhyperkinetisk\w*
      | \bopmærksomheds-?\s*og\s+aktivitetsforstyr\w* | \baktivitets-?\s*og\s+opmærksomhedsforstyr\w* ]], "x"),
    TICS = regex([[ \btics\w* | \btic\b | \btourette\w* ]], "x"),
    ID = regex([[
        \budviklingshæm\w* | \bmental\w*\s+retard\w* | \bretarder\w*
      | \bintellektuel\w*\s+(?:funktionsnedsættelse|handicap|udviklingshæmning)\w* ]], "x"),
    LEARNING = regex([[
        \bordblind\w* | \bdysleksi\w* | \bdyskalkuli\w* | \btalblind\w* | \bsprogforstyr\w*
      | \bindlæringsvanskelighed\w* | \bindlæringsproblem\w* | \blæsevanskelighed\w* | \blæse-?\s*og\s+stavevanskelighed\w* ]], "x"),
    CONDUCT = regex([[ \badfærdsforstyr\w* | \boppositionel\w* | \btrodsforstyr\w* ]], "x"),
    SUBSTANCE = regex([[
        \b(?:alkohol|stof|hash|cannabis|rusmiddel|narko)?misbrug(?!t)\w* | \bhash\w* | \bcannabis\w* | \bkokain\w*
      | \bamfetamin\b | \becstasy\b | \brusmid+el\w* | \brusmidler\w* | \bstofbrug\w* | \beuforiserende\s+stof\w*
      | \bbinge\s*drink\w* | \bdrikker\s+(?:dagligt|meget|alkohol|sig\s+fuld)\b ]], "x"),
  },
  -- "svær depression" and its variants (policy: severe depression in text).
  severe_depression_text = regex([[
      \b(?:sv(?:æ|ae)re?t?|alvorlig[et]?|dyb[et]?|massiv[et]?)\s+(?:grad\s+af\s+|grads\s+)?(?:\w+\s+)?depres+i\w* ]], "x"),

  -- Risk flags (policy: self_harm, suicidal_ideation, suicide_attempt, suicide_plan).
  risk = {
    suicide_attempt = regex([[
        \bselvmordsforsøg\w* | \bsuicid(?:al)?forsøg\w* | \bsuicidalt?\s+forsøg\w*
      | \bforsøg(?:t|te)\s+(?:\w+\s+){0,2}?(?:at\s+)?(?:begå\s+selvmord|selvmord|tage\s+sit\s+(?:eget\s+)?liv|slå\s+sig\s+selv\s+ihjel|hænge\s+sig|dræbe\s+sig\s+selv)
      | \bforsøg\s+på\s+(?:at\s+)?(?:selvmord|begå\s+selvmord|tage\s+sit\s+(?:eget\s+)?liv)
      | \b(?:tog|taget|indtaget|indtog)\s+(?:en\s+)?(?:\w+\s+)?overdosis | \bsuicidal\w*\s+(?:hensigt|intoksikation)\w* ]], "x"),
    suicide_plan = regex([[
        \bselvmordsplan\w* | \bsuicid(?:al)?plan\w*
      | \bplan(?:er|en|erne)?\s+(?:om|for)\s+(?:at\s+)?(?:begå\s+selvmord|selvmord|tage\s+sit\s+(?:eget\s+)?liv|dø|slå\s+sig\s+selv\s+ihjel|hænge\s+sig)
      | \bplan\w*\s+for\s+hvordan\s+(?:\w+\s+){0,3}?(?:tage\s+sit\s+(?:eget\s+)?liv|dø|slå\s+sig\s+selv\s+ihjel|begå\s+selvmord)
      | \bplanlæg\w*\s+(?:\w+\s+)?(?:at\s+)?(?:begå\s+selvmord|selvmord|tage\s+sit\s+(?:eget\s+)?liv|slå\s+sig\s+selv\s+ihjel|hænge\s+sig)
      | \bafskedsbrev\w* ]], "x"),
    suicidal_ideation = regex([[
        \bselvmordstank\w* | \bselvmordsovervej\w* | \bselvmordsrisiko\w* | \bselvmordstruende\b | \bsuicidal\w*
      | \bsuicidtank\w* | \bsuicidrisiko\w* | \bdødsønsk\w* | \bdødstank\w* | \blivslede\w*
      | \btanker\s+om\s+(?:at\s+)?(?:dø|døden|selvmord|tage\s+sit\s+(?:eget\s+)?liv|ikke\s+at\s+(?:ville\s+)?leve|slå\s+sig\s+selv\s+ihjel)
      | \bønske\w*\s+(?:om\s+)?(?:at\s+)?(?:dø|være\s+død|ikke\s+at\s+leve|ikke\s+at\s+være\s+her)
      | \bvil\s+(?:hellere\s+)?(?:ikke\s+leve|dø|være\s+død) | \bikke\s+(?:længere\s+)?(?:vil|ønsker\s+at|orker\s+at)\s+leve ]], "x"),
    self_harm = regex([[
        \bselvskad\w* | \bselvmutil\w* | \bcutt(?:er|ing|ede|et)\b | \bselvdestruktiv\w*
      | \b(?:skærer|skære|skar|skåret|risper|rispe|ridser|ridse|ridset|brænder|brændt|snitter|snittet)\s+sig\b
      | \b(?:skærer|skære|skar|skåret|risper|rispe|ridser|ridse|ridset|snitter|snittet|cutter)\s+(?:(?:sig\s+)?(?:selv\s+)?)?(?:i|på)\s+(?:armene|armen|arme|benene|benet|huden|håndled\w*|lårene|låret|maven|underarm\w*|kroppen)
      | \bslår\s+sig\s+selv\b | \bskader\s+sig\s+selv\b | \bgør\s+skade\s+på\s+sig\s+selv\b ]], "x"),
  },

  -- Psychotropic medication (policy definitions), generic and brand names.
  -- Melatonin and non-psychiatric drugs are deliberately absent.
  psychotropic = regex([[
      \bmet(?:h)?yl(?:ph|f)enidat\w* | \britalin\w* | \bconcerta\b | \bmedikinet\w* | \bequasym\w*
    | \blisdex(?:amf|amph)etamin\w* | \belvanse\b | \bdex(?:amf|amph)etamin\w* | \battentin\b
    | \batomoxetin\w* | \bstrattera\b | \bguanfacin\w* | \bintuniv\b
    | \bsertralin\w* | \bzoloft\b | \bfluoxetin\w* | \bfontex\b | \bprozac\b | \bescitalopram\w* | \bcipralex\b
    | \bcitalopram\w* | \bvenlafaxin\w* | \befexor\w* | \bduloxetin\w* | \bcymbalta\b
    | \baripiprazol\w* | \babilify\b | \brisperidon\w* | \brisperdal\b | \bquetiapin\w* | \bseroquel\b
    | \bolanzapin\w* | \bzyprexa\b | \bli(?:th|t)ium\w* | \bssri\b | \bsnri\b | \bantidepressiv\w*
    | \bantipsykoti\w* | \bcentralstimulerende\b ]], "x"),
}
