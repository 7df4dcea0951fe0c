// storm: N processes calling uname(2) in a tight loop for S seconds, or at
// RATE calls per second in all (paced in batches of 256) when RATE is given.
//   storm N SECONDS [RATE]
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
    if (argc != 3 && argc != 4) { fprintf(stderr, "usage: storm N SECONDS [RATE]\n"); return 2; }
    int n = atoi(argv[1]);
    double seconds = atof(argv[2]);
    double rate = argc == 4 ? atof(argv[3]) : 0;
    if (n < 1 || n > 256 || seconds <= 0 || rate < 0) { fprintf(stderr, "storm: bad arguments\n"); return 2; }
    double per_proc = rate / n;
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
                double t = now();
                if (t >= end) break;
                if (per_proc > 0) {
                    double due = t0 + c / per_proc;  // when this many calls are due at the rate
                    if (due >= end) due = end;
                    if (due > t) {
                        struct timespec ts = { (time_t)(due - t), (long)((due - t - (time_t)(due - t)) * 1e9) };
                        nanosleep(&ts, NULL);
                    }
                }
            }
            counts[i] = c;
            _exit(0);
        }
    }
    unsigned long long total = 0;
    for (int i = 0; i < n; i++) { int st; wait(&st); }
    for (int i = 0; i < n; i++) { total += counts[i]; fprintf(stderr, "storm: proc %d: %llu calls\n", i, counts[i]); }
    double elapsed = now() - t0;
    printf("{\"procs\":%d,\"seconds\":%.3f,\"calls\":%llu,\"rate\":%.0f}\n", n, elapsed, total, rate);
    return 0;
}
