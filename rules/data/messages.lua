-- data/messages.lua — the texts the engine itself writes into a decision,
-- which staff read like any other reason. The engine reads this file when
-- the rule set loads; without it, it falls back to plain English.
--   rule_failed  a rule raised an error or hit a limit: {rule} is its id,
--                {error} what went wrong (the referral goes to manual_review)
--   no_decision  every rule ran and none decided (manual_review, rule ENGINE)
return {
  rule_failed = "Regel {rule} fejlede: {error}; en medarbejder skal vurdere henvisningen.",
  no_decision = "Ingen regel traf en afgørelse; en medarbejder skal vurdere henvisningen.",
}
