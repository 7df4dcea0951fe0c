#!/usr/bin/env bash
# PostgreSQL workloads on localhost/callguard/postgresql:bookworm (Debian 12,
# PostgreSQL 15). The container's command initialises a cluster with initdb on
# its first start (a data directory of its own, trust authentication) and runs
# postgres as the postgres user (su); clients with psql (podman exec -u postgres,
# the Unix socket in /run/postgresql).
#
#   Scripts/workloads/postgresql.sh primary   initdb and start, a client session
#                                             (CREATE TABLE, INSERT, SELECT, UPDATE,
#                                             a join), a restart, the data read back
#   Scripts/workloads/postgresql.sh broad     the primary one, plus VACUUM (plain,
#                                             FULL, ANALYZE), an index, CHECKPOINT, a
#                                             second database (CREATE DATABASE, a
#                                             session in it, DROP DATABASE)
WL_IMAGE_NAME=postgresql
. "$(dirname "$0")/common.sh"

PGBIN=/usr/lib/postgresql/15/bin
DATA=/var/lib/postgresql/wl
COMMAND="install -d -o postgres -g postgres /run/postgresql && { test -d $DATA || install -d -m 700 -o postgres -g postgres $DATA; } && exec su postgres -s /bin/sh -c \
'test -f $DATA/PG_VERSION || $PGBIN/initdb -D $DATA --auth=trust >/dev/null; exec $PGBIN/postgres -D $DATA -k /run/postgresql'"

sql() { local db=$1; shift; podman exec -u postgres "$WL_NAME" psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" -c "$*"; }

wait_ready() {
  wl_wait_port 5432 120
  local i=0
  until podman exec -u postgres "$WL_NAME" psql -X -At -c 'select 1' >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -le 60 ] || wl_fail "postgres does not accept sessions: $(podman logs --tail 20 "$WL_NAME" 2>&1)"
    sleep 0.5
  done
}

session() {
  sql postgres "DROP TABLE IF EXISTS items, owners"
  sql postgres "CREATE TABLE owners (id int PRIMARY KEY, name text)"
  sql postgres "CREATE TABLE items (id serial PRIMARY KEY, owner int REFERENCES owners, label text, n int)"
  sql postgres "INSERT INTO owners VALUES (1, 'ann'), (2, 'bob')"
  sql postgres "INSERT INTO items (owner, label, n) SELECT 1 + g % 2, 'item ' || g, g FROM generate_series(1, 1000) g"
  wl_expect "SELECT count" "1000" "$(sql postgres "SELECT count(*) FROM items")"
  sql postgres "UPDATE items SET n = n * 2 WHERE owner = 2"
  wl_expect "join + aggregate" "ann|250500 bob|500000" \
    "$(sql postgres "SELECT o.name, sum(i.n) FROM items i JOIN owners o ON o.id = i.owner GROUP BY o.name ORDER BY o.name" | tr '\n' ' ' | sed 's/ $//')"
}

primary() {
  wl_start -- /bin/sh -c "$COMMAND"
  wait_ready
  session
  wl_restart
  wait_ready
  wl_expect "data after restart" "1000" "$(sql postgres "SELECT count(*) FROM items")"
  session
  wl_stop
}

broad() {
  wl_start -- /bin/sh -c "$COMMAND"
  wait_ready
  session
  sql postgres "DELETE FROM items WHERE n % 3 = 0"
  sql postgres "VACUUM items"
  sql postgres "VACUUM (FULL, ANALYZE) items"
  sql postgres "CREATE INDEX items_label ON items (label)"
  sql postgres "ANALYZE"
  sql postgres "CHECKPOINT"
  sql postgres "CREATE DATABASE second"
  sql second "CREATE TABLE t (k text PRIMARY KEY, v jsonb)"
  sql second "INSERT INTO t SELECT 'k' || g, jsonb_build_object('g', g) FROM generate_series(1, 500) g"
  wl_expect "second database" "500" "$(sql second "SELECT count(*) FROM t WHERE (v->>'g')::int > 0")"
  sql second "VACUUM ANALYZE t"
  sql postgres "DROP DATABASE second"
  wl_restart
  wait_ready
  wl_expect "data after restart" "t" "$(sql postgres "SELECT count(*) > 0 FROM items")"
  wl_stop
}

wl_main "$@"
