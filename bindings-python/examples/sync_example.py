"""Find untagged container versions in an organization (read-only).

Run with GITHUB_TOKEN set (a classic token with read:packages); set
GITHUB_API_URL for GitHub Enterprise Server and GHPKG_ORG for the org.
"""

import os

import ghpkg


def main() -> None:
    org = os.environ.get("GHPKG_ORG", "acme")
    # No token argument: GITHUB_TOKEN, GH_TOKEN (or STACKQL_GITHUB_USERNAME and
    # STACKQL_GITHUB_PASSWORD) and GITHUB_API_URL are read from the environment.
    with ghpkg.Client() as client:
        scopes = client.scopes()  # one request: fail before the work starts
        if not scopes.can_read:
            raise SystemExit(f"this token cannot read packages: {scopes.problem}")

        # Listings are lazy: pages are fetched as the loop consumes them.
        for pkg in client.list_packages(ghpkg.PackageType.CONTAINER, org=org):
            versions = client.list_versions("container", pkg.name, org=org)
            untagged = [v for v in versions if v.is_untagged]
            if untagged:
                repo = pkg.repository.full_name if pkg.repository else "no repository"
                print(f"{pkg.name} ({repo}): {len(untagged)} of {pkg.version_count} untagged")

        try:
            client.get_package("npm", "no-such-package", org=org)
        except ghpkg.NotFoundError as e:
            print(f"no such package (HTTP {e.status}, request id {e.request_id})")

        # The StackQL-style catalog: rows are plain dicts.
        for row in client.catalog_select("packages", org=org, package_type="npm"):
            print(f"npm: {row['name']} ({row['visibility']})")


if __name__ == "__main__":
    main()
