#!/usr/bin/env bash
# Offline pack sizes: a full pack against the updates `hoclieu pack --since` writes after
# editing one lesson and after adding ten, on the generated corpus (examples/gen_corpus.rs).
#
#   bench/pack.sh                       # 1 000 lessons
#   BENCH_LESSONS=10000 bench/pack.sh
#
# Two packs are measured: `ca-tinh` (every group, vi + blt + hmn: the whole site in three
# languages) and `nguoi-dan` (citizens, vi + blt + hmn). SOURCE_DATE_EPOCH is fixed, so the
# numbers do not depend on the clock. Each update is also applied to the unpacked old
# version and checked against the new full pack (`hoclieu verify`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
LESSONS=${BENCH_LESSONS:-1000}
OUT="$ROOT/bench/out/pack"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export SOURCE_DATE_EPOCH=1735689600

log() { printf '==> %s\n' "$*" >&2; }
size() { stat -c %s "$1"; }

log "cargo build --release (hoclieu, gen_corpus)"
cargo build --release --quiet --bin hoclieu --example gen_corpus
HOCLIEU="$TARGET/release/hoclieu"
rm -rf "$OUT" && mkdir -p "$OUT"
"$TARGET/release/examples/gen_corpus" --lessons "$LESSONS" --out "$OUT/corpus" >/dev/null
SITE="$OUT/corpus/hoclieu"
cat >>"$SITE/book.toml" <<'TOML'

[packs.ca-tinh]
languages = ["vi", "blt", "hmn"]
groups = ["lanh-dao", "lanh-dao-phong", "can-bo", "chuyen-trach-cds", "nong-cot-to-cds", "to-cds", "doanh-nghiep", "hoc-sinh", "nguoi-dan"]

[packs.nguoi-dan]
languages = ["vi", "blt", "hmn"]
groups = ["nguoi-dan"]
TOML

packs() { # $1 out dir, then extra args
  local out=$1; shift
  /usr/bin/time -f "%e s, %M KB peak" "$HOCLIEU" pack --root "$SITE" --all --out "$out" "$@" 2>&1 >/dev/null
}
log "v1: full packs"; t1=$(packs "$OUT/v1")

# edit one lesson of citizens (in both packs): one sentence more
lesson=$(grep -l 'nguoi-dan' "$SITE"/content/*/*.md | grep -v _index | sort | sed -n 1p)
printf '\nCập nhật: thêm một câu hướng dẫn mới cho bài này.\n' >>"$lesson"
log "v2: one lesson edited ($lesson)"
for id in ca-tinh nguoi-dan; do
  "$HOCLIEU" pack --root "$SITE" --id $id --out "$OUT/v2" --since "$OUT/v1/hoclieu-$id.zip" >/dev/null
done

# add ten lessons for citizens in the course of the edited lesson
course=$(dirname "$lesson")
for i in $(seq 1 10); do
  sed -e "s/^title = \"\(.*\)\"/title = \"\1 (phần mới $i)\"/" "$lesson" >"$course/bai-moi-$i.md"
done
log "v3: ten lessons added"
for id in ca-tinh nguoi-dan; do
  "$HOCLIEU" pack --root "$SITE" --id $id --out "$OUT/v3" --since "$OUT/v2/hoclieu-$id.zip" >/dev/null
done

# every update applies to the old version and gives the new one
for id in ca-tinh nguoi-dan; do
  rm -rf "$OUT/school"
  "$HOCLIEU" unpack "$OUT/v1/hoclieu-$id.zip" "$OUT/school" >/dev/null
  "$HOCLIEU" unpack "$OUT"/v2/hoclieu-$id-cap-nhat-*.zip "$OUT/school" >/dev/null
  "$HOCLIEU" unpack "$OUT"/v3/hoclieu-$id-cap-nhat-*.zip "$OUT/school" >/dev/null
  "$HOCLIEU" verify "$OUT/school" >/dev/null
  cmp <(unzip -p "$OUT/v3/hoclieu-$id.zip" hoclieu-pack.json) "$OUT/school/hoclieu-pack.json"
done

set +o pipefail # early-exiting greps below
{
  echo "corpus: $LESSONS lessons; pack time for both packs (v1): $t1"
  printf '%-10s %8s %12s %12s %14s %14s %12s\n' pack files unpacked "full zip" "1 edited" "10 added" "1 edited %"
  for id in ca-tinh nguoi-dan; do
    files=$(unzip -p "$OUT/v1/hoclieu-$id.zip" hoclieu-pack.json | grep -m1 '"file_count"' | tr -dc 0-9)
    total=$(unzip -p "$OUT/v1/hoclieu-$id.zip" hoclieu-pack.json | grep -m1 '"total_size"' | tr -dc 0-9)
    full=$(size "$OUT/v2/hoclieu-$id.zip")
    d1=$(size "$OUT"/v2/hoclieu-$id-cap-nhat-*.zip)
    d10=$(size "$OUT"/v3/hoclieu-$id-cap-nhat-*.zip)
    printf '%-10s %8s %12s %12s %14s %14s %11.1f%%\n' "$id" "$files" "$total" "$full" "$d1" "$d10" "$(echo "100*$d1/$full" | bc -l)"
    for v in v2 v3; do unzip -l "$OUT"/$v/hoclieu-$id-cap-nhat-*.zip | tail -1 | awk -v v=$v -v id=$id '{print "  " id " " v " update: " $2 " files"}'; done
  done
} | tee "$OUT/results.txt"
