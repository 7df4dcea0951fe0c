#!/usr/bin/env bash
# Live audit benchmark: the kernel's audit stream under a uname() storm,
# drained by a minimal C netlink reader (the floor) and by AuditKit's reader
# (callguard-live-drain), in the same run and at the same storm.
#
# auditd (Debian's, writing RAW records to a file under a temp dir) is measured
# beside them when it is installed (set WITH_AUDITD=0 to skip it).
#
# Reports, per reader: events/s drained, the kernel's lost delta, socket
# overruns and CPU per event (getrusage); then Swift/C ratios.
#
#   Scripts/bench-live.sh            # STORM_PROCS=2 STORM_SECONDS=5 BACKLOG_LIMIT=8192 ROUNDS=2
#
# Needs root, gcc and libaudit-dev. Holds /run/callguard-tests-kernel-audit.lock
# (flock) while it runs. Audit state (rules with key callguard, the
# audit pid, enabled and backlog settings) is restored on exit, also when
# interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."

PROCS=${STORM_PROCS:-2}
SECONDS_PER_RUN=${STORM_SECONDS:-5}
BACKLOG=${BACKLOG_LIMIT:-8192}
ROUNDS=${ROUNDS:-2}
WITH_AUDITD=${WITH_AUDITD:-1}
[ -x /usr/sbin/auditd ] || WITH_AUDITD=0
SWIFT=${SWIFT:-swift}

[ "$(id -u)" = 0 ] || { echo "bench-live: must run as root" >&2; exit 2; }
command -v auditctl >/dev/null || { echo "bench-live: auditctl missing (apt-get install auditd)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/callguard-bench-live.XXXXXX)
READER_PID=""

echo "bench-live: building storm, C reader and callguard-live-drain (release)" >&2
gcc -O2 -Wall -o "$WORK/storm" Benchmarks/LiveAudit/storm.c
gcc -O2 -Wall -o "$WORK/creader" Benchmarks/LiveAudit/creader.c -laudit
$SWIFT build -c release --package-path Benchmarks --product callguard-live-drain >&2
DRAIN="$($SWIFT build -c release --package-path Benchmarks --show-bin-path)/callguard-live-drain"
trap 'rm -rf "$WORK"' EXIT

# Other kernel-audit tests and benchmarks take the same lock: never fight over
# the audit pid. Readers and auditd started below do not inherit it (9>&-).
. Scripts/lib/audit-state.sh
audit_lock
status_field() { audit_status_field "$1"; }
audit_save_state bench-live

restore() {
  set +e
  if [ -n "$READER_PID" ] && kill -0 "$READER_PID" 2>/dev/null; then
    kill -TERM "$READER_PID"
    for _ in $(seq 50); do kill -0 "$READER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$READER_PID" 2>/dev/null
  fi
  audit_restore_state callguard
  rm -rf "$WORK"
}
trap restore EXIT
trap 'exit 130' INT TERM

# run_reader NAME CMD...: starts the reader, runs the storm, stops the reader;
# appends "NAME STORM_JSON READER_JSON" to $WORK/results.
run_reader() {
  local name=$1; shift
  rm -f "$WORK/ready"
  "$@" --exe "$WORK/storm" --backlog-limit "$BACKLOG" --ready-file "$WORK/ready" >"$WORK/reader.out" 2>"$WORK/reader.err" 9>&- &
  READER_PID=$!
  for _ in $(seq 100); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
  [ -f "$WORK/ready" ] || { echo "bench-live: $name did not start:" >&2; cat "$WORK/reader.err" >&2; exit 1; }
  local storm
  storm=$("$WORK/storm" "$PROCS" "$SECONDS_PER_RUN" 2>/dev/null)
  sleep 1   # let the reader drain the backlog
  kill -TERM "$READER_PID"
  wait "$READER_PID" || { echo "bench-live: $name failed:" >&2; cat "$WORK/reader.err" >&2; exit 1; }
  READER_PID=""
  echo "$name $storm $(tail -1 "$WORK/reader.out")" >>"$WORK/results"
}

# run_auditd: the same storm drained by auditd into $WORK/auditd/audit.log.
run_auditd() {
  local dir="$WORK/auditd"
  rm -rf "$dir"
  write_auditd_conf "$dir"
  auditctl -e 1 -b "$BACKLOG" --backlog_wait_time 0 >/dev/null
  /usr/sbin/auditd -n -s nochange -c "$dir" >/dev/null 2>&1 9>&- &
  READER_PID=$!
  for _ in $(seq 100); do [ "$(status_field pid)" = "$READER_PID" ] && break; sleep 0.1; done
  [ "$(status_field pid)" = "$READER_PID" ] || { echo "bench-live: auditd did not register" >&2; exit 1; }
  auditctl -a always,exit -F arch=b64 -S uname -F exe="$WORK/storm" -F pid!="$READER_PID" -k callguard >/dev/null
  local lost0 ticks0 ticks1 storm
  lost0=$(status_field lost)
  ticks0=$(awk '{ print $14 + $15 }' "/proc/$READER_PID/stat")
  storm=$("$WORK/storm" "$PROCS" "$SECONDS_PER_RUN" 2>/dev/null)
  sleep 1
  ticks1=$(awk '{ print $14 + $15 }' "/proc/$READER_PID/stat")
  local lost1; lost1=$(status_field lost)
  auditctl -D -k callguard >/dev/null
  kill -TERM "$READER_PID"; wait "$READER_PID" || true
  READER_PID=""
  local records events
  records=$(grep -c '^type=' "$dir/audit.log" || true)
  events=$(grep -c '^type=SYSCALL' "$dir/audit.log" || true)
  echo "auditd $storm {\"records\":$records,\"events\":$events,\"lost\":$((lost1 - lost0)),\"overruns\":0,\"cpu_seconds\":$(echo "$ticks0 $ticks1 $(getconf CLK_TCK)" | awk '{ print ($2 - $1) / $3 }'),\"maxrss_kb\":0}" >>"$WORK/results"
  rm -rf "$dir"
  auditctl -e "$ORIG_ENABLED" -b "$ORIG_BACKLOG" --backlog_wait_time "$ORIG_WAIT" >/dev/null
}

: >"$WORK/results"
for round in $(seq "$ROUNDS"); do
  run_reader c "$WORK/creader"
  run_reader swift-count "$DRAIN" --socket unicast --pipeline count
  run_reader swift-parse "$DRAIN" --socket unicast --pipeline parse
  run_reader swift-evaluate "$DRAIN" --socket unicast --pipeline evaluate
  [ "$WITH_AUDITD" = 1 ] && run_auditd
done

python3 - "$WORK/results" "$PROCS" "$BACKLOG" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    name, storm, reader = line.split(" ", 2)
    s, r = json.loads(storm), json.loads(reader)
    rows.setdefault(name, []).append({
        "calls": s["calls"], "storm_s": s["seconds"], "events": r["events"], "records": r["records"],
        "lost": r["lost"], "overruns": r["overruns"], "cpu_s": r["cpu_seconds"], "maxrss_kb": r.get("maxrss_kb", 0),
    })
def summary(rs):
    calls = sum(r["calls"] for r in rs); events = sum(r["events"] for r in rs)
    secs = sum(r["storm_s"] for r in rs); cpu = sum(r["cpu_s"] for r in rs)
    return {"events_per_s": events / secs, "records_per_s": sum(r["records"] for r in rs) / secs,
            "lost": sum(r["lost"] for r in rs), "overruns": sum(r["overruns"] for r in rs),
            "us_cpu_per_event": 1e6 * cpu / max(events, 1), "storm_calls_per_s": calls / secs,
            "drained_fraction": events / max(calls, 1), "maxrss_kb": max(r["maxrss_kb"] for r in rs)}
out = {name: summary(rs) for name, rs in rows.items()}
c = out["c"]
print(f"storm: {sys.argv[2]} processes of uname(), backlog_limit {sys.argv[3]}, {len(rows['c'])} round(s) per reader")
labels = {"c": "C floor (recv)", "swift-count": "AuditKit reader", "swift-parse": "AuditKit +parse+assemble", "swift-evaluate": "+attribution+policy verdict",
          "auditd": "auditd (RAW log file)"}
for name, s in out.items():
    print(f"{labels.get(name, name):25} events/s {s['events_per_s']:9.0f}  records/s {s['records_per_s']:9.0f}  "
          f"kernel lost {s['lost']:7d}  overruns {s['overruns']:3d}  "
          f"CPU/event {s['us_cpu_per_event']:5.2f} us  drained {100*s['drained_fraction']:5.1f}% of calls  "
          f"max RSS {s['maxrss_kb']/1024:.1f} MiB")
for name, s in out.items():
    if name == "c": continue
    print(f"ratio {labels.get(name, name)} / C floor: events/s {s['events_per_s']/c['events_per_s']:.2f}x, "
          f"CPU per event {s['us_cpu_per_event']/c['us_cpu_per_event']:.2f}x, lost {s['lost']} vs {c['lost']}")
if "auditd" in out and "swift-parse" in out:
    a, p = out["auditd"], out["swift-parse"]
    print(f"ratio AuditKit +parse+assemble / auditd: CPU per event {p['us_cpu_per_event']/a['us_cpu_per_event']:.2f}x")
print(json.dumps(out))
PY
