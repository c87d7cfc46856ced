#!/usr/bin/env bash
# text_corpus.sh — the text layer on every corpus letter (4,753): it reads
# each as the shipped rules' own text reading does (rules/00-facts.lua on the
# letters with their structured fields taken away), and it reads each the same
# when rewritten as issue 20 says letters arrive: ae/oe/aa for æ/ø/å, all in
# capitals, sentence breaks as line breaks with doubled spaces, no-break
# spaces. Usage: tests/text_corpus.sh path/to/triage (triage-text-bench beside it).
set -euo pipefail
triage=$(realpath "$1")
bench=$(dirname "$triage")/triage-text-bench
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/triage-text-corpus-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$triage" corpus --out "$tmp/c" > /dev/null
# The letters alone: what the rules must read from text.
jq -c 'del(.diagnoses, .assessments, .risk, .somatic, .medication, .consent,
           .previous_buc_contact, .gapd) | del(.patient.custody)' \
   "$tmp/c/referrals.jsonl" > "$tmp/letters.jsonl"
n=$(wc -l < "$tmp/letters.jsonl")

# The rules' facts, as one line of each letter's reasons (a rule set with
# 00-facts.lua and one rule that prints them; bench/text.c --signatures
# prints the layer's evidence in the same form).
mkdir -p "$tmp/rules"
cp -r "$src/rules/lib" "$src/rules/data" "$src/rules/00-facts.lua" "$tmp/rules/"
cat > "$tmp/rules/10-report.lua" <<'EOF'
local G = include("data/groups.lua")
rule {
  id = "REPORT", title = "the facts read from text",
  when = function(r, f, d) return true end,
  action = function(r, f, d)
    local g = {}
    for _, name in ipairs(G.order) do if f.groups[name] then g[#g + 1] = name end end
    local s = f.somatic
    local function num(v) return v and string.format("%.2f", v) or "-" end
    local function b(v) return v and "1" or "0" end
    d:reason(table.concat({
      "G=" .. table.concat(g, ","), "SA=" .. tostring(f.suicide_attempt),
      "SP=" .. b(f.suicide_plan), "SI=" .. b(f.suicidal_ideation), "SH=" .. b(f.self_harm),
      "PSY=" .. b(f.psychotic), "SEV=" .. b(f.severe_depression), "CJ=" .. b(f.custody_joint),
      "CP=" .. b(f.custody_placed), "CON=" .. b(f.consent), "PREV=" .. b(f.previous_contact),
      "MED=" .. b(f.psychotropic), "COG=" .. tostring(f.cognitive), "PPV=" .. b(f.ppv),
      "IQ=" .. num(f.iq), "BMI=" .. num(s.bmi), "W=" .. num(s.weight), "H=" .. num(s.height),
      "LOSS=" .. num(s.loss) }, ";"))
    d:decide{ outcome = "accept", target = "buc", unit = "B132", priority = "routine",
              deadline = r.received_day }
  end,
}
EOF
"$triage" check --rules "$tmp/rules" --format json "$tmp/letters.jsonl" \
  | jq -r '[.id, .reasons[0].text] | @tsv' > "$tmp/rules.tsv"
"$bench" --rules "$src/rules" --signatures "$tmp/letters.jsonl" > "$tmp/layer.tsv"

# Lines that differ, as "id field:old->new ...".
differ() {
  paste "$1" "$2" | awk -F'\t' '$2 != $4 {
    n = split($2, a, ";"); split($4, b, ";"); d = ""
    for (i = 1; i <= n; i++) if (a[i] != b[i]) d = d " " a[i] "->" b[i]
    print $1 d }'
}

fail=0
d=$(differ "$tmp/rules.tsv" "$tmp/layer.tsv")
echo "the rules' text reading and the layer differ on $(printf '%s' "$d" | grep -c . || true) of $n letters"
[ -z "$d" ] || { printf '%s\n' "$d" | head -20; fail=1; }

rewrite() {
  case $1 in
    aeoeaa) jq -c '.text |= (if . then gsub("æ";"ae") | gsub("ø";"oe") | gsub("å";"aa")
                              | gsub("Æ";"AE") | gsub("Ø";"OE") | gsub("Å";"AA") else . end)' ;;
    upper)  jq -c '.text |= (if . then ascii_upcase | gsub("æ";"Æ") | gsub("ø";"Ø")
                              | gsub("å";"Å") else . end)' ;;
    breaks) jq -c '.text |= (if . then gsub("\\. (?=[A-ZÆØÅ])";".\n  ") | gsub(" ";"  ")
                              else . end)' ;;
    nbsp)   jq -c '.text |= (if . then gsub(" ";"\u00a0") else . end)' ;;
  esac
}
for v in aeoeaa upper breaks nbsp; do
  rewrite $v < "$tmp/letters.jsonl" > "$tmp/$v.jsonl"
  "$bench" --rules "$src/rules" --signatures "$tmp/$v.jsonl" > "$tmp/$v.tsv"
  d=$(differ "$tmp/layer.tsv" "$tmp/$v.tsv")
  k=$(printf '%s' "$d" | grep -c . || true)
  echo "rewritten ($v): $k of $n letters read differently"
  if [ "$k" -gt 0 ]; then
    printf '%s\n' "$d" | head -10
    fail=1
  fi
done
exit $fail
