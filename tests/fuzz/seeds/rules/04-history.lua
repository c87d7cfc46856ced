rule{ id='H-01', when=function(r) local h = r:history() return #h > 0 end,
  action=function(r, f, d) d:decide{outcome='redirect', target='municipality'} end }
rule{ id='H-02', when=function(r) return r.risk.suicidal_ideation == true and r.somatic.bmi == nil end,
  action=function(r, f, d) d:reason(date.format(date.ymd(2020, 2, 29))) error('boom') end }
