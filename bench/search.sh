#!/usr/bin/env bash
# Search benchmark: what a query costs a phone. Builds the generated corpus (default 10 000
# lessons, examples/gen_corpus.rs) with precompression, then, for each query below, runs the
# browser's own search code under node (tests/fixtures/search/query.js, a fresh process per
# query, so nothing is cached) and sums the compressed sizes (the .br where the build wrote one,
# else the .gz: what a browser receives) of every index file it loaded, plus
# the search script itself. Also times `hoclieu search` (tantivy, built in memory).
#
#   bench/search.sh                    # 10 000 lessons
#   BENCH_LESSONS=1000 bench/search.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
LESSONS=${BENCH_LESSONS:-10000}
OUT="$ROOT/bench/out/search-$LESSONS"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$OUT"

cargo build --release --quiet --example gen_corpus --bin hoclieu
if [[ ! -f "$OUT/corpus/hoclieu/book.toml" ]]; then
  rm -rf "$OUT/corpus"
  "$TARGET/release/examples/gen_corpus" --lessons "$LESSONS" --out "$OUT/corpus" >/dev/null
fi
SITE="$OUT/corpus/hoclieu"
echo "== build ($LESSONS lessons, precompressed)"
/usr/bin/time -f "%e s, %M KB peak" "$TARGET/release/hoclieu" build --root "$SITE" --out "$OUT/public" 2>&1 | tail -2
PUBLIC="$OUT/public"
SEARCH_JS=$(ls "$PUBLIC"/assets/search.*.js | grep -v '\.br$\|\.gz$' | head -1)
received() { if [[ -f $1.br ]]; then stat -c %s "$1.br"; else stat -c %s "$1.gz"; fi; }
SCRIPT_BR=$(received "$SEARCH_JS")
echo "== index: $(ls "$PUBLIC"/search/vi/s*.js | wc -l) term shards, $(ls "$PUBLIC"/search/vi/d*.js | wc -l) document chunks (vi); $(du -sh --apparent-size "$PUBLIC/search/vi" | cut -f1) with .br/.gz"
echo "== per query (fresh page): files loaded, compressed bytes of index files + search script ($SCRIPT_BR B)"
printf '%-28s %6s %10s %10s  %s\n' query files index_B total_B first_result
while IFS= read -r q; do
  line=$(printf '%s\n' "$q" | node "$ROOT/tests/fixtures/search/query.js" "$ROOT/themes/default/static/search.js" "$PUBLIC" vi)
  python3 - "$PUBLIC" "$SCRIPT_BR" "$q" "$line" <<'PY'
import json, os, sys
public, script, q, line = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
a = json.loads(line)
def received(f):
    br = os.path.join(public, f + ".br")
    return os.path.getsize(br if os.path.exists(br) else os.path.join(public, f + ".gz"))
size = sum(received(f) for f in a["loaded"])
first = a["results"][0][0][:40] if a["results"] else "-"
print(f"{q:<28} {len(a['loaded']):>6} {size:>10} {size + script:>10}  {first}")
PY
done <<'QUERIES'
mat khau
an toàn thông tin
dịch vụ công
điện thoại thông minh
chuyen doi so
lua dao
thanh toan qr
tri tue nhan tao
QUERIES
echo "== hoclieu search (tantivy, index built in memory each run)"
/usr/bin/time -f "%e s, %M KB peak" "$TARGET/release/hoclieu" search --root "$SITE" mat khau --limit 3 2>&1 | grep -v '^   '
