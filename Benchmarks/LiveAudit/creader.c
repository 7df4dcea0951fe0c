// creader: the floor for draining the kernel's audit stream. Registers as the
// audit daemon, installs `-a always,exit -F arch=b64 -S uname [-F exe=PATH]
// -F pid!=SELF -k callguard`, receives and counts until SIGINT/SIGTERM, then
// restores everything (rule deleted, pid 0, enabled/backlog as found) and
// prints one JSON line of statistics.
//   creader [--exe PATH] [--backlog-limit N] [--ready-file PATH]
#define _GNU_SOURCE
#include <errno.h>
#include <libaudit.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

// Sends AUDIT_GET and waits for the status reply.
static int get_status(int fd, struct audit_status *out) {
    if (audit_request_status(fd) < 0) return -1;
    struct audit_reply rep;
    for (int i = 0; i < 50; i++) {
        int rc = audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0);
        if (rc <= 0) return -1;
        if (rep.type == AUDIT_GET) { memcpy(out, rep.status, sizeof(*out)); return 0; }
    }
    return -1;
}

int main(int argc, char **argv) {
    const char *exe = NULL, *ready = NULL;
    unsigned backlog = 8192;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--exe") && i + 1 < argc) exe = argv[++i];
        else if (!strcmp(argv[i], "--backlog-limit") && i + 1 < argc) backlog = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ready-file") && i + 1 < argc) ready = argv[++i];
        else { fprintf(stderr, "creader: unknown option %s\n", argv[i]); return 2; }
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int ctl = audit_open();
    if (ctl < 0) { perror("audit_open"); return 1; }
    struct audit_status before;
    if (get_status(ctl, &before) < 0) { fprintf(stderr, "creader: cannot read audit status\n"); return 1; }
    if (before.pid != 0 && kill(before.pid, 0) == 0) {
        fprintf(stderr, "creader: another audit daemon is registered (pid %u)\n", before.pid);
        return 1;
    }

    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
    if (fd < 0) { perror("socket"); return 1; }
    int rcvbuf = 64 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (audit_set_pid(fd, getpid(), WAIT_YES) < 0) { fprintf(stderr, "creader: cannot register\n"); return 1; }

    audit_set_enabled(ctl, 1);
    audit_set_backlog_limit(ctl, backlog);
    audit_set_backlog_wait_time(ctl, 0);

    struct audit_rule_data *rule = audit_rule_create_data();
    char pair[512];
    // libaudit edits the pair text in place: always pass a writable copy.
    snprintf(pair, sizeof pair, "arch=b64");
    audit_rule_fieldpair_data(&rule, pair, AUDIT_FILTER_EXIT);
    audit_rule_syscallbyname_data(rule, "uname");
    if (exe) {
        snprintf(pair, sizeof pair, "exe=%s", exe);
        audit_rule_fieldpair_data(&rule, pair, AUDIT_FILTER_EXIT);
    }
    snprintf(pair, sizeof pair, "pid!=%d", getpid());
    audit_rule_fieldpair_data(&rule, pair, AUDIT_FILTER_EXIT);
    snprintf(pair, sizeof pair, "key=callguard");
    audit_rule_fieldpair_data(&rule, pair, AUDIT_FILTER_EXIT);
    int added = audit_add_rule_data(ctl, rule, AUDIT_FILTER_EXIT, AUDIT_ALWAYS) > 0;
    if (!added) fprintf(stderr, "creader: rule refused\n");

    if (ready) { int r = open(ready, O_CREAT | O_WRONLY | O_TRUNC, 0644); if (r >= 0) close(r); }

    static char buf[MAX_AUDIT_MESSAGE_LENGTH + NLMSG_HDRLEN + 64];
    unsigned long long records = 0, events = 0, overruns = 0;
    double c0 = cpu(), t0 = now();
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (!stop) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN) { poll(&p, 1, 100); continue; }
            if (errno == ENOBUFS) { overruns++; continue; }
            if (errno == EINTR) continue;
            perror("recv");
            break;
        }
        if (n < (ssize_t)NLMSG_HDRLEN) continue;
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (h->nlmsg_type < NLMSG_MIN_TYPE) continue;
        records++;
        if (h->nlmsg_type == AUDIT_EOE || h->nlmsg_type == AUDIT_SECCOMP) events++;
    }
    double seconds = now() - t0, cpus = cpu() - c0;

    struct audit_status after;
    unsigned lost = 0;
    if (get_status(ctl, &after) == 0) lost = after.lost - before.lost;
    if (added) audit_delete_rule_data(ctl, rule, AUDIT_FILTER_EXIT, AUDIT_ALWAYS);
    audit_rule_free_data(rule);
    audit_set_pid(ctl, 0, WAIT_YES);
    audit_set_backlog_wait_time(ctl, before.backlog_wait_time);
    audit_set_backlog_limit(ctl, before.backlog_limit);
    audit_set_enabled(ctl, before.enabled);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"reader\":\"c\",\"records\":%llu,\"events\":%llu,\"lost\":%u,\"overruns\":%llu,"
           "\"cpu_seconds\":%.6f,\"seconds\":%.3f,\"maxrss_kb\":%ld}\n",
           records, events, lost, overruns, cpus, seconds, ru.ru_maxrss);
    return 0;
}
