rule{ id='E', when=function(r, f, d) return f.nope end }
rule{ id=1 }
fact('x', function() return setmetatable({}, {__tostring=function() error('t') end}) end)
rule{ id='T', when=function(r, f, d) d:reason(tostring(f.x)) return true end, action=function(r, f, d) d:decide{outcome='accept', target='nowhere'} end }
