local re = regex('selvmord\\w*|wisc[- ]?(v|iv)', 'x')
rule{ id='R-01', when=function(r) local s, e, caps = re:captures(r.text) return s ~= nil, caps and caps[1] end,
  action=function(r, f, d) for s, e in re:gmatch(r.text) do d:reason(r.text:sub(s, e)) end
    d:decide{outcome='accept', target='buc', unit='B205', priority='acute', deadline=date.add_months(r.received_day, 1)} end }
