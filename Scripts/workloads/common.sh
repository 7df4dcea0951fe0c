# Shared by the workload scripts in this directory (sourced, not run).
#
# A workload runs one container of a real image (Scripts/build-images.sh) with
# podman + runc, network namespace of its own (--network none: loopback only,
# nothing published, works offline), and drives it:
#   - HTTP clients (curl) run on the host inside the container's network
#     namespace (nsenter --net), so they are not the container's processes;
#   - clients the image ships (nginx -s, redis-cli, psql) run in it with
#     `podman exec`, as an operator would, and are part of what is observed.
# Every step checks its answer; a wrong answer fails the workload (exit 1).

set -euo pipefail

# WL_HOOKS_DIR: when set, every podman command of the workload gets
# `--hooks-dir WL_HOOKS_DIR` (the false-positive check's hook mode: the callguard
# precreate hook there narrows each container's seccomp filter, also at a restart,
# which creates the container anew).
podman() {
  if [ -n "${WL_HOOKS_DIR:-}" ]; then command podman --hooks-dir "$WL_HOOKS_DIR" "$@"; else command podman "$@"; fi
}

WL_NAME=${WL_NAME:-callguard-wl-$WL_IMAGE_NAME}
WL_IMAGE=${WL_IMAGE:-localhost/callguard/$WL_IMAGE_NAME:bookworm}
WL_WORK=$(mktemp -d "${TMPDIR:-/tmp}/callguard-wl-$WL_IMAGE_NAME.XXXXXX")
chmod 755 "$WL_WORK"

wl_log() { echo "workload $WL_IMAGE_NAME: $*" >&2; }
wl_fail() { echo "workload $WL_IMAGE_NAME: FAILED: $*" >&2; exit 1; }

wl_cleanup() {
  podman rm -f -t 0 "$WL_NAME" >/dev/null 2>&1 || true
  rm -rf "$WL_WORK"
}
trap wl_cleanup EXIT

# wl_start ARGS... : podman run -d of the image (extra podman options, then `--`, then the command, if any).
wl_start() {
  local opts=() cmd=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && { shift; cmd=("$@"); }
  podman rm -f -t 0 "$WL_NAME" >/dev/null 2>&1 || true
  podman --runtime runc run -d --name "$WL_NAME" --cgroup-manager=cgroupfs --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "${opts[@]}" "$WL_IMAGE" "${cmd[@]}" >/dev/null
}

# The host pid of the container's first process (changes with a restart).
wl_pid() { podman inspect -f '{{.State.Pid}}' "$WL_NAME"; }

# wl_net CMD... : CMD on the host, in the container's network namespace.
wl_net() { nsenter --net="/proc/$(wl_pid)/ns/net" "$@"; }

# wl_wait_port PORT [SECONDS]: until something listens on 127.0.0.1:PORT in the container.
wl_wait_port() {
  local port=$1 limit=${2:-60} i=0
  while ! wl_net bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; do
    i=$((i + 1)); [ $i -le $((limit * 5)) ] || wl_fail "nothing listens on port $port after ${limit}s: $(podman logs --tail 20 "$WL_NAME" 2>&1)"
    sleep 0.2
  done
}

# wl_expect WHAT EXPECTED ACTUAL
wl_expect() {
  [ "$3" = "$2" ] || wl_fail "$1: expected '$2', got '$3'"
  wl_log "ok: $1"
}

# wl_http_status URL [CURL OPTIONS...]: the HTTP status code (curl on the host, in the container's namespace).
wl_http_status() { local url=$1; shift; wl_net curl -s -o /dev/null -w '%{http_code}' "$@" "$url"; }
wl_http_body() { local url=$1; shift; wl_net curl -sf "$@" "$url"; }

# wl_restart [PODMAN RESTART OPTIONS]: stop (the image's stop signal) and start the same container again.
wl_restart() {
  podman restart "$@" "$WL_NAME" >/dev/null
  wl_log "restarted"
}

# wl_stop: stops the container (clean shutdown) and removes it.
wl_stop() {
  podman stop "$WL_NAME" >/dev/null
  podman rm "$WL_NAME" >/dev/null
}

# Main: `IMAGE.sh primary|broad` runs the function of that name.
wl_main() {
  local which=${1:-}
  case "$which" in
    primary|broad) ;;
    *) echo "usage: $0 primary|broad   (image: \$WL_IMAGE, default $WL_IMAGE)" >&2; exit 2 ;;
  esac
  [ "$(id -u)" = 0 ] || { echo "$0: needs root (podman as root, nsenter)" >&2; exit 2; }
  podman image exists "$WL_IMAGE" || { echo "$0: image $WL_IMAGE missing: run make images (Scripts/build-images.sh --podman $WL_IMAGE_NAME)" >&2; exit 2; }
  local started=$SECONDS
  "$which"
  wl_log "$which workload done in $((SECONDS - started))s"
}
