#!/usr/bin/env bash
# Attribution beside two runtimes, in one invocation: a docker container and a
# podman one, both guarded the way callguard ships (podman through the OCI
# hook in a temporary hooks dir, docker through deploy/docker's callguard-runc
# wrapper registered as dockerd's default runtime), one image each (a
# busybox-static rootfs with Benchmarks/LiveAudit/storm.c and
# Benchmarks/Attribution/firstcall.c), one policy for both: podman's default
# allowlist without uname, so each container's filter logs uname
# (SCMP_ACT_LOG) and `callguard run` in its default mode loads no audit rule.
#
# 1. Attribution cost per event.
#    a. In process (callguard-attribution-bench, Benchmarks/Attribution/Lookup):
#       ContainerKit's Attributor over the real /proc and both runtimes' real
#       state, a live container of each: first sight of a container (/proc,
#       then docker's config.v2.json + task bundle vs podman's containers.json
#       + images.json + bundle), a new process of a known container (/proc
#       only), and a cached hit (the hot path) beside a Dictionary lookup.
#    b. End to end: a uname flood (one storm process per container) drained by
#       `callguard run` and by the C netlink reader (creader.c, the floor), in
#       phases docker only, podman only, both at once (ROUNDS rounds,
#       interleaved); CPU per SECCOMP record of each reader, and the events
#       the agent attributed to each container (the fold's counts).
# 2. From a container's start to its first attributed violation: FIRST_N
#    containers per runtime (interleaved) whose first process calls uname as
#    the first thing main does, then sleeps 1 s; `callguard run --sink stdout`
#    read through a pipe that timestamps each line on arrival. Latency from
#    `docker run -d` / `podman run -d` being launched and from the syscall
#    itself (the audit record's time, ms) to the line's arrival; how many of
#    the N first violations name the container's id and image, and any
#    syscall-not-allowed-container-unknown. Then EXIT_N more per runtime whose
#    process exits right after the call (a process gone before /proc is read:
#    a known limitation, counted as it is).
#
#   Scripts/bench-attribution.sh   # FIRST_N=20 EXIT_N=20 FLOOD_SECONDS=5 ROUNDS=2 MICRO_ROUNDS=200
#   CALLGUARD_BIN=PATH             # that callguard binary, not a fresh release build
#   PARTS="lookup flood first"     # the parts to run (1a, 1b, 2)
#   RESULTS_DIR=DIR                # keep the raw measurements (JSON lines, the agents' stderr) there
#
# Needs root, docker.io + containerd (started here, with their own roots under
# the run's temp dir, stopped by pid after), podman + runc, busybox-static, gcc,
# libaudit-dev, python3. Holds /run/callguard-tests-kernel-audit.lock while it
# touches audit state. On exit, also on failure or interrupt: the agent and the
# C reader stopped by pid, every container removed, both daemons stopped by
# pid, the podman image removed, the audit state restored (rules with key
# callguard, enabled and backlog settings; the agent unregisters itself), and
# the temp dir (hooks dir, state, daemon roots) removed.
set -euo pipefail
cd "$(dirname "$0")/.."

FIRST_N=${FIRST_N:-20}
EXIT_N=${EXIT_N:-$FIRST_N}
FLOOD_SECONDS=${FLOOD_SECONDS:-5}
ROUNDS=${ROUNDS:-2}
MICRO_ROUNDS=${MICRO_ROUNDS:-200}
PARTS=" ${PARTS:-lookup flood first} "
BACKLOG=${BACKLOG_LIMIT:-8192}
SWIFT=${SWIFT:-swift}

[ "$(id -u)" = 0 ] || { echo "bench-attribution: must run as root" >&2; exit 2; }
for tool in auditctl podman runc gcc python3 docker dockerd containerd ctr; do
  command -v "$tool" >/dev/null || { echo "bench-attribution: $tool missing" >&2; exit 2; }
done
[ -x /bin/busybox ] || { echo "bench-attribution: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/callguard-bench-attribution.XXXXXX)
TAG=$$
PODMAN_IMAGE=localhost/callguard-bench-attr-podman-$TAG:1
DOCKER_IMAGE=localhost/callguard-bench-attr-docker-$TAG:1
PREFIX=cg-attr-$TAG
READER_PID=""
STAMP_PID=""
HOST_SLEEP_PID=""
PODMAN_IMAGE_MADE=0
AUDIT_TOUCHED=0
. Scripts/lib/audit-state.sh
. Scripts/lib/bench-common.sh
. Scripts/lib/container-daemons.sh


podman_cleanup() { # every podman container of this run
  local ids
  ids=$(podman ps -aq --filter "name=^$PREFIX-" 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -n "$ids" ] && podman rm -f -t 0 $ids >/dev/null 2>&1
  return 0
}

restore() {
  set +e
  if [ -n "${RESULTS_DIR:-}" ]; then
    mkdir -p "$RESULTS_DIR"
    cp "$WORK"/lookup.json "$WORK"/flood* "$WORK"/first* "$WORK"/violations-* "$WORK"/*.err "$RESULTS_DIR"/ 2>/dev/null
  fi
  [ -n "$HOST_SLEEP_PID" ] && stop_pid "$HOST_SLEEP_PID" 1
  # callguard run restores the audit state itself on SIGTERM (after draining its sinks, ≤ 5 s).
  [ -n "$READER_PID" ] && stop_pid "$READER_PID" 15
  [ -n "$STAMP_PID" ] && stop_pid "$STAMP_PID" 2
  podman_cleanup
  daemons_stop
  if [ "$AUDIT_TOUCHED" = 1 ]; then
    audit_restore_state callguard
    local pid; pid=$(audit_status_field pid)
    [ "$pid" = 0 ] || echo "bench-attribution: audit pid is $pid after the restore (a reader killed before it could unregister?)" >&2
  fi
  [ "$PODMAN_IMAGE_MADE" = 1 ] && podman rmi -f "$PODMAN_IMAGE" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap restore EXIT
trap 'exit 130' INT TERM

echo "bench-attribution: building storm, firstcall, the C reader, callguard and the attribution bench (release)" >&2
gcc -O2 -Wall -static -o "$WORK/storm" Benchmarks/LiveAudit/storm.c
gcc -O2 -Wall -static -o "$WORK/firstcall" Benchmarks/Attribution/firstcall.c
gcc -O2 -Wall -o "$WORK/creader" Benchmarks/LiveAudit/creader.c -laudit
if [ -n "${CALLGUARD_BIN:-}" ]; then
  CALLGUARD=$CALLGUARD_BIN
else
  $SWIFT build -c release --product callguard >&2
  CALLGUARD="$($SWIFT build -c release --show-bin-path)/callguard"
fi
$SWIFT build -c release --package-path Benchmarks --product callguard-attribution-bench >&2
LOOKUP="$($SWIFT build -c release --package-path Benchmarks --show-bin-path)/callguard-attribution-bench"

# --- images, daemons, policy, hook and wrapper -------------------------------
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev" "$WORK/rootfs/tmp" "$WORK/rootfs/etc"
cp "$WORK/storm" "$WORK/firstcall" "$WORK/rootfs/"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for applet in sh sleep true; do ln -s busybox "$WORK/rootfs/bin/$applet"; done
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
PODMAN_IMAGE_MADE=1
podman import -q "$WORK/rootfs.tar" "$PODMAN_IMAGE" >/dev/null

# dockerd reads the shipped daemon.json (callguard registered and the default
# runtime), its runtime path moved here; the shim executes the shipped
# callguard-runc, pointed at this build, these daemons' roots and this run's state.
daemon_json=$(sed "s|/usr/local/sbin/callguard-runc|$WORK/callguard-runc|" deploy/docker/daemon.json)
echo "bench-attribution: starting containerd and dockerd under $WORK/daemons" >&2
daemons_start "$WORK/daemons" "$daemon_json"
sed -e "s|/usr/local/bin/callguard oci-runtime|$CALLGUARD oci-runtime --docker-root $DOCKER_DATA_ROOT --containerd-root $CONTAINERD_ROOT|" \
  -e "s|--state-dir /run/callguard|--state-dir $WORK/state|" deploy/docker/callguard-runc >"$WORK/callguard-runc"
chmod 0755 "$WORK/callguard-runc"
grep -qF "$WORK/state" "$WORK/callguard-runc" && grep -qF -- "--docker-root" "$WORK/callguard-runc" ||
  { echo "bench-attribution: deploy/docker/callguard-runc changed; cannot point it at this run" >&2; exit 1; }
dk import "$WORK/rootfs.tar" "$DOCKER_IMAGE" >/dev/null

mkdir -p "$WORK/policies"
# Podman's default allowlist without uname: the hook
# and the wrapper turn it into a filter that logs uname only.
allow=$(podman_default_allow_without "$CALLGUARD" "$WORK/probe" uname)
cat >"$WORK/policies/attr.yaml" <<POLICY
apiVersion: callguard.dev/v1
kind: SyscallPolicy
metadata: {name: bench-attribution}
spec:
  images: ["$PODMAN_IMAGE", "$DOCKER_IMAGE"]
  allow: [$allow]
POLICY
"$CALLGUARD" check --policies "$WORK/policies" >&2
"$CALLGUARD" hook install --hooks-dir "$WORK/hooks" --state-dir "$WORK/state" >/dev/null
printf 'backlog:\n  limit: %s\n  waitTime: 0\n' "$BACKLOG" >"$WORK/flood.yaml"
# Part 2: every violation goes out at once (one per container; nothing folded).
printf 'throttle:\n  windowMilliseconds: 0\n  maximumPerSecond: 1000000\n' >"$WORK/first.yaml"

AGENT_ARGS=(--policies "$WORK/policies" --state-dir "$WORK/state" --kubelet-seccomp-root "$WORK/no-kubelet"
  --docker-root "$DOCKER_DATA_ROOT" --containerd-state "$CONTAINERD_STATE")

# start_reader READY CMD...: starts a reader as READER_PID, its stdout to
# $WORK/reader.out (unless redirected by the caller), until READY is on its
# stderr or $WORK/ready exists.
start_reader() {
  local ready=$1; shift
  rm -f "$WORK/ready"
  "$@" 2>"$WORK/reader.err" 9>&- &
  READER_PID=$!
  for _ in $(seq 300); do
    if [ -f "$WORK/ready" ] || grep -qF "$ready" "$WORK/reader.err" 2>/dev/null; then return 0; fi
    kill -0 "$READER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench-attribution: $* did not start:" >&2; cat "$WORK/reader.err" >&2; exit 1
}
stop_reader() {
  kill -TERM "$READER_PID"
  wait "$READER_PID" || { echo "bench-attribution: the reader failed:" >&2; cat "$WORK/reader.err" >&2; exit 1; }
  READER_PID=""
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
callguard_rules() { auditctl -l | grep -c 'key=callguard' || true; }

image_of() { if [ "$1" = docker ]; then echo "$DOCKER_IMAGE"; else echo "$PODMAN_IMAGE"; fi; }
# run_docker NAME ARGS...: a container through dockerd (its default runtime: callguard-runc).
run_docker() { local name=$1; shift; dk run --network none --name "$name" "$@"; }
# run_podman NAME ARGS...: a container through podman, the hook in this run's hooks dir.
run_podman() {
  local name=$1; shift
  podman --hooks-dir "$WORK/hooks" --runtime runc run --cgroup-manager=cgroupfs --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --name "$name" "$@"
}

audit_lock
audit_save_state bench-attribution
AUDIT_TOUCHED=1
# The agent publishes the profile index the hook and the wrapper read (it stays after it stops).
start_reader "reading the audit stream" "$CALLGUARD" run "${AGENT_ARGS[@]}" --sink file:/dev/null
stop_reader

# --- 1a. in process ---------------------------------------------------------
if [[ $PARTS == *" lookup "* ]]; then
echo "bench-attribution: 1a. the Attributor over /proc and live containers ($MICRO_ROUNDS rounds)" >&2
docker_id=$(run_docker "$PREFIX-idle-d" -d "$DOCKER_IMAGE" sh -c 'sleep 600 & exec sleep 600' 9>&-)
podman_id=$(run_podman "$PREFIX-idle-p" -d "$PODMAN_IMAGE" sh -c 'sleep 600 & exec sleep 600' 9>&-)
sleep 600 9>&- &
HOST_SLEEP_PID=$!
child_of() { # child_of PID: one child of PID (waits up to 5 s for it)
  local c
  for _ in $(seq 50); do
    c=$(awk -v p="$1" '$4 == p { print $1; exit }' /proc/[0-9]*/stat 2>/dev/null || true)
    [ -n "$c" ] && { echo "$c"; return 0; }
    sleep 0.1
  done
  echo "bench-attribution: no child of pid $1" >&2; return 1
}
docker_pid=$(dk inspect -f '{{.State.Pid}}' "$PREFIX-idle-d")
podman_pid=$(podman inspect -f '{{.State.Pid}}' "$PREFIX-idle-p")
"$LOOKUP" --docker-root "$DOCKER_DATA_ROOT" --containerd-tasks "$CONTAINERD_TASKS" --rounds "$MICRO_ROUNDS" \
  "docker=$docker_pid,$(child_of "$docker_pid"),$docker_id,$DOCKER_IMAGE" \
  "podman=$podman_pid,$(child_of "$podman_pid"),$podman_id,$PODMAN_IMAGE" \
  "host=$HOST_SLEEP_PID" >"$WORK/lookup.json" 9>&-
stop_pid "$HOST_SLEEP_PID" 1; HOST_SLEEP_PID=""
dk rm -f "$PREFIX-idle-d" >/dev/null
podman rm -f -t 0 "$PREFIX-idle-p" >/dev/null
fi

# --- 1b. end to end: floods --------------------------------------------------
if [[ $PARTS == *" flood "* ]]; then
# flood READER PHASE: storm containers of PHASE (docker, podman, both) for
# FLOOD_SECONDS while READER (already started as READER_PID) drains; appends
# "READER PHASE TICKS LOST RULES {storm per runtime}" to $WORK/flood.
flood() {
  local reader=$1 phase=$2 lost0 lost1 t0 t1 rules pids=() runtime
  lost0=$(audit_status_field lost)
  t0=$(ticks "$READER_PID")
  for runtime in docker podman; do
    [ "$phase" = both ] || [ "$phase" = "$runtime" ] || continue
    "run_$runtime" "$PREFIX-storm-$runtime" --rm "$(image_of "$runtime")" /storm 1 "$FLOOD_SECONDS" \
      >"$WORK/storm-$runtime.json" 2>"$WORK/storm-$runtime.err" 9>&- &
    pids+=($!)
  done
  sleep 1
  rules=$(callguard_rules)
  for p in "${pids[@]}"; do wait "$p" || { echo "bench-attribution: a storm container failed:" >&2; cat "$WORK"/storm-*.err >&2; exit 1; }; done
  for _ in $(seq 100); do [ "$(audit_status_field backlog)" = 0 ] && break; sleep 0.1; done
  sleep 1
  t1=$(ticks "$READER_PID")
  lost1=$(audit_status_field lost)
  local storms="{"
  for runtime in docker podman; do
    [ "$phase" = both ] || [ "$phase" = "$runtime" ] || continue
    storms+="\"$runtime\":$(tail -1 "$WORK/storm-$runtime.json"),"
  done
  echo "$reader $phase $((t1 - t0)) $((lost1 - lost0)) $rules ${storms%,}}" >>"$WORK/flood"
}
: >"$WORK/flood"
: >"$WORK/flood-stats"
for round in $(seq "$ROUNDS"); do
  for phase in docker podman both; do
    echo "bench-attribution: 1b. flood round $round/$ROUNDS, $phase: the C reader, then callguard run" >&2
    start_reader "(ready file)" "$WORK/creader" --exe "$WORK/storm" --backlog-limit "$BACKLOG" --ready-file "$WORK/ready" >"$WORK/reader.out"
    flood c "$phase"
    stop_reader
    echo "c $phase $round $(tail -1 "$WORK/reader.out")" >>"$WORK/flood-stats"
    rm -f "$WORK/violations-$phase-$round.json"
    start_reader "reading the audit stream" "$CALLGUARD" run "${AGENT_ARGS[@]}" --config "$WORK/flood.yaml" \
      --sink "file:$WORK/violations-$phase-$round.json"
    flood agent "$phase"
    stop_reader
    echo "agent $phase $round $(grep '^{"records"' "$WORK/reader.err" | tail -1)" >>"$WORK/flood-stats"
  done
done
fi

# --- 2. start to first attributed violation -----------------------------------
if [[ $PARTS == *" first "* ]]; then
# The agent's stdout goes through a FIFO to a reader that stamps each line's
# arrival (ns, CLOCK_REALTIME). The script holds both ends open (fd 8), so that
# neither side's open can block should the other fail.
mkfifo "$WORK/agent.fifo"
exec 8<>"$WORK/agent.fifo"
cat >"$WORK/stamp.py" <<'STAMP'
import sys, time
out = open(sys.argv[2], "a")
with open(sys.argv[1], "rb") as f:
    for line in f:
        out.write(str(time.time_ns()) + "\t" + line.decode(errors="replace"))
        out.flush()
STAMP
: >"$WORK/first.out"
python3 -u "$WORK/stamp.py" "$WORK/agent.fifo" "$WORK/first.out" 9>&- &
STAMP_PID=$!
start_reader "reading the audit stream" "$CALLGUARD" run "${AGENT_ARGS[@]}" --config "$WORK/first.yaml" --sink stdout >"$WORK/agent.fifo"
: >"$WORK/first"
# first VARIANT MS COUNT: COUNT containers per runtime (interleaved) running /firstcall MS.
first() {
  local variant=$1 ms=$2 count=$3 i runtime name id t0 t1 lines0 waited
  lines0=$(wc -l <"$WORK/first.out")
  echo "mark $variant-start $lines0" >>"$WORK/first"
  for i in $(seq "$count"); do
    for runtime in docker podman; do
      name=$PREFIX-first-$variant-$runtime-$i
      t0=$(date +%s%N)
      id=$("run_$runtime" "$name" -d "$(image_of "$runtime")" /firstcall "$ms" 9>&-)
      t1=$(date +%s%N)
      echo "run $variant $runtime $id $t0 $t1" >>"$WORK/first"
      # Until its violation has arrived (10 s; less once the process has exited at once).
      waited=0
      while ! grep -qF "$id" "$WORK/first.out" && [ "$waited" -lt $((ms > 0 ? 200 : 60)) ]; do sleep 0.05; waited=$((waited + 1)); done
      if [ "$runtime" = docker ]; then dk rm -f "$name" >/dev/null; else podman rm -f -t 0 "$name" >/dev/null; fi
    done
  done
  sleep 1
  echo "mark $variant-end $(wc -l <"$WORK/first.out")" >>"$WORK/first"
}
echo "bench-attribution: 2. start to first violation, $FIRST_N containers per runtime (process lives 1 s)" >&2
first alive 1000 "$FIRST_N"
echo "bench-attribution: 2. the same, $EXIT_N per runtime whose process exits right after the call" >&2
first exits 0 "$EXIT_N"
stop_reader
sleep 1   # the last lines through the FIFO
stop_pid "$STAMP_PID" 2; STAMP_PID=""
exec 8>&-
cp "$WORK/reader.err" "$WORK/first-agent.err"
fi

python3 - "$WORK" "$(getconf CLK_TCK)" "$DOCKER_IMAGE" "$PODMAN_IMAGE" "$ROUNDS" <<'PY'
import json, os, sys
from datetime import datetime
work, hz, docker_image, podman_image, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
images = {"docker": docker_image, "podman": podman_image}
# What a violation of a forbidden call is (the agent's own notices, e.g. audit-records-lost, are not).
finding = lambda v: v["event"]["action"].startswith("syscall-not-allowed")

if os.path.exists(f"{work}/lookup.json"):
    lk = json.load(open(f"{work}/lookup.json"))
    d, p = lk["docker"], lk["podman"]
    print(f"1a. Attributor over /proc and the runtimes' state, live containers ({lk['rounds']} rounds, medians; hits best of 5 x {lk['hit_events']})")
    print(f"  first sight of a container (/proc + runtime state): docker / podman {d['cold_us_p50']/p['cold_us_p50']:.2f}x;"
          f" vs a host process's first sight: docker {d['cold_us_p50']/lk['host_cold_us_p50']:.1f}x, podman {p['cold_us_p50']/lk['host_cold_us_p50']:.1f}x"
          f" (/proc reads: docker {d['proc_reads_first']}, podman {p['proc_reads_first']})")
    print(f"  new process of a known container (/proc only):     docker / podman {d['new_process_us_p50']/p['new_process_us_p50']:.2f}x;"
          f" first sight / new process: docker {d['cold_us_p50']/d['new_process_us_p50']:.1f}x, podman {p['cold_us_p50']/p['new_process_us_p50']:.1f}x")
    print(f"  cached hit (the hot path):                         docker / podman {d['hit_ns']/p['hit_ns']:.2f}x;"
          f" vs a Dictionary<Int32,Int> lookup: docker {d['hit_ns']/d['dict_ns']:.2f}x, podman {p['hit_ns']/p['dict_ns']:.2f}x;"
          f" first sight / hit: docker {d['cold_us_p50']*1000/d['hit_ns']:.0f}x, podman {p['cold_us_p50']*1000/p['hit_ns']:.0f}x")
    print("  " + json.dumps(lk))

if os.path.exists(f"{work}/flood"):
    flood, stats, counted = {}, {}, {}
    for line in open(f"{work}/flood"):
        reader, phase, ticks, lost, rules, storms = line.split(" ", 5)
        flood.setdefault((reader, phase), []).append({"cpu": int(ticks) / hz, "lost": int(lost), "rules": int(rules), "storms": json.loads(storms)})
    for line in open(f"{work}/flood-stats"):
        reader, phase, rnd, js = line.split(" ", 3)
        stats.setdefault((reader, phase), []).append(json.loads(js))
    for phase in ("docker", "podman", "both"):
        for r in range(1, rounds + 1):
            for line in open(f"{work}/violations-{phase}-{r}.json"):
                v = json.loads(line)
                if not finding(v): continue
                c = v.get("container") or {}
                key = (phase, c.get("runtime", "none"), v["event"]["action"], c.get("image", {}).get("name") == images.get(c.get("runtime")))
                counted[key] = counted.get(key, 0) + v.get("callguard", {}).get("count", 1)
    def per_event(reader, phase):
        cpu = sum(f["cpu"] for f in flood[(reader, phase)])
        recs = sum(s["records"] for s in stats[(reader, phase)])
        return cpu / max(recs, 1), recs
    print(f"1b. uname flood, one storm process per container, {rounds} round(s) of each phase; CPU per SECCOMP record")
    rows = {}
    for phase in ("docker", "podman", "both"):
        a, ar = per_event("agent", phase)
        c, cr = per_event("c", phase)
        calls = sum(sum(s["calls"] for s in f["storms"].values()) for f in flood[("agent", phase)])
        lost = sum(f["lost"] for f in flood[("agent", phase)])
        clost = sum(f["lost"] for f in flood[("c", phase)])
        rules = max(f["rules"] for f in flood[("agent", phase)])
        rows[phase] = (a, c)
        ok = {k[1]: n for k, n in counted.items() if k[0] == phase and k[2] == "syscall-not-allowed" and k[3]}
        other = {f"{k[1]} {k[2]}{'' if k[3] else ' (wrong image)'}": n for k, n in counted.items()
                 if k[0] == phase and not (k[2] == "syscall-not-allowed" and k[3])}
        unattributed = sum(s.get("unattributed", 0) for s in stats[("agent", phase)])
        print(f"  {phase:6}: agent / C reader {a/c:.2f}x ({ar} / {cr} records; kernel lost {lost} for the agent, {clost} for the C reader; "
              f"audit rules the agent loaded: {rules}); violations attributed per runtime (fold counts, right image) {ok}; "
              f"anything else {other or 0}; agent's unattributed {unattributed}")
    print(f"  agent CPU per record, docker / podman: {rows['docker'][0]/rows['podman'][0]:.2f}x "
          f"(the C reader's in the same phases: {rows['docker'][1]/rows['podman'][1]:.2f}x); both at once vs the mean of each alone: "
          f"{rows['both'][0]/((rows['docker'][0]+rows['podman'][0])/2):.2f}x")

if os.path.exists(f"{work}/first"):
    runs, marks, arrivals = [], {}, []
    for line in open(f"{work}/first"):
        f = line.split()
        if f[0] == "mark": marks[f[1]] = int(f[2])
        else: runs.append({"variant": f[1], "runtime": f[2], "id": f[3], "t0": int(f[4]), "t1": int(f[5])})
    for line in open(f"{work}/first.out"):
        ns, _, js = line.partition("\t")
        try: arrivals.append((int(ns), json.loads(js)))
        except ValueError: arrivals.append((int(ns), {"event": {"action": "(not JSON)"}}))
    def pct(xs, p):
        s = sorted(xs); return s[min(len(s) - 1, int(len(s) * p))]
    fmt = lambda xs: f"{pct(xs, 0.5):.0f} / {pct(xs, 0.99):.0f} / {max(xs):.0f}" if xs else "none"
    print("2. start to first violation (ms, p50 / p99 / max); attributed = the first violation names the container's id and image")
    for variant, label in (("alive", "process lives 1 s"), ("exits", "process exits at once")):
        if f"{variant}-start" not in marks: continue
        window = arrivals[marks[f"{variant}-start"]:marks[f"{variant}-end"]]
        unknown = [v for _, v in window if finding(v) and v["event"]["action"] != "syscall-not-allowed"]
        for runtime in ("docker", "podman"):
            rs = [r for r in runs if r["variant"] == variant and r["runtime"] == runtime]
            launch, call, found, ok = [], [], [], 0
            for r in rs:
                first = next(((ns, v) for ns, v in window if (v.get("container") or {}).get("id") == r["id"]), None)
                if first is None: continue
                ns, v = first
                if v["container"].get("image", {}).get("name") == images[runtime] and v["callguard"]["syscall"]["name"] == "uname":
                    ok += 1
                launch.append((ns - r["t0"]) / 1e6)
                ms = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1e3
                call.append(ns / 1e6 - ms(v["@timestamp"]))
                found.append(ms(v["event"]["created"]) - ms(v["@timestamp"]))
            print(f"  {label:21} {runtime:6}: {ok}/{len(rs)} attributed; `run -d` launched -> violation out {fmt(launch)}; "
                  f"the call (audit time) -> violation out {fmt(call)}, of which -> the agent made it (event.created) {fmt(found)}")
        print(f"  {label:21} violations naming no container (syscall-not-allowed-container-unknown): {len(unknown)}")
PY
[ -f "$WORK/first-agent.err" ] && echo "bench-attribution: agent statistics of part 2: $(grep '^{"records"' "$WORK/first-agent.err" | tail -1)" >&2
echo "bench-attribution: restoring" >&2
