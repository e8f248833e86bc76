#!/usr/bin/env bash
# Proof of no change: builds the shipped content, a 500-lesson generated corpus (four
# languages) and the test fixtures with the hoclieu binary given (default: a debug build of
# this checkout), all with SOURCE_DATE_EPOCH fixed, and prints one hash of every output
# file's SHA-256. Run it before and after a refactoring: the two lines must be equal.
#
#   bench/identical.sh                       # target/debug/hoclieu, after cargo build
#   bench/identical.sh path/to/old/hoclieu   # another binary (an older commit's)
#   bench/identical.sh --plain [BINARY]      # for a change to compression: hashes every
#                                            # file but the .gz/.br siblings, and checks
#                                            # each sibling decompresses to its file
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PLAIN=0
if [[ ${1:-} == --plain ]]; then PLAIN=1; shift; fi
if [[ $# -ge 1 ]]; then BIN=$(realpath "$1"); else cargo build -q; BIN=$ROOT/target/debug/hoclieu; fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export SOURCE_DATE_EPOCH=1700000000
cargo build -q --release --example gen_corpus
if [[ $PLAIN == 1 ]]; then cargo build -q --release --example check_siblings; fi
"$ROOT/target/release/examples/gen_corpus" --lessons 500 --out "$OUT/corpus" --seed 7 >/dev/null
sites=("$ROOT" "$OUT/corpus/hoclieu")
for fixture in languages minimal packs search; do
  cp -r "$ROOT/tests/fixtures/$fixture" "$OUT/fixture-$fixture"   # the image cache goes there, not into the repository
  sites+=("$OUT/fixture-$fixture")
done
for i in "${!sites[@]}"; do
  "$BIN" build --root "${sites[$i]}" --out "$OUT/site-$i" >/dev/null 2>&1 || echo "build of ${sites[$i]} failed" >&2
done
if [[ $PLAIN == 1 ]]; then
  for i in "${!sites[@]}"; do
    "$ROOT/target/release/examples/check_siblings" "$OUT/site-$i" >&2
  done
  cd "$OUT" && find site-* -type f ! -name '*.gz' ! -name '*.br' | sort | xargs sha256sum >hashes.txt
else
  cd "$OUT" && find site-* -type f | sort | xargs sha256sum >hashes.txt
fi
echo "$(sha256sum hashes.txt | cut -c1-16)  $(wc -l <hashes.txt) files"
