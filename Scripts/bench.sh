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
runs="${BENCH_RUNS:-3}"
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

# best (lowest seconds) of $runs runs, each tool in turn so that they see the same machine
best() {  # file tool...
  local file=$1; shift
  local best_line="" best_s=""
  for _ in $(seq "$runs"); do
    line=$("$@" "$file")
    s=$(echo "$line" | sed -E 's/.*"seconds":([0-9.e-]+).*/\1/')
    if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then best_s=$s; best_line=$line; fi
  done
  echo "$best_line"
}
field() { echo "$1" | sed -E "s/.*\"$2\":([0-9.e-]+).*/\1/"; }

report() {  # label file
  local label=$1 file=$2
  local mb; mb=$(du -m "$file" | cut -f1)
  local floor auparse all pipeline
  floor=$(best "$file" "$work/floor")
  auparse=$(best "$file" "$work/auparse")
  all=$(best "$file" "$driver" all-fields)
  pipeline=$(best "$file" "$driver" pipeline)
  local records; records=$(field "$floor" records)
  echo
  echo "== $label: $records records, ${mb} MB (best of $runs runs each)"
  printf '%-28s %14s %10s %12s %14s %12s\n' tool "records/s" "MB/s" "max RSS MB" "vs libauparse" "vs C floor"
  local fs; fs=$(field "$floor" seconds)
  local as; as=$(field "$auparse" seconds)
  for entry in "C floor (split key=value)|$floor" "libauparse (all fields)|$auparse" "callguard all fields|$all" "callguard pipeline|$pipeline"; do
    name=${entry%%|*}; line=${entry#*|}
    s=$(field "$line" seconds); rss=$(field "$line" max_rss_kb)
    awk -v n="$name" -v r="$records" -v s="$s" -v mb="$mb" -v rss="$rss" -v fs="$fs" -v as="$as" \
      'BEGIN{printf "%-28s %14.0f %10.1f %12.1f %13.2fx %11.2fx\n", n, r/s, mb/s, rss/1024, as/s, fs/s}'
  done
}

report "public corpus" "$work/raw.log"
report "generated corpus" "$work/large-100.log"
report "generated corpus" "$work/large-$large_mb.log"

echo
echo "== allocations on the hot path (ordo-one/benchmark: mallocCountTotal per corpus pass of $(field "$(best "$work/raw.log" "$work/floor")" records) records; threshold 0)"
cd Benchmarks
export CALLGUARD_BENCH_CORPUS="$work/raw.log"
swift package --allow-writing-to-package-directory benchmark --target ParserBenchmarks --no-progress --format markdown 2>&1 \
  | grep -E "^###|Malloc|Time" || true
swift package --allow-writing-to-package-directory benchmark thresholds check --target ParserBenchmarks \
  --path Thresholds --no-progress 2>&1 | tail -n 2
