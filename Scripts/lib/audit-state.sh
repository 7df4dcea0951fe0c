# Shared by the scripts that touch kernel audit state (bench-live.sh,
# bench-agent.sh, capture-hostile-fixture.sh); source it, don't run it.

AUDIT_LOCK=/run/callguard-tests-kernel-audit.lock

# Takes the machine-wide kernel-audit lock on fd 9 (the tests hold the same
# one). Start children with 9>&- so that a stray one never keeps it.
audit_lock() {
  exec 9>"$AUDIT_LOCK"
  flock 9
}

# audit_status_field NAME: one field of `auditctl -s` (enabled, pid, lost, backlog, ...).
audit_status_field() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

# audit_save_state TOOL: remembers enabled/backlog settings in ORIG_* and exits 2,
# naming TOOL, when another audit daemon runs or the configuration is locked.
audit_save_state() {
  ORIG_ENABLED=$(audit_status_field enabled)
  ORIG_BACKLOG=$(audit_status_field backlog_limit)
  ORIG_WAIT=$(audit_status_field backlog_wait_time)
  ORIG_PID=$(audit_status_field pid)
  if [ "$ORIG_PID" != 0 ] && kill -0 "$ORIG_PID" 2>/dev/null; then
    echo "$1: pid $ORIG_PID is registered as the audit daemon; stop it first" >&2
    exit 2
  fi
  if [ "$ORIG_ENABLED" = 2 ]; then
    echo "$1: the audit configuration is locked (enabled=2)" >&2
    exit 2
  fi
}

# audit_restore_state KEY: removes the rules with KEY and puts the saved settings back.
audit_restore_state() {
  auditctl -D -k "$1" >/dev/null 2>&1
  auditctl -e "$ORIG_ENABLED" -b "$ORIG_BACKLOG" --backlog_wait_time "$ORIG_WAIT" >/dev/null 2>&1
}

# write_auditd_conf DIR [FREQ] [NAME_FORMAT]: an auditd.conf in DIR that logs RAW
# records to DIR/audit.log and never acts on disk space (for foreground runs
# with `auditd -n -s nochange -c DIR`).
write_auditd_conf() {
  local dir=$1 freq=${2:-50} name_format=${3:-NONE}
  mkdir -p "$dir/plugins.d"; chmod 750 "$dir"
  cat >"$dir/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $dir/audit.log
log_group = root
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = $freq
max_log_file = 0
max_log_file_action = IGNORE
num_logs = 1
priority_boost = 0
name_format = $name_format
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
use_libwrap = no
plugin_dir = $dir/plugins.d
q_depth = 2000
overflow_action = IGNORE
CONF
  chmod 640 "$dir/auditd.conf"
}
