/* Every operation against the demo emulator, through every accessor. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define C_TYPE GHPKG_PACKAGE_TYPE_CONTAINER
#define ORG GHPKG_OWNER_ORG
#define ME GHPKG_OWNER_AUTHENTICATED_USER
/* 2024-01-01T00:00:00Z, the origin of the demo dataset's timestamps. */
#define DEMO_EPOCH 1704067200LL

static size_t count_of(const char *haystack, const char *needle) {
    size_t n = 0;
    const char *p = haystack;
    while (p != NULL && (p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static void environment(suite *s) {
    ghpkg_client *c = NULL;
    ghpkg_package *pkg = NULL;
    ghpkg_client_options o = ghpkg_client_options_default();

    /* Before any ghpkg call has started the runtime's threads. */
    setenv("GITHUB_API_URL", s->demo.url, 1);
    setenv("GITHUB_TOKEN", s->demo.token, 1);
    CHECK_STATUS(GHPKG_OK, ghpkg_client_from_env(&c, err));
    CHECK(str_eq(ghpkg_client_base_url(c), s->demo.url), "%s", ghpkg_client_base_url(c));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package(c, ME, NULL, C_TYPE, "hello-container", &pkg, err));
    ghpkg_package_free(pkg);
    ghpkg_client_free(c);
    /* Explicit options win; the environment fills what is unset (the base URL here). */
    CHECK(o.use_env && o.struct_size == sizeof o, "the defaults read the environment");
    o.token = "ghp_notAValidTokenForTheEmulator000000000";
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    CHECK(str_eq(ghpkg_client_base_url(c), s->demo.url), "GITHUB_API_URL fills the base URL");
    CHECK_STATUS(GHPKG_AUTHENTICATION, ghpkg_client_get_package(c, ME, NULL, C_TYPE, "x", &pkg, err));
    ghpkg_client_free(c);
    /* anonymous ignores the token of the environment; use_env = false reads nothing. */
    o = ghpkg_client_options_default();
    o.anonymous = true;
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    CHECK_STATUS(GHPKG_AUTHENTICATION, ghpkg_client_get_package(c, ME, NULL, C_TYPE, "x", &pkg, err));
    ghpkg_client_free(c);
    o = ghpkg_client_options_default();
    o.use_env = false;
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    CHECK(str_eq(ghpkg_client_base_url(c), "https://api.github.com"), "nothing read");
    ghpkg_client_free(c);
    /* The core's messages for credential rules. */
    o = ghpkg_client_options_default();
    o.anonymous = true;
    o.token = "ghp_x";
    {
        ghpkg_error *e = NULL;
        CHECK(ghpkg_client_new(&o, &c, &e) == GHPKG_INVALID_ARGUMENT, "anonymous with a token");
        CHECK(strstr(ghpkg_error_message(e), "anonymous cannot be combined") != NULL, "%s",
              ghpkg_error_message(e));
        ghpkg_error_free(e);
    }
    /* A struct_size not set by ghpkg_client_options_default() is refused. */
    o = ghpkg_client_options_default();
    o.struct_size = 8;
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    unsetenv("GITHUB_API_URL");
    unsetenv("GITHUB_TOKEN");
    /* HTTP Basic with the token as password, StackQL's scheme. */
    o = test_options(&s->demo, NULL);
    o.username = "octocat";
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package(c, ME, NULL, C_TYPE, "hello-container", &pkg, err));
    ghpkg_package_free(pkg);
    ghpkg_client_free(c);
}

static void scopes(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_client *ro = test_client(&s->demo, READ_ONLY_TOKEN);
    ghpkg_client *fg = test_client(&s->demo, FINE_GRAINED_TOKEN);
    ghpkg_scopes *sc = NULL;
    size_t i;
    bool has_delete = false;

    CHECK_STATUS(GHPKG_OK, ghpkg_client_scopes(c, &sc, err));
    CHECK(str_eq(ghpkg_scopes_token_kind(sc), "classic"), "%s", ghpkg_scopes_token_kind(sc));
    CHECK(ghpkg_scopes_reported(sc) && ghpkg_scopes_scope_count(sc) == 4, "four scopes");
    for (i = 0; i < ghpkg_scopes_scope_count(sc); i++)
        has_delete |= str_eq(ghpkg_scopes_scope(sc, i), "delete:packages");
    CHECK(has_delete, "delete:packages listed");
    CHECK(ghpkg_scopes_scope(sc, 4) == NULL, "out of range scope");
    CHECK(ghpkg_scopes_can_read(sc) && ghpkg_scopes_can_delete(sc) && ghpkg_scopes_can_restore(sc) &&
              ghpkg_scopes_has_repo(sc) && ghpkg_scopes_problem(sc) == NULL,
          "demo token can do everything");
    ghpkg_scopes_free(sc);

    CHECK_STATUS(GHPKG_OK, ghpkg_client_scopes(ro, &sc, err));
    CHECK(ghpkg_scopes_can_read(sc) && !ghpkg_scopes_can_delete(sc) && !ghpkg_scopes_can_restore(sc),
          "read-only token");
    ghpkg_scopes_free(sc);

    CHECK_STATUS(GHPKG_OK, ghpkg_client_scopes(fg, &sc, err));
    CHECK(str_eq(ghpkg_scopes_token_kind(sc), "fine_grained"), "%s", ghpkg_scopes_token_kind(sc));
    CHECK(!ghpkg_scopes_can_read(sc) && !ghpkg_scopes_reported(sc), "fine-grained refused");
    CHECK(str_contains(ghpkg_scopes_problem(sc), "classic"), "problem: %s", ghpkg_scopes_problem(sc));
    ghpkg_scopes_free(sc);
    ghpkg_client_free(c);
    ghpkg_client_free(ro);
    ghpkg_client_free(fg);
}

static void listing_packages(suite *s) {
    ghpkg_client_options o = test_options(&s->demo, NULL);
    ghpkg_client *c = NULL;
    ghpkg_package_listing *it = NULL;
    ghpkg_package *pkg = NULL;
    ghpkg_rate_limit rl;
    size_t total = 0, pub = 0, priv = 0, n = 0;
    bool saw_api = false, ordered = true;
    uint64_t last_id = 0;

    o.per_page = 50; /* 264 packages: six pages, read ahead */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_list_packages(c, ORG, "acme", C_TYPE, GHPKG_VISIBILITY_ANY, &it, err));
    CHECK(!ghpkg_client_rate_limit(c, &rl), "a listing sent a request before the first next");
    for (;;) {
        ghpkg_status st = ghpkg_package_listing_next(it, &pkg, NULL);
        if (st != GHPKG_OK) {
            CHECK(0, "listing failed with %s", ghpkg_status_code(st));
            break;
        }
        if (pkg == NULL) break;
        total++;
        ordered &= ghpkg_package_id(pkg) > last_id;
        last_id = ghpkg_package_id(pkg);
        CHECK(ghpkg_package_package_type(pkg) == C_TYPE, "type");
        CHECK(str_eq(ghpkg_package_owner_login(pkg), "acme"), "owner");
        if (str_eq(ghpkg_package_name(pkg), "api/server")) saw_api = true;
        ghpkg_package_free(pkg);
    }
    /* The end is sticky. */
    pkg = (ghpkg_package *)&n;
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    CHECK(pkg == NULL, "next after the end gives NULL");
    CHECK(!ghpkg_package_listing_reached_paging_limit(it), "264 packages are below the paging limit");
    ghpkg_package_listing_free(it);
    CHECK(total == 264, "acme has 264 container packages, listed %zu", total);
    CHECK(saw_api && ordered, "api/server listed, ids ascending");
    CHECK(ghpkg_client_rate_limit(c, &rl) && rl.limit == 5000 && rl.remaining < 5000 && rl.reset > 0,
          "rate-limit snapshot after the listing");

    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_list_packages(c, ORG, "acme", C_TYPE, GHPKG_VISIBILITY_PUBLIC, &it, err));
    CHECK_STATUS(GHPKG_OK, drain_packages(it, &pub, err));
    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_list_packages(c, ORG, "acme", C_TYPE, GHPKG_VISIBILITY_PRIVATE, &it, err));
    CHECK_STATUS(GHPKG_OK, drain_packages(it, &priv, err));
    CHECK(pub + priv == total && priv == 54, "public %zu + private %zu", pub, priv);

    /* A listing freed before its end, with pages in flight. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_packages(c, ORG, "acme", C_TYPE, 0, &it, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    ghpkg_package_free(pkg);
    ghpkg_package_listing_free(it);

    /* Docker migration conflicts for each kind of owner. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_docker_conflicts(c, ORG, "acme", &it, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    CHECK(str_eq(ghpkg_package_name(pkg), "legacy-api") &&
              ghpkg_package_package_type(pkg) == GHPKG_PACKAGE_TYPE_DOCKER,
          "acme's conflict");
    ghpkg_package_free(pkg);
    ghpkg_package_listing_free(it);
    CHECK_STATUS(GHPKG_OK, ghpkg_client_docker_conflicts(c, ME, NULL, &it, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    CHECK(str_eq(ghpkg_package_name(pkg), "octo-image"), "octocat's conflict");
    ghpkg_package_free(pkg);
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    CHECK(pkg == NULL, "one conflict");
    ghpkg_package_listing_free(it);
    CHECK_STATUS(GHPKG_OK, ghpkg_client_docker_conflicts(c, GHPKG_OWNER_USER, "octocat", &it, err));
    CHECK_STATUS(GHPKG_OK, drain_packages(it, &n, err));
    CHECK(n == 1, "octocat's conflicts as a user: %zu", n);

    /* Another user's public packages. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_packages(c, GHPKG_OWNER_USER, "octocat", GHPKG_PACKAGE_TYPE_NPM,
                                                      0, &it, err));
    CHECK_STATUS(GHPKG_OK, drain_packages(it, &n, err));
    CHECK(n == 2, "octocat's live npm packages: %zu", n);
    ghpkg_client_free(c);
}

static void package_fields(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_package *pkg = NULL;
    const char *json;

    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package(c, ORG, "acme", C_TYPE, "api/server", &pkg, err));
    CHECK(ghpkg_package_id(pkg) == 2001, "id %llu", (unsigned long long)ghpkg_package_id(pkg));
    CHECK(str_eq(ghpkg_package_name(pkg), "api/server"), "name");
    CHECK(ghpkg_package_package_type(pkg) == C_TYPE, "type");
    CHECK(ghpkg_package_visibility(pkg) == GHPKG_VISIBILITY_PRIVATE, "visibility");
    CHECK(str_contains(ghpkg_package_url(pkg), "/orgs/acme/packages/container/api%2Fserver"), "url %s",
          ghpkg_package_url(pkg));
    CHECK(str_contains(ghpkg_package_html_url(pkg), "api"), "html_url %s", ghpkg_package_html_url(pkg));
    CHECK(ghpkg_package_version_count(pkg) == 19, "version_count %llu",
          (unsigned long long)ghpkg_package_version_count(pkg));
    CHECK(ghpkg_package_created_at(pkg) == DEMO_EPOCH + 101 * 3600, "created_at %lld",
          (long long)ghpkg_package_created_at(pkg));
    CHECK(ghpkg_package_updated_at(pkg) >= ghpkg_package_created_at(pkg), "updated_at");
    CHECK(str_eq(ghpkg_package_owner_login(pkg), "acme") && ghpkg_package_owner_id(pkg) == 100 &&
              str_eq(ghpkg_package_owner_type(pkg), "Organization") &&
              str_contains(ghpkg_package_owner_html_url(pkg), "acme"),
          "owner");
    CHECK(str_eq(ghpkg_package_repository_full_name(pkg), "acme/api") &&
              str_eq(ghpkg_package_repository_name(pkg), "api") && ghpkg_package_repository_id(pkg) != 0 &&
              str_contains(ghpkg_package_repository_html_url(pkg), "acme/api"),
          "repository %s", ghpkg_package_repository_full_name(pkg));
    (void)ghpkg_package_repository_private(pkg);
    json = ghpkg_package_json(pkg);
    CHECK(str_contains(json, "\"id\":2001") && str_contains(json, "\"name\":\"api/server\""), "json %s",
          json);
    CHECK(json == ghpkg_package_json(pkg), "the JSON string is made once");
    ghpkg_package_free(pkg);

    /* A package without a repository. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package(c, ME, NULL, C_TYPE, "my app", &pkg, err));
    CHECK(ghpkg_package_repository_full_name(pkg) == NULL && ghpkg_package_repository_id(pkg) == 0,
          "no repository");
    CHECK(str_eq(ghpkg_package_owner_login(pkg), "octocat") && ghpkg_package_owner_id(pkg) == 1, "me");
    ghpkg_package_free(pkg);
    ghpkg_client_free(c);
}

static void versions(suite *s) {
    ghpkg_client_options o = test_options(&s->demo, NULL);
    ghpkg_client *c = NULL;
    ghpkg_version_listing *it = NULL;
    ghpkg_version *v = NULL;
    static const uint64_t expected[] = {5000000001ULL, 200121, 200120, 20019,  20014, 20013, 20012,
                                        200160,        200151, 200150, 200140, 20018, 20015, 200134,
                                        200133,        200132, 200131, 200130, 20016};
    const size_t total = sizeof expected / sizeof expected[0];
    size_t n = 0;

    o.per_page = 2;
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_versions(c, ORG, "acme", C_TYPE, "api/server",
                                                      GHPKG_VERSION_STATE_DEFAULT, &it, err));
    for (;;) {
        CHECK_STATUS(GHPKG_OK, ghpkg_version_listing_next(it, &v, err));
        if (v == NULL) break;
        CHECK(n < total && ghpkg_version_id(v) == expected[n], "version %zu is %llu", n,
              (unsigned long long)ghpkg_version_id(v));
        if (ghpkg_version_id(v) == 5000000001ULL) {
            CHECK(ghpkg_version_tag_count(v) == 2 && str_eq(ghpkg_version_tag(v, 0), "latest") &&
                      str_eq(ghpkg_version_tag(v, 1), "1.2.0") && ghpkg_version_tag(v, 2) == NULL &&
                      !ghpkg_version_is_untagged(v),
                  "the index's tags");
            CHECK(str_contains(ghpkg_version_description(v), "Multi-arch"), "description");
        }
        if (ghpkg_version_id(v) == 20012)
            CHECK(ghpkg_version_is_untagged(v) && ghpkg_version_tag_count(v) == 0, "untagged child");
        n++;
        ghpkg_version_free(v);
    }
    CHECK(!ghpkg_version_listing_reached_paging_limit(it), "19 versions are below the paging limit");
    ghpkg_version_listing_free(it);
    CHECK(n == total, "19 active versions, got %zu", n);

    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_get_version(c, ORG, "acme", C_TYPE, "api/server", 5000000001ULL, &v, err));
    CHECK(ghpkg_version_id(v) == 5000000001ULL, "a 64-bit id survives");
    CHECK(strncmp(ghpkg_version_name(v), "sha256:", 7) == 0 && strlen(ghpkg_version_name(v)) == 71,
          "digest name %s", ghpkg_version_name(v));
    CHECK(ghpkg_version_package_type(v) == C_TYPE, "metadata type");
    CHECK(str_contains(ghpkg_version_url(v), "/versions/5000000001"), "url %s", ghpkg_version_url(v));
    CHECK(str_contains(ghpkg_version_package_html_url(v), "api"), "package_html_url");
    CHECK(ghpkg_version_created_at(v) == DEMO_EPOCH + 400 * 3600, "created_at %lld",
          (long long)ghpkg_version_created_at(v));
    CHECK(ghpkg_version_updated_at(v) >= ghpkg_version_created_at(v), "updated_at");
    CHECK(ghpkg_version_deleted_at(v) == 0, "not deleted");
    CHECK(str_contains(ghpkg_version_json(v), "\"id\":5000000001"), "json %s", ghpkg_version_json(v));
    (void)ghpkg_version_html_url(v);
    ghpkg_version_free(v);

    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_version(c, GHPKG_OWNER_USER, "octocat", GHPKG_PACKAGE_TYPE_NPM,
                                                    "hello-world", 10011, &v, err));
    CHECK(str_eq(ghpkg_version_name(v), "1.0.0") && str_eq(ghpkg_version_license(v), "MIT") &&
              str_eq(ghpkg_version_description(v), "The first release") &&
              ghpkg_version_package_type(v) == GHPKG_PACKAGE_TYPE_NPM && ghpkg_version_tag_count(v) == 0,
          "npm version fields");
    ghpkg_version_free(v);
    ghpkg_client_free(c);
}

static void delete_and_restore(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_version_listing *it = NULL;
    ghpkg_version *v = NULL;
    ghpkg_package *pkg = NULL;
    bool listed = false;

    /* A version: gone, listed as deleted, restored. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_delete_version(c, ORG, "acme", C_TYPE, "api/server", 20012, err));
    CHECK_STATUS(GHPKG_NOT_FOUND,
                 ghpkg_client_get_version(c, ORG, "acme", C_TYPE, "api/server", 20012, &v, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_versions(c, ORG, "acme", C_TYPE, "api/server",
                                                      GHPKG_VERSION_STATE_DELETED, &it, err));
    for (;;) {
        CHECK_STATUS(GHPKG_OK, ghpkg_version_listing_next(it, &v, err));
        if (v == NULL) break;
        if (ghpkg_version_id(v) == 20012) listed = ghpkg_version_deleted_at(v) > 0;
        ghpkg_version_free(v);
    }
    ghpkg_version_listing_free(it);
    CHECK(listed, "the deleted version is listed with deleted_at");
    CHECK_STATUS(GHPKG_OK, ghpkg_client_restore_version(c, ORG, "acme", C_TYPE, "api/server", 20012, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_version(c, ORG, "acme", C_TYPE, "api/server", 20012, &v, err));
    ghpkg_version_free(v);

    /* A whole package of the authenticated user, restored with a token. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_delete_package(c, ME, NULL, C_TYPE, "hello-container", err));
    CHECK_STATUS(GHPKG_NOT_FOUND,
                 ghpkg_client_get_package(c, ME, NULL, C_TYPE, "hello-container", &pkg, err));
    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_restore_package(c, ME, NULL, C_TYPE, "hello-container", "registry-token", err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_package(c, ME, NULL, C_TYPE, "hello-container", &pkg, err));
    ghpkg_package_free(pkg);
    /* As a user-scoped call, without a token. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_delete_package(c, GHPKG_OWNER_USER, "octocat", GHPKG_PACKAGE_TYPE_NPM,
                                                       "100%-pure", err));
    CHECK_STATUS(GHPKG_OK, ghpkg_client_restore_package(c, GHPKG_OWNER_USER, "octocat",
                                                        GHPKG_PACKAGE_TYPE_NPM, "100%-pure", NULL, err));
    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_delete_version(c, ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "100%-pure", 10092, err));
    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_restore_version(c, ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "100%-pure", 10092, err));
    ghpkg_client_free(c);
}

/* Writes a fixture with org `big` holding `n` container packages and a
 * classic token with room for every page; false if it cannot be written. */
static bool write_big_fixture(const char *path, size_t n) {
    FILE *f = fopen(path, "w");
    size_t i;
    if (f == NULL) return false;
    fputs("{\"users\": [{\"login\": \"octocat\", \"id\": 1}],\n"
          " \"orgs\": [{\"login\": \"big\", \"id\": 7, \"admins\": [\"octocat\"]}],\n"
          " \"tokens\": [{\"token\": \"ghp_bigbigbigbigbigbigbigbigbigbigbigbig\", "
          "\"user\": \"octocat\", \"kind\": \"classic\", \"scopes\": [\"read:packages\"], "
          "\"rate_limit\": 1000000}],\n"
          " \"packages\": [\n",
          f);
    for (i = 0; i < n; i++)
        fprintf(f,
                "  {\"owner\": \"big\", \"name\": \"pkg-%05zu\", \"package_type\": \"container\", "
                "\"versions\": [{\"name\": \"sha256:%064zx\", \"tags\": [\"v1\"]}]}%s\n",
                i, i, i + 1 < n ? "," : "");
    fputs(" ]}\n", f);
    return fclose(f) == 0;
}

/* A listing of more than 10,000 items stops at GitHub's paging limit and
 * says so once it has ended. */
static void paging_limit(suite *s) {
    char dir[] = "/tmp/ghpkg-c-big.XXXXXX";
    char path[sizeof dir + 32];
    const char *args[] = {"--fixture", path, "--secondary-points-per-minute", "1000000000", NULL};
    emulator big;
    ghpkg_client *c = NULL;
    ghpkg_package_listing *it = NULL;
    ghpkg_package *pkg = NULL;
    size_t n = 0;

    (void)s;
    if (mkdtemp(dir) == NULL) {
        CHECK(0, "cannot make a directory for the big fixture");
        return;
    }
    snprintf(path, sizeof path, "%s/big.json", dir);
    if (!write_big_fixture(path, 10050)) {
        CHECK(0, "cannot write %s", path);
        rmdir(dir);
        return;
    }
    emu_start(&big, getenv("GHPKG_EMULATOR"), args);
    c = test_client(&big, NULL);
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_packages(c, ORG, "big", C_TYPE, GHPKG_VISIBILITY_ANY, &it, err));
    CHECK(!ghpkg_package_listing_reached_paging_limit(it), "nothing walked yet");
    for (;;) {
        ghpkg_status st = ghpkg_package_listing_next(it, &pkg, NULL);
        if (st != GHPKG_OK) {
            CHECK(0, "listing failed with %s", ghpkg_status_code(st));
            break;
        }
        if (pkg == NULL) break;
        n++;
        ghpkg_package_free(pkg);
    }
    CHECK(n == 10000, "the listing stops at 10,000 packages, listed %zu", n);
    CHECK(ghpkg_package_listing_reached_paging_limit(it), "the listing reached the paging limit");
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    CHECK(pkg == NULL && ghpkg_package_listing_reached_paging_limit(it), "and keeps saying so");
    ghpkg_package_listing_free(it);
    ghpkg_client_free(c);
    emu_stop(&big);
    unlink(path);
    rmdir(dir);
}

void test_operations(suite *s) {
    environment(s);
    scopes(s);
    listing_packages(s);
    paging_limit(s);
    package_fields(s);
    versions(s);
    delete_and_restore(s);
}

void test_catalog(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_version *v = NULL;
    char *rows = NULL;

    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_catalog_select(
                     c, "packages",
                     "{\"org\":\"acme\",\"package_type\":\"container\",\"package_name\":\"api/server\"}",
                     &rows, err));
    CHECK(rows != NULL && rows[0] == '[' && count_of(rows, "\"version_count\":") == 1 &&
              str_contains(rows, "\"id\":2001"),
          "one row: %s", rows ? rows : "(null)");
    ghpkg_string_free(rows);
    rows = NULL;

    /* A listing filtered by a field. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_catalog_select(
                               c, "github.packages.packages",
                               "{\"org\":\"acme\",\"package_type\":\"container\",\"visibility\":\"private\","
                               "\"name\":\"service-005\"}",
                               &rows, err));
    CHECK(count_of(rows, "\"version_count\":") == 1 && str_contains(rows, "service-005"), "filtered: %s",
          rows ? rows : "(null)");
    ghpkg_string_free(rows);
    rows = NULL;

    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_catalog_select(
                     c, "package_versions",
                     "{\"org\":\"acme\",\"package_type\":\"container\",\"package_name\":\"api/server\"}",
                     &rows, err));
    CHECK(count_of(rows, "\"package_html_url\":") == 19, "19 versions: %s", rows ? rows : "(null)");
    ghpkg_string_free(rows);
    rows = NULL;

    /* NULL params are {}: the authenticated user's docker conflicts. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_catalog_select(c, "docker_migration_packages", NULL, &rows, err));
    CHECK(str_contains(rows, "octo-image"), "conflicts: %s", rows ? rows : "(null)");
    ghpkg_string_free(rows);
    rows = NULL;

    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_catalog_delete(
                     c, "package_versions",
                     "{\"org\":\"acme\",\"package_type\":\"container\",\"package_name\":\"api/server\","
                     "\"package_version_id\":20013}",
                     err));
    CHECK_STATUS(GHPKG_NOT_FOUND,
                 ghpkg_client_get_version(c, ORG, "acme", C_TYPE, "api/server", 20013, &v, err));
    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_catalog_exec(
                     c, "package_versions", "restore_package_version_for_org",
                     "{\"org\":\"acme\",\"package_type\":\"container\",\"package_name\":\"api/server\","
                     "\"package_version_id\":\"20013\"}",
                     &rows, err));
    CHECK(str_eq(rows, "[]"), "exec of a restore returns []: %s", rows ? rows : "(null)");
    ghpkg_string_free(rows);
    CHECK_STATUS(GHPKG_OK, ghpkg_client_get_version(c, ORG, "acme", C_TYPE, "api/server", 20013, &v, err));
    ghpkg_version_free(v);

    /* A delete never filters; errors come back as statuses. */
    CHECK_STATUS(
        GHPKG_INVALID_ARGUMENT,
        ghpkg_client_catalog_delete(c, "packages", "{\"org\":\"acme\",\"package_type\":\"npm\"}", err));
    CHECK_STATUS(GHPKG_NOT_FOUND,
                 ghpkg_client_catalog_select(
                     c, "packages", "{\"org\":\"acme\",\"package_type\":\"npm\",\"package_name\":\"nope\"}",
                     &rows, err));
    ghpkg_client_free(c);
}
