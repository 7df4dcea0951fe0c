#!/usr/bin/env bash
# Learns a policy for one image under one of its workloads:
#
#   Scripts/workloads/learn.sh IMAGE [primary|broad] [OUTPUT.yaml]
#
# Starts `callguard learn --image localhost/callguard/IMAGE:* --rescan 250ms`
# (release build, .build/release/callguard, or $CALLGUARD), runs
# Scripts/workloads/IMAGE.sh WORKLOAD while it observes, then stops it with
# SIGINT, which writes the policy (default OUTPUT: .build/learned/IMAGE-WORKLOAD.yaml;
# an existing file is merged into). Holds the machine-wide kernel-audit lock
# (/run/callguard-tests-kernel-audit.lock, as the tests do) while learning.
# Needs root and the image (make images).
set -euo pipefail
cd "$(dirname "$0")/../.."

image=${1:?usage: Scripts/workloads/learn.sh IMAGE [primary|broad] [OUTPUT.yaml]}
workload=${2:-primary}
output=${3:-.build/learned/$image-$workload.yaml}
callguard=${CALLGUARD:-.build/release/callguard}
lock=/run/callguard-tests-kernel-audit.lock
[ -x "$callguard" ] || { echo "learn.sh: $callguard missing: swift build -c release" >&2; exit 2; }
[ -x "Scripts/workloads/$image.sh" ] || { echo "learn.sh: no workload Scripts/workloads/$image.sh" >&2; exit 2; }
mkdir -p "$(dirname "$output")"
log="${output%.yaml}.log"

exec 9>"$lock"
flock 9
"$callguard" learn --image "localhost/callguard/$image:*" --duration 30m --rescan 250ms --output "$output" 2>"$log" 9>&- &
learner=$!
trap 'kill -INT $learner 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "learning image" "$log" && break
  kill -0 $learner 2>/dev/null || { cat "$log" >&2; exit 2; }
  sleep 0.1
done
"Scripts/workloads/$image.sh" "$workload" 9>&-
sleep 1
kill -INT $learner
status=0
wait $learner || status=$?
trap - EXIT
grep -E '"learn"|wrote|warning|error' "$log" >&2 || true
exit $status
