-- data/text/time.lua — the words of dates and relative times (policy
-- "dates", v1.1 "dates"). The engine reads the forms ("4/3-2019", "d.
-- 4.3.2019", "3. april 2019", "marts 2019", "03.2019", a year, "for N
-- dage/uger/måneder/år siden") and resolves them against received; the
-- words they are made of are here.
return {
  months = {
    januar = 1, jan = 1, februar = 2, feb = 2, marts = 3, mar = 3, april = 4, apr = 4,
    maj = 5, juni = 6, jun = 6, juli = 7, jul = 7, august = 8, aug = 8,
    september = 9, sep = 9, sept = 9, oktober = 10, okt = 10, november = 11, nov = 11,
    december = 12, dec = 12,
  },
  -- A season with a year counts as the year alone ("foråret 2019").
  seasons = { "foråret", "forår", "sommeren", "sommer", "efteråret", "efterår",
              "vinteren", "vinter" },
  -- Numbers in words, before a unit ("for to år siden", "halvandet år").
  numbers = {
    en = 1, et = 1, ["ét"] = 1, to = 2, tre = 3, fire = 4, fem = 5, seks = 6, syv = 7,
    otte = 8, ni = 9, ti = 10, elleve = 11, tolv = 12, tretten = 13, fjorten = 14,
    femten = 15, seksten = 16, atten = 18, tyve = 20, ["et par"] = 2, ["et halvt"] = 0.5,
    halve = 0.5, halvt = 0.5, halvandet = 1.5, nogle = 3, ["få"] = 2,
  },
  -- Units of "for N ... siden" and of a weight loss's period: in days ...
  days = { dag = 1, dage = 1, dagen = 1, ["døgn"] = 1, uge = 7, uger = 7, ugen = 7 },
  -- ... and in months.
  months_of = { ["måned"] = 1, ["måneder"] = 1, ["måneden"] = 1, mdr = 1, md = 1,
                ["år"] = 12, ["året"] = 12 },
  -- Words before the number that only hedge it or introduce it.
  approx = { "for", "ca", "cirka", "omkring", "godt", "knap", "over", "under",
             "mindst", "lidt", "næsten" },
  -- "for 3 uger siden"
  ago = { "siden" },
  -- 1 July of the year before received.
  last_year = { "sidste år", "i fjor", "sidste sommer", "sidste vinter", "sidste forår",
                "sidste efterår", "sidste jul" },
  -- Days from received.
  days_from_received = {
    ["i dag"] = 0, ["i nat"] = 0, ["i morges"] = 0, ["i aftes"] = -1, ["i går"] = -1,
    ["i forgårs"] = -2, ["for nylig"] = 0, ["forleden"] = 0, ["i weekenden"] = 0,
    ["denne uge"] = 0, ["sidste uge"] = -7, ["i sidste uge"] = -7,
  },
}
