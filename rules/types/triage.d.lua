---@meta
-- types/triage.d.lua — Lua language-server declarations of the rule API
-- (README.md), for completion and checks in editors. Never run: the engine
-- loads only *.lua directly in the rules directory.

---@class Assessment
---@field kind "cognitive"|"ppv"|"school_statement"|"child_welfare"|"somatic"|"other"
---@field instrument string?
---@field date string?      # "YYYY-MM-DD"
---@field date_day integer? # day number
---@field fsiq integer?
---@field by string?

---@class Risk
---@field suicide_attempt boolean?
---@field suicide_plan boolean?
---@field suicidal_ideation boolean?
---@field self_harm boolean?
---@field psychosis boolean?
---@field substance_misuse boolean?

---@class Somatic
---@field height_cm number?
---@field weight_kg number?
---@field bmi number?
---@field weight_loss_pct_3m number?

---@class HistoryEntry
---@field id string
---@field received string
---@field received_day integer
---@field outcome "accept"|"request_info"|"redirect"|"reject"|"manual_review"|nil
---@field target "buc"|"specialist_practice"|"municipality"|"adult_psychiatry"|"other_region"|nil

---@class Referral
---@field id string
---@field municipality string
---@field text string                 # "" when absent
---@field received string             # "YYYY-MM-DD"
---@field birth_date string           # from the CPR when not given
---@field received_day integer        # days since 1970-01-01
---@field birth_day integer
---@field age integer                 # whole years at received
---@field has_cpr boolean
---@field priority "routine"|"urgent"|"asap"|nil
---@field referrer_kind "gp"|"specialist"|"hospital"|"municipality"|"health_visitor"|"self"|"other"
---@field referrer_name string?
---@field sex "F"|"M"|"U"|nil
---@field custody "joint"|"sole"|"placed"|"unknown"|nil
---@field consent_both boolean?
---@field previous_buc_contact boolean?
---@field gapd integer?
---@field diagnoses string[]          # WHO form: "F90.0"
---@field assessments Assessment[]
---@field prior_interventions string[]
---@field medication string[]
---@field risk Risk
---@field somatic Somatic
local Referral = {}
---@return HistoryEntry[] # the same child's earlier referrals, oldest first
function Referral:history() end

---@class DecisionFields
---@field outcome "accept"|"request_info"|"redirect"|"reject"
---@field target "buc"|"specialist_practice"|"municipality"|"adult_psychiatry"|"other_region"|nil
---@field unit string?
---@field priority "acute"|"urgent"|"routine"|nil
---@field deadline integer|string|nil  # day number or "YYYY-MM-DD"
---@field request_from "referrer"|"municipality"|nil

---@alias MissingItem "cognitive_assessment"|"updated_cognitive_assessment"|"ppv"|"consent_both_custodians"|"somatic_measurements"

---@class Decision
---@field outcome string?  # decided so far, or nil
---@field explain boolean  # the trace is recorded: build `when`'s why-string only then
local Decision = {}
---@param fields DecisionFields
function Decision:decide(fields) end
---@param text string  # with more arguments a format: %s, %d, %D (a day number as YYYY-MM-DD)
function Decision:reason(text, ...) end
---@param item MissingItem
function Decision:missing(item) end
---@return MissingItem[]
function Decision:missing_items() end
---@return integer
function Decision:missing_count() end

--- What the letter says (the engine's text layer, data/text/*.lua): one
--- field per evidence key (`evidence.ADHD`, `evidence.ppv`, ...), false where
--- the letter does not state it; KEY_date (a day number or false) and, for
--- keys with history_months, KEY_past. Read only; an unknown name raises.
---@class Evidence
---@field counted string[]            # the keys stated, sorted
---@field weight_kg number|false
---@field height_cm number|false
---@field bmi number|false            # only when stated
---@field weight_loss_pct number|false
---@field weight_loss_months number|false
---@field iq number|false             # the lowest full-scale IQ stated
---@field [string] boolean|integer
evidence = {}

text = {}
--- Whether s states key, read with the rule set's words (a medication's name).
---@param s string
---@param key string
---@return boolean
function text.states(s, key) end

--- Facts of this rule set (00-facts.lua); each computed once per referral.
---@class Facts
---@field previous_contact boolean
---@field effective_age integer
---@field repeat_referral boolean
---@field municipality string|false   # official name, false outside the region
---@field site "glostrup"|"bispebjerg"|"hilleroed"|"bornholm"|nil
---@field custody_joint boolean
---@field custody_placed boolean
---@field consent boolean
---@field coded table                 # lib/codes.lua's reading of the diagnoses
---@field substance boolean
---@field groups table<string, true>  # PSYCHOSIS ... SUBSTANCE, from codes and text
---@field group_count integer
---@field comorbid boolean
---@field severe_depression boolean
---@field psychotropic boolean
---@field suicide_attempt "current"|"past"|nil
---@field suicide_plan boolean
---@field psychotic boolean
---@field suicidal_ideation boolean
---@field self_harm boolean
---@field risk_flag boolean
---@field somatic table
---@field eating_risk boolean
---@field acute boolean
---@field iq integer?
---@field cognitive "current"|"outdated"|nil
---@field ppv boolean
---@field needs_cognitive boolean
---@field target_group boolean
---@field intellectual_disability boolean
---@field urgent boolean

---@class Regex
local Regex = {}
---@return boolean
function Regex:match(s, init) end
---@return integer?, integer?
function Regex:find(s, init) end
---@return integer?, integer?, table?
function Regex:captures(s, init) end
---@return fun(): integer, integer
function Regex:gmatch(s, init) end

---@class RuleSpec
---@field id string
---@field title string
---@field when fun(r: Referral, f: Facts, d: Decision): any
---@field explain (fun(r: Referral, f: Facts, d: Decision): string)?  # the trace's words (--explain only)
---@field evidence string[]?   # the evidence keys its reasons rest on
---@field action (fun(r: Referral, f: Facts, d: Decision))?

---@param spec RuleSpec
function rule(spec) end
---@param name string
---@param fn fun(r: Referral, f: Facts): any
function fact(name, fn) end
---@param path string
---@return any
function include(path) end
---@param pattern string
---@param flags string?  # "c" case sensitive, "x" extended, "m" multiline
---@return Regex
function regex(pattern, flags) end

date = {}
---@return integer?
function date.parse(s) end
---@return integer?
function date.ymd(y, m, d) end
---@return string
function date.format(day) end
---@return integer, integer, integer
function date.parts(day) end
---@return integer
function date.add_months(day, n) end
---@return integer
function date.age(birth_day, at_day) end
