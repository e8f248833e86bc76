#!/usr/bin/env bash
# Lighthouse (mobile preset: a mid-range phone, slow 4G, 4× CPU slowdown) on the shipped
# curriculum as a school's LAN serves it (`hoclieu serve --static`, precompressed files):
# home, a lesson, a learning path and the search page with results, in Vietnamese and
# Mông. Prints one line per page with the four category scores, and writes the JSON
# reports to bench/out/lighthouse/.
#
#   bench/lighthouse.sh                       # build, serve on 127.0.0.1:8097, measure
#   LH_RUNS=3 bench/lighthouse.sh             # median of 3 runs per page (default 1)
#
# Needs chromium (apt-get install chromium) and Node; Lighthouse itself is installed on
# first use into bench/out/node (npm, pinned version), not into the project's package.json,
# so CI does not download it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
OUT="$ROOT/bench/out/lighthouse"
NODE_DIR="$ROOT/bench/out/node"
VERSION=12.8.2   # 13 needs Node 22; Debian has 20
PORT=${LH_PORT:-8097}
RUNS=${LH_RUNS:-1}
mkdir -p "$OUT" "$NODE_DIR"

if [[ ! -x "$NODE_DIR/node_modules/.bin/lighthouse" ]]; then
  echo "==> installing lighthouse@$VERSION into $NODE_DIR" >&2
  # a package.json of its own, so npm installs here and not into the project's
  [[ -f "$NODE_DIR/package.json" ]] || echo '{"private":true}' >"$NODE_DIR/package.json"
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent "lighthouse@$VERSION" >/dev/null)
fi

echo "==> building the shipped content" >&2
cargo build --release --quiet
SITE="$ROOT/bench/out/lighthouse-site"
./target/release/hoclieu build --out "$SITE" >/dev/null

./target/release/hoclieu serve --static "$SITE" --port "$PORT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done

PAGES=(
  "vi/index.html"
  "vi/an-toan-thong-tin/mat-khau-manh/index.html"
  "vi/nhom/nguoi-dan/index.html"
  "vi/tim-kiem/index.html?q=mat+khau"
  "hmn/index.html"
  "hmn/an-toan-thong-tin/mat-khau-manh/index.html"
)

printf '%-52s %5s %5s %5s %5s\n' "page (Lighthouse $VERSION, mobile)" perf a11y best seo
for page in "${PAGES[@]}"; do
  name=$(echo "$page" | tr '/?=+' '____')
  scores=()
  for run in $(seq "$RUNS"); do
    report="$OUT/$name-$run.json"
    CHROME_PATH=/usr/bin/chromium "$NODE_DIR/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT/$page" \
      --quiet --output=json --output-path="$report" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1
    scores+=("$(node -e '
      const r = require(process.argv[1]).categories;
      const s = k => Math.round(r[k].score * 100);
      console.log([s("performance"), s("accessibility"), s("best-practices"), s("seo")].join(" "));
    ' "$report")")
  done
  # the median run by performance score
  median=$(printf '%s\n' "${scores[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  read -r perf a11y best seo <<<"$median"
  printf '%-52s %5s %5s %5s %5s\n' "$page" "$perf" "$a11y" "$best" "$seo"
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
