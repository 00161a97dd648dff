// Benchmark only: an LD_PRELOAD shim that makes fsync and fdatasync FSYNC_DELAY_MS milliseconds
// slower (default 2), the latency of the network block storage most servers run on, so that the
// intake benchmark can show what the commit path does when the disk is slow.
// Built by Benchmarks/intake/stages/slow-fsync (run slow-fsync, or SLOW_FSYNC=1 run) with gcc -shared -fPIC -O2 ... -ldl into its temporary directory.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

static long delay_nanoseconds = -1;

static void wait_like_slow_storage(void) {
    if (delay_nanoseconds < 0) {
        const char *text = getenv("FSYNC_DELAY_MS");
        double milliseconds = text && *text ? atof(text) : 2.0;
        delay_nanoseconds = milliseconds > 0 ? (long)(milliseconds * 1e6) : 0;
    }
    struct timespec left = {delay_nanoseconds / 1000000000L, delay_nanoseconds % 1000000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {}
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    int result = real(fd);
    int saved = errno;
    wait_like_slow_storage();
    errno = saved;
    return result;
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    int result = real(fd);
    int saved = errno;
    wait_like_slow_storage();
    errno = saved;
    return result;
}
