#define _GNU_SOURCE
#include "CProcWatchForks.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/// Sends the connector a control message: `op`, and with `filtered` the event
/// kinds to deliver (kernel 6.6 and later; earlier kernels ignore the message).
static int send_control(int fd, enum proc_cn_mcast_op op, int filtered) {
    // nlmsghdr, then cn_msg (whose data is a flexible array), then the payload.
    char request[NLMSG_SPACE(sizeof(struct cn_msg) + 2 * sizeof(uint32_t))] __attribute__((aligned(NLMSG_ALIGNTO)));
    memset(request, 0, sizeof request);
    size_t payload = filtered ? 2 * sizeof(uint32_t) : sizeof(uint32_t);
    size_t length = NLMSG_LENGTH(sizeof(struct cn_msg) + payload);
    struct nlmsghdr *header = (struct nlmsghdr *)request;
    header->nlmsg_len = (uint32_t)length;
    header->nlmsg_type = NLMSG_DONE;
    struct cn_msg *message = (struct cn_msg *)NLMSG_DATA(header);
    message->id.idx = CN_IDX_PROC;
    message->id.val = CN_VAL_PROC;
    message->len = (uint16_t)payload;
    // Forks, execs and exits only: a process renaming itself in a loop
    // (PROC_EVENT_COMM) cannot fill the buffer and push forks out.
    uint32_t words[2] = {(uint32_t)op, PROC_EVENT_FORK | PROC_EVENT_EXEC | PROC_EVENT_EXIT};
    memcpy(message->data, words, payload);
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    return sendto(fd, request, length, 0, (struct sockaddr *)&kernel, sizeof kernel) == (ssize_t)length ? 0 : -1;
}

int CProcWatch_forks_open(int buffer_bytes) {
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (fd < 0) return -1;
    if (buffer_bytes > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    }
    struct sockaddr_nl local = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) goto fail;
    // Every kernel with the connector: all events. Then, from 6.6, only the
    // kinds wanted (the same socket's subscription updated, not counted twice).
    if (send_control(fd, PROC_CN_MCAST_LISTEN, 0) != 0) goto fail;
    (void)send_control(fd, PROC_CN_MCAST_LISTEN, 1);
    return fd;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

void CProcWatch_forks_close(int fd) {
    // Kernels before 6.6 count listeners until told otherwise, and build
    // announcements for the host while any is counted.
    (void)send_control(fd, PROC_CN_MCAST_IGNORE, 0);
    close(fd);
}

int CProcWatch_forks_read(int fd, CProcWatchProcessEvent *out, int max, uint64_t *overflows, uint64_t *datagrams) {
    // Each announcement is one small datagram; room for a few in case the kernel batches.
    char buffer[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
    int n = 0;
    // The kernel sends one announcement per datagram; stop while room for several is left.
    while (n + 8 <= max) {
        struct sockaddr_nl from;
        socklen_t fromLength = sizeof from;
        ssize_t got = recvfrom(fd, buffer, sizeof buffer, MSG_DONTWAIT, (struct sockaddr *)&from, &fromLength);
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return n;
            if (errno == ENOBUFS) {
                *overflows += 1;
                continue;
            }
            return n > 0 ? n : -1;
        }
        // Only the kernel speaks for the kernel.
        if (fromLength < sizeof from || from.nl_pid != 0) continue;
        *datagrams += 1;
        int length = (int)got;
        for (struct nlmsghdr *header = (struct nlmsghdr *)buffer; NLMSG_OK(header, length);
             header = NLMSG_NEXT(header, length)) {
            if (header->nlmsg_len < NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(struct proc_event))) continue;
            struct cn_msg *message = (struct cn_msg *)NLMSG_DATA(header);
            if (message->id.idx != CN_IDX_PROC || message->id.val != CN_VAL_PROC) continue;
            if (message->len < sizeof(struct proc_event)) continue;
            struct proc_event event;
            memcpy(&event, message->data, sizeof event);
            CProcWatchProcessEvent e = {0, 0, 0};
            switch (event.what) {
            case PROC_EVENT_FORK:
                // A thread shares its creator's process: only a new thread group is a new process.
                if (event.event_data.fork.child_pid != event.event_data.fork.child_tgid) continue;
                e.kind = CProcWatchFork;
                e.pid = event.event_data.fork.child_tgid;
                e.parent = event.event_data.fork.parent_tgid;
                break;
            case PROC_EVENT_EXEC:
                e.kind = CProcWatchExec;
                e.pid = event.event_data.exec.process_tgid;
                break;
            case PROC_EVENT_EXIT:
                if (event.event_data.exit.process_pid != event.event_data.exit.process_tgid) continue;
                e.kind = CProcWatchExit;
                e.pid = event.event_data.exit.process_tgid;
                break;
            default:
                continue;
            }
            if (n < max) out[n++] = e;
        }
    }
    return n;
}
