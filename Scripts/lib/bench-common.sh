# Shared by the benchmark scripts that run agents and guarded containers
# (bench-agent.sh, bench-host.sh, bench-attribution.sh); source it, don't run it.

# stop_pid PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
stop_pid() {
  local pid=$1 limit=$2
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq $((limit * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# podman_default_allow_without CALLGUARD SCRATCH NAME...: podman's default
# seccomp allowlist (/usr/share/containers/seccomp.json) without NAME...,
# comma-separated, as a policy's `allow:` takes it. Podman's list carries other
# arches' names too: the ones CALLGUARD does not know on this arch are left out
# (found with `callguard check` on a probe policy in the directory SCRATCH).
podman_default_allow_without() {
  local callguard=$1 scratch=$2; shift 2
  local allow unknown
  allow=$(python3 -c 'import json, sys; d = json.load(open("/usr/share/containers/seccomp.json")); print(", ".join(sorted({n for s in d["syscalls"] if s["action"] == "SCMP_ACT_ALLOW" for n in s["names"]} - set(sys.argv[1:]))))' "$@")
  mkdir -p "$scratch"
  printf 'apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: probe}\nspec:\n  allow: [%s]\n' "$allow" >"$scratch/probe.yaml"
  unknown=$({ "$callguard" check --policies "$scratch" 2>&1 || true; } | sed -n "s/.*unknown syscall '\([^']*\)'.*/\1/p" | sort -u)
  rm -f "$scratch/probe.yaml"
  python3 -c 'import sys; names = sys.argv[1].split(", "); drop = set(sys.argv[2].split()); print(", ".join(n for n in names if n not in drop))' "$allow" "$unknown"
}
