/* Every error status from a real server, with the details GitHub sends. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define ME GHPKG_OWNER_AUTHENTICATED_USER
#define ORG GHPKG_OWNER_ORG

/* Gets a package and returns the error (NULL on success). */
static ghpkg_error *get_error(ghpkg_client *c, ghpkg_owner_kind kind, const char *owner,
                              ghpkg_package_type type, const char *name, ghpkg_status expected) {
    ghpkg_package *pkg = NULL;
    ghpkg_error *e = NULL;
    ghpkg_status st = ghpkg_client_get_package(c, kind, owner, type, name, &pkg, &e);
    CHECK(st == expected, "get %s: expected %s, got %s (%s)", name, ghpkg_status_code(expected),
          ghpkg_status_code(st), e ? ghpkg_error_describe(e) : "-");
    CHECK(st == GHPKG_OK || ghpkg_error_status(e) == st, "the error carries its status");
    ghpkg_package_free(pkg);
    return e;
}

static void github_refusals(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_client *bad = test_client(&s->demo, "ghp_0000000000000000000000000000000000ff");
    ghpkg_client *ro = test_client(&s->demo, READ_ONLY_TOKEN);
    ghpkg_client *fg = test_client(&s->demo, FINE_GRAINED_TOKEN);
    ghpkg_client *hubot = test_client(&s->demo, HUBOT_TOKEN);
    ghpkg_client *actions = test_client(&s->demo, ACTIONS_TOKEN);
    ghpkg_package_listing *it = NULL;
    ghpkg_package *pkg = NULL;
    ghpkg_error *e;

    e = get_error(bad, ME, NULL, GHPKG_PACKAGE_TYPE_CONTAINER, "my app", GHPKG_AUTHENTICATION);
    CHECK(ghpkg_error_http_status(e) == 401 && str_eq(ghpkg_error_message(e), "Bad credentials"), "401: %s",
          ghpkg_error_describe(e));
    CHECK(str_contains(ghpkg_error_documentation_url(e), "docs.github.com"), "documentation_url");
    CHECK(ghpkg_error_request_id(e) != NULL && ghpkg_error_request_id(e)[0] != '\0', "request id");
    CHECK(str_contains(ghpkg_error_describe(e), ghpkg_error_request_id(e)), "description has the id");
    CHECK(!str_contains(ghpkg_error_describe(e), "ghp_0000"), "no token in errors");
    ghpkg_error_free(e);

    e = get_error(c, ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER, "no-such-package", GHPKG_NOT_FOUND);
    CHECK(ghpkg_error_http_status(e) == 404 && ghpkg_error_documentation_url(e) != NULL, "404 %s",
          ghpkg_error_describe(e));
    ghpkg_error_free(e);

    e = get_error(fg, ME, NULL, GHPKG_PACKAGE_TYPE_CONTAINER, "my app", GHPKG_PERMISSION_DENIED);
    CHECK(ghpkg_error_http_status(e) == 403 && str_contains(ghpkg_error_hint(e), "fine-grained"),
          "fine-grained hint: %s", ghpkg_error_describe(e));
    ghpkg_error_free(e);

    e = NULL;
    CHECK(ghpkg_client_delete_version(ro, ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER, "api/server", 20014,
                                      &e) == GHPKG_PERMISSION_DENIED,
          "read-only delete: %s", ghpkg_error_describe(e));
    CHECK(ghpkg_error_http_status(e) == 403 && ghpkg_error_hint(e) != NULL, "scope hint: %s",
          ghpkg_error_describe(e));
    ghpkg_error_free(e);
    CHECK_STATUS(GHPKG_PERMISSION_DENIED,
                 ghpkg_client_delete_package(hubot, ORG, "acme", GHPKG_PACKAGE_TYPE_NPM, "ui-kit", err));

    /* GitHub's rules. */
    e = NULL;
    CHECK(ghpkg_client_delete_version(c, GHPKG_OWNER_USER, "octocat", GHPKG_PACKAGE_TYPE_NPM, "hello-world",
                                      10011, &e) == GHPKG_REJECTED,
          "over 5,000 downloads");
    CHECK(ghpkg_error_http_status(e) == 400 && str_contains(ghpkg_error_message(e), "5000 downloads"), "%s",
          ghpkg_error_describe(e));
    ghpkg_error_free(e);
    CHECK_STATUS(GHPKG_REJECTED,
                 ghpkg_client_delete_package(c, ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "hello-world", err));
    CHECK_STATUS(GHPKG_REJECTED, ghpkg_client_delete_version(c, ORG, "acme", GHPKG_PACKAGE_TYPE_NPM,
                                                             "single-version", 20091, err));
    CHECK_STATUS(GHPKG_REJECTED, ghpkg_client_delete_version(c, ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER,
                                                             "only-tag", 20081, err));

    /* An Actions token cannot list packages: the error comes from next(). */
    CHECK_STATUS(GHPKG_OK,
                 ghpkg_client_list_packages(actions, ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER, 0, &it, err));
    e = NULL;
    CHECK(ghpkg_package_listing_next(it, &pkg, &e) == GHPKG_REJECTED, "actions listing");
    CHECK(str_contains(ghpkg_error_hint(e), "cannot list packages"), "hint %s", ghpkg_error_describe(e));
    ghpkg_error_free(e);
    pkg = (ghpkg_package *)&it;
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    CHECK(pkg == NULL, "a failed listing has ended");
    ghpkg_package_listing_free(it);

    ghpkg_client_free(c);
    ghpkg_client_free(bad);
    ghpkg_client_free(ro);
    ghpkg_client_free(fg);
    ghpkg_client_free(hubot);
    ghpkg_client_free(actions);
}

static void faults(suite *s) {
    ghpkg_client_options o = test_options(&s->faults, NULL);
    ghpkg_client *c = NULL, *slow = NULL;
    ghpkg_package_listing *it = NULL;
    ghpkg_package *pkg = NULL;
    ghpkg_rate_limit rl;
    ghpkg_error *e;
    ghpkg_status st;
    int guard = 0;

    o.max_rate_limit_wait_ms = 0;
    o.per_page = 1;
    o.read_ahead = 1; /* follow `next` links one by one, as GitHub's loop bug needs */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    o.timeout_ms = 300;
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &slow, err));

    e = get_error(c, ORG, "acme", GHPKG_PACKAGE_TYPE_NPM, "ui-kit", GHPKG_SERVER);
    CHECK(ghpkg_error_http_status(e) == 500, "500: %s", ghpkg_error_describe(e));
    ghpkg_error_free(e);
    e = get_error(c, ORG, "acme", GHPKG_PACKAGE_TYPE_MAVEN, "com.acme.core", GHPKG_DECODE);
    ghpkg_error_free(e);
    e = get_error(c, ORG, "acme", GHPKG_PACKAGE_TYPE_RUBYGEMS, "acme-tools", GHPKG_TRANSPORT);
    ghpkg_error_free(e);
    e = get_error(c, ORG, "acme", GHPKG_PACKAGE_TYPE_NUGET, "Acme.Sdk", GHPKG_TRANSPORT);
    ghpkg_error_free(e);

    /* A secondary limit answered 403 (GitHub's usual answer) is RATE_LIMITED,
     * not PERMISSION_DENIED, and carries its retry-after. */
    e = get_error(c, ORG, "acme", GHPKG_PACKAGE_TYPE_DOCKER, "legacy-worker", GHPKG_RATE_LIMITED);
    CHECK(ghpkg_error_retry_after_ms(e) == 42000 && ghpkg_error_http_status(e) == 403, "secondary limit: %s",
          ghpkg_error_describe(e));
    ghpkg_error_free(e);
    e = get_error(c, ORG, "acme", GHPKG_PACKAGE_TYPE_NPM, "single-version", GHPKG_RATE_LIMITED);
    memset(&rl, 0, sizeof rl);
    CHECK(ghpkg_error_rate_limit(e, &rl) && rl.remaining == 0 && rl.limit > 0 && rl.reset > 0,
          "primary limit snapshot");
    CHECK(!ghpkg_error_rate_limit(e, NULL), "NULL out");
    CHECK(ghpkg_error_retry_after_ms(e) > 60000, "retry after %lld ms",
          (long long)ghpkg_error_retry_after_ms(e));
    ghpkg_error_free(e);

    e = get_error(slow, ORG, "acme", GHPKG_PACKAGE_TYPE_CONTAINER, "only-tag", GHPKG_TIMEOUT);
    ghpkg_error_free(e);

    /* A `next` link that loops back is an error, not a hang. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_packages(c, GHPKG_OWNER_USER, "octocat", GHPKG_PACKAGE_TYPE_NPM,
                                                      0, &it, err));
    do {
        e = NULL;
        st = ghpkg_package_listing_next(it, &pkg, &e);
        if (st == GHPKG_OK) ghpkg_package_free(pkg);
    } while (st == GHPKG_OK && pkg != NULL && ++guard < 100);
    CHECK(st == GHPKG_DECODE, "link loop: %s (%s)", ghpkg_status_code(st), ghpkg_error_describe(e));
    ghpkg_error_free(e);
    ghpkg_package_listing_free(it);
    ghpkg_client_free(c);
    ghpkg_client_free(slow);
}

static void refused_connection(void) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char url[64];
    emulator nowhere;
    ghpkg_client *c;
    ghpkg_error *e;

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* A port that was free a moment ago and has no listener now. */
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
              getsockname(fd, (struct sockaddr *)&addr, &len) == 0,
          "socket");
    close(fd);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)ntohs(addr.sin_port));
    memset(&nowhere, 0, sizeof nowhere);
    strcpy(nowhere.url, url);
    strcpy(nowhere.token, "ghp_x");
    c = test_client(&nowhere, NULL);
    e = get_error(c, ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "x", GHPKG_TRANSPORT);
    CHECK(ghpkg_error_http_status(e) == 0, "no response, no status");
    ghpkg_error_free(e);
    ghpkg_client_free(c);
}

static void limited_fixture(suite *s) {
    ghpkg_client_options o = test_options(&s->limited, "ghp_limitedlimitedlimitedlimitedlimited0");
    ghpkg_client *c = test_client(&s->limited, NULL);
    ghpkg_client *limited = NULL;
    ghpkg_package_listing *it = NULL;
    ghpkg_package *pkg = NULL;
    ghpkg_error *e = NULL;
    ghpkg_rate_limit rl;

    /* A name with a NUL byte cannot become a C string: DECODE, then the end. */
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_packages(c, GHPKG_OWNER_USER, "mallory", GHPKG_PACKAGE_TYPE_NPM,
                                                      0, &it, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_package_listing_next(it, &pkg, err));
    CHECK(str_eq(ghpkg_package_name(pkg), "fine"), "first package %s", ghpkg_package_name(pkg));
    ghpkg_package_free(pkg);
    CHECK(ghpkg_package_listing_next(it, &pkg, &e) == GHPKG_DECODE, "NUL in a name");
    CHECK(str_contains(ghpkg_error_message(e), "NUL byte"), "%s", ghpkg_error_describe(e));
    ghpkg_error_free(e);
    ghpkg_package_listing_free(it);
    ghpkg_error_free(
        get_error(c, GHPKG_OWNER_USER, "mallory", GHPKG_PACKAGE_TYPE_NPM, "nul", GHPKG_NOT_FOUND));

    /* A primary limit of two requests an hour, not waited out. */
    o.max_rate_limit_wait_ms = 0;
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &limited, err));
    ghpkg_error_free(get_error(limited, ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "fine", GHPKG_OK));
    ghpkg_error_free(get_error(limited, ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "fine", GHPKG_OK));
    e = get_error(limited, ME, NULL, GHPKG_PACKAGE_TYPE_NPM, "fine", GHPKG_RATE_LIMITED);
    CHECK(ghpkg_error_rate_limit(e, &rl) && rl.limit == 2 && rl.remaining == 0, "limit of two");
    CHECK(ghpkg_error_http_status(e) == 403 || ghpkg_error_http_status(e) == 429, "%s",
          ghpkg_error_describe(e));
    ghpkg_error_free(e);
    ghpkg_client_free(limited);
    ghpkg_client_free(c);
}

void test_errors(suite *s) {
    github_refusals(s);
    faults(s);
    refused_connection();
    limited_fixture(s);
}
