// storm: N processes calling uname(2) in a tight loop for S seconds.
//   storm N SECONDS
// Prints one JSON line: {"procs":N,"seconds":S,"calls":TOTAL}.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: storm N SECONDS\n"); return 2; }
    int n = atoi(argv[1]);
    double seconds = atof(argv[2]);
    if (n < 1 || n > 256 || seconds <= 0) { fprintf(stderr, "storm: bad arguments\n"); return 2; }
    unsigned long long *counts = mmap(NULL, sizeof(unsigned long long) * n, PROT_READ | PROT_WRITE,
                                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counts == MAP_FAILED) { perror("mmap"); return 1; }
    double t0 = now();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) {
            struct utsname u;
            unsigned long long c = 0;
            double end = t0 + seconds;
            for (;;) {
                for (int k = 0; k < 256; k++) { syscall(SYS_uname, &u); c++; }
                if (now() >= end) break;
            }
            counts[i] = c;
            _exit(0);
        }
    }
    unsigned long long total = 0;
    for (int i = 0; i < n; i++) { int st; wait(&st); }
    for (int i = 0; i < n; i++) { total += counts[i]; fprintf(stderr, "storm: proc %d: %llu calls\n", i, counts[i]); }
    double elapsed = now() - t0;
    printf("{\"procs\":%d,\"seconds\":%.3f,\"calls\":%llu}\n", n, elapsed, total);
    return 0;
}
