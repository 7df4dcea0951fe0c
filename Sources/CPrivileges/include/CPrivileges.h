#ifndef CALLGUARD_CPRIVILEGES_H
#define CALLGUARD_CPRIVILEGES_H

#include <stdint.h>

/// The outcome of cg_privileges_restrict: how many threads were restricted and
/// which step failed (0 when none did), with the errno of that step.
typedef struct {
    int threads;      ///< threads (including the caller) that now hold only the kept set
    int remaining;    ///< threads that still hold more (0 on success)
    int failed_step;  ///< 0 none, 1 bounding set, 2 ambient set, 3 capset, 4 no_new_privs, 5 signal handler
    int error;        ///< errno of the failed step
} cg_privileges_result;

/// Restricts every thread of the process to the capabilities in `keep` (bit n
/// = capability n): drops the others from the bounding set (needs
/// CAP_SETPCAP for those still in it), clears the ambient set, lowers the
/// effective, permitted and inheritable sets to `keep` with capset(2) (only
/// when they hold more: a seccomp filter may deny capset), and sets
/// PR_SET_NO_NEW_PRIVS.
///
/// Capabilities are per thread: the calling thread restricts itself, then each
/// other thread listed in /proc/self/task restricts itself in a SIGSYS handler
/// (the one signal libdispatch's worker threads do not block), until every
/// thread's /proc status shows the kept set or `timeout_ms` passes. The
/// handler stays installed and hands any SIGSYS it did not send (a seccomp
/// trap) to the previous disposition.
cg_privileges_result cg_privileges_restrict(uint64_t keep, int last_cap, int timeout_ms);

/// Whether the thread `tid` of this process holds no capability outside
/// `keep` in its effective, permitted, inheritable and bounding sets, none in
/// its ambient set, and has no_new_privs set (from /proc/self/task/TID/status).
int cg_privileges_thread_restricted(int tid, uint64_t keep);

#endif
