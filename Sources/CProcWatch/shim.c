#define _GNU_SOURCE
#include "CProcWatch.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int CProcWatch_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int CProcWatch_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int CProcWatch_epoll_add(int epfd, int fd, uint64_t data) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = data};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int CProcWatch_epoll_collect(int epfd, uint64_t *out, int max) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int n;
    do {
        n = epoll_wait(epfd, events, max, 0);
    } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) out[i] = events[i].data.u64;
    return n;
}

int CProcWatch_readable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n;
    do {
        n = poll(&p, 1, 0);
    } while (n < 0 && errno == EINTR);
    return n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

long CProcWatch_raise_nofile(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0 && getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    }
    return limit.rlim_cur == RLIM_INFINITY ? (long)1 << 20 : (long)limit.rlim_cur;
}

int CProcWatch_identity(const char *path, uint64_t *device, uint64_t *inode) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    *device = (uint64_t)st.st_dev;
    *inode = (uint64_t)st.st_ino;
    return 0;
}
