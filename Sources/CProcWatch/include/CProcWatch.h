// The C surface ContainerKit needs to learn, without reading /proc on every
// event, that a cached process has exited: pidfd_open(2) and epoll(7), which
// Swift's Glibc module does not import, plus the descriptor limit.
#ifndef CALLGUARD_CPROCWATCH_H
#define CALLGUARD_CPROCWATCH_H

#include <stdint.h>
#include <sys/types.h>

#include "CProcWatchForks.h"

/// pidfd_open(pid, 0): a descriptor that becomes readable when the process exits; -1 and errno on failure.
int CProcWatch_pidfd_open(pid_t pid);
/// epoll_create1(EPOLL_CLOEXEC).
int CProcWatch_epoll_create(void);
/// Adds `fd` to `epfd` for readability, with `data` returned when it fires; 0 or -1 and errno.
int CProcWatch_epoll_add(int epfd, int fd, uint64_t data);
/// epoll_wait with timeout 0: writes up to `max` data words of ready descriptors to `out`; the count, or -1.
int CProcWatch_epoll_collect(int epfd, uint64_t *out, int max);
/// Whether `fd` is readable now (poll with timeout 0): for a pidfd, whether its process has exited.
int CProcWatch_readable(int fd);
/// stat(2) of `path` (following symlinks): its device and inode; 0, or -1 and errno.
int CProcWatch_identity(const char *path, uint64_t *device, uint64_t *inode);
/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force afterwards (-1 on error).
long CProcWatch_raise_nofile(void);

#endif
