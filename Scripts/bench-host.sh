#!/usr/bin/env bash
# Host cost of the agent's audit rule modes, and the agent's cost per
# violation record of a guarded container's flood.
#
# 1. A host process (no container, no seccomp filter) times a syscall mix
#    (Benchmarks/HostCost/hostmix.c: pread 1 byte, writev to /dev/null,
#    send+recv on a socketpair, poll with 0 timeout, read; and a process's
#    life, fork+exit+wait and spawn+exit+wait, which the agent's fork
#    announcements touch) in ns per call, the host process on the last CPU
#    and the agent on the others (PIN=0: unpinned), so that what is measured
#    is the kernel's cost per call and not the agent's own work competing
#    for the same core (its CPU is measured in part 2):
#    without an agent, under `callguard run` (release, shipped policies) in the
#    default mode (`--rules auto`), and under `--rules system`; interleaved,
#    ROUNDS rounds, medians, printed as ratios to no agent.
# 2. A container looping on uname(2), guarded through callguard's podman hook
#    (its policy: podman's default allowlist without uname, so the hook narrows
#    its filter to log uname), so `callguard run` in its default mode
#    (`--rules auto`) loads no exit rule; CPU per SECCOMP record beside the C
#    netlink reader (Benchmarks/LiveAudit/creader.c), and the kernel's lost
#    count of each.
# 3. The same syscall mix inside a container of that image: started without
#    the hook (podman's default filter) and with it (the filter narrowed to the
#    policy, which allows the mix), interleaved, no agent running; ratio of the
#    guarded container to the unguarded one.
#
#   Scripts/bench-host.sh     # ROUNDS=5 ITERATIONS=100000 FLOOD_SECONDS=5
#                             # FLOOD_ONLY=1: parts 2 and 3 only
#
# Needs root, gcc, libaudit-dev, podman + runc, busybox-static. Holds
# /run/callguard-tests-kernel-audit.lock while it runs; restores the kernel's
# audit state (rules with key callguard, pid, enabled, backlog) on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
PIN=${PIN:-1}
ITERATIONS=${ITERATIONS:-100000}
FLOOD_SECONDS=${FLOOD_SECONDS:-5}
BACKLOG=${BACKLOG_LIMIT:-8192}
SWIFT=${SWIFT:-swift}

[ "$(id -u)" = 0 ] || { echo "bench-host: must run as root" >&2; exit 2; }
for tool in auditctl podman runc gcc python3; do
  command -v "$tool" >/dev/null || { echo "bench-host: $tool missing" >&2; exit 2; }
done
[ -x /bin/busybox ] || { echo "bench-host: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/callguard-bench-host.XXXXXX)
NAME=callguard-bench-host-$$
IMAGE=localhost/$NAME:1
AGENT_PID=""
CONTAINER=""
IMAGE_MADE=0
AUDIT_TOUCHED=0
. Scripts/lib/audit-state.sh
. Scripts/lib/bench-common.sh


restore() {
  set +e
  [ -n "$CONTAINER" ] && podman rm -f "$CONTAINER" >/dev/null 2>&1
  [ -n "$AGENT_PID" ] && stop_pid "$AGENT_PID" 15
  [ "$AUDIT_TOUCHED" = 1 ] && audit_restore_state callguard
  [ "$IMAGE_MADE" = 1 ] && podman rmi -f "$IMAGE" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap restore EXIT
trap 'exit 130' INT TERM

echo "bench-host: building hostmix, the static storm, the C reader and callguard (release)" >&2
gcc -O2 -Wall -o "$WORK/hostmix" Benchmarks/HostCost/hostmix.c
gcc -O2 -Wall -static -o "$WORK/hostmix-static" Benchmarks/HostCost/hostmix.c
gcc -O2 -Wall -static -o "$WORK/storm" Benchmarks/LiveAudit/storm.c
gcc -O2 -Wall -o "$WORK/creader" Benchmarks/LiveAudit/creader.c -laudit
$SWIFT build -c release --product callguard >&2
CALLGUARD="$($SWIFT build -c release --show-bin-path)/callguard"

# start_agent ARGS...: `callguard run ARGS`, sink /dev/null, until it reads the stream.
# Part 1's placement: the host process alone on the last CPU, the agent on the rest.
cpus=$(nproc)
MIX_CPU=() AGENT_CPUS=()
if [ "$PIN" = 1 ] && [ "$cpus" -ge 2 ] && command -v taskset >/dev/null; then
  MIX_CPU=(taskset -c $((cpus - 1)))
  AGENT_CPUS=(taskset -c "0-$((cpus - 2))")
fi
start_agent() {
  "${AGENT_CPUS[@]}" "$CALLGUARD" run "$@" --sink file:/dev/null >"$WORK/agent.out" 2>"$WORK/agent.err" 9>&- &
  AGENT_PID=$!
  for _ in $(seq 300); do
    grep -qF "reading the audit stream" "$WORK/agent.err" 2>/dev/null && return 0
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench-host: callguard run $* did not start:" >&2; cat "$WORK/agent.err" >&2; exit 1
}
stop_agent() { stop_pid "$AGENT_PID" 15; AGENT_PID=""; }
callguard_rules() { auditctl -l | grep -c 'key=callguard' || true; }

audit_lock
audit_save_state bench-host
AUDIT_TOUCHED=1

# --- 1. host syscall mix ---------------------------------------------------
: >"$WORK/mix"
[ "${FLOOD_ONLY:-0}" = 1 ] && ROUNDS=0
for round in $(seq "$ROUNDS"); do
  for mode in none auto system; do
    rules=0
    if [ "$mode" != none ]; then start_agent --policies policies --rules "$mode" --state-dir "$WORK/state-host"; sleep 1.5; rules=$(callguard_rules); fi
    echo "$mode $rules $("${MIX_CPU[@]}" "$WORK/hostmix" "$ITERATIONS")" >>"$WORK/mix"
    [ "$mode" != none ] && stop_agent
  done
  echo "bench-host: round $round of $ROUNDS done" >&2
done

# --- 2. guarded-container flood --------------------------------------------
AGENT_CPUS=()  # unpinned from here on
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev" "$WORK/rootfs/tmp"
cp "$WORK/storm" "$WORK/rootfs/storm"
cp "$WORK/hostmix-static" "$WORK/rootfs/hostmix"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
ln -s busybox "$WORK/rootfs/bin/sh"
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
IMAGE_MADE=1
podman import -q "$WORK/rootfs.tar" "$IMAGE" >/dev/null 9>&-
mkdir -p "$WORK/policies"
# Podman's default allowlist without uname: the hook turns it into a filter that logs uname only.
allow=$(podman_default_allow_without "$CALLGUARD" "$WORK/probe" uname)
cat >"$WORK/policies/flood.yaml" <<POLICY
apiVersion: callguard.dev/v1
kind: SyscallPolicy
metadata: {name: bench-flood}
spec:
  images: ["localhost/$NAME:*"]
  allow: [$allow]
POLICY
# The hook, and its state (written by the agent at start; it stays after the agent stops).
"$CALLGUARD" hook install --hooks-dir "$WORK/hooks" --state-dir "$WORK/state" >/dev/null
start_agent --policies "$WORK/policies" --state-dir "$WORK/state"
stop_agent
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# flood NAME: runs the storm container for FLOOD_SECONDS while reader NAME (already started as AGENT_PID) drains.
flood() {
  local name=$1 lost0 lost1 t0 t1
  lost0=$(audit_status_field lost)
  t0=$(ticks "$AGENT_PID")
  CONTAINER=$NAME-$name
  podman --hooks-dir "$WORK/hooks" --runtime runc run --rm --name "$CONTAINER" --cgroup-manager=cgroupfs --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    "$IMAGE" /storm 1 "$FLOOD_SECONDS" >"$WORK/storm-$name.json" 2>/dev/null 9>&-
  CONTAINER=""
  sleep 1
  t1=$(ticks "$AGENT_PID")
  lost1=$(audit_status_field lost)
  echo "$name $((t1 - t0)) $((lost1 - lost0)) $(cat "$WORK/storm-$name.json")" >>"$WORK/flood"
}
: >"$WORK/flood"
# The C reader's own uname rule is limited to the host's copy of storm (exe=):
# the container's /storm is another file, so it receives the SECCOMP records only.
"$WORK/creader" --exe "$WORK/storm" --backlog-limit "$BACKLOG" --ready-file "$WORK/ready" >"$WORK/creader.out" 2>"$WORK/creader.err" 9>&- &
AGENT_PID=$!
for _ in $(seq 100); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
flood c
stop_pid "$AGENT_PID" 15; AGENT_PID=""
c_json=$(tail -1 "$WORK/creader.out")
printf 'backlog:\n  limit: %s\n  waitTime: 0\n' "$BACKLOG" >"$WORK/agent.yaml"
start_agent --policies "$WORK/policies" --config "$WORK/agent.yaml" --state-dir "$WORK/state"
flood agent
stop_agent
agent_json=$(grep '^{"records"' "$WORK/agent.err" | tail -1)

# --- 3. the mix inside a container: without the hook, and guarded by it -----
: >"$WORK/container-mix"
for round in $(seq "${CONTAINER_ROUNDS:-5}"); do
  for mode in unguarded guarded; do
    hooks=()
    [ "$mode" = guarded ] && hooks=(--hooks-dir "$WORK/hooks")
    out=$(podman "${hooks[@]}" --runtime runc run --rm --cgroup-manager=cgroupfs --network none \
      --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMAGE" /hostmix "$ITERATIONS" 2>/dev/null 9>&-)
    echo "$mode $out" >>"$WORK/container-mix"
  done
done

python3 - "$WORK/mix" "$WORK/flood" "$hz" "$c_json" "$agent_json" "$WORK/container-mix" <<'PY'
import json, statistics, sys
mix, flood, hz, c_json, agent_json, cmix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
runs = {}
rules = {}
for line in open(mix):
    mode, n, js = line.split(" ", 2)
    runs.setdefault(mode, []).append(json.loads(js))
    rules.setdefault(mode, []).append(int(n))
ops = ["pread", "writev", "sendrecv", "poll", "read", "fork", "spawn"]
med = {m: {op: statistics.median(r[op] for r in runs[m]) for op in ops} for m in runs}
if runs:
    print(f"host syscall mix, ns per call (median of {len(runs['none'])} interleaved rounds) and ratio to no agent")
    print(f"{'call':10} {'no agent':>10} {'auto':>16} {'system':>16}")
    for op in ops:
        base = med["none"][op]
        print(f"{op:10} {base:10.0f} {med['auto'][op]:8.0f} ({med['auto'][op]/base:4.2f}x) {med['system'][op]:8.0f} ({med['system'][op]/base:5.2f}x)")
    print(f"callguard rules loaded during the runs: auto {sorted(set(rules['auto']))}, system {sorted(set(rules['system']))}"
          " (auto loads per-process rules only for running containers without a callguard profile)")
c, a = json.loads(c_json), json.loads(agent_json)
f = {}
for line in open(flood):
    name, ticks, lost, js = line.split(" ", 3)
    f[name] = (int(ticks) / hz, int(lost), json.loads(js))
c_cpu = f["c"][0] / max(1, c["records"])
a_cpu = f["agent"][0] / max(1, a["records"])
print(f"guarded-container flood (uname under SCMP_ACT_LOG, {f['c'][2]['calls']} / {f['agent'][2]['calls']} calls):")
print(f"  C reader: {c['records']} records, {c_cpu*1e6:.2f} us CPU per record, kernel lost {f['c'][1]}")
print(f"  callguard run (default rules): {a['records']} records, {a['violations']} violations, {a_cpu*1e6:.2f} us CPU per record, kernel lost {f['agent'][1]}")
print(f"  agent CPU per record vs C reader: {a_cpu / c_cpu:.2f}x")
cruns = {}
for line in open(cmix):
    mode, js = line.split(" ", 1)
    cruns.setdefault(mode, []).append(json.loads(js))
if cruns:
    cmed = {m: {op: statistics.median(r[op] for r in cruns[m]) for op in ops} for m in cruns}
    print(f"syscall mix inside a container, ns per call (median of {len(cruns['unguarded'])} interleaved rounds, no agent)")
    print(f"{'call':10} {'unguarded':>10} {'guarded (hook)':>22}")
    for op in ops:
        base = cmed["unguarded"][op]
        print(f"{op:10} {base:10.0f} {cmed['guarded'][op]:12.0f} ({cmed['guarded'][op]/base:4.2f}x)")
PY
