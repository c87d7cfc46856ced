-- data/policy.lua — every number of the policy (tests/spec/policy.md), in one
-- place: the rules compare with these, and the Danish reasons and the
-- --explain texts put them in (lib/explain.lua's X.say fills "{age.adult}"),
-- so a reason never states a number the data does not hold. Change a
-- threshold here and both follow.
return {
  age = {
    adult = 18,               -- from this (effective) age the adult services take over
    -- An 18-year-old with earlier BUC contact counts as this (the transition right).
    transition = 17,
  },
  -- Step 1: a suicide attempt dated only longer ago than this is history, not acute
  -- (the text layer reads it so: data/text/risk.lua takes it from here).
  attempt_history_months = 3,
  -- Step 1: eating-disorder medical risk.
  eating = {
    loss_pct = 20,            -- weight loss of this many percent or more ...
    loss_months = 3,          -- ... within this many months
    bmi = {                   -- BMI below `below` at ages from .. to
      { from = 12, to = 17, below = 14.0 },
      { from = 6, to = 11, below = 13.0 },
    },
  },
  -- Step 5: mild difficulties (GAPD this or less) belong with the municipality,
  -- unless the child was sent there within repeat_days before.
  mild_gapd = 2,
  repeat_days = 180,
  -- Step 6: ADHD/autism from this age (without earlier BUC contact) needs a
  -- cognitive assessment and a PPV; one older than max_age_months is outdated.
  cognitive = { from_age = 6, max_age_months = 24 },
  -- Step 7: a full-scale IQ below this is intellectual disability.
  iq_below = 70,
  -- Step 8: specialist practice takes ages from .. to, GAPD up to max_gapd.
  specialist = { from_age = 6, to_age = 17, max_gapd = 4 },
  -- Step 9: days from received to the deadline, per priority.
  deadline_days = { acute = 0, urgent = 7, routine = 30 },
}
