"""Every operation of the sync client for the three kinds of owner, checked
against what the emulator received and what it then serves."""

from __future__ import annotations

import datetime
from typing import Any, Dict

import pytest

import ghpkg
from ghpkg.testing import Emulator
from helpers import OWNERS, calls, last, paths, query

# A container package of each owner: name as given, as encoded in paths,
# a tagged version id, an untagged version id.
SCENARIO: Dict[str, Dict[str, Any]] = {
    "/orgs/acme": {
        "name": "api/server",
        "encoded": "api%2Fserver",
        "tagged": 5_000_000_001,
        "untagged": 20012,
        "containers": {"api/server", "only-tag", "service-001", "service-260"},
        "conflicts": ["legacy-api"],
    },
    "/users/octocat": {
        "name": "hello-container",
        "encoded": "hello-container",
        "tagged": 10062,
        "untagged": 10063,
        "containers": {"hello-container", "my app", "café-ünïcode", "what?#hash"},
        "conflicts": ["octo-image"],
    },
    "/user": {
        "name": "hello-container",
        "encoded": "hello-container",
        "tagged": 10062,
        "untagged": 10063,
        "containers": {"hello-container", "my app", "café-ünïcode", "what?#hash"},
        "conflicts": ["octo-image"],
    },
}


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_list_packages(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str
) -> None:
    pkgs = list(client.list_packages("container", **who))
    names = {p.name for p in pkgs}
    assert SCENARIO[prefix]["containers"] <= names
    assert all(p.package_type is ghpkg.PackageType.CONTAINER for p in pkgs)
    reqs = emu.requests()
    assert {r.path for r in reqs} == {f"{prefix}/packages"}
    q = query(reqs[0])
    assert q["package_type"] == "container" and q["per_page"] == "100"
    assert "visibility" not in q


@pytest.mark.parametrize("who,prefix", OWNERS)
@pytest.mark.parametrize("vis", ["public", ghpkg.Visibility.PRIVATE])
def test_list_packages_by_visibility(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str, vis: str
) -> None:
    pkgs = client.list_packages(ghpkg.PackageType.CONTAINER, visibility=vis, **who).collect()
    assert pkgs, "the demo data has packages of both visibilities for every owner"
    assert {p.visibility for p in pkgs} == {ghpkg.Visibility(vis)}
    assert query(last(emu))["visibility"] == str(vis)


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_get_package(client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str) -> None:
    s = SCENARIO[prefix]
    pkg = client.get_package("container", s["name"], **who)
    assert pkg.name == s["name"]
    assert pkg.package_type == "container"
    assert pkg.owner is not None and pkg.owner.login == ("acme" if "acme" in prefix else "octocat")
    assert isinstance(pkg.created_at, datetime.datetime)
    assert pkg.created_at.tzinfo is not None and pkg.created_at.utcoffset() == datetime.timedelta(0)
    assert paths(emu) == [f"GET {prefix}/packages/container/{s['encoded']}"]


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_list_and_get_versions(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str
) -> None:
    s = SCENARIO[prefix]
    versions = list(client.list_versions("container", s["name"], **who))
    by_id = {v.id: v for v in versions}
    assert s["tagged"] in by_id and s["untagged"] in by_id
    assert by_id[s["tagged"]].tags and not by_id[s["tagged"]].is_untagged
    assert by_id[s["untagged"]].tags == [] and by_id[s["untagged"]].is_untagged
    assert paths(emu) == [f"GET {prefix}/packages/container/{s['encoded']}/versions"]

    v = client.get_version("container", s["name"], s["tagged"], **who)
    assert v.id == s["tagged"] and v.name.startswith("sha256:")
    assert v.metadata is not None and v.metadata["package_type"] == "container"
    assert paths(emu) == [f"GET {prefix}/packages/container/{s['encoded']}/versions/{s['tagged']}"]


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_delete_and_restore_version(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str
) -> None:
    s = SCENARIO[prefix]
    vid = s["untagged"]
    client.delete_version("container", s["name"], vid, **who)
    assert paths(emu) == [f"DELETE {prefix}/packages/container/{s['encoded']}/versions/{vid}"]
    active = {v.id for v in client.list_versions("container", s["name"], **who)}
    deleted = client.list_versions("container", s["name"], state="deleted", **who).collect()
    assert vid not in active
    assert vid in {v.id for v in deleted}
    assert all(v.deleted_at is not None for v in deleted)
    assert query(last(emu))["state"] == "deleted"
    emu.clear_requests()

    client.restore_version(ghpkg.PackageType.CONTAINER, s["name"], vid, **who)
    assert paths(emu) == [f"POST {prefix}/packages/container/{s['encoded']}/versions/{vid}/restore"]
    assert vid in {v.id for v in client.list_versions("container", s["name"], **who)}


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_delete_and_restore_package(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str
) -> None:
    s = SCENARIO[prefix]
    client.delete_package("container", s["name"], **who)
    assert paths(emu) == [f"DELETE {prefix}/packages/container/{s['encoded']}"]
    with pytest.raises(ghpkg.NotFoundError):
        client.get_package("container", s["name"], **who)
    emu.clear_requests()
    client.restore_package("container", s["name"], **who)
    assert paths(emu) == [f"POST {prefix}/packages/container/{s['encoded']}/restore"]
    assert client.get_package("container", s["name"], **who).name == s["name"]


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_restore_package_sends_the_token_param(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str
) -> None:
    s = SCENARIO[prefix]
    client.delete_package("container", s["name"], **who)
    emu.clear_requests()
    client.restore_package("container", s["name"], token="pkg-token/&=?", **who)
    r = last(emu)
    assert r.method == "POST" and r.path.endswith("/restore")
    assert query(r) == {"token": "pkg-token/&=?"}


@pytest.mark.parametrize("who,prefix", OWNERS)
def test_docker_conflicts(
    client: ghpkg.Client, emu: Emulator, who: Dict[str, str], prefix: str
) -> None:
    names = [p.name for p in client.docker_conflicts(**who)]
    assert names == SCENARIO[prefix]["conflicts"]
    assert paths(emu) == [f"GET {prefix}/docker/conflicts"]


@pytest.mark.parametrize("ptype", list(ghpkg.PackageType))
def test_every_package_type_is_listed(
    client: ghpkg.Client, emu: Emulator, ptype: ghpkg.PackageType
) -> None:
    for p in client.list_packages(ptype, org="acme"):
        assert p.package_type is ptype
    assert query(last(emu))["package_type"] == ptype.value


def test_scopes(emu: Emulator) -> None:
    from ghpkg.testing import FINE_GRAINED_TOKEN, READ_ONLY_TOKEN

    with emu.client() as full:
        s = full.scopes()
        assert (s.token_kind, s.can_read, s.can_delete, s.can_restore, s.has_repo) == (
            "classic",
            True,
            True,
            True,
            True,
        )
        assert s.scopes is not None and "delete:packages" in s.scopes and s.problem is None
        assert s.to_dict()["can_delete"] is True
    with emu.client(READ_ONLY_TOKEN) as ro:
        s = ro.scopes()
        assert s.can_read and not s.can_delete and not s.can_restore
        assert s.scopes == ["read:packages"]
    with emu.client(FINE_GRAINED_TOKEN) as fg:
        s = fg.scopes()
        assert s.token_kind == "fine_grained" and not s.can_read
        assert s.problem is not None and "classic" in s.problem
    assert calls(emu)[0].startswith("GET /user/packages?")


def test_rate_limit_snapshot(client: ghpkg.Client) -> None:
    assert client.rate_limit is None
    client.get_package("npm", "hello-world")
    rl = client.rate_limit
    assert rl is not None
    assert rl.limit == 5000 and rl.remaining == rl.limit - rl.used
    assert rl.reset.tzinfo is not None and rl.resource == "core"
    assert rl.to_dict()["limit"] == 5000


def test_client_properties_and_close(emu: Emulator) -> None:
    c = emu.client()
    assert c.base_url == emu.url and c.token_kind == "classic" and not c.closed
    c.close()
    assert c.closed and c.base_url is None
    with pytest.raises(ghpkg.ClientClosedError, match="closed") as closed:
        c.get_package("npm", "hello-world")
    err = closed.value
    assert isinstance(err, RuntimeError) and err.code == "CLOSED" and err.number == 11
    assert not err.retryable and err.status is None
    c.close()  # closing twice is fine
    with emu.client() as c2:
        assert c2.get_package("npm", "hello-world").name == "hello-world"
    assert c2.closed


def test_a_started_listing_survives_close(emu: Emulator) -> None:
    c = emu.client(per_page=10)
    it = c.list_packages("container", org="acme")
    first = next(it)
    c.close()
    assert len([first, *it]) == 264


def test_user_agent_and_auth_headers(emu: Emulator) -> None:
    with emu.client(user_agent="my-tool/1.0") as c:
        c.get_package("npm", "hello-world")
    r = last(emu)
    assert r.header("user-agent") == "my-tool/1.0"
    assert r.header("authorization") == f"Bearer {emu.token}"
    assert r.header("x-github-api-version") == ghpkg.API_VERSION
    with emu.client(username="octocat") as basic:
        basic.get_package("npm", "hello-world")
    auth = last(emu).header("authorization")
    assert auth is not None and auth.startswith("Basic ")
