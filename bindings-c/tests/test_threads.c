/* Eight threads share one client: listings, gets, catalog calls and
 * failures at the same time. */
#include <pthread.h>
#include <string.h>

#include "harness.h"

#define THREADS 8

typedef struct worker {
    ghpkg_client *client;
    int index;
    int rounds;
    int failures;
    size_t items;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    int r;
    for (r = 0; r < w->rounds; r++) {
        ghpkg_package_listing *it = NULL;
        ghpkg_package *pkg = NULL;
        ghpkg_version *v = NULL;
        ghpkg_error *e = NULL;
        char *rows = NULL;
        size_t n = 0;

        if (ghpkg_client_list_packages(w->client, GHPKG_OWNER_ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER,
                                       GHPKG_VISIBILITY_ANY, &it, NULL) != GHPKG_OK ||
            drain_packages(it, &n, NULL) != GHPKG_OK || n != 264)
            w->failures++;
        w->items += n;
        if (ghpkg_client_get_package(w->client, GHPKG_OWNER_ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER,
                                     "api/server", &pkg, NULL) != GHPKG_OK ||
            ghpkg_package_id(pkg) != 2001)
            w->failures++;
        ghpkg_package_free(pkg);
        if (ghpkg_client_get_version(w->client, GHPKG_OWNER_ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER,
                                     "api/server", 5000000001ULL, &v, NULL) != GHPKG_OK ||
            ghpkg_version_tag_count(v) != 2)
            w->failures++;
        ghpkg_version_free(v);
        /* Each thread's own failure comes back to it, with its own details. */
        if (ghpkg_client_get_package(w->client, GHPKG_OWNER_ORG, "acme", GHPKG_PACKAGE_TYPE_NPM,
                                     w->index % 2 ? "missing-odd" : "missing-even", &pkg,
                                     &e) != GHPKG_NOT_FOUND ||
            ghpkg_error_http_status(e) != 404)
            w->failures++;
        ghpkg_error_free(e);
        if (ghpkg_client_catalog_select(
                w->client, "packages",
                "{\"org\":\"acme\",\"package_type\":\"npm\",\"package_name\":\"ui-kit\"}", &rows,
                NULL) != GHPKG_OK ||
            !str_contains(rows, "\"id\":2002"))
            w->failures++;
        ghpkg_string_free(rows);
    }
    return NULL;
}

void test_threads(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    pthread_t threads[THREADS];
    worker workers[THREADS];
    int i, started = 0;

    for (i = 0; i < THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].client = c;
        workers[i].index = i;
        workers[i].rounds = s->quick ? 1 : 4;
        if (pthread_create(&threads[i], NULL, work, &workers[i]) == 0) started++;
    }
    CHECK(started == THREADS, "started %d threads", started);
    for (i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].failures == 0, "thread %d: %d failures", i, workers[i].failures);
        CHECK(workers[i].items == (size_t)workers[i].rounds * 264, "thread %d listed %zu", i,
              workers[i].items);
    }
    ghpkg_client_free(c);
}
