#!/usr/bin/env bash
# Rebuild benchmark (issue 13 item 4): how long `hoclieu build` takes with its build cache
# (.hoclieu-cache/build/) on the realistic corpus, on the real disk:
#
#   1. a clean build (`hoclieu build --clean`: every page rendered, the whole output written);
#   2. a rebuild with nothing changed;
#   3. a rebuild after editing one lesson's text (a sentence appended, different each run).
#
# Each is run BENCH_RUNS times (default 3) in rounds (clean, no change, edit; again) and the
# median reported, with user and system CPU seconds from /usr/bin/time, the files the
# build wrote (newer than a stamp taken just before it), the 1-minute load average at the
# start, and hoclieu's stage times (HOCLIEU_TIMINGS=1). The images' cache is warmed by one
# untimed build first (as in bench/run.sh: every run finds the WebP variants cached).
#
#   bench/rebuild.sh                       # 10 000 lessons, real corpus, medians of 3
#   BENCH_LESSONS=1000 bench/rebuild.sh    # another size
#   BENCH_RUNS=5 bench/rebuild.sh
#   BENCH_BUILD=0 bench/rebuild.sh         # use target/release as it is (no cargo build)
#
# Results: bench/out/rebuild.txt (and every run in bench/out/rebuild-runs.tsv).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
LESSONS=${BENCH_LESSONS:-10000}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-42}
OUT="$ROOT/bench/out"
DIR="$OUT/rebuild-real-$LESSONS"
RESULTS="$OUT/rebuild.txt"
RAW="$OUT/rebuild-runs.tsv"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
HOCLIEU="$TARGET/release/hoclieu"
GEN="$TARGET/release/examples/gen_corpus"

log() { printf '==> %s\n' "$*" >&2; }

[[ -x /usr/bin/time ]] || { echo "error: /usr/bin/time is missing: install the Debian package 'time'" >&2; exit 2; }
if [[ ${BENCH_BUILD:-1} == 1 ]]; then
  log "cargo build --release (hoclieu, gen_corpus)"
  cargo build --release --bin hoclieu --example gen_corpus
fi
mkdir -p "$OUT"

if [[ ! -f $DIR/hoclieu/book.toml ]]; then
  log "generating the real corpus, $LESSONS lessons, into $DIR"
  rm -rf "$DIR"
  "$GEN" --lessons "$LESSONS" --out "$DIR" --seed "$SEED" --corpus real --words "$ROOT/bench/words" >&2
  # one language, as bench/run.sh builds it (the minority languages would make every page
  # four times, as fallbacks)
  awk '/^\[/ { keep = ($0 !~ /^\[languages\./ || $0 == "[languages.vi]") } keep' \
    "$DIR/hoclieu/book.toml" >"$DIR/book.vi.toml"
  mv "$DIR/book.vi.toml" "$DIR/hoclieu/book.toml"
fi
SITE="$DIR/hoclieu"
# the lesson edited: the first lesson of the middle course
LESSON=$(find "$SITE/content" -name '*.md' ! -name '_index.md' | sort | sed -n "$((LESSONS / 2))p")
[[ -n $LESSON ]] || { echo "error: no lesson found in $SITE/content" >&2; exit 2; }

printf 'kind\trun\twall\tuser\tsys\twritten\tload1\tstages\n' >"$RAW"

# run_once KIND RUN ARGS...
run_once() {
  local kind=$1 run=$2
  shift 2
  local load stamp log
  load=$(cut -d' ' -f1 /proc/loadavg)
  stamp="$DIR/.stamp"
  log="$DIR/log"
  touch "$stamp"
  sleep 0.01
  (cd "$SITE" && HOCLIEU_TIMINGS=1 /usr/bin/time -v -o "$DIR/time" "$HOCLIEU" build "$@" >"$log" 2>&1) || {
    echo "error: $kind run $run failed:" >&2
    tail -20 "$log" >&2
    exit 1
  }
  local wall user sys written stages
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$DIR/time")
  user=$(awk -F': ' '/User time/ { print $2 }' "$DIR/time")
  sys=$(awk -F': ' '/System time/ { print $2 }' "$DIR/time")
  written=$(find "$SITE/public" -type f -newer "$stamp" | wc -l)
  stages=$(grep '^timing: ' "$log" | sed 's/^timing: //; s/: /=/; s/ s$//' | paste -sd, -)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$run" "$wall" "$user" "$sys" "$written" "$load" "$stages" >>"$RAW"
  log "$kind run $run: ${wall} s wall, ${user} s user, ${sys} s sys, $written files written (load $load)"
}

log "warming the images' cache (untimed)"
(cd "$SITE" && "$HOCLIEU" build --clean >/dev/null 2>&1)

for run in $(seq 1 "$RUNS"); do
  run_once clean "$run" --clean
  run_once "no change" "$run"
  printf '\nUn câu thêm số %s cho lần đo %s.\n' "$RANDOM" "$run" >>"$LESSON"
  run_once "one lesson edited" "$run"
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

{
  echo "bench/rebuild.sh${BENCH_LESSONS:+ BENCH_LESSONS=$LESSONS}${BENCH_RUNS:+ BENCH_RUNS=$RUNS} — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "hoclieu:  $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown), release build"
  echo "machine:  $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "disk:     $(df -T "$SITE" | awk 'NR == 2 { print $2 " on " $1 }') (outputs and cache on the disk)"
  echo "corpus:   examples/gen_corpus.rs --corpus real --seed $SEED --lessons $LESSONS, one language (vi); edited: ${LESSON#"$SITE"/}"
  echo "runs:     $RUNS of each, medians; load = 1-minute load average at the start of each run"
  echo
  printf '%-18s %9s %9s %9s %9s  %s\n' build "wall (s)" "user (s)" "sys (s)" written "load at each run"
  for kind in clean "no change" "one lesson edited"; do
    rows=$(awk -F'\t' -v k="$kind" '$1 == k' "$RAW")
    printf '%-18s %9s %9s %9s %9s  %s\n' "$kind" \
      "$(cut -f3 <<<"$rows" | median)" "$(cut -f4 <<<"$rows" | median)" "$(cut -f5 <<<"$rows" | median)" \
      "$(cut -f6 <<<"$rows" | median)" "$(cut -f7 <<<"$rows" | paste -sd' ' -)"
  done
  echo
  echo "stages (HOCLIEU_TIMINGS=1, seconds, each run):"
  awk -F'\t' 'NR > 1 { printf "  %-18s run %s: %s\n", $1, $2, $8 }' "$RAW"
} | tee "$RESULTS"
