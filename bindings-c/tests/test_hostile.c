/* Hostile names: every name is one path segment, so nothing in it can
 * change which endpoint is called; unusable names fail before any request. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ME GHPKG_OWNER_AUTHENTICATED_USER
#define ORG GHPKG_OWNER_ORG
#define USER GHPKG_OWNER_USER
#define CONTAINER GHPKG_PACKAGE_TYPE_CONTAINER

typedef struct name_case {
    ghpkg_owner_kind kind;
    const char *owner;
    ghpkg_package_type type;
    const char *name;
    ghpkg_status expected;
} name_case;

static const name_case cases[] = {
    /* Real packages with awkward names: found, under exactly that name. */
    {ORG, "acme", CONTAINER, "api/server", GHPKG_OK},
    {ORG, "acme", CONTAINER, "org-repo/sub/image", GHPKG_OK},
    {ORG, "acme", CONTAINER, "base images/alpine", GHPKG_OK},
    {ME, NULL, CONTAINER, "my app", GHPKG_OK},
    {ME, NULL, CONTAINER,
     "caf\xc3\xa9-\xc3\xbcn\xc3\xaf"
     "code",
     GHPKG_OK},
    {ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "100%-pure", GHPKG_OK},
    {ME, NULL, CONTAINER, "what?#hash", GHPKG_OK},
    {USER, "octocat", CONTAINER, "what?#hash", GHPKG_OK},
    /* Names that would reach another endpoint if they were not encoded. */
    {ORG, "acme", CONTAINER, "api%2Fserver", GHPKG_NOT_FOUND},
    {ORG, "acme", CONTAINER, "api/server/versions/5000000001", GHPKG_NOT_FOUND},
    {ORG, "acme", CONTAINER, "api/server/..", GHPKG_NOT_FOUND},
    {ME, NULL, CONTAINER, "../../orgs/acme/packages/container/api%2Fserver", GHPKG_NOT_FOUND},
    {ME, NULL, CONTAINER, "what?", GHPKG_NOT_FOUND},
    {ME, NULL, CONTAINER, "my%20app", GHPKG_NOT_FOUND},
    {ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "100%25-pure", GHPKG_NOT_FOUND},
    {ORG, "acme/../users/octocat", CONTAINER, "my app", GHPKG_NOT_FOUND},
    {ORG, "acme?x=1", CONTAINER, "api/server", GHPKG_NOT_FOUND},
    {USER, "octocat#", CONTAINER, "my app", GHPKG_NOT_FOUND},
    /* Unusable: refused before any request. */
    {ME, NULL, CONTAINER, "", GHPKG_INVALID_ARGUMENT},
    {ME, NULL, CONTAINER, "   ", GHPKG_INVALID_ARGUMENT},
    {ME, NULL, CONTAINER, ".", GHPKG_INVALID_ARGUMENT},
    {ME, NULL, CONTAINER, "..", GHPKG_INVALID_ARGUMENT},
    {ME, NULL, CONTAINER, "a\nb", GHPKG_INVALID_ARGUMENT},
    {ME, NULL, CONTAINER, "\x1b[31mred", GHPKG_INVALID_ARGUMENT},
    {ME, NULL, CONTAINER, "del\x7f", GHPKG_INVALID_ARGUMENT},
    {ORG, "..", CONTAINER, "api/server", GHPKG_INVALID_ARGUMENT},
    {USER, "", CONTAINER, "x", GHPKG_INVALID_ARGUMENT},
    /* Not UTF-8: an overlong '/', a lone continuation byte, a cut sequence. */
    {ME, NULL, CONTAINER, "api\xc0\xafserver", GHPKG_INVALID_UTF8},
    {ME, NULL, CONTAINER, "\x80", GHPKG_INVALID_UTF8},
    {ORG, "acme\xe2\x82", CONTAINER, "x", GHPKG_INVALID_UTF8},
};

void test_hostile_names(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_version_listing *vit = NULL;
    ghpkg_version *v = NULL;
    char *rows = NULL;
    char *long_name;
    size_t i, n;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const name_case *k = &cases[i];
        ghpkg_package *pkg = NULL;
        ghpkg_error *e = NULL;
        ghpkg_status st = ghpkg_client_get_package(c, k->kind, k->owner, k->type, k->name, &pkg, &e);
        CHECK(st == k->expected, "case %zu (%s): expected %s, got %s (%s)", i, k->name,
              ghpkg_status_code(k->expected), ghpkg_status_code(st), e ? ghpkg_error_describe(e) : "-");
        if (st == GHPKG_OK)
            CHECK(str_eq(ghpkg_package_name(pkg), k->name), "case %zu: got %s", i, ghpkg_package_name(pkg));
        ghpkg_package_free(pkg);
        ghpkg_error_free(e);
        /* The same names through the other calls that take one. */
        e = NULL;
        st = ghpkg_client_list_versions(c, k->kind, k->owner, k->type, k->name, 0, &vit, &e);
        if (st == GHPKG_OK) {
            v = NULL;
            st = ghpkg_version_listing_next(vit, &v, &e);
            if (st == GHPKG_OK) ghpkg_version_free(v);
            ghpkg_version_listing_free(vit);
        }
        CHECK(st == k->expected, "versions of case %zu: %s", i, ghpkg_status_code(st));
        ghpkg_error_free(e);
    }

    /* A very long name is just not found. */
    long_name = malloc(5001);
    CHECK(long_name != NULL, "malloc");
    if (long_name != NULL) {
        memset(long_name, 'a', 5000);
        long_name[5000] = '\0';
        CHECK_STATUS(GHPKG_NOT_FOUND,
                     ghpkg_client_get_version(c, ME, NULL, CONTAINER, long_name, 1, &v, err));
        free(long_name);
    }

    /* Deleting under a hostile name deletes exactly that package's version. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_delete_version(c, ME, NULL, CONTAINER, "what?#hash", 10102, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_versions(c, ME, NULL, CONTAINER, "what?#hash", 0, &vit, err));
    n = 0;
    for (;;) {
        CHECK_STATUS(GHPKG_OK, ghpkg_version_listing_next(vit, &v, err));
        if (v == NULL) break;
        CHECK(ghpkg_version_id(v) == 10101, "only the tagged version is left");
        n++;
        ghpkg_version_free(v);
    }
    ghpkg_version_listing_free(vit);
    CHECK(n == 1, "%zu versions left", n);
    CHECK_STATUS(GHPKG_OK, ghpkg_client_restore_version(c, ME, NULL, CONTAINER, "what?#hash", 10102, err));

    /* And through the catalog, where the name travels inside JSON. */
    CHECK_STATUS(
        GHPKG_OK,
        ghpkg_client_catalog_select(
            c, "packages", "{\"package_type\":\"container\",\"package_name\":\"what?#hash\"}", &rows, err));
    CHECK(str_contains(rows, "\"id\":1010"), "catalog row: %s", rows ? rows : "(null)");
    ghpkg_string_free(rows);
    ghpkg_client_free(c);
}
