# tests/lib/rewrite.sh — the ways issue 20 says letters arrive, as jq filters
# over referral JSON Lines (sourced by tests/text_corpus.sh and
# tests/invariance.sh): rewrite NAME < in.jsonl > out.jsonl rewrites `text`.
#   aeoeaa  ae/oe/aa for æ/ø/å (AE/OE/AA for Æ/Ø/Å), as older systems send them
#   upper   the whole letter in capitals
#   breaks  sentence breaks as line breaks, every space doubled
#   nbsp    every space a no-break space
REWRITES="aeoeaa upper breaks nbsp"
rewrite() {
  case $1 in
    aeoeaa) jq -c '.text |= (if . then gsub("æ";"ae") | gsub("ø";"oe") | gsub("å";"aa")
                              | gsub("Æ";"AE") | gsub("Ø";"OE") | gsub("Å";"AA") else . end)' ;;
    upper)  jq -c '.text |= (if . then ascii_upcase | gsub("æ";"Æ") | gsub("ø";"Ø")
                              | gsub("å";"Å") else . end)' ;;
    breaks) jq -c '.text |= (if . then gsub("\\. (?=[A-ZÆØÅ])";".\n  ") | gsub(" ";"  ")
                              else . end)' ;;
    nbsp)   jq -c '.text |= (if . then gsub(" ";"\u00a0") else . end)' ;;
    *) echo "rewrite: unknown rewrite '$1'" >&2; return 2 ;;
  esac
}
