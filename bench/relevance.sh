#!/usr/bin/env bash
# Relevance of search on the shipped curriculum: the queries of bench/relevance/queries.toml
# (judged by reading the lessons), each in four forms — as written, without diacritics,
# decomposed (NFD), the other tone placement (hoà/hòa) — against `hoclieu search` and the

# query, on the built site). Prints recall@5 and MRR (over the first 10) per form and engine,
# the compressed bytes a browser downloads per query (index files only; the .br where the
# build wrote one, else the .gz), and the queries that miss.
#
#   bench/relevance.sh                      # release build
#   HOCLIEU=target/debug/hoclieu bench/relevance.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
OUT="$ROOT/bench/out/relevance"
if [[ -z "${HOCLIEU:-}" ]]; then
  cargo build --release --quiet --bin hoclieu
  HOCLIEU=${CARGO_TARGET_DIR:-$ROOT/target}/release/hoclieu
fi
rm -rf "$OUT" && mkdir -p "$OUT"
"$HOCLIEU" build --root "$ROOT" --out "$OUT/public" >/dev/null
exec python3 "$ROOT/bench/relevance/score.py" "$HOCLIEU" "$ROOT" "$OUT/public"
