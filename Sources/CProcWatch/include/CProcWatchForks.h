// The kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC):
// the fork, exec and exit announcements ContainerKit uses to know a new
// process's parent while that process may already be gone. Swift's Glibc
// module does not import the connector's structures.
#ifndef CALLGUARD_CPROCWATCH_FORKS_H
#define CALLGUARD_CPROCWATCH_FORKS_H

#include <stdint.h>

/// What a ``CProcWatchProcessEvent`` announces.
enum {
    /// A new process (thread group) `pid`, created by `parent`.
    CProcWatchFork = 1,
    /// The process `pid` executed a new program.
    CProcWatchExec = 2,
    /// The process `pid` (its thread group's leader) exited.
    CProcWatchExit = 3,
};

/// One announcement, as the kernel made it.
typedef struct {
    int32_t kind;
    int32_t pid;
    /// The creating process (`CProcWatchFork` only, else 0).
    int32_t parent;
} CProcWatchProcessEvent;

/// Opens a non-blocking, close-on-exec connector socket subscribed to process
/// events (from kernel 6.6, to forks, execs and exits only), with a receive
/// buffer of `buffer_bytes` (forced when privileged); the descriptor, or -1 and
/// errno (EPROTONOSUPPORT: no connector in this kernel; EPERM: not privileged).
int CProcWatch_forks_open(int buffer_bytes);

/// Unsubscribes and closes a descriptor from ``CProcWatch_forks_open``.
void CProcWatch_forks_close(int fd);

/// Reads the announcements queued on `fd` without blocking, writing the forks
/// of new processes (not threads), execs and process exits to `out` (at most
/// `max`) and skipping every other event and every datagram not sent by the
/// kernel. Adds to `*overflows` once per ENOBUFS (the kernel dropped
/// announcements: the buffer was full) and to `*datagrams` once per datagram
/// the kernel sent. Returns the number written (fewer than `max - 8` when the
/// queue is empty), or -1 and errno on another error.
int CProcWatch_forks_read(int fd, CProcWatchProcessEvent *out, int max, uint64_t *overflows, uint64_t *datagrams);

#endif
