#!/usr/bin/env bash
# Build-speed benchmark as a user runs it: hoclieu with its defaults (search index, `.gz`
# and `.br` siblings), hoclieu with precompression off, Hugo and mdBook, on the same
# generated lessons (examples/gen_corpus.rs), in one language (Vietnamese) as the other
# tools build them, on the real disk.
#
#   bench/run.sh                          # everything below; one command
#   BENCH_CORPORA="real" bench/run.sh     # corpora: real (words of real Vietnamese, default
#                                         # first) and easy (the older small-vocabulary one)
#   BENCH_SIZES="1000 10000 30000" bench/run.sh   # lesson counts (default "1000 10000")
#   BENCH_HOCLIEU_ONLY_ABOVE=10000        # sizes above this build with hoclieu only (memory growth)
#   BENCH_RUNS=5 bench/run.sh             # median of 5 instead of 3
#   BENCH_TMP=/dev/shm/bench bench/run.sh # build outputs on tmpfs instead of the disk
#   BENCH_TOOLS="hoclieu hugo" bench/run.sh   # only these tools (default: hoclieu hugo mdbook)
#   BENCH_MDBOOK_MAX=1000                 # mdBook only up to this size (it needs 10 min and
#                                         # 6 GB for 10 000 lessons)
#   BENCH_SLOW=300                        # a run slower than this many seconds is not repeated
#   BENCH_REPORT_ONLY=1 bench/run.sh      # summarise bench/out/runs.tsv again (after an interruption)
#   BENCH_BUILD=0 bench/run.sh            # use target/release as it is (no cargo build)
#   BENCH_INSTALL=1 bench/run.sh          # install missing tools (hugo and time via apt-get,
#                                         # mdbook via cargo)
#
#   BENCH_SETTLE=65                       # seconds to wait after deleting files, before timing
#
# Rounds alternate the tools (round 1: every tool once, then round 2, …) so that noise from
# other work on the machine falls on all of them; each run writes into a fresh empty folder,
# kept until every run of the corpus size is done. Deleting the outputs between runs made the
# next run pay for them: this disk's ext4 has no journal, and then the kernel's inode
# allocator skips every inode freed in the last 60 s (`recently_deleted` in ext4_create and
# ext4_mkdir, one buffer-cache lookup per skipped inode, per file created), which took a
# quarter of a 10 000-lesson build's CPU samples and doubled its system time (perf, 2026-12-07).
# So outputs are deleted only after a size's runs, and the script waits BENCH_SETTLE seconds
# (after `sync`) between deleting anything and the next timed run. Each figure is the median of the runs: wall time, CPU utilisation
# ((user + sys) / wall: 2.0 means both cores busy on this 2-core machine) and peak RSS, all
# from `/usr/bin/time -v`, plus hoclieu's stage times (`HOCLIEU_TIMINGS=1`). The machine,
# the file system the outputs go to, the load average at each run and the corpus are written
# with the figures into bench/out/results.txt, and a markdown table into
# bench/out/results.md (paste it into BENCHMARKS.md).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SIZES=${BENCH_SIZES:-"1000 10000"}
CORPORA=${BENCH_CORPORA:-"real easy"}
RUNS=${BENCH_RUNS:-3}
SLOW=${BENCH_SLOW:-300}
SEED=${BENCH_SEED:-42}
INSTALL=${BENCH_INSTALL:-0}
TOOLS=" ${BENCH_TOOLS:-hoclieu hugo mdbook} "
ONLY_ABOVE=${BENCH_HOCLIEU_ONLY_ABOVE:-10000}
MDBOOK_MAX=${BENCH_MDBOOK_MAX:-1000}
OUT="$ROOT/bench/out"
TMP=${BENCH_TMP:-$OUT/tmp}
RESULTS="$OUT/results.txt"
MARKDOWN="$OUT/results.md"
COMMAND="$0${BENCH_SIZES:+ BENCH_SIZES=\"$SIZES\"}${BENCH_CORPORA:+ BENCH_CORPORA=\"$CORPORA\"}${BENCH_TMP:+ BENCH_TMP=$TMP}${BENCH_RUNS:+ BENCH_RUNS=$RUNS}${BENCH_TOOLS:+ BENCH_TOOLS=\"${BENCH_TOOLS}\"}"

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

RAW="$OUT/runs.tsv"
STAGES="$OUT/stages.tsv"
if [[ ${BENCH_REPORT_ONLY:-0} == 1 ]]; then
  # Summarise the runs of an interrupted run again (runs.tsv, stages.tsv, meta.env).
  # shellcheck disable=SC1091
  . "$OUT/meta.env"
  LOAD_AFTER=${LOAD_AFTER:-"$(cut -d' ' -f1-3 /proc/loadavg) (interrupted; now)"}
else
# ---- build --------------------------------------------------------------------------------

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
HOCLIEU="$TARGET/release/hoclieu"
if [[ ${BENCH_BUILD:-1} == 1 ]]; then
  log "cargo build --release"
  if ! cargo build --release; then
    log "hoclieu does not build; its rows will say so"
    HOCLIEU=""
  fi
elif [[ ! -x $HOCLIEU ]]; then
  HOCLIEU=""
fi

GEN="$TARGET/release/examples/gen_corpus"
if [[ ${BENCH_BUILD:-1} == 1 ]]; then
  log "cargo build --release --example gen_corpus"
  cargo build --release --example gen_corpus || rm -f "$GEN"
fi
if [[ ! -x $GEN ]]; then
  # The generator needs only std; build it alone while the library does not compile.
  log "building the generator with rustc"
  mkdir -p "$TARGET/release/examples"
  rustc --edition 2021 -O "$ROOT/examples/gen_corpus.rs" -o "$GEN"
fi

# ---- measuring ----------------------------------------------------------------------------

mkdir -p "$OUT" "$TMP"
FS=$(stat -f -c %T "$TMP" 2>/dev/null || echo unknown)
if [[ $FS == tmpfs ]]; then WHERE="tmpfs ($TMP)"; else WHERE="disk, $FS ($(df --output=source "$TMP" | tail -n1), $TMP)"; fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'WHERE=%q\nLOAD_BEFORE=%q\nCOMMAND=%q\nRUNS=%q\nHOCLIEU=%q\n' "$WHERE" "$LOAD_BEFORE" "$COMMAND" "$RUNS" "$HOCLIEU" >"$OUT/meta.env"
RAW="$OUT/runs.tsv" # every run: corpus, lessons, tool, run, wall, user, sys, rss_kb, files, load1
printf 'corpus\tlessons\ttool\trun\twall\tuser\tsys\trss_kb\tfiles\tload1\n' >"$RAW"
STAGES="$OUT/stages.tsv" # every hoclieu run's stages: corpus, lessons, tool, run, stage, seconds, cpu seconds, peak MB so far
printf 'corpus\tlessons\ttool\trun\tstage\tseconds\tcpu\tpeak_mb\n' >"$STAGES"

# m:ss.ss or h:mm:ss → seconds
clock() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"; }

# run_once CORPUS LESSONS TOOL RUN CMD... — CMD has the literal word @OUT@ for the output folder.
run_once() {
  local corpus=$1 lessons=$2 tool=$3 run=$4
  shift 4
  local dir status=0 load
  dir=$(mktemp -d "$TMP/run.XXXXXX")
  local args=()
  for a in "$@"; do args+=("${a//@OUT@/$dir/site}"); done
  load=$(cut -d' ' -f1 /proc/loadavg)
  log "$corpus $lessons: $tool, run $run/$RUNS (load $load)"
  HOCLIEU_TIMINGS=1 /usr/bin/time -v -o "$dir/time" "${args[@]}" >"$dir/log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    log "$tool failed (exit $status): $(grep -m1 -i error "$dir/log" || tail -n1 "$dir/log")"
    printf '%s\t%s\t%s\t%s\tfailed\t\t\t\t\t%s\n' "$corpus" "$lessons" "$tool" "$run" "$load" >>"$RAW"
    return 1
  fi
  local wall user sys rss files
  wall=$(clock "$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$dir/time")")
  user=$(sed -n 's/.*User time (seconds): //p' "$dir/time")
  sys=$(sed -n 's/.*System time (seconds): //p' "$dir/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time")
  files=$(find "$dir/site" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$corpus" "$lessons" "$tool" "$run" "$wall" "$user" "$sys" "$rss" "$files" "$load" >>"$RAW"
  # hoclieu prints `timing: STAGE: 1.234 s (cpu 2.345 s, peak 640 MB)` when HOCLIEU_TIMINGS
  # is set (the part in parentheses where the system tells it).
  sed -n 's/^timing: \(.*\): \([0-9.]*\) s\( (cpu \([0-9.]*\) s, peak \([0-9]*\) MB)\)\{0,1\}$/\1\t\2\t\4\t\5/p' "$dir/log" |
    while IFS=$'\t' read -r stage secs cpu peak; do
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$corpus" "$lessons" "$tool" "$run" "$stage" "$secs" "$cpu" "$peak" >>"$STAGES"
    done
  log "  ${wall}s wall, ${user}s user, ${sys}s sys, $((rss / 1024)) MB"
  if awk -v a="$wall" -v b="$SLOW" 'BEGIN { exit !(a > b) }'; then
    log "  over BENCH_SLOW=${SLOW}s: $tool is not run again at this size"
    return 1
  fi
}

# Deletes the outputs of the runs so far, then waits until the inodes they freed are no
# longer "recently deleted" for ext4 (see the header), so no timed run pays for them.
SETTLE=${BENCH_SETTLE:-65}
settle() {
  find "$TMP" -mindepth 1 -maxdepth 1 -name 'run.*' -exec rm -rf {} +
  sync
  log "waiting ${SETTLE}s after deleting files (ext4 skips recently freed inodes)"
  sleep "$SETTLE"
}

for corpus in $CORPORA; do
  for n in $SIZES; do
    dir="$OUT/corpus-$corpus-$n"
    log "generating the $corpus corpus, $n lessons, into $dir"
    "$GEN" --lessons "$n" --out "$dir" --seed "$SEED" --corpus "$corpus" --words "$ROOT/bench/words"
    # Hugo and mdBook build the lessons once, in Vietnamese; so does hoclieu here (the
    # generated book.toml also declares the three minority languages, which would make every
    # page four times, as fallbacks): only [languages.vi] is kept. The default variant
    # drops `precompress` so hoclieu's own default (on) applies.
    awk '/^\[/ { keep = ($0 !~ /^\[languages\./ || $0 == "[languages.vi]") } keep && !/^precompress = /' \
      "$dir/hoclieu/book.toml" >"$dir/book.vi.toml"
    mv "$dir/book.vi.toml" "$dir/hoclieu/book.toml"
    grep -q '^\[languages.vi\]$' "$dir/hoclieu/book.toml"
    ! grep -q '^\[languages.hmn\]$' "$dir/hoclieu/book.toml"
    rm -rf "$dir/hoclieu-plain"
    cp -r "$dir/hoclieu" "$dir/hoclieu-plain"
    sed -i 's/^\[build\]$/[build]\nprecompress = false/' "$dir/hoclieu-plain/book.toml"
    grep -q '^precompress = false$' "$dir/hoclieu-plain/book.toml"
    settle

    # The tools of this size, each as "name|command".
    jobs=()
    if [[ $TOOLS == *" hoclieu "* && -n $HOCLIEU ]]; then
      jobs+=("hoclieu default|$HOCLIEU build --root $dir/hoclieu --out @OUT@")
      jobs+=("hoclieu precompress off|$HOCLIEU build --root $dir/hoclieu-plain --out @OUT@")
    fi
    if ((n <= ONLY_ABOVE)); then
      if [[ $TOOLS == *" hugo "* && -n $HUGO ]]; then jobs+=("hugo|$HUGO --quiet -s $dir/hugo -d @OUT@"); fi
      if [[ $TOOLS == *" mdbook "* && -n $MDBOOK ]] && ((n <= MDBOOK_MAX)); then
        jobs+=("mdbook|$MDBOOK build $dir/mdbook -d @OUT@")
      fi
    fi
    declare -A dropped=()
    for ((run = 1; run <= RUNS; run++)); do
      for job in "${jobs[@]}"; do
        tool=${job%%|*}
        if [[ -n ${dropped[$tool]:-} ]]; then continue; fi
        # shellcheck disable=SC2086 # the command is split on spaces (paths have none)
        run_once "$corpus" "$n" "$tool" "$run" ${job#*|} || dropped[$tool]=1
      done
    done
    unset dropped
  done
done
find "$TMP" -mindepth 1 -maxdepth 1 -name 'run.*' -exec rm -rf {} +
rmdir "$TMP" 2>/dev/null || true
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'LOAD_AFTER=%q\n' "$LOAD_AFTER" >>"$OUT/meta.env"

fi

# ---- report -------------------------------------------------------------------------------

version() { "$@" 2>/dev/null | head -n1 || true; }
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
[[ -z $cpu ]] && cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock themes 2>/dev/null || commit="$commit + uncommitted changes"

# Medians per (corpus, lessons, tool) of wall, utilisation, user, sys, RSS; stage medians.
summary=$(awk -F'\t' '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR == 1 || $5 == "failed" { if ($5 == "failed") failed[$1 "\t" $2 "\t" $3] = 1; next }
  {
    k = $1 "\t" $2 "\t" $3
    if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    wall[k] = wall[k] " " $5; util[k] = util[k] " " ($6 + $7) / ($5 > 0 ? $5 : 1)
    usr[k] = usr[k] " " $6; sys[k] = sys[k] " " $7; rss[k] = rss[k] " " $8; files[k] = $9
    load[k] = load[k] " " $10; runs[k]++
    if (!(k in lo) || $5 + 0 < lo[k]) lo[k] = $5 + 0
    if (!(k in hi) || $5 + 0 > hi[k]) hi[k] = $5 + 0
  }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%s\t%d\t%s\n", k, median(wall[k]), lo[k], hi[k], \
        median(util[k]), median(usr[k]), median(sys[k]), median(rss[k]) / 1024, files[k], runs[k], load[k]
    }
    for (k in failed) if (!(k in seen)) printf "%s\tfailed\n", k
  }' "$RAW")

stages=$(awk -F'\t' '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  NR == 1 { next }
  {
    k = $1 "\t" $2 "\t" $3
    if (!(k in seen)) { seen[k] = 1; order[++n] = k; stagelist[k] = "" }
    s = k SUBSEP $5
    if (!(s in have)) { have[s] = 1; stagelist[k] = stagelist[k] "\x1f" $5 }
    secs[s] = secs[s] " " $6
    if ($7 != "") { util[s] = util[s] " " ($6 > 0.005 ? $7 / $6 : 0); peak[s] = peak[s] " " $8 }
  }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]; m = split(substr(stagelist[k], 2), names, "\x1f"); line = ""
      for (j = 1; j <= m; j++) {
        s = k SUBSEP names[j]
        line = line sprintf("%s%s %.2f", (j > 1 ? ", " : ""), names[j], median(secs[s]))
        # CPU utilisation of the stage and peak memory at its end, for stages over 0.1 s
        if (s in util && median(secs[s]) >= 0.1) line = line sprintf(" (util %.2f, peak %d MB)", median(util[s]), median(peak[s]))
      }
      printf "%s\t%s\n", k, line
    }
  }' "$STAGES")

{
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command:  $COMMAND"
  echo "machine:  $(nproc) CPUs, ${cpu:-unknown}, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "outputs:  $WHERE"
  echo "load:     $LOAD_BEFORE before, $LOAD_AFTER after (1, 5, 15 min); each run's 1-min load is listed below"
  echo "hoclieu:  $commit ($HOCLIEU)"
  echo "hugo:     ${HUGO:+$(version "$HUGO" version)}"
  echo "mdbook:   ${MDBOOK:+$(version "$MDBOOK" --version)}"
  echo "corpora:  examples/gen_corpus.rs, seed $SEED, one language (vi); real = syllables of the province's plans"
  echo "          (Zipf-like) + ~5 700 rare dictionary syllables + Sơn La names, ~830 words a lesson, tables,"
  echo "          lists, code in 19 % of lessons, PNG and SVG images; easy = the older small-vocabulary corpus"
  echo "figures:  median of $RUNS runs, tools alternating; util = (user + sys) / wall"
  echo
  printf '%-6s %7s %-24s %9s %15s %5s %8s %7s %9s %7s %4s  %s\n' corpus lessons tool "wall (s)" "range" util "user" "sys" "RSS (MB)" files runs "load (1 min) at each run"
  while IFS=$'\t' read -r corpus lessons tool wall lo hi util usr sys rss files runs load; do
    if [[ -z $corpus ]]; then continue; fi
    if [[ $wall == failed ]]; then
      printf '%-6s %7s %-24s %9s\n' "$corpus" "$lessons" "$tool" failed
    else
      printf '%-6s %7s %-24s %9s %15s %5s %8s %7s %9s %7s %4s %s\n' "$corpus" "$lessons" "$tool" "$wall" "$lo–$hi" "$util" "$usr" "$sys" "$rss" "$files" "$runs" "$load"
    fi
  done <<<"$summary"
  echo
  echo "hoclieu stages (HOCLIEU_TIMINGS=1, median seconds):"
  while IFS=$'\t' read -r corpus lessons tool line; do
    if [[ -n $corpus ]]; then printf '  %s %s, %s: %s\n' "$corpus" "$lessons" "$tool" "$line"; fi
  done <<<"$stages"
} | tee "$RESULTS"

{
  echo "| corpus | lessons | tool | wall (s), median | range (s) | CPU util | peak RSS (MB) | files written |"
  echo "| --- | ---: | --- | ---: | --- | ---: | ---: | ---: |"
  while IFS=$'\t' read -r corpus lessons tool wall lo hi util usr sys rss files runs load; do
    if [[ -z $corpus ]]; then continue; fi
    if [[ $wall == failed ]]; then
      echo "| $corpus | $lessons | $tool | failed | | | | |"
    else
      echo "| $corpus | $lessons | $tool | $wall | $lo–$hi | $util | $rss | $files |"
    fi
  done <<<"$summary"
} >"$MARKDOWN"
log "wrote $RESULTS, $MARKDOWN, $RAW and $STAGES"
