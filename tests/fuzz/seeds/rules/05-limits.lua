rule{ id='L-01', when=function(r) local t = {} for i = 1, 1e6 do t[i] = r.text .. i end return true end }
rule{ id='L-02', when=function(r) return regex('(a+)+$'):match(string.rep('a', 40) .. 'b') end }
