#!/usr/bin/env bash
# The false-positive check: each real image under each of its workloads, guarded
# by `callguard run` with the shipped policies, and the violations counted, in
# the deployment modes an operator meets.
#
#   Scripts/false-positives.sh [--no-build] [--mode hook|auto|system]... [IMAGE...]
#       (default: --mode hook; images nginx redis postgresql python3;
#        --mode takes a comma list too: --mode hook,auto,system)
#
# Modes (each agent: `callguard run --policies policies --sink file:OUT
# --state-dir RESULTS/MODE/state`, nothing written to /run/callguard):
#   hook    the recommended deployment: the podman precreate hook installed in a
#           hooks dir of its own (`callguard hook install --hooks-dir RESULTS/hook/hooks.d
#           --state-dir …`), every podman command of the workload run with
#           `--hooks-dir` (Scripts/workloads/common.sh, WL_HOOKS_DIR), the agent in
#           its default mode (`--rules auto`): each container's seccomp filter
#           is narrowed to its policy with SCMP_ACT_LOG for the rest, and the
#           agent reports the kernel's SECCOMP records; no audit exit rule.
#   auto    no hook: the default agent finds the containers unguarded, reports
#           each once (`container-unguarded`) and gives its processes
#           per-process audit rules (found by a /proc scan once a second).
#   system  `--rules system`: system-wide audit exit rules (the old default).
#
# For each MODE, IMAGE and WORKLOAD (primary, broad): holds the machine-wide
# kernel-audit lock (/run/callguard-tests-kernel-audit.lock, as the tests do),
# starts the agent (release build, .build/release/callguard, or $CALLGUARD),
# waits until it reads the audit stream, runs Scripts/workloads/IMAGE.sh
# WORKLOAD, stops the agent (SIGTERM), removes the hook file, and counts:
#   - violations whose container image is localhost/callguard/IMAGE:* (other
#     containers on the host are left out): messages, the syscall events they
#     stand for (folded repeats counted), syscalls (process);
#   - `container-unguarded` reports of the image (not syscalls; 0 expected in
#     hook mode, one per workload container in auto mode), with the number of
#     containers they name (a throttle summary of a repeated report is a report);
#   - unattributed: `syscall-not-allowed-container-unknown` (a SECCOMP record of
#     a process gone before the agent read /proc: no container, no image; any
#     on the host during the run: a test that runs guarded containers without
#     the lock shows up here too, so the executable is listed) and
#     `…-image-unknown` (container known, image not);
#   - runc exec's init (`runc:[2:INIT]`, `podman exec` before the exec'd
#     command runs): the runtime's calls, not the image's;
#   - the audit records the kernel dropped meanwhile (whole host: under load a
#     violation can be among them; run again when this is not 0);
#   - the control: after the workload a container of the same image runs
#     `sh -c 'sleep 2; times; (chmod 0700 /tmp)x10; sleep 2'` (dash's builtin
#     times: the syscall times, which no policy here allows, made by the
#     long-lived shell), started the same way (with the hook in hook mode);
#     "yes" when times was reported with its container id and image, i.e. the
#     mode does see the image's containers. The 10 chmod processes are
#     short-lived (fchmodat, allowed by no policy here): how many of their
#     calls came with the container (folded repeats counted) and how many as
#     container unknown measures the attribution gap of short-lived
#     processes. The control's reports are not counted in the other columns.
# Prints a table per run; raw violations and the agent's stderr stay in
# $RESULTS/MODE (default .build/false-positives). Builds/imports the images
# first (Scripts/build-images.sh --podman, cached) unless --no-build. Needs
# root. Exit 1 when a primary workload had violations of the image's own
# processes in some mode, or a control was not reported.
set -euo pipefail
cd "$(dirname "$0")/.."

callguard=${CALLGUARD:-.build/release/callguard}
results=${RESULTS:-.build/false-positives}
lock=/run/callguard-tests-kernel-audit.lock
build=1
images=()
modes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --mode) [ $# -ge 2 ] || { echo "false-positives: --mode needs hook, auto or system" >&2; exit 2; }
      IFS=, read -r -a more <<<"$2"; modes+=("${more[@]}"); shift ;;
    --mode=*) IFS=, read -r -a more <<<"${1#--mode=}"; modes+=("${more[@]}") ;;
    nginx|redis|postgresql|python3) images+=("$1") ;;
    *) echo "false-positives: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ ${#images[@]} -gt 0 ] || images=(nginx redis postgresql python3)
[ ${#modes[@]} -gt 0 ] || modes=(hook)
for mode in "${modes[@]}"; do
  case "$mode" in hook|auto|system) ;; *) echo "false-positives: unknown mode '$mode' (hook, auto, system)" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "false-positives: must run as root" >&2; exit 2; }
[ -x "$callguard" ] || { echo "false-positives: $callguard missing: swift build -c release" >&2; exit 2; }
callguard=$(realpath "$callguard")
[ $build = 0 ] || Scripts/build-images.sh --podman "${images[@]}" >&2

mkdir -p "$results"
chmod 700 "$results"
rows=()
primary_failed=0
for mode in "${modes[@]}"; do
  dir="$results/$mode"
  state="$dir/state"
  hooks="$dir/hooks.d"
  mkdir -p "$dir"
  for image in "${images[@]}"; do
    for workload in primary broad; do
      out="$dir/$image-$workload.json"
      err="$dir/$image-$workload.err"
      rm -f "$out" "$err"
      rm -rf "$state" "$hooks"
      (
        exec 9>"$lock"
        flock 9
        args=(run --policies policies --sink "file:$(pwd)/$out" --state-dir "$(pwd)/$state")
        [ "$mode" != system ] || args+=(--rules system)
        hooks_env=
        if [ "$mode" = hook ]; then
          "$callguard" hook install --hooks-dir "$hooks" --state-dir "$(pwd)/$state" >&2
          hooks_env="$(pwd)/$hooks"
        fi
        "$callguard" "${args[@]}" 2>"$err" 9>&- &
        agent=$!
        trap 'kill -TERM $agent 2>/dev/null || true; [ ! -d "$hooks" ] || "$callguard" hook uninstall --hooks-dir "$hooks" >/dev/null 2>&1 || true' EXIT
        for _ in $(seq 1 300); do
          grep -q "reading the audit stream" "$err" && break
          kill -0 $agent 2>/dev/null || { cat "$err" >&2; exit 2; }
          sleep 0.1
        done
        grep -q "reading the audit stream" "$err" || { echo "false-positives: the agent did not start" >&2; exit 2; }
        [ "$mode" != hook ] || [ -s "$state/index.json" ] || { echo "false-positives: the agent wrote no $state/index.json" >&2; exit 2; }
        WL_HOOKS_DIR="$hooks_env" "Scripts/workloads/$image.sh" "$workload" 9>&- || echo "false-positives: the $image $workload workload failed ($mode)" >&2
        # The control: a container of the same image whose shell calls times (its
        # builtin; no policy here allows it) must be reported, with id and image.
        podman_opts=()
        [ -z "$hooks_env" ] || podman_opts=(--hooks-dir "$hooks_env")
        podman "${podman_opts[@]}" rm -f -t 0 "callguard-fp-control-$image" >/dev/null 2>&1 || true
        podman "${podman_opts[@]}" --runtime runc run -d --name "callguard-fp-control-$image" --cgroup-manager=cgroupfs \
          --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "localhost/callguard/$image:bookworm" \
          /bin/sh -c 'sleep 2; times >/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do chmod 0700 /tmp; done; sleep 2' >"$dir/$image-$workload.control" 9>&-
        podman wait "callguard-fp-control-$image" >/dev/null 9>&- || true
        podman rm -f -t 0 "callguard-fp-control-$image" >/dev/null 9>&- || true
        sleep 2
        kill -TERM $agent
        wait $agent || true
        if [ -d "$state/hook-failures" ] && [ -n "$(ls -A "$state/hook-failures")" ]; then
          echo "false-positives: the hook failed ($state/hook-failures):" >&2
          cat "$state/hook-failures"/* >&2
        fi
      )
      touch "$out"
      touch "$dir/$image-$workload.control"
      row=$(python3 - "$out" "$image" "$workload" "$err" "$mode" "$dir/$image-$workload.control" <<'PY'
import json, sys, collections
path, image, workload, err, mode, control_file = sys.argv[1:]
control_id = open(control_file).read().strip()
control = "no"
short_attributed = short_unknown = 0
lost = "?"
for line in open(err, encoding="utf-8", errors="replace"):
    if line.startswith('{"records"'):
        lost = json.loads(line).get("lost", "?")
prefix = f"localhost/callguard/{image}:"
own, runc, unattributed = collections.Counter(), collections.Counter(), collections.Counter()
messages = 0
unguarded, unguarded_ids = 0, set()
for line in open(path, encoding="utf-8", errors="replace"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    v = json.loads(line)
    action = (v.get("event") or {}).get("action") or ""
    name = ((v.get("container") or {}).get("image") or {}).get("name") or ""
    cg = v.get("callguard") or {}
    count = int(cg.get("count") or 1)
    syscall = (cg.get("syscall") or {}).get("name") or "?"
    proc = (v.get("process") or {}).get("name") or "?"
    exe = (v.get("process") or {}).get("executable") or "?"
    if action == "syscall-not-allowed-container-unknown" and proc == "chmod" and exe.endswith("/chmod"):
        # The control's short-lived chmod processes (fchmodat, and umask on
        # the way), not attributed; no workload here runs chmod.
        if syscall == "fchmodat":
            short_unknown += count
        continue
    if action in ("syscall-not-allowed-container-unknown", "syscall-not-allowed-image-unknown"):
        # No image to filter by: every one during the run (the lock keeps
        # other tests' containers away), named by kind.
        kind = "container" if action.endswith("container-unknown") else "image"
        unattributed[f"{syscall} ({proc} {exe}, {kind} unknown)"] += count
        continue
    if not name.startswith(prefix):
        continue
    if control_id and (v.get("container") or {}).get("id") == control_id:
        if syscall == "times":
            control = "yes"
        elif syscall == "fchmodat":
            short_attributed += count
        continue
    if action == "container-unguarded":
        unguarded += 1
        unguarded_ids.add((v.get("container") or {}).get("id"))
    elif proc == "runc:[2:INIT]":
        # runc exec's init before it executes the exec'd command: the
        # runtime's, not the image's (see the README of policies/).
        runc[syscall] += count
    else:
        messages += 1
        own[f"{syscall} ({proc})"] += count
def listed(c): return ", ".join(f"{k} x{n}" for k, n in sorted(c.items())) or "-"
print(f"| {mode} | {image} | {workload} | {messages} | {sum(own.values())} | {listed(own)} | {unguarded} ({len(unguarded_ids)} container{'s' if len(unguarded_ids) != 1 else ''}) "
      f"| {sum(unattributed.values())}: {listed(unattributed)} | {sum(runc.values())}: {listed(runc)} | {lost} | {control} | {short_attributed}/{short_unknown} |")
PY
)
      rows+=("$row")
      echo "$row" >&2
      if [ "$workload" = primary ] && ! echo "$row" | grep -q "| primary | 0 |"; then primary_failed=1; fi
      echo "$row" | grep -q "| yes | [0-9]*/[0-9]* |$" || primary_failed=1
    done
  done
  rm -rf "$hooks"
done

echo "| mode | image | workload | violations | events | syscalls (process) | container-unguarded reports | unattributed (container or image unknown) | runc exec bootstrap (runc:[2:INIT]) | audit records lost (whole host) | control's times reported | control's 10 chmod: attributed/container unknown |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
exit $primary_failed
