#!/usr/bin/env bash
# The false-positive check: each real image under each of its workloads, guarded
# by `callguard run` with the shipped policies, and the violations counted.
#
#   Scripts/false-positives.sh [--no-build] [IMAGE...]      (default: nginx redis postgresql python3)
#
# For each IMAGE and WORKLOAD (primary, broad): holds the machine-wide
# kernel-audit lock (/run/callguard-tests-kernel-audit.lock, as the tests do),
# starts `callguard run --policies policies --sink file:OUT` (release build,
# .build/release/callguard, or $CALLGUARD; audit rules: the default), waits
# until it reads the audit stream, runs Scripts/workloads/IMAGE.sh WORKLOAD,
# stops the agent (SIGTERM) and counts the violations whose container image is
# localhost/callguard/IMAGE:* (other containers on the host are left out).
# Prints a table: image, workload, violation messages of the image's own
# processes, the syscall events they stand for (folded repeats counted), the
# syscalls, and the audit records the kernel dropped meanwhile (the agent audits
# the whole host: under load a violation can be among them; run again when this
# is not 0). The raw violations and the agent's stderr stay in $RESULTS
# (default .build/false-positives).
# Violations of runc exec's init (`podman exec` before the exec'd command runs)
# are counted in a column of their own: the runtime's calls, not the image's.
# Builds/imports the images first (Scripts/build-images.sh --podman, cached)
# unless --no-build. Needs root. Exit 1 when a primary workload had violations
# of the image's own processes.
set -euo pipefail
cd "$(dirname "$0")/.."

callguard=${CALLGUARD:-.build/release/callguard}
results=${RESULTS:-.build/false-positives}
lock=/run/callguard-tests-kernel-audit.lock
build=1
images=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    nginx|redis|postgresql|python3) images+=("$arg") ;;
    *) echo "false-positives: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
[ ${#images[@]} -gt 0 ] || images=(nginx redis postgresql python3)
[ "$(id -u)" = 0 ] || { echo "false-positives: must run as root" >&2; exit 2; }
[ -x "$callguard" ] || { echo "false-positives: $callguard missing: swift build -c release" >&2; exit 2; }
[ $build = 0 ] || Scripts/build-images.sh --podman "${images[@]}" >&2

mkdir -p "$results"
chmod 700 "$results"
rows=()
primary_failed=0
for image in "${images[@]}"; do
  for workload in primary broad; do
    out="$results/$image-$workload.json"
    err="$results/$image-$workload.err"
    rm -f "$out" "$err"
    (
      exec 9>"$lock"
      flock 9
      "$callguard" run --policies policies --sink "file:$(pwd)/$out" 2>"$err" 9>&- &
      agent=$!
      trap 'kill -TERM $agent 2>/dev/null || true' EXIT
      for _ in $(seq 1 300); do
        grep -q "reading the audit stream" "$err" && break
        kill -0 $agent 2>/dev/null || { cat "$err" >&2; exit 2; }
        sleep 0.1
      done
      grep -q "reading the audit stream" "$err" || { echo "false-positives: the agent did not start" >&2; exit 2; }
      "Scripts/workloads/$image.sh" "$workload" 9>&- || echo "false-positives: the $image $workload workload failed" >&2
      sleep 2
      kill -TERM $agent
      wait $agent || true
      trap - EXIT
    )
    touch "$out"
    row=$(python3 - "$out" "$image" "$workload" "$err" <<'PY'
import json, sys, collections
path, image, workload, err = sys.argv[1:]
lost = "?"
for line in open(err, encoding="utf-8", errors="replace"):
    if line.startswith('{"records"'):
        lost = json.loads(line).get("lost", "?")
prefix = f"localhost/callguard/{image}:"
# runc exec's init (comm runc:[2:INIT]) before it executes the exec'd command is
# the runtime's, not the image's: shown apart (see the README of policies/).
own, runc = collections.Counter(), collections.Counter()
messages = 0
for line in open(path, encoding="utf-8", errors="replace"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    v = json.loads(line)
    name = ((v.get("container") or {}).get("image") or {}).get("name") or ""
    if not name.startswith(prefix):
        continue
    cg = v.get("callguard") or {}
    count = int(cg.get("count") or 1)
    syscall = (cg.get("syscall") or {}).get("name") or "?"
    proc = (v.get("process") or {}).get("name") or "?"
    if proc == "runc:[2:INIT]":
        runc[syscall] += count
    else:
        messages += 1
        own[f"{syscall} ({proc})"] += count
def listed(c): return ", ".join(f"{k} x{n}" for k, n in sorted(c.items())) or "-"
print(f"| {image} | {workload} | {messages} | {sum(own.values())} | {listed(own)} | {sum(runc.values())}: {listed(runc)} | {lost} |")
PY
)
    rows+=("$row")
    echo "$row" >&2
    if [ "$workload" = primary ] && ! echo "$row" | grep -q "| primary | 0 |"; then primary_failed=1; fi
  done
done

echo "| image | workload | violations | events | syscalls (process) | runc exec bootstrap (runc:[2:INIT]) | audit records lost (whole host) |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
exit $primary_failed
