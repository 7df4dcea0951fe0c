// The kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC):
// the fork announcements ContainerKit uses to know a new process's parent
// while that process may already be gone. Swift's Glibc module does not
// import the connector's structures.
#ifndef CALLGUARD_CPROCWATCH_FORKS_H
#define CALLGUARD_CPROCWATCH_FORKS_H

#include <stdint.h>

/// One new process (not a thread): its pid and its parent's, as the kernel announced them.
typedef struct {
    int32_t child;
    int32_t parent;
} CProcWatchFork;

/// Opens a non-blocking, close-on-exec connector socket subscribed to process
/// events, with a receive buffer of `buffer_bytes` (forced when privileged);
/// the descriptor, or -1 and errno (EPROTONOSUPPORT: no connector in this
/// kernel; EPERM: not privileged).
int CProcWatch_forks_open(int buffer_bytes);

/// Reads the announcements queued on `fd` without blocking, writing each fork
/// of a new process to `out` (at most `max`) and skipping every other event
/// and every datagram not sent by the kernel. Adds to `*overflows` once per
/// ENOBUFS (the kernel dropped announcements: the buffer was full). Returns the
/// number written (fewer than `max` when the queue is empty), or -1 and errno
/// on another error.
int CProcWatch_forks_read(int fd, CProcWatchFork *out, int max, uint64_t *overflows);

#endif
