-- 90-accept.lua — step 9: accepted by BUC. Unit: eating disorders B132,
-- Bornholm B377, otherwise the site's unit for the age band. Priority urgent
-- for self-harm, suicidal ideation, a past attempt, bipolar or severe
-- depression; the referrer's requested priority does not change it.
local X = include("lib/explain.lua")
local U = include("data/units.lua")

local function unit(f)
  if f.groups.EATING then return U.eating end
  local site = f.site
  if site == "bornholm" then return U.bornholm end
  local age, bands = f.effective_age, U.sites[site]
  for i = 1, #bands do
    local band = bands[i]
    if age >= band[1] and age <= band[2] then return band[3] end
  end
  return nil
end

rule {
  id = "ACC-01",
  title = "Hastende prioritet",
  when = function(r, f, d)
    local urgent = f.self_harm or f.suicidal_ideation or f.groups.BIPOLAR or (f.groups.DEPRESSION and f.severe_depression)
    return urgent, d.explain and ("selvskade: %s; selvmordstanker: %s; bipolar: %s; svær depression: %s")
      :format(X.yes(f.self_harm), X.yes(f.suicidal_ideation), X.yes(f.groups.BIPOLAR),
              X.yes(f.groups.DEPRESSION and f.severe_depression)) or nil
  end,
  action = function(r, f, d)
    local why
    if f.suicide_attempt == "past" then why = "et tidligere selvmordsforsøg"
    elseif f.self_harm then why = "selvskade"
    elseif f.suicidal_ideation then why = "selvmordstanker"
    elseif f.groups.BIPOLAR then why = "bipolar lidelse"
    else why = "svær depression" end
    d:reason(("Henvisningen prioriteres som hastende på grund af %s (frist 7 dage)."):format(why))
  end,
}

rule {
  id = "ACC-02",
  title = "Modtaget i BUC",
  when = function(r, f, d)
    return true, d.explain and ("enhed %s: %s, effektiv alder %d år"):format(unit(f) or "?",
      f.groups.EATING and "spiseforstyrrelse" or (U.site_names[f.site] or "?"), f.effective_age) or nil
  end,
  action = function(r, f, d)
    local u = unit(f)
    local urgent = f.self_harm or f.suicidal_ideation or f.groups.BIPOLAR or (f.groups.DEPRESSION and f.severe_depression)
    local priority = urgent and "urgent" or "routine"
    local deadline = r.received_day + U.deadline_days[priority]
    d:reason(("Henvisningen er modtaget i BUC, enhed %s, med frist %s."):format(u, date.format(deadline)))
    d:decide{ outcome = "accept", target = "buc", unit = u, priority = priority, deadline = deadline }
  end,
}
