#!/usr/bin/env bash
# Build-speed benchmark: hoclieu (precompression off and on) against Hugo and mdBook on the
# same generated lessons (examples/gen_corpus.rs), at 1 000 and 10 000 lessons, in one
# language (Vietnamese) as the other tools build them.
#
#   bench/run.sh                      # everything; results also go to bench/out/results.txt
#   BENCH_SIZES="1000" bench/run.sh   # one size
#   BENCH_RUNS=5 bench/run.sh         # best of 5 instead of 3
#   BENCH_SLOW=300 bench/run.sh       # a run slower than this many seconds is not repeated (default 120)
#   BENCH_INSTALL=1 bench/run.sh      # install missing tools (mdbook via cargo, hugo/time via apt-get)
#   BENCH_TOOLS="hoclieu hugo" bench/run.sh   # only these tools (default: hoclieu hugo mdbook)
#   BENCH_TMP=/dev/shm/bench bench/run.sh     # build outputs there (tmpfs keeps a noisy disk out)
#
# Each measurement is the best wall time of BENCH_RUNS runs, each into a fresh empty output
# folder, with the peak RSS of that run, both from /usr/bin/time. pages/s is source lessons
# per second, so the tools compare on equal input whatever number of files each writes
# (the "html files" column shows that). Missing tools are reported as skipped, never guessed.
# The machine should be otherwise idle: the load average before and after is printed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SIZES=${BENCH_SIZES:-"1000 10000"}
RUNS=${BENCH_RUNS:-3}
SLOW=${BENCH_SLOW:-120}
SEED=${BENCH_SEED:-42}
INSTALL=${BENCH_INSTALL:-0}
TOOLS=" ${BENCH_TOOLS:-hoclieu hugo mdbook} "
OUT="$ROOT/bench/out"
TMP=${BENCH_TMP:-$OUT/tmp}
RESULTS="$OUT/results.txt"

log() { printf '==> %s\n' "$*" >&2; }

# ---- tools ------------------------------------------------------------------------------

apt_install() {
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian package $1"
    apt-get install -y "$1" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$1" >/dev/null; }
  else
    return 1
  fi
}

if [[ ! -x /usr/bin/time ]]; then
  apt_install time || { echo "error: /usr/bin/time is missing: install the Debian package 'time'" >&2; exit 2; }
fi

HUGO=$(command -v hugo || true)
if [[ -z $HUGO && $INSTALL == 1 ]]; then
  apt_install hugo || true
  HUGO=$(command -v hugo || true)
fi

MDBOOK=$(command -v mdbook || true)
[[ -z $MDBOOK && -x $HOME/.cargo/bin/mdbook ]] && MDBOOK=$HOME/.cargo/bin/mdbook
if [[ -z $MDBOOK && $INSTALL == 1 ]]; then
  log "cargo install mdbook --locked (takes a few minutes)"
  cargo install mdbook --locked
  MDBOOK=$HOME/.cargo/bin/mdbook
fi

# ---- build --------------------------------------------------------------------------------

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
HOCLIEU="$TARGET/release/hoclieu"
log "cargo build --release"
if ! cargo build --release; then
  log "hoclieu does not build; its rows will say so"
  HOCLIEU=""
fi

GEN="$TARGET/release/examples/gen_corpus"
log "cargo build --release --example gen_corpus"
if ! cargo build --release --example gen_corpus; then
  # The generator needs only std; build it alone while the library does not compile.
  log "falling back to rustc for the generator"
  mkdir -p "$TARGET/release/examples"
  rustc --edition 2021 -O "$ROOT/examples/gen_corpus.rs" -o "$GEN"
fi

# ---- measuring ----------------------------------------------------------------------------

ROWS=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# measure TOOL LESSONS CMD... — CMD has the literal word @OUT@ where the output folder goes.
measure() {
  local tool=$1 lessons=$2
  shift 2
  local best="" best_rss="" html=0 run runs_done=0 secs kb dir err status
  mkdir -p "$TMP"
  for ((run = 1; run <= RUNS; run++)); do
    dir=$(mktemp -d "$TMP/run.XXXXXX")
    local args=()
    for a in "$@"; do args+=("${a//@OUT@/$dir/site}"); done
    log "$tool, $lessons lessons, run $run/$RUNS"
    status=0
    /usr/bin/time -f '%e %M' -o "$dir/time" "${args[@]}" >"$dir/log" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
      err=$(awk 'tolower($0) ~ /error/ { print; exit }' "$dir/log")
      [[ -z $err ]] && err=$(tail -n1 "$dir/log")
      log "$tool failed (exit $status): $err"
      ROWS+=("$tool|$lessons|failed (exit $status)")
      rm -rf "$dir"
      return 0
    fi
    read -r secs kb <"$dir/time"
    if [[ -z $best ]] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$secs
      best_rss=$kb
    fi
    html=$(find "$dir/site" -name '*.html' | wc -l)
    rm -rf "$dir"
    runs_done=$run
    if ((run < RUNS)) && awk -v a="$secs" -v b="$SLOW" 'BEGIN { exit !(a > b) }'; then
      log "$tool took ${secs}s (over BENCH_SLOW=${SLOW}s): not repeating it"
      break
    fi
  done
  ROWS+=("$tool|$lessons|$(awk -v s="$best" -v n="$lessons" -v kb="$best_rss" -v h="$html" -v r="$runs_done" \
    'BEGIN { printf "%.2f|%s|%.0f|%d|%d", s, (s > 0 ? sprintf("%.0f", n / s) : "n/a"), kb / 1024, h, r }')")
}

skip() { ROWS+=("$1|$2|$3"); }

for n in $SIZES; do
  corpus="$OUT/$n"
  log "generating $n lessons into $corpus"
  "$GEN" --lessons "$n" --out "$corpus" --seed "$SEED"
  # Hugo and mdBook build the lessons once, in Vietnamese; so does hoclieu here (the
  # generated book.toml also declares the three minority languages, which would make every
  # page four times, as fallbacks): only [languages.vi] is kept.
  awk '/^\[/ { keep = ($0 !~ /^\[languages\./ || $0 == "[languages.vi]") } keep' \
    "$corpus/hoclieu/book.toml" >"$corpus/book.vi.toml"
  mv "$corpus/book.vi.toml" "$corpus/hoclieu/book.toml"
  grep -q '^\[languages.vi\]$' "$corpus/hoclieu/book.toml"
  ! grep -q '^\[languages.hmn\]$' "$corpus/hoclieu/book.toml"
  rm -rf "$corpus/hoclieu-plain"
  cp -r "$corpus/hoclieu" "$corpus/hoclieu-plain"
  sed -i 's/^precompress = true$/precompress = false/' "$corpus/hoclieu-plain/book.toml"
  grep -q '^precompress = false$' "$corpus/hoclieu-plain/book.toml"

  if [[ $TOOLS != *" hoclieu "* ]]; then
    :
  elif [[ -n $HOCLIEU ]]; then
    measure "hoclieu (precompress off)" "$n" "$HOCLIEU" build --root "$corpus/hoclieu-plain" --out @OUT@
    measure "hoclieu (precompress on)" "$n" "$HOCLIEU" build --root "$corpus/hoclieu" --out @OUT@
  else
    skip "hoclieu" "$n" "skipped (does not build)"
  fi
  if [[ $TOOLS != *" hugo "* ]]; then
    :
  elif [[ -n $HUGO ]]; then
    measure "hugo" "$n" "$HUGO" --quiet -s "$corpus/hugo" -d @OUT@
  else
    skip "hugo" "$n" "skipped (not installed)"
  fi
  if [[ $TOOLS != *" mdbook "* ]]; then
    :
  elif [[ -n $MDBOOK ]]; then
    measure "mdbook" "$n" "$MDBOOK" build "$corpus/mdbook" -d @OUT@
  else
    skip "mdbook" "$n" "skipped (not installed)"
  fi
done
rmdir "$TMP" 2>/dev/null || true

# ---- report -------------------------------------------------------------------------------

version() { "$@" 2>/dev/null | head -n1 || true; }
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
[[ -z $cpu ]] && cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)

{
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "cpu:      ${cpu:-unknown} ($(nproc) threads)"
  echo "memory:   $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "load:     $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) after (1, 5, 15 min)"
  echo "hoclieu:  $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'uncommitted tree')"
  echo "hugo:     ${HUGO:+$(version "$HUGO" version)}"
  echo "mdbook:   ${MDBOOK:+$(version "$MDBOOK" --version)}"
  echo "runs:     best of $RUNS (one run when it takes over ${SLOW}s), seed $SEED"
  echo
  printf '%-26s %8s %10s %9s %14s %11s %5s\n' tool lessons "wall (s)" pages/s "peak RSS (MB)" "html files" runs
  for row in "${ROWS[@]}"; do
    IFS='|' read -r tool lessons a b c d e <<<"$row"
    if [[ -z ${b:-} ]]; then
      printf '%-26s %8s   %s\n' "$tool" "$lessons" "$a"
    else
      printf '%-26s %8s %10s %9s %14s %11s %5s\n' "$tool" "$lessons" "$a" "$b" "$c" "$d" "$e"
    fi
  done
} | tee "$RESULTS"
