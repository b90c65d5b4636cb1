/* The status table, and argument checking: NULL pointers, invalid UTF-8,
 * unknown enum values and bad options give a status, never a crash, and
 * never touch an out-param or send a request. */
#include <string.h>

#include "harness.h"

/* A pointer value the library must never write over or dereference. */
#define SENTINEL ((void *)0x5EA1)

void test_status_table(suite *s) {
    static const struct {
        ghpkg_status status;
        const char *code;
    } table[] = {
        {GHPKG_OK, "OK"},
        {GHPKG_INVALID_ARGUMENT, "INVALID_ARGUMENT"},
        {GHPKG_AUTHENTICATION, "AUTHENTICATION"},
        {GHPKG_PERMISSION_DENIED, "PERMISSION_DENIED"},
        {GHPKG_NOT_FOUND, "NOT_FOUND"},
        {GHPKG_REJECTED, "REJECTED"},
        {GHPKG_RATE_LIMITED, "RATE_LIMITED"},
        {GHPKG_SERVER, "SERVER"},
        {GHPKG_TIMEOUT, "TIMEOUT"},
        {GHPKG_TRANSPORT, "TRANSPORT"},
        {GHPKG_DECODE, "DECODE"},
        {GHPKG_CLOSED, "CLOSED"},
        {GHPKG_NULL_ARGUMENT, "NULL_ARGUMENT"},
        {GHPKG_INVALID_UTF8, "INVALID_UTF8"},
        {GHPKG_PANIC, "PANIC"},
        {GHPKG_RUNTIME, "RUNTIME"},
        {GHPKG_CANCELLED, "CANCELLED"},
        {GHPKG_PENDING, "PENDING"},
    };
    static const ghpkg_status unknown[] = {12, 99, 106, 0xFFFFFFFFu};
    size_t i;
    (void)s;
    /* The kinds are numbered 1..11 in the core's order. */
    for (i = 1; i <= 11; i++) CHECK(table[i].status == i, "kind %zu out of order", i);
    /* Retryable: the core's four kinds, nothing else. */
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        ghpkg_status st = table[i].status;
        bool want =
            st == GHPKG_RATE_LIMITED || st == GHPKG_SERVER || st == GHPKG_TIMEOUT || st == GHPKG_TRANSPORT;
        CHECK(ghpkg_status_is_retryable(st) == want, "retryable %s", table[i].code);
    }
    CHECK(!ghpkg_status_is_retryable(0xFFFFFFFFu), "an unknown status is not retryable");
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *desc = ghpkg_status_describe(table[i].status);
        CHECK(str_eq(ghpkg_status_code(table[i].status), table[i].code), "code of %u: %s", table[i].status,
              ghpkg_status_code(table[i].status));
        CHECK(desc != NULL && desc[0] != '\0' && !str_eq(desc, "unknown status"), "description of %u",
              table[i].status);
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK(str_eq(ghpkg_status_code(unknown[i]), "UNKNOWN"), "status %u", unknown[i]);
        CHECK(str_eq(ghpkg_status_describe(unknown[i]), "unknown status"), "%u", unknown[i]);
    }
    CHECK(str_eq(ghpkg_library_version(), GHPKG_EXPECTED_VERSION), "version %s", ghpkg_library_version());
}

/* Every accessor and free function accepts NULL. */
static void null_handles(void) {
    ghpkg_rate_limit rl;
    memset(&rl, 0, sizeof rl);
    CHECK(ghpkg_package_id(NULL) == 0 && ghpkg_package_name(NULL) == NULL, "package NULL");
    CHECK(ghpkg_package_package_type(NULL) == 0 && ghpkg_package_visibility(NULL) == 0, "pkg");
    CHECK(ghpkg_package_url(NULL) == NULL && ghpkg_package_html_url(NULL) == NULL, "pkg urls");
    CHECK(ghpkg_package_version_count(NULL) == 0 && ghpkg_package_created_at(NULL) == 0, "pkg");
    CHECK(ghpkg_package_updated_at(NULL) == 0 && ghpkg_package_owner_login(NULL) == NULL, "pkg");
    CHECK(ghpkg_package_owner_id(NULL) == 0 && ghpkg_package_owner_type(NULL) == NULL, "pkg");
    CHECK(ghpkg_package_owner_html_url(NULL) == NULL && ghpkg_package_repository_id(NULL) == 0, "pkg");
    CHECK(ghpkg_package_repository_name(NULL) == NULL && ghpkg_package_repository_full_name(NULL) == NULL &&
              ghpkg_package_repository_html_url(NULL) == NULL && !ghpkg_package_repository_private(NULL) &&
              ghpkg_package_json(NULL) == NULL,
          "package repository NULL");
    CHECK(ghpkg_version_id(NULL) == 0 && ghpkg_version_name(NULL) == NULL &&
              ghpkg_version_url(NULL) == NULL && ghpkg_version_package_html_url(NULL) == NULL &&
              ghpkg_version_html_url(NULL) == NULL && ghpkg_version_license(NULL) == NULL &&
              ghpkg_version_description(NULL) == NULL && ghpkg_version_created_at(NULL) == 0 &&
              ghpkg_version_updated_at(NULL) == 0 && ghpkg_version_deleted_at(NULL) == 0 &&
              ghpkg_version_package_type(NULL) == 0 && ghpkg_version_tag_count(NULL) == 0 &&
              ghpkg_version_tag(NULL, 0) == NULL && !ghpkg_version_is_untagged(NULL) &&
              ghpkg_version_json(NULL) == NULL,
          "version NULL");
    CHECK(ghpkg_scopes_token_kind(NULL) == NULL && !ghpkg_scopes_reported(NULL) &&
              ghpkg_scopes_scope_count(NULL) == 0 && ghpkg_scopes_scope(NULL, 0) == NULL &&
              !ghpkg_scopes_can_read(NULL) && !ghpkg_scopes_can_delete(NULL) &&
              !ghpkg_scopes_can_restore(NULL) && !ghpkg_scopes_has_repo(NULL) &&
              ghpkg_scopes_problem(NULL) == NULL,
          "scopes NULL");
    CHECK(ghpkg_error_status(NULL) == GHPKG_NULL_ARGUMENT && ghpkg_error_message(NULL) == NULL &&
              ghpkg_error_describe(NULL) == NULL && ghpkg_error_http_status(NULL) == 0 &&
              ghpkg_error_documentation_url(NULL) == NULL && ghpkg_error_request_id(NULL) == NULL &&
              ghpkg_error_hint(NULL) == NULL && ghpkg_error_retry_after_ms(NULL) == -1 &&
              !ghpkg_error_rate_limit(NULL, &rl),
          "error NULL");
    CHECK(ghpkg_client_base_url(NULL) == NULL && !ghpkg_client_rate_limit(NULL, &rl), "client");
    CHECK(!ghpkg_package_listing_reached_paging_limit(NULL) &&
              !ghpkg_version_listing_reached_paging_limit(NULL),
          "listing NULL");
    ghpkg_client_free(NULL);
    ghpkg_error_free(NULL);
    ghpkg_package_free(NULL);
    ghpkg_version_free(NULL);
    ghpkg_package_listing_free(NULL);
    ghpkg_version_listing_free(NULL);
    ghpkg_scopes_free(NULL);
    ghpkg_string_free(NULL);
}

static void client_options(suite *s) {
    ghpkg_client_options o = ghpkg_client_options_default();
    ghpkg_client *c = SENTINEL;
    ghpkg_error *e = NULL;

    CHECK(o.token == NULL && o.base_url == NULL && o.max_retries == 3 && o.per_page == 100 &&
              o.read_ahead == 4 && o.timeout_ms == 30000 && o.connect_timeout_ms == 10000 &&
              o.retry_backoff_ms == 250 && o.max_rate_limit_wait_ms == 120000 && o.use_env && !o.anonymous &&
              !o.allow_insecure_http && o.struct_size == sizeof o,
          "option defaults");
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_new(NULL, &c, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_new(&o, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_from_env(NULL, err));
    /* Without an error out-param the status still tells. */
    CHECK(ghpkg_client_new(NULL, &c, NULL) == GHPKG_NULL_ARGUMENT, "no err_out");

    o = test_options(&s->demo, "bad\xff token");
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_new(&o, &c, err));
    o = test_options(&s->demo, NULL);
    o.base_url = "http://127.0.0.1:1/\xc3\x28";
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_new(&o, &c, err));
    o = test_options(&s->demo, NULL);
    o.user_agent = "\xed\xa0\x80"; /* an encoded surrogate is not UTF-8 */
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_new(&o, &c, err));
    o = test_options(&s->demo, NULL);
    o.username = "\x80";
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_new(&o, &c, err));

    o = test_options(&s->demo, "");
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    o = test_options(&s->demo, "ghp_with\nnewline");
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    o = test_options(&s->demo, NULL);
    o.token = NULL;
    o.username = "octocat";
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    o = test_options(&s->demo, NULL);
    o.per_page = 0;
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    o.per_page = 101;
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    o = test_options(&s->demo, NULL);
    o.base_url = "not a url";
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    o.base_url = "ftp://example.com";
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    o.base_url = "http://ghe.example.com/api/v3";
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_new(&o, &c, err));
    CHECK(c == SENTINEL, "the client out-param was written on failure");

    /* The error of a local failure: status, message, no HTTP details. */
    CHECK(ghpkg_client_new(&o, &c, &e) == GHPKG_INVALID_ARGUMENT, "insecure http refused");
    CHECK(ghpkg_error_status(e) == GHPKG_INVALID_ARGUMENT, "error status");
    CHECK(str_contains(ghpkg_error_message(e), "allow_insecure_http"), "%s", ghpkg_error_message(e));
    CHECK(str_contains(ghpkg_error_describe(e), "invalid argument"), "%s", ghpkg_error_describe(e));
    CHECK(ghpkg_error_http_status(e) == 0 && ghpkg_error_request_id(e) == NULL &&
              ghpkg_error_documentation_url(e) == NULL && ghpkg_error_retry_after_ms(e) == -1,
          "local errors have no HTTP details");
    ghpkg_error_free(e);

    /* Opting in makes it valid; the base URL is normalised. */
    o.allow_insecure_http = true;
    o.base_url = "http://ghe.example.com/api/v3/";
    CHECK_STATUS(GHPKG_OK, ghpkg_client_new(&o, &c, err));
    CHECK(str_eq(ghpkg_client_base_url(c), "http://ghe.example.com/api/v3"), "%s", ghpkg_client_base_url(c));
    ghpkg_client_free(c);
}

/* Each operation with a NULL, non-UTF-8 or out-of-range argument. */
static void operation_arguments(suite *s) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    ghpkg_package *pkg = SENTINEL;
    ghpkg_version *ver = SENTINEL;
    ghpkg_package_listing *pit = SENTINEL;
    ghpkg_version_listing *vit = SENTINEL;
    ghpkg_scopes *sc = SENTINEL;
    char *rows = SENTINEL;
    ghpkg_rate_limit rl;
    ghpkg_error *e = NULL;
    const ghpkg_package_type C = GHPKG_PACKAGE_TYPE_CONTAINER;
    const ghpkg_owner_kind ORG = GHPKG_OWNER_ORG, ME = GHPKG_OWNER_AUTHENTICATED_USER;

    /* NULL client, NULL out-params, NULL strings. */
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_package(NULL, ORG, "acme", C, "x", &pkg, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_package(c, ORG, "acme", C, "x", NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_package(c, ORG, NULL, C, "x", &pkg, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_package(c, ORG, "acme", C, NULL, &pkg, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_delete_package(NULL, ME, NULL, C, "x", err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_delete_package(c, ME, NULL, C, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_restore_package(c, ME, NULL, C, NULL, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_list_packages(NULL, ME, NULL, C, 0, &pit, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_list_packages(c, ME, NULL, C, 0, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_list_versions(c, ME, NULL, C, NULL, 0, &vit, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_list_versions(c, ME, NULL, C, "x", 0, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_version(c, ME, NULL, C, "x", 1, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_get_version(c, ME, NULL, C, NULL, 1, &ver, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_delete_version(NULL, ME, NULL, C, "x", 1, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_restore_version(c, ORG, NULL, C, "x", 1, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_docker_conflicts(c, ORG, NULL, &pit, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_docker_conflicts(c, ME, NULL, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_scopes(NULL, &sc, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_scopes(c, NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_catalog_select(c, NULL, "{}", &rows, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_catalog_select(c, "packages", "{}", NULL, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_catalog_delete(NULL, "packages", "{}", err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_client_catalog_exec(c, "packages", NULL, "{}", &rows, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_package_listing_next(NULL, &pkg, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_version_listing_next(NULL, &ver, err));

    /* Invalid UTF-8 in every kind of string argument. */
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_get_package(c, ORG, "ac\xffme", C, "x", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_get_package(c, ME, NULL, C, "\xc0\xaf", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_restore_package(c, ME, NULL, C, "x", "t\xfe", err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_list_versions(c, ME, NULL, C, "\xff", 0, &vit, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_docker_conflicts(c, GHPKG_OWNER_USER, "\x80", &pit, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_catalog_select(c, "pack\xe9ges", "{}", &rows, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8,
                 ghpkg_client_catalog_select(c, "packages", "{\"org\":\"\xff\"}", &rows, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_catalog_exec(c, "packages", "m\xff", "{}", &rows, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_client_catalog_delete(c, "packages", "\xff", err));

    /* Unknown enum values and unusable values. */
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_get_package(c, ME, NULL, 0, "x", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_get_package(c, ME, NULL, 7, "x", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_get_package(c, ME, NULL, 0xFFFFFFFFu, "x", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_get_package(c, 3, "acme", C, "x", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_get_package(c, ME, "octocat", C, "x", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_list_packages(c, ME, NULL, C, 4, &pit, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_list_versions(c, ME, NULL, C, "x", 3, &vit, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_docker_conflicts(c, 9, NULL, &pit, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_get_version(c, ME, NULL, C, "x", 0, &ver, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_delete_version(c, ME, NULL, C, "x", 0, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_restore_package(c, ME, NULL, C, "x", "", err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_get_package(c, ORG, "", C, "x", &pkg, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_catalog_select(c, "packages", "{", &rows, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_catalog_select(c, "packages", "[1]", &rows, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_catalog_select(c, "nope", "{}", &rows, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_client_catalog_select(c, "packages", NULL, &rows, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT,
                 ghpkg_client_catalog_exec(c, "packages", "drop_table", "{}", &rows, err));

    /* The messages name the culprit. */
    CHECK(ghpkg_client_get_package(c, ORG, NULL, C, "x", &pkg, &e) == GHPKG_NULL_ARGUMENT, "owner");
    CHECK(str_contains(ghpkg_error_message(e), "owner must not be NULL"), "%s", ghpkg_error_message(e));
    CHECK(str_eq(ghpkg_status_code(ghpkg_error_status(e)), "NULL_ARGUMENT"), "null status");
    ghpkg_error_free(e);
    e = NULL;
    CHECK(ghpkg_client_get_package(c, ME, NULL, 42, "x", &pkg, &e) == GHPKG_INVALID_ARGUMENT, "type");
    CHECK(str_contains(ghpkg_error_message(e), "unknown package type 42"), "%s", ghpkg_error_message(e));
    ghpkg_error_free(e);
    e = NULL;
    CHECK(ghpkg_client_get_package(c, ME, NULL, C, "\xff", &pkg, &e) == GHPKG_INVALID_UTF8, "utf8");
    CHECK(str_contains(ghpkg_error_message(e), "name is not valid UTF-8"), "%s", ghpkg_error_message(e));
    ghpkg_error_free(e);

    CHECK(pkg == SENTINEL && ver == SENTINEL && pit == SENTINEL && vit == SENTINEL && sc == SENTINEL &&
              rows == SENTINEL,
          "an out-param was written on failure");
    /* Nothing above reached the server: no response, no rate-limit snapshot. */
    CHECK(!ghpkg_client_rate_limit(c, &rl), "a failed argument check sent a request");
    CHECK(!ghpkg_client_rate_limit(c, NULL), "NULL out");
    ghpkg_client_free(c);
}

void test_arguments(suite *s) {
    null_handles();
    client_options(s);
    operation_arguments(s);
}
