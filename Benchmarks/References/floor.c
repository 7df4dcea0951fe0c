/*
 * The C floor for callguard's parser benchmark: reads an auditd log in large
 * chunks and splits every line into key=value pairs, honouring "..." and '...'
 * quoting, without allocating or decoding anything. No real parser can do less
 * work per record; callguard's figures are reported as ratios to this one.
 *
 * Output: one JSON line {"records":N,"fields":N,"bytes":N,"seconds":S,"max_rss_kb":N}.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

static unsigned long long fields;

static void split_line(const char *p, const char *end) {
    while (p < end) {
        while (p < end && *p == ' ') p++;
        if (p >= end) break;
        const char *key = p;
        while (p < end && *p != '=' && *p != ' ') p++;
        (void)key;
        if (p < end && *p == '=') {
            p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                char q = *p++;
                const char *close = memchr(p, q, (size_t)(end - p));
                p = close ? close + 1 : end;
            } else {
                while (p < end && *p != ' ') p++;
            }
        }
        fields++;
    }
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s AUDIT_LOG\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 2; }
    size_t cap = (1 << 20) + 65536;
    char *buf = malloc(cap);
    size_t filled = 0;
    unsigned long long records = 0, bytes = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        ssize_t n = read(fd, buf + filled, cap - filled);
        if (n <= 0) break;
        bytes += (unsigned long long)n;
        size_t end = filled + (size_t)n, start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', end - start);
            if (!nl) break;
            split_line(buf + start, nl);
            records++;
            start = (size_t)(nl - buf) + 1;
        }
        memmove(buf, buf + start, end - start);
        filled = end - start;
    }
    if (filled) { split_line(buf, buf + filled); records++; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"records\":%llu,\"fields\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"max_rss_kb\":%ld}\n",
           records, fields, bytes, s, ru.ru_maxrss);
    free(buf);
    close(fd);
    return 0;
}
