#!/usr/bin/env bash
# Attribution throughput and allocation check in a release build.
# Prints events/s as ratios to a Dictionary<Int32, Int> lookup measured in the
# same run, and the heap allocations made by warm attributions (must be 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH="${SCRATCH:-$PWD/.build-bench}"
EVENTS="${CALLGUARD_BENCH_EVENTS:-5000000}"
swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path "$SCRATCH" >/dev/null
gcc -O2 -shared -fPIC -o "$SCRATCH/libmalloc_counter.so" Benchmarks/ContainerKit/malloc_counter.c
# The test binary is run directly: `swift test` does not pass LD_PRELOAD on.
CALLGUARD_BENCH_EVENTS="$EVENTS" LD_PRELOAD="$SCRATCH/libmalloc_counter.so" \
  "$SCRATCH/release/callguardPackageTests.xctest" --testing-library swift-testing \
  --filter AttributionThroughputTests 2>&1 \
  | grep -E "events/s|processes/s|allocations|✘|Test run"
