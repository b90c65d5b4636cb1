/* The C ABI's blocking calls vs its calls that do not block: 1,000
 * ghpkg_client_get_package reads against the emulator (run by
 * scripts/bench.sh c, with latency added to every response), made
 *   - blocking, from 1 thread (a tenth of them, sequentially),
 *   - blocking, from 100 threads (GitHub's concurrency limit),
 *   - with ghpkg_client_get_package_async, all started from 1 thread.
 * Prints a Markdown table: median wall time of the rounds and the peak OS
 * thread count of the process. Not part of the test suite.
 *   reads URL TOKEN [ROUNDS] */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ghpkg.h"

#define READS 1000
#define THREADS 100

static ghpkg_client *client;
static volatile int peak_threads;
static volatile int sampling;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static int os_threads(void) {
    char line[256];
    int n = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "Threads:", 8) == 0) n = atoi(line + 8);
    fclose(f);
    return n;
}

static void *sampler(void *arg) {
    struct timespec pause = {0, 2 * 1000 * 1000};
    (void)arg;
    while (sampling) {
        int n = os_threads();
        if (n > peak_threads) peak_threads = n;
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void read_one(void) {
    ghpkg_package *pkg = NULL;
    if (ghpkg_client_get_package(client, GHPKG_OWNER_ORG, "big", GHPKG_PACKAGE_TYPE_CONTAINER, "app", &pkg,
                                 NULL) != GHPKG_OK) {
        fprintf(stderr, "a blocking read failed\n");
        exit(1);
    }
    ghpkg_package_free(pkg);
}

static void *blocking_worker(void *arg) {
    int i, n = *(int *)arg;
    for (i = 0; i < n; i++) read_one();
    return NULL;
}

static void run_blocking(int threads, int reads) {
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    int each = reads / threads, i;
    for (i = 0; i < threads; i++) pthread_create(&ids[i], NULL, blocking_worker, &each);
    for (i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    free(ids);
}

static void run_async(int reads) {
    ghpkg_call **calls = calloc((size_t)reads, sizeof *calls);
    int i;
    for (i = 0; i < reads; i++)
        if (ghpkg_client_get_package_async(client, GHPKG_OWNER_ORG, "big", GHPKG_PACKAGE_TYPE_CONTAINER,
                                           "app", NULL, NULL, &calls[i], NULL) != GHPKG_OK) {
            fprintf(stderr, "an async start failed\n");
            exit(1);
        }
    for (i = 0; i < reads; i++) {
        ghpkg_call_wait(calls[i], -1);
        if (ghpkg_call_result(calls[i], NULL) != GHPKG_OK) {
            fprintf(stderr, "an async read failed\n");
            exit(1);
        }
        ghpkg_call_free(calls[i]);
    }
    free(calls);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(const char *label, int mode, int rounds) {
    double times[32];
    int r, peak = 0;
    for (r = 0; r < rounds; r++) {
        pthread_t s;
        double start;
        peak_threads = os_threads();
        sampling = 1;
        pthread_create(&s, NULL, sampler, NULL);
        start = now_ms();
        if (mode == 0)
            run_blocking(1, READS / 10);
        else if (mode == 1)
            run_blocking(THREADS, READS);
        else
            run_async(READS);
        times[r] = now_ms() - start;
        sampling = 0;
        pthread_join(s, NULL);
        if (peak_threads > peak) peak = peak_threads;
    }
    qsort(times, (size_t)rounds, sizeof times[0], cmp);
    printf("| %s | %.0f ms | %d |\n", label, times[rounds / 2], peak);
}

int main(int argc, char **argv) {
    ghpkg_client_options o = ghpkg_client_options_default();
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    if (argc < 3 || rounds < 1 || rounds > 32) {
        fprintf(stderr, "usage: reads URL TOKEN [ROUNDS <= 32]\n");
        return 2;
    }
    o.base_url = argv[1];
    o.token = argv[2];
    o.use_env = false;
    if (ghpkg_client_new(&o, &client, NULL) != GHPKG_OK) return 1;
    read_one(); /* warm up: the runtime and a connection */
    printf("| %d `get_package` reads | median of %d rounds | peak OS threads |\n", READS, rounds);
    printf("|---|---:|---:|\n");
    measure("blocking, 1 thread (100 reads, sequential)", 0, rounds);
    measure("blocking, 100 threads (10 reads each)", 1, rounds);
    measure("`_async`, all started from 1 thread", 2, rounds);
    ghpkg_client_free(client);
    return 0;
}
