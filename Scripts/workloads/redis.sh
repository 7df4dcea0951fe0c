#!/usr/bin/env bash
# redis workloads on localhost/callguard/redis:bookworm (Debian 12, redis-server 7.0),
# its own command (`redis-server --protected-mode no`: no config file, so
# Redis's default RDB save points, dump.rdb in /), clients with redis-cli (podman exec).
#
#   Scripts/workloads/redis.sh primary   PING, SET/GET/INCR/LPUSH/LRANGE/EXPIRE/DEL,
#                                        a restart (the shutdown's RDB save and its load)
#   Scripts/workloads/redis.sh broad     the primary one, plus SAVE, BGSAVE, AOF
#                                        (CONFIG SET appendonly yes, BGREWRITEAOF),
#                                        and a replica (a second redis-server in the
#                                        same container, full sync, then a write it follows)
WL_IMAGE_NAME=redis
. "$(dirname "$0")/common.sh"

cli() { podman exec "$WL_NAME" redis-cli "$@"; }

session() {
  wl_expect "PING" "PONG" "$(cli PING)"
  wl_expect "SET" "OK" "$(cli SET greeting hello)"
  wl_expect "GET" "hello" "$(cli GET greeting)"
  cli DEL counter >/dev/null
  for _ in 1 2 3 4; do cli INCR counter >/dev/null; done
  wl_expect "INCR x4" "4" "$(cli GET counter)"
  cli DEL list >/dev/null
  cli RPUSH list a b c >/dev/null
  cli LPUSH list z >/dev/null
  wl_expect "LRANGE" "z a b c" "$(cli LRANGE list 0 -1 | tr '\n' ' ' | sed 's/ $//')"
  cli SET shortlived x PX 200 >/dev/null
  sleep 0.5
  wl_expect "expired key" "0" "$(cli EXISTS shortlived)"
  cli INFO server >/dev/null
}

primary() {
  wl_start
  wl_wait_port 6379
  session
  wl_restart
  wl_wait_port 6379
  wl_expect "GET after restart (RDB saved at shutdown)" "hello" "$(cli GET greeting)"
  session
  wl_stop
}

broad() {
  wl_start
  wl_wait_port 6379
  session
  wl_expect "SAVE" "OK" "$(cli SAVE)"
  cli BGSAVE >/dev/null
  sleep 1
  cli CONFIG SET appendonly yes >/dev/null
  sleep 1
  for i in $(seq 1 20); do cli SET "aof:$i" "$i" >/dev/null; done
  cli BGREWRITEAOF >/dev/null
  sleep 1
  wl_expect "AOF enabled" "1" "$(cli INFO persistence | tr -d '\r' | sed -n 's/^aof_enabled://p')"
  # A replica: a second server in the same container, full sync from the first.
  podman exec -d "$WL_NAME" redis-server --port 6380 --protected-mode no --save '' --dir /tmp \
    --replicaof 127.0.0.1 6379 >/dev/null
  wl_wait_port 6380
  local i=0
  until [ "$(podman exec "$WL_NAME" redis-cli -p 6380 INFO replication | tr -d '\r' | sed -n 's/^master_link_status://p')" = up ]; do
    i=$((i + 1)); [ $i -le 60 ] || wl_fail "replica never in sync"
    sleep 0.5
  done
  wl_log "ok: replica in sync"
  wl_expect "replica has the data" "hello" "$(cli -p 6380 GET greeting)"
  cli SET afterSync yes >/dev/null
  sleep 1
  wl_expect "replica follows a write" "yes" "$(cli -p 6380 GET afterSync)"
  cli -p 6380 SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  wl_restart
  wl_wait_port 6379
  wl_expect "GET after restart" "hello" "$(cli GET greeting)"
  session
  wl_stop
}

wl_main "$@"
