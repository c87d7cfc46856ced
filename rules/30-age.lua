-- 30-age.lua — step 3: from 18 (effective age) the adult services take over.
-- An 18-year-old already known in child psychiatry counts as 17.
rule {
  id = "AGE-01",
  title = "Effektiv alder 18 år eller derover",
  when = function(r, f, d)
    local age = f.effective_age
    return age >= 18, d.explain and ("alder %d år, effektiv alder %d år"):format(r.age, age) or nil
  end,
  action = function(r, f, d)
    d:reason("Den unge er fyldt 18 år; henvisningen sendes til voksenpsykiatrien.")
    d:decide{ outcome = "redirect", target = "adult_psychiatry" }
  end,
}
