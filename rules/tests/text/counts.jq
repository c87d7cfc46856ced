# The count tables of README.md, from the passages themselves:
#   cat rules/tests/text/*.jsonl | jq -s -r -f rules/tests/text/counts.jq
def refs: ["gp", "ppr", "hospital", "specialist"];
def counts($xs): refs | map(. as $r | $xs | map(select(.referrer == $r)) | length) + [$xs | length];
def cells($xs): counts($xs) | map(tostring) | join(" | ");
def v11order: ["spelling", "negation", "sentences", "other people", "dates", "measurements", "calendar"];
def v11: {"spelling": "spelling", "terms": "spelling", "negation": "negation", "label_value": "negation",
          "suspicion": "negation", "sentences": "sentences", "other_people": "other people", "dates": "dates",
          "measurements": "measurements", "calendar": "calendar"}[.bullet] // "— (the policy's other areas)";
. as $all
| "Per policy v1.1 bullet and referrer kind:", "",
  "| policy v1.1 bullet | files | gp | ppr | hospital | specialist | all |",
  "|---|---|--:|--:|--:|--:|--:|",
  (map(. + {v: v11}) | group_by(.v) | sort_by(.[0].v as $v | v11order | index($v) // 99)[] as $g
   | "| \($g[0].v) | \($g | map(.bullet) | unique | map("`\(.)`") | join(", ")) | \(cells($g)) |"),
  "", "Per file (`bullet`) and referrer kind:", "",
  "| file (`bullet`) | gp | ppr | hospital | specialist | all |",
  "|---|--:|--:|--:|--:|--:|",
  (group_by(.bullet)[] as $g | "| `\($g[0].bullet)` | \(cells($g)) |"),
  "| **all** | \(cells($all)) |",
  "", "Per evidence key: expectations by result, and passages that list the key in `absent`:", "",
  "| key | counted | negated | other_person | history | value | absent |",
  "|---|--:|--:|--:|--:|--:|--:|",
  (([.[] | .expect[].key] + [.[] | (.absent // [])[]] | unique)[] as $k
   | [$all[] | .expect[] | select(.key == $k)] as $es
   | "| `\($k)` | \([$es[] | select(.counted == true)] | length) | \([$es[] | select(.why == "negated")] | length) | \([$es[] | select(.why == "other_person")] | length) | \([$es[] | select(.why == "history")] | length) | \([$es[] | select(has("value"))] | length) | \([$all[] | select((.absent // []) | index($k))] | length) |")
