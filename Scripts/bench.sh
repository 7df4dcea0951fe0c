#!/usr/bin/env bash
# Parser benchmark: callguard against libauparse and a C key=value floor on the
# same corpus, in one invocation, reported as ratios; then the allocation
# benchmark (ordo-one/benchmark malloc counters).
#
#   Scripts/bench.sh            corpus + a generated 1 GB corpus (serials renumbered)
#   BENCH_RUNS=5 Scripts/bench.sh
#   CALLGUARD_CORPUS=DIR        where public-raw.log.xz lives (default ../shared/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus_dir="${CALLGUARD_CORPUS:-$root/../shared/corpus}"
work=$root/.build/bench
runs="${BENCH_RUNS:-5}"
large_mb="${BENCH_LARGE_MB:-1000}"
mkdir -p "$work"

[ -f "$work/raw.log" ] || xz -dkc "$corpus_dir/public-raw.log.xz" > "$work/raw.log"
[ -f "$work/enriched.log" ] || xz -dkc "$corpus_dir/public-enriched.log.xz" > "$work/enriched.log"

echo "building the references (gcc -O2) and callguard's throughput driver (release)"
gcc -O2 -o "$work/floor" Benchmarks/References/floor.c
gcc -O2 -o "$work/auparse" Benchmarks/References/auparse.c -lauparse -laudit
(cd Benchmarks && swift build -c release --product ParserThroughput >/dev/null)
driver=$root/Benchmarks/.build/release/ParserThroughput

for mb in 100 "$large_mb"; do
  [ -f "$work/large-$mb.log" ] || "$driver" generate "$work/raw.log" "$work/large-$mb.log" "$mb"
done

field() { echo "$1" | sed -E "s/.*\"$2\":([0-9.e-]+).*/\1/"; }

run_tool() {  # index file
  case $1 in
    0) "$work/floor" "$2" ;;
    1) "$work/auparse" "$2" ;;
    2) "$driver" all-fields "$2" ;;
    3) "$driver" pipeline "$2" ;;
  esac
}

# Each run takes every tool in turn, so that all of them see the same machine
# (it is shared and noisy); each tool's best (lowest seconds) run is reported.
report() {  # label file
  local label=$1 file=$2
  local mb; mb=$(du -m "$file" | cut -f1)
  local -a names=("C floor (split key=value)" "libauparse (all fields)" "callguard all fields" "callguard pipeline")
  local -a best_line=("" "" "" "") best_s=("" "" "" "")
  for _ in $(seq "$runs"); do
    for i in 0 1 2 3; do
      local line s
      line=$(run_tool "$i" "$file")
      s=$(field "$line" seconds)
      if [ -z "${best_s[$i]}" ] || awk -v a="$s" -v b="${best_s[$i]}" 'BEGIN{exit !(a<b)}'; then
        best_s[$i]=$s; best_line[$i]=$line
      fi
    done
  done
  local records; records=$(field "${best_line[0]}" records)
  echo
  echo "== $label: $records records, ${mb} MB (best of $runs interleaved runs each)"
  printf '%-28s %14s %10s %12s %14s %12s\n' tool "records/s" "MB/s" "max RSS MB" "vs libauparse" "vs C floor"
  for i in 0 1 2 3; do
    local rss; rss=$(field "${best_line[$i]}" max_rss_kb)
    awk -v n="${names[$i]}" -v r="$records" -v s="${best_s[$i]}" -v mb="$mb" -v rss="$rss" -v fs="${best_s[0]}" -v as="${best_s[1]}" \
      'BEGIN{printf "%-28s %14.0f %10.1f %12.1f %13.2fx %11.2fx\n", n, r/s, mb/s, rss/1024, as/s, fs/s}'
  done
}

report "public corpus" "$work/raw.log"
report "generated corpus" "$work/large-100.log"
report "generated corpus" "$work/large-$large_mb.log"

echo
echo "== allocations on the hot path (ordo-one/benchmark: mallocCountTotal per corpus pass of $(field "$("$work/floor" "$work/raw.log")" records) records; threshold 0)"
cd Benchmarks
export CALLGUARD_BENCH_CORPUS="$work/raw.log"
swift package --allow-writing-to-package-directory benchmark --target ParserBenchmarks --no-progress --format markdown 2>&1 \
  | grep -E "^###|Malloc|Time" || true
swift package --allow-writing-to-package-directory benchmark thresholds check --target ParserBenchmarks \
  --path Thresholds --no-progress 2>&1 | tail -n 2
