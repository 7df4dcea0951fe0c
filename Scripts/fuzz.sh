#!/usr/bin/env bash
# Fuzzes the audit record parser with libFuzzer and AddressSanitizer for
# $1 seconds (default 300), seeded with the parser's fixtures. Findings are
# written to fuzz-findings/ and fail the run.
#
# The fuzzer is compiled with swiftc directly, AuditKit's sources and the
# entry point as one module: libFuzzer brings its own main(), which SwiftPM's
# executable products do not allow.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
out=.build-fuzz
mkdir -p "$out" fuzz-corpus fuzz-findings
rm -f "$out/ParserFuzzer"
swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name ParserFuzzer \
  -I Sources/CAudit $(find Sources/AuditKit -name '*.swift') Fuzz/ParserFuzzer/*.swift \
  -laudit -o "$out/ParserFuzzer" 2>&1 | grep -v "ld.gold: warning: Cannot export" || true
cp Tests/AuditKitTests/Fixtures/records/*.log Tests/AuditKitTests/Fixtures/assembly/*.log Tests/AuditKitTests/Fixtures/seccomp/*.log fuzz-corpus/
echo "fuzzing the parser for ${seconds}s"
SWIFT_BACKTRACE=enable=no "$out/ParserFuzzer" fuzz-corpus -max_total_time="$seconds" -max_len=8192 -timeout=5 \
  -artifact_prefix=fuzz-findings/ -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|Done|    #[0-9]+ .*(ParserFuzzer|Swift runtime))" || true
if compgen -G "fuzz-findings/*" >/dev/null; then
  echo "fuzz: findings in fuzz-findings/" >&2
  exit 1
fi
echo "fuzz: no findings in ${seconds}s"
