#!/usr/bin/env bash
# Where a build's time goes: one clean build of a corpus that bench/run.sh generated, under
# `perf record`, into a fresh folder, then the symbols with the most samples (flat). The
# figures of "Profile" in BENCHMARKS.md come from this script.
#
#   bench/profile.sh                                  # bench/out/corpus-real-10000/hoclieu
#   bench/profile.sh bench/out/corpus-easy-10000/hoclieu-plain   # another site (precompress off)
#   BENCH_TOP=60 bench/profile.sh                     # more symbols
#   BENCH_CALLGRAPH=dwarf bench/profile.sh bench/out/corpus-real-1000/hoclieu-plain
#                                  # whole call stacks: hoclieu's functions with the share of
#                                  # samples under them (search index against rendering);
#                                  # use a small corpus, dwarf stacks are large
#
# Needs `perf` (Debian: linux-perf) and a release build (`cargo build --release`). The output
# goes to bench/out/profile/ (perf.data and top.txt); the built site is deleted afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SITE=${1:-bench/out/corpus-real-10000/hoclieu}
TOP=${BENCH_TOP:-40}
HOCLIEU=${CARGO_TARGET_DIR:-target}/release/hoclieu
command -v perf >/dev/null || { echo "error: perf is missing: install the Debian package linux-perf" >&2; exit 2; }
[[ -x $HOCLIEU ]] || { echo "error: $HOCLIEU is missing: run cargo build --release" >&2; exit 2; }
[[ -f $SITE/book.toml ]] || { echo "error: no site at $SITE: run bench/run.sh first (it generates the corpora)" >&2; exit 2; }
OUT=bench/out/profile
mkdir -p "$OUT"
built=$(mktemp -d "$OUT/site.XXXXXX")
trap 'rm -rf "$built"' EXIT
if [[ ${BENCH_CALLGRAPH:-} == dwarf ]]; then
  perf record -q -F 2000 --call-graph dwarf,32768 -o "$OUT/perf.data" "$HOCLIEU" build --clean --root "$SITE" --out "$built/site" >/dev/null 2>&1
  perf report -i "$OUT/perf.data" --children --sort sym --stdio -g none 2>/dev/null | grep '%' \
    | grep -E '\] hoclieu::[a-z_:]+$' | awk -v top="$TOP" 'NR <= top' | tee "$OUT/top.txt"
else
  perf record -q -F 999 -g -o "$OUT/perf.data" "$HOCLIEU" build --clean --root "$SITE" --out "$built/site" >/dev/null 2>&1
  perf report -i "$OUT/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep '%' | awk -v top="$TOP" 'NR <= top' | tee "$OUT/top.txt"
fi
