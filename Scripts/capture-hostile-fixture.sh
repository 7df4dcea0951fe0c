#!/usr/bin/env bash
# Captures real kernel records whose comm, exe and paths the kernel had to
# hex-encode (a space, a quote, a newline, | and =), as auditd writes them, for
# Tests/AuditKitTests/Fixtures/records/hex-encoded-comm-exe-path.log (which
# holds the two events of the busybox copy and of the renamed python3 process;
# with `name_format = USER` and `name = node-1` in the auditd.conf below it gave
# node-prefix.log).
# Needs root, auditd and python3; holds the kernel-audit test lock and restores
# the audit state (rules by key, enabled flag) on exit. Prints every event of
# key cgfixture: host processes making mkdir at the same moment show up too.
set -u
exec 9>/run/callguard-tests-kernel-audit.lock; flock 9
W=$(mktemp -d /tmp/cgfix.XXXX); mkdir -p "$W/plugins.d"; chmod 750 "$W"
E=$(auditctl -s | awk '$1=="enabled"{print $2}')
AP=""
cleanup() { auditctl -D -k cgfixture >/dev/null 2>&1; [ -n "$AP" ] && kill -TERM "$AP" 2>/dev/null && wait "$AP" 2>/dev/null; auditctl -e "$E" >/dev/null; rm -rf "$W"; }
trap cleanup EXIT
sed "s|@W@|$W|g" > "$W/auditd.conf" <<'CONF'
local_events = yes
write_logs = yes
log_file = @W@/audit.log
log_group = root
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 1
max_log_file = 0
max_log_file_action = IGNORE
num_logs = 1
priority_boost = 0
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
use_libwrap = no
plugin_dir = @W@/plugins.d
q_depth = 2000
overflow_action = IGNORE
CONF
chmod 640 "$W/auditd.conf"
auditctl -e 1 >/dev/null
/usr/sbin/auditd -n -s nochange -c "$W" >/dev/null 2>&1 & AP=$!
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
