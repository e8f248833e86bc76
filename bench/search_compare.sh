#!/usr/bin/env bash
# What a search costs a phone, other tools' way: Pagefind (the chunked static index) and
# mdBook (one whole-book index), on the same generated lessons as bench/search.sh.
# Run bench/search.sh first (it builds the corpus and hoclieu's output).
#
#   BENCH_INSTALL=1 bench/search_compare.sh   # npm-installs pagefind into bench/out/tools
#
# Pagefind: indexes hoclieu's Vietnamese pages, then headless Chromium runs
# `pagefind.search(q)` and loads the first 10 results' data over HTTP (Pagefind needs
# fetch(), so it cannot run from file://); a logging server records every file sent.
# Sizes: Pagefind's index files are already gzip-compressed (counted as stored); its .js
# and .json are counted gzip -9. mdBook: the size of searchindex.js (whole), which its
# search loads on first use, plus its search scripts, gzip -6.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
LESSONS=${BENCH_LESSONS:-10000}
OUT="$ROOT/bench/out/search-$LESSONS"
TOOLS="$ROOT/bench/out/tools"
QUERIES=("mat khau" "an toàn thông tin" "dịch vụ công")
[[ -d "$OUT/public/vi" ]] || { echo "run bench/search.sh first" >&2; exit 2; }

if [[ ! -x "$TOOLS/node_modules/.bin/pagefind" ]]; then
  [[ "${BENCH_INSTALL:-0}" == 1 ]] || { echo "pagefind missing: BENCH_INSTALL=1 $0" >&2; exit 2; }
  mkdir -p "$TOOLS" && (cd "$TOOLS" && npm init -y >/dev/null && npm install --no-audit --no-fund pagefind@1.6.0 >/dev/null)
fi
SITE="$OUT/pagefind-site"
if [[ ! -d "$SITE/pagefind" ]]; then
  rm -rf "$SITE" && mkdir -p "$SITE" && cp -r "$OUT/public/vi" "$OUT/public/assets" "$SITE/"
  echo "== pagefind indexing"
  /usr/bin/time -f "%e s" "$TOOLS/node_modules/.bin/pagefind" --site "$SITE" 2>&1 | tail -2
fi
cat > "$SITE/pf-test.html" <<'HTML'
<!doctype html><title>start</title>
<script type="module">
const pagefind = await import("/pagefind/pagefind.js");
const r = await pagefind.search(new URLSearchParams(location.search).get("q"));
const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
document.title = "done " + data.length + " " + (data[0] ? data[0].meta.title : "");
</script>
HTML
PORT=8765
LOG="$OUT/pagefind-requests.txt"
python3 "$ROOT/bench/logging_server.py" "$SITE" "$LOG" $PORT & SERVER=$!
trap 'kill $SERVER' EXIT
sleep 1
echo "== Pagefind 1.6.0, per query (first 10 results' data)"
for q in "${QUERIES[@]}"; do
  for attempt in 1 2 3; do
    : > "$LOG"
    url="http://127.0.0.1:$PORT/pf-test.html?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")"
    title=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d)" \
      --virtual-time-budget=60000 --dump-dom "$url" 2>/dev/null | grep -o '<title>[^<]*' || true)
    [[ "$title" == *done* ]] && break
  done
  python3 - "$SITE" "$LOG" "$q" "$title" <<'PY'
import gzip, sys
site, log, q, title = sys.argv[1:5]
rows = [l.rstrip("\n").split("\t") for l in open(log) if l.strip() and not l.startswith("/pf-test")]
total = 0
for path, size in rows:
    if path.endswith((".js", ".json")):
        size = len(gzip.compress(open(site + path, "rb").read(), 9))
    total += int(size)
print(f"{q:<22} {len(rows):>3} files {total:>8} B   {title.replace('<title>', '')}")
PY
done
if command -v mdbook >/dev/null && [[ -d "$OUT/corpus/mdbook" ]]; then
  echo "== mdBook $(mdbook --version | cut -d' ' -f2): searchindex.js and search scripts"
  [[ -f "$OUT/mdbook-book/searchindex.js" ]] || /usr/bin/time -f "mdbook build: %e s" mdbook build "$OUT/corpus/mdbook" -d "$OUT/mdbook-book" 2>&1 | tail -1
  for f in searchindex.js elasticlunr.min.js mark.min.js searcher.js; do
    [[ -f "$OUT/mdbook-book/$f" ]] && printf '%-20s %10s B gzip -6\n' "$f" "$(gzip -6 -c "$OUT/mdbook-book/$f" | wc -c)"
  done
fi
