fact('adhd', function(r, f) for _, c in ipairs(r.diagnoses) do if c:match('^F90') then return true end end return false end)
fact('iq', function(r) for _, a in ipairs(r.assessments) do if a.fsiq then return a.fsiq end end end)
rule{ id='F-01', when=function(r, f) return f.adhd and (f.iq or 100) > 70 end,
  action=function(r, f, d) d:decide{outcome='accept', target='buc', unit='B193', priority='routine', deadline=r.received_day + 30} end }
rule{ id='F-02', when=function() return true end, action=function(r, f, d) d:decide{outcome='reject'} end }
