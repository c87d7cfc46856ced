rule{ id='A-01', title='alle', when=function(r, f, d) return r.age < 18, 'barn' end,
  action=function(r, f, d) d:reason('ok ' .. r.text) d:missing('ppv')
    d:decide{outcome='request_info', request_from='municipality'} end }
