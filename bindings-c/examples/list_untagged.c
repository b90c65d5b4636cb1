/* Lists an organization's container packages that have several versions,
 * with how many of those versions are untagged. The token comes from
 * GITHUB_TOKEN (or GH_TOKEN), the API root from GITHUB_API_URL if set. */
#include <stdio.h>

#include "ghpkg.h"

static int report(ghpkg_error *err) {
    fprintf(stderr, "%s: %s\n", ghpkg_status_code(ghpkg_error_status(err)), ghpkg_error_describe(err));
    ghpkg_error_free(err);
    return 1;
}

static ghpkg_status count_untagged(ghpkg_client *client, const char *org, const char *name, size_t *untagged,
                                   ghpkg_error **err) {
    ghpkg_version_listing *versions = NULL;
    ghpkg_version *v = NULL;
    ghpkg_status st = ghpkg_client_list_versions(client, GHPKG_OWNER_ORG, org, GHPKG_PACKAGE_TYPE_CONTAINER,
                                                 name, GHPKG_VERSION_STATE_ACTIVE, &versions, err);
    *untagged = 0;
    while (st == GHPKG_OK && (st = ghpkg_version_listing_next(versions, &v, err)) == GHPKG_OK && v != NULL) {
        if (ghpkg_version_is_untagged(v)) (*untagged)++;
        ghpkg_version_free(v);
    }
    ghpkg_version_listing_free(versions); /* accepts NULL */
    return st;
}

int main(int argc, char **argv) {
    const char *org = argc > 1 ? argv[1] : "acme";
    ghpkg_client *client = NULL;
    ghpkg_package_listing *packages = NULL;
    ghpkg_package *pkg = NULL;
    ghpkg_error *err = NULL; /* written only when a call fails */
    ghpkg_status st;

    if (ghpkg_client_from_env(&client, &err) != GHPKG_OK) return report(err);
    st = ghpkg_client_list_packages(client, GHPKG_OWNER_ORG, org, GHPKG_PACKAGE_TYPE_CONTAINER,
                                    GHPKG_VISIBILITY_ANY, &packages, &err);
    /* Pages are fetched as the loop consumes them; pkg is NULL at the end. */
    while (st == GHPKG_OK && (st = ghpkg_package_listing_next(packages, &pkg, &err)) == GHPKG_OK &&
           pkg != NULL) {
        size_t untagged;
        if (ghpkg_package_version_count(pkg) > 1) {
            st = count_untagged(client, org, ghpkg_package_name(pkg), &untagged, &err);
            if (st == GHPKG_OK)
                printf("%s: %llu versions, %zu untagged\n", ghpkg_package_name(pkg),
                       (unsigned long long)ghpkg_package_version_count(pkg), untagged);
        }
        ghpkg_package_free(pkg); /* its strings die with it */
    }
    ghpkg_package_listing_free(packages);
    ghpkg_client_free(client);
    return st == GHPKG_OK ? 0 : report(err);
}
