// Per-thread capability restriction for callguard run (see CPrivileges.h).
// Raw syscalls only: no libcap. Everything the SIGSYS handler calls is
// async-signal-safe (prctl, syscall).
#define _GNU_SOURCE
#include "CPrivileges.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t cg_keep;
static int cg_last_cap;
static _Atomic int cg_first_failed_step;
static _Atomic int cg_first_error;
static struct sigaction cg_previous_sigsys;

/// Restricts the calling thread. Returns 0, or the failed step with errno set.
static int cg_restrict_self(void) {
    for (int cap = 0; cap <= cg_last_cap && cap < 64; cap++) {
        if (cg_keep & ((uint64_t)1 << cap)) continue;
        int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return 1;
    }
    // Ambient capabilities (Linux 4.3+); EINVAL on older kernels means none.
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return 2;
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) != 0) return 3;
    uint64_t eff = (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
    uint64_t prm = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
    uint64_t inh = (uint64_t)data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
    // Inheritable capabilities within the kept set stay (systemd's
    // AmbientCapabilities= sets them; capset may be filtered there): with the
    // bounding set and no_new_privs they cannot bring anything else back.
    if ((eff & ~cg_keep) || (prm & ~cg_keep) || (inh & ~cg_keep)) {
        eff &= cg_keep;
        prm &= cg_keep;
        inh &= cg_keep;
        data[0].effective = (uint32_t)eff;
        data[1].effective = (uint32_t)(eff >> 32);
        data[0].permitted = (uint32_t)prm;
        data[1].permitted = (uint32_t)(prm >> 32);
        data[0].inheritable = (uint32_t)inh;
        data[1].inheritable = (uint32_t)(inh >> 32);
        header.version = _LINUX_CAPABILITY_VERSION_3;
        header.pid = 0;
        if (syscall(SYS_capset, &header, data) != 0) return 3;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 4;
    return 0;
}

static void cg_record_failure(int step, int error) {
    int none = 0;
    if (atomic_compare_exchange_strong(&cg_first_failed_step, &none, step)) atomic_store(&cg_first_error, error);
}

static void cg_sigsys_handler(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    // Only the signal this process sent itself (tgkill: SI_TKILL from our pid).
    // Any other SIGSYS (a seccomp trap) gets the disposition from before.
    if (info == NULL || info->si_code != SI_TKILL || info->si_pid != getpid()) {
        sigaction(SIGSYS, &cg_previous_sigsys, NULL);
        syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGSYS);
        return;
    }
    int saved = errno;
    int step = cg_restrict_self();
    if (step != 0) cg_record_failure(step, errno);
    errno = saved;
}

/// Reads "Name:\t<hex>" from a status text.
static int cg_status_hex(const char *text, const char *name, uint64_t *value) {
    const char *p = strstr(text, name);
    if (!p) return 0;
    p += strlen(name);
    while (*p == '\t' || *p == ' ') p++;
    *value = strtoull(p, NULL, 16);
    return 1;
}

int cg_privileges_thread_restricted(int tid, uint64_t keep) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 1 : 0;  // a thread that has exited holds nothing
    char text[8192];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return 0;
    text[n] = 0;
    uint64_t eff = ~0ull, prm = ~0ull, inh = ~0ull, bnd = ~0ull, amb = 0, nnp = 0;
    if (!cg_status_hex(text, "\nCapEff:", &eff) || !cg_status_hex(text, "\nCapPrm:", &prm)
        || !cg_status_hex(text, "\nCapInh:", &inh) || !cg_status_hex(text, "\nCapBnd:", &bnd))
        return 0;
    cg_status_hex(text, "\nCapAmb:", &amb);
    const char *p = strstr(text, "\nNoNewPrivs:");
    if (p) nnp = strtoull(p + 12, NULL, 10);
    return !(eff & ~keep) && !(prm & ~keep) && !(inh & ~keep) && !(bnd & ~keep) && !amb && nnp == 1;
}

cg_privileges_result cg_privileges_restrict(uint64_t keep, int last_cap, int timeout_ms) {
    cg_privileges_result result = {0, 0, 0, 0};
    cg_keep = keep;
    cg_last_cap = last_cap;
    atomic_store(&cg_first_failed_step, 0);
    atomic_store(&cg_first_error, 0);

    int step = cg_restrict_self();
    if (step != 0) {
        result.failed_step = step;
        result.error = errno;
        return result;
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = cg_sigsys_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    static int installed = 0;
    if (!installed) {
        if (sigaction(SIGSYS, &action, &cg_previous_sigsys) != 0) {
            result.failed_step = 5;
            result.error = errno;
            return result;
        }
        installed = 1;
    }

    pid_t pid = getpid();
    pid_t self = (pid_t)syscall(SYS_gettid);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int signalled_round = 0;
    for (;;) {
        int threads = 0, remaining = 0;
        DIR *dir = opendir("/proc/self/task");
        if (!dir) {
            result.failed_step = 5;
            result.error = errno;
            break;
        }
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            int tid = atoi(entry->d_name);
            if (tid <= 0) continue;
            threads++;
            if (tid == self) continue;
            if (cg_privileges_thread_restricted(tid, keep)) continue;
            remaining++;
            // Signal again every 50 rounds (~50 ms) in case one was lost to a race with the thread's creation.
            if (signalled_round % 50 == 0) syscall(SYS_tgkill, pid, tid, SIGSYS);
        }
        closedir(dir);
        result.threads = threads;
        result.remaining = remaining;
        int failed = atomic_load(&cg_first_failed_step);
        if (failed != 0) {
            result.failed_step = failed;
            result.error = atomic_load(&cg_first_error);
            break;
        }
        if (remaining == 0) break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed > timeout_ms) break;
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
        signalled_round++;
    }
    // The handler stays installed: a second SIGSYS sent to a thread may still
    // be pending, and it must not meet the default action (core dump).
    return result;
}
