// A container process's attempts to have its forbidden calls taken for another
// process's: children made with CLONE_PARENT, whose parent (as the kernel
// announces it) is the caller's parent, not the caller. Built static, run in
// busybox-static containers by the Attack integration tests.
//
//   clone-parent adopted N USEC  orphans itself (the pid namespace's init adopts
//                                it), then makes N children with CLONE_PARENT,
//                                USEC apart: each makes one chmod and exits.
//   clone-parent sibling N USEC  the same without orphaning first.
//   clone-parent flood SECONDS   forks (vfork) children that exit at once, as
//                                fast as it can, for SECONDS: every pid of the
//                                host is soon one of its children's, and the
//                                agent's buffer of announcements fills.
//   clone-parent burst N         forks (vfork) N children that exit at once.
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void children(int n, int usec) {
    for (int i = 0; i < n; i++) {
        long child = syscall(SYS_clone, CLONE_PARENT, 0, 0, 0, 0);
        if (child == 0) {
            syscall(SYS_chmod, "/tmp", 0700);
            _exit(0);
        }
        usleep(usec);
    }
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "flood") == 0) {
        time_t end = time(NULL) + atoi(argv[2]);
        while (time(NULL) < end) {
            for (int i = 0; i < 1000; i++) {
                pid_t child = vfork();
                if (child == 0) _exit(0);
                if (child > 0) waitpid(child, NULL, 0);
            }
        }
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "burst") == 0) {
        for (int i = atoi(argv[2]); i > 0; i--) {
            pid_t child = vfork();
            if (child == 0) _exit(0);
            if (child > 0) waitpid(child, NULL, 0);
        }
        return 0;
    }
    if (argc < 4) return 2;
    int n = atoi(argv[2]), usec = atoi(argv[3]);
    if (strcmp(argv[1], "adopted") == 0) {
        pid_t orphan = fork();
        if (orphan != 0) return orphan < 0;
        // The namespace's init (pid 1 there) is the parent once adopted.
        for (int waited = 0; getppid() != 1; waited++) {
            if (waited > 5000) return 3;
            usleep(1000);
        }
        children(n, usec);
        return 0;
    }
    if (strcmp(argv[1], "sibling") == 0) {
        children(n, usec);
        return 0;
    }
    return 2;
}
