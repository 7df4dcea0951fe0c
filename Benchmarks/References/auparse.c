/*
 * The libauparse reference for callguard's parser benchmark: iterates every
 * event, record and field of an auditd log with libauparse (Debian's
 * libauparse-dev), reading each field's value, as a like-for-like comparison
 * with callguard's "all fields" mode.
 *
 * Output: one JSON line {"records":N,"events":N,"fields":N,"seconds":S,"max_rss_kb":N}.
 */
#include <auparse.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s AUDIT_LOG\n", argv[0]); return 2; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    auparse_state_t *au = auparse_init(AUSOURCE_FILE, argv[1]);
    if (!au) { perror(argv[1]); return 2; }
    unsigned long long events = 0, records = 0, fields = 0, checksum = 0;
    while (auparse_next_event(au) > 0) {
        events++;
        do {
            records++;
            do {
                const char *value = auparse_get_field_str(au);
                if (value) checksum += (unsigned char)value[0];
                fields++;
            } while (auparse_next_field(au) > 0);
        } while (auparse_next_record(au) > 0);
    }
    auparse_destroy(au);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"records\":%llu,\"events\":%llu,\"fields\":%llu,\"seconds\":%.6f,\"max_rss_kb\":%ld,\"checksum\":%llu}\n",
           records, events, fields, s, ru.ru_maxrss, checksum);
    return 0;
}
