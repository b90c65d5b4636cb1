"""The StackQL-style catalog through Python: every method of every resource
(the seed methods of github.packages.packages included) reached by exec,
select and delete picking the most specific method, rows as dicts with
exactly the resource's fields, filtering, and errors before any request."""

from __future__ import annotations

from typing import Any, Dict, List, Set, Tuple

import pytest

import ghpkg
from ghpkg.testing import Emulator
from helpers import paths

P, ORG, V, D = (
    "github.packages.packages",
    "github.packages.org_packages",
    "package_versions",
    "docker_migration_packages",
)
API = {"org": "acme", "package_type": "container", "package_name": "api/server"}

# (resource, method, params, the request it must send)
CASES: List[Tuple[str, str, Dict[str, Any], str]] = [
    (P, "get_package_for_organization", API, "GET /orgs/acme/packages/container/api%2Fserver"),
    (
        P,
        "get_package_for_user",
        {"username": "octocat", "package_type": "npm", "package_name": "hello-world"},
        "GET /users/octocat/packages/npm/hello-world",
    ),
    (
        P,
        "get_package_for_authenticated_user",
        {"package_type": "container", "package_name": "my app"},
        "GET /user/packages/container/my%20app",
    ),
    (
        P,
        "list_packages_for_organization",
        {"org": "acme", "package_type": "container"},
        "GET /orgs/acme/packages",
    ),
    (
        P,
        "list_packages_for_user",
        {"username": "octocat", "package_type": "npm"},
        "GET /users/octocat/packages",
    ),
    (P, "list_packages_for_authenticated_user", {"package_type": "maven"}, "GET /user/packages"),
    (
        P,
        "delete_package_for_org",
        {"org": "acme", "package_type": "npm", "package_name": "ui-kit"},
        "DELETE /orgs/acme/packages/npm/ui-kit",
    ),
    (
        P,
        "restore_package_for_org",
        {"org": "acme", "package_type": "npm", "package_name": "ui-kit"},
        "POST /orgs/acme/packages/npm/ui-kit/restore",
    ),
    (
        P,
        "delete_package_for_user",
        {"username": "octocat", "package_type": "rubygems", "package_name": "octo-gem"},
        "DELETE /users/octocat/packages/rubygems/octo-gem",
    ),
    (
        P,
        "restore_package_for_user",
        {"username": "octocat", "package_type": "rubygems", "package_name": "octo-gem"},
        "POST /users/octocat/packages/rubygems/octo-gem/restore",
    ),
    (
        P,
        "delete_package_for_authenticated_user",
        {"package_type": "maven", "package_name": "com.octocat.hello"},
        "DELETE /user/packages/maven/com.octocat.hello",
    ),
    (
        P,
        "restore_package_for_authenticated_user",
        {"package_type": "maven", "package_name": "com.octocat.hello"},
        "POST /user/packages/maven/com.octocat.hello/restore",
    ),
    (
        ORG,
        "get_package_for_organization",
        {"org": "acme", "package_type": "rubygems", "package_name": "acme-tools"},
        "GET /orgs/acme/packages/rubygems/acme-tools",
    ),
    (
        ORG,
        "list_packages_for_organization",
        {"org": "acme", "package_type": "docker"},
        "GET /orgs/acme/packages",
    ),
    (
        ORG,
        "delete_package_for_org",
        {"org": "acme", "package_type": "rubygems", "package_name": "acme-tools"},
        "DELETE /orgs/acme/packages/rubygems/acme-tools",
    ),
    (
        ORG,
        "restore_package_for_org",
        {"org": "acme", "package_type": "rubygems", "package_name": "acme-tools"},
        "POST /orgs/acme/packages/rubygems/acme-tools/restore",
    ),
    (
        V,
        "get_package_version_for_organization",
        {**API, "package_version_id": 5_000_000_001},
        "GET /orgs/acme/packages/container/api%2Fserver/versions/5000000001",
    ),
    (
        V,
        "get_package_version_for_user",
        {
            "username": "octocat",
            "package_type": "npm",
            "package_name": "hello-world",
            "package_version_id": "10012",
        },
        "GET /users/octocat/packages/npm/hello-world/versions/10012",
    ),
    (
        V,
        "get_package_version_for_authenticated_user",
        {
            "package_type": "container",
            "package_name": "hello-container",
            "package_version_id": 10063,
        },
        "GET /user/packages/container/hello-container/versions/10063",
    ),
    (
        V,
        "get_all_package_versions_for_package_owned_by_org",
        API,
        "GET /orgs/acme/packages/container/api%2Fserver/versions",
    ),
    (
        V,
        "get_all_package_versions_for_package_owned_by_user",
        {"username": "octocat", "package_type": "npm", "package_name": "100%-pure"},
        "GET /users/octocat/packages/npm/100%25-pure/versions",
    ),
    (
        V,
        "get_all_package_versions_for_package_owned_by_authenticated_user",
        {"package_type": "nuget", "package_name": "Octo.Core", "state": ghpkg.VersionState.ACTIVE},
        "GET /user/packages/nuget/Octo.Core/versions",
    ),
    (
        V,
        "delete_package_version_for_org",
        {**API, "package_version_id": 20014},
        "DELETE /orgs/acme/packages/container/api%2Fserver/versions/20014",
    ),
    (
        V,
        "restore_package_version_for_org",
        {**API, "package_version_id": 20014},
        "POST /orgs/acme/packages/container/api%2Fserver/versions/20014/restore",
    ),
    (
        V,
        "delete_package_version_for_user",
        {
            "username": "octocat",
            "package_type": "npm",
            "package_name": "100%-pure",
            "package_version_id": 10092,
        },
        "DELETE /users/octocat/packages/npm/100%25-pure/versions/10092",
    ),
    (
        V,
        "restore_package_version_for_user",
        {
            "username": "octocat",
            "package_type": "npm",
            "package_name": "100%-pure",
            "package_version_id": 10092,
        },
        "POST /users/octocat/packages/npm/100%25-pure/versions/10092/restore",
    ),
    (
        V,
        "delete_package_version_for_authenticated_user",
        {"package_type": "nuget", "package_name": "Octo.Core", "package_version_id": 10052},
        "DELETE /user/packages/nuget/Octo.Core/versions/10052",
    ),
    (
        V,
        "restore_package_version_for_authenticated_user",
        {"package_type": "nuget", "package_name": "Octo.Core", "package_version_id": 10052},
        "POST /user/packages/nuget/Octo.Core/versions/10052/restore",
    ),
    (
        D,
        "list_docker_migration_conflicting_packages_for_organization",
        {"org": "acme"},
        "GET /orgs/acme/docker/conflicts",
    ),
    (
        D,
        "list_docker_migration_conflicting_packages_for_user",
        {"username": "octocat"},
        "GET /users/octocat/docker/conflicts",
    ),
    (
        D,
        "list_docker_migration_conflicting_packages_for_authenticated_user",
        {},
        "GET /user/docker/conflicts",
    ),
]

RESOURCES = {r["id"]: r for r in ghpkg.catalog_resources()}


def resource(name: str) -> Dict[str, Any]:
    for r in RESOURCES.values():
        if name in (r["id"], r["short_name"]):
            return r
    raise KeyError(name)


def test_resources_describe_themselves() -> None:
    assert set(RESOURCES) == {
        "github.packages.packages",
        "github.packages.org_packages",
        "github.packages.package_versions",
        "github.packages.docker_migration_packages",
    }
    seeds = [m["name"] for m in RESOURCES["github.packages.packages"]["methods"]]
    assert len(seeds) == 12 and "list_packages_for_organization" in seeds
    for r in RESOURCES.values():
        for m in r["methods"]:
            assert m["verb"] in ("SELECT", "DELETE", "EXEC") and m["description"]
            assert m["required"] == sorted(m["required"])


def test_the_cases_cover_every_method() -> None:
    covered: Set[Tuple[str, str]] = {(resource(r)["id"], m) for r, m, _, _ in CASES}
    every = {(r["id"], m["name"]) for r in RESOURCES.values() for m in r["methods"]}
    assert covered == every


@pytest.mark.parametrize("res,method,params,call", CASES, ids=[f"{r}.{m}" for r, m, _, _ in CASES])
def test_every_method_by_exec(
    client: ghpkg.Client, emu: Emulator, res: str, method: str, params: Dict[str, Any], call: str
) -> None:
    meta = next(m for m in resource(res)["methods"] if m["name"] == method)
    if method.startswith("restore_"):
        # Only something deleted can be restored: delete it first.
        client.catalog_exec(res, method.replace("restore_", "delete_", 1), params)
        emu.clear_requests()
    rows = client.catalog_exec(res, method, params)
    sent = paths(emu)
    assert sent and all(s == call for s in sent), sent
    if meta["verb"] == "SELECT":
        assert rows, "a SELECT method returns rows"
        for row in rows:
            assert isinstance(row, dict) and list(row) == resource(res)["fields"]
    else:
        assert rows == []


@pytest.mark.parametrize(
    "params,call",
    [
        (API, "GET /orgs/acme/packages/container/api%2Fserver"),
        (
            {"username": "octocat", "package_type": "npm", "package_name": "hello-world"},
            "GET /users/octocat/packages/npm/hello-world",
        ),
        (
            {"package_type": "npm", "package_name": "hello-world"},
            "GET /user/packages/npm/hello-world",
        ),
        ({"org": "acme", "package_type": "container"}, "GET /orgs/acme/packages"),
        ({"username": "octocat", "package_type": "npm"}, "GET /users/octocat/packages"),
        ({"package_type": "npm", "org": None}, "GET /user/packages"),
    ],
)
def test_select_picks_the_most_specific_method(
    client: ghpkg.Client, emu: Emulator, params: Dict[str, Any], call: str
) -> None:
    rows = client.catalog_select("github.packages.packages", params)
    sent = paths(emu)
    assert sent and all(s == call for s in sent), sent
    assert rows and all(list(r) == RESOURCES[P]["fields"] for r in rows)
    if "package_name" in params:
        assert len(rows) == 1 and len(sent) == 1


def test_rows_are_plain_json(client: ghpkg.Client, emu: Emulator) -> None:
    row = client.catalog_select("packages", API)[0]
    assert row["id"] == 2001 and row["name"] == "api/server" and row["package_type"] == "container"
    assert row["owner"]["login"] == "acme" and row["repository"]["full_name"] == "acme/api"
    assert row["created_at"] == "2024-01-05T05:00:00Z"
    rows = client.catalog_select("packages", org="acme", package_type="container")
    assert len(rows) == 264 and len({r["id"] for r in rows}) == 264
    assert len(paths(emu)) == 4
    v = client.catalog_select("package_versions", {**API, "package_version_id": "5000000001"})
    assert len(v) == 1 and "latest" in v[0]["metadata"]["container"]["tags"]


def test_params_dict_and_keywords_merge(client: ghpkg.Client) -> None:
    rows = client.catalog_select("packages", {"org": "acme", "package_type": "npm"}, name="ui-kit")
    assert [r["id"] for r in rows] == [2002]
    rows = client.catalog_select(
        "packages", {"org": "acme", "package_type": "npm"}, package_type="maven"
    )
    assert [r["name"] for r in rows] == ["com.acme.core"], "keywords win"


def test_field_params_filter_rows(client: ghpkg.Client) -> None:
    base = {"org": "acme", "package_type": "container"}
    assert [r["id"] for r in client.catalog_select("packages", base, name="only-tag")] == [2008]
    assert [r["name"] for r in client.catalog_select("packages", base, id="2001")] == ["api/server"]
    assert [r["name"] for r in client.catalog_select("packages", base, id=2001)] == ["api/server"]
    private = client.catalog_select("packages", base, visibility="private")
    assert private and all(r["visibility"] == "private" for r in private)


def test_delete_picks_by_params_and_never_filters(client: ghpkg.Client, emu: Emulator) -> None:
    client.catalog_delete("packages", org="acme", package_type="npm", package_name="ui-kit")
    assert paths(emu) == ["DELETE /orgs/acme/packages/npm/ui-kit"]
    with pytest.raises(ghpkg.NotFoundError):
        client.get_package("npm", "ui-kit", org="acme")
    emu.clear_requests()
    with pytest.raises(ghpkg.InvalidArgumentError, match="unknown param name"):
        client.catalog_delete(
            "packages", org="acme", package_type="npm", package_name="x", name="x"
        )
    with pytest.raises(ghpkg.InvalidArgumentError, match="no DELETE method"):
        client.catalog_delete("packages", org="acme", package_type="npm")
    assert emu.requests() == []


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda c: c.catalog_select("pkgs", org="acme"), "unknown resource"),
        (lambda c: c.catalog_select("packages"), r"given params \(none\)"),
        (
            lambda c: c.catalog_select("packages", org="acme", package_type="containers"),
            "unknown package type",
        ),
        (
            lambda c: c.catalog_select("packages", org=7, package_type="npm"),
            "param org must be a string",
        ),
        (
            lambda c: c.catalog_select("packages", org="acme", package_type="npm", nmae="x"),
            "unknown param nmae",
        ),
        (
            lambda c: c.catalog_exec(
                "packages", "restore_package_for_org", org="acme", package_type="npm"
            ),
            "missing: package_name",
        ),
        (lambda c: c.catalog_exec("packages", "drop_everything", {}), "has no method"),
        (
            lambda c: c.catalog_select("package_versions", {**API, "package_version_id": -1}),
            "positive integer",
        ),
        (
            lambda c: c.catalog_select("package_versions", {**API, "package_version_id": 1.5}),
            "positive integer",
        ),
        (
            lambda c: c.catalog_delete("docker_migration_packages", org="acme"),
            "has no DELETE method",
        ),
    ],
)
def test_catalog_errors_come_before_any_request(
    client: ghpkg.Client, emu: Emulator, call: Any, message: str
) -> None:
    with pytest.raises(ghpkg.InvalidArgumentError, match=message):
        call(client)
    assert emu.requests() == []


def test_catalog_http_errors_are_typed(client: ghpkg.Client) -> None:
    with pytest.raises(ghpkg.NotFoundError):
        client.catalog_select("packages", org="acme", package_type="npm", package_name="nope")
    with pytest.raises(ghpkg.RejectedError):
        client.catalog_exec(
            "package_versions",
            "delete_package_version_for_org",
            org="acme",
            package_type="npm",
            package_name="single-version",
            package_version_id=20091,
        )
