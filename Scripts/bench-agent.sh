#!/usr/bin/env bash
# End-to-end agent benchmark: the uname() storm runs inside a podman container
# whose image has a policy that does not allow uname, so every storm event goes
# socket → parse → assemble → attribution → policy → throttle → file sink (the
# summary prints a NOTE when some drained events did not become violations).
# `callguard run` (release build) drains it; beside it, in the same invocation
# and at the same in-container storm, the C netlink reader (creader.c) is the
# floor. In system mode both install the same rule (uname, host-wide, minus the
# reader's pid); in seccomp mode both read the container's SECCOMP records.
#
# Reports, per reader: events/s drained, the kernel's lost delta, CPU per event
# (utime+stime of the reader from /proc/PID/stat, all threads) and resident
# memory sampled every second (first/last/max); then agent/C ratios.
#
# The flat-out storm runs in each MODE (BENCH_MODES, default "seccomp system")
# and, for the agent, each FOLD (BENCH_FOLDS, default "distinct flood"):
#   seccomp: the container is guarded through callguard's OCI hook (installed
#     in the run's own directory, its state written by the agent), which gives
#     it a seccomp filter that logs uname, so `callguard run` under its default
#     `--rules auto` loads no exit rule and drains SECCOMP records only (a
#     container stamped by annotations alone is not trusted: the agent reports
#     it unguarded and audits it with an exit rule too); the C reader's own
#     uname rule is limited to the host's copy of storm (exe=), so it too
#     receives SECCOMP records only.
#   system: `callguard run --rules system`; the C reader's rule is host-wide.
#   distinct: the fold stage lets everything out (window 0, no rate cap), so
#     every event is made into a violation and formatted (folding can't help).
#   flood: the default throttle (10 s window, 100/s): a repeat is counted only.
#
# Then the same storm paced at each of STORM_RATES calls/s (RATE_SECONDS each,
# ascending): the events/s of the highest rung below a reader's first lossy rung
# is its end-to-end zero-loss rate.
#
#   Scripts/bench-agent.sh   # STORM_PROCS=2 STORM_SECONDS=5 ROUNDS=2 BACKLOG_LIMIT=8192
#                            # STORM_RATES="20000 40000 50000 60000 70000" RATE_SECONDS=4 ("": no ladder)
#                            # SOAK_RATE=20000 SOAK_SECONDS=30 (0: no soak)
#
# CALLGUARD_BIN=PATH: that callguard binary, not a fresh release build.
# CALLGUARD_BASELINE=PATH: another callguard binary (say, the last commit's)
#   run beside it in every agent run of the same invocation, alternating which
#   goes first, and reported as "baseline" with its own ratio (to compare builds
#   on this noisy machine).
# PROFILE_DIR=DIR: each agent run is also recorded by `perf record -g` into DIR.
#
# Last, a soak: one agent through SOAK_SECONDS of storm at SOAK_RATE, its
# resident memory sampled every second (flat is the goal).
#
# Needs root, gcc, glibc-static (libc6-dev), libaudit-dev, busybox-static,
# podman and runc. Takes /run/callguard-tests-kernel-audit.lock around
# everything that touches audit state. Audit state (rules with key callguard,
# the audit pid, enabled and backlog settings), the container and the image
# are restored or removed on exit, also when interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."

PROCS=${STORM_PROCS:-2}
SECONDS_PER_RUN=${STORM_SECONDS:-5}
BACKLOG=${BACKLOG_LIMIT:-8192}
ROUNDS=${ROUNDS:-2}
RATES=${STORM_RATES-20000 40000 50000 60000 70000}
RATE_SECONDS=${RATE_SECONDS:-4}
SOAK_RATE=${SOAK_RATE:-20000}
SOAK_SECONDS=${SOAK_SECONDS:-30}
SWIFT=${SWIFT:-swift}
MODES=${BENCH_MODES:-seccomp system}
FOLDS=${BENCH_FOLDS:-distinct flood}

[ "$(id -u)" = 0 ] || { echo "bench-agent: must run as root" >&2; exit 2; }
for tool in auditctl ausyscall podman runc gcc; do
  command -v "$tool" >/dev/null || { echo "bench-agent: $tool missing" >&2; exit 2; }
done
[ -x /bin/busybox ] || { echo "bench-agent: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/callguard-bench-agent.XXXXXX)
NAME=callguard-bench-storm-$$
IMAGE=localhost/$NAME:1
READER_PID=""
SAMPLER_PID=""
PODMAN_PID=""
CONTAINER=""
IMAGE_MADE=0
AUDIT_TOUCHED=0

. Scripts/lib/audit-state.sh
. Scripts/lib/bench-common.sh
status_field() { audit_status_field "$1"; }


restore() {
  set +e
  [ -n "$SAMPLER_PID" ] && stop_pid "$SAMPLER_PID" 1
  [ -n "$PODMAN_PID" ] && stop_pid "$PODMAN_PID" 5
  [ -n "$CONTAINER" ] && podman rm -f "$CONTAINER" >/dev/null 2>&1
  # callguard run restores the audit state itself on SIGTERM (after draining its sinks, ≤ 5 s).
  [ -n "$READER_PID" ] && stop_pid "$READER_PID" 15
  if [ "$AUDIT_TOUCHED" = 1 ]; then
    audit_restore_state callguard
  fi
  [ "$IMAGE_MADE" = 1 ] && podman rmi -f "$IMAGE" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap restore EXIT
trap 'exit 130' INT TERM

echo "bench-agent: building the static storm, the C reader and callguard (release)" >&2
gcc -O2 -Wall -static -o "$WORK/storm" Benchmarks/LiveAudit/storm.c
gcc -O2 -Wall -o "$WORK/creader" Benchmarks/LiveAudit/creader.c -laudit
if [ -n "${CALLGUARD_BIN:-}" ]; then  # a callguard built before (to compare builds)
  CALLGUARD=$CALLGUARD_BIN
else
  $SWIFT build -c release --product callguard >&2
  CALLGUARD="$($SWIFT build -c release --show-bin-path)/callguard"
fi

BASELINE=${CALLGUARD_BASELINE:-}
[ -z "$BASELINE" ] || [ -x "$BASELINE" ] || { echo "bench-agent: CALLGUARD_BASELINE $BASELINE is not executable" >&2; exit 2; }

# The image: the static storm plus busybox, imported from a rootfs tar.
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev" "$WORK/rootfs/tmp"
cp "$WORK/storm" "$WORK/rootfs/storm"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
ln -s busybox "$WORK/rootfs/bin/sh"
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
IMAGE_MADE=1
podman import -q "$WORK/rootfs.tar" "$IMAGE" >/dev/null 9>&-

# The policy: every syscall libaudit knows on any arch except uname (and its
# i386 forebears), so the agent's only rule audits uname and every storm event
# is a violation.
mkdir -p "$WORK/policies"
{
  echo "apiVersion: callguard.dev/v1"
  echo "kind: SyscallPolicy"
  echo "metadata:"
  echo "  name: bench-storm"
  echo "spec:"
  echo "  images: [\"localhost/$NAME:*\"]"
  echo "  severity: high"
  echo "  allow:"
  for arch in x86_64 i386 aarch64; do ausyscall "$arch" --dump 2>/dev/null | awk 'NR > 1 { print $2 }'; done |
    sort -u | grep -Evx 'uname|olduname|oldolduname' | sed 's/^/    - /'
} >"$WORK/policies/bench-storm.yaml"
"$CALLGUARD" check --policies "$WORK/policies" >&2
for fold in flood distinct; do
  printf 'backlog:\n  limit: %s\n  waitTime: 0\n' "$BACKLOG" >"$WORK/agent-$fold.yaml"
done
printf 'throttle:\n  windowMilliseconds: 0\n  maximumPerSecond: 1000000000\n' >>"$WORK/agent-distinct.yaml"
# The hook (seccomp mode): it narrows podman's default filter to log what the
# policy does not allow (uname), from the state the agent writes at its start.
"$CALLGUARD" hook install --hooks-dir "$WORK/hooks" --state-dir "$WORK/state" >/dev/null
SECCOMP_ARGS=(--hooks-dir "$WORK/hooks")
MODE=system

# Everything below touches audit state: hold the shared lock (not inherited by
# the processes started below, so a stray child never keeps it).
audit_lock
audit_save_state bench-agent
AUDIT_TOUCHED=1
"$CALLGUARD" rules --policies "$WORK/policies" | grep -v '^#' | sed 's/^/bench-agent: agent rule: /' >&2 || true

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run_reader NAME RATE READY_PATTERN CMD...: starts the reader, waits until it
# is ready ($WORK/ready exists, or READY_PATTERN is on its stderr), runs the
# storm in a container (RATE calls/s in all; 0: flat out) for SECONDS, waits for
# the backlog to drain, stops the reader; appends
# "NAME STORM_JSON MEASURED_JSON STATS_JSON" to $WORK/results.
run_reader() {
  local name=$1 rate=$2 ready=$3 seconds=$4; shift 4
  rm -f "$WORK/ready" "$WORK/rss"
  "$@" >"$WORK/reader.out" 2>"$WORK/reader.err" 9>&- &
  READER_PID=$!
  for _ in $(seq 150); do
    if [ -f "$WORK/ready" ] || grep -qF "$ready" "$WORK/reader.err" 2>/dev/null; then break; fi
    kill -0 "$READER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! { [ -f "$WORK/ready" ] || grep -qF "$ready" "$WORK/reader.err"; }; then
    echo "bench-agent: $name did not start:" >&2; cat "$WORK/reader.err" >&2; exit 1
  fi
  (while kill -0 "$READER_PID" 2>/dev/null; do
     awk '$1 == "VmRSS:" { print $2 }' "/proc/$READER_PID/status" 2>/dev/null >>"$WORK/rss"
     sleep 1
   done) 9>&- &
  SAMPLER_PID=$!
  local perf_pid=""
  if [ -n "${PROFILE_DIR:-}" ] && [ "${name%%-*}" != c ]; then
    perf record -q -F 499 -g -o "$PROFILE_DIR/perf-${name%%@*}-$rate.data" -p "$READER_PID" 2>/dev/null 9>&- &
    perf_pid=$!
  fi
  local lost0 ticks0 ticks1 lost1
  lost0=$(status_field lost)
  ticks0=$(ticks "$READER_PID")
  CONTAINER=$NAME-${name%%@*}-$rate
  local extra=()
  [ "$MODE" = seccomp ] && extra=("${SECCOMP_ARGS[@]}")
  podman --runtime runc run --rm --name "$CONTAINER" --cgroup-manager=cgroupfs --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "${extra[@]}" "$IMAGE" /storm "$PROCS" "$seconds" "$rate" \
    >"$WORK/storm.out" 2>"$WORK/storm.err" 9>&- &
  PODMAN_PID=$!
  wait "$PODMAN_PID" || { echo "bench-agent: the storm container failed:" >&2; cat "$WORK/storm.err" >&2; exit 1; }
  PODMAN_PID=""
  CONTAINER=""
  # Let the reader drain the kernel's backlog, then a second more.
  for _ in $(seq 100); do [ "$(status_field backlog)" = 0 ] && break; sleep 0.1; done
  sleep 1
  ticks1=$(ticks "$READER_PID")
  lost1=$(status_field lost)
  [ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
  sleep 1   # one more RSS sample after the drain
  stop_pid "$SAMPLER_PID" 1; SAMPLER_PID=""
  kill -TERM "$READER_PID"
  wait "$READER_PID" || { echo "bench-agent: $name failed:" >&2; cat "$WORK/reader.err" >&2; exit 1; }
  READER_PID=""
  local stats
  if [ "${name%%-*}" != c ]; then stats=$(grep '^{' "$WORK/reader.err" | tail -1); else stats=$(tail -1 "$WORK/reader.out"); fi
  local rss; rss=$(paste -sd, "$WORK/rss")
  echo "$name $(tail -1 "$WORK/storm.out") {\"lost\":$((lost1 - lost0)),\"cpu_seconds\":$(echo "$ticks0 $ticks1 $(getconf CLK_TCK)" | awk '{ print ($2 - $1) / $3 }'),\"rss_kb\":[$rss]} $stats" >>"$WORK/results"
}

: >"$WORK/results"
PORT=$((20000 + $$ % 20000))
# run_c RATE SECONDS and run_agent FOLD RATE SECONDS, in the current MODE.
run_c() {
  local exe=(); [ "$MODE" = seccomp ] && exe=(--exe "$WORK/storm")
  run_reader "c-$MODE@$1" "$1" "(uses the ready file)" "$2" "$WORK/creader" "${exe[@]}" --backlog-limit "$BACKLOG" --ready-file "$WORK/ready"
}
agent_args() { # agent_args FOLD: the agent's arguments in the current MODE.
  local rules=(); [ "$MODE" = system ] && rules=(--rules system)
  echo "--policies $WORK/policies --config $WORK/agent-$1.yaml --state-dir $WORK/state --sink file:$WORK/violations.json --metrics 127.0.0.1:$PORT ${rules[*]}"
}
# The hook's state, before the first guarded container: one agent start writes it (it stays).
MODE=seccomp
# shellcheck disable=SC2046
"$CALLGUARD" run $(agent_args flood) >"$WORK/state.out" 2>"$WORK/state.err" 9>&- &
READER_PID=$!
for _ in $(seq 150); do
  grep -qF "reading the audit stream" "$WORK/state.err" 2>/dev/null && break
  kill -0 "$READER_PID" 2>/dev/null || break
  sleep 0.1
done
grep -qF "reading the audit stream" "$WORK/state.err" || { echo "bench-agent: the agent did not start:" >&2; cat "$WORK/state.err" >&2; exit 1; }
stop_pid "$READER_PID" 10; READER_PID=""
run_agent() {
  # shellcheck disable=SC2046
  run_reader "agent-$MODE-$1@$2" "$2" "reading the audit stream" "$3" "$CALLGUARD" run $(agent_args "$1")
}
run_baseline() {
  # shellcheck disable=SC2046
  run_reader "base-$MODE-$1@$2" "$2" "reading the audit stream" "$3" "$BASELINE" run $(agent_args "$1")
}
# run_agents FOLD RATE SECONDS ORDER: the agent, and the baseline when given
# (first when ORDER is odd).
run_agents() {
  if [ -n "$BASELINE" ] && [ $(($4 % 2)) = 1 ]; then run_baseline "$1" "$2" "$3"; fi
  run_agent "$1" "$2" "$3"
  if [ -n "$BASELINE" ] && [ $(($4 % 2)) = 0 ]; then run_baseline "$1" "$2" "$3"; fi
}
for round in $(seq "$ROUNDS"); do
  for MODE in $MODES; do
    echo "bench-agent: flat-out storm, $MODE mode, round $round/$ROUNDS" >&2
    run_c 0 "$SECONDS_PER_RUN"
    for fold in $FOLDS; do run_agents "$fold" 0 "$SECONDS_PER_RUN" "$round"; done
  done
done
# The ladder and the soak: the first mode and fold.
MODE=${MODES%% *}
FIRST_FOLD=${FOLDS%% *}
for rate in $RATES; do
  echo "bench-agent: paced storm at $rate calls/s ($MODE mode, $FIRST_FOLD)" >&2
  run_c "$rate" "$RATE_SECONDS"
  run_agents "$FIRST_FOLD" "$rate" "$RATE_SECONDS" "$rate"
done
if [ "$SOAK_SECONDS" != 0 ]; then
  echo "bench-agent: soak, $SOAK_SECONDS s at $SOAK_RATE calls/s ($MODE mode, $FIRST_FOLD)" >&2
  # shellcheck disable=SC2046
  run_reader "soak-$MODE-$FIRST_FOLD@$SOAK_RATE" "$SOAK_RATE" "reading the audit stream" "$SOAK_SECONDS" "$CALLGUARD" run $(agent_args "$FIRST_FOLD")
fi

python3 - "$WORK/results" "$PROCS" "$BACKLOG" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    key, storm, measured, stats = line.split(" ", 3)
    name, rate = key.split("@")
    s, m, r = json.loads(storm), json.loads(measured), json.loads(stats)
    rows.setdefault((name, int(rate)), []).append({
        "calls": s["calls"], "storm_s": s["seconds"], "events": r["events"], "lost": m["lost"],
        "cpu_s": m["cpu_seconds"], "rss": m["rss_kb"] or [0], "violations": r.get("violations", 0),
        "unattributed": r.get("unattributed", 0), "overruns": r.get("overruns", 0), "sinks": r.get("sinks"),
    })
def summary(rs):
    calls = sum(r["calls"] for r in rs); events = sum(r["events"] for r in rs)
    secs = sum(r["storm_s"] for r in rs); cpu = sum(r["cpu_s"] for r in rs)
    return {"events_per_s": events / secs, "storm_calls_per_s": calls / secs,
            "lost": sum(r["lost"] for r in rs), "overruns": sum(r["overruns"] for r in rs),
            "us_cpu_per_event": 1e6 * cpu / max(events, 1), "drained_fraction": events / max(calls, 1),
            "violations": sum(r["violations"] for r in rs), "unattributed": sum(r["unattributed"] for r in rs),
            "calls": calls, "rss_first_kb": rs[0]["rss"][0], "rss_last_kb": rs[-1]["rss"][-1],
            "rss_max_kb": max(max(r["rss"]) for r in rs),
            "rss_per_run_kb": [r["rss"] for r in rs], "sinks": rs[-1]["sinks"]}
out = {k: summary(rs) for k, rs in rows.items()}
print(f"storm: {sys.argv[2]} processes of uname() inside a podman container, backlog_limit {sys.argv[3]}")
def label(name):
    parts = name.split("-")
    if parts[0] == "c": return f"C reader ({parts[1]})"
    if parts[0] == "base": return f"baseline ({parts[1]}, {parts[2]})"
    return f"callguard {'soak ' if parts[0] == 'soak' else ''}({parts[1]}, {parts[2]})"
def line(k, s):
    print(f"  {label(k[0]):30} events/s {s['events_per_s']:8.0f}  kernel lost {s['lost']:7d}  "
          f"overruns {s['overruns']:3d}  CPU/event {s['us_cpu_per_event']:5.2f} us  "
          f"drained {100*s['drained_fraction']:5.1f}% of calls  "
          f"RSS first/last/max {s['rss_first_kb']/1024:.1f}/{s['rss_last_kb']/1024:.1f}/{s['rss_max_kb']/1024:.1f} MiB")
def ratio(a, c):
    return (f"events/s {a['events_per_s']/max(c['events_per_s'],1e-9):.2f}x, "
            f"CPU per event {a['us_cpu_per_event']/max(c['us_cpu_per_event'],1e-9):.2f}x, "
            f"kernel lost {a['lost']} vs {c['lost']}")
rates = sorted({k[1] for k in out if not k[0].startswith("soak")})
for rate in rates:
    print(("flat out" if rate == 0 else f"paced at {rate} calls/s") + ":")
    for ck in sorted(k for k in out if k[1] == rate and k[0].startswith("c-")):
        mode = ck[0].split("-")[1]
        c = out[ck]
        line(ck, c)
        for ak in sorted(k for k in out if k[1] == rate and k[0].split("-")[0] in ("agent", "base") and k[0].split("-")[1] == mode):
            a = out[ak]
            line(ak, a)
            print(f"    {a['violations']} violations, {a['unattributed']} unattributed of {a['calls']} storm calls; "
                  f"sinks {json.dumps(a['sinks'])}")
            drained = round(a["events_per_s"] * sum(r["storm_s"] for r in rows[ak]))
            if a["violations"] < 0.99 * drained:
                print(f"    NOTE: only {a['violations']} of ~{drained} drained events were violations")
            print(f"    RSS every second, per run (MiB): " +
                  " | ".join(" ".join(f"{k/1024:.1f}" for k in r) for r in a["rss_per_run_kb"]))
            print(f"    ratio {label(ak[0])} / C reader: {ratio(a, c)}")
            bk = ("base" + ak[0][len("agent"):], ak[1])
            if ak[0].startswith("agent-") and bk in out:
                b = out[bk]
                print(f"    ratio {label(ak[0])} / {label(bk[0])}: CPU per event "
                      f"{a['us_cpu_per_event']/max(b['us_cpu_per_event'],1e-9):.2f}x")
def zero_loss(prefix):
    # Up the ladder until the first run with loss: the events/s drained by the
    # last lossless run below it (the storm may fall short of a paced rate).
    best = None
    for r in rates:
        if r == 0: continue
        k = next((k for k in out if k[1] == r and k[0].startswith(prefix)), None)
        if k is None: continue
        s = out[k]
        if s["lost"] or s["overruns"]: break
        best = s["events_per_s"]
    return best
if any(r != 0 for r in rates):
    za, zc = zero_loss("agent-"), zero_loss("c-")
    fmt = lambda v: "none" if v is None else f"{v:.0f}"
    print(f"zero-loss rate (highest lossless rung, every rung below lossless too): callguard run {fmt(za)} events/s, "
          f"C reader {fmt(zc)} events/s" + (f" (ratio {za/zc:.2f}x)" if za and zc else ""))
for k, s in out.items():
    if not k[0].startswith("soak"): continue
    rss = s["rss_per_run_kb"][0]
    print(f"soak: one agent, {s['calls']} storm calls at {k[1]} calls/s:")
    line(k, s)
    print(f"  RSS every second (MiB): " + " ".join(f"{v/1024:.1f}" for v in rss))
    if len(rss) > 3:
        settled = rss[2:]
        print(f"  RSS after 2 s: {settled[0]/1024:.1f} MiB, at the end {settled[-1]/1024:.1f} MiB "
              f"({(settled[-1]-settled[0])/1024:+.1f} MiB over {len(settled)-1} s), max {max(settled)/1024:.1f} MiB")
for o in out.values(): o.pop("rss_per_run_kb")
print(json.dumps({f"{k[0]}@{k[1]}": v for k, v in out.items()}))
PY
