/* A container's first process for Scripts/bench-attribution.sh: the first
 * thing main does is uname(2) (forbidden by the benchmark's policy, so the
 * kernel logs it under the container's seccomp filter), then it stays alive
 * for MS milliseconds (0: it exits at once) so that the agent can still read
 * /proc when the record arrives.
 *
 *   firstcall MS
 *
 * Linked statically: the image holds nothing else it needs.
 */
#include <stdlib.h>
#include <sys/utsname.h>
#include <time.h>

int main(int argc, char **argv) {
    struct utsname u;
    uname(&u);
    long ms = argc > 1 ? atol(argv[1]) : 1000;
    if (ms > 0) {
        struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&t, NULL);
    }
    return 0;
}
