/* Calls that do not block (ghpkg_client_*_async, ghpkg_call_*): callbacks,
 * polling and waiting, taking outcomes once, cancellation, freeing a call or
 * the client with calls in flight, and many calls from one thread. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* Pointer values the library must never write over or dereference. */
#define SENTINEL_PACKAGE ((ghpkg_package *)0x5EA1)
#define SENTINEL_CALL ((ghpkg_call *)0x5EA1)

#define ORG GHPKG_OWNER_ORG
#define ME GHPKG_OWNER_AUTHENTICATED_USER
#define C_TYPE GHPKG_PACKAGE_TYPE_CONTAINER

/* What a callback saw, guarded by a mutex: callbacks run on ghpkg's
 * runtime threads. */
typedef struct seen {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int calls;
    ghpkg_status last;
} seen;

static void seen_init(seen *s) {
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    s->calls = 0;
    s->last = GHPKG_PENDING;
}

static void seen_destroy(seen *s) {
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->changed);
}

static void on_done(void *user_data, ghpkg_status status) {
    seen *s = user_data;
    pthread_mutex_lock(&s->lock);
    s->calls++;
    s->last = status;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

/* Waits until the callback has run `n` times in all (at most 10 s). */
static int seen_wait(seen *s, int n) {
    struct timespec until;
    int calls;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&s->lock);
    while (s->calls < n)
        if (pthread_cond_timedwait(&s->changed, &s->lock, &until) != 0) break;
    calls = s->calls;
    pthread_mutex_unlock(&s->lock);
    return calls;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static void callback_then_take(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_call *call = NULL;
    ghpkg_package *pkg = NULL;
    ghpkg_version *v = NULL;
    seen got;
    seen_init(&got);

    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "api/server", on_done, &got,
                                                          &call, err));
    CHECK(seen_wait(&got, 1) == 1, "the callback ran once");
    CHECK(got.last == GHPKG_OK, "callback status %s", ghpkg_status_code(got.last));
    CHECK(ghpkg_call_is_done(call), "done after the callback");
    CHECK(ghpkg_call_status(call) == GHPKG_OK, "status");
    /* Only a version call gives a version; the mismatch takes nothing. */
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_call_take_version(call, &v, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_call_take_package(call, &pkg, err));
    CHECK(pkg != NULL && str_eq(ghpkg_package_name(pkg), "api/server"), "the package");
    CHECK(pkg != NULL && ghpkg_package_id(pkg) == 2001, "its id");
    /* Once per call. */
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_call_take_package(call, &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_call_result(call, err));
    CHECK(ghpkg_call_status(call) == GHPKG_OK, "the status outlives the take");
    ghpkg_package_free(pkg);
    ghpkg_call_free(call);

    /* Without a callback: wait, then take a version. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_version_async(c, ORG, "acme", C_TYPE, "api/server", 5000000001ULL,
                                                          NULL, NULL, &call, err));
    CHECK(ghpkg_call_wait(call, -1), "wait without a timeout");
    CHECK_STATUS(GHPKG_OK, ghpkg_call_take_version(call, &v, err));
    CHECK(v != NULL && ghpkg_version_id(v) == 5000000001ULL, "the version");
    ghpkg_version_free(v);
    ghpkg_call_free(call);

    /* A failure comes through the callback's status and the take. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "no-such-package", on_done,
                                                          &got, &call, err));
    CHECK(seen_wait(&got, 2) == 2, "the callback ran again");
    CHECK(got.last == GHPKG_NOT_FOUND, "callback status %s", ghpkg_status_code(got.last));
    pkg = SENTINEL_PACKAGE;
    CHECK_STATUS(GHPKG_NOT_FOUND, ghpkg_call_take_package(call, &pkg, err));
    CHECK(pkg == SENTINEL_PACKAGE, "no package written on failure");
    ghpkg_call_free(call);

    ghpkg_client_free(c);
    seen_destroy(&got);
}

static void arguments(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_call *call = SENTINEL_CALL;
    seen got;
    seen_init(&got);
    /* Caught before anything starts: no call, and the callback never runs. */
    CHECK_STATUS(GHPKG_NULL_ARGUMENT,
                 ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, NULL, on_done, &got, &call, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_restore_package_async(c, ORG, "acme", 999, "x", NULL,
                                                                            on_done, &got, &call, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_version_async(NULL, ORG, "acme", C_TYPE, "api/server",
                                                                     1, on_done, &got, &call, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "api/server",
                                                                     on_done, &got, NULL, err));
    CHECK(call == SENTINEL_CALL, "no call written");
    /* NULL calls. */
    CHECK(!ghpkg_call_is_done(NULL), "is_done(NULL)");
    CHECK(!ghpkg_call_wait(NULL, 0), "wait(NULL)");
    CHECK(ghpkg_call_status(NULL) == GHPKG_NULL_ARGUMENT, "status(NULL)");
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_call_result(NULL, err));
    ghpkg_call_cancel(NULL);
    ghpkg_call_free(NULL);
    CHECK(got.calls == 0, "no callback for a call that never started");
    /* The core's own checks of names run in the call: it fails before
     * anything is sent, through the callback and the outcome. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_delete_version_async(c, ORG, "acme", C_TYPE, "..", 1, on_done, &got,
                                                             &call, err));
    CHECK(seen_wait(&got, 1) == 1 && got.last == GHPKG_INVALID_ARGUMENT, "callback: %s",
          ghpkg_status_code(got.last));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_call_result(call, err));
    ghpkg_call_free(call);
    ghpkg_client_free(c);
    seen_destroy(&got);
}

static void cancel_and_free(suite *s) {
    /* On the faults emulator, acme's only-tag answers after 5 s. */
    ghpkg_client *c = test_client(&s->faults, NULL);
    ghpkg_call *call = NULL;
    ghpkg_package *pkg = NULL;
    double start;
    seen got;
    seen_init(&got);

    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "only-tag", on_done, &got,
                                                          &call, err));
    CHECK(!ghpkg_call_wait(call, 50), "still running after 50 ms");
    CHECK(!ghpkg_call_is_done(call), "not done");
    CHECK(ghpkg_call_status(call) == GHPKG_PENDING, "pending");
    CHECK_STATUS(GHPKG_PENDING, ghpkg_call_take_package(call, &pkg, err));
    start = now_ms();
    ghpkg_call_cancel(call);
    CHECK(ghpkg_call_wait(call, 2000), "a cancel completes the call");
    CHECK(now_ms() - start < 1000, "at once, not after the 5 s answer");
    CHECK(seen_wait(&got, 1) == 1 && got.last == GHPKG_CANCELLED, "callback: %s",
          ghpkg_status_code(got.last));
    CHECK_STATUS(GHPKG_CANCELLED, ghpkg_call_take_package(call, &pkg, err));
    ghpkg_call_cancel(call); /* a done call ignores it */
    ghpkg_call_free(call);

    /* Freeing a running call cancels it; its callback still runs once. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "only-tag", on_done, &got,
                                                          &call, err));
    start = now_ms();
    ghpkg_call_free(call);
    CHECK(seen_wait(&got, 2) == 2 && got.last == GHPKG_CANCELLED, "callback after free: %s",
          ghpkg_status_code(got.last));
    CHECK(now_ms() - start < 1000, "freeing did not wait for the answer");
    ghpkg_client_free(c);
    seen_destroy(&got);
}

static void free_client_in_flight(suite *s) {
    enum { N = 10 };
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_call *calls[N];
    ghpkg_package *pkg = NULL;
    int i;
    seen got;
    seen_init(&got);
    for (i = 0; i < N; i++)
        CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "api/server", on_done,
                                                              &got, &calls[i], err));
    /* The calls hold what they need: they complete after the client is gone. */
    ghpkg_client_free(c);
    CHECK(seen_wait(&got, N) == N, "every callback ran");
    for (i = 0; i < N; i++) {
        CHECK(ghpkg_call_wait(calls[i], 5000), "call %d done", i);
        CHECK_STATUS(GHPKG_OK, ghpkg_call_take_package(calls[i], &pkg, err));
        ghpkg_package_free(pkg);
        pkg = NULL;
        ghpkg_call_free(calls[i]);
    }
    seen_destroy(&got);
}

static void many_from_one_thread(suite *s) {
    int n = s->quick ? 50 : 500;
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_call **calls = calloc((size_t)n, sizeof *calls);
    int i, ok = 0;
    seen got;
    seen_init(&got);
    for (i = 0; i < n; i++)
        if (ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "api/server", on_done, &got, &calls[i],
                                           NULL) != GHPKG_OK)
            calls[i] = NULL;
    CHECK(seen_wait(&got, n) == n, "%d callbacks", n);
    for (i = 0; i < n; i++) {
        if (calls[i] != NULL && ghpkg_call_wait(calls[i], 5000) && ghpkg_call_status(calls[i]) == GHPKG_OK &&
            ghpkg_call_result(calls[i], NULL) == GHPKG_OK)
            ok++;
        ghpkg_call_free(calls[i]);
    }
    CHECK(ok == n, "%d of %d calls succeeded", ok, n);
    free(calls);
    ghpkg_client_free(c);
    seen_destroy(&got);
}

/* A call whose callback frees it: the starter holds the lock until the
 * handle is stored, so the callback always finds it. */
typedef struct self_freeing {
    pthread_mutex_t lock;
    ghpkg_call *call;
    seen done;
} self_freeing;

static void free_in_callback(void *user_data, ghpkg_status status) {
    self_freeing *f = user_data;
    pthread_mutex_lock(&f->lock);
    ghpkg_call_free(f->call);
    f->call = NULL;
    pthread_mutex_unlock(&f->lock);
    on_done(&f->done, status);
}

static void delete_restore_and_free_in_callback(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_call *call = NULL;
    ghpkg_version *v = NULL;
    CHECK_STATUS(GHPKG_OK, ghpkg_client_delete_version_async(c, ME, NULL, C_TYPE, "what?#hash", 10102, NULL,
                                                             NULL, &call, err));
    CHECK(ghpkg_call_wait(call, 5000), "delete done");
    CHECK_STATUS(GHPKG_OK, ghpkg_call_result(call, err));
    ghpkg_call_free(call);
    CHECK_STATUS(GHPKG_NOT_FOUND,
                 ghpkg_client_get_version(c, ME, NULL, C_TYPE, "what?#hash", 10102, &v, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_restore_version_async(c, ME, NULL, C_TYPE, "what?#hash", 10102, NULL,
                                                              NULL, &call, err));
    CHECK(ghpkg_call_wait(call, 5000), "restore done");
    CHECK_STATUS(GHPKG_OK, ghpkg_call_result(call, err));
    ghpkg_call_free(call);
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_version(c, ME, NULL, C_TYPE, "what?#hash", 10102, &v, err));
    ghpkg_version_free(v);

    /* The callback may free its own call. */
    {
        self_freeing f;
        pthread_mutex_init(&f.lock, NULL);
        seen_init(&f.done);
        pthread_mutex_lock(&f.lock);
        CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package_async(c, ORG, "acme", C_TYPE, "api/server",
                                                              free_in_callback, &f, &f.call, err));
        pthread_mutex_unlock(&f.lock);
        CHECK(seen_wait(&f.done, 1) == 1 && f.done.last == GHPKG_OK, "the self-freeing call completed");
        CHECK(f.call == NULL, "and freed itself");
        seen_destroy(&f.done);
        pthread_mutex_destroy(&f.lock);
    }
    ghpkg_client_free(c);
}

void test_async(suite *s) {
    arguments(s);
    callback_then_take(s);
    cancel_and_free(s);
    free_client_in_flight(s);
    many_from_one_thread(s);
    delete_restore_and_free_in_callback(s);
}
