-- data/groups.lua — the diagnostic groups of policy.md: ICD-10 prefixes, the
-- Danish words that name each group in free text, and psychotropic drugs.
-- Text patterns allow Danish endings (angst/angsten, depressionen ...).

-- Ways of taking one's life, shared by attempt and plan wording.
local SUICIDE = [[(?:begå\s+selvmord|selvmord|tage\s+(?:sit|mit)\s+(?:eget\s+)?liv|slå\s+(?:sig|mig)\s+selv\s+ihjel|hænge\s+(?:sig|mig)|dræbe\s+(?:sig|mig)\s+selv
  |kaste\s+sig\s+ud\s+(?:foran|fra)|springe\s+ud\s+(?:foran|fra)|hoppe\s+ud\s+(?:foran|fra)|drukne\s+sig|skyde\s+sig|kvæle\s+sig
  |tage\s+(?:en\s+)?overdosis)]]

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
      \b(?: psykose(?!risiko)\w*
         | psykotisk\w*
         | psykosenær\w*
         | h(?:ø|o|oe)r(?:er|te|t|ende)?\s+(?:(?!ikke\b|ingen\b|aldrig\b)\w+\s+){0,3}?stemme\w*
         | stemmehøring\w*
         | vrangforestilling\w*
         | skizofren\w*
         | skizoaffektiv\w*
         | paranoi\w*
         | paranoid\w*
         | ser\s+syner\b
         | forfølgelses(?:forestilling|idé|ide|tanke|vanvid)\w*
         | tankeforstyrrelse\w* )
    | hallucin(?!ogen)\w* ]], "x"),   -- "hallucinogene stoffer" are drugs
    BIPOLAR = regex([[
      \b(?: bipolar\w*
         | (?:hypo)?mani(?:en|er|sk|ske|skt)?\b
         | maniodepressiv\w* ) ]], "x"),
    DEPRESSION = regex([[
      \b(?: depres+i\w*
         | deprimer\w*
         | nedtrykt\w*
         | nedstemt\w*
         | tungsind\w*
         | dystymi\w*
         | (?:nedsat|lavt|sænket)\s+stemningsleje
         | stemningsleje\w*\s+(?:(?:er|var|virker|fremstår|noget|let|lettere|tydeligt|meget|lidt)\s+){0,3}(?:sænket|nedsat|lavt|depressivt) ) ]], "x"),
    ANXIETY = regex([[
      \b(?: panikanfald\w*
         | panikl(?:idelse)\w*
         | panic[-\s]?attack\w* )
    | (?:\b|(?<=s)|(?<=ial)|(?<=panik)|(?<=e))angst\w*   # separationsangst, socialangst, skoleangst; not tvangstanker, fangst
    | \bængstel\w*
    | fobi(?:en|er|sk|ske)?\b ]], "x"),
    OCD = regex([[
      \b(?: ocd\b
         | tvangs(?:tank|handl|symptom|lidelse|ritual|præg|adfærd|forestilling|mæssig|syndrom|neuros|fænomen|tøns)\w*
         | obsessiv\w*
         | kompulsiv\w* ) ]], "x"),
    TRAUMA = regex([[
      \b(?: ptsd\b
         | ptss\b
         | post[-\s]?traumatisk\w* ) ]], "x"),
    EATING = regex([[
      \b(?: spise-?\s*forstyr\w*
         | anore[kxc]\w*
         | bulimi\w*
         | arfid\b
         | binge[-\s]?(?:eating|spis)\w*
         | spisevægring\w*
         | selektiv\s+spisning\w* ) ]], "x"),
    AUTISM = regex([[
      \b(?: autis\w*
         | asf\b
         | asd\b
         | as[bp]erger\w*
         | gennemgribende\s+udviklingsforstyr\w* ) ]], "x"),
    ADHD = regex([[
      \b(?: adhd\w*
         | ahdh\b
         | adhs\b
         | opmærksomhedsforstyr\w*
         | hyperkinetisk\w*
         | opmærksomheds-?\s*og\s+aktivitetsforstyr\w*
         | aktivitets-?\s*og\s+opmærksomhedsforstyr\w*
         | forstyrrelse\w*\s+af\s+(?:aktivitet|opmærksomhed)\w*\s+og\s+(?:aktivitet|opmærksomhed)\w* )
    | (?-i:\bADD\b) ]], "x"),
    TICS = regex([[
      \b(?: tics\w*
         | tic\b
         | tourette\w* ) ]], "x"),
    ID = regex([[
      \b(?: udviklingshæm\w*
         | mental\w*\s+retard\w*
         | retarder\w*
         | intellektuel\w*\s+(?:funktionsnedsættelse|handicap|udviklingshæmning)\w* ) ]], "x"),
    LEARNING = regex([[
      \b(?: ordblind\w*
         | dysleksi\w*
         | dyskalkuli\w*
         | talblind\w*
         | sprogforstyr\w*
         | indlæringsvanskelighed\w*
         | indlæringsproblem\w*
         | læsevanskelighed\w*
         | læse-?\s*og\s+stavevanskelighed\w* ) ]], "x"),
    CONDUCT = regex([[
      \b(?: adfærdsforstyr\w*
         | oppositionel\w*
         | trodsforstyr\w* ) ]], "x"),
    SUBSTANCE = regex([[
      \b(?: (?:alkohol|stof|hash|cannabis|rusmiddel|narko)?misbrug(?!t)\w*
         | hash\w*
         | cannabis\w*
         | kokain\w*
         | amfetamin\b
         | ecstasy\b
         | rusmid+el\w*
         | rusmidler\w*
         | stofbrug\w*
         | euforiserende\s+stof\w*
         | binge\s*drink\w*
         | drikker\s+(?:dagligt|meget|alkohol|sig\s+fuld)\b ) ]], "x"),
  },
  -- "svær depression" and its variants (policy: severe depression in text).
  severe_depression_text = regex([[
      \b(?: (?:sv(?:æ|ae)re?t?|alvorlig[et]?|dyb[et]?|massiv[et]?)\s+(?:grad\s+af\s+|grads\s+)?(?:\w+\s+)?(?:depres+i|deprimer)\w*
         | (?:depres+i|deprimer)\w*\s+(?:\w+\s+)?(?:af|i)\s+(?:sv(?:æ|ae)r|alvorlig|høj)\s+grad\b ) ]], "x"),

  -- Risk flags (policy: self_harm, suicidal_ideation, suicide_attempt, suicide_plan).
  risk = {
    suicide_attempt = regex([[
      \b(?: selvmordsforsøg\w*
         | suicid(?:al)?forsøg\w*
         | suicidalt?\s+forsøg\w*
         | forsøg(?:t|te)\s+(?:(?:\w+|d\.|\d[\d./-]*\d)\s+){0,4}?(?:at\s+)?]] .. SUICIDE .. [[
         | forsøg\s+på\s+(?:at\s+)?]] .. SUICIDE .. [[
         | (?:tog|taget|indtaget|indtog)\s+(?:\w+\s+){0,3}?overdosis
         | (?:indtag\w*|indtog|tog|taget|slugt\w*|slugte)\s+(?:[\w.]+\s+){0,5}?med\s+(?:henblik\s+på|ønske\s+om|hensigt\s+om|det\s+formål)\s+at\s+(?:dø\b|]] .. SUICIDE .. [[)
         | suicidal\w*\s+(?:hensigt|intoksikation|øjemed)\w*
         | selvmords(?:hensigt|øjemed|intoksikation)\w* ) ]], "x"),
    suicide_plan = regex([[
      \b(?: selvmordsplan\w*
         | suicid(?:al)?plan\w*
         | plan(?:er|en|erne)?\s+(?:om|for)\s+(?:at\s+)?(?:dø\b|]] .. SUICIDE .. [[)
         | plan\w*\s+for\s+hvordan\s+(?:\w+\s+){0,3}?(?:dø\b|]] .. SUICIDE .. [[)
         | planl(?:æg|ag)\w*\s+(?:\w+\s+)?(?:at\s+)?]] .. SUICIDE .. [[
         | afskedsbrev\w* ) ]], "x"),
    suicidal_ideation = regex([[
      \b(?: selvmordstank\w*
         | selvmordsovervej\w*
         | selvmordsrisiko\w*
         | selvmordstruende\b
         | suicidal\w*
         | suicidtank\w*
         | suicidrisiko\w*
         | dødsønsk\w*
         | dødstank\w*
         | livslede\w*
         | (?:tanker|taler|talt|snakker|snakket|skriver|skrevet|udtaler|udtalt)\s+(?:(?!ikke\b|aldrig\b|ingen\b)\w+\s+){0,2}?om\s+(?:at\s+)?(?:dø\b|døden|selvmord|tage\s+sit\s+(?:eget\s+)?liv|ikke\s+at\s+(?:ville\s+)?leve|slå\s+sig\s+selv\s+ihjel)
         | vil\s+(?:(?!ikke\b|aldrig\b)\w+\s+)?(?:tage\s+(?:sit|mit)\s+(?:eget\s+)?liv|begå\s+selvmord|slå\s+(?:sig|mig)\s+selv\s+ihjel)
         | (?:lyst|trang)\s+til\s+at\s+(?:dø\b|]] .. SUICIDE .. [[)
         | overvej(?:er|ede|et|elser?)\s+(?:(?!ikke\b|aldrig\b)\w+\s+){0,2}?(?:selvmord\w*|at\s+(?:dø\b|]] .. SUICIDE .. [[))
         | tru(?:er|ede|et|sler|slet|ende)\s+(?:\w+\s+)?med\s+(?:at\s+)?(?:selvmord\w*|]] .. SUICIDE .. [[)
         | tænk(?:er|te|t)\s+(?:(?!ikke\b|aldrig\b)\w+\s+){0,2}?på\s+(?:at\s+)?(?:dø\b|døden|]] .. SUICIDE .. [[)
         | ønske\w*\s+(?:om\s+)?(?:at\s+)?(?:dø|være\s+død|ikke\s+at\s+leve|ikke\s+at\s+være\s+her)
         | vil\s+(?:hellere\s+)?(?:ikke\s+leve|dø|være\s+død)
         | ikke\s+(?:længere\s+)?(?:vil|ønsker\s+at|orker\s+at)\s+leve
         | (?:ikke|ingen)\s+(?:(?:længere|mere|har|haft|nogen|rigtig)\s+){0,2}(?:lyst\s+til\s+at\s+leve|livslyst|grund\s+til\s+at\s+leve) ) ]], "x"),
    self_harm = regex([[
      \b(?: selvskad\w*
         | selvmutil\w*
         | cutt(?:er|ing|ede|et)\b
         | self[-\s]?harm\w*
         | selvdestruktiv\w*
         | (?:skærer|skære|skar|skåret|risper|rispe|rispet|ridser|ridse|ridset|kradser|kradse|kradset|brænder|brændt|snitter|snittet)\s+(?:sig|mig)\b
         | (?:skærer|skære|skar|skåret|risper|rispe|rispet|ridser|ridse|ridset|snitter|snittet|cutter)\s+(?:(?:sig\s+|mig\s+)?(?:selv\s+)?)?(?:i|på)\s+(?:armene|armen|arme|benene|benet|huden|håndled\w*|lårene|låret|maven|underarm\w*|kroppen)
         | (?:skærer|skære|skar|skåret|snitter|snittet|ridser|ridset|brænder|brændt)\s+i\s+(?:sig|mig)\s+selv\b
         | sl(?:år|og|ået)\s+(?:sig|mig)\s+selv\b
         | skade(?:r|t|de)?\s+(?:sig|mig)\s+selv\b
         | gør\s+skade\s+på\s+sig\s+selv\b ) ]], "x"),
  },

  -- Psychotropic medication (policy definitions), generic and brand names.
  -- Melatonin and non-psychiatric drugs are deliberately absent.
  psychotropic = regex([[
      \b(?: met(?:h)?yl(?:ph|f)enidat\w*
         | ritalin\w*
         | concerta\b
         | medikinet\w*
         | equasym\w*
         | lisdex(?:amf|amph)etamin\w*
         | elvanse\b
         | dex(?:amf|amph)etamin\w*
         | attentin\b
         | atomoxetin\w*
         | strattera\b
         | guanfacin\w*
         | intuniv\b
         | sertralin\w*
         | zoloft\b
         | fluoxetin\w*
         | fontex\b
         | prozac\b
         | escitalopram\w*
         | cipralex\b
         | citalopram\w*
         | venlafaxin\w*
         | efexor\w*
         | duloxetin\w*
         | cymbalta\b
         | aripiprazol\w*
         | abilify\b
         | risperidon\w*
         | risperdal\b
         | quetiapin\w*
         | seroquel\b
         | olanzapin\w*
         | zyprexa\b
         | li(?:th|t)ium\w*
         | litarex\b
         | lithionit\b
         | paroxetin\w*
         | seroxat\b
         | fluvoxamin\w*
         | fevarin\b
         | cipramil\b
         | ssri\b
         | snri\b
         | antidepressiv\w*
         | antipsykoti\w*
         | centralstimulerende\b ) ]], "x"),
}
