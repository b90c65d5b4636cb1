"""Typed results: attributes, aware datetimes, lazily built nested objects,
to_dict() with every field GitHub sent, from_dict(), pickling, equality."""

from __future__ import annotations

import copy
import datetime
import pickle
import sys

import pytest

import ghpkg

UTC = datetime.timezone.utc


def test_package_attributes(client: ghpkg.Client) -> None:
    p = client.get_package("container", "api/server", org="acme")
    assert (p.id, p.name, p.version_count) == (2001, "api/server", 19)
    assert p.package_type is ghpkg.PackageType.CONTAINER and p.package_type == "container"
    assert p.visibility is ghpkg.Visibility.PRIVATE
    assert p.url.endswith("/orgs/acme/packages/container/api%2Fserver")
    assert p.html_url.startswith("https://github.com/")
    assert p.created_at == datetime.datetime(2024, 1, 5, 5, 0, tzinfo=UTC)
    assert p.created_at.tzinfo is not None and p.updated_at >= p.created_at
    owner = p.owner
    assert owner is not None
    assert (owner.login, owner.id, owner.type, owner.site_admin) == (
        "acme",
        100,
        "Organization",
        False,
    )
    assert owner.html_url == "https://github.com/acme" and owner.avatar_url
    repo = p.repository
    assert repo is not None
    assert (repo.name, repo.full_name, repo.private) == ("api", "acme/api", False)
    assert repo.owner is not None and repo.owner.login == "acme"
    assert "node_id" in owner.extra and "node_id" in repo.extra


def test_nested_objects_are_built_once_on_first_access(client: ghpkg.Client) -> None:
    p = client.get_package("container", "api/server", org="acme")
    assert p.owner is p.owner
    assert p.repository is p.repository
    repo = p.repository
    assert repo is not None and repo.owner is repo.owner
    # The same data in a fresh object is equal but not the same object.
    q = client.get_package("container", "api/server", org="acme")
    assert q.owner == p.owner and q.owner is not p.owner


def test_a_listing_object_costs_little_until_read(client: ghpkg.Client) -> None:
    pkgs = client.list_packages("container", org="acme").collect()
    small = sys.getsizeof(pkgs[0])
    assert small < 1024, "no Python objects are made for fields nobody reads"
    assert all(p.owner is not None and p.owner.login == "acme" for p in pkgs)


def test_package_without_repository(client: ghpkg.Client) -> None:
    p = client.get_package("container", "my app")
    assert p.repository is None and p.owner is not None and p.owner.login == "octocat"


def test_version_attributes(client: ghpkg.Client) -> None:
    v = client.get_version("container", "api/server", 5_000_000_001, org="acme")
    assert v.id == 5_000_000_001 and v.id > 2**32
    assert v.name.startswith("sha256:") and len(v.name) == len("sha256:") + 64
    assert v.tags == ["latest", "1.2.0"] and not v.is_untagged
    assert v.description == "Multi-arch index for linux/amd64 and linux/arm64"
    assert v.deleted_at is None and v.created_at.tzinfo is not None
    assert v.metadata == {"package_type": "container", "container": {"tags": ["latest", "1.2.0"]}}
    assert v.package_html_url.startswith("https://github.com/")
    npm = client.get_version("npm", "hello-world", 10011)
    assert npm.license == "MIT" and npm.tags == [] and npm.is_untagged
    deleted = client.list_versions(
        "container", "api/server", org="acme", state="deleted"
    ).collect()[0]
    assert deleted.deleted_at == datetime.datetime(2024, 3, 1, tzinfo=UTC)


def test_docker_tags(client: ghpkg.Client) -> None:
    tags = {v.id: v.tags for v in client.list_versions("docker", "octo-image")}
    assert tags == {10041: ["v1"], 10042: ["latest"]}


def test_to_dict_is_the_raw_json(client: ghpkg.Client) -> None:
    p = client.get_package("container", "api/server", org="acme")
    d = p.to_dict()
    assert d["id"] == 2001 and d["name"] == "api/server" and d["package_type"] == "container"
    assert d["created_at"] == "2024-01-05T05:00:00Z"
    assert d["owner"]["login"] == "acme" and d["repository"]["full_name"] == "acme/api"
    # Fields ghpkg does not model are kept.
    assert "node_id" in d["owner"] and "forks_url" in d["repository"]
    d["name"] = "changed"
    assert p.name == "api/server", "to_dict() returns a copy"
    v = client.get_version("npm", "hello-world", 10011)
    assert v.to_dict()["license"] == "MIT"
    assert p.owner is not None and p.owner.to_dict()["login"] == "acme"
    assert p.repository is not None and p.repository.to_dict()["name"] == "api"


def test_from_dict_round_trips(client: ghpkg.Client) -> None:
    p = client.get_package("container", "api/server", org="acme")
    assert ghpkg.Package.from_dict(p.to_dict()) == p
    v = client.get_version("container", "api/server", 20012, org="acme")
    assert ghpkg.PackageVersion.from_dict(v.to_dict()) == v
    assert p.owner is not None and ghpkg.SimpleUser.from_dict(p.owner.to_dict()) == p.owner
    repo = p.repository
    assert repo is not None and ghpkg.MinimalRepository.from_dict(repo.to_dict()) == repo
    with pytest.raises(ghpkg.InvalidArgumentError, match="not a valid Package"):
        ghpkg.Package.from_dict({"id": "nope"})
    with pytest.raises(TypeError):
        ghpkg.Package.from_dict({"id": object()})


def test_models_pickle_and_copy(client: ghpkg.Client) -> None:
    p = client.get_package("container", "api/server", org="acme")
    v = client.get_version("container", "api/server", 5_000_000_001, org="acme")
    for obj in (p, v, p.owner, p.repository):
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj) and back == obj
        assert copy.deepcopy(obj) == obj
    back_p = pickle.loads(pickle.dumps(p))
    assert back_p.created_at == p.created_at and back_p.owner == p.owner


def test_equality_and_hashing(client: ghpkg.Client) -> None:
    a = client.get_package("npm", "hello-world")
    b = client.get_package("npm", "hello-world")
    c = client.get_package("npm", "100%-pure")
    assert a == b and a != c and a != "hello-world"
    assert len({a, b, c}) == 2
    assert a != a.to_dict()


def test_reprs(client: ghpkg.Client) -> None:
    p = client.get_package("container", "what?#hash")
    assert repr(p) == (
        "Package(id=1010, name='what?#hash', package_type='container', "
        "visibility='private', version_count=2)"
    )
    assert repr(p.owner) == "SimpleUser(login='octocat', id=1, type='User')"
    v = client.get_version("container", "api/server", 5_000_000_001, org="acme")
    assert repr(v).startswith("PackageVersion(id=5000000001, name='sha256:")
    assert repr(v).endswith("tags=['latest', '1.2.0'])")
    s = client.scopes()
    assert repr(s).startswith("TokenScopes(token_kind='classic', scopes=['read:packages'")
    assert "problem=None" in repr(s)


def test_extra_fields_survive(client: ghpkg.Client) -> None:
    data = client.get_package("npm", "hello-world").to_dict()
    data["brand_new_field"] = {"nested": [1, 2.5, None, True]}
    p = ghpkg.Package.from_dict(data)
    assert p.extra["brand_new_field"] == {"nested": [1, 2.5, None, True]}
    assert p.to_dict()["brand_new_field"] == {"nested": [1, 2.5, None, True]}


def test_models_cannot_be_built_directly_or_changed(client: ghpkg.Client) -> None:
    with pytest.raises(TypeError):
        ghpkg.Package()  # type: ignore[call-arg]
    p = client.get_package("npm", "hello-world")
    with pytest.raises(AttributeError):
        p.name = "x"  # type: ignore[misc]
