# containerd and dockerd of a script's own, as the tests' ContainerDaemons
# (Tests/IntegrationTests/Container/DockerHarness.swift) starts them: each with
# its own root, state, sockets and pid file under one directory, so the host's
# docker and containerd (if any) are never touched. Source it, don't run it.
#
#   daemons_start ROOT [DAEMON_JSON]   # ROOT: an empty directory of the script's own
#   dk ARGS...                         # docker -H unix://ROOT/docker.sock ARGS
#   daemons_stop                       # in the script's EXIT trap; safe to call twice
#
# After daemons_start: DAEMONS_ROOT, DOCKER_DATA_ROOT (dockerd --data-root),
# CONTAINERD_ROOT (containerd --root), CONTAINERD_STATE (containerd --state),
# CONTAINERD_TASKS (its runtime-v2 task bundles), CONTAINERD_PID, DOCKERD_PID.
# Children are started with 9>&- (the kernel-audit lock's descriptor, see
# audit-state.sh), so that none keeps the lock.

DAEMONS_ROOT=""
CONTAINERD_PID=""
DOCKERD_PID=""

dk() { docker -H "unix://$DAEMONS_ROOT/docker.sock" "$@"; }
daemons_ctr() { ctr --address "$DAEMONS_ROOT/containerd.sock" "$@"; }

# daemons_wait WHAT LOG PID CMD...: until CMD succeeds (30 s), or fail with LOG's tail.
daemons_wait() {
  local what=$1 log=$2 pid=$3; shift 3
  for _ in $(seq 300); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$what did not answer within 30 s; its log ($log) ends:" >&2
  tail -5 "$log" >&2
  return 1
}

daemons_start() {
  DAEMONS_ROOT=$1
  local daemon_json=${2:-"{}"}
  DOCKER_DATA_ROOT=$DAEMONS_ROOT/docker
  CONTAINERD_ROOT=$DAEMONS_ROOT/containerd-root
  CONTAINERD_STATE=$DAEMONS_ROOT/containerd-state
  CONTAINERD_TASKS=$CONTAINERD_STATE/io.containerd.runtime.v2.task
  mkdir -p "$DOCKER_DATA_ROOT" "$DAEMONS_ROOT/docker-exec" "$CONTAINERD_ROOT" "$CONTAINERD_STATE"
  cat >"$DAEMONS_ROOT/containerd.toml" <<TOML
version = 2
root = "$CONTAINERD_ROOT"
state = "$CONTAINERD_STATE"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$DAEMONS_ROOT/containerd.sock"
[ttrpc]
  address = "$DAEMONS_ROOT/containerd.sock.ttrpc"
[debug]
  address = ""
TOML
  printf '%s\n' "$daemon_json" >"$DAEMONS_ROOT/daemon.json"
  containerd --config "$DAEMONS_ROOT/containerd.toml" >"$DAEMONS_ROOT/containerd.log" 2>&1 9>&- &
  CONTAINERD_PID=$!
  daemons_wait containerd "$DAEMONS_ROOT/containerd.log" "$CONTAINERD_PID" daemons_ctr version || return 1
  dockerd --containerd="$DAEMONS_ROOT/containerd.sock" --data-root "$DOCKER_DATA_ROOT" \
    --exec-root "$DAEMONS_ROOT/docker-exec" --pidfile "$DAEMONS_ROOT/dockerd.pid" \
    -H "unix://$DAEMONS_ROOT/docker.sock" --config-file "$DAEMONS_ROOT/daemon.json" \
    --iptables=false --ip6tables=false --bridge=none --exec-opt native.cgroupdriver=cgroupfs \
    >"$DAEMONS_ROOT/dockerd.log" 2>&1 9>&- &
  DOCKERD_PID=$!
  daemons_wait dockerd "$DAEMONS_ROOT/dockerd.log" "$DOCKERD_PID" dk version || return 1
}

# daemons_term PID SECONDS: SIGTERM, up to SECONDS, then SIGKILL; reaps it.
daemons_term() {
  local pid=$1 limit=$2
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq $((limit * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# Removes every container, stops dockerd then containerd by pid, kills the
# shims left behind (their command line names DAEMONS_ROOT), unmounts what is
# still mounted under the root and removes it, and dockerd's empty /docker cgroups
# (rmdir succeeds only when empty: a host dockerd's stay).
daemons_stop() {
  [ -n "$DAEMONS_ROOT" ] || return 0
  local ids ns id pid
  if [ -n "$DOCKERD_PID" ]; then
    ids=$(dk ps -aq 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && dk rm -f $ids >/dev/null 2>&1
    daemons_term "$DOCKERD_PID" 15
    DOCKERD_PID=""
  fi
  if [ -n "$CONTAINERD_PID" ]; then
    for ns in $(daemons_ctr namespaces ls -q 2>/dev/null); do
      for id in $(daemons_ctr -n "$ns" tasks ls -q 2>/dev/null); do daemons_ctr -n "$ns" tasks rm -f "$id" >/dev/null 2>&1; done
      for id in $(daemons_ctr -n "$ns" containers ls -q 2>/dev/null); do daemons_ctr -n "$ns" containers rm "$id" >/dev/null 2>&1; done
    done
    daemons_term "$CONTAINERD_PID" 15
    CONTAINERD_PID=""
  fi
  # Shims outlive containerd; theirs name its socket under the root (their own pids, nothing else's).
  for pid in $(grep -lsF "$DAEMONS_ROOT/containerd.sock" /proc/[0-9]*/cmdline | cut -d/ -f3); do
    case $(cat "/proc/$pid/comm" 2>/dev/null) in containerd-shim*) kill -KILL "$pid" 2>/dev/null ;; esac
  done
  awk -v r="$DAEMONS_ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  for h in /sys/fs/cgroup/*/docker /sys/fs/cgroup/docker; do [ -d "$h" ] && rmdir "$h" 2>/dev/null; done
  if ! awk -v r="$DAEMONS_ROOT" 'index($5, r) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    rm -rf "$DAEMONS_ROOT"
  fi
  DAEMONS_ROOT=""
}
