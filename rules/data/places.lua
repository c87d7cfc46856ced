-- data/places.lua — where a child is seen or sent, by name, with what the
-- family does next and whom to contact: BUC's sites and special units, each
-- redirect target, the municipalities' official names and, for a child from
-- another region, which region. The region keeps its own addresses and
-- telephone lines here; this model names each place, its town and where to
-- find it, and invents no number.
return {
  buc = {
    name = "Børne- og Ungdomspsykiatrisk Center (BUC), Region Hovedstaden",
    contact = "Visitationen, BUC, via www.regionh.dk",
  },
  -- BUC's sites (data/units.lua's site names), in the order forms list them.
  site_order = { "glostrup", "bispebjerg", "hilleroed", "bornholm" },
  sites = {
    glostrup = { name = "BUC Glostrup", address = "2600 Glostrup" },
    bispebjerg = { name = "BUC Bispebjerg", address = "2400 København NV" },
    hilleroed = { name = "BUC Hillerød", address = "3400 Hillerød" },
    bornholm = { name = "BUC Bornholm", address = "3700 Rønne" },
  },
  -- Units with a name of their own; the others are named by site and age
  -- band (lib/answer.lua).
  units = {
    B205 = { name = "BUC's akutfunktion" },
    B132 = { name = "BUC's enhed for spiseforstyrrelser" },
    B377 = { name = "BUC Bornholm", site = "bornholm" },
  },
  unit_band = "{site}, ambulatoriet for {from}-{to}-årige",

  -- Redirect targets.
  targets = {
    specialist_practice = {
      name = "en praktiserende speciallæge i børne- og ungdomspsykiatri",
      how = "Barnets egen læge henviser til en speciallæge i børne- og ungdomspsykiatri; "
        .. "speciallæger og ventetider findes på sundhed.dk.",
      contact = "Barnets egen læge, eller speciallægen direkte via sundhed.dk",
    },
    municipality = {
      name = "{municipality}",
      how = "Kommunens Pædagogisk Psykologiske Rådgivning (PPR), rådgivning efter § 126a "
        .. "eller familieafdelingen tager sig af barnets vanskeligheder.",
      contact = "PPR eller familieafdelingen i {municipality}, via kommunens hjemmeside "
        .. "eller borger.dk",
    },
    adult_psychiatry = {
      name = "voksenpsykiatrien, Region Hovedstadens Psykiatri",
      how = "Den unge er fyldt 18 år og hører til i voksenpsykiatrien; egen læge henviser "
        .. "til det lokale psykiatriske center.",
      contact = "Region Hovedstadens Psykiatri, via www.psykiatri-regionh.dk; "
        .. "ved akut behov den psykiatriske akutmodtagelse",
    },
    other_region = {
      name = "børne- og ungdomspsykiatrien i {region}",
      how = "Barnet bor uden for Region Hovedstaden; henvisningen hører til i barnets "
        .. "hjemregion.",
      contact = "{contact}",
    },
  },

  -- The official names where they are not "NAME Kommune".
  municipality_names = {
    ["København"] = "Københavns Kommune",
    Bornholm = "Bornholms Regionskommune",
  },

  -- The other four regions and their municipalities (the official names).
  regions = {
    sjaelland = { name = "Region Sjælland", contact = "Børne- og Ungdomspsykiatrien, "
      .. "Region Sjælland, via www.regionsjaelland.dk" },
    syddanmark = { name = "Region Syddanmark", contact = "Børne- og Ungdomspsykiatrien, "
      .. "Region Syddanmark, via www.regionsyddanmark.dk" },
    midtjylland = { name = "Region Midtjylland", contact = "Børne- og Ungdomspsykiatrisk "
      .. "Center, Region Midtjylland, via www.rm.dk" },
    nordjylland = { name = "Region Nordjylland", contact = "Børne- og Ungdomspsykiatrien, "
      .. "Region Nordjylland, via www.rn.dk" },
  },
  region_of = {
    sjaelland = { "Faxe", "Greve", "Guldborgsund", "Holbæk", "Kalundborg", "Køge", "Lejre",
                  "Lolland", "Næstved", "Odsherred", "Ringsted", "Roskilde", "Slagelse",
                  "Solrød", "Sorø", "Stevns", "Vordingborg" },
    syddanmark = { "Assens", "Billund", "Esbjerg", "Fanø", "Fredericia", "Faaborg-Midtfyn",
                   "Haderslev", "Kerteminde", "Kolding", "Langeland", "Middelfart",
                   "Nordfyns", "Nyborg", "Odense", "Svendborg", "Sønderborg", "Tønder",
                   "Varde", "Vejen", "Vejle", "Ærø", "Aabenraa" },
    midtjylland = { "Favrskov", "Hedensted", "Herning", "Holstebro", "Horsens",
                    "Ikast-Brande", "Lemvig", "Norddjurs", "Odder", "Randers",
                    "Ringkøbing-Skjern", "Samsø", "Silkeborg", "Skanderborg", "Skive",
                    "Struer", "Syddjurs", "Viborg", "Aarhus" },
    nordjylland = { "Brønderslev", "Frederikshavn", "Hjørring", "Jammerbugt", "Læsø",
                    "Mariagerfjord", "Morsø", "Rebild", "Thisted", "Vesthimmerlands",
                    "Aalborg" },
  },
  home_region_unknown = "barnets hjemregion",
}
