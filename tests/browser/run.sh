#!/usr/bin/env bash
# run.sh — browser test of the intake page: a fresh database with the spec
# examples (and one referral with a CPR number) imported and decided, three
# accounts (intake, author, admin), `triage serve` on a free loopback port
# with the shipped rules and an access token; then the page driven in
# headless Chromium (tests/browser/page.test.js, with axe-core), and the
# referrers' pre-check page /henvis (henvis.test.js).
# Usage: tests/browser/run.sh [TRIAGE_EXE] [SCREENSHOT_DIR]
# Not part of ctest: CI calls it on its own. Exits non-zero on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exe=$(realpath "${1:-$root/build/triage}")
out=$(mkdir -p "${2:-$(dirname "$exe")}" && cd "${2:-$(dirname "$exe")}" && pwd)

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        chromium=$(command -v chromium)
    else
        echo "run.sh: chromium is not installed (apt-get install chromium, or set CHROMIUM)" >&2
        exit 1
    fi
fi
(cd "$here" && npm ci --no-audit --no-fund --silent)

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cpr=1406114123
db="$work/test.db"
{
    cat "$root"/tests/spec/examples/*.referral.json
    echo "{\"id\":\"EX-CPR\",\"received\":\"2020-03-02\",\"referrer\":{\"kind\":\"gp\"},\"patient\":{\"cpr\":\"$cpr\",\"municipality\":\"Gladsaxe\"},\"diagnoses\":[\"F90.0\"],\"text\":\"Dreng med uro; CPR $cpr.\"}"
} > "$work/in.json"
"$exe" import --db "$db" "$work/in.json" >/dev/null
"$exe" run --db "$db" --rules "$root/rules" >/dev/null
for u in anna:intake cai:author dan:admin; do
    echo "password-of-${u%%:*}" | "$exe" user add "${u%%:*}" --role "${u##*:}" --db "$db" 2>/dev/null
done
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/token"
# as a server in service runs: CDS clients configured (their JWTs required),
# and /henvis still works for a referrer's browser, which has none
printf '{"url": "https://cds.example.org/", "issuers": [{"iss": "https://ehr.example.org/", "keys": [{"kid": "k1", "alg": "RS384", "pem": "%s"}]}]}\n' \
    "$root/tests/data/cds/client-test.pem" > "$work/cds.json"
(cd "$root" && exec "$exe" serve --db "$db" --rules rules --listen 127.0.0.1:0 \
     --token-file "$work/token" --cds-config "$work/cds.json") 2> "$work/serve.log" &
pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/serve.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "run.sh: triage serve did not start:" >&2
    cat "$work/serve.log" >&2
    exit 1
fi
status=0
TRIAGE_URL="http://127.0.0.1:$port" TRIAGE_TEST_TOKEN=$(cat "$work/token") TEST_CPR=$cpr \
SCREENSHOT_DIR="$out" EXAMPLES="$root/tests/spec/examples" CHROMIUM="$chromium" \
    node "$here/page.test.js" || status=$?
TRIAGE_URL="http://127.0.0.1:$port" SCREENSHOT_DIR="$out" CHROMIUM="$chromium" \
    node "$here/henvis.test.js" || status=$?
if grep -Eq '[0-9]{6}-?[0-9]{4}' "$work/serve.log"; then
    echo "run.sh: the request log holds a CPR-like number" >&2
    status=1
fi
[ "$status" = 0 ] && echo "browser test passed; screenshots in $out" || cat "$work/serve.log" >&2
exit "$status"
