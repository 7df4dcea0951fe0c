#!/usr/bin/env bash
# Captures real kernel records whose comm, exe and paths the kernel had to
# hex-encode (a space, a quote, a newline, | and =), as auditd writes them, for
# Tests/AuditKitTests/Fixtures/records/hex-encoded-comm-exe-path.log (which
# holds the two events of the busybox copy and of the renamed python3 process;
# with `name_format = USER` and `name = node-1` in the auditd.conf it gave
# node-prefix.log).
# Needs root, auditd and python3; holds the kernel-audit test lock and restores
# the audit state (rules by key, enabled flag) on exit. Prints every event of
# key cgfixture: host processes making mkdir at the same moment show up too.
set -u
cd "$(dirname "$0")/.."
. Scripts/lib/audit-state.sh
audit_lock
audit_save_state capture-hostile-fixture
W=$(mktemp -d /tmp/cgfix.XXXX)
AP=""
cleanup() { [ -n "$AP" ] && kill -TERM "$AP" 2>/dev/null && wait "$AP" 2>/dev/null; audit_restore_state cgfixture; rm -rf "$W"; }
trap cleanup EXIT
write_auditd_conf "$W" 1   # node-prefix.log: pass USER as the third argument and add `name = node-1`
auditctl -e 1 >/dev/null
/usr/sbin/auditd -n -s nochange -c "$W" >/dev/null 2>&1 9>&- & AP=$!
sleep 1
D="$W/cg \"f ix"; mkdir -p "$D"; cp /bin/busybox "$D/mkdir"
auditctl -a always,exit -F arch=b64 -S mkdir -S mkdirat -F auid!=12345 -k cgfixture >/dev/null
"$D/mkdir" "$D/new
dir"
python3 -c 'import ctypes, os, sys; ctypes.CDLL(None).prctl(15, b"ev il\"\n|=x", 0, 0, 0); os.mkdir(sys.argv[1])' "$W/plain"
sleep 0.5
auditctl -D -k cgfixture >/dev/null
kill -TERM "$AP"; wait "$AP" 2>/dev/null; AP=""
for s in $(grep 'key="cgfixture"' "$W/audit.log" | grep -o 'audit([0-9.:]*)' | sort -u); do grep -F "$s" "$W/audit.log"; done
