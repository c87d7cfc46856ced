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
---@param text string
function Decision:reason(text) end
---@param item MissingItem
function Decision:missing(item) end
---@return MissingItem[]
function Decision:missing_items() end

---@class TextContext  # lib/text.lua
---@field text string
---@field empty boolean
local TextContext = {}
---@return integer?, integer?
function TextContext:first(re, kind) end
function TextContext:each(re, kind) end
---@param set integer  # from T.set{re, ...}
---@return integer     # bit i - 1 set: set[i] has a mention that counts
function TextContext:which(set, kind) end
---@return integer, integer
function TextContext:sentence(pos) end

--- Facts of this rule set (00-facts.lua); each computed once per referral.
---@class Facts
---@field text TextContext
---@field previous_contact boolean
---@field effective_age integer
---@field repeat_referral boolean
---@field municipality string?        # official name, nil outside the region
---@field site "glostrup"|"bispebjerg"|"hilleroed"|"bornholm"|nil
---@field custody_joint boolean
---@field custody_placed boolean
---@field consent boolean
---@field code_groups table<string, true>
---@field groups table<string, true>  # PSYCHOSIS ... SUBSTANCE, from codes and text
---@field group_count integer
---@field comorbid boolean
---@field core_group string?
---@field severe_depression boolean
---@field psychotropic boolean
---@field suicide_attempt "current"|"past"|nil
---@field suicide_plan boolean
---@field psychotic boolean
---@field suicidal_ideation boolean
---@field self_harm boolean
---@field risk_flag boolean
---@field somatic {bmi: number?, height: number?, weight: number?, loss: number?}
---@field eating_risk boolean
---@field acute boolean
---@field iq integer?
---@field low_iq boolean
---@field cognitive "current"|"outdated"|nil
---@field ppv boolean
---@field needs_cognitive boolean
---@field target_group boolean
---@field intellectual_disability boolean

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
---@field when fun(r: Referral, f: Facts, d: Decision): any, string?
---@field action fun(r: Referral, f: Facts, d: Decision)

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

---@class ScannerSpec
---@field negation Regex        # words that negate what follows, to the sentence's end or a contrast
---@field negation_doc Regex    # further negations for kind "doc"
---@field contrast Regex        # what ends a negation's reach
---@field post_clin Regex       # \G-anchored: a clause after a term that negates it
---@field post_doc Regex        # \G-anchored: the same for kind "doc"
---@field family_start Regex    # a relative who has something starts a family clause
---@field family_clause Regex   # a marker that makes its clause family history
---@field family_end Regex      # what ends a family clause
---@field family_post Regex     # \G-anchored: "hos far", "i familien" after a term
---@field family_reach integer   # bytes a clause begun by a relative reaches at most
---@field abbreviations table<string, true>  # words of 1-5 letters whose dot ends no sentence

---@class Scanner  # its functions take a context first (ignored), so they can be methods
---@field reset fun(text: string)                                      # read a new referral's text
---@field first fun(self: any, re: Regex, kind: string?): integer?, integer?
---@field each fun(self: any, re: Regex, kind: string?): fun(): integer, integer
---@field sentence fun(self: any, pos: integer): integer, integer
---@field from fun(self: any, re: Regex, pos: integer): integer|false|nil, integer?  # first match at pos or later; false: one runs over pos
---@field terms fun(...: Regex|table)                                  # declare terms at load
---@field set fun(list: Regex[]): integer                              # declare a set (at most 64) for which, at load
---@field which fun(self: any, set: integer, kind: string?): integer   # bit i - 1: first(list[i], kind) finds one

---@param spec ScannerSpec
---@return Scanner
function scanner(spec) end

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
