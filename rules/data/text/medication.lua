-- data/text/medication.lua — psychotropic medication (policy
-- "Definitions"): stimulants, atomoxetin, guanfacin, SSRI/SNRI,
-- antipsychotics, lithium, by generic and common brand names. Melatonin and
-- non-psychiatric drugs are deliberately absent. Terms as in groups.lua.
return {
  psychotropic = { terms = {
    "methylphenidat", "metylphenidat", "methylfenidat", "metylfenidat", "ritalin",
    { "concerta", ending = "word" }, "medikinet", "equasym", "lisdexamfetamin",
    "lisdexamphetamin", { "elvanse", ending = "word" }, "dexamfetamin", "dexamphetamin",
    { "attentin", ending = "word" }, "atomoxetin", { "strattera", ending = "word" },
    "guanfacin", { "intuniv", ending = "word" }, "sertralin", { "zoloft", ending = "word" },
    "fluoxetin", { "fontex", ending = "word" }, { "prozac", ending = "word" },
    "escitalopram", { "cipralex", ending = "word" }, "citalopram", "venlafaxin", "efexor",
    "duloxetin", { "cymbalta", ending = "word" }, "aripiprazol", { "abilify", ending = "word" },
    "risperidon", { "risperdal", ending = "word" }, "quetiapin", { "seroquel", ending = "word" },
    "olanzapin", { "zyprexa", ending = "word" }, "lithium", "litium",
    { "litarex", ending = "word" }, { "lithionit", ending = "word" }, "paroxetin",
    { "seroxat", ending = "word" }, "fluvoxamin", { "fevarin", ending = "word" },
    { "cipramil", ending = "word" }, "SSRI", "SNRI", "antidepressiv", "antipsykoti",
    { "centralstimulerende", ending = "word" },
  } },
}
