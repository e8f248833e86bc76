#!/usr/bin/env bash
# LAN-hosting benchmark: `hoclieu serve --static` against nginx (`gzip_static on`) serving
# the same built folder, loaded by wrk from loopback like a classroom of phones: 200
# connections fetching lesson pages and their stylesheet, script and pictures, with
# `Accept-Encoding: gzip` (nginx here has no brotli module; both send the same .gz files).
#
#   bench/serve_lan.sh                   # 1 000 lessons, 2 rounds of 20 s per server
#   BENCH_LESSONS=300 BENCH_SECONDS=10 BENCH_ROUNDS=1 bench/serve_lan.sh
#
# Needs the Debian packages wrk and nginx (installed when missing and running as root).
# Servers and wrk share the machine's cores, as a school PC would; rounds alternate
# nginx and hoclieu so that noise from other work falls on both. Traffic stays on
# 127.0.0.1 and every run stops by itself after BENCH_SECONDS.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
LESSONS=${BENCH_LESSONS:-1000}
SECONDS_PER_RUN=${BENCH_SECONDS:-20}
ROUNDS=${BENCH_ROUNDS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-200}
OUT="$ROOT/bench/out/serve"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
HOCLIEU="$TARGET/release/hoclieu"
HOCLIEU_PORT=18080
NGINX_PORT=18081

log() { printf '==> %s\n' "$*" >&2; }

for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null && ! [[ -x /usr/sbin/$tool ]]; then
    if [[ $(id -u) -eq 0 ]]; then
      log "installing $tool"
      apt-get install -y "$tool" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$tool" >/dev/null; }
    else
      echo "error: $tool is missing: install the Debian package $tool" >&2
      exit 2
    fi
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

log "cargo build --release"
cargo build --release --bin hoclieu --example gen_corpus >&2

mkdir -p "$OUT"
corpus="$OUT/corpus-$LESSONS"
if [[ ! -f $corpus/site/.hoclieu-output ]]; then
  log "generating and building $LESSONS lessons (precompressed)"
  rm -rf "$corpus"
  "$TARGET/release/examples/gen_corpus" --lessons "$LESSONS" --out "$corpus/src" --seed 42
  "$HOCLIEU" build --root "$corpus/src/hoclieu" --out "$corpus/site" >&2
fi
site="$corpus/site"

# The requests: every lesson page, plus the assets each page loads, in page order.
urls="$OUT/urls.txt"
(
  cd "$site"
  find vi -path '*/index.html' -printf '%P\n' | sort | head -n 2000 | sed 's|^|/vi/|; s|index.html$||'
  find assets -type f ! -name '*.br' ! -name '*.gz' | sort | sed 's|^|/|'
  find media -type f -name '*.svg' | sort | head -n 200 | sed 's|^|/|'
) >"$urls"
log "$(wc -l <"$urls") distinct URLs"
lua="$OUT/classroom.lua"
{
  echo 'local urls = {}'
  while read -r u; do printf 'urls[#urls + 1] = "%s"\n' "$u"; done <"$urls"
  cat <<'EOF'
local counter = 0
wrk.headers["Accept-Encoding"] = "gzip"
request = function()
  counter = counter + 1
  return wrk.format("GET", urls[(counter * 7919) % #urls + 1])
end
EOF
} >"$lua"

conf="$OUT/nginx.conf"
cat >"$conf" <<EOF
worker_processes auto;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  gzip_static on;
  etag on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $site;
  }
}
EOF

# Peak RSS (kB) of a process and its children (nginx workers).
peak_kb() {
  local total=0 pid
  for pid in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

run() { # NAME PORT PID
  local name=$1 port=$2 pid=$3 result
  curl -fsS -o /dev/null "http://127.0.0.1:$port/vi/" || { echo "error: $name does not answer" >&2; return 1; }
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$lua" "http://127.0.0.1:$port" >"$OUT/$name.wrk" 2>&1
  result=$(awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = $2 }
    /^ +50%/ { p50 = $2 }
    /Non-2xx/ { bad = $NF }
    /Socket errors/ { errors = $0 }
    END { printf "%s|%s|%s|%s", rps, p50, p99, (bad == "" ? 0 : bad) }' "$OUT/$name.wrk")
  echo "$name|$result|$(($(peak_kb "$pid") / 1024))"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for ((round = 1; round <= ROUNDS; round++)); do
  "$NGINX" -c "$conf" -p "$OUT" &
  nginx_pid=$!
  sleep 0.5
  log "round $round: nginx"
  rows+=("$(run nginx "$NGINX_PORT" "$nginx_pid")")
  kill "$nginx_pid"
  wait "$nginx_pid" 2>/dev/null || true

  "$HOCLIEU" serve --static "$site" --port "$HOCLIEU_PORT" >"$OUT/hoclieu.log" 2>&1 &
  hoclieu_pid=$!
  sleep 0.5
  log "round $round: hoclieu serve --static"
  rows+=("$(run hoclieu "$HOCLIEU_PORT" "$hoclieu_pid")")
  kill "$hoclieu_pid"
  wait "$hoclieu_pid" 2>/dev/null || true
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load before $load_before, after $load_after"
  echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(wc -l <"$urls") URLs, Accept-Encoding: gzip, $LESSONS-lesson site"
  echo
  echo "| server | requests/s | p50 | p99 | non-2xx | peak RSS (MB) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for row in "${rows[@]}"; do echo "| ${row//|/ | } |"; done
} | tee "$OUT/results.txt"
