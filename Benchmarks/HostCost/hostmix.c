// hostmix: what a host process (no container, no seccomp filter) pays per
// syscall, for a mix of common calls. Each call is timed over N iterations
// (default 100000) with CLOCK_MONOTONIC; then a process's life, where the
// kernel announces forks, execs and exits to anyone listening (the agent's
// process events connector): fork + _exit + wait (N/100 times) and
// posix_spawn of itself + wait (N/200 times). Prints one JSON line of ns per call:
//   {"pread":…,"writev":…,"sendrecv":…,"poll":…,"read":…,"fork":…,"spawn":…}
//   hostmix [N]
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

extern char **environ;

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--exit") == 0) return 0;
    long n = argc > 1 ? atol(argv[1]) : 100000;
    if (n < 1) { fprintf(stderr, "usage: hostmix [N]\n"); return 2; }
    char path[] = "/tmp/callguard-hostmix.XXXXXX";
    int file = mkstemp(path);
    if (file < 0 || write(file, "x", 1) != 1) { perror("hostmix: temp file"); return 1; }
    unlink(path);
    int null = open("/dev/null", O_WRONLY);
    int zero = open("/dev/zero", O_RDONLY);
    int pair[2];
    if (null < 0 || zero < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) { perror("hostmix: open"); return 1; }
    char byte = 0;
    struct iovec iov[2] = {{&byte, 1}, {&byte, 1}};
    struct pollfd p = {pair[0], POLLIN, 0};
    double t, pread_ns, writev_ns, sendrecv_ns, poll_ns, read_ns, fork_ns, spawn_ns;

    t = now();
    for (long i = 0; i < n; i++) if (pread(file, &byte, 1, 0) != 1) return 1;
    pread_ns = (now() - t) / n;
    t = now();
    for (long i = 0; i < n; i++) if (writev(null, iov, 2) != 2) return 1;
    writev_ns = (now() - t) / n;
    t = now();
    for (long i = 0; i < n; i++) {
        if (send(pair[0], &byte, 1, 0) != 1 || recv(pair[1], &byte, 1, 0) != 1) return 1;
    }
    sendrecv_ns = (now() - t) / n;
    t = now();
    for (long i = 0; i < n; i++) if (poll(&p, 1, 0) < 0) return 1;
    poll_ns = (now() - t) / n;
    t = now();
    for (long i = 0; i < n; i++) if (read(zero, &byte, 1) != 1) return 1;
    read_ns = (now() - t) / n;
    long forks = n / 100 > 0 ? n / 100 : 1;
    t = now();
    for (long i = 0; i < forks; i++) {
        pid_t child = fork();
        if (child < 0) return 1;
        if (child == 0) _exit(0);
        if (waitpid(child, NULL, 0) != child) return 1;
    }
    fork_ns = (now() - t) / forks;
    long spawns = n / 200 > 0 ? n / 200 : 1;
    char *child_argv[] = {argv[0], "--exit", NULL};
    t = now();
    for (long i = 0; i < spawns; i++) {
        pid_t child;
        if (posix_spawn(&child, "/proc/self/exe", NULL, NULL, child_argv, environ) != 0) return 1;
        if (waitpid(child, NULL, 0) != child) return 1;
    }
    spawn_ns = (now() - t) / spawns;

    printf("{\"pread\":%.1f,\"writev\":%.1f,\"sendrecv\":%.1f,\"poll\":%.1f,\"read\":%.1f,\"fork\":%.1f,\"spawn\":%.1f}\n",
           pread_ns, writev_ns, sendrecv_ns, poll_ns, read_ns, fork_ns, spawn_ns);
    return 0;
}
